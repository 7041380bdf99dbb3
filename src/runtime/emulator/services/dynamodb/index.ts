/**
 * DynamoDB (storage and semantics by dynalite) and DynamoDB Streams, built by one factory because
 * both sit on one change feed: DynamoDB appends a record for every effective write before it
 * answers; Streams reads them.
 *
 * Internal wake-up for in-process stream consumers (the Lambda event source mapping poller)
 * -----------------------------------------------------------------------------------------
 * Instead of sleeping between empty GetRecords calls, a poller can wait for the next record:
 *
 *   const { RecordsAvailable } = await env.call<{ RecordsAvailable: boolean }>(
 *     "dynamodbstreams", "WaitForRecords",
 *     { ShardIterator: iterator, TimeoutMs: 1000, Signal: abortSignal }, context);
 *
 * - `ShardIterator`: the NextShardIterator of the last GetRecords (or a fresh one). The call
 *   resolves `{ RecordsAvailable: true }` as soon as the shard holds a record at or after that
 *   iterator's position, or the shard is closed (stream disabled or table deleted: GetRecords then
 *   drains it and returns no NextShardIterator). It resolves at once when that is already so.
 * - `TimeoutMs` (default 1000, at most 60000) is measured on the emulator clock: with a ManualClock
 *   it fires on `advance()`. On timeout it resolves `{ RecordsAvailable: false }`; call GetRecords
 *   with the same iterator anyway (it is cheap) or wait again.
 * - `Signal` (an AbortSignal, in-process only) ends the wait early with `false`; stopping the
 *   emulator ends every wait with `false`.
 * - Errors are GetRecords's: ExpiredIteratorException (iterators live 15 minutes; waiting does not
 *   renew one, a GetRecords call does), TrimmedDataAccessException, ResourceNotFoundException,
 *   ValidationException for a malformed iterator.
 * WaitForRecords is not part of the AWS API: the HTTP endpoint answers UnknownOperationException.
 */
import { join } from "node:path";
import type { EmulatorRequest, EmulatorResponse } from "../../core/request.js";
import type { Operation, ServiceEnv, ServiceModule } from "../../core/service.js";
import { operationFromTarget, toServiceError } from "../../protocol/json.js";
import { ChangeFeed, type FeedEntry, type FeedSnapshot } from "./change-feed.js";
import { recoverInterruptedWrites } from "./crash-recovery.js";
import { DynaliteEngine } from "./dynalite-engine.js";
import { dynamoErrors, renderError } from "./errors.js";
import { ItemWriter } from "./item-writer.js";
import { KeyLocks } from "./key-lock.js";
import { DynamoDbProvider } from "./provider.js";
import { StreamsProvider } from "./streams-provider.js";
import { acceptTableArns } from "./table-arns.js";
import { TimeToLive } from "./ttl.js";
import { TTL_SWEEP_INTERVAL_MS } from "./limits.js";
import { Transactions } from "./transactions.js";

type Input = Record<string, unknown>;
type Handler = (input: Input) => Promise<unknown>;

export default function createDynamoDbServices(env: ServiceEnv): ServiceModule[] {
  const store = env.store<FeedSnapshot, FeedEntry>("dynamodb");
  const levelPath = store.directory ? join(store.directory, "leveldb") : undefined;
  let engine: DynaliteEngine | undefined;
  let feed: ChangeFeed | undefined;
  let ttl: TimeToLive | undefined;
  let dynamodbHandlers: Record<string, Handler> = {};
  let streamHandlers: Record<string, Handler> = {};
  /** Operations for in-process callers only (never routed from HTTP). */
  let internalStreamHandlers: Record<string, Handler> = {};

  const startDynamoDb = async () => {
    engine = new DynaliteEngine({
      ...(levelPath ? { path: levelPath } : {}),
      accountId: env.defaultAccountId,
      region: env.defaultRegion,
    });
    const liveEngine = engine;
    feed = new ChangeFeed(env.clock, store, (item) => liveEngine.itemSize(item));
    feed.load();
    await recoverInterruptedWrites(feed, engine, (message) => env.reportRecovery("dynamodb", message));
    const writer = new ItemWriter(engine, feed, new KeyLocks());
    const provider = new DynamoDbProvider(engine, feed, writer);
    const transactions = new Transactions(engine, writer, env.clock);
    const streams = new StreamsProvider(feed, env.clock);
    ttl = new TimeToLive(engine, writer, env.clock, {
      sweepIntervalMs: env.settings.ttlSweepIntervalMs ?? TTL_SWEEP_INTERVAL_MS,
      reportError: (error) => env.reportBackgroundError("dynamodb", error),
    });
    const timeToLive = ttl;
    timeToLive.start();
    dynamodbHandlers = {
      CreateTable: (i) => provider.createTable(i),
      DescribeTable: (i) => provider.describeTable(i),
      UpdateTable: (i) => provider.updateTable(i),
      DeleteTable: (i) => provider.deleteTable(i),
      ListTables: provider.passThrough("ListTables"),
      PutItem: (i) => provider.putItem(i),
      UpdateItem: (i) => provider.updateItem(i),
      DeleteItem: (i) => provider.deleteItem(i),
      BatchWriteItem: (i) => provider.batchWriteItem(i),
      TransactWriteItems: (i) => transactions.transactWriteItems(i),
      TransactGetItems: (i) => transactions.transactGetItems(i),
      GetItem: provider.passThrough("GetItem"),
      BatchGetItem: (i) => provider.batchGetItem(i),
      Query: (i) => provider.query(i),
      Scan: (i) => provider.scan(i),
      UpdateTimeToLive: (i) => timeToLive.updateTimeToLive(i),
      DescribeTimeToLive: (i) => timeToLive.describeTimeToLive(i),
      TagResource: provider.tags("TagResource"),
      UntagResource: provider.tags("UntagResource"),
      ListTagsOfResource: provider.tags("ListTagsOfResource"),
    };
    dynamodbHandlers = withTableArns(dynamodbHandlers);
    streamHandlers = {
      ListStreams: (i) => streams.listStreams(i),
      DescribeStream: (i) => streams.describeStream(i),
      GetShardIterator: (i) => streams.getShardIterator(i),
      GetRecords: (i) => streams.getRecords(i),
    };
    internalStreamHandlers = { WaitForRecords: (i) => streams.waitForRecords(i) };
  };

  const dynamodb: ServiceModule = {
    name: "dynamodb",
    operations: inProcessOperations(() => dynamodbHandlers, DYNAMODB_OPERATIONS),
    handle: (request) => handleJson(request, dynamodbHandlers),
    start: startDynamoDb,
    async stop() {
      await ttl?.stop();
      feed?.releaseWaiters();
      feed?.compact();
      await engine?.close();
      engine = undefined;
    },
    health: () => ({
      state: engine ? "running" : "error",
      detail: levelPath ? "dynalite (LevelDB)" : "dynalite (in memory)",
    }),
  };

  const dynamodbstreams: ServiceModule = {
    name: "dynamodbstreams",
    operations: inProcessOperations(
      () => ({ ...streamHandlers, ...internalStreamHandlers }),
      [...STREAMS_OPERATIONS, "WaitForRecords"],
    ),
    handle: (request) => handleJson(request, streamHandlers),
    async stop() {
      feed?.releaseWaiters();
    },
  };

  return [dynamodb, dynamodbstreams];
}

const DYNAMODB_OPERATIONS = [
  "CreateTable",
  "DescribeTable",
  "UpdateTable",
  "DeleteTable",
  "ListTables",
  "PutItem",
  "UpdateItem",
  "DeleteItem",
  "BatchWriteItem",
  "TransactWriteItems",
  "TransactGetItems",
  "GetItem",
  "BatchGetItem",
  "Query",
  "Scan",
  "UpdateTimeToLive",
  "DescribeTimeToLive",
  "TagResource",
  "UntagResource",
  "ListTagsOfResource",
];
const STREAMS_OPERATIONS = ["ListStreams", "DescribeStream", "GetShardIterator", "GetRecords"];

/** Every operation accepts a table ARN where it accepts a table name (table-arns.ts). */
function withTableArns(handlers: Record<string, Handler>): Record<string, Handler> {
  return Object.fromEntries(
    Object.entries(handlers).map(([operation, handler]) => [
      operation,
      async (input: Input) => {
        const restore = acceptTableArns(operation, input);
        return restore(await handler(input));
      },
    ]),
  );
}

/**
 * Operations for in-process callers: the input is copied first (dynalite's checks strip and
 * rewrite members of the object they get), and the Signal of WaitForRecords is kept as is.
 */
function inProcessOperations(
  handlers: () => Record<string, Handler>,
  names: string[],
): Record<string, Operation> {
  const operations: Record<string, Operation> = {};
  for (const name of names) {
    operations[name] = async (input: unknown) => {
      const handler = handlers()[name];
      if (!handler) throw dynamoErrors.unknownOperation(name);
      const { Signal: signal, ...rest } = (input ?? {}) as Input;
      const copy = structuredClone(rest);
      if (signal !== undefined) copy["Signal"] = signal;
      return handler(copy);
    };
  }
  return operations;
}

/** awsJson 1.0, with error bodies exactly as dynalite (or the emulator, in the same shape) wrote them. */
async function handleJson(
  request: EmulatorRequest,
  handlers: Record<string, Handler>,
): Promise<EmulatorResponse> {
  try {
    const operation = operationFromTarget(request.headers["x-amz-target"]) ?? "";
    const handler = handlers[operation];
    if (!handler) throw dynamoErrors.unknownOperation(operation);
    if (request.body.length === 0) throw dynamoErrors.serialization();
    let input: unknown;
    try {
      input = JSON.parse(request.body.toString("utf8"));
    } catch {
      throw dynamoErrors.serialization();
    }
    if (input === null || typeof input !== "object" || Array.isArray(input))
      throw dynamoErrors.serialization("Start of structure or map found where not expected");
    const output = await handler(input as Input);
    return {
      status: 200,
      headers: { "content-type": "application/x-amz-json-1.0" },
      body: JSON.stringify(output ?? {}),
    };
  } catch (error) {
    const { status, body } = renderError(toServiceError(error));
    return {
      status,
      headers: {
        "content-type": "application/x-amz-json-1.0",
        "x-amzn-requestid": request.context.requestId,
      },
      body: JSON.stringify(body),
    };
  }
}
