import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  DynamoDBServiceException,
  LimitExceededException,
  PutItemCommand,
  QueryCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTableCommand,
  type AttributeValue,
  type GlobalSecondaryIndexUpdate,
} from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from "@aws-sdk/client-dynamodb-streams";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createEmulator, ManualClock, type Emulator } from "../../../src/runtime/emulator/index.js";
import { AWS_CLI_SERVICE_ERROR_EXIT, awsCli, awsCliAvailable, awsCliJson } from "../../helpers/aws-cli.js";

/**
 * UpdateTable adding and removing a global secondary index on a live table, written from AWS's
 * developer guide ("Managing Global Secondary Indexes") and AWS's observed answers: the UpdateTable
 * answer shows TableStatus UPDATING and the index CREATING with Backfilling false; after resource
 * allocation the table is ACTIVE while the index backfills (Backfilling true, reads refused), then
 * the index is ACTIVE and holds the items written before it existed (items without the key, or with
 * another type, are skipped). One Create or Delete per table at a time (LimitExceededException);
 * a missing index is ResourceNotFoundException; DeleteTable waits for index work to finish.
 */
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number): AttributeValue => ({ N: String(value) });
const BUILD_MS = 1_000;
const ALLOCATION_MS = BUILD_MS / 4;
const ONE_AT_A_TIME =
  "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table";

async function failure(send: Promise<unknown>): Promise<DynamoDBServiceException> {
  try {
    await send;
  } catch (error) {
    expect(error).toBeInstanceOf(DynamoDBServiceException);
    return error as DynamoDBServiceException;
  }
  throw new Error("expected the call to fail");
}

const createGroupIndex = (
  name = "byGroup",
  projection: "ALL" | "KEYS_ONLY" = "ALL",
): GlobalSecondaryIndexUpdate => ({
  Create: {
    IndexName: name,
    KeySchema: [{ AttributeName: "group", KeyType: "HASH" }],
    Projection: { ProjectionType: projection },
  },
});

describe("dynamodb UpdateTable index Create and Delete (SDK v3)", () => {
  let emulator: Emulator;
  let clock: ManualClock;
  let ddb: DynamoDBClient;

  const createTable = (name: string) =>
    ddb.send(
      new CreateTableCommand({
        TableName: name,
        AttributeDefinitions: [
          { AttributeName: "pk", AttributeType: "S" },
          { AttributeName: "sk", AttributeType: "S" },
          { AttributeName: "lsk", AttributeType: "S" },
          { AttributeName: "existing", AttributeType: "S" },
        ],
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
        LocalSecondaryIndexes: [
          {
            IndexName: "byLsk",
            KeySchema: [
              { AttributeName: "pk", KeyType: "HASH" },
              { AttributeName: "lsk", KeyType: "RANGE" },
            ],
            Projection: { ProjectionType: "KEYS_ONLY" },
          },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: "byExisting",
            KeySchema: [{ AttributeName: "existing", KeyType: "HASH" }],
            Projection: { ProjectionType: "ALL" },
          },
        ],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
  const indexUpdate = (TableName: string, updates: GlobalSecondaryIndexUpdate[], withDefinition = true) =>
    ddb.send(
      new UpdateTableCommand({
        TableName,
        ...(withDefinition ? { AttributeDefinitions: [{ AttributeName: "group", AttributeType: "S" }] } : {}),
        GlobalSecondaryIndexUpdates: updates,
      }),
    );
  const describeTable = async (TableName: string) =>
    (await ddb.send(new DescribeTableCommand({ TableName }))).Table!;
  const index = async (TableName: string, name: string) =>
    (await describeTable(TableName)).GlobalSecondaryIndexes?.find((i) => i.IndexName === name);
  const queryGroup = (TableName: string, group: string) =>
    ddb.send(
      new QueryCommand({
        TableName,
        IndexName: "byGroup",
        KeyConditionExpression: "#g = :g",
        ExpressionAttributeNames: { "#g": "group" },
        ExpressionAttributeValues: { ":g": S(group) },
      }),
    );

  beforeAll(async () => {
    clock = new ManualClock(Date.UTC(2026, 5, 1, 12, 0, 0));
    emulator = await createEmulator({
      services: ["dynamodb", "dynamodbstreams"],
      clock,
      settings: { indexBuildMs: BUILD_MS },
    });
    ddb = new DynamoDBClient({ endpoint: emulator.url, region: "us-east-1", credentials, maxAttempts: 1 });
    await createTable("gsi-errors");
  });
  afterAll(async () => {
    ddb.destroy();
    await emulator.stop();
  });

  describe("refusals", () => {
    it("deleting an index the table does not have is ResourceNotFoundException; an LSI cannot be deleted", async () => {
      const missing = await failure(indexUpdate("gsi-errors", [{ Delete: { IndexName: "nope" } }], false));
      expect(missing).toBeInstanceOf(ResourceNotFoundException);
      expect(missing.message).toBe("Requested resource not found: Index nope for table gsi-errors");
      const local = await failure(indexUpdate("gsi-errors", [{ Delete: { IndexName: "byLsk" } }], false));
      expect(local.name).toBe("ValidationException");
      expect(local.message).toBe("Cannot delete an index that is not a GlobalSecondaryIndex: byLsk");
      const noTable = await failure(indexUpdate("no-such-table", [{ Delete: { IndexName: "x1x" } }], false));
      expect(noTable).toBeInstanceOf(ResourceNotFoundException);
    });

    it("two index creations or deletions in one request exceed the limit", async () => {
      const two = await failure(
        indexUpdate("gsi-errors", [createGroupIndex("one"), createGroupIndex("two")]),
      );
      expect(two).toBeInstanceOf(LimitExceededException);
      expect(two.message).toBe(ONE_AT_A_TIME);
      const mixed = await failure(
        indexUpdate("gsi-errors", [createGroupIndex("one"), { Delete: { IndexName: "byExisting" } }]),
      );
      expect(mixed).toBeInstanceOf(LimitExceededException);
    });

    it("an index name already taken by a GSI or an LSI is refused before the schema is checked", async () => {
      for (const name of ["byExisting", "byLsk"]) {
        const taken = await failure(indexUpdate("gsi-errors", [createGroupIndex(name)], false));
        expect(taken.name).toBe("ValidationException");
        expect(taken.message).toBe("Attempting to create an index which already exists");
      }
    });

    it("the new key needs its AttributeDefinitions; the projection and key schema are checked", async () => {
      const undefinedKey = await failure(indexUpdate("gsi-errors", [createGroupIndex()], false));
      expect(undefinedKey.message).toBe(
        "One or more parameter values were invalid: AttributeDefinitions is not specified for index: byGroup",
      );
      const include = await failure(
        indexUpdate("gsi-errors", [
          {
            Create: {
              IndexName: "byGroup",
              KeySchema: [{ AttributeName: "group", KeyType: "HASH" }],
              Projection: { ProjectionType: "INCLUDE" },
            },
          },
        ]),
      );
      expect(include.message).toBe(
        "One or more parameter values were invalid: ProjectionType is INCLUDE, but NonKeyAttributes is not specified",
      );
      const rangeFirst = await failure(
        indexUpdate("gsi-errors", [
          {
            Create: {
              IndexName: "byGroup",
              KeySchema: [{ AttributeName: "group", KeyType: "RANGE" }],
              Projection: { ProjectionType: "ALL" },
            },
          },
        ]),
      );
      expect(rangeFirst.message).toBe("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
      const shortName = await failure(indexUpdate("gsi-errors", [createGroupIndex("ab")]));
      expect(shortName.message).toBe(
        "1 validation error detected: Value 'ab' at 'globalSecondaryIndexUpdates.1.member.create.indexName' failed to satisfy constraint: Member must have length greater than or equal to 3",
      );
    });

    it("an update names exactly one action", async () => {
      const none = await failure(indexUpdate("gsi-errors", [{}, createGroupIndex()]));
      expect(none.message).toBe(
        "One or more parameter values were invalid: One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null",
      );
      const both = await failure(
        indexUpdate("gsi-errors", [{ ...createGroupIndex(), Delete: { IndexName: "byExisting" } }]),
      );
      expect(both.message).toBe(
        "One or more parameter values were invalid: Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate object",
      );
      const stream = await failure(
        ddb.send(
          new UpdateTableCommand({
            TableName: "gsi-errors",
            AttributeDefinitions: [{ AttributeName: "group", AttributeType: "S" }],
            GlobalSecondaryIndexUpdates: [createGroupIndex()],
            StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" },
          }),
        ),
      );
      expect(stream.name).toBe("ValidationException");
      expect((await describeTable("gsi-errors")).GlobalSecondaryIndexes).toHaveLength(1);
    });
  });

  describe("lifecycle", () => {
    it("CREATING with allocation then backfill, then ACTIVE with the items written before; reads wait for it", async () => {
      await createTable("gsi-life");
      const put = (pk: string, group?: AttributeValue) =>
        ddb.send(
          new PutItemCommand({
            TableName: "gsi-life",
            Item: { pk: S(pk), sk: S("a"), data: S(pk), ...(group ? { group } : {}) },
          }),
        );
      await put("before-1", S("g1"));
      await put("before-2", S("g1"));
      await put("other", S("g2"));
      await put("no-group");
      await put("number-group", N(7));

      const answer = await indexUpdate("gsi-life", [createGroupIndex()]);
      expect(answer.TableDescription?.TableStatus).toBe("UPDATING");
      const creating = answer.TableDescription?.GlobalSecondaryIndexes?.find(
        (i) => i.IndexName === "byGroup",
      );
      expect(creating).toMatchObject({
        IndexStatus: "CREATING",
        Backfilling: false,
        KeySchema: [{ AttributeName: "group", KeyType: "HASH" }],
        Projection: { ProjectionType: "ALL" },
        IndexArn: `${answer.TableDescription?.TableArn}/index/byGroup`,
      });
      expect(answer.TableDescription?.AttributeDefinitions).toContainEqual({
        AttributeName: "group",
        AttributeType: "S",
      });

      // While it is allocated: no second index, no delete of it, no DeleteTable, no reads.
      expect((await failure(indexUpdate("gsi-life", [createGroupIndex("another")]))).message).toBe(
        ONE_AT_A_TIME,
      );
      const early = await failure(indexUpdate("gsi-life", [{ Delete: { IndexName: "byGroup" } }], false));
      expect(early).toBeInstanceOf(ResourceInUseException);
      expect(early.message).toContain("Index creation is in resource allocation phase");
      const deleting = await failure(ddb.send(new DeleteTableCommand({ TableName: "gsi-life" })));
      expect(deleting).toBeInstanceOf(ResourceInUseException);
      expect(deleting.message).toBe(
        "Attempt to change a resource which is still in use: Cannot delete table while indexes are being created, updated, or deleted.",
      );
      expect((await failure(queryGroup("gsi-life", "g1"))).message).toBe(
        "Cannot read from backfilling global secondary index: byGroup",
      );

      await clock.advance(ALLOCATION_MS);
      await vi.waitFor(async () => expect((await index("gsi-life", "byGroup"))?.Backfilling).toBe(true));
      const backfilling = await describeTable("gsi-life");
      expect(backfilling.TableStatus).toBe("ACTIVE");
      expect(backfilling.GlobalSecondaryIndexes?.find((i) => i.IndexName === "byGroup")?.IndexStatus).toBe(
        "CREATING",
      );
      // The index's key type now binds new writes.
      const mistyped = await failure(put("late-number", N(1)));
      expect(mistyped.name).toBe("ValidationException");
      expect(mistyped.message).toContain("Type mismatch for Index Key group");
      await put("during", S("g1"));

      await clock.advance(BUILD_MS - ALLOCATION_MS);
      await vi.waitFor(async () => expect((await index("gsi-life", "byGroup"))?.IndexStatus).toBe("ACTIVE"));
      expect((await index("gsi-life", "byGroup"))?.Backfilling).toBeUndefined();
      const g1 = await queryGroup("gsi-life", "g1");
      expect(g1.Items?.map((i) => i["pk"]?.S).sort()).toEqual(["before-1", "before-2", "during"]);
      expect(g1.Items?.[0]?.["data"]).toBeDefined();
      expect((await queryGroup("gsi-life", "g2")).Count).toBe(1);
    });

    it("Delete shows DELETING until the index is gone, then its attribute definition and type constraint go too", async () => {
      const answer = await indexUpdate("gsi-life", [{ Delete: { IndexName: "byGroup" } }], false);
      expect(answer.TableDescription?.TableStatus).toBe("UPDATING");
      expect(
        answer.TableDescription?.GlobalSecondaryIndexes?.find((i) => i.IndexName === "byGroup")?.IndexStatus,
      ).toBe("DELETING");
      expect((await failure(queryGroup("gsi-life", "g1"))).message).toBe(
        "The table does not have the specified index: byGroup",
      );
      await clock.advance(ALLOCATION_MS);
      await vi.waitFor(async () => expect(await index("gsi-life", "byGroup")).toBeUndefined());
      const table = await describeTable("gsi-life");
      expect(table.TableStatus).toBe("ACTIVE");
      expect(table.GlobalSecondaryIndexes?.map((i) => i.IndexName)).toEqual(["byExisting"]);
      expect(table.AttributeDefinitions?.map((d) => d.AttributeName)).not.toContain("group");
      await ddb.send(
        new PutItemCommand({ TableName: "gsi-life", Item: { pk: S("now-number"), sk: S("a"), group: N(3) } }),
      );
      const again = await failure(indexUpdate("gsi-life", [{ Delete: { IndexName: "byGroup" } }], false));
      expect(again).toBeInstanceOf(ResourceNotFoundException);
    });

    it("a KEYS_ONLY index re-created under the same name holds keys only and skips a mistyped item", async () => {
      await indexUpdate("gsi-life", [createGroupIndex("byGroup", "KEYS_ONLY")]);
      await clock.advance(ALLOCATION_MS);
      await vi.waitFor(async () => expect((await index("gsi-life", "byGroup"))?.Backfilling).toBe(true));
      await clock.advance(BUILD_MS - ALLOCATION_MS);
      await vi.waitFor(async () => expect((await index("gsi-life", "byGroup"))?.IndexStatus).toBe("ACTIVE"));
      const g1 = await queryGroup("gsi-life", "g1");
      expect(g1.Count).toBe(3);
      expect(Object.keys(g1.Items?.[0] ?? {}).sort()).toEqual(["group", "pk", "sk"]);
      await ddb.send(new DeleteTableCommand({ TableName: "gsi-life" }));
    });
  });

  it("the backfill changes no item, so the table's stream gets no record of it", async () => {
    const streams = new DynamoDBStreamsClient({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials,
      maxAttempts: 1,
    });
    const created = await ddb.send(
      new CreateTableCommand({
        TableName: "gsi-stream",
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
        StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
      }),
    );
    for (const pk of ["a", "b", "c"])
      await ddb.send(new PutItemCommand({ TableName: "gsi-stream", Item: { pk: S(pk), group: S("g1") } }));
    await indexUpdate("gsi-stream", [createGroupIndex()]);
    await clock.advance(ALLOCATION_MS);
    await vi.waitFor(async () => expect((await index("gsi-stream", "byGroup"))?.Backfilling).toBe(true));
    await clock.advance(BUILD_MS - ALLOCATION_MS);
    await vi.waitFor(async () => expect((await index("gsi-stream", "byGroup"))?.IndexStatus).toBe("ACTIVE"));
    expect((await queryGroup("gsi-stream", "g1")).Count).toBe(3);

    const StreamArn = created.TableDescription?.LatestStreamArn;
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn }));
    const { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn,
        ShardId: StreamDescription?.Shards?.[0]?.ShardId,
        ShardIteratorType: "TRIM_HORIZON",
      }),
    );
    const { Records } = await streams.send(new GetRecordsCommand({ ShardIterator }));
    expect(Records?.map((r) => r.eventName)).toEqual(["INSERT", "INSERT", "INSERT"]);
    streams.destroy();
  });

  it("an index build a restart interrupted finishes after the restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gsi-resume-"));
    try {
      const first = await createEmulator({
        services: ["dynamodb", "dynamodbstreams"],
        persistDir: dir,
        settings: { indexBuildMs: 60 * 60 * 1000 },
      });
      const client = new DynamoDBClient({ endpoint: first.url, region: "us-east-1", credentials });
      await client.send(
        new CreateTableCommand({
          TableName: "resumed",
          AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
          KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
          BillingMode: "PAY_PER_REQUEST",
        }),
      );
      await client.send(new PutItemCommand({ TableName: "resumed", Item: { pk: S("a"), group: S("g") } }));
      await client.send(
        new UpdateTableCommand({
          TableName: "resumed",
          AttributeDefinitions: [{ AttributeName: "group", AttributeType: "S" }],
          GlobalSecondaryIndexUpdates: [createGroupIndex()],
        }),
      );
      client.destroy();
      await first.stop();

      const second = await createEmulator({
        services: ["dynamodb", "dynamodbstreams"],
        persistDir: dir,
        settings: { indexBuildMs: 40 },
      });
      const again = new DynamoDBClient({ endpoint: second.url, region: "us-east-1", credentials });
      await vi.waitFor(async () => {
        const { Table } = await again.send(new DescribeTableCommand({ TableName: "resumed" }));
        expect(Table?.GlobalSecondaryIndexes?.[0]?.IndexStatus).toBe("ACTIVE");
      });
      const found = await again.send(
        new QueryCommand({
          TableName: "resumed",
          IndexName: "byGroup",
          KeyConditionExpression: "#g = :g",
          ExpressionAttributeNames: { "#g": "group" },
          ExpressionAttributeValues: { ":g": S("g") },
        }),
      );
      expect(found.Count).toBe(1);
      again.destroy();
      await second.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!awsCliAvailable)("dynamodb UpdateTable index Create and Delete through the AWS CLI", () => {
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await createEmulator({
      services: ["dynamodb", "dynamodbstreams"],
      settings: { indexBuildMs: 50 },
    });
    await awsCliJson(emulator.url, [
      "dynamodb",
      "create-table",
      "--table-name",
      "cli-gsi",
      "--attribute-definitions",
      "AttributeName=pk,AttributeType=S",
      "--key-schema",
      "AttributeName=pk,KeyType=HASH",
      "--billing-mode",
      "PAY_PER_REQUEST",
    ]);
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it("update-table creates an index that becomes ACTIVE; deleting a missing one is ResourceNotFoundException", async () => {
    const created = await awsCliJson<{
      TableDescription: { GlobalSecondaryIndexes: { IndexStatus: string }[] };
    }>(emulator.url, [
      "dynamodb",
      "update-table",
      "--table-name",
      "cli-gsi",
      "--attribute-definitions",
      "AttributeName=group,AttributeType=S",
      "--global-secondary-index-updates",
      JSON.stringify([createGroupIndex()]),
    ]);
    expect(created.TableDescription.GlobalSecondaryIndexes[0]?.IndexStatus).toBe("CREATING");
    await vi.waitFor(async () => {
      const described = await awsCliJson<{ Table: { GlobalSecondaryIndexes: { IndexStatus: string }[] } }>(
        emulator.url,
        ["dynamodb", "describe-table", "--table-name", "cli-gsi"],
      );
      expect(described.Table.GlobalSecondaryIndexes[0]?.IndexStatus).toBe("ACTIVE");
    }, 20_000);
    const missing = await awsCli(emulator.url, [
      "dynamodb",
      "update-table",
      "--table-name",
      "cli-gsi",
      "--global-secondary-index-updates",
      JSON.stringify([{ Delete: { IndexName: "nope" } }]),
    ]);
    expect(missing.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
    expect(missing.stderr).toContain(
      "(ResourceNotFoundException) when calling the UpdateTable operation: Requested resource not found: Index nope for table cli-gsi",
    );
  });
});
