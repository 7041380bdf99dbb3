import { runRecordKey, shardRecordKey } from "./keys.js";
import type { ItemKey } from "./keys.js";
import type { SourceName } from "./sources.js";

/** How many failures a shard record lists; the count covers all of them. */
export const MAX_RUN_FAILURES = 20;

export interface RunCounts {
  /** Celebrities whose source data was fetched and normalised. */
  fetched: number;
  /** Items written because their content hash changed (or they were new). */
  written: number;
  /** Items skipped because the content hash was unchanged. */
  unchanged: number;
  /** Celebrities that failed permanently (invalid data, 4xx, incomplete item). */
  failed: number;
}

export interface RunFailure {
  celebrityId: string;
  reason: string;
}

/**
 * One per source per run (`pk = RUN#<runId>`, `sk = SOURCE#<source>`), written by the scraper that
 * planned the run: how many shards it cut from which roster, and whether all of them were sent to
 * the work queue (`planned`) or the planner may still be sending (`planning`: a retry of the same
 * event sends them again). What the run did is in its shard records, summed (stages/run-progress).
 * Use the triggering event's id as the runId: the four scrapers started by one event then share
 * one partition.
 */
export interface RunRecord extends ItemKey {
  recordType: "run";
  runId: string;
  source: SourceName;
  status: "planning" | "planned";
  /** Shards cut from the roster (0 never: an empty roster is refused before planning). */
  shards: number;
  shardSize: number;
  /** People the run covers. */
  rosterSize: number;
  /** Fingerprint of the people covered (model/roster.ts rosterHash): which roster this run scraped. */
  rosterHash: string;
  plannedAt: string;
  /** When the last shard was accepted by the queue. */
  sentAt?: string;
  trigger: "schedule" | "manual";
  eventId: string;
}

export type RunRecordInput = Omit<RunRecord, "pk" | "sk" | "recordType">;

export function buildRunRecord(input: RunRecordInput): RunRecord {
  if (input.runId.trim() === "") throw new Error("runId must be a non-empty string");
  if (!Number.isInteger(input.shards) || input.shards < 1) {
    throw new Error(`run ${input.runId} must have at least one shard; got ${input.shards}`);
  }
  return { ...runRecordKey(input.runId, input.source), recordType: "run", ...input };
}

/**
 * What one shard of a run came to (`RUN#<runId>` / `SOURCE#<source>#SHARD#<n>`): `done` with its
 * counts, `failed` for good (its message failed on the queue's last receive and goes to the DLQ),
 * or `retrying` (failed on an earlier receive; it comes back). A done record is never overwritten,
 * so a shard delivered twice counts once; a failed one becomes done when its replayed message
 * succeeds.
 */
export interface ShardRecord extends ItemKey {
  recordType: "shard";
  runId: string;
  source: SourceName;
  shard: number;
  shards: number;
  /** People in the shard. */
  people: number;
  status: "done" | "failed" | "retrying";
  /** The message's ApproximateReceiveCount on the attempt recorded. */
  receives: number;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  counts: RunCounts;
  /** The first MAX_RUN_FAILURES permanent failures (and, unless done, the retryable one). */
  failures: RunFailure[];
  /** People not started because the attempt stopped at a retryable error. */
  notAttempted: number;
  /** HTTP retries the source client made (429/5xx/timeouts absorbed). */
  retries: number;
  /** The retryable error that failed the attempt. */
  error?: string;
  /**
   * Not done yet: the people whose items this shard's attempts so far wrote. The next attempt
   * finds them unchanged (its own writes), and counts them as written by the run all the same.
   */
  writtenIds?: string[];
}

export interface ShardRecordInput {
  runId: string;
  source: SourceName;
  shard: number;
  shards: number;
  people: number;
  status: ShardRecord["status"];
  receives: number;
  startedAt: Date;
  finishedAt: Date;
  counts: RunCounts;
  failures: readonly RunFailure[];
  notAttempted: number;
  retries: number;
  error?: string;
  writtenIds?: readonly string[];
}

export function buildShardRecord(input: ShardRecordInput): ShardRecord {
  if (input.runId.trim() === "") throw new Error("runId must be a non-empty string");
  const durationMs = input.finishedAt.getTime() - input.startedAt.getTime();
  if (!Number.isFinite(durationMs) || durationMs < 0) {
    throw new Error(`shard ${input.shard} of run ${input.runId} finished before it started`);
  }
  const record: ShardRecord = {
    ...shardRecordKey(input.runId, input.source, input.shard),
    recordType: "shard",
    runId: input.runId,
    source: input.source,
    shard: input.shard,
    shards: input.shards,
    people: input.people,
    status: input.status,
    receives: input.receives,
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    durationMs,
    counts: { ...input.counts },
    failures: input.failures.slice(0, MAX_RUN_FAILURES).map((failure) => ({ ...failure })),
    notAttempted: input.notAttempted,
    retries: input.retries,
  };
  if (input.error !== undefined) record.error = input.error;
  if (input.writtenIds !== undefined && input.writtenIds.length > 0)
    record.writtenIds = [...input.writtenIds];
  return record;
}

/** Accumulates counts and failures as a scraper goes through people. */
export class RunTally {
  readonly counts: RunCounts = { fetched: 0, written: 0, unchanged: 0, failed: 0 };
  readonly failures: RunFailure[] = [];

  fetched(): void {
    this.counts.fetched += 1;
  }

  written(): void {
    this.counts.written += 1;
  }

  unchanged(): void {
    this.counts.unchanged += 1;
  }

  failed(celebrityId: string, reason: string): void {
    this.counts.failed += 1;
    this.failures.push({ celebrityId, reason });
  }
}
