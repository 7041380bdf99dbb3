import type { GetMetricDataInput, GetMetricDataOutput, MetricDataResult } from "@aws-sdk/client-cloudwatch";
import type { RequestContext } from "../../core/request.js";
import { cloudwatchErrors } from "./errors.js";
import * as input from "./input.js";
import * as limits from "./limits.js";
import { arithmetic, MetricMathError, parseExpression, type Node } from "./metric-math.js";
import { PERCENTILE_PATTERN, percentile, statistic, type MetricStore } from "./metrics.js";
import { scopeOf } from "./store.js";

/**
 * GetMetricData: MetricStat queries and metric math expressions over whole time series, as the
 * CloudWatch User Guide's metric math syntax describes them:
 *
 * - Arithmetic (`+ - * / ^`, unary minus) between series pairs values of the same timestamp; with
 *   a scalar it applies to every value. A division by zero drops that datapoint and adds an
 *   `ArithmeticError` message to the result.
 * - SUM / AVG / MIN / MAX of one series is a scalar (over all its datapoints); of an array of
 *   series (`[m1, m2]`, `METRICS()`, or several arguments) a series, timestamp by timestamp over
 *   the values present. ABS, CEIL, FLOOR apply to each value.
 * - METRICS() is every MetricStat query's series; METRICS("x") those whose Id or label contains x.
 * - FILL(x, value | REPEAT | LINEAR) fills every period of the query window without a datapoint.
 * - A scalar result is returned at every period of the window.
 *
 * Results come in query order, newest first unless ScanBy is TimestampAscending; MaxDatapoints
 * bounds the datapoints of one answer and NextToken continues (StatusCode PartialData until a
 * result is complete).
 */

type Input = Record<string, unknown>;

interface Series {
  label: string;
  /** Period in seconds. */
  period: number;
  points: Map<number, number>;
}

type Value =
  | { kind: "scalar"; value: number | undefined }
  | { kind: "series"; series: Series }
  | { kind: "array"; items: Series[] };

interface Query {
  id: string;
  member: string;
  label?: string;
  returnData: boolean;
  period?: number;
  metricStat?: {
    namespace: string;
    metricName: string;
    dimensions: input.Dimension[];
    period: number;
    stat: string;
    unit?: string;
  };
  expression?: { text: string; node: Node };
}

const ID_PATTERN = /^[a-z][a-zA-Z0-9_]*$/;
const MAX_QUERIES = 500;
const MAX_DATAPOINTS = 100_800;
const MAX_EXPRESSION_LENGTH = 2048;
const ARITHMETIC_MESSAGE =
  "One or more data-points have been dropped due to non-numeric values (NaN, -Infinite, +Infinite)";

function readQueries(i: Input): Query[] {
  const raw = input.list(i, "MetricDataQueries");
  if (!raw || raw.length === 0) throw cloudwatchErrors.missing("MetricDataQueries");
  if (raw.length > MAX_QUERIES) {
    throw cloudwatchErrors.validationMessage(
      `The collection MetricDataQueries must not have a size greater than ${MAX_QUERIES}.`,
    );
  }
  const seen = new Set<string>();
  return raw.map((entry, n) => {
    const member = `MetricDataQueries.member.${n + 1}`;
    const q = input.struct(entry, member);
    const id = input.str(q, "Id");
    if (!id) throw cloudwatchErrors.missing(`${member}.Id`);
    if (!ID_PATTERN.test(id) || id.length > 255) {
      throw cloudwatchErrors.validationMessage(
        `The value ${id} for parameter ${member}.Id is invalid: an Id starts with a lowercase letter and has only letters, numbers and underscores.`,
      );
    }
    if (seen.has(id)) {
      throw cloudwatchErrors.validationMessage(`The value ${id} for parameter ${member}.Id is duplicated.`);
    }
    seen.add(id);
    const hasStat = q["MetricStat"] !== undefined;
    const text = input.str(q, "Expression");
    if (hasStat === (text !== undefined)) {
      throw cloudwatchErrors.validationMessage(
        `Exactly one of ${member}.MetricStat and ${member}.Expression must be specified.`,
      );
    }
    const label = input.str(q, "Label");
    const period = input.int(q, "Period");
    const query: Query = {
      id,
      member,
      ...(label !== undefined ? { label } : {}),
      returnData: input.bool(q, "ReturnData") ?? true,
      ...(period !== undefined ? { period: validPeriod(period, `${member}.Period`) } : {}),
    };
    if (hasStat) {
      const s = input.struct(q["MetricStat"], `${member}.MetricStat`);
      const m = input.struct(s["Metric"], `${member}.MetricStat.Metric`);
      const statPeriod = input.int(s, "Period");
      if (statPeriod === undefined) throw cloudwatchErrors.missing(`${member}.MetricStat.Period`);
      const stat = input.str(s, "Stat");
      if (!stat) throw cloudwatchErrors.missing(`${member}.MetricStat.Stat`);
      if (!(limits.STATISTICS as readonly string[]).includes(stat) && !PERCENTILE_PATTERN.test(stat)) {
        throw cloudwatchErrors.validationMessage(
          `The value for parameter ${member}.MetricStat.Stat is not a valid statistic.`,
        );
      }
      const unit = input.str(s, "Unit");
      if (unit !== undefined && !limits.UNITS.includes(unit)) {
        throw cloudwatchErrors.invalidValue(
          `The value ${unit} for parameter ${member}.MetricStat.Unit is invalid.`,
        );
      }
      const namespace = input.str(m, "Namespace");
      const metricName = input.str(m, "MetricName");
      if (!namespace) throw cloudwatchErrors.missing(`${member}.MetricStat.Metric.Namespace`);
      if (!metricName) throw cloudwatchErrors.missing(`${member}.MetricStat.Metric.MetricName`);
      query.metricStat = {
        namespace,
        metricName,
        dimensions: input.dimensions(m, "Dimensions"),
        period: validPeriod(statPeriod, `${member}.MetricStat.Period`),
        stat,
        ...(unit !== undefined ? { unit } : {}),
      };
    } else {
      if (text!.length === 0 || text!.length > MAX_EXPRESSION_LENGTH) {
        throw cloudwatchErrors.validationMessage(
          `The value for parameter ${member}.Expression must have length between 1 and ${MAX_EXPRESSION_LENGTH}.`,
        );
      }
      try {
        query.expression = { text: text!, node: parseExpression(text!) };
      } catch (error) {
        throw expressionError(id, error);
      }
    }
    return query;
  });
}

function validPeriod(period: number, member: string): number {
  if (period < 1 || !([1, 5, 10, 20, 30].includes(period) || period % 60 === 0)) {
    throw cloudwatchErrors.validationMessage(
      `The parameter ${member} must be 1, 5, 10, 20, 30 or a multiple of 60 (got ${period}).`,
    );
  }
  return period;
}

function expressionError(id: string, error: unknown) {
  const detail = error instanceof Error ? error.message : String(error);
  return cloudwatchErrors.validationMessage(`Error in expression ${id}: ${detail}`);
}

class Evaluation {
  private readonly values = new Map<string, Value>();
  private readonly evaluating = new Set<string>();
  /** Ids whose result dropped datapoints (division by zero). */
  readonly arithmeticErrors = new Set<string>();
  private current = "";

  constructor(
    private readonly queries: Map<string, Query>,
    private readonly metrics: MetricStore,
    private readonly scope: string,
    private readonly start: number,
    private readonly end: number,
  ) {}

  value(id: string): Value {
    const known = this.values.get(id);
    if (known) return known;
    const query = this.queries.get(id);
    if (!query) throw new MetricMathError(`Unrecognized metric id ${id}`);
    if (this.evaluating.has(id)) throw new MetricMathError(`Circular dependency on ${id}`);
    this.evaluating.add(id);
    const previous = this.current;
    this.current = query.expression ? id : previous;
    let value: Value;
    if (query.metricStat) value = { kind: "series", series: this.metricSeries(query) };
    else {
      try {
        value = this.evaluate(query.expression!.node, query);
      } catch (error) {
        throw expressionError(id, error);
      }
    }
    this.current = previous;
    this.evaluating.delete(id);
    this.values.set(id, value);
    return value;
  }

  private metricSeries(query: Query): Series {
    const s = query.metricStat!;
    const periodMs = s.period * 1000;
    const found = this.metrics.get(this.scope, s.namespace, s.metricName, s.dimensions);
    const points = new Map<number, number>();
    for (const b of found ? this.metrics.buckets(found, this.start, this.end, periodMs, s.unit) : []) {
      const v = PERCENTILE_PATTERN.test(s.stat)
        ? percentile(b.aggregate, s.stat)
        : statistic(b.aggregate, s.stat as limits.Statistic);
      if (v !== undefined && Number.isFinite(v)) points.set(b.start, v);
    }
    return { label: query.label ?? s.metricName, period: s.period, points };
  }

  /** The period an expression's own result uses: its Period, else its metrics' smallest period. */
  periodOf(query: Query): number {
    if (query.period) return query.period;
    const periods = [...this.queries.values()].flatMap((q) => (q.metricStat ? [q.metricStat.period] : []));
    return periods.length > 0 ? Math.min(...periods) : 60;
  }

  /** Every period start of the query window at `period` seconds. */
  grid(period: number): number[] {
    const periodMs = period * 1000;
    const out: number[] = [];
    for (
      let t = Math.floor(this.start / periodMs) * periodMs;
      t < this.end && out.length < MAX_DATAPOINTS;
      t += periodMs
    ) {
      out.push(t);
    }
    return out;
  }

  private evaluate(node: Node, query: Query): Value {
    switch (node.kind) {
      case "number":
        return { kind: "scalar", value: node.value };
      case "string":
        throw new MetricMathError(`A string ("${node.value}") can only be an argument of METRICS()`);
      case "id":
        if (node.id === "REPEAT" || node.id === "LINEAR") {
          throw new MetricMathError(`${node.id} can only be the second argument of FILL()`);
        }
        return this.value(node.id);
      case "list":
        return { kind: "array", items: node.items.flatMap((item) => seriesList(this.evaluate(item, query))) };
      case "unary":
        return this.map(this.evaluate(node.operand, query), (v) => -v);
      case "binary":
        return this.binary(node.op, this.evaluate(node.left, query), this.evaluate(node.right, query));
      case "call":
        return this.call(node, query);
    }
  }

  private map(value: Value, f: (v: number) => number): Value {
    if (value.kind === "scalar")
      return { kind: "scalar", value: value.value === undefined ? undefined : f(value.value) };
    const apply = (s: Series): Series => ({
      ...s,
      points: new Map([...s.points].map(([t, v]) => [t, f(v)])),
    });
    return value.kind === "series"
      ? { kind: "series", series: apply(value.series) }
      : { kind: "array", items: value.items.map(apply) };
  }

  private binary(op: "+" | "-" | "*" | "/" | "^", a: Value, b: Value): Value {
    const combine = (x: number | undefined, y: number | undefined): number | undefined => {
      if (x === undefined || y === undefined) return undefined;
      const r = arithmetic(op, x, y);
      if (r === undefined || !Number.isFinite(r)) {
        this.arithmeticErrors.add(this.current);
        return undefined;
      }
      return r;
    };
    if (a.kind === "scalar" && b.kind === "scalar")
      return { kind: "scalar", value: combine(a.value, b.value) };
    if (a.kind === "array" || b.kind === "array") {
      const left = a.kind === "array" ? a.items : undefined;
      const right = b.kind === "array" ? b.items : undefined;
      const count = Math.max(left?.length ?? 0, right?.length ?? 0);
      const items: Series[] = [];
      for (let n = 0; n < count; n++) {
        const x: Value = left ? { kind: "series", series: left[n]! } : a;
        const y: Value = right ? { kind: "series", series: right[n]! } : b;
        if (left && !left[n]) continue;
        if (right && !right[n]) continue;
        const r = this.binary(op, x, y);
        if (r.kind === "series") items.push(r.series);
      }
      return { kind: "array", items };
    }
    const base = a.kind === "series" ? a.series : (b as { series: Series }).series;
    const points = new Map<number, number>();
    if (a.kind === "series" && b.kind === "series") {
      for (const [t, x] of a.series.points) {
        if (!b.series.points.has(t)) continue;
        const r = combine(x, b.series.points.get(t));
        if (r !== undefined) points.set(t, r);
      }
    } else if (a.kind === "series") {
      for (const [t, x] of a.series.points) {
        const r = combine(x, (b as { value: number | undefined }).value);
        if (r !== undefined) points.set(t, r);
      }
    } else {
      for (const [t, y] of (b as { series: Series }).series.points) {
        const r = combine((a as { value: number | undefined }).value, y);
        if (r !== undefined) points.set(t, r);
      }
    }
    return { kind: "series", series: { label: base.label, period: base.period, points } };
  }

  private call(node: Extract<Node, { kind: "call" }>, query: Query): Value {
    const name = node.name;
    if (name === "METRICS") {
      const filter = node.args[0];
      if (node.args.length > 1 || (filter && filter.kind !== "string")) {
        throw new MetricMathError('METRICS() takes no argument or one string, as in METRICS("errors")');
      }
      const items: Series[] = [];
      for (const q of this.queries.values()) {
        if (!q.metricStat) continue;
        const s = (this.value(q.id) as { series: Series }).series;
        if (filter && !q.id.includes(filter.value) && !s.label.includes(filter.value)) continue;
        items.push(s);
      }
      return { kind: "array", items };
    }
    if (name === "FILL") return this.fill(node, query);
    const args = node.args.map((arg) => this.evaluate(arg, query));
    switch (name) {
      case "SUM":
      case "AVG":
      case "MIN":
      case "MAX": {
        if (args.length === 0) throw new MetricMathError(`${name}() needs an argument`);
        if (args.length === 1 && args[0]!.kind === "series") {
          return { kind: "scalar", value: reduce(name, [...args[0]!.series.points.values()]) };
        }
        if (args.length === 1 && args[0]!.kind === "scalar") return args[0]!;
        const items = args.flatMap(seriesList);
        const times = new Set(items.flatMap((s) => [...s.points.keys()]));
        const points = new Map<number, number>();
        for (const t of [...times].sort((x, y) => x - y)) {
          const v = reduce(
            name,
            items.flatMap((s) => (s.points.has(t) ? [s.points.get(t)!] : [])),
          );
          if (v !== undefined) points.set(t, v);
        }
        const period = items[0]?.period ?? this.periodOf(query);
        return { kind: "series", series: { label: query.label ?? query.id, period, points } };
      }
      case "ABS":
      case "CEIL":
      case "FLOOR": {
        if (args.length !== 1) throw new MetricMathError(`${name}() takes one argument`);
        const f = name === "ABS" ? Math.abs : name === "CEIL" ? Math.ceil : Math.floor;
        return this.map(args[0]!, f);
      }
      default:
        throw new MetricMathError(
          `Unsupported function ${name} (the emulator evaluates METRICS, SUM, AVG, MIN, MAX, FILL, ABS, CEIL, FLOOR and arithmetic)`,
        );
    }
  }

  private fill(node: Extract<Node, { kind: "call" }>, query: Query): Value {
    if (node.args.length !== 2)
      throw new MetricMathError("FILL() takes two arguments: FILL(m, value | REPEAT | LINEAR)");
    const target = this.evaluate(node.args[0]!, query);
    const how = node.args[1]!;
    const fillOne = (s: Series): Series => {
      const grid = this.grid(s.period);
      const points = new Map<number, number>();
      if (how.kind === "id" && (how.id === "REPEAT" || how.id === "LINEAR")) {
        const known = grid.filter((t) => s.points.has(t));
        for (const t of grid) {
          if (s.points.has(t)) {
            points.set(t, s.points.get(t)!);
            continue;
          }
          const before = [...known].reverse().find((k) => k < t);
          const after = known.find((k) => k > t);
          if (how.id === "REPEAT") {
            const source = before ?? after;
            if (source !== undefined) points.set(t, s.points.get(source)!);
          } else if (before !== undefined && after !== undefined) {
            const a = s.points.get(before)!;
            const b = s.points.get(after)!;
            points.set(t, a + ((b - a) * (t - before)) / (after - before));
          }
        }
        return { ...s, points };
      }
      const filler = this.evaluate(how, query);
      for (const t of grid) {
        if (s.points.has(t)) points.set(t, s.points.get(t)!);
        else if (filler.kind === "scalar" && filler.value !== undefined) points.set(t, filler.value);
        else if (filler.kind === "series" && filler.series.points.has(t))
          points.set(t, filler.series.points.get(t)!);
      }
      return { ...s, points };
    };
    if (target.kind === "series") return { kind: "series", series: fillOne(target.series) };
    if (target.kind === "array") return { kind: "array", items: target.items.map(fillOne) };
    throw new MetricMathError("FILL() fills a time series, not a number");
  }
}

function seriesList(value: Value): Series[] {
  if (value.kind === "series") return [value.series];
  if (value.kind === "array") return value.items;
  throw new MetricMathError("A number cannot be part of an array of time series");
}

function reduce(name: string, values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  if (name === "SUM") return values.reduce((a, b) => a + b, 0);
  if (name === "AVG") return values.reduce((a, b) => a + b, 0) / values.length;
  if (name === "MIN") return Math.min(...values);
  return Math.max(...values);
}

interface FullResult {
  id: string;
  label: string;
  points: [number, number][];
  messages: { Code: string; Value: string }[];
}

export function getMetricData(
  req: GetMetricDataInput,
  context: RequestContext,
  metrics: MetricStore,
): GetMetricDataOutput {
  const i = req as unknown as Input;
  const queries = readQueries(i);
  const start = input.time(i, "StartTime");
  const end = input.time(i, "EndTime");
  if (start === undefined) throw cloudwatchErrors.missing("StartTime");
  if (end === undefined) throw cloudwatchErrors.missing("EndTime");
  if (start >= end) {
    throw cloudwatchErrors.validationMessage(
      "The parameter StartTime must be less than the parameter EndTime.",
    );
  }
  const scanBy = input.str(i, "ScanBy") ?? "TimestampDescending";
  if (scanBy !== "TimestampDescending" && scanBy !== "TimestampAscending") {
    throw cloudwatchErrors.validation(
      "scanBy",
      scanBy,
      "Member must satisfy enum value set: [TimestampDescending, TimestampAscending]",
    );
  }
  const maxDatapoints = input.int(i, "MaxDatapoints") ?? MAX_DATAPOINTS;
  if (maxDatapoints < 1) {
    throw cloudwatchErrors.validation(
      "maxDatapoints",
      maxDatapoints,
      "Member must have value greater than or equal to 1",
    );
  }
  const offset = decodeOffset(input.str(i, "NextToken"));

  const byId = new Map(queries.map((q) => [q.id, q]));
  const evaluation = new Evaluation(byId, metrics, scopeOf(context.accountId, context.region), start, end);
  const results: FullResult[] = [];
  for (const q of queries) {
    const value = evaluation.value(q.id);
    if (!q.returnData) continue;
    const messages = evaluation.arithmeticErrors.has(q.id)
      ? [{ Code: "ArithmeticError", Value: ARITHMETIC_MESSAGE }]
      : [];
    const order = (points: Map<number, number>) =>
      [...points].sort((a, b) => (scanBy === "TimestampAscending" ? a[0] - b[0] : b[0] - a[0]));
    if (value.kind === "scalar") {
      const points = new Map<number, number>();
      if (value.value !== undefined)
        for (const t of evaluation.grid(evaluation.periodOf(q))) points.set(t, value.value);
      results.push({ id: q.id, label: q.label ?? q.id, points: order(points), messages });
    } else if (value.kind === "series") {
      const label = q.metricStat ? value.series.label : (q.label ?? q.id);
      results.push({ id: q.id, label, points: order(value.series.points), messages });
    } else {
      for (const s of value.items) {
        results.push({
          id: q.id,
          label: q.label ? `${q.label} ${s.label}` : s.label,
          points: order(s.points),
          messages,
        });
      }
    }
  }

  // One answer holds at most MaxDatapoints datapoints; NextToken continues after the last one.
  const page: MetricDataResult[] = [];
  let skipped = 0;
  let taken = 0;
  let truncated = false;
  for (const r of results) {
    const from = Math.max(0, offset - skipped);
    skipped += r.points.length;
    if (truncated) break;
    if (r.points.length === 0) {
      // A result without datapoints is answered once, on the first page.
      if (offset === 0)
        page.push({ Id: r.id, Label: r.label, Timestamps: [], Values: [], StatusCode: "Complete" });
      continue;
    }
    if (from >= r.points.length) continue;
    const room = maxDatapoints - taken;
    const slice = r.points.slice(from, from + room);
    taken += slice.length;
    const complete = from + slice.length >= r.points.length;
    if (!complete) truncated = true;
    page.push({
      Id: r.id,
      Label: r.label,
      Timestamps: slice.map(([t]) => new Date(t)),
      Values: slice.map(([, v]) => v),
      StatusCode: complete ? "Complete" : "PartialData",
      ...(r.messages.length > 0 ? { Messages: r.messages } : {}),
    });
    if (truncated) break;
  }
  const total = results.reduce((n, r) => n + r.points.length, 0);
  return {
    MetricDataResults: page,
    Messages: [],
    ...(offset + taken < total && truncated ? { NextToken: encodeOffset(offset + taken) } : {}),
  };
}

function encodeOffset(offset: number): string {
  return Buffer.from(JSON.stringify({ gmd: offset })).toString("base64url");
}

function decodeOffset(token: string | undefined): number {
  if (token === undefined || token === "") return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { gmd?: unknown };
    if (typeof parsed.gmd === "number" && Number.isInteger(parsed.gmd) && parsed.gmd >= 0) return parsed.gmd;
  } catch {
    // not ours
  }
  throw cloudwatchErrors.invalidToken();
}
