import { OperatorError } from "../config/errors.js";
import { parseInstant } from "../time/instant.js";

/**
 * The instant a `--since` value names: a duration back from now (`90s`, `10m`, `1h`, `2d`, `1w`) or a
 * time (`2026-11-23T09:00:00Z`), through the CLI's one strict time parser. Throws OperatorError
 * naming the accepted forms.
 */
export function parseSince(text: string, now: number): number {
  const since = parseInstant(text, {
    option: "--since",
    durations: true,
    now,
    example: "1h or 2026-11-23T09:00:00Z",
  });
  // CloudWatch Logs refuses a startTime before the epoch (InvalidParameterException, which reached
  // the operator as an unexpected error): no log event is older, so say what to type instead.
  if (since < 0) {
    throw new OperatorError(
      `--since ${JSON.stringify(text)} reaches before 1970-01-01, where no log event is; ` +
        "use a shorter duration or a later time, e.g. 1w or 2026-11-23T09:00:00Z",
    );
  }
  return since;
}
