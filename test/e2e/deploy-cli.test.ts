import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../src/runtime/emulator/index.js";
import type { DeployReport } from "../../src/commands/deploy/deploy.js";
import type { DestroyReport } from "../../src/commands/destroy/destroy.js";
import { bundleCli } from "../helpers/cli-bundle.js";

/**
 * `pipeline deploy` and `pipeline destroy` as processes: against an emulator the test runs
 * (--endpoint-url), and on target local with nothing listening (the CLI starts one for itself).
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

describe("pipeline deploy / destroy (CLI process)", () => {
  let cli: string;
  let emulator: Emulator;
  let persistDir: string;
  const baseEnv: Record<string, string> = {};

  beforeAll(async () => {
    cli = await bundleCli("deploy-cli");
    emulator = await createEmulator({ port: 0 });
    persistDir = mkdtempSync(join(tmpdir(), "pipeline-deploy-cli-"));
    // Only what Node needs: no AWS_* or PIPELINE_* from the developer's shell.
    for (const key of ["PATH", "HOME", "TMPDIR", "SYSTEMROOT"]) {
      const value = process.env[key];
      if (value !== undefined) baseEnv[key] = value;
    }
  }, 60_000);
  afterAll(async () => {
    await emulator?.stop();
    if (persistDir) rmSync(persistDir, { recursive: true, force: true });
  });

  const run = (args: string[], env: Record<string, string> = {}) =>
    execa(process.execPath, [cli, ...args], {
      cwd: ROOT,
      env: { ...baseEnv, ...env },
      extendEnv: false,
      reject: false,
      stdin: "ignore",
      timeout: 90_000,
    });
  const onEmulator = (args: string[]) => run([...args, "--endpoint-url", emulator.url]);

  it("deploy --dry-run --json with nothing listening starts an emulator for the command and changes nothing", async () => {
    const port = await freePort();
    const env = { PIPELINE_EMULATOR_PORT: String(port), PIPELINE_EMULATOR_PERSIST_DIR: persistDir };
    const result = await run(["deploy", "--dry-run", "--json"], env);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      `started the embedded emulator at http://127.0.0.1:${port} for this command only`,
    );
    expect(result.stderr).toContain("pipeline emulator start --detach");
    const report = JSON.parse(result.stdout) as DeployReport;
    expect(report).toMatchObject({ target: "local", dryRun: true, applied: false });
    expect(report.plan.resources.every((resource) => resource.action === "create")).toBe(true);
    expect(report.plan.summary.create).toBe(report.plan.resources.length);
    // No table yet: the run-time estimate is for the demo people the deploy would seed.
    expect(report.runPlan?.basis).toBe("demo");
    expect(report.runPlan?.plan.people).toBe(100);
    expect(report.runPlan?.plan.sources.map((source) => source.fitsInterval)).toEqual([
      true,
      true,
      true,
      true,
    ]);
  }, 120_000);

  it("deploy applies the plan, a second deploy changes nothing, destroy asks then removes the stack", async () => {
    const dry = await onEmulator(["deploy", "--dry-run"]);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/ACTION\s+KIND\s+NAME\s+CHANGES/);
    expect(dry.stdout).toMatch(/create\s+rule\s+celebrity-weekly-scrape/);
    expect(dry.stdout).toContain("note: created DISABLED");
    expect(dry.stdout).toContain("Dry run: nothing was changed.");
    expect(dry.stdout).toContain(
      "Run time per source for the demo roster deploy seeds (100 people; see pipeline roster plan):",
    );
    expect(dry.stdout).toMatch(
      /^ {2}news {7}100 people x 1 request\(s\) at 1000\/s, 4 shard\(s\) of 25 on 2 of 2 workers: about 1 s, fits$/m,
    );
    expect(dry.stdout).not.toContain("\u001b[");

    const first = await onEmulator(["deploy", "--json"]);
    expect(first.exitCode, first.stderr).toBe(0);
    const applied = JSON.parse(first.stdout) as DeployReport;
    expect(applied.applied).toBe(true);
    expect(applied.result?.ok).toBe(true);
    expect(applied.result?.resources.every((resource) => resource.outcome === "done")).toBe(true);

    const second = await onEmulator(["deploy"]);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.stdout).toContain("No changes: the target matches the stack.");
    // The first deploy seeded the demo roster: now the estimate is the table's.
    expect(second.stdout).toContain("Run time per source for the active roster (100 people;");
    expect(second.stdout).toMatch(/Plan: 0 to create, 0 to update, \d+ unchanged\./);

    const refused = await onEmulator(["destroy"]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/stdin is not a terminal; pass --yes/);

    const destroyed = await onEmulator(["destroy", "--yes", "--json"]);
    expect(destroyed.exitCode, destroyed.stderr).toBe(0);
    const report = JSON.parse(destroyed.stdout) as DestroyReport;
    expect(report.result.ok).toBe(true);
    const outcomes = new Map(report.result.resources.map((resource) => [resource.kind, resource.outcome]));
    expect(outcomes.get("table")).toBe("kept");
    expect(outcomes.get("function")).toBe("deleted");

    const everything = await onEmulator(["destroy", "--yes", "--include-table"]);
    expect(everything.exitCode, everything.stderr).toBe(0);
    expect(everything.stdout).toMatch(/deleted\s+table\s+celebrity-database/);
    expect(everything.stdout).toMatch(/Destroyed in [\d.]+ s: 2 deleted, \d+ already absent, 0 kept\./);
  }, 240_000);
});
