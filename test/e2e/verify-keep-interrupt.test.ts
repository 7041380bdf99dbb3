import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeployReport } from "../../src/commands/deploy/deploy.js";
import type { VerifyJson } from "../../src/commands/verify/verify.js";
import { startCliOnStack, until, type CliOnStack } from "../helpers/cli-on-stack.js";

/**
 * Issue 16, points 1 and 2, with the CLI as a process: verify after `--keep` replaces the kept copy;
 * Ctrl-C (SIGINT) to verify and to deploy ends with 130, says what it left, and what it says is
 * what the emulator holds. (Twice in a row: verify-rerun.test.ts.)
 */

let on: CliOnStack;

beforeAll(async () => {
  on = await startCliOnStack("verify-keep");
}, 120_000);
afterAll(async () => {
  await on?.stop();
});

describe("verify after --keep", () => {
  it("phase-4c --keep leaves the -test copy and names the command that removes it", async () => {
    const kept = await on.pipeline(["verify", "phase-4c", "--keep", "--json"]);
    expect(kept.exitCode, kept.stderr).toBe(0);
    const teardown = (JSON.parse(kept.stdout) as VerifyJson).phases[0]!.checks.find(
      (check) => check.id === "teardown",
    );
    expect(teardown?.status).toBe("skipped");
    expect(teardown?.reason).toContain(
      "the next verify replaces it, or remove it with: PIPELINE_SUFFIX=-test pipeline destroy --include-table --yes",
    );
    expect(await on.resourcesWithSuffix("-test")).toContain("celebrity-database-test");
  }, 180_000);

  it("the next verify replaces the kept copy (waiting out SQS's minute for its queues) and passes", async () => {
    const again = await on.pipeline(["verify", "phase-4c", "--json"]);
    expect(again.exitCode, again.stderr).toBe(0);
    const report = JSON.parse(again.stdout) as VerifyJson;
    expect(report.ok).toBe(true);
    expect(report.phases[0]!.checks[0]!.measured).toMatch(
      /^celebrity-database-test: \d+ create, roster of 100 copied, in /,
    );
    expect(await on.resourcesWithSuffix("-test")).toEqual([]);
  }, 240_000);
});

describe("Ctrl-C (SIGINT) ends with 130 and leaves nothing it does not name", () => {
  it("verify (plain) interrupted while 4A waits for its scrapers: the summary says so, no success mark", async () => {
    const child = on.pipeline(["verify", "phase-4a"]);
    let seen = "";
    child.stdout?.on("data", (chunk: Buffer) => (seen += chunk.toString()));
    await until("4A's manual trigger", () =>
      seen.includes("❯ A manual trigger through EventBridge reaches all four scrapers"),
    );
    child.kill("SIGINT");
    const result = await child;
    expect(result.exitCode, result.stderr).toBe(130);
    expect(result.stdout).toMatch(/■ verify phase-4a interrupted \(Ctrl-C\) in 4A EventBridge/);
    expect(result.stdout).toContain("left behind: nothing");
    expect(result.stdout).not.toContain("✔ 4A EventBridge");
    expect(result.stderr).toMatch(
      /verify phase-4a interrupted in phase-4a \("trigger"\); it left nothing behind/,
    );
  }, 120_000);

  it("deploy interrupted while bundling changes nothing; while applying, it names what it made", async () => {
    const suffix = "-sigint";
    const env = { PIPELINE_SUFFIX: suffix };
    const early = on.pipeline(["deploy", "--json"], env);
    let earlyErr = "";
    early.stderr?.on("data", (chunk: Buffer) => (earlyErr += chunk.toString()));
    await until("the bundling note", () => earlyErr.includes("bundling"));
    early.kill("SIGINT");
    const bundling = await early;
    expect(bundling.exitCode, bundling.stderr).toBe(130);
    expect(bundling.stderr).toContain(
      "deploy interrupted while bundling and reading the target; nothing was changed",
    );
    expect(JSON.parse(bundling.stdout)).toMatchObject({ applied: false, interrupted: true });
    expect(await on.resourcesWithSuffix(suffix)).toEqual([]);

    const late = on.pipeline(["deploy", "--json"], env);
    let lateErr = "";
    late.stderr?.on("data", (chunk: Buffer) => (lateErr += chunk.toString()));
    await until("the first resource done", () => /^done /m.test(lateErr));
    late.kill("SIGINT");
    const applying = await late;
    expect(applying.exitCode, applying.stderr).toBe(130);
    expect(applying.stderr).toMatch(
      /deploy interrupted: \d+ resource\(s\) created or updated, \d+ not attempted; what was done is kept: run deploy again to complete the stack, or destroy to remove it/,
    );
    const report = JSON.parse(applying.stdout) as DeployReport;
    expect(report.interrupted).toBe(true);
    const outcomes = report.result!.resources;
    expect(outcomes.some((resource) => resource.outcome === "done")).toBe(true);
    expect(outcomes.some((resource) => resource.outcome === "blocked")).toBe(true);
    // What the report says was made is what exists (tables, functions, rules and roles by name).
    const existing = await on.resourcesWithSuffix(suffix);
    for (const resource of outcomes.filter((r) => ["table", "function", "rule", "role"].includes(r.kind))) {
      expect(existing.includes(resource.name), resource.name).toBe(resource.outcome === "done");
    }

    const removed = await on.pipeline(["destroy", "--include-table", "--yes"], env);
    expect(removed.exitCode, removed.stderr).toBe(0);
    expect(await on.resourcesWithSuffix(suffix)).toEqual([]);
  }, 180_000);
});
