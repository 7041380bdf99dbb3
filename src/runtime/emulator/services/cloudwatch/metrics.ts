import type { Dimension } from "./input.js";
import { MAX_POINTS_PER_SERIES, METRIC_RETENTION_MS, type Statistic } from "./limits.js";

/** One PutMetricData datum, reduced to what statistics need. */
export interface MetricPoint {
  /** Epoch ms. */
  t: number;
  unit: string;
  count: number;
  sum: number;
  min: number;
  max: number;
  /** Raw values as [value, count] pairs, kept for percentiles (absent for statistic sets). */
  values?: [number, number][];
}

export interface MetricSeries {
  namespace: string;
  name: string;
  /** Sorted by name. */
  dimensions: Dimension[];
  /** Sorted by time. */
  points: MetricPoint[];
}

export function seriesKey(namespace: string, name: string, dimensions: Dimension[]): string {
  return JSON.stringify([namespace, name, dimensions.map((d) => [d.Name, d.Value])]);
}

/** Statistics of one period: what GetMetricStatistics returns and alarms compare. */
export interface Aggregate {
  count: number;
  sum: number;
  min: number;
  max: number;
  values: [number, number][];
  unit: string;
}

/** Metric series per account and region, bounded by age and by a per-series point cap. */
export class MetricStore {
  private readonly series = new Map<string, Map<string, MetricSeries>>();

  add(scope: string, namespace: string, name: string, dimensions: Dimension[], point: MetricPoint): void {
    let scoped = this.series.get(scope);
    if (!scoped) this.series.set(scope, (scoped = new Map()));
    const key = seriesKey(namespace, name, dimensions);
    let series = scoped.get(key);
    if (!series) scoped.set(key, (series = { namespace, name, dimensions, points: [] }));
    const points = series.points;
    if (points.length === 0 || points[points.length - 1]!.t <= point.t) points.push(point);
    else points.splice(upperBound(points, point.t), 0, point);
    if (points.length > MAX_POINTS_PER_SERIES) points.splice(0, points.length - MAX_POINTS_PER_SERIES);
  }

  get(scope: string, namespace: string, name: string, dimensions: Dimension[]): MetricSeries | undefined {
    return this.series.get(scope)?.get(seriesKey(namespace, name, dimensions));
  }

  all(scope: string): MetricSeries[] {
    return [...(this.series.get(scope)?.values() ?? [])];
  }

  scopes(): string[] {
    return [...this.series.keys()];
  }

  /** Drops points past CloudWatch's retention. */
  expire(now: number): void {
    const cutoff = now - METRIC_RETENTION_MS;
    for (const scoped of this.series.values()) {
      for (const series of scoped.values()) {
        const drop = upperBound(series.points, cutoff - 1);
        if (drop > 0) series.points.splice(0, drop);
      }
    }
  }

  /**
   * Aggregates the series into periods aligned to multiples of `periodMs` since the epoch, for
   * periods starting in [start, end). Only periods with data are returned, oldest first.
   */
  buckets(
    series: MetricSeries,
    start: number,
    end: number,
    periodMs: number,
    unit?: string,
  ): { start: number; aggregate: Aggregate }[] {
    const alignedStart = Math.floor(start / periodMs) * periodMs;
    const out = new Map<number, Aggregate>();
    for (let i = lowerBound(series.points, alignedStart); i < series.points.length; i++) {
      const p = series.points[i]!;
      if (p.t >= end) break;
      if (unit !== undefined && p.unit !== unit) continue;
      const bucket = Math.floor(p.t / periodMs) * periodMs;
      if (bucket >= end) break;
      const agg = out.get(bucket);
      if (!agg) {
        out.set(bucket, {
          count: p.count,
          sum: p.sum,
          min: p.min,
          max: p.max,
          values: p.values ? [...p.values] : [],
          unit: p.unit,
        });
      } else {
        agg.count += p.count;
        agg.sum += p.sum;
        agg.min = Math.min(agg.min, p.min);
        agg.max = Math.max(agg.max, p.max);
        if (p.values) agg.values.push(...p.values);
      }
    }
    return [...out.entries()].sort((a, b) => a[0] - b[0]).map(([s, aggregate]) => ({ start: s, aggregate }));
  }
}

export function statistic(agg: Aggregate, stat: Statistic): number {
  switch (stat) {
    case "SampleCount":
      return agg.count;
    case "Sum":
      return agg.sum;
    case "Minimum":
      return agg.min;
    case "Maximum":
      return agg.max;
    case "Average":
      return agg.count === 0 ? 0 : agg.sum / agg.count;
  }
}

/** `p90`, `p99.9`: nearest-rank percentile over raw values; undefined for statistic sets only. */
export function percentile(agg: Aggregate, extended: string): number | undefined {
  const p = Number(extended.slice(1));
  const total = agg.values.reduce((n, [, c]) => n + c, 0);
  if (total === 0) return undefined;
  const sorted = [...agg.values].sort((a, b) => a[0] - b[0]);
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (const [value, count] of sorted) {
    seen += count;
    if (seen >= rank) return value;
  }
  return sorted[sorted.length - 1]![0];
}

export const PERCENTILE_PATTERN = /^p(\d{1,2}(\.\d{1,2})?|100)$/;

function lowerBound(points: MetricPoint[], t: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid]!.t < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(points: MetricPoint[], t: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid]!.t <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
