import {
  BatchExecuteStatementCommand,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  DynamoDBServiceException,
  ExecuteStatementCommand,
  ExecuteTransactionCommand,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from "@aws-sdk/client-dynamodb-streams";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../../src/runtime/emulator/index.js";
import { AWS_CLI_SERVICE_ERROR_EXIT, awsCli, awsCliAvailable, awsCliJson } from "../../helpers/aws-cli.js";

/**
 * PartiQL for DynamoDB (ExecuteStatement, BatchExecuteStatement, ExecuteTransaction), written from
 * DynamoDB's PartiQL reference (SELECT/INSERT/UPDATE/DELETE syntax, RETURNING, the batch and
 * transaction rules) and the answers independent conformance suites pinned against real DynamoDB:
 * the "Statement wasn't well formed, can't be processed: <detail>" messages, DuplicateItemException
 * for an INSERT of an existing key, ConditionalCheckFailedException for an UPDATE of a missing item,
 * a DELETE of a missing item as no error, RETURNING projected into `Items`.
 */
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const S = (value: string): AttributeValue => ({ S: value });
const N = (value: string): AttributeValue => ({ N: value });
const NOT_WELL_FORMED = "Statement wasn't well formed, can't be processed: ";

async function failure(send: Promise<unknown>): Promise<DynamoDBServiceException> {
  try {
    await send;
  } catch (error) {
    expect(error).toBeInstanceOf(DynamoDBServiceException);
    return error as DynamoDBServiceException;
  }
  throw new Error("expected the call to fail");
}

describe("dynamodb PartiQL (SDK v3)", () => {
  let emulator: Emulator;
  let ddb: DynamoDBClient;
  let streams: DynamoDBStreamsClient;
  const run = (
    Statement: string,
    extra: Omit<ConstructorParameters<typeof ExecuteStatementCommand>[0], "Statement"> = {},
  ) => ddb.send(new ExecuteStatementCommand({ Statement, ...extra }));
  const get = async (TableName: string, Key: Record<string, AttributeValue>) =>
    (await ddb.send(new GetItemCommand({ TableName, Key, ConsistentRead: true }))).Item;

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["dynamodb", "dynamodbstreams"] });
    const config = { endpoint: emulator.url, region: "us-east-1", credentials, maxAttempts: 1 };
    ddb = new DynamoDBClient(config);
    streams = new DynamoDBStreamsClient(config);
    await ddb.send(
      new CreateTableCommand({
        TableName: "music",
        AttributeDefinitions: [
          { AttributeName: "Artist", AttributeType: "S" },
          { AttributeName: "SongTitle", AttributeType: "S" },
          { AttributeName: "Album", AttributeType: "S" },
        ],
        KeySchema: [
          { AttributeName: "Artist", KeyType: "HASH" },
          { AttributeName: "SongTitle", KeyType: "RANGE" },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: "by-album",
            KeySchema: [{ AttributeName: "Album", KeyType: "HASH" }],
            Projection: { ProjectionType: "ALL" },
          },
        ],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    await ddb.send(
      new CreateTableCommand({
        TableName: "orders",
        AttributeDefinitions: [{ AttributeName: "OrderID", AttributeType: "N" }],
        KeySchema: [{ AttributeName: "OrderID", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
        StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
      }),
    );
  });

  afterAll(async () => {
    ddb.destroy();
    streams.destroy();
    await emulator.stop();
  });

  describe("statements DynamoDB refuses", () => {
    it("words syntax errors as DynamoDB's PartiQL parser does", async () => {
      const cases: [string, string][] = [
        [
          `SELECT * FROM "orders" WHERE OrderID = 1 foo`,
          `${NOT_WELL_FORMED}Unexpected token after expression`,
        ],
        [`SELECT * FROM "orders" WHERE OrderID = 1)`, `${NOT_WELL_FORMED}Unexpected token after expression`],
        [
          `DELETE FROM "orders" WHERE OrderID = 3 ORDER BY OrderID`,
          `${NOT_WELL_FORMED}Unexpected token after expression`,
        ],
        [`SELECT * FROM "orders" WHERE`, `${NOT_WELL_FORMED}Unexpected term`],
        [`SELECT * FROM "orders" WHERE NOT`, `${NOT_WELL_FORMED}Unexpected term`],
        [`SELECT * FROM`, `${NOT_WELL_FORMED}Unexpected term`],
        [
          `SELECT * FROM "orders" WHERE OrderID = 1 AND`,
          `${NOT_WELL_FORMED}Missing right-hand side expression of infix operator`,
        ],
        [`SELECT * FROM "orders" WHERE ORDER BY OrderID`, `${NOT_WELL_FORMED}Unexpected keyword`],
        [`SELECT * FROM "orders" WHERE IS NULL`, `${NOT_WELL_FORMED}Unexpected operator`],
        [`SELECT * FROM "orders" WHERE OrderID = 1 AND x IS FOO`, `${NOT_WELL_FORMED}Expected type name`],
        [`DELETE FROM`, `${NOT_WELL_FORMED}Expected identifier for simple path`],
        [`SELECT * FROM "orders" WHERE OrderID = 1 # note`, NOT_WELL_FORMED],
        [`SELECT * FROM "orders" WHERE OrderID = 1e2147483648`, NOT_WELL_FORMED],
        [`SELECT * FROM "orders" o WHERE OrderID = 1`, "Aliasing is not supported"],
        [`UPDATE "orders" o SET a = 3 WHERE OrderID = 1`, "Aliasing is not supported"],
        [
          `INSERT INTO "orders" o VALUE {'OrderID': 1}`,
          `${NOT_WELL_FORMED}Unexpected token after expression`,
        ],
        [
          `SELECT * FROM "orders" WHERE OrderID = 1e126`,
          "Number overflow. Attempting to store a number with magnitude larger than supported range under root",
        ],
        [
          `INSERT INTO "orders" VALUE {'OrderID': 1, 'm': {'x': 1e-131}}`,
          "Number underflow. Attempting to store a number with magnitude smaller than supported range under root.x",
        ],
        [
          `INSERT INTO "orders" VALUE {'OrderID': 1, 'l': [1, 123456789012345678901234567890123456789]}`,
          "Attempting to store more than 38 significant digits in a Number under root[1]",
        ],
        [`SELECT * FROM "orders" LIMIT 1`, "Unsupported clause: LIMIT"],
        [
          `SELECT *, OrderID FROM "orders"`,
          "Other attributes should not be present in the projection when '*' is used.",
        ],
        [`SELECT a.z, b.z FROM "orders"`, "Duplicate identifiers in select clause: z"],
        [
          `INSERT INTO "orders" VALUE {'OrderID': 1} RETURNING ALL OLD *`,
          "RETURNING is not supported in INSERT",
        ],
        [
          `EXISTS(SELECT * FROM "orders" WHERE OrderID = 1 AND a = 1)`,
          "EXISTS can only be used in ExecuteTransaction write requests.",
        ],
      ];
      for (const [statement, message] of cases) {
        const refused = await failure(run(statement));
        expect({ statement, name: refused.name, message: refused.message }).toEqual({
          statement,
          name: "ValidationException",
          message,
        });
        expect(refused.$metadata.httpStatusCode).toBe(400);
      }
    });

    it("checks the request's members before the statement", async () => {
      const empty = await failure(run(""));
      expect(empty.message).toBe(
        "1 validation error detected: Value '' at 'statement' failed to satisfy constraint: Member must have length greater than or equal to 1",
      );
      const limit = await failure(run(`SELECT * FROM "orders"`, { Limit: 0 }));
      expect(limit.message).toBe(
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
      );
      const long = await failure(run(`SELECT * FROM "orders" WHERE OrderID = ${"1".repeat(8200)}`));
      expect(long.message).toMatch(/Member must have length less than or equal to 8192$/);
    });

    it("a missing table is ResourceNotFoundException; too few parameters are refused", async () => {
      const missing = await failure(run(`SELECT * FROM "no-such-table" WHERE pk = 'x'`));
      expect(missing.name).toBe("ResourceNotFoundException");
      expect(missing.message).toBe("Requested resource not found");
      const params = await failure(
        run(`SELECT * FROM "orders" WHERE OrderID = ? AND x = ?`, { Parameters: [N("1")] }),
      );
      expect(params.message).toBe("Number of parameters in request and statement don't match.");
    });

    it("UPDATE and DELETE must name the whole primary key; keys must have the table's types", async () => {
      for (const statement of [
        `UPDATE "music" SET Awards = 1 WHERE Artist = 'Acme'`,
        `DELETE FROM "music" WHERE SongTitle = 'x'`,
        `DELETE FROM "music" WHERE Artist = 'Acme' OR SongTitle = 'x'`,
        `UPDATE "music" SET Awards = 1`,
      ]) {
        const refused = await failure(run(statement));
        expect(refused.message).toBe(
          "Where clause does not contain a mandatory equality on all key attributes",
        );
      }
      const typed = await failure(run(`DELETE FROM "orders" WHERE OrderID = '1'`));
      expect(typed.message).toBe(
        "Key attribute's data type should match its data type in table's schema: Key OrderID",
      );
      const incomplete = await failure(run(`INSERT INTO "music" VALUE {'Artist': 'Acme'}`));
      expect(incomplete.message).toBe("Key attribute should be present in the item: Key SongTitle");
    });

    it("DELETE takes only RETURNING ALL OLD *, and nothing is deleted when it is refused", async () => {
      await run(`INSERT INTO "orders" VALUE {'OrderID': 900, 'v': 'x'}`);
      for (const returning of ["MODIFIED OLD", "MODIFIED NEW", "ALL NEW"]) {
        const refused = await failure(
          run(`DELETE FROM "orders" WHERE OrderID = 900 RETURNING ${returning} *`),
        );
        expect(refused.message).toBe(
          `Invalid returning clause: RETURNING ${returning} *. Only RETURNING ALL OLD * is allowed in DELETE statements.`,
        );
      }
      expect(await get("orders", { OrderID: N("900") })).toEqual({ OrderID: N("900"), v: S("x") });
    });
  });

  describe("INSERT, UPDATE, DELETE", () => {
    it("INSERT writes an item of every literal type; a second INSERT of the key is DuplicateItemException", async () => {
      const inserted = await run(
        `INSERT INTO "music" VALUE {'Artist': 'Acme Band', 'SongTitle': 'PartiQL Rocks', 'Year': 2020, ` +
          `'Price': 1.50, 'Live': TRUE, 'Notes': NULL, 'Tags': ['rock', 1], 'Meta': {'label': 'X', 'n': 4}, ` +
          `'Members': <<'a', 'b'>>, 'Charts': <<1, 34, 4.5>>}`,
      );
      expect(inserted.Items).toEqual([]);
      expect(await get("music", { Artist: S("Acme Band"), SongTitle: S("PartiQL Rocks") })).toEqual({
        Artist: S("Acme Band"),
        SongTitle: S("PartiQL Rocks"),
        Year: N("2020"),
        Price: N("1.5"),
        Live: { BOOL: true },
        Notes: { NULL: true },
        Tags: { L: [S("rock"), N("1")] },
        Meta: { M: { label: S("X"), n: N("4") } },
        Members: { SS: ["a", "b"] },
        Charts: { NS: ["1", "34", "4.5"] },
      });
      const duplicate = await failure(
        run(`INSERT INTO "music" VALUE {'Artist': ?, 'SongTitle': ?}`, {
          Parameters: [S("Acme Band"), S("PartiQL Rocks")],
        }),
      );
      expect(duplicate.name).toBe("DuplicateItemException");
      expect(duplicate.message).toBe("Duplicate primary key exists in table");
      expect(
        (await get("music", { Artist: S("Acme Band"), SongTitle: S("PartiQL Rocks") }))?.["Year"],
      ).toEqual(N("2020"));
    });

    it("empty and mixed bags are refused", async () => {
      expect((await failure(run(`INSERT INTO "orders" VALUE {'OrderID': 5, 's': <<>>}`))).message).toBe(
        "Empty bags are not supported",
      );
      expect((await failure(run(`INSERT INTO "orders" VALUE {'OrderID': 5, 's': <<1, 'a'>>}`))).message).toBe(
        "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags",
      );
    });

    it("UPDATE sets, removes, adds to sets and lists, and returns what RETURNING asks for", async () => {
      await ddb.send(
        new PutItemCommand({
          TableName: "music",
          Item: {
            Artist: S("U"),
            SongTitle: S("1"),
            Plays: N("5"),
            Old: S("gone soon"),
            Grammys: { L: [N("2018")] },
            Members: { SS: ["a"] },
            Detail: { M: { Kept: S("k") } },
          },
        }),
      );
      const updated = await run(
        `UPDATE "music" SET Plays = Plays + 2 SET Grammys = list_append(Grammys, [2020]) ` +
          `SET Members = set_add(Members, <<'b'>>) SET Detail.Label = 'X' REMOVE Old ` +
          `WHERE Artist = 'U' AND SongTitle = '1' RETURNING ALL NEW *`,
      );
      expect(updated.Items).toEqual([
        {
          Artist: S("U"),
          SongTitle: S("1"),
          Plays: N("7"),
          Grammys: { L: [N("2018"), N("2020")] },
          Members: { SS: ["a", "b"] },
          Detail: { M: { Kept: S("k"), Label: S("X") } },
        },
      ]);
      const modified = await run(
        `UPDATE "music" SET Plays = 8 WHERE Artist = 'U' AND SongTitle = '1' RETURNING MODIFIED OLD *`,
      );
      expect(modified.Items).toEqual([{ Plays: N("7") }]);
      const added = await run(
        `UPDATE "music" SET Fresh = 'x' WHERE Artist = 'U' AND SongTitle = '1' RETURNING MODIFIED OLD *`,
      );
      // The changed attribute had no old value: no row at all.
      expect(added.Items).toEqual([]);
      const deleted = await run(
        `UPDATE "music" SET Members = set_delete(Members, <<'a'>>) WHERE Artist = 'U' AND SongTitle = '1' RETURNING MODIFIED NEW *`,
      );
      expect(deleted.Items).toEqual([{ Members: { SS: ["b"] } }]);
    });

    it("UPDATE of a missing item and a false condition are ConditionalCheckFailedException; ALL_OLD returns the item", async () => {
      const missing = await failure(run(`UPDATE "orders" SET v = 1 WHERE OrderID = 404`));
      expect(missing.name).toBe("ConditionalCheckFailedException");
      expect(await get("orders", { OrderID: N("404") })).toBeUndefined();

      await run(`INSERT INTO "orders" VALUE {'OrderID': 10, 'state': 'open', 'n': 5}`);
      const refused = await failure(
        run(`UPDATE "orders" SET n = 9 WHERE OrderID = 10 AND "state" = 'closed'`, {
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      expect(refused.name).toBe("ConditionalCheckFailedException");
      expect((refused as unknown as { Item?: unknown }).Item).toEqual({
        OrderID: N("10"),
        state: S("open"),
        n: N("5"),
      });
      await run(`UPDATE "orders" SET n = 9 WHERE OrderID = 10 AND "state" = 'open'`);
      expect((await get("orders", { OrderID: N("10") }))?.["n"]).toEqual(N("9"));
    });

    it("DELETE: a false condition fails and keeps the item, a missing item is no error, RETURNING ALL OLD *", async () => {
      await run(`INSERT INTO "orders" VALUE {'OrderID': 20, 'kind': 'alpha'}`);
      const refused = await failure(
        run(`DELETE FROM "orders" WHERE OrderID = 20 AND NOT begins_with(kind, 'al')`),
      );
      expect(refused.name).toBe("ConditionalCheckFailedException");
      expect(await get("orders", { OrderID: N("20") })).toBeDefined();

      const none = await run(`DELETE FROM "orders" WHERE OrderID = 21 AND kind = 'x' RETURNING ALL OLD *`);
      expect(none.Items).toEqual([]);

      const gone = await run(`DELETE FROM "orders" WHERE OrderID = 20 RETURNING ALL OLD *`);
      expect(gone.Items).toEqual([{ OrderID: N("20"), kind: S("alpha") }]);
      expect(await get("orders", { OrderID: N("20") })).toBeUndefined();
      // The key is free again.
      await run(`INSERT INTO "orders" VALUE {'OrderID': 20, 'kind': 'again'}`);
    });

    it("every PartiQL write is a stream record, as the item API's writes are", async () => {
      await run(`INSERT INTO "orders" VALUE {'OrderID': 777, 'v': 1}`);
      await run(`UPDATE "orders" SET v = 2 WHERE OrderID = 777`);
      await run(`DELETE FROM "orders" WHERE OrderID = 777`);
      const { Table } = await ddb.send(new DescribeTableCommand({ TableName: "orders" }));
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
      const mine = (Records ?? []).filter((r) => r.dynamodb?.Keys?.["OrderID"]?.N === "777");
      expect(mine.map((r) => r.eventName)).toEqual(["INSERT", "MODIFY", "REMOVE"]);
      expect(mine[1]!.dynamodb!.OldImage).toEqual({ OrderID: N("777"), v: N("1") });
      expect(mine[1]!.dynamodb!.NewImage).toEqual({ OrderID: N("777"), v: N("2") });
    });
  });

  describe("SELECT", () => {
    beforeAll(async () => {
      for (const [title, album, plays] of [
        ["a1", "First", 10],
        ["a2", "First", 20],
        ["b1", "Second", 30],
        ["b2", "Second", 40],
        ["c1", "Third", 50],
      ] as const)
        await run(
          `INSERT INTO "music" VALUE {'Artist': 'Sel', 'SongTitle': ?, 'Album': ?, 'Plays': ?, 'Info': {'tags': ['x', ?]}}`,
          {
            Parameters: [S(title), S(album), N(String(plays)), S(title)],
          },
        );
      await run(
        `INSERT INTO "music" VALUE {'Artist': 'Other', 'SongTitle': 'z1', 'Album': 'First', 'Plays': 60}`,
      );
    });

    it("by partition key, with sort key conditions, functions and a projection named by last path part", async () => {
      const byKey = await run(
        `SELECT SongTitle, Info.tags[1] FROM "music" WHERE Artist = ? AND SongTitle = 'b1'`,
        {
          Parameters: [S("Sel")],
        },
      );
      expect(byKey.Items).toEqual([{ SongTitle: S("b1"), "tags[1]": S("b1") }]);
      const prefix = await run(
        `SELECT SongTitle FROM "music" WHERE Artist = 'Sel' AND begins_with(SongTitle, 'b') AND Plays > 30`,
      );
      expect(prefix.Items).toEqual([{ SongTitle: S("b2") }]);
      const between = await run(
        `SELECT SongTitle FROM "music" WHERE Artist = 'Sel' AND SongTitle BETWEEN 'a2' AND 'b1'`,
      );
      expect(between.Items?.map((i) => i["SongTitle"]?.S)).toEqual(["a2", "b1"]);
      const missing = await run(
        `SELECT SongTitle FROM "music" WHERE Artist = 'Sel' AND Nope IS MISSING AND Album <> 'First'`,
      );
      expect(missing.Items?.map((i) => i["SongTitle"]?.S)).toEqual(["b1", "b2", "c1"]);
      const none = await run(`SELECT * FROM "music" WHERE Artist = 'nobody'`);
      expect(none.Items).toEqual([]);
    });

    it("IN and OR on the partition key, ORDER BY the keys, a full scan otherwise", async () => {
      const ordered = await run(
        `SELECT Artist, SongTitle FROM "music" WHERE Artist IN ['Sel', 'Other'] AND Plays >= 40 ORDER BY Artist DESC, SongTitle DESC`,
      );
      expect(ordered.Items?.map((i) => `${i["Artist"]?.S}/${i["SongTitle"]?.S}`)).toEqual([
        "Sel/c1",
        "Sel/b2",
        "Other/z1",
      ]);
      const either = await run(
        `SELECT SongTitle FROM "music" WHERE Artist = 'Other' OR Artist = 'Sel' AND Plays = 10`,
      );
      expect(either.Items?.map((i) => i["SongTitle"]?.S).sort()).toEqual(["a1", "z1"]);
      const scan = await run(`SELECT SongTitle FROM "music" WHERE Plays BETWEEN 45 AND 60`);
      expect(scan.Items?.map((i) => i["SongTitle"]?.S).sort()).toEqual(["c1", "z1"]);
      const refused = await failure(run(`SELECT * FROM "music" WHERE Plays > 1 ORDER BY Artist`));
      expect(refused.message).toBe(
        "Must have at least one non-optional hash key condition in WHERE clause when using ORDER BY clause.",
      );
      const notKey = await failure(run(`SELECT * FROM "music" WHERE Artist = 'Sel' ORDER BY Plays`));
      expect(notKey.message).toBe(
        "Variable reference Plays in ORDER BY clause must be part of the primary key",
      );
    });

    it("from an index; consistent reads of a global secondary index are refused", async () => {
      const first = await run(`SELECT SongTitle FROM "music"."by-album" WHERE Album = 'First'`);
      expect(first.Items?.map((i) => i["SongTitle"]?.S).sort()).toEqual(["a1", "a2", "z1"]);
      const consistent = await failure(
        run(`SELECT * FROM "music"."by-album" WHERE Album = 'First'`, { ConsistentRead: true }),
      );
      expect(consistent.message).toBe(
        "Strongly consistent read is not supported on Global Secondary Indexes",
      );
    });

    it("Limit counts the items read and NextToken continues; a token of another statement is refused", async () => {
      const seen: string[] = [];
      let NextToken: string | undefined;
      let pages = 0;
      do {
        const page = await run(`SELECT SongTitle FROM "music" WHERE Artist = 'Sel' AND Plays > 15`, {
          Limit: 2,
          ...(NextToken ? { NextToken } : {}),
        });
        seen.push(...(page.Items ?? []).map((i) => i["SongTitle"]!.S!));
        NextToken = page.NextToken;
        pages++;
      } while (NextToken && pages < 10);
      expect(seen).toEqual(["a2", "b1", "b2", "c1"]);
      expect(pages).toBe(3);

      const first = await run(`SELECT * FROM "music" WHERE Artist = 'Sel'`, { Limit: 1 });
      const other = await failure(
        run(`SELECT * FROM "music" WHERE Artist = 'Other'`, { NextToken: first.NextToken! }),
      );
      expect(other.message).toBe("NextToken does not match request");
      const invalid = await failure(run(`SELECT * FROM "music" WHERE Artist = 'Sel'`, { NextToken: "nope" }));
      expect(invalid.message).toBe("Invalid NextToken");
    });

    it("returns ConsumedCapacity when asked", async () => {
      const read = await run(`SELECT * FROM "music" WHERE Artist = 'Sel'`, {
        ReturnConsumedCapacity: "TOTAL",
      });
      expect(read.ConsumedCapacity?.TableName).toBe("music");
      expect(read.ConsumedCapacity?.CapacityUnits).toBeGreaterThan(0);
    });
  });

  describe("BatchExecuteStatement", () => {
    it("refuses a batch of reads and writes, and more than 25 statements", async () => {
      const mixed = await failure(
        ddb.send(
          new BatchExecuteStatementCommand({
            Statements: [
              { Statement: `SELECT * FROM "orders" WHERE OrderID = 1` },
              { Statement: `INSERT INTO "orders" VALUE {'OrderID': 1}` },
            ],
          }),
        ),
      );
      expect(mixed.message).toBe("Read and write requests together in the same batch is not supported.");
      const many = await failure(
        ddb.send(
          new BatchExecuteStatementCommand({
            Statements: Array.from({ length: 26 }, (_, i) => ({
              Statement: `SELECT * FROM "orders" WHERE OrderID = ${String(i)}`,
            })),
          }),
        ),
      );
      expect(many.message).toMatch(
        /^1 validation error detected: Value '.*' at 'statements' failed to satisfy constraint: Member must have length less than or equal to 25$/,
      );
    });

    it("runs each write on its own: one statement's error does not stop the others", async () => {
      await run(`INSERT INTO "orders" VALUE {'OrderID': 300, 'v': 1}`);
      const { Responses } = await ddb.send(
        new BatchExecuteStatementCommand({
          Statements: [
            { Statement: `INSERT INTO "orders" VALUE {'OrderID': 301, 'v': 1}` },
            { Statement: `INSERT INTO "orders" VALUE {'OrderID': ?, 'v': 2}`, Parameters: [N("300")] },
            {
              Statement: `UPDATE "orders" SET v = 5 WHERE OrderID = 300 AND v = 99`,
              ReturnValuesOnConditionCheckFailure: "ALL_OLD",
            },
            { Statement: `SELECT * FROM "orders" WHERE` },
            { Statement: `DELETE FROM "no-such-table" WHERE pk = 1` },
          ],
        }),
      );
      expect(Responses).toEqual([
        { TableName: "orders" },
        {
          TableName: "orders",
          Error: { Code: "DuplicateItem", Message: "Duplicate primary key exists in table" },
        },
        {
          TableName: "orders",
          Error: {
            Code: "ConditionalCheckFailed",
            Message: "The conditional request failed",
            Item: { OrderID: N("300"), v: N("1") },
          },
        },
        { Error: { Code: "ValidationError", Message: `${NOT_WELL_FORMED}Unexpected term` } },
        {
          TableName: "no-such-table",
          Error: { Code: "ResourceNotFound", Message: "Requested resource not found" },
        },
      ]);
      expect(await get("orders", { OrderID: N("301") })).toEqual({ OrderID: N("301"), v: N("1") });
    });

    it("reads single items by their whole key", async () => {
      const { Responses } = await ddb.send(
        new BatchExecuteStatementCommand({
          Statements: [
            { Statement: `SELECT v FROM "orders" WHERE OrderID = 300` },
            { Statement: `SELECT * FROM "orders" WHERE OrderID = 123456` },
            { Statement: `SELECT * FROM "music" WHERE Artist = 'Sel'` },
          ],
        }),
      );
      expect(Responses).toEqual([
        { TableName: "orders", Item: { v: N("1") } },
        { TableName: "orders" },
        {
          TableName: "music",
          Error: { Code: "ValidationError", Message: "Only single item select is supported" },
        },
      ]);
    });
  });

  describe("ExecuteTransaction", () => {
    it("refuses reads with writes, and names the statement a validation error comes from", async () => {
      const mixed = await failure(
        ddb.send(
          new ExecuteTransactionCommand({
            TransactStatements: [
              { Statement: `SELECT * FROM "orders" WHERE OrderID = 1` },
              { Statement: `UPDATE "orders" SET v = 1 WHERE OrderID = 1` },
            ],
          }),
        ),
      );
      expect(mixed.message).toBe(
        "ExecuteTransaction API does not support both read and write operations in the same request.",
      );
      const syntax = await failure(
        ddb.send(
          new ExecuteTransactionCommand({
            TransactStatements: [{ Statement: `SELECT * FROM "orders" WHERE` }],
          }),
        ),
      );
      expect(syntax.message).toBe(
        `Validation failed in TransactStatements[0]: ${NOT_WELL_FORMED}Unexpected term`,
      );
    });

    it("writes all or nothing: a duplicate INSERT cancels with DuplicateItem, a false EXISTS with ConditionalCheckFailed", async () => {
      await run(`INSERT INTO "orders" VALUE {'OrderID': 500, 'stock': 1}`);
      await run(`INSERT INTO "orders" VALUE {'OrderID': 510, 'open': TRUE}`);
      const duplicate = await failure(
        ddb.send(
          new ExecuteTransactionCommand({
            TransactStatements: [
              { Statement: `INSERT INTO "orders" VALUE {'OrderID': 501}` },
              { Statement: `INSERT INTO "orders" VALUE {'OrderID': 500}` },
            ],
          }),
        ),
      );
      expect(duplicate).toBeInstanceOf(TransactionCanceledException);
      expect(duplicate.message).toBe(
        "Transaction cancelled, please refer cancellation reasons for specific reasons [None, DuplicateItem]",
      );
      expect((duplicate as TransactionCanceledException).CancellationReasons).toEqual([
        { Code: "None" },
        { Code: "DuplicateItem", Message: "Duplicate primary key exists in table" },
      ]);
      expect(await get("orders", { OrderID: N("501") })).toBeUndefined();

      const condition = await failure(
        ddb.send(
          new ExecuteTransactionCommand({
            TransactStatements: [
              { Statement: `EXISTS(SELECT * FROM "orders" WHERE OrderID = 510 AND "open" = FALSE)` },
              { Statement: `UPDATE "orders" SET stock = stock - 1 WHERE OrderID = 500` },
            ],
          }),
        ),
      );
      expect((condition as TransactionCanceledException).CancellationReasons?.map((r) => r.Code)).toEqual([
        "ConditionalCheckFailed",
        "None",
      ]);
      const missingUpdate = await failure(
        ddb.send(
          new ExecuteTransactionCommand({
            TransactStatements: [
              { Statement: `INSERT INTO "orders" VALUE {'OrderID': 502}` },
              { Statement: `UPDATE "orders" SET v = 1 WHERE OrderID = 503` },
            ],
          }),
        ),
      );
      expect((missingUpdate as TransactionCanceledException).CancellationReasons?.map((r) => r.Code)).toEqual(
        ["None", "ConditionalCheckFailed"],
      );
      expect(await get("orders", { OrderID: N("502") })).toBeUndefined();

      await ddb.send(
        new ExecuteTransactionCommand({
          TransactStatements: [
            { Statement: `EXISTS(SELECT * FROM "orders" WHERE OrderID = 510 AND "open" = TRUE)` },
            { Statement: `UPDATE "orders" SET stock = stock - 1 WHERE OrderID = 500` },
            { Statement: `INSERT INTO "orders" VALUE {'OrderID': ?, 'from': 500}`, Parameters: [N("504")] },
            { Statement: `DELETE FROM "orders" WHERE OrderID = 301` },
          ],
        }),
      );
      expect((await get("orders", { OrderID: N("500") }))?.["stock"]).toEqual(N("0"));
      expect(await get("orders", { OrderID: N("504") })).toEqual({ OrderID: N("504"), from: N("500") });
      expect(await get("orders", { OrderID: N("301") })).toBeUndefined();
    });

    it("a ClientRequestToken applies a transaction once; RETURNING and index reads are refused", async () => {
      const request = {
        ClientRequestToken: "partiql-token-1",
        TransactStatements: [{ Statement: `UPDATE "orders" SET n = n + 1 WHERE OrderID = 10` }],
      };
      const before = Number((await get("orders", { OrderID: N("10") }))?.["n"]?.N);
      await ddb.send(new ExecuteTransactionCommand(request));
      await ddb.send(new ExecuteTransactionCommand(request));
      expect((await get("orders", { OrderID: N("10") }))?.["n"]).toEqual(N(String(before + 1)));

      const returning = await failure(
        ddb.send(
          new ExecuteTransactionCommand({
            TransactStatements: [
              { Statement: `UPDATE "orders" SET n = 1 WHERE OrderID = 10 RETURNING ALL NEW *` },
            ],
          }),
        ),
      );
      expect(returning.message).toBe(
        "Validation failed in TransactStatements[0]: Unsupported operation in transaction.",
      );
      const index = await failure(
        ddb.send(
          new ExecuteTransactionCommand({
            TransactStatements: [{ Statement: `SELECT * FROM "music"."by-album" WHERE Album = 'First'` }],
          }),
        ),
      );
      expect(index.message).toBe(
        "Validation failed in TransactStatements[0]: Reads on indices are not supported within transactions.",
      );
    });

    it("reads items by key: one response per statement, {} for a missing item", async () => {
      const { Responses } = await ddb.send(
        new ExecuteTransactionCommand({
          TransactStatements: [
            { Statement: `SELECT OrderID, stock FROM "orders" WHERE OrderID = 500` },
            { Statement: `SELECT * FROM "orders" WHERE OrderID = 999999` },
            { Statement: `SELECT * FROM "orders" WHERE OrderID = 510 AND "open" = FALSE` },
          ],
        }),
      );
      expect(Responses).toEqual([{ Item: { OrderID: N("500"), stock: N("0") } }, {}, {}]);
      const partial = await failure(
        ddb.send(
          new ExecuteTransactionCommand({
            TransactStatements: [{ Statement: `SELECT * FROM "music" WHERE Artist = 'Sel'` }],
          }),
        ),
      );
      expect(partial.message).toBe(
        "Validation failed in TransactStatements[0]: Select statements within ExecuteTransaction must specify the primary key in the where clause.",
      );
    });
  });
});

describe.skipIf(!awsCliAvailable)("dynamodb PartiQL through the AWS CLI", () => {
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["dynamodb", "dynamodbstreams"] });
    const ddb = new DynamoDBClient({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials,
      maxAttempts: 1,
    });
    await ddb.send(
      new CreateTableCommand({
        TableName: "cli",
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    ddb.destroy();
  });

  afterAll(async () => {
    await emulator.stop();
  });

  it("execute-statement writes and reads with parameters, and prints DynamoDB's errors", async () => {
    const statement = (text: string, ...rest: string[]) => [
      "dynamodb",
      "execute-statement",
      "--statement",
      text,
      ...rest,
    ];
    const inserted = await awsCliJson<{ Items: unknown[] }>(
      emulator.url,
      statement(`INSERT INTO "cli" VALUE {'pk': ?, 'n': ?}`, "--parameters", '[{"S":"a"},{"N":"1"}]'),
    );
    expect(inserted.Items).toEqual([]);
    const selected = await awsCliJson<{ Items: unknown[] }>(
      emulator.url,
      statement(`SELECT n FROM "cli" WHERE pk = 'a'`),
    );
    expect(selected.Items).toEqual([{ n: { N: "1" } }]);

    const duplicate = await awsCli(emulator.url, statement(`INSERT INTO "cli" VALUE {'pk': 'a'}`));
    expect(duplicate.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
    expect(duplicate.stderr).toContain(
      "An error occurred (DuplicateItemException) when calling the ExecuteStatement operation: Duplicate primary key exists in table",
    );
    const malformed = await awsCli(emulator.url, statement(`SELECT * FROM "cli" WHERE`));
    expect(malformed.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
    expect(malformed.stderr).toContain(
      "(ValidationException) when calling the ExecuteStatement operation: Statement wasn't well formed, can't be processed: Unexpected term",
    );
  });

  it("batch-execute-statement answers per statement; execute-transaction cancels as a whole", async () => {
    const batch = await awsCliJson<{ Responses: unknown[] }>(emulator.url, [
      "dynamodb",
      "batch-execute-statement",
      "--statements",
      JSON.stringify([
        { Statement: `INSERT INTO "cli" VALUE {'pk': 'b'}` },
        { Statement: `INSERT INTO "cli" VALUE {'pk': ?}`, Parameters: [{ S: "a" }] },
      ]),
    ]);
    expect(batch.Responses).toEqual([
      { TableName: "cli" },
      {
        TableName: "cli",
        Error: { Code: "DuplicateItem", Message: "Duplicate primary key exists in table" },
      },
    ]);

    const cancelled = await awsCli(emulator.url, [
      "dynamodb",
      "execute-transaction",
      "--transact-statements",
      JSON.stringify([
        { Statement: `INSERT INTO "cli" VALUE {'pk': 'c'}` },
        { Statement: `UPDATE "cli" SET n = 2 WHERE pk = 'missing'` },
      ]),
    ]);
    expect(cancelled.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
    expect(cancelled.stderr).toContain(
      "(TransactionCanceledException) when calling the ExecuteTransaction operation: Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]",
    );
    const read = await awsCliJson<{ Responses: unknown[] }>(emulator.url, [
      "dynamodb",
      "execute-transaction",
      "--transact-statements",
      JSON.stringify([
        { Statement: `SELECT pk FROM "cli" WHERE pk = 'c'` },
        { Statement: `SELECT pk FROM "cli" WHERE pk = 'b'` },
      ]),
    ]);
    expect(read.Responses).toEqual([{}, { Item: { pk: { S: "b" } } }]);
  });
});
