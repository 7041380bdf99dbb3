import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  ListEventBusesCommand,
  ListRulesCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  UpdateEventBusCommand,
} from "@aws-sdk/client-eventbridge";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../../src/runtime/emulator/index.js";
import { awsCli, awsCliAvailable, awsCliJson } from "../../helpers/aws-cli.js";

/**
 * Custom event buses as the EventBridge API reference describes them (CreateEventBus,
 * DescribeEventBus, ListEventBuses, UpdateEventBus, DeleteEventBus), rules and PutEvents on them,
 * and PutEvents reporting each bad entry in its own result entry.
 */
const ACCOUNT = "000000000000";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const busArn = (name: string) => `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/${name}`;

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

describe("events: custom event buses", () => {
  let emulator: Emulator;
  let events: EventBridgeClient;
  let sqs: SQSClient;

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["events", "sqs"] });
    const config = { endpoint: emulator.url, region: "us-east-1", credentials, maxAttempts: 1 };
    events = new EventBridgeClient(config);
    sqs = new SQSClient(config);
  });
  afterAll(async () => {
    events.destroy();
    sqs.destroy();
    await emulator.stop();
  });

  async function queue(name: string): Promise<{ url: string; arn: string }> {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
    return { url: QueueUrl!, arn: out.Attributes!["QueueArn"]! };
  }

  /** One long-poll receive: the bodies that arrived within `seconds`. */
  async function bodies(url: string, seconds = 2): Promise<unknown[]> {
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: seconds }),
    );
    return (out.Messages ?? []).map((m) => JSON.parse(m.Body!) as unknown);
  }

  it("CreateEventBus: bad names, default, duplicates and partner sources are refused", async () => {
    const pattern = await failure(events.send(new CreateEventBusCommand({ Name: "has space" })));
    expect(pattern).toMatchObject({ name: "ValidationException", status: 400 });
    expect(pattern.message).toMatch(
      /^1 validation error detected: Value 'has space' at 'name' failed to satisfy constraint/,
    );
    const tooLong = await failure(events.send(new CreateEventBusCommand({ Name: "b".repeat(257) })));
    expect(tooLong.name).toBe("ValidationException");
    const defaultBus = await failure(events.send(new CreateEventBusCommand({ Name: "default" })));
    expect(defaultBus).toMatchObject({
      name: "ResourceAlreadyExistsException",
      message: "Event bus default already exists.",
    });
    await events.send(new CreateEventBusCommand({ Name: "orders" }));
    const duplicate = await failure(events.send(new CreateEventBusCommand({ Name: "orders" })));
    expect(duplicate).toMatchObject({
      name: "ResourceAlreadyExistsException",
      message: "Event bus orders already exists.",
    });
    const partner = await failure(
      events.send(
        new CreateEventBusCommand({
          Name: "aws.partner/acme.com/1/x",
          EventSourceName: "aws.partner/acme.com/1/x",
        }),
      ),
    );
    expect(partner.name).toBe("ResourceNotFoundException");
  });

  it("DescribeEventBus: a missing bus is ResourceNotFoundException; by name or ARN otherwise", async () => {
    const missing = await failure(events.send(new DescribeEventBusCommand({ Name: "nope" })));
    expect(missing).toMatchObject({
      name: "ResourceNotFoundException",
      message: "Event bus nope does not exist.",
      status: 400,
    });
    const created = await events.send(
      new CreateEventBusCommand({ Name: "audit", Description: "audit trail", DeadLetterConfig: {} }),
    );
    expect(created.EventBusArn).toBe(busArn("audit"));
    expect(created.Description).toBe("audit trail");
    for (const Name of ["audit", busArn("audit")]) {
      const bus = await events.send(new DescribeEventBusCommand({ Name }));
      expect(bus).toMatchObject({ Name: "audit", Arn: busArn("audit"), Description: "audit trail" });
      expect(bus.CreationTime).toBeInstanceOf(Date);
      expect(bus.LastModifiedTime).toBeInstanceOf(Date);
    }
    const updated = await events.send(new UpdateEventBusCommand({ Name: "audit", Description: "audit v2" }));
    expect(updated).toMatchObject({ Name: "audit", Arn: busArn("audit"), Description: "audit v2" });
    expect((await events.send(new DescribeEventBusCommand({ Name: "audit" }))).Description).toBe("audit v2");
  });

  it("ListEventBuses: the default bus and custom ones, by prefix, in pages", async () => {
    for (const name of ["list-a", "list-b", "list-c"])
      await events.send(new CreateEventBusCommand({ Name: name }));
    const all = await events.send(new ListEventBusesCommand({}));
    expect(all.EventBuses?.map((b) => b.Name)).toEqual(
      expect.arrayContaining(["default", "list-a", "orders"]),
    );
    const first = await events.send(new ListEventBusesCommand({ NamePrefix: "list-", Limit: 2 }));
    expect(first.EventBuses?.map((b) => b.Name)).toEqual(["list-a", "list-b"]);
    expect(first.NextToken).toBeDefined();
    const second = await events.send(
      new ListEventBusesCommand({ NamePrefix: "list-", Limit: 2, NextToken: first.NextToken }),
    );
    expect(second.EventBuses?.map((b) => b.Name)).toEqual(["list-c"]);
    expect(second.NextToken).toBeUndefined();
    const bad = await failure(events.send(new ListEventBusesCommand({ Limit: 101 })));
    expect(bad.name).toBe("ValidationException");
  });

  it("rules on a custom bus: ARNs carry the bus, lookups are per bus, a missing bus is ResourceNotFound", async () => {
    const put = await events.send(
      new PutRuleCommand({ Name: "big-orders", EventBusName: "orders", EventPattern: '{"source":["shop"]}' }),
    );
    expect(put.RuleArn).toBe(`arn:aws:events:us-east-1:${ACCOUNT}:rule/orders/big-orders`);
    const byArn = await events.send(
      new DescribeRuleCommand({ Name: "big-orders", EventBusName: busArn("orders") }),
    );
    expect(byArn).toMatchObject({ Name: "big-orders", EventBusName: "orders", Arn: put.RuleArn });
    const wrongBus = await failure(events.send(new DescribeRuleCommand({ Name: "big-orders" })));
    expect(wrongBus).toMatchObject({
      name: "ResourceNotFoundException",
      message: "Rule big-orders does not exist on EventBus default.",
    });
    const ghost = await failure(
      events.send(new PutRuleCommand({ Name: "r", EventBusName: "ghost", EventPattern: '{"source":["x"]}' })),
    );
    expect(ghost).toMatchObject({
      name: "ResourceNotFoundException",
      message: "Event bus ghost does not exist.",
    });
    const schedule = await failure(
      events.send(
        new PutRuleCommand({ Name: "tick", EventBusName: "orders", ScheduleExpression: "rate(5 minutes)" }),
      ),
    );
    expect(schedule.name).toBe("ValidationException");
    const listed = await events.send(new ListRulesCommand({ EventBusName: "orders" }));
    expect(listed.Rules?.map((r) => r.Name)).toEqual(["big-orders"]);
    expect((await events.send(new ListRulesCommand({ NamePrefix: "big-" }))).Rules).toEqual([]);
  });

  it("DeleteEventBus: not default, not while it has rules; a missing bus deletes quietly", async () => {
    const defaultBus = await failure(events.send(new DeleteEventBusCommand({ Name: "default" })));
    expect(defaultBus).toMatchObject({
      name: "ValidationException",
      message: "Cannot delete event bus default.",
    });
    await events.send(new CreateEventBusCommand({ Name: "short-lived" }));
    await events.send(
      new PutRuleCommand({ Name: "only", EventBusName: "short-lived", EventPattern: '{"source":["x"]}' }),
    );
    const withRules = await failure(events.send(new DeleteEventBusCommand({ Name: "short-lived" })));
    expect(withRules).toMatchObject({
      name: "ValidationException",
      message: "EventBus can't be deleted since it has rules.",
    });
    await events.send(new DeleteRuleCommand({ Name: "only", EventBusName: "short-lived" }));
    await events.send(new DeleteEventBusCommand({ Name: "short-lived" }));
    expect((await failure(events.send(new DescribeEventBusCommand({ Name: "short-lived" })))).name).toBe(
      "ResourceNotFoundException",
    );
    await events.send(new DeleteEventBusCommand({ Name: "never-existed" }));
  });

  it("PutEvents on a custom bus reaches that bus's rules only", async () => {
    const onBus = await queue("orders-target");
    const onDefault = await queue("default-target");
    await events.send(
      new PutTargetsCommand({
        Rule: "big-orders",
        EventBusName: "orders",
        Targets: [{ Id: "q", Arn: onBus.arn }],
      }),
    );
    await events.send(new PutRuleCommand({ Name: "shop-on-default", EventPattern: '{"source":["shop"]}' }));
    await events.send(
      new PutTargetsCommand({ Rule: "shop-on-default", Targets: [{ Id: "q", Arn: onDefault.arn }] }),
    );
    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          { Source: "shop", DetailType: "OrderPlaced", Detail: '{"n":1}', EventBusName: "orders" },
          { Source: "shop", DetailType: "OrderPlaced", Detail: '{"n":2}', EventBusName: busArn("orders") },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);
    const received = [...(await bodies(onBus.url)), ...(await bodies(onBus.url, 1))] as {
      detail: { n: number };
    }[];
    expect(received.map((e) => e.detail.n).sort()).toEqual([1, 2]);
    expect(await bodies(onDefault.url, 1)).toEqual([]);
    await events.send(new RemoveTargetsCommand({ Rule: "shop-on-default", Ids: ["q"] }));
    await events.send(new DeleteRuleCommand({ Name: "shop-on-default" }));
  });

  it("PutEvents: each bad entry fails in its own result entry, the others go through", async () => {
    const target = await queue("mixed-target");
    await events.send(
      new PutRuleCommand({ Name: "mixed", EventBusName: "orders", EventPattern: '{"source":["mix"]}' }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: "mixed",
        EventBusName: "orders",
        Targets: [{ Id: "q", Arn: target.arn }],
      }),
    );
    const out = await events.send(
      new PutEventsCommand({
        Entries: [
          { Source: "mix", DetailType: "Ok", Detail: "{}", EventBusName: "orders" },
          { DetailType: "NoSource", Detail: "{}", EventBusName: "orders" },
          { Source: "mix", Detail: "{}", EventBusName: "orders" },
          { Source: "mix", DetailType: "NoDetail", EventBusName: "orders" },
          { Source: "mix", DetailType: "Bad", Detail: "[1]", EventBusName: "orders" },
          { Source: "aws.mix", DetailType: "Reserved", Detail: "{}", EventBusName: "orders" },
          { Source: "mix", DetailType: "NoSuchBus", Detail: "{}", EventBusName: "no-such-bus" },
        ],
      }),
    );
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.FailedEntryCount).toBe(5);
    expect(out.Entries?.[0]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.Entries?.slice(1, 6)).toEqual([
      {
        ErrorCode: "InvalidArgument",
        ErrorMessage: "Parameter Source is not valid. Reason: Source is a required argument.",
      },
      {
        ErrorCode: "InvalidArgument",
        ErrorMessage: "Parameter DetailType is not valid. Reason: DetailType is a required argument.",
      },
      {
        ErrorCode: "InvalidArgument",
        ErrorMessage: "Parameter Detail is not valid. Reason: Detail is a required argument.",
      },
      { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." },
      { ErrorCode: "NotAuthorizedForSourceException", ErrorMessage: "Not authorized for the source." },
    ]);
    // EventBridge accepts events for a bus that does not exist; nothing receives them.
    expect(out.Entries?.[6]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
    const received = (await bodies(target.url)) as { "detail-type": string }[];
    expect(received.map((e) => e["detail-type"])).toEqual(["Ok"]);

    const malformedBus = await failure(
      events.send(
        new PutEventsCommand({
          Entries: [{ Source: "mix", DetailType: "X", Detail: "{}", EventBusName: "bad bus!" }],
        }),
      ),
    );
    expect(malformedBus.name).toBe("ValidationException");
    expect(malformedBus.message).toMatch(/at 'entries\.1\.member\.eventBusName'/);
  });

  it("PutEvents: a Detail nested past the 1000 levels PutEvents processes fails its entry as MalformedDetail", async () => {
    // The PutEvents reference: "PutEvents will only process nested JSON up to 1000 levels deep".
    const target = await queue("deep-target");
    await events.send(new PutRuleCommand({ Name: "deep", EventPattern: '{"source":["deep"]}' }));
    await events.send(new PutTargetsCommand({ Rule: "deep", Targets: [{ Id: "q", Arn: target.arn }] }));
    const nested = (levels: number) => '{"a":'.repeat(levels) + "1" + "}".repeat(levels);
    // Brackets inside strings are text, not levels.
    const bracketsInAString = JSON.stringify({ text: "{[".repeat(5000) });
    const out = await events.send(
      new PutEventsCommand({
        Entries: [
          { Source: "deep", DetailType: "1000", Detail: nested(1000) },
          { Source: "deep", DetailType: "1001", Detail: nested(1001) },
          { Source: "deep", DetailType: "100000", Detail: nested(100_000) },
          { Source: "deep", DetailType: "text", Detail: bracketsInAString },
        ],
      }),
    );
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.FailedEntryCount).toBe(2);
    expect(out.Entries?.[0]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.Entries?.slice(1, 3)).toEqual([
      { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." },
      { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." },
    ]);
    expect(out.Entries?.[3]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
    const received: { "detail-type": string }[] = [];
    for (let polls = 0; received.length < 2 && polls < 5; polls++) {
      received.push(...((await bodies(target.url)) as { "detail-type": string }[]));
    }
    expect(received.map((e) => e["detail-type"]).sort()).toEqual(["1000", "text"]);
    await events.send(new RemoveTargetsCommand({ Rule: "deep", Ids: ["q"] }));
    await events.send(new DeleteRuleCommand({ Name: "deep" }));
  });
});

describe.skipIf(!awsCliAvailable)("events: custom buses through the AWS CLI", () => {
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["events"] });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it("create-event-bus, describe, put-rule on it, put-events per-entry errors, delete refusals", async () => {
    const created = await awsCliJson<{ EventBusArn: string }>(emulator.url, [
      "events",
      "create-event-bus",
      "--name",
      "cli-bus",
    ]);
    expect(created.EventBusArn).toBe(busArn("cli-bus"));
    const described = await awsCliJson<{ Name: string; Arn: string }>(emulator.url, [
      "events",
      "describe-event-bus",
      "--name",
      "cli-bus",
    ]);
    expect(described).toMatchObject({ Name: "cli-bus", Arn: busArn("cli-bus") });
    const rule = await awsCliJson<{ RuleArn: string }>(emulator.url, [
      "events",
      "put-rule",
      "--name",
      "cli-rule",
      "--event-bus-name",
      "cli-bus",
      "--event-pattern",
      '{"source":["cli"]}',
    ]);
    expect(rule.RuleArn).toBe(`arn:aws:events:us-east-1:${ACCOUNT}:rule/cli-bus/cli-rule`);
    const put = await awsCliJson<{ FailedEntryCount: number; Entries: { ErrorCode?: string }[] }>(
      emulator.url,
      [
        "events",
        "put-events",
        "--entries",
        JSON.stringify([
          { Source: "cli", DetailType: "X", Detail: "{}", EventBusName: "cli-bus" },
          { Source: "cli", DetailType: "X", Detail: "not json", EventBusName: "cli-bus" },
        ]),
      ],
    );
    expect(put.FailedEntryCount).toBe(1);
    expect(put.Entries[1]?.ErrorCode).toBe("MalformedDetail");
    const withRules = await awsCli(emulator.url, ["events", "delete-event-bus", "--name", "cli-bus"]);
    expect(withRules.exitCode).not.toBe(0);
    expect(withRules.stderr).toMatch(/ValidationException.*EventBus can't be deleted since it has rules\./);
    const missing = await awsCli(emulator.url, ["events", "describe-event-bus", "--name", "ghost"]);
    expect(missing.stderr).toMatch(/ResourceNotFoundException.*Event bus ghost does not exist\./);
  });
});
