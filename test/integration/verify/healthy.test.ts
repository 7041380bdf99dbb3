/**
 * `pipeline verify` on a healthy deployed stack, run in-process through the CLI (runCli) the way a
 * user runs it: 4D refused without a record, `verify all --json --junit` passing every phase,
 * the plain task tree with measured values, and 4D passing once the record exists.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeRuleCommand, DisableRuleCommand } from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readPasses } from "../../../src/runtime/records/index.js";
import type { VerifyJson } from "../../../src/commands/verify/verify.js";
import { startDeployedStack, type DeployedStack } from "../../helpers/deployed-stack.js";
import { runVerifyCli } from "../../helpers/verify-cli.js";

let deployed: DeployedStack;
let cwd: string;

beforeAll(async () => {
  deployed = await startDeployedStack();
  cwd = mkdtempSync(join(tmpdir(), "verify-healthy-"));
  // Cold starts of four Lambda processes on a loaded 2-core CI runner can spread wider than the
  // seed's 1 s; the limit is configuration, and the check's arithmetic has its own unit test.
  writeFileSync(join(cwd, "pipeline.config.json"), JSON.stringify({ verify: { startSpreadMs: 5000 } }));
}, 120_000);

afterAll(async () => {
  await deployed?.stop();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

const verify = (args: string[]) => runVerifyCli(deployed, cwd, args);

async function ruleState(): Promise<string | undefined> {
  const eventbridge = await deployed.clients.eventbridge();
  return (await eventbridge.send(new DescribeRuleCommand({ Name: deployed.stack.rules.weekly.name }))).State;
}

describe("pipeline verify on a healthy stack", () => {
  it("phase-4d refuses without recent passes of 4A-4C and leaves the rule DISABLED", async () => {
    const run = await verify(["phase-4d", "--json"]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as VerifyJson;
    const prerequisites = report.phases[0]!.checks[0]!;
    expect(prerequisites).toMatchObject({
      id: "prerequisites",
      status: "failed",
      measured: "missing 4A, 4B, 4C",
    });
    expect(prerequisites.problems?.join("\n")).toContain("pipeline verify all");
    expect(report.phases[0]!.notRun.map((check) => check.id)).toContain("enable");
    expect(await ruleState()).toBe("DISABLED");
    expect(run.stderr).toContain('failed at phase-4d "Phases 4A-4C passed recently"');
  }, 30_000);

  it("verify all --json --junit passes every phase, records the passes and enables the schedule", async () => {
    const junit = join(cwd, "reports", "verify.xml");
    const run = await verify(["all", "--json", "--junit", "reports/verify.xml"]);
    const report = JSON.parse(run.stdout) as VerifyJson;
    const notPassed = report.phases.flatMap((phase) =>
      phase.checks.filter((check) => check.status !== "passed").map((check) => `${phase.phase}/${check.id}`),
    );
    // The confirmation is asked on aws only: on local it is skipped, with the reason, never "passed".
    expect(notPassed).toEqual(["phase-4d/confirm"]);
    expect(run.code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.phases.map((phase) => phase.phase)).toEqual([
      "phase-4a",
      "phase-4b",
      "phase-4c",
      "phase-4d",
    ]);
    const measured = Object.fromEntries(
      report.phases.flatMap((phase) =>
        phase.checks.map((check) => [`${phase.phase}/${check.id}`, check.measured]),
      ),
    );
    expect(measured["phase-4a/targets"]).toBe("4 targets on weekly, 4 targets on manual");
    expect(measured["phase-4a/spread"]).toMatch(/^START spread \d+(\.\d)? m?s \(limit 5\.0 s\)$/);
    expect(measured["phase-4b/enriched"]).toBe("400/400 entries with weight and sentiment");
    expect(measured["phase-4b/canary"]).toMatch(/^post-processor [\d.]+ m?s, index-sync [\d.]+ m?s$/);
    expect(measured["phase-4c/quality"]).toMatch(
      /weight min [\d.]+ max [\d.]+ avg [\d.]+; .*positive \d+; 0 incomplete/,
    );
    expect(measured["phase-4c/reconcile"]).toBe("written 400 · post-processed 400 · indexed 400");
    expect(measured["phase-4c/teardown"]).toMatch(/resource\(s\) deleted/);
    expect(measured["phase-4d/enable"]).toBe(`${deployed.stack.rules.weekly.name}: ENABLED`);
    expect(await ruleState()).toBe("ENABLED");

    // The -test copy is gone again.
    const ddb = await deployed.clients.dynamodb();
    const { TableNames } = await ddb.send(
      new (await import("@aws-sdk/client-dynamodb")).ListTablesCommand({}),
    );
    expect(TableNames).toEqual([deployed.stack.table.name]);

    const passes = readPasses(join(cwd, ".pipeline"));
    expect(passes.map((pass) => `${pass.phase}${pass.suffix}`).sort()).toEqual([
      "phase-4a",
      "phase-4b",
      "phase-4c-test",
      "phase-4d",
    ]);
    expect(existsSync(junit)).toBe(true);
    const xml = readFileSync(junit, "utf8");
    expect(xml).toContain('<testsuite name="4A EventBridge"');
    expect(xml).toMatch(/<testsuites name="pipeline verify \(local\)" tests="\d+" failures="0"/);
    expect(xml).not.toContain("<failure");
  }, 240_000);

  it("phase-4a in plain mode prints the task tree with the measured value beside each check", async () => {
    const run = await verify(["phase-4a"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("4A EventBridge");
    expect(run.stdout).toMatch(
      /Weekly rule: expression and state: cron\(0 2 \? \* SUN \*\), (ENABLED|DISABLED)/,
    );
    expect(run.stdout).toMatch(/START lines of the four scrapers lie close together: START spread/);
    expect(run.stdout).toMatch(/✔ verify phase-4a passed: 1 phase\(s\), 6 checks/);
  }, 60_000);

  it("phase-4d passes with the record, and --force enables a disabled rule without one", async () => {
    const eventbridge = await deployed.clients.eventbridge();
    await eventbridge.send(new DisableRuleCommand({ Name: deployed.stack.rules.weekly.name }));
    const run = await verify(["phase-4d", "--json"]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as VerifyJson;
    expect(report.phases[0]!.checks.map((check) => `${check.id}:${check.status}`)).toEqual([
      "prerequisites:passed",
      "confirm:skipped",
      "enable:passed",
      "alarm:passed",
      "next-fires:passed",
    ]);
    expect(report.phases[0]!.checks[4]!.measured).toMatch(/^\d{4}-\d\d-\d\dT02:00:00\.000Z, /);
    expect(await ruleState()).toBe("ENABLED");

    rmSync(join(cwd, ".pipeline"), { recursive: true, force: true });
    await eventbridge.send(new DisableRuleCommand({ Name: deployed.stack.rules.weekly.name }));
    const forced = await verify(["phase-4d", "--force", "--json"]);
    expect(forced.code).toBe(0);
    expect((JSON.parse(forced.stdout) as VerifyJson).phases[0]!.checks[0]!.measured).toBe(
      "missing 4A, 4B, 4C, overridden by --force",
    );
    expect(await ruleState()).toBe("ENABLED");
  }, 30_000);
});
