import { compileDelimited, delimitedFields } from "./delimited.js";
import { compileJson, jsonSelectorValues } from "./json.js";
import { compileTerms } from "./terms.js";

export { FilterPatternError } from "./values.js";
export { delimitedFields, jsonSelectorValues };

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

/** What TestMetricFilter reports per matching event: the values the pattern's fields name. */
export function extractedValues(pattern: string, message: string): Record<string, string> {
  const text = pattern.trim();
  if (text.startsWith("[")) return delimitedFields(text, message) ?? {};
  if (!text.startsWith("{")) return {};
  const out: Record<string, string> = {};
  for (const [selector, value] of Object.entries(jsonSelectorValues(text, message))) {
    out[selector] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return out;
}

/**
 * The value a metric filter publishes for a matching event: a number, `$.selector` (JSON
 * patterns) or `$field` (space-delimited patterns). Undefined when the event has no numeric value
 * there, and nothing is published for it (as CloudWatch Logs does).
 */
export function fieldValue(pattern: string, reference: string, message: string): string | undefined {
  const text = pattern.trim();
  if (reference.startsWith("$.") || reference.startsWith("$[")) {
    const value = jsonSelectorValues(reference, message)[reference];
    return value === undefined || value === null
      ? undefined
      : typeof value === "string"
        ? value
        : JSON.stringify(value);
  }
  if (reference.startsWith("$"))
    return text.startsWith("[") ? delimitedFields(text, message)?.[reference] : undefined;
  return reference;
}
