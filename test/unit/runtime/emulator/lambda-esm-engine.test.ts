import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../../../src/runtime/emulator/core/clock.js";
import { CredentialRegistry } from "../../../../src/runtime/emulator/core/credentials.js";
import { ServiceError } from "../../../../src/runtime/emulator/core/errors.js";
import { FileStore, NoPersistence } from "../../../../src/runtime/emulator/core/persistence.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RequestContext } from "../../../../src/runtime/emulator/core/request.js";
import type { ServiceEnv } from "../../../../src/runtime/emulator/core/service.js";
import {
  createEsmEngine,
  type EsmEngine,
} from "../../../../src/runtime/emulator/services/lambda/esm/index.js";

/**
 * Narrow unit tests of the event source mapping engine's batching and retry logic, with an
 * in-memory stand-in for DynamoDB Streams and SQS and a manual clock. The end-to-end behaviour over
 * the real services is covered by test/integration/emulator/lambda-esm*.test.ts.
 */

const REGION = "us-east-1";
const ACCOUNT = "000000000000";
const STREAM_ARN = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/items/stream/2026-01-04T00:00:00.000`;
const QUEUE_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT}:work`;
const DLQ_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT}:on-failure`;
const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:consumer`;
const context: RequestContext = { requestId: "r", region: REGION, accountId: ACCOUNT };

interface FakeRecord {
  eventID: string;
  eventName: string;
  dynamodb: { Keys: Record<string, unknown>; SequenceNumber: string; ApproximateCreationDateTime: number };
}

type HandlerResult = { error?: boolean; payload?: unknown };
type Handler = (records: Record<string, unknown>[]) => HandlerResult | Promise<HandlerResult>;

class Harness {
  readonly clock = new ManualClock(Date.UTC(2026, 0, 4, 12, 0, 0));
  records: FakeRecord[] = [];
  readonly invocations: string[][] = [];
  readonly byFunction: Record<string, string[]> = {};
  readonly sent: { queueUrl: string; body: string }[] = [];
  readonly errors: unknown[] = [];
  readonly queue: { id: string; body: string; inFlight: boolean; deleted: boolean }[] = [];
  handler: Handler = () => ({});
  seq = 0;
  /** Invocations running now, and the most that ever ran at once. */
  running = 0;
  peak = 0;
  /** The queue's VisibilityTimeout and the function's Timeout, in seconds. */
  visibilityTimeout = 30;
  functionTimeout = 3;
  /** A stand-in for the function's reserved concurrency: invocations beyond it are throttled. */
  reserved: number | undefined;
  throttles = 0;
  receives = 0;
  engine: EsmEngine;

  /** Set to false to take away Streams' WaitForRecords wake-up (the poller then sleeps). */
  wake = true;
  getRecordsCalls = 0;
  private waiters: (() => void)[] = [];

  constructor(persistDir?: string, shared?: Harness, capacity = 4) {
    if (shared) {
      this.records = shared.records;
      this.seq = shared.seq;
    }
    const env: ServiceEnv = {
      clock: this.clock,
      baseUrl: () => "http://127.0.0.1:1",
      defaultRegion: REGION,
      defaultAccountId: ACCOUNT,
      store: <S, E>(service: string) =>
        persistDir ? new FileStore<S, E>(persistDir, service) : new NoPersistence<S, E>(),
      settings: { retryWaitScale: 1 / 60, lambdaConcurrencyPerFunction: capacity },
      reportBackgroundError: (_service, error) => this.errors.push(error),
      reportRecovery: () => {},
      credentials: new CredentialRegistry(),
      call: async <O>(service: string, operation: string, input: unknown) =>
        this.call(service, operation, input as Record<string, unknown>) as Promise<O>,
    };
    this.engine = createEsmEngine({
      env,
      functionArn: (name) => {
        const short = name.startsWith("arn:") ? name.split(":")[6] : name;
        return short === "consumer" || short === "second"
          ? `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${short}`
          : undefined;
      },
      functionTimeout: () => this.functionTimeout,
      invoke: async (fn, payload) => {
        const records = (JSON.parse(payload) as { Records: Record<string, unknown>[] }).Records;
        if (this.reserved !== undefined && this.running >= this.reserved) {
          this.throttles++;
          throw new ServiceError("TooManyRequestsException", "Rate Exceeded.", 429);
        }
        this.invocations.push(records.map(idOf));
        (this.byFunction[fn] ??= []).push(...records.map(idOf));
        this.running++;
        this.peak = Math.max(this.peak, this.running);
        try {
          const result = await this.handler(records);
          return {
            StatusCode: 200,
            ...(result.error ? { FunctionError: "Unhandled" } : {}),
            Payload: result.payload === undefined ? "null" : JSON.stringify(result.payload),
          };
        } finally {
          this.running--;
        }
      },
    });
  }

  /** Appends stream records; sequence numbers grow in length (9…, 10…) to catch string compares. */
  write(...keys: string[]): string[] {
    return keys.map((key) => {
      this.seq++;
      const sequenceNumber = String(9n * 10n ** BigInt(18 + this.seq) + BigInt(this.seq));
      this.wakeWaiters();
      this.records.push({
        eventID: key,
        eventName: "INSERT",
        dynamodb: {
          Keys: { pk: { S: key } },
          SequenceNumber: sequenceNumber,
          ApproximateCreationDateTime: Math.floor(this.clock.now() / 1000),
        },
      });
      return sequenceNumber;
    });
  }

  private wakeWaiters(): void {
    const waiting = this.waiters;
    this.waiters = [];
    queueMicrotask(() => waiting.forEach((resolve) => resolve()));
  }

  send(...bodies: string[]): void {
    for (const body of bodies)
      this.queue.push({ id: `m-${this.queue.length + 1}`, body, inFlight: false, deleted: false });
  }

  async call(service: string, operation: string, input: Record<string, unknown>): Promise<unknown> {
    const key = `${service}.${operation}`;
    switch (key) {
      case "dynamodbstreams.DescribeStream":
        if (input["StreamArn"] !== STREAM_ARN)
          throw new ServiceError("ResourceNotFoundException", "no stream", 400);
        return { StreamDescription: { StreamArn: STREAM_ARN, Shards: [{ ShardId: "shardId-1" }] } };
      case "dynamodbstreams.GetShardIterator": {
        const type = input["ShardIteratorType"];
        const index =
          type === "TRIM_HORIZON"
            ? 0
            : type === "LATEST"
              ? this.records.length
              : this.records.findIndex((r) => r.dynamodb.SequenceNumber === input["SequenceNumber"]) + 1;
        return { ShardIterator: String(index) };
      }
      case "dynamodbstreams.WaitForRecords": {
        if (!this.wake) throw new ServiceError("UnknownOperationException", "not offered", 400);
        if (Number(input["ShardIterator"]) < this.records.length) return { RecordsAvailable: true };
        const woken = new Promise<boolean>((resolve) => this.waiters.push(() => resolve(true)));
        const timeout = this.clock.sleep(Number(input["TimeoutMs"]), input["Signal"] as AbortSignal).then(
          () => false,
          () => false,
        );
        return { RecordsAvailable: await Promise.race([woken, timeout]) };
      }
      case "dynamodbstreams.GetRecords": {
        this.getRecordsCalls++;
        const index = Number(input["ShardIterator"]);
        const records = this.records.slice(index, index + Number(input["Limit"] ?? 1000));
        return { Records: structuredClone(records), NextShardIterator: String(index + records.length) };
      }
      case "sqs.GetQueueUrl":
        return { QueueUrl: `http://queue/${String(input["QueueName"])}` };
      case "sqs.GetQueueAttributes":
        return { Attributes: { VisibilityTimeout: String(this.visibilityTimeout) } };
      case "sqs.SendMessage":
        this.sent.push({ queueUrl: String(input["QueueUrl"]), body: String(input["MessageBody"]) });
        return { MessageId: "x" };
      case "sqs.ReceiveMessage": {
        this.receives++;
        const visible = this.queue
          .filter((m) => !m.inFlight && !m.deleted)
          .slice(0, Number(input["MaxNumberOfMessages"]));
        for (const m of visible) m.inFlight = true;
        return {
          Messages: visible.map((m) => ({
            MessageId: m.id,
            ReceiptHandle: `rh-${m.id}`,
            Body: m.body,
            MD5OfBody: "md5",
            Attributes: { ApproximateReceiveCount: "1" },
          })),
        };
      }
      case "sqs.DeleteMessage": {
        const message = this.queue.find((m) => `rh-${m.id}` === input["ReceiptHandle"]);
        if (message) message.deleted = true;
        return {};
      }
      default:
        throw new ServiceError("UnknownOperationException", `${key} is not available`, 400);
    }
  }

  async create(input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const created = (await this.engine.operations.CreateEventSourceMapping!(
      { FunctionName: "consumer", ...input },
      context,
    )) as Record<string, unknown>;
    await this.until(async () => (await this.get(String(created["UUID"])))["State"] !== "Creating");
    return created;
  }

  get(uuid: string): Promise<Record<string, unknown>> {
    return this.engine.operations.GetEventSourceMapping!({ UUID: uuid }, context) as Promise<
      Record<string, unknown>
    >;
  }

  /** Advances the clock in small steps until `condition` holds (fails after ~60 s of clock time). */
  async until(condition: () => boolean | Promise<boolean>, stepMs = 50, maxSteps = 1200): Promise<void> {
    for (let i = 0; i < maxSteps; i++) {
      if (await condition()) return;
      await this.clock.advance(stepMs);
    }
    throw new Error("condition not reached");
  }

  /** Lets the engine run for `ms` of clock time. */
  run(ms: number): Promise<void> {
    return this.until(() => false, 50, Math.ceil(ms / 50)).catch(() => undefined);
  }
}

function idOf(record: Record<string, unknown>): string {
  return (record["eventID"] as string | undefined) ?? (record["body"] as string);
}

let harness: Harness;
const start = async () => {
  harness = new Harness();
  await harness.engine.start();
  return harness;
};
afterEach(async () => {
  await harness.engine.stop();
});

describe("esm engine: stream batching", () => {
  it("delivers existing records from TRIM_HORIZON in order, in batches of BatchSize, once", async () => {
    const h = await start();
    h.write("a", "b", "c", "d", "e");
    const created = await h.create({
      EventSourceArn: STREAM_ARN,
      StartingPosition: "TRIM_HORIZON",
      BatchSize: 2,
    });
    expect(created["State"]).toBe("Creating");
    expect((await h.get(String(created["UUID"])))["State"]).toBe("Enabled");
    await h.until(() => h.invocations.flat().length === 5);
    expect(h.invocations).toEqual([["a", "b"], ["c", "d"], ["e"]]);
    await h.run(2000);
    expect(h.invocations.flat()).toHaveLength(5);
  });

  it("LATEST skips records written before the mapping became active", async () => {
    const h = await start();
    h.write("old-1", "old-2");
    await h.create({ EventSourceArn: STREAM_ARN, StartingPosition: "LATEST" });
    h.write("new-1");
    await h.until(() => h.invocations.length === 1);
    expect(h.invocations).toEqual([["new-1"]]);
  });

  it("waits for the batching window unless the batch fills", async () => {
    const h = await start();
    await h.create({
      EventSourceArn: STREAM_ARN,
      StartingPosition: "LATEST",
      BatchSize: 3,
      MaximumBatchingWindowInSeconds: 2,
    });
    h.write("a", "b");
    await h.run(1500);
    expect(h.invocations).toEqual([]);
    await h.until(() => h.invocations.length === 1);
    expect(h.invocations).toEqual([["a", "b"]]);
    h.write("c", "d", "e");
    await h.run(500);
    expect(h.invocations[1]).toEqual(["c", "d", "e"]);
  });

  it("event records carry eventSourceARN and the dynamodb keys", async () => {
    const h = await start();
    let seen: Record<string, unknown> | undefined;
    h.handler = (records) => {
      seen = records[0];
      return {};
    };
    await h.create({ EventSourceArn: STREAM_ARN, StartingPosition: "LATEST" });
    h.write("k");
    await h.until(() => seen !== undefined);
    expect(seen).toMatchObject({
      eventID: "k",
      eventSourceARN: STREAM_ARN,
      dynamodb: { Keys: { pk: { S: "k" } } },
    });
  });
});

describe("esm engine: waiting for records", () => {
  it("wakes on new records through WaitForRecords instead of polling", async () => {
    const h = await start();
    await h.create({ EventSourceArn: STREAM_ARN, StartingPosition: "LATEST" });
    await h.run(5000);
    const idleReads = h.getRecordsCalls;
    // One wait per second instead of four polls: a handful of reads in 5 s of idle clock time.
    expect(idleReads).toBeLessThanOrEqual(8);
    h.write("a");
    await h.clock.advance(0);
    await h.until(() => h.invocations.length === 1, 1, 20);
    expect(h.invocations).toEqual([["a"]]);
  });

  it("falls back to polling on the clock when WaitForRecords is not offered", async () => {
    const h = await start();
    h.wake = false;
    await h.create({ EventSourceArn: STREAM_ARN, StartingPosition: "LATEST" });
    h.write("a");
    await h.until(() => h.invocations.length === 1);
    await h.run(5000);
    expect(h.getRecordsCalls).toBeGreaterThan(15);
    expect(h.invocations).toEqual([["a"]]);
  });
});

describe("esm engine: stream failures", () => {
  it("retries the same batch, blocking the shard, until it succeeds", async () => {
    const h = await start();
    let failures = 2;
    h.handler = (records) =>
      records.some((r) => r["eventID"] === "a") && failures-- > 0 ? { error: true } : {};
    await h.create({ EventSourceArn: STREAM_ARN, StartingPosition: "LATEST", BatchSize: 2 });
    h.write("a", "b", "c");
    await h.until(() => h.invocations.flat().includes("c"));
    expect(h.invocations).toEqual([["a", "b"], ["a", "b"], ["a", "b"], ["c"]]);
  });

  it("gives up after MaximumRetryAttempts, sends the on-failure record (metadata only) and moves on", async () => {
    const h = await start();
    h.handler = (records) => (records.some((r) => r["eventID"] === "a") ? { error: true } : {});
    const created = await h.create({
      EventSourceArn: STREAM_ARN,
      StartingPosition: "LATEST",
      BatchSize: 2,
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: DLQ_ARN } },
    });
    const [seqA, seqB] = h.write("a", "b");
    h.write("c");
    await h.until(() => h.invocations.flat().includes("c"));
    expect(h.invocations).toEqual([["a", "b"], ["a", "b"], ["a", "b"], ["c"]]);
    expect(h.sent).toHaveLength(1);
    expect(h.sent[0]?.queueUrl).toBe("http://queue/on-failure");
    const record = JSON.parse(h.sent[0]?.body ?? "{}") as Record<string, Record<string, unknown>>;
    expect(record["requestContext"]).toMatchObject({
      functionArn: FUNCTION_ARN,
      condition: "RetryAttemptsExhausted",
      approximateInvokeCount: 3,
    });
    expect(record["responseContext"]).toEqual({
      statusCode: 200,
      executedVersion: "$LATEST",
      functionError: "Unhandled",
    });
    expect(record["version"]).toBe("1.0");
    expect(record["DDBStreamBatchInfo"]).toEqual({
      shardId: "shardId-1",
      startSequenceNumber: seqA,
      endSequenceNumber: seqB,
      approximateArrivalOfFirstRecord: "2026-01-04T12:00:00Z",
      approximateArrivalOfLastRecord: "2026-01-04T12:00:00Z",
      batchSize: 2,
      streamArn: STREAM_ARN,
    });
    expect(JSON.stringify(record)).not.toContain('"Keys"');
    const state = await h.get(String(created["UUID"]));
    expect(state["LastProcessingResult"]).toBe("OK");
  });

  it("bisects a failing batch down to the poison record", async () => {
    const h = await start();
    h.handler = (records) => (records.some((r) => r["eventID"] === "c") ? { error: true } : {});
    await h.create({
      EventSourceArn: STREAM_ARN,
      StartingPosition: "LATEST",
      BatchSize: 4,
      MaximumBatchingWindowInSeconds: 1,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: DLQ_ARN } },
    });
    h.write("a", "b", "c", "d");
    await h.until(() => h.sent.length === 1 && h.invocations.flat().filter((id) => id === "d").length === 3);
    expect(h.invocations).toEqual([["a", "b", "c", "d"], ["a", "b"], ["c", "d"], ["c"], ["d"]]);
    const info = (JSON.parse(h.sent[0]?.body ?? "{}") as { DDBStreamBatchInfo: { batchSize: number } })
      .DDBStreamBatchInfo;
    expect(info.batchSize).toBe(1);
  });

  it("ReportBatchItemFailures restarts at the lowest failed sequence number (compared as numbers)", async () => {
    const h = await start();
    await h.create({
      EventSourceArn: STREAM_ARN,
      StartingPosition: "LATEST",
      BatchSize: 4,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
    const seqs = h.write("a", "b", "c", "d");
    let first = true;
    h.handler = () => {
      if (!first) return { payload: { batchItemFailures: [] } };
      first = false;
      // Longer (numerically larger) first: a string compare would pick the wrong one.
      return { payload: { batchItemFailures: [{ itemIdentifier: seqs[3] }, { itemIdentifier: seqs[1] }] } };
    };
    await h.until(() => h.invocations.length === 2);
    expect(h.invocations).toEqual([
      ["a", "b", "c", "d"],
      ["b", "c", "d"],
    ]);
  });

  it("treats an unusable batch response as a complete failure", async () => {
    const h = await start();
    await h.create({
      EventSourceArn: STREAM_ARN,
      StartingPosition: "LATEST",
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
    let calls = 0;
    h.handler = () => (calls++ === 0 ? { payload: { batchItemFailures: [{ itemIdentifier: "" }] } } : {});
    h.write("a", "b");
    await h.until(() => h.invocations.length === 2);
    expect(h.invocations).toEqual([
      ["a", "b"],
      ["a", "b"],
    ]);
  });

  it("gives up on records older than MaximumRecordAgeInSeconds", async () => {
    const h = await start();
    h.handler = () => ({ error: true });
    await h.create({
      EventSourceArn: STREAM_ARN,
      StartingPosition: "LATEST",
      MaximumRecordAgeInSeconds: 60,
      DestinationConfig: { OnFailure: { Destination: DLQ_ARN } },
    });
    h.write("a");
    await h.until(() => h.sent.length === 1, 1000, 200);
    const record = JSON.parse(h.sent[0]?.body ?? "{}") as { requestContext: { condition: string } };
    expect(record.requestContext.condition).toBe("RecordAgeExceeded");
  });
});

describe("esm engine: filters and state", () => {
  it("drops records that match no filter and never invokes for them", async () => {
    const h = await start();
    await h.create({
      EventSourceArn: STREAM_ARN,
      StartingPosition: "LATEST",
      FilterCriteria: {
        Filters: [{ Pattern: JSON.stringify({ dynamodb: { Keys: { pk: { S: [{ prefix: "CELEB#" }] } } } }) }],
      },
    });
    h.write("RUN#1", "RUN#2");
    await h.run(1000);
    expect(h.invocations).toEqual([]);
    h.write("CELEB#1", "RUN#3", "CELEB#2");
    await h.until(() => h.invocations.flat().length === 2);
    expect(h.invocations.flat()).toEqual(["CELEB#1", "CELEB#2"]);
  });

  it("a disabled mapping delivers nothing; enabling resumes from the checkpoint", async () => {
    const h = await start();
    const created = await h.create({ EventSourceArn: STREAM_ARN, StartingPosition: "LATEST" });
    const uuid = String(created["UUID"]);
    const updated = (await h.engine.operations.UpdateEventSourceMapping!(
      { UUID: uuid, Enabled: false },
      context,
    )) as {
      State: string;
    };
    expect(updated.State).toBe("Updating");
    await h.until(async () => (await h.get(uuid))["State"] === "Disabled");
    h.write("a");
    await h.run(2000);
    expect(h.invocations).toEqual([]);
    await h.engine.operations.UpdateEventSourceMapping!({ UUID: uuid, Enabled: true }, context);
    await h.until(() => h.invocations.length === 1);
    expect(h.invocations).toEqual([["a"]]);
  });

  it("two mappings on one stream each get every record", async () => {
    const h = await start();
    await h.create({ EventSourceArn: STREAM_ARN, StartingPosition: "LATEST" });
    await h.create({ EventSourceArn: STREAM_ARN, StartingPosition: "LATEST", FunctionName: "second" });
    h.write("a", "b");
    await h.until(() => h.invocations.flat().length === 4);
    expect(h.byFunction).toEqual({
      [FUNCTION_ARN]: ["a", "b"],
      [FUNCTION_ARN.replace("consumer", "second")]: ["a", "b"],
    });
  });

  it("the same function and source twice is a ResourceConflictException", async () => {
    const h = await start();
    const first = await h.create({ EventSourceArn: STREAM_ARN, StartingPosition: "LATEST" });
    const other = (await h.engine.operations.CreateEventSourceMapping!(
      { FunctionName: FUNCTION_ARN, EventSourceArn: STREAM_ARN, StartingPosition: "LATEST" },
      context,
    ).catch((error: unknown) => error)) as ServiceError;
    expect(other.code).toBe("ResourceConflictException");
    expect(other.status).toBe(409);
    expect(other.message).toContain(String(first["UUID"]));
  });

  it("delete answers Deleting and then the mapping is gone", async () => {
    const h = await start();
    const created = await h.create({ EventSourceArn: STREAM_ARN, StartingPosition: "LATEST" });
    const deleted = (await h.engine.operations.DeleteEventSourceMapping!(
      { UUID: created["UUID"] },
      context,
    )) as {
      State: string;
    };
    expect(deleted.State).toBe("Deleting");
    await h.run(100);
    await expect(h.get(String(created["UUID"]))).rejects.toMatchObject({ code: "ResourceNotFoundException" });
  });
});

describe("esm engine: validation", () => {
  const refuse = async (input: Record<string, unknown>) => {
    const h = harness ?? (await start());
    return (await h.engine.operations.CreateEventSourceMapping!(
      { FunctionName: "consumer", ...input },
      context,
    ).then(
      () => {
        throw new Error("expected a refusal");
      },
      (error: unknown) => error,
    )) as ServiceError;
  };

  it("refuses bad settings with AWS's error codes", async () => {
    await start();
    expect((await refuse({ EventSourceArn: STREAM_ARN })).message).toMatch(/StartingPosition is required/);
    expect((await refuse({ EventSourceArn: STREAM_ARN, StartingPosition: "AT_TIMESTAMP" })).code).toBe(
      "InvalidParameterValueException",
    );
    expect((await refuse({ EventSourceArn: QUEUE_ARN, StartingPosition: "LATEST" })).message).toMatch(
      /Unsupported StartingPosition parameter for SQS/,
    );
    const batch = await refuse({ EventSourceArn: STREAM_ARN, StartingPosition: "LATEST", BatchSize: 0 });
    expect(batch.code).toBe("ValidationException");
    expect(batch.message).toMatch(/at 'batchSize' failed to satisfy constraint/);
    expect((await refuse({ EventSourceArn: QUEUE_ARN, BatchSize: 50 })).message).toMatch(
      /Maximum batch window/,
    );
    expect(
      (
        await refuse({
          EventSourceArn: `${QUEUE_ARN}.fifo`,
          BatchSize: 11,
          MaximumBatchingWindowInSeconds: 1,
        })
      ).message,
    ).toMatch(/FIFO/);
    expect(
      (
        await refuse({
          EventSourceArn: STREAM_ARN,
          StartingPosition: "LATEST",
          MaximumRecordAgeInSeconds: 30,
        })
      ).code,
    ).toBe("ValidationException");
    expect(
      (await refuse({ EventSourceArn: "arn:aws:kinesis:us-east-1:000000000000:stream/x" })).message,
    ).toMatch(/Unsupported event source/);
    const filter = await refuse({
      EventSourceArn: STREAM_ARN,
      StartingPosition: "LATEST",
      FilterCriteria: { Filters: [{ Pattern: '{"a": "b"}' }] },
    });
    expect(filter.code).toBe("InvalidParameterValueException");
    expect(filter.message).toMatch(/Invalid filter pattern definition.*"a" must be an object or an array/);
    const fn = await refuse({ EventSourceArn: STREAM_ARN, StartingPosition: "LATEST", FunctionName: "nope" });
    expect(fn.code).toBe("ResourceNotFoundException");
    expect(fn.status).toBe(404);
    const missing = await refuse({ EventSourceArn: `${STREAM_ARN}x`, StartingPosition: "LATEST" });
    expect(missing.message).toMatch(/Stream not found/);
  });
});

describe("esm engine: SQS", () => {
  it("invokes with the SQS event shape and deletes what succeeded", async () => {
    const h = await start();
    let seen: Record<string, unknown> | undefined;
    h.handler = (records) => {
      seen ??= records[0];
      return {};
    };
    h.send("one", "two");
    await h.create({ EventSourceArn: QUEUE_ARN, BatchSize: 10 });
    await h.until(() => h.queue.every((m) => m.deleted));
    expect(h.invocations).toEqual([["one", "two"]]);
    expect(seen).toEqual({
      messageId: "m-1",
      receiptHandle: "rh-m-1",
      body: "one",
      attributes: { ApproximateReceiveCount: "1" },
      messageAttributes: {},
      md5OfBody: "md5",
      eventSource: "aws:sqs",
      eventSourceARN: QUEUE_ARN,
      awsRegion: REGION,
    });
  });

  it("partial batch failure leaves only the failed messages in the queue", async () => {
    const h = await start();
    h.handler = () => ({ payload: { batchItemFailures: [{ itemIdentifier: "m-2" }] } });
    h.send("one", "two", "three");
    await h.create({ EventSourceArn: QUEUE_ARN, FunctionResponseTypes: ["ReportBatchItemFailures"] });
    await h.until(() => h.invocations.length === 1 && h.queue.filter((m) => m.deleted).length === 2);
    expect(h.queue.map((m) => m.deleted)).toEqual([true, false, true]);
  });

  it("a message received again within the batching window is in the batch once", async () => {
    const h = await start();
    await h.create({ EventSourceArn: QUEUE_ARN, BatchSize: 20, MaximumBatchingWindowInSeconds: 2 });
    h.send("one");
    await h.run(500);
    // Its visibility timeout ran out while the window was still open.
    for (const m of h.queue) m.inFlight = false;
    await h.until(() => h.invocations.length === 1);
    expect(h.invocations).toEqual([["one"]]);
  });

  it("a function error deletes nothing; filtered-out messages are deleted unseen", async () => {
    const h = await start();
    h.handler = () => ({ error: true });
    h.send(JSON.stringify({ kind: "keep" }), JSON.stringify({ kind: "drop" }), "plain text");
    await h.create({
      EventSourceArn: QUEUE_ARN,
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ body: { kind: ["keep"] } }) }] },
    });
    await h.until(() => h.invocations.length === 1);
    await h.run(200);
    expect(h.invocations).toEqual([[JSON.stringify({ kind: "keep" })]]);
    expect(h.queue.map((m) => m.deleted)).toEqual([false, true, true]);
  });
});

/** Holds every invocation until the test releases it (oldest first). */
class Gate {
  private waiting: (() => void)[] = [];
  get held(): number {
    return this.waiting.length;
  }
  hold = (): Promise<HandlerResult> => new Promise((resolve) => this.waiting.push(() => resolve({})));
  releaseOne(): void {
    this.waiting.shift()?.();
  }
  releaseAll(): void {
    while (this.waiting.length > 0) this.releaseOne();
  }
}

describe("esm engine: SQS concurrency", () => {
  const bodies = (n: number) => Array.from({ length: n }, (_, i) => `m${i + 1}`);

  /** Releases held invocations one at a time until every message was deleted. */
  async function drain(h: Harness, gate: Gate, heldAtOnce: number): Promise<void> {
    await h.until(() => {
      if (h.queue.every((m) => m.deleted)) return true;
      // Release only when the bound is reached, so every invocation overlaps another.
      const backlog = h.queue.filter((m) => !m.deleted && !m.inFlight).length;
      if (gate.held >= heldAtOnce || (backlog === 0 && gate.held > 0)) gate.releaseOne();
      return false;
    }, 10);
  }

  it("MaximumConcurrency 2: never more than two invocations at once, every message once", async () => {
    const h = await start();
    const gate = new Gate();
    h.handler = gate.hold;
    h.send(...bodies(30));
    await h.create({ EventSourceArn: QUEUE_ARN, BatchSize: 3, ScalingConfig: { MaximumConcurrency: 2 } });
    await h.until(() => gate.held === 2);
    // Two batches are out; the rest stays visible in the queue (no third receive).
    expect(h.queue.filter((m) => m.inFlight && !m.deleted)).toHaveLength(6);
    await drain(h, gate, 2);
    expect(h.peak).toBe(2);
    expect(h.invocations.flat().sort()).toEqual(bodies(30).sort());
  });

  it("without ScalingConfig: five batches at once on AWS, bounded here by the function's capacity", async () => {
    const h = await start();
    const gate = new Gate();
    h.handler = gate.hold;
    h.send(...bodies(40));
    await h.create({ EventSourceArn: QUEUE_ARN, BatchSize: 2 });
    await h.until(() => gate.held === 4);
    await drain(h, gate, 4);
    expect(h.peak).toBe(4);
    expect(h.invocations.flat()).toHaveLength(40);
  });

  it("scales from five batches by one every 200 ms while messages wait, then back to one poller", async () => {
    harness = new Harness(undefined, undefined, 20);
    const h = harness;
    await h.engine.start();
    const gate = new Gate();
    h.handler = gate.hold;
    h.send(...bodies(100));
    await h.create({ EventSourceArn: QUEUE_ARN, BatchSize: 1 });
    await h.until(() => gate.held === 5, 1);
    // Released batches free their pollers, which find messages waiting: one more each 200 ms.
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) {
      await h.clock.advance(200);
      gate.releaseAll();
      // Every promise chain that does not wait on the clock settles before setImmediate fires.
      await new Promise((resolve) => setImmediate(resolve));
      seen.push(h.running);
    }
    expect(seen).toEqual([6, 7, 8, 9, 10]);
    gate.releaseAll();
    h.handler = () => ({});
    gate.releaseAll();
    await h.until(() => h.queue.every((m) => m.deleted));
    // Empty receives take the pollers back down to the one long poller.
    await h.run(3000);
    const before = h.receives;
    await h.run(2000);
    expect(h.receives - before).toBeLessThanOrEqual(11);
  });

  it("a throttled batch is retried while its messages are invisible, then processed once", async () => {
    const h = await start();
    h.reserved = 1;
    const gate = new Gate();
    h.handler = gate.hold;
    h.send(...bodies(4));
    await h.create({ EventSourceArn: QUEUE_ARN, BatchSize: 2, ScalingConfig: { MaximumConcurrency: 2 } });
    await h.until(() => h.throttles >= 3);
    expect(h.running).toBe(1);
    gate.releaseAll();
    h.handler = () => ({});
    await h.until(() => h.queue.every((m) => m.deleted));
    expect(h.peak).toBe(1);
    expect(h.invocations.flat().sort()).toEqual(bodies(4));
  });

  it("a batch throttled until its visibility timeout runs out is let go, not deleted", async () => {
    const h = await start();
    h.visibilityTimeout = 3;
    h.reserved = 0;
    h.send("m1");
    await h.create({ EventSourceArn: QUEUE_ARN });
    await h.until(() => h.throttles > 0);
    await h.run(3000);
    const throttles = h.throttles;
    await h.run(2000);
    expect(h.throttles).toBe(throttles);
    expect(h.queue[0]).toMatchObject({ deleted: false, inFlight: true });
  });

  it("an update waits for the old poller's batches: the bound holds and nothing is redelivered", async () => {
    const h = await start();
    const gate = new Gate();
    h.handler = gate.hold;
    h.send(...bodies(12));
    const created = await h.create({
      EventSourceArn: QUEUE_ARN,
      BatchSize: 2,
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    await h.until(() => gate.held === 2);
    await h.engine.operations.UpdateEventSourceMapping!({ UUID: created["UUID"], BatchSize: 3 }, context);
    await h.until(async () => (await h.get(String(created["UUID"])))["State"] === "Enabled");
    await h.run(1000);
    expect(h.running).toBe(2);
    await drain(h, gate, 2);
    expect(h.peak).toBe(2);
    expect(h.invocations.flat().sort()).toEqual(bodies(12).sort());
  });
});

describe("esm engine: SQS ScalingConfig and visibility validation", () => {
  const attempt = async (operation: string, input: Record<string, unknown>) =>
    (await harness.engine.operations[operation]!(input, context).then(
      () => {
        throw new Error("expected a refusal");
      },
      (error: unknown) => error,
    )) as ServiceError;

  it("MaximumConcurrency must be 2 to 1000 (ValidationException with the member path)", async () => {
    await start();
    for (const [value, rule] of [
      [1, "greater than or equal to 2"],
      [0, "greater than or equal to 2"],
      [1001, "less than or equal to 1000"],
    ] as const) {
      const error = await attempt("CreateEventSourceMapping", {
        FunctionName: "consumer",
        EventSourceArn: QUEUE_ARN,
        ScalingConfig: { MaximumConcurrency: value },
      });
      expect(error.code).toBe("ValidationException");
      expect(error.message).toBe(
        `1 validation error detected: Value '${value}' at 'scalingConfig.maximumConcurrency' failed to satisfy constraint: Member must have value ${rule}`,
      );
    }
  });

  it("ScalingConfig is refused for a DynamoDB stream", async () => {
    await start();
    const error = await attempt("CreateEventSourceMapping", {
      FunctionName: "consumer",
      EventSourceArn: STREAM_ARN,
      StartingPosition: "LATEST",
      ScalingConfig: { MaximumConcurrency: 5 },
    });
    expect(error.code).toBe("InvalidParameterValueException");
  });

  it("is returned when set and removed by an empty ScalingConfig", async () => {
    const h = await start();
    const created = await h.create({ EventSourceArn: QUEUE_ARN, ScalingConfig: { MaximumConcurrency: 7 } });
    expect(created["ScalingConfig"]).toEqual({ MaximumConcurrency: 7 });
    const uuid = created["UUID"];
    const updated = (await h.engine.operations.UpdateEventSourceMapping!(
      { UUID: uuid, ScalingConfig: {} },
      context,
    )) as Record<string, unknown>;
    expect(updated["ScalingConfig"]).toBeUndefined();
    expect((await h.get(String(uuid)))["ScalingConfig"]).toBeUndefined();
  });

  it("a queue visibility timeout shorter than the function timeout is refused on create and update", async () => {
    const h = await start();
    h.visibilityTimeout = 2;
    const error = await attempt("CreateEventSourceMapping", {
      FunctionName: "consumer",
      EventSourceArn: QUEUE_ARN,
    });
    expect(error.code).toBe("InvalidParameterValueException");
    expect(error.message).toBe(
      "Queue visibility timeout: 2 seconds is less than Function timeout: 3 seconds",
    );
    h.visibilityTimeout = 3;
    const created = await h.create({ EventSourceArn: QUEUE_ARN });
    h.functionTimeout = 10;
    const update = await attempt("UpdateEventSourceMapping", { UUID: created["UUID"], BatchSize: 5 });
    expect(update.message).toBe(
      "Queue visibility timeout: 3 seconds is less than Function timeout: 10 seconds",
    );
  });
});

describe("esm engine: persistence", () => {
  it("mappings and checkpoints survive a restart: nothing is delivered twice, LATEST stays put", async () => {
    const dir = mkdtempSync(join(tmpdir(), "esm-persist-"));
    try {
      const first = new Harness(dir);
      harness = first;
      await first.engine.start();
      first.write("before-mapping");
      const created = await first.create({
        EventSourceArn: STREAM_ARN,
        StartingPosition: "LATEST",
        BatchSize: 2,
      });
      first.write("a", "b");
      await first.until(() => first.invocations.flat().length === 2);
      await first.engine.stop();

      const second = new Harness(dir, first);
      harness = second;
      await second.engine.start();
      expect((await second.get(String(created["UUID"])))["State"]).toBe("Enabled");
      second.write("c");
      await second.until(() => second.invocations.length === 1);
      await second.run(1000);
      expect(second.invocations).toEqual([["c"]]);
    } finally {
      await harness.engine.stop();
      // afterEach stops `harness`; leave it one that writes nowhere.
      harness = new Harness();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
