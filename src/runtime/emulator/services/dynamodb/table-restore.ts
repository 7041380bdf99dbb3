import type { DynaliteEngine, DynaliteTable, Item, SecondaryIndex } from "./dynalite-engine.js";
import { dynamoErrors } from "./errors.js";
import type { ItemTarget, ItemWriter } from "./item-writer.js";
import { applyCreateSettings, parseTableSettings, takeTableSettings } from "./table-settings.js";

/**
 * What RestoreTableFromBackup and RestoreTableToPointInTime share: reading every item of a table,
 * the source table's shape as a backup keeps it, and creating the restored table with its items.
 *
 * A restore creates a new table (the key schema, attribute definitions, billing mode, throughput,
 * secondary indexes and encryption of the source, unless overridden) and writes the items into it
 * before answering. As on AWS, nothing else comes along: no stream, TTL, tags, deletion protection,
 * table class or point-in-time recovery. The table carries `EmulatorRestoring` until its last item is written:
 * a table a crash left with it is a restore nobody was told about, and start-up removes it.
 */

type Input = Record<string, unknown>;

/** The source table's shape, as a backup (or a point in time) keeps it. */
export interface TableShape {
  TableName: string;
  TableArn: string;
  TableId: string;
  KeySchema: DynaliteTable["KeySchema"];
  AttributeDefinitions: DynaliteTable["AttributeDefinitions"];
  BillingMode: "PROVISIONED" | "PAY_PER_REQUEST";
  ProvisionedThroughput: { ReadCapacityUnits: number; WriteCapacityUnits: number };
  GlobalSecondaryIndexes: ShapeIndex[];
  LocalSecondaryIndexes: ShapeIndex[];
  /** Epoch seconds. */
  CreationDateTime: number;
  SSEDescription?: Record<string, unknown>;
}

interface ShapeIndex {
  IndexName: string;
  KeySchema: SecondaryIndex["KeySchema"];
  Projection: SecondaryIndex["Projection"];
  ProvisionedThroughput?: { ReadCapacityUnits: number; WriteCapacityUnits: number };
}

export const RESTORING_MEMBER = "EmulatorRestoring";

/** Every item of a table (dynalite's Scan, page by page). */
export async function allItems(engine: DynaliteEngine, table: string): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await engine.run("Scan", {
      TableName: table,
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    items.push(...((page["Items"] ?? []) as Item[]));
    start = page["LastEvaluatedKey"] as Item | undefined;
  } while (start);
  return items;
}

function throughputOf(value: unknown): { ReadCapacityUnits: number; WriteCapacityUnits: number } {
  const t = (value ?? {}) as Input;
  return {
    ReadCapacityUnits: Number(t["ReadCapacityUnits"] ?? 0),
    WriteCapacityUnits: Number(t["WriteCapacityUnits"] ?? 0),
  };
}

/** The shape of a stored table. */
export function shapeOf(table: DynaliteTable): TableShape {
  const onDemand = (table["BillingModeSummary"] as Input | undefined)?.["BillingMode"] === "PAY_PER_REQUEST";
  const index = (i: SecondaryIndex, global: boolean): ShapeIndex => ({
    IndexName: i.IndexName,
    KeySchema: i.KeySchema,
    Projection: i.Projection,
    ...(global ? { ProvisionedThroughput: throughputOf(i["ProvisionedThroughput"]) } : {}),
  });
  return {
    TableName: table.TableName,
    TableArn: table.TableArn,
    TableId: String(table["TableId"] ?? ""),
    KeySchema: table.KeySchema,
    AttributeDefinitions: table.AttributeDefinitions,
    BillingMode: onDemand ? "PAY_PER_REQUEST" : "PROVISIONED",
    ProvisionedThroughput: throughputOf(table["ProvisionedThroughput"]),
    GlobalSecondaryIndexes: (table.GlobalSecondaryIndexes ?? [])
      .filter((i) => i.IndexStatus !== "CREATING" && i.IndexStatus !== "DELETING")
      .map((i) => index(i, true)),
    LocalSecondaryIndexes: (table.LocalSecondaryIndexes ?? []).map((i) => index(i, false)),
    CreationDateTime: Number(table["CreationDateTime"] ?? 0),
    ...(table["SSEDescription"]
      ? { SSEDescription: table["SSEDescription"] as Record<string, unknown> }
      : {}),
  };
}

/** What a restore request may change about the restored table. */
export interface RestoreOverrides {
  BillingModeOverride?: string;
  ProvisionedThroughputOverride?: { ReadCapacityUnits: number; WriteCapacityUnits: number };
  GlobalSecondaryIndexOverride?: ShapeIndex[];
  LocalSecondaryIndexOverride?: ShapeIndex[];
  SSESpecificationOverride?: Record<string, unknown>;
}

/** The override members, as dynalite-style rules (so their shape errors read like DynamoDB's). */
const THROUGHPUT_RULE = {
  type: "FieldStruct<ProvisionedThroughput>",
  children: {
    ReadCapacityUnits: { type: "Long", notNull: true, greaterThanOrEqual: 1 },
    WriteCapacityUnits: { type: "Long", notNull: true, greaterThanOrEqual: 1 },
  },
};
const INDEX_RULE = {
  type: "List",
  children: {
    type: "ValueStruct<Index>",
    children: {
      IndexName: {
        type: "String",
        notNull: true,
        regex: "[a-zA-Z0-9_.-]+",
        lengthGreaterThanOrEqual: 3,
        lengthLessThanOrEqual: 255,
      },
      KeySchema: {
        type: "List",
        notNull: true,
        children: {
          type: "ValueStruct<KeySchemaElement>",
          children: {
            AttributeName: { type: "String", notNull: true },
            KeyType: { type: "String", notNull: true, enum: ["HASH", "RANGE"] },
          },
        },
      },
      Projection: {
        type: "FieldStruct<Projection>",
        notNull: true,
        children: {
          ProjectionType: { type: "String", enum: ["ALL", "KEYS_ONLY", "INCLUDE"] },
          NonKeyAttributes: { type: "List", children: "String" },
        },
      },
      ProvisionedThroughput: THROUGHPUT_RULE,
    },
  },
};
export const OVERRIDE_RULES = {
  BillingModeOverride: { type: "String", enum: ["PROVISIONED", "PAY_PER_REQUEST"] },
  ProvisionedThroughputOverride: THROUGHPUT_RULE,
  GlobalSecondaryIndexOverride: INDEX_RULE,
  LocalSecondaryIndexOverride: INDEX_RULE,
  SSESpecificationOverride: {
    type: "FieldStruct<SSESpecification>",
    children: {
      Enabled: "Boolean",
      SSEType: { type: "String", enum: ["AES256", "KMS"] },
      KMSMasterKeyId: "String",
    },
  },
};

const invalidRequest = (detail: string) => dynamoErrors.validation(`Invalid Request: ${detail}`);

/** The CreateTable request of the restored table, overrides applied (refused as DynamoDB refuses them). */
export function restoredTableRequest(shape: TableShape, target: string, overrides: RestoreOverrides): Input {
  const billing = overrides.BillingModeOverride ?? shape.BillingMode;
  const throughputOverride = overrides.ProvisionedThroughputOverride;
  if (overrides.BillingModeOverride === "PAY_PER_REQUEST" && throughputOverride)
    throw invalidRequest(
      "Cannot override ProvisionedThroughput if BillingMode is overridden to PAY_PER_REQUEST",
    );
  if (overrides.BillingModeOverride === undefined && billing === "PAY_PER_REQUEST" && throughputOverride)
    throw invalidRequest("Cannot override ProvisionedThroughput unless BillingMode is PROVISIONED");
  if (
    overrides.BillingModeOverride === "PROVISIONED" &&
    shape.BillingMode === "PAY_PER_REQUEST" &&
    !throughputOverride
  )
    throw invalidRequest("Must override ProvisionedThroughput if BillingMode is overridden to PROVISIONED");
  const provisioned = billing === "PROVISIONED";
  const gsis = chosenIndexes(shape.GlobalSecondaryIndexes, overrides.GlobalSecondaryIndexOverride).map(
    ({ index, asked }) => {
      const { ProvisionedThroughput: recorded, ...rest } = index;
      const wanted = asked?.ProvisionedThroughput;
      if (!provisioned) {
        if (wanted)
          throw invalidRequest(
            overrides.BillingModeOverride === "PAY_PER_REQUEST"
              ? `Cannot override ProvisionedThroughput if BillingMode is overridden to PAY_PER_REQUEST for index ${index.IndexName}`
              : `Cannot override ProvisionedThroughput unless BillingMode is PROVISIONED for index ${index.IndexName}`,
          );
        return rest;
      }
      // An index named in the override brings its own throughput; the others keep what they had
      // (an on-demand source's indexes had none: they take the table's).
      if (asked && !wanted)
        throw invalidRequest(`Must specify provisioned throughput for index ${index.IndexName}`);
      const value =
        wanted ?? (recorded && recorded.ReadCapacityUnits > 0 ? recorded : (throughputOverride ?? recorded));
      if (!value || value.ReadCapacityUnits < 1)
        throw invalidRequest(`Must specify provisioned throughput for index ${index.IndexName}`);
      return { ...rest, ProvisionedThroughput: value };
    },
  );
  const lsis = chosenIndexes(shape.LocalSecondaryIndexes, overrides.LocalSecondaryIndexOverride).map(
    ({ index }) => {
      const { ProvisionedThroughput: _none, ...rest } = index;
      return rest;
    },
  );
  // Only the attributes some remaining key uses are defined (DynamoDB refuses unused definitions).
  const used = new Set<string>();
  for (const key of [shape.KeySchema, ...gsis.map((i) => i.KeySchema), ...lsis.map((i) => i.KeySchema)])
    for (const element of key) used.add(element.AttributeName);
  const tableThroughput = throughputOverride ?? shape.ProvisionedThroughput;
  return {
    TableName: target,
    KeySchema: shape.KeySchema,
    AttributeDefinitions: shape.AttributeDefinitions.filter((d) => used.has(d.AttributeName)),
    BillingMode: billing,
    ...(provisioned ? { ProvisionedThroughput: tableThroughput } : {}),
    ...(gsis.length > 0 ? { GlobalSecondaryIndexes: gsis } : {}),
    ...(lsis.length > 0 ? { LocalSecondaryIndexes: lsis } : {}),
  };
}

/**
 * The indexes a restore creates: all of the source's when no override is given, else the ones the
 * override lists (`[]`: none). An override entry must match a source index by key schema and
 * projection; it may rename it. One that matches none would be a new index, which a restore
 * cannot create.
 */
function chosenIndexes(
  source: ShapeIndex[],
  override: ShapeIndex[] | undefined,
): { index: ShapeIndex; asked?: ShapeIndex }[] {
  if (!override) return source.map((index) => ({ index }));
  return override.map((asked) => {
    const existed = source.find((i) => sameKeys(i, asked) && sameProjection(i, asked));
    if (!existed)
      throw invalidRequest(
        `Index ${asked.IndexName} does not match a secondary index that existed in the source table and cannot be created during the restore operation`,
      );
    return { index: { ...existed, IndexName: asked.IndexName }, asked };
  });
}

function sameKeys(a: ShapeIndex, b: ShapeIndex): boolean {
  return (
    a.KeySchema.length === b.KeySchema.length &&
    a.KeySchema.every(
      (k, i) => k.AttributeName === b.KeySchema[i]?.AttributeName && k.KeyType === b.KeySchema[i]?.KeyType,
    )
  );
}

function sameProjection(a: ShapeIndex, b: ShapeIndex): boolean {
  const type = (p: ShapeIndex["Projection"]) => p.ProjectionType ?? "ALL";
  const attributes = (p: ShapeIndex["Projection"]) => [...(p.NonKeyAttributes ?? [])].sort().join("\u0000");
  return type(a.Projection) === type(b.Projection) && attributes(a.Projection) === attributes(b.Projection);
}

/**
 * Refuses a target name that is taken: TableInUseException while that table's own restore runs,
 * TableAlreadyExistsException for any other table (a DELETING one included, as on AWS).
 */
export async function checkTargetFree(engine: DynaliteEngine, target: string): Promise<void> {
  const existing = await engine.table(target);
  if (!existing) return;
  if (existing[RESTORING_MEMBER]) {
    const summary = (existing["RestoreSummary"] ?? {}) as Partial<RestoreSummary>;
    throw dynamoErrors.tableInUse(
      summary.SourceBackupArn
        ? `Table: ${target} is already being restored from backup: ${summary.SourceBackupArn}`
        : `Table: ${target} is already being restored from table: ${summary.SourceTableArn ?? ""}`,
    );
  }
  throw dynamoErrors.tableAlreadyExists(target);
}

export interface RestoreSummary {
  SourceBackupArn?: string;
  SourceTableArn: string;
  /** Epoch seconds. */
  RestoreDateTime: number;
}

/**
 * Creates the restored table and writes its items, 25 at a time through the one write path
 * (`ItemWriter.write`, under the items' locks, as every item write of the emulator). Answers the
 * table's description as DynamoDB answers a restore: CREATING, RestoreInProgress true (the table is
 * ACTIVE by the time it is read).
 */
export async function restoreTable(
  engine: DynaliteEngine,
  writer: ItemWriter,
  shape: TableShape,
  target: string,
  overrides: RestoreOverrides,
  items: Item[],
  summary: RestoreSummary,
): Promise<DynaliteTable> {
  const request = restoredTableRequest(shape, target, overrides);
  const given = takeTableSettings(request);
  if (overrides.SSESpecificationOverride)
    given.members["SSESpecification"] = overrides.SSESpecificationOverride;
  const data = engine.validate("CreateTable", request);
  await checkTargetFree(engine, target);
  applyCreateSettings(parseTableSettings(engine, given), data, engine.place);
  if (!overrides.SSESpecificationOverride && shape.SSEDescription)
    data["SSEDescription"] = shape.SSEDescription;
  data["RestoreSummary"] = { ...summary, RestoreInProgress: true };
  data[RESTORING_MEMBER] = true;
  let created: DynaliteTable;
  try {
    created = structuredClone(
      (await engine.execute("CreateTable", data))["TableDescription"],
    ) as DynaliteTable;
  } catch (error) {
    // Two restores (or a CreateTable) racing for the name: the second finds it taken.
    if (error instanceof Error && "code" in error && error.code === "ResourceInUseException")
      await checkTargetFree(engine, target);
    throw error;
  }
  await engine.settle(target, (t) => t?.TableStatus !== "CREATING");
  writer.forget(target);
  const table = await writer.schema(target);
  if (!table) throw dynamoErrors.internal(`the restored table ${target} vanished while it was written`);
  for (let start = 0; start < items.length; start += 25) {
    const chunk = items.slice(start, start + 25);
    const targets: ItemTarget[] = [];
    for (const item of chunk) {
      const key = engine.keyOf(table, item, false);
      if (key !== undefined) targets.push({ table: target, key });
    }
    const requests = chunk.map((Item) => ({ PutRequest: { Item } }));
    await writer.write(targets, false, () =>
      engine.run("BatchWriteItem", { RequestItems: { [target]: requests } }),
    );
  }
  // Once ACTIVE, DynamoDB's DescribeTable no longer shows a RestoreSummary: nothing marks a table
  // as restored after its restore finished.
  await engine.changeTable(target, (table) => {
    delete table[RESTORING_MEMBER];
    delete table["RestoreSummary"];
  });
  return created;
}

/** Start-up: removes the tables a crash left half restored (their restore was never answered). */
export async function removeInterruptedRestores(
  engine: DynaliteEngine,
  report: (message: string) => void,
): Promise<void> {
  for (const name of await tableNames(engine)) {
    const table = await engine.table(name);
    if (!table?.[RESTORING_MEMBER]) continue;
    await engine.run("DeleteTable", { TableName: name });
    await engine.settle(name, (t) => t === undefined);
    report(`dynamodb: removed table ${name}, a restore the crash interrupted (it was never answered)`);
  }
}

/** Every table name (dynalite's ListTables, page by page). */
export async function tableNames(engine: DynaliteEngine): Promise<string[]> {
  const names: string[] = [];
  let start: string | undefined;
  do {
    const page = await engine.run("ListTables", start ? { ExclusiveStartTableName: start } : {});
    names.push(...((page["TableNames"] ?? []) as string[]));
    start = page["LastEvaluatedTableName"] as string | undefined;
  } while (start);
  return names;
}
