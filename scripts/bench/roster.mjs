// Benchmark: `roster import` of a 10,000-row CSV into the emulator's DynamoDB (the table as the
// stack declares it, with its stream): rows per second for the plan (read, check, compare) and for
// the whole import (plan + BatchWriteItem), and a second import of the same file (nothing to write).
// Runs against the built code in dist/ (npx tsc -p tsconfig.build.json first).
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { once } from "node:events";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { generateRoster } from "../../dist/pipeline/model/index.js";
import { defineStack } from "../../dist/pipeline/stack/index.js";
import { createEmulator } from "../../dist/runtime/emulator/index.js";
import {
  importRoster,
  mapHeader,
  prepareImport,
  readRows,
  writeRoster,
} from "../../dist/runtime/roster/index.js";

const ROWS = 10_000;

export const name = "roster";
export const description = `roster import of a ${ROWS.toLocaleString("en")}-row CSV into the emulator`;

const params = {
  suffix: "",
  account: "000000000000",
  region: "us-east-1",
  sources: Object.fromEntries(
    ["tmdb", "wikipedia", "news", "social"].map((s) => [
      s,
      { baseUrl: "http://127.0.0.1:1", rateLimitPerSecond: 1 },
    ]),
  ),
  opensearch: { endpoint: "http://127.0.0.1:1/opensearch/us-east-1/celebrities", index: "celebrities" },
  logRetentionDays: 14,
};

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), "bench-roster-"));
  const emulator = await createEmulator({ port: 0, services: ["dynamodb", "dynamodbstreams"] });
  const client = new DynamoDBClient({
    endpoint: emulator.url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  try {
    const file = join(dir, "people.csv");
    const out = createWriteStream(file);
    for await (const chunk of writeRoster(generateRoster(ROWS, { sourceIds: true }), "csv")) {
      if (!out.write(chunk)) await once(out, "drain");
    }
    out.end();
    await once(out, "finish");
    const source = {
      open: async () => (await readRows(createReadStream(file), "csv", "people.csv", mapHeader)).rows,
    };
    const { table } = defineStack({ ...params, suffix: "-bench" });
    await client.send(new CreateTableCommand(table.definition));

    let started = performance.now();
    const planned = await prepareImport(client, table.name, source);
    const planMs = performance.now() - started;
    started = performance.now();
    const result = await planned.apply();
    const writeMs = performance.now() - started;
    started = performance.now();
    const again = await importRoster(client, table.name, source);
    const againMs = performance.now() - started;
    if (result.written !== ROWS || again.written !== 0)
      throw new Error(`wrote ${result.written}, then ${again.written}`);
    const load = loadavg()[0];
    return {
      figures: [
        { label: "plan (read, check, compare)", value: ROWS / (planMs / 1000), unit: "rows/s" },
        { label: "writes (BatchWriteItem)", value: ROWS / (writeMs / 1000), unit: "rows/s" },
        { label: "whole import", value: ROWS / ((planMs + writeMs) / 1000), unit: "rows/s" },
        { label: "second import (no change)", value: ROWS / (againMs / 1000), unit: "rows/s" },
        { label: "load average (1 min) during the run", value: load, unit: "" },
      ],
    };
  } finally {
    client.destroy();
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
