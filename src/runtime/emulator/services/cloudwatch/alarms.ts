import type { Dimension } from "./input.js";
import type { AlarmState, Statistic } from "./limits.js";
import { evaluateAt, parseExpression } from "./metric-math.js";
import { percentile, statistic, type MetricStore } from "./metrics.js";

export interface AlarmRecord {
  scope: string;
  name: string;
  description?: string;
  actionsEnabled: boolean;
  okActions: string[];
  alarmActions: string[];
  insufficientDataActions: string[];
  metricName?: string;
  namespace?: string;
  statistic?: Statistic;
  extendedStatistic?: string;
  dimensions: Dimension[];
  period?: number;
  unit?: string;
  evaluationPeriods: number;
  datapointsToAlarm?: number;
  threshold?: number;
  comparisonOperator: string;
  treatMissingData?: string;
  evaluateLowSampleCountPercentile?: string;
  /** Metric math queries as given (stored and returned; a single MetricStat is evaluated). */
  metrics?: Record<string, unknown>[];
  thresholdMetricId?: string;
  tags: { Key: string; Value: string }[];
  configurationUpdated: number;
  state: AlarmState;
  stateReason: string;
  stateReasonData?: string;
  stateUpdated: number;
  stateTransitioned: number;
}

export interface Evaluation {
  state: AlarmState;
  reason: string;
  reasonData: string;
}

/** The metric an alarm watches: its own fields, or the one MetricStat query that returns data. */
interface Target {
  namespace: string;
  metricName: string;
  dimensions: Dimension[];
  period: number;
  stat: string;
  unit?: string;
}

function target(alarm: AlarmRecord): Target | undefined {
  if (alarm.metricName && alarm.namespace && alarm.period) {
    return {
      namespace: alarm.namespace,
      metricName: alarm.metricName,
      dimensions: alarm.dimensions,
      period: alarm.period,
      stat: alarm.statistic ?? alarm.extendedStatistic ?? "Average",
      unit: alarm.unit,
    };
  }
  const returned = (alarm.metrics ?? []).filter(
    (q) => q["ReturnData"] !== false && q["ReturnData"] !== "false",
  );
  if (returned.length !== 1) return undefined;
  const stat = returned[0]!["MetricStat"] as Record<string, unknown> | undefined;
  const metric = stat?.["Metric"] as Record<string, unknown> | undefined;
  if (!stat || !metric) return undefined;
  const dims = ((metric["Dimensions"] as Dimension[] | undefined) ?? [])
    .map((d) => ({ Name: d.Name, Value: d.Value }))
    .sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
  return {
    namespace: String(metric["Namespace"] ?? ""),
    metricName: String(metric["MetricName"] ?? ""),
    dimensions: dims,
    period: Number(stat["Period"]),
    stat: String(stat["Stat"]),
    unit: typeof stat["Unit"] === "string" ? stat["Unit"] : undefined,
  };
}

const OPERATOR_TEXT: Record<string, string> = {
  GreaterThanOrEqualToThreshold: "greater than or equal to",
  GreaterThanThreshold: "greater than",
  LessThanThreshold: "less than",
  LessThanOrEqualToThreshold: "less than or equal to",
};

function breaches(value: number, operator: string, threshold: number): boolean {
  switch (operator) {
    case "GreaterThanOrEqualToThreshold":
      return value >= threshold;
    case "GreaterThanThreshold":
      return value > threshold;
    case "LessThanThreshold":
      return value < threshold;
    case "LessThanOrEqualToThreshold":
      return value <= threshold;
    default:
      return false;
  }
}

/** Values per evaluated period, oldest first, with how they were computed. */
interface AlarmSeries {
  period: number;
  /** Statistic of a single-metric alarm; undefined for metric math. */
  stat?: string;
  unit?: string;
  datapoints: { at: number; value?: number; count?: number }[];
}

function metricValues(
  alarm: AlarmRecord,
  metrics: MetricStore,
  t: Target,
  start: number,
  end: number,
  periodMs: number,
): Map<number, { value?: number; count?: number }> {
  const series = metrics.get(alarm.scope, t.namespace, t.metricName, t.dimensions);
  const out = new Map<number, { value?: number; count?: number }>();
  for (const b of series ? metrics.buckets(series, start, end, periodMs, t.unit) : []) {
    const value = t.stat.startsWith("p")
      ? percentile(b.aggregate, t.stat)
      : statistic(b.aggregate, t.stat as Statistic);
    out.set(b.start, { value, count: b.aggregate.count });
  }
  return out;
}

function statOf(query: Record<string, unknown>): Target | undefined {
  const stat = query["MetricStat"] as Record<string, unknown> | undefined;
  const metric = stat?.["Metric"] as Record<string, unknown> | undefined;
  if (!stat || !metric) return undefined;
  return {
    namespace: String(metric["Namespace"] ?? ""),
    metricName: String(metric["MetricName"] ?? ""),
    dimensions: ((metric["Dimensions"] as Dimension[] | undefined) ?? [])
      .map((d) => ({ Name: d.Name, Value: d.Value }))
      .sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0)),
    period: Number(stat["Period"]),
    stat: String(stat["Stat"]),
    unit: typeof stat["Unit"] === "string" ? stat["Unit"] : undefined,
  };
}

/**
 * The alarm's datapoints over its evaluation range: the last `EvaluationPeriods` complete periods
 * (aligned to the epoch). A single metric (its own fields, or one returned MetricStat query), or
 * one returned metric math expression over the alarm's MetricStat queries (metric-math.ts).
 */
function alarmSeries(alarm: AlarmRecord, metrics: MetricStore, now: number): AlarmSeries | undefined {
  const n = alarm.evaluationPeriods;
  const window = (period: number) => {
    const periodMs = period * 1000;
    const end = Math.floor(now / periodMs) * periodMs;
    return { periodMs, end, start: end - n * periodMs };
  };
  const t = target(alarm);
  if (t) {
    if (!Number.isFinite(t.period) || t.period <= 0) return undefined;
    const { periodMs, start, end } = window(t.period);
    const values = metricValues(alarm, metrics, t, start, end, periodMs);
    const datapoints = Array.from({ length: n }, (_, k) => ({
      at: start + k * periodMs,
      ...values.get(start + k * periodMs),
    }));
    return { period: t.period, stat: t.stat, unit: t.unit, datapoints };
  }
  const queries = alarm.metrics ?? [];
  const returned = queries.filter((q) => q["ReturnData"] !== false && q["ReturnData"] !== "false");
  const expression = returned.length === 1 ? returned[0]!["Expression"] : undefined;
  if (typeof expression !== "string") return undefined;
  const stats = queries
    .map((q) => ({ id: String(q["Id"]), target: statOf(q) }))
    .filter((q): q is { id: string; target: Target } => q.target !== undefined);
  const period = Number(returned[0]!["Period"] ?? stats[0]?.target.period);
  if (!Number.isFinite(period) || period <= 0) return undefined;
  const { periodMs, start, end } = window(period);
  const perMetric = stats.map((q) => ({
    id: q.id,
    values: metricValues(alarm, metrics, q.target, start, end, periodMs),
  }));
  let node;
  try {
    node = parseExpression(expression);
  } catch {
    return undefined;
  }
  const datapoints: AlarmSeries["datapoints"] = [];
  for (let k = 0; k < n; k++) {
    const at = start + k * periodMs;
    const values = new Map(perMetric.map((m) => [m.id, m.values.get(at)?.value]));
    let value: number | undefined;
    try {
      const v = evaluateAt(
        node,
        values,
        stats.map((q) => q.id),
      );
      value = Array.isArray(v) ? undefined : v;
    } catch {
      return undefined;
    }
    datapoints.push({ at, ...(value !== undefined ? { value } : {}) });
  }
  return { period, datapoints };
}

/**
 * Evaluates an alarm the way CloudWatch does once a minute, kept simple: the alarm goes to ALARM
 * when at least `DatapointsToAlarm` of its evaluated periods breach, else OK. Missing periods
 * follow TreatMissingData: `breaching`/`notBreaching` count them as such; with `missing`
 * (default) and `ignore` they do not count, and when every period is missing `missing` gives
 * INSUFFICIENT_DATA while `ignore` keeps the current state. Returns undefined when the state
 * cannot be evaluated (an expression the emulator does not evaluate) or stays as it is.
 */
export function evaluateAlarm(alarm: AlarmRecord, metrics: MetricStore, now: number): Evaluation | undefined {
  const series = alarmSeries(alarm, metrics, now);
  if (!series || alarm.threshold === undefined) return undefined;
  const n = alarm.evaluationPeriods;
  const m = alarm.datapointsToAlarm ?? n;
  const datapoints = series.datapoints;
  const t = series;
  const present = datapoints.filter((d) => d.value !== undefined);
  const treat = alarm.treatMissingData ?? "missing";
  const missing = n - present.length;
  if (present.length === 0) {
    if (treat === "ignore") return undefined;
    if (treat === "missing") {
      return result(
        alarm,
        "INSUFFICIENT_DATA",
        `Insufficient Data: ${n} datapoint${n === 1 ? " was" : "s were"} unknown.`,
        datapoints,
        t,
        now,
      );
    }
  }
  const breaching =
    present.filter((d) => breaches(d.value!, alarm.comparisonOperator, alarm.threshold!)).length +
    (treat === "breaching" ? missing : 0);
  const values = present.map((d) => `${formatNumber(d.value!)} (${formatTime(d.at)})`).join(", ");
  const op = OPERATOR_TEXT[alarm.comparisonOperator] ?? alarm.comparisonOperator;
  if (breaching >= m) {
    return result(
      alarm,
      "ALARM",
      `Threshold Crossed: ${breaching} out of the last ${n} datapoints [${values}] ${breaching === 1 ? "was" : "were"} ${op} the threshold (${formatNumber(alarm.threshold)}) (minimum ${m} datapoint${m === 1 ? "" : "s"} for OK -> ALARM transition).`,
      datapoints,
      t,
      now,
    );
  }
  return result(
    alarm,
    "OK",
    `Threshold Crossed: ${present.length} datapoint${present.length === 1 ? "" : "s"} [${values}] ${present.length === 1 ? "was" : "were"} not ${op} the threshold (${formatNumber(alarm.threshold)}).`,
    datapoints,
    t,
    now,
  );
}

function result(
  alarm: AlarmRecord,
  state: AlarmState,
  reason: string,
  datapoints: { at: number; value?: number; count?: number }[],
  t: AlarmSeries,
  now: number,
): Evaluation {
  const present = datapoints.filter((d) => d.value !== undefined);
  return {
    state,
    reason,
    reasonData: JSON.stringify({
      version: "1.0",
      queryDate: new Date(now).toISOString().replace("Z", "+0000"),
      startDate: new Date(datapoints[0]?.at ?? now).toISOString().replace("Z", "+0000"),
      ...(t.stat === undefined
        ? {}
        : t.stat.startsWith("p")
          ? { extendedStatistic: t.stat }
          : { statistic: t.stat }),
      ...(t.unit ? { unit: t.unit } : {}),
      period: t.period,
      recentDatapoints: present.map((d) => d.value),
      threshold: alarm.threshold,
      evaluatedDatapoints: [...present].reverse().map((d) => ({
        timestamp: new Date(d.at).toISOString().replace("Z", "+0000"),
        sampleCount: d.count,
        value: d.value,
      })),
    }),
  };
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? n.toFixed(1) : String(n);
}

/** CloudWatch's reason text format: dd/MM/yy HH:mm:ss (UTC). */
function formatTime(ms: number): string {
  const d = new Date(ms);
  const pad = (v: number) => String(v).padStart(2, "0");
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCFullYear() % 100)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}
