// CloudWatch Logs in the emulator: PutLogEvents throughput, FilterLogEvents latency over a
// populated group (term and JSON patterns), and the cost of the --persist journal. Runs against
// the built code in dist/ (`npm run build` first).
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";

export const name = "logs";
export const description = "emulator CloudWatch Logs: PutLogEvents throughput, FilterLogEvents latency";

const STREAMS = 4;
const BATCHES_PER_STREAM = 50;
const EVENTS_PER_BATCH = 100;
const LEVELS = ["INFO", "INFO", "INFO", "WARN", "ERROR"];

export async function run({ runs, root }) {
  const entry = join(root, "dist", "runtime", "emulator", "index.js");
  if (!existsSync(entry))
    throw new Error("dist/runtime/emulator/index.js is missing: run `npm run build` first");
  const { createEmulator } = await import(entry);
  const memory = await measure(createEmulator, undefined, runs);
  const dir = mkdtempSync(join(tmpdir(), "bench-logs-"));
  try {
    const persisted = await measure(createEmulator, dir, runs);
    const total = STREAMS * BATCHES_PER_STREAM * EVENTS_PER_BATCH;
    return {
      figures: [
        { label: "events stored", value: total, unit: "events" },
        { label: "PutLogEvents (100 events), in memory", value: memory.putRate, unit: "events/s" },
        { label: "PutLogEvents (100 events), --persist", value: persisted.putRate, unit: "events/s" },
        { label: "FilterLogEvents term, first page p50", value: memory.term, unit: "ms" },
        { label: "FilterLogEvents JSON pattern, first page p50", value: memory.json, unit: "ms" },
        { label: "FilterLogEvents JSON, all pages", value: memory.allPages, unit: "ms" },
        { label: "GetLogEvents poll with token p50", value: memory.poll, unit: "ms" },
        { label: "restart with --persist (load + replay)", value: persisted.restart, unit: "ms" },
      ],
      ratios: [{ label: "--persist / in-memory put rate", value: persisted.putRate / memory.putRate }],
      checks: [
        {
          label: "a first FilterLogEvents page over 20k events under 250 ms",
          pass: memory.json < 250,
          detail: `${memory.json.toFixed(1)} ms`,
        },
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(createEmulator, persistDir, runs) {
  const emulator = await createEmulator({ services: ["logs"], ...(persistDir ? { persistDir } : {}) });
  const logs = new CloudWatchLogsClient({
    endpoint: emulator.url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  const group = "/aws/lambda/bench";
  let restart;
  try {
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    for (let s = 0; s < STREAMS; s++) {
      await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: `stream-${s}` }));
    }
    const base = Date.now() - 60 * 60 * 1000;
    const started = performance.now();
    // Streams written in parallel, batches in order within a stream (as Lambda's log agent does).
    await Promise.all(
      [...Array(STREAMS).keys()].map(async (s) => {
        for (let b = 0; b < BATCHES_PER_STREAM; b++) {
          const logEvents = [...Array(EVENTS_PER_BATCH).keys()].map((i) => {
            const n = b * EVENTS_PER_BATCH + i;
            return {
              timestamp: base + n * 10,
              message: JSON.stringify({
                level: LEVELS[n % LEVELS.length],
                requestId: `r-${s}-${b}`,
                n,
                msg: `event ${n} from stream ${s}`,
              }),
            };
          });
          await logs.send(
            new PutLogEventsCommand({ logGroupName: group, logStreamName: `stream-${s}`, logEvents }),
          );
        }
      }),
    );
    const putSeconds = (performance.now() - started) / 1000;
    const putRate = (STREAMS * BATCHES_PER_STREAM * EVENTS_PER_BATCH) / putSeconds;

    const timed = async (fn) => {
      const samples = [];
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        await fn();
        samples.push(performance.now() - t);
      }
      return median(samples);
    };
    const term = await timed(() =>
      logs.send(new FilterLogEventsCommand({ logGroupName: group, filterPattern: "ERROR", limit: 100 })),
    );
    const json = await timed(() =>
      logs.send(
        new FilterLogEventsCommand({
          logGroupName: group,
          filterPattern: '{ $.level = "ERROR" && $.n > 100 }',
          limit: 100,
        }),
      ),
    );
    const allStart = performance.now();
    let token;
    do {
      const page = await logs.send(
        new FilterLogEventsCommand({
          logGroupName: group,
          filterPattern: '{ $.level = "ERROR" }',
          nextToken: token,
        }),
      );
      token = page.nextToken;
    } while (token);
    const allPages = performance.now() - allStart;
    const head = await logs.send(
      new GetLogEventsCommand({ logGroupName: group, logStreamName: "stream-0", limit: 10 }),
    );
    const poll = await timed(() =>
      logs.send(
        new GetLogEventsCommand({
          logGroupName: group,
          logStreamName: "stream-0",
          nextToken: head.nextForwardToken,
        }),
      ),
    );
    if (persistDir) {
      logs.destroy();
      await emulator.stop();
      const t = performance.now();
      const again = await createEmulator({ services: ["logs"], persistDir });
      restart = performance.now() - t;
      await again.stop();
      return { putRate, term, json, allPages, poll, restart };
    }
    return { putRate, term, json, allPages, poll, restart };
  } finally {
    logs.destroy();
    if (!persistDir) await emulator.stop();
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
