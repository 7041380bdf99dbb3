/**
 * The verify engine's pure parts: what counts as a matching target, permission and alarm, the
 * START spread gate, data quality arithmetic, log line summaries, the runner's gate semantics and
 * the JUnit rendering. The live checks run against a deployed stack in test/integration/verify.
 */
import { describe, expect, it } from "vitest";
import { defineStack } from "../../../../src/pipeline/stack/index.js";
import { logLineSummary } from "../../../../src/runtime/verify/diagnose.js";
import {
  PHASES,
  allowsRule,
  alarmProblems,
  createVerifyEnv,
  dataQuality,
  runPhase,
  targetProblems,
  toJUnit,
  withinTolerance,
  type PhaseDefinition,
  type VerifyEnv,
  type VerifyReport,
} from "../../../../src/runtime/verify/index.js";
import { testStackParams } from "../../../helpers/stack-params.js";

const stack = defineStack(testStackParams());

function envWith(verify: Partial<VerifyEnv["config"]["verify"]> = {}): VerifyEnv {
  return createVerifyEnv({
    clients: {} as VerifyEnv["clients"],
    config: {
      target: "local",
      verify: {
        expectedCount: 400,
        tolerance: 0.05,
        incompleteMax: 10,
        startSpreadMs: 1000,
        deadlines: { scrapeSeconds: 1, postProcessingSeconds: 1, indexSyncSeconds: 1 },
        ...verify,
      },
    } as VerifyEnv["config"],
    stack,
    account: "000000000000",
    stateDir: "/nonexistent",
  });
}

describe("rule targets", () => {
  const declared = stack.rules.manual.targets.map((t) => ({ ...t }));

  it("accept the declared targets", () => {
    expect(targetProblems(stack, "manual", declared)).toEqual([]);
  });

  it("name a missing target, a changed retry policy, a DLQ and a RoleArn on a Lambda target", () => {
    const [first, second, third, ...rest] = declared;
    const problems = targetProblems(stack, "manual", [
      { ...second!, RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 } },
      {
        ...third!,
        DeadLetterConfig: undefined,
        RoleArn: "arn:aws:iam::000000000000:role/eventbridge-lambda-role",
      },
      ...rest,
    ]);
    expect(problems).toContain(`${stack.rules.manual.name} → ${first!.Id}: target missing`);
    expect(
      problems.some((p) => p.startsWith(`${stack.rules.manual.name} → ${second!.Id}: retry policy`)),
    ).toBe(true);
    expect(problems).toContain(
      `${stack.rules.manual.name} → ${third!.Id}: DLQ none, declared ${third!.DeadLetterConfig!.Arn}`,
    );
    expect(problems.some((p) => p.includes("has RoleArn"))).toBe(true);
  });
});

describe("resource policy", () => {
  const ruleArn = stack.rules.weekly.arn;
  const policy = (statement: object) => JSON.stringify({ Version: "2012-10-17", Statement: [statement] });

  it("allows the rule when events.amazonaws.com may invoke for its ARN", () => {
    const statement = {
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: "lambda:InvokeFunction",
      Condition: { ArnLike: { "AWS:SourceArn": ruleArn } },
    };
    expect(allowsRule(policy(statement), ruleArn)).toBe(true);
    expect(
      allowsRule(policy({ ...statement, Condition: { ArnLike: { "AWS:SourceArn": "arn:other" } } }), ruleArn),
    ).toBe(false);
    expect(allowsRule(policy({ ...statement, Principal: { Service: "s3.amazonaws.com" } }), ruleArn)).toBe(
      false,
    );
    expect(allowsRule(undefined, ruleArn)).toBe(false);
  });
});

describe("failure alarm", () => {
  it("reads the settings of a metric-math alarm from Metrics[].MetricStat", () => {
    const definition = stack.alarm.definition;
    const alarm = { ...definition, Metrics: definition.Metrics?.map((m) => ({ ...m })) };
    expect(alarmProblems(stack, alarm)).toEqual([]);
    const changed = {
      ...alarm,
      Threshold: 5,
      Metrics: alarm.Metrics?.map((m) =>
        m.MetricStat ? { ...m, MetricStat: { ...m.MetricStat, Period: 60 } } : m,
      ),
    };
    const problems = alarmProblems(stack, changed);
    expect(problems).toContain("threshold 5, wanted 3");
    expect(problems.some((p) => p.startsWith("period 60 s on"))).toBe(true);
  });
});

describe("START spread gate", () => {
  const spread = PHASES["4a"].checks.find((check) => check.id === "spread")!;

  it("passes within the configured limit and fails beyond it, listing each start", async () => {
    const starts = new Map([
      ["scraper-tmdb", 1_000],
      ["scraper-news", 1_400],
    ]);
    const ok = await spread.run(envWith(), { starts }, () => {});
    expect(ok).toMatchObject({ status: "passed", measured: "START spread 400 ms (limit 1.0 s)" });
    starts.set("scraper-social", 2_250);
    const late = await spread.run(envWith(), { starts }, () => {});
    expect(late.status).toBe("failed");
    expect(late.measured).toBe("START spread 1.3 s (limit 1.0 s)");
    expect(late.problems).toContain("scraper-social started at 1970-01-01T00:00:02.250Z");
  });
});

describe("data quality and counts", () => {
  it("computes weight range, sentiment distribution and incomplete entries", () => {
    const q = dataQuality([
      { weight: 10, sentiment: "positive" },
      { weight: 30, sentiment: "negative" },
      { weight: 20, sentiment: "positive" },
      { sentiment: "neutral" },
    ]);
    expect(q).toEqual({
      weighted: 3,
      min: 10,
      max: 30,
      avg: 20,
      sentiments: { positive: 2, negative: 1, neutral: 1 },
      incomplete: 1,
    });
  });

  it("counts within the tolerance of the expected number", () => {
    expect(withinTolerance(380, 400, 0.05)).toBe(true);
    expect(withinTolerance(379, 400, 0.05)).toBe(false);
    expect(withinTolerance(400, 400, 0)).toBe(true);
  });
});

describe("log line summaries", () => {
  it("keep the message, key and error of a structured line and leave runtime lines alone", () => {
    const line = `2026-11-23T11:23:29.587Z\tf258d685\tERROR\t${JSON.stringify({
      level: "ERROR",
      message: "record failed",
      function_arn: "arn:aws:lambda:us-east-1:000000000000:function:post-processor",
      pk: "CELEB#007",
      sk: "SOURCE#news",
      error: "CELEB#007/SOURCE#news cannot be enriched: name is missing",
    })}`;
    expect(logLineSummary(line)).toBe(
      "record failed: CELEB#007/SOURCE#news: CELEB#007/SOURCE#news cannot be enriched: name is missing",
    );
    expect(logLineSummary("  Task timed out after 60.00 seconds ")).toBe(
      "Task timed out after 60.00 seconds",
    );
  });
});

describe("runner", () => {
  const definition: PhaseDefinition<{ ran: string[] }> = {
    phase: "phase-4a",
    title: "test phase",
    createState: () => ({ ran: [] }),
    checks: [
      {
        id: "one",
        title: "one",
        rule: "one is fine",
        run: async (_e, s) => (s.ran.push("one"), { status: "passed", measured: "1" }),
      },
      {
        id: "two",
        title: "two",
        rule: (env) => `two within ${env.config.verify.startSpreadMs} ms`,
        run: async () => {
          throw new Error("boom");
        },
        diagnose: async () => [{ subject: "thing", ok: false, found: "broken", fix: "pipeline deploy" }],
      },
      {
        id: "three",
        title: "three",
        rule: "three",
        run: async (_e, s) => (s.ran.push("three"), { status: "passed", measured: "3" }),
      },
      {
        id: "cleanup",
        title: "cleanup",
        rule: "cleaned",
        always: true,
        run: async () => ({ status: "skipped", measured: "skipped", reason: "nothing to clean" }),
      },
    ],
  };

  it("stops at the first failed gate, diagnoses it, still runs cleanup, and renders JUnit", async () => {
    const result = await runPhase(definition, envWith(), () => {});
    expect(result.status).toBe("failed");
    expect(result.checks.map((c) => `${c.id}:${c.status}`)).toEqual([
      "one:passed",
      "two:failed",
      "cleanup:skipped",
    ]);
    expect(result.checks[1]).toMatchObject({ reason: "boom", diagnosis: [{ subject: "thing", ok: false }] });
    expect(result.notRun).toEqual([{ id: "three", title: "three" }]);
    expect(result.checks[1]!.rule).toBe("two within 1000 ms");

    const report: VerifyReport = {
      target: "local",
      account: "000000000000",
      region: "us-east-1",
      ok: false,
      phases: [result],
      startedAt: result.startedAt,
      durationMs: result.durationMs,
    };
    const xml = toJUnit(report);
    expect(xml).toContain('tests="4" failures="1"');
    expect(xml).toContain(
      '<failure message="boom">rule: two within 1000 ms\nPROBLEM thing: broken (fix: pipeline deploy)</failure>',
    );
    expect(xml).toContain('<skipped message="nothing to clean"/>');
    expect(xml).toContain('<skipped message="not run: an earlier check of the phase failed"/>');
  });

  it("on Ctrl-C stops the phase but still runs its cleanup checks, and ends it interrupted", async () => {
    const controller = new AbortController();
    const ran: string[] = [];
    const interrupted: PhaseDefinition<unknown> = {
      phase: "phase-4c",
      title: "interrupted phase",
      createState: () => ({}),
      checks: [
        {
          id: "long-wait",
          title: "long wait",
          rule: "waits",
          run: async () => {
            controller.abort(new Error("interrupted"));
            throw new Error("interrupted");
          },
        },
        {
          id: "next",
          title: "next",
          rule: "",
          run: async () => (ran.push("next"), { status: "passed", measured: "" }),
        },
        {
          id: "teardown",
          title: "teardown",
          rule: "",
          always: true,
          run: async () => (ran.push("teardown"), { status: "passed", measured: "deleted" }),
        },
      ],
    };
    const env = { ...envWith(), signal: controller.signal };
    const result = await runPhase(interrupted, env, () => {});
    expect(ran).toEqual(["teardown"]);
    // Interrupted, not failed: the cut-short check is skipped with that reason, the cleanup ran.
    expect(result.status).toBe("interrupted");
    expect(result.interruptedAt).toBe("long-wait");
    expect(result.checks.map((check) => `${check.id}:${check.status}`)).toEqual([
      "long-wait:skipped",
      "teardown:passed",
    ]);
    expect(result.checks[0]!.reason).toBe("interrupted (Ctrl-C)");
    expect(result.notRun.map((check) => check.id)).toEqual(["next"]);
  });
});
