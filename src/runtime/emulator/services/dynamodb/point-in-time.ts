import type { Clock } from "../../core/clock.js";
import type { ServiceStore } from "../../core/persistence.js";
import type { ChangeFeed } from "./change-feed.js";
import type { Rules } from "./constraints.js";
import type { DynaliteEngine, DynaliteTable, Item, Output } from "./dynalite-engine.js";
import { dynamoErrors } from "./errors.js";
import type { ItemTarget, ItemWriter, WriteHistory } from "./item-writer.js";
import { COMPACT_AFTER_ENTRIES, MAX_RECOVERY_PERIOD_DAYS } from "./limits.js";
import {
  allItems,
  checkTargetFree,
  OVERRIDE_RULES,
  RESTORING_MEMBER,
  restoreTable,
  shapeOf,
  tableNames,
  type RestoreOverrides,
} from "./table-restore.js";
import { withStreamMembers } from "./table-streams.js";

/**
 * Point-in-time recovery (UpdateContinuousBackups, DescribeContinuousBackups,
 * RestoreTableToPointInTime) of one account and region.
 *
 * While a table has it enabled, the write path hands this module every item's before image, under
 * the item's lock and before the storage engine writes (ItemWriter's history). Restoring to a time
 * T takes the table as it is now and puts back, for each item changed after T, its before image
 * from the earliest change after T: that is the item as it was at T. Because the entry is journaled
 * before the write, a crash can only leave an entry for a write that did not happen, whose before
 * image is the item as it still is: restores stay exact through kill -9.
 *
 * The setting lives in the table's stored description (it goes with the table); the history in this
 * region's `pitr` store, trimmed to the recovery period. The window: EarliestRestorableDateTime is
 * when it was enabled, or the recovery period ago once that is later; LatestRestorableDateTime is
 * now (AWS's is typically five minutes behind; the emulator's writes are durable at once).
 */

type Input = Record<string, unknown>;

export const PITR_MEMBER = "EmulatorPointInTimeRecovery";

interface PitrSetting {
  /** Epoch ms. */
  EnabledAt: number;
  RecoveryPeriodInDays: number;
}

interface Change {
  key: string;
  old?: Item;
  /** Epoch ms, taken before the write. */
  at: number;
}

export type PitrEntry =
  | { t: "change"; table: string; tableId: string; key: string; old?: Item; at: number }
  | { t: "forget"; table: string };
export interface PitrSnapshot {
  version: 1;
  tables: { table: string; tableId: string; changes: Change[] }[];
}

const TABLE_NAME = {
  type: "String",
  regex: "[a-zA-Z0-9_.-]+",
  lengthGreaterThanOrEqual: 3,
  lengthLessThanOrEqual: 255,
};
const DESCRIBE_RULES: Rules = { TableName: { ...TABLE_NAME, notNull: true, required: true } };
const UPDATE_RULES: Rules = {
  TableName: { ...TABLE_NAME, notNull: true, required: true },
  PointInTimeRecoverySpecification: {
    type: "FieldStruct<PointInTimeRecoverySpecification>",
    notNull: true,
    children: {
      PointInTimeRecoveryEnabled: { type: "Boolean", notNull: true },
      RecoveryPeriodInDays: {
        type: "Integer",
        greaterThanOrEqual: 1,
        lessThanOrEqual: MAX_RECOVERY_PERIOD_DAYS,
      },
    },
  },
};
const RESTORE_RULES: Rules = {
  SourceTableArn: { type: "String", lengthGreaterThanOrEqual: 1, lengthLessThanOrEqual: 1024 },
  SourceTableName: TABLE_NAME,
  TargetTableName: { ...TABLE_NAME, notNull: true, required: true },
  UseLatestRestorableTime: "Boolean",
  RestoreDateTime: "Double",
  ...OVERRIDE_RULES,
};

const DAY_MS = 24 * 60 * 60 * 1000;
const TABLE_ARN = /^arn:aws[a-z-]*:dynamodb:([a-z0-9-]*):(\d*):table\/([a-zA-Z0-9_.-]{3,255})$/;

/** Backups and recovery see a table once it is created and restored (UPDATING and DELETING too). */
function visible(table: DynaliteTable): boolean {
  return table.TableStatus !== "CREATING" && !table[RESTORING_MEMBER];
}

export class PointInTime implements WriteHistory {
  /** Change history per table, with the TableId it belongs to (a recreated table starts afresh). */
  private readonly history = new Map<string, { tableId: string; changes: Change[] }>();
  /** Tables with recovery enabled, for the write path's synchronous question. */
  private readonly enabled = new Map<string, { tableId: string; setting: PitrSetting }>();

  constructor(
    private readonly engine: DynaliteEngine,
    private readonly feed: ChangeFeed,
    private readonly store: ServiceStore<PitrSnapshot, PitrEntry>,
    private readonly clock: Clock,
  ) {}

  /** Loads the history and learns which tables have recovery enabled. */
  async load(): Promise<void> {
    const { snapshot, entries } = this.store.load();
    for (const saved of snapshot?.tables ?? [])
      this.history.set(saved.table, { tableId: saved.tableId, changes: saved.changes });
    for (const entry of entries) this.apply(entry);
    for (const name of await tableNames(this.engine)) {
      const table = await this.engine.table(name);
      const setting = table?.[PITR_MEMBER] as PitrSetting | undefined;
      if (table && setting) this.enabled.set(name, { tableId: String(table["TableId"]), setting });
    }
  }

  /** Folds the journal into a snapshot, dropping changes older than any window still needs. */
  compact(): void {
    if (!this.store.enabled) return;
    const now = this.clock.now();
    const tables: PitrSnapshot["tables"] = [];
    for (const [table, { tableId, changes }] of this.history) {
      const setting = this.enabled.get(table);
      if (!setting || setting.tableId !== tableId) continue;
      const earliest = this.window(setting.setting, now).earliest;
      tables.push({ table, tableId, changes: changes.filter((c) => c.at > earliest) });
    }
    this.store.compact({ version: 1, tables });
  }

  // --- the write path ---------------------------------------------------------------------------

  tracks(table: string): boolean {
    return this.enabled.has(table);
  }

  /** Before images of the items a write is about to change (called under their locks). */
  before(targets: ItemTarget[], oldImages: (Item | undefined)[]): void {
    const at = this.clock.now();
    const seen = new Set<string>();
    for (const [index, target] of targets.entries()) {
      const enabled = this.enabled.get(target.table);
      const id = `${target.table}\u0000${target.key}`;
      if (!enabled || seen.has(id)) continue;
      seen.add(id);
      const old = oldImages[index];
      this.commit({
        t: "change",
        table: target.table,
        tableId: enabled.tableId,
        key: target.key,
        ...(old ? { old } : {}),
        at,
      });
    }
  }

  /** DeleteTable: the history goes; true when the table had recovery enabled (a SYSTEM backup is due). */
  tableDeleted(table: string): boolean {
    const had = this.enabled.delete(table);
    if (this.history.has(table)) this.commit({ t: "forget", table });
    return had;
  }

  // --- operations -------------------------------------------------------------------------------

  async describeContinuousBackups(input: Input): Promise<Output> {
    const name = this.engine.checkRequest(DESCRIBE_RULES, input)["TableName"] as string;
    return { ContinuousBackupsDescription: this.description(await this.existing(name)) };
  }

  async updateContinuousBackups(input: Input): Promise<Output> {
    const data = this.engine.checkRequest(UPDATE_RULES, input);
    const name = data["TableName"] as string;
    const spec = data["PointInTimeRecoverySpecification"] as {
      PointInTimeRecoveryEnabled: boolean;
      RecoveryPeriodInDays?: number;
    };
    if (!spec.PointInTimeRecoveryEnabled && spec.RecoveryPeriodInDays !== undefined)
      throw dynamoErrors.validation(
        "Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time recovery.",
      );
    const now = this.clock.now();
    const changed = await this.engine.changeTable(name, (table) => {
      if (!visible(table)) return false;
      const current = table[PITR_MEMBER] as PitrSetting | undefined;
      if (spec.PointInTimeRecoveryEnabled)
        table[PITR_MEMBER] = {
          EnabledAt: current?.EnabledAt ?? now,
          RecoveryPeriodInDays:
            spec.RecoveryPeriodInDays ?? current?.RecoveryPeriodInDays ?? MAX_RECOVERY_PERIOD_DAYS,
        } satisfies PitrSetting;
      else delete table[PITR_MEMBER];
      return true;
    });
    if (!changed?.result) throw dynamoErrors.backupTableNotFound(name);
    const setting = changed.table[PITR_MEMBER] as PitrSetting | undefined;
    if (setting) this.enabled.set(name, { tableId: String(changed.table["TableId"]), setting });
    else if (this.enabled.delete(name) || this.history.has(name)) this.commit({ t: "forget", table: name });
    return { ContinuousBackupsDescription: this.description(changed.table) };
  }

  /**
   * Checked in DynamoDB's order: the request's shape (one source, one time), the source, recovery
   * enabled on it, the time within its window, and only then the target's name.
   */
  async restoreTableToPointInTime(input: Input, writer: ItemWriter): Promise<Output> {
    const data = this.engine.checkRequest(RESTORE_RULES, input);
    const byArn = data["SourceTableArn"] as string | undefined;
    const byName = data["SourceTableName"] as string | undefined;
    if (byArn === undefined && byName === undefined)
      throw dynamoErrors.validation(
        "The parameter 'TableName' is required but was not present in the request",
      );
    if (byArn !== undefined && byName !== undefined)
      throw dynamoErrors.validation("Must provide exactly one of: sourceTableArn, sourceTableName");
    const latestAsked = data["UseLatestRestorableTime"] === true;
    const at = data["RestoreDateTime"] as number | undefined;
    if (latestAsked && at !== undefined)
      throw dynamoErrors.validation(
        "Invalid Request: Both RestoreDateTime and UseLatestRestorableTime cannot be set for point-in-time " +
          "restore request. Please specify either RestoreDateTime time or UseLatestRestorableTime",
      );
    if (!latestAsked && at === undefined)
      throw dynamoErrors.validation(
        "Invalid Request: Either one of RestoreDateTime or UseLatestRestorableTime must be specified, but not both",
      );
    const name = byName ?? this.sourceOfArn(byArn as string, data["SSESpecificationOverride"] !== undefined);
    const table = await this.existing(name);
    const setting = table[PITR_MEMBER] as PitrSetting | undefined;
    if (!setting) throw dynamoErrors.pointInTimeRecoveryUnavailable(name);
    const { earliest, latest } = this.window(setting, this.clock.now());
    const restoreAt = latestAsked ? latest : Math.round((at as number) * 1000);
    if (restoreAt < earliest || restoreAt > latest)
      throw dynamoErrors.invalidRestoreTime(earliest, latest, restoreAt);
    const target = data["TargetTableName"] as string;
    await checkTargetFree(this.engine, target);
    const items = await this.itemsAt(table, restoreAt);
    const created = await restoreTable(
      this.engine,
      writer,
      shapeOf(table),
      target,
      data as RestoreOverrides,
      items,
      {
        SourceTableArn: table.TableArn,
        RestoreDateTime: restoreAt / 1000,
      },
    );
    return { TableDescription: withStreamMembers(this.feed, created) };
  }

  /** The table a SourceTableArn names, refused as DynamoDB refuses another account's or a malformed one. */
  private sourceOfArn(arn: string, keyGiven: boolean): string {
    const match = TABLE_ARN.exec(arn);
    if (!match) throw dynamoErrors.validation("sourceTableArn is not a valid ARN");
    const [, region, account, name] = match as unknown as [string, string, string, string];
    const place = this.engine.place;
    if (account !== place.accountId)
      throw dynamoErrors.validation(
        "This action is only supported by accounts that match the resource owner\u2019s account.",
      );
    if (region !== place.region) {
      if (!keyGiven)
        throw dynamoErrors.validation(
          "Invalid Request: sseSpecificationOverride must be provided for cross-region restores",
        );
      // A cross-region restore reads another region's history: not served (README).
      throw dynamoErrors.backupTableNotFound(name);
    }
    return name;
  }

  /** The table, or TableNotFoundException: also while it is being created or restored, as on AWS. */
  private async existing(name: string): Promise<DynaliteTable> {
    const table = await this.engine.table(name);
    if (!table || !visible(table)) throw dynamoErrors.backupTableNotFound(name);
    return table;
  }

  // --- state ------------------------------------------------------------------------------------

  /** The table's items as they were at `at`: today's, with every later change undone. */
  private async itemsAt(table: DynaliteTable, at: number): Promise<Item[]> {
    const current = await allItems(this.engine, table.TableName);
    const byKey = new Map<string, Item>();
    for (const item of current) {
      const key = this.engine.keyOf(table, item, false);
      if (key !== undefined) byKey.set(key, item);
    }
    const history = this.history.get(table.TableName);
    if (history && history.tableId === String(table["TableId"])) {
      const undone = new Set<string>();
      // The earliest change after `at` holds the item as it was at `at`.
      for (const change of history.changes) {
        if (change.at <= at || undone.has(change.key)) continue;
        undone.add(change.key);
        if (change.old) byKey.set(change.key, change.old);
        else byKey.delete(change.key);
      }
    }
    return [...byKey.values()];
  }

  private window(setting: PitrSetting, now: number): { earliest: number; latest: number } {
    return {
      earliest: Math.max(setting.EnabledAt, now - setting.RecoveryPeriodInDays * DAY_MS),
      latest: now,
    };
  }

  private description(table: DynaliteTable): Input {
    const setting = table[PITR_MEMBER] as PitrSetting | undefined;
    if (!setting)
      return {
        ContinuousBackupsStatus: "ENABLED",
        PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: "DISABLED" },
      };
    const { earliest, latest } = this.window(setting, this.clock.now());
    return {
      ContinuousBackupsStatus: "ENABLED",
      PointInTimeRecoveryDescription: {
        PointInTimeRecoveryStatus: "ENABLED",
        RecoveryPeriodInDays: setting.RecoveryPeriodInDays,
        EarliestRestorableDateTime: earliest / 1000,
        LatestRestorableDateTime: latest / 1000,
      },
    };
  }

  private commit(entry: PitrEntry): void {
    this.store.append(entry);
    this.apply(entry);
    // As the change feed does: compact once the journal is at least as long as what is kept.
    const length = this.store.journalLength;
    if (this.store.enabled && length >= COMPACT_AFTER_ENTRIES && length >= this.retained()) this.compact();
  }

  private retained(): number {
    let count = 0;
    for (const { changes } of this.history.values()) count += changes.length;
    return count;
  }

  private apply(entry: PitrEntry): void {
    if (entry.t === "forget") {
      this.history.delete(entry.table);
      return;
    }
    let history = this.history.get(entry.table);
    if (!history || history.tableId !== entry.tableId) {
      history = { tableId: entry.tableId, changes: [] };
      this.history.set(entry.table, history);
    }
    history.changes.push({ key: entry.key, ...(entry.old ? { old: entry.old } : {}), at: entry.at });
  }
}
