import {
  CreateBackupCommand,
  CreateTableCommand,
  DynamoDBClient,
  ListBackupsCommand,
  PutItemCommand,
  RestoreTableToPointInTimeCommand,
  ScanCommand,
  UpdateContinuousBackupsCommand,
} from "@aws-sdk/client-dynamodb";
import { clientConfig } from "../crash-clients.js";
import { idScenario } from "./acknowledged-ids.js";

/**
 * DynamoDB backups and point-in-time recovery under kill -9: each write puts an item into a table
 * with recovery enabled, then takes a backup named after it. After a restart every acknowledged
 * backup is listed, and a restore to the latest restorable time holds every acknowledged item (the
 * recovery history and the restore's own writes survived with it).
 */

const TABLE = "kill-backups";
let restores = 0;

async function using<T>(url: string, run: (ddb: DynamoDBClient) => Promise<T>): Promise<T> {
  const ddb = new DynamoDBClient(clientConfig(url));
  try {
    return await run(ddb);
  } finally {
    ddb.destroy();
  }
}

export const dynamodbBackupsScenario = () =>
  idScenario({
    services: ["dynamodb", "dynamodbstreams"],
    writers: 4,
    async setup(url) {
      await using(url, async (ddb) => {
        await ddb.send(
          new CreateTableCommand({
            TableName: TABLE,
            AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
            KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
            BillingMode: "PAY_PER_REQUEST",
          }),
        );
        await ddb.send(
          new UpdateContinuousBackupsCommand({
            TableName: TABLE,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          }),
        );
      });
    },
    async write(url, _context, id) {
      await using(url, async (ddb) => {
        await ddb.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: id } } }));
        await ddb.send(new CreateBackupCommand({ TableName: TABLE, BackupName: id }));
      });
    },
    async present(url) {
      return using(url, async (ddb) => {
        const backups = new Set<string>();
        let start: string | undefined;
        do {
          const page = await ddb.send(
            new ListBackupsCommand({
              TableName: TABLE,
              ...(start ? { ExclusiveStartBackupArn: start } : {}),
            }),
          );
          for (const backup of page.BackupSummaries ?? []) backups.add(backup.BackupName!);
          start = page.LastEvaluatedBackupArn;
        } while (start);
        const target = `${TABLE}-restored-${restores++}`;
        await ddb.send(
          new RestoreTableToPointInTimeCommand({
            SourceTableName: TABLE,
            TargetTableName: target,
            UseLatestRestorableTime: true,
          }),
        );
        const restored = new Set<string>();
        let key: Record<string, { S: string }> | undefined;
        do {
          const page = await ddb.send(
            new ScanCommand({ TableName: target, ...(key ? { ExclusiveStartKey: key } : {}) }),
          );
          for (const item of page.Items ?? []) restored.add(item["pk"]!.S!);
          key = page.LastEvaluatedKey as typeof key;
        } while (key);
        // An id counts as present when both its backup and its item (restored) came back.
        return new Set([...backups].filter((id) => restored.has(id)));
      });
    },
  });
