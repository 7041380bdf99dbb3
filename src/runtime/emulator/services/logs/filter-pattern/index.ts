import { compileDelimited } from "./delimited.js";
import { compileJson } from "./json.js";
import { compileTerms } from "./terms.js";

export { FilterPatternError } from "./values.js";

export type EventMatcher = (message: string) => boolean;

/**
 * Compiles a CloudWatch Logs filter pattern (FilterLogEvents, metric and subscription filters)
 * into a predicate over event messages. The first non-blank character picks the syntax: `{` JSON,
 * `[` space-delimited, anything else terms. An empty pattern matches every event. Throws
 * FilterPatternError for patterns CloudWatch would refuse.
 */
export function compileFilterPattern(pattern: string | undefined): EventMatcher {
  const text = (pattern ?? "").trim();
  if (!text) return () => true;
  if (text.startsWith("{")) return compileJson(text);
  if (text.startsWith("[")) return compileDelimited(text);
  return compileTerms(text);
}
