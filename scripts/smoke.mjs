#!/usr/bin/env node
// CI smoke test (`npm run smoke`, run by .ci/run after `make test`): the built CLI end to end, the
// way an operator uses it on the default target.
//   1. pipeline emulator start --detach   (a fresh emulator on a free port, state in a temp folder)
//   2. pipeline deploy --yes
//   3. pipeline verify all --json --junit <file>   (4A-4D; the fixture source server is started by verify)
//   4. pipeline emulator stop             (always, also after a failure)
// Exit code: verify's (0 only when every phase passed), or the first failing step's.
// Options: --junit FILE (default junit-smoke.xml in the current folder), --keep-state (leave the
// temp folder for inspection). Needs `npm run build` first (bin/pipeline runs dist/).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// A skipped check is neither a pass nor a failure: it shows as skipped, with its reason.
const CHECK_MARK = { passed: "✔", skipped: "↓", failed: "✖" };
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "bin", "pipeline");
const args = process.argv.slice(2);
const junitIndex = args.indexOf("--junit");
const junit = resolve(junitIndex >= 0 && args[junitIndex + 1] ? args[junitIndex + 1] : "junit-smoke.xml");
const keepState = args.includes("--keep-state");

if (!existsSync(join(root, "dist", "commands", "main.js"))) {
  console.error("smoke: dist/commands/main.js is missing; run `npm run build` first (make smoke does)");
  process.exit(2);
}

/** A port nothing listens on right now (the OS picks it; released before the emulator binds it). */
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

const work = mkdtempSync(join(tmpdir(), "pipeline-smoke-"));
const hermetic = {
  PIPELINE_TARGET: "local",
  PIPELINE_EMULATOR_PORT: String(await freePort()),
  PIPELINE_FIXTURES_PORT: String(await freePort()),
  PIPELINE_EMULATOR_PERSIST_DIR: join(work, "emulator"),
};
const env = { ...process.env, ...hermetic, NO_COLOR: "1" };
// Hermetic: no config file in the temp folder, and no inherited settings that pick another target.
for (const name of Object.keys(env)) {
  if (name.startsWith("PIPELINE_") && !(name in hermetic)) delete env[name];
}
for (const name of ["AWS_ENDPOINT_URL", "AWS_PROFILE"]) delete env[name];

function step(title, argv, options = {}) {
  const started = Date.now();
  process.stderr.write(`smoke: ${title}: pipeline ${argv.join(" ")}\n`);
  const result = spawnSync(bin, argv, {
    cwd: work,
    env,
    stdio: ["ignore", options.captureStdout ? "pipe" : "inherit", "inherit"],
    encoding: "utf8",
    timeout: options.timeoutMs ?? 300_000,
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const code = result.status ?? 1;
  process.stderr.write(`smoke: ${title}: exit ${code} in ${seconds} s\n`);
  return { code, stdout: result.stdout ?? "" };
}

let exitCode = 0;
const started = Date.now();
try {
  const emulator = step("start the emulator", ["emulator", "start", "--detach"], { timeoutMs: 60_000 });
  if (emulator.code !== 0) {
    exitCode = emulator.code;
  } else {
    const deploy = step("deploy the stack", ["deploy", "--yes"]);
    if (deploy.code !== 0) exitCode = deploy.code;
    else {
      const verify = step("verify all", ["verify", "all", "--json", "--junit", junit], {
        captureStdout: true,
      });
      exitCode = verify.code;
      try {
        const report = JSON.parse(verify.stdout);
        for (const phase of report.phases) {
          const checks = phase.checks.map(
            (check) =>
              `${CHECK_MARK[check.status] ?? "✖"} ${check.id}: ${check.measured}` +
              (check.status === "passed" || !check.reason ? "" : ` (${check.reason})`),
          );
          process.stdout.write(
            `${phase.status === "passed" ? "✔" : "✖"} ${phase.title}\n  ${checks.join("\n  ")}\n`,
          );
        }
      } catch {
        process.stdout.write(verify.stdout);
      }
      process.stderr.write(`smoke: JUnit report: ${junit}\n`);
    }
  }
} finally {
  const stop = step("stop the emulator", ["emulator", "stop"], { timeoutMs: 60_000 });
  if (exitCode === 0 && stop.code !== 0) exitCode = stop.code;
  if (keepState) process.stderr.write(`smoke: state kept in ${work}\n`);
  else rmSync(work, { recursive: true, force: true });
}
const total = ((Date.now() - started) / 1000).toFixed(1);
process.stderr.write(`smoke: ${exitCode === 0 ? "passed" : `FAILED (exit ${exitCode})`} in ${total} s\n`);
process.exit(exitCode);
