import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  DynamoDBServiceException,
  GetItemCommand,
  ListTagsOfResourceCommand,
  PutItemCommand,
  QueryCommand,
  ResourceNotFoundException,
  ScanCommand,
  TagResourceCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
  TransactionCanceledException,
  UpdateItemCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../../src/runtime/emulator/index.js";
import { AWS_CLI_SERVICE_ERROR_EXIT, awsCli, awsCliAvailable, awsCliJson } from "../../helpers/aws-cli.js";

/**
 * DynamoDB's validation as DynamoDB words and orders it, written from AWS's answers (API reference;
 * messages captured from real DynamoDB by independent conformance suites): the "N validation
 * error(s) detected: Value '<value>' at '<field>' failed to satisfy constraint: …" rendering with
 * Java-style collections, CreateTable's table-name length, expression syntax errors with token and
 * near, Select/Segment rules, TransactWriteItems' 4 MB, TransactGetItems' cancellation for a bad key,
 * empty RequestItems, tag ARN errors, table ARNs in place of names, the 32-level nesting limit and
 * ReturnItemCollectionMetrics on tables with a local secondary index.
 */
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const S = (value: string): AttributeValue => ({ S: value });

async function failure(send: Promise<unknown>): Promise<DynamoDBServiceException> {
  try {
    await send;
  } catch (error) {
    expect(error).toBeInstanceOf(DynamoDBServiceException);
    return error as DynamoDBServiceException;
  }
  throw new Error("expected the call to fail");
}

/** `depth` single-key maps around a string: the attribute is level 1, the leaf level depth + 1. */
function nested(depth: number): AttributeValue {
  let value: AttributeValue = S("leaf");
  for (let i = 0; i < depth; i++) value = { M: { n: value } };
  return value;
}

const NESTING =
  /^(1 validation error detected: )?Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit$/;

describe("dynamodb validation (SDK v3)", () => {
  let emulator: Emulator;
  let ddb: DynamoDBClient;
  let arn: string;

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["dynamodb", "dynamodbstreams"] });
    ddb = new DynamoDBClient({ endpoint: emulator.url, region: "us-east-1", credentials, maxAttempts: 1 });
    const created = await ddb.send(
      new CreateTableCommand({
        TableName: "hash",
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    arn = created.TableDescription!.TableArn!;
    await ddb.send(
      new CreateTableCommand({
        TableName: "collections",
        AttributeDefinitions: [
          { AttributeName: "pk", AttributeType: "S" },
          { AttributeName: "sk", AttributeType: "S" },
          { AttributeName: "lsk", AttributeType: "S" },
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
            Projection: { ProjectionType: "ALL" },
          },
        ],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
  });
  afterAll(async () => {
    ddb.destroy();
    await emulator.stop();
  });

  describe("constraint messages", () => {
    it("CreateTable's name length is a constraint on 'tableName'; a missing name is 'required'", async () => {
      const base = {
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" as const }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" as const }],
        BillingMode: "PAY_PER_REQUEST" as const,
      };
      const short = await failure(ddb.send(new CreateTableCommand({ ...base, TableName: "ab" })));
      expect(short.name).toBe("ValidationException");
      expect(short.message).toBe(
        "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3",
      );
      const long = await failure(ddb.send(new CreateTableCommand({ ...base, TableName: "a".repeat(256) })));
      expect(long.message).toBe(
        `1 validation error detected: Value '${"a".repeat(256)}' at 'tableName' failed to satisfy constraint: Member must have length less than or equal to 255`,
      );
      const missing = await failure(
        ddb.send(new CreateTableCommand({ ...base, TableName: undefined as unknown as string })),
      );
      expect(missing.message).toBe(
        "The parameter 'TableName' is required but was not present in the request",
      );
    });

    it("a list of structures is printed the way DynamoDB's Java front end prints it", async () => {
      const error = await failure(
        ddb.send(
          new CreateTableCommand({
            TableName: "three-keys",
            AttributeDefinitions: [
              { AttributeName: "pk", AttributeType: "S" },
              { AttributeName: "sk", AttributeType: "S" },
              { AttributeName: "extra", AttributeType: "S" },
            ],
            KeySchema: [
              { AttributeName: "pk", KeyType: "HASH" },
              { AttributeName: "sk", KeyType: "RANGE" },
              { AttributeName: "extra", KeyType: "RANGE" },
            ],
            BillingMode: "PAY_PER_REQUEST",
          }),
        ),
      );
      expect(error.message).toBe(
        "1 validation error detected: Value '[KeySchemaElement(attributeName=pk, keyType=HASH), KeySchemaElement(attributeName=sk, keyType=RANGE), KeySchemaElement(attributeName=extra, keyType=RANGE)]' at 'keySchema' failed to satisfy constraint: Member must have length less than or equal to 2",
      );
    });

    it("a member inside a list is named by position, an enum lists its values", async () => {
      const error = await failure(
        ddb.send(
          new CreateTableCommand({
            TableName: "bad-key-type",
            AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
            KeySchema: [{ AttributeName: "pk", KeyType: "INVALID" as "HASH" }],
            BillingMode: "PAY_PER_REQUEST",
          }),
        ),
      );
      expect(error.message).toBe(
        "1 validation error detected: Value 'INVALID' at 'keySchema.1.member.keyType' failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]",
      );
    });

    it("several violations are counted and joined with '; '", async () => {
      const error = await failure(
        ddb.send(new ScanCommand({ TableName: "hash", Limit: 0, Segment: -1, TotalSegments: 0 })),
      );
      expect(error.message).toMatch(
        /^3 validation errors detected: Value '.+' at '\w+' failed to satisfy constraint: /,
      );
      expect(error.message).toContain(
        "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
      );
      expect(error.message).toContain(
        "Value '-1' at 'segment' failed to satisfy constraint: Member must have value greater than or equal to 0",
      );
      expect(error.message.split("; ")).toHaveLength(3);
    });

    it("an empty list prints as '[]', an oversized map echoes the map with its table", async () => {
      const empty = await failure(ddb.send(new TransactWriteItemsCommand({ TransactItems: [] })));
      expect(empty.message).toBe(
        "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1",
      );
      const tooMany = await failure(
        ddb.send(
          new TransactWriteItemsCommand({
            TransactItems: Array.from({ length: 101 }, (_, i) => ({
              Put: { TableName: "hash", Item: { pk: S(`t-${i}`) } },
            })),
          }),
        ),
      );
      expect(tooMany.message).toMatch(
        /^1 validation error detected: Value '\[.+\]' at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100$/s,
      );
      const batch = await failure(
        ddb.send(
          new BatchWriteItemCommand({
            RequestItems: {
              hash: Array.from({ length: 26 }, (_, i) => ({ PutRequest: { Item: { pk: S(`bw-${i}`) } } })),
            },
          }),
        ),
      );
      expect(batch.message).toMatch(
        /^1 validation error detected: Value '\{hash=\[WriteRequest\(putRequest=PutRequest\(item=\{pk=AttributeValue\(s=bw-0, n=null, .+\]\}' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: \[Member must have length less than or equal to 25, Member must have length greater than or equal to 1\]$/s,
      );
    });

    it("empty RequestItems is a missing parameter, in DynamoDB's words per operation", async () => {
      const get = await failure(ddb.send(new BatchGetItemCommand({ RequestItems: {} })));
      expect(get.name).toBe("ValidationException");
      expect(get.message).toBe("The requestItems parameter is required for BatchGetItem");
      const write = await failure(ddb.send(new BatchWriteItemCommand({ RequestItems: {} })));
      expect(write.message).toBe("The requestItems parameter is required for BatchWriteItem");
    });
  });

  describe("expression syntax errors name the token and what is near it", () => {
    it.each([
      [
        "UpdateExpression",
        { UpdateExpression: "INVALID SYNTAX HERE" },
        'Invalid UpdateExpression: Syntax error; token: "INVALID", near: "INVALID SYNTAX"',
      ],
      [
        "UpdateExpression",
        { UpdateExpression: "ADD hits : incr", ExpressionAttributeValues: { ":incr": { N: "1" } } },
        'Invalid UpdateExpression: Syntax error; token: ":", near: "hits : incr"',
      ],
      [
        "ConditionExpression",
        {
          UpdateExpression: "SET a = :a",
          ConditionExpression: "foo",
          ExpressionAttributeValues: { ":a": S("x") },
        },
        'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "foo"',
      ],
    ])("%s", async (_kind, members, message) => {
      const error = await failure(
        ddb.send(new UpdateItemCommand({ TableName: "hash", Key: { pk: S("x") }, ...members })),
      );
      expect(error.name).toBe("ValidationException");
      expect(error.message).toBe(message);
    });

    it("ProjectionExpression, also inside TransactGetItems", async () => {
      const expected = 'Invalid ProjectionExpression: Syntax error; token: "!", near: "!!"';
      const get = await failure(
        ddb.send(new GetItemCommand({ TableName: "hash", Key: { pk: S("x") }, ProjectionExpression: "!!!" })),
      );
      expect(get.message).toBe(expected);
      const transact = await failure(
        ddb.send(
          new TransactGetItemsCommand({
            TransactItems: [{ Get: { TableName: "hash", Key: { pk: S("x") }, ProjectionExpression: "!!!" } }],
          }),
        ),
      );
      expect(transact.name).toBe("ValidationException");
      expect(transact.message).toBe(expected);
    });

    it("KeyConditionExpression and FilterExpression", async () => {
      const query = await failure(
        ddb.send(
          new QueryCommand({
            TableName: "hash",
            KeyConditionExpression: "pk = :v AND",
            ExpressionAttributeValues: { ":v": S("x") },
          }),
        ),
      );
      expect(query.message).toBe('Invalid KeyConditionExpression: Syntax error; token: "<EOF>", near: "AND"');
      const scan = await failure(
        ddb.send(new ScanCommand({ TableName: "hash", FilterExpression: "a === b" })),
      );
      expect(scan.message).toMatch(/^Invalid FilterExpression: Syntax error; token: "=", near: "[^"]+"$/);
    });
  });

  describe("Select and parallel scans", () => {
    it("Select=SPECIFIC_ATTRIBUTES without a projection: Query wraps the sentence, Scan does not", async () => {
      const sentence =
        "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES";
      const query = await failure(
        ddb.send(
          new QueryCommand({
            TableName: "hash",
            KeyConditionExpression: "pk = :v",
            ExpressionAttributeValues: { ":v": S("x") },
            Select: "SPECIFIC_ATTRIBUTES",
          }),
        ),
      );
      expect(query.message).toBe(`1 validation error detected: ${sentence}`);
      const scan = await failure(
        ddb.send(new ScanCommand({ TableName: "hash", Select: "SPECIFIC_ATTRIBUTES" })),
      );
      expect(scan.message).toBe(sentence);
      const projected = await ddb.send(
        new ScanCommand({ TableName: "hash", Select: "SPECIFIC_ATTRIBUTES", ProjectionExpression: "pk" }),
      );
      expect(projected.Items).toBeDefined();
    });

    it("Segment needs TotalSegments, TotalSegments needs Segment, Segment is below TotalSegments", async () => {
      const noTotal = await failure(ddb.send(new ScanCommand({ TableName: "hash", Segment: 0 })));
      expect(noTotal.message).toBe(
        "The TotalSegments parameter is required but was not present in the request when Segment parameter is present",
      );
      const noSegment = await failure(ddb.send(new ScanCommand({ TableName: "hash", TotalSegments: 4 })));
      expect(noSegment.message).toBe(
        "The Segment parameter is required but was not present in the request when parameter TotalSegments is present",
      );
      const beyond = await failure(
        ddb.send(new ScanCommand({ TableName: "hash", Segment: 5, TotalSegments: 5 })),
      );
      expect(beyond.message).toBe(
        "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 5 is not less than TotalSegments: 5",
      );
    });
  });

  describe("transactions", () => {
    it("TransactWriteItems over 4 MB is refused before anything is written; under 4 MB applies", async () => {
      const payload = "x".repeat(350_000);
      const over = await failure(
        ddb.send(
          new TransactWriteItemsCommand({
            TransactItems: Array.from({ length: 12 }, (_, i) => ({
              Put: { TableName: "hash", Item: { pk: S(`big-${i}`), payload: S(payload) } },
            })),
          }),
        ),
      );
      expect(over.name).toBe("ValidationException");
      expect(over.message).toBe("Transaction request cannot be larger than 4 MB");
      const none = await ddb.send(new GetItemCommand({ TableName: "hash", Key: { pk: S("big-0") } }));
      expect(none.Item).toBeUndefined();
      await ddb.send(
        new TransactWriteItemsCommand({
          TransactItems: Array.from({ length: 10 }, (_, i) => ({
            Put: { TableName: "hash", Item: { pk: S(`big-${i}`), payload: S(payload) } },
          })),
        }),
      );
      const written = await ddb.send(new GetItemCommand({ TableName: "hash", Key: { pk: S("big-9") } }));
      expect(written.Item?.["payload"]?.S).toHaveLength(350_000);
    });

    it("TransactGetItems with an empty key cancels with a ValidationError reason, positionally", async () => {
      const error = await failure(
        ddb.send(
          new TransactGetItemsCommand({
            TransactItems: [
              { Get: { TableName: "hash", Key: { pk: S("fine") } } },
              { Get: { TableName: "hash", Key: {} } },
            ],
          }),
        ),
      );
      expect(error).toBeInstanceOf(TransactionCanceledException);
      expect(error.message).toBe(
        "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ValidationError]",
      );
      const reasons = (error as TransactionCanceledException).CancellationReasons;
      expect(reasons?.map((r) => r.Code)).toEqual(["None", "ValidationError"]);
      expect(reasons?.[1]?.Message).toBe("The provided key element does not match the schema");
    });

    it("a Put with a wrong-typed key cancels; an empty key value is refused outright", async () => {
      const typed = await failure(
        ddb.send(
          new TransactWriteItemsCommand({
            TransactItems: [{ Put: { TableName: "hash", Item: { pk: { N: "5" } } } }],
          }),
        ),
      );
      expect(typed).toBeInstanceOf(TransactionCanceledException);
      expect((typed as TransactionCanceledException).CancellationReasons?.[0]).toEqual({
        Code: "ValidationError",
        Message: "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N",
      });
      const empty = await failure(
        ddb.send(
          new TransactWriteItemsCommand({
            TransactItems: [{ Put: { TableName: "hash", Item: { pk: S("") } } }],
          }),
        ),
      );
      expect(empty.name).toBe("ValidationException");
      expect(empty.message).toBe(
        "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk",
      );
    });
  });

  describe("tags", () => {
    it("a malformed or non-table ARN is a ValidationException; a missing table ResourceNotFoundException", async () => {
      const malformed = await failure(
        ddb.send(
          new TagResourceCommand({ ResourceArn: "not-a-valid-arn", Tags: [{ Key: "env", Value: "test" }] }),
        ),
      );
      expect(malformed.name).toBe("ValidationException");
      expect(malformed.message).toBe(
        "Invalid TableArn: Invalid ResourceArn provided as input not-a-valid-arn",
      );
      const index = await failure(
        ddb.send(new ListTagsOfResourceCommand({ ResourceArn: `${arn}/index/gsi` })),
      );
      expect(index.name).toBe("ValidationException");
      expect(index.message).toBe(`Invalid TableArn: Invalid ResourceArn provided as input ${arn}/index/gsi`);
      const missing = await failure(
        ddb.send(
          new ListTagsOfResourceCommand({ ResourceArn: arn.replace("table/hash", "table/no-such-table") }),
        ),
      );
      expect(missing).toBeInstanceOf(ResourceNotFoundException);
      await ddb.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: "env", Value: "test" }] }));
      const listed = await ddb.send(new ListTagsOfResourceCommand({ ResourceArn: arn }));
      expect(listed.Tags).toEqual([{ Key: "env", Value: "test" }]);
    });
  });

  describe("a table ARN wherever a table name is accepted", () => {
    it("control and data plane calls take the ARN; batch answers keep the caller's key", async () => {
      const described = await ddb.send(new DescribeTableCommand({ TableName: arn }));
      expect(described.Table?.TableName).toBe("hash");
      await ddb.send(new PutItemCommand({ TableName: arn, Item: { pk: S("by-arn"), v: S("1") } }));
      const got = await ddb.send(new GetItemCommand({ TableName: arn, Key: { pk: S("by-arn") } }));
      expect(got.Item?.["v"]?.S).toBe("1");
      const queried = await ddb.send(
        new QueryCommand({
          TableName: arn,
          KeyConditionExpression: "pk = :v",
          ExpressionAttributeValues: { ":v": S("by-arn") },
        }),
      );
      expect(queried.Count).toBe(1);
      const batch = await ddb.send(
        new BatchGetItemCommand({ RequestItems: { [arn]: { Keys: [{ pk: S("by-arn") }] } } }),
      );
      expect(batch.Responses?.[arn]).toHaveLength(1);
      await ddb.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Update: {
                TableName: arn,
                Key: { pk: S("by-arn") },
                UpdateExpression: "SET v = :v",
                ExpressionAttributeValues: { ":v": S("2") },
              },
            },
          ],
        }),
      );
      await ddb.send(
        new BatchWriteItemCommand({
          RequestItems: { [arn]: [{ DeleteRequest: { Key: { pk: S("by-arn") } } }] },
        }),
      );
      const gone = await ddb.send(new GetItemCommand({ TableName: "hash", Key: { pk: S("by-arn") } }));
      expect(gone.Item).toBeUndefined();
    });
  });

  describe("32 levels of nesting", () => {
    it("a stored attribute may nest 32 levels, not 33 (PutItem, BatchWriteItem, TransactWriteItems)", async () => {
      await ddb.send(new PutItemCommand({ TableName: "hash", Item: { pk: S("deep-31"), data: nested(31) } }));
      const put = await failure(
        ddb.send(new PutItemCommand({ TableName: "hash", Item: { pk: S("deep-32"), data: nested(32) } })),
      );
      expect(put.name).toBe("ValidationException");
      expect(put.message).toMatch(NESTING);
      const batch = await failure(
        ddb.send(
          new BatchWriteItemCommand({
            RequestItems: { hash: [{ PutRequest: { Item: { pk: S("deep-32"), data: nested(32) } } }] },
          }),
        ),
      );
      expect(batch.message).toMatch(NESTING);
      const transact = await failure(
        ddb.send(
          new TransactWriteItemsCommand({
            TransactItems: [{ Put: { TableName: "hash", Item: { pk: S("deep-32"), data: nested(32) } } }],
          }),
        ),
      );
      expect(transact.name).toBe("ValidationException");
      expect(transact.message).toMatch(NESTING);
      const forty = await failure(
        ddb.send(
          new PutItemCommand({ TableName: "hash", Item: { pk: S("deep-40"), data: { L: [nested(39)] } } }),
        ),
      );
      expect(forty.message).toMatch(NESTING);
      const stored = await ddb.send(new GetItemCommand({ TableName: "hash", Key: { pk: S("deep-32") } }));
      expect(stored.Item).toBeUndefined();
    });

    it("an UpdateItem value nested 33 levels is refused before the condition is evaluated", async () => {
      await ddb.send(new PutItemCommand({ TableName: "hash", Item: { pk: S("cond"), marker: S("x") } }));
      const accepted = await failure(
        ddb.send(
          new UpdateItemCommand({
            TableName: "hash",
            Key: { pk: S("cond") },
            UpdateExpression: "SET touched = :t",
            ConditionExpression: "#d = :deep",
            ExpressionAttributeNames: { "#d": "data" },
            ExpressionAttributeValues: { ":t": S("y"), ":deep": nested(31) },
          }),
        ),
      );
      expect(accepted.name).toBe("ConditionalCheckFailedException");
      const refused = await failure(
        ddb.send(
          new UpdateItemCommand({
            TableName: "hash",
            Key: { pk: S("cond") },
            UpdateExpression: "SET touched = :t",
            ConditionExpression: "#d = :deep",
            ExpressionAttributeNames: { "#d": "data" },
            ExpressionAttributeValues: { ":t": S("y"), ":deep": nested(32) },
          }),
        ),
      );
      expect(refused.name).toBe("ValidationException");
      expect(refused.message).toBe(
        "1 validation error detected: Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit",
      );
    });
  });

  describe("the 4 KB expression limit", () => {
    const sizeError = (kind: string, bytes: number) =>
      `Invalid ${kind}Expression: Expression size has exceeded the maximum allowed size; expression size: ${bytes}`;
    /** `zq = :v` padded with blanks (which DynamoDB counts: it measures the string as sent). */
    const padded = (bytes: number) => "zq = :v" + " ".repeat(bytes - 7);
    const deepParentheses = (levels: number) => "(".repeat(levels) + "zq = :v" + ")".repeat(levels);

    it("a FilterExpression of 100,000 nested parentheses is refused for its size, before the table is looked up", async () => {
      const filter = deepParentheses(100_000);
      for (const TableName of ["hash", "no-such-table"]) {
        const refused = await failure(
          ddb.send(
            new ScanCommand({
              TableName,
              FilterExpression: filter,
              ExpressionAttributeValues: { ":v": S("x") },
            }),
          ),
        );
        expect(refused.name).toBe("ValidationException");
        expect(refused.$metadata.httpStatusCode).toBe(400);
        expect(refused.message).toBe(sizeError("Filter", 200_007));
      }
    });

    it("4,096 bytes pass and 4,097 do not, for every kind of expression", async () => {
      await ddb.send(new PutItemCommand({ TableName: "hash", Item: { pk: S("size"), zq: S("x") } }));
      const values = { ":v": S("x") };
      // A Query on the item's key: the table holds megabytes of other tests' items, past a Scan page.
      const scan = (bytes: number) =>
        ddb.send(
          new QueryCommand({
            TableName: "hash",
            KeyConditionExpression: "pk = :k",
            FilterExpression: padded(bytes),
            ExpressionAttributeValues: { ...values, ":k": S("size") },
          }),
        );
      expect((await scan(4096)).Count).toBe(1);
      expect((await failure(scan(4097))).message).toBe(sizeError("Filter", 4097));

      const condition = (bytes: number) =>
        ddb.send(
          new DeleteItemCommand({
            TableName: "hash",
            Key: { pk: S("size-absent") },
            ConditionExpression: padded(bytes),
            ExpressionAttributeValues: values,
          }),
        );
      expect((await failure(condition(4096))).name).toBe("ConditionalCheckFailedException");
      expect((await failure(condition(4097))).message).toBe(sizeError("Condition", 4097));

      const update = (bytes: number) =>
        ddb.send(
          new UpdateItemCommand({
            TableName: "hash",
            Key: { pk: S("size") },
            UpdateExpression: "SET b = :v" + " ".repeat(bytes - 10),
            ExpressionAttributeValues: values,
          }),
        );
      await update(4096);
      expect((await failure(update(4097))).message).toBe(sizeError("Update", 4097));

      const keyCondition = (bytes: number) =>
        ddb.send(
          new QueryCommand({
            TableName: "hash",
            KeyConditionExpression: "pk = :v" + " ".repeat(bytes - 7),
            ExpressionAttributeValues: values,
          }),
        );
      expect((await keyCondition(4096)).Count).toBe(0);
      expect((await failure(keyCondition(4097))).message).toBe(sizeError("KeyCondition", 4097));

      const projection = (bytes: number) =>
        ddb.send(
          new GetItemCommand({
            TableName: "hash",
            Key: { pk: S("size") },
            ProjectionExpression: "zq" + " ".repeat(bytes - 2),
          }),
        );
      expect((await projection(4096)).Item).toEqual({ zq: S("x") });
      expect((await failure(projection(4097))).message).toBe(sizeError("Projection", 4097));
    });

    it("the size is counted in UTF-8 bytes, not characters", async () => {
      // 2,100 characters, 4,200 bytes: too big, before the parser would call the é a syntax error.
      const refused = await failure(
        ddb.send(
          new ScanCommand({
            TableName: "hash",
            FilterExpression: "zq = :v " + "é".repeat(2100),
            ExpressionAttributeValues: { ":v": S("x") },
          }),
        ),
      );
      expect(refused.message).toBe(sizeError("Filter", 4208));
    });

    it("within 4 KB, deep parentheses are answered at once: redundant ones refused, real nesting evaluated", async () => {
      const redundant = await failure(
        ddb.send(
          new ScanCommand({
            TableName: "hash",
            FilterExpression: deepParentheses(2044),
            ExpressionAttributeValues: { ":v": S("x") },
          }),
        ),
      );
      expect(redundant.message).toBe("Invalid FilterExpression: The expression has redundant parentheses;");
      // Nesting that took dynalite's parser exponential time (hours at 12 levels).
      const nestedAnd = "zq = :v AND (".repeat(290) + "zq = :v" + ")".repeat(290);
      const found = await ddb.send(
        new QueryCommand({
          TableName: "hash",
          KeyConditionExpression: "pk = :k",
          FilterExpression: nestedAnd,
          ExpressionAttributeValues: { ":v": S("x"), ":k": S("size") },
        }),
      );
      expect(found.Items?.map((i) => i["pk"]?.S)).toEqual(["size"]);
    });
  });

  describe("ReturnItemCollectionMetrics: SIZE", () => {
    const key = (pk: string) => ({ pk: S(pk), sk: S("a") });

    it("PutItem, UpdateItem and DeleteItem on a table with an LSI return the collection's key and size", async () => {
      const put = await ddb.send(
        new PutItemCommand({
          TableName: "collections",
          Item: { ...key("icm"), lsk: S("l"), data: S("hello") },
          ReturnItemCollectionMetrics: "SIZE",
        }),
      );
      expect(put.ItemCollectionMetrics).toEqual({
        ItemCollectionKey: { pk: S("icm") },
        SizeEstimateRangeGB: [0, 1],
      });
      const update = await ddb.send(
        new UpdateItemCommand({
          TableName: "collections",
          Key: key("icm"),
          UpdateExpression: "SET #d = :v",
          ExpressionAttributeNames: { "#d": "data" },
          ExpressionAttributeValues: { ":v": S("updated") },
          ReturnItemCollectionMetrics: "SIZE",
        }),
      );
      expect(update.ItemCollectionMetrics?.ItemCollectionKey).toEqual({ pk: S("icm") });
      const removed = await ddb.send(
        new DeleteItemCommand({
          TableName: "collections",
          Key: key("icm"),
          ReturnItemCollectionMetrics: "SIZE",
        }),
      );
      expect(removed.ItemCollectionMetrics?.SizeEstimateRangeGB).toEqual([0, 1]);
    });

    it("NONE, or a table without an LSI, returns no metrics", async () => {
      const none = await ddb.send(
        new PutItemCommand({
          TableName: "collections",
          Item: key("none"),
          ReturnItemCollectionMetrics: "NONE",
        }),
      );
      expect(none.ItemCollectionMetrics).toBeUndefined();
      const plain = await ddb.send(
        new PutItemCommand({
          TableName: "hash",
          Item: { pk: S("plain") },
          ReturnItemCollectionMetrics: "SIZE",
        }),
      );
      expect(plain.ItemCollectionMetrics).toBeUndefined();
    });

    it("BatchWriteItem and TransactWriteItems list the metrics per table", async () => {
      const batch = await ddb.send(
        new BatchWriteItemCommand({
          RequestItems: {
            collections: [{ PutRequest: { Item: key("b1") } }, { PutRequest: { Item: key("b2") } }],
            hash: [{ PutRequest: { Item: { pk: S("b3") } } }],
          },
          ReturnItemCollectionMetrics: "SIZE",
        }),
      );
      expect(batch.ItemCollectionMetrics).toEqual({
        collections: [
          { ItemCollectionKey: { pk: S("b1") }, SizeEstimateRangeGB: [0, 1] },
          { ItemCollectionKey: { pk: S("b2") }, SizeEstimateRangeGB: [0, 1] },
        ],
      });
      const transact = await ddb.send(
        new TransactWriteItemsCommand({
          TransactItems: [{ Put: { TableName: "collections", Item: key("t1") } }],
          ReturnItemCollectionMetrics: "SIZE",
        }),
      );
      expect(transact.ItemCollectionMetrics).toEqual({
        collections: [{ ItemCollectionKey: { pk: S("t1") }, SizeEstimateRangeGB: [0, 1] }],
      });
    });
  });
});

describe.skipIf(!awsCliAvailable)("dynamodb validation through the AWS CLI", () => {
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["dynamodb", "dynamodbstreams"] });
    await awsCliJson(emulator.url, [
      "dynamodb",
      "create-table",
      "--table-name",
      "cli",
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

  it("prints DynamoDB's constraint and syntax messages", async () => {
    // The CLI checks lengths itself; the name's pattern is left to DynamoDB.
    const badName = await awsCli(emulator.url, [
      "dynamodb",
      "create-table",
      "--table-name",
      "bad name!",
      "--attribute-definitions",
      "AttributeName=pk,AttributeType=S",
      "--key-schema",
      "AttributeName=pk,KeyType=HASH",
      "--billing-mode",
      "PAY_PER_REQUEST",
    ]);
    expect(badName.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
    expect(badName.stderr).toContain(
      "(ValidationException) when calling the CreateTable operation: 1 validation error detected: Value 'bad name!' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
    );
    const syntax = await awsCli(emulator.url, [
      "dynamodb",
      "update-item",
      "--table-name",
      "cli",
      "--key",
      '{"pk":{"S":"x"}}',
      "--update-expression",
      "INVALID SYNTAX HERE",
    ]);
    expect(syntax.stderr).toContain(
      'Invalid UpdateExpression: Syntax error; token: "INVALID", near: "INVALID SYNTAX"',
    );
    const segment = await awsCli(emulator.url, [
      "dynamodb",
      "scan",
      "--table-name",
      "cli",
      "--segment",
      "2",
      "--total-segments",
      "2",
    ]);
    expect(segment.stderr).toContain(
      "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 2 is not less than TotalSegments: 2",
    );
  });

  it("refuses an expression over 4 KB with DynamoDB's message", async () => {
    const refused = await awsCli(emulator.url, [
      "dynamodb",
      "scan",
      "--table-name",
      "cli",
      "--filter-expression",
      "(".repeat(3000) + "a = :v" + ")".repeat(3000),
      "--expression-attribute-values",
      '{":v":{"S":"x"}}',
    ]);
    expect(refused.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
    expect(refused.stderr).toContain(
      "(ValidationException) when calling the Scan operation: Invalid FilterExpression: Expression size has exceeded the maximum allowed size; expression size: 6006",
    );
  });

  it("takes a table ARN as --table-name and refuses 33 levels of nesting", async () => {
    const arn = "arn:aws:dynamodb:us-east-1:000000000000:table/cli";
    const described = await awsCliJson<{ Table: { TableName: string } }>(emulator.url, [
      "dynamodb",
      "describe-table",
      "--table-name",
      arn,
    ]);
    expect(described.Table.TableName).toBe("cli");
    const deep = JSON.stringify({ pk: { S: "deep" }, data: nested(32) });
    const refused = await awsCli(emulator.url, ["dynamodb", "put-item", "--table-name", arn, "--item", deep]);
    expect(refused.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
    expect(refused.stderr).toContain(
      "(ValidationException) when calling the PutItem operation: Nesting Levels have exceeded supported limits",
    );
    const fine = JSON.stringify({ pk: { S: "deep" }, data: nested(31) });
    const stored = await awsCli(emulator.url, ["dynamodb", "put-item", "--table-name", arn, "--item", fine]);
    expect(stored.exitCode).toBe(0);
  });
});
