import { DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { GetTopicAttributesCommand } from "@aws-sdk/client-sns";
import {
  GetFunctionConfigurationCommand,
  GetFunctionEventInvokeConfigCommand,
  GetPolicyCommand,
  ListEventSourceMappingsCommand,
} from "@aws-sdk/client-lambda";
import { GetQueueAttributesCommand, GetQueueUrlCommand } from "@aws-sdk/client-sqs";
import type { Stack } from "../../pipeline/stack/index.js";
import type { AwsClients } from "../aws/index.js";
import { failureQueues } from "../dlq/index.js";
import { readRule, RuleNotDeployedError } from "../schedule/index.js";
import { policyAllowsEventBridge } from "./declared.js";
import type {
  AlarmShape,
  AsyncFunctionShape,
  FunctionEnvironmentShape,
  LogGroupShape,
  MappingShape,
  QueueShape,
  RuleTargetShape,
  TopicShape,
  Topology,
  WorkerShape,
} from "./topology.js";

function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string }).name ?? "";
  return (
    name === "ResourceNotFoundException" ||
    name === "QueueDoesNotExist" ||
    name === "AWS.SimpleQueueService.NonExistentQueue" ||
    name === "NotFoundException"
  );
}

/**
 * The deployed topology, read through the same APIs an operator would use. Resources that do not
 * exist are left out (the drift report names them); everything present is read as it is.
 */
export async function liveTopology(clients: AwsClients, stack: Stack): Promise<Topology> {
  const [ruleTargets, mappings, queues, logGroups, alarms, functionEnvironments, workers] = await Promise.all(
    [
      readRuleTargets(clients, stack),
      readMappings(clients, stack),
      readQueues(clients, stack),
      readLogGroups(clients, stack),
      readAlarms(clients, stack),
      readFunctionEnvironments(clients, stack),
      readWorkers(clients, stack),
    ],
  );
  const [asyncFunctions, topics] = await Promise.all([
    readAsyncFunctions(clients, ruleTargets),
    readTopics(clients, alarms),
  ]);
  return {
    ruleTargets,
    asyncFunctions,
    mappings,
    queues,
    logGroups,
    alarms,
    topics,
    functionEnvironments,
    workers,
  };
}

/** Each source's work queue that exists, its visibility timeout, and the worker mapping on it. */
async function readWorkers(clients: AwsClients, stack: Stack): Promise<WorkerShape[]> {
  const [sqs, lambda] = await Promise.all([clients.sqs(), clients.lambda()]);
  const found = await Promise.all(
    Object.values(stack.workerMappings).map(async (declared): Promise<WorkerShape | undefined> => {
      const queue = stack.workQueues[declared.source];
      const functionName = declared.definition.FunctionName;
      let attributes: Record<string, string>;
      try {
        const { QueueUrl } = await sqs.send(
          new GetQueueUrlCommand({ QueueName: queue.name, QueueOwnerAWSAccountId: queue.arn.split(":")[4] }),
        );
        attributes =
          (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["VisibilityTimeout"] })))
            .Attributes ?? {};
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
      const [config, listed] = await Promise.all([
        lambda
          .send(new GetFunctionConfigurationCommand({ FunctionName: functionName }))
          .catch((error: unknown) => {
            if (isNotFound(error)) return undefined;
            throw error;
          }),
        lambda
          .send(new ListEventSourceMappingsCommand({ FunctionName: functionName, EventSourceArn: queue.arn }))
          .catch((error: unknown) => {
            if (isNotFound(error)) return undefined;
            throw error;
          }),
      ]);
      const live = (listed?.EventSourceMappings ?? []).find((m) => m.EventSourceArn === queue.arn);
      return {
        source: declared.source,
        queueName: queue.name,
        queueArn: queue.arn,
        visibilityTimeoutSeconds:
          attributes.VisibilityTimeout === undefined ? undefined : Number(attributes.VisibilityTimeout),
        functionName,
        functionTimeoutSeconds: config?.Timeout,
        mapping: live
          ? {
              state: live.State ?? "unknown",
              batchSize: live.BatchSize,
              reportBatchItemFailures: (live.FunctionResponseTypes ?? []).includes("ReportBatchItemFailures"),
              maximumConcurrency: live.ScalingConfig?.MaximumConcurrency,
            }
          : undefined,
      };
    }),
  );
  return found.filter((worker): worker is WorkerShape => worker !== undefined);
}

async function readRuleTargets(clients: AwsClients, stack: Stack): Promise<RuleTargetShape[]> {
  const eventbridge = await clients.eventbridge();
  const perRule = await Promise.all(
    Object.values(stack.rules).map(async (rule) => {
      try {
        const live = await readRule(eventbridge, rule);
        return live.targets.map((target) => ({
          rule: rule.name,
          ruleArn: live.arn,
          targetId: target.id,
          targetArn: target.arn,
          retryPolicy: target.retryPolicy,
          deadLetterArn: target.deadLetterArn,
        }));
      } catch (error) {
        if (error instanceof RuleNotDeployedError) return [];
        throw error;
      }
    }),
  );
  return perRule.flat();
}

/** Every function a deployed rule target invokes (the targets as deployed, not as declared). */
async function readAsyncFunctions(
  clients: AwsClients,
  targets: RuleTargetShape[],
): Promise<AsyncFunctionShape[]> {
  const lambda = await clients.lambda();
  const arns = [...new Set(targets.map((target) => target.targetArn))].filter(
    (arn) => arn.split(":")[2] === "lambda",
  );
  const found = await Promise.all(
    arns.map(async (arn): Promise<AsyncFunctionShape | undefined> => {
      const name = arn.split(":")[6] ?? arn;
      let config;
      try {
        config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
      const [invokeConfig, policy] = await Promise.all([
        lambda
          .send(new GetFunctionEventInvokeConfigCommand({ FunctionName: name }))
          .catch((error: unknown) => {
            if (isNotFound(error)) return undefined;
            throw error;
          }),
        lambda.send(new GetPolicyCommand({ FunctionName: name })).catch((error: unknown) => {
          if (isNotFound(error)) return undefined;
          throw error;
        }),
      ]);
      return {
        name,
        arn: config.FunctionArn ?? arn,
        eventInvokeConfig: invokeConfig
          ? {
              maximumRetryAttempts: invokeConfig.MaximumRetryAttempts,
              maximumEventAgeInSeconds: invokeConfig.MaximumEventAgeInSeconds,
              onFailure: invokeConfig.DestinationConfig?.OnFailure?.Destination,
            }
          : undefined,
        deadLetterArn: config.DeadLetterConfig?.TargetArn,
        invokableByRules: rulesAllowed(policy?.Policy),
      };
    }),
  );
  return found.filter((fn): fn is AsyncFunctionShape => fn !== undefined);
}

/** Source ARNs for which a function policy lets events.amazonaws.com invoke the function. */
function rulesAllowed(policy: string | undefined): string[] {
  if (!policy) return [];
  const document = JSON.parse(policy) as { Statement?: Record<string, unknown>[] };
  const rules: string[] = [];
  for (const statement of document.Statement ?? []) {
    const principal = statement["Principal"] as { Service?: string | string[] } | undefined;
    const services = [principal?.Service ?? []].flat();
    if (statement["Effect"] !== "Allow" || !services.includes("events.amazonaws.com")) continue;
    const condition = statement["Condition"] as Record<string, Record<string, string | string[]>> | undefined;
    const source = condition?.["ArnLike"]?.["AWS:SourceArn"] ?? condition?.["ArnEquals"]?.["AWS:SourceArn"];
    rules.push(...[source ?? "*"].flat());
  }
  return rules;
}

async function readMappings(clients: AwsClients, stack: Stack): Promise<MappingShape[]> {
  const lambda = await clients.lambda();
  const found = await Promise.all(
    Object.values(stack.eventSourceMappings).map(async (mapping): Promise<MappingShape | undefined> => {
      const functionName = mapping.definition.FunctionName;
      let listed;
      try {
        listed = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: functionName }));
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
      const live = (listed.EventSourceMappings ?? []).find((m) =>
        m.EventSourceArn?.startsWith(`${stack.table.arn}/stream/`),
      );
      if (!live) return undefined;
      return {
        key: mapping.key,
        functionName,
        state: live.State ?? "unknown",
        batchSize: live.BatchSize,
        maximumRetryAttempts: live.MaximumRetryAttempts,
        bisectBatchOnFunctionError: live.BisectBatchOnFunctionError === true,
        reportBatchItemFailures: (live.FunctionResponseTypes ?? []).includes("ReportBatchItemFailures"),
        onFailure: live.DestinationConfig?.OnFailure?.Destination,
      };
    }),
  );
  return found.filter((mapping): mapping is MappingShape => mapping !== undefined);
}

/** The declared queues and every queue the stack routes failures to, as far as they exist. */
async function readQueues(clients: AwsClients, stack: Stack): Promise<QueueShape[]> {
  const sqs = await clients.sqs();
  const candidates = new Map<string, string>();
  for (const queue of Object.values(stack.queues)) candidates.set(queue.arn, queue.name);
  for (const queue of failureQueues(stack)) candidates.set(queue.arn, queue.name);
  const found = await Promise.all(
    [...candidates].map(async ([arn, name]): Promise<QueueShape | undefined> => {
      const owner = arn.split(":")[4];
      try {
        const { QueueUrl } = await sqs.send(
          new GetQueueUrlCommand({ QueueName: name, ...(owner ? { QueueOwnerAWSAccountId: owner } : {}) }),
        );
        const { Attributes = {} } = await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }),
        );
        return {
          name,
          arn: Attributes.QueueArn ?? arn,
          retentionSeconds: Attributes.MessageRetentionPeriod
            ? Number(Attributes.MessageRetentionPeriod)
            : undefined,
          redrive: Attributes.RedrivePolicy
            ? (JSON.parse(Attributes.RedrivePolicy) as QueueShape["redrive"])
            : undefined,
          allowsEventBridge: policyAllowsEventBridge(Attributes.Policy),
        };
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    }),
  );
  return found.filter((queue): queue is QueueShape => queue !== undefined);
}

async function readLogGroups(clients: AwsClients, stack: Stack): Promise<LogGroupShape[]> {
  const logs = await clients.logs();
  return Promise.all(
    Object.values(stack.logGroups).map(async (group): Promise<LogGroupShape> => {
      const functionName = stack.functions[group.functionKey].name;
      const listed = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group.name }));
      const live = (listed.logGroups ?? []).find((candidate) => candidate.logGroupName === group.name);
      return {
        functionName,
        name: group.name,
        exists: live !== undefined,
        retentionInDays: live?.retentionInDays,
      };
    }),
  );
}

/** The environment of each of the stack's functions that exists, as deployed. */
async function readFunctionEnvironments(
  clients: AwsClients,
  stack: Stack,
): Promise<FunctionEnvironmentShape[]> {
  const lambda = await clients.lambda();
  const found = await Promise.all(
    Object.values(stack.functions).map(async (fn): Promise<FunctionEnvironmentShape | undefined> => {
      try {
        const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn.name }));
        return { name: fn.name, source: fn.source, variables: { ...(config.Environment?.Variables ?? {}) } };
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    }),
  );
  return found.filter((shape): shape is FunctionEnvironmentShape => shape !== undefined);
}

/** The stack's alarms that exist, with their actions as deployed. */
async function readAlarms(clients: AwsClients, stack: Stack): Promise<AlarmShape[]> {
  const cloudwatch = await clients.cloudwatch();
  const names = Object.values(stack.alarms).map((alarm) => alarm.name);
  const { MetricAlarms = [] } = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names }));
  return MetricAlarms.map((alarm) => ({
    name: alarm.AlarmName ?? "",
    actionsEnabled: alarm.ActionsEnabled !== false,
    alarmActions: [...(alarm.AlarmActions ?? [])],
  }));
}

/** Every SNS topic a deployed alarm notifies, as far as it exists, with its confirmed subscriptions. */
async function readTopics(clients: AwsClients, alarms: AlarmShape[]): Promise<TopicShape[]> {
  const arns = [...new Set(alarms.flatMap((alarm) => alarm.alarmActions))].filter(
    (arn) => arn.split(":")[2] === "sns",
  );
  if (arns.length === 0) return [];
  const sns = await clients.sns();
  const found = await Promise.all(
    arns.map(async (arn): Promise<TopicShape | undefined> => {
      try {
        const { Attributes = {} } = await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }));
        return {
          name: arn.split(":")[5] ?? arn,
          arn,
          confirmedSubscriptions: Number(Attributes["SubscriptionsConfirmed"] ?? 0),
        };
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    }),
  );
  return found.filter((topic): topic is TopicShape => topic !== undefined);
}
