import {
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type MetricDataQuery,
} from "@aws-sdk/client-cloudwatch";
import { FilterLogEventsCommand, type FilteredLogEvent } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeTableCommand, ScanCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { GetFunctionConfigurationCommand, ListEventSourceMappingsCommand } from "@aws-sdk/client-lambda";
import { GetTopicAttributesCommand } from "@aws-sdk/client-sns";
import { GetQueueAttributesCommand, GetQueueUrlCommand } from "@aws-sdk/client-sqs";
import { KEY_PREFIX } from "../../pipeline/model/keys.js";
import type { Stack } from "../../pipeline/stack/index.js";
import { createOpenSearchClient } from "../../pipeline/stages/index-sync-opensearch.js";
import { readRunProgress } from "../../pipeline/stages/run-progress.js";
import type { AwsClients } from "../aws/index.js";
import { failureQueues } from "../dlq/index.js";
import { digestLogMessage } from "../logs/digest.js";
import { readRule, RuleNotDeployedError, upcomingFireTimes } from "../schedule/index.js";
import type {
  AlarmRow,
  AlertsRow,
  FunctionRow,
  IndexRow,
  MappingRow,
  PipelineStatus,
  QueueRow,
  RuleRow,
  RunRow,
  TableRow,
  WorkerRow,
} from "./types.js";

export interface GatherOptions {
  clients: AwsClients;
  stack: Stack;
  /** The instant the status describes (fire times, error window); injected by tests. */
  now?: () => Date;
  /** How far back errors are counted and looked for (default 24 h). */
  errorWindowMs?: number;
  /** OpenSearch endpoint; default the stack's. null: not shown (no domain configured). */
  opensearchEndpoint?: string | null;
  /** Items per Scan request (Limit); default DynamoDB's 1 MB pages. Smaller pages spread the read. */
  scanPageLimit?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Log lines that mean an invocation failed: runtime errors, ERROR-level logs, timeouts, crashes. */
export const ERROR_LOG_PATTERN = '?ERROR ?"Task timed out" ?"Error Type"';

/**
 * Reads everything `pipeline status` shows, each section on its own: a resource that does not
 * exist is reported as missing, and a section that cannot be read carries its error, so one
 * problem never hides the rest of the screen.
 */
export async function gatherStatus(options: GatherOptions): Promise<PipelineStatus> {
  const now = (options.now ?? (() => new Date()))();
  const since = now.getTime() - (options.errorWindowMs ?? DAY_MS);
  const { clients, stack } = options;
  // Every function's Errors and Invocations in one GetMetricData call (not two calls per function).
  const metrics = lambdaMetrics(
    clients,
    Object.values(stack.functions).map((fn) => fn.name),
    since,
    now,
  ).catch(() => new Map<string, LambdaCounts>());
  const [rules, functions, queues, tableWithRun, mappings, index, alarms, alerts, workers] =
    await Promise.all([
      Promise.all(Object.values(stack.rules).map((rule) => ruleRow(options, rule, now))),
      Promise.all(Object.values(stack.functions).map((fn) => functionRow(options, fn, since, metrics))),
      queueRows(options),
      tableRow(options),
      Promise.all(Object.values(stack.eventSourceMappings).map((mapping) => mappingRow(options, mapping))),
      indexRow(options),
      alarmRows(options),
      alertsRow(options),
      workerRows(options),
    ]);
  const { latestRunId, ...table } = tableWithRun;
  const latestRun = latestRunId === undefined ? undefined : await runRow(options, latestRunId);
  return {
    at: now.toISOString(),
    target: clients.target,
    account: stack.params.account,
    region: stack.params.region,
    rules,
    functions,
    queues,
    table,
    mappings,
    index,
    alarms,
    alerts,
    workers,
    latestRun,
  };
}

/** Each source's work queue depth and worker mapping. */
async function workerRows(options: GatherOptions): Promise<WorkerRow[]> {
  const sqs = await options.clients.sqs();
  const lambda = await options.clients.lambda();
  return Promise.all(
    Object.values(options.stack.workerMappings).map(async (mapping): Promise<WorkerRow> => {
      const queue = options.stack.workQueues[mapping.source];
      const row: WorkerRow = {
        source: mapping.source,
        queue: queue.name,
        queueExists: false,
        visible: 0,
        inFlight: 0,
        functionName: mapping.definition.FunctionName,
        mappingState: "missing",
        maximumConcurrency: undefined,
        lastProcessingResult: undefined,
      };
      try {
        const { QueueUrl } = await sqs.send(
          new GetQueueUrlCommand({ QueueName: queue.name, QueueOwnerAWSAccountId: queue.arn.split(":")[4] }),
        );
        const { Attributes = {} } = await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl,
            AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
          }),
        );
        row.queueExists = true;
        row.visible = Number(Attributes.ApproximateNumberOfMessages ?? 0);
        row.inFlight = Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
        const listed = await lambda.send(
          new ListEventSourceMappingsCommand({
            FunctionName: mapping.definition.FunctionName,
            EventSourceArn: queue.arn,
          }),
        );
        const live = (listed.EventSourceMappings ?? []).find((m) => m.EventSourceArn === queue.arn);
        if (live) {
          row.mappingState = live.State ?? "unknown";
          row.maximumConcurrency = live.ScalingConfig?.MaximumConcurrency;
          row.lastProcessingResult = live.LastProcessingResult;
        }
      } catch (error) {
        if (!isNotFound(error)) row.error = message(error);
      }
      return row;
    }),
  );
}

/** A run as one thing: every source's plan and its shard records summed. */
async function runRow(options: GatherOptions, runId: string): Promise<RunRow> {
  try {
    const progress = await readRunProgress(await options.clients.dynamodb(), options.stack.table.name, runId);
    const states = [...progress.values()];
    const planned = states.map((s) => s.plan?.plannedAt).filter((at): at is string => at !== undefined);
    return {
      runId,
      plannedAt: planned.sort()[0],
      sources: states.map((s) => ({
        source: s.source,
        state: s.complete ? "complete" : s.plan?.status === "planned" ? "running" : "planning",
        shards: s.shards,
        done: s.done,
        failed: s.failed,
        pending: s.pending,
        retrying: s.retrying,
        people: s.people,
        written: s.counts.written,
        unchanged: s.counts.unchanged,
        failedPeople: s.counts.failed,
        peopleInFailedShards: s.peopleInFailedShards,
        finishedAt: s.finishedAt,
        lastError: s.lastError,
      })),
    };
  } catch (error) {
    return { runId, plannedAt: undefined, sources: [], error: message(error) };
  }
}

function message(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.name && error.name !== "Error" ? `${error.name}: ${error.message}` : error.message;
}

function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string }).name ?? "";
  return (
    name === "ResourceNotFoundException" ||
    name === "QueueDoesNotExist" ||
    name === "AWS.SimpleQueueService.NonExistentQueue" ||
    name === "NotFoundException"
  );
}

/** Every alarm of the stack with its state: the ones in ALARM first. */
async function alarmRows(options: GatherOptions): Promise<AlarmRow[]> {
  const declared = Object.values(options.stack.alarms);
  let live;
  try {
    const cloudwatch = await options.clients.cloudwatch();
    live = (await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: declared.map((a) => a.name) })))
      .MetricAlarms;
  } catch (error) {
    return declared.map((a) => ({
      name: a.name,
      state: "unknown",
      reason: undefined,
      since: undefined,
      actions: 0,
      error: message(error),
    }));
  }
  const rows = declared.map((a): AlarmRow => {
    const found = (live ?? []).find((m) => m.AlarmName === a.name);
    if (!found) return { name: a.name, state: "missing", reason: undefined, since: undefined, actions: 0 };
    return {
      name: a.name,
      state: found.StateValue ?? "unknown",
      reason: found.StateReason,
      since: found.StateTransitionedTimestamp?.toISOString() ?? found.StateUpdatedTimestamp?.toISOString(),
      actions: found.ActionsEnabled === false ? 0 : (found.AlarmActions ?? []).length,
    };
  });
  return [...rows.filter((r) => r.state === "ALARM"), ...rows.filter((r) => r.state !== "ALARM")];
}

async function alertsRow(options: GatherOptions): Promise<AlertsRow> {
  const topic = options.stack.topics.alerts;
  const base = { topic: topic.name, exists: false, confirmed: 0, pending: 0 };
  try {
    const sns = await options.clients.sns();
    const { Attributes = {} } = await sns.send(new GetTopicAttributesCommand({ TopicArn: topic.arn }));
    return {
      ...base,
      exists: true,
      confirmed: Number(Attributes["SubscriptionsConfirmed"] ?? 0),
      pending: Number(Attributes["SubscriptionsPending"] ?? 0),
    };
  } catch (error) {
    if (isNotFound(error)) return base;
    return { ...base, error: message(error) };
  }
}

async function ruleRow(
  options: GatherOptions,
  rule: Stack["rules"][keyof Stack["rules"]],
  now: Date,
): Promise<RuleRow> {
  const base = { key: rule.key, name: rule.name, nextRun: null, nextRunIfEnabled: null, targets: 0 };
  try {
    const live = await readRule(await options.clients.eventbridge(), rule);
    const next = live.scheduleExpression ? upcomingFireTimes(live.scheduleExpression, now, 1)[0] : undefined;
    const nextIso = next ? next.toISOString() : null;
    return {
      ...base,
      state: live.state,
      schedule: live.scheduleExpression,
      nextRun: live.state === "ENABLED" ? nextIso : null,
      nextRunIfEnabled: nextIso,
      targets: live.targets.length,
    };
  } catch (error) {
    if (error instanceof RuleNotDeployedError) return { ...base, state: "missing", schedule: undefined };
    return { ...base, state: "unknown", schedule: undefined, error: message(error) };
  }
}

async function functionRow(
  options: GatherOptions,
  fn: Stack["functions"][keyof Stack["functions"]],
  since: number,
  metrics: Promise<Map<string, LambdaCounts>>,
): Promise<FunctionRow> {
  const base = {
    key: fn.key,
    name: fn.name,
    lastUpdateStatus: undefined,
    errors: null,
    invocations: null,
    lastError: null,
  };
  let config;
  try {
    const lambda = await options.clients.lambda();
    config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn.name }));
  } catch (error) {
    if (isNotFound(error)) return { ...base, state: "missing" };
    return { ...base, state: "unknown", error: message(error) };
  }
  const [counts, lastError] = await Promise.all([
    metrics.then((all) => all.get(fn.name) ?? { errors: null, invocations: null }),
    lastErrorLine(options.clients, fn.logGroupName, since).catch(() => null),
  ]);
  return {
    ...base,
    state: config.State ?? "Active",
    lastUpdateStatus: config.LastUpdateStatus,
    ...counts,
    lastError,
  };
}

interface LambdaCounts {
  errors: number | null;
  invocations: number | null;
}

/** Sums of AWS/Lambda Errors and Invocations per function over the window, from GetMetricData. */
async function lambdaMetrics(
  clients: AwsClients,
  functionNames: string[],
  since: number,
  now: Date,
): Promise<Map<string, LambdaCounts>> {
  const cloudwatch = await clients.cloudwatch();
  const query = (id: string, metric: string, functionName: string): MetricDataQuery => ({
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: "AWS/Lambda",
        MetricName: metric,
        Dimensions: [{ Name: "FunctionName", Value: functionName }],
      },
      Period: 3600,
      Stat: "Sum",
    },
  });
  const queries = functionNames.flatMap((name, n) => [
    query(`errors${n}`, "Errors", name),
    query(`invocations${n}`, "Invocations", name),
  ]);
  const totals = new Map<string, number>();
  let nextToken: string | undefined;
  do {
    const page = await cloudwatch.send(
      new GetMetricDataCommand({
        MetricDataQueries: queries,
        StartTime: new Date(since),
        EndTime: now,
        ...(nextToken ? { NextToken: nextToken } : {}),
      }),
    );
    for (const result of page.MetricDataResults ?? []) {
      const sum = (result.Values ?? []).reduce((total, v) => total + v, 0);
      totals.set(result.Id!, (totals.get(result.Id!) ?? 0) + sum);
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return new Map(
    functionNames.map((name, n) => [
      name,
      { errors: totals.get(`errors${n}`) ?? 0, invocations: totals.get(`invocations${n}`) ?? 0 },
    ]),
  );
}

/** The newest error line of the window: FilterLogEvents returns oldest first, so read to the end. */
async function lastErrorLine(
  clients: AwsClients,
  logGroupName: string,
  since: number,
): Promise<{ at: string; message: string; cause: string } | null> {
  const logs = await clients.logs();
  let latest: FilteredLogEvent | undefined;
  let nextToken: string | undefined;
  try {
    for (let page = 0; page < 20; page += 1) {
      const result = await logs.send(
        new FilterLogEventsCommand({
          logGroupName,
          startTime: since,
          filterPattern: ERROR_LOG_PATTERN,
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      for (const event of result.events ?? []) {
        if (!latest || (event.timestamp ?? 0) >= (latest.timestamp ?? 0)) latest = event;
      }
      nextToken = result.nextToken;
      if (!nextToken) break;
    }
  } catch (error) {
    // A function that never ran has no log group yet.
    if (isNotFound(error)) return null;
    throw error;
  }
  if (!latest) return null;
  return {
    at: new Date(latest.timestamp ?? 0).toISOString(),
    message: (latest.message ?? "").trim().replace(/\s+/g, " ").slice(0, 300),
    cause: digestLogMessage(latest.message ?? "").text.slice(0, 500),
  };
}

/** Depth of every failure queue (GetQueueAttributes only: reading the status receives nothing). */
async function queueRows(options: GatherOptions): Promise<QueueRow[]> {
  const sqs = await options.clients.sqs();
  return Promise.all(
    failureQueues(options.stack).map(async (queue): Promise<QueueRow> => {
      const base = {
        name: queue.name,
        feeds: queue.feeds,
        exists: false,
        visible: 0,
        inFlight: 0,
        delayed: 0,
      };
      const owner = queue.arn.split(":")[4];
      try {
        const { QueueUrl } = await sqs.send(
          new GetQueueUrlCommand({
            QueueName: queue.name,
            ...(owner ? { QueueOwnerAWSAccountId: owner } : {}),
          }),
        );
        const { Attributes = {} } = await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl,
            AttributeNames: [
              "ApproximateNumberOfMessages",
              "ApproximateNumberOfMessagesNotVisible",
              "ApproximateNumberOfMessagesDelayed",
            ],
          }),
        );
        return {
          ...base,
          exists: true,
          visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
          inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
          delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
        };
      } catch (error) {
        if (isNotFound(error)) return base;
        return { ...base, error: message(error) };
      }
    }),
  );
}

/**
 * Celebrity items with and without weight, and run records, in one paginated scan projecting only
 * the key and the weight (a filtered COUNT scan counts one 1 MB page, so every page is followed).
 */
async function tableRow(options: GatherOptions): Promise<TableRow & { latestRunId?: string }> {
  const name = options.stack.table.name;
  const base = {
    name,
    exists: false,
    items: 0,
    withWeight: 0,
    withoutWeight: 0,
    runRecords: 0,
    roster: 0,
    activeRoster: 0,
    streamEnabled: false,
  };
  const ddb = await options.clients.dynamodb();
  let streamEnabled = false;
  try {
    const described = await ddb.send(new DescribeTableCommand({ TableName: name }));
    streamEnabled = described.Table?.StreamSpecification?.StreamEnabled === true;
  } catch (error) {
    if (isNotFound(error)) return base;
    return { ...base, error: message(error) };
  }
  const counts = { items: 0, withWeight: 0, runRecords: 0, roster: 0, activeRoster: 0 };
  // The latest run: the run record (not a shard record) planned last.
  let latest: { runId: string; plannedAt: string } | undefined;
  let start: Record<string, AttributeValue> | undefined;
  try {
    do {
      const page = await ddb.send(
        new ScanCommand({
          TableName: name,
          ProjectionExpression: "#pk, #weight, #active, #recordType, #runId, #plannedAt",
          ...(options.scanPageLimit ? { Limit: options.scanPageLimit } : {}),
          ExpressionAttributeNames: {
            "#pk": "pk",
            "#weight": "weight",
            "#active": "active",
            "#recordType": "recordType",
            "#runId": "runId",
            "#plannedAt": "plannedAt",
          },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const pk = item["pk"]?.S ?? "";
        if (pk.startsWith(KEY_PREFIX.celebrity)) {
          counts.items += 1;
          if (item["weight"] !== undefined) counts.withWeight += 1;
        } else if (pk.startsWith(KEY_PREFIX.run)) {
          if (item["recordType"]?.S !== "run") continue;
          counts.runRecords += 1;
          const runId = item["runId"]?.S;
          const plannedAt = item["plannedAt"]?.S ?? "";
          if (runId !== undefined && (latest === undefined || plannedAt > latest.plannedAt))
            latest = { runId, plannedAt };
        } else if (pk.startsWith(KEY_PREFIX.roster)) {
          counts.roster += 1;
          // A record without the flag is followed, as the scrapers read it.
          if (item["active"]?.BOOL !== false) counts.activeRoster += 1;
        }
      }
      start = page.LastEvaluatedKey;
    } while (start);
  } catch (error) {
    return { ...base, exists: true, streamEnabled, error: message(error) };
  }
  return {
    name,
    exists: true,
    streamEnabled,
    items: counts.items,
    withWeight: counts.withWeight,
    withoutWeight: counts.items - counts.withWeight,
    runRecords: counts.runRecords,
    roster: counts.roster,
    activeRoster: counts.activeRoster,
    ...(latest ? { latestRunId: latest.runId } : {}),
  };
}

async function mappingRow(
  options: GatherOptions,
  mapping: Stack["eventSourceMappings"][keyof Stack["eventSourceMappings"]],
): Promise<MappingRow> {
  const functionName = mapping.definition.FunctionName;
  const base = {
    key: mapping.key,
    functionName,
    batchSize: undefined,
    lastProcessingResult: undefined,
    stateTransitionReason: undefined,
  };
  try {
    const lambda = await options.clients.lambda();
    const listed = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: functionName }));
    // The mapping from this table's stream (a function could have others).
    const tableArn = options.stack.table.arn;
    const live = (listed.EventSourceMappings ?? []).find((m) =>
      m.EventSourceArn?.startsWith(`${tableArn}/stream/`),
    );
    if (!live) return { ...base, state: "missing" };
    return {
      ...base,
      state: live.State ?? "unknown",
      batchSize: live.BatchSize,
      lastProcessingResult: live.LastProcessingResult,
      stateTransitionReason: live.StateTransitionReason,
    };
  } catch (error) {
    if (isNotFound(error)) return { ...base, state: "missing" };
    return { ...base, state: "unknown", error: message(error) };
  }
}

async function indexRow(options: GatherOptions): Promise<IndexRow> {
  const { index } = options.stack;
  const endpoint = options.opensearchEndpoint === undefined ? index.endpoint : options.opensearchEndpoint;
  const base = { name: index.name, endpoint: endpoint ?? "", exists: false, documents: null };
  if (!endpoint) return { ...base, error: "no OpenSearch endpoint configured (opensearch.endpoint)" };
  const client = createOpenSearchClient(endpoint, { region: options.stack.params.region });
  try {
    const result = await client.count({ index: index.name });
    return { ...base, exists: true, documents: Number((result.body as { count?: number }).count ?? 0) };
  } catch (error) {
    const status = (error as { meta?: { statusCode?: number } }).meta?.statusCode;
    if (status === 404) return base;
    return { ...base, error: message(error) };
  } finally {
    await client.close().catch(() => {});
  }
}
