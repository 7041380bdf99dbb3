import type { ChangeFeed, Stream } from "./change-feed.js";
import type { DynaliteEngine, DynaliteTable, Item } from "./dynalite-engine.js";
import { sameItem } from "./images.js";
import type { KeyLocks } from "./key-lock.js";

/** One item a write touches: its table and dynalite's key string for it. */
export interface ItemTarget {
  table: string;
  key: string;
}

/**
 * Runs item writes under the items' locks and turns what they changed into stream records. The
 * before images are read under the lock, the write runs, then the after images are read: nothing
 * else can write those items in between, so the images are exact. Tables without a stream skip
 * the reads (a lock costs a map lookup).
 */
export class ItemWriter {
  private readonly schemas = new Map<string, DynaliteTable>();

  constructor(
    private readonly engine: DynaliteEngine,
    private readonly feed: ChangeFeed,
    private readonly locks: KeyLocks,
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
  ): Promise<T> {
    const release = await this.locks.acquire(targets.map(lockKey));
    try {
      const streams = targets.map((t) => this.feed.enabledStream(t.table));
      const tracked = streams.some((s) => s !== undefined);
      const oldImages =
        tracked || withOldImages
          ? await Promise.all(targets.map((t) => this.engine.readItem(t.table, t.key)))
          : [];
      try {
        return await write(oldImages);
      } finally {
        if (tracked) await this.recordChanges(targets, streams, oldImages);
      }
    } finally {
      release();
    }
  }

  private async recordChanges(
    targets: ItemTarget[],
    streams: (Stream | undefined)[],
    oldImages: (Item | undefined)[],
  ): Promise<void> {
    const seen = new Set<string>();
    for (const [index, target] of targets.entries()) {
      const stream = streams[index];
      const id = lockKey(target);
      if (!stream || seen.has(id)) continue;
      seen.add(id);
      const oldImage = oldImages[index];
      const newImage = await this.engine.readItem(target.table, target.key);
      if (!sameItem(oldImage, newImage)) this.feed.record(stream, { oldImage, newImage });
    }
  }
}

function lockKey(target: ItemTarget): string {
  return `${target.table}\u0000${target.key}`;
}
