import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  UpdateTableCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
  type _Record,
  type GetRecordsCommandOutput,
  type ShardIteratorType,
  type StreamViewType,
} from "@aws-sdk/client-dynamodb-streams";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, ManualClock, type Emulator } from "../../../src/runtime/emulator/index.js";
import { awsCliAvailable, awsCliJson } from "../../helpers/aws-cli.js";
import { testAuthorization } from "../../helpers/raw-aws.js";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;

const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number): AttributeValue => ({ N: String(value) });

describe("emulator: DynamoDB Streams", () => {
  let emulator: Emulator;
  let clock: ManualClock;
  let ddb: DynamoDBClient;
  let streams: DynamoDBStreamsClient;

  beforeAll(async () => {
    clock = new ManualClock(Date.UTC(2026, 7, 1, 9, 15, 2, 417));
    emulator = await createEmulator({ services: ["dynamodb", "dynamodbstreams"], clock });
    const config = { endpoint: emulator.url, region: "us-east-1", credentials };
    ddb = new DynamoDBClient(config);
    streams = new DynamoDBStreamsClient(config);
  });
  afterAll(async () => {
    ddb.destroy();
    streams.destroy();
    await emulator.stop();
  });

  async function createTable(name: string, viewType: StreamViewType = "NEW_AND_OLD_IMAGES") {
    await ddb.send(
      new CreateTableCommand({
        TableName: name,
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
        StreamSpecification: { StreamEnabled: true, StreamViewType: viewType },
      }),
    );
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: name }));
    return Table!.LatestStreamArn!;
  }

  async function shardOf(streamArn: string): Promise<string> {
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    return StreamDescription!.Shards![0]!.ShardId!;
  }

  async function iterator(streamArn: string, type: ShardIteratorType, sequenceNumber?: string) {
    const { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: await shardOf(streamArn),
        ShardIteratorType: type,
        SequenceNumber: sequenceNumber,
      }),
    );
    return ShardIterator!;
  }

  /** Reads from the iterator until a page comes back empty. */
  async function readAll(shardIterator: string, limit?: number): Promise<_Record[]> {
    const records: _Record[] = [];
    let next: string | undefined = shardIterator;
    while (next) {
      const page: GetRecordsCommandOutput = await streams.send(
        new GetRecordsCommand({ ShardIterator: next, Limit: limit }),
      );
      records.push(...(page.Records ?? []));
      next = page.NextShardIterator;
      if ((page.Records ?? []).length === 0) break;
    }
    return records;
  }

  async function allRecords(streamArn: string): Promise<_Record[]> {
    return readAll(await iterator(streamArn, "TRIM_HORIZON"));
  }

  async function writeLifecycle(table: string): Promise<void> {
    await ddb.send(new PutItemCommand({ TableName: table, Item: { pk: S("k"), v: N(1) } }));
    await ddb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { pk: S("k") },
        UpdateExpression: "SET v = :v",
        ExpressionAttributeValues: { ":v": N(2) },
      }),
    );
    await ddb.send(new DeleteItemCommand({ TableName: table, Key: { pk: S("k") } }));
  }

  describe("records", () => {
    it("INSERT, MODIFY and REMOVE carry the images the view type asks for", async () => {
      const expected: Record<StreamViewType, { NewImage: boolean; OldImage: boolean }[]> = {
        NEW_AND_OLD_IMAGES: [
          { NewImage: true, OldImage: false },
          { NewImage: true, OldImage: true },
          { NewImage: false, OldImage: true },
        ],
        NEW_IMAGE: [
          { NewImage: true, OldImage: false },
          { NewImage: true, OldImage: false },
          { NewImage: false, OldImage: false },
        ],
        OLD_IMAGE: [
          { NewImage: false, OldImage: false },
          { NewImage: false, OldImage: true },
          { NewImage: false, OldImage: true },
        ],
        KEYS_ONLY: [
          { NewImage: false, OldImage: false },
          { NewImage: false, OldImage: false },
          { NewImage: false, OldImage: false },
        ],
      };
      for (const [viewType, shapes] of Object.entries(expected) as [
        StreamViewType,
        typeof expected.KEYS_ONLY,
      ][]) {
        const table = `view-${viewType.toLowerCase().replace(/_/g, "-")}`;
        const arn = await createTable(table, viewType);
        await writeLifecycle(table);
        const records = await allRecords(arn);
        expect(
          records.map((r) => r.eventName),
          viewType,
        ).toEqual(["INSERT", "MODIFY", "REMOVE"]);
        records.forEach((record, index) => {
          const shape = shapes[index]!;
          expect(record.dynamodb?.StreamViewType).toBe(viewType);
          expect(record.dynamodb?.Keys).toEqual({ pk: S("k") });
          expect(record.dynamodb?.NewImage !== undefined, `${viewType} #${index} NewImage`).toBe(
            shape.NewImage,
          );
          expect(record.dynamodb?.OldImage !== undefined, `${viewType} #${index} OldImage`).toBe(
            shape.OldImage,
          );
        });
        if (viewType === "NEW_AND_OLD_IMAGES") {
          expect(records[1]?.dynamodb?.OldImage).toEqual({ pk: S("k"), v: N(1) });
          expect(records[1]?.dynamodb?.NewImage).toEqual({ pk: S("k"), v: N(2) });
          expect(records[2]?.dynamodb?.OldImage).toEqual({ pk: S("k"), v: N(2) });
        }
      }
    });

    it("a record has AWS's shape: eventID, version 1.1, source, region, creation time in seconds, size", async () => {
      const arn = await createTable("shape");
      await ddb.send(new PutItemCommand({ TableName: "shape", Item: { pk: S("a"), name: S("Ava") } }));
      const shardIterator = await iterator(arn, "TRIM_HORIZON");
      // In-process callers get the JSON shapes as they travel (numbers, not Dates).
      const raw = await emulator.call<{ Records: Record<string, unknown>[] }>(
        "dynamodbstreams",
        "GetRecords",
        {
          ShardIterator: shardIterator,
        },
      );
      const record = raw.Records[0] as {
        eventID: string;
        dynamodb: Record<string, unknown>;
      } & Record<string, unknown>;
      expect(record).toMatchObject({
        eventName: "INSERT",
        eventVersion: "1.1",
        eventSource: "aws:dynamodb",
        awsRegion: "us-east-1",
      });
      expect(record.eventID).toMatch(/^[0-9a-f]{32}$/);
      expect(record.dynamodb["ApproximateCreationDateTime"]).toBe(Math.floor(clock.now() / 1000));
      expect(record.dynamodb["SizeBytes"]).toBeGreaterThan(0);
      expect(record.dynamodb["SequenceNumber"]).toMatch(/^\d{21,40}$/);

      const viaSdk = await streams.send(new GetRecordsCommand({ ShardIterator: shardIterator }));
      expect(viaSdk.Records?.[0]?.dynamodb?.ApproximateCreationDateTime?.getTime()).toBe(
        Math.floor(clock.now() / 1000) * 1000,
      );
    });

    it("no record for a failed conditional write, an identical rewrite, a no-op update or deleting a missing item", async () => {
      const arn = await createTable("quiet");
      await ddb.send(
        new PutItemCommand({ TableName: "quiet", Item: { pk: S("a"), v: N(1.5), tags: { SS: ["x", "y"] } } }),
      );
      await expect(
        ddb.send(
          new PutItemCommand({
            TableName: "quiet",
            Item: { pk: S("a"), v: N(9) },
            ConditionExpression: "attribute_not_exists(pk)",
          }),
        ),
      ).rejects.toMatchObject({ name: "ConditionalCheckFailedException" });
      // Same values, numbers and sets written differently.
      await ddb.send(
        new PutItemCommand({
          TableName: "quiet",
          Item: { tags: { SS: ["y", "x"] }, v: { N: "1.50" }, pk: S("a") },
        }),
      );
      await ddb.send(
        new UpdateItemCommand({
          TableName: "quiet",
          Key: { pk: S("a") },
          UpdateExpression: "SET v = :same",
          ExpressionAttributeValues: { ":same": N(1.5) },
        }),
      );
      await ddb.send(new DeleteItemCommand({ TableName: "quiet", Key: { pk: S("missing") } }));
      const records = await allRecords(arn);
      expect(records.map((r) => r.eventName)).toEqual(["INSERT"]);
    });

    it("BatchWriteItem: one record per changed item; a transaction: one per written item, none when cancelled", async () => {
      const arn = await createTable("grouped");
      await ddb.send(
        new BatchWriteItemCommand({
          RequestItems: {
            grouped: [
              { PutRequest: { Item: { pk: S("1") } } },
              { PutRequest: { Item: { pk: S("2") } } },
              { DeleteRequest: { Key: { pk: S("never-existed") } } },
            ],
          },
        }),
      );
      await ddb.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: "grouped", Item: { pk: S("3") } } },
            { Delete: { TableName: "grouped", Key: { pk: S("1") } } },
            {
              ConditionCheck: {
                TableName: "grouped",
                Key: { pk: S("2") },
                ConditionExpression: "attribute_exists(pk)",
              },
            },
          ],
        }),
      );
      await expect(
        ddb.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              { Put: { TableName: "grouped", Item: { pk: S("4") } } },
              {
                ConditionCheck: {
                  TableName: "grouped",
                  Key: { pk: S("1") },
                  ConditionExpression: "attribute_exists(pk)",
                },
              },
            ],
          }),
        ),
      ).rejects.toMatchObject({ name: "TransactionCanceledException" });
      const records = await allRecords(arn);
      expect(records.map((r) => `${r.eventName} ${r.dynamodb?.Keys?.["pk"]?.S}`)).toEqual([
        "INSERT 1",
        "INSERT 2",
        "INSERT 3",
        "REMOVE 1",
      ]);
    });

    it("sequence numbers increase, compared as integers", async () => {
      const arn = await createTable("ordered");
      for (let i = 0; i < 25; i++) {
        await ddb.send(new PutItemCommand({ TableName: "ordered", Item: { pk: S(`k${i % 5}`), i: N(i) } }));
      }
      const records = await allRecords(arn);
      expect(records).toHaveLength(25);
      const numbers = records.map((r) => BigInt(r.dynamodb!.SequenceNumber!));
      for (let i = 1; i < numbers.length; i++) expect(numbers[i]! > numbers[i - 1]!).toBe(true);
      expect(records.map((r) => r.dynamodb?.NewImage?.["i"]?.N)).toEqual(
        Array.from({ length: 25 }, (_, i) => String(i)),
      );
    });
  });

  describe("iterators", () => {
    let arn: string;
    let sequences: string[];

    beforeAll(async () => {
      arn = await createTable("iterate");
      for (let i = 0; i < 5; i++)
        await ddb.send(new PutItemCommand({ TableName: "iterate", Item: { pk: S(`k${i}`) } }));
      sequences = (await allRecords(arn)).map((r) => r.dynamodb!.SequenceNumber!);
    });

    it("TRIM_HORIZON, AT_SEQUENCE_NUMBER and AFTER_SEQUENCE_NUMBER start where they say", async () => {
      expect(sequences).toHaveLength(5);
      const at = await readAll(await iterator(arn, "AT_SEQUENCE_NUMBER", sequences[1]));
      expect(at.map((r) => r.dynamodb?.SequenceNumber)).toEqual(sequences.slice(1));
      const after = await readAll(await iterator(arn, "AFTER_SEQUENCE_NUMBER", sequences[1]));
      expect(after.map((r) => r.dynamodb?.SequenceNumber)).toEqual(sequences.slice(2));
    });

    it("Limit pages the records; NextShardIterator continues where the page ended", async () => {
      const first = await streams.send(
        new GetRecordsCommand({ ShardIterator: await iterator(arn, "TRIM_HORIZON"), Limit: 2 }),
      );
      expect(first.Records?.map((r) => r.dynamodb?.SequenceNumber)).toEqual(sequences.slice(0, 2));
      const rest = await readAll(first.NextShardIterator!, 2);
      expect(rest.map((r) => r.dynamodb?.SequenceNumber)).toEqual(sequences.slice(2));
    });

    it("LATEST sees only what is written after it; an empty page still has a next iterator", async () => {
      const latest = await iterator(arn, "LATEST");
      const empty = await streams.send(new GetRecordsCommand({ ShardIterator: latest }));
      expect(empty.Records).toEqual([]);
      expect(empty.NextShardIterator).toBeTruthy();
      await ddb.send(new PutItemCommand({ TableName: "iterate", Item: { pk: S("late") } }));
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: empty.NextShardIterator }));
      expect(page.Records?.map((r) => r.dynamodb?.Keys?.["pk"]?.S)).toEqual(["late"]);
      const fromLatest = await streams.send(new GetRecordsCommand({ ShardIterator: latest }));
      expect(fromLatest.Records?.map((r) => r.dynamodb?.Keys?.["pk"]?.S)).toEqual(["late"]);
    });

    it("refuses a bad Limit, a missing or foreign sequence number, an unknown shard and a forged iterator", async () => {
      const shardIterator = await iterator(arn, "TRIM_HORIZON");
      for (const Limit of [0, 1001]) {
        await expect(
          streams.send(new GetRecordsCommand({ ShardIterator: shardIterator, Limit })),
        ).rejects.toMatchObject({
          name: "ValidationException",
        });
      }
      const shardId = await shardOf(arn);
      await expect(
        streams.send(
          new GetShardIteratorCommand({
            StreamArn: arn,
            ShardId: shardId,
            ShardIteratorType: "AT_SEQUENCE_NUMBER",
          }),
        ),
      ).rejects.toMatchObject({ name: "ValidationException" });
      await expect(
        streams.send(
          new GetShardIteratorCommand({
            StreamArn: arn,
            ShardId: shardId,
            ShardIteratorType: "AFTER_SEQUENCE_NUMBER",
            SequenceNumber: "9".repeat(39),
          }),
        ),
      ).rejects.toMatchObject({ name: "ValidationException" });
      await expect(
        streams.send(
          new GetShardIteratorCommand({
            StreamArn: arn,
            ShardId: "shardId-00000000000000000000-00000000",
            ShardIteratorType: "LATEST",
          }),
        ),
      ).rejects.toMatchObject({ name: "ResourceNotFoundException" });
      await expect(
        streams.send(new GetRecordsCommand({ ShardIterator: "not-an-iterator" })),
      ).rejects.toMatchObject({
        name: "ValidationException",
      });
      await expect(
        streams.send(
          new DescribeStreamCommand({
            StreamArn: `${arn.split("/stream/")[0]}/stream/2020-01-01T00:00:00.000`,
          }),
        ),
      ).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    });

    it("an iterator expires 15 minutes after it was issued", async () => {
      const shardIterator = await iterator(arn, "TRIM_HORIZON");
      await clock.advance(14 * MINUTE);
      await expect(
        streams.send(new GetRecordsCommand({ ShardIterator: shardIterator })),
      ).resolves.toBeDefined();
      await clock.advance(2 * MINUTE);
      await expect(
        streams.send(new GetRecordsCommand({ ShardIterator: shardIterator })),
      ).rejects.toMatchObject({
        name: "ExpiredIteratorException",
      });
    });
  });

  describe("streams", () => {
    it("DescribeStream: one open shard with an AWS-style id; ListStreams filters by table and pages", async () => {
      const arn = await createTable("described", "KEYS_ONLY");
      const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: arn }));
      expect(StreamDescription).toMatchObject({
        StreamArn: arn,
        StreamStatus: "ENABLED",
        StreamViewType: "KEYS_ONLY",
        TableName: "described",
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      });
      expect(StreamDescription?.StreamLabel).toBe(arn.split("/stream/")[1]);
      expect(StreamDescription?.CreationRequestDateTime?.getTime()).toBe(clock.now());
      const shard = StreamDescription!.Shards![0]!;
      expect(shard.ShardId).toMatch(/^shardId-\d{20}-[0-9a-f]{8}$/);
      expect(shard.SequenceNumberRange?.StartingSequenceNumber).toMatch(/^\d{21,}$/);
      expect(shard.SequenceNumberRange?.EndingSequenceNumber).toBeUndefined();

      const forTable = await streams.send(new ListStreamsCommand({ TableName: "described" }));
      expect(forTable.Streams).toEqual([
        { StreamArn: arn, TableName: "described", StreamLabel: StreamDescription?.StreamLabel },
      ]);
      const firstPage = await streams.send(new ListStreamsCommand({ Limit: 2 }));
      expect(firstPage.Streams).toHaveLength(2);
      expect(firstPage.LastEvaluatedStreamArn).toBe(firstPage.Streams?.[1]?.StreamArn);
      const secondPage = await streams.send(
        new ListStreamsCommand({ Limit: 2, ExclusiveStartStreamArn: firstPage.LastEvaluatedStreamArn }),
      );
      expect(secondPage.Streams?.[0]?.StreamArn).not.toBe(firstPage.Streams?.[1]?.StreamArn);
    });

    it("records older than 24 hours are trimmed: TRIM_HORIZON skips them, reading before the horizon is TrimmedDataAccessException", async () => {
      const arn = await createTable("retained");
      await ddb.send(new PutItemCommand({ TableName: "retained", Item: { pk: S("old") } }));
      const [old] = await allRecords(arn);
      await clock.advance(25 * HOUR);
      await ddb.send(new PutItemCommand({ TableName: "retained", Item: { pk: S("new") } }));
      const records = await allRecords(arn);
      expect(records.map((r) => r.dynamodb?.Keys?.["pk"]?.S)).toEqual(["new"]);
      await expect(iterator(arn, "AT_SEQUENCE_NUMBER", old!.dynamodb!.SequenceNumber)).rejects.toMatchObject({
        name: "TrimmedDataAccessException",
      });
      // The record just after the trimmed one is still there.
      const after = await readAll(
        await iterator(arn, "AFTER_SEQUENCE_NUMBER", old!.dynamodb!.SequenceNumber),
      );
      expect(after.map((r) => r.dynamodb?.Keys?.["pk"]?.S)).toEqual(["new"]);
    });

    it("an iterator left behind by the 24 h trim gets TrimmedDataAccessException", async () => {
      const arn = await createTable("left-behind");
      await ddb.send(new PutItemCommand({ TableName: "left-behind", Item: { pk: S("a") } }));
      await clock.advance(24 * HOUR - 5 * MINUTE);
      const early = await iterator(arn, "TRIM_HORIZON");
      // Still within the iterator's 15 minutes, but its record has been trimmed meanwhile.
      await clock.advance(10 * MINUTE);
      await expect(streams.send(new GetRecordsCommand({ ShardIterator: early }))).rejects.toMatchObject({
        name: "TrimmedDataAccessException",
      });
      const fresh = await iterator(arn, "TRIM_HORIZON");
      expect((await streams.send(new GetRecordsCommand({ ShardIterator: fresh }))).Records).toEqual([]);
    });

    it("a disabled stream closes its shard, stays readable for 24 hours, then is gone", async () => {
      const arn = await createTable("closing");
      await ddb.send(new PutItemCommand({ TableName: "closing", Item: { pk: S("a") } }));
      await ddb.send(
        new UpdateTableCommand({ TableName: "closing", StreamSpecification: { StreamEnabled: false } }),
      );
      await ddb.send(new PutItemCommand({ TableName: "closing", Item: { pk: S("b") } }));
      const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: arn }));
      expect(StreamDescription?.StreamStatus).toBe("DISABLED");
      const range = StreamDescription!.Shards![0]!.SequenceNumberRange!;
      expect(range.EndingSequenceNumber).toBeDefined();
      const page = await streams.send(
        new GetRecordsCommand({ ShardIterator: await iterator(arn, "TRIM_HORIZON") }),
      );
      expect(page.Records?.map((r) => r.dynamodb?.Keys?.["pk"]?.S)).toEqual(["a"]);
      expect(page.Records?.[0]?.dynamodb?.SequenceNumber).toBe(range.EndingSequenceNumber);
      expect(page.NextShardIterator).toBeUndefined();

      await clock.advance(23 * HOUR);
      await expect(streams.send(new DescribeStreamCommand({ StreamArn: arn }))).resolves.toBeDefined();
      await clock.advance(2 * HOUR);
      await expect(streams.send(new DescribeStreamCommand({ StreamArn: arn }))).rejects.toMatchObject({
        name: "ResourceNotFoundException",
      });
      const listed = await streams.send(new ListStreamsCommand({ TableName: "closing" }));
      expect(listed.Streams).toEqual([]);
    });

    it("deleting the table disables its stream", async () => {
      const arn = await createTable("dropped");
      await ddb.send(new PutItemCommand({ TableName: "dropped", Item: { pk: S("a") } }));
      await ddb.send(new DeleteTableCommand({ TableName: "dropped" }));
      const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: arn }));
      expect(StreamDescription?.StreamStatus).toBe("DISABLED");
      expect((await allRecords(arn)).map((r) => r.eventName)).toEqual(["INSERT"]);
    });
  });

  describe("WaitForRecords (internal wake-up for the event source mapping poller)", () => {
    it("resolves as soon as a record is appended", async () => {
      const arn = await createTable("wake");
      const latest = await iterator(arn, "LATEST");
      let settled = false;
      const waiting = emulator
        .call<{ RecordsAvailable: boolean }>("dynamodbstreams", "WaitForRecords", {
          ShardIterator: latest,
          TimeoutMs: 60_000,
        })
        .finally(() => (settled = true));
      await new Promise((resolve) => setImmediate(resolve));
      expect(settled).toBe(false);
      await ddb.send(new PutItemCommand({ TableName: "wake", Item: { pk: S("a") } }));
      await expect(waiting).resolves.toEqual({ RecordsAvailable: true });
      // Already available: answers at once.
      await expect(
        emulator.call("dynamodbstreams", "WaitForRecords", { ShardIterator: latest, TimeoutMs: 60_000 }),
      ).resolves.toEqual({ RecordsAvailable: true });
    });

    it("times out on the emulator clock, and ends early when its signal aborts", async () => {
      const arn = await createTable("sleepy");
      const latest = await iterator(arn, "LATEST");
      const timedOut = emulator.call("dynamodbstreams", "WaitForRecords", {
        ShardIterator: latest,
        TimeoutMs: 500,
      });
      await clock.advance(500);
      await expect(timedOut).resolves.toEqual({ RecordsAvailable: false });
      const abort = new AbortController();
      const aborted = emulator.call("dynamodbstreams", "WaitForRecords", {
        ShardIterator: latest,
        TimeoutMs: 60_000,
        Signal: abort.signal,
      });
      abort.abort();
      await expect(aborted).resolves.toEqual({ RecordsAvailable: false });
    });

    it("is not part of the HTTP API", async () => {
      const response = await fetch(emulator.url, {
        method: "POST",
        headers: {
          authorization: testAuthorization(),
          "content-type": "application/x-amz-json-1.0",
          "x-amz-target": "DynamoDBStreams_20120810.WaitForRecords",
        },
        body: "{}",
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { __type: string }).__type).toMatch(/UnknownOperationException$/);
    });
  });
});

describe.skipIf(!awsCliAvailable)("emulator: DynamoDB Streams through the AWS CLI", () => {
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["dynamodb", "dynamodbstreams"] });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it("create-table with a stream, put-item, then get-records sees the INSERT", async () => {
    const cli = <T>(args: string[]) => awsCliJson<T>(emulator.url, args);
    const created = await cli<{ TableDescription: { LatestStreamArn: string } }>([
      "dynamodb",
      "create-table",
      "--table-name",
      "cli-table",
      "--attribute-definitions",
      "AttributeName=pk,AttributeType=S",
      "--key-schema",
      "AttributeName=pk,KeyType=HASH",
      "--billing-mode",
      "PAY_PER_REQUEST",
      "--stream-specification",
      "StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES",
    ]);
    const streamArn = created.TableDescription.LatestStreamArn;
    expect(streamArn).toMatch(/:table\/cli-table\/stream\//);
    await cli([
      "dynamodb",
      "put-item",
      "--table-name",
      "cli-table",
      "--item",
      '{"pk":{"S":"from-cli"},"n":{"N":"7"}}',
    ]);
    const described = await cli<{ StreamDescription: { Shards: { ShardId: string }[] } }>([
      "dynamodbstreams",
      "describe-stream",
      "--stream-arn",
      streamArn,
    ]);
    const { ShardIterator } = await cli<{ ShardIterator: string }>([
      "dynamodbstreams",
      "get-shard-iterator",
      "--stream-arn",
      streamArn,
      "--shard-id",
      described.StreamDescription.Shards[0]!.ShardId,
      "--shard-iterator-type",
      "TRIM_HORIZON",
    ]);
    const { Records } = await cli<{ Records: { eventName: string; dynamodb: { NewImage: unknown } }[] }>([
      "dynamodbstreams",
      "get-records",
      "--shard-iterator",
      ShardIterator,
    ]);
    expect(Records).toHaveLength(1);
    expect(Records[0]).toMatchObject({
      eventName: "INSERT",
      dynamodb: { NewImage: { pk: { S: "from-cli" }, n: { N: "7" } } },
    });
  });
});
