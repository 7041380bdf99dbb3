import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { systemClock } from "../sources/clock.js";
import type { Clock } from "../sources/clock.js";
import type { HandlerEnv } from "../stack/handler-env.js";
import { OPENSEARCH_MAX_ATTEMPTS } from "../stack/settings.js";
import { syncBatch } from "../stages/index-sync.js";
import type { IndexSyncResult, RecordSyncOutcome, SearchIndexPort } from "../stages/index-sync.js";
import { createOpenSearchClient, openSearchIndexPort } from "../stages/index-sync-opensearch.js";
import type { OpenSearchClientOptions } from "../stages/index-sync-opensearch.js";
import { sequenceNumberOf } from "../stages/stream-records.js";
import {
  HandlerConfigError,
  beginInvocation,
  createLogger,
  errorMessage,
  handlerFromProcessEnv,
  loggableEnv,
  positiveIntegerEnv,
  requireEnv,
} from "./_shared.js";

/**
 * Lambda entry point of index-sync (stream mapping on the table): INSERT/MODIFY → index the full new
 * image, REMOVE → delete, one bulk request per batch with retries of the failed items only.
 * The record handler given to Powertools (processInParallel: false, in stream order) only reads the
 * outcome the bulk run decided for its record and throws for failed and blocked ones.
 */

/** Backoff between bulk attempts: 200 ms doubling to 5 s, full jitter (4 attempts stay < 10 s). */
export const BULK_BACKOFF = { baseDelayMs: 200, maxDelayMs: 5_000 } as const;

export interface IndexSyncOverrides {
  /** Replaces the OpenSearch client (unit tests). */
  index?: SearchIndexPort;
  clock?: Pick<Clock, "sleep">;
  random?: () => number;
  logger?: Logger;
  /** Region for SigV4 on AWS endpoints (default AWS_REGION, which Lambda sets). */
  region?: string;
  /** Signing options for the OpenSearch client (tests force SigV4 against a local server). */
  opensearch?: Omit<OpenSearchClientOptions, "region">;
}

export type IndexSyncHandler = (
  event: DynamoDBStreamEvent,
  context?: Context,
) => Promise<DynamoDBBatchResponse>;

class RecordSyncFailed extends Error {
  override readonly name = "RecordSyncFailed";
}

function failureMessage(outcome: RecordSyncOutcome): string | undefined {
  if (outcome.outcome === "failed")
    return `${outcome.id}: ${outcome.reason}${outcome.permanent ? " (permanent)" : ""}`;
  if (outcome.outcome === "blocked") return `blocked behind failed record ${outcome.after} (stream order)`;
  return undefined;
}

function summarise(result: IndexSyncResult): Record<string, number> {
  const counts: Record<string, number> = {
    records: result.plan.records.length,
    bulkRequests: result.run.requests.length,
  };
  for (const outcome of result.outcomes.values())
    counts[outcome.outcome] = (counts[outcome.outcome] ?? 0) + 1;
  return counts;
}

export function createHandler(env: HandlerEnv, overrides: IndexSyncOverrides = {}): IndexSyncHandler {
  const endpoint = requireEnv(env, "opensearchEndpoint");
  const indexName = requireEnv(env, "opensearchIndex");
  try {
    new URL(endpoint);
  } catch {
    throw new HandlerConfigError(
      `OPENSEARCH_ENDPOINT must be a URL such as https://search-x.us-east-1.es.amazonaws.com; got "${endpoint}"`,
    );
  }
  const maxAttempts = positiveIntegerEnv(env, "opensearchMaxAttempts", OPENSEARCH_MAX_ATTEMPTS);
  const logger = overrides.logger ?? createLogger(env, "index-sync");
  logger.debug("index-sync configured", { env: loggableEnv(env) });
  // Module scope in Lambda (createHandler runs once per cold start): one client, kept-alive sockets.
  const index =
    overrides.index ??
    openSearchIndexPort(
      createOpenSearchClient(endpoint, {
        region: overrides.region ?? process.env.AWS_REGION,
        ...overrides.opensearch,
      }),
      indexName,
    );
  const retry = {
    policy: { maxAttempts, ...BULK_BACKOFF },
    clock: overrides.clock ?? systemClock,
    random: overrides.random ?? Math.random,
  };

  return async (event, context) => {
    beginInvocation(logger, event, context);
    const records = event.Records ?? [];
    const result = await syncBatch(records, index, retry);
    for (const [sequenceNumber, outcome] of result.outcomes) {
      if (outcome.outcome === "failed") logger.error("record not synced", { sequenceNumber, ...outcome });
    }
    logger.info("index sync batch done", {
      ...summarise(result),
      index: indexName,
      itemsPerRequest: result.run.requests,
    });

    const recordHandler = async (record: DynamoDBRecord): Promise<RecordSyncOutcome> => {
      const outcome = result.outcomes.get(sequenceNumberOf(record));
      if (outcome === undefined) throw new RecordSyncFailed("record missing from the sync plan");
      const failure = failureMessage(outcome);
      if (failure !== undefined) throw new RecordSyncFailed(failure);
      return outcome;
    };
    const processor = new BatchProcessor(EventType.DynamoDBStreams);
    try {
      return (await processPartialResponse({ Records: result.plan.records }, recordHandler, processor, {
        context,
        processInParallel: false,
      })) as DynamoDBBatchResponse;
    } catch (error) {
      logger.error("index sync batch failed entirely", { error: errorMessage(error) });
      throw error;
    }
  };
}

export const handler: IndexSyncHandler = handlerFromProcessEnv(() => createHandler(process.env));
