import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClients, type AwsClients } from "../../../src/runtime/aws/index.js";
import { resolveConfig, type ResolvedConfig } from "../../../src/runtime/config/index.js";
import { createEmulator, type Emulator } from "../../../src/runtime/emulator/index.js";
import { startFixtureServer, type FixtureServer } from "../../../src/runtime/fixtures/index.js";
import { runPipeline } from "../../../src/runtime/invoke/index.js";

/**
 * `pipeline run --stage all`, the README quick start's main job: the four scrapers on the full demo
 * roster, the stream through the post-processor, then index-sync, on an empty emulator.
 */

let emulator: Emulator;
let fixtures: FixtureServer;
let resolved: ResolvedConfig;
let clients: AwsClients;

beforeAll(async () => {
  // ssm: the scrapers read their key parameter (none is set, so they go without a key).
  emulator = await createEmulator({ services: ["dynamodb", "dynamodbstreams", "opensearch", "ssm"] });
  fixtures = await startFixtureServer();
  resolved = resolveConfig({
    cwd: "/nonexistent",
    env: { AWS_ENDPOINT_URL: emulator.url, PIPELINE_FIXTURES_PORT: String(fixtures.port) },
    readText: () => undefined,
  });
  clients = createClients(resolved.config);
});

afterAll(async () => {
  clients?.destroy();
  await fixtures?.stop();
  await emulator?.stop();
});

describe("pipeline run --stage all", () => {
  it("scrapes 400 items, enriches all of them and indexes 400 documents", async () => {
    const notes: string[] = [];
    const report = await runPipeline(
      { stage: "all" },
      { resolved, clients, onNote: (text) => notes.push(text) },
    );

    expect(report.ok).toBe(true);
    expect(report.created).toEqual([
      "table celebrity-database",
      "roster of 100 demo people",
      "index celebrities",
    ]);
    expect(report.totals).toEqual({ items: 400, enriched: 400, indexDocuments: 400 });
    const stages = report.summaries.map((s) => `${s.stage}${s.source ? `:${s.source}` : ""}`);
    expect(stages).toEqual([
      "scrape:tmdb",
      "scrape:wikipedia",
      "scrape:news",
      "scrape:social",
      "post-process",
      "index-sync",
    ]);
    for (const scrape of report.summaries.slice(0, 4)) {
      expect(scrape).toMatchObject({ read: 100, written: 100, failed: 0, outcome: "succeeded" });
    }
    // One trigger: the four scrapers share its event id as run id and correlation id.
    expect(new Set(report.summaries.slice(0, 4).map((s) => s.correlationId)).size).toBe(1);
    const [postProcess, indexSync] = report.summaries.slice(4);
    expect(postProcess).toMatchObject({ read: 400, written: 400, failed: 0, invocations: 4 });
    // Batches in stream order: the scrapers' INSERTs, then the post-processor's MODIFYs (each upserted).
    expect(indexSync).toMatchObject({ read: 800, written: 800, failed: 0, batchItemFailures: [] });
    expect(notes.some((note) => note.includes("created table"))).toBe(true);
  }, 120_000);

  it("a second run with unchanged source data writes nothing", async () => {
    const report = await runPipeline({ stage: "all" }, { resolved, clients });
    expect(report.ok).toBe(true);
    expect(report.created).toEqual([]);
    for (const scrape of report.summaries.slice(0, 4))
      expect(scrape).toMatchObject({ written: 0, unchanged: 100 });
    expect(report.summaries[4]).toMatchObject({ read: 0, invocations: 0 });
    expect(report.totals).toEqual({ items: 400, enriched: 400, indexDocuments: 400 });
  }, 120_000);
});
