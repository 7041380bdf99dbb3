import { SOURCES } from "../model/sources.js";
import type { SourceName } from "../model/sources.js";
import {
  alarmArn,
  domainArn,
  functionArn,
  logGroupArn,
  logGroupName,
  queueArn,
  roleArn,
  ruleArn,
  topicArn,
} from "./arns.js";
import type { AccountRegion } from "./arns.js";
import { HANDLER_ENV } from "./handler-env.js";
import { declareRole, roleKeyOf } from "./iam.js";
import {
  ALARM_KEYS,
  FUNCTION_KEYS,
  MAPPING_KEYS,
  QUEUE_KEYS,
  ROLE_KEYS,
  RULE_KEYS,
  TOPIC_KEYS,
  scraperFunctionKey,
  sourceOfFunctionKey,
  sourceOfQueueKey,
  stackNames,
  workQueueKey,
} from "./names.js";
import type {
  AlarmKey,
  FunctionKey,
  MappingKey,
  QueueKey,
  RoleKey,
  RuleKey,
  StackNames,
  TopicKey,
} from "./names.js";
import { StackParamsError, opensearchDomainName, stackParamsProblems } from "./params.js";
import { resourceOrder } from "./order.js";
import {
  DEFAULT_HTTP_TIMEOUT_MS,
  DLQ_RETENTION_SECONDS,
  FAILURE_QUEUE_ALARM,
  FUNCTION_SIZING,
  HANDLER_MODULES,
  INDEX_GC_DELETES,
  LAMBDA_RUNTIME,
  MANUAL_SCRAPE_EVENT,
  OPENSEARCH_MAX_ATTEMPTS,
  RULE_TARGET_RETRY_POLICY,
  SCRAPER_ASYNC_INVOKE,
  SCRAPER_FAILURE_ALARM,
  STREAM_MAPPING,
  WEEKLY_SCHEDULE,
  WORKER_MAPPING,
  WORK_QUEUE,
  DEFAULT_SHARD_LEASE_SECONDS,
  DEFAULT_SHARD_RETRY_SECONDS,
} from "./settings.js";
import { CELEBRITY_RECORD_FILTER_PATTERN, declareTable } from "./table.js";
import type {
  AlarmDeclaration,
  EventSourceMappingDeclaration,
  FunctionDeclaration,
  FunctionKind,
  LogGroupDeclaration,
  OpenSearchIndexDeclaration,
  PermissionDeclaration,
  QueueDeclaration,
  RuleDeclaration,
  Stack,
  StackParams,
  TopicDeclaration,
  WorkerMappingDeclaration,
} from "./types.js";

/** Where each stream mapping sends the batches it gives up on: one failure queue per consumer. */
export const MAPPING_FAILURE_QUEUE: Record<MappingKey, QueueKey> = {
  "post-processor": "streamDlq",
  "index-sync": "indexSyncDlq",
};

function record<K extends string, V>(keys: readonly K[], value: (key: K) => V): Record<K, V> {
  return Object.fromEntries(keys.map((key) => [key, value(key)])) as Record<K, V>;
}

function kindOf(key: FunctionKey): FunctionKind {
  return sourceOfFunctionKey(key) === undefined ? (key as FunctionKind) : "scraper";
}

function declareQueue(at: AccountRegion, names: StackNames, key: QueueKey): QueueDeclaration {
  const name = names.queues[key];
  const arn = queueArn(at, name);
  const source = sourceOfQueueKey(key);
  if (source !== undefined) {
    return {
      key,
      purpose: "work",
      source,
      name,
      arn,
      definition: {
        QueueName: name,
        Attributes: {
          VisibilityTimeout: String(WORK_QUEUE.visibilityTimeoutSeconds),
          MessageRetentionPeriod: String(WORK_QUEUE.retentionSeconds),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: queueArn(at, names.queues.scraperDlq),
            maxReceiveCount: WORK_QUEUE.maxReceiveCount,
          }),
        },
      },
    };
  }
  const attributes: Record<string, string> = { MessageRetentionPeriod: String(DLQ_RETENTION_SECONDS) };
  if (key === "scraperDlq") {
    // EventBridge writes undeliverable events to a target DLQ as itself, so the queue must allow it,
    // and only for this stack's rules. (Lambda's own DLQ writes use the function's role instead.)
    attributes.Policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "EventBridgeRuleTargetDeadLetters",
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: ["sqs:SendMessage"],
          Resource: [arn],
          Condition: {
            ArnEquals: { "aws:SourceArn": RULE_KEYS.map((rule) => ruleArn(at, names.rules[rule])) },
          },
        },
      ],
    });
  }
  return {
    key,
    purpose: "failure",
    source: undefined,
    name,
    arn,
    definition: { QueueName: name, Attributes: attributes },
  };
}

function environmentFor(params: StackParams, names: StackNames, key: FunctionKey): Record<string, string> {
  const common: Record<string, string> = {
    [HANDLER_ENV.logLevel]: params.logLevel ?? "INFO",
    [HANDLER_ENV.serviceName]: names.functions[key],
  };
  const source = sourceOfFunctionKey(key);
  if (source !== undefined) {
    const sourceParams = params.sources[source];
    const env: Record<string, string> = {
      ...common,
      [HANDLER_ENV.tableName]: names.table,
      [HANDLER_ENV.sourceName]: source,
      [HANDLER_ENV.sourceBaseUrl]: sourceParams.baseUrl,
      [HANDLER_ENV.sourceRateLimit]: String(sourceParams.rateLimitPerSecond),
      [HANDLER_ENV.httpTimeoutMs]: String(sourceParams.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS),
    };
    if (sourceParams.auxBaseUrl !== undefined) env[HANDLER_ENV.sourceAuxBaseUrl] = sourceParams.auxBaseUrl;
    // The planner sends shards here; the workers' share of the rate is the limit over their bound.
    env[HANDLER_ENV.workQueueName] = names.queues[workQueueKey(source)];
    env[HANDLER_ENV.shardSize] = String(sourceParams.shardSize);
    env[HANDLER_ENV.workerConcurrency] = String(sourceParams.workerConcurrency);
    env[HANDLER_ENV.workMaxReceiveCount] = String(WORK_QUEUE.maxReceiveCount);
    env[HANDLER_ENV.shardLeaseSeconds] = String(
      sourceParams.shardLeaseSeconds ?? DEFAULT_SHARD_LEASE_SECONDS,
    );
    env[HANDLER_ENV.shardRetrySeconds] = String(
      sourceParams.shardRetrySeconds ?? DEFAULT_SHARD_RETRY_SECONDS,
    );
    // The key's name, never the key: the function reads it from SSM at cold start.
    env[HANDLER_ENV.sourceApiKeyParameter] = names.parameters[source];
    return env;
  }
  if (key === "post-processor") return { ...common, [HANDLER_ENV.tableName]: names.table };
  return {
    ...common,
    [HANDLER_ENV.opensearchEndpoint]: params.opensearch.endpoint,
    [HANDLER_ENV.opensearchIndex]: names.index,
    [HANDLER_ENV.opensearchMaxAttempts]: String(OPENSEARCH_MAX_ATTEMPTS),
  };
}

function declareFunction(params: StackParams, names: StackNames, key: FunctionKey): FunctionDeclaration {
  const at: AccountRegion = params;
  const kind = kindOf(key);
  const name = names.functions[key];
  const roleKey = roleKeyOf(key);
  const sizing = FUNCTION_SIZING[kind];
  const scraperDlqArn = queueArn(at, names.queues.scraperDlq);
  const isScraper = kind === "scraper";
  return {
    key,
    kind,
    source: sourceOfFunctionKey(key),
    name,
    arn: functionArn(at, name),
    roleKey,
    entry: { module: HANDLER_MODULES[kind], exportName: "handler", outfile: "index.mjs" },
    definition: {
      FunctionName: name,
      Runtime: LAMBDA_RUNTIME,
      Handler: "index.handler",
      Role: roleArn(at, names.roles[roleKey]),
      Timeout: sizing.timeoutSeconds,
      MemorySize: sizing.memoryMb,
      PackageType: "Zip",
      Architectures: ["x86_64"],
      Description: isScraper
        ? `Scrapes ${sourceOfFunctionKey(key)} for the celebrity roster into ${names.table}`
        : `Stream consumer of ${names.table}: ${kind}`,
      Environment: { Variables: environmentFor(params, names, key) },
      // Text format: START/END/REPORT lines as AWS writes them; application lines are JSON.
      LoggingConfig: { LogFormat: "Text" },
      ...(isScraper ? { DeadLetterConfig: { TargetArn: scraperDlqArn } } : {}),
    },
    eventInvokeConfig: isScraper
      ? {
          FunctionName: name,
          ...SCRAPER_ASYNC_INVOKE,
          DestinationConfig: { OnFailure: { Destination: scraperDlqArn } },
        }
      : undefined,
    logGroupName: logGroupName(name),
  };
}

/**
 * The source of a stack's manual scrape events: the base source plus the stack's suffix. The
 * manual rules of all stacks in an account listen on the default bus, so with one source for all,
 * the event that starts verify 4C's `-test` copy would start the stack's own scrapers too (a real
 * production scrape on AWS); with a source of its own, each stack's event starts only its scrapers.
 */
export function manualScrapeSource(suffix: string): string {
  return `${MANUAL_SCRAPE_EVENT.source}${suffix}`;
}

function declareRule(params: StackParams, names: StackNames, key: RuleKey): RuleDeclaration {
  const at: AccountRegion = params;
  const name = names.rules[key];
  const trigger =
    key === "weekly"
      ? {
          ScheduleExpression: WEEKLY_SCHEDULE,
          // Created DISABLED: verify phase 4D enables it (EnableRule) once 4A-4C have passed.
          State: "DISABLED" as const,
          Description: "Weekly scrape of all four sources, Sundays 02:00 UTC",
        }
      : {
          EventPattern: JSON.stringify({
            source: [manualScrapeSource(names.suffix)],
            "detail-type": [MANUAL_SCRAPE_EVENT.detailType],
          }),
          // ENABLED: a disabled rule matches nothing, and this one fires only on an operator's explicit
          // PutEvents, so enabling it schedules nothing. It is how "trigger now" and verify 4A/4C work.
          State: "ENABLED" as const,
          Description: `Manual scrape: PutEvents source ${manualScrapeSource(names.suffix)}, detail-type ${MANUAL_SCRAPE_EVENT.detailType}`,
        };
  return {
    key,
    name,
    arn: ruleArn(at, name),
    definition: { Name: name, EventBusName: "default", ...trigger },
    // Lambda targets are authorised by the function's resource policy (permissions below): no RoleArn.
    targets: SOURCES.map((source) => {
      const functionName = names.functions[scraperFunctionKey(source)];
      return {
        Id: functionName,
        Arn: functionArn(at, functionName),
        RetryPolicy: { ...RULE_TARGET_RETRY_POLICY },
        DeadLetterConfig: { Arn: queueArn(at, names.queues.scraperDlq) },
      };
    }),
  };
}

function declarePermissions(params: StackParams, names: StackNames): PermissionDeclaration[] {
  return RULE_KEYS.flatMap((ruleKey) =>
    SOURCES.map((source: SourceName) => {
      const functionKey = scraperFunctionKey(source);
      const functionName = names.functions[functionKey];
      const statementId = `invoke-by-${names.rules[ruleKey]}`;
      return {
        id: `${functionName}/${statementId}`,
        functionKey,
        ruleKey,
        definition: {
          FunctionName: functionName,
          StatementId: statementId,
          Action: "lambda:InvokeFunction",
          Principal: "events.amazonaws.com",
          SourceArn: ruleArn(params, names.rules[ruleKey]),
          SourceAccount: params.account,
        },
      };
    }),
  );
}

function declareMapping(
  params: StackParams,
  names: StackNames,
  key: MappingKey,
): EventSourceMappingDeclaration {
  return {
    key,
    functionKey: key,
    streamOfTable: names.table,
    definition: {
      FunctionName: names.functions[key],
      Enabled: true,
      ...STREAM_MAPPING,
      FunctionResponseTypes: [...STREAM_MAPPING.FunctionResponseTypes],
      FilterCriteria: { Filters: [{ Pattern: CELEBRITY_RECORD_FILTER_PATTERN }] },
      DestinationConfig: {
        OnFailure: { Destination: queueArn(params, names.queues[MAPPING_FAILURE_QUEUE[key]]) },
      },
    },
  };
}

/**
 * The workers: the scraper function itself on its source's work queue. The same function plans a
 * run (invoked by a rule) and scrapes shards (invoked by this mapping): one bundle, role, log group
 * and alarm per source, and the environment that says where the source is serves both.
 */
function declareWorkerMapping(
  params: StackParams,
  names: StackNames,
  source: SourceName,
): WorkerMappingDeclaration {
  const functionKey = scraperFunctionKey(source);
  const queueKey = workQueueKey(source);
  return {
    source,
    functionKey,
    queueKey,
    definition: {
      FunctionName: names.functions[functionKey],
      EventSourceArn: queueArn(params, names.queues[queueKey]),
      Enabled: true,
      BatchSize: WORKER_MAPPING.BatchSize,
      MaximumBatchingWindowInSeconds: WORKER_MAPPING.MaximumBatchingWindowInSeconds,
      FunctionResponseTypes: [...WORKER_MAPPING.FunctionResponseTypes],
      ScalingConfig: { MaximumConcurrency: params.sources[source].workerConcurrency },
    },
  };
}

function declareLogGroup(params: StackParams, names: StackNames, key: FunctionKey): LogGroupDeclaration {
  const name = logGroupName(names.functions[key]);
  return { functionKey: key, name, arn: logGroupArn(params, name), retentionInDays: params.logRetentionDays };
}

/**
 * One alarm over the four scrapers. A single-metric alarm watches one FunctionName dimension (or,
 * without dimensions, every function in the region, ours or not), so the alarm sums the four
 * scrapers' Errors with metric math: SUM over four MetricStats, each Errors / Sum / 300 s.
 */
function declareAlarm(params: StackParams, names: StackNames): AlarmDeclaration {
  const a = SCRAPER_FAILURE_ALARM;
  const queries = SOURCES.map((source) => ({
    Id: `errors_${source}`,
    MetricStat: {
      Metric: {
        Namespace: a.namespace,
        MetricName: a.metricName,
        Dimensions: [{ Name: "FunctionName", Value: names.functions[scraperFunctionKey(source)] }],
      },
      Period: a.periodSeconds,
      Stat: a.statistic,
    },
    ReturnData: false,
  }));
  return {
    key: "scraperFailures",
    name: names.alarm,
    arn: alarmArn(params, names.alarm),
    definition: {
      AlarmName: names.alarm,
      ActionsEnabled: true,
      AlarmActions: [topicArn(params, names.topics.alerts)],
      AlarmDescription: `${a.threshold} or more scraper errors (sum over the four scraper functions) in ${a.periodSeconds / 60} minutes`,
      ComparisonOperator: a.comparisonOperator,
      Threshold: a.threshold,
      EvaluationPeriods: a.evaluationPeriods,
      DatapointsToAlarm: a.evaluationPeriods,
      TreatMissingData: "notBreaching",
      Metrics: [
        ...queries,
        {
          Id: "scraper_errors",
          Expression: `SUM([${queries.map((query) => query.Id).join(",")}])`,
          Label: "Scraper errors",
          ReturnData: true,
        },
      ],
    },
  };
}

const FAILURE_QUEUE_ALARMS: Record<
  Exclude<AlarmKey, "scraperFailures">,
  { queue: QueueKey; what: string }
> = {
  scraperDlq: {
    queue: "scraperDlq",
    what: "a scrape event that failed after its retries, or that EventBridge could not deliver",
  },
  streamDlq: { queue: "streamDlq", what: "a stream batch the post-processor gave up on" },
  indexSyncFailures: {
    queue: "indexSyncDlq",
    what: "a stream batch index-sync gave up on after its retries",
  },
};

/** One message waiting in a failure queue raises the alarm within the minute it arrived in. */
function declareFailureQueueAlarm(
  params: StackParams,
  names: StackNames,
  key: Exclude<AlarmKey, "scraperFailures">,
): AlarmDeclaration {
  const a = FAILURE_QUEUE_ALARM;
  const { queue, what } = FAILURE_QUEUE_ALARMS[key];
  const name = names.alarms[key];
  return {
    key,
    name,
    arn: alarmArn(params, name),
    definition: {
      AlarmName: name,
      AlarmDescription: `${names.queues[queue]} holds a message: ${what} (pipeline dlq peek ${names.queues[queue]})`,
      ActionsEnabled: true,
      AlarmActions: [topicArn(params, names.topics.alerts)],
      Namespace: a.namespace,
      MetricName: a.metricName,
      Dimensions: [{ Name: "QueueName", Value: names.queues[queue] }],
      Statistic: a.statistic,
      Period: a.periodSeconds,
      EvaluationPeriods: a.evaluationPeriods,
      DatapointsToAlarm: a.evaluationPeriods,
      Threshold: a.threshold,
      ComparisonOperator: a.comparisonOperator,
      TreatMissingData: "notBreaching",
    },
  };
}

function declareAlarms(params: StackParams, names: StackNames): Record<AlarmKey, AlarmDeclaration> {
  return record(ALARM_KEYS, (key) =>
    key === "scraperFailures" ? declareAlarm(params, names) : declareFailureQueueAlarm(params, names, key),
  );
}

/** The topic every alarm notifies; operators subscribe to it with `pipeline alerts subscribe`. */
function declareTopic(params: StackParams, names: StackNames, key: TopicKey): TopicDeclaration {
  const name = names.topics[key];
  return {
    key,
    name,
    arn: topicArn(params, name),
    definition: { Name: name, Attributes: { DisplayName: "Celebrity pipeline alerts" } },
  };
}

function declareIndex(
  params: StackParams,
  names: StackNames,
  domainName: string,
): OpenSearchIndexDeclaration {
  const keyword = { type: "keyword" };
  const text = { type: "text" };
  const long = { type: "long" };
  return {
    name: names.index,
    endpoint: params.opensearch.endpoint,
    domainName,
    domainArn: domainArn(params, domainName),
    body: {
      settings: { number_of_shards: 1, number_of_replicas: 0, gc_deletes: INDEX_GC_DELETES },
      mappings: {
        dynamic: true,
        properties: {
          pk: keyword,
          sk: keyword,
          celebrityId: keyword,
          name: { type: "text", fields: { keyword: { type: "keyword" } } },
          category: keyword,
          country: keyword,
          city: keyword,
          source: keyword,
          timestamp: { type: "date" },
          processedAt: { type: "date" },
          weight: { type: "float" },
          sentiment: keyword,
          sentimentScore: { type: "float" },
          contentHash: keyword,
          enrichedHash: keyword,
          version: long,
          gsi1pk: keyword,
          gsi1sk: keyword,
          gsi2pk: keyword,
          // Numbers mapped explicitly: dynamic mapping would type a field from its first value, and a
          // later 42.5 in a field first seen as 42 would be truncated to a long.
          data: {
            properties: {
              source: keyword,
              tmdbId: long,
              popularity: { type: "float" },
              knownForDepartment: keyword,
              knownFor: text,
              biography: text,
              title: text,
              description: text,
              extract: text,
              pageViews: long,
              pageViewDays: long,
              articleCount: long,
              headlines: text,
              averageTone: { type: "float" },
              handle: keyword,
              displayName: text,
              followers: long,
              postsCount: long,
            },
          },
        },
      },
    },
  };
}

/**
 * The whole stack as data, a pure function of its parameters: deploy creates it, verify checks it,
 * the dlq and logs engines find their queues and groups in it, `pipeline run` takes each function's
 * environment from it. Throws StackParamsError listing every invalid parameter.
 */
export function defineStack(params: StackParams): Stack {
  const problems = stackParamsProblems(params);
  if (problems.length > 0) throw new StackParamsError(problems);
  const names = stackNames(params.suffix, params.opensearch.index);
  const domainName =
    params.opensearch.domainName ?? opensearchDomainName(params.opensearch.endpoint, params.opensearch.index);
  const alarms = declareAlarms(params, names);
  const queues = record(QUEUE_KEYS, (key) => declareQueue(params, names, key));
  const stackWithoutOrder: Omit<Stack, "resourceOrder"> = {
    params,
    names,
    table: declareTable(params, names.table),
    queues,
    workQueues: record(SOURCES, (source) => queues[workQueueKey(source)]),
    roles: record(ROLE_KEYS, (key: RoleKey) => declareRole(params, names, domainName, key)),
    functions: record(FUNCTION_KEYS, (key) => declareFunction(params, names, key)),
    logGroups: record(FUNCTION_KEYS, (key) => declareLogGroup(params, names, key)),
    rules: record(RULE_KEYS, (key) => declareRule(params, names, key)),
    permissions: declarePermissions(params, names),
    eventSourceMappings: record(MAPPING_KEYS, (key) => declareMapping(params, names, key)),
    workerMappings: record(SOURCES, (source) => declareWorkerMapping(params, names, source)),
    alarm: alarms.scraperFailures,
    alarms,
    topics: record(TOPIC_KEYS, (key) => declareTopic(params, names, key)),
    index: declareIndex(params, names, domainName),
  };
  return { ...stackWithoutOrder, resourceOrder: resourceOrder(stackWithoutOrder) };
}
