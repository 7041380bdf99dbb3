import { createHash } from "node:crypto";

/**
 * JSON with object keys sorted at every level, so equal data always serialises to the same text
 * whatever order a source's JSON (or DynamoDB's unmarshalling) produced. Undefined members are
 * dropped, as JSON.stringify does, so `{a: undefined}` and `{}` hash alike.
 */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) {
      throw new Error(`cannot hash a non-finite number (${value})`);
    }
    return JSON.stringify(value) ?? "null";
  }
  if (Array.isArray(value)) {
    return `[${value.map((entry) => (entry === undefined ? "null" : stableStringify(entry))).join(",")}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, entry]) => entry !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, entry]) => `${JSON.stringify(key)}:${stableStringify(entry)}`);
  return `{${entries.join(",")}}`;
}

/** SHA-256 (hex) of the normalised data: the "did anything change" test for scrapers and enrichment. */
export function contentHash(data: unknown): string {
  return createHash("sha256").update(stableStringify(data)).digest("hex");
}
