import type { Logger } from "@aws-lambda-powertools/logger";
import {
  PermanentError,
  RetryableError,
  RunTally,
  buildCelebrityItem,
  classifyError,
  validateCompleteness,
} from "../model/index.js";
import { rosterHash } from "../model/index.js";
import type { Celebrity, CelebrityItem, RunRecord, SourceName } from "../model/index.js";
import type { AnySourceClient, Clock } from "../sources/index.js";

/**
 * One scraper run: every celebrity of the roster through one source, a bounded number at a time.
 * Per celebrity: fetch and normalise, build the item with its GSI keys, check completeness, and
 * put it only if its content hash changed. A permanent error (not found, invalid data, incomplete
 * item) is logged with the celebrity, counted and skipped. A retryable error (the source failing
 * beyond its client's retries, or DynamoDB failing beyond the SDK's) stops the run from starting
 * more celebrities; those in flight finish, the run record is written with what happened, and the
 * run throws so Lambda retries the event. The run record is written on failure on purpose:
 * operators and `verify` need to see the failed run and its counts, and a retry of the same event
 * (same run id) overwrites it, so a run still has exactly one record.
 */

export const DEFAULT_SCRAPE_CONCURRENCY = 6;

export interface ScrapeTable {
  /** Puts the item unless one with the same content hash is stored. */
  putIfChanged(item: CelebrityItem): Promise<"written" | "unchanged">;
  /** Puts (or replaces) the run's record. */
  putRunRecord(record: ScrapeRunRecord): Promise<void>;
}

export type ScrapeLogger = Pick<Logger, "debug" | "info" | "warn" | "error">;

/** The model's run record plus what a scraper adds: outcome, size, retries, the error that stopped it. */
export interface ScrapeRunRecord extends RunRecord {
  outcome: "succeeded" | "failed";
  /** Celebrities the run was to cover. */
  rosterSize: number;
  /** Fingerprint of the people covered (model/roster.ts rosterHash): which roster this run scraped. */
  rosterHash: string;
  /** Celebrities not started because the run stopped at a retryable error. */
  notAttempted: number;
  /** HTTP retries the source client made (429/5xx/timeouts absorbed). */
  retries: number;
  /** The retryable error that failed the run. */
  error?: string;
}

export interface ScrapeResult {
  runId: string;
  source: SourceName;
  outcome: "succeeded";
  record: ScrapeRunRecord;
}

/** The run failed with a retryable error; its record (already written) is attached. */
export class ScrapeRunFailedError extends RetryableError {
  constructor(
    message: string,
    readonly record: ScrapeRunRecord,
    cause: unknown,
  ) {
    super(message, { cause });
  }
}

export interface ScrapeDeps {
  source: SourceName;
  client: AnySourceClient;
  table: ScrapeTable;
  roster: readonly Celebrity[];
  clock: Clock;
  logger: ScrapeLogger;
  /** Celebrities in flight at once (the client's rate limit still applies). */
  concurrency?: number;
  /** Reads the number of HTTP retries so far (the client's onRetry counter). */
  retries?: () => number;
  /**
   * Asked before each celebrity; a reason stops the run like a retryable error. The handler stops
   * before Lambda's timeout, which would otherwise kill the run before its record is written.
   */
  shouldStop?: () => string | undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function scrape(runId: string, deps: ScrapeDeps): Promise<ScrapeResult> {
  const { source, client, table, roster, clock, logger } = deps;
  const concurrency = deps.concurrency ?? DEFAULT_SCRAPE_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error(`scrape concurrency must be an integer >= 1; got ${concurrency}`);
  }
  const startedAt = new Date(clock.now());
  const tally = new RunTally();
  let stopError: unknown;
  let next = 0;
  let started = 0;

  const scrapeOne = async (celebrity: Celebrity): Promise<void> => {
    try {
      const data = await client.fetch(celebrity);
      tally.fetched();
      const item = buildCelebrityItem(celebrity, source, data, new Date(clock.now()));
      const problems = validateCompleteness(item);
      if (problems.length > 0) {
        throw new PermanentError(`incomplete ${source} item: ${problems.join("; ")}`, {
          celebrityId: celebrity.id,
        });
      }
      const outcome = await table.putIfChanged(item);
      if (outcome === "written") tally.written();
      else tally.unchanged();
      logger.debug("celebrity scraped", {
        celebrityId: celebrity.id,
        outcome,
        contentHash: item.contentHash,
      });
    } catch (error) {
      const reason = messageOf(error);
      if (classifyError(error) === "permanent") {
        tally.failed(celebrity.id, reason);
        logger.warn("celebrity failed permanently; skipped", {
          celebrityId: celebrity.id,
          name: celebrity.name,
          reason,
        });
        return;
      }
      tally.failed(celebrity.id, `retryable: ${reason}`);
      logger.error("celebrity failed with a retryable error; stopping the run", {
        celebrityId: celebrity.id,
        reason,
      });
      stopError ??= error;
    }
  };

  const worker = async (): Promise<void> => {
    while (stopError === undefined && next < roster.length) {
      const reason = deps.shouldStop?.();
      if (reason !== undefined) {
        stopError ??= new RetryableError(reason);
        break;
      }
      const celebrity = roster[next];
      next += 1;
      if (celebrity === undefined) continue;
      started += 1;
      await scrapeOne(celebrity);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, roster.length) }, () => worker()));

  const finishedAt = new Date(Math.max(clock.now(), startedAt.getTime()));
  const record: ScrapeRunRecord = {
    ...tally.toRecord(runId, source, startedAt, finishedAt),
    outcome: stopError === undefined ? "succeeded" : "failed",
    rosterSize: roster.length,
    rosterHash: rosterHash(roster),
    notAttempted: roster.length - started,
    retries: deps.retries?.() ?? 0,
  };
  if (stopError !== undefined) record.error = messageOf(stopError);
  await table.putRunRecord(record);
  const summary = {
    runId,
    source,
    ...record.counts,
    notAttempted: record.notAttempted,
    retries: record.retries,
  };
  if (stopError !== undefined) {
    logger.error("scrape run failed; run record written", { ...summary, error: record.error });
    throw new ScrapeRunFailedError(
      `${source} scrape run ${runId} failed after ${record.counts.fetched} of ${roster.length} celebrities: ${record.error}`,
      record,
      stopError,
    );
  }
  logger.info("scrape run finished", { ...summary, durationMs: record.durationMs });
  return { runId, source, outcome: "succeeded", record };
}
