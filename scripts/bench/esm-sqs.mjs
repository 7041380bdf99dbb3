// Benchmark: an SQS queue drained by an event source mapping, with ScalingConfig.MaximumConcurrency 2
// and without (the emulator's default scaling). Prints the most invocations seen running at once
// and the throughput of each, from one run. Runs against the built code in dist/.
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  GetEventSourceMappingCommand,
  GetFunctionCommand,
  LambdaClient,
} from "@aws-sdk/client-lambda";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import AdmZip from "adm-zip";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEmulator } from "../../dist/runtime/emulator/index.js";

const MESSAGES = 300;
const BATCH_SIZE = 5;
const WORK_MS = 50;
const TIMEOUT_MS = 120_000;

// Each batch "works" WORK_MS and logs its start and end; lines are appended in the order they
// happen, so starts minus ends along the file is the number running at each moment.
const HANDLER = `
import { appendFileSync } from "node:fs";
export const handler = async (event, context) => {
  appendFileSync(process.env.OUT_FILE, JSON.stringify({ at: "start", n: event.Records.length, t: Date.now() }) + "\\n");
  await new Promise((resolve) => setTimeout(resolve, ${WORK_MS}));
  appendFileSync(process.env.OUT_FILE, JSON.stringify({ at: "end", t: Date.now() }) + "\\n");
  return {};
};
`;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(read, what) {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const lines = (file) =>
  existsSync(file)
    ? readFileSync(file, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line))
    : [];

function summarize(file) {
  const log = lines(file);
  let running = 0;
  let peak = 0;
  for (const entry of log) {
    running += entry.at === "start" ? 1 : -1;
    peak = Math.max(peak, running);
  }
  const starts = log.filter((e) => e.at === "start");
  const ends = log.filter((e) => e.at === "end");
  const messages = starts.reduce((n, e) => n + e.n, 0);
  const wallMs = Math.max(...ends.map((e) => e.t)) - Math.min(...starts.map((e) => e.t));
  return { peak, messages, invocations: starts.length, wallMs };
}

export const name = "esm-sqs";
export const description = `SQS mapping over ${MESSAGES} messages: MaximumConcurrency 2 vs default scaling`;

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), "bench-esm-sqs-"));
  const emulator = await createEmulator({ services: ["sts", "iam", "logs", "sqs", "lambda"] });
  const config = {
    endpoint: emulator.url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  };
  const lambda = new LambdaClient(config);
  const sqs = new SQSClient(config);
  const iam = new IAMClient(config);
  try {
    const role = await iam.send(
      new CreateRoleCommand({
        RoleName: "bench-esm-sqs",
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
          ],
        }),
      }),
    );

    const drain = async (label, scaling) => {
      const out = join(dir, `${label}.jsonl`);
      const { QueueUrl } = await sqs.send(
        new CreateQueueCommand({ QueueName: label, Attributes: { VisibilityTimeout: "60" } }),
      );
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
      );
      for (let i = 0; i < MESSAGES; i += 10) {
        await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl,
            Entries: Array.from({ length: Math.min(10, MESSAGES - i) }, (_, j) => ({
              Id: String(j),
              MessageBody: `m-${i + j}`,
            })),
          }),
        );
      }
      const zip = new AdmZip();
      zip.addFile("index.mjs", Buffer.from(HANDLER));
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: label,
          Runtime: "nodejs22.x",
          Handler: "index.handler",
          Role: role.Role.Arn,
          Timeout: 10,
          Code: { ZipFile: zip.toBuffer() },
          Environment: { Variables: { OUT_FILE: out } },
        }),
      );
      await waitFor(
        async () =>
          (await lambda.send(new GetFunctionCommand({ FunctionName: label }))).Configuration?.State ===
          "Active",
        "the function",
      );
      const { UUID } = await lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: label,
          EventSourceArn: Attributes.QueueArn,
          BatchSize: BATCH_SIZE,
          ...(scaling ? { ScalingConfig: scaling } : {}),
        }),
      );
      await waitFor(
        async () => (await lambda.send(new GetEventSourceMappingCommand({ UUID }))).State === "Enabled",
        "the mapping",
      );
      await waitFor(async () => {
        const { Attributes: counts } = await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl,
            AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
          }),
        );
        return (
          counts.ApproximateNumberOfMessages === "0" &&
          counts.ApproximateNumberOfMessagesNotVisible === "0" &&
          summarize(out).messages >= MESSAGES
        );
      }, `${label} to drain`);
      return summarize(out);
    };

    const bounded = await drain("bounded", { MaximumConcurrency: 2 });
    const unbounded = await drain("default", undefined);
    const rate = (s) => (s.messages / s.wallMs) * 1000;
    return {
      figures: [
        { label: "MaximumConcurrency 2: peak concurrent invocations", value: bounded.peak, unit: "" },
        { label: "MaximumConcurrency 2: messages processed", value: bounded.messages, unit: "messages" },
        { label: "MaximumConcurrency 2: throughput", value: rate(bounded), unit: "messages/s" },
        { label: "default scaling: peak concurrent invocations", value: unbounded.peak, unit: "" },
        { label: "default scaling: messages processed", value: unbounded.messages, unit: "messages" },
        { label: "default scaling: throughput", value: rate(unbounded), unit: "messages/s" },
      ],
      ratios: [
        { label: "default / MaximumConcurrency 2 throughput", value: rate(unbounded) / rate(bounded) },
      ],
      checks: [
        {
          label: "MaximumConcurrency 2 never exceeded",
          pass: bounded.peak <= 2,
          detail: `peak ${bounded.peak}`,
        },
        {
          label: "every message processed exactly once (both runs)",
          pass: bounded.messages === MESSAGES && unbounded.messages === MESSAGES,
          detail: `${bounded.messages} and ${unbounded.messages} of ${MESSAGES}`,
        },
      ],
    };
  } finally {
    lambda.destroy();
    sqs.destroy();
    iam.destroy();
    // Lambda's stop waits for its Node processes over unref'd pipes: keep this process alive
    // until it is done, or a standalone run exits before stop() resolves.
    const keepAlive = setInterval(() => {}, 1000);
    await emulator.stop().finally(() => clearInterval(keepAlive));
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await run(), null, 2));
}
