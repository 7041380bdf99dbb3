import { randomBytes } from "node:crypto";
import type { Clock } from "../../core/clock.js";
import type { ServiceStore } from "../../core/persistence.js";
import type { ChangeFeed } from "./change-feed.js";
import type { Rules } from "./constraints.js";
import type { DynaliteEngine, DynaliteTable, Item, Output } from "./dynalite-engine.js";
import { backupKeyOf, parseBackupArn } from "./backup-arns.js";
import { dynamoErrors } from "./errors.js";
import type { ItemWriter } from "./item-writer.js";
import { LIST_BACKUPS_MAX_LIMIT, SYSTEM_BACKUP_RETENTION_MS } from "./limits.js";
import {
  allItems,
  OVERRIDE_RULES,
  RESTORING_MEMBER,
  restoreTable,
  shapeOf,
  type RestoreOverrides,
  type TableShape,
} from "./table-restore.js";
import { withStreamMembers } from "./table-streams.js";
import { TTL_MEMBER } from "./ttl.js";

/**
 * On-demand backups (CreateBackup, DescribeBackup, ListBackups, DeleteBackup,
 * RestoreTableFromBackup) of one account and region. A backup is a copy of the table's shape and
 * every item at the moment it is taken, journaled (the whole backup in one line) before CreateBackup
 * answers, so it survives kill -9; it lives on after its table is deleted, and across tables of
 * the same name (only SourceTableDetails.TableId tells them apart). Deleting a table with
 * point-in-time recovery enabled leaves a SYSTEM backup, kept 35 days, as DynamoDB does.
 *
 * A backup feeds one restore at a time: while a restore from it runs, another restore from it and
 * DeleteBackup answer BackupInUseException (the emulator's restores finish before they answer, so
 * only concurrent requests meet this).
 */

type Input = Record<string, unknown>;

export type BackupType = "USER" | "SYSTEM";

interface StoredBackup {
  arn: string;
  name: string;
  type: BackupType;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms; SYSTEM backups only. */
  expiresAt?: number;
  sizeBytes: number;
  itemCount: number;
  shape: TableShape;
  /** The source's stream and TTL, recorded only when enabled (as DynamoDB records them). */
  stream?: { StreamEnabled: true; StreamViewType: string };
  timeToLive?: { TimeToLiveStatus: "ENABLED"; AttributeName: string };
  items: Item[];
}

export type BackupEntry = { t: "backup"; backup: StoredBackup } | { t: "delete"; arn: string };
export interface BackupSnapshot {
  version: 1;
  backups: StoredBackup[];
}

const TABLE_NAME = {
  type: "String",
  notNull: true,
  regex: "[a-zA-Z0-9_.-]+",
  lengthGreaterThanOrEqual: 3,
  lengthLessThanOrEqual: 255,
};
const BACKUP_ARN = {
  type: "String",
  notNull: true,
  lengthGreaterThanOrEqual: 37,
  lengthLessThanOrEqual: 1024,
};

const CREATE_RULES: Rules = {
  TableName: { ...TABLE_NAME, required: true },
  BackupName: { ...TABLE_NAME, required: true },
};
const ARN_RULES: Rules = { BackupArn: { ...BACKUP_ARN, required: true } };
const LIST_RULES: Rules = {
  TableName: {
    type: "String",
    regex: "[a-zA-Z0-9_.-]+",
    lengthGreaterThanOrEqual: 3,
    lengthLessThanOrEqual: 255,
  },
  Limit: { type: "Integer", greaterThanOrEqual: 1, lessThanOrEqual: LIST_BACKUPS_MAX_LIMIT },
  TimeRangeLowerBound: "Double",
  TimeRangeUpperBound: "Double",
  ExclusiveStartBackupArn: { type: "String", lengthGreaterThanOrEqual: 37, lengthLessThanOrEqual: 1024 },
  BackupType: { type: "String", enum: ["USER", "SYSTEM", "AWS_BACKUP", "ALL"] },
};
const RESTORE_RULES: Rules = {
  TargetTableName: { ...TABLE_NAME, required: true },
  BackupArn: { ...BACKUP_ARN, required: true },
  ...OVERRIDE_RULES,
};

export class Backups {
  /** By backupKeyOf(arn): the account's backups are identified without the ARN's region. */
  private readonly backups = new Map<string, StoredBackup>();
  /** Backups a restore is reading right now. */
  private readonly restoring = new Set<string>();

  constructor(
    private readonly engine: DynaliteEngine,
    private readonly feed: ChangeFeed,
    private readonly store: ServiceStore<BackupSnapshot, BackupEntry>,
    private readonly clock: Clock,
  ) {}

  load(): void {
    const { snapshot, entries } = this.store.load();
    for (const backup of snapshot?.backups ?? []) this.backups.set(backupKeyOf(backup.arn), backup);
    for (const entry of entries) this.apply(entry);
  }

  compact(): void {
    if (this.store.enabled) this.store.compact({ version: 1, backups: [...this.backups.values()] });
  }

  // --- operations -------------------------------------------------------------------------------

  async createBackup(input: Input): Promise<Output> {
    const data = this.engine.checkRequest(CREATE_RULES, input);
    const name = data["TableName"] as string;
    const table = await this.engine.table(name);
    // A table still being created (or restored) is not found yet; UPDATING and DELETING ones are.
    if (!table || table.TableStatus === "CREATING" || table[RESTORING_MEMBER])
      throw dynamoErrors.backupTableNotFound(name);
    const backup = await this.take(table, data["BackupName"] as string, "USER");
    // CreateBackup answers while the backup is still being made; it is AVAILABLE right after.
    return { BackupDetails: { ...this.details(backup), BackupStatus: "CREATING" } };
  }

  async describeBackup(input: Input): Promise<Output> {
    const asked = this.engine.checkRequest(ARN_RULES, input)["BackupArn"] as string;
    return { BackupDescription: this.description(this.find(asked), asked) };
  }

  async listBackups(input: Input): Promise<Output> {
    const data = this.engine.checkRequest(LIST_RULES, input);
    const lower = data["TimeRangeLowerBound"] as number | undefined;
    const upper = data["TimeRangeUpperBound"] as number | undefined;
    if (lower !== undefined && upper !== undefined && lower > upper)
      throw dynamoErrors.validation(
        "One or more parameter values were invalid: Time range lower bound must be less than or equal to upper bound",
      );
    const type = (data["BackupType"] as string | undefined) ?? "USER";
    const tableName = data["TableName"] as string | undefined;
    const limit = (data["Limit"] as number | undefined) ?? LIST_BACKUPS_MAX_LIMIT;
    // Lower bound inclusive, upper bound exclusive (epoch seconds).
    let listed = this.live()
      .filter((b) => type === "ALL" || b.type === type)
      .filter((b) => tableName === undefined || b.shape.TableName === tableName)
      .filter((b) => lower === undefined || b.createdAt >= lower * 1000)
      .filter((b) => upper === undefined || b.createdAt < upper * 1000)
      // By creation time; backups of one millisecond in the order they were taken (a stable sort
      // of the map, which keeps insertion order).
      .sort((a, b) => a.createdAt - b.createdAt);
    const after = data["ExclusiveStartBackupArn"] as string | undefined;
    if (after !== undefined) {
      // A pure cursor: a deleted or never-made backup's ARN resumes after where it would sort.
      const cursor = parseBackupArn(after, this.engine.place);
      if (cursor.region !== this.engine.place.region)
        throw dynamoErrors.validation(
          "Invalid Request: The supplied ExclusiveStartBackupArn does not match the region",
        );
      const at = listed.findIndex((b) => b.arn === after);
      const time = Number(cursor.key.slice(cursor.key.lastIndexOf("/") + 1).slice(0, 14));
      listed = at === -1 ? listed.filter((b) => b.createdAt > time) : listed.slice(at + 1);
    }
    const page = listed.slice(0, limit);
    const last = page[page.length - 1];
    return {
      BackupSummaries: page.map((b) => this.summary(b)),
      ...(listed.length > limit && last ? { LastEvaluatedBackupArn: last.arn } : {}),
    };
  }

  async deleteBackup(input: Input): Promise<Output> {
    const asked = this.engine.checkRequest(ARN_RULES, input)["BackupArn"] as string;
    const backup = this.find(asked);
    if (this.restoring.has(backupKeyOf(backup.arn)))
      throw dynamoErrors.backupInUse(`Backup is being used to restore table: ${asked}`);
    if (backup.type === "SYSTEM")
      throw dynamoErrors.validation(
        `Invalid Request: User is not allowed to delete the system backup with arn ${backup.arn}. ` +
          `It will automatically expire on ${new Date(backup.expiresAt ?? 0).toISOString()}`,
      );
    this.commit({ t: "delete", arn: backup.arn });
    const description = this.description(backup, asked);
    return {
      BackupDescription: {
        ...description,
        BackupDetails: { ...(description["BackupDetails"] as Input), BackupStatus: "DELETED" },
      },
    };
  }

  async restoreTableFromBackup(input: Input, writer: ItemWriter): Promise<Output> {
    const data = this.engine.checkRequest(RESTORE_RULES, input);
    const asked = data["BackupArn"] as string;
    const arn = parseBackupArn(asked, this.engine.place);
    // A backup ARN of another region is a cross-region restore, which needs the target's key.
    if (arn.region !== this.engine.place.region && data["SSESpecificationOverride"] === undefined)
      throw dynamoErrors.validation(
        "Invalid Request: sseSpecificationOverride must be provided for cross-region restores",
      );
    const backup = this.find(asked);
    const key = backupKeyOf(backup.arn);
    if (this.restoring.has(key))
      throw dynamoErrors.backupInUse(`Backup is being used to restore another table: ${asked}`);
    this.restoring.add(key);
    try {
      const created = await restoreTable(
        this.engine,
        writer,
        backup.shape,
        data["TargetTableName"] as string,
        data as RestoreOverrides,
        backup.items,
        {
          SourceBackupArn: backup.arn,
          SourceTableArn: backup.shape.TableArn,
          RestoreDateTime: backup.createdAt / 1000,
        },
      );
      return { TableDescription: withStreamMembers(this.feed, created) };
    } finally {
      this.restoring.delete(key);
    }
  }

  /** The SYSTEM backup DynamoDB keeps of a table with point-in-time recovery when it is deleted. */
  async systemBackup(table: DynaliteTable): Promise<string> {
    return (await this.take(table, `${table.TableName}$DeletedTableBackup`, "SYSTEM")).arn;
  }

  /** Drops a SYSTEM backup taken for a DeleteTable that then refused. */
  discard(arn: string): void {
    if (this.backups.has(backupKeyOf(arn))) this.commit({ t: "delete", arn });
  }

  // --- state ------------------------------------------------------------------------------------

  private async take(table: DynaliteTable, name: string, type: BackupType): Promise<StoredBackup> {
    const items = await allItems(this.engine, table.TableName);
    const now = this.clock.now();
    const stream = this.feed.enabledStream(table.TableName);
    const ttl = table[TTL_MEMBER] as { AttributeName: string; Enabled: boolean } | undefined;
    // SYSTEM backups end in -00000000, as DynamoDB names them (unless that ARN is taken: the
    // emulator clock can stand still between two deletions of tables of one name).
    const base = `${table.TableArn}/backup/${String(now).padStart(14, "0")}-`;
    const system = `${base}00000000`;
    const arn =
      type === "SYSTEM" && !this.backups.has(backupKeyOf(system))
        ? system
        : `${base}${randomBytes(4).toString("hex")}`;
    const backup: StoredBackup = {
      arn,
      name,
      type,
      createdAt: now,
      ...(type === "SYSTEM" ? { expiresAt: now + SYSTEM_BACKUP_RETENTION_MS } : {}),
      sizeBytes: items.reduce((sum, item) => sum + this.engine.itemSize(item), 0),
      itemCount: items.length,
      shape: shapeOf(table),
      ...(stream ? { stream: { StreamEnabled: true, StreamViewType: stream.viewType } } : {}),
      ...(ttl?.Enabled
        ? { timeToLive: { TimeToLiveStatus: "ENABLED", AttributeName: ttl.AttributeName } }
        : {}),
      items,
    };
    this.commit({ t: "backup", backup });
    return backup;
  }

  /** Backups not past their expiry (an expired SYSTEM backup is gone, as on AWS). */
  private live(): StoredBackup[] {
    const now = this.clock.now();
    for (const backup of [...this.backups.values()])
      if (backup.expiresAt !== undefined && backup.expiresAt <= now)
        this.commit({ t: "delete", arn: backup.arn });
    return [...this.backups.values()];
  }

  private find(asked: string): StoredBackup {
    const { key } = parseBackupArn(asked, this.engine.place);
    this.live();
    const backup = this.backups.get(key);
    if (!backup) throw dynamoErrors.backupNotFound(asked);
    return backup;
  }

  private commit(entry: BackupEntry): void {
    this.store.append(entry);
    this.apply(entry);
  }

  private apply(entry: BackupEntry): void {
    if (entry.t === "backup") this.backups.set(backupKeyOf(entry.backup.arn), entry.backup);
    else this.backups.delete(backupKeyOf(entry.arn));
  }

  // --- answers ----------------------------------------------------------------------------------

  /** `arn`: the ARN as the caller spelled it (DynamoDB echoes a region-rewritten one). */
  private details(backup: StoredBackup, arn = backup.arn): Input {
    return {
      BackupArn: arn,
      BackupName: backup.name,
      BackupSizeBytes: backup.sizeBytes,
      BackupStatus: "AVAILABLE",
      BackupType: backup.type,
      BackupCreationDateTime: backup.createdAt / 1000,
      ...(backup.expiresAt !== undefined ? { BackupExpiryDateTime: backup.expiresAt / 1000 } : {}),
    };
  }

  private summary(backup: StoredBackup): Input {
    return {
      TableName: backup.shape.TableName,
      TableId: backup.shape.TableId,
      TableArn: backup.shape.TableArn,
      BackupArn: backup.arn,
      BackupName: backup.name,
      BackupCreationDateTime: backup.createdAt / 1000,
      ...(backup.expiresAt !== undefined ? { BackupExpiryDateTime: backup.expiresAt / 1000 } : {}),
      BackupStatus: "AVAILABLE",
      BackupType: backup.type,
      BackupSizeBytes: backup.sizeBytes,
    };
  }

  private description(backup: StoredBackup, arn: string): Input {
    const shape = backup.shape;
    return {
      BackupDetails: this.details(backup, arn),
      SourceTableDetails: {
        TableName: shape.TableName,
        TableId: shape.TableId,
        TableArn: shape.TableArn,
        TableSizeBytes: backup.sizeBytes,
        KeySchema: shape.KeySchema,
        TableCreationDateTime: shape.CreationDateTime,
        ProvisionedThroughput: shape.ProvisionedThroughput,
        ItemCount: backup.itemCount,
        BillingMode: shape.BillingMode,
      },
      // A SYSTEM backup shows no features (DynamoDB answers {}), though it restores them all.
      SourceTableFeatureDetails: backup.type === "SYSTEM" ? {} : this.features(backup),
    };
  }

  private features(backup: StoredBackup): Input {
    const shape = backup.shape;
    return {
      ...(shape.LocalSecondaryIndexes.length > 0
        ? { LocalSecondaryIndexes: shape.LocalSecondaryIndexes }
        : {}),
      ...(shape.GlobalSecondaryIndexes.length > 0
        ? { GlobalSecondaryIndexes: shape.GlobalSecondaryIndexes }
        : {}),
      ...(backup.stream ? { StreamDescription: backup.stream } : {}),
      ...(backup.timeToLive ? { TimeToLiveDescription: backup.timeToLive } : {}),
      ...(shape.SSEDescription ? { SSEDescription: shape.SSEDescription } : {}),
    };
  }
}
