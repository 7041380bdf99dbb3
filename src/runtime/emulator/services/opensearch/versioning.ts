import { OpenSearchError, osErrors } from "./errors.js";

/**
 * Document versioning as OpenSearch applies it to index, create and delete (aws-behaviour.md §9):
 *   - `internal` (default): the engine counts versions itself; an explicit `version` is refused
 *     (optimistic concurrency is `if_seq_no` + `if_primary_term`).
 *   - `external` (alias `external_gt`): the caller's version is stored as is, and a write whose
 *     version is not greater than the current one is a 409 version conflict.
 *   - `external_gte`: the same with "greater or equal".
 * "Current" is the live document or, for `index.gc_deletes` after a delete, its tombstone, so a
 * late write older than the delete still loses. Versions are Java longs: bigint here, so the whole
 * range up to 2^63-1 stays exact.
 */

export type VersionType = "internal" | "external" | "external_gte";

export const MAX_LONG = 2n ** 63n - 1n;
const MIN_LONG = -(2n ** 63n);

/** OpenSearch's sentinel values (org.opensearch.common.lucene.uid.Versions). */
const MATCH_ANY = -3n;
const MATCH_DELETED = -4n;
const UNASSIGNED_PRIMARY_TERM = 0;

/** What a write asks for beyond the document: version checks and compare-and-set. */
export interface WriteConditions {
  version?: bigint;
  versionType?: VersionType;
  ifSeqNo?: number;
  ifPrimaryTerm?: number;
}

/** The version state of an id: its live document, or a tombstone younger than gc_deletes. */
export interface CurrentVersion {
  version: bigint;
  seqNo: number;
  deleted: boolean;
}

export function parseVersionType(raw: unknown): VersionType {
  const text = String(raw);
  if (text === "internal") return "internal";
  if (text === "external" || text === "external_gt") return "external";
  if (text === "external_gte") return "external_gte";
  throw osErrors.illegalArgument(`No version type match [${text}]`);
}

/** A long-valued URL parameter, as RestRequest.paramAsLong reads it. */
export function parseLongParam(name: string, raw: string): bigint {
  if (/^[+-]?\d+$/.test(raw)) {
    const value = BigInt(raw);
    if (value >= MIN_LONG && value <= MAX_LONG) return value;
  }
  throw new OpenSearchError(
    "illegal_argument_exception",
    `Failed to parse long parameter [${name}] with value [${raw}]`,
    400,
    {},
    { type: "number_format_exception", reason: `For input string: "${raw}"` },
  );
}

/** A long in a bulk action line: a JSON number (its source text, kept exact) or a numeric string. */
export function parseLongField(name: string, raw: unknown): bigint {
  const text = typeof raw === "string" ? raw.trim() : typeof raw === "number" ? String(raw) : undefined;
  if (text !== undefined && /^[+-]?\d+$/.test(text)) {
    const value = BigInt(text);
    if (value >= MIN_LONG && value <= MAX_LONG) return value;
    throw osErrors.illegalArgument(
      `Numeric value (${text}) out of range of long (${MIN_LONG} - ${MAX_LONG}) for [${name}]`,
    );
  }
  throw osErrors.illegalArgument(`[${name}] must be a long, got [${String(raw)}]`);
}

/** The `_update` API takes no versions at all (RestUpdateAction). */
export const UPDATE_VERSIONING_PROBLEM =
  "internal versioning can not be used for optimistic concurrency control. Please use `if_seq_no` and `if_primary_term` instead";

/**
 * Validation errors of an index/create/delete request's versioning (IndexRequest.validate,
 * DeleteRequest.validate and DocWriteRequest.validateSeqNoBasedCASParams), in OpenSearch's order.
 */
export function versioningProblems(
  op: "index" | "create" | "delete",
  hasId: boolean,
  conditions: WriteConditions,
): string[] {
  const type = conditions.versionType ?? "internal";
  const explicit = conditions.version !== undefined;
  const version = conditions.version ?? (op === "create" ? MATCH_DELETED : MATCH_ANY);
  const problems: string[] = [];
  if (op === "create") {
    if (type !== "internal") return ["create operations only support internal versioning. use index instead"];
    if (explicit) return ["create operations do not support explicit versions. use index instead"];
    if (conditions.ifSeqNo !== undefined || conditions.ifPrimaryTerm !== undefined) {
      return ["create operations do not support compare and set. use index instead"];
    }
  }
  if (!hasId && (type !== "internal" || explicit)) {
    problems.push("an id must be provided if version type or value are set");
  }
  const valid =
    type === "internal" ? version > 0n || version === MATCH_ANY || version === MATCH_DELETED : version >= 0n;
  if (!valid) problems.push(`illegal version value [${version}] for version type [${type.toUpperCase()}]`);
  if (type === "internal" && explicit) {
    problems.push(
      "internal versioning can not be used for optimistic concurrency control. Please use `if_seq_no` and `if_primary_term` instead",
    );
  }
  if (conditions.ifSeqNo !== undefined && (type !== "internal" || explicit)) {
    problems.push("compare and write operations can not use versioning");
  }
  const term = conditions.ifPrimaryTerm ?? UNASSIGNED_PRIMARY_TERM;
  if (term === UNASSIGNED_PRIMARY_TERM && conditions.ifSeqNo !== undefined) {
    problems.push("ifSeqNo is set, but primary term is [0]");
  }
  if (term !== UNASSIGNED_PRIMARY_TERM && conditions.ifSeqNo === undefined) {
    problems.push(`ifSeqNo is unassigned, but primary term is [${term}]`);
  }
  return problems;
}

/**
 * Why the write conflicts with the current state (the reason after `[<id>]: version conflict, `),
 * or undefined when it may proceed. `create` is an internal write that requires no live document.
 */
export function versionConflict(
  op: "index" | "create" | "delete",
  current: CurrentVersion | undefined,
  conditions: WriteConditions,
): string | undefined {
  const live = current !== undefined && !current.deleted ? current : undefined;
  if (conditions.ifSeqNo !== undefined) {
    const term = conditions.ifPrimaryTerm;
    if (live === undefined) {
      return `required seqNo [${conditions.ifSeqNo}], primary term [${term}] but no document was found`;
    }
    if (live.seqNo !== conditions.ifSeqNo || term !== 1) {
      return `required seqNo [${conditions.ifSeqNo}], primary term [${term}]. current document has seqNo [${live.seqNo}] and primary term [1]`;
    }
    return undefined;
  }
  const type = conditions.versionType ?? "internal";
  if (op === "create") {
    return live === undefined ? undefined : `document already exists (current version [${live.version}])`;
  }
  if (type === "internal" || current === undefined) return undefined;
  const provided = conditions.version!;
  if (type === "external" && current.version >= provided) {
    return `current version [${current.version}] is higher or equal to the one provided [${provided}]`;
  }
  if (type === "external_gte" && current.version > provided) {
    return `current version [${current.version}] is higher than the one provided [${provided}]`;
  }
  return undefined;
}

/** The version the write leaves: the caller's for external types, else one more than the current. */
export function nextVersion(current: CurrentVersion | undefined, conditions: WriteConditions): bigint {
  const type = conditions.versionType ?? "internal";
  if (type !== "internal") return conditions.version!;
  return current === undefined ? 1n : current.version + 1n;
}

/** JSON.stringify that writes bigint values as plain JSON numbers (versions up to 2^63-1). */
export function stringifyJson(value: unknown): string {
  return JSON.stringify(value, (_key, entry: unknown) =>
    typeof entry === "bigint" ? rawJson(entry.toString()) : entry,
  );
}

/** JSON.parse that keeps the exact source text of numbers under the given keys (longs). */
export function parseJsonKeepingLongs(text: string, keys: ReadonlySet<string>): unknown {
  return JSON.parse(text, (key, value: unknown, context?: { source?: string }) =>
    keys.has(key) && typeof value === "number" && context?.source !== undefined ? context.source : value,
  );
}

// JSON.rawJSON (Node 21+) is not in TypeScript's ES2023 lib yet.
const rawJson = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;
