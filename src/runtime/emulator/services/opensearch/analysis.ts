/**
 * Text analysis and value parsing, close to OpenSearch's defaults: the standard analyzer
 * (Unicode word tokens, lower-cased) for `text` fields, `strict_date_optional_time||epoch_millis`
 * for dates, and date math (`now-1d/d`) in range queries.
 */

const WORD = /[\p{L}\p{N}_]+(?:['’][\p{L}\p{N}_]+)*/gu;

export function analyze(text: string): string[] {
  return (text.toLowerCase().match(WORD) ?? []).map((t) => t.replace(/’/g, "'"));
}

const ISO_DATE =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?$/;

/** Epoch ms for an ISO-8601 date/time (or epoch millis number/string); undefined if unparseable. */
export function parseDate(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? Math.trunc(value) : undefined;
  if (typeof value !== "string") return undefined;
  if (/^-?\d+$/.test(value) && value.length > 4) return Number(value);
  const m = ISO_DATE.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = frac ? Number(frac.padEnd(3, "0").slice(0, 3)) : 0;
  let t = Date.UTC(
    Number(y),
    Number(mo ?? 1) - 1,
    Number(d ?? 1),
    Number(h ?? 0),
    Number(mi ?? 0),
    Number(s ?? 0),
    ms,
  );
  if (zone && zone !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0)) * 60_000;
  }
  return Number.isFinite(t) ? t : undefined;
}

/** Dynamic mapping's date detection: strings in the default date formats become `date` fields. */
export function looksLikeDate(value: string): boolean {
  return (
    /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}([.,]\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) &&
    parseDate(value) !== undefined
  );
}

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  H: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Date math: `now`, `now-1d`, `now+2h/d`, `2026-01-01||+1M` (months/years approximate as UTC calendar steps). */
export function parseDateMath(value: unknown, now: number, roundUp = false): number | undefined {
  if (typeof value !== "string") return parseDate(value);
  let base: number | undefined;
  let rest: string;
  if (value.startsWith("now")) {
    base = now;
    rest = value.slice(3);
  } else {
    const at = value.indexOf("||");
    if (at < 0) return parseDate(value);
    base = parseDate(value.slice(0, at));
    rest = value.slice(at + 2);
  }
  if (base === undefined) return undefined;
  const date = new Date(base);
  const ops = /([+-])(\d+)([yMwdhHms])|\/([yMwdhHms])/g;
  let consumed = 0;
  for (let m = ops.exec(rest); m; m = ops.exec(rest)) {
    if (m.index !== consumed) return undefined;
    consumed = m.index + m[0].length;
    if (m[1]) {
      const n = Number(m[2]) * (m[1] === "-" ? -1 : 1);
      const unit = m[3]!;
      if (unit === "y") date.setUTCFullYear(date.getUTCFullYear() + n);
      else if (unit === "M") date.setUTCMonth(date.getUTCMonth() + n);
      else date.setTime(date.getTime() + n * UNIT_MS[unit]!);
    } else {
      roundDate(date, m[4]!, roundUp);
    }
  }
  if (consumed !== rest.length) return undefined;
  return date.getTime();
}

function roundDate(date: Date, unit: string, up: boolean): void {
  const start = new Date(date.getTime());
  switch (unit) {
    case "y":
      start.setUTCMonth(0, 1);
      start.setUTCHours(0, 0, 0, 0);
      break;
    case "M":
      start.setUTCDate(1);
      start.setUTCHours(0, 0, 0, 0);
      break;
    case "w": {
      const day = (start.getUTCDay() + 6) % 7;
      start.setUTCDate(start.getUTCDate() - day);
      start.setUTCHours(0, 0, 0, 0);
      break;
    }
    case "d":
      start.setUTCHours(0, 0, 0, 0);
      break;
    case "h":
    case "H":
      start.setUTCMinutes(0, 0, 0);
      break;
    case "m":
      start.setUTCSeconds(0, 0);
      break;
    case "s":
      start.setUTCMilliseconds(0);
      break;
  }
  if (!up) {
    date.setTime(start.getTime());
    return;
  }
  const next = new Date(start.getTime());
  if (unit === "y") next.setUTCFullYear(next.getUTCFullYear() + 1);
  else if (unit === "M") next.setUTCMonth(next.getUTCMonth() + 1);
  else next.setTime(next.getTime() + UNIT_MS[unit]!);
  date.setTime(next.getTime() - 1);
}

/** `1s`, `500ms`, `2m`, `-1` (disabled → undefined). */
export function parseTimeValue(value: unknown): number | undefined | "invalid" {
  if (value === undefined || value === null) return undefined;
  const text = String(value);
  if (text === "-1") return undefined;
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(text);
  if (!m) return "invalid";
  const n = Number(m[1]);
  const unit = m[2] ?? "ms";
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit]!;
  return n * factor;
}
