// Benchmark: PutItem writes per second through the emulator (dynalite in-process behind the
// gateway, with and without a stream on the table) against dynalite's own HTTP server, same
// machine, same run, same SDK client and concurrency. Goal: emulator ≥ 0.7x dynalite.
// Runs against the built code in dist/ (npx tsc -p tsconfig.build.json first).
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEmulator } from "../../dist/runtime/emulator/index.js";

const require = createRequire(import.meta.url);
const dynalite = require("dynalite");

const CONCURRENCY = 16;
const WRITES = 2_000;
const WARM_UP = 300;
const credentials = { accessKeyId: "test", secretAccessKey: "test" };

export const name = "dynamodb";
export const description = "PutItem throughput: emulator vs dynalite alone (goal ≥ 0.7x)";

function clientFor(endpoint) {
  return new DynamoDBClient({ endpoint, region: "us-east-1", credentials, maxAttempts: 1 });
}

async function createTable(client, tableName, stream) {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
      ...(stream
        ? { StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" } }
        : {}),
    }),
  );
  // dynalite alone answers CREATING and flips to ACTIVE on a timer; give it the turn.
  await new Promise((resolve) => setTimeout(resolve, 50));
}

/** Writes `count` items with `CONCURRENCY` requests in flight; returns writes per second. */
async function putMany(client, tableName, count, round) {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            pk: { S: `item-${round}-${i % 500}` },
            name: { S: `Celebrity ${i}` },
            weight: { N: String(i % 97) },
            sources: { SS: ["tmdb", "wikipedia"] },
          },
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return count / ((performance.now() - started) / 1000);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function run({ runs = 3 } = {}) {
  const rounds = Math.max(1, Math.min(runs, 5));
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const emulator = await createEmulator({ services: ["dynamodb", "dynamodbstreams"] });
  // With a state folder every write journals its intent and its commit (crash safety).
  const persistDir = mkdtempSync(join(tmpdir(), "bench-ddb-"));
  const persisted = await createEmulator({ services: ["dynamodb", "dynamodbstreams"], persistDir });
  const targets = {
    dynalite: {
      client: clientFor(`http://127.0.0.1:${server.address().port}`),
      table: "bench",
      stream: false,
    },
    emulator: { client: clientFor(emulator.url), table: "bench", stream: false },
    "emulator, table with stream": { client: clientFor(emulator.url), table: "bench-stream", stream: true },
    "emulator --persist, table with stream": {
      client: clientFor(persisted.url),
      table: "bench-stream",
      stream: true,
    },
  };
  const rates = Object.fromEntries(Object.keys(targets).map((label) => [label, []]));
  try {
    for (const target of Object.values(targets)) {
      await createTable(target.client, target.table, target.stream);
      await putMany(target.client, target.table, WARM_UP, "warm");
    }
    // Interleaved rounds, so a noisy moment on a shared machine hits every target alike.
    for (let round = 0; round < rounds; round++) {
      for (const [label, target] of Object.entries(targets)) {
        rates[label].push(await putMany(target.client, target.table, WRITES, round));
      }
    }
  } finally {
    for (const target of Object.values(targets)) target.client.destroy();
    await emulator.stop();
    await persisted.stop();
    rmSync(persistDir, { recursive: true, force: true });
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  const base = median(rates.dynalite);
  const plain = median(rates.emulator);
  const streamed = median(rates["emulator, table with stream"]);
  const durable = median(rates["emulator --persist, table with stream"]);
  return {
    figures: [
      { label: "dynalite alone", value: base, unit: "PutItem/s" },
      { label: "emulator", value: plain, unit: "PutItem/s" },
      { label: "emulator, table with stream", value: streamed, unit: "PutItem/s" },
      { label: "emulator --persist, table with stream", value: durable, unit: "PutItem/s" },
      { label: "concurrency", value: CONCURRENCY, unit: "requests in flight" },
      { label: "writes per round", value: WRITES, unit: `× ${rounds} rounds (median)` },
    ],
    ratios: [
      { label: "emulator / dynalite", value: plain / base },
      { label: "emulator with stream / dynalite", value: streamed / base },
      { label: "emulator --persist with stream / dynalite", value: durable / base },
    ],
    checks: [
      {
        label: "emulator ≥ 0.7x dynalite",
        pass: plain / base >= 0.7,
        detail: `${(plain / base).toFixed(2)}x`,
      },
    ],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await run(), null, 2));
}
