// `pipeline verify all` from a cold start, as a user runs it on a fresh clone: nothing listens, so
// the built CLI starts the embedded emulator in-process (empty state in a temp folder), starts the
// fixture source server, deploys the stack, then runs 4A-4D. Wall time of the whole command, and
// each phase's own duration from its JSON report. Goal: under 30 s on a 2-core machine.
// One run by default (a run takes half a minute); BENCH_VERIFY_RUNS=N for more (capped by --runs).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const name = "verify";
export const description = "pipeline verify all from a cold start (emulator in-process + deploy + 4A-4D)";

const TARGET_MS = 30_000;

function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

async function once(root) {
  const work = mkdtempSync(join(tmpdir(), "pipeline-bench-verify-"));
  try {
    const env = { ...process.env, NO_COLOR: "1" };
    for (const key of Object.keys(env))
      if (key.startsWith("PIPELINE_") || key === "AWS_ENDPOINT_URL") delete env[key];
    Object.assign(env, {
      PIPELINE_TARGET: "local",
      PIPELINE_EMULATOR_PORT: String(await freePort()),
      PIPELINE_FIXTURES_PORT: String(await freePort()),
      PIPELINE_EMULATOR_PERSIST_DIR: join(work, "emulator"),
    });
    const started = process.hrtime.bigint();
    const result = spawnSync(join(root, "bin", "pipeline"), ["verify", "all", "--json"], {
      cwd: work,
      env,
      encoding: "utf8",
      timeout: 300_000,
    });
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.status !== 0) {
      throw new Error(`verify all exited ${result.status}: ${result.stderr.slice(-2000)}`);
    }
    const report = JSON.parse(result.stdout);
    const phases = Object.fromEntries(report.phases.map((phase) => [phase.phase, phase.durationMs]));
    return { wallMs, verifyMs: report.durationMs, phases };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export async function run({ runs, root }) {
  if (!existsSync(join(root, "dist", "commands", "main.js"))) {
    throw new Error("dist/commands/main.js is missing: run `npm run build` first");
  }
  const count = Math.max(1, Math.min(runs, Number(process.env.BENCH_VERIFY_RUNS ?? 1)));
  const samples = [];
  for (let i = 0; i < count; i += 1) samples.push(await once(root));
  const median = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  };
  const wall = median(samples.map((s) => s.wallMs));
  const verify = median(samples.map((s) => s.verifyMs));
  const phaseNames = Object.keys(samples[0].phases);
  return {
    figures: [
      { label: `verify all, cold start, wall time (median of ${count})`, value: wall, unit: "ms" },
      { label: "start emulator + fixtures + deploy (wall minus phases)", value: wall - verify, unit: "ms" },
      ...phaseNames.map((phase) => ({
        label: `${phase} duration`,
        value: median(samples.map((s) => s.phases[phase])),
        unit: "ms",
      })),
    ],
    checks: [
      {
        label: `under ${TARGET_MS / 1000} s`,
        pass: wall < TARGET_MS,
        detail: `${(wall / 1000).toFixed(1)} s`,
      },
    ],
  };
}
