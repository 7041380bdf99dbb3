import type { ServiceStore } from "../../core/persistence.js";
import type { DeliveryJob, DeliveryJournal } from "./delivery-job.js";
import { COMPACT_AFTER_ENTRIES } from "./limits.js";
import {
  keyOf,
  keyOfResource,
  type ApiDestinationRecord,
  type ArchivedEvent,
  type ArchiveRecord,
  type BusRecord,
  type ConnectionRecord,
  type ReplayRecord,
  type RuleRecord,
} from "./models.js";

/** The named resources besides rules, each kept by account/region/name. */
export interface EventsResources {
  bus: BusRecord;
  archive: ArchiveRecord;
  replay: ReplayRecord;
  connection: ConnectionRecord;
  apiDestination: ApiDestinationRecord;
}
export type ResourceKind = keyof EventsResources;
const KINDS: ResourceKind[] = ["bus", "archive", "replay", "connection", "apiDestination"];

export type EventsJournalEntry =
  | { type: "put"; rule: RuleRecord }
  | { type: "delete"; key: string }
  | { [K in ResourceKind]: { type: "putResource"; kind: K; record: EventsResources[K] } }[ResourceKind]
  | { type: "deleteResource"; kind: ResourceKind; key: string }
  /** Events recorded by an archive (key = the archive's key). */
  | { type: "archived"; key: string; events: ArchivedEvent[] }
  /** Archived events dropped by retention: the oldest `count` of the archive. */
  | { type: "expired"; key: string; count: number }
  /** A delivery to a target started or was rescheduled; and when it ended. */
  | { type: "job"; job: DeliveryJob }
  | { type: "jobDone"; id: string };

export interface EventsSnapshot {
  rules: RuleRecord[];
  resources?: { [K in ResourceKind]?: EventsResources[K][] };
  archived?: Record<string, ArchivedEvent[]>;
  /** Deliveries in progress (first attempt, or waiting for a retry). */
  jobs?: DeliveryJob[];
}

type Tables = { [K in ResourceKind]: Map<string, EventsResources[K]> };

/**
 * Rules with their targets, buses, archives (and what they recorded), replays, connections and API
 * destinations. Every change is journaled before the request is answered; the live path and a
 * restart's replay apply the same entries.
 */
export class EventsStore implements DeliveryJournal {
  private readonly rules = new Map<string, RuleRecord>();
  private readonly tables: Tables = {
    bus: new Map(),
    archive: new Map(),
    replay: new Map(),
    connection: new Map(),
    apiDestination: new Map(),
  };
  private readonly archived = new Map<string, ArchivedEvent[]>();
  private readonly jobs = new Map<string, DeliveryJob>();

  constructor(private readonly store: ServiceStore<EventsSnapshot, EventsJournalEntry>) {}

  /** Loads the persisted state; returns the rules (the caller arms their patterns and schedules). */
  load(): RuleRecord[] {
    const { snapshot, entries } = this.store.load();
    for (const rule of snapshot?.rules ?? []) this.rules.set(keyOf(rule), rule);
    for (const kind of KINDS) {
      for (const record of snapshot?.resources?.[kind] ?? [])
        this.table(kind).set(keyOfResource(record), record);
    }
    for (const [key, events] of Object.entries(snapshot?.archived ?? {})) this.archived.set(key, events);
    for (const job of snapshot?.jobs ?? []) this.jobs.set(job.id, job);
    for (const entry of entries) this.apply(entry);
    return [...this.rules.values()];
  }

  get(key: string): RuleRecord | undefined {
    return this.rules.get(key);
  }

  all(): RuleRecord[] {
    return [...this.rules.values()];
  }

  /** Stores a new version of a rule (records are replaced, never mutated in place). */
  put(rule: RuleRecord): void {
    this.record({ type: "put", rule });
  }

  delete(key: string): void {
    this.record({ type: "delete", key });
  }

  resource<K extends ResourceKind>(kind: K, key: string): EventsResources[K] | undefined {
    return this.table(kind).get(key);
  }

  resources<K extends ResourceKind>(kind: K): EventsResources[K][] {
    return [...this.table(kind).values()];
  }

  putResource<K extends ResourceKind>(kind: K, record: EventsResources[K]): void {
    this.record({ type: "putResource", kind, record } as EventsJournalEntry);
  }

  deleteResource(kind: ResourceKind, key: string): void {
    this.record({ type: "deleteResource", kind, key });
  }

  archivedEvents(key: string): ArchivedEvent[] {
    return this.archived.get(key) ?? [];
  }

  archive(key: string, events: ArchivedEvent[]): void {
    if (events.length > 0) this.record({ type: "archived", key, events });
  }

  expire(key: string, count: number): void {
    if (count > 0) this.record({ type: "expired", key, count });
  }

  save(job: DeliveryJob): void {
    this.record({ type: "job", job: structuredClone(job) });
  }

  done(id: string): void {
    if (this.jobs.has(id)) this.record({ type: "jobDone", id });
  }

  pending(): DeliveryJob[] {
    return [...this.jobs.values()].map((job) => structuredClone(job));
  }

  compact(): void {
    if (!this.store.enabled) return;
    const resources: EventsSnapshot["resources"] = {};
    for (const kind of KINDS) (resources as Record<string, unknown[]>)[kind] = this.resources(kind);
    this.store.compact({
      rules: this.all(),
      resources,
      archived: Object.fromEntries(this.archived),
      jobs: [...this.jobs.values()],
    });
  }

  get size(): number {
    return this.rules.size;
  }

  private table<K extends ResourceKind>(kind: K): Map<string, EventsResources[K]> {
    return this.tables[kind] as Map<string, EventsResources[K]>;
  }

  private record(entry: EventsJournalEntry): void {
    this.store.append(entry);
    this.apply(entry);
    if (this.store.journalLength > COMPACT_AFTER_ENTRIES) this.compact();
  }

  private apply(entry: EventsJournalEntry): void {
    switch (entry.type) {
      case "put":
        this.rules.set(keyOf(entry.rule), entry.rule);
        return;
      case "delete":
        this.rules.delete(entry.key);
        return;
      case "putResource":
        (this.table(entry.kind) as Map<string, unknown>).set(keyOfResource(entry.record), entry.record);
        return;
      case "deleteResource":
        this.table(entry.kind).delete(entry.key);
        if (entry.kind === "archive") this.archived.delete(entry.key);
        return;
      case "archived": {
        const list = this.archived.get(entry.key) ?? [];
        list.push(...entry.events);
        this.archived.set(entry.key, list);
        return;
      }
      case "expired":
        this.archived.get(entry.key)?.splice(0, entry.count);
        return;
      case "job":
        this.jobs.set(entry.job.id, entry.job);
        return;
      case "jobDone":
        this.jobs.delete(entry.id);
        return;
    }
  }
}
