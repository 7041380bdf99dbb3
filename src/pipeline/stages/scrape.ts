import type { Logger } from "@aws-lambda-powertools/logger";
import {
  PermanentError,
  RetryableError,
  RunTally,
  buildCelebrityItem,
  classifyError,
  validateCompleteness,
} from "../model/index.js";
import type { Celebrity, CelebrityItem, SourceName } from "../model/index.js";
import type { AnySourceClient, Clock } from "../sources/index.js";

/**
 * People through one source, a bounded number at a time: what a worker does with its shard. Per
 * celebrity: fetch and normalise, build the item with its GSI keys, check completeness, and put it
 * only if its content hash changed. A permanent error (not found, invalid data, incomplete item)
 * is logged with the celebrity, counted and skipped. A retryable error (the source failing beyond
 * its client's retries, or DynamoDB failing beyond the SDK's) stops the pass from starting more
 * celebrities; those in flight finish, and the caller learns the error (the shard is retried).
 */

export const DEFAULT_SCRAPE_CONCURRENCY = 6;

export interface ScrapeTable {
  /** Puts the item unless one with the same content hash is stored. */
  putIfChanged(item: CelebrityItem): Promise<"written" | "unchanged">;
}

export type ScrapeLogger = Pick<Logger, "debug" | "info" | "warn" | "error">;

export interface ScrapeDeps {
  source: SourceName;
  client: AnySourceClient;
  table: ScrapeTable;
  clock: Clock;
  logger: ScrapeLogger;
  /** Celebrities in flight at once (the client's rate limit still applies). */
  concurrency?: number;
  /**
   * Asked before each celebrity; a reason stops the pass like a retryable error. The worker stops
   * before Lambda's timeout, which would otherwise kill it before its shard record is written.
   */
  shouldStop?: () => string | undefined;
}

export interface ScrapePass {
  tally: RunTally;
  /** Ids of the people whose item was written, and of those found unchanged. */
  writtenIds: string[];
  unchangedIds: string[];
  /** People started (the rest were not attempted because the pass stopped). */
  started: number;
  /** The retryable error that stopped the pass, if one did. */
  stopError: unknown;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function scrapePeople(people: readonly Celebrity[], deps: ScrapeDeps): Promise<ScrapePass> {
  const { source, client, table, clock, logger } = deps;
  const concurrency = deps.concurrency ?? DEFAULT_SCRAPE_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error(`scrape concurrency must be an integer >= 1; got ${concurrency}`);
  }
  const tally = new RunTally();
  const writtenIds: string[] = [];
  const unchangedIds: string[] = [];
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
      if (outcome === "written") {
        tally.written();
        writtenIds.push(celebrity.id);
      } else {
        tally.unchanged();
        unchangedIds.push(celebrity.id);
      }
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
      logger.error("celebrity failed with a retryable error; stopping the shard", {
        celebrityId: celebrity.id,
        reason,
      });
      stopError ??= error;
    }
  };

  const lane = async (): Promise<void> => {
    while (stopError === undefined && next < people.length) {
      const reason = deps.shouldStop?.();
      if (reason !== undefined) {
        stopError ??= new RetryableError(reason);
        break;
      }
      const celebrity = people[next];
      next += 1;
      if (celebrity === undefined) continue;
      started += 1;
      await scrapeOne(celebrity);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, people.length) }, () => lane()));
  return { tally, writtenIds, unchangedIds, started, stopError };
}
