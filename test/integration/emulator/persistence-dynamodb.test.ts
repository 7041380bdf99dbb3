import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
  type ShardIteratorType,
} from "@aws-sdk/client-dynamodb-streams";
import { afterAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../../src/runtime/emulator/index.js";
import { startEmulatorProcess } from "../../helpers/emulator-process.js";

/**
 * With persistDir, tables and items (dynalite's LevelDB) and stream records (the journal) survive
 * a clean restart and a `kill -9` after an acknowledged write.
 */

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const SERVICES = ["dynamodb", "dynamodbstreams"] as const;
const S = (value: string): AttributeValue => ({ S: value });

function clients(url: string) {
  const config = { endpoint: url, region: "us-east-1", credentials };
  return { ddb: new DynamoDBClient(config), streams: new DynamoDBStreamsClient(config) };
}

async function createStreamTable(ddb: DynamoDBClient, name: string): Promise<string> {
  const created = await ddb.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
      StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
    }),
  );
  return created.TableDescription!.LatestStreamArn!;
}

async function read(
  streams: DynamoDBStreamsClient,
  arn: string,
  type: ShardIteratorType,
  sequenceNumber?: string,
): Promise<{ records: _Record[]; next?: string }> {
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: arn }));
  const { ShardIterator } = await streams.send(
    new GetShardIteratorCommand({
      StreamArn: arn,
      ShardId: StreamDescription!.Shards![0]!.ShardId!,
      ShardIteratorType: type,
      SequenceNumber: sequenceNumber,
    }),
  );
  const page = await streams.send(new GetRecordsCommand({ ShardIterator }));
  return { records: page.Records ?? [], next: page.NextShardIterator };
}

describe("emulator: DynamoDB persistence", () => {
  const dirs: string[] = [];
  const running: Emulator[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "pipeline-ddb-persist-"));
    dirs.push(dir);
    return dir;
  };
  const start = async (persistDir: string) => {
    const emulator = await createEmulator({ services: [...SERVICES], persistDir });
    running.push(emulator);
    return emulator;
  };
  const stop = async (emulator: Emulator) => {
    running.splice(running.indexOf(emulator), 1);
    await emulator.stop();
  };

  afterAll(async () => {
    for (const emulator of running) await emulator.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("tables, items and stream records survive restarts; reading continues after a sequence number", async () => {
    const dir = tempDir();
    const first = await start(dir);
    let { ddb, streams } = clients(first.url);
    const arn = await createStreamTable(ddb, "persisted");
    for (const pk of ["a", "b", "c"]) {
      await ddb.send(new PutItemCommand({ TableName: "persisted", Item: { pk: S(pk), v: S(`${pk}-1`) } }));
    }
    await ddb.send(
      new UpdateItemCommand({
        TableName: "persisted",
        Key: { pk: S("a") },
        UpdateExpression: "SET v = :v",
        ExpressionAttributeValues: { ":v": S("a-2") },
      }),
    );
    const before = await read(streams, arn, "TRIM_HORIZON");
    expect(before.records.map((r) => r.eventName)).toEqual(["INSERT", "INSERT", "INSERT", "MODIFY"]);
    const sequences = before.records.map((r) => r.dynamodb!.SequenceNumber!);
    ddb.destroy();
    streams.destroy();
    await stop(first);

    const second = await start(dir);
    ({ ddb, streams } = clients(second.url));
    expect((await ddb.send(new ListTablesCommand({}))).TableNames).toEqual(["persisted"]);
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: "persisted" }));
    expect(Table?.LatestStreamArn).toBe(arn);
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" });
    const item = await ddb.send(new GetItemCommand({ TableName: "persisted", Key: { pk: S("a") } }));
    expect(item.Item).toEqual({ pk: S("a"), v: S("a-2") });

    const after = await read(streams, arn, "AFTER_SEQUENCE_NUMBER", sequences[1]);
    expect(after.records.map((r) => r.dynamodb?.SequenceNumber)).toEqual(sequences.slice(2));
    expect(after.records[1]?.dynamodb?.OldImage).toEqual({ pk: S("a"), v: S("a-1") });
    // An iterator handed out before the restart keeps working.
    await ddb.send(new PutItemCommand({ TableName: "persisted", Item: { pk: S("d") } }));
    const continued = await streams.send(new GetRecordsCommand({ ShardIterator: before.next }));
    expect(continued.Records?.map((r) => r.dynamodb?.Keys?.["pk"]?.S)).toEqual(["d"]);
    const newest = BigInt(continued.Records![0]!.dynamodb!.SequenceNumber!);
    expect(sequences.every((s) => BigInt(s) < newest)).toBe(true);
    ddb.destroy();
    streams.destroy();
    await stop(second);

    // The second stop folded the journal into a snapshot: a third start reads it back.
    const third = await start(dir);
    ({ ddb, streams } = clients(third.url));
    const all = await read(streams, arn, "TRIM_HORIZON");
    expect(all.records.map((r) => r.dynamodb?.Keys?.["pk"]?.S)).toEqual(["a", "b", "c", "a", "d"]);
    ddb.destroy();
    streams.destroy();
    await stop(third);
  });

  it("an acknowledged write and its stream record survive kill -9", async () => {
    const dir = tempDir();
    const child = await startEmulatorProcess({ persistDir: dir, services: [...SERVICES] });
    let arn: string;
    {
      const { ddb, streams } = clients(child.url);
      try {
        arn = await createStreamTable(ddb, "crashy");
        await ddb.send(new PutItemCommand({ TableName: "crashy", Item: { pk: S("acked"), n: { N: "1" } } }));
      } finally {
        ddb.destroy();
        streams.destroy();
        await child.kill9();
      }
    }
    expect(child.child.signalCode).toBe("SIGKILL");

    const restarted = await start(dir);
    const { ddb, streams } = clients(restarted.url);
    const item = await ddb.send(new GetItemCommand({ TableName: "crashy", Key: { pk: S("acked") } }));
    expect(item.Item).toEqual({ pk: S("acked"), n: { N: "1" } });
    const { records } = await read(streams, arn, "TRIM_HORIZON");
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      eventName: "INSERT",
      dynamodb: { Keys: { pk: S("acked") }, NewImage: { pk: S("acked"), n: { N: "1" } } },
    });
    ddb.destroy();
    streams.destroy();
    await stop(restarted);
  });
});
