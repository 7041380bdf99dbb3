import { randomBytes } from "node:crypto";
import { compactJson, parseCompactJson } from "../../core/compact-json.js";
import { parseTimeValue } from "./analysis.js";
import {
  fieldTable,
  mergeMappings,
  parseDocument,
  type FieldMapping,
  type IndexedFields,
  type Mappings,
  type ParsedDocument,
} from "./mapping.js";
import type { DomainRecord } from "./control-plane.js";
import { DEFAULT_GC_DELETES, DEFAULT_REFRESH_INTERVAL_MS } from "./limits.js";
import type { CurrentVersion } from "./versioning.js";

/**
 * A document keeps its source as JSON (core/compact-json.ts): ten thousand documents' object trees
 * were most of the index's memory beside their indexed fields; a GET or a search hit parses it.
 */
function storedDoc(
  id: string,
  source: Record<string, unknown>,
  fields: IndexedFields,
  version: bigint,
  seqNo: number,
): StoredDoc {
  const json = compactJson(source);
  return {
    id,
    get source() {
      return parseCompactJson<Record<string, unknown>>(json);
    },
    fields,
    version,
    seqNo,
  };
}

/**
 * Indices of the emulated domains. Each index keeps two views: `docs`, the live documents that
 * GET by id reads (real-time), and `searchable`, what search and count see — the state at the
 * last refresh. A refresh applies the ids changed since the previous one.
 */

export interface StoredDoc {
  id: string;
  /** The document as indexed: parsed from its kept JSON on each read (a fresh object). */
  readonly source: Record<string, unknown>;
  /** A Java long: bigint keeps external versions up to 2^63-1 exact. */
  version: bigint;
  seqNo: number;
  fields: IndexedFields;
}

/** What a delete leaves behind: the version and when, kept for `index.gc_deletes`. */
export interface Tombstone {
  version: bigint;
  seqNo: number;
  deletedAt: number;
}

export interface IndexSettings {
  number_of_shards: number;
  number_of_replicas: number;
  refresh_interval?: string;
  /** How long a deleted document's version is remembered (`index.gc_deletes`, default 60s). */
  gc_deletes?: string;
  [key: string]: unknown;
}

export class OsIndex {
  readonly docs = new Map<string, StoredDoc>();
  readonly searchable = new Map<string, StoredDoc>();
  private readonly pending = new Set<string>();
  private waiters: (() => void)[] = [];
  private table: Map<string, FieldMapping> | undefined;
  seqNo = -1;
  lastRefresh: number;

  constructor(
    readonly name: string,
    readonly uuid: string,
    readonly creationDate: number,
    public settings: IndexSettings,
    public mappings: Mappings,
  ) {
    this.lastRefresh = creationDate;
  }

  /** Searchable field paths and their mappings (cached until the mappings change). */
  fields(): Map<string, FieldMapping> {
    return (this.table ??= fieldTable(this.mappings));
  }

  setMappings(mappings: Mappings): void {
    this.mappings = mappings;
    this.table = undefined;
  }

  /** Milliseconds between automatic refreshes; undefined when disabled (`-1`). */
  refreshIntervalMs(): number | undefined {
    if (this.settings.refresh_interval === undefined) return DEFAULT_REFRESH_INTERVAL_MS;
    const parsed = parseTimeValue(this.settings.refresh_interval);
    return parsed === "invalid" ? DEFAULT_REFRESH_INTERVAL_MS : parsed;
  }

  get hasPending(): boolean {
    return this.pending.size > 0;
  }

  /** Milliseconds a tombstone is kept (`index.gc_deletes`). */
  gcDeletesMs(): number {
    const parsed = parseTimeValue(this.settings.gc_deletes ?? DEFAULT_GC_DELETES);
    return typeof parsed === "number" ? parsed : 0;
  }

  /**
   * The version state of an id at `now`: its live document, or its tombstone while younger than
   * gc_deletes (an expired tombstone is dropped: the id is unknown again, as in OpenSearch).
   */
  current(id: string, now: number): CurrentVersion | undefined {
    const doc = this.docs.get(id);
    if (doc) return { version: doc.version, seqNo: doc.seqNo, deleted: false };
    const tombstone = this.tombstones.get(id);
    if (!tombstone) return undefined;
    if (now - tombstone.deletedAt >= this.gcDeletesMs()) {
      this.tombstones.delete(id);
      return undefined;
    }
    return { version: tombstone.version, seqNo: tombstone.seqNo, deleted: true };
  }

  /** Writes a document (already parsed against the mappings) with the version the engine decided. */
  put(id: string, source: Record<string, unknown>, fields: IndexedFields, version: bigint): StoredDoc {
    const doc = storedDoc(id, source, fields, version, ++this.seqNo);
    this.tombstones.delete(id);
    this.docs.set(id, doc);
    this.pending.add(id);
    return doc;
  }

  /** Deletes an id (present or not) and leaves a tombstone with the delete's version. */
  remove(
    id: string,
    version: bigint,
    now: number,
  ): { previous: StoredDoc | undefined; tombstone: Tombstone } {
    const previous = this.docs.get(id);
    if (previous) {
      this.docs.delete(id);
      this.pending.add(id);
    }
    const tombstone: Tombstone = { version, seqNo: ++this.seqNo, deletedAt: now };
    this.tombstones.set(id, tombstone);
    return { previous, tombstone };
  }

  readonly tombstones = new Map<string, Tombstone>();

  refresh(now: number): void {
    for (const id of this.pending) {
      const doc = this.docs.get(id);
      if (doc) this.searchable.set(id, doc);
      else this.searchable.delete(id);
    }
    this.pending.clear();
    this.lastRefresh = now;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Resolves at the next refresh (`?refresh=wait_for`). */
  nextRefresh(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  releaseWaiters(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}

/**
 * A journaled document write. `version` (decimal text of the version the write left) and `at`
 * (a delete's time, for its tombstone's expiry) are absent in journals written before versioning:
 * replay then counts versions internally, as those writes did.
 */
export type DocOp =
  | { op: "index"; index: string; id: string; source: Record<string, unknown>; version?: string }
  | { op: "delete"; index: string; id: string; version?: string; at?: number };

export type OpenSearchEntry =
  | { t: "createDomain"; record: DomainRecord }
  | { t: "deleteDomain"; key: string }
  | {
      t: "createIndex";
      domain: string;
      index: string;
      uuid: string;
      at: number;
      settings: IndexSettings;
      mappings: Mappings;
    }
  | { t: "deleteIndex"; domain: string; index: string }
  | { t: "putMapping"; domain: string; index: string; mappings: Mappings }
  | { t: "putSettings"; domain: string; index: string; settings: Partial<IndexSettings> }
  | { t: "write"; domain: string; ops: DocOp[] };

export interface OpenSearchSnapshot {
  version: 1;
  /** Domains created through the control plane. */
  domainRecords?: DomainRecord[];
  domains: {
    domain: string;
    indices: {
      name: string;
      uuid: string;
      creationDate: number;
      settings: IndexSettings;
      mappings: Mappings;
      seqNo: number;
      /** Decimal text since versioning (numbers in older snapshots). */
      docs: { id: string; source: Record<string, unknown>; version: number | string; seqNo: number }[];
      tombstones?: { id: string; version: string; seqNo: number; deletedAt: number }[];
    }[];
  }[];
}

export function newUuid(): string {
  return randomBytes(16).toString("base64url").slice(0, 22);
}

export function domainKey(accountId: string, region: string, name: string): string {
  return `${accountId}/${region}/${name}`;
}

export class OpenSearchState {
  private readonly domains = new Map<string, Map<string, OsIndex>>();
  /** Domains created through the control plane (the data plane works without one). */
  readonly domainRecords = new Map<string, DomainRecord>();

  indices(domain: string): Map<string, OsIndex> {
    let indices = this.domains.get(domain);
    if (!indices) this.domains.set(domain, (indices = new Map()));
    return indices;
  }

  index(domain: string, name: string): OsIndex | undefined {
    return this.domains.get(domain)?.get(name);
  }

  allIndices(): OsIndex[] {
    return [...this.domains.values()].flatMap((m) => [...m.values()]);
  }

  /**
   * Applies a journal entry. Document writes were validated before they were journaled, so
   * replaying them re-derives the same versions, sequence numbers and dynamic mappings.
   */
  apply(entry: OpenSearchEntry, now = 0): void {
    switch (entry.t) {
      case "createDomain":
        this.domainRecords.set(
          domainKey(entry.record.accountId, entry.record.region, entry.record.name),
          entry.record,
        );
        return;
      case "deleteDomain":
        this.domainRecords.delete(entry.key);
        for (const index of this.domains.get(entry.key)?.values() ?? []) index.releaseWaiters();
        this.domains.delete(entry.key);
        return;
      case "createIndex":
        this.indices(entry.domain).set(
          entry.index,
          new OsIndex(
            entry.index,
            entry.uuid,
            entry.at,
            structuredClone(entry.settings),
            structuredClone(entry.mappings),
          ),
        );
        return;
      case "deleteIndex":
        this.index(entry.domain, entry.index)?.releaseWaiters();
        this.domains.get(entry.domain)?.delete(entry.index);
        return;
      case "putMapping": {
        const index = this.index(entry.domain, entry.index);
        if (index) index.setMappings(mergeMappings(index.mappings, entry.mappings));
        return;
      }
      case "putSettings": {
        const index = this.index(entry.domain, entry.index);
        if (index) index.settings = { ...index.settings, ...structuredClone(entry.settings) };
        return;
      }
      case "write":
        for (const op of entry.ops) this.applyDocOp(entry.domain, op, now);
        return;
    }
  }

  /**
   * Applies one document write. `parsed` (from validating the write before journaling it) saves
   * parsing the document again on the live path; replay parses.
   */
  applyDocOp(domain: string, op: DocOp, now: number, parsed?: ParsedDocument): void {
    const index = this.index(domain, op.index);
    if (!index) return;
    const at = op.op === "delete" ? (op.at ?? now) : now;
    const version =
      op.version !== undefined ? BigInt(op.version) : (index.current(op.id, at)?.version ?? 0n) + 1n;
    if (op.op === "delete") {
      index.remove(op.id, version, at);
      return;
    }
    const doc = parsed ?? parseDocument(index.mappings, op.source, op.id);
    if (doc.dynamic) index.setMappings(mergeMappings(index.mappings, doc.dynamic));
    index.put(op.id, op.source, doc.fields, version);
  }

  toSnapshot(): OpenSearchSnapshot {
    return {
      version: 1,
      domainRecords: [...this.domainRecords.values()],
      domains: [...this.domains.entries()].map(([domain, indices]) => ({
        domain,
        indices: [...indices.values()].map((index) => ({
          name: index.name,
          uuid: index.uuid,
          creationDate: index.creationDate,
          settings: index.settings,
          mappings: index.mappings,
          seqNo: index.seqNo,
          docs: [...index.docs.values()].map((d) => ({
            id: d.id,
            source: d.source,
            version: d.version.toString(),
            seqNo: d.seqNo,
          })),
          tombstones: [...index.tombstones.entries()].map(([id, t]) => ({
            id,
            version: t.version.toString(),
            seqNo: t.seqNo,
            deletedAt: t.deletedAt,
          })),
        })),
      })),
    };
  }

  /** Restores a snapshot; restored documents are searchable at once (as after a recovery). */
  restore(snapshot: OpenSearchSnapshot, now: number): void {
    for (const record of snapshot.domainRecords ?? []) this.apply({ t: "createDomain", record });
    for (const { domain, indices } of snapshot.domains) {
      for (const s of indices) {
        const index = new OsIndex(s.name, s.uuid, s.creationDate, s.settings, s.mappings);
        for (const d of s.docs) {
          const parsed = parseDocument(index.mappings, d.source, d.id);
          const doc = storedDoc(d.id, d.source, parsed.fields, BigInt(d.version), d.seqNo);
          index.docs.set(d.id, doc);
          index.searchable.set(d.id, doc);
        }
        for (const t of s.tombstones ?? []) {
          index.tombstones.set(t.id, { version: BigInt(t.version), seqNo: t.seqNo, deletedAt: t.deletedAt });
        }
        index.seqNo = s.seqNo;
        index.lastRefresh = now;
        this.indices(domain).set(s.name, index);
      }
    }
  }
}
