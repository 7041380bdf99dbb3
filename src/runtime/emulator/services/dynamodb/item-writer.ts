import type {
  ChangeFeed,
  IntendedItem,
  Stream,
  StreamChange,
  UserIdentity,
  WriteKind,
} from "./change-feed.js";
import type { DynaliteEngine, DynaliteTable, Item } from "./dynalite-engine.js";
import { sameItem } from "./images.js";
import type { KeyLocks } from "./key-lock.js";

/** One item a write touches: its table and dynalite's key string for it. */
export interface ItemTarget {
  table: string;
  key: string;
}

/** How a write goes through the write path. */
export interface WriteOptions {
  /**
   * "transaction": the items change all together or not at all, even across a crash (recovery
   * puts them back). Default "write": each item stands alone (BatchWriteItem, single items).
   */
  kind?: Exclude<WriteKind, "stream">;
  /** Marks the stream records of changes DynamoDB makes itself (TTL deletions). */
  userIdentity?: UserIdentity;
}

/**
 * Keeps items' before images, taken under their locks before each write (point-in-time recovery:
 * point-in-time.ts). Only tables it `tracks` cost the extra read.
 */
export interface WriteHistory {
  tracks(table: string): boolean;
  before(targets: ItemTarget[], oldImages: (Item | undefined)[]): void;
}

/**
 * Runs item writes under the items' locks and turns what they changed into stream records. The
 * before images are read under the lock, the write runs, then the after images are read: nothing
 * else can write those items in between, so the images are exact. Tables without a stream skip
 * the reads (a lock costs a map lookup).
 *
 * Every item write of the emulator (PutItem, UpdateItem, DeleteItem, BatchWriteItem, transactions;
 * TTL deletions and PartiQL too) goes through `write`, which is what makes an item and its stream
 * record one write through `kill -9`: when persisting, the items and their before images are
 * journaled as an intent before `write` runs, and the records are journaled with the intent's
 * commit after (see change-feed.ts, crash-recovery.ts).
 */
export class ItemWriter {
  private readonly schemas = new Map<string, DynaliteTable>();

  constructor(
    private readonly engine: DynaliteEngine,
    private readonly feed: ChangeFeed,
    private readonly locks: KeyLocks,
    private readonly history?: WriteHistory,
  ) {}

  /** The table's description (key schema), cached: a table's keys never change while it exists. */
  async schema(table: string): Promise<DynaliteTable | undefined> {
    const cached = this.schemas.get(table);
    if (cached) return cached;
    const found = await this.engine.table(table);
    if (found) this.schemas.set(table, found);
    return found;
  }

  /** Call when a table is created or deleted. */
  forget(table: string): void {
    this.schemas.delete(table);
  }

  /** Runs `read` holding the items' locks (a consistent view of several items). */
  async whileLocked<T>(targets: ItemTarget[], read: () => Promise<T>): Promise<T> {
    const release = await this.locks.acquire(targets.map(lockKey));
    try {
      return await read();
    } finally {
      release();
    }
  }

  /**
   * Runs `write` holding the items' locks. `write` gets the before images when a stream needs
   * them or `withOldImages` asks. Changes are recorded whether `write` succeeds or fails, so a
   * write that failed half-way still has records for what it did change.
   */
  async write<T>(
    targets: ItemTarget[],
    withOldImages: boolean,
    write: (oldImages: (Item | undefined)[]) => Promise<T>,
    options: WriteOptions = {},
  ): Promise<T> {
    const kind = options.kind ?? "write";
    const release = await this.locks.acquire(targets.map(lockKey));
    try {
      const streams = targets.map((t) => this.feed.enabledStream(t.table));
      const tracked = streams.some((s) => s !== undefined);
      // A transaction is journaled even without a stream: recovery must be able to undo it.
      const guarded = this.feed.durable && (tracked || kind === "transaction");
      const history = this.history;
      const kept = history !== undefined && targets.some((t) => history.tracks(t.table));
      const oldImages =
        tracked || withOldImages || guarded || kept
          ? await Promise.all(targets.map((t) => this.engine.readItem(t.table, t.key)))
          : [];
      if (kept) history.before(targets, oldImages);
      const intent = guarded
        ? this.feed.beginWrite(kind, intended(targets, streams, oldImages, kind), options.userIdentity)
        : undefined;
      try {
        return await write(oldImages);
      } finally {
        if (tracked || intent !== undefined) {
          const changes = tracked
            ? await this.changes(targets, streams, oldImages, options.userIdentity)
            : [];
          this.feed.commitWrite(intent, changes);
        }
      }
    } finally {
      release();
    }
  }

  private async changes(
    targets: ItemTarget[],
    streams: (Stream | undefined)[],
    oldImages: (Item | undefined)[],
    userIdentity: UserIdentity | undefined,
  ): Promise<StreamChange[]> {
    const seen = new Set<string>();
    const changes: StreamChange[] = [];
    for (const [index, target] of targets.entries()) {
      const stream = streams[index];
      const id = lockKey(target);
      if (!stream || seen.has(id)) continue;
      seen.add(id);
      const oldImage = oldImages[index];
      const newImage = await this.engine.readItem(target.table, target.key);
      if (!sameItem(oldImage, newImage))
        changes.push({ stream, change: { oldImage, newImage, ...(userIdentity ? { userIdentity } : {}) } });
    }
    return changes;
  }
}

/** The intent's items: the ones a stream records, or every one for a transaction. */
function intended(
  targets: ItemTarget[],
  streams: (Stream | undefined)[],
  oldImages: (Item | undefined)[],
  kind: Exclude<WriteKind, "stream">,
): IntendedItem[] {
  const seen = new Set<string>();
  const items: IntendedItem[] = [];
  for (const [index, target] of targets.entries()) {
    const stream = streams[index];
    const id = lockKey(target);
    if ((!stream && kind !== "transaction") || seen.has(id)) continue;
    seen.add(id);
    const old = oldImages[index];
    items.push({
      table: target.table,
      key: target.key,
      ...(stream ? { arn: stream.arn } : {}),
      ...(old ? { old } : {}),
    });
  }
  return items;
}

function lockKey(target: ItemTarget): string {
  return `${target.table}\u0000${target.key}`;
}
