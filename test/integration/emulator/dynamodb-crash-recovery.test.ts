import {
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  CreateTableCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
} from "@aws-sdk/client-dynamodb-streams";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../../src/runtime/emulator/index.js";
import {
  DynaliteEngine,
  type Item,
} from "../../../src/runtime/emulator/services/dynamodb/dynalite-engine.js";
import { clientConfig, createStreamTable } from "../../helpers/crash-clients.js";

/**
 * An item lives in dynalite's LevelDB and its stream record in the journal, so kill -9 can fall
 * between the two. These tests put the state folder into the exact state each cut point leaves
 * (the storage engine written, the journal not; the intent journaled, the storage engine not; a
 * transaction half applied) and check what the next start makes of it: every item in the table has
 * its stream record or the write is absent, a transaction is all or nothing, and the recovery says
 * what it repaired. (test/integration/emulator/crash-kill.test.ts kills real processes mid-load.)
 */

const S = (value: string): AttributeValue => ({ S: value });
/** The same value as the storage engine's type (the journal holds engine items). */
const E = (value: string) => ({ S: value });
const SERVICES = ["dynamodb", "dynamodbstreams"] as const;
/** The default account and region's DynamoDB state, inside the state folder. */
const DEFAULT_REGION_FOLDER = ["dynamodb", "000000000000", "us-east-1"];

async function allRecords(streams: DynamoDBStreamsClient, arn: string): Promise<_Record[]> {
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: arn }));
  let iterator = (
    await streams.send(
      new GetShardIteratorCommand({
        StreamArn: arn,
        ShardId: StreamDescription!.Shards![0]!.ShardId!,
        ShardIteratorType: "TRIM_HORIZON",
      }),
    )
  ).ShardIterator;
  const records: _Record[] = [];
  for (;;) {
    const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
    records.push(...(page.Records ?? []));
    if (!page.Records?.length) return records;
    iterator = page.NextShardIterator;
  }
}

/** What a journal line of the write path looks like (change-feed.ts FeedEntry "intent"). */
function intentLine(
  id: string,
  kind: "write" | "transaction",
  items: { table: string; key: string; arn?: string; old?: Item }[],
): string {
  return JSON.stringify({ t: "intent", id, kind, items }) + "\n";
}

describe("emulator: DynamoDB item and stream record are one write across a crash", () => {
  const dirs: string[] = [];
  const running: Emulator[] = [];
  afterAll(async () => {
    for (const emulator of running) await emulator.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const start = async (persistDir: string) => {
    const emulator = await createEmulator({ services: [...SERVICES], persistDir });
    running.push(emulator);
    return emulator;
  };
  const stop = async (emulator: Emulator) => {
    running.splice(running.indexOf(emulator), 1);
    await emulator.stop();
  };

  it("recovery writes the records of items the crash left without one, leaves unwritten writes absent and rolls back a half-applied transaction", async () => {
    const persistDir = mkdtempSync(join(tmpdir(), "pipeline-ddb-cut-"));
    dirs.push(persistDir);

    // A table with a stream, one without, and one item written and recorded normally.
    const first = await start(persistDir);
    let ddb = new DynamoDBClient(clientConfig(first.url));
    const arn = await createStreamTable(ddb, "streamed");
    await ddb.send(
      new CreateTableCommand({
        TableName: "plain",
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    await ddb.send(new PutItemCommand({ TableName: "streamed", Item: { pk: S("a"), v: S("1") } }));
    ddb.destroy();
    await stop(first);

    // The cut points, written straight into the state folder while no emulator runs.
    const engine = new DynaliteEngine({
      path: join(persistDir, ...DEFAULT_REGION_FOLDER, "leveldb"),
      accountId: "000000000000",
      region: "us-east-1",
    });
    const streamed = (await engine.table("streamed"))!;
    const plain = (await engine.table("plain"))!;
    const key = (table: typeof streamed, pk: string) => engine.keyOf(table, { pk: E(pk) }, true)!;
    const journal = join(persistDir, ...DEFAULT_REGION_FOLDER, "journal.jsonl");
    // 1. UpdateItem on "a" and PutItem of "b": intents journaled, the storage engine written, killed
    //    before the commit (the records).
    appendFileSync(
      journal,
      intentLine("i-a", "write", [
        { table: "streamed", key: key(streamed, "a"), arn, old: { pk: E("a"), v: E("1") } },
      ]),
    );
    appendFileSync(
      journal,
      intentLine("i-b", "write", [{ table: "streamed", key: key(streamed, "b"), arn }]),
    );
    await engine.run("PutItem", { TableName: "streamed", Item: { pk: S("a"), v: S("2") } });
    await engine.run("PutItem", { TableName: "streamed", Item: { pk: S("b"), v: S("1") } });
    // 2. PutItem of "c": intent journaled, killed before the storage engine wrote.
    appendFileSync(
      journal,
      intentLine("i-c", "write", [{ table: "streamed", key: key(streamed, "c"), arn }]),
    );
    // 3. A transaction putting "d" (streamed) and "e" (plain): killed after the first of its writes.
    appendFileSync(
      journal,
      intentLine("i-t", "transaction", [
        { table: "streamed", key: key(streamed, "d"), arn },
        { table: "plain", key: key(plain, "e") },
      ]),
    );
    await engine.run("PutItem", { TableName: "streamed", Item: { pk: S("d"), v: S("1") } });
    // 4. The torn line of a fifth intent the kill cut in the middle of its append.
    appendFileSync(journal, '{"t":"intent","id":"i-f","kind":"wri');
    await engine.close();

    const second = await start(persistDir);
    ddb = new DynamoDBClient(clientConfig(second.url));
    let streams = new DynamoDBStreamsClient(clientConfig(second.url));
    const get = async (table: string, pk: string) =>
      (await ddb.send(new GetItemCommand({ TableName: table, Key: { pk: S(pk) } }))).Item;
    expect(await get("streamed", "a")).toEqual({ pk: S("a"), v: S("2") });
    expect(await get("streamed", "b")).toEqual({ pk: S("b"), v: S("1") });
    expect(await get("streamed", "c")).toBeUndefined();
    expect(await get("streamed", "d")).toBeUndefined();
    expect(await get("plain", "e")).toBeUndefined();

    const records = await allRecords(streams, arn);
    expect(records.map((r) => [r.eventName, r.dynamodb?.Keys?.["pk"]?.S])).toEqual([
      ["INSERT", "a"],
      ["MODIFY", "a"],
      ["INSERT", "b"],
    ]);
    expect(records[1]?.dynamodb).toMatchObject({
      OldImage: { pk: S("a"), v: S("1") },
      NewImage: { pk: S("a"), v: S("2") },
    });
    const notes = second.recovery().map((note) => note.message);
    expect(notes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^dynamodb\/000000000000\/us-east-1: cut a torn last journal line/),
        expect.stringMatching(/^dynamodb: rolled back a transaction of 2 item\(s\) .*1 item\(s\) put back/),
        expect.stringMatching(/^dynamodb: wrote 2 stream record\(s\) for items the crash left in the table/),
        expect.stringMatching(/^dynamodb: 1 write\(s\) the crash cut before the table changed are absent/),
      ]),
    );
    expect(second.health().recovery).toEqual(notes);

    // Rewriting the recovered item changes nothing, so no record (as on AWS); a new write records.
    await ddb.send(new PutItemCommand({ TableName: "streamed", Item: { pk: S("b"), v: S("1") } }));
    await ddb.send(new PutItemCommand({ TableName: "streamed", Item: { pk: S("c"), v: S("1") } }));
    ddb.destroy();
    streams.destroy();
    await stop(second);

    // Recovery is done once: the next start repairs nothing and duplicates nothing.
    const third = await start(persistDir);
    streams = new DynamoDBStreamsClient(clientConfig(third.url));
    expect(third.recovery()).toEqual([]);
    expect((await allRecords(streams, arn)).map((r) => r.dynamodb?.Keys?.["pk"]?.S)).toEqual([
      "a",
      "a",
      "b",
      "c",
    ]);
    streams.destroy();
    await stop(third);
  });

  it("a table created with a stream just before the crash gets its stream; a table deleted just before it has its stream closed", async () => {
    const persistDir = mkdtempSync(join(tmpdir(), "pipeline-ddb-cut-"));
    dirs.push(persistDir);
    const first = await start(persistDir);
    const ddb = new DynamoDBClient(clientConfig(first.url));
    const doomedArn = await createStreamTable(ddb, "doomed");
    ddb.destroy();
    await stop(first);

    const engine = new DynaliteEngine({
      path: join(persistDir, ...DEFAULT_REGION_FOLDER, "leveldb"),
      accountId: "000000000000",
      region: "us-east-1",
    });
    const journal = join(persistDir, ...DEFAULT_REGION_FOLDER, "journal.jsonl");
    // CreateTable with a stream: intent journaled, the table created, killed before the stream.
    appendFileSync(
      journal,
      JSON.stringify({
        t: "intent",
        id: "i-new",
        kind: "stream",
        items: [],
        stream: { table: "fresh", viewType: "NEW_IMAGE" },
      }) + "\n",
    );
    await engine.run("CreateTable", {
      TableName: "fresh",
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
    });
    await engine.settle("fresh", (t) => t?.TableStatus === "ACTIVE");
    // DeleteTable: the table gone, killed before its stream was closed.
    await engine.run("DeleteTable", { TableName: "doomed" });
    await engine.settle("doomed", (t) => t === undefined);
    await engine.close();

    const second = await start(persistDir);
    const client = new DynamoDBClient(clientConfig(second.url));
    const streams = new DynamoDBStreamsClient(clientConfig(second.url));
    const { Table } = await client.send(new DescribeTableCommand({ TableName: "fresh" }));
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: "NEW_IMAGE" });
    await client.send(new PutItemCommand({ TableName: "fresh", Item: { pk: S("x") } }));
    expect((await allRecords(streams, Table!.LatestStreamArn!)).map((r) => r.eventName)).toEqual(["INSERT"]);
    const doomed = await streams.send(new DescribeStreamCommand({ StreamArn: doomedArn }));
    expect(doomed.StreamDescription?.StreamStatus).toBe("DISABLED");
    expect(second.recovery().map((note) => note.message)).toEqual([
      "dynamodb: enabled the stream of table fresh, created just before the crash",
      "dynamodb: closed the stream of table doomed, deleted just before the crash",
    ]);
    client.destroy();
    streams.destroy();
    await stop(second);
  });
});
