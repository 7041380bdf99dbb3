import {
  DisableRuleCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { IAMClient, CreateRoleCommand } from "@aws-sdk/client-iam";
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  GetFunctionCommand,
  LambdaClient,
} from "@aws-sdk/client-lambda";
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from "@aws-sdk/client-sqs";
import AdmZip from "adm-zip";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, ManualClock, type Emulator } from "../../../src/runtime/emulator/index.js";

const ACCOUNT = "000000000000";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const config = (emulator: Emulator) => ({ endpoint: emulator.url, region: "us-east-1", credentials });

async function createQueue(sqs: SQSClient, name: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
  );
  return { url: QueueUrl as string, arn: attributes.Attributes?.QueueArn as string };
}

/** Receives and deletes everything currently in the queue. */
async function drain(sqs: SQSClient, url: string): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ["All"] }),
    );
    const messages = out.Messages ?? [];
    if (messages.length === 0) return all;
    for (const m of messages)
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    all.push(...messages);
  }
}

/** Waits (real time) until `read` returns something truthy; fails after `timeoutMs`. */
async function waitFor<T>(
  read: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting for the condition");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("events delivery: PutEvents to SQS targets", () => {
  let emulator: Emulator;
  let events: EventBridgeClient;
  let sqs: SQSClient;
  let queue: { url: string; arn: string };

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["sqs", "events"] });
    events = new EventBridgeClient(config(emulator));
    sqs = new SQSClient(config(emulator));
    queue = await createQueue(sqs, "manual-trigger-target");
  });
  afterAll(async () => {
    events.destroy();
    sqs.destroy();
    await emulator.stop();
  });

  it("a matching event reaches the target as the full envelope; others do not", async () => {
    await events.send(
      new PutRuleCommand({
        Name: "celebrity-manual-scrape",
        EventPattern: JSON.stringify({
          source: ["celebrity.pipeline"],
          "detail-type": ["ManualScrapeRequested"],
        }),
      }),
    );
    await events.send(
      new PutTargetsCommand({ Rule: "celebrity-manual-scrape", Targets: [{ Id: "q", Arn: queue.arn }] }),
    );
    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: "celebrity.pipeline",
            DetailType: "ManualScrapeRequested",
            Detail: JSON.stringify({ requestedBy: "test" }),
            Resources: ["arn:aws:events:us-east-1:000000000000:rule/celebrity-weekly-scrape"],
            Time: new Date("2026-03-01T10:00:00Z"),
          },
          { Source: "celebrity.pipeline", DetailType: "SomethingElse", Detail: "{}" },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);
    const messages = await waitFor(async () => {
      const got = await drain(sqs, queue.url);
      return got.length > 0 ? got : undefined;
    });
    expect(messages).toHaveLength(1);
    expect(JSON.parse(messages[0]?.Body ?? "")).toEqual({
      version: "0",
      id: put.Entries?.[0]?.EventId,
      "detail-type": "ManualScrapeRequested",
      source: "celebrity.pipeline",
      account: ACCOUNT,
      time: "2026-03-01T10:00:00Z",
      region: "us-east-1",
      resources: ["arn:aws:events:us-east-1:000000000000:rule/celebrity-weekly-scrape"],
      detail: { requestedBy: "test" },
    });
  });

  it("InputPath, InputTransformer and constant Input shape what the target receives", async () => {
    const shaped = await createQueue(sqs, "shaped-target");
    await events.send(
      new PutRuleCommand({ Name: "shaping", EventPattern: JSON.stringify({ source: ["shape.test"] }) }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: "shaping",
        Targets: [
          { Id: "path", Arn: shaped.arn, InputPath: "$.detail" },
          {
            Id: "transformer",
            Arn: shaped.arn,
            InputTransformer: {
              InputPathsMap: { who: "$.detail.who", n: "$.detail.n" },
              InputTemplate: '{"greeting": "hello <who>", "count": <n>, "rule": "<aws.events.rule-name>"}',
            },
          },
          { Id: "constant", Arn: shaped.arn, Input: '{"fixed":true}' },
        ],
      }),
    );
    await events.send(
      new PutEventsCommand({
        Entries: [{ Source: "shape.test", DetailType: "T", Detail: JSON.stringify({ who: "ada", n: 3 }) }],
      }),
    );
    const bodies = await waitFor(async () => {
      const got = await drain(sqs, shaped.url);
      return got.length === 3 ? got.map((m) => JSON.parse(m.Body ?? "") as unknown) : undefined;
    });
    expect(bodies).toEqual(
      expect.arrayContaining([
        { who: "ada", n: 3 },
        { greeting: "hello ada", count: 3, rule: "shaping" },
        { fixed: true },
      ]),
    );
  });

  it("a disabled rule and a schedule-only rule never match PutEvents", async () => {
    const quiet = await createQueue(sqs, "quiet-target");
    await events.send(
      new PutRuleCommand({
        Name: "disabled-pattern",
        EventPattern: JSON.stringify({ source: ["quiet.test"] }),
      }),
    );
    await events.send(
      new PutTargetsCommand({ Rule: "disabled-pattern", Targets: [{ Id: "q", Arn: quiet.arn }] }),
    );
    await events.send(new DisableRuleCommand({ Name: "disabled-pattern" }));
    await events.send(new PutRuleCommand({ Name: "schedule-only", ScheduleExpression: "rate(1 day)" }));
    await events.send(
      new PutTargetsCommand({ Rule: "schedule-only", Targets: [{ Id: "q", Arn: quiet.arn }] }),
    );
    await events.send(
      new PutEventsCommand({
        Entries: [{ Source: "quiet.test", DetailType: "Scheduled Event", Detail: "{}" }],
      }),
    );
    // A positive control on the same path proves delivery ran before the queue is checked.
    await events.send(
      new PutRuleCommand({ Name: "control", EventPattern: JSON.stringify({ source: ["quiet.control"] }) }),
    );
    await events.send(new PutTargetsCommand({ Rule: "control", Targets: [{ Id: "q", Arn: quiet.arn }] }));
    await events.send(
      new PutEventsCommand({ Entries: [{ Source: "quiet.control", DetailType: "C", Detail: "{}" }] }),
    );
    const messages = await waitFor(async () => {
      const got = await drain(sqs, quiet.url);
      return got.length > 0 ? got : undefined;
    });
    expect(messages.map((m) => (JSON.parse(m.Body ?? "") as { source: string }).source)).toEqual([
      "quiet.control",
    ]);
  });
});

describe("events delivery: schedules on a manual clock", () => {
  let emulator: Emulator;
  let clock: ManualClock;
  let events: EventBridgeClient;
  let sqs: SQSClient;

  beforeAll(async () => {
    clock = new ManualClock(new Date("2026-11-23T09:00:00Z"));
    emulator = await createEmulator({ services: ["sqs", "events"], clock });
    events = new EventBridgeClient(config(emulator));
    sqs = new SQSClient(config(emulator));
  });
  afterAll(async () => {
    events.destroy();
    sqs.destroy();
    await emulator.stop();
  });

  it("cron(0 2 ? * SUN *) fires at 02:00 UTC each Sunday with the Scheduled Event envelope", async () => {
    const queue = await createQueue(sqs, "weekly-target");
    const { RuleArn } = await events.send(
      new PutRuleCommand({ Name: "celebrity-weekly-scrape", ScheduleExpression: "cron(0 2 ? * SUN *)" }),
    );
    await events.send(
      new PutTargetsCommand({ Rule: "celebrity-weekly-scrape", Targets: [{ Id: "q", Arn: queue.arn }] }),
    );

    await clock.set(new Date("2026-11-29T01:59:00Z"));
    expect(await drain(sqs, queue.url)).toEqual([]);
    await clock.set(new Date("2026-11-29T02:00:00Z"));
    const first = await waitFor(async () => {
      const got = await drain(sqs, queue.url);
      return got.length > 0 ? got : undefined;
    });
    expect(first).toHaveLength(1);
    const event = JSON.parse(first[0]?.Body ?? "") as Record<string, unknown>;
    expect(event).toEqual({
      version: "0",
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account: ACCOUNT,
      time: "2026-11-29T02:00:00Z",
      region: "us-east-1",
      resources: [RuleArn],
      detail: {},
    });

    await clock.set(new Date("2026-12-06T02:00:00Z"));
    const second = await waitFor(async () => {
      const got = await drain(sqs, queue.url);
      return got.length > 0 ? got : undefined;
    });
    expect((JSON.parse(second[0]?.Body ?? "") as { time: string }).time).toBe("2026-12-06T02:00:00Z");

    await events.send(new DisableRuleCommand({ Name: "celebrity-weekly-scrape" }));
    await clock.set(new Date("2026-12-20T03:00:00Z"));
    expect(await drain(sqs, queue.url)).toEqual([]);
  });
});

const HANDLER = `
import { appendFileSync } from "node:fs";
export const handler = async (event) => {
  appendFileSync(process.env.OUT_FILE, JSON.stringify(event) + "\\n");
  return { ok: true };
};
`;

function zipOf(source: string): Uint8Array {
  const zip = new AdmZip();
  zip.addFile("index.mjs", Buffer.from(source));
  return zip.toBuffer();
}

describe("events delivery: Lambda targets", () => {
  let emulator: Emulator;
  let events: EventBridgeClient;
  let sqs: SQSClient;
  let lambda: LambdaClient;
  let dir: string;
  let dlq: { url: string; arn: string };
  let roleArn: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "events-lambda-"));
    emulator = await createEmulator({ services: ["sts", "iam", "logs", "sqs", "lambda", "events"] });
    events = new EventBridgeClient(config(emulator));
    sqs = new SQSClient(config(emulator));
    lambda = new LambdaClient(config(emulator));
    const iam = new IAMClient(config(emulator));
    roleArn = (
      await iam.send(
        new CreateRoleCommand({
          RoleName: "events-test-role",
          AssumeRolePolicyDocument: JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
            ],
          }),
        }),
      )
    ).Role?.Arn as string;
    iam.destroy();
    dlq = await createQueue(sqs, "celebrity-scraper-dlq");
  });
  afterAll(async () => {
    events.destroy();
    sqs.destroy();
    lambda.destroy();
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const createFunction = async (name: string, outFile: string) => {
    const created = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: "nodejs22.x",
        Handler: "index.handler",
        Role: roleArn,
        Code: { ZipFile: zipOf(HANDLER) },
        Environment: { Variables: { OUT_FILE: outFile } },
      }),
    );
    await waitFor(
      async () =>
        (await lambda.send(new GetFunctionCommand({ FunctionName: name }))).Configuration?.State === "Active",
    );
    return created.FunctionArn as string;
  };

  it("with the resource policy in place, the function is invoked with the event", async () => {
    const out = join(dir, "granted.jsonl");
    const functionArn = await createFunction("granted-scraper", out);
    const { RuleArn } = await events.send(
      new PutRuleCommand({
        Name: "granted-rule",
        EventPattern: JSON.stringify({ source: ["granted.test"] }),
      }),
    );
    await lambda.send(
      new AddPermissionCommand({
        FunctionName: "granted-scraper",
        StatementId: "events",
        Action: "lambda:InvokeFunction",
        Principal: "events.amazonaws.com",
        SourceArn: RuleArn,
      }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: "granted-rule",
        Targets: [{ Id: "fn", Arn: functionArn, DeadLetterConfig: { Arn: dlq.arn } }],
      }),
    );
    await events.send(
      new PutEventsCommand({ Entries: [{ Source: "granted.test", DetailType: "T", Detail: '{"x":1}' }] }),
    );
    const line = await waitFor(
      () => (existsSync(out) ? readFileSync(out, "utf8").trim() : undefined),
      30_000,
    );
    expect(JSON.parse(line)).toMatchObject({ source: "granted.test", "detail-type": "T", detail: { x: 1 } });
  });

  it("without permission the event goes straight to the target DLQ with the attributes", async () => {
    const out = join(dir, "denied.jsonl");
    const functionArn = await createFunction("denied-scraper", out);
    const { RuleArn } = await events.send(
      new PutRuleCommand({ Name: "denied-rule", EventPattern: JSON.stringify({ source: ["denied.test"] }) }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: "denied-rule",
        Targets: [
          {
            Id: "fn",
            Arn: functionArn,
            RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 300 },
            DeadLetterConfig: { Arn: dlq.arn },
          },
        ],
      }),
    );
    const put = await events.send(
      new PutEventsCommand({ Entries: [{ Source: "denied.test", DetailType: "T", Detail: "{}" }] }),
    );
    const [message] = await waitFor(async () => {
      const got = await drain(sqs, dlq.url);
      return got.length > 0 ? got : undefined;
    });
    expect((JSON.parse(message?.Body ?? "") as { id: string }).id).toBe(put.Entries?.[0]?.EventId);
    const attributes = Object.fromEntries(
      Object.entries(message?.MessageAttributes ?? {}).map(([k, v]) => [k, `${v.DataType}:${v.StringValue}`]),
    );
    expect(attributes).toMatchObject({
      RULE_ARN: `String:${RuleArn}`,
      TARGET_ARN: `String:${functionArn}`,
      ERROR_CODE: "String:NO_PERMISSIONS",
      RETRY_ATTEMPTS: "String:0",
    });
    expect(attributes["ERROR_MESSAGE"]).toMatch(/events\.amazonaws\.com/);
    expect(attributes).not.toHaveProperty("EXHAUSTED_RETRY_CONDITION");
    expect(existsSync(out)).toBe(false);
  });

  it("a target function that does not exist is NO_RESOURCE", async () => {
    const missingArn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:never-created`;
    await events.send(
      new PutRuleCommand({
        Name: "missing-rule",
        EventPattern: JSON.stringify({ source: ["missing.test"] }),
      }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: "missing-rule",
        Targets: [{ Id: "fn", Arn: missingArn, DeadLetterConfig: { Arn: dlq.arn } }],
      }),
    );
    await events.send(
      new PutEventsCommand({ Entries: [{ Source: "missing.test", DetailType: "T", Detail: "{}" }] }),
    );
    const [message] = await waitFor(async () => {
      const got = await drain(sqs, dlq.url);
      return got.length > 0 ? got : undefined;
    });
    expect(message?.MessageAttributes?.["ERROR_CODE"]?.StringValue).toBe("NO_RESOURCE");
    expect(message?.MessageAttributes?.["TARGET_ARN"]?.StringValue).toBe(missingArn);
  });
});
