import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  DescribeContributorInsightsCommand,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  ScanCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
  TransactionCanceledException,
  UpdateItemCommand,
  UpdateTableCommand,
  type AttributeValue,
  type CreateTableCommandInput,
} from "@aws-sdk/client-dynamodb";
import {
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  DescribeStreamCommand,
  type _Record,
} from "@aws-sdk/client-dynamodb-streams";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../../src/runtime/emulator/index.js";
import { testAuthorization } from "../../helpers/raw-aws.js";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };

function table(name: string, extra: Partial<CreateTableCommandInput> = {}): CreateTableCommandInput {
  return {
    TableName: name,
    AttributeDefinitions: [
      { AttributeName: "pk", AttributeType: "S" },
      { AttributeName: "sk", AttributeType: "S" },
      { AttributeName: "category", AttributeType: "S" },
    ],
    KeySchema: [
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: "byCategory",
        KeySchema: [
          { AttributeName: "category", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "ALL" },
      },
    ],
    BillingMode: "PAY_PER_REQUEST",
    ...extra,
  };
}

const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number): AttributeValue => ({ N: String(value) });

describe("emulator: DynamoDB", () => {
  let emulator: Emulator;
  let ddb: DynamoDBClient;
  let streams: DynamoDBStreamsClient;

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["dynamodb", "dynamodbstreams"] });
    const config = { endpoint: emulator.url, region: "us-east-1", credentials };
    ddb = new DynamoDBClient(config);
    streams = new DynamoDBStreamsClient(config);
  });
  afterAll(async () => {
    ddb.destroy();
    streams.destroy();
    await emulator.stop();
  });

  /** Every record of the table's stream so far. */
  async function streamRecords(tableName: string): Promise<_Record[]> {
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: tableName }));
    const arn = Table!.LatestStreamArn!;
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: arn }));
    const { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: arn,
        ShardId: StreamDescription!.Shards![0]!.ShardId!,
        ShardIteratorType: "TRIM_HORIZON",
      }),
    );
    const { Records } = await streams.send(new GetRecordsCommand({ ShardIterator }));
    return Records ?? [];
  }

  describe("tables", () => {
    it("CreateTable with a GSI and a stream: DescribeTable shows the stream label and ARN", async () => {
      const created = await ddb.send(
        new CreateTableCommand(
          table("tables-a", {
            StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
          }),
        ),
      );
      expect(created.TableDescription?.StreamSpecification).toEqual({
        StreamEnabled: true,
        StreamViewType: "NEW_AND_OLD_IMAGES",
      });
      const { Table } = await ddb.send(new DescribeTableCommand({ TableName: "tables-a" }));
      expect(Table?.TableStatus).toBe("ACTIVE");
      expect(Table?.TableArn).toBe("arn:aws:dynamodb:us-east-1:000000000000:table/tables-a");
      expect(Table?.GlobalSecondaryIndexes?.[0]?.IndexName).toBe("byCategory");
      expect(Table?.LatestStreamLabel).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$/);
      expect(Table?.LatestStreamArn).toBe(`${Table?.TableArn}/stream/${Table?.LatestStreamLabel}`);
      const listed = await ddb.send(new ListTablesCommand({}));
      expect(listed.TableNames).toContain("tables-a");
    });

    it("a table without StreamSpecification has no stream members", async () => {
      await ddb.send(new CreateTableCommand(table("tables-plain")));
      const { Table } = await ddb.send(new DescribeTableCommand({ TableName: "tables-plain" }));
      expect(Table?.StreamSpecification).toBeUndefined();
      expect(Table?.LatestStreamArn).toBeUndefined();
    });

    it("CreateTable of an existing table is ResourceInUseException; DescribeTable of a missing one ResourceNotFoundException", async () => {
      await expect(ddb.send(new CreateTableCommand(table("tables-a")))).rejects.toBeInstanceOf(
        ResourceInUseException,
      );
      await expect(ddb.send(new DescribeTableCommand({ TableName: "no-such-table" }))).rejects.toBeInstanceOf(
        ResourceNotFoundException,
      );
    });

    it("refuses StreamEnabled without a view type, and an unknown view type", async () => {
      await expect(
        ddb.send(
          new CreateTableCommand(table("tables-bad", { StreamSpecification: { StreamEnabled: true } })),
        ),
      ).rejects.toMatchObject({
        name: "ValidationException",
        message: expect.stringMatching(/StreamViewType/),
      });
      await expect(
        ddb.send(
          new CreateTableCommand(
            table("tables-bad", {
              StreamSpecification: { StreamEnabled: true, StreamViewType: "EVERYTHING" as "KEYS_ONLY" },
            }),
          ),
        ),
      ).rejects.toMatchObject({ name: "ValidationException" });
      await expect(ddb.send(new DescribeTableCommand({ TableName: "tables-bad" }))).rejects.toBeInstanceOf(
        ResourceNotFoundException,
      );
    });

    it("UpdateTable disables and re-enables a stream: a new label and ARN, the old stream stays readable", async () => {
      await ddb.send(
        new CreateTableCommand(
          table("tables-toggle", {
            StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" },
          }),
        ),
      );
      const before = (await ddb.send(new DescribeTableCommand({ TableName: "tables-toggle" }))).Table!;
      await expect(
        ddb.send(
          new UpdateTableCommand({
            TableName: "tables-toggle",
            StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" },
          }),
        ),
      ).rejects.toMatchObject({ name: "ValidationException", message: expect.stringMatching(/already has/) });

      const disabled = await ddb.send(
        new UpdateTableCommand({ TableName: "tables-toggle", StreamSpecification: { StreamEnabled: false } }),
      );
      expect(disabled.TableDescription?.StreamSpecification).toEqual({ StreamEnabled: false });
      expect(disabled.TableDescription?.LatestStreamArn).toBe(before.LatestStreamArn);
      const old = await streams.send(new DescribeStreamCommand({ StreamArn: before.LatestStreamArn }));
      expect(old.StreamDescription?.StreamStatus).toBe("DISABLED");

      await expect(
        ddb.send(
          new UpdateTableCommand({
            TableName: "tables-toggle",
            StreamSpecification: { StreamEnabled: false },
          }),
        ),
      ).rejects.toMatchObject({ name: "ValidationException" });

      const enabled = await ddb.send(
        new UpdateTableCommand({
          TableName: "tables-toggle",
          StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" },
        }),
      );
      expect(enabled.TableDescription?.StreamSpecification).toEqual({
        StreamEnabled: true,
        StreamViewType: "NEW_IMAGE",
      });
      expect(enabled.TableDescription?.LatestStreamArn).not.toBe(before.LatestStreamArn);
      expect(enabled.TableDescription?.LatestStreamLabel).not.toBe(before.LatestStreamLabel);
    });

    it("UpdateTable passes other changes to dynalite, and a missing table is ResourceNotFoundException", async () => {
      await ddb.send(
        new CreateTableCommand(
          table("tables-provisioned", {
            BillingMode: "PROVISIONED",
            ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
            GlobalSecondaryIndexes: undefined,
            AttributeDefinitions: [
              { AttributeName: "pk", AttributeType: "S" },
              { AttributeName: "sk", AttributeType: "S" },
            ],
          }),
        ),
      );
      const updated = await ddb.send(
        new UpdateTableCommand({
          TableName: "tables-provisioned",
          ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
          StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" },
        }),
      );
      expect(updated.TableDescription?.StreamSpecification?.StreamEnabled).toBe(true);
      await expect(
        ddb.send(
          new UpdateTableCommand({
            TableName: "tables-missing",
            StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" },
          }),
        ),
      ).rejects.toBeInstanceOf(ResourceNotFoundException);
    });

    it("DeleteTable removes the table; a table of the same name can be created at once, without the old stream", async () => {
      await ddb.send(
        new CreateTableCommand(
          table("tables-gone", { StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" } }),
        ),
      );
      const arn = (await ddb.send(new DescribeTableCommand({ TableName: "tables-gone" }))).Table!
        .LatestStreamArn;
      await ddb.send(new DeleteTableCommand({ TableName: "tables-gone" }));
      await expect(ddb.send(new DescribeTableCommand({ TableName: "tables-gone" }))).rejects.toBeInstanceOf(
        ResourceNotFoundException,
      );
      const stream = await streams.send(new DescribeStreamCommand({ StreamArn: arn }));
      expect(stream.StreamDescription?.StreamStatus).toBe("DISABLED");
      await ddb.send(new CreateTableCommand(table("tables-gone")));
      const { Table } = await ddb.send(new DescribeTableCommand({ TableName: "tables-gone" }));
      expect(Table?.LatestStreamArn).toBeUndefined();
      await expect(ddb.send(new DeleteTableCommand({ TableName: "tables-never" }))).rejects.toBeInstanceOf(
        ResourceNotFoundException,
      );
    });
  });

  describe("items", () => {
    beforeAll(async () => {
      await ddb.send(
        new CreateTableCommand(
          table("items", {
            StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
          }),
        ),
      );
    });

    it("Put/Get/Update/Delete, with the caller's ReturnValues answered as asked (nothing extra)", async () => {
      const put = await ddb.send(
        new PutItemCommand({
          TableName: "items",
          Item: { pk: S("a"), sk: S("1"), name: S("Ava"), score: N(1) },
        }),
      );
      expect(put.Attributes).toBeUndefined();
      const replaced = await ddb.send(
        new PutItemCommand({
          TableName: "items",
          Item: { pk: S("a"), sk: S("1"), name: S("Ava"), score: N(2) },
          ReturnValues: "ALL_OLD",
        }),
      );
      expect(replaced.Attributes).toEqual({ pk: S("a"), sk: S("1"), name: S("Ava"), score: N(1) });

      const updated = await ddb.send(
        new UpdateItemCommand({
          TableName: "items",
          Key: { pk: S("a"), sk: S("1") },
          UpdateExpression: "SET score = score + :one, #c = :cat",
          ExpressionAttributeNames: { "#c": "category" },
          ExpressionAttributeValues: { ":one": N(1), ":cat": S("actor") },
          ReturnValues: "UPDATED_NEW",
        }),
      );
      expect(updated.Attributes).toEqual({ score: N(3), category: S("actor") });
      const silent = await ddb.send(
        new UpdateItemCommand({
          TableName: "items",
          Key: { pk: S("a"), sk: S("1") },
          UpdateExpression: "SET score = :s",
          ExpressionAttributeValues: { ":s": N(4) },
        }),
      );
      expect(silent.Attributes).toBeUndefined();

      const got = await ddb.send(new GetItemCommand({ TableName: "items", Key: { pk: S("a"), sk: S("1") } }));
      expect(got.Item).toEqual({ pk: S("a"), sk: S("1"), name: S("Ava"), score: N(4), category: S("actor") });

      const deleted = await ddb.send(
        new DeleteItemCommand({
          TableName: "items",
          Key: { pk: S("a"), sk: S("1") },
          ReturnValues: "ALL_OLD",
        }),
      );
      expect(deleted.Attributes?.["score"]).toEqual(N(4));
      const gone = await ddb.send(
        new GetItemCommand({ TableName: "items", Key: { pk: S("a"), sk: S("1") } }),
      );
      expect(gone.Item).toBeUndefined();
    });

    it("a failed condition is ConditionalCheckFailedException, with the item when ReturnValuesOnConditionCheckFailure asks", async () => {
      await ddb.send(new PutItemCommand({ TableName: "items", Item: { pk: S("c"), sk: S("1"), v: N(1) } }));
      const plain = await ddb
        .send(
          new PutItemCommand({
            TableName: "items",
            Item: { pk: S("c"), sk: S("1"), v: N(2) },
            ConditionExpression: "attribute_not_exists(pk)",
          }),
        )
        .catch((error: unknown) => error);
      expect(plain).toBeInstanceOf(ConditionalCheckFailedException);
      expect((plain as ConditionalCheckFailedException).message).toBe("The conditional request failed");
      expect((plain as ConditionalCheckFailedException).Item).toBeUndefined();

      const withItem = await ddb
        .send(
          new UpdateItemCommand({
            TableName: "items",
            Key: { pk: S("c"), sk: S("1") },
            UpdateExpression: "SET v = :v",
            ConditionExpression: "v = :expected",
            ExpressionAttributeValues: { ":v": N(3), ":expected": N(99) },
            ReturnValuesOnConditionCheckFailure: "ALL_OLD",
          }),
        )
        .catch((error: unknown) => error);
      expect(withItem).toBeInstanceOf(ConditionalCheckFailedException);
      expect((withItem as ConditionalCheckFailedException).Item).toEqual({ pk: S("c"), sk: S("1"), v: N(1) });
    });

    it("a reserved word in an expression is a ValidationException naming it", async () => {
      const error = await ddb
        .send(
          new UpdateItemCommand({
            TableName: "items",
            Key: { pk: S("c"), sk: S("1") },
            UpdateExpression: "SET timestamp = :t",
            ExpressionAttributeValues: { ":t": N(1) },
          }),
        )
        .then(
          () => undefined,
          (e: unknown) => e as Error,
        );
      expect(error).toMatchObject({ name: "ValidationException", $metadata: { httpStatusCode: 400 } });
      expect(error?.message).toMatch(/reserved keyword: timestamp/);
    });

    it("writes to a missing table are ResourceNotFoundException; a key of the wrong type ValidationException", async () => {
      await expect(
        ddb.send(new PutItemCommand({ TableName: "missing-table", Item: { pk: S("x"), sk: S("1") } })),
      ).rejects.toBeInstanceOf(ResourceNotFoundException);
      await expect(
        ddb.send(new PutItemCommand({ TableName: "items", Item: { pk: N(1), sk: S("1") } })),
      ).rejects.toMatchObject({ name: "ValidationException" });
    });

    it("Query on the table and a GSI", async () => {
      for (const [sk, category] of [
        ["1", "actor"],
        ["2", "singer"],
        ["3", "actor"],
      ] as const) {
        await ddb.send(
          new PutItemCommand({ TableName: "items", Item: { pk: S("q"), sk: S(sk), category: S(category) } }),
        );
      }
      const byPk = await ddb.send(
        new QueryCommand({
          TableName: "items",
          KeyConditionExpression: "pk = :pk AND sk > :from",
          ExpressionAttributeValues: { ":pk": S("q"), ":from": S("1") },
          ScanIndexForward: false,
        }),
      );
      expect(byPk.Items?.map((i) => i["sk"]?.S)).toEqual(["3", "2"]);
      const byCategory = await ddb.send(
        new QueryCommand({
          TableName: "items",
          IndexName: "byCategory",
          KeyConditionExpression: "category = :c",
          ExpressionAttributeValues: { ":c": S("actor") },
        }),
      );
      expect(byCategory.Items?.filter((i) => i["pk"]?.S === "q").map((i) => i["sk"]?.S)).toEqual(["1", "3"]);
    });

    it("BatchWriteItem and BatchGetItem; duplicate keys in one batch are refused", async () => {
      const written = await ddb.send(
        new BatchWriteItemCommand({
          RequestItems: {
            items: [
              { PutRequest: { Item: { pk: S("b"), sk: S("1") } } },
              { PutRequest: { Item: { pk: S("b"), sk: S("2") } } },
              { DeleteRequest: { Key: { pk: S("q"), sk: S("2") } } },
            ],
          },
        }),
      );
      expect(written.UnprocessedItems).toEqual({});
      const read = await ddb.send(
        new BatchGetItemCommand({
          RequestItems: {
            items: {
              Keys: [
                { pk: S("b"), sk: S("1") },
                { pk: S("b"), sk: S("2") },
                { pk: S("q"), sk: S("2") },
              ],
            },
          },
        }),
      );
      expect(read.Responses?.["items"]?.map((i) => i["sk"]?.S).sort()).toEqual(["1", "2"]);
      await expect(
        ddb.send(
          new BatchWriteItemCommand({
            RequestItems: {
              items: [
                { PutRequest: { Item: { pk: S("d"), sk: S("1") } } },
                { DeleteRequest: { Key: { pk: S("d"), sk: S("1") } } },
              ],
            },
          }),
        ),
      ).rejects.toMatchObject({ name: "ValidationException", message: expect.stringMatching(/duplicates/) });
    });

    it("concurrent updates of one item are serialised: each stream record has exact images", async () => {
      await ddb.send(
        new CreateTableCommand(
          table("counter", {
            StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
          }),
        ),
      );
      const writes = 30;
      await Promise.all(
        Array.from({ length: writes }, () =>
          ddb.send(
            new UpdateItemCommand({
              TableName: "counter",
              Key: { pk: S("n"), sk: S("0") },
              UpdateExpression: "ADD n :one",
              ExpressionAttributeValues: { ":one": N(1) },
            }),
          ),
        ),
      );
      const records = await streamRecords("counter");
      expect(records).toHaveLength(writes);
      records.forEach((record, index) => {
        expect(record.eventName).toBe(index === 0 ? "INSERT" : "MODIFY");
        expect(record.dynamodb?.NewImage?.["n"]).toEqual(N(index + 1));
        if (index > 0) expect(record.dynamodb?.OldImage?.["n"]).toEqual(N(index));
      });
    });
  });

  describe("Scan paging and counting", () => {
    beforeAll(async () => {
      await ddb.send(new CreateTableCommand(table("scan")));
      // 30 items of ~50 KB: about 1.5 MB, more than one 1 MB page.
      const blob = "x".repeat(50_000);
      for (let i = 0; i < 30; i++) {
        await ddb.send(
          new PutItemCommand({ TableName: "scan", Item: { pk: S(`p${i}`), sk: S("0"), blob: S(blob) } }),
        );
      }
    });

    it("Select COUNT counts one page; the total needs LastEvaluatedKey paging", async () => {
      const first = await ddb.send(new ScanCommand({ TableName: "scan", Select: "COUNT" }));
      expect(first.Items).toBeUndefined();
      expect(first.Count).toBeGreaterThan(0);
      expect(first.Count).toBeLessThan(30);
      expect(first.LastEvaluatedKey).toBeDefined();
      let total = 0;
      let pages = 0;
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page = await ddb.send(
          new ScanCommand({ TableName: "scan", Select: "COUNT", ExclusiveStartKey: start }),
        );
        total += page.Count ?? 0;
        pages++;
        start = page.LastEvaluatedKey;
      } while (start);
      expect(total).toBe(30);
      expect(pages).toBeGreaterThan(1);
    });

    it("Limit bounds a page too", async () => {
      const page = await ddb.send(new ScanCommand({ TableName: "scan", Limit: 7, Select: "COUNT" }));
      expect(page.Count).toBe(7);
      expect(page.ScannedCount).toBe(7);
      expect(page.LastEvaluatedKey).toBeDefined();
    });
  });

  describe("transactions", () => {
    beforeAll(async () => {
      await ddb.send(
        new CreateTableCommand(
          table("txn", {
            StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
          }),
        ),
      );
      await ddb.send(
        new PutItemCommand({ TableName: "txn", Item: { pk: S("acct"), sk: S("1"), balance: N(10) } }),
      );
      await ddb.send(
        new PutItemCommand({ TableName: "txn", Item: { pk: S("acct"), sk: S("2"), balance: N(0) } }),
      );
      await ddb.send(new PutItemCommand({ TableName: "txn", Item: { pk: S("gone"), sk: S("1") } }));
    });

    it("TransactWriteItems applies Put, Update, Delete and ConditionCheck together", async () => {
      await ddb.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Update: {
                TableName: "txn",
                Key: { pk: S("acct"), sk: S("1") },
                UpdateExpression: "SET balance = balance - :amount",
                ConditionExpression: "balance >= :amount",
                ExpressionAttributeValues: { ":amount": N(4) },
              },
            },
            {
              Update: {
                TableName: "txn",
                Key: { pk: S("acct"), sk: S("2") },
                UpdateExpression: "SET balance = balance + :amount",
                ExpressionAttributeValues: { ":amount": N(4) },
              },
            },
            { Put: { TableName: "txn", Item: { pk: S("log"), sk: S("1"), amount: N(4) } } },
            { Delete: { TableName: "txn", Key: { pk: S("gone"), sk: S("1") } } },
            {
              ConditionCheck: {
                TableName: "items",
                Key: { pk: S("b"), sk: S("1") },
                ConditionExpression: "attribute_exists(pk)",
              },
            },
          ],
        }),
      );
      const got = await ddb.send(
        new TransactGetItemsCommand({
          TransactItems: [
            { Get: { TableName: "txn", Key: { pk: S("acct"), sk: S("1") } } },
            {
              Get: { TableName: "txn", Key: { pk: S("acct"), sk: S("2") }, ProjectionExpression: "balance" },
            },
            { Get: { TableName: "txn", Key: { pk: S("gone"), sk: S("1") } } },
          ],
        }),
      );
      expect(got.Responses?.[0]?.Item?.["balance"]).toEqual(N(6));
      expect(got.Responses?.[1]?.Item).toEqual({ balance: N(4) });
      expect(got.Responses?.[2]?.Item).toBeUndefined();
      const records = await streamRecords("txn");
      const fromTransaction = records.slice(3);
      expect(fromTransaction.map((r) => r.eventName)).toEqual(["MODIFY", "MODIFY", "INSERT", "REMOVE"]);
    });

    it("a failed condition cancels everything, with one reason per item", async () => {
      const before = (await streamRecords("txn")).length;
      const error = await ddb
        .send(
          new TransactWriteItemsCommand({
            TransactItems: [
              { Put: { TableName: "txn", Item: { pk: S("log"), sk: S("2") } } },
              {
                Update: {
                  TableName: "txn",
                  Key: { pk: S("acct"), sk: S("1") },
                  UpdateExpression: "SET balance = balance - :amount",
                  ConditionExpression: "balance >= :amount",
                  ExpressionAttributeValues: { ":amount": N(100) },
                  ReturnValuesOnConditionCheckFailure: "ALL_OLD",
                },
              },
            ],
          }),
        )
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransactionCanceledException);
      const canceled = error as TransactionCanceledException;
      expect(canceled.message).toMatch(/\[None, ConditionalCheckFailed\]/);
      expect(canceled.CancellationReasons?.[0]).toEqual({ Code: "None" });
      expect(canceled.CancellationReasons?.[1]).toMatchObject({
        Code: "ConditionalCheckFailed",
        Item: { balance: N(6) },
      });
      const log = await ddb.send(new GetItemCommand({ TableName: "txn", Key: { pk: S("log"), sk: S("2") } }));
      expect(log.Item).toBeUndefined();
      expect(await streamRecords("txn")).toHaveLength(before);
    });

    it("a write that fails while applying rolls back the ones before it", async () => {
      const error = await ddb
        .send(
          new TransactWriteItemsCommand({
            TransactItems: [
              { Put: { TableName: "txn", Item: { pk: S("log"), sk: S("3") } } },
              {
                Update: {
                  TableName: "txn",
                  Key: { pk: S("acct"), sk: S("1") },
                  // balance is a number: adding a string set to it fails when applied.
                  UpdateExpression: "ADD balance :set",
                  ExpressionAttributeValues: { ":set": { SS: ["x"] } },
                },
              },
            ],
          }),
        )
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransactionCanceledException);
      expect((error as TransactionCanceledException).CancellationReasons?.map((r) => r.Code)).toEqual([
        "None",
        "ValidationError",
      ]);
      const log = await ddb.send(new GetItemCommand({ TableName: "txn", Key: { pk: S("log"), sk: S("3") } }));
      expect(log.Item).toBeUndefined();
    });

    it("two operations on one item, or a missing table, are refused before anything runs", async () => {
      await expect(
        ddb.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              { Put: { TableName: "txn", Item: { pk: S("dup"), sk: S("1") } } },
              { Delete: { TableName: "txn", Key: { pk: S("dup"), sk: S("1") } } },
            ],
          }),
        ),
      ).rejects.toMatchObject({ name: "ValidationException", message: expect.stringMatching(/one item/) });
      await expect(
        ddb.send(
          new TransactWriteItemsCommand({
            TransactItems: [{ Put: { TableName: "txn-missing", Item: { pk: S("x"), sk: S("1") } } }],
          }),
        ),
      ).rejects.toBeInstanceOf(ResourceNotFoundException);
      await expect(ddb.send(new TransactWriteItemsCommand({ TransactItems: [] }))).rejects.toMatchObject({
        name: "ValidationException",
      });
    });

    it("the same ClientRequestToken is applied once; different parameters with it are refused", async () => {
      const request = {
        ClientRequestToken: "token-1",
        TransactItems: [
          {
            Update: {
              TableName: "txn",
              Key: { pk: S("acct"), sk: S("2") },
              UpdateExpression: "ADD balance :one",
              ExpressionAttributeValues: { ":one": N(1) },
            },
          },
        ],
      };
      await ddb.send(new TransactWriteItemsCommand(request));
      await ddb.send(new TransactWriteItemsCommand(request));
      const got = await ddb.send(
        new GetItemCommand({ TableName: "txn", Key: { pk: S("acct"), sk: S("2") } }),
      );
      expect(got.Item?.["balance"]).toEqual(N(5));
      await expect(
        ddb.send(
          new TransactWriteItemsCommand({
            ...request,
            TransactItems: [{ Put: { TableName: "txn", Item: { pk: S("other"), sk: S("1") } } }],
          }),
        ),
      ).rejects.toMatchObject({ name: "IdempotentParameterMismatchException" });
    });
  });

  describe("protocol", () => {
    it("an operation the emulator lacks is UnknownOperationException", async () => {
      await expect(
        ddb.send(new DescribeContributorInsightsCommand({ TableName: "items" })),
      ).rejects.toMatchObject({ name: "UnknownOperationException", $metadata: { httpStatusCode: 400 } });
    });

    it("a malformed body is SerializationException, as AWS shapes it", async () => {
      const response = await fetch(emulator.url, {
        method: "POST",
        headers: {
          authorization: testAuthorization(),
          "content-type": "application/x-amz-json-1.0",
          "x-amz-target": "DynamoDB_20120810.GetItem",
        },
        body: "{not json",
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { __type: string };
      expect(body.__type).toBe("com.amazon.coral.service#SerializationException");
    });

    it("in-process callers get the same operations", async () => {
      const out = await emulator.call<{ Item?: Record<string, AttributeValue> }>("dynamodb", "GetItem", {
        TableName: "items",
        Key: { pk: S("b"), sk: S("1") },
      });
      expect(out.Item?.["pk"]).toEqual(S("b"));
      await expect(
        emulator.call("dynamodb", "GetItem", { TableName: "nope-table", Key: { pk: S("b") } }),
      ).rejects.toMatchObject({ code: "ResourceNotFoundException" });
    });
  });
});
