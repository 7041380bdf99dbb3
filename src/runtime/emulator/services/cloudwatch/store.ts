import type { AlarmRecord } from "./alarms.js";
import type { Dimension } from "./input.js";
import type { AlarmState } from "./limits.js";
import { AlarmHistory, type AlarmHistoryItem } from "./history.js";
import { MetricStore, type MetricPoint } from "./metrics.js";

/**
 * CloudWatch state: alarms and metric series per account and region. Every change is a journal
 * entry applied through `apply` (the live path and the replay after a restart run the same code);
 * metric history is bounded (15 days, a point cap per series), so snapshots stay bounded too.
 */
export type CloudWatchEntry =
  | { t: "alarm"; alarm: AlarmRecord }
  | { t: "deleteAlarms"; scope: string; names: string[] }
  | {
      t: "state";
      scope: string;
      name: string;
      state: AlarmState;
      reason: string;
      reasonData?: string;
      at: number;
    }
  | { t: "actions"; scope: string; names: string[]; enabled: boolean }
  | { t: "tag"; scope: string; name: string; tags: { Key: string; Value: string }[] }
  | { t: "untag"; scope: string; name: string; keys: string[] }
  | { t: "data"; scope: string; items: [string, string, Dimension[], MetricPoint][] }
  | { t: "history"; scope: string; item: AlarmHistoryItem }
  | { t: "dashboard"; dashboard: DashboardRecord }
  | { t: "deleteDashboards"; account: string; names: string[] };

/** A dashboard: global per account (its ARN has no region). */
export interface DashboardRecord {
  account: string;
  name: string;
  body: string;
  /** Epoch ms. */
  lastModified: number;
}

export interface CloudWatchSnapshot {
  version: 1;
  alarms: AlarmRecord[];
  series: {
    scope: string;
    namespace: string;
    name: string;
    dimensions: Dimension[];
    points: MetricPoint[];
  }[];
  /** Alarm history per scope (DescribeAlarmHistory), oldest first. */
  history?: { scope: string; items: AlarmHistoryItem[] }[];
  dashboards?: DashboardRecord[];
}

export function scopeOf(accountId: string, region: string): string {
  return `${accountId}/${region}`;
}

export class CloudWatchState {
  readonly metrics = new MetricStore();
  readonly history = new AlarmHistory();
  private readonly alarmsByScope = new Map<string, Map<string, AlarmRecord>>();
  private readonly dashboardsByAccount = new Map<string, Map<string, DashboardRecord>>();

  dashboard(account: string, name: string): DashboardRecord | undefined {
    return this.dashboardsByAccount.get(account)?.get(name);
  }

  dashboards(account: string): DashboardRecord[] {
    return [...(this.dashboardsByAccount.get(account)?.values() ?? [])];
  }

  alarm(scope: string, name: string): AlarmRecord | undefined {
    return this.alarmsByScope.get(scope)?.get(name);
  }

  alarms(scope: string): AlarmRecord[] {
    return [...(this.alarmsByScope.get(scope)?.values() ?? [])];
  }

  allAlarms(): AlarmRecord[] {
    return [...this.alarmsByScope.values()].flatMap((m) => [...m.values()]);
  }

  apply(entry: CloudWatchEntry): void {
    switch (entry.t) {
      case "alarm": {
        let scoped = this.alarmsByScope.get(entry.alarm.scope);
        if (!scoped) this.alarmsByScope.set(entry.alarm.scope, (scoped = new Map()));
        scoped.set(entry.alarm.name, structuredClone(entry.alarm));
        return;
      }
      case "deleteAlarms":
        for (const name of entry.names) this.alarmsByScope.get(entry.scope)?.delete(name);
        return;
      case "state": {
        const alarm = this.alarm(entry.scope, entry.name);
        if (!alarm) return;
        if (alarm.state !== entry.state) alarm.stateTransitioned = entry.at;
        alarm.state = entry.state;
        alarm.stateReason = entry.reason;
        if (entry.reasonData === undefined) delete alarm.stateReasonData;
        else alarm.stateReasonData = entry.reasonData;
        alarm.stateUpdated = entry.at;
        return;
      }
      case "actions":
        for (const name of entry.names) {
          const alarm = this.alarm(entry.scope, name);
          if (alarm) alarm.actionsEnabled = entry.enabled;
        }
        return;
      case "tag": {
        const alarm = this.alarm(entry.scope, entry.name);
        if (!alarm) return;
        for (const tag of entry.tags) {
          const existing = alarm.tags.find((t) => t.Key === tag.Key);
          if (existing) existing.Value = tag.Value;
          else alarm.tags.push({ ...tag });
        }
        return;
      }
      case "untag": {
        const alarm = this.alarm(entry.scope, entry.name);
        if (alarm) alarm.tags = alarm.tags.filter((t) => !entry.keys.includes(t.Key));
        return;
      }
      case "data":
        for (const [namespace, name, dims, point] of entry.items) {
          this.metrics.add(entry.scope, namespace, name, dims, point);
        }
        return;
      case "history":
        this.history.add(entry.scope, entry.item);
        return;
      case "dashboard": {
        let owned = this.dashboardsByAccount.get(entry.dashboard.account);
        if (!owned) this.dashboardsByAccount.set(entry.dashboard.account, (owned = new Map()));
        owned.set(entry.dashboard.name, { ...entry.dashboard });
        return;
      }
      case "deleteDashboards":
        for (const name of entry.names) this.dashboardsByAccount.get(entry.account)?.delete(name);
        return;
    }
  }

  toSnapshot(): CloudWatchSnapshot {
    return {
      version: 1,
      alarms: this.allAlarms(),
      series: this.metrics.scopes().flatMap((scope) =>
        this.metrics.all(scope).map((s) => ({
          scope,
          namespace: s.namespace,
          name: s.name,
          dimensions: s.dimensions,
          points: s.points,
        })),
      ),
      history: this.history.toSnapshot(),
      dashboards: [...this.dashboardsByAccount.values()].flatMap((m) => [...m.values()]),
    };
  }

  restore(snapshot: CloudWatchSnapshot): void {
    for (const alarm of snapshot.alarms) this.apply({ t: "alarm", alarm });
    for (const s of snapshot.series) {
      for (const point of s.points) this.metrics.add(s.scope, s.namespace, s.name, s.dimensions, point);
    }
    for (const { scope, items } of snapshot.history ?? [])
      for (const item of items) this.history.add(scope, item);
    for (const dashboard of snapshot.dashboards ?? []) this.apply({ t: "dashboard", dashboard });
  }
}
