// Benchmark: how soon a write is visible to a stream reader. From just before PutItem is sent
// until the record is in the reader's hands, for (a) an SDK client polling GetRecords over HTTP
// back to back and (b) an in-process reader woken by the internal WaitForRecords operation (what
// the Lambda event source mapping poller can use). Runs against the built code in dist/.
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from "@aws-sdk/client-dynamodb-streams";
import { createEmulator } from "../../dist/runtime/emulator/index.js";

const WRITES = 200;
const GAP_MS = 10;
const TIMEOUT_MS = 30_000;
const credentials = { accessKeyId: "test", secretAccessKey: "test" };

export const name = "streams";
export const description = "DynamoDB write → stream record visible to GetRecords, latency p50/p95";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function latestIterator(streams, streamArn) {
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const { ShardIterator } = await streams.send(
    new GetShardIteratorCommand({
      StreamArn: streamArn,
      ShardId: StreamDescription.Shards[0].ShardId,
      ShardIteratorType: "LATEST",
    }),
  );
  return ShardIterator;
}

/** Writes new items one by one, `GAP_MS` apart; `sentAt` maps each key to its send time. */
async function writeAll(ddb, table, prefix, sentAt) {
  for (let i = 0; i < WRITES; i++) {
    const key = `${prefix}-${i}`;
    sentAt.set(key, performance.now());
    await ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: key }, n: { N: String(i) } } }));
    await sleep(GAP_MS);
  }
}

function summarise(latencies) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted[sorted.length - 1] };
}

export async function run() {
  const emulator = await createEmulator({ services: ["dynamodb", "dynamodbstreams"] });
  const config = { endpoint: emulator.url, region: "us-east-1", credentials };
  const ddb = new DynamoDBClient(config);
  const streams = new DynamoDBStreamsClient(config);
  try {
    const created = await ddb.send(
      new CreateTableCommand({
        TableName: "bench-streams",
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
        StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
      }),
    );
    const streamArn = created.TableDescription.LatestStreamArn;

    // (a) HTTP: an SDK client calling GetRecords back to back.
    const httpSeen = [];
    const httpSent = new Map();
    let httpIterator = await latestIterator(streams, streamArn);
    let writing = true;
    const httpReader = (async () => {
      const deadline = Date.now() + TIMEOUT_MS;
      while (httpSeen.length < WRITES && Date.now() < deadline) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: httpIterator }));
        const now = performance.now();
        for (const record of page.Records ?? []) httpSeen.push(now - httpSent.get(record.dynamodb.Keys.pk.S));
        httpIterator = page.NextShardIterator;
        if (!writing && (page.Records ?? []).length === 0) break;
      }
    })();
    await writeAll(ddb, "bench-streams", "http", httpSent);
    writing = false;
    await httpReader;

    // (b) In-process: WaitForRecords wakes the reader when a record is appended.
    const wakeSeen = [];
    const wakeSent = new Map();
    let wakeIterator = await latestIterator(streams, streamArn);
    const abort = new AbortController();
    const wakeReader = (async () => {
      while (wakeSeen.length < WRITES && !abort.signal.aborted) {
        await emulator.call("dynamodbstreams", "WaitForRecords", {
          ShardIterator: wakeIterator,
          TimeoutMs: 1_000,
          Signal: abort.signal,
        });
        const page = await emulator.call("dynamodbstreams", "GetRecords", { ShardIterator: wakeIterator });
        const now = performance.now();
        for (const record of page.Records) wakeSeen.push(now - wakeSent.get(record.dynamodb.Keys.pk.S));
        wakeIterator = page.NextShardIterator;
      }
    })();
    await writeAll(ddb, "bench-streams", "wake", wakeSent);
    const giveUp = setTimeout(() => abort.abort(), TIMEOUT_MS);
    await wakeReader;
    clearTimeout(giveUp);

    const http = summarise(httpSeen);
    const wake = summarise(wakeSeen);
    return {
      figures: [
        { label: "HTTP GetRecords polling: p50", value: http.p50, unit: "ms" },
        { label: "HTTP GetRecords polling: p95", value: http.p95, unit: "ms" },
        { label: "HTTP GetRecords polling: max", value: http.max, unit: "ms" },
        { label: "in-process WaitForRecords: p50", value: wake.p50, unit: "ms" },
        { label: "in-process WaitForRecords: p95", value: wake.p95, unit: "ms" },
        { label: "in-process WaitForRecords: max", value: wake.max, unit: "ms" },
        { label: "writes per reader", value: WRITES, unit: `(${GAP_MS} ms apart)` },
      ],
      checks: [
        {
          label: "every write seen over HTTP",
          pass: httpSeen.length === WRITES,
          detail: `${httpSeen.length}`,
        },
        {
          label: "every write seen in-process",
          pass: wakeSeen.length === WRITES,
          detail: `${wakeSeen.length}`,
        },
      ],
    };
  } finally {
    ddb.destroy();
    streams.destroy();
    await emulator.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await run(), null, 2));
}
