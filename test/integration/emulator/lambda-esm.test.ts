import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  GetFunctionCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
  type CreateEventSourceMappingCommandInput,
} from "@aws-sdk/client-lambda";
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from "@aws-sdk/client-sqs";
import AdmZip from "adm-zip";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../../src/runtime/emulator/index.js";
import { awsCliAvailable, awsCliJson } from "../../helpers/aws-cli.js";

/**
 * Event source mappings end to end: a real table with a stream, functions created from zips, and
 * mappings created through the Lambda API. Each handler appends the batch it got to a file (its
 * side effect); the item data decides what the handler does, so each test reads like its scenario:
 * `outcome: "throw"` fails the invocation, `outcome: "fail-item"` reports that record as failed.
 */

const credentials = { accessKeyId: "test", secretAccessKey: "test" };

const HANDLER = `
import { appendFileSync } from "node:fs";
const keyOf = (r) => r.dynamodb ? r.dynamodb.Keys.pk.S : r.body;
const outcomeOf = (r) => r.dynamodb ? r.dynamodb.NewImage?.outcome?.S : r.body;
export const handler = async (event) => {
  appendFileSync(process.env.OUT_FILE, JSON.stringify({ keys: event.Records.map(keyOf), records: event.Records }) + "\\n");
  if (event.Records.some((r) => outcomeOf(r) === "throw")) throw new Error("poison record");
  const failed = event.Records.filter((r) => outcomeOf(r) === "fail-item");
  return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.dynamodb ? r.dynamodb.SequenceNumber : r.messageId })) };
};
`;

interface Invocation {
  keys: string[];
  records: Record<string, unknown>[];
}

async function waitFor<T>(
  read: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting for the condition");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

class Stack {
  emulator!: Emulator;
  dynamodb!: DynamoDBClient;
  lambda!: LambdaClient;
  sqs!: SQSClient;
  dir!: string;
  roleArn!: string;
  private tables = 0;

  constructor(private readonly persistDir?: string) {}

  async start(dir = mkdtempSync(join(tmpdir(), "lambda-esm-"))): Promise<void> {
    this.dir = dir;
    this.emulator = await createEmulator({
      services: ["sts", "iam", "logs", "dynamodb", "dynamodbstreams", "sqs", "lambda"],
      ...(this.persistDir ? { persistDir: this.persistDir } : {}),
    });
    const config = { endpoint: this.emulator.url, region: "us-east-1", credentials };
    this.dynamodb = new DynamoDBClient(config);
    this.lambda = new LambdaClient(config);
    this.sqs = new SQSClient(config);
    if (this.roleArn) return;
    const iam = new IAMClient(config);
    const role = await iam.send(
      new CreateRoleCommand({
        RoleName: "esm-test-role",
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
          ],
        }),
      }),
    );
    this.roleArn = role.Role?.Arn as string;
    iam.destroy();
  }

  async stop(keepFiles = false): Promise<void> {
    this.dynamodb.destroy();
    this.lambda.destroy();
    this.sqs.destroy();
    await this.emulator.stop();
    if (!keepFiles) rmSync(this.dir, { recursive: true, force: true });
  }

  async table(): Promise<{ name: string; streamArn: string }> {
    const name = `esm-table-${++this.tables}`;
    await this.dynamodb.send(
      new CreateTableCommand({
        TableName: name,
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
        StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
      }),
    );
    const described = await waitFor(async () => {
      const table = (await this.dynamodb.send(new DescribeTableCommand({ TableName: name }))).Table;
      return table?.TableStatus === "ACTIVE" ? table : undefined;
    });
    return { name, streamArn: described.LatestStreamArn as string };
  }

  /** A queue whose messages come back 1 s after a failed receive (its consumers time out at 1 s). */
  async queue(name: string): Promise<{ url: string; arn: string }> {
    const { QueueUrl } = await this.sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: "1" } }),
    );
    const attributes = await this.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
    );
    return { url: QueueUrl as string, arn: attributes.Attributes?.QueueArn as string };
  }

  /** Reads what a function made with fn() has been invoked with so far. */
  invocations(name: string): Invocation[] {
    const out = join(this.dir, `${name}.jsonl`);
    return existsSync(out)
      ? readFileSync(out, "utf8")
          .trim()
          .split("\n")
          .filter(Boolean)
          .map((line) => JSON.parse(line) as Invocation)
      : [];
  }

  /** A function whose invocations are appended to a file this returns a reader for. */
  async fn(name: string, timeout = 10): Promise<{ arn: string; invocations: () => Invocation[] }> {
    const out = join(this.dir, `${name}.jsonl`);
    const zip = new AdmZip();
    zip.addFile("index.mjs", Buffer.from(HANDLER));
    const created = await this.lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: "nodejs22.x",
        Handler: "index.handler",
        Role: this.roleArn,
        Timeout: timeout,
        Code: { ZipFile: zip.toBuffer() },
        Environment: { Variables: { OUT_FILE: out } },
      }),
    );
    await waitFor(
      async () =>
        (await this.lambda.send(new GetFunctionCommand({ FunctionName: name }))).Configuration?.State ===
        "Active",
    );
    return {
      arn: created.FunctionArn as string,
      invocations: () =>
        existsSync(out)
          ? readFileSync(out, "utf8")
              .trim()
              .split("\n")
              .filter(Boolean)
              .map((line) => JSON.parse(line) as Invocation)
          : [],
    };
  }

  async mapping(input: CreateEventSourceMappingCommandInput): Promise<string> {
    const created = await this.lambda.send(new CreateEventSourceMappingCommand(input));
    const uuid = created.UUID as string;
    await waitFor(async () => {
      const state = (await this.lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State;
      return state === "Enabled" || state === "Disabled";
    });
    return uuid;
  }

  async put(table: string, pk: string, extra: Record<string, AttributeValue> = {}): Promise<void> {
    await this.dynamodb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: pk }, ...extra } }));
  }

  async drain(url: string): Promise<Message[]> {
    const all: Message[] = [];
    for (;;) {
      const out = await this.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
      if (!out.Messages?.length) return all;
      for (const m of out.Messages)
        await this.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
      all.push(...out.Messages);
    }
  }
}

const outcome = (value: string) => ({ outcome: { S: value } });

describe("lambda esm: DynamoDB streams", () => {
  const stack = new Stack();
  beforeAll(() => stack.start());
  afterAll(() => stack.stop());

  it("CreateEventSourceMapping: defaults, Creating then Enabled, listed by source and function", async () => {
    const { streamArn } = await stack.table();
    const fn = await stack.fn("defaults");
    const created = await stack.lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: "defaults",
        EventSourceArn: streamArn,
        StartingPosition: "LATEST",
      }),
    );
    expect(created).toMatchObject({
      UUID: expect.stringMatching(/^[0-9a-f-]{36}$/),
      EventSourceArn: streamArn,
      FunctionArn: fn.arn,
      StartingPosition: "LATEST",
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 0,
      ParallelizationFactor: 1,
      MaximumRetryAttempts: -1,
      MaximumRecordAgeInSeconds: -1,
      BisectBatchOnFunctionError: false,
      State: "Creating",
      StateTransitionReason: "USER_INITIATED",
      LastProcessingResult: "No records processed",
      EventSourceMappingArn: `arn:aws:lambda:us-east-1:000000000000:event-source-mapping:${created.UUID}`,
    });
    expect(created.LastModified).toBeInstanceOf(Date);
    await waitFor(
      async () =>
        (await stack.lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID }))).State ===
        "Enabled",
    );
    const bySource = await stack.lambda.send(
      new ListEventSourceMappingsCommand({ EventSourceArn: streamArn }),
    );
    expect(bySource.EventSourceMappings?.map((m) => m.UUID)).toEqual([created.UUID]);
    const byFunction = await stack.lambda.send(
      new ListEventSourceMappingsCommand({ FunctionName: "defaults" }),
    );
    expect(byFunction.EventSourceMappings?.map((m) => m.UUID)).toEqual([created.UUID]);

    const duplicate = await stack.lambda
      .send(
        new CreateEventSourceMappingCommand({
          FunctionName: "defaults",
          EventSourceArn: streamArn,
          StartingPosition: "LATEST",
        }),
      )
      .catch((error: unknown) => error as { name: string; $metadata: { httpStatusCode: number } });
    expect(duplicate).toMatchObject({
      name: "ResourceConflictException",
      $metadata: { httpStatusCode: 409 },
    });

    const deleted = await stack.lambda.send(new DeleteEventSourceMappingCommand({ UUID: created.UUID }));
    expect(deleted.State).toBe("Deleting");
    const gone = await waitFor(async () =>
      stack.lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID })).then(
        () => undefined,
        (error: { name: string }) => error,
      ),
    );
    expect(gone.name).toBe("ResourceNotFoundException");
  });

  it("refuses bad settings with Lambda's errors", async () => {
    const { streamArn } = await stack.table();
    await stack.fn("refusals");
    const refuse = (input: Partial<CreateEventSourceMappingCommandInput>) =>
      stack.lambda
        .send(
          new CreateEventSourceMappingCommand({
            FunctionName: "refusals",
            EventSourceArn: streamArn,
            ...input,
          }),
        )
        .then(
          () => {
            throw new Error("expected a refusal");
          },
          (error: { name: string; message: string }) => error,
        );
    expect((await refuse({})).message).toMatch(/StartingPosition is required/);
    expect((await refuse({ StartingPosition: "LATEST", BatchSize: 10_001 })).name).toBe(
      "ValidationException",
    );
    expect((await refuse({ StartingPosition: "LATEST", FunctionName: "missing" })).name).toBe(
      "ResourceNotFoundException",
    );
    const filter = await refuse({
      StartingPosition: "LATEST",
      FilterCriteria: { Filters: [{ Pattern: "{not json" }] },
    });
    expect(filter.name).toBe("InvalidParameterValueException");
    const missingStream = await refuse({ StartingPosition: "LATEST", EventSourceArn: `${streamArn}-nope` });
    expect(missingStream.name).toBe("InvalidParameterValueException");
  });

  it("delivers writes in order with the Lambda event shape (eventSourceARN)", async () => {
    const { name, streamArn } = await stack.table();
    const fn = await stack.fn("in-order");
    await stack.mapping({
      FunctionName: "in-order",
      EventSourceArn: streamArn,
      StartingPosition: "LATEST",
      BatchSize: 10,
    });
    for (const pk of ["a", "b", "c"]) await stack.put(name, pk, outcome("ok"));
    const invocations = await waitFor(() => {
      const all = fn.invocations();
      return all.flatMap((i) => i.keys).length === 3 ? all : undefined;
    });
    expect(invocations.flatMap((i) => i.keys)).toEqual(["a", "b", "c"]);
    const record = invocations[0]?.records[0] as Record<string, unknown> & {
      dynamodb: Record<string, unknown>;
    };
    expect(record).toMatchObject({
      eventName: "INSERT",
      eventSource: "aws:dynamodb",
      awsRegion: "us-east-1",
      eventSourceARN: streamArn,
      dynamodb: {
        Keys: { pk: { S: "a" } },
        NewImage: { pk: { S: "a" }, outcome: { S: "ok" } },
        StreamViewType: "NEW_AND_OLD_IMAGES",
      },
    });
    expect(typeof record.dynamodb["ApproximateCreationDateTime"]).toBe("number");
    expect(record.dynamodb["SequenceNumber"]).toMatch(/^\d+$/);
  });

  it("TRIM_HORIZON reads records written before the mapping; LATEST does not", async () => {
    const { name, streamArn } = await stack.table();
    await stack.put(name, "before", outcome("ok"));
    const horizon = await stack.fn("horizon");
    const latest = await stack.fn("latest");
    await stack.mapping({
      FunctionName: "horizon",
      EventSourceArn: streamArn,
      StartingPosition: "TRIM_HORIZON",
    });
    await stack.mapping({ FunctionName: "latest", EventSourceArn: streamArn, StartingPosition: "LATEST" });
    await stack.put(name, "after", outcome("ok"));
    // Two mappings on one stream: each gets every record it is entitled to.
    await waitFor(
      () => horizon.invocations().flatMap((i) => i.keys).length === 2 && latest.invocations().length > 0,
    );
    expect(horizon.invocations().flatMap((i) => i.keys)).toEqual(["before", "after"]);
    expect(latest.invocations().flatMap((i) => i.keys)).toEqual(["after"]);
  });

  it("partial batch failure: restarts at the failed record, records after it are reprocessed", async () => {
    const { name, streamArn } = await stack.table();
    const fn = await stack.fn("partial");
    await stack.mapping({
      FunctionName: "partial",
      EventSourceArn: streamArn,
      StartingPosition: "LATEST",
      BatchSize: 3,
      MaximumBatchingWindowInSeconds: 2,
      MaximumRetryAttempts: 1,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
    await stack.put(name, "p1", outcome("ok"));
    await stack.put(name, "p2", outcome("fail-item"));
    await stack.put(name, "p3", outcome("ok"));
    await waitFor(() => fn.invocations().length >= 2);
    // The first call fails p2: p1 is done and the retry starts at p2 (p3 is reprocessed). p2
    // fails again, the retry budget (1) is spent, and with no destination the batch is skipped.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(fn.invocations().map((i) => i.keys)).toEqual([
      ["p1", "p2", "p3"],
      ["p2", "p3"],
    ]);
  });

  it("bisects a failing batch, gives up on the poison record and sends the on-failure record", async () => {
    const { name, streamArn } = await stack.table();
    const fn = await stack.fn("bisect");
    const dlq = await stack.queue("index-sync-dlq");
    await stack.mapping({
      FunctionName: "bisect",
      EventSourceArn: streamArn,
      StartingPosition: "LATEST",
      BatchSize: 4,
      MaximumBatchingWindowInSeconds: 2,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: dlq.arn } },
    });
    for (const [pk, result] of [
      ["b1", "ok"],
      ["b2", "ok"],
      ["b3", "throw"],
      ["b4", "ok"],
    ]) {
      await stack.put(name, pk as string, outcome(result as string));
    }
    const [message] = await waitFor(async () => {
      const got = await stack.drain(dlq.url);
      return got.length > 0 ? got : undefined;
    });
    await waitFor(() => fn.invocations().some((i) => i.keys.length === 1 && i.keys[0] === "b4"));
    expect(fn.invocations().map((i) => i.keys)).toEqual([
      ["b1", "b2", "b3", "b4"],
      ["b1", "b2"],
      ["b3", "b4"],
      ["b3"],
      ["b4"],
    ]);
    const record = JSON.parse(message?.Body ?? "") as {
      requestContext: Record<string, unknown>;
      responseContext: Record<string, unknown>;
      version: string;
      DDBStreamBatchInfo: Record<string, unknown>;
    };
    const poison = fn.invocations()[3]?.records[0] as { dynamodb: { SequenceNumber: string } };
    expect(record.requestContext).toMatchObject({
      condition: "RetryAttemptsExhausted",
      approximateInvokeCount: 1,
      functionArn: fn.arn,
    });
    expect(record.responseContext).toMatchObject({
      statusCode: 200,
      executedVersion: "$LATEST",
      functionError: "Unhandled",
    });
    expect(record.version).toBe("1.0");
    expect(record.DDBStreamBatchInfo).toMatchObject({
      shardId: expect.any(String),
      startSequenceNumber: poison.dynamodb.SequenceNumber,
      endSequenceNumber: poison.dynamodb.SequenceNumber,
      approximateArrivalOfFirstRecord: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      batchSize: 1,
      streamArn,
    });
  });

  it("FilterCriteria: only matching records invoke; a filtered-out batch never does", async () => {
    const { name, streamArn } = await stack.table();
    const fn = await stack.fn("filtered");
    await stack.mapping({
      FunctionName: "filtered",
      EventSourceArn: streamArn,
      StartingPosition: "LATEST",
      FilterCriteria: {
        Filters: [{ Pattern: JSON.stringify({ dynamodb: { Keys: { pk: { S: [{ prefix: "CELEB#" }] } } } }) }],
      },
    });
    await stack.put(name, "RUN#1", outcome("ok"));
    await stack.put(name, "CELEB#1", outcome("ok"));
    await waitFor(() => fn.invocations().length > 0);
    expect(fn.invocations().flatMap((i) => i.keys)).toEqual(["CELEB#1"]);
  });

  it("a disabled mapping delivers nothing; re-enabled it picks up where it stopped", async () => {
    const { name, streamArn } = await stack.table();
    const fn = await stack.fn("toggled");
    const uuid = await stack.mapping({
      FunctionName: "toggled",
      EventSourceArn: streamArn,
      StartingPosition: "LATEST",
    });
    const disabling = await stack.lambda.send(
      new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: false }),
    );
    expect(disabling.State).toBe("Updating");
    await waitFor(
      async () =>
        (await stack.lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State === "Disabled",
    );
    await stack.put(name, "while-disabled", outcome("ok"));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(fn.invocations()).toEqual([]);
    await stack.lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: true }));
    await waitFor(() => fn.invocations().length > 0);
    expect(fn.invocations().flatMap((i) => i.keys)).toEqual(["while-disabled"]);
  });
});

describe("lambda esm: SQS", () => {
  const stack = new Stack();
  beforeAll(() => stack.start());
  afterAll(() => stack.stop());

  it("invokes with the SQS event shape and deletes processed messages", async () => {
    const queue = await stack.queue("esm-work");
    const fn = await stack.fn("sqs-consumer", 1);
    const created = await stack.lambda.send(
      new CreateEventSourceMappingCommand({ FunctionName: "sqs-consumer", EventSourceArn: queue.arn }),
    );
    expect(created).toMatchObject({ BatchSize: 10, MaximumBatchingWindowInSeconds: 0, State: "Creating" });
    expect(created.StartingPosition).toBeUndefined();
    await stack.sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: "ok",
        MessageAttributes: { origin: { DataType: "String", StringValue: "replay" } },
      }),
    );
    const [invocation] = await waitFor(() => {
      const all = fn.invocations();
      return all.length > 0 ? all : undefined;
    });
    expect(invocation?.records[0]).toMatchObject({
      messageId: expect.any(String),
      receiptHandle: expect.any(String),
      body: "ok",
      attributes: { ApproximateReceiveCount: "1", SentTimestamp: expect.any(String) },
      messageAttributes: {
        origin: { stringValue: "replay", stringListValues: [], binaryListValues: [], dataType: "String" },
      },
      md5OfBody: "444bcb3a3fcf8389296c49467f27e1d6",
      eventSource: "aws:sqs",
      eventSourceARN: queue.arn,
      awsRegion: "us-east-1",
    });
    await waitFor(async () => {
      const attributes = await stack.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queue.url,
          AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        }),
      );
      return (
        attributes.Attributes?.["ApproximateNumberOfMessages"] === "0" &&
        attributes.Attributes?.["ApproximateNumberOfMessagesNotVisible"] === "0"
      );
    });
  });

  it("partial batch failure: only the failed message comes back", async () => {
    const queue = await stack.queue("esm-partial");
    const fn = await stack.fn("sqs-partial", 1);
    for (const body of ["ok", "fail-item"])
      await stack.sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: body }));
    await stack.mapping({
      FunctionName: "sqs-partial",
      EventSourceArn: queue.arn,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
    // The failed message returns after the 1 s visibility timeout and is delivered again alone.
    await waitFor(() => fn.invocations().filter((i) => i.keys.includes("fail-item")).length >= 2);
    const later = fn.invocations().slice(1);
    expect(fn.invocations()[0]?.keys.sort()).toEqual(["fail-item", "ok"]);
    expect(later.every((i) => i.keys.length === 1 && i.keys[0] === "fail-item")).toBe(true);
  });
});

describe("lambda esm: persistence", () => {
  it("mappings and checkpoints survive a restart with --persist: nothing is redelivered", async () => {
    const persistDir = mkdtempSync(join(tmpdir(), "lambda-esm-persist-"));
    const first = new Stack(persistDir);
    try {
      await first.start();
      const { name, streamArn } = await first.table();
      await first.fn("persisted");
      const uuid = await first.mapping({
        FunctionName: "persisted",
        EventSourceArn: streamArn,
        StartingPosition: "LATEST",
      });
      await first.put(name, "before-restart", outcome("ok"));
      await waitFor(() => first.invocations("persisted").length > 0);
      await first.stop(true);

      const second = new Stack(persistDir);
      second.roleArn = first.roleArn;
      await second.start(first.dir);
      try {
        expect((await second.lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State).toBe(
          "Enabled",
        );
        await second.put(name, "after-restart", outcome("ok"));
        await waitFor(() => second.invocations("persisted").length > 1);
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect(second.invocations("persisted").flatMap((i) => i.keys)).toEqual([
          "before-restart",
          "after-restart",
        ]);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(persistDir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!awsCliAvailable)("lambda esm: AWS CLI", () => {
  const stack = new Stack();
  beforeAll(() => stack.start());
  afterAll(() => stack.stop());

  it("create-event-source-mapping, list and get over the CLI", async () => {
    const queue = await stack.queue("cli-esm-queue");
    await stack.fn("cli-consumer", 1);
    const created = await awsCliJson<{ UUID: string; State: string; BatchSize: number }>(stack.emulator.url, [
      "lambda",
      "create-event-source-mapping",
      "--function-name",
      "cli-consumer",
      "--event-source-arn",
      queue.arn,
      "--batch-size",
      "5",
    ]);
    expect(created).toMatchObject({ State: "Creating", BatchSize: 5 });
    const listed = await awsCliJson<{ EventSourceMappings: { UUID: string }[] }>(stack.emulator.url, [
      "lambda",
      "list-event-source-mappings",
      "--function-name",
      "cli-consumer",
    ]);
    expect(listed.EventSourceMappings.map((m) => m.UUID)).toEqual([created.UUID]);
    const got = await awsCliJson<{ EventSourceArn: string }>(stack.emulator.url, [
      "lambda",
      "get-event-source-mapping",
      "--uuid",
      created.UUID,
    ]);
    expect(got.EventSourceArn).toBe(queue.arn);
  });
});
