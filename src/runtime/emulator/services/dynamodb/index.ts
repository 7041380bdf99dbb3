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
import type { EmulatorRequest, EmulatorResponse, RequestContext } from "../../core/request.js";
import type { Operation, ServiceEnv, ServiceModule } from "../../core/service.js";
import { operationFromTarget, toServiceError } from "../../protocol/json.js";
import { backupOperations } from "./backup-operations.js";
import { Backups } from "./backups.js";
import { ChangeFeed } from "./change-feed.js";
import { recoverInterruptedWrites } from "./crash-recovery.js";
import { DynaliteEngine } from "./dynalite-engine.js";
import { dynamoErrors, renderError } from "./errors.js";
import { ItemWriter } from "./item-writer.js";
import { KeyLocks } from "./key-lock.js";
import { PointInTime } from "./point-in-time.js";
import { DynamoDbProvider } from "./provider.js";
import { RegionalStates, type RegionPlace, type RegionalService } from "./regional-states.js";
import { StreamsProvider } from "./streams-provider.js";
import { acceptTableArns } from "./table-arns.js";
import { removeInterruptedRestores } from "./table-restore.js";
import { TimeToLive } from "./ttl.js";
import { INDEX_BUILD_MS, TTL_SWEEP_INTERVAL_MS } from "./limits.js";
import { IndexUpdates } from "./index-updates.js";
import { PartiQL } from "./partiql.js";
import { Transactions } from "./transactions.js";

type Input = Record<string, unknown>;
type Handler = (input: Input, context: RequestContext) => Promise<unknown>;

export default function createDynamoDbServices(env: ServiceEnv): ServiceModule[] {
  /**
   * One account and region's DynamoDB: its own dynalite store, change feed and operations
   * (regional-states.ts picks it from the request's context).
   */
  const openRegion = async (place: RegionPlace): Promise<RegionalDynamoDb> => {
    const { store, levelPath } = place;
    const engine = new DynaliteEngine({
      ...(levelPath ? { path: levelPath } : {}),
      accountId: place.accountId,
      region: place.region,
    });
    const liveEngine = engine;
    const feed = new ChangeFeed(env.clock, store, (item) => liveEngine.itemSize(item));
    feed.load();
    // Repairs outside the default account and region say where they were made.
    const where =
      place.accountId === env.defaultAccountId && place.region === env.defaultRegion
        ? "dynamodb:"
        : `dynamodb/${place.accountId}/${place.region}:`;
    await recoverInterruptedWrites(feed, engine, (message) =>
      env.reportRecovery("dynamodb", message.replace(/^dynamodb:/, where)),
    );
    const backups = new Backups(engine, feed, place.storeFor("backups"), env.clock);
    backups.load();
    const pointInTime = new PointInTime(engine, feed, place.storeFor("pitr"), env.clock);
    await pointInTime.load();
    await removeInterruptedRestores(engine, (message) =>
      env.reportRecovery("dynamodb", message.replace(/^dynamodb:/, where)),
    );
    const writer = new ItemWriter(engine, feed, new KeyLocks(), pointInTime);
    const indexes = new IndexUpdates(engine, writer, env.clock, {
      buildMs: env.settings.indexBuildMs ?? INDEX_BUILD_MS,
      reportError: (error) => env.reportBackgroundError("dynamodb", error),
    });
    const provider = new DynamoDbProvider(engine, feed, writer, indexes);
    const transactions = new Transactions(engine, writer, env.clock);
    const partiql = new PartiQL(engine, writer, provider, transactions);
    const streams = new StreamsProvider(feed, env.clock);
    const ttl = new TimeToLive(engine, writer, env.clock, {
      sweepIntervalMs: env.settings.ttlSweepIntervalMs ?? TTL_SWEEP_INTERVAL_MS,
      reportError: (error) => env.reportBackgroundError("dynamodb", error),
    });
    let dynamodbHandlers: Record<string, Handler> = {
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
      ExecuteStatement: (i) => partiql.executeStatement(i),
      BatchExecuteStatement: (i) => partiql.batchExecuteStatement(i),
      ExecuteTransaction: (i) => partiql.executeTransaction(i),
      GetItem: provider.passThrough("GetItem"),
      BatchGetItem: (i) => provider.batchGetItem(i),
      Query: (i) => provider.query(i),
      Scan: (i) => provider.scan(i),
      UpdateTimeToLive: (i) => ttl.updateTimeToLive(i),
      DescribeTimeToLive: (i) => ttl.describeTimeToLive(i),
      TagResource: provider.tags("TagResource"),
      UntagResource: provider.tags("UntagResource"),
      ListTagsOfResource: provider.tags("ListTagsOfResource"),
      ...backupOperations(engine, writer, backups, pointInTime, (i) => provider.deleteTable(i)),
    };
    dynamodbHandlers = withTableArns(dynamodbHandlers);
    const streamHandlers: Record<string, Handler> = {
      ListStreams: (i) => streams.listStreams(i),
      DescribeStream: (i) => streams.describeStream(i),
      GetShardIterator: (i) => streams.getShardIterator(i),
      GetRecords: (i) => streams.getRecords(i),
    };
    const internalStreamHandlers: Record<string, Handler> = {
      WaitForRecords: (i) => streams.waitForRecords(i),
    };
    return {
      dynamodbHandlers,
      streamHandlers,
      internalStreamHandlers,
      // Background work starts once the emulator runs (start-up order), per account and region.
      async run() {
        ttl.start();
        // Index builds and drops a restart interrupted carry on.
        await indexes.resume();
      },
      releaseWaiters: () => feed.releaseWaiters(),
      async stop() {
        await ttl.stop();
        await indexes.stop();
        feed.releaseWaiters();
        feed.compact();
        backups.compact();
        pointInTime.compact();
        await engine.close();
      },
    };
  };

  const regions = new RegionalStates(env, openRegion);
  let started = false;
  /** The handler of `operation` in the request's account and region (undefined: not served). */
  const handlerIn =
    (pick: (region: RegionalDynamoDb) => Record<string, Handler>, names: readonly string[]) =>
    async (operation: string, context: RequestContext): Promise<Handler | undefined> => {
      if (!names.includes(operation)) return undefined;
      const region = await regions.forRequest(context, CREATING_OPERATIONS.has(operation));
      return pick(region)[operation];
    };
  const dynamodbHandler = handlerIn((r) => r.dynamodbHandlers, DYNAMODB_OPERATIONS);
  const streamHandler = handlerIn((r) => r.streamHandlers, STREAMS_OPERATIONS);
  const inProcessStreamHandler = handlerIn(
    (r) => ({ ...r.streamHandlers, ...r.internalStreamHandlers }),
    [...STREAMS_OPERATIONS, "WaitForRecords"],
  );

  const dynamodb: ServiceModule = {
    name: "dynamodb",
    operations: inProcessOperations(dynamodbHandler, DYNAMODB_OPERATIONS),
    handle: (request) => handleJson(request, dynamodbHandler),
    async start() {
      await regions.start();
      started = true;
    },
    run: () => regions.run(),
    async stop() {
      started = false;
      await regions.stop();
    },
    health: () => ({
      state: started ? "running" : "error",
      detail:
        `${regions.persistent ? "dynalite (LevelDB)" : "dynalite (in memory)"}, ` +
        `${regions.size} account/region${regions.size === 1 ? "" : "s"}`,
    }),
  };

  const dynamodbstreams: ServiceModule = {
    name: "dynamodbstreams",
    operations: inProcessOperations(inProcessStreamHandler, [...STREAMS_OPERATIONS, "WaitForRecords"]),
    handle: (request) => handleJson(request, streamHandler),
    async stop() {
      for (const { service } of await regions.list()) service.releaseWaiters();
    },
  };

  return [dynamodb, dynamodbstreams];
}

/** One account and region's DynamoDB and DynamoDB Streams. */
interface RegionalDynamoDb extends RegionalService {
  dynamodbHandlers: Record<string, Handler>;
  streamHandlers: Record<string, Handler>;
  /** Operations for in-process callers only (never routed from HTTP). */
  internalStreamHandlers: Record<string, Handler>;
  releaseWaiters(): void;
}

/** Operations that make a table, and so the account and region's DynamoDB if it has none yet. */
const CREATING_OPERATIONS = new Set(["CreateTable"]);

const DYNAMODB_OPERATIONS: readonly string[] = [
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
  "ExecuteStatement",
  "BatchExecuteStatement",
  "ExecuteTransaction",
  "GetItem",
  "BatchGetItem",
  "Query",
  "Scan",
  "UpdateTimeToLive",
  "DescribeTimeToLive",
  "TagResource",
  "UntagResource",
  "ListTagsOfResource",
  "CreateBackup",
  "DescribeBackup",
  "ListBackups",
  "DeleteBackup",
  "RestoreTableFromBackup",
  "UpdateContinuousBackups",
  "DescribeContinuousBackups",
  "RestoreTableToPointInTime",
];
const STREAMS_OPERATIONS: readonly string[] = [
  "ListStreams",
  "DescribeStream",
  "GetShardIterator",
  "GetRecords",
];

/** Every operation accepts a table ARN where it accepts a table name (table-arns.ts). */
function withTableArns(handlers: Record<string, Handler>): Record<string, Handler> {
  return Object.fromEntries(
    Object.entries(handlers).map(([operation, handler]) => [
      operation,
      async (input: Input, context: RequestContext) => {
        const restore = acceptTableArns(operation, input, {
          accountId: context.accountId,
          region: context.region,
          ...(context.caller ? { callerArn: context.caller.arn } : {}),
        });
        return restore(await handler(input, context));
      },
    ]),
  );
}

type HandlerLookup = (operation: string, context: RequestContext) => Promise<Handler | undefined>;

/**
 * Operations for in-process callers, run as their context's account and region: the input is
 * copied first (dynalite's checks strip and rewrite members of the object they get), and the
 * Signal of WaitForRecords is kept as is.
 */
function inProcessOperations(handlers: HandlerLookup, names: readonly string[]): Record<string, Operation> {
  const operations: Record<string, Operation> = {};
  for (const name of names) {
    operations[name] = async (input: unknown, context: RequestContext) => {
      const handler = await handlers(name, context);
      if (!handler) throw dynamoErrors.unknownOperation(name);
      const { Signal: signal, ...rest } = (input ?? {}) as Input;
      const copy = structuredClone(rest);
      if (signal !== undefined) copy["Signal"] = signal;
      return handler(copy, context);
    };
  }
  return operations;
}

/** awsJson 1.0, with error bodies exactly as dynalite (or the emulator, in the same shape) wrote them. */
async function handleJson(request: EmulatorRequest, handlers: HandlerLookup): Promise<EmulatorResponse> {
  try {
    const operation = operationFromTarget(request.headers["x-amz-target"]) ?? "";
    const handler = await handlers(operation, request.context);
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
    const output = await handler(input as Input, request.context);
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
