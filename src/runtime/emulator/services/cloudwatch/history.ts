import { cloudwatchErrors } from "./errors.js";
import * as input from "./input.js";

/**
 * Alarm history (DescribeAlarmHistory): configuration changes, state changes and the actions they
 * ran, kept 30 days as CloudWatch keeps them, also for alarms that were deleted since.
 */
export type HistoryItemType = "ConfigurationUpdate" | "StateUpdate" | "Action";

export interface AlarmHistoryItem {
  alarmName: string;
  alarmType: "MetricAlarm";
  timestamp: number;
  type: HistoryItemType;
  summary: string;
  /** JSON text, as CloudWatch returns HistoryData. */
  data: string;
}

export const HISTORY_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;
const MAX_ITEMS_PER_SCOPE = 10_000;
const ITEM_TYPES = [
  "ConfigurationUpdate",
  "StateUpdate",
  "Action",
  "AlarmContributorStateUpdate",
  "AlarmContributorAction",
];
const SCAN_BY = ["TimestampDescending", "TimestampAscending"];
const ALARM_TYPES = ["CompositeAlarm", "MetricAlarm"];

export class AlarmHistory {
  private readonly byScope = new Map<string, AlarmHistoryItem[]>();

  add(scope: string, item: AlarmHistoryItem): void {
    let items = this.byScope.get(scope);
    if (!items) this.byScope.set(scope, (items = []));
    items.push({ ...item });
    const oldest = item.timestamp - HISTORY_RETENTION_MS;
    const keepFrom = items.findIndex((i) => i.timestamp >= oldest);
    if (keepFrom > 0) items.splice(0, keepFrom);
    if (items.length > MAX_ITEMS_PER_SCOPE) items.splice(0, items.length - MAX_ITEMS_PER_SCOPE);
  }

  items(scope: string): AlarmHistoryItem[] {
    return this.byScope.get(scope) ?? [];
  }

  toSnapshot(): { scope: string; items: AlarmHistoryItem[] }[] {
    return [...this.byScope].map(([scope, items]) => ({ scope, items }));
  }
}

function encodeToken(offset: number): string {
  return Buffer.from(`history:${offset}`).toString("base64url");
}

function decodeToken(token: string | undefined): number {
  if (token === undefined) return 0;
  const match = /^history:(\d+)$/.exec(Buffer.from(token, "base64url").toString("utf8"));
  if (!match) throw cloudwatchErrors.invalidToken();
  return Number(match[1]);
}

/** DescribeAlarmHistory over one scope's items, newest first unless ScanBy says otherwise. */
export function describeAlarmHistory(
  history: AlarmHistory,
  scope: string,
  req: Record<string, unknown>,
  now: number,
) {
  const name = input.str(req, "AlarmName");
  const type = input.str(req, "HistoryItemType");
  if (type !== undefined && !ITEM_TYPES.includes(type)) {
    throw cloudwatchErrors.validation(
      "historyItemType",
      type,
      `Member must satisfy enum value set: [${ITEM_TYPES.join(", ")}]`,
    );
  }
  const scanBy = input.str(req, "ScanBy") ?? "TimestampDescending";
  if (!SCAN_BY.includes(scanBy)) {
    throw cloudwatchErrors.validation(
      "scanBy",
      scanBy,
      `Member must satisfy enum value set: [${SCAN_BY.join(", ")}]`,
    );
  }
  const alarmTypes = input.stringList(req, "AlarmTypes");
  for (const t of alarmTypes ?? []) {
    if (!ALARM_TYPES.includes(t)) {
      throw cloudwatchErrors.validation(
        "alarmTypes",
        t,
        `Member must satisfy enum value set: [${ALARM_TYPES.join(", ")}]`,
      );
    }
  }
  const max = input.int(req, "MaxRecords") ?? 100;
  if (max < 1 || max > 100) {
    throw cloudwatchErrors.validation("maxRecords", max, "Member must have value between 1 and 100");
  }
  const start = input.time(req, "StartDate");
  const end = input.time(req, "EndDate");
  const oldest = now - HISTORY_RETENTION_MS;
  const matching = history
    .items(scope)
    .filter(
      (i) =>
        i.timestamp >= oldest &&
        (name === undefined || i.alarmName === name) &&
        (type === undefined || i.type === type) &&
        (alarmTypes === undefined || alarmTypes.length === 0 || alarmTypes.includes(i.alarmType)) &&
        (start === undefined || i.timestamp >= start) &&
        (end === undefined || i.timestamp <= end),
    );
  const ordered = scanBy === "TimestampAscending" ? matching : [...matching].reverse();
  const offset = decodeToken(input.str(req, "NextToken"));
  const page = ordered.slice(offset, offset + max);
  return {
    AlarmHistoryItems: page.map((i) => ({
      AlarmName: i.alarmName,
      AlarmType: i.alarmType,
      Timestamp: new Date(i.timestamp),
      HistoryItemType: i.type,
      HistorySummary: i.summary,
      HistoryData: i.data,
    })),
    ...(offset + max < ordered.length ? { NextToken: encodeToken(offset + max) } : {}),
  };
}
