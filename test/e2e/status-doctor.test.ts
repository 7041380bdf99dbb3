/**
 * `pipeline status` and `pipeline doctor` against the real stack deployed into an in-process
 * emulator (one deployment for the file): the engines directly, and the CLI as a process pointed at
 * the same emulator. Tests run in order: reads first, then the doctor's broken-topology cases.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutMetricAlarmCommand } from "@aws-sdk/client-cloudwatch";
import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import {
  InvokeCommand,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
} from "@aws-sdk/client-lambda";
import {
  CreateQueueCommand,
  GetQueueUrlCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAILURE_QUEUE_KEYS, defineStack } from "../../src/pipeline/stack/index.js";
import { subscribeAlerts } from "../../src/runtime/alerts/index.js";
import { deployStack } from "../../src/runtime/deploy/index.js";
import { runDoctor, type DoctorReport } from "../../src/runtime/doctor/index.js";
import { gatherStatus, type PipelineStatus } from "../../src/runtime/status/index.js";
import { bundleCli, removeCliBundle, runCli } from "../helpers/cli-bundle.js";
import { PROJECT_ROOT, startDeployedStack, type DeployedStack } from "../helpers/deployed-stack.js";

let deployed: DeployedStack;
let cli: string;
const work = mkdtempSync(join(tmpdir(), "pipeline-e2e-status-"));

/** The CLI, configured the way startDeployedStack configured the deployment. */
function pipeline(args: string[]) {
  return runCli(cli, [...args, "--endpoint-url", deployed.emulator.url], {
    // The project folder: doctor bundles the handler sources from there to compare function code.
    cwd: PROJECT_ROOT,
    env: {
      PATH: process.env["PATH"] ?? "",
      HOME: work,
      PIPELINE_TARGET: "local",
      PIPELINE_FIXTURES_PORT: String(deployed.fixtures.port),
      AWS_REGION: deployed.emulator.region,
    },
  });
}

async function waitFor<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Waits until the stream failure records in a DLQ cover `records` stream records (the sum of their
 * DDBStreamBatchInfo.batchSize), looking with VisibilityTimeout 0 so the messages stay visible.
 */
async function waitForStreamFailures(sqs: SQSClient, queueUrl: string, records: number): Promise<void> {
  const seen = new Map<string, number>();
  const until = Date.now() + 120_000;
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
    );
    for (const message of Messages) {
      const body = JSON.parse(message.Body ?? "{}") as { DDBStreamBatchInfo?: { batchSize?: number } };
      seen.set(message.MessageId!, body.DDBStreamBatchInfo?.batchSize ?? 0);
    }
    const covered = [...seen.values()].reduce((sum, size) => sum + size, 0);
    if (covered >= records) return;
    if (Date.now() > until) throw new Error(`stream failures cover ${covered} of ${records} records`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function mappingUuid(functionName: string): Promise<string> {
  const lambda = await deployed.clients.lambda();
  const listed = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: functionName }));
  return listed.EventSourceMappings![0]!.UUID!;
}

beforeAll(async () => {
  [deployed, cli] = await Promise.all([startDeployedStack({ rosterSize: 100 }), bundleCli("e2e-status")]);
}, 240_000);

afterAll(async () => {
  await deployed?.stop();
  removeCliBundle(cli);
  rmSync(work, { recursive: true, force: true });
});

describe("status", () => {
  it("a fresh deployment: rules disabled with the next run they would have, everything else empty and healthy", async () => {
    const now = new Date("2026-11-23T12:00:00Z");
    const status = await gatherStatus({ clients: deployed.clients, stack: deployed.stack, now: () => now });

    expect(status.rules).toEqual([
      expect.objectContaining({
        key: "weekly",
        state: "DISABLED",
        schedule: "cron(0 2 ? * SUN *)",
        nextRun: null,
        nextRunIfEnabled: "2026-11-29T02:00:00.000Z",
        targets: 4,
      }),
      expect.objectContaining({ key: "manual", state: "ENABLED", nextRun: null, targets: 4 }),
    ]);
    expect(status.functions.map((fn) => [fn.key, fn.state, fn.errors, fn.lastError])).toEqual(
      Object.values(deployed.stack.functions).map((fn) => [fn.key, "Active", 0, null]),
    );
    expect(status.queues.map((queue) => [queue.name, queue.exists, queue.visible])).toEqual(
      // The failure queues; the work queues are shown with the runs they carry.
      FAILURE_QUEUE_KEYS.map((key) => [deployed.stack.queues[key].name, true, 0]),
    );
    // Each source's work queue, empty, with its workers bounded as configured.
    expect(
      status.workers.map((w) => [w.queue, w.queueExists, w.visible, w.mappingState, w.maximumConcurrency]),
    ).toEqual(Object.values(deployed.stack.workQueues).map((queue) => [queue.name, true, 0, "Enabled", 2]));
    expect(status.latestRun).toBeUndefined();
    expect(status.table).toMatchObject({ exists: true, items: 0, withWeight: 0, streamEnabled: true });
    expect(status.mappings.map((mapping) => [mapping.key, mapping.state, mapping.batchSize])).toEqual([
      ["post-processor", "Enabled", 100],
      ["index-sync", "Enabled", 100],
    ]);
    expect(status.index).toMatchObject({ exists: true, documents: 0 });
  });

  it("counts items with and without weight, shows a disabled mapping, a function's errors and the index count", async () => {
    const { stack, clients } = deployed;
    const lambda = await clients.lambda();
    // Stop enrichment so the counts hold still; index-sync keeps indexing.
    const postProcessor = await mappingUuid(stack.functions["post-processor"].name);
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: postProcessor, Enabled: false }));
    await waitFor(
      () => gatherStatus({ clients, stack }),
      (status) => status.mappings[0]!.state === "Disabled",
    );
    const ddb = await clients.dynamodb();
    const item = (id: string, weight?: number) => ({
      pk: { S: `CELEB#${id}` },
      sk: { S: "SOURCE#tmdb" },
      name: { S: `Celebrity ${id}` },
      source: { S: "tmdb" },
      timestamp: { S: "2026-11-23T12:00:00.000Z" },
      ...(weight === undefined ? {} : { weight: { N: String(weight) } }),
    });
    for (const entry of [item("s1", 0.5), item("s2"), item("s3")]) {
      await ddb.send(new PutItemCommand({ TableName: stack.table.name, Item: entry }));
    }
    await ddb.send(
      new PutItemCommand({
        TableName: stack.table.name,
        Item: {
          pk: { S: "RUN#r1" },
          sk: { S: "SOURCE#tmdb" },
          recordType: { S: "run" },
          runId: { S: "r1" },
          source: { S: "tmdb" },
          status: { S: "planned" },
          shards: { N: "2" },
          rosterSize: { N: "30" },
          plannedAt: { S: "2026-11-23T11:00:00.000Z" },
        },
      }),
    );
    // One of its two shards done: the run shows as running, counts summed from the shard record.
    await ddb.send(
      new PutItemCommand({
        TableName: stack.table.name,
        Item: {
          pk: { S: "RUN#r1" },
          sk: { S: "SOURCE#tmdb#SHARD#000000" },
          recordType: { S: "shard" },
          runId: { S: "r1" },
          source: { S: "tmdb" },
          shard: { N: "0" },
          shards: { N: "2" },
          people: { N: "15" },
          status: { S: "done" },
          finishedAt: { S: "2026-11-23T11:01:00.000Z" },
          counts: {
            M: { fetched: { N: "15" }, written: { N: "14" }, unchanged: { N: "0" }, failed: { N: "1" } },
          },
        },
      }),
    );
    // A malformed stream event makes index-sync fail: one error, and an error line in its log group.
    await lambda.send(
      new InvokeCommand({ FunctionName: stack.functions["index-sync"].name, Payload: '{"Records":7}' }),
    );

    const status: PipelineStatus = await waitFor(
      () => gatherStatus({ clients, stack }),
      (read) =>
        read.index.documents === 3 && (read.functions.find((fn) => fn.key === "index-sync")?.errors ?? 0) > 0,
    );

    expect(status.table).toMatchObject({
      items: 3,
      withWeight: 1,
      withoutWeight: 2,
      runRecords: 1,
      roster: 100,
      activeRoster: 100,
    });
    // The same counts when the scan takes several pages (Limit 1: one item per page).
    const paged = await gatherStatus({ clients, stack, scanPageLimit: 1 });
    expect(paged.table).toMatchObject({
      items: 3,
      withWeight: 1,
      withoutWeight: 2,
      runRecords: 1,
      roster: 100,
      activeRoster: 100,
    });
    expect(status.latestRun).toMatchObject({
      runId: "r1",
      sources: [
        { source: "tmdb", state: "running", shards: 2, done: 1, pending: 1, written: 14, failedPeople: 1 },
      ],
    });
    expect(status.mappings[0]).toMatchObject({ key: "post-processor", state: "Disabled" });
    expect(status.index.documents).toBe(3);
    const indexSync = status.functions.find((fn) => fn.key === "index-sync")!;
    expect(indexSync.errors).toBe(1);
    expect(indexSync.lastError?.message).toMatch(/ERROR/);

    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: postProcessor, Enabled: true }));
  }, 120_000);

  it("a stack that is not deployed shows every resource missing, without failing", async () => {
    const absent = defineStack({ ...deployed.stack.params, suffix: "-absent" });

    const status = await gatherStatus({ clients: deployed.clients, stack: absent });

    expect(status.rules.map((rule) => rule.state)).toEqual(["missing", "missing"]);
    expect(new Set(status.functions.map((fn) => fn.state))).toEqual(new Set(["missing"]));
    expect(status.queues.every((queue) => !queue.exists && !queue.error)).toBe(true);
    expect(status.table).toMatchObject({ exists: false });
    expect(new Set(status.mappings.map((mapping) => mapping.state))).toEqual(new Set(["missing"]));
    expect(status.index).toMatchObject({ exists: false, documents: null });
  });

  it("pipeline status --json prints the same data once; plain text when piped", async () => {
    const json = await pipeline(["status", "--json"]);
    expect(json.stderr).toBe("");
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as PipelineStatus;
    expect(report).toMatchObject({ target: "local", account: deployed.stack.params.account });
    expect(report.table).toMatchObject({ name: deployed.stack.table.name, items: 3, runRecords: 1 });
    expect(report.rules[0]).toMatchObject({ name: deployed.stack.rules.weekly.name, state: "DISABLED" });

    const plain = await pipeline(["status"]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain("Rules\nRULE");
    expect(plain.stdout).toMatch(new RegExp(`^${deployed.stack.table.name} +100 active +3 +`, "m"));
    expect(plain.stdout).not.toContain("\u001b[");
  }, 120_000);
});

describe("doctor", () => {
  const doctor = () =>
    runDoctor({
      clients: deployed.clients,
      stack: deployed.stack,
      projectRoot: deployed.context.projectRoot,
    });

  it("failures waiting in a failure queue are an error naming dlq peek and replay; drained, they are gone", async () => {
    // The status tests above wrote three items the post-processor cannot enrich (no data, no
    // contentHash): once its mapping is enabled again, their stream batches fail into the stream DLQ.
    const queue = deployed.stack.queues.streamDlq;
    // They reach the queue when the mapping gives up on their batches, after its retries: wait
    // until the failure records there cover the three incomplete items, so none arrives later.
    const sqs = await deployed.clients.sqs();
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queue.name }));
    await waitForStreamFailures(sqs, QueueUrl!, 3);
    const waiting = await doctor();
    const depth = waiting.findings.find((finding) => finding.code === "failure-queue-depth");
    expect(depth).toMatchObject({
      severity: "error",
      resource: { kind: "queue", name: queue.name },
      message: expect.stringMatching(
        new RegExp(`^failure queue ${queue.name} holds \\d+ failures?`),
      ) as unknown,
      fix: `pipeline dlq peek ${queue.name} shows why they failed; once the cause is fixed, pipeline dlq replay ${queue.name}`,
    });
    expect(waiting.ok).toBe(false);

    await sqs.send(new PurgeQueueCommand({ QueueUrl }));
    const drained = await doctor();
    expect(drained.findings.map((finding) => finding.code)).not.toContain("failure-queue-depth");
  }, 180_000);

  it("the deployed stack as declared: no errors, no drift; a topic nobody hears is the one warning until a queue subscribes", async () => {
    const unheard = await doctor();
    expect(unheard.findings.filter((finding) => finding.severity !== "info")).toEqual([
      expect.objectContaining({
        severity: "warning",
        code: "alerts-no-subscriber",
        resource: { kind: "topic", name: deployed.stack.topics.alerts.name },
      }),
    ]);
    const sqs = await deployed.clients.sqs();
    await sqs.send(new CreateQueueCommand({ QueueName: "doctor-oncall" }));
    await subscribeAlerts(deployed.clients, deployed.stack, { kind: "queue", name: "doctor-oncall" });

    const report = await doctor();

    expect(report.findings.filter((finding) => finding.severity !== "info")).toEqual([]);
    expect(report).toMatchObject({ ok: true, drift: { differing: 0 } });
    expect(report.drift.compared).toBeGreaterThan(20);
  });

  it("without the handler sources, or when the plan cannot be made, the lint still runs and says drift was not computed", async () => {
    const { clients, stack } = deployed;
    const withoutSources = await runDoctor({ clients, stack, projectRoot: null });
    expect(withoutSources.findings).toEqual([
      expect.objectContaining({ severity: "info", code: "drift-not-computed" }),
    ]);
    expect(withoutSources.ok).toBe(true);

    const unreachableIndex = await runDoctor({
      clients,
      stack,
      projectRoot: deployed.context.projectRoot,
      opensearchEndpoint: "http://127.0.0.1:9/opensearch/us-east-1/celebrities",
    });
    expect(unreachableIndex.findings).toEqual([
      expect.objectContaining({
        severity: "warning",
        code: "drift-not-computed",
        message: expect.stringContaining("opensearch") as unknown,
      }),
    ]);
    expect(unreachableIndex.ok).toBe(true);
  });

  it("a stack that is not deployed: every resource is an error naming pipeline deploy, nothing crashes", async () => {
    const absent = defineStack({ ...deployed.stack.params, suffix: "-absent" });

    const report = await runDoctor({
      clients: deployed.clients,
      stack: absent,
      projectRoot: deployed.context.projectRoot,
    });

    expect(report.ok).toBe(false);
    const notDeployed = report.findings.filter((finding) => finding.code === "not-deployed");
    expect(notDeployed.map((finding) => finding.resource.name)).toEqual(
      absent.resourceOrder.map((resource) => resource.name),
    );
    expect(new Set(notDeployed.map((finding) => finding.fix))).toEqual(new Set(["pipeline deploy"]));
    // Nothing deployed, nothing to lint but the log groups Lambda would create without retention.
    expect(
      report.findings.filter((finding) => finding.code !== "not-deployed").map((finding) => finding.code),
    ).toEqual(Object.values(absent.logGroups).map(() => "log-group-missing"));
  });

  it("a rule target without its DLQ and a mapping's batch size changed: the findings, their fixes, exit 1; a deploy repairs both", async () => {
    const { stack, clients } = deployed;
    const weekly = stack.rules.weekly;
    const [first, ...others] = weekly.targets;
    const { DeadLetterConfig: _removed, ...withoutDlq } = first!;
    const eventbridge = await clients.eventbridge();
    await eventbridge.send(new PutTargetsCommand({ Rule: weekly.name, Targets: [withoutDlq, ...others] }));
    const lambda = await clients.lambda();
    const indexSync = await mappingUuid(stack.functions["index-sync"].name);
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: indexSync, BatchSize: 10 }));
    // The DLQ alarm put back without its action: it would go to ALARM and tell nobody.
    const dlqAlarm = stack.alarms.scraperDlq;
    const { AlarmActions: _actions, ...silent } = dlqAlarm.definition;
    const cloudwatch = await clients.cloudwatch();
    await cloudwatch.send(new PutMetricAlarmCommand(silent));

    const report: DoctorReport = await doctor();

    expect(report.ok).toBe(false);
    expect(report.findings).toContainEqual({
      severity: "error",
      code: "rule-target-dlq",
      resource: { kind: "rule", name: weekly.name },
      message: `rule ${weekly.name} target ${first!.Id} has no DeadLetterConfig: events it cannot deliver are dropped`,
      fix: "pipeline deploy",
    });
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        severity: "warning",
        code: "drift",
        resource: {
          kind: "event-source-mapping",
          name: expect.stringContaining(stack.functions["index-sync"].name),
        },
        field: "BatchSize",
        deployed: 10,
        declared: 100,
        fix: "pipeline deploy",
      }),
    );
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        code: "drift",
        resource: { kind: "rule", name: weekly.name },
        message: `rule ${weekly.name}: Targets.${first!.Id}.DeadLetterConfig is absent, declared ${JSON.stringify(first!.DeadLetterConfig)}`,
        field: `Targets.${first!.Id}.DeadLetterConfig`,
        declared: first!.DeadLetterConfig,
      }),
    );
    expect(report.findings).toContainEqual({
      severity: "warning",
      code: "alarm-actions",
      resource: { kind: "alarm", name: dlqAlarm.name },
      message: `alarm ${dlqAlarm.name} has no alarm action: when it goes to ALARM nobody is told`,
      fix: "pipeline deploy",
    });
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        code: "drift",
        resource: { kind: "alarm", name: dlqAlarm.name },
        field: "AlarmActions",
        declared: [stack.topics.alerts.arn],
      }),
    );
    expect(report.findings[0]!.severity).toBe("error");

    const json = await pipeline(["doctor", "--json"]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, summary: { error: report.summary.error } });
    const plain = await pipeline(["doctor"]);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toContain(
      `error    rule ${weekly.name} target ${first!.Id} has no DeadLetterConfig`,
    );
    expect(plain.stdout).toMatch(
      /warning {2}event-source-mapping .*: BatchSize is 10, declared 100\n {9}fix: pipeline deploy/,
    );
    expect(plain.stderr).toContain(`pipeline: doctor found ${report.summary.error} error`);

    await deployStack(deployed.context);
    const repaired = await doctor();
    expect(repaired).toMatchObject({ ok: true, drift: { differing: 0 } });
  }, 180_000);
});
