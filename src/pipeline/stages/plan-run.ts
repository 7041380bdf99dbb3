import { PermanentError, buildRunRecord, cutShards, rosterHash } from "../model/index.js";
import type { RosterEntry, RunRecord, SourceName } from "../model/index.js";
import type { Clock } from "../sources/index.js";
import type { RunTable } from "./run-table.js";
import type { ScrapeLogger } from "./scrape.js";
import type { ShardSink } from "./work-queue.js";

/**
 * A run's plan, what the rule-invoked scraper does: the people of the run cut into shards, the run
 * record written (`planning`, with the shard count), every shard sent to the source's work queue,
 * then the record marked `planned`. The same for 1 person and 100,000: only the shard count grows.
 *
 * At-least-once safe: Lambda may run the same event twice, or retry it after a failure halfway.
 * A plan already `planned` is left alone; one still `planning` is sent again whole (a shard sent
 * twice is scraped and counted once, see stages/scrape-shard.ts). A retry that finds the roster
 * changed since the first attempt is refused: its shards would not be the ones already sent.
 */

export interface PlanRequest {
  runId: string;
  source: SourceName;
  trigger: "schedule" | "manual";
  eventId: string;
  shardSize: number;
}

export interface PlanDeps {
  people: readonly RosterEntry[];
  runs: RunTable;
  sink: ShardSink;
  clock: Clock;
  logger: ScrapeLogger;
}

export interface PlanResult {
  runId: string;
  source: SourceName;
  outcome: "planned" | "planned-already";
  record: RunRecord;
}

/** A retried plan found another roster than its first attempt planned (a PermanentError). */
export class RosterChangedError extends PermanentError {}

export async function planRun(request: PlanRequest, deps: PlanDeps): Promise<PlanResult> {
  const { runId, source } = request;
  const existing = await deps.runs.getRun(runId, source);
  if (existing?.status === "planned") {
    deps.logger.info("run already planned; nothing sent again", { runId, source, shards: existing.shards });
    return { runId, source, outcome: "planned-already", record: existing };
  }
  const plannedAt = new Date(deps.clock.now());
  const hash = rosterHash(deps.people);
  if (existing !== undefined && existing.rosterHash !== hash) {
    throw new RosterChangedError(
      `run ${runId} (${source}) was being planned for another roster (${existing.rosterSize} people, ${existing.rosterHash}); the roster changed since: start a new run`,
    );
  }
  const shards = cutShards(
    {
      runId,
      source,
      plannedAt: existing ? new Date(existing.plannedAt) : plannedAt,
      shardSize: request.shardSize,
    },
    deps.people,
  );
  const record = buildRunRecord({
    runId,
    source,
    status: "planning",
    shards: shards.length,
    shardSize: request.shardSize,
    rosterSize: deps.people.length,
    rosterHash: hash,
    plannedAt: existing?.plannedAt ?? plannedAt.toISOString(),
    trigger: request.trigger,
    eventId: request.eventId,
  });
  if ((await deps.runs.putRunPlanning(record)) === "planned-already") {
    const done = await deps.runs.getRun(runId, source);
    deps.logger.info("run planned meanwhile by another invocation; nothing sent again", { runId, source });
    return { runId, source, outcome: "planned-already", record: done ?? { ...record, status: "planned" } };
  }
  await deps.sink.send(shards);
  const sentAt = new Date(Math.max(deps.clock.now(), plannedAt.getTime()));
  await deps.runs.markPlanned(runId, source, sentAt);
  const planned: RunRecord = { ...record, status: "planned", sentAt: sentAt.toISOString() };
  deps.logger.info("run planned: shards sent to the work queue", {
    runId,
    source,
    shards: planned.shards,
    shardSize: planned.shardSize,
    rosterSize: planned.rosterSize,
    resent: existing !== undefined,
  });
  return { runId, source, outcome: "planned", record: planned };
}
