import { randomUUID } from "node:crypto";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import type { AttributeValue, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { Client as OpenSearchClient } from "@opensearch-project/opensearch";
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { createHandler as createIndexSyncHandler } from "../../pipeline/handlers/index-sync.js";
import { createHandler as createPostProcessHandler } from "../../pipeline/handlers/post-process.js";
import {
  createHandler as createScrapeHandler,
  parseScrapeEvent,
  ScrapeEventError,
} from "../../pipeline/handlers/scrape.js";
import { isCelebrityKey, KEY_ATTRIBUTES } from "../../pipeline/model/keys.js";
import { SOURCES, type SourceName } from "../../pipeline/model/sources.js";
import { defineStack } from "../../pipeline/stack/define-stack.js";
import { scraperFunctionKey } from "../../pipeline/stack/names.js";
import { HANDLER_ENV } from "../../pipeline/stack/handler-env.js";
import type { FunctionDeclaration, FunctionKey, Stack } from "../../pipeline/stack/index.js";
import { createOpenSearchClient, openSearchIndexPort } from "../../pipeline/stages/index-sync-opensearch.js";
import type { PlanResult } from "../../pipeline/stages/plan-run.js";
import { readRunProgress } from "../../pipeline/stages/run-progress.js";
import { WORK_QUEUE } from "../../pipeline/stack/settings.js";
import { InProcessWorkQueue } from "./in-process-queue.js";
import type { AwsClients } from "../aws/clients.js";
import { unreachableEndpoint } from "../aws/errors.js";
import { OperatorError } from "../config/errors.js";
import type { ResolvedConfig } from "../config/resolve.js";
import { toStackParams } from "../config/stack-params.js";
import { capturedLogger, type CapturedLine, type CapturedLogger } from "./captured-logger.js";
import { manualEvent, streamBatch } from "./events.js";
import { ensureLocalSources, sourcesForThisProcess } from "./local-sources.js";
import { createIndexIfMissing, createTableIfMissing, requireTable } from "./prepare.js";
import {
  isCelebrityRecord,
  latestStreamArn,
  readStreamToEnd,
  readStreamUntil,
  streamPositionAtStart,
  streamPositionNow,
  toStreamEvents,
} from "./stream-reader.js";

/**
 * `pipeline run`: the pipeline's handlers run in this process, each built with `createHandler` from
 * exactly the environment the stack declares for its function, talking to the target through the
 * client factory's clients. `all` is the whole job in one command: four scrapers, then the table's
 * stream (read as the mappings read it) through the post-processor, then index-sync.
 */

export const RUN_STAGES = ["scrape", "post-process", "index-sync", "all"] as const;
export type RunStage = (typeof RUN_STAGES)[number];
export type FunctionStage = Exclude<RunStage, "all">;

/** The input is wrong (event shape, options that do not go together); exit 2. */
export class RunInputError extends OperatorError {
  override name = "RunInputError";
}

export interface RunRequest {
  stage: RunStage;
  /** Scrape and all: the sources to scrape (default all four). */
  sources?: readonly SourceName[];
  /** The event to invoke with (parsed JSON); generated when absent. */
  event?: unknown;
  /** Generated events only: celebrities per scraper, or records in a stream batch. */
  limit?: number;
}

export interface RunEnvironment {
  resolved: ResolvedConfig;
  clients: AwsClients;
  /** Progress and side remarks (started the fixture server, created the table). */
  onNote?: (text: string) => void;
  signal?: AbortSignal;
  /** How long `all` waits for written records to be readable on the stream. */
  streamDeadlineMs?: number;
}

export interface StageSummary {
  stage: FunctionStage;
  /** The function whose handler ran. */
  function: string;
  source?: SourceName;
  invocations: number;
  read: number;
  written: number;
  unchanged: number;
  failed: number;
  durationMs: number;
  /** Sequence numbers the handler reported as failed (stream stages). */
  batchItemFailures: string[];
  outcome: "succeeded" | "failed";
  /** Why an invocation failed as a whole. */
  error?: string;
  /** Scrape: the run id (run record RUN#<runId>). */
  runId?: string;
  /** The handler's own counts (enriched, superseded, indexed, blocked, ...). */
  details: Record<string, number>;
  /** The first error lines the handler logged. */
  errors: string[];
  /**
   * The correlation id the handler logged under (`correlation_id`): the EventBridge event id for a
   * scrape, the first record's eventID for each stream batch (the first batch's here).
   */
  correlationId?: string;
  /** Every structured line the handler logged, oldest first, as CloudWatch would have received them. */
  logs: CapturedLine[];
}

export interface FinalCounts {
  /** Celebrity items in the table. */
  items: number;
  /** Of which enriched with weight and sentiment. */
  enriched: number;
  /** Documents in the OpenSearch index. */
  indexDocuments: number;
}

export interface RunReport {
  stage: RunStage;
  target: string;
  table: string;
  index: string;
  summaries: StageSummary[];
  /** `all`: what the table and index hold at the end. */
  totals?: FinalCounts;
  /** Resources this run created from the stack declaration (table, index) because the target lacked them. */
  created: string[];
  /** The fixture server's URL when this run started it. */
  fixtureServer?: string;
  durationMs: number;
  ok: boolean;
}

const MAX_ERRORS_KEPT = 5;

export async function runPipeline(request: RunRequest, env: RunEnvironment): Promise<RunReport> {
  const started = Date.now();
  const { clients } = env;
  // Handlers run in this process, so fixture URLs meant for containers point at loopback here.
  const resolved = { ...env.resolved, config: sourcesForThisProcess(env.resolved.config) };
  const note = env.onNote ?? (() => {});
  validateRunRequest(request);
  const account = await clients.accountId();
  const stack = defineStack(toStackParams(resolved, account));
  const dynamodb = await clients.dynamodb();

  const sources = await ensureLocalSources(resolved.config);
  if (sources.startedUrl) {
    note(`started the fixture source server at ${sources.startedUrl} for this run (it stops at the end)`);
  }
  const search = openSearchFor(stack, resolved, dynamodb);
  try {
    const report: RunReport = {
      stage: request.stage,
      target: resolved.config.target,
      table: stack.table.name,
      index: stack.index.name,
      summaries: [],
      created: [],
      ...(sources.startedUrl ? { fixtureServer: sources.startedUrl } : {}),
      durationMs: 0,
      ok: true,
    };
    const ctx: StageContext = { stack, clients, dynamodb, search, region: resolved.config.region, env };
    const prepare = async (what: { table?: boolean; index?: boolean; roster?: boolean }) => {
      report.created.push(...(await prepareTarget(ctx, what)));
    };
    switch (request.stage) {
      case "scrape": {
        const event = scrapeEventFor(request, stack);
        await prepare({ table: true, roster: true });
        report.summaries = await runScrapers(ctx, request.sources ?? SOURCES, event);
        break;
      }
      case "post-process":
      case "index-sync": {
        const given =
          request.event === undefined ? undefined : requireStreamEvent(request.event, request.stage);
        await prepare(request.stage === "post-process" ? { table: true } : { index: true });
        const events = given ? [given] : await eventsFromStream(ctx, request.limit, resolved.config.target);
        report.summaries = [
          request.stage === "post-process"
            ? await runPostProcess(ctx, events)
            : await runIndexSync(ctx, events),
        ];
        break;
      }
      case "all": {
        const event = scrapeEventFor(request, stack);
        await prepare({ table: true, index: true, roster: true });
        const all = await runAll(ctx, request.sources ?? SOURCES, event);
        report.summaries = all.summaries;
        report.totals = all.totals;
        break;
      }
    }
    report.ok = report.summaries.every(
      (summary) => summary.outcome === "succeeded" && summary.batchItemFailures.length === 0,
    );
    report.durationMs = Date.now() - started;
    return report;
  } catch (error) {
    throw unreachable(error, resolved, stack) ?? error;
  } finally {
    await search.close().catch(() => {});
    await sources.stop();
  }
}

/** The target's DynamoDB or OpenSearch endpoint does not answer: say which, and how to fix it. */
function unreachable(error: unknown, resolved: ResolvedConfig, stack: Stack): Error | undefined {
  return unreachableEndpoint(error, resolved.config, `or the OpenSearch endpoint ${stack.index.endpoint}`);
}

interface StageContext {
  stack: Stack;
  clients: AwsClients;
  dynamodb: DynamoDBClient;
  search: OpenSearchClient;
  region: string;
  env: RunEnvironment;
}

/**
 * Checks a request without touching the target (stage, sources, limit, and the event's shape for
 * the stage), so a command can refuse bad input before it starts an emulator. runPipeline repeats it.
 */
export function validateRunRequest(request: RunRequest): void {
  checkRequest(request);
  if (request.event === undefined) return;
  if (request.stage === "scrape" || request.stage === "all") requireScrapeEvent(request.event);
  else requireStreamEvent(request.event, request.stage);
}

function checkRequest(request: RunRequest): void {
  if (!(RUN_STAGES as readonly string[]).includes(request.stage)) {
    throw new RunInputError(`unknown stage "${request.stage}"; use one of ${RUN_STAGES.join(", ")}`);
  }
  for (const source of request.sources ?? []) {
    if (!(SOURCES as readonly string[]).includes(source)) {
      throw new RunInputError(`unknown source "${source}"; use one of ${SOURCES.join(", ")}`);
    }
  }
  if (request.sources?.length && request.stage !== "scrape" && request.stage !== "all") {
    throw new RunInputError(`--source applies to --stage scrape or all, not ${request.stage}`);
  }
  if (request.event !== undefined && request.limit !== undefined) {
    throw new RunInputError(
      "--limit sizes a generated event; with --event, put the size in the event (a scrape trigger's detail.limit)",
    );
  }
  if (request.limit !== undefined && !(Number.isInteger(request.limit) && request.limit >= 1)) {
    throw new RunInputError(`--limit must be a positive integer; got ${String(request.limit)}`);
  }
}

/** The scrape trigger: the given event (checked as the handler checks it) or a manual-rule event. */
function scrapeEventFor(request: RunRequest, stack: Stack): unknown {
  if (request.event !== undefined) return requireScrapeEvent(request.event);
  const at = { account: stack.params.account, region: stack.params.region };
  return manualEvent(at, new Date(), {
    requestedBy: "pipeline run",
    ...(request.limit === undefined ? {} : { limit: request.limit }),
  });
}

/** The event checked as the scrape handler checks it. */
function requireScrapeEvent(event: unknown): unknown {
  try {
    parseScrapeEvent(event);
  } catch (error) {
    if (!(error instanceof ScrapeEventError)) throw error;
    throw new RunInputError(
      `the event is not a scraper trigger: ${error.message}; see \`pipeline events generate manual\``,
    );
  }
  return event;
}

function requireStreamEvent(event: unknown, stage: FunctionStage): DynamoDBStreamEvent {
  const fix = `${stage} takes a DynamoDB stream batch such as \`pipeline events generate stream\` prints`;
  const records = (event as { Records?: unknown } | null)?.Records;
  if (typeof event !== "object" || event === null || !Array.isArray(records)) {
    throw new RunInputError(`the event has no Records array; ${fix}`);
  }
  if (records.length === 0) throw new RunInputError(`the event's Records array is empty; ${fix}`);
  records.forEach((record: unknown, index) => {
    const r = record as { eventSource?: unknown; dynamodb?: { SequenceNumber?: unknown } } | null;
    if (r?.eventSource !== "aws:dynamodb") {
      throw new RunInputError(
        `Records[${index}].eventSource is ${JSON.stringify(r?.eventSource)}, not "aws:dynamodb"; ${fix}`,
      );
    }
    if (typeof r.dynamodb?.SequenceNumber !== "string") {
      throw new RunInputError(`Records[${index}].dynamodb.SequenceNumber is missing; ${fix}`);
    }
  });
  return event as DynamoDBStreamEvent;
}

/**
 * Creates what the stage needs and the target lacks, from the stack declaration (the same
 * definitions `pipeline deploy` uses); returns what it created.
 */
async function prepareTarget(
  ctx: StageContext,
  what: { table?: boolean; index?: boolean; roster?: boolean },
): Promise<string[]> {
  const created: string[] = [];
  const note = ctx.env.onNote ?? (() => {});
  if (what.table && (await createTableIfMissing(ctx.dynamodb, ctx.stack))) {
    created.push(`table ${ctx.stack.table.name}`);
    note(
      `created table ${ctx.stack.table.name} as the stack declares it (\`pipeline deploy\` creates the whole stack)`,
    );
  }
  if (what.roster) {
    // Nobody to scrape is refused before a scraper runs; the local targets get the demo people.
    const { ensureRoster } = await import("../roster/index.js");
    const roster = await ensureRoster(ctx.dynamodb, ctx.stack.table.name, {
      seedDemoWhenEmpty: ctx.env.resolved.config.roster.seedDemoWhenEmpty,
      where: `target ${ctx.env.resolved.config.target}`,
    });
    if (roster?.seeded) {
      created.push(`roster of ${roster.seeded} demo people`);
      note(
        `the roster was empty: imported the ${roster.seeded} invented demo people (pipeline roster import --demo)`,
      );
    }
  }
  if (what.index && (await createIndexIfMissing(ctx.search, ctx.stack))) {
    created.push(`index ${ctx.stack.index.name}`);
    note(`created OpenSearch index ${ctx.stack.index.name} as the stack declares it`);
  }
  return created;
}

/**
 * Stream batches for a stream stage run without --event: the celebrity records the table's stream
 * holds (from its oldest retained record, as a TRIM_HORIZON mapping would receive them), so a run
 * after scrape processes what scrape wrote. `limit` keeps the newest records. When the stream holds
 * none (trimmed after 24 hours on AWS) but the table has items, INSERT records are built from them.
 */
async function eventsFromStream(
  ctx: StageContext,
  limit: number | undefined,
  target: string,
): Promise<DynamoDBStreamEvent[]> {
  await requireTable(ctx.dynamodb, ctx.stack, target);
  const streams = await ctx.clients.dynamodbStreams();
  const streamArn = await latestStreamArn(ctx.dynamodb, ctx.stack.table.name);
  let records = (await readStreamToEnd(streams, streamPositionAtStart(streamArn), ctx.region)).filter(
    isCelebrityRecord,
  );
  if (records.length === 0) {
    const fromTable = await insertRecordsFromTable(ctx, limit ?? Number.POSITIVE_INFINITY);
    if (fromTable.length > 0) {
      ctx.env.onNote?.(
        `the stream of ${ctx.stack.table.name} holds no celebrity records; built INSERT records from ${fromTable.length} items in the table`,
      );
    }
    records = fromTable;
  }
  if (records.length === 0) {
    throw new RunInputError(
      `table ${ctx.stack.table.name} and its stream hold no celebrity items to process; ` +
        "scrape first (`pipeline run --stage scrape`) or pass --event FILE (`pipeline events generate stream`)",
    );
  }
  if (limit !== undefined) records = records.slice(-limit);
  return toStreamEvents(records);
}

/** INSERT records for the table's current celebrity items, as the stream carried them. */
async function insertRecordsFromTable(ctx: StageContext, limit: number): Promise<DynamoDBRecord[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await ctx.dynamodb.send(
      new ScanCommand({ TableName: ctx.stack.table.name, ExclusiveStartKey: start }),
    );
    for (const item of page.Items ?? []) {
      if (items.length < limit && isCelebrityKey(item[KEY_ATTRIBUTES.pk]?.S)) items.push(unmarshall(item));
    }
    start = items.length < limit ? page.LastEvaluatedKey : undefined;
  } while (start !== undefined);
  if (items.length === 0) return [];
  return streamBatch(
    items.map((newImage) => ({ eventName: "INSERT" as const, newImage })),
    {
      account: ctx.stack.params.account,
      region: ctx.region,
      tableName: ctx.stack.table.name,
      time: new Date(),
    },
  ).Records;
}

/** The environment the stack declares for the function (what deploy sets), built from HANDLER_ENV. */
function functionEnv(fn: FunctionDeclaration): Record<string, string> {
  return { ...fn.definition.Environment.Variables };
}

/**
 * A scraper's environment for an in-process run: the declared one, plus config's apiKey when one is
 * set (this process holds it anyway). Without one, the handler reads the key's SSM parameter, as
 * the deployed function does.
 */
function scraperEnv(stack: Stack, fn: FunctionDeclaration, source: SourceName): Record<string, string> {
  const apiKey = stack.params.sources[source].apiKey;
  return apiKey === undefined ? functionEnv(fn) : { ...functionEnv(fn), [HANDLER_ENV.sourceApiKey]: apiKey };
}

function debugLogging(fn: FunctionDeclaration): boolean {
  return functionEnv(fn)[HANDLER_ENV.logLevel] === "DEBUG";
}

/** A Lambda context for the in-process invocation: the function's name, ARN, memory and timeout. */
function lambdaContext(fn: FunctionDeclaration): Context {
  const deadline = Date.now() + fn.definition.Timeout * 1000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.name,
    functionVersion: "$LATEST",
    invokedFunctionArn: fn.arn,
    memoryLimitInMB: String(fn.definition.MemorySize),
    awsRequestId: randomUUID(),
    logGroupName: fn.logGroupName,
    logStreamName: `pipeline-run/${fn.name}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

function firstErrors(logger: CapturedLogger): string[] {
  return logger
    .errors()
    .slice(0, MAX_ERRORS_KEPT)
    .map((line) => {
      const detail = line.error ?? line.reason ?? line.celebrity ?? "";
      return `${String(line.message)}${detail ? `: ${typeof detail === "string" ? detail : JSON.stringify(detail)}` : ""}`;
    });
}

function correlationOf(logger: CapturedLogger): { correlationId?: string } {
  const id = logger.lines.find((line) => typeof line.correlation_id === "string")?.correlation_id;
  return typeof id === "string" ? { correlationId: id } : {};
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

async function runScrapers(
  ctx: StageContext,
  sources: readonly SourceName[],
  event: unknown,
): Promise<StageSummary[]> {
  // Four targets of one rule: EventBridge invokes them at once with the same event.
  return Promise.all(sources.map((source) => runScraper(ctx, source, event)));
}

/**
 * One source's run in this process: the scraper plans it as the rule-invoked function does, into
 * an in-process work queue (./in-process-queue.ts) rather than SQS, then `workerConcurrency`
 * workers (each its own handler instance, so each has its own share of the rate, as each Lambda
 * environment does) take the shards one message at a time through the same handler, until every
 * shard is done or dead-lettered. The counts come from the run's shard records, as status and
 * verify read them.
 */
async function runScraper(ctx: StageContext, source: SourceName, event: unknown): Promise<StageSummary> {
  const fn = ctx.stack.functions[scraperFunctionKey(source)];
  const logger = capturedLogger(fn.name, debugLogging(fn));
  const started = Date.now();
  const queue = new InProcessWorkQueue(ctx.stack.workQueues[source].arn, WORK_QUEUE.maxReceiveCount);
  let plan: PlanResult | undefined;
  let error: string | undefined;
  let invocations = 0;
  try {
    const ssm = await ctx.clients.ssm();
    const build = () =>
      createScrapeHandler(scraperEnv(ctx.stack, fn, source), {
        client: ctx.dynamodb,
        ssm,
        logger,
        shardSink: queue,
        visibility: (record) => queue.visibility(record),
      });
    invocations += 1;
    plan = (await build()(event, lambdaContext(fn))) as PlanResult;
    const workers = Math.min(ctx.stack.params.sources[source].workerConcurrency, plan.record.shards);
    await Promise.all(
      Array.from({ length: workers }, async () => {
        const handler = build();
        for (;;) {
          const batch = await queue.receive(ctx.env.signal);
          if (batch === undefined) return;
          invocations += 1;
          const failedIds = new Set<string>();
          try {
            const answer = await handler(batch, lambdaContext(fn));
            for (const failure of (answer as { batchItemFailures?: { itemIdentifier: string }[] })
              .batchItemFailures ?? [])
              failedIds.add(failure.itemIdentifier);
          } catch {
            for (const record of batch.Records) failedIds.add(record.messageId);
          }
          for (const record of batch.Records) queue.settle(record, failedIds.has(record.messageId));
        }
      }),
    );
  } catch (thrown) {
    error = errorText(thrown);
  }
  const progress = plan
    ? (await readRunProgress(ctx.dynamodb, ctx.stack.table.name, plan.runId)).get(source)
    : undefined;
  const counts = progress?.counts ?? { fetched: 0, written: 0, unchanged: 0, failed: 0 };
  if (error === undefined && progress !== undefined && progress.failed > 0) {
    error = `${progress.failed} of ${progress.shards} shards failed on every attempt (shards ${progress.failedShards.join(", ")}): ${progress.lastError ?? "no error recorded"}`;
  }
  return {
    stage: "scrape",
    function: fn.name,
    source,
    invocations,
    read: counts.fetched,
    written: counts.written,
    unchanged: counts.unchanged,
    failed: counts.failed,
    durationMs: Date.now() - started,
    batchItemFailures: [],
    outcome: error === undefined ? "succeeded" : "failed",
    ...(error === undefined ? {} : { error }),
    ...(plan ? { runId: plan.runId } : {}),
    details: {
      ...counts,
      ...(progress
        ? {
            shards: progress.shards,
            shardsDone: progress.done,
            shardsFailed: progress.failed,
            retries: progress.retries,
            peopleInFailedShards: progress.peopleInFailedShards,
          }
        : {}),
    },
    errors: firstErrors(logger),
    ...correlationOf(logger),
    logs: logger.lines,
  };
}

/** Sums the numeric fields of the handler's per-batch summary lines. */
function sumLines(lines: readonly CapturedLine[], keys: readonly string[]): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(keys.map((key) => [key, 0]));
  for (const line of lines) {
    for (const key of keys) if (typeof line[key] === "number") out[key]! += line[key];
  }
  return out;
}

async function runStreamStage(
  ctx: StageContext,
  key: Extract<FunctionKey, "post-processor" | "index-sync">,
  events: readonly DynamoDBStreamEvent[],
  build: (
    env: Record<string, string>,
    logger: CapturedLogger,
  ) => (
    event: DynamoDBStreamEvent,
    context: Context,
  ) => Promise<{ batchItemFailures?: { itemIdentifier: string }[] }>,
): Promise<{
  summary: Omit<StageSummary, "read" | "written" | "unchanged" | "failed" | "details">;
  logger: CapturedLogger;
}> {
  const fn = ctx.stack.functions[key];
  const logger = capturedLogger(fn.name, debugLogging(fn));
  const started = Date.now();
  const batchItemFailures: string[] = [];
  let error: string | undefined;
  let invocations = 0;
  try {
    const handler = build(functionEnv(fn), logger);
    // One batch at a time, in stream order, as a mapping invokes the function for one shard.
    for (const event of events) {
      if ((event.Records ?? []).length === 0) continue;
      invocations += 1;
      try {
        const response = await handler(event, lambdaContext(fn));
        batchItemFailures.push(...(response.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      } catch (thrown) {
        error ??= errorText(thrown);
      }
    }
  } catch (thrown) {
    error = errorText(thrown);
  }
  return {
    summary: {
      stage: key === "post-processor" ? "post-process" : "index-sync",
      function: fn.name,
      invocations,
      durationMs: Date.now() - started,
      batchItemFailures,
      outcome: error === undefined ? "succeeded" : "failed",
      ...(error === undefined ? {} : { error }),
      errors: firstErrors(logger),
      ...correlationOf(logger),
      logs: logger.lines,
    },
    logger,
  };
}

async function runPostProcess(
  ctx: StageContext,
  events: readonly DynamoDBStreamEvent[],
): Promise<StageSummary> {
  const { summary, logger } = await runStreamStage(ctx, "post-processor", events, (env, log) =>
    createPostProcessHandler(env, { client: ctx.dynamodb, logger: log }),
  );
  const keys = ["records", "enriched", "superseded", "skipped", "failed"] as const;
  const done = sumLines(logger.withMessage("post-processing batch done"), keys);
  const whole = sumLines(logger.withMessage("post-processing batch failed entirely"), keys);
  const counts = Object.fromEntries(keys.map((key) => [key, done[key]! + whole[key]!])) as Record<
    (typeof keys)[number],
    number
  >;
  return {
    ...summary,
    read: counts.records,
    written: counts.enriched,
    unchanged: counts.superseded + counts.skipped,
    failed: counts.failed,
    details: counts,
  };
}

async function runIndexSync(
  ctx: StageContext,
  events: readonly DynamoDBStreamEvent[],
): Promise<StageSummary> {
  const { summary, logger } = await runStreamStage(ctx, "index-sync", events, (env, log) =>
    createIndexSyncHandler(env, {
      // Built from the function's own OPENSEARCH_ENDPOINT / OPENSEARCH_INDEX, but kept here so the
      // run can close its connections at the end.
      index: openSearchIndexPort(ctx.search, env.OPENSEARCH_INDEX ?? ctx.stack.index.name),
      logger: log,
      region: ctx.region,
    }),
  );
  const keys = [
    "records",
    "bulkRequests",
    "indexed",
    "deleted",
    "superseded",
    "skipped",
    "failed",
    "blocked",
  ];
  const counts = sumLines(logger.withMessage("index sync batch done"), keys);
  const failed = (counts.failed ?? 0) + (counts.blocked ?? 0);
  return {
    ...summary,
    read: counts.records ?? 0,
    written: (counts.indexed ?? 0) + (counts.deleted ?? 0),
    unchanged: (counts.superseded ?? 0) + (counts.skipped ?? 0),
    // A batch that failed entirely logged no summary: every one of its records failed.
    failed: summary.outcome === "failed" && failed === 0 ? summary.invocations : failed,
    details: counts,
  };
}

async function runAll(
  ctx: StageContext,
  sources: readonly SourceName[],
  event: unknown,
): Promise<{ summaries: StageSummary[]; totals: FinalCounts }> {
  const streams = await ctx.clients.dynamodbStreams();
  const streamArn = await latestStreamArn(ctx.dynamodb, ctx.stack.table.name);
  const deadlineMs = ctx.env.streamDeadlineMs ?? 30_000;
  const position = await streamPositionNow(streams, streamArn);

  const scraped = await runScrapers(ctx, sources, event);
  const written = scraped.reduce((sum, summary) => sum + summary.written, 0);
  const first = await readStreamUntil(streams, position, ctx.region, {
    enough: (records) => records.filter(isCelebrityRecord).length >= written,
    deadlineMs,
    signal: ctx.env.signal,
  });
  const scraperRecords = first.records.filter(isCelebrityRecord);
  if (!first.complete) {
    ctx.env.onNote?.(
      `the stream delivered ${scraperRecords.length} of the ${written} records the scrapers wrote within ${deadlineMs} ms`,
    );
  }
  const postProcess = await runPostProcess(ctx, toStreamEvents(scraperRecords));

  const enriched = postProcess.details.enriched ?? 0;
  const second = await readStreamUntil(streams, position, ctx.region, {
    enough: (records) =>
      records.filter((r) => isCelebrityRecord(r) && r.eventName === "MODIFY").length >= enriched,
    deadlineMs,
    signal: ctx.env.signal,
  });
  const enrichedRecords = second.records.filter(isCelebrityRecord);
  const indexSync = await runIndexSync(ctx, toStreamEvents([...scraperRecords, ...enrichedRecords]));
  return { summaries: [...scraped, postProcess, indexSync], totals: await finalCounts(ctx) };
}

async function finalCounts(ctx: StageContext): Promise<FinalCounts> {
  let items = 0;
  let enriched = 0;
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await ctx.dynamodb.send(
      new ScanCommand({
        TableName: ctx.stack.table.name,
        ProjectionExpression: "#pk, #weight, #sentiment",
        ExpressionAttributeNames: {
          "#pk": KEY_ATTRIBUTES.pk,
          "#weight": "weight",
          "#sentiment": "sentiment",
        },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      if (!isCelebrityKey(item[KEY_ATTRIBUTES.pk]?.S)) continue;
      items += 1;
      if (item.weight?.N !== undefined && item.sentiment?.S !== undefined) enriched += 1;
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  await ctx.search.indices.refresh({ index: ctx.stack.index.name });
  const { body } = await ctx.search.count({ index: ctx.stack.index.name });
  return { items, enriched, indexDocuments: Number((body as { count?: number }).count ?? 0) };
}

function openSearchFor(stack: Stack, resolved: ResolvedConfig, dynamodb: DynamoDBClient): OpenSearchClient {
  return createOpenSearchClient(stack.index.endpoint, {
    region: resolved.config.region,
    // Signed (AWS domains only) with the target's credentials, the ones every other client uses.
    getCredentials: async () => {
      const identity = await dynamodb.config.credentials();
      return {
        accessKeyId: identity.accessKeyId,
        secretAccessKey: identity.secretAccessKey,
        ...(identity.sessionToken ? { sessionToken: identity.sessionToken } : {}),
      };
    },
  });
}

export type { DynamoDBRecord };
