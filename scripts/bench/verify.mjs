// `pipeline verify all` from a cold start, as a user runs it on a fresh clone: nothing listens, so
// the built CLI starts the embedded emulator in-process (empty state in a temp folder), starts the
// fixture source server, deploys the stack, then runs 4A-4D. Goal (issue 13 point 5): under 10 s on
// a 2-core machine.
//
// Where the time goes, measured in the same run:
// - wall time of the command, each phase's duration, and the checks that carry most of it (the
//   three scraper runs, the -test copy's deploy and teardown, the waits for enrichment), from its
//   JSON report;
// - CPU time (user + system) of every process of the run, sampled from /proc every 100 ms (Linux;
//   the last <100 ms of a process that exits is missed): the CLI's own process (emulator, fixture
//   server and verify share its one JavaScript thread), each Lambda runtime process by function, and
//   esbuild. On C cores the wall time cannot be less than max(the CLI process's CPU, all CPU / C),
//   the bound printed beside the wall time; the machine's load average at the start says how far a
//   shared machine is from that.
// One run by default (a run takes 15-60 s); BENCH_VERIFY_RUNS=N for more (capped by --runs).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";

export const name = "verify";
export const description =
  "pipeline verify all from a cold start (emulator in-process + deploy + 4A-4D): wall, phases, CPU by process";

const TARGET_MS = 10_000;
const SAMPLE_MS = 100;

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

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime in ms and the parent pid of every process, from /proc (empty elsewhere). */
function processTable() {
  const table = new Map();
  if (!existsSync("/proc/self/stat")) return table;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      table.set(Number(entry), {
        ppid: Number(fields[1]),
        cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND,
      });
    } catch {
      // gone between readdir and read
    }
  }
  return table;
}

/** What a process of the run is: the CLI itself, a Lambda runtime (by function), esbuild, or other. */
function kindOf(pid, rootPid) {
  if (pid === rootPid) return "cli (emulator + fixtures + verify)";
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
    if (cmdline.includes("esbuild")) return "esbuild";
    const environ = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
    const service = environ.find((line) => line.startsWith("POWERTOOLS_SERVICE_NAME="));
    if (service) {
      const fn = service.slice("POWERTOOLS_SERVICE_NAME=".length).replace(/-test$/, "");
      return `lambda ${fn.startsWith("scraper-") ? "scrapers" : fn}`;
    }
    return "other";
  } catch {
    return "other";
  }
}

/** Follows the process tree under rootPid until stopped; returns CPU ms per kind of process. */
function watchCpu(rootPid) {
  const seen = new Map(); // pid -> { kind, cpuMs }
  const sample = () => {
    const table = processTable();
    const inTree = new Set([rootPid]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const [pid, info] of table) {
        if (!inTree.has(pid) && inTree.has(info.ppid)) {
          inTree.add(pid);
          grew = true;
        }
      }
    }
    for (const pid of inTree) {
      const info = table.get(pid);
      if (!info) continue;
      const known = seen.get(pid) ?? { kind: "other", cpuMs: 0 };
      // Seen right after fork, a process still has its parent's command line and environment.
      if (known.kind === "other") known.kind = kindOf(pid, rootPid);
      known.cpuMs = Math.max(known.cpuMs, info.cpuMs);
      seen.set(pid, known);
    }
  };
  const timer = setInterval(sample, SAMPLE_MS);
  sample();
  return {
    stop() {
      clearInterval(timer);
      const byKind = new Map();
      const countByKind = new Map();
      for (const { kind, cpuMs } of seen.values()) {
        byKind.set(kind, (byKind.get(kind) ?? 0) + cpuMs);
        countByKind.set(kind, (countByKind.get(kind) ?? 0) + 1);
      }
      return { byKind, countByKind, processes: seen.size };
    },
  };
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
    const load = loadavg()[0];
    const started = process.hrtime.bigint();
    // The CLI's own entry (not bin/pipeline's shell): its pid is the process that hosts the emulator.
    const child = spawn(
      process.execPath,
      [join(root, "dist", "commands", "main.js"), "verify", "all", "--json"],
      {
        cwd: work,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const cpu = watchCpu(child.pid);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timeout = setTimeout(() => child.kill("SIGKILL"), 300_000);
    const status = await new Promise((done) => child.once("close", done));
    clearTimeout(timeout);
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    const usage = cpu.stop();
    if (status !== 0) throw new Error(`verify all exited ${status}: ${stderr.slice(-2000)}`);
    const report = JSON.parse(stdout);
    const phases = Object.fromEntries(report.phases.map((phase) => [phase.phase, phase.durationMs]));
    const check = (phase, id) =>
      report.phases.find((p) => p.phase === phase)?.checks.find((c) => c.id === id)?.durationMs ?? 0;
    const checks = {
      "4A scraper run (trigger .. finished)": check("phase-4a", "trigger") + check("phase-4a", "finished"),
      "4B scraper run (run records)": check("phase-4b", "run-records"),
      "4C scraper run (cycle)": check("phase-4c", "cycle"),
      "4C -test copy deploy + teardown": check("phase-4c", "deploy-test") + check("phase-4c", "teardown"),
      "canaries (4B + 4C)": check("phase-4b", "canary") + check("phase-4c", "canary"),
      "enrichment waits (4B + 4C)": check("phase-4b", "enriched") + check("phase-4c", "enriched"),
    };
    return { wallMs, verifyMs: report.durationMs, phases, checks, cpu: usage, load };
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
  const cores = availableParallelism();
  const kinds = [...new Set(samples.flatMap((s) => [...s.cpu.byKind.keys()]))].sort();
  const cpuOf = (kind) => median(samples.map((s) => s.cpu.byKind.get(kind) ?? 0));
  const countOf = (kind) => median(samples.map((s) => s.cpu.countByKind.get(kind) ?? 0));
  const totalCpu = median(samples.map((s) => [...s.cpu.byKind.values()].reduce((a, b) => a + b, 0)));
  const mainCpu = cpuOf("cli (emulator + fixtures + verify)");
  const bound = Math.max(mainCpu, totalCpu / cores);
  const figures = [
    { label: `verify all, cold start, wall time (median of ${count})`, value: wall, unit: "ms" },
    { label: "start emulator + fixtures + deploy (wall minus phases)", value: wall - verify, unit: "ms" },
    ...Object.keys(samples[0].phases).map((phase) => ({
      label: `${phase} duration`,
      value: median(samples.map((s) => s.phases[phase])),
      unit: "ms",
    })),
    ...Object.keys(samples[0].checks).map((label) => ({
      label: `  of which ${label}`,
      value: median(samples.map((s) => s.checks[label])),
      unit: "ms",
    })),
  ];
  if (totalCpu > 0) {
    figures.push(
      { label: "CPU, all processes (user + system)", value: totalCpu, unit: "ms" },
      ...kinds.map((kind) => ({
        label: `  CPU ${kind} (${countOf(kind)} process${countOf(kind) === 1 ? "" : "es"})`,
        value: cpuOf(kind),
        unit: "ms",
      })),
      { label: `lower bound on ${cores} cores: max(CLI CPU, all CPU / ${cores})`, value: bound, unit: "ms" },
    );
  }
  figures.push({
    label: "load average (1 min) at the start",
    value: median(samples.map((s) => s.load)),
    unit: "",
  });
  return {
    figures,
    ratios: totalCpu > 0 ? [{ label: "wall time / CPU lower bound", value: wall / bound }] : [],
    checks: [
      {
        label: `under ${TARGET_MS / 1000} s`,
        pass: wall < TARGET_MS,
        detail: `${(wall / 1000).toFixed(1)} s`,
      },
      ...(totalCpu > 0
        ? [
            {
              label: `CPU lower bound under ${TARGET_MS / 1000} s (reachable on an idle machine)`,
              pass: bound < TARGET_MS,
              detail: `${(bound / 1000).toFixed(1)} s`,
            },
          ]
        : []),
    ],
  };
}
