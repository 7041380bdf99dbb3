import type { DynamoDBRecord } from "aws-lambda";
import { documentId } from "../model/keys.js";
import { versionOfImage } from "../model/version.js";
import type { Clock } from "../sources/clock.js";
import { backoffDelayMs } from "../sources/backoff.js";
import type { RetryPolicy } from "../sources/backoff.js";
import {
  compareSequenceNumbers,
  isCelebrityRecord,
  recordKey,
  sequenceNumberOf,
  unmarshallImage,
} from "./stream-records.js";

/**
 * Index-sync's unit of work is the batch, not the record: one bulk request carries the whole batch
 * (100 records → 1 request, not 100), and only the failed items are retried. Per-record outcomes are
 * then handed to Powertools' BatchProcessor, which turns failures into batchItemFailures.
 */

/**
 * The ordering key a write carries (OpenSearch external versioning): the item's version, or for a
 * legacy image without one the record's creation time (docs/stream-consumers.md).
 */
export interface DocVersion {
  value: number;
  /** `external`: only a strictly newer version may write; `external_gte` for same-second legacy times. */
  type: "external" | "external_gte";
  from: "item-version" | "record-time";
}

export type IndexAction =
  | { kind: "index"; id: string; document: Record<string, unknown>; version: DocVersion }
  | { kind: "delete"; id: string; version: DocVersion };

/** One bulk item's answer, as OpenSearch reports it. */
export interface BulkItemResult {
  status: number;
  result?: string;
  error?: { type?: string; reason?: string };
}

/** A bulk request that failed as a whole (HTTP error or no answer at all). */
export class BulkRequestError extends Error {
  override readonly name = "BulkRequestError";
  constructor(
    message: string,
    /** HTTP status, undefined when the request got no response (network error, timeout). */
    readonly status: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** 429, 502, 503, 504 and no response at all are worth retrying; other statuses are not. */
  get retryable(): boolean {
    return this.status === undefined || [429, 502, 503, 504].includes(this.status);
  }
}

/** The search index as index-sync sees it: one bulk call, items answered in order. */
export interface SearchIndexPort {
  bulk(actions: readonly IndexAction[]): Promise<BulkItemResult[]>;
}

/** DynamoDB sets and binaries have no JSON form: sets become arrays, binaries base64. */
function toJson(value: unknown): unknown {
  if (value instanceof Set) return [...value].map(toJson);
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map(toJson);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, toJson(entry)]));
  }
  return value;
}

/** Microseconds per second: legacy record times on the scale of item versions (model/version.ts). */
const MICROS_PER_SECOND = 1_000_000;

/**
 * The version a record's write carries. INSERT/MODIFY: the new image's version. REMOVE: one more
 * than the old image's, so the delete beats the last state it removes and its tombstone beats a
 * late copy of that state. An image without a version (written before versions existed) falls
 * back to the record's creation time with `external_gte`: it orders legacy records a second
 * apart and always loses against a versioned write made after it.
 */
export function versionOfRecord(record: DynamoDBRecord, id: string): DocVersion {
  const remove = record.eventName === "REMOVE";
  const image = unmarshallImage(remove ? record.dynamodb?.OldImage : record.dynamodb?.NewImage);
  const version = versionOfImage(image);
  if (version !== undefined) {
    return { value: remove ? version + 1 : version, type: "external", from: "item-version" };
  }
  const created = record.dynamodb?.ApproximateCreationDateTime;
  if (typeof created !== "number" || !Number.isFinite(created)) {
    throw new Error(
      `${record.eventName ?? "record"} for ${id} carries neither an item version nor a creation time`,
    );
  }
  return { value: Math.floor(created) * MICROS_PER_SECOND, type: "external_gte", from: "record-time" };
}

/** The action one stream record asks for: upsert the full new image, or delete the document. */
export function actionOf(record: DynamoDBRecord): IndexAction | undefined {
  const key = recordKey(record);
  if (key === undefined || !isCelebrityRecord(record)) return undefined;
  const id = documentId(key);
  const version = versionOfRecord(record, id);
  if (record.eventName === "REMOVE") return { kind: "delete", id, version };
  const image = unmarshallImage(record.dynamodb?.NewImage);
  if (image === undefined) {
    throw new Error(
      `${record.eventName ?? "record"} for ${id} has no NewImage: the stream must use NEW_AND_OLD_IMAGES`,
    );
  }
  return { kind: "index", id, document: toJson(image) as Record<string, unknown>, version };
}

export interface SyncPlan {
  /** Records in stream order. */
  records: DynamoDBRecord[];
  /** One action per document: the record with the highest version wins (the others are superseded). */
  actions: IndexAction[];
  /** For each record, the index in `actions` that carries its effect, or undefined if skipped. */
  actionOfRecord: (number | undefined)[];
}

/**
 * Plans a batch: records sorted by sequence number, non-celebrity records skipped, and one action
 * per document id: the newest by version (later in the stream on a tie). Collapsing saves bulk
 * items; correctness does not depend on it, because every write carries its version and
 * OpenSearch refuses one older than what the index holds.
 */
export function planIndexSync(records: readonly DynamoDBRecord[]): SyncPlan {
  const ordered = [...records].sort((a, b) =>
    compareSequenceNumbers(sequenceNumberOf(a), sequenceNumberOf(b)),
  );
  const lastRecordOfId = new Map<string, number>();
  const perRecord = ordered.map((record) => actionOf(record));
  perRecord.forEach((action, index) => {
    if (action === undefined) return;
    const chosen = lastRecordOfId.get(action.id);
    const best = chosen === undefined ? undefined : perRecord[chosen];
    if (best === undefined || action.version.value >= best.version.value)
      lastRecordOfId.set(action.id, index);
  });
  const actions: IndexAction[] = [];
  const actionIndexOfId = new Map<string, number>();
  perRecord.forEach((action, index) => {
    if (action !== undefined && lastRecordOfId.get(action.id) === index) {
      actionIndexOfId.set(action.id, actions.length);
      actions.push(action);
    }
  });
  return {
    records: ordered,
    actions,
    actionOfRecord: perRecord.map((action) =>
      action === undefined ? undefined : actionIndexOfId.get(action.id),
    ),
  };
}

export type ActionResult =
  | { ok: true; attempts: number; result: string }
  | { ok: false; attempts: number; permanent: boolean; reason: string };

export interface BulkRetryOptions {
  policy: Pick<RetryPolicy, "maxAttempts" | "baseDelayMs" | "maxDelayMs">;
  clock: Pick<Clock, "sleep">;
  /** [0, 1), for the jitter. */
  random: () => number;
}

/**
 * A version conflict: the index already holds this document at a version at least as new (or a
 * newer delete's tombstone). The write is stale, and refusing it is the point: success, never a
 * retry or a DLQ entry.
 */
export function isStaleWrite(item: BulkItemResult): boolean {
  return item.status === 409 && item.error?.type === "version_conflict_engine_exception";
}

/** A delete of a missing document (404 not_found, no error) is what we wanted: success. */
function itemSucceeded(action: IndexAction, item: BulkItemResult): boolean {
  if (item.status >= 200 && item.status < 300) return true;
  if (isStaleWrite(item)) return true;
  return action.kind === "delete" && item.status === 404 && item.error === undefined;
}

function itemRetryable(item: BulkItemResult): boolean {
  return item.status === 429 || item.status >= 500;
}

function itemReason(item: BulkItemResult): string {
  const detail = [item.error?.type, item.error?.reason].filter(Boolean).join(": ");
  return `HTTP ${item.status}${detail === "" ? "" : ` ${detail}`}`;
}

export interface BulkRun {
  results: ActionResult[];
  /** Bulk requests sent, and how many items each carried. */
  requests: number[];
}

/**
 * Sends the actions in bulk and retries, with exponential backoff and full jitter, only what is
 * worth retrying: items answered 429/5xx, or every pending item when the whole request failed
 * with 429/502/503/504 or no response. Items answered 4xx are permanent failures at once.
 */
export async function bulkWithRetry(
  actions: readonly IndexAction[],
  port: SearchIndexPort,
  options: BulkRetryOptions,
): Promise<BulkRun> {
  const results: (ActionResult | undefined)[] = actions.map(() => undefined);
  const requests: number[] = [];
  let pending = actions.map((_, index) => index);
  const { maxAttempts } = options.policy;
  for (let attempt = 1; pending.length > 0; attempt += 1) {
    const last = attempt >= maxAttempts;
    const retryLater: number[] = [];
    requests.push(pending.length);
    try {
      const answers = await port.bulk(pending.map((index) => actions[index] as IndexAction));
      if (answers.length !== pending.length) {
        throw new BulkRequestError(
          `bulk answered ${answers.length} items for ${pending.length} actions`,
          undefined,
        );
      }
      answers.forEach((item, position) => {
        const index = pending[position] as number;
        const action = actions[index] as IndexAction;
        if (itemSucceeded(action, item)) {
          const result = isStaleWrite(item) ? "stale" : (item.result ?? String(item.status));
          results[index] = { ok: true, attempts: attempt, result };
        } else if (itemRetryable(item) && !last) {
          retryLater.push(index);
        } else {
          results[index] = {
            ok: false,
            attempts: attempt,
            permanent: !itemRetryable(item),
            reason: itemReason(item),
          };
        }
      });
    } catch (error) {
      const requestError =
        error instanceof BulkRequestError
          ? error
          : new BulkRequestError(error instanceof Error ? error.message : String(error), undefined, {
              cause: error,
            });
      if (requestError.retryable && !last) {
        retryLater.push(...pending);
      } else {
        for (const index of pending) {
          results[index] = {
            ok: false,
            attempts: attempt,
            permanent: !requestError.retryable,
            reason: `bulk request failed: ${requestError.message}`,
          };
        }
      }
    }
    pending = retryLater;
    if (pending.length > 0)
      await options.clock.sleep(backoffDelayMs(attempt, options.policy as RetryPolicy, options.random));
  }
  return { results: results.map((result) => result as ActionResult), requests };
}

export type RecordSyncOutcome =
  | { outcome: "indexed" | "deleted"; id: string; attempts: number }
  /** The index already held a newer version (or a newer delete): nothing was written, and rightly. */
  | { outcome: "stale"; id: string; attempts: number; version: number }
  /** A later record of the same document in this batch carried the final state. */
  | { outcome: "superseded"; id: string }
  | { outcome: "skipped"; reason: "not-a-celebrity-item" }
  | { outcome: "failed"; id: string; reason: string; permanent: boolean }
  /** Not failed itself, but after a failed record of the shard: Lambda must retry it in order. */
  | { outcome: "blocked"; id: string | undefined; after: string };

/**
 * Per-record outcomes in stream order. Stream batches are retried in order from the lowest
 * reported sequence number, so once a record fails every later record is reported too
 * ("blocked"): nothing after a gap counts as done. Powertools' BatchProcessor does not do this by
 * itself (with processInParallel: false it still runs and reports each record independently).
 */
export function recordOutcomes(
  plan: SyncPlan,
  results: readonly ActionResult[],
): Map<string, RecordSyncOutcome> {
  const outcomes = new Map<string, RecordSyncOutcome>();
  let firstFailure: string | undefined;
  plan.records.forEach((record, index) => {
    const sequenceNumber = sequenceNumberOf(record);
    const actionIndex = plan.actionOfRecord[index];
    const action = actionIndex === undefined ? undefined : plan.actions[actionIndex];
    const result = actionIndex === undefined ? undefined : results[actionIndex];
    if (firstFailure !== undefined) {
      outcomes.set(sequenceNumber, { outcome: "blocked", id: action?.id, after: firstFailure });
      return;
    }
    if (action === undefined || result === undefined) {
      outcomes.set(sequenceNumber, { outcome: "skipped", reason: "not-a-celebrity-item" });
      return;
    }
    // An earlier record of a document that a later record in the batch overwrites is done either
    // way: if the later one fails, the retry resumes there and writes the final state.
    if (plan.actionOfRecord.lastIndexOf(actionIndex) !== index) {
      outcomes.set(sequenceNumber, { outcome: "superseded", id: action.id });
      return;
    }
    if (result.ok) {
      outcomes.set(
        sequenceNumber,
        result.result === "stale"
          ? { outcome: "stale", id: action.id, attempts: result.attempts, version: action.version.value }
          : {
              outcome: action.kind === "delete" ? "deleted" : "indexed",
              id: action.id,
              attempts: result.attempts,
            },
      );
      return;
    }
    firstFailure = sequenceNumber;
    outcomes.set(sequenceNumber, {
      outcome: "failed",
      id: action.id,
      reason: result.reason,
      permanent: result.permanent,
    });
  });
  return outcomes;
}

export interface IndexSyncResult {
  plan: SyncPlan;
  run: BulkRun;
  /** By sequence number. */
  outcomes: Map<string, RecordSyncOutcome>;
}

/** Plans the batch, sends it with retries, and decides each record's outcome. */
export async function syncBatch(
  records: readonly DynamoDBRecord[],
  port: SearchIndexPort,
  options: BulkRetryOptions,
): Promise<IndexSyncResult> {
  const plan = planIndexSync(records);
  const run =
    plan.actions.length === 0
      ? { results: [], requests: [] }
      : await bulkWithRetry(plan.actions, port, options);
  return { plan, run, outcomes: recordOutcomes(plan, run.results) };
}
