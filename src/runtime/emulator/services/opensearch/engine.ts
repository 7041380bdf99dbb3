import { randomBytes } from "node:crypto";
import type { Clock, TimerHandle } from "../../core/clock.js";
import { osErrors, OpenSearchError } from "./errors.js";
import type { FaultInjector } from "./faults.js";
import { MAX_ID_BYTES, MAX_INDEX_NAME_BYTES, OPENSEARCH_VERSION } from "./limits.js";
import { mergeMappings, parseDocument, validateMappings, type ParsedDocument } from "./mapping.js";
import { count, filterSource, parseSourceFilter, search } from "./search.js";
import {
  nextVersion,
  parseJsonKeepingLongs,
  parseLongField,
  parseVersionType,
  versionConflict,
  versioningProblems,
  type WriteConditions,
} from "./versioning.js";
import {
  newUuid,
  type DocOp,
  type IndexSettings,
  type OpenSearchEntry,
  type OpenSearchState,
  type OsIndex,
  type StoredDoc,
} from "./store.js";

/** A domain as the path names it: `/opensearch/<region>/<name>` in account `account`. */
export interface DomainRef {
  /** State key: `<account>/<region>/<name>`. */
  key: string;
  /** Fault rules match on `<region>/<name>`. */
  label: string;
  name: string;
}

export type WriteResult = Record<string, unknown> & { status: number };

/**
 * The OpenSearch operations, independent of HTTP: index administration, document writes and
 * reads, bulk, refresh, search and count. Every change is journaled before it is answered.
 */
export class OpenSearchEngine {
  private readonly refreshTimers = new Map<OsIndex, TimerHandle>();

  constructor(
    private readonly state: OpenSearchState,
    private readonly clock: Clock,
    private readonly journal: (entry: OpenSearchEntry) => void,
    readonly faults: FaultInjector,
  ) {}

  stop(): void {
    for (const timer of this.refreshTimers.values()) timer.cancel();
    this.refreshTimers.clear();
    for (const index of this.state.allIndices()) index.releaseWaiters();
  }

  /** Cancels pending refreshes of a domain's indices (before the domain is deleted). */
  forgetDomain(key: string): void {
    for (const index of this.state.indices(key).values()) {
      this.refreshTimers.get(index)?.cancel();
      this.refreshTimers.delete(index);
    }
  }

  info(domain: DomainRef, accountId: string): Record<string, unknown> {
    return {
      name: domain.name,
      cluster_name: `${accountId}:${domain.name}`,
      cluster_uuid: domainUuid(domain.key),
      version: OPENSEARCH_VERSION,
      tagline: "The OpenSearch Project: https://opensearch.org/",
    };
  }

  health(domain: DomainRef, accountId: string, only?: string[]): Record<string, unknown> {
    const indices = only ? this.resolve(domain, only) : [...this.state.indices(domain.key).values()];
    const primaries = indices.reduce((n, i) => n + i.settings.number_of_shards, 0);
    const replicas = indices.reduce(
      (n, i) => n + i.settings.number_of_shards * i.settings.number_of_replicas,
      0,
    );
    return {
      cluster_name: `${accountId}:${domain.name}`,
      // One node: replicas cannot be assigned, which OpenSearch reports as yellow.
      status: replicas > 0 ? "yellow" : "green",
      timed_out: false,
      number_of_nodes: 1,
      number_of_data_nodes: 1,
      discovered_master: true,
      discovered_cluster_manager: true,
      active_primary_shards: primaries,
      active_shards: primaries,
      relocating_shards: 0,
      initializing_shards: 0,
      unassigned_shards: replicas,
      delayed_unassigned_shards: 0,
      number_of_pending_tasks: 0,
      number_of_in_flight_fetch: 0,
      task_max_waiting_in_queue_millis: 0,
      active_shards_percent_as_number:
        primaries + replicas === 0 ? 100 : (100 * primaries) / (primaries + replicas),
    };
  }

  // ---- indices -------------------------------------------------------------------------------

  createIndex(domain: DomainRef, name: string, body: Record<string, unknown>): Record<string, unknown> {
    validIndexName(name);
    const existing = this.state.index(domain.key, name);
    if (existing) throw osErrors.indexExists(name, existing.uuid);
    for (const key of Object.keys(body)) {
      if (!["settings", "mappings", "aliases"].includes(key)) {
        throw osErrors.parsing(`unknown key [${key}] for create index`);
      }
    }
    const settings = readSettings(body["settings"]);
    const mappings = validateMappings(body["mappings"]);
    this.commit({
      t: "createIndex",
      domain: domain.key,
      index: name,
      uuid: newUuid(),
      at: this.clock.now(),
      settings,
      mappings,
    });
    return { acknowledged: true, shards_acknowledged: true, index: name };
  }

  deleteIndex(domain: DomainRef, names: string[]): Record<string, unknown> {
    const indices = this.resolve(domain, names);
    for (const index of indices) {
      this.refreshTimers.get(index)?.cancel();
      this.refreshTimers.delete(index);
      this.commit({ t: "deleteIndex", domain: domain.key, index: index.name });
    }
    return { acknowledged: true };
  }

  exists(domain: DomainRef, name: string): boolean {
    return this.state.index(domain.key, name) !== undefined;
  }

  getIndex(domain: DomainRef, names: string[]): Record<string, unknown> {
    return Object.fromEntries(
      this.resolve(domain, names).map((index) => [
        index.name,
        { aliases: {}, mappings: index.mappings, settings: { index: renderSettings(index) } },
      ]),
    );
  }

  getMapping(domain: DomainRef, names: string[]): Record<string, unknown> {
    return Object.fromEntries(
      this.resolve(domain, names).map((index) => [index.name, { mappings: index.mappings }]),
    );
  }

  getSettings(domain: DomainRef, names: string[]): Record<string, unknown> {
    return Object.fromEntries(
      this.resolve(domain, names).map((index) => [
        index.name,
        { settings: { index: renderSettings(index) } },
      ]),
    );
  }

  putMapping(domain: DomainRef, names: string[], body: Record<string, unknown>): Record<string, unknown> {
    const update = validateMappings(body);
    const indices = this.resolve(domain, names);
    for (const index of indices) mergeMappings(index.mappings, update);
    for (const index of indices)
      this.commit({ t: "putMapping", domain: domain.key, index: index.name, mappings: update });
    return { acknowledged: true };
  }

  /** `PUT /<index>/_settings`: the dynamic settings the emulator models (replicas, refresh, gc_deletes). */
  putSettings(domain: DomainRef, names: string[], body: Record<string, unknown>): Record<string, unknown> {
    const indices = this.resolve(domain, names);
    const updates = indices.map((index) => readSettingsUpdate(body, index));
    indices.forEach((index, i) =>
      this.commit({ t: "putSettings", domain: domain.key, index: index.name, settings: updates[i]! }),
    );
    return { acknowledged: true };
  }

  refresh(domain: DomainRef, names: string[] | undefined): Record<string, unknown> {
    const indices = names ? this.resolve(domain, names) : [...this.state.indices(domain.key).values()];
    for (const index of indices) this.refreshNow(index);
    const total = indices.reduce(
      (n, i) => n + i.settings.number_of_shards * (1 + i.settings.number_of_replicas),
      0,
    );
    const successful = indices.reduce((n, i) => n + i.settings.number_of_shards, 0);
    return { _shards: { total, successful, failed: 0 } };
  }

  // ---- documents -----------------------------------------------------------------------------

  /**
   * index (create or replace) or create (fails if the id exists); `id` undefined → generated.
   * Versioning and compare-and-set as OpenSearch checks them (./versioning.ts).
   */
  writeDoc(
    domain: DomainRef,
    indexName: string,
    id: string | undefined,
    source: Record<string, unknown>,
    opType: "index" | "create",
    conditions: WriteConditions = {},
  ): { response: WriteResult; index: OsIndex } {
    const problems = versioningProblems(opType, id !== undefined, conditions);
    if (problems.length > 0) throw osErrors.validation(problems);
    const index = this.indexForWrite(domain, indexName);
    const docId = id ?? generateId();
    validId(docId);
    const current = index.current(docId, this.clock.now());
    const conflict = versionConflict(opType, current, conditions);
    if (conflict !== undefined) {
      throw osErrors.versionConflict(index.name, index.uuid, `[${docId}]: version conflict, ${conflict}`);
    }
    const parsed = parseDocument(index.mappings, source, docId);
    const version = nextVersion(current, conditions);
    const doc = this.applyWrite(
      domain,
      { op: "index", index: index.name, id: docId, source, version: version.toString() },
      parsed,
    );
    const existed = current !== undefined && !current.deleted;
    return {
      response: writeResponse(index, doc!, existed ? "updated" : "created", existed ? 200 : 201),
      index,
    };
  }

  /** `_update`: partial `doc` merge, `doc_as_upsert`, `upsert`; unchanged documents are a noop. */
  updateDoc(
    domain: DomainRef,
    indexName: string,
    id: string,
    body: Record<string, unknown>,
  ): { response: WriteResult; index: OsIndex } {
    validId(id);
    if (body["script"] !== undefined) {
      throw osErrors.illegalArgument(
        "script updates are not supported by this emulator; send a partial doc instead",
      );
    }
    const partial = body["doc"];
    const upsert = body["upsert"];
    if (partial !== undefined && !isObject(partial)) throw osErrors.parsing("[doc] must be an object");
    if (upsert !== undefined && !isObject(upsert)) throw osErrors.parsing("[upsert] must be an object");
    if (partial === undefined && upsert === undefined) {
      throw osErrors.validation(["script or doc is missing"]);
    }
    const conditions: WriteConditions = {
      ...optional("ifSeqNo", optionalInt(body["if_seq_no"])),
      ...optional("ifPrimaryTerm", optionalInt(body["if_primary_term"])),
    };
    const problems = versioningProblems("index", true, conditions);
    if (problems.length > 0) throw osErrors.validation(problems);
    const index = this.indexForWrite(domain, indexName);
    const current = index.current(id, this.clock.now());
    const conflict = versionConflict("index", current, conditions);
    if (conflict !== undefined) {
      throw osErrors.versionConflict(index.name, index.uuid, `[${id}]: version conflict, ${conflict}`);
    }
    const live = index.docs.get(id);
    if (!live) {
      const source = body["doc_as_upsert"] === true && partial !== undefined ? partial : upsert;
      if (!source) throw osErrors.documentMissing(index.name, index.uuid, id);
      const parsed = parseDocument(index.mappings, source as Record<string, unknown>, id);
      const doc = this.applyWrite(
        domain,
        {
          op: "index",
          index: index.name,
          id,
          source: source as Record<string, unknown>,
          version: nextVersion(current, {}).toString(),
        },
        parsed,
      )!;
      return { response: writeResponse(index, doc, "created", 201), index };
    }
    // One parse of the kept source (StoredDoc.source is parsed on each read).
    const liveSource = live.source;
    const merged = deepMerge(liveSource, (partial ?? {}) as Record<string, unknown>);
    if (body["detect_noop"] !== false && deepEqual(merged, liveSource)) {
      return {
        response: {
          _index: index.name,
          _id: id,
          _version: live.version,
          result: "noop",
          _shards: { total: 0, successful: 0, failed: 0 },
          _seq_no: live.seqNo,
          _primary_term: 1,
          status: 200,
        },
        index,
      };
    }
    const parsed = parseDocument(index.mappings, merged, id);
    const doc = this.applyWrite(
      domain,
      { op: "index", index: index.name, id, source: merged, version: (live.version + 1n).toString() },
      parsed,
    )!;
    return { response: writeResponse(index, doc, "updated", 200), index };
  }

  /**
   * Deletes a document. A delete of an id that has none still takes a sequence number and leaves
   * a tombstone with its version (404 `not_found`), so an older versioned write after it loses.
   */
  deleteDoc(
    domain: DomainRef,
    indexName: string,
    id: string,
    conditions: WriteConditions = {},
  ): { response: WriteResult; index: OsIndex } {
    const problems = versioningProblems("delete", true, conditions);
    if (problems.length > 0) throw osErrors.validation(problems);
    const index = this.state.index(domain.key, indexName);
    if (!index) throw osErrors.indexNotFound(indexName);
    const now = this.clock.now();
    const current = index.current(id, now);
    const conflict = versionConflict("delete", current, conditions);
    if (conflict !== undefined) {
      throw osErrors.versionConflict(index.name, index.uuid, `[${id}]: version conflict, ${conflict}`);
    }
    const version = nextVersion(current, conditions);
    const existed = current !== undefined && !current.deleted;
    this.applyWrite(domain, { op: "delete", index: index.name, id, version: version.toString(), at: now });
    const tombstone = index.tombstones.get(id)!;
    return {
      response: {
        _index: index.name,
        _id: id,
        _version: version,
        result: existed ? "deleted" : "not_found",
        _shards: shards(index),
        _seq_no: tombstone.seqNo,
        _primary_term: 1,
        status: existed ? 200 : 404,
      },
      index,
    };
  }

  /** Real-time GET: sees writes that are not refreshed yet. */
  getDoc(
    domain: DomainRef,
    indexName: string,
    id: string,
    sourceFilter?: unknown,
  ): { status: number; body: Record<string, unknown> } {
    const index = this.state.index(domain.key, indexName);
    if (!index) throw osErrors.indexNotFound(indexName);
    const doc = index.docs.get(id);
    if (!doc) return { status: 404, body: { _index: index.name, _id: id, found: false } };
    const source = filterSource(doc.source, parseSourceFilter(sourceFilter));
    return {
      status: 200,
      body: {
        _index: index.name,
        _id: id,
        _version: doc.version,
        _seq_no: doc.seqNo,
        _primary_term: 1,
        found: true,
        ...(source !== undefined ? { _source: source } : {}),
      },
    };
  }

  // ---- bulk ----------------------------------------------------------------------------------

  bulk(
    domain: DomainRef,
    defaultIndex: string | undefined,
    body: Buffer,
  ): { response: Record<string, unknown>; touched: Set<OsIndex> } {
    const started = Date.now();
    const actions = parseBulk(body, defaultIndex);
    const items: Record<string, unknown>[] = [];
    const touched = new Set<OsIndex>();
    let errors = false;
    // One journal entry for the whole request (written before the answer), not one per item.
    this.batch = [];
    try {
      for (const action of actions) {
        const result = this.bulkItem(domain, action, touched);
        if (result["error"]) errors = true;
        items.push({ [action.type]: result });
      }
    } finally {
      const ops = this.batch;
      this.batch = undefined;
      if (ops.length > 0) this.journal({ t: "write", domain: domain.key, ops });
    }
    return { response: { took: Math.max(0, Date.now() - started), errors, items }, touched };
  }

  /** Document writes of the bulk request being executed, journaled together when it ends. */
  private batch: DocOp[] | undefined;

  private bulkItem(domain: DomainRef, action: BulkAction, touched: Set<OsIndex>): Record<string, unknown> {
    const base = { _index: action.index, _id: action.id ?? null };
    const fail = (error: OpenSearchError) => ({ ...base, status: error.status, error: error.toItemError() });
    const fault = this.faults.forBulkItem(domain, action.index, action.id);
    if (fault !== undefined) {
      const error =
        fault === 429
          ? osErrors.rejected(`bulk item [${action.type}] for [${action.index}]`)
          : fault === 503
            ? osErrors.unavailable(action.index)
            : osErrors.internal("internal failure (fault injected by the emulator)");
      return fail(error);
    }
    try {
      if (action.sourceError) throw action.sourceError;
      let outcome: { response: WriteResult; index: OsIndex };
      switch (action.type) {
        case "index":
        case "create":
          outcome = this.writeDoc(
            domain,
            action.index,
            action.id,
            action.source!,
            action.type,
            action.conditions,
          );
          break;
        case "update":
          outcome = this.updateDoc(domain, action.index, action.id!, {
            ...action.source!,
            ...(action.conditions.ifSeqNo !== undefined ? { if_seq_no: action.conditions.ifSeqNo } : {}),
            ...(action.conditions.ifPrimaryTerm !== undefined
              ? { if_primary_term: action.conditions.ifPrimaryTerm }
              : {}),
          });
          break;
        case "delete":
          outcome = this.deleteDoc(domain, action.index, action.id!, action.conditions);
          break;
      }
      touched.add(outcome.index);
      const { status, ...rest } = outcome.response;
      return { ...rest, status };
    } catch (error) {
      if (error instanceof OpenSearchError) return fail(error);
      throw error;
    }
  }

  // ---- search --------------------------------------------------------------------------------

  search(
    domain: DomainRef,
    names: string[] | undefined,
    body: Record<string, unknown>,
    params: URLSearchParams,
  ) {
    const indices = names ? this.resolve(domain, names) : [...this.state.indices(domain.key).values()];
    return search(indices, body, params, this.clock.now());
  }

  count(domain: DomainRef, names: string[] | undefined, body: Record<string, unknown>) {
    const indices = names ? this.resolve(domain, names) : [...this.state.indices(domain.key).values()];
    return {
      count: count(indices, body, this.clock.now()),
      _shards: { total: indices.length, successful: indices.length, skipped: 0, failed: 0 },
    };
  }

  // ---- refresh -------------------------------------------------------------------------------

  refreshNow(index: OsIndex): void {
    this.refreshTimers.get(index)?.cancel();
    this.refreshTimers.delete(index);
    index.refresh(this.clock.now());
  }

  /** Resolves when the index's next refresh has made earlier writes searchable (`refresh=wait_for`). */
  waitForRefresh(index: OsIndex): Promise<void> {
    const waiting = index.nextRefresh();
    this.scheduleRefresh(index);
    return waiting;
  }

  /**
   * Near-real-time search: changes become searchable at the next tick of the index's refresh
   * interval (1 s by default) on the emulator clock. Timers exist only while changes are pending.
   */
  private scheduleRefresh(index: OsIndex): void {
    if (this.refreshTimers.has(index)) return;
    const interval = index.refreshIntervalMs();
    if (interval === undefined) return;
    const now = this.clock.now();
    const elapsed = Math.max(0, now - index.lastRefresh);
    const due = index.lastRefresh + (Math.floor(elapsed / interval) + 1) * interval;
    this.refreshTimers.set(
      index,
      this.clock.setTimeout(() => {
        this.refreshTimers.delete(index);
        index.refresh(due);
      }, due - now),
    );
  }

  // ---- helpers -------------------------------------------------------------------------------

  private commit(entry: OpenSearchEntry): void {
    this.journal(entry);
    if (entry.t !== "write") this.state.apply(entry);
  }

  /** Journals and applies one write; the stored document (undefined for a delete). */
  private applyWrite(domain: DomainRef, op: DocOp, parsed?: ParsedDocument): StoredDoc | undefined {
    if (this.batch) this.batch.push(op);
    else this.journal({ t: "write", domain: domain.key, ops: [op] });
    this.state.applyDocOp(domain.key, op, this.clock.now(), parsed);
    const index = this.state.index(domain.key, op.index)!;
    this.scheduleRefresh(index);
    return op.op === "index" ? index.docs.get(op.id) : undefined;
  }

  /** OpenSearch creates a missing index on the first write (action.auto_create_index). */
  private indexForWrite(domain: DomainRef, name: string): OsIndex {
    const existing = this.state.index(domain.key, name);
    if (existing) return existing;
    validIndexName(name);
    this.commit({
      t: "createIndex",
      domain: domain.key,
      index: name,
      uuid: newUuid(),
      at: this.clock.now(),
      settings: readSettings(undefined),
      mappings: { properties: {} },
    });
    return this.state.index(domain.key, name)!;
  }

  /** Index names, comma lists, wildcards, `_all` / `*`; a missing concrete name is index_not_found. */
  resolve(domain: DomainRef, names: string[]): OsIndex[] {
    const all = this.state.indices(domain.key);
    const out = new Map<string, OsIndex>();
    for (const raw of names.flatMap((n) => n.split(",")).filter(Boolean)) {
      if (raw === "_all" || raw === "*") {
        for (const index of all.values()) out.set(index.name, index);
      } else if (raw.includes("*")) {
        const regex = new RegExp(`^${raw.replace(/[.+^${}()|[\]\\?]/g, "\\$&").replace(/\*/g, ".*")}$`);
        for (const index of all.values()) if (regex.test(index.name)) out.set(index.name, index);
      } else {
        const index = all.get(raw);
        if (!index) throw osErrors.indexNotFound(raw);
        out.set(index.name, index);
      }
    }
    return [...out.values()];
  }
}

interface BulkAction {
  type: "index" | "create" | "update" | "delete";
  index: string;
  id?: string;
  source?: Record<string, unknown>;
  sourceError?: OpenSearchError;
  conditions: WriteConditions;
}

/** Action-line fields that hold longs: parsed from their source text so big versions stay exact. */
const LONG_FIELDS = new Set(["version", "if_seq_no", "if_primary_term"]);

/** Parses the NDJSON body; malformed action lines fail the whole request, as in OpenSearch. */
function parseBulk(body: Buffer, defaultIndex: string | undefined): BulkAction[] {
  const text = body.toString("utf8");
  if (text.length === 0) throw osErrors.validation(["no requests added"]);
  if (!text.endsWith("\n"))
    throw osErrors.illegalArgument("The bulk request must be terminated by a newline [\\n]");
  const lines = text.split("\n");
  lines.pop();
  const actions: BulkAction[] = [];
  const problems: string[] = [];
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    if (line.trim() === "") continue;
    let meta: unknown;
    try {
      meta = parseJsonKeepingLongs(line, LONG_FIELDS);
    } catch {
      throw osErrors.illegalArgument(
        `Malformed action/metadata line [${n + 1}], expected START_OBJECT but found [VALUE_STRING]`,
      );
    }
    if (!isObject(meta) || Object.keys(meta).length !== 1) {
      throw osErrors.illegalArgument(
        `Malformed action/metadata line [${n + 1}], expected START_OBJECT or END_OBJECT but found [VALUE_STRING]`,
      );
    }
    const type = Object.keys(meta)[0]!;
    if (!["index", "create", "update", "delete"].includes(type)) {
      throw osErrors.illegalArgument(
        `Malformed action/metadata line [${n + 1}], expected field [create], [delete], [index] or [update] but found [${type}]`,
      );
    }
    const m = meta[type];
    if (!isObject(m))
      throw osErrors.illegalArgument(
        `Malformed action/metadata line [${n + 1}], expected START_OBJECT but found [VALUE_STRING]`,
      );
    const index = typeof m["_index"] === "string" ? m["_index"] : defaultIndex;
    const id = m["_id"] === undefined || m["_id"] === null ? undefined : String(m["_id"]);
    if (!index) problems.push("index is missing");
    if ((type === "update" || type === "delete") && id === undefined) problems.push("id is missing");
    const conditions = bulkConditions(m);
    if (type === "update" && (conditions.version !== undefined || conditions.versionType !== undefined)) {
      throw osErrors.illegalArgument(
        "Update requests do not support versioning. Please use `if_seq_no` and `if_primary_term` instead",
      );
    }
    if (type !== "update") {
      problems.push(
        ...versioningProblems(type as "index" | "create" | "delete", id !== undefined, conditions),
      );
    }
    const action: BulkAction = {
      type: type as BulkAction["type"],
      index: index ?? "",
      ...(id !== undefined ? { id } : {}),
      conditions,
    };
    if (type !== "delete") {
      n++;
      const sourceLine = lines[n];
      if (sourceLine === undefined || sourceLine.trim() === "") {
        throw osErrors.illegalArgument(
          `Malformed action/metadata line [${n}], expected a source line for [${type}]`,
        );
      }
      try {
        const source: unknown = JSON.parse(sourceLine);
        if (!isObject(source)) throw new Error("not an object");
        action.source = source;
      } catch (error) {
        // A bad source fails its item only.
        action.sourceError = osErrors.mapperParsing("failed to parse", {
          type: "json_parse_exception",
          reason: error instanceof Error ? error.message : String(error),
        });
      }
    }
    actions.push(action);
  }
  if (problems.length > 0) throw osErrors.validation(problems);
  if (actions.length === 0) throw osErrors.validation(["no requests added"]);
  return actions;
}

/** `version`, `version_type`, `if_seq_no`, `if_primary_term` of a bulk action line. */
function bulkConditions(meta: Record<string, unknown>): WriteConditions {
  const conditions: WriteConditions = {};
  if (meta["version"] !== undefined && meta["version"] !== null)
    conditions.version = parseLongField("version", meta["version"]);
  if (meta["version_type"] !== undefined && meta["version_type"] !== null)
    conditions.versionType = parseVersionType(meta["version_type"]);
  const seq = optionalInt(meta["if_seq_no"]);
  const term = optionalInt(meta["if_primary_term"]);
  if (seq !== undefined) conditions.ifSeqNo = seq;
  if (term !== undefined) conditions.ifPrimaryTerm = term;
  return conditions;
}

function writeResponse(index: OsIndex, doc: StoredDoc, result: string, status: number): WriteResult {
  return {
    _index: index.name,
    _id: doc.id,
    _version: doc.version,
    result,
    _shards: shards(index),
    _seq_no: doc.seqNo,
    _primary_term: 1,
    status,
  };
}

function shards(index: OsIndex): { total: number; successful: number; failed: number } {
  return { total: 1 + index.settings.number_of_replicas, successful: 1, failed: 0 };
}

function readSettings(raw: unknown): IndexSettings {
  const settings: Record<string, unknown> = {};
  const flatten = (value: unknown, prefix: string) => {
    if (!isObject(value)) return;
    for (const [k, v] of Object.entries(value)) {
      if (isObject(v)) flatten(v, `${prefix}${k}.`);
      else settings[`${prefix}${k}`] = v;
    }
  };
  flatten(raw, "");
  const get = (key: string) => settings[`index.${key}`] ?? settings[key];
  const shardsValue = Number(get("number_of_shards") ?? 1);
  const replicasValue = Number(get("number_of_replicas") ?? 1);
  if (!Number.isInteger(shardsValue) || shardsValue < 1 || shardsValue > 1024) {
    throw osErrors.illegalArgument(
      `Failed to parse value [${String(get("number_of_shards"))}] for setting [index.number_of_shards] must be >= 1`,
    );
  }
  if (!Number.isInteger(replicasValue) || replicasValue < 0) {
    throw osErrors.illegalArgument(
      `Failed to parse value [${String(get("number_of_replicas"))}] for setting [index.number_of_replicas] must be >= 0`,
    );
  }
  const refresh = get("refresh_interval");
  const out: IndexSettings = { number_of_shards: shardsValue, number_of_replicas: replicasValue };
  const gcDeletes = get("gc_deletes");
  if (gcDeletes !== undefined) out.gc_deletes = timeSetting("gc_deletes", gcDeletes);
  if (refresh !== undefined) {
    if (!/^(-1|\d+(ms|s|m|h|d)?)$/.test(String(refresh))) {
      throw osErrors.illegalArgument(
        `failed to parse setting [index.refresh_interval] with value [${String(refresh)}] as a time value`,
      );
    }
    out.refresh_interval = String(refresh);
  }
  return out;
}

function timeSetting(name: string, value: unknown): string {
  if (!/^(-1|\d+(ms|s|m|h|d)?)$/.test(String(value))) {
    throw osErrors.illegalArgument(
      `failed to parse setting [index.${name}] with value [${String(value)}] as a time value: unit is missing or unrecognized`,
    );
  }
  return String(value);
}

/** Index settings OpenSearch lets `PUT _settings` change on an open index (the ones the emulator models). */
const DYNAMIC_SETTINGS = new Set(["number_of_replicas", "refresh_interval", "gc_deletes"]);

/** `PUT /<index>/_settings` body → the changed settings; static ones are refused as OpenSearch does. */
function readSettingsUpdate(raw: Record<string, unknown>, index: OsIndex): Partial<IndexSettings> {
  const flat: Record<string, unknown> = {};
  const flatten = (value: unknown, prefix: string) => {
    if (!isObject(value)) return;
    for (const [k, v] of Object.entries(value)) {
      if (isObject(v)) flatten(v, `${prefix}${k}.`);
      else flat[`${prefix}${k}`] = v;
    }
  };
  flatten(isObject(raw["settings"]) ? raw["settings"] : raw, "");
  const update: Partial<IndexSettings> = {};
  const refused: string[] = [];
  for (const [key, value] of Object.entries(flat)) {
    const name = key.startsWith("index.") ? key.slice("index.".length) : key;
    if (!DYNAMIC_SETTINGS.has(name)) {
      refused.push(`index.${name}`);
      continue;
    }
    if (name === "number_of_replicas") {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) {
        throw osErrors.illegalArgument(
          `Failed to parse value [${String(value)}] for setting [index.number_of_replicas] must be >= 0`,
        );
      }
      update.number_of_replicas = n;
    } else {
      update[name] = timeSetting(name, value);
    }
  }
  if (refused.length > 0) {
    throw osErrors.illegalArgument(
      `Can't update non dynamic settings [[${refused.join(", ")}]] for open indices [[${index.name}/${index.uuid}]]`,
    );
  }
  return update;
}

function renderSettings(index: OsIndex): Record<string, unknown> {
  return {
    number_of_shards: String(index.settings.number_of_shards),
    number_of_replicas: String(index.settings.number_of_replicas),
    ...(index.settings.refresh_interval !== undefined
      ? { refresh_interval: index.settings.refresh_interval }
      : {}),
    ...(index.settings.gc_deletes !== undefined ? { gc_deletes: index.settings.gc_deletes } : {}),
    uuid: index.uuid,
    creation_date: String(index.creationDate),
    provided_name: index.name,
    version: { created: "136387927" },
  };
}

function validIndexName(name: string): void {
  if (name !== name.toLowerCase()) throw osErrors.invalidIndexName(name, "must be lowercase");
  if (/^[_\-+]/.test(name)) throw osErrors.invalidIndexName(name, "must not start with '_', '-', or '+'");
  if (name === "." || name === "..") throw osErrors.invalidIndexName(name, "must not be '.' or '..'");
  if (/[\\/*?"<>| ,#:]/.test(name)) {
    throw osErrors.invalidIndexName(
      name,
      'must not contain the following characters [ , ", *, \\, <, |, ,, >, /, ?, #, :]',
    );
  }
  if (Buffer.byteLength(name) > MAX_INDEX_NAME_BYTES)
    throw osErrors.invalidIndexName(name, "index name is too long");
}

function validId(id: string): void {
  if (id.length === 0) throw osErrors.validation(["id cannot be empty"]);
  if (Buffer.byteLength(id) > MAX_ID_BYTES) {
    throw osErrors.validation([
      `id [${id}] is too long, must be no longer than 512 bytes but was: ${Buffer.byteLength(id)}`,
    ]);
  }
}

function generateId(): string {
  return randomBytes(15).toString("base64url");
}

function domainUuid(key: string): string {
  return Buffer.from(key).toString("base64url").slice(0, 22).padEnd(22, "A");
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function optionalInt(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = Number(value);
  return Number.isInteger(n) ? n : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function deepMerge(base: Record<string, unknown>, update: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(update)) {
    const existing = out[key];
    out[key] = isObject(existing) && isObject(value) ? deepMerge(existing, value) : value;
  }
  return out;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}
