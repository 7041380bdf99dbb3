// Benchmark: SQS send + receive + delete round trips per second through the emulator, with the
// JS SDK v3 over HTTP (JSON protocol), one client after another and with concurrent workers.
// Runs against the built code in dist/ (npx tsc -p tsconfig.build.json).
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { createEmulator } from "../../dist/runtime/emulator/index.js";

export const name = "sqs";
export const description = "SQS send+receive+delete round trips through the emulator (SDK v3, JSON protocol)";

const WORKERS = 8;

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** One message through its whole life: returns the time it took in ms. */
async function roundTrip(sqs, queueUrl, body, shared = false) {
  const started = performance.now();
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
  // On a shared queue another worker may have taken the visible messages: long-poll for the next.
  let message;
  for (let attempt = 0; !message && attempt < 10; attempt++) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 1,
        WaitTimeSeconds: shared ? 1 : 0,
      }),
    );
    message = out.Messages?.[0];
    if (!shared) break;
  }
  if (!message) throw new Error("bench: a sent message was not received");
  await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
  return performance.now() - started;
}

export async function run({ runs = 15 } = {}) {
  const count = Math.max(200, runs * 100);
  const emulator = await createEmulator({ services: ["sqs"] });
  const sqs = new SQSClient({
    endpoint: emulator.url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  try {
    const body = JSON.stringify({ celebrityId: "042", source: "tmdb", attempt: 1 });
    const { QueueUrl: sequentialQueue } = await sqs.send(
      new CreateQueueCommand({ QueueName: "bench-sequential" }),
    );
    for (let i = 0; i < 50; i++) await roundTrip(sqs, sequentialQueue, body);

    // One round trip after another: the latency a single consumer sees.
    const latencies = [];
    const sequentialStart = performance.now();
    for (let i = 0; i < count; i++) latencies.push(await roundTrip(sqs, sequentialQueue, body));
    const sequentialSeconds = (performance.now() - sequentialStart) / 1000;
    latencies.sort((a, b) => a - b);

    // Several workers on one queue: each receive may take another worker's message, which is fine.
    const { QueueUrl: sharedQueue } = await sqs.send(
      new CreateQueueCommand({ QueueName: "bench-concurrent" }),
    );
    const perWorker = Math.ceil(count / WORKERS);
    const concurrentStart = performance.now();
    await Promise.all(
      Array.from({ length: WORKERS }, async () => {
        for (let i = 0; i < perWorker; i++) await roundTrip(sqs, sharedQueue, body, true);
      }),
    );
    const concurrentSeconds = (performance.now() - concurrentStart) / 1000;

    // The same round trip as an in-process call (no HTTP, no SDK): the service's own cost.
    const inProcessCount = count * 10;
    const inProcessStart = performance.now();
    for (let i = 0; i < inProcessCount; i++) {
      await emulator.call("sqs", "SendMessage", { QueueUrl: sequentialQueue, MessageBody: body });
      const out = await emulator.call("sqs", "ReceiveMessage", { QueueUrl: sequentialQueue });
      const handle = out.Messages[0].ReceiptHandle;
      await emulator.call("sqs", "DeleteMessage", { QueueUrl: sequentialQueue, ReceiptHandle: handle });
    }
    const inProcessRate = inProcessCount / ((performance.now() - inProcessStart) / 1000);

    const sequentialRate = count / sequentialSeconds;
    const concurrentRate = (perWorker * WORKERS) / concurrentSeconds;
    return {
      figures: [
        { label: `sequential round trips (${count})`, value: sequentialRate, unit: "round trips/s" },
        { label: "round trip p50", value: percentile(latencies, 50), unit: "ms" },
        { label: "round trip p95", value: percentile(latencies, 95), unit: "ms" },
        {
          label: `${WORKERS} concurrent workers (${perWorker * WORKERS})`,
          value: concurrentRate,
          unit: "round trips/s",
        },
        {
          label: `in-process calls, no HTTP (${inProcessCount})`,
          value: inProcessRate,
          unit: "round trips/s",
        },
      ],
      ratios: [{ label: "concurrent / sequential", value: concurrentRate / sequentialRate }],
      checks: [
        {
          label: "round trip p95 under 20 ms",
          pass: percentile(latencies, 95) < 20,
          detail: `${percentile(latencies, 95).toFixed(2)} ms`,
        },
      ],
    };
  } finally {
    sqs.destroy();
    await emulator.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await run(), null, 2));
}
