import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeRuleCommand } from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import {
  defineStack,
  SCRAPER_FUNCTION_KEYS,
  sourceOfFunctionKey,
} from "../../../src/pipeline/stack/index.js";
import { recordPass, type VerifyPhase } from "../../../src/runtime/records/index.js";
import {
  disableSchedule,
  EnablementRefusedError,
  enableSchedule,
  RuleNotDeployedError,
  scheduleStatus,
  triggerSchedule,
} from "../../../src/runtime/schedule/index.js";
import { startDeployedStack, type DeployedStack } from "../../helpers/deployed-stack.js";
import { readLogGroup, waitFor } from "../../helpers/schedule-stack.js";
import { testStackParams } from "../../helpers/stack-params.js";

/** Waits until each scraper wrote its run record for `runId` and logged a START line. */
async function waitForRun(ctx: DeployedStack, runId: string): Promise<Record<string, unknown>[]> {
  const dynamodb = await ctx.clients.dynamodb();
  return waitFor(
    async () => {
      const found = await Promise.all(
        SCRAPER_FUNCTION_KEYS.map(async (key) => {
          const source = sourceOfFunctionKey(key)!;
          const { Item } = await dynamodb.send(
            new GetItemCommand({
              TableName: ctx.stack.table.name,
              Key: { pk: { S: `RUN#${runId}` }, sk: { S: `SOURCE#${source}` } },
            }),
          );
          const lines = await readLogGroup(ctx.clients, ctx.stack.logGroups[key].name);
          return Item && lines.some((line) => line.startsWith("START RequestId:"))
            ? unmarshall(Item)
            : undefined;
        }),
      );
      return found.every((item) => item !== undefined) ? (found as Record<string, unknown>[]) : undefined;
    },
    `the four scrapers' run records for ${runId}`,
    45_000,
  );
}

describe("schedule engine against a deployed stack", () => {
  let ctx: DeployedStack;
  let stateDir: string;
  const at = () => ({ target: "local", account: ctx.stack.params.account, region: ctx.stack.params.region });
  const ruleState = async () =>
    (
      await (
        await ctx.clients.eventbridge()
      ).send(new DescribeRuleCommand({ Name: ctx.stack.rules.weekly.name }))
    ).State;

  beforeAll(async () => {
    ctx = await startDeployedStack({ rosterSize: 2, skipOpenSearch: true });
    stateDir = mkdtempSync(join(tmpdir(), "schedule-record-"));
  }, 120_000);
  afterAll(async () => {
    await ctx?.stop();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it("status shows the rule, its targets with retry policy and DLQ, and the next five Sundays 02:00 UTC", async () => {
    const status = await scheduleStatus({
      stack: ctx.stack,
      clients: ctx.clients,
      now: new Date("2026-11-23T11:00:00Z"),
    });
    expect(status.schedule).toMatchObject({
      name: "celebrity-weekly-scrape",
      state: "DISABLED",
      scheduleExpression: "cron(0 2 ? * SUN *)",
    });
    expect(status.schedule.targets.map((target) => target.functionName).sort()).toStrictEqual(
      [...SCRAPER_FUNCTION_KEYS].sort(),
    );
    for (const target of status.schedule.targets) {
      expect(target.retryPolicy).toStrictEqual({ maximumRetryAttempts: 3, maximumEventAgeInSeconds: 300 });
      expect(target.deadLetterArn).toBe(ctx.stack.queues.scraperDlq.arn);
    }
    expect(status.manual).toMatchObject({ name: "celebrity-manual-scrape", state: "ENABLED" });
    expect(status.nextFireTimes).toStrictEqual([
      "2026-11-29T02:00:00.000Z",
      "2026-12-06T02:00:00.000Z",
      "2026-12-13T02:00:00.000Z",
      "2026-12-20T02:00:00.000Z",
      "2026-12-27T02:00:00.000Z",
    ]);
    expect(status.drift).toStrictEqual([]);
  });

  it("status on a stack that was never deployed names the missing rule and the fix", async () => {
    const absent = defineStack(testStackParams({ suffix: "-absent", account: ctx.stack.params.account }));
    const status = scheduleStatus({ stack: absent, clients: ctx.clients, now: new Date() });
    await expect(status).rejects.toBeInstanceOf(RuleNotDeployedError);
    await expect(status).rejects.toThrow(/celebrity-weekly-scrape-absent does not exist.*pipeline deploy/);
  });

  it("trigger sends the manual rule's event, and EventBridge delivers it to all four scrapers", async () => {
    const result = await triggerSchedule({
      stack: ctx.stack,
      clients: ctx.clients,
      time: new Date("2026-11-22T02:00:00Z"),
      direct: false,
    });
    expect(result).toMatchObject({
      mode: "rule",
      rule: "celebrity-manual-scrape",
      time: "2026-11-22T02:00:00Z",
    });
    if (result.mode !== "rule") throw new Error("expected a rule trigger");
    expect(result.targets.sort()).toStrictEqual([...SCRAPER_FUNCTION_KEYS].sort());
    const runs = await waitForRun(ctx, result.eventId);
    expect(runs.map((run) => run["source"]).sort()).toStrictEqual(["news", "social", "tmdb", "wikipedia"]);
  });

  it("trigger --direct invokes the weekly rule's targets with the exact scheduled event", async () => {
    const result = await triggerSchedule({
      stack: ctx.stack,
      clients: ctx.clients,
      time: new Date("2026-11-29T02:00:00Z"),
      direct: true,
    });
    if (result.mode !== "direct") throw new Error("expected a direct trigger");
    expect(result.invocations.map((invocation) => [invocation.statusCode, invocation.error])).toStrictEqual(
      SCRAPER_FUNCTION_KEYS.map(() => [202, undefined]),
    );
    // The scrapers take a Scheduled Event's id as the run id: their run records prove they ran on it.
    expect(result.event).toMatchObject({
      source: "aws.events",
      "detail-type": "Scheduled Event",
      time: "2026-11-29T02:00:00Z",
      resources: [ctx.stack.rules.weekly.arn],
    });
    const runs = await waitForRun(ctx, result.event.id);
    expect(runs).toHaveLength(4);
  });

  it("enable is refused without a recorded pass, and the rule stays DISABLED", async () => {
    const enabling = enableSchedule({
      stack: ctx.stack,
      clients: ctx.clients,
      stateDir,
      now: new Date(),
      force: false,
      confirm: () => Promise.reject(new Error("must not ask")),
    });
    await expect(enabling).rejects.toBeInstanceOf(EnablementRefusedError);
    await expect(enabling).rejects.toThrow(/phase 4A, 4B, 4C.*pipeline verify all.*--force/);
    expect(await ruleState()).toBe("DISABLED");
  });

  it("enable --force enables with EnableRule despite the missing passes; disable turns it off", async () => {
    const enabled = await enableSchedule({
      stack: ctx.stack,
      clients: ctx.clients,
      stateDir,
      now: new Date("2026-11-23T11:00:00Z"),
      force: true,
      confirm: () => Promise.reject(new Error("must not ask on local")),
    });
    expect(enabled).toMatchObject({ before: "DISABLED", after: "ENABLED", changed: true, forced: true });
    expect(enabled.nextFireTimes[0]).toBe("2026-11-29T02:00:00.000Z");
    expect(await ruleState()).toBe("ENABLED");
    // The rule is otherwise untouched (EnableRule, not PutRule): same expression and targets.
    const status = await scheduleStatus({ stack: ctx.stack, clients: ctx.clients, now: new Date() });
    expect(status.drift).toStrictEqual([]);

    const disabled = await disableSchedule({ stack: ctx.stack, clients: ctx.clients });
    expect(disabled).toMatchObject({ before: "ENABLED", after: "DISABLED", changed: true });
    expect(await ruleState()).toBe("DISABLED");
  });

  it("on aws, enable asks first naming account and region; a no changes nothing", async () => {
    for (const phase of ["phase-4a", "phase-4b", "phase-4c"] as VerifyPhase[]) {
      recordPass(stateDir, { ...at(), target: "aws", phase, suffix: "", passedAt: new Date().toISOString() });
    }
    const questions: string[] = [];
    const result = await enableSchedule({
      stack: ctx.stack,
      clients: { ...ctx.clients, target: "aws" },
      stateDir,
      now: new Date(),
      force: false,
      confirm: (question) => {
        questions.push(question);
        return Promise.resolve(false);
      },
    });
    expect(questions).toHaveLength(1);
    expect(questions[0]).toContain(`account ${ctx.stack.params.account}, region ${ctx.stack.params.region}`);
    expect(result).toMatchObject({ declined: true, changed: false, after: "DISABLED" });
    expect(await ruleState()).toBe("DISABLED");
  });

  it("enable passes the gate with recent passes of 4A-4C for this target and account", async () => {
    for (const phase of ["phase-4a", "phase-4b", "phase-4c"] as VerifyPhase[]) {
      recordPass(stateDir, { ...at(), phase, suffix: "", passedAt: new Date().toISOString() });
    }
    const result = await enableSchedule({
      stack: ctx.stack,
      clients: ctx.clients,
      stateDir,
      now: new Date(),
      force: false,
      confirm: () => Promise.reject(new Error("must not ask on local")),
    });
    expect(result).toMatchObject({ after: "ENABLED", changed: true, forced: false });
    expect(result.gate?.ok).toBe(true);
    await disableSchedule({ stack: ctx.stack, clients: ctx.clients });
    expect(await ruleState()).toBe("DISABLED");
  });
});
