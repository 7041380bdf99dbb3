import { QueryCommand } from "@aws-sdk/client-dynamodb";
import type { AttributeValue, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { KEY_PREFIX, MAX_RUN_FAILURES, SOURCES, isSourceName } from "../model/index.js";
import type { RunCounts, RunFailure, RunRecord, ShardRecord, SourceName } from "../model/index.js";

/**
 * A run as one thing: per source, its plan (the run record) and its shard records summed. Done and
 * failed shards are settled; the rest are pending (not yet scraped, in flight, or retrying). A
 * source's run is complete when it is planned and every shard is settled. Counts are summed over
 * shard records, and a shard has one record whatever its deliveries, so nothing counts twice.
 */
export interface SourceRunProgress {
  runId: string;
  source: SourceName;
  /** The run record; undefined when the planner has not written it (yet). */
  plan: RunRecord | undefined;
  shards: number;
  done: number;
  failed: number;
  /** Shards with a `retrying` record: failed on an earlier receive, coming back. */
  retrying: number;
  /** Neither done nor failed. */
  pending: number;
  /** Indexes of the shards that failed for good (their messages are in the scraper DLQ). */
  failedShards: number[];
  /** People in the run, and in the shards that failed for good. */
  people: number;
  peopleInFailedShards: number;
  /** Summed over settled shards (done, and failed on their last attempt). */
  counts: RunCounts;
  failures: RunFailure[];
  retries: number;
  complete: boolean;
  /** The latest finish of a settled shard, once the run is complete. */
  finishedAt: string | undefined;
  /** The first retryable error of a failed or retrying shard. */
  lastError: string | undefined;
}

export type RunProgress = Map<SourceName, SourceRunProgress>;

function emptyCounts(): RunCounts {
  return { fetched: 0, written: 0, unchanged: 0, failed: 0 };
}

/** The progress of every source that has a record in the run's partition. */
export function summariseRun(runId: string, items: readonly Record<string, unknown>[]): RunProgress {
  const plans = new Map<SourceName, RunRecord>();
  const shards = new Map<SourceName, ShardRecord[]>();
  for (const item of items) {
    if (!isSourceName(item.source)) continue;
    if (item.recordType === "run") plans.set(item.source, item as unknown as RunRecord);
    else if (item.recordType === "shard") {
      const list = shards.get(item.source) ?? [];
      list.push(item as unknown as ShardRecord);
      shards.set(item.source, list);
    }
  }
  const out: RunProgress = new Map();
  for (const source of SOURCES) {
    const plan = plans.get(source);
    const records = (shards.get(source) ?? []).sort((a, b) => a.shard - b.shard);
    if (plan === undefined && records.length === 0) continue;
    const total = plan?.shards ?? records[0]?.shards ?? 0;
    const counts = emptyCounts();
    const failures: RunFailure[] = [];
    let done = 0;
    let failed = 0;
    let retrying = 0;
    let retries = 0;
    let peopleInFailedShards = 0;
    let finishedAt: string | undefined;
    let lastError: string | undefined;
    const failedShards: number[] = [];
    for (const record of records) {
      if (record.status === "retrying") {
        retrying += 1;
        lastError ??= record.error;
        continue;
      }
      if (record.status === "done") done += 1;
      else {
        failed += 1;
        failedShards.push(record.shard);
        peopleInFailedShards += record.people;
        lastError ??= record.error;
      }
      for (const key of Object.keys(counts) as (keyof RunCounts)[]) counts[key] += record.counts?.[key] ?? 0;
      retries += record.retries ?? 0;
      for (const failure of record.failures ?? []) {
        if (failures.length < MAX_RUN_FAILURES) failures.push(failure);
      }
      if (finishedAt === undefined || record.finishedAt > finishedAt) finishedAt = record.finishedAt;
    }
    const complete = plan?.status === "planned" && done + failed >= total;
    out.set(source, {
      runId,
      source,
      plan,
      shards: total,
      done,
      failed,
      retrying,
      pending: Math.max(0, total - done - failed),
      failedShards,
      people: plan?.rosterSize ?? records.reduce((sum, record) => sum + record.people, 0),
      peopleInFailedShards,
      counts,
      failures,
      retries,
      complete,
      finishedAt: complete ? finishedAt : undefined,
      lastError,
    });
  }
  return out;
}

/** Reads the run's partition (consistent, every page) and sums it per source. */
export async function readRunProgress(
  client: DynamoDBClient,
  tableName: string,
  runId: string,
): Promise<RunProgress> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "#pk = :pk",
        ExpressionAttributeNames: { "#pk": "pk" },
        ExpressionAttributeValues: { ":pk": { S: `${KEY_PREFIX.run}${runId}` } },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(page.Items ?? []).map((item) => unmarshall(item)));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return summariseRun(runId, items);
}
