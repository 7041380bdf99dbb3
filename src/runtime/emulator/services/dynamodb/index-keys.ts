import type { DynaliteTable, Item } from "./dynalite-engine.js";
import { dynamoErrors } from "./errors.js";

/**
 * Secondary index keys DynamoDB refuses and dynalite lets through: an empty string or binary as an
 * index key attribute (dynalite refuses it only for the table's own key) and, on a Scan, a
 * consistent read of a global secondary index (dynalite checks Query only).
 *
 * An item written with an empty index key value reads `One or more parameter values are not valid.
 * A value specified for a secondary index key is not supported. The AttributeValue for a key
 * attribute cannot contain an empty string value. IndexName: <index>, IndexKey: <attribute>` (binary:
 * `empty binary value`), naming the first index by name that uses the attribute. An UpdateItem whose
 * update would leave one reads `… The update expression attempted to update a secondary index key to
 * a value that is not supported. The AttributeValue for a key attribute cannot contain an empty
 * string value.` A value of another type than the index key's is left to dynalite (its type
 * mismatch message).
 */

type Input = Record<string, unknown>;

interface IndexKey {
  indexName: string;
  attribute: string;
  type: string;
}

interface SecondaryIndex {
  IndexName: string;
  KeySchema: { AttributeName: string }[];
}

/** The key attributes of the table's secondary indexes, ordered by index name. */
function indexKeys(table: DynaliteTable): IndexKey[] {
  const indexes = [
    ...((table.GlobalSecondaryIndexes ?? []) as SecondaryIndex[]),
    ...((table["LocalSecondaryIndexes"] ?? []) as SecondaryIndex[]),
  ].sort((a, b) => (a.IndexName < b.IndexName ? -1 : a.IndexName > b.IndexName ? 1 : 0));
  const types = new Map(table.AttributeDefinitions.map((d) => [d.AttributeName, d.AttributeType]));
  const tableKeys = new Set(table.KeySchema.map((k) => k.AttributeName));
  const keys: IndexKey[] = [];
  for (const index of indexes)
    for (const { AttributeName } of index.KeySchema) {
      // The table's own key attributes are checked (and worded) by dynalite.
      if (tableKeys.has(AttributeName)) continue;
      keys.push({
        indexName: index.IndexName,
        attribute: AttributeName,
        type: types.get(AttributeName) ?? "S",
      });
    }
  return keys;
}

/** True when the table has secondary index keys of its own (the checks below have work to do). */
export function hasIndexKeys(table: DynaliteTable | undefined): boolean {
  return table !== undefined && indexKeys(table).length > 0;
}

/** "string" or "binary" when `value` is an empty value of the index key's own type. */
function emptyKind(value: unknown, type: string): "string" | "binary" | undefined {
  if (!value || typeof value !== "object" || (type !== "S" && type !== "B")) return undefined;
  // dynalite holds binary values as base64: an empty binary is "" too.
  return (value as Record<string, unknown>)[type] === "" ? (type === "S" ? "string" : "binary") : undefined;
}

/** PutItem, BatchWriteItem's PutRequest, a transaction's Put: an item with an empty index key. */
export function checkItemIndexKeys(table: DynaliteTable, item: Item | undefined): void {
  if (!item) return;
  for (const key of indexKeys(table)) {
    const kind = emptyKind(item[key.attribute], key.type);
    if (kind)
      throw dynamoErrors.validation(
        "One or more parameter values are not valid. A value specified for a secondary index key is not supported. " +
          `The AttributeValue for a key attribute cannot contain an empty ${kind} value. ` +
          `IndexName: ${key.indexName}, IndexKey: ${key.attribute}`,
      );
  }
}

/**
 * UpdateItem (or a transaction's Update): refuses an update that would leave an index key empty.
 * `data` is the validated request (dynalite's parsed UpdateExpression in `_updates`, or the legacy
 * AttributeUpdates); `old` the item before, read under its lock.
 */
export function checkUpdateIndexKeys(table: DynaliteTable, data: Input, old: Item | undefined): void {
  const keys = indexKeys(table);
  if (keys.length === 0) return;
  for (const key of keys) {
    const value = updatedValue(data, key.attribute, old);
    const kind = emptyKind(value, key.type);
    if (kind)
      throw dynamoErrors.validation(
        "One or more parameter values are not valid. The update expression attempted to update a secondary index key to a value that is not supported. " +
          `The AttributeValue for a key attribute cannot contain an empty ${kind} value.`,
      );
  }
}

interface UpdateSection {
  type: string;
  path: (string | number)[];
  val?: unknown;
}

/** The value a top-level attribute gets from the update (undefined: unchanged or removed). */
function updatedValue(data: Input, attribute: string, old: Item | undefined): unknown {
  const updates = data["_updates"] as { sections?: UpdateSection[] } | undefined;
  if (updates?.sections) {
    const section = updates.sections.find(
      (s) => s.type === "set" && s.path.length === 1 && s.path[0] === attribute,
    );
    return section ? resolve(section.val, old) : undefined;
  }
  const legacy = (data["AttributeUpdates"] as Record<string, { Action?: string; Value?: unknown }>) ?? {};
  const update = legacy[attribute];
  return update && (update.Action === undefined || update.Action === "PUT") ? update.Value : undefined;
}

/** An UpdateExpression operand as dynalite parsed it: a value, a path, or a function. */
function resolve(operand: unknown, old: Item | undefined): unknown {
  if (Array.isArray(operand)) return valueAt(old, operand as (string | number)[]);
  if (!operand || typeof operand !== "object") return undefined;
  const node = operand as { type?: string; name?: string; args?: unknown[] };
  if (node.type === "function" && node.name === "if_not_exists")
    return resolve(node.args?.[0], old) ?? resolve(node.args?.[1], old);
  if (node.type !== undefined) return undefined; // arithmetic or list_append: not a string or binary
  return operand;
}

function valueAt(item: Item | undefined, path: (string | number)[]): unknown {
  let current: unknown = item ? { M: item } : undefined;
  for (const step of path) {
    const holder = current as { M?: Record<string, unknown>; L?: unknown[] } | undefined;
    current = typeof step === "number" ? holder?.L?.[step] : holder?.M?.[step];
    if (current === undefined) return undefined;
  }
  return current;
}

/** Scan (and Query) of a global secondary index with ConsistentRead: true. */
export function checkConsistentIndexRead(table: DynaliteTable | undefined, input: Input): void {
  if (!table || input["ConsistentRead"] !== true || typeof input["IndexName"] !== "string") return;
  const global = ((table.GlobalSecondaryIndexes ?? []) as SecondaryIndex[]).some(
    (index) => index.IndexName === input["IndexName"],
  );
  if (global) throw dynamoErrors.validation("Consistent reads are not supported on global secondary indexes");
}
