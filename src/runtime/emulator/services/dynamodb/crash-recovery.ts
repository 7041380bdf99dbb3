import type { ChangeFeed, StreamChange, WriteIntent } from "./change-feed.js";
import type { DynaliteEngine } from "./dynalite-engine.js";
import { keysOf, sameItem } from "./images.js";
import { applyStreamSpecification } from "./table-streams.js";

/**
 * Start-up recovery of the DynamoDB write path, run after the change feed and dynalite's LevelDB
 * are loaded and before any request is served. What it finds is what a kill -9 cut:
 * - a write intent without its commit: the storage engine may or may not have written each item.
 *   Each item is compared with its journaled before image: where the storage engine changed it,
 *   the stream record is written now (old image from the intent, new image from the table), so no
 *   item stays in the table without its record; where it did not, the write is simply absent.
 * - a transaction intent without its commit: every item is put back as it was before (a
 *   transaction is all or nothing, and its caller never got an answer).
 * - a table created with a stream whose stream was not yet enabled: it is enabled now.
 * - a stream still enabled for a table that no longer exists (DeleteTable cut): it is closed.
 * Every repair is reported (start-up output and the health answer's recovery).
 */
export async function recoverInterruptedWrites(
  feed: ChangeFeed,
  engine: DynaliteEngine,
  report: (message: string) => void,
): Promise<void> {
  const rolledForward: string[] = [];
  let absent = 0;
  for (const intent of feed.pendingIntents()) {
    if (intent.kind === "transaction") {
      const restored = await rollBack(engine, intent);
      feed.commitWrite(intent.id, []);
      report(
        `dynamodb: rolled back a transaction of ${intent.items.length} item(s) the crash interrupted ` +
          `(${restored} item(s) put back as they were)`,
      );
    } else if (intent.kind === "stream") {
      const wanted = intent.stream;
      const table = wanted ? await engine.table(wanted.table) : undefined;
      if (wanted && table && !feed.enabledStream(wanted.table)) {
        applyStreamSpecification(feed, table, { StreamEnabled: true, StreamViewType: wanted.viewType });
        report(`dynamodb: enabled the stream of table ${wanted.table}, created just before the crash`);
      }
      feed.commitWrite(intent.id, []);
    } else {
      const changes = await changesMade(feed, engine, intent);
      const records = feed.commitWrite(intent.id, changes);
      if (records.length === 0) absent++;
      // changesMade keeps real changes only, so each change made exactly one record.
      records.forEach((record, index) =>
        rolledForward.push(`${changes[index]?.stream.tableName} ${JSON.stringify(record.dynamodb.Keys)}`),
      );
    }
  }
  if (rolledForward.length > 0) {
    const shown = rolledForward.slice(0, 5).join(", ");
    report(
      `dynamodb: wrote ${rolledForward.length} stream record(s) for items the crash left in the table ` +
        `without one: ${shown}${rolledForward.length > 5 ? `, and ${rolledForward.length - 5} more` : ""}`,
    );
  }
  if (absent > 0) {
    report(
      `dynamodb: ${absent} write(s) the crash cut before the table changed are absent (never acknowledged)`,
    );
  }
  for (const stream of feed.list()) {
    if (stream.status !== "ENABLED" || feed.enabledStream(stream.tableName) !== stream) continue;
    if (await engine.table(stream.tableName)) continue;
    feed.tableDeleted(stream.tableName);
    report(`dynamodb: closed the stream of table ${stream.tableName}, deleted just before the crash`);
  }
}

async function changesMade(feed: ChangeFeed, engine: DynaliteEngine, intent: WriteIntent) {
  const changes: StreamChange[] = [];
  for (const item of intent.items) {
    const stream = feed.recordingStream(item.arn);
    if (!stream) continue;
    const current = await engine.readItem(item.table, item.key);
    if (sameItem(item.old, current)) continue;
    const userIdentity = intent.userIdentity;
    changes.push({
      stream,
      change: { oldImage: item.old, newImage: current, ...(userIdentity ? { userIdentity } : {}) },
    });
  }
  return changes;
}

async function rollBack(engine: DynaliteEngine, intent: WriteIntent): Promise<number> {
  let restored = 0;
  for (const item of intent.items) {
    const current = await engine.readItem(item.table, item.key);
    if (sameItem(current, item.old)) continue;
    const table = await engine.table(item.table);
    if (!table) continue;
    if (item.old) await engine.run("PutItem", { TableName: item.table, Item: item.old });
    else if (current)
      await engine.run("DeleteItem", { TableName: item.table, Key: keysOf(current, table.KeySchema) });
    restored++;
  }
  return restored;
}
