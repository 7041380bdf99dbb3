import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  DynamoDBServiceException,
  ListTablesCommand,
  ListTagsOfResourceCommand,
  TagResourceCommand,
  UpdateTableCommand,
  type CreateTableCommandInput,
} from "@aws-sdk/client-dynamodb";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../../src/runtime/emulator/index.js";
import { AWS_CLI_SERVICE_ERROR_EXIT, awsCli, awsCliAvailable, awsCliJson } from "../../helpers/aws-cli.js";

/**
 * Table settings as DynamoDB's API reference describes them and DynamoDB answers today:
 * DeletionProtectionEnabled (DeleteTable refused while it is on), SSESpecification shown as
 * SSEDescription, WarmThroughput on the table and its global secondary indexes (on-demand tables
 * start at 12,000 read / 4,000 write units per second), BillingModeSummary, TableClass, and the
 * Tags given at CreateTable, read back by ListTagsOfResource. Error cases first.
 */

const credentials = { accessKeyId: "test", secretAccessKey: "test" };

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
      { AttributeName: "gk", AttributeType: "S" },
    ],
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
    GlobalSecondaryIndexes: [
      {
        IndexName: "by-gk",
        KeySchema: [{ AttributeName: "gk", KeyType: "HASH" }],
        Projection: { ProjectionType: "ALL" },
      },
    ],
    BillingMode: "PAY_PER_REQUEST",
    ...extra,
  };
}

const INVALID = "One or more parameter values were invalid: ";

describe("dynamodb table settings (SDK v3)", () => {
  let emulator: Emulator;
  let ddb: DynamoDBClient;
  beforeAll(async () => {
    emulator = await createEmulator({ services: ["dynamodb", "dynamodbstreams"] });
    ddb = new DynamoDBClient({ endpoint: emulator.url, region: "us-east-1", credentials, maxAttempts: 1 });
  });
  afterAll(async () => {
    ddb.destroy();
    await emulator.stop();
  });

  describe("refusals", () => {
    it("CreateTable refuses bad tags, SSE, table class and warm throughput, and creates nothing", async () => {
      const cases: [Partial<CreateTableCommandInput>, string][] = [
        [
          { Tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "v" })) },
          "Number of Tags exceed the current limit for the provided ResourceArn",
        ],
        [
          { Tags: [{ Key: "aws:owner", Value: "x" }] },
          "Tag Key cannot be prefixed with aws:, Key: aws:owner",
        ],
        [
          {
            Tags: [
              { Key: "team", Value: "a" },
              { Key: "team", Value: "b" },
            ],
          },
          "Duplicate Tag Keys provided as input: Duplicate Tag Key found team",
        ],
        [{ Tags: [{ Key: "bad#key", Value: "x" }] }, "The Tag Key provided is invalid, Key: bad#key"],
        [
          { Tags: [{ Key: "k".repeat(129), Value: "x" }] },
          `1 validation error detected: Value '${"k".repeat(129)}' at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128`,
        ],
        [
          { SSESpecification: { Enabled: false, SSEType: "KMS" } },
          `${INVALID}SSEType can not be specified if Enabled is false`,
        ],
        [
          { SSESpecification: { Enabled: false, KMSMasterKeyId: "alias/mine" } },
          `${INVALID}KMSMasterKeyId can not be specified if Enabled is false`,
        ],
        [
          { SSESpecification: { Enabled: true, KMSMasterKeyId: "alias/mine" } },
          `${INVALID}SSEType KMS is required if KMSMasterKeyId is specified`,
        ],
        [
          { SSESpecification: { Enabled: true, SSEType: "AES256" } },
          `${INVALID}SSEType AES256 is not supported`,
        ],
        [
          { TableClass: "GLACIER" as never },
          "Invalid table-class parameter provided. Please try again with a valid table-class value: [STANDARD, STANDARD_INFREQUENT_ACCESS].",
        ],
        [
          {
            BillingMode: "PROVISIONED",
            ProvisionedThroughput: { ReadCapacityUnits: 50, WriteCapacityUnits: 5 },
            GlobalSecondaryIndexes: undefined,
            AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
            WarmThroughput: { ReadUnitsPerSecond: 10 },
          },
          `${INVALID}Requested ReadUnitsPerSecond for WarmThroughput for table is lower than ReadCapacityUnits of ProvisionedThroughput`,
        ],
      ];
      for (const [extra, message] of cases) {
        const refused = await failure(ddb.send(new CreateTableCommand(table("refused", extra))));
        expect([refused.name, refused.message]).toEqual(["ValidationException", message]);
      }
      const onDemandLow = await failure(
        ddb.send(new CreateTableCommand(table("refused", { WarmThroughput: { WriteUnitsPerSecond: 100 } }))),
      );
      expect(onDemandLow.message).toMatch(
        /^One or more parameter values were invalid: Requested WriteUnitsPerSecond for WarmThroughput for table is lower than initial throughput for OnDemand\./,
      );
      expect((await ddb.send(new ListTablesCommand({}))).TableNames).toEqual([]);
    });

    it("DeleteTable of a protected table is refused and the table stays; UpdateTable turning protection off lets it go", async () => {
      await ddb.send(new CreateTableCommand(table("guarded", { DeletionProtectionEnabled: true })));
      const refused = await failure(ddb.send(new DeleteTableCommand({ TableName: "guarded" })));
      expect([refused.name, refused.message]).toEqual([
        "ValidationException",
        "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.",
      ]);
      const still = await ddb.send(new DescribeTableCommand({ TableName: "guarded" }));
      expect(still.Table).toMatchObject({ TableStatus: "ACTIVE", DeletionProtectionEnabled: true });

      const combined = await failure(
        ddb.send(
          new UpdateTableCommand({
            TableName: "guarded",
            DeletionProtectionEnabled: false,
            BillingMode: "PROVISIONED",
            ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
          }),
        ),
      );
      expect(combined.message).toBe(
        `${INVALID}DeletionProtection modification must be the only operation in the request`,
      );
      const sseAndProtection = await failure(
        ddb.send(
          new UpdateTableCommand({
            TableName: "guarded",
            DeletionProtectionEnabled: false,
            SSESpecification: { Enabled: true },
          }),
        ),
      );
      expect(sseAndProtection.message).toBe(
        `${INVALID}Server-Side Encryption modification must be the only operation in the request`,
      );
      const missing = await failure(
        ddb.send(new UpdateTableCommand({ TableName: "no-such-table", DeletionProtectionEnabled: false })),
      );
      expect(missing.name).toBe("ResourceNotFoundException");

      const off = await ddb.send(
        new UpdateTableCommand({ TableName: "guarded", DeletionProtectionEnabled: false }),
      );
      expect(off.TableDescription?.DeletionProtectionEnabled).toBe(false);
      const deleted = await ddb.send(new DeleteTableCommand({ TableName: "guarded" }));
      expect(deleted.TableDescription?.TableStatus).toBe("DELETING");
    });

    it("UpdateTable with nothing to change names what it needs; SSE changes that change nothing are refused", async () => {
      await ddb.send(new CreateTableCommand(table("plain-sse")));
      const nothing = await failure(ddb.send(new UpdateTableCommand({ TableName: "plain-sse" })));
      expect(nothing.message).toBe(
        "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required",
      );
      const byDefault = await failure(
        ddb.send(new UpdateTableCommand({ TableName: "plain-sse", SSESpecification: { Enabled: false } })),
      );
      expect(byDefault.message).toBe(`${INVALID}Table is already encrypted by default`);
      const enabled = await ddb.send(
        new UpdateTableCommand({ TableName: "plain-sse", SSESpecification: { Enabled: true } }),
      );
      expect(enabled.TableDescription?.SSEDescription).toMatchObject({ Status: "ENABLED", SSEType: "KMS" });
      const again = await failure(
        ddb.send(new UpdateTableCommand({ TableName: "plain-sse", SSESpecification: { Enabled: true } })),
      );
      expect(again.message).toBe(
        `${INVALID}Table is already encrypted with given KMSMasterKeyId. Use KMSMasterKeyId parameter if you want to change Master Key`,
      );
      const back = await ddb.send(
        new UpdateTableCommand({ TableName: "plain-sse", SSESpecification: { Enabled: false } }),
      );
      expect(back.TableDescription?.SSEDescription).toBeUndefined();
    });

    it("warm throughput only rises: a lower value is refused", async () => {
      await ddb.send(new CreateTableCommand(table("warm")));
      const lower = await failure(
        ddb
          .send(new UpdateTableCommand({ TableName: "warm", WarmThroughput: { ReadUnitsPerSecond: 13000 } }))
          .then(() =>
            ddb.send(
              new UpdateTableCommand({ TableName: "warm", WarmThroughput: { ReadUnitsPerSecond: 12500 } }),
            ),
          ),
      );
      expect(lower.message).toBe(
        `${INVALID}Requested ReadUnitsPerSecond for WarmThroughput for table is lower than current WarmThroughput, decreasing WarmThroughput is not supported`,
      );
      const { Table } = await ddb.send(new DescribeTableCommand({ TableName: "warm" }));
      expect(Table?.WarmThroughput).toEqual({
        ReadUnitsPerSecond: 13000,
        WriteUnitsPerSecond: 4000,
        Status: "ACTIVE",
      });
    });

    it("TagResource keeps DynamoDB's tag rules and the 50-tag limit across calls", async () => {
      const { TableDescription } = await ddb.send(new CreateTableCommand(table("tag-limit")));
      const arn = TableDescription!.TableArn!;
      await ddb.send(
        new TagResourceCommand({
          ResourceArn: arn,
          Tags: Array.from({ length: 49 }, (_, i) => ({ Key: `k${i}`, Value: "v" })),
        }),
      );
      const over = await failure(
        ddb.send(
          new TagResourceCommand({
            ResourceArn: arn,
            Tags: [
              { Key: "one", Value: "1" },
              { Key: "two", Value: "2" },
            ],
          }),
        ),
      );
      expect(over.message).toBe("Number of Tags exceed the current limit for the provided ResourceArn");
      const prefixed = await failure(
        ddb.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: "AWS:x", Value: "1" }] })),
      );
      expect(prefixed.message).toBe("Tag Key cannot be prefixed with aws:, Key: AWS:x");
      // Re-tagging an existing key is no new tag.
      await ddb.send(
        new TagResourceCommand({
          ResourceArn: arn,
          Tags: [
            { Key: "k0", Value: "w" },
            { Key: "k49", Value: "v" },
          ],
        }),
      );
      const { Tags } = await ddb.send(new ListTagsOfResourceCommand({ ResourceArn: arn }));
      expect(Tags).toHaveLength(50);
    });
  });

  it("an on-demand table with a GSI: BillingModeSummary, DeletionProtectionEnabled, WarmThroughput, SSEDescription, the GSI's fields, and its tags", async () => {
    const created = await ddb.send(
      new CreateTableCommand(
        table("orders", {
          DeletionProtectionEnabled: true,
          SSESpecification: { Enabled: true, SSEType: "KMS", KMSMasterKeyId: "alias/orders-key" },
          Tags: [
            { Key: "team", Value: "payments" },
            { Key: "env", Value: "" },
          ],
        }),
      ),
    );
    expect(created.TableDescription?.TableStatus).toBe("CREATING");
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: "orders" }));
    const t = Table!;
    expect(t.BillingModeSummary?.BillingMode).toBe("PAY_PER_REQUEST");
    expect(t.BillingModeSummary?.LastUpdateToPayPerRequestDateTime).toBeInstanceOf(Date);
    expect(t.DeletionProtectionEnabled).toBe(true);
    expect(t.WarmThroughput).toEqual({
      ReadUnitsPerSecond: 12000,
      WriteUnitsPerSecond: 4000,
      Status: "ACTIVE",
    });
    expect(t.SSEDescription).toEqual({
      Status: "ENABLED",
      SSEType: "KMS",
      KMSMasterKeyArn: expect.stringMatching(/^arn:aws:kms:us-east-1:000000000000:key\/[0-9a-f-]{36}$/),
    });
    expect(t.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: "by-gk",
        KeySchema: [{ AttributeName: "gk", KeyType: "HASH" }],
        Projection: { ProjectionType: "ALL" },
        IndexStatus: "ACTIVE",
        ProvisionedThroughput: { NumberOfDecreasesToday: 0, ReadCapacityUnits: 0, WriteCapacityUnits: 0 },
        IndexSizeBytes: 0,
        ItemCount: 0,
        IndexArn: "arn:aws:dynamodb:us-east-1:000000000000:table/orders/index/by-gk",
        WarmThroughput: { ReadUnitsPerSecond: 12000, WriteUnitsPerSecond: 4000, Status: "ACTIVE" },
      },
    ]);
    expect(Object.keys(t)).not.toContain("TableThroughputModeSummary");
    expect(Object.keys(t).filter((k) => k.startsWith("Emulator"))).toEqual([]);
    // The same alias names the same key; another table with it shows the same key ARN.
    const twin = await ddb.send(
      new CreateTableCommand(
        table("orders-twin", {
          SSESpecification: { Enabled: true, SSEType: "KMS", KMSMasterKeyId: "alias/orders-key" },
        }),
      ),
    );
    expect(twin.TableDescription?.SSEDescription?.KMSMasterKeyArn).toBe(t.SSEDescription?.KMSMasterKeyArn);
    const { Tags } = await ddb.send(new ListTagsOfResourceCommand({ ResourceArn: t.TableArn }));
    expect(Tags).toEqual(
      expect.arrayContaining([
        { Key: "team", Value: "payments" },
        { Key: "env", Value: "" },
      ]),
    );
    expect(Tags).toHaveLength(2);
  });

  it("a provisioned table: BillingModeSummary PROVISIONED, warm as its throughput, no SSEDescription (AWS owned key), a KMS key ARN echoed", async () => {
    const keyArn = "arn:aws:kms:us-east-1:000000000000:key/11111111-2222-4333-8444-555555555555";
    await ddb.send(
      new CreateTableCommand({
        TableName: "provisioned",
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        ProvisionedThroughput: { ReadCapacityUnits: 7, WriteCapacityUnits: 3 },
        TableClass: "STANDARD_INFREQUENT_ACCESS",
      }),
    );
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: "provisioned" }));
    expect(Table).toMatchObject({
      BillingModeSummary: { BillingMode: "PROVISIONED" },
      DeletionProtectionEnabled: false,
      WarmThroughput: { ReadUnitsPerSecond: 7, WriteUnitsPerSecond: 3, Status: "ACTIVE" },
      TableClassSummary: { TableClass: "STANDARD_INFREQUENT_ACCESS" },
    });
    expect(Table?.SSEDescription).toBeUndefined();
    const updated = await ddb.send(
      new UpdateTableCommand({
        TableName: "provisioned",
        SSESpecification: { Enabled: true, SSEType: "KMS", KMSMasterKeyId: keyArn },
      }),
    );
    expect(updated.TableDescription?.SSEDescription).toEqual({
      Status: "ENABLED",
      SSEType: "KMS",
      KMSMasterKeyArn: keyArn,
    });
  });
});

describe("dynamodb table settings survive a restart", () => {
  const dir = mkdtempSync(join(tmpdir(), "ddb-settings-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("deletion protection, SSE, warm throughput and tags come back", async () => {
    const first = await createEmulator({ services: ["dynamodb", "dynamodbstreams"], persistDir: dir });
    const one = new DynamoDBClient({ endpoint: first.url, region: "us-east-1", credentials });
    await one.send(
      new CreateTableCommand(
        table("kept", {
          DeletionProtectionEnabled: true,
          SSESpecification: { Enabled: true },
          WarmThroughput: { ReadUnitsPerSecond: 20000 },
          Tags: [{ Key: "team", Value: "search" }],
        }),
      ),
    );
    const before = (await one.send(new DescribeTableCommand({ TableName: "kept" }))).Table!;
    one.destroy();
    await first.stop();

    const second = await createEmulator({ services: ["dynamodb", "dynamodbstreams"], persistDir: dir });
    const two = new DynamoDBClient({ endpoint: second.url, region: "us-east-1", credentials });
    const after = (await two.send(new DescribeTableCommand({ TableName: "kept" }))).Table!;
    expect(after.DeletionProtectionEnabled).toBe(true);
    expect(after.SSEDescription).toEqual(before.SSEDescription);
    expect(after.WarmThroughput).toEqual({
      ReadUnitsPerSecond: 20000,
      WriteUnitsPerSecond: 4000,
      Status: "ACTIVE",
    });
    expect((await two.send(new ListTagsOfResourceCommand({ ResourceArn: after.TableArn }))).Tags).toEqual([
      { Key: "team", Value: "search" },
    ]);
    two.destroy();
    await second.stop();
  });
});

describe.skipIf(!awsCliAvailable)("dynamodb table settings (AWS CLI)", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await createEmulator({ services: ["dynamodb", "dynamodbstreams"] });
  });
  afterAll(() => emulator.stop());

  // Debian's AWS CLI v2 (2.9) predates deletion protection and warm throughput: it can neither send
  // nor print them, so the table's protection is set with the SDK and the CLI meets the refusal.
  it("create-table with tags and SSE; describe-table shows SSEDescription and BillingModeSummary; delete-table of a protected table refused", async () => {
    await awsCliJson(emulator.url, [
      "dynamodb",
      "create-table",
      "--table-name",
      "cli-settings",
      "--attribute-definitions",
      "AttributeName=pk,AttributeType=S",
      "--key-schema",
      "AttributeName=pk,KeyType=HASH",
      "--billing-mode",
      "PAY_PER_REQUEST",
      "--sse-specification",
      "Enabled=true,SSEType=KMS",
      "--tags",
      "Key=team,Value=ops",
    ]);
    const described = await awsCliJson<{ Table: Record<string, unknown> }>(emulator.url, [
      "dynamodb",
      "describe-table",
      "--table-name",
      "cli-settings",
    ]);
    expect(described.Table).toMatchObject({
      BillingModeSummary: { BillingMode: "PAY_PER_REQUEST" },
      SSEDescription: { Status: "ENABLED", SSEType: "KMS" },
    });
    const tags = await awsCliJson<{ Tags: unknown[] }>(emulator.url, [
      "dynamodb",
      "list-tags-of-resource",
      "--resource-arn",
      String(described.Table["TableArn"]),
    ]);
    expect(tags.Tags).toEqual([{ Key: "team", Value: "ops" }]);
    const sse = await awsCli(emulator.url, [
      "dynamodb",
      "update-table",
      "--table-name",
      "cli-settings",
      "--sse-specification",
      "Enabled=true",
      "--billing-mode",
      "PAY_PER_REQUEST",
    ]);
    expect(sse.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
    expect(sse.stderr).toContain(
      "(ValidationException) when calling the UpdateTable operation: One or more parameter values were invalid: Server-Side Encryption modification must be the only operation in the request",
    );

    const ddb = new DynamoDBClient({ endpoint: emulator.url, region: "us-east-1", credentials });
    await ddb.send(new UpdateTableCommand({ TableName: "cli-settings", DeletionProtectionEnabled: true }));
    const refused = await awsCli(emulator.url, ["dynamodb", "delete-table", "--table-name", "cli-settings"]);
    expect(refused.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
    expect(refused.stderr).toContain(
      "(ValidationException) when calling the DeleteTable operation: Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.",
    );
    await ddb.send(new UpdateTableCommand({ TableName: "cli-settings", DeletionProtectionEnabled: false }));
    const deleted = await awsCliJson<{ TableDescription: { TableStatus: string } }>(emulator.url, [
      "dynamodb",
      "delete-table",
      "--table-name",
      "cli-settings",
    ]);
    expect(deleted.TableDescription.TableStatus).toBe("DELETING");
    ddb.destroy();
  });
});
