// One weekly cycle of 10,000 people on the embedded target, as an operator would run it: the
// built CLI's emulator in its own process, `pipeline deploy`, `roster generate --count 10000 |
// roster import -`, then `pipeline schedule trigger` (the manual rule invokes the four scrapers,
// which plan the run into shards on their work queues; workers scrape them; post-processor and
// index-sync follow the table's stream). Measured in this one run:
// - wall time from the trigger to the last enriched document in the index (all 40,000 items
//   scraped, post-processed and indexed), polled once a second;
// - items/s per stage, from the items themselves (scrape time `timestamp`, enrichment time
//   `processedAt`) and from the index polls;
// - peak memory of the emulator process and every process under it (its Lambda runtimes), sampled
//   every 500 ms from /proc: PSS summed (shared pages divided among their sharers; the target is
//   checked on it) and RSS summed (an upper bound), and CPU per kind of process, which says what
//   limits the run (the emulator's one JavaScript thread, all cores, or waiting).
// Targets: under 3 minutes and under 1.5 GB on 2 cores. Measures the work-queue path only: without
// worker mappings on the work queues it says so and measures nothing.
// BENCH_SCALE_PEOPLE (default 10000) and BENCH_SCALE_TIMEOUT_S (default 900) change the size and
// how long to wait.
import { cpus, loadavg } from "node:os";
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import {
  indexCounts,
  missingWorkers,
  needsWorkQueues,
  sdkOptions,
  startStack,
  waitFor,
  watchProcesses,
  workerMappings,
} from "./lib/stack.mjs";

const PEOPLE = Number(process.env.BENCH_SCALE_PEOPLE ?? 10_000);
const TIMEOUT_S = Number(process.env.BENCH_SCALE_TIMEOUT_S ?? 900);
const SOURCES = 4;
const TARGET_MS = 180_000;
const TARGET_BYTES = 1.5 * 1024 ** 3;

export const name = "scale-10k";
export const description = `roster of ${PEOPLE.toLocaleString("en")}, one full cycle on the embedded target (trigger to last document indexed)`;

/** Scrape and enrichment times of every celebrity item (a parallel Scan of the two attributes). */
async function itemTimes(url, table) {
  const client = new DynamoDBClient(sdkOptions(url));
  const scraped = [];
  const processed = [];
  try {
    await Promise.all(
      Array.from({ length: 4 }, async (_, segment) => {
        let ExclusiveStartKey;
        do {
          const page = await client.send(
            new ScanCommand({
              TableName: table,
              Segment: segment,
              TotalSegments: 4,
              ProjectionExpression: "#ts, processedAt",
              FilterExpression: "begins_with(pk, :celeb)",
              ExpressionAttributeNames: { "#ts": "timestamp" },
              ExpressionAttributeValues: { ":celeb": { S: "CELEB#" } },
              ExclusiveStartKey,
            }),
          );
          for (const item of page.Items ?? []) {
            if (item.timestamp?.S) scraped.push(Date.parse(item.timestamp.S));
            if (item.processedAt?.S) processed.push(Date.parse(item.processedAt.S));
          }
          ExclusiveStartKey = page.LastEvaluatedKey;
        } while (ExclusiveStartKey);
      }),
    );
  } finally {
    client.destroy();
  }
  const span = (times) => ({ count: times.length, first: Math.min(...times), last: Math.max(...times) });
  return { scraped: span(scraped), processed: span(processed) };
}

/**
 * What bounds the wall time, from CPU per kind of process over it. On a machine others share (load
 * above the cores), the run gets only part of the CPU: then that is said too.
 */
function limitOf(wallMs, cpuByKind) {
  const cores = cpus().length;
  const total = [...cpuByKind.values()].reduce((sum, ms) => sum + ms, 0);
  const emulator = cpuByKind.get("emulator") ?? 0;
  const share = total / (cores * wallMs);
  const load = loadavg()[0];
  const shared = load > cores ? `; the machine is shared (load ${load.toFixed(1)} on ${cores} cores)` : "";
  const [top] = [...cpuByKind].sort((a, b) => b[1] - a[1]);
  if (emulator / wallMs > 0.85)
    return `the emulator's one JavaScript thread (busy ${Math.round((emulator / wallMs) * 100)}% of the run)${shared}`;
  if (share > 0.85)
    return `CPU: ${Math.round(share * 100)}% of ${cores} cores, most in ${top?.[0] ?? "-"}${shared}`;
  return `not CPU alone (the run used ${Math.round(share * 100)}% of ${cores} cores, most in ${top?.[0] ?? "-"}): waits for rate limits, batching windows, polling or other processes${shared}`;
}

export async function run({ root }) {
  const stack = await startStack(root);
  try {
    await stack.cli(["deploy"]);
    const missing = missingWorkers(await workerMappings(stack.url));
    if (missing) return needsWorkQueues(missing);

    const generated = await stack.cli(["roster", "generate", "--count", String(PEOPLE)]);
    const importStart = performance.now();
    await stack.cli(["roster", "import", "-"], { input: generated.stdout });
    const importMs = performance.now() - importStart;
    const expected = PEOPLE * SOURCES;

    const watch = watchProcesses(stack.emulatorPid);
    const triggeredAt = Date.now();
    await stack.cli(["schedule", "trigger"]);
    let firstIndexedAt;
    let allIndexedAt;
    let last = { all: 0, enriched: 0 };
    let doneAt;
    try {
      doneAt = await waitFor(
        async () => {
          last = await indexCounts(stack.url);
          const at = Date.now();
          if (firstIndexedAt === undefined && last.all > 0) firstIndexedAt = at;
          if (allIndexedAt === undefined && last.all >= expected) allIndexedAt = at;
          return last.enriched >= expected ? at : undefined;
        },
        `${expected} enriched documents in the index`,
        TIMEOUT_S * 1000,
      );
    } catch (error) {
      const seen = watch.stop();
      throw new Error(
        `${error.message} (index held ${last.all} documents, ${last.enriched} enriched; ` +
          `peak PSS ${(seen.peakPss / 1024 ** 2).toFixed(0)} MB)`,
      );
    }
    const processes = watch.stop();
    const wallMs = doneAt - triggeredAt;
    const items = await itemTimes(stack.url, "celebrity-database");
    const scrapeMs = items.scraped.last - triggeredAt;
    const processMs = items.processed.last - items.processed.first;
    const indexMs = doneAt - (firstIndexedAt ?? triggeredAt);
    const cpu = [...processes.cpuByKind].sort((a, b) => b[1] - a[1]);
    const limit = limitOf(wallMs, processes.cpuByKind);
    return {
      figures: [
        {
          label: `people (roster import of ${PEOPLE}: ${(importMs / 1000).toFixed(1)} s)`,
          value: PEOPLE,
          unit: "",
        },
        { label: "wall time, trigger to last enriched document indexed", value: wallMs / 1000, unit: "s" },
        { label: "scrape: items written (of expected)", value: items.scraped.count, unit: `of ${expected}` },
        { label: "scrape: trigger to last item written", value: scrapeMs / 1000, unit: "s" },
        {
          label: "scrape: items/s (trigger to last item)",
          value: items.scraped.count / (scrapeMs / 1000),
          unit: "items/s",
        },
        { label: "post-process: first to last enrichment", value: processMs / 1000, unit: "s" },
        {
          label: "post-process: items/s",
          value: items.processed.count / Math.max(processMs / 1000, 0.001),
          unit: "items/s",
        },
        {
          label: "index-sync: all documents in the index at",
          value: ((allIndexedAt ?? doneAt) - triggeredAt) / 1000,
          unit: "s after trigger",
        },
        {
          label: "index-sync: enriched documents/s (first doc to last)",
          value: expected / Math.max(indexMs / 1000, 0.001),
          unit: "docs/s",
        },
        {
          label: "peak PSS, emulator + its Lambda processes",
          value: processes.peakPss / 1024 ** 2,
          unit: "MB",
        },
        {
          label: "peak RSS summed (shared pages counted per process)",
          value: processes.peakTotal / 1024 ** 2,
          unit: "MB",
        },
        ...[...processes.peakPssByKind]
          .sort((a, b) => b[1].bytes - a[1].bytes)
          .map(([kind, share]) => ({
            label: `  of which ${kind} (PSS at the peak)`,
            value: share.bytes / 1024 ** 2,
            unit: `MB in ${share.processes} process${share.processes === 1 ? "" : "es"}`,
          })),
        { label: "peak RSS, emulator process alone", value: processes.peakRoot / 1024 ** 2, unit: "MB" },
        {
          label: "processes at once (peak), in all",
          value: processes.peakProcesses,
          unit: `(${processes.processes} seen)`,
        },
        ...cpu.map(([kind, ms]) => ({ label: `CPU ${kind}`, value: ms / 1000, unit: "s" })),
        { label: "load average (1 min) at the end", value: loadavg()[0], unit: `on ${cpus().length} cores` },
      ],
      checks: [
        {
          label: "every item scraped and enriched",
          pass: items.processed.count >= expected,
          detail: `${items.processed.count} of ${expected}`,
        },
        {
          label: `under ${TARGET_MS / 60_000} minutes`,
          pass: wallMs < TARGET_MS,
          detail: `${(wallMs / 1000).toFixed(1)} s; limited by ${limit}`,
        },
        {
          label: `under ${TARGET_BYTES / 1024 ** 3} GB`,
          pass: processes.peakPss < TARGET_BYTES,
          detail: `${(processes.peakPss / 1024 ** 2).toFixed(0)} MB PSS (${(processes.peakTotal / 1024 ** 2).toFixed(0)} MB RSS summed) in ${processes.peakProcesses} processes at once`,
        },
      ],
    };
  } finally {
    await stack.stop();
  }
}
