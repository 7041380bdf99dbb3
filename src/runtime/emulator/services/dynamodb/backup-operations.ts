import type { Backups } from "./backups.js";
import type { DynaliteEngine, Output } from "./dynalite-engine.js";
import type { ItemWriter } from "./item-writer.js";
import type { PointInTime } from "./point-in-time.js";

type Input = Record<string, unknown>;
type Operation = (input: Input) => Promise<Output>;

/**
 * The backup and point-in-time recovery operations of one account and region, and DeleteTable with
 * DynamoDB's SYSTEM backup: a table with point-in-time recovery enabled leaves one when it is
 * deleted. The backup is kept before the table goes (and dropped again if DeleteTable refuses), so
 * a crash in between leaves a backup too many, never a deleted table without one.
 */
export function backupOperations(
  engine: DynaliteEngine,
  writer: ItemWriter,
  backups: Backups,
  pointInTime: PointInTime,
  deleteTable: Operation,
): Record<string, Operation> {
  const restored =
    (restore: Operation): Operation =>
    async (input) => {
      const target = input["TargetTableName"];
      const output = await restore(input);
      if (typeof target === "string") writer.forget(target);
      return output;
    };
  return {
    DeleteTable: async (input) => {
      const name = input["TableName"];
      const table =
        typeof name === "string" && pointInTime.tracks(name) ? await engine.table(name) : undefined;
      const systemBackup = table ? await backups.systemBackup(table) : undefined;
      try {
        const output = await deleteTable(input);
        if (typeof name === "string") pointInTime.tableDeleted(name);
        return output;
      } catch (error) {
        if (systemBackup) backups.discard(systemBackup);
        throw error;
      }
    },
    CreateBackup: (i) => backups.createBackup(i),
    DescribeBackup: (i) => backups.describeBackup(i),
    ListBackups: (i) => backups.listBackups(i),
    DeleteBackup: (i) => backups.deleteBackup(i),
    RestoreTableFromBackup: restored((i) => backups.restoreTableFromBackup(i, writer)),
    UpdateContinuousBackups: (i) => pointInTime.updateContinuousBackups(i),
    DescribeContinuousBackups: (i) => pointInTime.describeContinuousBackups(i),
    RestoreTableToPointInTime: restored((i) => pointInTime.restoreTableToPointInTime(i, writer)),
  };
}
