import { describe, expect, it } from "vitest";
import { defineStack } from "../../../../src/pipeline/stack/index.js";
import {
  eventTime,
  functionNameOf,
  manualEventShape,
  ruleDrift,
  scheduledEvent,
  type RuleStatus,
} from "../../../../src/runtime/schedule/index.js";
import { testStackParams } from "../../../helpers/stack-params.js";

const stack = defineStack(testStackParams());

/** The weekly rule as a correct deploy leaves it. */
function deployedWeekly(): RuleStatus {
  const rule = stack.rules.weekly;
  return {
    key: "weekly",
    name: rule.name,
    arn: rule.arn,
    state: "DISABLED",
    scheduleExpression: rule.definition.ScheduleExpression,
    eventPattern: undefined,
    description: rule.definition.Description,
    targets: rule.targets.map((target) => ({
      id: target.Id,
      arn: target.Arn,
      functionName: functionNameOf(target.Arn),
      retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 300 },
      deadLetterArn: target.DeadLetterConfig?.Arn,
      input: undefined,
    })),
  };
}

describe("scheduledEvent", () => {
  it("is the payload EventBridge sends a schedule rule's targets, at the chosen instant", () => {
    const event = scheduledEvent({
      ruleArn: stack.rules.weekly.arn,
      account: "000000000000",
      region: "us-east-1",
      time: new Date("2026-11-29T02:00:00.750Z"),
      id: "fixed",
    });
    expect(event).toStrictEqual({
      version: "0",
      id: "fixed",
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account: "000000000000",
      time: "2026-11-29T02:00:00Z",
      region: "us-east-1",
      resources: ["arn:aws:events:us-east-1:000000000000:rule/celebrity-weekly-scrape"],
      detail: {},
    });
    expect(eventTime(new Date("2026-01-02T03:04:05.999Z"))).toBe("2026-01-02T03:04:05Z");
  });
});

describe("manualEventShape", () => {
  it("reads the source and detail-type from the manual rule's declared pattern", () => {
    expect(manualEventShape(stack.rules.manual)).toStrictEqual({
      source: "celebrity.pipeline",
      detailType: "ManualScrapeRequested",
    });
  });

  it("gives each stack a source of its own, so verify 4C's -test copy never starts the stack's scrapers", () => {
    // Both manual rules listen on the default bus: one source for both made 4C's event match the
    // stack's own rule too (a second full scrape, on AWS a production one).
    const copy = defineStack({ ...stack.params, suffix: `${stack.params.suffix}-test` });
    expect(manualEventShape(copy.rules.manual).source).toBe(`celebrity.pipeline${stack.params.suffix}-test`);
    const patternOf = (rule: typeof stack.rules.manual) =>
      JSON.parse(rule.definition.EventPattern!) as { source: string[] };
    expect(patternOf(stack.rules.manual).source).not.toContain(manualEventShape(copy.rules.manual).source);
    expect(patternOf(copy.rules.manual).source).not.toContain(manualEventShape(stack.rules.manual).source);
  });
});

describe("functionNameOf", () => {
  it("names the function of a Lambda ARN, qualified or not, and nothing else", () => {
    expect(functionNameOf("arn:aws:lambda:us-east-1:000000000000:function:scraper-news")).toBe(
      "scraper-news",
    );
    expect(functionNameOf("arn:aws:lambda:us-east-1:000000000000:function:scraper-news:live")).toBe(
      "scraper-news",
    );
    expect(functionNameOf("arn:aws:sqs:us-east-1:000000000000:celebrity-scraper-dlq")).toBeUndefined();
  });
});

describe("ruleDrift", () => {
  it("finds nothing on a rule deployed as declared", () => {
    expect(ruleDrift(stack.rules.weekly, deployedWeekly())).toStrictEqual([]);
  });

  it("names a changed expression, a missing target, a lost retry policy and DLQ, and an extra target", () => {
    const deployed = deployedWeekly();
    deployed.scheduleExpression = "rate(1 day)";
    deployed.targets.shift();
    deployed.targets[0]!.retryPolicy = undefined;
    deployed.targets[1]!.deadLetterArn = undefined;
    deployed.targets.push({ ...deployed.targets[2]!, id: "stray" });
    const drift = ruleDrift(stack.rules.weekly, deployed);
    expect(drift).toStrictEqual([
      "celebrity-weekly-scrape: schedule is rate(1 day), declared cron(0 2 ? * SUN *)",
      "celebrity-weekly-scrape: target scraper-tmdb is missing",
      "celebrity-weekly-scrape: target scraper-wikipedia retry policy is absent, declared 3 attempts / 300 s",
      "celebrity-weekly-scrape: target scraper-news dead-letter queue is absent, declared " +
        "arn:aws:sqs:us-east-1:000000000000:celebrity-scraper-dlq",
      "celebrity-weekly-scrape: target stray (arn:aws:lambda:us-east-1:000000000000:function:scraper-social) " +
        "is not declared",
    ]);
  });
});
