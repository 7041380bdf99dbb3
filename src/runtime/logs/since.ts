import { OperatorError } from "../config/errors.js";

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * The instant a `--since` value names: a duration back from now (`90s`, `10m`, `1h`, `2d`, `1w`) or an
 * ISO-8601 time (`2026-11-23T09:00:00Z`). Throws OperatorError naming the accepted forms.
 */
export function parseSince(text: string, now: number): number {
  const trimmed = text.trim();
  const duration = /^(\d+)\s*([smhdw])$/.exec(trimmed);
  if (duration) return now - Number(duration[1]) * UNIT_MS[duration[2]!]!;
  if (/^\d{4}-\d{2}-\d{2}/.test(trimmed)) {
    const parsed = Date.parse(trimmed);
    if (!Number.isNaN(parsed)) return parsed;
  }
  throw new OperatorError(
    `--since ${JSON.stringify(text)} is neither a duration nor a time; use e.g. 30s, 10m, 1h, 2d, 1w ` +
      "or an ISO-8601 time such as 2026-11-23T09:00:00Z",
  );
}
