import {
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  ListRuleNamesByTargetCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  TestEventPatternCommand,
} from "@aws-sdk/client-eventbridge";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../../src/runtime/emulator/index.js";
import { awsCli, awsCliAvailable, awsCliJson } from "../../helpers/aws-cli.js";
import { testAuthorization } from "../../helpers/raw-aws.js";

const ACCOUNT = "000000000000";
const LAMBDA_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:scraper-news`;
const DLQ_ARN = `arn:aws:sqs:us-east-1:${ACCOUNT}:celebrity-scraper-dlq`;

const clientFor = (emulator: Emulator) =>
  new EventBridgeClient({
    endpoint: emulator.url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });

async function failure(
  promise: Promise<unknown>,
): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error("expected the call to fail");
}

describe("events: rules and targets API", () => {
  let emulator: Emulator;
  let events: EventBridgeClient;

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["events"] });
    events = clientFor(emulator);
  });
  afterAll(async () => {
    events.destroy();
    await emulator.stop();
  });

  it("PutRule/DescribeRule: a schedule rule created DISABLED", async () => {
    const put = await events.send(
      new PutRuleCommand({
        Name: "celebrity-weekly-scrape",
        ScheduleExpression: "cron(0 2 ? * SUN *)",
        State: "DISABLED",
        Description: "weekly",
      }),
    );
    expect(put.RuleArn).toBe(`arn:aws:events:us-east-1:${ACCOUNT}:rule/celebrity-weekly-scrape`);
    const rule = await events.send(new DescribeRuleCommand({ Name: "celebrity-weekly-scrape" }));
    expect(rule).toMatchObject({
      Name: "celebrity-weekly-scrape",
      Arn: put.RuleArn,
      ScheduleExpression: "cron(0 2 ? * SUN *)",
      State: "DISABLED",
      Description: "weekly",
      EventBusName: "default",
      CreatedBy: ACCOUNT,
    });
    expect(rule.EventPattern).toBeUndefined();
  });

  it("PutRule replaces the whole rule: omitted fields are gone and State defaults to ENABLED", async () => {
    await events.send(
      new PutRuleCommand({
        Name: "replace-me",
        ScheduleExpression: "rate(5 minutes)",
        State: "DISABLED",
        Description: "x",
      }),
    );
    await events.send(new PutRuleCommand({ Name: "replace-me", ScheduleExpression: "rate(1 hour)" }));
    const rule = await events.send(new DescribeRuleCommand({ Name: "replace-me" }));
    expect(rule.State).toBe("ENABLED");
    expect(rule.Description).toBeUndefined();
    expect(rule.ScheduleExpression).toBe("rate(1 hour)");
  });

  it("EnableRule/DisableRule flip the state and keep the rest", async () => {
    await events.send(new EnableRuleCommand({ Name: "celebrity-weekly-scrape" }));
    expect((await events.send(new DescribeRuleCommand({ Name: "celebrity-weekly-scrape" }))).State).toBe(
      "ENABLED",
    );
    await events.send(new DisableRuleCommand({ Name: "celebrity-weekly-scrape" }));
    const rule = await events.send(new DescribeRuleCommand({ Name: "celebrity-weekly-scrape" }));
    expect(rule.State).toBe("DISABLED");
    expect(rule.Description).toBe("weekly");
  });

  it("ListRules: NamePrefix and pagination", async () => {
    for (const name of ["list-b", "list-a", "list-c"]) {
      await events.send(new PutRuleCommand({ Name: name, EventPattern: JSON.stringify({ source: ["x"] }) }));
    }
    const first = await events.send(new ListRulesCommand({ NamePrefix: "list-", Limit: 2 }));
    expect(first.Rules?.map((r) => r.Name)).toEqual(["list-a", "list-b"]);
    expect(first.NextToken).toBeDefined();
    const second = await events.send(
      new ListRulesCommand({ NamePrefix: "list-", Limit: 2, NextToken: first.NextToken }),
    );
    expect(second.Rules?.map((r) => r.Name)).toEqual(["list-c"]);
    expect(second.NextToken).toBeUndefined();
    expect(first.Rules?.[0]).toMatchObject({
      EventPattern: '{"source":["x"]}',
      State: "ENABLED",
      EventBusName: "default",
    });
  });

  it("PutRule: refuses bad expressions, patterns and names with AWS's errors", async () => {
    const schedule = await failure(
      events.send(new PutRuleCommand({ Name: "bad", ScheduleExpression: "rate(5 minute)" })),
    );
    expect(schedule.name).toBe("ValidationException");
    expect(schedule.message).toMatch(
      /^Parameter ScheduleExpression is not valid\. Reason: .*rate\(5 minutes\)/,
    );
    const cron = await failure(
      events.send(new PutRuleCommand({ Name: "bad", ScheduleExpression: "cron(0 2 * * SUN *)" })),
    );
    expect(cron.message).toMatch(/exactly one of day-of-month and day-of-week/);
    const pattern = await failure(
      events.send(new PutRuleCommand({ Name: "bad", EventPattern: '{"source": "x"}' })),
    );
    expect(pattern.name).toBe("InvalidEventPatternException");
    expect(pattern.message).toBe(
      'Event pattern is not valid. Reason: "source" must be an object or an array',
    );
    const neither = await failure(events.send(new PutRuleCommand({ Name: "bad" })));
    expect(neither.message).toMatch(/EventPattern or ScheduleExpression must be specified/);
    const name = await failure(
      events.send(new PutRuleCommand({ Name: "has space", ScheduleExpression: "rate(1 day)" })),
    );
    expect(name.name).toBe("ValidationException");
    const bus = await failure(
      events.send(
        new PutRuleCommand({ Name: "elsewhere", ScheduleExpression: "rate(1 day)", EventBusName: "custom" }),
      ),
    );
    expect(bus.name).toBe("ResourceNotFoundException");
  });

  it("DescribeRule of a missing rule: ResourceNotFoundException naming the bus", async () => {
    const missing = await failure(events.send(new DescribeRuleCommand({ Name: "nope" })));
    expect(missing).toMatchObject({
      name: "ResourceNotFoundException",
      message: "Rule nope does not exist on EventBus default.",
      status: 400,
    });
  });

  it("PutTargets/ListTargetsByRule/RemoveTargets with retry policy and DLQ", async () => {
    const put = await events.send(
      new PutTargetsCommand({
        Rule: "celebrity-weekly-scrape",
        Targets: [
          {
            Id: "scraper-news",
            Arn: LAMBDA_ARN,
            RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 300 },
            DeadLetterConfig: { Arn: DLQ_ARN },
          },
          { Id: "constant", Arn: LAMBDA_ARN, Input: '{"manual":true}' },
        ],
      }),
    );
    expect(put).toMatchObject({ FailedEntryCount: 0, FailedEntries: [] });
    const listed = await events.send(new ListTargetsByRuleCommand({ Rule: "celebrity-weekly-scrape" }));
    expect(listed.Targets).toEqual([
      {
        Id: "scraper-news",
        Arn: LAMBDA_ARN,
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 300 },
        DeadLetterConfig: { Arn: DLQ_ARN },
      },
      { Id: "constant", Arn: LAMBDA_ARN, Input: '{"manual":true}' },
    ]);
    const names = await events.send(new ListRuleNamesByTargetCommand({ TargetArn: LAMBDA_ARN }));
    expect(names.RuleNames).toEqual(["celebrity-weekly-scrape"]);

    const refused = await failure(events.send(new DeleteRuleCommand({ Name: "celebrity-weekly-scrape" })));
    expect(refused).toMatchObject({
      name: "ValidationException",
      message: "Rule can't be deleted since it has targets.",
    });

    const removed = await events.send(
      new RemoveTargetsCommand({ Rule: "celebrity-weekly-scrape", Ids: ["scraper-news", "constant"] }),
    );
    expect(removed.FailedEntryCount).toBe(0);
    await events.send(new DeleteRuleCommand({ Name: "celebrity-weekly-scrape" }));
    expect(
      (await failure(events.send(new DescribeRuleCommand({ Name: "celebrity-weekly-scrape" })))).name,
    ).toBe("ResourceNotFoundException");
  });

  it("PutTargets: validation errors and the five-targets limit", async () => {
    await events.send(new PutRuleCommand({ Name: "targets-limits", ScheduleExpression: "rate(1 day)" }));
    const retry = await failure(
      events.send(
        new PutTargetsCommand({
          Rule: "targets-limits",
          Targets: [{ Id: "t", Arn: LAMBDA_ARN, RetryPolicy: { MaximumRetryAttempts: 186 } }],
        }),
      ),
    );
    expect(retry.name).toBe("ValidationException");
    expect(retry.message).toMatch(
      /Value '186' at 'targets\.1\.member\.retryPolicy\.maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 185$/,
    );
    const age = await failure(
      events.send(
        new PutTargetsCommand({
          Rule: "targets-limits",
          Targets: [{ Id: "t", Arn: LAMBDA_ARN, RetryPolicy: { MaximumEventAgeInSeconds: 59 } }],
        }),
      ),
    );
    expect(age.message).toMatch(
      /at 'targets\.1\.member\.retryPolicy\.maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 60$/,
    );
    const both = await failure(
      events.send(
        new PutTargetsCommand({
          Rule: "targets-limits",
          Targets: [{ Id: "t", Arn: LAMBDA_ARN, Input: "{}", InputPath: "$.detail" }],
        }),
      ),
    );
    expect(both.message).toMatch(/Only one of Input, InputPath, or InputTransformer/);
    const fifo = await failure(
      events.send(
        new PutTargetsCommand({
          Rule: "targets-limits",
          Targets: [{ Id: "t", Arn: LAMBDA_ARN, DeadLetterConfig: { Arn: `${DLQ_ARN}.fifo` } }],
        }),
      ),
    );
    expect(fifo.message).toMatch(/standard SQS queue/);
    const five = Array.from({ length: 5 }, (_, i) => ({ Id: `t${i}`, Arn: LAMBDA_ARN }));
    await events.send(new PutTargetsCommand({ Rule: "targets-limits", Targets: five }));
    const sixth = await failure(
      events.send(
        new PutTargetsCommand({ Rule: "targets-limits", Targets: [{ Id: "t5", Arn: LAMBDA_ARN }] }),
      ),
    );
    expect(sixth.name).toBe("LimitExceededException");
    const missingRule = await failure(
      events.send(new PutTargetsCommand({ Rule: "no-such-rule", Targets: [{ Id: "t", Arn: LAMBDA_ARN }] })),
    );
    expect(missingRule.name).toBe("ResourceNotFoundException");
  });

  it("PutEvents: an aws.* source is refused per entry with HTTP 200", async () => {
    const out = await events.send(
      new PutEventsCommand({
        Entries: [
          { Source: "celebrity.pipeline", DetailType: "ManualScrapeRequested", Detail: "{}" },
          { Source: "aws.events", DetailType: "Scheduled Event", Detail: "{}" },
          { Source: "celebrity.pipeline", DetailType: "X", Detail: "[1,2]" },
          { Source: "celebrity.pipeline", DetailType: "X", Detail: "{not json" },
        ],
      }),
    );
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.FailedEntryCount).toBe(3);
    expect(out.Entries?.[0]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.Entries?.[1]).toEqual({
      ErrorCode: "NotAuthorizedForSourceException",
      ErrorMessage: "Not authorized for the source.",
    });
    expect(out.Entries?.[2]).toEqual({ ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." });
    expect(out.Entries?.[3]).toEqual({ ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." });
  });

  it("PutEvents: entries without Source/DetailType/Detail fail in their own result entry, even all of them", async () => {
    const mixed = await events.send(
      new PutEventsCommand({
        Entries: [
          { Source: "a.b", DetailType: "X", Detail: "{}" },
          { Source: "a.b", Detail: "{}" },
        ],
      }),
    );
    expect(mixed.FailedEntryCount).toBe(1);
    expect(mixed.Entries?.[1]?.ErrorCode).toBe("InvalidArgument");
    const all = await events.send(
      new PutEventsCommand({ Entries: [{ Source: "a.b" }, { DetailType: "X" }] }),
    );
    expect(all.FailedEntryCount).toBe(2);
    expect(all.Entries).toEqual([
      {
        ErrorCode: "InvalidArgument",
        ErrorMessage: "Parameter DetailType is not valid. Reason: DetailType is a required argument.",
      },
      {
        ErrorCode: "InvalidArgument",
        ErrorMessage: "Parameter Source is not valid. Reason: Source is a required argument.",
      },
    ]);
    const tooMany = await failure(
      events.send(
        new PutEventsCommand({
          Entries: Array.from({ length: 11 }, () => ({ Source: "a.b", DetailType: "X", Detail: "{}" })),
        }),
      ),
    );
    expect(tooMany.name).toBe("ValidationException");
  });

  it("TestEventPattern: matches, mismatches and bad input", async () => {
    const event = JSON.stringify({
      id: "1",
      account: ACCOUNT,
      source: "celebrity.pipeline",
      time: "2026-01-01T00:00:00Z",
      region: "us-east-1",
      resources: [],
      "detail-type": "ManualScrapeRequested",
      detail: { sources: ["tmdb", "news"] },
    });
    const yes = await events.send(
      new TestEventPatternCommand({
        EventPattern: JSON.stringify({ detail: { sources: ["news"] } }),
        Event: event,
      }),
    );
    expect(yes.Result).toBe(true);
    const no = await events.send(
      new TestEventPatternCommand({
        EventPattern: JSON.stringify({ source: [{ prefix: "aws." }] }),
        Event: event,
      }),
    );
    expect(no.Result).toBe(false);
    const bad = await failure(events.send(new TestEventPatternCommand({ EventPattern: "[]", Event: event })));
    expect(bad.name).toBe("InvalidEventPatternException");
    const incomplete = await failure(
      events.send(new TestEventPatternCommand({ EventPattern: "{}", Event: "{}" })),
    );
    expect(incomplete.message).toMatch(/Parameter Event is not valid/);
  });

  it("DescribeEventBus: the default bus; others do not exist", async () => {
    const bus = await events.send(new DescribeEventBusCommand({}));
    expect(bus).toMatchObject({
      Name: "default",
      Arn: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default`,
    });
    expect((await failure(events.send(new DescribeEventBusCommand({ Name: "orders" })))).name).toBe(
      "ResourceNotFoundException",
    );
  });

  it("an unknown operation gets AWS's error, not a crash", async () => {
    const response = await fetch(emulator.url, {
      method: "POST",
      headers: {
        authorization: testAuthorization(),
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "AWSEvents.CreateSomething",
      },
      body: "{}",
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { __type: string }).__type).toMatch(/UnknownOperationException$/);
  });
});

describe("events: persistence", () => {
  it("rules and targets survive a restart with --persist", async () => {
    const dir = mkdtempSync(join(tmpdir(), "events-persist-"));
    try {
      const first = await createEmulator({ services: ["events"], persistDir: dir });
      const client = clientFor(first);
      await client.send(
        new PutRuleCommand({ Name: "kept", ScheduleExpression: "cron(0 2 ? * SUN *)", State: "DISABLED" }),
      );
      await client.send(
        new PutTargetsCommand({
          Rule: "kept",
          Targets: [{ Id: "t", Arn: LAMBDA_ARN, DeadLetterConfig: { Arn: DLQ_ARN } }],
        }),
      );
      await client.send(new EnableRuleCommand({ Name: "kept" }));
      client.destroy();
      await first.stop();

      const second = await createEmulator({ services: ["events"], persistDir: dir });
      const again = clientFor(second);
      expect((await again.send(new DescribeRuleCommand({ Name: "kept" }))).State).toBe("ENABLED");
      expect((await again.send(new ListTargetsByRuleCommand({ Rule: "kept" }))).Targets).toEqual([
        { Id: "t", Arn: LAMBDA_ARN, DeadLetterConfig: { Arn: DLQ_ARN } },
      ]);
      expect(second.health().details["events"]).toBe("1 rules, 1 schedules armed");
      again.destroy();
      await second.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!awsCliAvailable)("events: AWS CLI", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await createEmulator({ services: ["events"] });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it("put-rule, describe-rule, put-events and the error exit code", async () => {
    const put = await awsCliJson<{ RuleArn: string }>(emulator.url, [
      "events",
      "put-rule",
      "--name",
      "cli-rule",
      "--schedule-expression",
      "cron(0 2 ? * SUN *)",
      "--state",
      "DISABLED",
    ]);
    expect(put.RuleArn).toBe(`arn:aws:events:us-east-1:${ACCOUNT}:rule/cli-rule`);
    const rule = await awsCliJson<{ State: string }>(emulator.url, [
      "events",
      "describe-rule",
      "--name",
      "cli-rule",
    ]);
    expect(rule.State).toBe("DISABLED");
    const sent = await awsCliJson<{ FailedEntryCount: number; Entries: { ErrorCode?: string }[] }>(
      emulator.url,
      [
        "events",
        "put-events",
        "--entries",
        JSON.stringify([{ Source: "aws.events", DetailType: "Scheduled Event", Detail: "{}" }]),
      ],
    );
    expect(sent.FailedEntryCount).toBe(1);
    expect(sent.Entries[0]?.ErrorCode).toBe("NotAuthorizedForSourceException");
    const missing = await awsCli(emulator.url, ["events", "describe-rule", "--name", "missing"]);
    expect(missing.exitCode).not.toBe(0);
    expect(missing.stderr).toMatch(/ResourceNotFoundException/);
  });
});
