import { buildShardRecord, celebrityOf } from "../model/index.js";
import type { ScrapeShard, ShardRecord } from "../model/index.js";
import type { RunTable } from "./run-table.js";
import { messageOf, scrapePeople } from "./scrape.js";
import type { ScrapeDeps } from "./scrape.js";

/**
 * A worker's shard: its people scraped (stages/scrape.ts), then the shard record written. What
 * the worker answers decides the message's fate:
 * - `done`: the shard's record says done (now, or already: a shard delivered twice, or scraped by
 *   a worker that died before its message was deleted, is not scraped or counted again). The
 *   message is deleted.
 * - `retry`: a retryable error stopped it on a receive before the queue's last; the record says
 *   `retrying` and the message comes back after the retry wait.
 * - `failed`: it failed on the last receive the queue allows (ApproximateReceiveCount reached
 *   maxReceiveCount): the record says `failed` for good and SQS moves the message to the scraper
 *   DLQ on its next receive. A run counts the shard as failed, not pending, from then on.
 */

export interface ShardAttempt {
  /** The message's ApproximateReceiveCount (1 on the first delivery). */
  receiveCount: number;
  /** The queue's maxReceiveCount: failing on that receive is final. */
  maxReceiveCount: number;
}

export interface ShardDeps extends ScrapeDeps {
  runs: RunTable;
  /** Source client retries so far (the client's onRetry counter). */
  retries?: () => number;
}

export interface ShardResult {
  outcome: "done" | "done-already" | "retry" | "failed";
  /** The record written (undefined when the shard was done already). */
  record: ShardRecord | undefined;
  error?: string;
}

export async function scrapeShard(
  shard: ScrapeShard,
  attempt: ShardAttempt,
  deps: ShardDeps,
): Promise<ShardResult> {
  const { runId, source } = shard;
  const where = {
    runId,
    source,
    shard: shard.shard,
    shards: shard.shards,
    receiveCount: attempt.receiveCount,
  };
  const existing = await deps.runs.getShard(runId, source, shard.shard);
  if (existing?.status === "done") {
    deps.logger.info("shard already done; not scraped again", where);
    return { outcome: "done-already", record: undefined };
  }
  const startedAt = new Date(deps.clock.now());
  const retriesBefore = deps.retries?.() ?? 0;
  const pass = await scrapePeople(shard.people.map(celebrityOf), deps);
  const finishedAt = new Date(Math.max(deps.clock.now(), startedAt.getTime()));
  const last = attempt.receiveCount >= attempt.maxReceiveCount;
  const status = pass.stopError === undefined ? "done" : last ? "failed" : "retrying";
  const error = pass.stopError === undefined ? undefined : messageOf(pass.stopError);
  // People an earlier attempt of this shard wrote are unchanged now because of that write: the
  // run wrote them, so they count as written, once.
  const earlier = new Set(existing?.writtenIds ?? []);
  const carried = pass.unchangedIds.filter((id) => earlier.has(id)).length;
  const counts = {
    ...pass.tally.counts,
    written: pass.tally.counts.written + carried,
    unchanged: pass.tally.counts.unchanged - carried,
  };
  const writtenIds = [...new Set([...earlier, ...pass.writtenIds])];
  const record = buildShardRecord({
    runId,
    source,
    shard: shard.shard,
    shards: shard.shards,
    people: shard.people.length,
    status,
    receives: attempt.receiveCount,
    startedAt,
    finishedAt,
    counts,
    failures: pass.tally.failures,
    notAttempted: shard.people.length - pass.started,
    retries: (deps.retries?.() ?? 0) - retriesBefore,
    ...(error === undefined ? {} : { error }),
    ...(status === "done" ? {} : { writtenIds }),
  });
  const stored = await deps.runs.putShard(record);
  const summary = { ...where, ...record.counts, notAttempted: record.notAttempted, retries: record.retries };
  if (stored === "done-already") {
    // Another delivery of the same shard finished first: its counts stand, these are dropped.
    deps.logger.info("shard finished meanwhile by another delivery; counted once", summary);
    return { outcome: "done-already", record: undefined };
  }
  if (status === "done") {
    deps.logger.info("shard done", { ...summary, durationMs: record.durationMs });
    return { outcome: "done", record };
  }
  if (status === "failed") {
    deps.logger.error("shard failed on its last receive; the queue moves it to the scraper DLQ", {
      ...summary,
      maxReceiveCount: attempt.maxReceiveCount,
      error,
    });
    return { outcome: "failed", record, ...(error === undefined ? {} : { error }) };
  }
  deps.logger.warn("shard failed; it comes back from the work queue", { ...summary, error });
  return { outcome: "retry", record, ...(error === undefined ? {} : { error }) };
}
