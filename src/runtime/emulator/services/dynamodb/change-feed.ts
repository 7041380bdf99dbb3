import { randomBytes, randomUUID } from "node:crypto";
import type { Clock, TimerHandle } from "../../core/clock.js";
import { compactJson, parseCompactJson, type CompactJson } from "../../core/compact-json.js";
import type { ServiceStore } from "../../core/persistence.js";
import type { Item, KeySchemaElement } from "./dynalite-engine.js";
import { keysOf, sameItem } from "./images.js";
import { COMPACT_AFTER_ENTRIES, FIRST_SEQUENCE_NUMBER, STREAM_RETENTION_MS } from "./limits.js";

/**
 * The change feed shared by the `dynamodb` and `dynamodbstreams` modules: every stream (one open
 * shard each), its records, and the 24 h retention, on the emulator clock. DynamoDB appends a
 * record after each effective write and before it answers; the record is in the journal by then,
 * so an acknowledged write keeps its stream record through `kill -9`.
 *
 * An item lives in dynalite's LevelDB and its record in this journal: two files, so a crash can
 * fall between them. A write is therefore bracketed by two journal lines: an intent (the items it
 * will touch and their before images) before the storage engine writes, and a commit (the write's
 * stream records, all in one line) after. An intent without its commit is what a crash left;
 * start-up recovery (crash-recovery.ts) finishes it before anything else runs.
 */

export type StreamViewType = "KEYS_ONLY" | "NEW_IMAGE" | "OLD_IMAGE" | "NEW_AND_OLD_IMAGES";
export type EventName = "INSERT" | "MODIFY" | "REMOVE";

/** Who made a change when it was not a caller: TTL deletions name the DynamoDB service. */
export interface UserIdentity {
  Type: string;
  PrincipalId: string;
}

/** A GetRecords record (aws-behaviour.md §2.3). */
export interface StreamRecord {
  eventID: string;
  eventName: EventName;
  eventVersion: "1.1";
  eventSource: "aws:dynamodb";
  awsRegion: string;
  dynamodb: {
    ApproximateCreationDateTime: number;
    Keys: Item;
    NewImage?: Item;
    OldImage?: Item;
    SequenceNumber: string;
    SizeBytes: number;
    StreamViewType: StreamViewType;
  };
  userIdentity?: UserIdentity;
}

/**
 * A record as a shard keeps it: serialized. A stream keeps every change for 24 h, most with both
 * images: at 10,000 people, 40,000 items and their 80,000 records, whose object trees held about
 * 2.5 times the memory their JSON does. Readers parse it.
 */
export interface StoredRecord {
  sequence: bigint;
  /** Epoch ms on the emulator clock (retention is measured from here). */
  createdAt: number;
  /** The record's dynamodb.SizeBytes, for GetRecords' 1 MB page without parsing it. */
  sizeBytes: number;
  /** The record's JSON (core/compact-json.ts). */
  json: CompactJson;
}

/** The GetRecords record a shard keeps (a fresh object each call: callers may change it). */
export function recordOf(stored: StoredRecord): StreamRecord {
  return parseCompactJson<StreamRecord>(stored.json);
}

function storedRecord(sequence: bigint, createdAt: number, record: StreamRecord): StoredRecord {
  return { sequence, createdAt, sizeBytes: record.dynamodb.SizeBytes, json: compactJson(record) };
}

export interface Shard {
  shardId: string;
  start: bigint;
  /** Set when the shard closed (stream disabled or table deleted). */
  end?: bigint;
  records: StoredRecord[];
  /** Highest sequence number removed by retention. */
  trimmedThrough?: bigint;
}

export interface Stream {
  arn: string;
  label: string;
  tableName: string;
  tableArn: string;
  region: string;
  viewType: StreamViewType;
  keySchema: KeySchemaElement[];
  /** Epoch ms. */
  createdAt: number;
  status: "ENABLED" | "DISABLED";
  disabledAt?: number;
  shard: Shard;
}

interface StreamMeta {
  arn: string;
  label: string;
  tableName: string;
  tableArn: string;
  region: string;
  viewType: StreamViewType;
  keySchema: KeySchemaElement[];
  createdAt: number;
  shardId: string;
  start: string;
}

/** One item a write will touch, as its intent journals it. */
export interface IntendedItem {
  table: string;
  /** dynalite's key string for the item. */
  key: string;
  /** The stream that records the item's changes (undefined: a table without one). */
  arn?: string;
  /** The item before the write (undefined: there was none). */
  old?: Item;
}

/**
 * What a crash must not leave half done:
 * - "write": PutItem, UpdateItem, DeleteItem, BatchWriteItem (each item stands alone): recovery
 *   rolls forward, writing the record of every item the storage engine did change;
 * - "transaction": all or nothing: recovery puts every item back as it was before;
 * - "stream": CreateTable with a StreamSpecification: recovery enables the stream of a table the
 *   crash left created without one.
 */
export type WriteKind = "write" | "transaction" | "stream";

export interface WriteIntent {
  id: string;
  kind: WriteKind;
  items: IntendedItem[];
  /** For "stream": the table and the view type it asked for. */
  stream?: { table: string; viewType: StreamViewType };
  /** Marks the records of changes DynamoDB makes itself (TTL deletions), recovered ones too. */
  userIdentity?: UserIdentity;
}

interface JournaledRecord {
  arn: string;
  seq: string;
  at: number;
  record: StreamRecord;
}

export type FeedEntry =
  | { t: "enable"; stream: StreamMeta }
  | { t: "disable"; arn: string; at: number; end: string }
  | { t: "forget"; table: string }
  | { t: "record"; arn: string; seq: string; at: number; record: StreamRecord }
  | ({ t: "intent" } & WriteIntent)
  | { t: "commit"; id: string; records: JournaledRecord[] };

export interface FeedSnapshot {
  version: 1;
  next: string;
  latest: Record<string, string>;
  streams: {
    meta: StreamMeta;
    status: "ENABLED" | "DISABLED";
    disabledAt?: number;
    end?: string;
    trimmedThrough?: string;
    records: { seq: string; at: number; record: StreamRecord }[];
  }[];
  /** Writes in flight when the snapshot was taken (their commits come later in the journal). */
  intents?: WriteIntent[];
}

/** A change to one item, as the write path observed it (images read under the item's lock). */
export interface ItemChange {
  oldImage: Item | undefined;
  newImage: Item | undefined;
  /** Set for changes DynamoDB made itself (TTL deletions). */
  userIdentity?: UserIdentity;
}

/** A change and the stream that records it. */
export interface StreamChange {
  stream: Stream;
  change: ItemChange;
}

interface Waiter {
  position: bigint;
  resolve: (available: boolean) => void;
}

export class ChangeFeed {
  private readonly streams = new Map<string, Stream>();
  /** Table name → ARN of its latest stream (enabled or disabled), for DescribeTable. */
  private readonly latest = new Map<string, string>();
  private readonly waiters = new Map<string, Set<Waiter>>();
  /** Writes whose intent is journaled and whose commit is not (yet). */
  private readonly intents = new Map<string, WriteIntent>();
  private next = FIRST_SEQUENCE_NUMBER;

  constructor(
    private readonly clock: Clock,
    private readonly journal: ServiceStore<FeedSnapshot, FeedEntry>,
    private readonly sizeOf: (item: Item) => number,
  ) {}

  load(): void {
    const { snapshot, entries } = this.journal.load();
    if (snapshot) this.restore(snapshot);
    for (const entry of entries) this.apply(entry);
  }

  /** Folds the journal into a snapshot (on stop, and when the journal grows long). */
  compact(): void {
    if (this.journal.enabled) this.journal.compact(this.snapshot());
  }

  // --- what DynamoDB calls --------------------------------------------------------------------

  /** Enables a new stream (new label and ARN) on a table. */
  enable(
    table: { name: string; arn: string; keySchema: KeySchemaElement[] },
    viewType: StreamViewType,
  ): Stream {
    const now = this.clock.now();
    const label = this.uniqueLabel(table.arn, now);
    const meta: StreamMeta = {
      arn: `${table.arn}/stream/${label}`,
      label,
      tableName: table.name,
      tableArn: table.arn,
      region: table.arn.split(":")[3] ?? "us-east-1",
      viewType,
      keySchema: table.keySchema,
      createdAt: now,
      shardId: `shardId-${String(now).padStart(20, "0")}-${randomBytes(4).toString("hex")}`,
      start: String(this.next),
    };
    this.commit({ t: "enable", stream: meta });
    return this.streams.get(meta.arn) as Stream;
  }

  /** Disables the table's enabled stream: its shard closes and stays readable for 24 hours. */
  disable(tableName: string): Stream | undefined {
    const stream = this.enabledStream(tableName);
    if (!stream) return undefined;
    const last = stream.shard.records[stream.shard.records.length - 1];
    const end = last ? last.sequence : stream.shard.start;
    this.commit({ t: "disable", arn: stream.arn, at: this.clock.now(), end: String(end) });
    return stream;
  }

  /** The table is gone: its stream is disabled and DescribeTable has no stream to show. */
  tableDeleted(tableName: string): void {
    this.disable(tableName);
    if (this.latest.has(tableName)) this.commit({ t: "forget", table: tableName });
  }

  enabledStream(tableName: string): Stream | undefined {
    const stream = this.latestStream(tableName);
    return stream?.status === "ENABLED" ? stream : undefined;
  }

  latestStream(tableName: string): Stream | undefined {
    const arn = this.latest.get(tableName);
    return arn ? this.streams.get(arn) : undefined;
  }

  /**
   * Appends the record for one effective write; nothing for a write that changed nothing. Runs
   * while the caller holds the item's lock, so records of one item are in write order.
   */
  record(stream: Stream, change: ItemChange): StreamRecord | undefined {
    return this.commitWrite(undefined, [{ stream, change }])[0];
  }

  /** Whether intents are journaled (only a persisted feed can be cut by a crash). */
  get durable(): boolean {
    return this.journal.enabled;
  }

  /**
   * Journals what a write is about to do, before the storage engine does it. Returns the intent's
   * id for commitWrite; undefined when nothing is persisted (no crash can cut the write in two).
   */
  beginWrite(
    kind: "write" | "transaction",
    items: IntendedItem[],
    userIdentity?: UserIdentity,
  ): string | undefined {
    if (!this.journal.enabled || items.length === 0) return undefined;
    const id = randomUUID();
    this.commit({ t: "intent", id, kind, items, ...(userIdentity ? { userIdentity } : {}) });
    return id;
  }

  /** Journals that a table is being created with a stream (closed by commitWrite, no records). */
  beginStreamTable(table: string, viewType: StreamViewType): string | undefined {
    if (!this.journal.enabled) return undefined;
    const id = randomUUID();
    this.commit({ t: "intent", id, kind: "stream", items: [], stream: { table, viewType } });
    return id;
  }

  /**
   * Appends the records of one write, all in one journal line that also closes its intent; a
   * change that changed nothing makes no record. Returns the records written.
   */
  commitWrite(intentId: string | undefined, changes: StreamChange[]): StreamRecord[] {
    const now = this.clock.now();
    const records: JournaledRecord[] = [];
    let sequence = this.next;
    for (const { stream, change } of changes) {
      const record = this.buildRecord(stream, change, String(sequence), now);
      if (!record) continue;
      records.push({ arn: stream.arn, seq: String(sequence), at: now, record });
      sequence++;
    }
    if (intentId === undefined) {
      if (records.length === 0) return [];
      for (const entry of records) this.commit({ t: "record", ...entry });
    } else {
      this.commit({ t: "commit", id: intentId, records });
    }
    // Keeps a stream nobody reads from growing past its 24 h window.
    for (const { stream } of changes) this.trim(stream, now - STREAM_RETENTION_MS);
    return records.map((entry) => entry.record);
  }

  /** Intents a crash left without their commit (recovery finishes them at start). */
  pendingIntents(): WriteIntent[] {
    return [...this.intents.values()];
  }

  /** The stream by ARN when it still records its table's changes. */
  recordingStream(arn: string | undefined): Stream | undefined {
    if (arn === undefined) return undefined;
    const stream = this.streams.get(arn);
    return stream && this.enabledStream(stream.tableName) === stream ? stream : undefined;
  }

  private buildRecord(
    stream: Stream,
    change: ItemChange,
    sequence: string,
    now: number,
  ): StreamRecord | undefined {
    const { oldImage, newImage } = change;
    const image = newImage ?? oldImage;
    if (!image || sameItem(oldImage, newImage)) return undefined;
    const eventName: EventName = !oldImage ? "INSERT" : !newImage ? "REMOVE" : "MODIFY";
    const keys = keysOf(image, stream.keySchema);
    const view = stream.viewType;
    const withNew = newImage && (view === "NEW_IMAGE" || view === "NEW_AND_OLD_IMAGES");
    const withOld = oldImage && (view === "OLD_IMAGE" || view === "NEW_AND_OLD_IMAGES");
    const size =
      this.sizeOf(keys) + (withNew ? this.sizeOf(newImage) : 0) + (withOld ? this.sizeOf(oldImage) : 0);
    return {
      eventID: randomUUID().replace(/-/g, ""),
      eventName,
      eventVersion: "1.1",
      eventSource: "aws:dynamodb",
      awsRegion: stream.region,
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(now / 1000),
        Keys: keys,
        ...(withNew ? { NewImage: newImage } : {}),
        ...(withOld ? { OldImage: oldImage } : {}),
        SequenceNumber: sequence,
        SizeBytes: Math.max(1, size),
        StreamViewType: view,
      },
      ...(change.userIdentity ? { userIdentity: change.userIdentity } : {}),
    };
  }

  // --- what DynamoDB Streams calls ------------------------------------------------------------

  /** A stream by ARN, once records and streams past retention are gone. */
  stream(arn: string): Stream | undefined {
    this.applyRetention();
    return this.streams.get(arn);
  }

  list(): Stream[] {
    this.applyRetention();
    return [...this.streams.values()];
  }

  /** The number the next record will get: a LATEST iterator reads from here. */
  get nextSequence(): bigint {
    return this.next;
  }

  /** Index of the first record at or after `position` in the shard (records.length if none). */
  firstIndexAtOrAfter(shard: Shard, position: bigint): number {
    const records = shard.records;
    let low = 0;
    let high = records.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((records[mid] as StoredRecord).sequence < position) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /**
   * Resolves true as soon as the shard has a record at or after `position` (or is closed), false
   * after `timeoutMs` on the emulator clock, when `signal` aborts, or when the emulator stops.
   */
  waitForRecords(
    stream: Stream,
    position: bigint,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<boolean> {
    if (this.hasRecordsFrom(stream, position)) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiters = this.waiters.get(stream.arn) ?? new Set<Waiter>();
      this.waiters.set(stream.arn, waiters);
      const waiter: Waiter = {
        position,
        resolve: (available) => {
          waiters.delete(waiter);
          if (waiters.size === 0 && this.waiters.get(stream.arn) === waiters) this.waiters.delete(stream.arn);
          timer.cancel();
          signal?.removeEventListener("abort", onAbort);
          resolve(available);
        },
      };
      const onAbort = () => waiter.resolve(false);
      waiters.add(waiter);
      const timer: TimerHandle = this.clock.setTimeout(() => waiter.resolve(false), timeoutMs);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Releases every waiter (the emulator is stopping). */
  releaseWaiters(): void {
    for (const waiters of [...this.waiters.values()])
      for (const waiter of [...waiters]) waiter.resolve(false);
  }

  // --- state --------------------------------------------------------------------------------

  private hasRecordsFrom(stream: Stream, position: bigint): boolean {
    const shard = stream.shard;
    if (shard.end !== undefined) return true;
    const last = shard.records[shard.records.length - 1];
    return last !== undefined && last.sequence >= position;
  }

  private commit(entry: FeedEntry): void {
    this.journal.append(entry);
    this.apply(entry);
    // A snapshot holds every retained record: compacting only once the journal is at least that
    // long keeps the cost of snapshots proportional to the writes, however many records are kept.
    const length = this.journal.journalLength;
    if (this.journal.enabled && length >= COMPACT_AFTER_ENTRIES && length >= this.retainedRecords())
      this.compact();
  }

  private apply(entry: FeedEntry): void {
    switch (entry.t) {
      case "enable": {
        const meta = entry.stream;
        const start = BigInt(meta.start);
        this.streams.set(meta.arn, {
          arn: meta.arn,
          label: meta.label,
          tableName: meta.tableName,
          tableArn: meta.tableArn,
          region: meta.region,
          viewType: meta.viewType,
          keySchema: meta.keySchema,
          createdAt: meta.createdAt,
          status: "ENABLED",
          shard: { shardId: meta.shardId, start, records: [] },
        });
        this.latest.set(meta.tableName, meta.arn);
        // The starting number is the shard's own: the next record gets the one after it.
        if (start >= this.next) this.next = start + 1n;
        break;
      }
      case "disable": {
        const stream = this.streams.get(entry.arn);
        if (!stream) break;
        stream.status = "DISABLED";
        stream.disabledAt = entry.at;
        stream.shard.end = BigInt(entry.end);
        this.wake(stream);
        break;
      }
      case "forget":
        this.latest.delete(entry.table);
        break;
      case "record":
        this.applyRecord(entry);
        break;
      case "intent": {
        const { t: _type, ...intent } = entry;
        this.intents.set(entry.id, intent);
        break;
      }
      case "commit":
        this.intents.delete(entry.id);
        for (const record of entry.records) this.applyRecord(record);
        break;
    }
  }

  private applyRecord(entry: JournaledRecord): void {
    const stream = this.streams.get(entry.arn);
    const sequence = BigInt(entry.seq);
    if (sequence >= this.next) this.next = sequence + 1n;
    if (!stream) return;
    stream.shard.records.push(storedRecord(sequence, entry.at, entry.record));
    this.wake(stream);
  }

  private retainedRecords(): number {
    let count = 0;
    for (const stream of this.streams.values()) count += stream.shard.records.length;
    return count;
  }

  private wake(stream: Stream): void {
    const waiters = this.waiters.get(stream.arn);
    if (!waiters) return;
    for (const waiter of [...waiters]) {
      if (this.hasRecordsFrom(stream, waiter.position)) waiter.resolve(true);
    }
  }

  /** Drops records older than 24 h, and disabled streams 24 h after they were disabled. */
  private applyRetention(): void {
    const horizon = this.clock.now() - STREAM_RETENTION_MS;
    for (const stream of this.streams.values()) {
      if (stream.status === "DISABLED" && (stream.disabledAt ?? 0) < horizon) {
        this.streams.delete(stream.arn);
        continue;
      }
      this.trim(stream, horizon);
    }
  }

  private trim(stream: Stream, horizon: number): void {
    const records = stream.shard.records;
    if (records.length === 0 || (records[0] as StoredRecord).createdAt >= horizon) return;
    let count = 0;
    while (count < records.length && (records[count] as StoredRecord).createdAt < horizon) count++;
    stream.shard.trimmedThrough = (records[count - 1] as StoredRecord).sequence;
    records.splice(0, count);
  }

  private uniqueLabel(tableArn: string, now: number): string {
    // The label is a millisecond timestamp; two streams of one table never share one.
    for (let at = now; ; at++) {
      const label = new Date(at).toISOString().replace("Z", "");
      if (!this.streams.has(`${tableArn}/stream/${label}`)) return label;
    }
  }

  private snapshot(): FeedSnapshot {
    return {
      version: 1,
      next: String(this.next),
      latest: Object.fromEntries(this.latest),
      streams: [...this.streams.values()].map((stream) => ({
        meta: {
          arn: stream.arn,
          label: stream.label,
          tableName: stream.tableName,
          tableArn: stream.tableArn,
          region: stream.region,
          viewType: stream.viewType,
          keySchema: stream.keySchema,
          createdAt: stream.createdAt,
          shardId: stream.shard.shardId,
          start: String(stream.shard.start),
        },
        status: stream.status,
        ...(stream.disabledAt !== undefined ? { disabledAt: stream.disabledAt } : {}),
        ...(stream.shard.end !== undefined ? { end: String(stream.shard.end) } : {}),
        ...(stream.shard.trimmedThrough !== undefined
          ? { trimmedThrough: String(stream.shard.trimmedThrough) }
          : {}),
        records: stream.shard.records.map((r) => ({
          seq: String(r.sequence),
          at: r.createdAt,
          record: recordOf(r),
        })),
      })),
      ...(this.intents.size > 0 ? { intents: [...this.intents.values()] } : {}),
    };
  }

  private restore(snapshot: FeedSnapshot): void {
    this.next = BigInt(snapshot.next);
    for (const saved of snapshot.streams) {
      const meta = saved.meta;
      this.streams.set(meta.arn, {
        arn: meta.arn,
        label: meta.label,
        tableName: meta.tableName,
        tableArn: meta.tableArn,
        region: meta.region,
        viewType: meta.viewType,
        keySchema: meta.keySchema,
        createdAt: meta.createdAt,
        status: saved.status,
        ...(saved.disabledAt !== undefined ? { disabledAt: saved.disabledAt } : {}),
        shard: {
          shardId: meta.shardId,
          start: BigInt(meta.start),
          ...(saved.end !== undefined ? { end: BigInt(saved.end) } : {}),
          ...(saved.trimmedThrough !== undefined ? { trimmedThrough: BigInt(saved.trimmedThrough) } : {}),
          records: saved.records.map((r) => storedRecord(BigInt(r.seq), r.at, r.record)),
        },
      });
    }
    for (const [table, arn] of Object.entries(snapshot.latest)) this.latest.set(table, arn);
    for (const intent of snapshot.intents ?? []) this.intents.set(intent.id, intent);
  }
}
