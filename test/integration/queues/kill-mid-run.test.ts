import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ScanCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { GetQueueUrlCommand, SetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualScrapeEvent } from "../../../src/pipeline/handlers/scrape.js";
import { generateRoster } from "../../../src/pipeline/model/index.js";
import { defineStack, type Stack } from "../../../src/pipeline/stack/index.js";
import { readRunProgress, type SourceRunProgress } from "../../../src/pipeline/stages/run-progress.js";
import { createClients, type AwsClients } from "../../../src/runtime/aws/index.js";
import { resolveConfig, toStackParams, type ResolvedConfig } from "../../../src/runtime/config/index.js";
import { deployStack } from "../../../src/runtime/deploy/index.js";
import { startFixtureServer, type FixtureServer } from "../../../src/runtime/fixtures/index.js";
import { importRoster, sourceOfEntries } from "../../../src/runtime/roster/index.js";
import { PROJECT_ROOT } from "../../helpers/deployed-stack.js";
import { startEmulatorProcess, type EmulatorProcess } from "../../helpers/emulator-process.js";

/**
 * Issue 11: the emulator (a process of its own, with --persist) killed with kill -9 in the middle
 * of a run, then started again on the same state folder: the run finishes, no shard lost, none
 * counted twice. 100 people in shards of 5 (20 shards) at 20 requests a second for the source, so
 * the run is still going when the kill comes; a worker holds its shard for 2 s at a time, so the
 * shards in flight at the kill are visible again 2 s after the restart. A shard the mapping had
 * received when the kill came, before its worker's first word, is held by the queue's own timeout
 * (as on AWS): the test sets that to QUEUE_VISIBILITY_SECONDS instead of the stack's 90 minutes.
 */

const PEOPLE = 100;
const RUN_ID = "kill-1";
const roster = generateRoster(PEOPLE);
const SERVICES = [
  "dynamodb",
  "dynamodbstreams",
  "sqs",
  "events",
  "lambda",
  "logs",
  "cloudwatch",
  "sts",
  "iam",
  "opensearch",
  "sns",
  "ssm",
];
const QUEUE_VISIBILITY_SECONDS = 10;
const CONFIG_FILE = {
  sources: { news: { shardSize: 5, rateLimitPerSecond: 20, shardLeaseSeconds: 2, shardRetrySeconds: 0 } },
};

async function waitFor<T>(
  read: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 200));
  }
}

describe("kill -9 of the emulator mid-run", () => {
  let persistDir: string;
  let fixtures: FixtureServer;
  let emulator: EmulatorProcess | undefined;
  let config: ResolvedConfig;
  let clients: AwsClients;
  let stack: Stack;

  const start = async (port?: number) => {
    emulator = await startEmulatorProcess({
      persistDir,
      services: SERVICES,
      settings: { retryWaitScale: 1 / 60 },
      ...(port === undefined ? {} : { port }),
    });
    return emulator;
  };

  beforeAll(async () => {
    persistDir = mkdtempSync(join(tmpdir(), "queues-kill-"));
    fixtures = await startFixtureServer({ roster, port: 0 });
    const first = await start();
    config = resolveConfig({
      cwd: PROJECT_ROOT,
      readText: (path) =>
        path === resolve(PROJECT_ROOT, "pipeline.config.json") ? JSON.stringify(CONFIG_FILE) : undefined,
      env: {
        PIPELINE_TARGET: "local",
        PIPELINE_FIXTURES_PORT: String(fixtures.port),
        PIPELINE_SUFFIX: "-kill",
        AWS_REGION: "us-east-1",
      },
      flags: { target: "local", endpointUrl: first.url },
    });
    clients = createClients(config.config);
    stack = defineStack(toStackParams(config, await clients.accountId()));
    await deployStack({ clients, stack, projectRoot: PROJECT_ROOT, bundleCache: new Map() });
    const sqs = await clients.sqs();
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: stack.workQueues.news.name }));
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl,
        Attributes: { VisibilityTimeout: String(QUEUE_VISIBILITY_SECONDS) },
      }),
    );
    await importRoster(await clients.dynamodb(), stack.table.name, sourceOfEntries(roster));
  }, 180_000);

  afterAll(async () => {
    clients?.destroy();
    await emulator?.stop();
    await fixtures?.stop();
    if (persistDir) rmSync(persistDir, { recursive: true, force: true });
  });

  const news = async (): Promise<SourceRunProgress | undefined> =>
    (await readRunProgress(await clients.dynamodb(), stack.table.name, RUN_ID)).get("news");

  it("finishes the run after a restart without losing or double-counting a shard", async () => {
    // Prepare: the run under way, a few shards done.
    const lambda = await clients.lambda();
    await lambda.send(
      new InvokeCommand({
        FunctionName: stack.functions["scraper-news"].name,
        InvocationType: "Event",
        Payload: Buffer.from(JSON.stringify(manualScrapeEvent({ id: "evt-kill", runId: RUN_ID }))),
      }),
    );
    const before = await waitFor(
      async () => {
        const progress = await news();
        return progress !== undefined && progress.done >= 3 ? progress : undefined;
      },
      "a few shards of the run done",
      90_000,
    );

    // Act: kill -9, then the same state folder and port again.
    const port = Number(new URL(emulator!.url).port);
    await emulator!.kill9();
    await start(port);
    clients.destroy();
    clients = createClients(config.config);

    // Assess: the kill came mid-run, and the run completes from what the emulator had acknowledged.
    expect(before.done).toBeLessThan(20);
    const after = await waitFor(
      async () => {
        const progress = await news();
        return progress?.complete ? progress : undefined;
      },
      "the run to complete after the restart",
      120_000,
    );
    expect(after).toMatchObject({ shards: 20, done: 20, failed: 0, pending: 0, people: PEOPLE });
    // Each person counted once: a shard a dead worker had half done counts its people again only
    // in its one done record (what the dead worker wrote is found unchanged by the retry).
    expect(after.counts.fetched).toBe(PEOPLE);
    expect(after.counts.written + after.counts.unchanged).toBe(PEOPLE);
    expect(after.counts.failed).toBe(0);

    const dynamodb = await clients.dynamodb();
    const shardRecords: Record<string, AttributeValue>[] = [];
    const ids = new Set<string>();
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await dynamodb.send(
        new ScanCommand({ TableName: stack.table.name, ExclusiveStartKey: startKey }),
      );
      for (const item of page.Items ?? []) {
        if (item.pk?.S === `RUN#${RUN_ID}` && item.recordType?.S === "shard") shardRecords.push(item);
        if (item.pk?.S?.startsWith("CELEB#") && item.sk?.S === "SOURCE#news") ids.add(item.pk.S.slice(6));
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    expect(shardRecords.map((r) => Number(r.shard?.N)).sort((a, b) => a - b)).toStrictEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
    expect(shardRecords.every((r) => r.status?.S === "done" && r.people?.N === "5")).toBe(true);
    expect([...ids].sort()).toStrictEqual(roster.map((p) => p.id));
  }, 240_000);
});
