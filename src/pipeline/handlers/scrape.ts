import type { Logger } from "@aws-lambda-powertools/logger";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SSMClient } from "@aws-sdk/client-ssm";
import type { Context } from "aws-lambda";
import { z } from "zod";
import { RUN_ID_PATTERN, celebrityOf, parseSourceName } from "../model/index.js";
import type { RosterEntry, SourceName } from "../model/index.js";
import { createSourceClient, systemClock } from "../sources/index.js";
import type { Clock, FetchLike, RetryEvent, RetryPolicy } from "../sources/index.js";
import type { HandlerEnv } from "../stack/handler-env.js";
import { HANDLER_ENV } from "../stack/handler-env.js";
import { DEFAULT_HTTP_TIMEOUT_MS, MANUAL_SCRAPE_EVENT } from "../stack/settings.js";
import { activeRoster } from "../stages/roster-table.js";
import { dynamoScrapeTable } from "../stages/scrape-table.js";
import { DEFAULT_SCRAPE_CONCURRENCY, scrape } from "../stages/scrape.js";
import type { ScrapeResult, ScrapeTable } from "../stages/scrape.js";
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
 * Lambda entry point of the four scraper functions; SOURCE_NAME picks the source. Glue only: the
 * run is `scrape` (stages/scrape.ts). `handler` is built from process.env at cold start;
 * `createHandler(env, overrides)` builds the same thing from the environment the stack declares,
 * for `pipeline run` and tests.
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
  };
}

export interface ScrapeOverrides {
  /** DynamoDB client (default: one from the SDK's default chain, honouring AWS_ENDPOINT_URL). */
  client?: DynamoDBClient;
  /** Replaces the DynamoDB port altogether (unit tests). */
  table?: ScrapeTable;
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
  /** Celebrities in flight at once (default 6). */
  concurrency?: number;
  logger?: Logger;
}

/**
 * Time left at which a run stops starting celebrities: enough for those in flight (a request can
 * take the timeout times the attempts, but usually takes well under a second) and the run record.
 */
export const STOP_BEFORE_TIMEOUT_MS = 15_000;

export type ScrapeHandler = (event: unknown, context?: Context) => Promise<ScrapeResult>;

export function createHandler(env: HandlerEnv, overrides: ScrapeOverrides = {}): ScrapeHandler {
  const settings = readScrapeSettings(env);
  const { source } = settings;
  const logger = overrides.logger ?? createLogger(env, `scraper-${source}`);
  const clock = overrides.clock ?? systemClock;
  const dynamodb = overrides.client ?? new DynamoDBClient({});
  const table = overrides.table ?? dynamoScrapeTable(dynamodb, settings.tableName);
  const readRoster = overrides.roster ?? (() => activeRoster(dynamodb, settings.tableName));
  let retries = 0;
  const onRetry = (event: RetryEvent) => {
    retries += 1;
    logger.debug("source request retried", { ...event });
  };
  // One client per function instance (per key): its token bucket then spans invocations, as the
  // API's limit does. Built at cold start when the key is given, so a bad base URL or a missing
  // key fails there; a key parameter is read at cold start and the client built with its value.
  const sourceClient = sourceClientFor(sourceKeyOf(settings, overrides.ssm), (apiKey) =>
    createSourceClient(source, {
      baseUrl: settings.baseUrl,
      auxBaseUrl: settings.auxBaseUrl,
      apiKey,
      rateLimitPerSecond: settings.rateLimitPerSecond,
      timeoutMs: settings.timeoutMs,
      retry: overrides.retry,
      fetch: overrides.fetch,
      clock,
      random: overrides.random,
      onRetry,
    }),
  );

  return async (event, context) => {
    beginInvocation(logger, event, context);
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
    const roster = active.slice(0, request.limit ?? active.length).map(celebrityOf);
    logger.info("scrape run started", {
      trigger: request.trigger,
      eventId: request.eventId,
      rosterSize: roster.length,
      activeRoster: active.length,
      table: settings.tableName,
      // The host only: a base URL never carries the key, but say nothing more than needed.
      sourceHost: settings.baseUrl === undefined ? "default" : new URL(settings.baseUrl).host,
      rateLimitPerSecond: settings.rateLimitPerSecond ?? "default",
    });
    const retriesBefore = retries;
    const remaining = context?.getRemainingTimeInMillis?.bind(context);
    return scrape(request.runId, {
      source,
      client: await sourceClient(),
      table,
      roster,
      clock,
      logger,
      concurrency: overrides.concurrency ?? DEFAULT_SCRAPE_CONCURRENCY,
      retries: () => retries - retriesBefore,
      shouldStop: () => {
        const left = remaining?.();
        return left !== undefined && left < STOP_BEFORE_TIMEOUT_MS
          ? `stopped with ${left} ms of the function's time left, before Lambda's timeout could cut the run short`
          : undefined;
      },
    });
  };
}

export const handler: ScrapeHandler = handlerFromProcessEnv(() => createHandler(process.env));
