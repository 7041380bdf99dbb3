import { CreateTableCommand, DynamoDBClient, QueryCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { Context, SQSBatchResponse, SQSRecord } from "aws-lambda";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createHandler, manualScrapeEvent } from "../../../src/pipeline/handlers/scrape.js";
import type { ScrapeOverrides } from "../../../src/pipeline/handlers/scrape.js";
import { demoRoster, SOURCES, validateCompleteness } from "../../../src/pipeline/model/index.js";
import type { SourceName } from "../../../src/pipeline/model/index.js";
import { VirtualClock } from "../../../src/pipeline/sources/index.js";
import { TABLE_INDEXES, defineStack, scraperFunctionKey } from "../../../src/pipeline/stack/index.js";
import type { PlanResult } from "../../../src/pipeline/stages/plan-run.js";
import { readRunProgress } from "../../../src/pipeline/stages/run-progress.js";
import type { SourceRunProgress } from "../../../src/pipeline/stages/run-progress.js";
import { createEmulator, type Emulator } from "../../../src/runtime/emulator/index.js";
import { changedCelebrityIds, startFixtureServer } from "../../../src/runtime/fixtures/index.js";
import { importDemo } from "../../../src/runtime/roster/index.js";
import type { FixtureServer } from "../../../src/runtime/fixtures/index.js";
import { clientConfig } from "../../helpers/crash-clients.js";
import { testStackParams } from "../../helpers/stack-params.js";

const DEMO_ROSTER = demoRoster();

/**
 * The four scrapers' handler against the emulator's DynamoDB and SQS (table and queues from the
 * stack's declaration) and the fixture source server, built with createHandler from the
 * environment the stack declares (base URLs pointed at the fixture server as config does). A run
 * is what it is when deployed: the handler plans it from a rule's event, sending shards to the
 * source's work queue; this test then plays the worker mapping (ReceiveMessage, one shard per
 * invocation as a Lambda SQS record, DeleteMessage unless reported failed) until the queue is
 * empty. Source time is virtual: backoff, Retry-After and rate-limit waits advance a clock.
 */

const stack = defineStack(testStackParams({ suffix: "-scrape-it" }));
const tableName = stack.table.name;
// Given directly, as an in-process run passes config's apiKey (the deployed functions read SSM).
const API_KEY = testStackParams().sources.tmdb.apiKey ?? "";
const RUN_START = Date.UTC(2026, 7, 2, 2, 0, 0);

let emulator: Emulator;
let fixture: FixtureServer;
let dynamodb: DynamoDBClient;
let sqs: SQSClient;
/** Successful writes (UpdateItem, which bumps the version) of a celebrity item: what a stream would see. */
let celebrityPuts = 0;
let eventCounter = 0;

beforeAll(async () => {
  [emulator, fixture] = await Promise.all([
    createEmulator({ port: 0, services: ["dynamodb", "dynamodbstreams", "sqs"] }),
    startFixtureServer({ seed: 11, retryAfterSeconds: 2, roster: DEMO_ROSTER }),
  ]);
  dynamodb = new DynamoDBClient(clientConfig(emulator.url));
  sqs = new SQSClient(clientConfig(emulator.url));
  dynamodb.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const key = (args.input as { Key?: Record<string, AttributeValue> }).Key;
      if (context.commandName === "UpdateItemCommand" && key?.pk?.S?.startsWith("CELEB#")) celebrityPuts += 1;
      return result;
    },
    { step: "initialize", name: "countCelebrityPuts" },
  );
  await dynamodb.send(new CreateTableCommand(stack.table.definition));
  // The DLQ first: the work queues' redrive policies name it.
  await sqs.send(new CreateQueueCommand(stack.queues.scraperDlq.definition));
  for (const queue of Object.values(stack.workQueues))
    await sqs.send(new CreateQueueCommand(queue.definition));
  // The scrapers read whom to follow from the table: the demo people, as `roster import --demo`.
  await importDemo(dynamodb, tableName);
}, 60_000);

afterAll(async () => {
  dynamodb?.destroy();
  sqs?.destroy();
  await Promise.all([emulator?.stop(), fixture?.stop()]);
});

afterEach(() => {
  fixture.setFaults({});
});

function envFor(source: SourceName, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...stack.functions[scraperFunctionKey(source)].definition.Environment.Variables,
    SOURCE_BASE_URL: `${fixture.url}/${source}`,
    SOURCE_AUX_BASE_URL: `${fixture.url}/${source}/aux`,
    SOURCE_RATE_LIMIT_PER_SECOND: "1000",
    // One worker here (this test's driver), with the whole rate: no rate-limit waits on the clock.
    WORKER_CONCURRENCY: "1",
    SOURCE_API_KEY: API_KEY,
    // A failed shard is visible again at once: the test's own driver is the mapping.
    SHARD_RETRY_SECONDS: "0",
    POWERTOOLS_LOG_LEVEL: "SILENT",
    ...extra,
  };
}

function handlerFor(
  source: SourceName,
  options: { offsetMs?: number; env?: Record<string, string> } & ScrapeOverrides = {},
) {
  const { offsetMs = 0, env, ...overrides } = options;
  return createHandler(envFor(source, env), {
    client: dynamodb,
    sqs,
    clock: new VirtualClock(RUN_START + offsetMs),
    random: () => 0.5,
    ...overrides,
  });
}

function nextEvent(runId: string) {
  eventCounter += 1;
  return manualScrapeEvent({ id: `evt-${eventCounter}`, runId });
}

async function queueUrl(name: string): Promise<string> {
  return (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl!;
}

/**
 * Plays the worker mapping of one source's queue: receives one message at a time (all attributes,
 * so ApproximateReceiveCount), invokes the handler with it as a Lambda SQS record, and deletes it
 * unless the handler reported it failed; until nothing is left to receive.
 */
async function drainWorkQueue(
  source: SourceName,
  handler: ReturnType<typeof handlerFor>,
  context?: Context,
): Promise<number> {
  const queue = stack.workQueues[source];
  const url = await queueUrl(queue.name);
  let invocations = 0;
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 1,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ["All"],
        MessageAttributeNames: ["All"],
      }),
    );
    const [message] = Messages;
    if (message === undefined) {
      const depth = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ["ApproximateNumberOfMessagesNotVisible"],
        }),
      );
      if (Number(depth.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) === 0) return invocations;
      await new Promise((resolve) => setTimeout(resolve, 50));
      continue;
    }
    const record: SQSRecord = {
      messageId: message.MessageId!,
      receiptHandle: message.ReceiptHandle!,
      body: message.Body!,
      attributes: message.Attributes as unknown as SQSRecord["attributes"],
      messageAttributes: Object.fromEntries(
        Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
          name,
          { stringValue: value.StringValue, dataType: value.DataType ?? "String" },
        ]),
      ),
      md5OfBody: message.MD5OfBody ?? "",
      eventSource: "aws:sqs",
      eventSourceARN: queue.arn,
      awsRegion: "us-east-1",
    };
    invocations += 1;
    const answer = (await handler({ Records: [record] }, context)) as SQSBatchResponse;
    if (!answer.batchItemFailures.some((failure) => failure.itemIdentifier === record.messageId)) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: record.receiptHandle }));
    }
  }
}

/** One source's run, planned from a rule's event and worked off its queue. */
async function runSource(
  source: SourceName,
  runId: string,
  options: Parameters<typeof handlerFor>[1] = {},
  context?: Context,
): Promise<{ plan: PlanResult; progress: SourceRunProgress; invocations: number }> {
  const handler = handlerFor(source, options);
  const plan = (await handler(nextEvent(runId))) as PlanResult;
  const invocations = await drainWorkQueue(source, handler, context);
  const progress = (await readRunProgress(dynamodb, tableName, runId)).get(source)!;
  return { plan, progress, invocations };
}

async function runAll(runId: string, offsetMs = 0) {
  return Promise.all(SOURCES.map((source) => runSource(source, runId, { offsetMs })));
}

async function scanAll(): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []).map((item) => unmarshall(item)));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}

const celebrityItems = async () => (await scanAll()).filter((item) => String(item.pk).startsWith("CELEB#"));

describe("scrape handler (emulator DynamoDB and SQS + fixture server)", () => {
  it("first run: 100 celebrities x 4 sources planned in 4 shards each, written with GSI keys", async () => {
    // Act
    const results = await runAll("run-first");

    // Assess
    for (const { plan, progress, invocations } of results) {
      expect(plan.record).toMatchObject({ status: "planned", shards: 4, shardSize: 25, rosterSize: 100 });
      expect(progress).toMatchObject({ shards: 4, done: 4, failed: 0, pending: 0, complete: true });
      expect(progress.counts).toStrictEqual({ fetched: 100, written: 100, unchanged: 0, failed: 0 });
      expect(invocations).toBe(4);
    }
    const items = await celebrityItems();
    expect(items).toHaveLength(400);
    expect(items.flatMap((item) => validateCompleteness(item))).toStrictEqual([]);
    expect(celebrityPuts).toBe(400);
    // A new item's version starts at its write time in microseconds, plus one (model/version.ts).
    for (const item of items) expect(item.version).toBe(Date.parse(String(item.timestamp)) * 1000 + 1);

    // The GSIs answer: browse by category, find one handle's four items.
    const actor = DEMO_ROSTER.find((c) => c.category === "actor")!;
    const byCategory = await dynamodb.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: TABLE_INDEXES.byCategoryLocation,
        KeyConditionExpression: "#pk = :pk",
        ExpressionAttributeNames: { "#pk": "gsi1pk" },
        ExpressionAttributeValues: { ":pk": { S: "CATEGORY#actor" } },
      }),
    );
    const actors = DEMO_ROSTER.filter((c) => c.category === "actor").length;
    expect(byCategory.Count).toBe(actors * 4);
    const byHandle = await dynamodb.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: TABLE_INDEXES.bySocialHandle,
        KeyConditionExpression: "#pk = :pk",
        ExpressionAttributeNames: { "#pk": "gsi2pk" },
        ExpressionAttributeValues: { ":pk": { S: `SOCIAL#${actor.handle}` } },
      }),
    );
    // GSI2 answers "whose handle is this?": the roster record and the person's four items.
    expect(byHandle.Items?.map((i) => i.sk?.S).sort()).toStrictEqual(
      ["PROFILE", ...SOURCES.map((s) => `SOURCE#${s}`)].sort(),
    );
  });

  it("re-run with unchanged data: nothing written, timestamps untouched, counted as unchanged", async () => {
    // Prepare
    const before = new Map((await celebrityItems()).map((item) => [`${item.pk}|${item.sk}`, item.timestamp]));
    const putsBefore = celebrityPuts;

    // Act: an hour later, same day, same data.
    const results = await runAll("run-unchanged", 3_600_000);

    // Assess
    for (const { progress } of results) {
      expect(progress.counts).toStrictEqual({ fetched: 100, written: 0, unchanged: 100, failed: 0 });
    }
    expect(celebrityPuts - putsBefore).toBe(0);
    const after = await celebrityItems();
    expect(after).toHaveLength(400);
    expect(after.every((item) => before.get(`${item.pk}|${item.sk}`) === item.timestamp)).toBe(true);
    const records = (await scanAll()).filter((item) => String(item.pk).startsWith("RUN#"));
    expect(records.filter((item) => item.recordType === "run")).toHaveLength(8);
    expect(records.filter((item) => item.recordType === "shard")).toHaveLength(32);
  });

  it("changed data at the source: exactly the changed celebrities are written", async () => {
    // Prepare
    fixture.setEpoch(1);
    const changed = changedCelebrityIds(0, 1, undefined, DEMO_ROSTER);
    const putsBefore = celebrityPuts;
    // What each item was before: the workers' rate limiter moves the virtual clock on (a worker
    // waits an interval before its shard), so the earlier write times are read, not assumed.
    const before = new Map((await celebrityItems()).map((item) => [`${item.pk}/${item.sk}`, item]));

    // Act
    const results = await runAll("run-epoch-1", 7_200_000);

    // Assess
    for (const { progress } of results) {
      expect(progress.counts).toStrictEqual({
        fetched: 100,
        written: changed.length,
        unchanged: 100 - changed.length,
        failed: 0,
      });
    }
    expect(celebrityPuts - putsBefore).toBe(changed.length * 4);
    const rewritten = (await celebrityItems()).filter(
      (item) => item.timestamp !== before.get(`${item.pk}/${item.sk}`)?.timestamp,
    );
    expect(new Set(rewritten.map((item) => item.celebrityId))).toStrictEqual(new Set(changed));
    // A rewrite counts the existing version up by one (it does not restart from its own time).
    for (const item of rewritten)
      expect(item.version).toBe(Number(before.get(`${item.pk}/${item.sk}`)?.version) + 1);
  });

  it("a 429 storm (30% of requests, Retry-After 2 s) is absorbed by the client's retries", async () => {
    // Prepare
    fixture.setFaults({ rates: { "429": 0.3 } });
    fixture.resetStats();
    const clock = new VirtualClock(RUN_START + 10_800_000);

    // Act
    const { progress } = await runSource("social", "run-storm", { clock, retry: { maxAttempts: 8 } });

    // Assess: every celebrity fetched, nothing failed; the retries waited as the server asked.
    const stats = fixture.stats;
    expect(progress).toMatchObject({ done: 4, failed: 0, counts: { fetched: 100, failed: 0 } });
    expect(stats.faults["429"]).toBeGreaterThan(30);
    expect(progress.retries).toBe(stats.faults["429"]);
    expect(clock.slept.filter((ms) => ms === 2000)).toHaveLength(stats.faults["429"]);
  });

  it("a request that times out once is retried and the run succeeds", async () => {
    fixture.setFaults({ rules: [{ kind: "timeout", source: "news", celebrityId: "021", times: 1 }] });
    const { progress } = await runSource("news", "run-timeout", { env: { HTTP_TIMEOUT_MS: "200" } });
    expect(progress).toMatchObject({ complete: true, failed: 0, counts: { fetched: 100, failed: 0 } });
    expect(progress.retries).toBe(1);
  });

  it("a malformed body for one celebrity is a permanent failure; the rest are processed", async () => {
    // Prepare
    fixture.setFaults({ rules: [{ kind: "malformed", source: "social", celebrityId: "042" }] });
    fixture.setEpoch(2);
    const changedIds = changedCelebrityIds(1, 2, undefined, DEMO_ROSTER).filter((id) => id !== "042");

    // Act
    const { progress } = await runSource("social", "run-malformed", { offsetMs: 14_400_000 });

    // Assess: the shard is done; the person is a counted failure, not a reason to retry.
    expect(progress).toMatchObject({ complete: true, done: 4, failed: 0 });
    expect(progress.counts).toStrictEqual({
      fetched: 99,
      written: changedIds.length,
      unchanged: 99 - changedIds.length,
      failed: 1,
    });
    expect(progress.failures).toStrictEqual([
      {
        celebrityId: "042",
        reason: expect.stringMatching(
          /^social GET \/social\/xrpc\/app\.bsky\.actor\.getProfile: response is not valid JSON/,
        ),
      },
    ]);
  });

  it("500s beyond the retries on every receive: the shard is retried, recorded failed on the last, then dead-lettered", async () => {
    // Prepare
    fixture.setFaults({ rules: [{ kind: "500", source: "tmdb", celebrityId: "010" }] });
    fixture.resetStats();

    // Act
    const { progress, invocations } = await runSource("tmdb", "run-500", {
      offsetMs: 18_000_000,
      retry: { maxAttempts: 3 },
    });

    // Assess: shard 0 (people 001-025) received maxReceiveCount (5) times, 3 requests each time.
    expect(invocations).toBe(3 + 5);
    expect(fixture.stats.faults["500"]).toBe(3 * 5);
    expect(progress).toMatchObject({
      complete: true,
      done: 3,
      failed: 1,
      failedShards: [0],
      peopleInFailedShards: 25,
      lastError: expect.stringMatching(/HTTP 500 \(gave up after 3 attempts\)/),
    });
    const dlq = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: await queueUrl(stack.queues.scraperDlq.name),
        MaxNumberOfMessages: 10,
      }),
    );
    expect(dlq.Messages).toHaveLength(1);
    expect(JSON.parse(dlq.Messages![0]!.Body!)).toMatchObject({
      kind: "scrape-shard",
      runId: "run-500",
      shard: 0,
    });
  });

  it("near Lambda's timeout: a worker starts nothing, records the shard as retrying and reports it failed", async () => {
    const context = { awsRequestId: "req-1", getRemainingTimeInMillis: () => 5000 } as unknown as Context;
    const handler = handlerFor("news");
    await handler(nextEvent("run-late"));
    const url = await queueUrl(stack.workQueues.news.name);
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 1,
        MessageSystemAttributeNames: ["All"],
        MessageAttributeNames: ["All"],
      }),
    );
    const message = Messages[0]!;
    const answer = (await handler(
      {
        Records: [
          {
            messageId: message.MessageId!,
            receiptHandle: message.ReceiptHandle!,
            body: message.Body!,
            attributes: message.Attributes as unknown as SQSRecord["attributes"],
            messageAttributes: {},
            md5OfBody: "",
            eventSource: "aws:sqs",
            eventSourceARN: stack.workQueues.news.arn,
            awsRegion: "us-east-1",
          },
        ],
      },
      context,
    )) as SQSBatchResponse;
    expect(answer.batchItemFailures).toStrictEqual([{ itemIdentifier: message.MessageId }]);
    const progress = (await readRunProgress(dynamodb, tableName, "run-late")).get("news")!;
    expect(progress).toMatchObject({ retrying: 1, pending: 4, complete: false });
    expect(progress.lastError).toMatch(/^stopped with 5000 ms of the function's time left/);
    // The rest of the run, on time.
    await drainWorkQueue("news", handler);
    expect((await readRunProgress(dynamodb, tableName, "run-late")).get("news")).toMatchObject({
      complete: true,
      done: 4,
    });
  });

  it("logs structured JSON with the run's correlation id and never the API key", async () => {
    // Prepare: a key in the env, debug logging, a few retries and a permanent failure to log about.
    fixture.setFaults({
      rates: { "429": 0.1 },
      rules: [{ kind: "malformed", source: "tmdb", celebrityId: "003" }],
    });
    const lines: string[] = [];
    const capture = (chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    };
    // Powertools writes INFO/DEBUG to stdout and WARN/ERROR to stderr, as console does.
    const spies = [
      vi.spyOn(process.stdout, "write").mockImplementation(capture),
      vi.spyOn(process.stderr, "write").mockImplementation(capture),
    ];
    try {
      const handler = handlerFor("tmdb", { env: { POWERTOOLS_LOG_LEVEL: "DEBUG" }, offsetMs: 21_600_000 });
      await handler(manualScrapeEvent({ id: "evt-logs", runId: "run-logs", limit: 10 }));
      await drainWorkQueue("tmdb", handler);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }

    // Assess
    const text = lines.join("");
    expect(API_KEY.length).toBeGreaterThan(4);
    expect(text).not.toContain(API_KEY);
    const records = text
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.length).toBeGreaterThan(3);
    // The planner logs under the event's id; a worker under the run its shard belongs to.
    expect(records.every((r) => r.correlation_id === "evt-logs" || r.correlation_id === "run-logs")).toBe(
      true,
    );
    expect(records.filter((r) => r.correlation_id === "run-logs").length).toBeGreaterThan(3);
    expect(records.every((r) => r.runId === "run-logs")).toBe(true);
    expect(records.find((r) => r.message === "run planned: shards sent to the work queue")).toMatchObject({
      shards: 1,
      rosterSize: 10,
      correlation_id: "evt-logs",
    });
    expect(records.find((r) => r.message === "celebrity failed permanently; skipped")).toMatchObject({
      level: "WARN",
      celebrityId: "003",
      runId: "run-logs",
      source: "tmdb",
    });
    expect(records.find((r) => r.message === "shard done")).toMatchObject({ fetched: 9, failed: 1 });
    expect(records.some((r) => r.message === "source request retried")).toBe(true);
  });
});
