import { createRequire } from "node:module";
import { ServiceError } from "../../core/errors.js";
import { ConstraintError, checkConstraints, type Rules } from "./constraints.js";
import { DynamoDbError, dynamoErrors } from "./errors.js";
import { resetSyntaxFailure, rewordSyntaxError } from "./expression-syntax.js";

/**
 * DynamoDB storage and semantics by dynalite, called in-process: the same type checks, validations
 * and actions its HTTP handler runs, minus the HTTP hop and the SigV4 header checks. Error bodies
 * come out exactly as dynalite renders them (AWS-shaped). dynalite is CommonJS without types; the
 * narrow interfaces below describe the parts used.
 */

export type Item = Record<string, AttributeValue>;
export type AttributeValue = Record<string, unknown>;

export interface KeySchemaElement {
  AttributeName: string;
  KeyType: "HASH" | "RANGE";
}

export interface SecondaryIndex {
  IndexName: string;
  KeySchema: KeySchemaElement[];
  Projection: { ProjectionType: string; NonKeyAttributes?: string[] };
  IndexStatus?: string;
  Backfilling?: boolean;
  [member: string]: unknown;
}

export interface DynaliteTable {
  TableName: string;
  TableArn: string;
  TableStatus: string;
  KeySchema: KeySchemaElement[];
  AttributeDefinitions: { AttributeName: string; AttributeType: string }[];
  GlobalSecondaryIndexes?: SecondaryIndex[];
  LocalSecondaryIndexes?: SecondaryIndex[];
  [member: string]: unknown;
}

interface DynaliteFailure extends Error {
  statusCode?: number;
  body?: Record<string, unknown>;
}

type Callback<T> = (error: DynaliteFailure | null | undefined, value?: T) => void;

interface SubDb {
  get(key: string, callback: Callback<Item>): void;
}

interface WritableDb<T> {
  get(key: string, callback: Callback<T>): void;
  put(key: string, value: T, callback: (error?: Error | null) => void): void;
  del(key: string, callback: (error?: Error | null) => void): void;
}

interface TableDb extends WritableDb<DynaliteTable> {
  awsAccountId: string;
  awsRegion: string;
  /** dynalite's per-key lock: `release(cb)` wraps the callback that ends the critical section. */
  lock(
    key: string,
    critical: (release: <F extends (...args: never[]) => void>(callback: F) => F) => void,
  ): void;
}

interface DynaliteStore {
  tableDb: TableDb;
  getItemDb(table: string): SubDb;
  getIndexDb(indexType: "Global" | "Local", table: string, index: string): WritableDb<Item>;
  deleteIndexDb(
    indexType: "Global" | "Local",
    table: string,
    index: string,
    callback: (error?: Error | null) => void,
  ): void;
  getTable(name: string, checkStatus: boolean, callback: Callback<DynaliteTable>): void;
  lifecycleManager?: { gracefulClose(callback: (error?: Error | null) => void): void };
  /** The level database under the sub-databases (memory-level when in memory). */
  db: unknown;
}

interface DynaliteDb {
  create(options: Record<string, unknown>): DynaliteStore;
  createKey(item: Item, table: DynaliteTable): string;
  createIndexKey(item: Item, table: DynaliteTable, keySchema: KeySchemaElement[]): string;
  validateItem(item: Item, table: DynaliteTable): DynaliteFailure | null | undefined;
  validateKey(key: Item, table: DynaliteTable): DynaliteFailure | null | undefined;
  checkConditional(data: ValidatedInput, existing: Item | undefined): DynaliteFailure | null | undefined;
  itemSize(item: Item): number;
}

interface DynaliteValidations {
  checkTypes(data: Record<string, unknown>, types: unknown): ValidatedInput;
}

type CustomCheck = (data: ValidatedInput, store: DynaliteStore) => string | undefined;

type Action = (store: DynaliteStore, data: ValidatedInput, callback: Callback<Output>) => void;

/** Input after dynalite's checks: known members only, expressions parsed into private members. */
export type ValidatedInput = Record<string, unknown> & { readonly __validated: unique symbol };
export type Output = Record<string, unknown>;

/** The operations dynalite implements (its own list); the rest are the emulator's. */
export const DYNALITE_OPERATIONS = [
  "BatchGetItem",
  "BatchWriteItem",
  "CreateTable",
  "DeleteItem",
  "DeleteTable",
  "DescribeTable",
  "DescribeTimeToLive",
  "GetItem",
  "ListTables",
  "ListTagsOfResource",
  "PutItem",
  "Query",
  "Scan",
  "TagResource",
  "UntagResource",
  "UpdateItem",
  "UpdateTable",
] as const;
export type DynaliteOperation = (typeof DYNALITE_OPERATIONS)[number];

const require = createRequire(import.meta.url);
const db = require("dynalite/db") as DynaliteDb;
const validations = require("dynalite/validations") as DynaliteValidations;

interface ActionModule {
  run: Action;
  types: Rules;
  custom: CustomCheck | undefined;
}
const actions = new Map<DynaliteOperation, ActionModule>();
function actionFor(operation: DynaliteOperation): ActionModule {
  let action = actions.get(operation);
  if (!action) {
    const name = operation.charAt(0).toLowerCase() + operation.slice(1);
    const rules = require(`dynalite/validations/${name}`) as { types: Rules; custom?: CustomCheck };
    action = {
      run: require(`dynalite/actions/${name}`) as Action,
      types: rules.types,
      custom: rules.custom,
    };
    actions.set(operation, action);
  }
  return action;
}

/** Turns what dynalite throws or calls back with into an AWS error. */
function toError(error: unknown): Error {
  const failure = error as DynaliteFailure;
  if (failure && typeof failure.statusCode === "number" && failure.body) {
    return new DynamoDbError(failure.statusCode, failure.body);
  }
  return dynamoErrors.internal(error instanceof Error ? error.message : String(error));
}

/**
 * In memory, dynalite's memory-level keeps each key and value as the Buffer its encoder made from a
 * string. A Buffer under 4 KiB is a slice of a shared 8 KiB pool, and a kept slice keeps its whole
 * pool: one stored item per pool, as requests allocate in between (10,000 people's cycle left 54,000
 * pools, 440 MB, alive at its end). A stored key or value is copied into memory
 * of its own, exactly its size, before the tree keeps it.
 */
function storeUnpooled(level: unknown): void {
  const db = level as {
    _put?: (key: unknown, value: unknown, options: unknown) => Promise<void>;
    _batch?: (
      operations: { type: string; key: unknown; value?: unknown }[],
      options: unknown,
    ) => Promise<void>;
  };
  const put = db._put;
  const batch = db._batch;
  if (typeof put !== "function" || typeof batch !== "function") return;
  const own = (data: unknown): unknown => {
    if (!Buffer.isBuffer(data) || data.byteLength === data.buffer.byteLength) return data;
    const copy = Buffer.allocUnsafeSlow(data.byteLength);
    data.copy(copy);
    return copy;
  };
  db._put = (key, value, options) => put.call(db, own(key), own(value), options);
  db._batch = (operations, options) =>
    batch.call(
      db,
      operations.map((op) => (op.type === "put" ? { ...op, key: own(op.key), value: own(op.value) } : op)),
      options,
    );
}

export interface DynaliteEngineOptions {
  /** LevelDB folder; in memory when absent. */
  path?: string;
  accountId: string;
  region: string;
}

export class DynaliteEngine {
  private readonly store: DynaliteStore;

  constructor(options: DynaliteEngineOptions) {
    this.store = db.create({
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
      ...(options.path ? { path: options.path } : {}),
    });
    if (!options.path) storeUnpooled(this.store.db);
    // dynalite reads these from process.env at creation; the emulator's account and region win.
    this.store.tableDb.awsAccountId = options.accountId;
    this.store.tableDb.awsRegion = options.region;
  }

  /** The account and region this engine's tables belong to (their ARNs carry them). */
  get place(): { accountId: string; region: string } {
    return { accountId: this.store.tableDb.awsAccountId, region: this.store.tableDb.awsRegion };
  }

  /**
   * Type-checks and validates a request the way dynalite's HTTP handler does (throws AWS errors),
   * with the model constraints worded as AWS words them (constraints.ts).
   */
  validate(operation: DynaliteOperation, input: Record<string, unknown>): ValidatedInput {
    const { types, custom } = actionFor(operation);
    try {
      const data = validations.checkTypes(input, types);
      checkConstraints(data, types);
      resetSyntaxFailure();
      const message = custom?.(data, this.store);
      if (message) throw dynamoErrors.validation(rewordSyntaxError(message) ?? message);
      return data;
    } catch (error) {
      if (error instanceof ConstraintError) throw dynamoErrors.validation(error.message);
      if (error instanceof ServiceError) throw error;
      throw toError(error);
    }
  }

  /**
   * Type-checks and validates a request of an operation dynalite lacks, against rules written in
   * dynalite's format (so types and constraints are worded like every other operation's).
   */
  checkRequest(rules: Rules, input: Record<string, unknown>): Record<string, unknown> {
    try {
      const data = validations.checkTypes(input, rules);
      checkConstraints(data, rules);
      return data;
    } catch (error) {
      if (error instanceof ConstraintError) throw dynamoErrors.validation(error.message);
      throw toError(error);
    }
  }

  /** Runs a validated request. */
  execute(operation: DynaliteOperation, data: ValidatedInput): Promise<Output> {
    const { run } = actionFor(operation);
    return new Promise((resolve, reject) => {
      try {
        run(this.store, data, (error, output) => (error ? reject(toError(error)) : resolve(output ?? {})));
      } catch (error) {
        reject(toError(error));
      }
    });
  }

  run(operation: DynaliteOperation, input: Record<string, unknown>): Promise<Output> {
    try {
      return this.execute(operation, this.validate(operation, input));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : toError(error));
    }
  }

  /** The stored table description, whatever its status; undefined when there is no such table. */
  table(name: string): Promise<DynaliteTable | undefined> {
    return new Promise((resolve, reject) => {
      this.store.getTable(name, false, (error, table) => {
        if (error?.body && String(error.body["__type"]).endsWith("ResourceNotFoundException"))
          return resolve(undefined);
        if (error) return reject(toError(error));
        resolve(table);
      });
    });
  }

  /**
   * Changes a table's stored description under dynalite's own table lock (the one its UpdateTable
   * takes), so the emulator's changes (TTL, index status) and dynalite's never overwrite each other.
   * `change` may throw to refuse; the table is then left as it was. Undefined for a missing table.
   */
  changeTable<T>(
    name: string,
    change: (table: DynaliteTable) => T,
  ): Promise<{ table: DynaliteTable; result: T } | undefined> {
    const tableDb = this.store.tableDb;
    return new Promise((resolve, reject) => {
      tableDb.lock(name, (release) => {
        const done = release((error: unknown, value?: { table: DynaliteTable; result: T }) =>
          error ? reject(error instanceof Error ? error : toError(error)) : resolve(value),
        );
        tableDb.get(name, (error, table) => {
          if (error) return error.name === "NotFoundError" ? done(null, undefined) : done(toError(error));
          if (!table) return done(null, undefined);
          let result: T;
          try {
            result = change(table);
          } catch (refusal) {
            return done(refusal);
          }
          tableDb.put(name, table, (putError) =>
            putError ? done(toError(putError)) : done(null, { table, result }),
          );
        });
      });
    });
  }

  /** Writes one item's entry into a global secondary index (as dynalite's write path does). */
  putIndexEntry(table: DynaliteTable, index: SecondaryIndex, item: Item): Promise<void> {
    const tableKeys = table.KeySchema.map((k) => k.AttributeName);
    const indexKeys = index.KeySchema.map((k) => k.AttributeName);
    let entry = item;
    if (index.Projection.ProjectionType !== "ALL") {
      entry = {};
      for (const name of [...indexKeys, ...tableKeys, ...(index.Projection.NonKeyAttributes ?? [])]) {
        const value = item[name];
        if (value !== undefined) entry[name] = value;
      }
    }
    const key = db.createIndexKey(entry, table, index.KeySchema);
    const indexDb = this.store.getIndexDb("Global", table.TableName, index.IndexName);
    return new Promise((resolve, reject) =>
      indexDb.put(key, entry, (error) => (error ? reject(toError(error)) : resolve())),
    );
  }

  /** Drops every entry of a global secondary index. */
  dropIndex(table: string, index: string): Promise<void> {
    return new Promise((resolve, reject) =>
      this.store.deleteIndexDb("Global", table, index, (error) =>
        error ? reject(toError(error)) : resolve(),
      ),
    );
  }

  /** Waits (a few event-loop turns with dynalite's 0 ms transitions) for a table status change. */
  async settle(name: string, until: (table: DynaliteTable | undefined) => boolean): Promise<void> {
    for (let attempt = 0; attempt < 1000; attempt++) {
      if (until(await this.table(name))) return;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Reads an item by dynalite's internal key string (see keyOf), bypassing the API. */
  readItem(table: string, key: string): Promise<Item | undefined> {
    return new Promise((resolve, reject) => {
      this.store.getItemDb(table).get(key, (error, item) => {
        if (error && error.name !== "NotFoundError") return reject(toError(error));
        resolve(error ? undefined : (item ?? undefined));
      });
    });
  }

  /**
   * dynalite's key string for an item or key; undefined when the key attributes are invalid. Only
   * the table's own key schema is consulted (never its indexes, which UpdateTable can change).
   */
  keyOf(table: DynaliteTable, itemOrKey: Item, isKeyOnly: boolean): string | undefined {
    const key = isKeyOnly ? itemOrKey : keyAttributes(itemOrKey, table);
    return db.validateKey(key, table) ? undefined : db.createKey(key, table);
  }

  /** The same check as the write would make: undefined when the condition holds, else the AWS error. */
  conditionFailure(data: ValidatedInput, existing: Item | undefined): Error | undefined {
    const failure = db.checkConditional(data, existing);
    return failure ? toError(failure) : undefined;
  }

  /** Validation errors of an item or key against the table (missing/mistyped key attributes). */
  keyProblem(table: DynaliteTable, itemOrKey: Item, isKeyOnly: boolean): Error | undefined {
    const invalid = isKeyOnly ? db.validateKey(itemOrKey, table) : db.validateItem(itemOrKey, table);
    return invalid ? toError(invalid) : undefined;
  }

  /** DynamoDB's item size in bytes (attribute names plus values). */
  itemSize(item: Item): number {
    return db.itemSize(item);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      const manager = this.store.lifecycleManager;
      if (!manager) return resolve();
      manager.gracefulClose(() => resolve());
    });
  }
}

function keyAttributes(item: Item, table: DynaliteTable): Item {
  const key: Item = {};
  for (const { AttributeName } of table.KeySchema) {
    const value = item[AttributeName];
    if (value !== undefined) key[AttributeName] = value;
  }
  return key;
}
