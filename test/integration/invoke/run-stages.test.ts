import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClients, type AwsClients } from "../../../src/runtime/aws/index.js";
import { resolveConfig, type ResolvedConfig } from "../../../src/runtime/config/index.js";
import { createEmulator, type Emulator } from "../../../src/runtime/emulator/index.js";
import { startFixtureServer, type FixtureServer } from "../../../src/runtime/fixtures/index.js";
import {
  generateEvent,
  readEventInput,
  runPipeline,
  RunInputError,
  type RunRequest,
} from "../../../src/runtime/invoke/index.js";

/**
 * The run engine against an in-process emulator (DynamoDB + Streams, OpenSearch) and the fixture
 * source server, as `pipeline run` uses them on the local target: one emulator for the file, the
 * stages run in order on the same table (scrape, then post-process and index-sync reading what
 * scrape wrote from the table's stream).
 */

let emulator: Emulator;
let fixtures: FixtureServer;
let resolved: ResolvedConfig;
let clients: AwsClients;
let folder: string;

function configFor(env: Record<string, string>): ResolvedConfig {
  return resolveConfig({ cwd: "/nonexistent", env, readText: () => undefined });
}

const run = (request: RunRequest) => runPipeline(request, { resolved, clients });

beforeAll(async () => {
  // ssm: the scrapers read their key parameter (none is set, so they go without a key).
  emulator = await createEmulator({ services: ["dynamodb", "dynamodbstreams", "opensearch", "ssm"] });
  fixtures = await startFixtureServer();
  resolved = configFor({
    AWS_ENDPOINT_URL: emulator.url,
    PIPELINE_FIXTURES_PORT: String(fixtures.port),
  });
  clients = createClients(resolved.config);
  folder = mkdtempSync(join(tmpdir(), "pipeline-run-"));
});

afterAll(async () => {
  clients?.destroy();
  await fixtures?.stop();
  await emulator?.stop();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

const noStdin = { readStdin: () => Promise.reject(new Error("no stdin in this test")) };

describe("pipeline run engine, stage by stage", () => {
  it("scrape --source tmdb --limit 10 creates the table, seeds the demo roster (local) and writes one item per celebrity", async () => {
    const report = await run({ stage: "scrape", sources: ["tmdb"], limit: 10 });
    expect(report.created).toEqual(["table celebrity-database", "roster of 100 demo people"]);
    expect(report.ok).toBe(true);
    const [tmdb] = report.summaries;
    expect(tmdb).toMatchObject({ stage: "scrape", source: "tmdb", read: 10, written: 10, failed: 0 });
    expect(tmdb!.correlationId).toMatch(/.+/);
    expect(tmdb!.logs.some((line) => line.message === "scrape run started")).toBe(true);
    expect(tmdb!.runId).toBe(tmdb!.correlationId);
  });

  it("post-process without --event enriches what scrape wrote, read from the table's stream", async () => {
    const report = await run({ stage: "post-process" });
    const [summary] = report.summaries;
    expect(summary).toMatchObject({ stage: "post-process", read: 10, written: 10, failed: 0 });
    expect(summary!.batchItemFailures).toEqual([]);
    expect(summary!.logs.some((line) => line.message === "post-processing batch done")).toBe(true);
    expect(report.created).toEqual([]);
  });

  it("index-sync without --event creates the index and indexes the stream's records", async () => {
    const report = await run({ stage: "index-sync" });
    const [summary] = report.summaries;
    expect(report.created).toEqual(["index celebrities"]);
    // The INSERTs from scrape and the MODIFYs from post-process: each item indexed once, superseded once.
    expect(summary).toMatchObject({ stage: "index-sync", read: 20, written: 10, unchanged: 10, failed: 0 });
    expect(summary!.correlationId).toMatch(/^[0-9a-f]{32}$/);
  });

  it("post-process with an event from a file (a generated stream batch)", async () => {
    const event = generateEvent("stream", {
      config: resolved.config,
      account: "000000000000",
      count: 3,
      time: new Date("2026-11-01T00:00:00Z"),
    });
    writeFileSync(join(folder, "batch.json"), JSON.stringify(event));
    const fromFile = await readEventInput("batch.json", { ...noStdin, cwd: folder });
    const report = await run({ stage: "post-process", event: fromFile });
    const [summary] = report.summaries;
    expect(summary).toMatchObject({ read: 3, failed: 0 });
    // The items are not in the table with that content: the conditional update skips them.
    expect(summary!.written + summary!.unchanged).toBe(3);
  });

  it("refuses an event that is not a stream batch, naming the fix", async () => {
    const scheduled = generateEvent("scheduled", {
      config: resolved.config,
      account: "000000000000",
      count: 1,
      time: new Date(),
    });
    await expect(run({ stage: "index-sync", event: scheduled })).rejects.toThrow(RunInputError);
    await expect(run({ stage: "index-sync", event: scheduled })).rejects.toThrow(
      /no Records array; index-sync takes a DynamoDB stream batch such as `pipeline events generate stream`/,
    );
    await expect(run({ stage: "scrape", event: { Records: [] } })).rejects.toThrow(
      /not a scraper trigger.*pipeline events generate manual/,
    );
  });

  it("reads an event from standard input, and names the fix for a missing, empty or non-JSON input", async () => {
    const io = (text: string) => ({ readStdin: async () => text, cwd: folder });
    await expect(readEventInput("-", io('{"id":"x"}'))).resolves.toEqual({ id: "x" });
    await expect(readEventInput("missing.json", io(""))).rejects.toThrow(
      /cannot read the event file missing.json \(no such file\); pass a JSON file, or - for standard input/,
    );
    await expect(readEventInput("-", io("  \n"))).rejects.toThrow(/standard input is empty/);
    writeFileSync(join(folder, "bad.json"), "{ not json");
    await expect(readEventInput("bad.json", io(""))).rejects.toThrow(
      /bad.json is not JSON .*events generate/,
    );
  });

  it("a scraper whose source keeps failing fails its invocation, and the report says so", async () => {
    fixtures.setFaults({ rules: [{ kind: "500", source: "wikipedia" }] });
    try {
      const report = await run({ stage: "scrape", sources: ["wikipedia"] });
      expect(report.ok).toBe(false);
      const [summary] = report.summaries;
      expect(summary!.outcome).toBe("failed");
      expect(summary!.error).toMatch(/.+/);
      // Every shard failed on each of its receives: dead-lettered, its people named as not scraped.
      expect(summary!.details.shardsFailed).toBe(summary!.details.shards);
      expect(summary!.details.peopleInFailedShards).toBeGreaterThan(0);
      expect(summary!.error).toMatch(/shards failed on every attempt/);
      expect(summary!.written).toBe(0);
    } finally {
      fixtures.setFaults({});
    }
  }, 60_000);

  it("refuses an unknown stage or source", async () => {
    await expect(run({ stage: "enrich" as never })).rejects.toThrow(/unknown stage "enrich"; use one of/);
    await expect(run({ stage: "scrape", sources: ["imdb" as never] })).rejects.toThrow(
      /unknown source "imdb"/,
    );
  });
});
