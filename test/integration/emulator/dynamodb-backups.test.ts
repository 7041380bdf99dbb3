import {
  BackupNotFoundException,
  BatchWriteItemCommand,
  CreateBackupCommand,
  CreateTableCommand,
  DeleteBackupCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeBackupCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  DynamoDBServiceException,
  InvalidRestoreTimeException,
  ListBackupsCommand,
  ListTablesCommand,
  ListTagsOfResourceCommand,
  PointInTimeRecoveryUnavailableException,
  PutItemCommand,
  QueryCommand,
  RestoreTableFromBackupCommand,
  RestoreTableToPointInTimeCommand,
  ScanCommand,
  TableAlreadyExistsException,
  TableNotFoundException,
  TransactWriteItemsCommand,
  UpdateContinuousBackupsCommand,
  UpdateItemCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type AttributeValue,
  type CreateTableCommandInput,
} from "@aws-sdk/client-dynamodb";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, ManualClock, type Emulator } from "../../../src/runtime/emulator/index.js";
import { DynaliteEngine } from "../../../src/runtime/emulator/services/dynamodb/dynalite-engine.js";
import { AWS_CLI_SERVICE_ERROR_EXIT, awsCli, awsCliAvailable, awsCliJson } from "../../helpers/aws-cli.js";

/**
 * On-demand backups and point-in-time recovery as DynamoDB's API reference describes them:
 * CreateBackup, DescribeBackup, ListBackups (TableName, BackupType, time range, paging),
 * DeleteBackup, RestoreTableFromBackup (with overrides), UpdateContinuousBackups,
 * DescribeContinuousBackups (EarliestRestorableDateTime .. LatestRestorableDateTime, the recovery
 * period) and RestoreTableToPointInTime, with their errors (TableNotFoundException,
 * BackupNotFoundException, TableAlreadyExistsException, PointInTimeRecoveryUnavailableException,
 * InvalidRestoreTimeException, ValidationException). A restored table has its source's keys,
 * indexes, billing and encryption, and none of its stream, TTL, tags or protection. Error cases
 * first; times on a ManualClock, so restore points are exact.
 */

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const S = (value: string): AttributeValue => ({ S: value });
const START = Date.UTC(2026, 5, 1, 12, 0, 0);
const BACKUP_ARN = /^arn:aws:dynamodb:us-east-1:000000000000:table\/[\w.-]+\/backup\/\d{14}-[0-9a-f]{8}$/;

async function failure(send: Promise<unknown>): Promise<DynamoDBServiceException> {
  try {
    await send;
  } catch (error) {
    expect(error).toBeInstanceOf(DynamoDBServiceException);
    return error as DynamoDBServiceException;
  }
  throw new Error("expected the call to fail");
}

function table(name: string, extra: Partial<CreateTableCommandInput> = {}): CreateTableCommandInput {
  return {
    TableName: name,
    AttributeDefinitions: [
      { AttributeName: "pk", AttributeType: "S" },
      { AttributeName: "sk", AttributeType: "S" },
      { AttributeName: "gk", AttributeType: "S" },
      { AttributeName: "lk", AttributeType: "S" },
    ],
    KeySchema: [
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: "by-gk",
        KeySchema: [{ AttributeName: "gk", KeyType: "HASH" }],
        Projection: { ProjectionType: "ALL" },
      },
      {
        IndexName: "by-gk-keys",
        KeySchema: [{ AttributeName: "gk", KeyType: "HASH" }],
        Projection: { ProjectionType: "KEYS_ONLY" },
      },
    ],
    LocalSecondaryIndexes: [
      {
        IndexName: "by-lk",
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "lk", KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "ALL" },
      },
    ],
    BillingMode: "PAY_PER_REQUEST",
    ...extra,
  };
}

const item = (pk: string, v: string): Record<string, AttributeValue> => ({
  pk: S(pk),
  sk: S("s"),
  gk: S(`g-${pk}`),
  lk: S(`l-${pk}`),
  v: S(v),
});

async function scanned(ddb: DynamoDBClient, name: string): Promise<string[]> {
  const { Items } = await ddb.send(new ScanCommand({ TableName: name, ConsistentRead: true }));
  return (Items ?? []).map((i) => `${i["pk"]!.S}=${i["v"]!.S}`).sort();
}

describe("dynamodb on-demand backups (SDK v3)", () => {
  let emulator: Emulator;
  let ddb: DynamoDBClient;
  let clock: ManualClock;

  beforeAll(async () => {
    clock = new ManualClock(START);
    emulator = await createEmulator({ services: ["dynamodb", "dynamodbstreams"], clock });
    ddb = new DynamoDBClient({ endpoint: emulator.url, region: "us-east-1", credentials, maxAttempts: 1 });
  });
  afterAll(async () => {
    ddb.destroy();
    await emulator.stop();
  });

  describe("refusals", () => {
    it("CreateBackup of a missing table, a bad backup name; Describe/Delete/Restore of a missing or malformed backup", async () => {
      const missing = await failure(
        ddb.send(new CreateBackupCommand({ TableName: "nope-table", BackupName: "backup-one" })),
      );
      expect(missing).toBeInstanceOf(TableNotFoundException);
      expect(missing.message).toBe("Table not found: nope-table");
      await ddb.send(new CreateTableCommand(table("refusals")));
      const shortName = await failure(
        ddb.send(new CreateBackupCommand({ TableName: "refusals", BackupName: "b" })),
      );
      expect([shortName.name, shortName.message]).toEqual([
        "ValidationException",
        "1 validation error detected: Value 'b' at 'backupName' failed to satisfy constraint: Member must have length greater than or equal to 3",
      ]);
      const unknown = "arn:aws:dynamodb:us-east-1:000000000000:table/refusals/backup/01780000000000-0000abcd";
      for (const command of [
        new DescribeBackupCommand({ BackupArn: unknown }),
        new DeleteBackupCommand({ BackupArn: unknown }),
        new RestoreTableFromBackupCommand({ BackupArn: unknown, TargetTableName: "restored-x" }),
      ]) {
        const notFound = await failure(ddb.send(command as never));
        expect(notFound).toBeInstanceOf(BackupNotFoundException);
        expect(notFound.message).toBe(`Backup not found: ${unknown}`);
      }
      const malformed = await failure(
        ddb.send(
          new DescribeBackupCommand({ BackupArn: "arn:aws:dynamodb:us-east-1:000000000000:table/refusals" }),
        ),
      );
      expect([malformed.name, malformed.message]).toEqual(["ValidationException", "Invalid Backup ARN"]);
      const tooShort = await failure(ddb.send(new DescribeBackupCommand({ BackupArn: "arn:short" })));
      expect(tooShort.message).toBe(
        "1 validation error detected: Value 'arn:short' at 'backupArn' failed to satisfy constraint: Member must have length greater than or equal to 37",
      );
      const range = await failure(
        ddb.send(
          new ListBackupsCommand({
            TimeRangeLowerBound: new Date(START + 10_000),
            TimeRangeUpperBound: new Date(START),
          }),
        ),
      );
      expect(range.message).toBe(
        "One or more parameter values were invalid: Time range lower bound must be less than or equal to upper bound",
      );
    });

    it("backup ARNs: a table ARN, another service or region name, another account; the ARN's region is not part of the backup's identity", async () => {
      await ddb.send(new CreateTableCommand(table("arns")));
      const { BackupDetails } = await ddb.send(
        new CreateBackupCommand({ TableName: "arns", BackupName: "arn-one" }),
      );
      const arn = BackupDetails!.BackupArn!;
      const cases: [string, string, string][] = [
        [
          "arn:aws:dynamodb:us-east-1:000000000000:table/arns-table-name-long-enough",
          "ValidationException",
          "Invalid Backup ARN",
        ],
        [
          arn.replace(":dynamodb:", ":dynamo:"),
          "ValidationException",
          "Invalid Request: BackupArn is not valid",
        ],
        [
          arn.replace(":us-east-1:", ":xx-fake-1:"),
          "ValidationException",
          "Invalid Request: BackupArn is not valid",
        ],
        [arn.replace(":000000000000:", ":111122223333:"), "AccessDeniedException", "Access is denied"],
      ];
      for (const [asked, code, message] of cases) {
        const refused = await failure(ddb.send(new DescribeBackupCommand({ BackupArn: asked })));
        expect([asked, refused.name, refused.message]).toEqual([asked, code, message]);
      }
      // DynamoDB finds its own backup under an ARN whose region was rewritten, and echoes that ARN.
      const rewritten = arn.replace(":us-east-1:", ":eu-west-1:");
      const found = await ddb.send(new DescribeBackupCommand({ BackupArn: rewritten }));
      expect(found.BackupDescription?.BackupDetails?.BackupArn).toBe(rewritten);
      const crossRegion = await failure(
        ddb.send(new RestoreTableFromBackupCommand({ BackupArn: rewritten, TargetTableName: "arns-copy" })),
      );
      expect(crossRegion.message).toBe(
        "Invalid Request: sseSpecificationOverride must be provided for cross-region restores",
      );
      const cursor = await failure(
        ddb.send(new ListBackupsCommand({ TableName: "arns", ExclusiveStartBackupArn: rewritten })),
      );
      expect(cursor.message).toBe(
        "Invalid Request: The supplied ExclusiveStartBackupArn does not match the region",
      );
    });

    it("RestoreTableFromBackup onto an existing table, an unknown index override, throughput on an on-demand restore", async () => {
      await ddb.send(new PutItemCommand({ TableName: "refusals", Item: item("a", "1") }));
      const { BackupDetails } = await ddb.send(
        new CreateBackupCommand({ TableName: "refusals", BackupName: "first" }),
      );
      const arn = BackupDetails!.BackupArn!;
      const exists = await failure(
        ddb.send(new RestoreTableFromBackupCommand({ BackupArn: arn, TargetTableName: "refusals" })),
      );
      expect(exists).toBeInstanceOf(TableAlreadyExistsException);
      expect(exists.message).toBe("Table already exists: refusals");
      const index = await failure(
        ddb.send(
          new RestoreTableFromBackupCommand({
            BackupArn: arn,
            TargetTableName: "refusals-copy",
            GlobalSecondaryIndexOverride: [
              {
                IndexName: "invented",
                KeySchema: [{ AttributeName: "lk", KeyType: "HASH" }],
                Projection: { ProjectionType: "ALL" },
              },
            ],
          }),
        ),
      );
      expect(index.message).toBe(
        "Invalid Request: Index invented does not match a secondary index that existed in the source table and cannot be created during the restore operation",
      );
      // The same keys with another projection are another index too.
      const projection = await failure(
        ddb.send(
          new RestoreTableFromBackupCommand({
            BackupArn: arn,
            TargetTableName: "refusals-copy",
            GlobalSecondaryIndexOverride: [
              {
                IndexName: "by-gk",
                KeySchema: [{ AttributeName: "gk", KeyType: "HASH" }],
                Projection: { ProjectionType: "INCLUDE", NonKeyAttributes: ["v"] },
              },
            ],
          }),
        ),
      );
      expect(projection.message).toBe(
        "Invalid Request: Index by-gk does not match a secondary index that existed in the source table and cannot be created during the restore operation",
      );
      const noIndexThroughput = await failure(
        ddb.send(
          new RestoreTableFromBackupCommand({
            BackupArn: arn,
            TargetTableName: "refusals-copy",
            BillingModeOverride: "PROVISIONED",
            ProvisionedThroughputOverride: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
            GlobalSecondaryIndexOverride: [
              {
                IndexName: "by-gk",
                KeySchema: [{ AttributeName: "gk", KeyType: "HASH" }],
                Projection: { ProjectionType: "ALL" },
              },
            ],
          }),
        ),
      );
      expect(noIndexThroughput.message).toBe(
        "Invalid Request: Must specify provisioned throughput for index by-gk",
      );
      const indexThroughput = await failure(
        ddb.send(
          new RestoreTableFromBackupCommand({
            BackupArn: arn,
            TargetTableName: "refusals-copy",
            BillingModeOverride: "PAY_PER_REQUEST",
            GlobalSecondaryIndexOverride: [
              {
                IndexName: "by-gk",
                KeySchema: [{ AttributeName: "gk", KeyType: "HASH" }],
                Projection: { ProjectionType: "ALL" },
                ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
              },
            ],
          }),
        ),
      );
      expect(indexThroughput.message).toBe(
        "Invalid Request: Cannot override ProvisionedThroughput if BillingMode is overridden to PAY_PER_REQUEST for index by-gk",
      );
      const throughput = await failure(
        ddb.send(
          new RestoreTableFromBackupCommand({
            BackupArn: arn,
            TargetTableName: "refusals-copy",
            BillingModeOverride: "PAY_PER_REQUEST",
            ProvisionedThroughputOverride: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
          }),
        ),
      );
      expect(throughput.message).toBe(
        "Invalid Request: Cannot override ProvisionedThroughput if BillingMode is overridden to PAY_PER_REQUEST",
      );
      const mustGive = await failure(
        ddb.send(
          new RestoreTableFromBackupCommand({
            BackupArn: arn,
            TargetTableName: "refusals-copy",
            BillingModeOverride: "PROVISIONED",
          }),
        ),
      );
      expect(mustGive.message).toBe(
        "Invalid Request: Must override ProvisionedThroughput if BillingMode is overridden to PROVISIONED",
      );
      expect((await ddb.send(new ListTablesCommand({}))).TableNames).not.toContain("refusals-copy");
    });
  });

  it("a backup keeps the table as it was; its restore has the keys, indexes, billing and encryption, not the stream, TTL, tags or protection", async () => {
    await ddb.send(
      new CreateTableCommand(
        table("orders", {
          StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" },
          SSESpecification: { Enabled: true, SSEType: "KMS", KMSMasterKeyId: "alias/orders" },
          DeletionProtectionEnabled: true,
          Tags: [{ Key: "team", Value: "shop" }],
        }),
      ),
    );
    await ddb.send(
      new UpdateTimeToLiveCommand({
        TableName: "orders",
        TimeToLiveSpecification: { AttributeName: "expires", Enabled: true },
      }),
    );
    for (const pk of ["a", "b", "c"])
      await ddb.send(new PutItemCommand({ TableName: "orders", Item: item(pk, "1") }));
    await clock.advance(1000);
    const created = await ddb.send(new CreateBackupCommand({ TableName: "orders", BackupName: "nightly" }));
    expect(created.BackupDetails).toMatchObject({
      BackupName: "nightly",
      BackupStatus: "CREATING",
      BackupType: "USER",
      BackupCreationDateTime: new Date(START + 1000),
    });
    expect(created.BackupDetails?.BackupArn).toMatch(BACKUP_ARN);
    expect(created.BackupDetails?.BackupSizeBytes).toBeGreaterThan(0);
    const arn = created.BackupDetails!.BackupArn!;

    const { BackupDescription } = await ddb.send(new DescribeBackupCommand({ BackupArn: arn }));
    const source = (await ddb.send(new DescribeTableCommand({ TableName: "orders" }))).Table!;
    expect(BackupDescription?.BackupDetails?.BackupStatus).toBe("AVAILABLE");
    expect(BackupDescription?.SourceTableDetails).toMatchObject({
      TableName: "orders",
      TableArn: source.TableArn,
      TableId: source.TableId,
      ItemCount: 3,
      BillingMode: "PAY_PER_REQUEST",
      KeySchema: source.KeySchema,
    });
    expect(BackupDescription?.SourceTableFeatureDetails).toMatchObject({
      GlobalSecondaryIndexes: [{ IndexName: "by-gk" }, { IndexName: "by-gk-keys" }],
      LocalSecondaryIndexes: [{ IndexName: "by-lk" }],
      StreamDescription: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" },
      TimeToLiveDescription: { TimeToLiveStatus: "ENABLED", AttributeName: "expires" },
      SSEDescription: source.SSEDescription,
    });

    // The table moves on; the backup does not.
    await ddb.send(new PutItemCommand({ TableName: "orders", Item: item("d", "1") }));
    await ddb.send(new DeleteItemCommand({ TableName: "orders", Key: { pk: S("a"), sk: S("s") } }));
    await ddb.send(new PutItemCommand({ TableName: "orders", Item: item("b", "2") }));

    const restored = await ddb.send(
      new RestoreTableFromBackupCommand({ BackupArn: arn, TargetTableName: "orders-restored" }),
    );
    expect(restored.TableDescription).toMatchObject({
      TableName: "orders-restored",
      TableStatus: "CREATING",
      RestoreSummary: { SourceBackupArn: arn, SourceTableArn: source.TableArn, RestoreInProgress: true },
    });
    expect(restored.TableDescription?.RestoreSummary?.RestoreDateTime).toEqual(new Date(START + 1000));
    const t = (await ddb.send(new DescribeTableCommand({ TableName: "orders-restored" }))).Table!;
    expect(t).toMatchObject({
      TableStatus: "ACTIVE",
      KeySchema: source.KeySchema,
      BillingModeSummary: { BillingMode: "PAY_PER_REQUEST" },
      DeletionProtectionEnabled: false,
      SSEDescription: source.SSEDescription,
    });
    // Once ACTIVE, nothing marks a table as restored (DynamoDB drops RestoreSummary then).
    expect(t.RestoreSummary).toBeUndefined();
    expect(t.TableClassSummary).toBeUndefined();
    expect(t.LatestStreamArn).toBeUndefined();
    expect(t.GlobalSecondaryIndexes?.map((i) => i.IndexName)).toEqual(["by-gk", "by-gk-keys"]);
    expect(await scanned(ddb, "orders-restored")).toEqual(["a=1", "b=1", "c=1"]);
    const byIndex = await ddb.send(
      new QueryCommand({
        TableName: "orders-restored",
        IndexName: "by-gk",
        KeyConditionExpression: "gk = :g",
        ExpressionAttributeValues: { ":g": S("g-b") },
      }),
    );
    expect(byIndex.Items?.map((i) => i["v"])).toEqual([S("1")]);
    expect((await ddb.send(new ListTagsOfResourceCommand({ ResourceArn: t.TableArn }))).Tags).toEqual([]);
    expect(
      (await ddb.send(new DescribeTimeToLiveCommand({ TableName: "orders-restored" }))).TimeToLiveDescription,
    ).toEqual({ TimeToLiveStatus: "DISABLED" });
    expect(
      (await ddb.send(new DescribeContinuousBackupsCommand({ TableName: "orders-restored" })))
        .ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus,
    ).toBe("DISABLED");

    // Overrides: provisioned, one index of two, the AWS owned key.
    await ddb.send(
      new RestoreTableFromBackupCommand({
        BackupArn: arn,
        TargetTableName: "orders-provisioned",
        BillingModeOverride: "PROVISIONED",
        ProvisionedThroughputOverride: { ReadCapacityUnits: 4, WriteCapacityUnits: 2 },
        GlobalSecondaryIndexOverride: [
          {
            IndexName: "by-gk",
            KeySchema: [{ AttributeName: "gk", KeyType: "HASH" }],
            Projection: { ProjectionType: "ALL" },
            ProvisionedThroughput: { ReadCapacityUnits: 3, WriteCapacityUnits: 1 },
          },
        ],
        SSESpecificationOverride: { Enabled: false },
      }),
    );
    const p = (await ddb.send(new DescribeTableCommand({ TableName: "orders-provisioned" }))).Table!;
    expect(p.BillingModeSummary?.BillingMode).toBe("PROVISIONED");
    expect(p.ProvisionedThroughput).toMatchObject({ ReadCapacityUnits: 4, WriteCapacityUnits: 2 });
    expect(
      p.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.ProvisionedThroughput?.ReadCapacityUnits]),
    ).toEqual([["by-gk", 3]]);
    expect(p.SSEDescription).toBeUndefined();
    expect(await scanned(ddb, "orders-provisioned")).toEqual(["a=1", "b=1", "c=1"]);

    // An index override matches a source index by keys and projection and may rename it; [] is none.
    await ddb.send(
      new RestoreTableFromBackupCommand({
        BackupArn: arn,
        TargetTableName: "orders-renamed",
        GlobalSecondaryIndexOverride: [
          {
            IndexName: "by-g-renamed",
            KeySchema: [{ AttributeName: "gk", KeyType: "HASH" }],
            Projection: { ProjectionType: "KEYS_ONLY" },
          },
        ],
        LocalSecondaryIndexOverride: [],
      }),
    );
    const r = (await ddb.send(new DescribeTableCommand({ TableName: "orders-renamed" }))).Table!;
    expect(r.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.Projection?.ProjectionType])).toEqual([
      ["by-g-renamed", "KEYS_ONLY"],
    ]);
    expect(r.LocalSecondaryIndexes).toBeUndefined();
    const renamed = await ddb.send(
      new QueryCommand({
        TableName: "orders-renamed",
        IndexName: "by-g-renamed",
        KeyConditionExpression: "gk = :g",
        ExpressionAttributeValues: { ":g": S("g-c") },
      }),
    );
    expect(renamed.Items).toEqual([{ pk: S("c"), sk: S("s"), gk: S("g-c") }]);
  });

  it("a plain table's backup records no features; CreateBackup takes a table that is being updated", async () => {
    await ddb.send(
      new CreateTableCommand({
        TableName: "plain",
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 3 },
      }),
    );
    const { BackupDetails } = await ddb.send(
      new CreateBackupCommand({ TableName: "plain", BackupName: "plain" }),
    );
    expect(Object.keys(BackupDetails!).sort()).toEqual([
      "BackupArn",
      "BackupCreationDateTime",
      "BackupName",
      "BackupSizeBytes",
      "BackupStatus",
      "BackupType",
    ]);
    const { BackupDescription } = await ddb.send(
      new DescribeBackupCommand({ BackupArn: BackupDetails!.BackupArn }),
    );
    expect(BackupDescription?.SourceTableFeatureDetails).toEqual({});
    expect(BackupDescription?.SourceTableDetails).toMatchObject({
      BillingMode: "PROVISIONED",
      ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 3 },
      ItemCount: 0,
    });
    expect(BackupDescription?.BackupDetails?.BackupExpiryDateTime).toBeUndefined();
    await ddb.send(
      new UpdateTableCommand({
        TableName: "plain",
        StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" },
      }),
    );
    await ddb.send(new CreateBackupCommand({ TableName: "plain", BackupName: "plain-two" }));
    expect(
      (await ddb.send(new ListBackupsCommand({ TableName: "plain" }))).BackupSummaries?.map(
        (b) => b.BackupName,
      ),
    ).toEqual(["plain", "plain-two"]);
  });

  it("ListBackups filters by table, type and creation time (lower bound inclusive, upper exclusive) and pages; DeleteBackup; a backup outlives its table", async () => {
    await ddb.send(new CreateTableCommand(table("listed")));
    const arns: string[] = [];
    const times: number[] = [];
    for (const name of ["one", "two", "three"]) {
      await clock.advance(60_000);
      times.push(clock.now());
      const { BackupDetails } = await ddb.send(
        new CreateBackupCommand({ TableName: "listed", BackupName: name }),
      );
      arns.push(BackupDetails!.BackupArn!);
    }
    const all = await ddb.send(new ListBackupsCommand({ TableName: "listed" }));
    expect(all.BackupSummaries?.map((b) => b.BackupName)).toEqual(["one", "two", "three"]);
    expect(all.BackupSummaries?.[0]).toMatchObject({
      TableName: "listed",
      BackupArn: arns[0],
      BackupStatus: "AVAILABLE",
      BackupType: "USER",
      BackupCreationDateTime: new Date(times[0]!),
    });
    const window = await ddb.send(
      new ListBackupsCommand({
        TableName: "listed",
        TimeRangeLowerBound: new Date(times[1]!),
        TimeRangeUpperBound: new Date(times[2]!),
      }),
    );
    expect(window.BackupSummaries?.map((b) => b.BackupName)).toEqual(["two"]);
    expect(
      (await ddb.send(new ListBackupsCommand({ TableName: "listed", BackupType: "SYSTEM" }))).BackupSummaries,
    ).toEqual([]);
    const first = await ddb.send(new ListBackupsCommand({ TableName: "listed", Limit: 2 }));
    expect(first.BackupSummaries?.map((b) => b.BackupName)).toEqual(["one", "two"]);
    expect(first.LastEvaluatedBackupArn).toBe(arns[1]);
    const rest = await ddb.send(
      new ListBackupsCommand({
        TableName: "listed",
        Limit: 2,
        ExclusiveStartBackupArn: first.LastEvaluatedBackupArn,
      }),
    );
    expect(rest.BackupSummaries?.map((b) => b.BackupName)).toEqual(["three"]);
    expect(rest.LastEvaluatedBackupArn).toBeUndefined();

    const deleted = await ddb.send(new DeleteBackupCommand({ BackupArn: arns[0] }));
    expect(deleted.BackupDescription?.BackupDetails?.BackupStatus).toBe("DELETED");
    expect(await failure(ddb.send(new DescribeBackupCommand({ BackupArn: arns[0] })))).toBeInstanceOf(
      BackupNotFoundException,
    );
    await ddb.send(new DeleteTableCommand({ TableName: "listed" }));
    const after = await ddb.send(new ListBackupsCommand({ TableName: "listed" }));
    expect(after.BackupSummaries?.map((b) => b.BackupName)).toEqual(["two", "three"]);
    await ddb.send(new RestoreTableFromBackupCommand({ BackupArn: arns[2], TargetTableName: "listed" }));
    expect((await ddb.send(new DescribeTableCommand({ TableName: "listed" }))).Table?.TableStatus).toBe(
      "ACTIVE",
    );
  });
});

describe("dynamodb point-in-time recovery (SDK v3)", () => {
  let emulator: Emulator;
  let ddb: DynamoDBClient;
  let clock: ManualClock;
  const at = (offsetMs: number) => new Date(START + offsetMs);

  beforeAll(async () => {
    clock = new ManualClock(START);
    emulator = await createEmulator({ services: ["dynamodb", "dynamodbstreams"], clock });
    ddb = new DynamoDBClient({ endpoint: emulator.url, region: "us-east-1", credentials, maxAttempts: 1 });
    await ddb.send(new CreateTableCommand(table("ledger")));
  });
  afterAll(async () => {
    ddb.destroy();
    await emulator.stop();
  });

  describe("refusals", () => {
    it("missing tables, restoring without recovery enabled, a recovery period out of range or given when disabling", async () => {
      const missing = await failure(
        ddb.send(new DescribeContinuousBackupsCommand({ TableName: "nope-table" })),
      );
      expect(missing).toBeInstanceOf(TableNotFoundException);
      expect(missing.message).toBe("Table not found: nope-table");
      const missingUpdate = await failure(
        ddb.send(
          new UpdateContinuousBackupsCommand({
            TableName: "nope-table",
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          }),
        ),
      );
      expect(missingUpdate).toBeInstanceOf(TableNotFoundException);
      const disabled = await ddb.send(new DescribeContinuousBackupsCommand({ TableName: "ledger" }));
      expect(disabled.ContinuousBackupsDescription).toEqual({
        ContinuousBackupsStatus: "ENABLED",
        PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: "DISABLED" },
      });
      const unavailable = await failure(
        ddb.send(
          new RestoreTableToPointInTimeCommand({
            SourceTableName: "ledger",
            TargetTableName: "ledger-x",
            UseLatestRestorableTime: true,
          }),
        ),
      );
      expect(unavailable).toBeInstanceOf(PointInTimeRecoveryUnavailableException);
      const missingSource = await failure(
        ddb.send(
          new RestoreTableToPointInTimeCommand({
            SourceTableName: "nope-table",
            TargetTableName: "ledger-x",
            UseLatestRestorableTime: true,
          }),
        ),
      );
      expect(missingSource).toBeInstanceOf(TableNotFoundException);
      const tooLong = await failure(
        ddb.send(
          new UpdateContinuousBackupsCommand({
            TableName: "ledger",
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 36 },
          }),
        ),
      );
      expect(tooLong.message).toBe(
        "1 validation error detected: Value '36' at 'pointInTimeRecoverySpecification.recoveryPeriodInDays' failed to satisfy constraint: Member must have value less than or equal to 35",
      );
      const periodOnDisable = await failure(
        ddb.send(
          new UpdateContinuousBackupsCommand({
            TableName: "ledger",
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false, RecoveryPeriodInDays: 7 },
          }),
        ),
      );
      expect(periodOnDisable.message).toBe(
        "Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time recovery.",
      );
    });

    it("RestoreTableToPointInTime's order: the source named once, the source, recovery on, then the target; source ARNs of another account or region", async () => {
      const restore = (extra: Record<string, unknown>) =>
        failure(
          ddb.send(
            new RestoreTableToPointInTimeCommand({
              TargetTableName: "ledger",
              UseLatestRestorableTime: true,
              ...extra,
            }),
          ),
        );
      const neither = await restore({});
      expect(neither.message).toBe(
        "The parameter 'TableName' is required but was not present in the request",
      );
      const source = (await ddb.send(new DescribeTableCommand({ TableName: "ledger" }))).Table!;
      const twice = await restore({ SourceTableName: "ledger", SourceTableArn: source.TableArn });
      expect(twice.message).toBe("Must provide exactly one of: sourceTableArn, sourceTableName");
      // A missing source before a taken target; recovery off before a taken target.
      expect(await restore({ SourceTableName: "nope-table" })).toBeInstanceOf(TableNotFoundException);
      expect(await restore({ SourceTableName: "ledger" })).toBeInstanceOf(
        PointInTimeRecoveryUnavailableException,
      );
      const malformed = await restore({ SourceTableArn: "arn:aws:dynamodb:us-east-1:000000000000:ledger" });
      expect(malformed.message).toBe("sourceTableArn is not a valid ARN");
      const otherAccount = await restore({
        SourceTableArn: source.TableArn!.replace(":000000000000:", ":111122223333:"),
      });
      expect([otherAccount.name, otherAccount.message]).toEqual([
        "ValidationException",
        "This action is only supported by accounts that match the resource owner\u2019s account.",
      ]);
      const otherRegion = await restore({
        SourceTableArn: source.TableArn!.replace(":us-east-1:", ":eu-west-1:"),
      });
      expect(otherRegion.message).toBe(
        "Invalid Request: sseSpecificationOverride must be provided for cross-region restores",
      );
    });
  });

  it("restores the table as it was at any time in the window; refuses times outside it and ambiguous requests", async () => {
    const enabled = await ddb.send(
      new UpdateContinuousBackupsCommand({
        TableName: "ledger",
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      }),
    );
    expect(enabled.ContinuousBackupsDescription?.PointInTimeRecoveryDescription).toEqual({
      PointInTimeRecoveryStatus: "ENABLED",
      RecoveryPeriodInDays: 35,
      EarliestRestorableDateTime: at(0),
      LatestRestorableDateTime: at(0),
    });
    // t=1s: a=1. t=2s: a=2, b=1 (a transaction). t=3s: a deleted, c=1, d=1 (a batch), b=2 (an update).
    await clock.advance(1000);
    await ddb.send(new PutItemCommand({ TableName: "ledger", Item: item("a", "1") }));
    await clock.advance(1000);
    await ddb.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: "ledger", Item: item("a", "2") } },
          { Put: { TableName: "ledger", Item: item("b", "1") } },
        ],
      }),
    );
    await clock.advance(1000);
    await ddb.send(new DeleteItemCommand({ TableName: "ledger", Key: { pk: S("a"), sk: S("s") } }));
    await ddb.send(
      new BatchWriteItemCommand({
        RequestItems: {
          ledger: [{ PutRequest: { Item: item("c", "1") } }, { PutRequest: { Item: item("d", "1") } }],
        },
      }),
    );
    await ddb.send(
      new UpdateItemCommand({
        TableName: "ledger",
        Key: { pk: S("b"), sk: S("s") },
        UpdateExpression: "SET v = :v",
        ExpressionAttributeValues: { ":v": S("2") },
      }),
    );
    await clock.advance(1000);

    const window = (await ddb.send(new DescribeContinuousBackupsCommand({ TableName: "ledger" })))
      .ContinuousBackupsDescription?.PointInTimeRecoveryDescription;
    expect(window).toMatchObject({ EarliestRestorableDateTime: at(0), LatestRestorableDateTime: at(4000) });

    const before = await failure(
      ddb.send(
        new RestoreTableToPointInTimeCommand({
          SourceTableName: "ledger",
          TargetTableName: "too-early",
          RestoreDateTime: at(-1000),
        }),
      ),
    );
    expect(before).toBeInstanceOf(InvalidRestoreTimeException);
    const future = await failure(
      ddb.send(
        new RestoreTableToPointInTimeCommand({
          SourceTableName: "ledger",
          TargetTableName: "too-late",
          RestoreDateTime: at(60_000),
        }),
      ),
    );
    expect(future).toBeInstanceOf(InvalidRestoreTimeException);
    expect(future.message).toBe(
      `RestoreDateTime '2026-06-01T12:01:00Z' must be within EarliestRestorableDateTime ` +
        `'2026-06-01T12:00:00Z' and LatestRestorableDateTime '2026-06-01T12:00:04Z'`,
    );
    const both = await failure(
      ddb.send(
        new RestoreTableToPointInTimeCommand({
          SourceTableName: "ledger",
          TargetTableName: "both",
          RestoreDateTime: at(1000),
          UseLatestRestorableTime: true,
        }),
      ),
    );
    expect([both.name, both.message]).toEqual([
      "ValidationException",
      "Invalid Request: Both RestoreDateTime and UseLatestRestorableTime cannot be set for point-in-time " +
        "restore request. Please specify either RestoreDateTime time or UseLatestRestorableTime",
    ]);
    for (const UseLatestRestorableTime of [undefined, false]) {
      const neither = await failure(
        ddb.send(
          new RestoreTableToPointInTimeCommand({
            SourceTableName: "ledger",
            TargetTableName: "neither",
            ...(UseLatestRestorableTime === undefined ? {} : { UseLatestRestorableTime }),
          }),
        ),
      );
      expect(neither.message).toBe(
        "Invalid Request: Either one of RestoreDateTime or UseLatestRestorableTime must be specified, but not both",
      );
    }
    // The time is checked before the target's name: an existing target with a bad time is the time's error.
    const timeFirst = await failure(
      ddb.send(
        new RestoreTableToPointInTimeCommand({
          SourceTableName: "ledger",
          TargetTableName: "ledger",
          RestoreDateTime: at(-1000),
        }),
      ),
    );
    expect(timeFirst).toBeInstanceOf(InvalidRestoreTimeException);
    const exists = await failure(
      ddb.send(
        new RestoreTableToPointInTimeCommand({
          SourceTableName: "ledger",
          TargetTableName: "ledger",
          UseLatestRestorableTime: true,
        }),
      ),
    );
    expect(exists).toBeInstanceOf(TableAlreadyExistsException);

    const points: [number, string[]][] = [
      [0, []],
      [1500, ["a=1"]],
      [2000, ["a=2", "b=1"]],
      [2999, ["a=2", "b=1"]],
    ];
    for (const [offset, expected] of points) {
      const target = `ledger-at-${offset}`;
      const restored = await ddb.send(
        new RestoreTableToPointInTimeCommand({
          SourceTableName: "ledger",
          TargetTableName: target,
          RestoreDateTime: at(offset),
        }),
      );
      expect(restored.TableDescription?.RestoreSummary).toMatchObject({
        RestoreDateTime: at(offset),
        RestoreInProgress: true,
      });
      expect(await scanned(ddb, target)).toEqual(expected);
    }
    const source = (await ddb.send(new DescribeTableCommand({ TableName: "ledger" }))).Table!;
    const fromArn = await ddb.send(
      new RestoreTableToPointInTimeCommand({
        SourceTableArn: source.TableArn,
        TargetTableName: "ledger-latest",
        UseLatestRestorableTime: true,
      }),
    );
    expect(fromArn.TableDescription?.RestoreSummary).toEqual({
      SourceTableArn: source.TableArn,
      RestoreDateTime: at(4000),
      RestoreInProgress: true,
    });
    expect(await scanned(ddb, "ledger-latest")).toEqual(["b=2", "c=1", "d=1"]);
    const latest = (await ddb.send(new DescribeTableCommand({ TableName: "ledger-latest" }))).Table!;
    expect(latest.TableStatus).toBe("ACTIVE");
    expect(latest.GlobalSecondaryIndexes?.map((i) => i.IndexName)).toEqual(["by-gk", "by-gk-keys"]);
  });

  it("the recovery period bounds the window; disabling forgets the history; re-enabling starts a new window", async () => {
    await ddb.send(new CreateTableCommand(table("window")));
    await ddb.send(
      new UpdateContinuousBackupsCommand({
        TableName: "window",
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 1 },
      }),
    );
    await ddb.send(new PutItemCommand({ TableName: "window", Item: item("x", "1") }));
    await clock.advance(2 * 24 * 60 * 60 * 1000);
    const now = clock.now();
    const described = (await ddb.send(new DescribeContinuousBackupsCommand({ TableName: "window" })))
      .ContinuousBackupsDescription?.PointInTimeRecoveryDescription;
    expect(described).toMatchObject({
      RecoveryPeriodInDays: 1,
      EarliestRestorableDateTime: new Date(now - 24 * 60 * 60 * 1000),
      LatestRestorableDateTime: new Date(now),
    });
    await ddb.send(
      new UpdateContinuousBackupsCommand({
        TableName: "window",
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false },
      }),
    );
    await clock.advance(1000);
    await ddb.send(
      new UpdateContinuousBackupsCommand({
        TableName: "window",
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      }),
    );
    const again = (await ddb.send(new DescribeContinuousBackupsCommand({ TableName: "window" })))
      .ContinuousBackupsDescription?.PointInTimeRecoveryDescription;
    expect(again).toMatchObject({
      RecoveryPeriodInDays: 35,
      EarliestRestorableDateTime: new Date(clock.now()),
    });
    const earlier = await failure(
      ddb.send(
        new RestoreTableToPointInTimeCommand({
          SourceTableName: "window",
          TargetTableName: "w-old",
          RestoreDateTime: new Date(now),
        }),
      ),
    );
    expect(earlier).toBeInstanceOf(InvalidRestoreTimeException);
  });

  it("deleting a table with recovery enabled leaves a SYSTEM backup, kept 35 days, that cannot be deleted and restores", async () => {
    await ddb.send(new CreateTableCommand(table("doomed")));
    await ddb.send(new PutItemCommand({ TableName: "doomed", Item: item("z", "9") }));
    await ddb.send(
      new UpdateContinuousBackupsCommand({
        TableName: "doomed",
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      }),
    );
    const deletedAt = clock.now();
    await ddb.send(new DeleteTableCommand({ TableName: "doomed" }));
    expect((await ddb.send(new ListBackupsCommand({ TableName: "doomed" }))).BackupSummaries).toEqual([]);
    const system = (await ddb.send(new ListBackupsCommand({ TableName: "doomed", BackupType: "SYSTEM" })))
      .BackupSummaries!;
    expect(system).toHaveLength(1);
    expect(system[0]).toMatchObject({
      BackupName: "doomed$DeletedTableBackup",
      BackupType: "SYSTEM",
      BackupStatus: "AVAILABLE",
      BackupExpiryDateTime: new Date(deletedAt + 35 * 24 * 60 * 60 * 1000),
    });
    expect(system[0]!.BackupArn).toMatch(/\/backup\/\d{14}-00000000$/);
    const described = await ddb.send(new DescribeBackupCommand({ BackupArn: system[0]!.BackupArn }));
    expect(described.BackupDescription?.SourceTableFeatureDetails).toEqual({});
    expect(
      (await ddb.send(new ListBackupsCommand({ TableName: "doomed", BackupType: "ALL" }))).BackupSummaries,
    ).toHaveLength(1);
    const refused = await failure(ddb.send(new DeleteBackupCommand({ BackupArn: system[0]!.BackupArn })));
    expect(refused.message).toMatch(
      /^Invalid Request: User is not allowed to delete the system backup with arn .+\. It will automatically expire on /,
    );
    await ddb.send(
      new RestoreTableFromBackupCommand({ BackupArn: system[0]!.BackupArn, TargetTableName: "doomed" }),
    );
    expect(await scanned(ddb, "doomed")).toEqual(["z=9"]);
    // A protected table refuses DeleteTable and keeps no SYSTEM backup for it.
    await ddb.send(new UpdateTableCommand({ TableName: "doomed", DeletionProtectionEnabled: true }));
    await ddb.send(
      new UpdateContinuousBackupsCommand({
        TableName: "doomed",
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      }),
    );
    await failure(ddb.send(new DeleteTableCommand({ TableName: "doomed" })));
    expect(
      (await ddb.send(new ListBackupsCommand({ TableName: "doomed", BackupType: "SYSTEM" }))).BackupSummaries,
    ).toHaveLength(1);
    await clock.advance(36 * 24 * 60 * 60 * 1000);
    expect(
      (await ddb.send(new ListBackupsCommand({ TableName: "doomed", BackupType: "SYSTEM" }))).BackupSummaries,
    ).toEqual([]);
  });
});

describe("dynamodb backups and recovery survive restarts and crashes", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("backups and the recovery history come back after a restart; a restore a crash cut is removed at start", async () => {
    const persistDir = mkdtempSync(join(tmpdir(), "ddb-backups-"));
    dirs.push(persistDir);
    const clock = new ManualClock(START);
    const first = await createEmulator({ services: ["dynamodb", "dynamodbstreams"], persistDir, clock });
    let ddb = new DynamoDBClient({ endpoint: first.url, region: "us-east-1", credentials });
    await ddb.send(new CreateTableCommand(table("kept")));
    await ddb.send(
      new UpdateContinuousBackupsCommand({
        TableName: "kept",
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      }),
    );
    await clock.advance(1000);
    await ddb.send(new PutItemCommand({ TableName: "kept", Item: item("a", "1") }));
    const { BackupDetails } = await ddb.send(
      new CreateBackupCommand({ TableName: "kept", BackupName: "before-restart" }),
    );
    await clock.advance(1000);
    await ddb.send(new PutItemCommand({ TableName: "kept", Item: item("a", "2") }));
    await clock.advance(1000);
    ddb.destroy();
    await first.stop();

    // A restore the crash cut: the table exists, marked, with part of its items.
    const engine = new DynaliteEngine({
      path: join(persistDir, "dynamodb", "000000000000", "us-east-1", "leveldb"),
      accountId: "000000000000",
      region: "us-east-1",
    });
    const data = engine.validate("CreateTable", table("half-restored") as unknown as Record<string, unknown>);
    (data as Record<string, unknown>)["EmulatorRestoring"] = true;
    await engine.execute("CreateTable", data);
    await engine.settle("half-restored", (t) => t?.TableStatus === "ACTIVE");
    await engine.close();

    const second = await createEmulator({ services: ["dynamodb", "dynamodbstreams"], persistDir, clock });
    ddb = new DynamoDBClient({ endpoint: second.url, region: "us-east-1", credentials });
    expect(second.recovery().map((n) => n.message)).toEqual([
      "dynamodb: removed table half-restored, a restore the crash interrupted (it was never answered)",
    ]);
    expect((await ddb.send(new ListTablesCommand({}))).TableNames).toEqual(["kept"]);
    const described = await ddb.send(new DescribeBackupCommand({ BackupArn: BackupDetails!.BackupArn }));
    expect(described.BackupDescription?.SourceTableDetails?.ItemCount).toBe(1);
    await ddb.send(
      new RestoreTableFromBackupCommand({
        BackupArn: BackupDetails!.BackupArn,
        TargetTableName: "from-backup",
      }),
    );
    expect(await scanned(ddb, "from-backup")).toEqual(["a=1"]);
    await ddb.send(
      new RestoreTableToPointInTimeCommand({
        SourceTableName: "kept",
        TargetTableName: "from-history",
        RestoreDateTime: new Date(START + 1500),
      }),
    );
    expect(await scanned(ddb, "from-history")).toEqual(["a=1"]);
    ddb.destroy();
    await second.stop();
  });
});

describe.skipIf(!awsCliAvailable)("dynamodb backups and point-in-time recovery (AWS CLI)", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await createEmulator({ services: ["dynamodb", "dynamodbstreams"] });
    const ddb = new DynamoDBClient({ endpoint: emulator.url, region: "us-east-1", credentials });
    await ddb.send(new CreateTableCommand(table("cli-backups")));
    await ddb.send(new PutItemCommand({ TableName: "cli-backups", Item: item("a", "1") }));
    ddb.destroy();
  });
  afterAll(() => emulator.stop());

  it(
    "create-backup, list-backups, describe-backup, restore-table-from-backup, delete-backup; a missing backup",
    { timeout: 120_000 },
    async () => {
      const created = await awsCliJson<{ BackupDetails: { BackupArn: string } }>(emulator.url, [
        "dynamodb",
        "create-backup",
        "--table-name",
        "cli-backups",
        "--backup-name",
        "cli-one",
      ]);
      const arn = created.BackupDetails.BackupArn;
      const listed = await awsCliJson<{ BackupSummaries: { BackupName: string }[] }>(emulator.url, [
        "dynamodb",
        "list-backups",
        "--table-name",
        "cli-backups",
      ]);
      expect(listed.BackupSummaries.map((b) => b.BackupName)).toEqual(["cli-one"]);
      const restored = await awsCliJson<{
        TableDescription: { RestoreSummary: { SourceBackupArn: string } };
      }>(emulator.url, [
        "dynamodb",
        "restore-table-from-backup",
        "--target-table-name",
        "cli-restored",
        "--backup-arn",
        arn,
      ]);
      expect(restored.TableDescription.RestoreSummary.SourceBackupArn).toBe(arn);
      const deleted = await awsCliJson<{ BackupDescription: { BackupDetails: { BackupStatus: string } } }>(
        emulator.url,
        ["dynamodb", "delete-backup", "--backup-arn", arn],
      );
      expect(deleted.BackupDescription.BackupDetails.BackupStatus).toBe("DELETED");
      const missing = await awsCli(emulator.url, ["dynamodb", "describe-backup", "--backup-arn", arn]);
      expect(missing.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
      expect(missing.stderr).toContain(
        `(BackupNotFoundException) when calling the DescribeBackup operation: Backup not found: ${arn}`,
      );
    },
  );

  it(
    "update-continuous-backups, describe-continuous-backups, restore-table-to-point-in-time --use-latest-restorable-time; restoring without recovery",
    { timeout: 120_000 },
    async () => {
      const refused = await awsCli(emulator.url, [
        "dynamodb",
        "restore-table-to-point-in-time",
        "--source-table-name",
        "cli-backups",
        "--target-table-name",
        "cli-pitr",
        "--use-latest-restorable-time",
      ]);
      expect(refused.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
      expect(refused.stderr).toContain("(PointInTimeRecoveryUnavailableException)");
      const updated = await awsCliJson<{
        ContinuousBackupsDescription: { PointInTimeRecoveryDescription: Record<string, unknown> };
      }>(emulator.url, [
        "dynamodb",
        "update-continuous-backups",
        "--table-name",
        "cli-backups",
        "--point-in-time-recovery-specification",
        "PointInTimeRecoveryEnabled=true",
      ]);
      expect(
        updated.ContinuousBackupsDescription.PointInTimeRecoveryDescription["PointInTimeRecoveryStatus"],
      ).toBe("ENABLED");
      const described = await awsCliJson<{ ContinuousBackupsDescription: Record<string, unknown> }>(
        emulator.url,
        ["dynamodb", "describe-continuous-backups", "--table-name", "cli-backups"],
      );
      expect(described.ContinuousBackupsDescription["ContinuousBackupsStatus"]).toBe("ENABLED");
      const restored = await awsCliJson<{ TableDescription: { TableName: string } }>(emulator.url, [
        "dynamodb",
        "restore-table-to-point-in-time",
        "--source-table-name",
        "cli-backups",
        "--target-table-name",
        "cli-pitr",
        "--use-latest-restorable-time",
      ]);
      expect(restored.TableDescription.TableName).toBe("cli-pitr");
    },
  );
});
