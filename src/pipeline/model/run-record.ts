import { runRecordKey } from "./keys.js";
import type { ItemKey } from "./keys.js";
import type { SourceName } from "./sources.js";

/** How many failures a run record lists; the count covers all of them. */
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
 * One per scraper run (`pk = RUN#<runId>`, `sk = SOURCE#<source>`), written even when nothing
 * changed, so operators and verify can see the run happened. Use the triggering event's id as the
 * runId: the four scrapers started by one event then share one partition.
 */
export interface RunRecord extends ItemKey {
  recordType: "run";
  runId: string;
  source: SourceName;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  counts: RunCounts;
  /** The first MAX_RUN_FAILURES failures. */
  failures: RunFailure[];
}

export interface RunRecordInput {
  runId: string;
  source: SourceName;
  startedAt: Date;
  finishedAt: Date;
  counts: RunCounts;
  failures: readonly RunFailure[];
}

export function buildRunRecord(input: RunRecordInput): RunRecord {
  if (input.runId.trim() === "") throw new Error("runId must be a non-empty string");
  const durationMs = input.finishedAt.getTime() - input.startedAt.getTime();
  if (!Number.isFinite(durationMs) || durationMs < 0) {
    throw new Error(`run ${input.runId} finished before it started`);
  }
  return {
    ...runRecordKey(input.runId, input.source),
    recordType: "run",
    runId: input.runId,
    source: input.source,
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    durationMs,
    counts: { ...input.counts },
    failures: input.failures.slice(0, MAX_RUN_FAILURES).map((failure) => ({ ...failure })),
  };
}

/** Accumulates a run's counts and failures as the scraper goes. */
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

  toRecord(runId: string, source: SourceName, startedAt: Date, finishedAt: Date): RunRecord {
    return buildRunRecord({
      runId,
      source,
      startedAt,
      finishedAt,
      counts: this.counts,
      failures: this.failures,
    });
  }
}
