import {
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  DynamoDBServiceException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../../src/runtime/emulator/index.js";
import { AWS_CLI_SERVICE_ERROR_EXIT, awsCli, awsCliAvailable } from "../../helpers/aws-cli.js";

/**
 * Secondary index keys and legacy conditions as DynamoDB answers them: an empty string or binary as
 * a GSI or LSI key attribute is a ValidationException naming the index and the attribute (an update
 * that would leave one has its own sentence), a consistent read of a global secondary index is
 * refused on Query and Scan, and a failed legacy `Expected` condition is
 * ConditionalCheckFailedException. Error cases first; each refused write leaves the table as it was.
 */

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const S = (value: string): AttributeValue => ({ S: value });
const EMPTY_STRING = (index: string, key: string) =>
  "One or more parameter values are not valid. A value specified for a secondary index key is not supported. " +
  `The AttributeValue for a key attribute cannot contain an empty string value. IndexName: ${index}, IndexKey: ${key}`;
const UPDATE_EMPTY =
  "One or more parameter values are not valid. The update expression attempted to update a secondary index key to a value that is not supported. " +
  "The AttributeValue for a key attribute cannot contain an empty string value.";

async function failure(send: Promise<unknown>): Promise<DynamoDBServiceException> {
  try {
    await send;
  } catch (error) {
    expect(error).toBeInstanceOf(DynamoDBServiceException);
    return error as DynamoDBServiceException;
  }
  throw new Error("expected the call to fail");
}

describe("dynamodb secondary index keys and legacy conditions (SDK v3)", () => {
  let emulator: Emulator;
  let ddb: DynamoDBClient;
  const get = async (pk: string) =>
    (await ddb.send(new GetItemCommand({ TableName: "indexed", Key: { pk: S(pk), sk: S("s") } }))).Item;

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["dynamodb", "dynamodbstreams"] });
    ddb = new DynamoDBClient({ endpoint: emulator.url, region: "us-east-1", credentials, maxAttempts: 1 });
    await ddb.send(
      new CreateTableCommand({
        TableName: "indexed",
        AttributeDefinitions: [
          { AttributeName: "pk", AttributeType: "S" },
          { AttributeName: "sk", AttributeType: "S" },
          { AttributeName: "gk", AttributeType: "S" },
          { AttributeName: "bin", AttributeType: "B" },
          { AttributeName: "num", AttributeType: "N" },
          { AttributeName: "lk", AttributeType: "S" },
        ],
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
        GlobalSecondaryIndexes: [
          // Two indexes use gk: DynamoDB names the first by name.
          {
            IndexName: "z-by-gk",
            KeySchema: [{ AttributeName: "gk", KeyType: "HASH" }],
            Projection: { ProjectionType: "ALL" },
          },
          {
            IndexName: "by-gk",
            KeySchema: [{ AttributeName: "gk", KeyType: "HASH" }],
            Projection: { ProjectionType: "KEYS_ONLY" },
          },
          {
            IndexName: "by-bin",
            KeySchema: [{ AttributeName: "bin", KeyType: "HASH" }],
            Projection: { ProjectionType: "ALL" },
          },
          {
            IndexName: "by-num",
            KeySchema: [{ AttributeName: "num", KeyType: "HASH" }],
            Projection: { ProjectionType: "ALL" },
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
      }),
    );
    await ddb.send(
      new PutItemCommand({
        TableName: "indexed",
        Item: { pk: S("kept"), sk: S("s"), gk: S("g"), x: S("1") },
      }),
    );
  });
  afterAll(async () => {
    ddb.destroy();
    await emulator.stop();
  });

  describe("empty index key values", () => {
    it("PutItem: an empty string GSI or LSI key, an empty binary GSI key; the first index by name is named", async () => {
      const gsi = await failure(
        ddb.send(new PutItemCommand({ TableName: "indexed", Item: { pk: S("p1"), sk: S("s"), gk: S("") } })),
      );
      expect([gsi.name, gsi.message]).toEqual(["ValidationException", EMPTY_STRING("by-gk", "gk")]);
      const lsi = await failure(
        ddb.send(new PutItemCommand({ TableName: "indexed", Item: { pk: S("p1"), sk: S("s"), lk: S("") } })),
      );
      expect(lsi.message).toBe(EMPTY_STRING("by-lk", "lk"));
      const binary = await failure(
        ddb.send(
          new PutItemCommand({
            TableName: "indexed",
            Item: { pk: S("p1"), sk: S("s"), bin: { B: new Uint8Array() } },
          }),
        ),
      );
      expect(binary.message).toBe(
        "One or more parameter values are not valid. A value specified for a secondary index key is not supported. " +
          "The AttributeValue for a key attribute cannot contain an empty binary value. IndexName: by-bin, IndexKey: bin",
      );
      // An empty string of another type than the index key's is a type mismatch, as before.
      const mismatch = await failure(
        ddb.send(new PutItemCommand({ TableName: "indexed", Item: { pk: S("p1"), sk: S("s"), num: S("") } })),
      );
      expect(mismatch.message).toBe(
        "One or more parameter values were invalid: Type mismatch for Index Key num Expected: N Actual: S IndexName: by-num",
      );
      expect(await get("p1")).toBeUndefined();
      // An empty string in an attribute no index uses is fine.
      await ddb.send(
        new PutItemCommand({ TableName: "indexed", Item: { pk: S("p1"), sk: S("s"), note: S("") } }),
      );
      expect((await get("p1"))?.["note"]).toEqual(S(""));
    });

    it("UpdateItem: SET to an empty value, if_not_exists falling back to one, legacy AttributeUpdates PUT", async () => {
      const set = await failure(
        ddb.send(
          new UpdateItemCommand({
            TableName: "indexed",
            Key: { pk: S("kept"), sk: S("s") },
            UpdateExpression: "SET gk = :e, x = :two",
            ExpressionAttributeValues: { ":e": S(""), ":two": S("2") },
          }),
        ),
      );
      expect([set.name, set.message]).toEqual(["ValidationException", UPDATE_EMPTY]);
      const fallback = await failure(
        ddb.send(
          new UpdateItemCommand({
            TableName: "indexed",
            Key: { pk: S("fresh"), sk: S("s") },
            UpdateExpression: "SET gk = if_not_exists(gk, :e)",
            ExpressionAttributeValues: { ":e": S("") },
          }),
        ),
      );
      expect(fallback.message).toBe(UPDATE_EMPTY);
      const legacy = await failure(
        ddb.send(
          new UpdateItemCommand({
            TableName: "indexed",
            Key: { pk: S("kept"), sk: S("s") },
            AttributeUpdates: { lk: { Action: "PUT", Value: S("") } },
          }),
        ),
      );
      expect(legacy.message).toBe(UPDATE_EMPTY);
      expect(await get("kept")).toEqual({ pk: S("kept"), sk: S("s"), gk: S("g"), x: S("1") });
      expect(await get("fresh")).toBeUndefined();
      // if_not_exists keeps the item's own value: nothing empty, the update goes through.
      await ddb.send(
        new UpdateItemCommand({
          TableName: "indexed",
          Key: { pk: S("kept"), sk: S("s") },
          UpdateExpression: "SET gk = if_not_exists(gk, :e), x = :two",
          ExpressionAttributeValues: { ":e": S(""), ":two": S("2") },
        }),
      );
      expect((await get("kept"))?.["x"]).toEqual(S("2"));
    });

    it("BatchWriteItem and TransactWriteItems refuse the whole request (a top-level ValidationException)", async () => {
      const batch = await failure(
        ddb.send(
          new BatchWriteItemCommand({
            RequestItems: {
              indexed: [
                { PutRequest: { Item: { pk: S("b1"), sk: S("s"), gk: S("fine") } } },
                { PutRequest: { Item: { pk: S("b2"), sk: S("s"), gk: S("") } } },
              ],
            },
          }),
        ),
      );
      expect(batch.message).toBe(EMPTY_STRING("by-gk", "gk"));
      expect(await get("b1")).toBeUndefined();
      const put = await failure(
        ddb.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              { Put: { TableName: "indexed", Item: { pk: S("t1"), sk: S("s") } } },
              { Put: { TableName: "indexed", Item: { pk: S("t2"), sk: S("s"), lk: S("") } } },
            ],
          }),
        ),
      );
      expect([put.name, put.message]).toEqual(["ValidationException", EMPTY_STRING("by-lk", "lk")]);
      const update = await failure(
        ddb.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              { Put: { TableName: "indexed", Item: { pk: S("t1"), sk: S("s") } } },
              {
                Update: {
                  TableName: "indexed",
                  Key: { pk: S("kept"), sk: S("s") },
                  UpdateExpression: "SET gk = :e",
                  ExpressionAttributeValues: { ":e": S("") },
                },
              },
            ],
          }),
        ),
      );
      expect([update.name, update.message]).toEqual(["ValidationException", UPDATE_EMPTY]);
      expect(await get("t1")).toBeUndefined();
    });
  });

  describe("consistent reads of a global secondary index", () => {
    it("Query and Scan with ConsistentRead on a GSI are refused; on an LSI and on the table they are served", async () => {
      for (const command of [
        new QueryCommand({
          TableName: "indexed",
          IndexName: "by-gk",
          KeyConditionExpression: "gk = :g",
          ExpressionAttributeValues: { ":g": S("g") },
          ConsistentRead: true,
        }),
        new ScanCommand({ TableName: "indexed", IndexName: "by-gk", ConsistentRead: true }),
      ]) {
        const refused = await failure(ddb.send(command as never));
        expect([refused.name, refused.message]).toEqual([
          "ValidationException",
          "Consistent reads are not supported on global secondary indexes",
        ]);
      }
      const lsi = await ddb.send(
        new ScanCommand({ TableName: "indexed", IndexName: "by-lk", ConsistentRead: true }),
      );
      expect(lsi.Count).toBe(0);
      const table = await ddb.send(new ScanCommand({ TableName: "indexed", ConsistentRead: true }));
      expect(table.Count).toBeGreaterThan(0);
      const eventual = await ddb.send(new ScanCommand({ TableName: "indexed", IndexName: "by-gk" }));
      expect(eventual.Items?.map((i) => i["pk"])).toEqual([S("kept")]);
    });
  });

  describe("legacy Expected conditions", () => {
    it("a failed Expected on PutItem, UpdateItem and DeleteItem is ConditionalCheckFailedException; the item stays", async () => {
      const before = await get("kept");
      const attempts = [
        new PutItemCommand({
          TableName: "indexed",
          Item: { pk: S("kept"), sk: S("s"), x: S("new") },
          Expected: { x: { Value: S("no such value") } },
        }),
        new PutItemCommand({
          TableName: "indexed",
          Item: { pk: S("kept"), sk: S("s") },
          Expected: { x: { Exists: false } },
        }),
        new UpdateItemCommand({
          TableName: "indexed",
          Key: { pk: S("kept"), sk: S("s") },
          AttributeUpdates: { x: { Action: "PUT", Value: S("3") } },
          Expected: { x: { ComparisonOperator: "BEGINS_WITH", AttributeValueList: [S("9")] } },
        }),
        new UpdateItemCommand({
          TableName: "indexed",
          Key: { pk: S("kept"), sk: S("s") },
          AttributeUpdates: { x: { Action: "PUT", Value: S("3") } },
          Expected: { missing: { ComparisonOperator: "NOT_NULL" }, x: { Value: S("nope") } },
          ConditionalOperator: "OR",
        }),
        new DeleteItemCommand({
          TableName: "indexed",
          Key: { pk: S("kept"), sk: S("s") },
          Expected: { x: { ComparisonOperator: "IN", AttributeValueList: [S("7"), S("8")] } },
        }),
      ];
      for (const attempt of attempts) {
        const failed = await failure(ddb.send(attempt as never));
        expect(failed).toBeInstanceOf(ConditionalCheckFailedException);
        expect(failed.message).toBe("The conditional request failed");
      }
      expect(await get("kept")).toEqual(before);
      const withOld = await failure(
        ddb.send(
          new DeleteItemCommand({
            TableName: "indexed",
            Key: { pk: S("kept"), sk: S("s") },
            Expected: { x: { Value: S("nope") } },
            ReturnValuesOnConditionCheckFailure: "ALL_OLD",
          }),
        ),
      );
      expect((withOld as ConditionalCheckFailedException).Item).toEqual(before);
      // A condition that holds writes.
      await ddb.send(
        new UpdateItemCommand({
          TableName: "indexed",
          Key: { pk: S("kept"), sk: S("s") },
          AttributeUpdates: { x: { Action: "PUT", Value: S("3") } },
          Expected: { x: { Value: S("2") } },
        }),
      );
      expect((await get("kept"))?.["x"]).toEqual(S("3"));
    });
  });

  describe.skipIf(!awsCliAvailable)("AWS CLI", () => {
    it("put-item with an empty GSI key, a consistent GSI scan and a failed --expected answer as DynamoDB does", async () => {
      const empty = await awsCli(emulator.url, [
        "dynamodb",
        "put-item",
        "--table-name",
        "indexed",
        "--item",
        JSON.stringify({ pk: S("cli"), sk: S("s"), gk: S("") }),
      ]);
      expect(empty.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
      expect(empty.stderr).toContain(
        `(ValidationException) when calling the PutItem operation: ${EMPTY_STRING("by-gk", "gk")}`,
      );
      const scan = await awsCli(emulator.url, [
        "dynamodb",
        "scan",
        "--table-name",
        "indexed",
        "--index-name",
        "by-gk",
        "--consistent-read",
      ]);
      expect(scan.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
      expect(scan.stderr).toContain("Consistent reads are not supported on global secondary indexes");
      const expected = await awsCli(emulator.url, [
        "dynamodb",
        "put-item",
        "--table-name",
        "indexed",
        "--item",
        JSON.stringify({ pk: S("kept"), sk: S("s") }),
        "--expected",
        JSON.stringify({ x: { Value: S("nope") } }),
      ]);
      expect(expected.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
      expect(expected.stderr).toContain(
        "(ConditionalCheckFailedException) when calling the PutItem operation: The conditional request failed",
      );
    });
  });
});
