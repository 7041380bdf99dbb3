import { parseInstant } from "../time/instant.js";

/**
 * The instant a `--since` value names: a duration back from now (`90s`, `10m`, `1h`, `2d`, `1w`) or a
 * time (`2026-11-23T09:00:00Z`), through the CLI's one strict time parser. Throws OperatorError
 * naming the accepted forms.
 */
export function parseSince(text: string, now: number): number {
  return parseInstant(text, {
    option: "--since",
    durations: true,
    now,
    example: "1h or 2026-11-23T09:00:00Z",
  });
}
