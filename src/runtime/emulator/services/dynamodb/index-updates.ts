import type { Clock, TimerHandle } from "../../core/clock.js";
import type { Rules } from "./constraints.js";
import type {
  AttributeValue,
  DynaliteEngine,
  DynaliteTable,
  Item,
  SecondaryIndex,
} from "./dynalite-engine.js";
import { dynamoErrors } from "./errors.js";
import type { ItemWriter } from "./item-writer.js";

/**
 * UpdateTable's GlobalSecondaryIndexUpdates Create and Delete on a live table, which dynalite
 * accepts and ignores. As on AWS an index is built in phases on the emulator clock:
 *
 *   UpdateTable answers  TableStatus UPDATING, IndexStatus CREATING, Backfilling false
 *   after allocation     TableStatus ACTIVE,   IndexStatus CREATING, Backfilling true
 *                        (existing items are copied into the index now; new writes go there anyway)
 *   when built           IndexStatus ACTIVE, Backfilling gone
 *
 * A Delete shows IndexStatus DELETING and TableStatus UPDATING until the index is dropped. The
 * status lives in the stored table description (LevelDB), so a restart resumes a build where it was.
 * One index Create or Delete per table at a time, per UpdateTable, as AWS limits it.
 */

type Input = Record<string, unknown>;

const ONE_AT_A_TIME =
  "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table";
const INVALID = "One or more parameter values were invalid: ";

const INDEX_NAME = {
  type: "String",
  notNull: true,
  regex: "[a-zA-Z0-9_.-]+",
  lengthGreaterThanOrEqual: 3,
  lengthLessThanOrEqual: 255,
};
const THROUGHPUT = {
  type: "FieldStruct<ProvisionedThroughput>",
  children: {
    ReadCapacityUnits: { type: "Long", notNull: true, greaterThanOrEqual: 1 },
    WriteCapacityUnits: { type: "Long", notNull: true, greaterThanOrEqual: 1 },
  },
};

const RULES: Rules = {
  AttributeDefinitions: {
    type: "List",
    children: {
      type: "ValueStruct<AttributeDefinition>",
      children: {
        AttributeName: { type: "String", notNull: true },
        AttributeType: { type: "String", notNull: true, enum: ["B", "N", "S"] },
      },
    },
  },
  TableName: {
    type: "String",
    notNull: true,
    regex: "[a-zA-Z0-9_.-]+",
    lengthGreaterThanOrEqual: 3,
    lengthLessThanOrEqual: 255,
  },
  GlobalSecondaryIndexUpdates: {
    type: "List",
    children: {
      type: "ValueStruct<GlobalSecondaryIndexUpdate>",
      children: {
        Update: {
          type: "FieldStruct<UpdateGlobalSecondaryIndexAction>",
          children: { IndexName: INDEX_NAME, ProvisionedThroughput: { ...THROUGHPUT, notNull: true } },
        },
        Create: {
          type: "FieldStruct<CreateGlobalSecondaryIndexAction>",
          children: {
            IndexName: INDEX_NAME,
            KeySchema: {
              type: "List",
              notNull: true,
              lengthGreaterThanOrEqual: 1,
              lengthLessThanOrEqual: 2,
              children: {
                type: "ValueStruct<KeySchemaElement>",
                children: {
                  AttributeName: {
                    type: "String",
                    notNull: true,
                    lengthGreaterThanOrEqual: 1,
                    lengthLessThanOrEqual: 255,
                  },
                  KeyType: { type: "String", notNull: true, enum: ["HASH", "RANGE"] },
                },
              },
            },
            Projection: {
              type: "FieldStruct<Projection>",
              notNull: true,
              children: {
                ProjectionType: { type: "String", enum: ["ALL", "KEYS_ONLY", "INCLUDE"] },
                NonKeyAttributes: {
                  type: "List",
                  lengthGreaterThanOrEqual: 1,
                  lengthLessThanOrEqual: 20,
                  children: "String",
                },
              },
            },
            ProvisionedThroughput: THROUGHPUT,
          },
        },
        Delete: {
          type: "FieldStruct<DeleteGlobalSecondaryIndexAction>",
          children: { IndexName: INDEX_NAME },
        },
      },
    },
  },
  BillingMode: { type: "String", enum: ["PROVISIONED", "PAY_PER_REQUEST"] },
};

/** Members that may come with an index Create or Delete (AWS refuses the others alongside). */
const COMPANIONS = new Set([
  "TableName",
  "AttributeDefinitions",
  "GlobalSecondaryIndexUpdates",
  "BillingMode",
]);

interface CreateAction {
  IndexName: string;
  KeySchema: { AttributeName: string; KeyType: string }[];
  Projection: { ProjectionType?: string; NonKeyAttributes?: string[] };
  ProvisionedThroughput?: { ReadCapacityUnits: number; WriteCapacityUnits: number };
}

interface IndexUpdate {
  Create?: CreateAction;
  Delete?: { IndexName: string };
  Update?: { IndexName: string; ProvisionedThroughput: unknown };
}

export interface IndexUpdateOptions {
  /** How long an index added by UpdateTable takes from CREATING to ACTIVE (emulator clock). */
  buildMs: number;
  reportError: (error: unknown) => void;
}

/** True when an UpdateTable request creates or deletes an index. */
export function changesIndexes(input: Input): boolean {
  const updates = input["GlobalSecondaryIndexUpdates"];
  return (
    Array.isArray(updates) &&
    updates.some(
      (u) => u && typeof u === "object" && ((u as IndexUpdate).Create || (u as IndexUpdate).Delete),
    )
  );
}

export class IndexUpdates {
  private readonly timers = new Set<TimerHandle>();
  private readonly work = new Set<Promise<void>>();
  /** Backfills under way, by table and index: a drop waits for its index's backfill. */
  private readonly backfills = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(
    private readonly engine: DynaliteEngine,
    private readonly writer: ItemWriter,
    private readonly clock: Clock,
    private readonly options: IndexUpdateOptions,
  ) {}

  /** UpdateTable with an index Create or Delete; the answer is the table as it now is. */
  async update(input: Input): Promise<DynaliteTable> {
    const extra = Object.keys(input).find((member) => !COMPANIONS.has(member) && input[member] != null);
    const data = this.engine.checkRequest(RULES, input);
    const updates = (data["GlobalSecondaryIndexUpdates"] ?? []) as IndexUpdate[];
    for (const update of updates) {
      const actions = (["Update", "Create", "Delete"] as const).filter((a) => update[a]);
      if (actions.length === 0)
        throw dynamoErrors.validation(
          `${INVALID}One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null`,
        );
      if (actions.length > 1)
        throw dynamoErrors.validation(
          `${INVALID}Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate object`,
        );
    }
    const names = updates.map((u) => (u.Create ?? u.Delete ?? u.Update)?.IndexName);
    const repeated = names.find((n, i) => names.indexOf(n) !== i);
    if (repeated)
      throw dynamoErrors.validation(
        `${INVALID}Only one global secondary index update per index is allowed simultaneously. Index: ${repeated}`,
      );
    const online = updates.filter((u) => u.Create || u.Delete);
    if (online.length > 1) throw dynamoErrors.limitExceeded(ONE_AT_A_TIME);
    // AWS takes only BillingMode and index throughput Updates alongside an index Create or Delete.
    if (extra)
      throw dynamoErrors.validation(
        `${INVALID}${extra} cannot be updated in the same request as a global secondary index Create or Delete`,
      );

    const name = data["TableName"] as string;
    const action = online[0] as IndexUpdate;
    const definitions = (data["AttributeDefinitions"] ?? []) as {
      AttributeName: string;
      AttributeType: string;
    }[];
    const changed = await this.engine.changeTable(name, (table) => {
      const busy = (table.GlobalSecondaryIndexes ?? []).find(
        (i) => i.IndexStatus === "CREATING" || i.IndexStatus === "DELETING",
      );
      if (action.Create) {
        if (busy) throw dynamoErrors.limitExceeded(ONE_AT_A_TIME);
        return create(table, action.Create, definitions);
      }
      const indexName = (action.Delete as { IndexName: string }).IndexName;
      const index = (table.GlobalSecondaryIndexes ?? []).find((i) => i.IndexName === indexName);
      if (!index) {
        if ((table.LocalSecondaryIndexes ?? []).some((i) => i.IndexName === indexName))
          throw dynamoErrors.validation(
            `Cannot delete an index that is not a GlobalSecondaryIndex: ${indexName}`,
          );
        throw dynamoErrors.resourceNotFound(
          `Requested resource not found: Index ${indexName} for table ${name}`,
        );
      }
      if (busy && busy !== index) throw dynamoErrors.limitExceeded(ONE_AT_A_TIME);
      if (index.IndexStatus === "DELETING") throw dynamoErrors.limitExceeded(ONE_AT_A_TIME);
      if (index.IndexStatus === "CREATING" && index.Backfilling !== true)
        throw dynamoErrors.resourceInUse(
          `Attempt to change a resource which is still in use: Index creation is in resource allocation phase. Retry deletion during backfilling phase or when the index is active. Table: ${name} Index: ${indexName}`,
        );
      index.IndexStatus = "DELETING";
      delete index.Backfilling;
      table.TableStatus = "UPDATING";
      return undefined;
    });
    if (!changed) throw dynamoErrors.tableNotFound(name);
    this.writer.forget(name);
    const companions = updates.filter((u) => u.Update);
    if (companions.length > 0 || data["BillingMode"]) {
      await this.engine.run("UpdateTable", {
        TableName: name,
        ...(data["BillingMode"] ? { BillingMode: data["BillingMode"] } : {}),
        ...(companions.length > 0 ? { GlobalSecondaryIndexUpdates: companions } : {}),
      });
    }
    if (action.Create) this.scheduleBuild(name, action.Create.IndexName);
    else this.scheduleDrop(name, (action.Delete as { IndexName: string }).IndexName);
    return changed.table;
  }

  /** Picks up builds and deletions a restart interrupted. */
  async resume(): Promise<void> {
    let start: unknown;
    do {
      const page = await this.engine.run("ListTables", start ? { ExclusiveStartTableName: start } : {});
      for (const name of (page["TableNames"] as string[] | undefined) ?? []) {
        const table = await this.engine.table(name);
        for (const index of table?.GlobalSecondaryIndexes ?? []) {
          if (index.IndexStatus === "CREATING") this.scheduleBuild(name, index.IndexName);
          if (index.IndexStatus === "DELETING") this.scheduleDrop(name, index.IndexName);
        }
      }
      start = page["LastEvaluatedTableName"];
    } while (start);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
    await Promise.allSettled([...this.work]);
  }

  private later(ms: number, step: () => Promise<void>): void {
    if (this.stopped) return;
    const timer = this.clock.setTimeout(() => {
      this.timers.delete(timer);
      if (this.stopped) return;
      const running = step().catch((error: unknown) => this.options.reportError(error));
      this.work.add(running);
      void running.finally(() => this.work.delete(running));
    }, ms);
    this.timers.add(timer);
  }

  /** Allocation, then the backfill, then ACTIVE. */
  private scheduleBuild(table: string, indexName: string): void {
    const allocation = Math.floor(this.options.buildMs / 4);
    this.later(allocation, async () => {
      const changed = await this.engine.changeTable(table, (t) => {
        const index = t.GlobalSecondaryIndexes?.find((i) => i.IndexName === indexName);
        if (!index || index.IndexStatus !== "CREATING") return false;
        index.Backfilling = true;
        if (!t.GlobalSecondaryIndexes?.some((i) => i.IndexStatus === "DELETING")) t.TableStatus = "ACTIVE";
        return true;
      });
      if (!changed?.result) return;
      // The build ends on schedule, once the backfill is through.
      const id = `${table}\u0000${indexName}`;
      const filled = this.backfill(changed.table, indexName).finally(() => this.backfills.delete(id));
      this.backfills.set(
        id,
        filled.catch(() => undefined),
      );
      this.later(this.options.buildMs - allocation, async () => {
        await filled;
        await this.engine.changeTable(table, (t) => {
          const index = t.GlobalSecondaryIndexes?.find((i) => i.IndexName === indexName);
          if (!index || index.IndexStatus !== "CREATING") return;
          index.IndexStatus = "ACTIVE";
          delete index.Backfilling;
        });
      });
      await filled;
    });
  }

  /** Drops the index, its entries, and the attribute definitions no key uses any more. */
  private scheduleDrop(table: string, indexName: string): void {
    this.later(Math.max(1, Math.floor(this.options.buildMs / 4)), async () => {
      await this.backfills.get(`${table}\u0000${indexName}`);
      const changed = await this.engine.changeTable(table, (t) => {
        const indexes = t.GlobalSecondaryIndexes ?? [];
        if (!indexes.some((i) => i.IndexName === indexName && i.IndexStatus === "DELETING")) return false;
        const kept = indexes.filter((i) => i.IndexName !== indexName);
        if (kept.length > 0) t.GlobalSecondaryIndexes = kept;
        else delete t.GlobalSecondaryIndexes;
        const used = new Set(
          [
            t.KeySchema,
            ...kept.map((i) => i.KeySchema),
            ...(t.LocalSecondaryIndexes ?? []).map((i) => i.KeySchema),
          ]
            .flat()
            .map((k) => k.AttributeName),
        );
        t.AttributeDefinitions = t.AttributeDefinitions.filter((d) => used.has(d.AttributeName));
        if (!kept.some((i) => i.IndexStatus === "CREATING" && i.Backfilling !== true))
          t.TableStatus = "ACTIVE";
        return true;
      });
      if (changed?.result) await this.engine.dropIndex(table, indexName);
      this.writer.forget(table);
    });
  }

  /**
   * Copies every item that has the index's key attributes, of the defined types and within the key
   * size limits, into the index (AWS skips the others silently). Each copy goes through the one
   * write path (`ItemWriter.write`): under the item's lock, so a write racing the backfill cannot be
   * overwritten by an older copy, and journaled like any write. The item itself does not change, so
   * no stream record comes of it (AWS writes none for a backfill either). A crash mid-backfill
   * leaves the index CREATING in the stored table; `resume` runs the backfill again (it is
   * idempotent: each entry is the item as it is now).
   */
  private async backfill(table: DynaliteTable, indexName: string): Promise<void> {
    const index = table.GlobalSecondaryIndexes?.find((i) => i.IndexName === indexName);
    if (!index) return;
    const types = new Map(table.AttributeDefinitions.map((d) => [d.AttributeName, d.AttributeType]));
    let start: unknown;
    do {
      const page = await this.engine.run("Scan", {
        TableName: table.TableName,
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      });
      for (const scanned of (page["Items"] as Item[] | undefined) ?? []) {
        if (this.stopped) return;
        const key = this.engine.keyOf(table, scanned, false);
        if (key === undefined) continue;
        await this.writer.write([{ table: table.TableName, key }], true, async ([item]) => {
          if (item && indexable(item, index, types)) await this.engine.putIndexEntry(table, index, item);
        });
      }
      start = page["LastEvaluatedKey"];
    } while (start);
  }
}

/** Adds the index (CREATING) to the stored description; refuses what AWS refuses. */
function create(
  table: DynaliteTable,
  action: CreateAction,
  definitions: { AttributeName: string; AttributeType: string }[],
): undefined {
  const name = action.IndexName;
  const all = [...(table.GlobalSecondaryIndexes ?? []), ...(table.LocalSecondaryIndexes ?? [])];
  // The existing-index check comes before the schema checks (as AWS orders them).
  if (all.some((i) => i.IndexName === name))
    throw dynamoErrors.validation("Attempting to create an index which already exists");
  const [hash, range] = action.KeySchema;
  if (hash?.KeyType !== "HASH")
    throw dynamoErrors.validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
  if (range && range.KeyType !== "RANGE")
    throw dynamoErrors.validation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
  if (range && range.AttributeName === hash.AttributeName)
    throw dynamoErrors.validation(
      "Both the Hash Key and the Range Key element in the KeySchema have the same name",
    );
  const defined = new Map(definitions.map((d) => [d.AttributeName, d.AttributeType]));
  if (action.KeySchema.some((k) => !defined.has(k.AttributeName)))
    throw dynamoErrors.validation(`${INVALID}AttributeDefinitions is not specified for index: ${name}`);
  for (const key of action.KeySchema) {
    const existing = table.AttributeDefinitions.find((d) => d.AttributeName === key.AttributeName);
    const type = defined.get(key.AttributeName);
    if (existing && existing.AttributeType !== type)
      throw dynamoErrors.validation(
        `${INVALID}Attributes cannot be redefined. Please check that your attribute has the same type as previously defined. Attribute: ${key.AttributeName}, existing type: ${existing.AttributeType}, new type: ${String(type)}`,
      );
  }
  const projection = action.Projection;
  if (!projection.ProjectionType) throw dynamoErrors.validation(`${INVALID}Unknown ProjectionType: null`);
  if (projection.ProjectionType === "INCLUDE" && !projection.NonKeyAttributes)
    throw dynamoErrors.validation(
      `${INVALID}ProjectionType is INCLUDE, but NonKeyAttributes is not specified`,
    );
  if (projection.ProjectionType !== "INCLUDE" && projection.NonKeyAttributes)
    throw dynamoErrors.validation(
      `${INVALID}ProjectionType is ${projection.ProjectionType}, but NonKeyAttributes is specified`,
    );
  const provisioned =
    (table["BillingModeSummary"] as { BillingMode?: string } | undefined)?.BillingMode !== "PAY_PER_REQUEST";
  if (provisioned && !action.ProvisionedThroughput)
    throw dynamoErrors.validation(`${INVALID}ProvisionedThroughput should not be null for index: ${name}`);
  if (!provisioned && action.ProvisionedThroughput)
    throw dynamoErrors.validation(
      `${INVALID}ProvisionedThroughput should not be specified for index: ${name} when BillingMode is PAY_PER_REQUEST`,
    );

  for (const key of action.KeySchema) {
    if (!table.AttributeDefinitions.some((d) => d.AttributeName === key.AttributeName))
      table.AttributeDefinitions.push({
        AttributeName: key.AttributeName,
        AttributeType: defined.get(key.AttributeName) as string,
      });
  }
  const arn = String(table.TableArn);
  const index: SecondaryIndex = {
    IndexName: name,
    KeySchema: action.KeySchema.map((k) => ({
      AttributeName: k.AttributeName,
      KeyType: k.KeyType as "HASH" | "RANGE",
    })),
    Projection: {
      ProjectionType: projection.ProjectionType,
      ...(projection.NonKeyAttributes ? { NonKeyAttributes: projection.NonKeyAttributes } : {}),
    },
    IndexStatus: "CREATING",
    Backfilling: false,
    ProvisionedThroughput: {
      ReadCapacityUnits: action.ProvisionedThroughput?.ReadCapacityUnits ?? 0,
      WriteCapacityUnits: action.ProvisionedThroughput?.WriteCapacityUnits ?? 0,
      NumberOfDecreasesToday: 0,
    },
    IndexSizeBytes: 0,
    ItemCount: 0,
    IndexArn: `${arn}/index/${name}`,
  };
  table.GlobalSecondaryIndexes = [...(table.GlobalSecondaryIndexes ?? []), index];
  table.TableStatus = "UPDATING";
  return undefined;
}

/** An item belongs in the index when each key attribute is there, of its type, non-empty, in size. */
function indexable(item: Item, index: SecondaryIndex, types: Map<string, string>): boolean {
  return index.KeySchema.every((key) => {
    const value: AttributeValue | undefined = item[key.AttributeName];
    const type = types.get(key.AttributeName);
    if (!value || !type) return false;
    const raw = value[type];
    if (typeof raw !== "string" || raw.length === 0) return false;
    const bytes = type === "B" ? Buffer.from(raw, "base64").length : Buffer.byteLength(raw);
    return bytes <= (key.KeyType === "HASH" ? 2048 : 1024);
  });
}

/**
 * Query and Scan refuse an index that is not ACTIVE: being built ("Cannot read from backfilling
 * global secondary index: <name>") or being deleted (gone, as far as readers are concerned).
 */
export function checkIndexReadable(table: DynaliteTable | undefined, indexName: unknown): void {
  if (!table || typeof indexName !== "string") return;
  const index = table.GlobalSecondaryIndexes?.find((i) => i.IndexName === indexName);
  if (!index) return;
  if (index.IndexStatus === "CREATING")
    throw dynamoErrors.validation(`Cannot read from backfilling global secondary index: ${indexName}`);
  if (index.IndexStatus === "DELETING")
    throw dynamoErrors.validation(`The table does not have the specified index: ${indexName}`);
}
