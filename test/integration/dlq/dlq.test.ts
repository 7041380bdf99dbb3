import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import {
  GetEventSourceMappingCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualScrapeEvent } from "../../../src/pipeline/handlers/scrape.js";
import {
  cutShards,
  decodeShard,
  encodeShard,
  generateRoster,
  shardMessageAttributes,
  type RosterEntry,
  type SourceName,
} from "../../../src/pipeline/model/index.js";
import { HANDLER_ENV } from "../../../src/pipeline/stack/index.js";
import { runCli } from "../../../src/commands/cli.js";
import { readJsonLines } from "../../../src/runtime/dlq/index.js";
import { PROJECT_ROOT, startDeployedStack, type DeployedStack } from "../../helpers/deployed-stack.js";

/**
 * The DLQ commands against the deployed stack in the emulator (async retry waits scaled to 1 s and
 * 2 s). A scraper broken by its environment fails its three attempts and its event lands in the
 * scraper DLQ twice over (DLQ message and on-failure record); after the fix, replay delivers it once.
 * A replay killed with SIGKILL midway and run again delivers every message exactly once. Drain
 * writes the archive before deleting. A scrape shard redriven to the DLQ is decoded by peek and
 * replayed to its source's work queue.
 */

const SUFFIX = "-dlq-it";
let deployed: DeployedStack;
let work: string;
let childScript: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "dlq-it-"));
  // The crash test's child process: bundled next to node_modules so its packages resolve.
  const cache = join(PROJECT_ROOT, "node_modules", ".cache", `dlq-it-${process.pid}`);
  mkdirSync(cache, { recursive: true });
  childScript = join(cache, "replay-child.mjs");
  [deployed] = await Promise.all([
    startDeployedStack({ suffix: SUFFIX, rosterSize: 2, skipOpenSearch: true }),
    build({
      entryPoints: [join(PROJECT_ROOT, "test/integration/dlq/replay-child.ts")],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node22",
      packages: "external",
      outfile: childScript,
      logLevel: "silent",
    }),
  ]);
}, 180_000);

afterAll(async () => {
  await deployed?.stop();
  rmSync(work, { recursive: true, force: true });
  rmSync(join(PROJECT_ROOT, "node_modules", ".cache", `dlq-it-${process.pid}`), {
    recursive: true,
    force: true,
  });
});

async function waitFor<T>(
  read: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The CLI in-process against the emulator; stdout parsed as JSON when --json is given. */
async function cli(
  ...argv: string[]
): Promise<{ code: number; stdout: string; stderr: string; json: unknown }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli([...argv, "--endpoint-url", deployed.emulator.url], {
    stdout: { write: (chunk: string) => (stdout += chunk), isTTY: false },
    stderr: { write: (chunk: string) => (stderr += chunk), isTTY: false },
    stdinIsTTY: false,
    env: { PIPELINE_TARGET: "local", PIPELINE_SUFFIX: SUFFIX, AWS_REGION: "us-east-1" },
    cwd: work,
    signal: new AbortController().signal,
  });
  return { code, stdout, stderr, json: argv.includes("--json") && stdout ? JSON.parse(stdout) : undefined };
}

async function queueUrl(name: string): Promise<string> {
  const sqs = await deployed.clients.sqs();
  return (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl!;
}

async function depth(name: string): Promise<{ visible: number; inFlight: number }> {
  const sqs = await deployed.clients.sqs();
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: await queueUrl(name),
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
  };
}

async function setEnvironment(functionName: string, variables: Record<string, string>): Promise<void> {
  const lambda = await deployed.clients.lambda();
  await lambda.send(
    new UpdateFunctionConfigurationCommand({
      FunctionName: functionName,
      Environment: { Variables: variables },
    }),
  );
  await waitFor(
    async () =>
      (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName })))
        .LastUpdateStatus === "Successful",
    `${functionName} updated`,
  );
}

describe("a scraper that fails permanently", () => {
  it("lands in the DLQ after the async retries; after the fix, replay delivers the event once and empties the DLQ", async () => {
    const scraper = deployed.stack.functions["scraper-wikipedia"];
    const dlq = deployed.stack.queues.scraperDlq.name;
    const lambda = await deployed.clients.lambda();
    const configured = (
      await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: scraper.name }))
    ).Environment?.Variables;
    await setEnvironment(scraper.name, { ...configured, [HANDLER_ENV.sourceRateLimit]: "zero" });

    const runId = "dlq-it-run-1";
    const event = manualScrapeEvent({ id: "5f0e1c2d-dlq-it-0001", runId });
    const invoked = await lambda.send(
      new InvokeCommand({
        FunctionName: scraper.name,
        InvocationType: "Event",
        Payload: JSON.stringify(event),
      }),
    );
    expect(invoked.StatusCode).toBe(202);
    // Three attempts (1 s and 2 s apart here), then the DLQ message and the on-failure record.
    await waitFor(async () => (await depth(dlq)).visible >= 2, "the failure in the DLQ");

    const listed = await cli("dlq", "list", "--json");
    expect(listed.code).toBe(0);
    const listedDlq = (listed.json as { name: string; oldestAgeSeconds?: number }[]).find(
      (q) => q.name === dlq,
    );
    expect(listedDlq).toMatchObject({ exists: true, visible: 2, inFlight: 0, sampled: 2 });
    // The oldest message is the first report of the failure, seconds old.
    expect(listedDlq?.oldestAgeSeconds).toBeGreaterThanOrEqual(0);
    expect(listedDlq?.oldestAgeSeconds).toBeLessThan(120);

    const peeked = await cli("dlq", "peek", dlq, "--json");
    expect(peeked.code).toBe(0);
    const [peek] = peeked.json as { failures: Record<string, unknown>[] }[];
    expect(peek!.failures).toHaveLength(1);
    expect(peek!.failures[0]).toMatchObject({
      kind: "lambda-async",
      functionName: scraper.name,
      condition: "RetriesExhausted",
      invokeCount: 3,
      retryAttempts: 2,
      originalEvent: event,
    });
    expect(String(peek!.failures[0]!.errorMessage)).toMatch(/SOURCE_RATE_LIMIT_PER_SECOND/);
    expect((peek!.failures[0]!.messageIds as string[]).length).toBe(2);
    // Peek leaves them where they are.
    expect((await depth(dlq)).visible).toBe(2);
    const readable = await cli("dlq", "peek", dlq);
    expect(readable.stdout).toContain(`lambda-async ${scraper.name}`);
    expect(readable.stdout).toMatch(/retries +2/);
    // Without a terminal, replay wants the selection as flags, and leaves the messages visible.
    const refused = await cli("dlq", "replay", dlq);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/pass --all, --filter <filter> or --max <n> instead/);
    expect((await depth(dlq)).visible).toBe(2);

    await setEnvironment(scraper.name, { ...configured });
    const replayed = await cli("dlq", "replay", dlq, "--all", "--json");
    expect(replayed.stderr).not.toMatch(/error/i);
    expect(replayed.code).toBe(0);
    const [report] = replayed.json as { sent: number; results: { outcome: string; removed: boolean }[] }[];
    expect(report).toMatchObject({ sent: 1, failed: 0 });
    expect(report!.results).toEqual([expect.objectContaining({ outcome: "sent", removed: true })]);

    const dynamodb = await deployed.clients.dynamodb();
    const run = await waitFor(async () => {
      const { Item } = await dynamodb.send(
        new GetItemCommand({
          TableName: deployed.stack.table.name,
          Key: { pk: { S: `RUN#${runId}` }, sk: { S: "SOURCE#wikipedia" } },
          ConsistentRead: true,
        }),
      );
      return Item;
    }, "the run record of the replayed event");
    expect(run.pk?.S).toBe(`RUN#${runId}`);
    const logs = await deployed.clients.logs();
    const starts = await waitFor(async () => {
      const { events = [] } = await logs.send(
        new FilterLogEventsCommand({
          logGroupName: scraper.logGroupName,
          filterPattern: '"scrape run started"',
        }),
      );
      const mine = events.filter((e) => e.message?.includes(runId));
      return mine.length > 0 ? mine : undefined;
    }, "the replayed run's log line");
    expect(starts).toHaveLength(1);
    expect(await depth(dlq)).toEqual({ visible: 0, inFlight: 0 });

    // A rerun finds nothing to send.
    const again = await cli("dlq", "replay", dlq, "--all", "--json");
    expect((again.json as { found: number; sent: number }[])[0]).toMatchObject({ found: 0, sent: 0 });
  });
});

describe("an interrupted replay", () => {
  it("killed with SIGKILL midway and run again, delivers every message exactly once and loses none", async () => {
    const dlq = deployed.stack.queues.scraperDlq;
    const sqs = await deployed.clients.sqs();
    const { QueueUrl: sourceUrl } = await sqs.send(
      new CreateQueueCommand({
        QueueName: `work${SUFFIX}`,
        Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 1 }) },
      }),
    );
    const count = 6;
    for (let n = 1; n <= count; n++) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: sourceUrl,
          MessageBody: JSON.stringify({ n }),
          MessageAttributes: { origin: { DataType: "String", StringValue: "dlq-it" } },
        }),
      );
    }
    // Received once and made visible again, each message moves to the DLQ on its next receive.
    await waitFor(async () => {
      await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: sourceUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
      );
      return (await depth(dlq.name)).visible === count;
    }, "the messages redriven to the DLQ");

    const journal = join(work, "crash.journal.jsonl");
    const child = spawn(
      process.execPath,
      [childScript, deployed.emulator.url, SUFFIX, dlq.name, journal, "2"],
      {
        stdio: "ignore",
      },
    );
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const sentLines = async () =>
      ((await readJsonLines(journal)) as { op: string; key: string }[]).filter((line) => line.op === "sent");
    await waitFor(async () => (await sentLines()).length >= 2, "two confirmed sends in the journal");
    child.kill("SIGKILL");
    await exited;
    const sentBeforeCrash = (await sentLines()).length;
    expect(sentBeforeCrash).toBeLessThan(count);

    // The rerun waits for the messages the dead process held (2 s hold) and finishes the job.
    const { replayQueue, selectQueues } = await import("../../../src/runtime/dlq/index.js");
    const [queue] = selectQueues(deployed.stack, dlq.name);
    const rerun = await replayQueue(
      { clients: deployed.clients, stack: deployed.stack, holdSeconds: 2 },
      queue!,
      { journalFile: journal, inFlightWaitMs: 15_000 },
    );
    expect(rerun.failed).toBe(0);
    expect(rerun.sent).toBe(count - sentBeforeCrash);
    expect(await depth(dlq.name)).toEqual({ visible: 0, inFlight: 0 });

    const delivered: { n: number; origin: string | undefined }[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: sourceUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 60,
          WaitTimeSeconds: 1,
          MessageAttributeNames: ["All"],
        }),
      );
      if (Messages.length === 0) break;
      for (const message of Messages) {
        delivered.push({
          n: (JSON.parse(message.Body!) as { n: number }).n,
          origin: message.MessageAttributes?.origin?.StringValue,
        });
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: sourceUrl, ReceiptHandle: message.ReceiptHandle! }),
        );
      }
    }
    expect(delivered.map((d) => d.n).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(new Set(delivered.map((d) => d.origin))).toEqual(new Set(["dlq-it"]));
  });
});

describe("drain", () => {
  it("archives each message before deleting it; when the archive cannot be written, nothing is deleted", async () => {
    const queue = deployed.stack.queues.streamDlq.name;
    const sqs = await deployed.clients.sqs();
    const url = await queueUrl(queue);
    for (let n = 1; n <= 3; n++) {
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify({ n }) }));
    }

    // The archive path is a folder: the append fails and the batch is released, not deleted.
    const refused = await cli("dlq", "drain", queue, "--to", work, "--json");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/cannot append to the archive .*EISDIR.*the batch was not deleted/);
    expect((await depth(queue)).visible).toBe(3);

    const file = join(work, "drained.jsonl");
    const drained = await cli("dlq", "drain", queue, "--to", file, "--json");
    expect(drained.code).toBe(0);
    const lines = (await readJsonLines(file)) as { queue: string; body: string }[];
    // Other failures of the stack could share the queue: every archived line was deleted, ours included.
    expect(drained.json).toEqual([
      expect.objectContaining({ archived: lines.length, deleted: lines.length }),
    ]);
    const ours = lines.map((line) => line.body).filter((body) => /^\{"n":\d\}$/.test(body));
    expect(ours.sort()).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
    expect(new Set(lines.map((line) => line.queue))).toEqual(new Set([queue]));
    expect(readFileSync(file, "utf8").endsWith("\n")).toBe(true);
    expect(await depth(queue)).toEqual({ visible: 0, inFlight: 0 });
  });
});

describe("a stream consumer that fails permanently", () => {
  /**
   * Lets one scraper write its items while the post-processor is broken, and waits until the
   * stream DLQ holds failed ranges covering them (the post-processor may also still be working
   * through earlier records, such as its own MODIFYs from an earlier test: those fail too).
   */
  async function failBatch(source: "social" | "tmdb", runId: string): Promise<string[]> {
    const postProcessor = deployed.stack.functions["post-processor"];
    const lambda = await deployed.clients.lambda();
    const { peekQueue, readStreamRange, selectQueues } = await import("../../../src/runtime/dlq/index.js");
    const [queue] = selectQueues(deployed.stack, "streamDlq");
    const streams = await deployed.clients.dynamodbStreams();
    const failedKeys = async () => {
      const { messages } = await peekQueue({ clients: deployed.clients, stack: deployed.stack }, queue!, 100);
      const keys = new Set<string>();
      for (const m of messages) {
        if (m.kind !== "stream-on-failure" || m.functionName !== postProcessor.name || !m.stream) continue;
        for (const record of await readStreamRange(streams, m.stream)) {
          const keysOf = record.dynamodb.Keys as { pk: { S: string }; sk: { S: string } };
          if (keysOf.sk.S === `SOURCE#${source}`) keys.add(keysOf.pk.S);
        }
      }
      return [...keys].sort();
    };
    const scraped = await lambda.send(
      new InvokeCommand({
        FunctionName: deployed.stack.functions[`scraper-${source}`].name,
        Payload: JSON.stringify(manualScrapeEvent({ id: `${runId}-event`, runId })),
      }),
    );
    expect(scraped.FunctionError).toBeUndefined();
    // Two celebrities written: the mapping retries, bisects, then sends the ranges on.
    return waitFor(async () => {
      const keys = await failedKeys();
      return keys.length >= 2 ? keys : undefined;
    }, `the stream on-failure records of the ${source} items`);
  }

  async function weightsOf(source: string, ids: string[]): Promise<(string | undefined)[]> {
    const dynamodb = await deployed.clients.dynamodb();
    return Promise.all(
      ids.map(
        async (pk) =>
          (
            await dynamodb.send(
              new GetItemCommand({
                TableName: deployed.stack.table.name,
                Key: { pk: { S: pk }, sk: { S: `SOURCE#${source}` } },
                ConsistentRead: true,
              }),
            )
          ).Item?.weight?.N,
      ),
    );
  }

  it("rehydrate archives the records of each failed range; after the fix, replay from the archive and from the queue re-invokes with those records", async () => {
    const postProcessor = deployed.stack.functions["post-processor"];
    const lambda = await deployed.clients.lambda();
    const configured = (
      await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: postProcessor.name }))
    ).Environment?.Variables;
    const broken = { ...configured };
    delete broken[HANDLER_ENV.tableName];
    await setEnvironment(postProcessor.name, broken);
    const queue = deployed.stack.queues.streamDlq.name;

    // First failure: rehydrated into an archive (messages deleted from the queue).
    const socialIds = await failBatch("social", "dlq-it-stream-1");
    expect(socialIds).toHaveLength(2);
    const archive = join(work, "stream.archive.jsonl");
    const rehydrated = await cli("dlq", "rehydrate", queue, "--to", archive, "--json");
    expect(rehydrated.code).toBe(0);
    const entries = (await readJsonLines(archive)) as {
      decoded: { kind: string; functionName?: string };
      records?: { eventName: string; dynamodb: { Keys: { pk: { S: string }; sk: { S: string } } } }[];
    }[];
    const archived = entries
      .filter((e) => e.decoded.functionName === postProcessor.name)
      .flatMap((e) => e.records ?? [])
      .filter((r) => r.dynamodb.Keys.sk.S === "SOURCE#social");
    expect(archived.map((r) => [r.eventName, r.dynamodb.Keys.pk.S]).sort()).toEqual(
      socialIds.map((id) => ["INSERT", id]),
    );
    expect(await weightsOf("social", socialIds)).toEqual([undefined, undefined]);

    // Second failure: left in the queue.
    expect(await failBatch("tmdb", "dlq-it-stream-2")).toEqual(socialIds);

    await setEnvironment(postProcessor.name, { ...configured });
    const filter = `function=${postProcessor.name}`;
    const fromArchive = await cli("dlq", "replay", "--from", archive, "--filter", filter, "--json");
    expect(fromArchive.code).toBe(0);
    expect((fromArchive.json as { failed: number }[])[0]).toMatchObject({ failed: 0 });
    const weightsSocial = await weightsOf("social", socialIds);
    expect(weightsSocial.every((w) => w !== undefined)).toBe(true);

    const fromQueue = await cli("dlq", "replay", queue, "--filter", filter, "--json");
    expect(fromQueue.code).toBe(0);
    const [report] = fromQueue.json as { failed: number; sent: number; results: { to?: string }[] }[];
    expect(report).toMatchObject({ failed: 0 });
    expect(report!.sent).toBeGreaterThan(0);
    expect(report!.results.every((r) => /stream records processed/.test(r.to ?? ""))).toBe(true);
    // The scrapers cover the same first celebrities of the roster: the tmdb items now have weights too.
    expect((await weightsOf("tmdb", socialIds)).every((w) => w !== undefined)).toBe(true);
    const { peekQueue, selectQueues } = await import("../../../src/runtime/dlq/index.js");
    const left = await peekQueue(
      { clients: deployed.clients, stack: deployed.stack },
      selectQueues(deployed.stack, queue)[0]!,
      100,
    );
    expect(left.messages.filter((m) => m.functionName === postProcessor.name)).toEqual([]);
  });
});

describe("a rule target EventBridge cannot deliver to", () => {
  it("lands in the DLQ with rule, target and error; after the fix, replay invokes the target with the original event", async () => {
    const news = deployed.stack.functions["scraper-news"];
    const rule = deployed.stack.rules.manual;
    const permission = deployed.stack.permissions.find(
      (p) => p.functionKey === "scraper-news" && p.ruleKey === "manual",
    )!;
    const lambda = await deployed.clients.lambda();
    const { RemovePermissionCommand, AddPermissionCommand } = await import("@aws-sdk/client-lambda");
    await lambda.send(
      new RemovePermissionCommand({
        FunctionName: news.name,
        StatementId: permission.definition.StatementId,
      }),
    );
    const dlq = deployed.stack.queues.scraperDlq.name;
    const runId = "dlq-it-delivery-1";
    const { PutEventsCommand } = await import("@aws-sdk/client-eventbridge");
    const events = await deployed.clients.eventbridge();
    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            // This stack's manual rule: its source carries the stack's suffix.
            Source: `celebrity.pipeline${SUFFIX}`,
            DetailType: "ManualScrapeRequested",
            Detail: JSON.stringify({ runId }),
          },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);
    await waitFor(async () => (await depth(dlq)).visible >= 1, "the undeliverable event in the DLQ");

    const peeked = await cli("dlq", "peek", dlq, "--json");
    const [peek] = peeked.json as { failures: Record<string, unknown>[] }[];
    expect(peek!.failures).toEqual([
      expect.objectContaining({
        kind: "eventbridge-target",
        ruleArn: rule.arn,
        targetArn: news.arn,
        functionName: news.name,
        errorCode: "NO_PERMISSIONS",
        originalEvent: expect.objectContaining({ "detail-type": "ManualScrapeRequested", detail: { runId } }),
      }),
    ]);

    await lambda.send(new AddPermissionCommand(permission.definition));
    const replayed = await cli("dlq", "replay", dlq, "--filter", "eventbridge-target", "--json");
    expect(replayed.code).toBe(0);
    expect((replayed.json as { sent: number }[])[0]).toMatchObject({ sent: 1 });
    const dynamodb = await deployed.clients.dynamodb();
    await waitFor(async () => {
      const { Item } = await dynamodb.send(
        new GetItemCommand({
          TableName: deployed.stack.table.name,
          Key: { pk: { S: `RUN#${runId}` }, sk: { S: "SOURCE#news" } },
          ConsistentRead: true,
        }),
      );
      return Item;
    }, "the news scraper's run record for the replayed event");
    expect(await depth(dlq)).toEqual({ visible: 0, inFlight: 0 });
  });
});

describe("a dead-lettered scrape shard", () => {
  const roster: RosterEntry[] = generateRoster(5).map((person) => ({
    ...person,
    active: true,
    addedAt: "2026-12-07T12:00:00.000Z",
    updatedAt: "2026-12-07T12:00:00.000Z",
  }));
  const runId = "dlq-it-shard-run";
  const shardOf = (source: SourceName) =>
    cutShards({ runId, source, plannedAt: new Date("2026-12-07T12:00:00Z"), shardSize: 3 }, roster)[1]!;

  /**
   * Puts a real shard in the scraper DLQ by redrive: a queue of its own with maxReceiveCount 1 whose
   * message is received and not deleted (the stack's work queue has a worker on it, or will have).
   */
  async function deadLetter(source: SourceName): Promise<void> {
    const dlq = deployed.stack.queues.scraperDlq;
    const sqs = await deployed.clients.sqs();
    const { QueueUrl: fromUrl } = await sqs.send(
      new CreateQueueCommand({
        QueueName: `shards-${source}${SUFFIX}`,
        Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 1 }) },
      }),
    );
    const shard = shardOf(source);
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: fromUrl,
        MessageBody: encodeShard(shard),
        MessageAttributes: shardMessageAttributes(shard),
      }),
    );
    const before = (await depth(dlq.name)).visible;
    await waitFor(async () => {
      await sqs.send(new ReceiveMessageCommand({ QueueUrl: fromUrl, VisibilityTimeout: 0 }));
      return (await depth(dlq.name)).visible === before + 1;
    }, `the ${source} shard redriven to the DLQ`);
  }

  /** A worker mapping on the work queue would take the replayed shard before the test sees it. */
  async function pauseWorkers(source: SourceName): Promise<void> {
    const lambda = await deployed.clients.lambda();
    const queueArn = deployed.stack.workQueues[source].arn;
    const { EventSourceMappings = [] } = await lambda.send(
      new ListEventSourceMappingsCommand({ EventSourceArn: queueArn }),
    );
    for (const mapping of EventSourceMappings) {
      await lambda.send(new UpdateEventSourceMappingCommand({ UUID: mapping.UUID!, Enabled: false }));
      await waitFor(
        async () =>
          (await lambda.send(new GetEventSourceMappingCommand({ UUID: mapping.UUID! }))).State === "Disabled",
        "the worker mapping disabled",
      );
    }
  }

  it("peek names its source, run, shard n of m and people; replay sends it to the source's work queue, then deletes it", async () => {
    const dlq = deployed.stack.queues.scraperDlq.name;
    await deadLetter("news");

    const peeked = await cli("dlq", "peek", dlq, "--json");
    expect(peeked.code, peeked.stderr).toBe(0);
    const [peek] = peeked.json as { failures: Record<string, unknown>[] }[];
    const failure = peek!.failures.find((f) => f.kind === "scrape-shard");
    expect(failure).toMatchObject({
      kind: "scrape-shard",
      sourceQueueArn: expect.stringContaining(`:shards-news${SUFFIX}`),
      shard: {
        runId,
        source: "news",
        shard: 1,
        shards: 2,
        people: [
          { id: roster[3]!.id, name: roster[3]!.name },
          { id: roster[4]!.id, name: roster[4]!.name },
        ],
        workQueueArn: deployed.stack.workQueues.news.arn,
      },
    });
    const readable = await cli("dlq", "peek", dlq);
    expect(readable.stdout).toContain(`scrape-shard news run ${runId} shard 2 of 2 (2 people)`);
    expect(readable.stdout).toMatch(
      new RegExp(`people +${roster[3]!.id} ${roster[3]!.name}, ${roster[4]!.id} ${roster[4]!.name}$`, "m"),
    );
    expect(readable.stdout).toMatch(new RegExp(`replay to +${deployed.stack.workQueues.news.arn}$`, "m"));

    await pauseWorkers("news");
    const replayed = await cli(
      "dlq",
      "replay",
      dlq,
      "--filter",
      "scrape-shard",
      "--filter",
      "source=news",
      "--json",
    );
    expect(replayed.code, replayed.stderr).toBe(0);
    const [report] = replayed.json as {
      sent: number;
      results: { outcome: string; removed: boolean; to: string; shard: string }[];
    }[];
    expect(report).toMatchObject({ sent: 1, failed: 0 });
    expect(report!.results).toEqual([
      expect.objectContaining({
        outcome: "sent",
        removed: true,
        shard: `news run ${runId} shard 2 of 2 (2 people)`,
        to: expect.stringContaining(deployed.stack.workQueues.news.arn),
      }),
    ]);

    // In the work queue of news (not the queue it was redriven from), as it was sent.
    const sqs = await deployed.clients.sqs();
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: await queueUrl(deployed.stack.workQueues.news.name),
        WaitTimeSeconds: 2,
        MessageAttributeNames: ["All"],
      }),
    );
    expect(Messages).toHaveLength(1);
    expect(decodeShard(Messages[0]!.Body!)).toEqual(shardOf("news"));
    expect(Messages[0]!.MessageAttributes?.source?.StringValue).toBe("news");
    expect(Messages[0]!.MessageAttributes?.shard?.StringValue).toBe("1");
    expect((await depth(`shards-news${SUFFIX}`)).visible).toBe(0);
    expect((await depth(dlq)).visible).toBe(0);
  });

  it("a send that fails leaves the shard in the DLQ (nothing stored is lost)", async () => {
    const dlq = deployed.stack.queues.scraperDlq.name;
    await deadLetter("social");
    // The destination is gone: SQS refuses the send.
    const sqs = await deployed.clients.sqs();
    await sqs.send(
      new DeleteQueueCommand({ QueueUrl: await queueUrl(deployed.stack.workQueues.social.name) }),
    );

    const replayed = await cli("dlq", "replay", dlq, "--filter", "source=social", "--json");
    expect(replayed.code).toBe(1);
    const [report] = replayed.json as { failed: number; results: { outcome: string; removed: boolean }[] }[];
    expect(report).toMatchObject({ failed: 1 });
    expect(report!.results).toEqual([expect.objectContaining({ outcome: "failed", removed: false })]);
    expect(await depth(dlq)).toEqual({ visible: 1, inFlight: 0 });
    const peeked = await cli("dlq", "peek", dlq, "--json");
    const [peek] = peeked.json as { failures: { kind: string; shard?: { source: string } }[] }[];
    expect(peek!.failures).toEqual([
      expect.objectContaining({ kind: "scrape-shard", shard: expect.objectContaining({ source: "social" }) }),
    ]);
  });
});
