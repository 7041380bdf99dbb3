// Benchmark: DynamoDB stream write → Lambda handler start, through the emulator's event source
// mapping (goal: p95 < 300 ms). Runs against the built code in dist/.
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  GetEventSourceMappingCommand,
  GetFunctionCommand,
  LambdaClient,
} from "@aws-sdk/client-lambda";
import AdmZip from "adm-zip";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEmulator } from "../../dist/runtime/emulator/index.js";

const WRITES = 40;
const GAP_MS = 100;
const BURST = 100;
const TIMEOUT_MS = 60_000;

// The handler notes when it started and which items it got; the items carry their write time.
const HANDLER = `
import { appendFileSync } from "node:fs";
export const handler = async (event) => {
  const startedAt = Date.now();
  const writtenAt = event.Records.map((r) => Number(r.dynamodb.NewImage.writtenAt.N));
  appendFileSync(process.env.OUT_FILE, JSON.stringify({ startedAt, writtenAt }) + "\\n");
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

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export const name = "esm";
export const description = "DynamoDB stream write → mapped Lambda handler start, p50/p95 (goal p95 < 300 ms)";

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), "bench-esm-"));
  const out = join(dir, "invocations.jsonl");
  const emulator = await createEmulator({
    services: ["sts", "iam", "logs", "dynamodb", "dynamodbstreams", "sqs", "lambda"],
  });
  const config = {
    endpoint: emulator.url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  };
  const dynamodb = new DynamoDBClient(config);
  const lambda = new LambdaClient(config);
  const iam = new IAMClient(config);
  try {
    const role = await iam.send(
      new CreateRoleCommand({
        RoleName: "bench-esm",
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
          ],
        }),
      }),
    );
    await dynamodb.send(
      new CreateTableCommand({
        TableName: "bench-esm",
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
        StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
      }),
    );
    const table = await waitFor(async () => {
      const t = (await dynamodb.send(new DescribeTableCommand({ TableName: "bench-esm" }))).Table;
      return t?.TableStatus === "ACTIVE" ? t : undefined;
    }, "the table");
    const zip = new AdmZip();
    zip.addFile("index.mjs", Buffer.from(HANDLER));
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: "bench-esm",
        Runtime: "nodejs22.x",
        Handler: "index.handler",
        Role: role.Role.Arn,
        Code: { ZipFile: zip.toBuffer() },
        Environment: { Variables: { OUT_FILE: out } },
      }),
    );
    await waitFor(
      async () =>
        (await lambda.send(new GetFunctionCommand({ FunctionName: "bench-esm" }))).Configuration?.State ===
        "Active",
      "the function",
    );
    const { UUID } = await lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: "bench-esm",
        EventSourceArn: table.LatestStreamArn,
        StartingPosition: "LATEST",
        BatchSize: 100,
      }),
    );
    await waitFor(
      async () => (await lambda.send(new GetEventSourceMappingCommand({ UUID }))).State === "Enabled",
      "the mapping",
    );

    // One warm-up write so the first cold start is not measured as stream latency.
    await dynamodb.send(
      new PutItemCommand({
        TableName: "bench-esm",
        Item: { pk: { S: "warm-up" }, writtenAt: { N: String(Date.now()) } },
      }),
    );
    await waitFor(() => existsSync(out), "the warm-up invocation");
    const warmUpLines = readFileSync(out, "utf8").trim().split("\n").length;

    for (let i = 0; i < WRITES; i++) {
      await dynamodb.send(
        new PutItemCommand({
          TableName: "bench-esm",
          Item: { pk: { S: `item-${i}` }, writtenAt: { N: String(Date.now()) } },
        }),
      );
      await sleep(GAP_MS);
    }
    const invocations = await waitFor(() => {
      const lines = readFileSync(out, "utf8")
        .trim()
        .split("\n")
        .slice(warmUpLines)
        .map((l) => JSON.parse(l));
      return lines.reduce((n, l) => n + l.writtenAt.length, 0) >= WRITES ? lines : undefined;
    }, "all records");
    const latencies = invocations
      .flatMap((l) => l.writtenAt.map((w) => l.startedAt - w))
      .sort((a, b) => a - b);

    // A burst like a scraper run: BURST items written 25 at a time, then all of them delivered.
    const seen = readFileSync(out, "utf8").trim().split("\n").length;
    const burstStart = Date.now();
    for (let i = 0; i < BURST; i += 25) {
      await Promise.all(
        Array.from({ length: Math.min(25, BURST - i) }, (_, j) =>
          dynamodb.send(
            new PutItemCommand({
              TableName: "bench-esm",
              Item: { pk: { S: `burst-${i + j}` }, writtenAt: { N: String(Date.now()) } },
            }),
          ),
        ),
      );
    }
    const burst = await waitFor(() => {
      const lines = readFileSync(out, "utf8")
        .trim()
        .split("\n")
        .slice(seen)
        .map((l) => JSON.parse(l));
      return lines.reduce((n, l) => n + l.writtenAt.length, 0) >= BURST ? lines : undefined;
    }, "the burst");
    const burstMs = Math.max(...burst.map((l) => l.startedAt)) - burstStart;
    const p95 = percentile(latencies, 95);
    return {
      figures: [
        { label: "stream records delivered", value: latencies.length, unit: "records" },
        { label: "handler invocations", value: invocations.length, unit: "invocations" },
        { label: "write → handler start p50", value: percentile(latencies, 50), unit: "ms" },
        { label: "write → handler start p95", value: p95, unit: "ms" },
        { label: "write → handler start max", value: latencies[latencies.length - 1], unit: "ms" },
        { label: `burst of ${BURST} writes: first write → last handler start`, value: burstMs, unit: "ms" },
        { label: "burst invocations", value: burst.length, unit: "invocations" },
      ],
      checks: [{ label: "p95 write → handler start under 300 ms", pass: p95 < 300, detail: `${p95} ms` }],
    };
  } finally {
    dynamodb.destroy();
    lambda.destroy();
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
