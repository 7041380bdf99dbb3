import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CloudWatchClient, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  GetEventSourceMappingCommand,
  GetFunctionCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  UpdateFunctionConfigurationCommand,
  UpdateEventSourceMappingCommand,
  type CreateEventSourceMappingCommandInput,
  type EventSourceMappingConfiguration,
} from "@aws-sdk/client-lambda";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import AdmZip from "adm-zip";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../../src/runtime/emulator/index.js";
import { AWS_CLI_SERVICE_ERROR_EXIT, awsCli, awsCliJson, awsCliVersion } from "../../helpers/aws-cli.js";
import { testAuthorization } from "../../helpers/raw-aws.js";

/**
 * An SQS event source mapping's ScalingConfig.MaximumConcurrency, written from AWS's documentation
 * (API_ScalingConfig: 2 to 1000, SQS only, an empty value removes it; services-sqs-scaling: the
 * mapping never invokes more than that many at once; services-sqs-configure: the queue's
 * visibility timeout must cover the function timeout; services-sqs-errorhandling: throttled
 * batches are retried while their messages stay invisible).
 *
 * The concurrency tests use a function that holds every batch until the test releases it: it
 * appends "start" to a log, waits for its release file, then appends "end". Lines are appended in
 * the order they happen, so counting starts minus ends along the file gives the true number of
 * invocations running at each moment. The test releases the oldest held batch only once the
 * expected bound is reached, so it only finishes if the bound is reached and every invocation
 * overlaps others; a mapping that ran more at once would show it in the log.
 */

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const cli = awsCliVersion();
const cliV2 = cli !== undefined && cli.major === 2;

const HOLDING_HANDLER = `
import { appendFileSync, existsSync } from "node:fs";
import { join } from "node:path";
const log = (entry) => appendFileSync(process.env.LOG_FILE, JSON.stringify(entry) + "\\n");
export const handler = async (event, context) => {
  const id = context.awsRequestId;
  const messages = event.Records.map((r) => ({ id: r.messageId, body: r.body, receives: r.attributes.ApproximateReceiveCount }));
  log({ at: "start", id, messages });
  while (!existsSync(join(process.env.GATE_DIR, id))) await new Promise((resolve) => setTimeout(resolve, 10));
  log({ at: "end", id });
  const failed = event.Records.filter((r) => r.body.startsWith("poison"));
  return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.messageId })) };
};
`;

interface LogEntry {
  at: "start" | "end";
  id: string;
  messages?: { id: string; body: string; receives: string }[];
}

async function waitFor<T>(
  read: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting for the condition");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

class Stack {
  emulator!: Emulator;
  lambda!: LambdaClient;
  sqs!: SQSClient;
  dynamodb!: DynamoDBClient;
  cloudwatch!: CloudWatchClient;
  dir!: string;
  roleArn!: string;

  async start(): Promise<void> {
    this.dir = mkdtempSync(join(tmpdir(), "esm-sqs-scaling-"));
    this.emulator = await createEmulator({
      services: ["sts", "iam", "logs", "cloudwatch", "dynamodb", "dynamodbstreams", "sqs", "lambda"],
    });
    const config = { endpoint: this.emulator.url, region: "us-east-1", credentials };
    this.lambda = new LambdaClient(config);
    this.sqs = new SQSClient(config);
    this.dynamodb = new DynamoDBClient(config);
    this.cloudwatch = new CloudWatchClient(config);
    const iam = new IAMClient(config);
    const role = await iam.send(
      new CreateRoleCommand({
        RoleName: "esm-scaling-role",
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

  async stop(): Promise<void> {
    for (const client of [this.lambda, this.sqs, this.dynamodb, this.cloudwatch]) client.destroy();
    await this.emulator.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  async queue(
    name: string,
    attributes: Record<string, string> = {},
  ): Promise<{ url: string; arn: string; name: string }> {
    const { QueueUrl } = await this.sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
    );
    const got = await this.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
    );
    return { url: QueueUrl as string, arn: got.Attributes?.["QueueArn"] as string, name };
  }

  async counts(url: string): Promise<{ visible: number; inFlight: number }> {
    const got = await this.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    return {
      visible: Number(got.Attributes?.["ApproximateNumberOfMessages"]),
      inFlight: Number(got.Attributes?.["ApproximateNumberOfMessagesNotVisible"]),
    };
  }

  async send(url: string, bodies: string[]): Promise<void> {
    for (let i = 0; i < bodies.length; i += 10) {
      await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: bodies.slice(i, i + 10).map((body, j) => ({ Id: String(j), MessageBody: body })),
        }),
      );
    }
  }

  /** A function that holds each batch until `release` is called for it (see the file comment). */
  async holdingFn(name: string, timeout = 30): Promise<HeldFunction> {
    const logFile = join(this.dir, `${name}.jsonl`);
    const gateDir = join(this.dir, `${name}-gate`);
    mkdirSync(gateDir);
    const zip = new AdmZip();
    zip.addFile("index.mjs", Buffer.from(HOLDING_HANDLER));
    await this.lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: "nodejs22.x",
        Handler: "index.handler",
        Role: this.roleArn,
        Timeout: timeout,
        Code: { ZipFile: zip.toBuffer() },
        Environment: { Variables: { LOG_FILE: logFile, GATE_DIR: gateDir } },
      }),
    );
    await waitFor(
      async () =>
        (await this.lambda.send(new GetFunctionCommand({ FunctionName: name }))).Configuration?.State ===
        "Active",
    );
    return new HeldFunction(logFile, gateDir);
  }

  async mapping(input: CreateEventSourceMappingCommandInput): Promise<EventSourceMappingConfiguration> {
    const created = await this.lambda.send(new CreateEventSourceMappingCommand(input));
    await waitFor(
      async () =>
        (await this.lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID }))).State ===
        "Enabled",
    );
    return created;
  }
}

class HeldFunction {
  constructor(
    private readonly logFile: string,
    private readonly gateDir: string,
  ) {}

  log(): LogEntry[] {
    if (!existsSync(this.logFile)) return [];
    return readFileSync(this.logFile, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LogEntry);
  }

  /** Invocations started and not yet ended, oldest first. */
  running(): LogEntry[] {
    const ended = new Set(
      this.log()
        .filter((e) => e.at === "end")
        .map((e) => e.id),
    );
    return this.log().filter((e) => e.at === "start" && !ended.has(e.id));
  }

  /** The most invocations that were running at one moment, along the log. */
  peak(): number {
    let running = 0;
    let peak = 0;
    for (const entry of this.log()) {
      running += entry.at === "start" ? 1 : -1;
      peak = Math.max(peak, running);
    }
    return peak;
  }

  release(id: string): void {
    writeFileSync(join(this.gateDir, id), "");
  }

  /** Bodies of every batch that ended, one entry per delivery. */
  processed(): string[] {
    const ended = new Set(
      this.log()
        .filter((e) => e.at === "end")
        .map((e) => e.id),
    );
    return this.log()
      .filter((e) => e.at === "start" && ended.has(e.id))
      .flatMap((e) => e.messages?.map((m) => m.body) ?? []);
  }

  /**
   * Releases the oldest held batch whenever `bound` batches are held (or nothing is left to wait
   * for), until `done` holds.
   */
  async drive(bound: number, done: () => Promise<boolean> | boolean, remaining: () => Promise<number>) {
    await waitFor(async () => {
      if (await done()) return true;
      const running = this.running();
      if (running.length >= bound || (running.length > 0 && (await remaining()) === 0)) {
        this.release(running[0]!.id);
      }
      return false;
    }, 120_000);
  }
}

const bodies = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i + 1}`);

describe("lambda esm SQS ScalingConfig: contract (SDK v3)", () => {
  const stack = new Stack();
  let queueArn: string;
  beforeAll(async () => {
    await stack.start();
    await stack.holdingFn("contract-fn", 10);
    queueArn = (await stack.queue("contract-queue", { VisibilityTimeout: "60" })).arn;
  });
  afterAll(() => stack.stop());

  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error("expected a refusal");
      },
      (error: { name: string; message: string; $metadata: { httpStatusCode?: number } }) => error,
    );

  it("refuses MaximumConcurrency below 2 or above 1000 with a ValidationException", async () => {
    for (const [value, rule] of [
      [1, "greater than or equal to 2"],
      [-5, "greater than or equal to 2"],
      [1001, "less than or equal to 1000"],
    ] as const) {
      const error = await refusal(
        stack.lambda.send(
          new CreateEventSourceMappingCommand({
            FunctionName: "contract-fn",
            EventSourceArn: queueArn,
            ScalingConfig: { MaximumConcurrency: value },
          }),
        ),
      );
      expect(error.name).toBe("ValidationException");
      expect(error.$metadata.httpStatusCode).toBe(400);
      expect(error.message).toBe(
        `1 validation error detected: Value '${value}' at 'scalingConfig.maximumConcurrency' failed to satisfy constraint: Member must have value ${rule}`,
      );
    }
    const listed = await stack.lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: queueArn }));
    expect(listed.EventSourceMappings).toEqual([]);
  });

  it("refuses ScalingConfig on a DynamoDB stream (SQS only)", async () => {
    await stack.dynamodb.send(
      new CreateTableCommand({
        TableName: "scaling-stream",
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
        StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" },
      }),
    );
    const streamArn = await waitFor(async () => {
      const table = (await stack.dynamodb.send(new DescribeTableCommand({ TableName: "scaling-stream" })))
        .Table;
      return table?.TableStatus === "ACTIVE" ? table.LatestStreamArn : undefined;
    });
    const error = await refusal(
      stack.lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: "contract-fn",
          EventSourceArn: streamArn,
          StartingPosition: "LATEST",
          ScalingConfig: { MaximumConcurrency: 5 },
        }),
      ),
    );
    expect(error.name).toBe("InvalidParameterValueException");
  });

  it("refuses a queue whose visibility timeout is shorter than the function timeout", async () => {
    const short = await stack.queue("contract-short", { VisibilityTimeout: "5" });
    const error = await refusal(
      stack.lambda.send(
        new CreateEventSourceMappingCommand({ FunctionName: "contract-fn", EventSourceArn: short.arn }),
      ),
    );
    expect(error.name).toBe("InvalidParameterValueException");
    expect(error.message).toBe(
      "Queue visibility timeout: 5 seconds is less than Function timeout: 10 seconds",
    );
  });

  it("returns ScalingConfig from Create, Get, List and Update; an empty ScalingConfig removes it", async () => {
    const created = await stack.mapping({
      FunctionName: "contract-fn",
      EventSourceArn: queueArn,
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    expect(created.ScalingConfig).toEqual({ MaximumConcurrency: 2 });
    const uuid = created.UUID as string;
    expect((await stack.lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).ScalingConfig).toEqual(
      {
        MaximumConcurrency: 2,
      },
    );
    const listed = await stack.lambda.send(
      new ListEventSourceMappingsCommand({ FunctionName: "contract-fn" }),
    );
    expect(listed.EventSourceMappings?.map((m) => m.ScalingConfig)).toEqual([{ MaximumConcurrency: 2 }]);

    const tooMany = await refusal(
      stack.lambda.send(
        new UpdateEventSourceMappingCommand({ UUID: uuid, ScalingConfig: { MaximumConcurrency: 1001 } }),
      ),
    );
    expect(tooMany.name).toBe("ValidationException");

    const raised = await stack.lambda.send(
      new UpdateEventSourceMappingCommand({ UUID: uuid, ScalingConfig: { MaximumConcurrency: 1000 } }),
    );
    expect(raised).toMatchObject({ State: "Updating", ScalingConfig: { MaximumConcurrency: 1000 } });
    await waitFor(
      async () =>
        (await stack.lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State === "Enabled",
    );
    // Another update without ScalingConfig keeps it.
    const batch = await stack.lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, BatchSize: 5 }));
    expect(batch.ScalingConfig).toEqual({ MaximumConcurrency: 1000 });
    await waitFor(
      async () =>
        (await stack.lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State === "Enabled",
    );
    const removed = await stack.lambda.send(
      new UpdateEventSourceMappingCommand({ UUID: uuid, ScalingConfig: {} }),
    );
    expect(removed.ScalingConfig).toBeUndefined();
    expect(
      (await stack.lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).ScalingConfig,
    ).toBeUndefined();
  });

  it("the server refuses MaximumConcurrency 1 on the wire too (clients that skip validation)", async () => {
    const queue = await stack.queue("contract-raw", { VisibilityTimeout: "60" });
    const response = await fetch(`${stack.emulator.url}/2015-03-31/event-source-mappings/`, {
      method: "POST",
      headers: { authorization: testAuthorization("lambda"), "content-type": "application/json" },
      body: JSON.stringify({
        FunctionName: "contract-fn",
        EventSourceArn: queue.arn,
        ScalingConfig: { MaximumConcurrency: 1 },
      }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("x-amzn-errortype")).toMatch(/^ValidationException/);
  });

  it("compares with the timeout of the version the mapping invokes (run last: it changes $LATEST)", async () => {
    const queue = await stack.queue("contract-versions", { VisibilityTimeout: "60" });
    const published = await stack.lambda.send(new PublishVersionCommand({ FunctionName: "contract-fn" }));
    await stack.lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: "contract-fn", Timeout: 90 }),
    );
    await waitFor(
      async () =>
        (await stack.lambda.send(new GetFunctionCommand({ FunctionName: "contract-fn" }))).Configuration
          ?.LastUpdateStatus === "Successful",
    );
    const latest = await refusal(
      stack.lambda.send(
        new CreateEventSourceMappingCommand({ FunctionName: "contract-fn", EventSourceArn: queue.arn }),
      ),
    );
    expect(latest.message).toBe(
      "Queue visibility timeout: 60 seconds is less than Function timeout: 90 seconds",
    );
    const versioned = await stack.lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: `contract-fn:${published.Version}`,
        EventSourceArn: queue.arn,
      }),
    );
    expect(versioned.FunctionArn).toMatch(new RegExp(`:function:contract-fn:${published.Version}$`));
  });
});

describe.skipIf(!cliV2)("lambda esm SQS ScalingConfig: AWS CLI v2", () => {
  const stack = new Stack();
  let queueArn: string;
  beforeAll(async () => {
    await stack.start();
    await stack.holdingFn("cli-fn", 10);
    queueArn = (await stack.queue("cli-queue", { VisibilityTimeout: "60" })).arn;
  });
  afterAll(() => stack.stop());

  it("refuses out-of-range values (1 before sending, 1001 from the service)", async () => {
    const base = [
      "lambda",
      "create-event-source-mapping",
      "--function-name",
      "cli-fn",
      "--event-source-arn",
      queueArn,
    ];
    const low = await awsCli(stack.emulator.url, [...base, "--scaling-config", "MaximumConcurrency=1"]);
    expect(low.exitCode).not.toBe(0);
    expect(low.stderr).toMatch(/MaximumConcurrency/);
    const high = await awsCli(stack.emulator.url, [...base, "--scaling-config", "MaximumConcurrency=1001"]);
    expect(high.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
    expect(high.stderr).toContain("ValidationException");
    expect(high.stderr).toContain("Member must have value less than or equal to 1000");
  });

  it("create, get, list and update --scaling-config (an empty value removes it)", async () => {
    const created = await awsCliJson<{ UUID: string; ScalingConfig?: { MaximumConcurrency: number } }>(
      stack.emulator.url,
      [
        "lambda",
        "create-event-source-mapping",
        "--function-name",
        "cli-fn",
        "--event-source-arn",
        queueArn,
        "--scaling-config",
        "MaximumConcurrency=3",
      ],
    );
    expect(created.ScalingConfig).toEqual({ MaximumConcurrency: 3 });
    await waitFor(
      async () =>
        (await stack.lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID }))).State ===
        "Enabled",
    );
    const got = await awsCliJson<{ ScalingConfig?: unknown }>(stack.emulator.url, [
      "lambda",
      "get-event-source-mapping",
      "--uuid",
      created.UUID,
    ]);
    expect(got.ScalingConfig).toEqual({ MaximumConcurrency: 3 });
    const listed = await awsCliJson<{ EventSourceMappings: { ScalingConfig?: unknown }[] }>(
      stack.emulator.url,
      ["lambda", "list-event-source-mappings", "--event-source-arn", queueArn],
    );
    expect(listed.EventSourceMappings.map((m) => m.ScalingConfig)).toEqual([{ MaximumConcurrency: 3 }]);
    const removed = await awsCliJson<{ ScalingConfig?: unknown }>(stack.emulator.url, [
      "lambda",
      "update-event-source-mapping",
      "--uuid",
      created.UUID,
      "--scaling-config",
      "{}",
    ]);
    expect(removed.ScalingConfig).toBeUndefined();
  });
});

describe("lambda esm SQS ScalingConfig: enforced", () => {
  const stack = new Stack();
  beforeAll(() => stack.start());
  afterAll(() => stack.stop());

  it("MaximumConcurrency 2 over 40 messages: at most two invocations at once, each message once", async () => {
    const dlq = await stack.queue("bounded-dlq");
    const queue = await stack.queue("bounded-work", {
      VisibilityTimeout: "180",
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 3 }),
    });
    const expected = bodies("job", 40);
    await stack.send(queue.url, expected);
    const fn = await stack.holdingFn("bounded-worker");
    await stack.mapping({
      FunctionName: "bounded-worker",
      EventSourceArn: queue.arn,
      BatchSize: 2,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    // Two batches held: the mapping has stopped reading (only their messages are in flight).
    await waitFor(() => fn.running().length === 2);
    expect(await stack.counts(queue.url)).toEqual({ visible: 36, inFlight: 4 });
    await fn.drive(
      2,
      async () => fn.processed().length === expected.length && (await stack.counts(queue.url)).inFlight === 0,
      async () => (await stack.counts(queue.url)).visible,
    );
    expect(fn.peak()).toBe(2);
    expect(fn.processed().sort()).toEqual([...expected].sort());
    expect(await stack.counts(queue.url)).toEqual({ visible: 0, inFlight: 0 });
    expect(await stack.counts(dlq.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it("reserved concurrency 1 under MaximumConcurrency 2: throttled batches wait, none is lost or redelivered", async () => {
    const queue = await stack.queue("reserved-work", { VisibilityTimeout: "180" });
    const expected = bodies("reserved", 8);
    await stack.send(queue.url, expected);
    const fn = await stack.holdingFn("reserved-worker");
    await stack.lambda.send(
      new PutFunctionConcurrencyCommand({ FunctionName: "reserved-worker", ReservedConcurrentExecutions: 1 }),
    );
    await stack.mapping({
      FunctionName: "reserved-worker",
      EventSourceArn: queue.arn,
      BatchSize: 2,
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    // One batch runs; the mapping's second batch is throttled (AWS/Lambda Throttles) and retried.
    await waitFor(() => fn.running().length === 1);
    await waitFor(async () => {
      const stats = await stack.cloudwatch.send(
        new GetMetricStatisticsCommand({
          Namespace: "AWS/Lambda",
          MetricName: "Throttles",
          Dimensions: [{ Name: "FunctionName", Value: "reserved-worker" }],
          StartTime: new Date(Date.now() - 3_600_000),
          EndTime: new Date(Date.now() + 60_000),
          Period: 60,
          Statistics: ["Sum"],
        }),
      );
      return (stats.Datapoints ?? []).some((d) => (d.Sum ?? 0) > 0);
    });
    await fn.drive(
      1,
      async () => fn.processed().length === expected.length && (await stack.counts(queue.url)).inFlight === 0,
      async () => (await stack.counts(queue.url)).visible,
    );
    expect(fn.peak()).toBe(1);
    expect(fn.processed().sort()).toEqual([...expected].sort());
    // Every message was received once: the throttled batch kept its messages invisible.
    const receives = fn.log().flatMap((e) => e.messages?.map((m) => m.receives) ?? []);
    expect(new Set(receives)).toEqual(new Set(["1"]));
  });

  it("a poison message under concurrency: redriven to the DLQ after maxReceiveCount, the rest once", async () => {
    const dlq = await stack.queue("poison-dlq");
    const queue = await stack.queue("poison-work", {
      VisibilityTimeout: "4",
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
    });
    const good = bodies("good", 12);
    await stack.send(queue.url, ["poison-1", ...good]);
    const fn = await stack.holdingFn("poison-worker", 4);
    await stack.mapping({
      FunctionName: "poison-worker",
      EventSourceArn: queue.arn,
      BatchSize: 3,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    const inDlq = async () => (await stack.counts(dlq.url)).visible === 1;
    // Held batches are released at once here: the point is the redrive, not the bound.
    await fn.drive(
      1,
      async () =>
        (await inDlq()) &&
        good.every((b) => fn.processed().includes(b)) &&
        (await stack.counts(queue.url)).inFlight === 0,
      async () => 0,
    );
    expect(fn.peak()).toBeLessThanOrEqual(2);
    expect(
      fn
        .processed()
        .filter((b) => b.startsWith("good"))
        .sort(),
    ).toEqual([...good].sort());
    expect(fn.processed().filter((b) => b === "poison-1")).toHaveLength(2);
    const [moved] =
      (
        await stack.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: dlq.url,
            MessageSystemAttributeNames: ["ApproximateReceiveCount"],
          }),
        )
      ).Messages ?? [];
    expect(moved?.Body).toBe("poison-1");
    expect(await stack.counts(queue.url)).toEqual({ visible: 0, inFlight: 0 });
  });
});
