import { OperatorError } from "../config/errors.js";

/**
 * The one parser for every time an operator types (`--scheduled-time`, `--since`, `--time`, ...).
 * Strict where `Date` is lenient: `new Date("2026-02-30T02:00:00Z")` rolls over to 2 March, and a
 * time without a zone is read in the machine's zone. Here a day that does not exist in its month,
 * an hour past 23, a minute or second past 59, or a time without `Z` or an offset is refused, and
 * the message lists the forms accepted.
 */

/** The forms accepted, for messages and help texts. */
export const INSTANT_FORMS = "YYYY-MM-DD (midnight UTC) or YYYY-MM-DDThh:mm[:ss[.sss]] with Z or ±hh:mm";
export const DURATION_FORMS = "30s, 10m, 1h, 2d, 1w";

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?)?$/;

export interface InstantOptions {
  /** The option the text came from, for the message ("--since"). */
  option: string;
  /** Also accept a duration back from `now` (30s, 10m, 1h, 2d, 1w). */
  durations?: boolean;
  /** Epoch ms "now" for durations. */
  now?: number;
  /** An example shown in the message (default 2026-11-29T02:00:00Z). */
  example?: string;
}

export class InvalidInstantError extends OperatorError {
  override name = "InvalidInstantError";
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Epoch milliseconds of the instant the text names; throws InvalidInstantError naming the forms. */
export function parseInstant(text: string, options: InstantOptions): number {
  const trimmed = text.trim();
  const refuse = (why: string): never => {
    const forms = options.durations ? `a duration (${DURATION_FORMS}) or ${INSTANT_FORMS}` : INSTANT_FORMS;
    throw new InvalidInstantError(
      `${options.option} ${JSON.stringify(text)} ${why}; use ${forms}, e.g. ${options.example ?? "2026-11-29T02:00:00Z"}`,
    );
  };
  if (options.durations) {
    const duration = /^(\d+)\s*([smhdw])$/.exec(trimmed);
    if (duration) return (options.now ?? Date.now()) - Number(duration[1]) * UNIT_MS[duration[2]!]!;
  }
  const match = ISO.exec(trimmed);
  if (!match) return refuse(options.durations ? "is neither a duration nor a time" : "is not a time");
  const [, y, mo, d, h, mi, s, fraction, zulu, sign, oh, om] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12) return refuse(`has no month ${mo}`);
  if (day < 1 || day > daysIn(year, month)) {
    return refuse(`is not a date: ${y}-${mo} has ${daysIn(year, month)} days`);
  }
  if (h === undefined) return Date.UTC(year, month - 1, day);
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (hour > 23) return refuse(`has no hour ${h} (00-23)`);
  if (minute > 59) return refuse(`has no minute ${mi} (00-59)`);
  if (second > 59) return refuse(`has no second ${s} (00-59)`);
  if (zulu === undefined && sign === undefined) {
    return refuse("has no time zone (a time without one would be read in this machine's zone)");
  }
  let offsetMinutes = 0;
  if (sign !== undefined) {
    const offsetHours = Number(oh);
    const offsetMins = Number(om);
    if (offsetHours > 23 || offsetMins > 59) return refuse(`has no offset ${sign}${oh}:${om}`);
    offsetMinutes = (sign === "-" ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const millis = fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000);
  return Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
}
