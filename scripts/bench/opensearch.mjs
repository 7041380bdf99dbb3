// The emulator's OpenSearch data plane through the official client: bulk indexing throughput
// (in memory and with --persist), refresh=wait_for latency, search and count latency over the
// indexed documents. Runs against the built code in dist/ (`npm run build` first).
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@opensearch-project/opensearch";

export const name = "opensearch";
export const description = "emulator OpenSearch: bulk throughput, wait_for latency, search/count latency";

const DOCS = 20_000;
const BULK_SIZE = 500;
const SOURCES = ["tmdb", "wikipedia", "news", "social"];
const SENTIMENTS = ["positive", "neutral", "negative"];
const MAPPINGS = {
  properties: {
    name: { type: "text", fields: { keyword: { type: "keyword" } } },
    source: { type: "keyword" },
    weight: { type: "float" },
    sentiment: { type: "keyword" },
    timestamp: { type: "date" },
  },
};

export async function run({ runs, root }) {
  const entry = join(root, "dist", "runtime", "emulator", "index.js");
  if (!existsSync(entry))
    throw new Error("dist/runtime/emulator/index.js is missing: run `npm run build` first");
  const { createEmulator } = await import(entry);
  const memory = await measure(createEmulator, undefined, runs);
  const dir = mkdtempSync(join(tmpdir(), "bench-os-"));
  try {
    const persisted = await measure(createEmulator, dir, runs);
    return {
      figures: [
        { label: "documents indexed", value: DOCS, unit: "docs" },
        { label: `bulk (${BULK_SIZE}/request), in memory`, value: memory.bulkRate, unit: "docs/s" },
        { label: `bulk (${BULK_SIZE}/request), --persist`, value: persisted.bulkRate, unit: "docs/s" },
        { label: "index one doc, refresh=wait_for p50", value: memory.waitFor, unit: "ms" },
        { label: "search bool (match + filter + range), size 10, p50", value: memory.search, unit: "ms" },
        { label: "search sorted by weight, size 100, p50", value: memory.sorted, unit: "ms" },
        { label: "count with term query p50", value: memory.count, unit: "ms" },
        { label: "restart with --persist (load + replay)", value: persisted.restart, unit: "ms" },
      ],
      ratios: [{ label: "--persist / in-memory bulk rate", value: persisted.bulkRate / memory.bulkRate }],
      checks: [
        {
          label: "refresh=wait_for answers within the 1 s refresh interval",
          pass: memory.waitFor <= 1100,
          detail: `${memory.waitFor.toFixed(0)} ms`,
        },
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(createEmulator, persistDir, runs) {
  const emulator = await createEmulator({ services: ["opensearch"], ...(persistDir ? { persistDir } : {}) });
  const client = new Client({ node: `${emulator.url}/opensearch/us-east-1/celebrities`, maxRetries: 0 });
  let restart;
  try {
    await client.indices.create({
      index: "celebrities",
      body: { settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings: MAPPINGS },
    });
    const now = Date.now();
    const started = performance.now();
    for (let offset = 0; offset < DOCS; offset += BULK_SIZE) {
      const body = [];
      for (let n = offset; n < Math.min(DOCS, offset + BULK_SIZE); n++) {
        body.push({
          index: { _id: `CELEB#${String(Math.floor(n / 4)).padStart(5, "0")}|SOURCE#${SOURCES[n % 4]}` },
        });
        body.push({
          name: `Person ${n % 997} Example${n % 13}`,
          source: SOURCES[n % 4],
          weight: (n * 37) % 100,
          sentiment: SENTIMENTS[n % 3],
          timestamp: new Date(now - (n % 1000) * 60_000).toISOString(),
        });
      }
      const { body: result } = await client.bulk({ index: "celebrities", body });
      if (result.errors) throw new Error("bulk reported item errors");
    }
    const bulkRate = DOCS / ((performance.now() - started) / 1000);
    await client.indices.refresh({ index: "celebrities" });

    const timed = async (fn, times = runs) => {
      const samples = [];
      for (let i = 0; i < times; i++) {
        const t = performance.now();
        await fn(i);
        samples.push(performance.now() - t);
      }
      return median(samples);
    };
    const waitFor = await timed(
      (i) =>
        client.index({
          index: "celebrities",
          id: `wait-${i}`,
          body: { name: "Wait For", source: "news" },
          refresh: "wait_for",
        }),
      Math.min(runs, 5),
    );
    const search = await timed(() =>
      client.search({
        index: "celebrities",
        body: {
          query: {
            bool: {
              must: [{ match: { name: "example3" } }],
              filter: [{ term: { source: "news" } }, { range: { weight: { gte: 20 } } }],
            },
          },
          size: 10,
        },
      }),
    );
    const sorted = await timed(() =>
      client.search({
        index: "celebrities",
        body: { query: { term: { sentiment: "positive" } }, sort: [{ weight: "desc" }], size: 100 },
      }),
    );
    const count = await timed(() =>
      client.count({ index: "celebrities", body: { query: { term: { source: "tmdb" } } } }),
    );
    if (persistDir) {
      await client.close();
      await emulator.stop();
      const t = performance.now();
      const again = await createEmulator({ services: ["opensearch"], persistDir });
      restart = performance.now() - t;
      await again.stop();
    }
    return { bulkRate, waitFor, search, sorted, count, restart };
  } finally {
    if (!persistDir) {
      await client.close();
      await emulator.stop();
    }
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
