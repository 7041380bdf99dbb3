import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VerifyJson } from "../../src/commands/verify/verify.js";
import { startCliOnStack, until, type CliOnStack } from "../helpers/cli-on-stack.js";

/**
 * Issue 16, points 1 and 2: `verify` twice in a row, with the CLI as a process. 4C tears its -test
 * copy down, and SQS holds a deleted queue's name for 60 s, so the run right after waits the minute
 * out (saying so) instead of failing; Ctrl-C during that wait ends with 130, the --json result still
 * printed, and the copy torn down. (After --keep: verify-keep-interrupt.test.ts, run in parallel.)
 */

let on: CliOnStack;

beforeAll(async () => {
  on = await startCliOnStack("verify-rerun");
}, 120_000);
afterAll(async () => {
  await on?.stop();
});

describe("verify twice in a row", () => {
  it("phase-4c passes and tears its copy down", async () => {
    const first = await on.pipeline(["verify", "phase-4c", "--json"]);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(await on.resourcesWithSuffix("-test")).toEqual([]);
  }, 180_000);

  it("the run right after waits out SQS's minute with a progress line, then passes", async () => {
    const second = await on.pipeline(["verify", "phase-4c"]);
    expect(second.exitCode, second.stdout + second.stderr).toBe(0);
    expect(second.stdout).toMatch(
      /SQS holds the name celebrity-(scraper|stream)-dlq-test for 60 s after the queue's deletion \(QueueDeletedRecently\): waiting to create it again/,
    );
    expect(second.stdout).toMatch(/✔ verify phase-4c passed/);
    expect(second.stdout).not.toMatch(/fix the cause and run deploy again/);
    expect(await on.resourcesWithSuffix("-test")).toEqual([]);
  }, 240_000);

  it("SIGINT to verify --json while 4C deploys its copy: 130, the JSON result, nothing left", async () => {
    // Right after the previous teardown, SQS still holds the -test queue names: 4C's deploy waits.
    const child = on.pipeline(["verify", "phase-4c", "--json"]);
    await until("the -test copy's table", async () =>
      (await on.resourcesWithSuffix("-test")).includes("celebrity-database-test"),
    );
    child.kill("SIGINT");
    const result = await child;
    expect(result.exitCode, result.stderr).toBe(130);
    const report = JSON.parse(result.stdout) as VerifyJson;
    expect(report.ok).toBe(false);
    expect(report.interrupted).toEqual({ phase: "phase-4c", check: "deploy-test", left: [] });
    expect(report.phases[0]!.checks.map((check) => `${check.id}:${check.status}`)).toEqual([
      "deploy-test:skipped",
      "teardown:passed",
    ]);
    expect(result.stderr).toContain(
      'pipeline: verify phase-4c interrupted in phase-4c ("deploy-test"); it left nothing behind',
    );
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(await on.resourcesWithSuffix("-test")).toEqual([]);
  }, 240_000);
});
