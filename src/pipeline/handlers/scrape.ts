import type { Logger } from "@aws-lambda-powertools/logger";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { SSMClient } from "@aws-sdk/client-ssm";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import * as z from "zod";
import { RUN_ID_PATTERN, decodeShard, parseSourceName } from "../model/index.js";
import type { RosterEntry, ScrapeShard, SourceName } from "../model/index.js";
import { SOURCE_DEFAULTS, TokenBucket, createSourceClient, systemClock } from "../sources/index.js";
import type { Clock, FetchLike, RetryEvent, RetryPolicy } from "../sources/index.js";
import type { HandlerEnv } from "../stack/handler-env.js";
import { HANDLER_ENV } from "../stack/handler-env.js";
import {
  DEFAULT_HTTP_TIMEOUT_MS,
  DEFAULT_SHARD_LEASE_SECONDS,
  DEFAULT_SHARD_RETRY_SECONDS,
  MANUAL_SCRAPE_EVENT,
  MAX_SHARD_RETRY_SECONDS,
  WORK_QUEUE,
} from "../stack/settings.js";
import { DEFAULT_SHARD_SIZE } from "../model/shard.js";
import { planRun } from "../stages/plan-run.js";
import type { PlanResult } from "../stages/plan-run.js";
import { activeRoster } from "../stages/roster-table.js";
import { dynamoRunTable } from "../stages/run-table.js";
import type { RunTable } from "../stages/run-table.js";
import { dynamoScrapeTable } from "../stages/scrape-table.js";
import { DEFAULT_SCRAPE_CONCURRENCY } from "../stages/scrape.js";
import type { ScrapeTable } from "../stages/scrape.js";
import { scrapeShard } from "../stages/scrape-shard.js";
import type { ShardResult } from "../stages/scrape-shard.js";
import { queueUrlResolver, sqsMessageVisibility, sqsShardSink } from "../stages/work-queue.js";
import type { MessageVisibility, ShardSink } from "../stages/work-queue.js";
import {
  HandlerConfigError,
  beginInvocation,
  createLogger,
  errorMessage,
  handlerFromProcessEnv,
  optionalEnv,
  positiveIntegerEnv,
  requireEnv,
} from "./_shared.js";
import { sourceClientFor, sourceKeyOf } from "./source-key.js";

/**
 * Lambda entry point of the four scraper functions; SOURCE_NAME picks the source. One function,
 * two callers:
 * - a rule (EventBridge, asynchronously) starts a run: the function plans it (stages/plan-run.ts),
 *   cutting the active roster into shards sent to the source's work queue;
 * - the function's SQS mapping on that queue delivers shards: the function scrapes each one
 *   (stages/scrape-shard.ts) and answers the ids of the ones that failed (ReportBatchItemFailures).
 * Glue only. `handler` is built from process.env at cold start; `createHandler(env, overrides)`
 * builds the same thing from the environment the stack declares, for `pipeline run` and tests.
 */

/**
 * What starts a scraper run: the weekly rule's "Scheduled Event" or the manual rule's
 * `ManualScrapeRequested` (detail `{ runId?, limit? }`), both EventBridge envelopes. The run id is
 * the detail's runId or else the event id, so the four scrapers started by one event share one
 * run partition, and Lambda's async retries of the same event overwrite the same run record.
 */

export const SCHEDULED_EVENT_DETAIL_TYPE = "Scheduled Event";

export { RUN_ID_PATTERN };

export class ScrapeEventError extends Error {
  override readonly name = "ScrapeEventError";
}

/** Nobody to scrape: the operator has not imported a roster (or deactivated everyone). */
export class EmptyRosterError extends Error {
  override readonly name = "EmptyRosterError";
}

export interface ScrapeRequest {
  runId: string;
  /** How many people of the roster (the first, in id order) this run covers, when the event asks for fewer. */
  limit: number | undefined;
  trigger: "schedule" | "manual";
  eventId: string;
}

const envelopeSchema = z.object({
  id: z.string().min(1),
  "detail-type": z.string(),
  source: z.string().optional(),
  time: z.string().optional(),
  detail: z.unknown().optional(),
});

const manualDetailSchema = z
  .object({
    runId: z
      .string()
      .regex(RUN_ID_PATTERN, "runId may hold letters, digits and . _ : - (at most 128)")
      .optional(),
    limit: z.number().int().min(1).optional(),
  })
  .loose();

function issuesOf(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join(".") || "(event)"}: ${issue.message}`).join("; ");
}

/** Reads a scraper's event; throws ScrapeEventError naming what is wrong and what is expected. */
export function parseScrapeEvent(event: unknown): ScrapeRequest {
  const envelope = envelopeSchema.safeParse(event);
  const expected = `expected an EventBridge event with detail-type "${SCHEDULED_EVENT_DETAIL_TYPE}" or "${MANUAL_SCRAPE_EVENT.detailType}"`;
  if (!envelope.success) throw new ScrapeEventError(`${expected} (${issuesOf(envelope.error)})`);
  const { id, "detail-type": detailType, detail } = envelope.data;
  if (detailType === SCHEDULED_EVENT_DETAIL_TYPE) {
    if (!RUN_ID_PATTERN.test(id))
      throw new ScrapeEventError(`event id ${JSON.stringify(id)} cannot be a run id`);
    return { runId: id, limit: undefined, trigger: "schedule", eventId: id };
  }
  if (detailType === MANUAL_SCRAPE_EVENT.detailType) {
    const parsed = manualDetailSchema.safeParse(detail ?? {});
    if (!parsed.success) {
      throw new ScrapeEventError(
        `${MANUAL_SCRAPE_EVENT.detailType} detail is invalid (${issuesOf(parsed.error)})`,
      );
    }
    const runId = parsed.data.runId ?? id;
    if (!RUN_ID_PATTERN.test(runId)) {
      throw new ScrapeEventError(`event id ${JSON.stringify(id)} cannot be a run id; pass detail.runId`);
    }
    return { runId, limit: parsed.data.limit, trigger: "manual", eventId: id };
  }
  throw new ScrapeEventError(`${expected}; got ${JSON.stringify(detailType)}`);
}

export interface ManualScrapeEventInput {
  /** EventBridge assigns the id; pass one to build the event as delivered. */
  id: string;
  runId?: string;
  limit?: number;
  account?: string;
  region?: string;
  time?: Date;
}

/** The event the manual rule delivers for a `ManualScrapeRequested` PutEvents entry. */
export function manualScrapeEvent(input: ManualScrapeEventInput) {
  const detail: Record<string, unknown> = {};
  if (input.runId !== undefined) detail.runId = input.runId;
  if (input.limit !== undefined) detail.limit = input.limit;
  return {
    version: "0",
    id: input.id,
    "detail-type": MANUAL_SCRAPE_EVENT.detailType,
    source: MANUAL_SCRAPE_EVENT.source,
    account: input.account ?? "000000000000",
    time: (input.time ?? new Date()).toISOString().replace(/\.\d{3}Z$/, "Z"),
    region: input.region ?? "us-east-1",
    resources: [],
    detail,
  };
}

/** The scraper's settings, read from its environment record. */
export interface ScrapeSettings {
  tableName: string;
  source: SourceName;
  baseUrl: string | undefined;
  auxBaseUrl: string | undefined;
  /** The key itself: in-process runs only (config's apiKey); deployed functions use apiKeyParameter. */
  apiKey: string | undefined;
  /** SSM parameter (SecureString) holding the key, read at cold start. */
  apiKeyParameter: string | undefined;
  rateLimitPerSecond: number | undefined;
  timeoutMs: number;
  /** The source's work queue, where the planner sends shards. */
  workQueueName: string | undefined;
  shardSize: number;
  /** The workers' bound (the mapping's MaximumConcurrency); 1 when not set. */
  workerConcurrency: number;
  maxReceiveCount: number;
  leaseSeconds: number;
  retrySeconds: number;
}

function positiveNumberEnv(env: HandlerEnv, key: "sourceRateLimit"): number | undefined {
  const raw = optionalEnv(env, key);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new HandlerConfigError(
      `environment variable ${HANDLER_ENV[key]} must be a number of requests per second > 0 (e.g. 0.2, 20); got "${raw}"`,
    );
  }
  return value;
}

function nonNegativeIntegerEnv(env: HandlerEnv, key: "shardRetrySeconds", fallback: number): number {
  const raw = optionalEnv(env, key);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new HandlerConfigError(
      `environment variable ${HANDLER_ENV[key]} must be an integer >= 0; got "${raw}"`,
    );
  }
  return value;
}

export function readScrapeSettings(env: HandlerEnv): ScrapeSettings {
  let source: SourceName;
  try {
    source = parseSourceName(requireEnv(env, "sourceName"), `environment variable ${HANDLER_ENV.sourceName}`);
  } catch (error) {
    if (error instanceof HandlerConfigError) throw error;
    throw new HandlerConfigError(errorMessage(error).replace(/^Error: /, ""));
  }
  return {
    tableName: requireEnv(env, "tableName"),
    source,
    baseUrl: optionalEnv(env, "sourceBaseUrl"),
    auxBaseUrl: optionalEnv(env, "sourceAuxBaseUrl"),
    apiKey: optionalEnv(env, "sourceApiKey"),
    apiKeyParameter: optionalEnv(env, "sourceApiKeyParameter"),
    rateLimitPerSecond: positiveNumberEnv(env, "sourceRateLimit"),
    timeoutMs: positiveIntegerEnv(env, "httpTimeoutMs", DEFAULT_HTTP_TIMEOUT_MS),
    workQueueName: optionalEnv(env, "workQueueName"),
    shardSize: positiveIntegerEnv(env, "shardSize", DEFAULT_SHARD_SIZE),
    workerConcurrency: positiveIntegerEnv(env, "workerConcurrency", 1),
    maxReceiveCount: positiveIntegerEnv(env, "workMaxReceiveCount", WORK_QUEUE.maxReceiveCount),
    leaseSeconds: positiveIntegerEnv(env, "shardLeaseSeconds", DEFAULT_SHARD_LEASE_SECONDS),
    retrySeconds: nonNegativeIntegerEnv(env, "shardRetrySeconds", DEFAULT_SHARD_RETRY_SECONDS),
  };
}

/**
 * A worker's share of the source's rate: the limit divided by the workers' bound, so however many
 * run at once (never more than the bound), together they stay within the limit.
 */
export function workerRatePerSecond(settings: ScrapeSettings): number {
  const limit = settings.rateLimitPerSecond ?? SOURCE_DEFAULTS[settings.source].rateLimitPerSecond;
  return limit / settings.workerConcurrency;
}

/**
 * The most a worker adds to each interval of its share. A request leaves the bucket on time but
 * reaches the API a few milliseconds early or late (a new connection, a busy event loop), and an
 * API that counts a sliding second sees two requests sent exactly an interval apart inside one
 * second when the first came late: the 1,000-person rate-cap bench at 2 requests/s saw 3 and 4 in
 * its busiest second, requests of one worker arriving 993 ms apart. So a worker waits its interval
 * plus a tenth of it, at most this much.
 */
export const RATE_GUARD_MAX_MS = 100;

/** The bucket rate a worker keeps to: its share, each interval lengthened by the guard. */
export function workerPacePerSecond(settings: ScrapeSettings): number {
  const intervalMs = 1000 / workerRatePerSecond(settings);
  return 1000 / (intervalMs + Math.min(intervalMs / 10, RATE_GUARD_MAX_MS));
}

/** How long a failed shard stays invisible before its next receive: doubling, capped. */
export function shardRetryDelaySeconds(settings: ScrapeSettings, receiveCount: number): number {
  const doubled = settings.retrySeconds * 2 ** Math.max(0, receiveCount - 1);
  return Math.min(doubled, MAX_SHARD_RETRY_SECONDS);
}

export interface ScrapeOverrides {
  /** DynamoDB client (default: one from the SDK's default chain, honouring AWS_ENDPOINT_URL). */
  client?: DynamoDBClient;
  /** Replaces the DynamoDB port of the items (unit tests). */
  table?: ScrapeTable;
  /** Replaces the run and shard records' port. */
  runs?: RunTable;
  /** SQS client of the work queue (default: the SDK's default chain). */
  sqs?: SQSClient;
  /** Where the planner puts shards (default: the work queue WORK_QUEUE_NAME, over SQS). */
  shardSink?: ShardSink;
  /** A worker's control of its message (default: ChangeMessageVisibility on the record's queue). */
  visibility?: (record: SQSRecord) => MessageVisibility;
  /** Clock of the worker's hold on its message (default: the machine's). */
  leaseClock?: Clock;
  /** SSM client the API key parameter is read with (default: the SDK's default chain). */
  ssm?: SSMClient;
  /** Reads the people to follow (default: the active roster records of the table). */
  roster?: () => Promise<RosterEntry[]>;
  /** HTTP for the source client (default: Node's fetch). */
  fetch?: FetchLike;
  /** Time for timestamps, backoff, Retry-After and the rate limiter. */
  clock?: Clock;
  /** Jitter source in [0, 1). */
  random?: () => number;
  retry?: Partial<RetryPolicy>;
  /** Celebrities in flight at once within a shard (default 6). */
  concurrency?: number;
  logger?: Logger;
}

/**
 * Time left at which a worker stops starting celebrities: enough for those in flight (a request
 * can take the timeout times the attempts, but usually takes well under a second) and the record.
 */
export const STOP_BEFORE_TIMEOUT_MS = 15_000;

export type ScrapeHandler = (event: unknown, context?: Context) => Promise<PlanResult | SQSBatchResponse>;

/** True for a Lambda SQS event (what the worker mapping delivers). */
export function isSqsEvent(event: unknown): event is SQSEvent {
  const records = (event as { Records?: unknown } | null)?.Records;
  return (
    Array.isArray(records) &&
    records.length > 0 &&
    records.every((record) => (record as { eventSource?: unknown } | null)?.eventSource === "aws:sqs")
  );
}

/**
 * Holds a message invisible for `seconds` at a time, renewed every third of that while the worker
 * works; stop() ends the hold (the caller then deletes or releases the message). A renewal that
 * fails is logged: the queue's own timeout (six times the function's) still holds the message.
 */
function holdMessage(
  visibility: MessageVisibility,
  seconds: number,
  clock: Clock,
  onError: (error: unknown) => void,
): { stop(): Promise<void> } {
  const stopped = new AbortController();
  const renewals = (async () => {
    await visibility.set(seconds).catch(onError);
    while (!stopped.signal.aborted) {
      try {
        await clock.sleep((seconds * 1000) / 3, stopped.signal);
      } catch {
        return;
      }
      if (stopped.signal.aborted) return;
      await visibility.set(seconds).catch(onError);
    }
  })();
  return {
    async stop() {
      stopped.abort();
      await renewals;
    },
  };
}

export function createHandler(env: HandlerEnv, overrides: ScrapeOverrides = {}): ScrapeHandler {
  const settings = readScrapeSettings(env);
  const { source } = settings;
  const logger = overrides.logger ?? createLogger(env, `scraper-${source}`);
  const clock = overrides.clock ?? systemClock;
  const leaseClock = overrides.leaseClock ?? systemClock;
  const dynamodb = overrides.client ?? new DynamoDBClient({});
  const table = overrides.table ?? dynamoScrapeTable(dynamodb, settings.tableName);
  const runs = overrides.runs ?? dynamoRunTable(dynamodb, settings.tableName);
  const readRoster = overrides.roster ?? (() => activeRoster(dynamodb, settings.tableName));
  let sqs: SQSClient | undefined = overrides.sqs;
  const sqsClient = () => (sqs ??= new SQSClient({}));
  const queueUrls = new Map<string, () => Promise<string>>();
  const queueUrlOf = (name: string, account?: string) => {
    const key = `${account ?? ""}/${name}`;
    let resolve = queueUrls.get(key);
    if (resolve === undefined) {
      resolve = queueUrlResolver(sqsClient(), name, account);
      queueUrls.set(key, resolve);
    }
    return resolve;
  };
  const shardSink = (): ShardSink => {
    if (overrides.shardSink) return overrides.shardSink;
    if (settings.workQueueName === undefined) {
      throw new HandlerConfigError(
        `environment variable ${HANDLER_ENV.workQueueName} is not set: the planner sends shards to the source's work queue (deploy sets it from the stack declaration)`,
      );
    }
    return sqsShardSink(sqsClient(), queueUrlOf(settings.workQueueName));
  };
  const visibilityOf =
    overrides.visibility ??
    ((record: SQSRecord): MessageVisibility => {
      const [, , , , account, name] = record.eventSourceARN.split(":");
      return sqsMessageVisibility(sqsClient(), queueUrlOf(name ?? "", account), record.receiptHandle);
    });
  let retries = 0;
  const onRetry = (event: RetryEvent) => {
    retries += 1;
    logger.debug("source request retried", { ...event });
  };
  // One client per function instance (per key): its token bucket then spans invocations, as the
  // API's limit does, at the worker's share of it. Built at cold start when the key is given, so
  // a bad base URL or a missing key fails there; a key parameter is read at cold start.
  const limiter = new TokenBucket({ perSecond: workerPacePerSecond(settings) }, clock);
  const sourceClient = sourceClientFor(sourceKeyOf(settings, overrides.ssm), (apiKey) =>
    createSourceClient(source, {
      baseUrl: settings.baseUrl,
      auxBaseUrl: settings.auxBaseUrl,
      apiKey,
      rateLimiter: limiter,
      timeoutMs: settings.timeoutMs,
      retry: overrides.retry,
      fetch: overrides.fetch,
      clock,
      random: overrides.random,
      onRetry,
    }),
  );

  const plan = async (event: unknown): Promise<PlanResult> => {
    let request: ScrapeRequest;
    try {
      request = parseScrapeEvent(event);
    } catch (error) {
      logger.error("event refused", { error: errorMessage(error) });
      throw error;
    }
    logger.appendKeys({ runId: request.runId, source });
    const active = await readRoster();
    if (active.length === 0) {
      const error = new EmptyRosterError(
        `the roster in ${settings.tableName} has no active person to scrape: import one with \`pipeline roster import FILE\` (or \`pipeline roster import --demo\` for invented people)`,
      );
      logger.error("scrape run refused", { error: error.message });
      throw error;
    }
    const people = active.slice(0, request.limit ?? active.length);
    logger.info("scrape run started", {
      trigger: request.trigger,
      eventId: request.eventId,
      rosterSize: people.length,
      activeRoster: active.length,
      shardSize: settings.shardSize,
      workQueue: settings.workQueueName ?? "in process",
      table: settings.tableName,
    });
    return planRun(
      {
        runId: request.runId,
        source,
        trigger: request.trigger,
        eventId: request.eventId,
        shardSize: settings.shardSize,
      },
      { people, runs, sink: shardSink(), clock, logger },
    );
  };

  const work = async (record: SQSRecord, context: Context | undefined): Promise<ShardResult> => {
    const receiveCount = Number(record.attributes?.ApproximateReceiveCount ?? "1") || 1;
    let shard: ScrapeShard;
    try {
      shard = decodeShard(record.body);
    } catch (error) {
      // Nothing to scrape and nothing to record: the queue dead-letters it after its receives.
      logger.error("message is not a shard; left to the queue's redrive", {
        messageId: record.messageId,
        receiveCount,
        error: errorMessage(error),
      });
      throw error;
    }
    if (shard.source !== source) {
      logger.error("shard of another source; left to the queue's redrive", {
        messageId: record.messageId,
        shardSource: shard.source,
      });
      throw new Error(`shard of ${shard.source} delivered to the ${source} scraper`);
    }
    const remaining = context?.getRemainingTimeInMillis?.bind(context);
    const client = await sourceClient();
    // The shard's first request an interval from now: the previous shard of this worker slot may
    // have ended a moment ago in another instance (its own bucket), its last request just sent.
    limiter.restart();
    return scrapeShard(
      shard,
      { receiveCount, maxReceiveCount: settings.maxReceiveCount },
      {
        source,
        client,
        table,
        runs,
        clock,
        logger,
        concurrency: overrides.concurrency ?? DEFAULT_SCRAPE_CONCURRENCY,
        retries: () => retries,
        shouldStop: () => {
          const left = remaining?.();
          return left !== undefined && left < STOP_BEFORE_TIMEOUT_MS
            ? `stopped with ${left} ms of the function's time left, before Lambda's timeout could cut the shard short`
            : undefined;
        },
      },
    );
  };

  const workBatch = async (event: SQSEvent, context: Context | undefined): Promise<SQSBatchResponse> => {
    const batchItemFailures: SQSBatchResponse["batchItemFailures"] = [];
    for (const record of event.Records) {
      const receiveCount = Number(record.attributes?.ApproximateReceiveCount ?? "1") || 1;
      logger.appendKeys({
        runId: record.messageAttributes?.runId?.stringValue,
        shard: record.messageAttributes?.shard?.stringValue,
        source,
      });
      const visibility = visibilityOf(record);
      const hold = holdMessage(visibility, settings.leaseSeconds, leaseClock, (error) =>
        logger.warn("could not renew the hold on the shard's message", { error: errorMessage(error) }),
      );
      let outcome: ShardResult["outcome"] | "error";
      try {
        outcome = (await work(record, context)).outcome;
      } catch (error) {
        logger.error("shard failed with an error", {
          messageId: record.messageId,
          error: errorMessage(error),
        });
        outcome = "error";
      } finally {
        await hold.stop();
      }
      if (outcome === "done" || outcome === "done-already") continue;
      batchItemFailures.push({ itemIdentifier: record.messageId });
      // The last receive: visible at once, so the queue's next receive moves it to the DLQ.
      const last = receiveCount >= settings.maxReceiveCount;
      const wait = last ? 0 : shardRetryDelaySeconds(settings, receiveCount);
      await visibility
        .set(wait)
        .catch((error: unknown) =>
          logger.warn("could not set the failed shard's retry wait", { error: errorMessage(error) }),
        );
    }
    return { batchItemFailures };
  };

  return async (event, context) => {
    beginInvocation(logger, event, context);
    if (isSqsEvent(event)) return workBatch(event, context);
    return plan(event);
  };
}

export const handler: ScrapeHandler = handlerFromProcessEnv(() => createHandler(process.env));
