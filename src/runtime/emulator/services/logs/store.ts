/**
 * CloudWatch Logs state: log groups per account and region, their streams and events. Every
 * change is a journal entry applied through `apply`, so the live path and the replay after a
 * restart run the same code.
 */

export interface LogEvent {
  timestamp: number;
  message: string;
  ingestionTime: number;
  /** Emulator-wide arrival order: breaks timestamp ties and makes eventIds and tokens unique. */
  seq: number;
}

export interface LogStream {
  name: string;
  creationTime: number;
  /** Sorted by (timestamp, seq). */
  events: LogEvent[];
  firstEventTimestamp?: number;
  lastEventTimestamp?: number;
  lastIngestionTime?: number;
  /** UTF-8 bytes of the retained messages. */
  bytes: number;
}

export interface LogGroup {
  scope: string;
  name: string;
  creationTime: number;
  retentionInDays?: number;
  logGroupClass: string;
  tags: Record<string, string>;
  streams: Map<string, LogStream>;
  /** Subscription and metric filters by name (they go when the group goes). */
  filters: { subscription: Map<string, SubscriptionFilter>; metric: Map<string, MetricFilter> };
}

export interface SubscriptionFilter {
  filterName: string;
  filterPattern: string;
  destinationArn: string;
  roleArn?: string;
  distribution: string;
  creationTime: number;
}

export interface MetricTransformation {
  metricName: string;
  metricNamespace: string;
  metricValue: string;
  defaultValue?: number;
  dimensions?: Record<string, string>;
  unit?: string;
}

export interface MetricFilter {
  filterName: string;
  filterPattern: string;
  metricTransformations: MetricTransformation[];
  creationTime: number;
}

export type FilterKind = "subscription" | "metric";
export type GroupFilter = SubscriptionFilter | MetricFilter;

/** Account-and-region resources that belong to no log group. */
export type ScopedKind = "resourcePolicy" | "deliverySource" | "deliveryDestination" | "delivery";

export type LogsEntry =
  | {
      t: "createGroup";
      scope: string;
      name: string;
      creationTime: number;
      logGroupClass: string;
      tags?: Record<string, string>;
    }
  | { t: "deleteGroup"; scope: string; name: string }
  | { t: "retention"; scope: string; name: string; days: number | null }
  | { t: "createStream"; scope: string; group: string; name: string; creationTime: number }
  | { t: "deleteStream"; scope: string; group: string; name: string }
  /** events: [timestamp, message, ingestionTime, seq] */
  | { t: "events"; scope: string; group: string; stream: string; events: [number, string, number, number][] }
  | { t: "tag"; scope: string; name: string; tags: Record<string, string> }
  | { t: "untag"; scope: string; name: string; keys: string[] }
  | { t: "filter"; scope: string; group: string; kind: FilterKind; filter: GroupFilter }
  | { t: "deleteFilter"; scope: string; group: string; kind: FilterKind; name: string }
  | { t: "scoped"; kind: ScopedKind; scope: string; key: string; record: Record<string, unknown> }
  | { t: "deleteScoped"; kind: ScopedKind; scope: string; key: string };

export interface LogsSnapshot {
  version: 1;
  seq: number;
  groups: {
    scope: string;
    name: string;
    creationTime: number;
    retentionInDays?: number;
    logGroupClass: string;
    tags: Record<string, string>;
    streams: {
      name: string;
      creationTime: number;
      firstEventTimestamp?: number;
      lastEventTimestamp?: number;
      lastIngestionTime?: number;
      events: [number, string, number, number][];
    }[];
    subscriptionFilters?: SubscriptionFilter[];
    metricFilters?: MetricFilter[];
  }[];
  scoped?: { kind: ScopedKind; scope: string; key: string; record: Record<string, unknown> }[];
}

export function scopeOf(accountId: string, region: string): string {
  return `${accountId}/${region}`;
}

export function compareEvents(a: { timestamp: number; seq: number }, b: { timestamp: number; seq: number }) {
  return a.timestamp - b.timestamp || a.seq - b.seq;
}

export class LogsState {
  private readonly groups = new Map<string, Map<string, LogGroup>>();
  private readonly scoped = new Map<string, Map<string, Record<string, unknown>>>();
  private seq = 0;

  /** The account-and-region resources of one kind (resource policies, delivery sources, …). */
  scopedIn(kind: ScopedKind, scope: string): Map<string, Record<string, unknown>> {
    const id = `${kind}|${scope}`;
    let map = this.scoped.get(id);
    if (!map) this.scoped.set(id, (map = new Map()));
    return map;
  }

  nextSeq(): number {
    return ++this.seq;
  }

  group(scope: string, name: string): LogGroup | undefined {
    return this.groups.get(scope)?.get(name);
  }

  groupsIn(scope: string): LogGroup[] {
    return [...(this.groups.get(scope)?.values() ?? [])];
  }

  apply(entry: LogsEntry): void {
    switch (entry.t) {
      case "createGroup": {
        let scoped = this.groups.get(entry.scope);
        if (!scoped) this.groups.set(entry.scope, (scoped = new Map()));
        scoped.set(entry.name, {
          scope: entry.scope,
          name: entry.name,
          creationTime: entry.creationTime,
          logGroupClass: entry.logGroupClass,
          tags: { ...(entry.tags ?? {}) },
          streams: new Map(),
          filters: { subscription: new Map(), metric: new Map() },
        });
        return;
      }
      case "deleteGroup":
        this.groups.get(entry.scope)?.delete(entry.name);
        return;
      case "retention": {
        const group = this.group(entry.scope, entry.name);
        if (!group) return;
        if (entry.days === null) delete group.retentionInDays;
        else group.retentionInDays = entry.days;
        return;
      }
      case "createStream":
        this.group(entry.scope, entry.group)?.streams.set(entry.name, {
          name: entry.name,
          creationTime: entry.creationTime,
          events: [],
          bytes: 0,
        });
        return;
      case "deleteStream":
        this.group(entry.scope, entry.group)?.streams.delete(entry.name);
        return;
      case "events": {
        const stream = this.group(entry.scope, entry.group)?.streams.get(entry.stream);
        if (!stream) return;
        addEvents(
          stream,
          entry.events.map(([timestamp, message, ingestionTime, seq]) => ({
            timestamp,
            message,
            ingestionTime,
            seq,
          })),
        );
        for (const e of entry.events) this.seq = Math.max(this.seq, e[3]);
        return;
      }
      case "tag": {
        const group = this.group(entry.scope, entry.name);
        if (group) Object.assign(group.tags, entry.tags);
        return;
      }
      case "untag": {
        const group = this.group(entry.scope, entry.name);
        if (group) for (const key of entry.keys) delete group.tags[key];
        return;
      }
      case "filter": {
        const filters = this.group(entry.scope, entry.group)?.filters[entry.kind] as
          Map<string, GroupFilter> | undefined;
        filters?.set(entry.filter.filterName, entry.filter);
        return;
      }
      case "deleteFilter":
        this.group(entry.scope, entry.group)?.filters[entry.kind].delete(entry.name);
        return;
      case "scoped":
        this.scopedIn(entry.kind, entry.scope).set(entry.key, entry.record);
        return;
      case "deleteScoped":
        this.scopedIn(entry.kind, entry.scope).delete(entry.key);
        return;
    }
  }

  /** Drops events older than the group's retention; reads call it so expiry is exact on the clock. */
  expire(group: LogGroup, now: number, dayMs: number): void {
    if (group.retentionInDays === undefined) return;
    const cutoff = now - group.retentionInDays * dayMs;
    for (const stream of group.streams.values()) {
      let drop = 0;
      while (drop < stream.events.length && stream.events[drop]!.timestamp < cutoff) {
        stream.bytes -= Buffer.byteLength(stream.events[drop]!.message);
        drop++;
      }
      if (drop > 0) stream.events.splice(0, drop);
    }
  }

  allGroups(): LogGroup[] {
    return [...this.groups.values()].flatMap((scoped) => [...scoped.values()]);
  }

  toSnapshot(): LogsSnapshot {
    return {
      version: 1,
      seq: this.seq,
      groups: this.allGroups().map((g) => ({
        scope: g.scope,
        name: g.name,
        creationTime: g.creationTime,
        retentionInDays: g.retentionInDays,
        logGroupClass: g.logGroupClass,
        tags: g.tags,
        streams: [...g.streams.values()].map((s) => ({
          name: s.name,
          creationTime: s.creationTime,
          firstEventTimestamp: s.firstEventTimestamp,
          lastEventTimestamp: s.lastEventTimestamp,
          lastIngestionTime: s.lastIngestionTime,
          events: s.events.map(
            (e) => [e.timestamp, e.message, e.ingestionTime, e.seq] as [number, string, number, number],
          ),
        })),
        subscriptionFilters: [...g.filters.subscription.values()],
        metricFilters: [...g.filters.metric.values()],
      })),
      scoped: [...this.scoped.entries()].flatMap(([id, map]) => {
        const [kind, scope] = id.split("|") as [ScopedKind, string];
        return [...map.entries()].map(([key, record]) => ({ kind, scope, key, record }));
      }),
    };
  }

  restore(snapshot: LogsSnapshot): void {
    this.seq = snapshot.seq;
    for (const s of snapshot.scoped ?? []) this.scopedIn(s.kind, s.scope).set(s.key, s.record);
    for (const g of snapshot.groups) {
      this.apply({
        t: "createGroup",
        scope: g.scope,
        name: g.name,
        creationTime: g.creationTime,
        logGroupClass: g.logGroupClass,
        tags: g.tags,
      });
      if (g.retentionInDays !== undefined) {
        this.apply({ t: "retention", scope: g.scope, name: g.name, days: g.retentionInDays });
      }
      const group = this.group(g.scope, g.name)!;
      for (const f of g.subscriptionFilters ?? []) group.filters.subscription.set(f.filterName, f);
      for (const f of g.metricFilters ?? []) group.filters.metric.set(f.filterName, f);
      for (const s of g.streams) {
        const events = s.events.map(([timestamp, message, ingestionTime, seq]) => ({
          timestamp,
          message,
          ingestionTime,
          seq,
        }));
        group.streams.set(s.name, {
          name: s.name,
          creationTime: s.creationTime,
          firstEventTimestamp: s.firstEventTimestamp,
          lastEventTimestamp: s.lastEventTimestamp,
          lastIngestionTime: s.lastIngestionTime,
          events,
          bytes: events.reduce((sum, e) => sum + Buffer.byteLength(e.message), 0),
        });
      }
    }
  }
}

/** Adds a chronological batch to a stream, keeping the stream sorted (batches may arrive out of order). */
function addEvents(stream: LogStream, batch: LogEvent[]): void {
  if (batch.length === 0) return;
  const last = stream.events[stream.events.length - 1];
  if (!last || compareEvents(last, batch[0]!) <= 0) stream.events.push(...batch);
  else stream.events = mergeSorted(stream.events, batch);
  for (const e of batch) {
    stream.bytes += Buffer.byteLength(e.message);
    stream.firstEventTimestamp = Math.min(stream.firstEventTimestamp ?? e.timestamp, e.timestamp);
    stream.lastEventTimestamp = Math.max(stream.lastEventTimestamp ?? e.timestamp, e.timestamp);
    stream.lastIngestionTime = Math.max(stream.lastIngestionTime ?? e.ingestionTime, e.ingestionTime);
  }
}

function mergeSorted(a: LogEvent[], b: LogEvent[]): LogEvent[] {
  const out: LogEvent[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) out.push(compareEvents(a[i]!, b[j]!) <= 0 ? a[i++]! : b[j++]!);
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}
