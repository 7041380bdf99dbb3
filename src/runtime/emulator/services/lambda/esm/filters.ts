import { compileEventPattern, type CompiledEventPattern } from "../../../core/event-pattern.js";
import type { FilterCriteria } from "./config.js";

export type RecordFilter = (record: Record<string, unknown>) => boolean;

/**
 * FilterCriteria: a record is processed when any filter's pattern matches it (patterns were
 * validated when the mapping was created). SQS bodies are matched as JSON when they parse.
 */
export function compileFilters(criteria: FilterCriteria | undefined, sqsBodyAsJson = false): RecordFilter {
  const patterns: CompiledEventPattern[] = (criteria?.Filters ?? []).flatMap((f) =>
    f.Pattern ? [compileEventPattern(f.Pattern)] : [],
  );
  if (patterns.length === 0) return () => true;
  return (record) => {
    const subject = sqsBodyAsJson ? withParsedBody(record) : record;
    return patterns.some((pattern) => pattern.matches(subject));
  };
}

function withParsedBody(record: Record<string, unknown>): Record<string, unknown> {
  const body = record["body"];
  if (typeof body !== "string") return record;
  try {
    const parsed: unknown = JSON.parse(body);
    // Lambda matches body fields only when the body is a JSON object; otherwise as plain text.
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed))
      return { ...record, body: parsed };
  } catch {
    // a plain-text body is matched as a string
  }
  return record;
}
