import type { DynaliteEngine, DynaliteTable, Item } from "./dynalite-engine.js";

/**
 * ReturnItemCollectionMetrics: SIZE. DynamoDB answers it only for tables with a local secondary
 * index (an item collection is every item with one partition key value, in the table and its LSIs):
 * `{ItemCollectionKey: {<partition key>: value}, SizeEstimateRangeGB: [lower, upper]}`, the size
 * estimate a range of whole gigabytes (a small collection reads [0, 1]).
 */

export interface ItemCollectionMetric {
  ItemCollectionKey: Item;
  SizeEstimateRangeGB: [number, number];
}

const GIGABYTE = 1024 * 1024 * 1024;

export function hasItemCollections(table: DynaliteTable | undefined): table is DynaliteTable {
  const indexes = table?.["LocalSecondaryIndexes"];
  return Array.isArray(indexes) && indexes.length > 0;
}

/** One metric per distinct partition key among `keys` (items or keys of `table`). */
export async function itemCollectionMetrics(
  engine: DynaliteEngine,
  table: DynaliteTable,
  keys: Item[],
): Promise<ItemCollectionMetric[]> {
  const hash = table.KeySchema.find((k) => k.KeyType === "HASH")?.AttributeName;
  if (!hash) return [];
  const seen = new Set<string>();
  const metrics: ItemCollectionMetric[] = [];
  for (const key of keys) {
    const value = key[hash];
    if (!value) continue;
    const id = JSON.stringify(value);
    if (seen.has(id)) continue;
    seen.add(id);
    const bytes = await collectionBytes(engine, table.TableName, hash, value);
    const lower = Math.floor(bytes / GIGABYTE);
    metrics.push({ ItemCollectionKey: { [hash]: value }, SizeEstimateRangeGB: [lower, lower + 1] });
  }
  return metrics;
}

async function collectionBytes(
  engine: DynaliteEngine,
  table: string,
  hash: string,
  value: Item[string],
): Promise<number> {
  let bytes = 0;
  let start: unknown;
  do {
    const page = await engine.run("Query", {
      TableName: table,
      KeyConditionExpression: "#h = :h",
      ExpressionAttributeNames: { "#h": hash },
      ExpressionAttributeValues: { ":h": value },
      ConsistentRead: true,
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    for (const item of (page["Items"] as Item[] | undefined) ?? []) bytes += engine.itemSize(item);
    start = page["LastEvaluatedKey"];
  } while (start);
  return bytes;
}
