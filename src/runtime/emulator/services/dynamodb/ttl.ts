import type { Clock, TimerHandle } from "../../core/clock.js";
import type { UserIdentity } from "./change-feed.js";
import type { Rules } from "./constraints.js";
import type { DynaliteEngine, DynaliteTable, Item, Output } from "./dynalite-engine.js";
import { dynamoErrors } from "./errors.js";
import { keysOf } from "./images.js";
import type { ItemWriter } from "./item-writer.js";
import { TTL_CHANGE_COOLDOWN_MS, TTL_MAX_AGE_SECONDS } from "./limits.js";

/**
 * Time to Live (UpdateTimeToLive, DescribeTimeToLive) and the background process that deletes
 * expired items. The setting lives in the table's stored description (dynalite's LevelDB), so it
 * survives restarts and goes with the table; a member of the emulator's own that DescribeTable never
 * shows. Expired items are deleted through the one write path (item lock, before image, stream
 * record), each REMOVE record naming the service as its author, as AWS's TTL deletions do.
 */

type Input = Record<string, unknown>;

interface TimeToLiveSetting {
  AttributeName: string;
  Enabled: boolean;
  /** Epoch ms of the last change (the cooldown is measured from here). */
  ChangedAt: number;
}

/** The stored description's member holding the setting (stripped from every description shown). */
export const TTL_MEMBER = "EmulatorTimeToLive";

/** The author of a TTL deletion in a stream record (GetRecords casing; Lambda events lowercase it). */
export const TTL_IDENTITY: UserIdentity = { Type: "Service", PrincipalId: "dynamodb.amazonaws.com" };

const TABLE_NAME = {
  type: "String",
  notNull: true,
  regex: "[a-zA-Z0-9_.-]+",
  lengthGreaterThanOrEqual: 3,
  lengthLessThanOrEqual: 255,
};

const UPDATE_RULES: Rules = {
  TableName: TABLE_NAME,
  TimeToLiveSpecification: {
    type: "FieldStruct<TimeToLiveSpecification>",
    notNull: true,
    children: {
      AttributeName: {
        type: "String",
        notNull: true,
        lengthGreaterThanOrEqual: 1,
        lengthLessThanOrEqual: 255,
      },
      Enabled: { type: "Boolean", notNull: true },
    },
  },
};

export interface TimeToLiveOptions {
  /** How often the deletion process looks for expired items, on the emulator clock. */
  sweepIntervalMs: number;
  reportError: (error: unknown) => void;
}

export class TimeToLive {
  private timer: TimerHandle | undefined;
  private sweeping: Promise<number> | undefined;
  private stopped = false;

  constructor(
    private readonly engine: DynaliteEngine,
    private readonly writer: ItemWriter,
    private readonly clock: Clock,
    private readonly options: TimeToLiveOptions,
  ) {}

  async updateTimeToLive(input: Input): Promise<Output> {
    const data = this.engine.checkRequest(UPDATE_RULES, input);
    const name = data["TableName"] as string;
    const spec = data["TimeToLiveSpecification"] as { AttributeName: string; Enabled: boolean };
    const now = this.clock.now();
    const changed = await this.engine.changeTable(name, (table) => {
      if (table.TableStatus === "CREATING" || table.TableStatus === "DELETING")
        throw dynamoErrors.resourceInUse(
          `Attempt to change a resource which is still in use: Table is being ${
            table.TableStatus === "CREATING" ? "created" : "deleted"
          }: ${name}`,
        );
      const current = setting(table);
      const active = current?.Enabled === true;
      // The content checks come before the cooldown (as AWS orders them).
      if (active && current.AttributeName !== spec.AttributeName)
        throw dynamoErrors.validation(
          `TimeToLive is active on a different AttributeName: current AttributeName is ${current.AttributeName}`,
        );
      if (active && spec.Enabled) throw dynamoErrors.validation("TimeToLive is already enabled");
      if (!active && !spec.Enabled) throw dynamoErrors.validation("TimeToLive is already disabled");
      if (current && now - current.ChangedAt < TTL_CHANGE_COOLDOWN_MS)
        throw dynamoErrors.validation(
          "Time to live has been modified multiple times within a fixed interval",
        );
      const next: TimeToLiveSetting = {
        AttributeName: spec.AttributeName,
        Enabled: spec.Enabled,
        ChangedAt: now,
      };
      table[TTL_MEMBER] = next;
    });
    if (!changed) throw dynamoErrors.tableNotFound(name);
    return { TimeToLiveSpecification: { AttributeName: spec.AttributeName, Enabled: spec.Enabled } };
  }

  async describeTimeToLive(input: Input): Promise<Output> {
    const data = this.engine.validate("DescribeTimeToLive", input);
    const name = data["TableName"] as string;
    const table = await this.engine.table(name);
    if (!table) throw dynamoErrors.tableNotFound(name);
    const current = setting(table);
    // DynamoDB settles within seconds; a disabled table no longer names its old attribute.
    return {
      TimeToLiveDescription: current?.Enabled
        ? { TimeToLiveStatus: "ENABLED", AttributeName: current.AttributeName }
        : { TimeToLiveStatus: "DISABLED" },
    };
  }

  /** Starts the background deletions, one pass every `sweepIntervalMs` of the emulator clock. */
  start(): void {
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    await this.sweeping?.catch(() => undefined);
  }

  /** One pass over every table with TTL enabled; resolves to the number of items deleted. */
  async sweep(): Promise<number> {
    let deleted = 0;
    for (const name of await this.tableNames()) {
      if (this.stopped) break;
      const table = await this.engine.table(name);
      const current = table ? setting(table) : undefined;
      if (!table || !current?.Enabled || table.TableStatus !== "ACTIVE") continue;
      deleted += await this.sweepTable(table, current.AttributeName);
    }
    return deleted;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (this.stopped) return;
      this.sweeping ??= this.sweep()
        .catch((error: unknown) => {
          this.options.reportError(error);
          return 0;
        })
        .finally(() => {
          this.sweeping = undefined;
          this.schedule();
        });
    }, this.options.sweepIntervalMs);
  }

  private async sweepTable(table: DynaliteTable, attribute: string): Promise<number> {
    let deleted = 0;
    let start: unknown;
    do {
      const page = await this.engine.run("Scan", {
        TableName: table.TableName,
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      });
      for (const item of (page["Items"] as Item[] | undefined) ?? []) {
        if (this.stopped) return deleted;
        if (expired(item, attribute, this.clock.now()))
          deleted += await this.deleteExpired(table, item, attribute);
      }
      start = page["LastEvaluatedKey"];
    } while (start);
    return deleted;
  }

  /** Deletes the item if, under its lock, it is still expired (a write may have renewed it). */
  private async deleteExpired(table: DynaliteTable, item: Item, attribute: string): Promise<number> {
    const key = this.engine.keyOf(table, item, false);
    if (key === undefined) return 0;
    return this.writer.write(
      [{ table: table.TableName, key }],
      true,
      async ([current]) => {
        if (!current || !expired(current, attribute, this.clock.now())) return 0;
        await this.engine.run("DeleteItem", {
          TableName: table.TableName,
          Key: keysOf(current, table.KeySchema),
        });
        return 1;
      },
      { userIdentity: TTL_IDENTITY },
    );
  }

  private async tableNames(): Promise<string[]> {
    const names: string[] = [];
    let start: unknown;
    do {
      const page = await this.engine.run("ListTables", start ? { ExclusiveStartTableName: start } : {});
      names.push(...((page["TableNames"] as string[] | undefined) ?? []));
      start = page["LastEvaluatedTableName"];
    } while (start);
    return names;
  }
}

function setting(table: DynaliteTable): TimeToLiveSetting | undefined {
  return table[TTL_MEMBER] as TimeToLiveSetting | undefined;
}

/**
 * Expired: a top-level Number in epoch seconds below the current time. Values of another type, or
 * more than five years in the past, are left alone (AWS deletes neither).
 */
export function expired(item: Item, attribute: string, nowMs: number): boolean {
  const value = item[attribute]?.["N"];
  if (typeof value !== "string") return false;
  const seconds = Number(value);
  const now = nowMs / 1000;
  return Number.isFinite(seconds) && seconds < now && seconds >= now - TTL_MAX_AGE_SECONDS;
}
