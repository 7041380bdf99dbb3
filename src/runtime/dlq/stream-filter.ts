/**
 * A mapping's FilterCriteria applied to re-read stream records. An on-failure record gives only the
 * first and last sequence numbers of the failed batch; the shard between them also holds records
 * the mapping's filter dropped (run records, for this stack), which were never part of the batch.
 * Replay keeps the records a filter matches, as Lambda did.
 *
 * Patterns use EventBridge's syntax. Exact values, `prefix`, `suffix`, `exists` and `anything-but`
 * (values) are evaluated; any other operator counts as a match, so an unknown operator can only
 * send a record the function's own guard then sees, never drop one the batch had.
 */
export type FilterPattern = Record<string, unknown>;

export function parseFilterPatterns(patterns: readonly (string | undefined)[]): FilterPattern[] {
  return patterns.flatMap((text) => {
    if (!text) return [];
    const parsed = JSON.parse(text) as unknown;
    return isObject(parsed) ? [parsed] : [];
  });
}

/** True when any pattern matches (no patterns: every record passes, as without FilterCriteria). */
export function matchesAny(patterns: readonly FilterPattern[], record: unknown): boolean {
  return patterns.length === 0 || patterns.some((pattern) => matches(pattern, record));
}

function matches(pattern: FilterPattern, value: unknown): boolean {
  return Object.entries(pattern).every(([key, rule]) => {
    const field = isObject(value) ? value[key] : undefined;
    if (Array.isArray(rule)) return matchesLeaf(rule, field);
    if (isObject(rule)) return matches(rule, field);
    return false;
  });
}

function matchesLeaf(rules: readonly unknown[], field: unknown): boolean {
  const values = Array.isArray(field) ? field : [field];
  return rules.some((rule) => {
    if (!isObject(rule)) return field !== undefined && values.some((v) => v === rule);
    if ("exists" in rule) return (field !== undefined) === (rule.exists === true);
    if (field === undefined) return false;
    if (typeof rule.prefix === "string") {
      const prefix = rule.prefix;
      return values.some((v) => typeof v === "string" && v.startsWith(prefix));
    }
    if (typeof rule.suffix === "string") {
      const suffix = rule.suffix;
      return values.some((v) => typeof v === "string" && v.endsWith(suffix));
    }
    if ("anything-but" in rule) {
      const excluded = rule["anything-but"];
      if (isObject(excluded)) return true;
      const list = Array.isArray(excluded) ? excluded : [excluded];
      return values.every((v) => !list.includes(v));
    }
    return true;
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
