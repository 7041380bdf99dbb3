/**
 * EventBridge schedule expressions for rules (aws-behaviour.md §5.2), always in UTC:
 * `rate(<n> minute|minutes|hour|hours|day|days)` (singular exactly when n is 1) and
 * `cron(Minutes Hours Day-of-month Month Day-of-week Year)` with AWS's rules, which are not Unix
 * cron's: six fields, exactly one of day-of-month / day-of-week is `?`, day-of-week 1–7 is SUN–SAT,
 * `L`, `W` and `#`, and a year field (1970–2199).
 *
 * Self-contained on purpose (no imports): the CLI's `schedule` commands need the same arithmetic.
 */

export class ScheduleExpressionError extends Error {
  override readonly name = "ScheduleExpressionError";
  constructor(
    readonly expression: string,
    readonly reason: string,
  ) {
    super(`${expression} is not a valid schedule expression: ${reason}`);
  }
}

export interface ScheduleExpression {
  readonly kind: "rate" | "cron";
  readonly expression: string;
  /**
   * The first fire time strictly after `after`, or undefined when there is none (a cron whose
   * years are all past). Rate schedules count periods from `anchor` (the time the rule was
   * created or enabled; default `after`), truncated to the minute.
   */
  next(after: Date, anchor?: Date): Date | undefined;
}

const MINUTE = 60_000;
const DAY = 86_400_000;
const MIN_YEAR = 1970;
const MAX_YEAR = 2199;
const RATE_UNITS: Record<string, number> = { minute: MINUTE, hour: 60 * MINUTE, day: DAY };
const MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/** Parses and validates an expression; throws ScheduleExpressionError naming what is wrong. */
export function parseScheduleExpression(expression: string): ScheduleExpression {
  const text = expression.trim();
  const rate = /^rate\((.*)\)$/.exec(text);
  if (rate) return parseRate(expression, rate[1] ?? "");
  const cron = /^cron\((.*)\)$/.exec(text);
  if (cron) return parseCron(expression, cron[1] ?? "");
  throw new ScheduleExpressionError(expression, "expected rate(<value> <unit>) or cron(<6 fields>)");
}

/** The next `count` fire times strictly after `after` (fewer when the schedule ends). */
export function nextFireTimes(expression: string, after: Date, count: number, anchor?: Date): Date[] {
  const schedule = parseScheduleExpression(expression);
  const times: Date[] = [];
  let cursor = after;
  // Rate periods are counted from the anchor (rule creation); default: the first `after`.
  const origin = anchor ?? after;
  while (times.length < count) {
    const next = schedule.next(cursor, origin);
    if (!next) break;
    times.push(next);
    cursor = next;
  }
  return times;
}

// ---------------------------------------------------------------------------------------------
// rate()

function parseRate(expression: string, body: string): ScheduleExpression {
  const match = /^\s*(\d+)\s+([a-z]+)\s*$/.exec(body);
  if (!match)
    throw new ScheduleExpressionError(expression, "rate() takes a positive whole number and a unit");
  const value = Number(match[1]);
  const unit = match[2] as string;
  const singular = unit.endsWith("s") ? unit.slice(0, -1) : unit;
  const unitMs = RATE_UNITS[singular];
  if (!unitMs) {
    throw new ScheduleExpressionError(expression, `unknown unit "${unit}"; use minute(s), hour(s) or day(s)`);
  }
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ScheduleExpressionError(expression, "the rate value must be a positive whole number");
  }
  if (value === 1 && unit !== singular) {
    throw new ScheduleExpressionError(
      expression,
      `a value of 1 takes the singular unit: rate(1 ${singular})`,
    );
  }
  if (value > 1 && unit === singular) {
    throw new ScheduleExpressionError(
      expression,
      `a value above 1 takes the plural unit: rate(${value} ${singular}s)`,
    );
  }
  const period = value * unitMs;
  return {
    kind: "rate",
    expression,
    next(after, anchor) {
      const origin = Math.floor((anchor ?? after).getTime() / MINUTE) * MINUTE;
      const elapsed = after.getTime() - origin;
      const periods = elapsed < 0 ? 1 : Math.floor(elapsed / period) + 1;
      return new Date(origin + periods * period);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// cron()

interface DayOfMonthSpec {
  any: boolean;
  days: Set<number>;
  last: boolean;
  lastWeekday: boolean;
  nearestWeekday: number[];
}

interface DayOfWeekSpec {
  any: boolean;
  /** 1 = SUN … 7 = SAT. */
  days: Set<number>;
  /** `5L`: the last Thursday of the month. */
  lastOf: number[];
  /** `3#2`: the 2nd Tuesday. */
  nth?: { day: number; n: number };
}

interface FieldLimits {
  name: string;
  min: number;
  max: number;
  names?: string[];
  /** Value of the first name (MONTH: JAN = 1; DOW: SUN = 1). */
  nameBase?: number;
  steps: boolean;
}

const MINUTES: FieldLimits = { name: "Minutes", min: 0, max: 59, steps: true };
const HOURS: FieldLimits = { name: "Hours", min: 0, max: 23, steps: true };
const DAYS_OF_MONTH: FieldLimits = { name: "Day-of-month", min: 1, max: 31, steps: true };
const MONTHS: FieldLimits = { name: "Month", min: 1, max: 12, names: MONTH_NAMES, nameBase: 1, steps: true };
const DAYS_OF_WEEK: FieldLimits = {
  name: "Day-of-week",
  min: 1,
  max: 7,
  names: DAY_NAMES,
  nameBase: 1,
  steps: false,
};
const YEARS: FieldLimits = { name: "Year", min: MIN_YEAR, max: MAX_YEAR, steps: true };

function parseCron(expression: string, body: string): ScheduleExpression {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new ScheduleExpressionError(
      expression,
      `cron() takes 6 fields (minutes hours day-of-month month day-of-week year), got ${body.trim() ? fields.length : 0}`,
    );
  }
  const [minuteField, hourField, domField, monthField, dowField, yearField] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const fail = (reason: string): never => {
    throw new ScheduleExpressionError(expression, reason);
  };
  if ((domField === "?") === (dowField === "?")) {
    fail(
      "exactly one of day-of-month and day-of-week must be ?; e.g. cron(0 2 ? * SUN *) or cron(0 2 1 * ? *)",
    );
  }
  const minutes = sortedValues(parseSimpleField(minuteField, MINUTES, fail));
  const hours = sortedValues(parseSimpleField(hourField, HOURS, fail));
  const months = parseSimpleField(monthField, MONTHS, fail);
  const years = parseSimpleField(yearField, YEARS, fail);
  const dom = domField === "?" ? undefined : parseDayOfMonth(domField, fail);
  const dow = dowField === "?" ? undefined : parseDayOfWeek(dowField, fail);

  const dayMatches = (date: Date): boolean => {
    const year = date.getUTCFullYear();
    const month = date.getUTCMonth();
    const day = date.getUTCDate();
    const length = daysInMonth(year, month);
    if (dom) {
      if (dom.any || dom.days.has(day)) return true;
      if (dom.last && day === length) return true;
      if (dom.lastWeekday && day === lastWeekday(year, month)) return true;
      return dom.nearestWeekday.some((target) => day === nearestWeekday(year, month, target));
    }
    if (dow) {
      const weekday = date.getUTCDay() + 1;
      if (dow.any || dow.days.has(weekday)) return true;
      if (dow.lastOf.includes(weekday) && day + 7 > length) return true;
      return dow.nth !== undefined && dow.nth.day === weekday && Math.ceil(day / 7) === dow.nth.n;
    }
    return false;
  };

  return {
    kind: "cron",
    expression,
    next(after) {
      const start = Math.floor(after.getTime() / MINUTE) * MINUTE + MINUTE;
      let day = new Date(Math.floor(start / DAY) * DAY);
      while (day.getUTCFullYear() <= MAX_YEAR) {
        const year = day.getUTCFullYear();
        if (!years.has(year)) {
          const nextYear = [...years].filter((y) => y > year).sort((a, b) => a - b)[0];
          if (nextYear === undefined) return undefined;
          day = new Date(Date.UTC(nextYear, 0, 1));
          continue;
        }
        if (!months.has(day.getUTCMonth() + 1)) {
          day = new Date(Date.UTC(year, day.getUTCMonth() + 1, 1));
          continue;
        }
        if (dayMatches(day)) {
          const dayStart = day.getTime();
          for (const hour of hours) {
            for (const minute of minutes) {
              const at = dayStart + hour * 3_600_000 + minute * MINUTE;
              if (at >= start) return new Date(at);
            }
          }
        }
        day = new Date(day.getTime() + DAY);
      }
      return undefined;
    },
  };
}

type Fail = (reason: string) => never;

/** Minutes, hours, month, year: `*`, values, names, ranges (wrapping allowed) and `/` steps. */
function parseSimpleField(field: string, limits: FieldLimits, fail: Fail): Set<number> {
  const values = new Set<number>();
  for (const item of field.split(",")) {
    if (item === "") fail(`${limits.name}: empty list item in "${field}"`);
    for (const v of expandItem(item, limits, fail)) values.add(v);
  }
  return values;
}

function expandItem(item: string, limits: FieldLimits, fail: Fail): number[] {
  const [rangePart, stepPart, extra] = item.split("/");
  if (extra !== undefined) fail(`${limits.name}: more than one / in "${item}"`);
  let step = 1;
  if (stepPart !== undefined) {
    if (!limits.steps) fail(`${limits.name} does not allow / increments ("${item}")`);
    if (!/^\d+$/.test(stepPart) || Number(stepPart) < 1) fail(`${limits.name}: bad increment in "${item}"`);
    step = Number(stepPart);
  }
  const range = rangePart ?? "";
  let from: number;
  let to: number;
  if (range === "*") {
    from = limits.min;
    to = limits.max;
  } else if (range.includes("-")) {
    const [a, b, more] = range.split("-");
    if (more !== undefined) fail(`${limits.name}: bad range "${range}"`);
    from = parseValue(a ?? "", limits, fail);
    to = parseValue(b ?? "", limits, fail);
  } else {
    from = parseValue(range, limits, fail);
    // `5/10` means from 5 to the end of the field in steps of 10.
    to = stepPart !== undefined ? limits.max : from;
  }
  const out: number[] = [];
  const span = limits.max - limits.min + 1;
  // A range like FRI-MON or 22-2 wraps around the end of the field.
  const length = to >= from ? to - from : to - from + span;
  for (let offset = 0; offset <= length; offset += step) {
    out.push(((from - limits.min + offset) % span) + limits.min);
  }
  return out;
}

function parseValue(text: string, limits: FieldLimits, fail: Fail): number {
  const upper = text.toUpperCase();
  const nameIndex = limits.names?.indexOf(upper) ?? -1;
  if (nameIndex >= 0) return nameIndex + (limits.nameBase ?? 0);
  if (!/^\d+$/.test(text)) fail(`${limits.name}: "${text}" is not a value (${describeLimits(limits)})`);
  const value = Number(text);
  if (value < limits.min || value > limits.max) {
    fail(`${limits.name}: ${value} is out of range (${describeLimits(limits)})`);
  }
  return value;
}

function describeLimits(limits: FieldLimits): string {
  const names = limits.names ? ` or ${limits.names[0]}-${limits.names[limits.names.length - 1]}` : "";
  return `${limits.min}-${limits.max}${names}`;
}

function parseDayOfMonth(field: string, fail: Fail): DayOfMonthSpec {
  const spec: DayOfMonthSpec = {
    any: false,
    days: new Set(),
    last: false,
    lastWeekday: false,
    nearestWeekday: [],
  };
  for (const item of field.split(",")) {
    if (item === "*") spec.any = true;
    else if (item === "L") spec.last = true;
    else if (item === "LW") spec.lastWeekday = true;
    else if (/^\d+W$/.test(item))
      spec.nearestWeekday.push(parseValue(item.slice(0, -1), DAYS_OF_MONTH, fail));
    else if (item.includes("L") || item.includes("W") || item.includes("#")) {
      fail(`Day-of-month: "${item}" is not valid (use L, LW, or <day>W such as 15W)`);
    } else for (const v of expandItem(item, DAYS_OF_MONTH, fail)) spec.days.add(v);
  }
  return spec;
}

function parseDayOfWeek(field: string, fail: Fail): DayOfWeekSpec {
  const spec: DayOfWeekSpec = { any: false, days: new Set(), lastOf: [] };
  const items = field.split(",");
  for (const item of items) {
    if (item === "*") spec.any = true;
    else if (item === "L") spec.days.add(7);
    else if (/^[A-Za-z0-9]+L$/.test(item))
      spec.lastOf.push(parseValue(item.slice(0, -1), DAYS_OF_WEEK, fail));
    else if (item.includes("#")) {
      if (items.length > 1) fail(`Day-of-week: only one # expression is allowed, and nothing else with it`);
      const [day, n] = item.split("#");
      if (!/^[1-5]$/.test(n ?? "")) fail(`Day-of-week: "${item}" needs an occurrence 1-5 after # (e.g. 3#2)`);
      spec.nth = { day: parseValue(day ?? "", DAYS_OF_WEEK, fail), n: Number(n) };
    } else for (const v of expandItem(item, DAYS_OF_WEEK, fail)) spec.days.add(v);
  }
  return spec;
}

function sortedValues(values: Set<number>): number[] {
  return [...values].sort((a, b) => a - b);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

function isWeekend(year: number, month: number, day: number): boolean {
  const weekday = new Date(Date.UTC(year, month, day)).getUTCDay();
  return weekday === 0 || weekday === 6;
}

function lastWeekday(year: number, month: number): number {
  let day = daysInMonth(year, month);
  while (isWeekend(year, month, day)) day--;
  return day;
}

/** `15W`: the weekday nearest the 15th, never crossing into another month. */
function nearestWeekday(year: number, month: number, target: number): number | undefined {
  const length = daysInMonth(year, month);
  if (target > length) return undefined;
  const weekday = new Date(Date.UTC(year, month, target)).getUTCDay();
  if (weekday === 6) return target === 1 ? 3 : target - 1;
  if (weekday === 0) return target === length ? target - 2 : target + 1;
  return target;
}
