import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Logger } from "@aws-lambda-powertools/logger";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import type { HandlerEnv } from "../stack/handler-env.js";
import { dynamoEnrichmentTable } from "../stages/post-process-table.js";
import { postProcessRecord } from "../stages/post-process.js";
import type { EnrichmentTable, PostProcessOutcome } from "../stages/post-process.js";
import {
  beginInvocation,
  createLogger,
  errorMessage,
  handlerFromProcessEnv,
  loggableEnv,
  requireEnv,
} from "./_shared.js";

/**
 * Lambda entry point of the post-processor (stream mapping on the table). Glue only: the unit is
 * postProcessRecord. Records run in parallel: each one's UpdateItem is conditional on its own
 * content hash, so order does not matter. Failed records come back as batchItemFailures keyed by
 * SequenceNumber; if every record fails Powertools throws, and Lambda retries (and bisects) the batch.
 */

export interface PostProcessOverrides {
  /** DynamoDB client (default: one from the SDK's default chain, honouring AWS_ENDPOINT_URL). */
  client?: DynamoDBClient;
  /** Replaces the DynamoDB port altogether (unit tests). */
  table?: EnrichmentTable;
  now?: () => Date;
  logger?: Logger;
}

export interface PostProcessSummary {
  records: number;
  enriched: number;
  superseded: number;
  skipped: number;
  failed: number;
}

export type PostProcessHandler = (
  event: DynamoDBStreamEvent,
  context?: Context,
) => Promise<DynamoDBBatchResponse>;

function summarise(records: number, outcomes: PostProcessOutcome[], failed: number): PostProcessSummary {
  const count = (kind: PostProcessOutcome["outcome"]) => outcomes.filter((o) => o.outcome === kind).length;
  return {
    records,
    enriched: count("enriched"),
    superseded: count("superseded"),
    skipped: count("skipped"),
    failed,
  };
}

export function createHandler(env: HandlerEnv, overrides: PostProcessOverrides = {}): PostProcessHandler {
  const tableName = requireEnv(env, "tableName");
  const logger = overrides.logger ?? createLogger(env, "post-processor");
  logger.debug("post-processor configured", { env: loggableEnv(env) });
  const table =
    overrides.table ?? dynamoEnrichmentTable(overrides.client ?? new DynamoDBClient({}), tableName);
  const now = overrides.now ?? (() => new Date());

  return async (event, context) => {
    beginInvocation(logger, event, context);
    // A processor per invocation: it holds the batch's state, and an in-process caller (pipeline run)
    // may invoke the same handler concurrently, which Lambda never does.
    const processor = new BatchProcessor(EventType.DynamoDBStreams);
    const outcomes: PostProcessOutcome[] = [];
    const recordHandler = async (record: DynamoDBRecord): Promise<PostProcessOutcome> => {
      try {
        const outcome = await postProcessRecord(record, { table, now });
        outcomes.push(outcome);
        logger.debug("record processed", { sequenceNumber: record.dynamodb?.SequenceNumber, ...outcome });
        return outcome;
      } catch (error) {
        logger.error("record failed", {
          sequenceNumber: record.dynamodb?.SequenceNumber,
          eventName: record.eventName,
          pk: record.dynamodb?.Keys?.pk?.S,
          sk: record.dynamodb?.Keys?.sk?.S,
          error: errorMessage(error),
        });
        throw error;
      }
    };
    const records = event.Records ?? [];
    try {
      const response = await processPartialResponse(event, recordHandler, processor, {
        context,
        processInParallel: true,
      });
      const summary = summarise(records.length, outcomes, response.batchItemFailures?.length ?? 0);
      logger.info("post-processing batch done", { ...summary, table: tableName });
      return response as DynamoDBBatchResponse;
    } catch (error) {
      logger.error("post-processing batch failed entirely", {
        ...summarise(records.length, outcomes, records.length),
        error: errorMessage(error),
      });
      throw error;
    }
  };
}

export const handler: PostProcessHandler = handlerFromProcessEnv(() => createHandler(process.env));
