import type { Stack } from "../../pipeline/stack/index.js";
import type { Topology } from "./topology.js";

/** The topology the stack declaration describes. */
export function declaredTopology(stack: Stack): Topology {
  const rules = Object.values(stack.rules);
  const ruleTargets = rules.flatMap((rule) =>
    rule.targets.map((target) => ({
      rule: rule.name,
      ruleArn: rule.arn,
      targetId: target.Id,
      targetArn: target.Arn,
      retryPolicy: target.RetryPolicy
        ? {
            maximumRetryAttempts: target.RetryPolicy.MaximumRetryAttempts,
            maximumEventAgeInSeconds: target.RetryPolicy.MaximumEventAgeInSeconds,
          }
        : undefined,
      deadLetterArn: target.DeadLetterConfig?.Arn,
    })),
  );
  const targetArns = new Set(ruleTargets.map((target) => target.targetArn));
  const asyncFunctions = Object.values(stack.functions)
    .filter((fn) => targetArns.has(fn.arn))
    .map((fn) => {
      const config = fn.eventInvokeConfig;
      return {
        name: fn.name,
        arn: fn.arn,
        eventInvokeConfig: config
          ? {
              maximumRetryAttempts: config.MaximumRetryAttempts,
              maximumEventAgeInSeconds: config.MaximumEventAgeInSeconds,
              onFailure: config.DestinationConfig?.OnFailure?.Destination,
            }
          : undefined,
        deadLetterArn: fn.definition.DeadLetterConfig?.TargetArn,
        invokableByRules: stack.permissions
          .filter((permission) => permission.functionKey === fn.key)
          .map((permission) => permission.definition.SourceArn),
      };
    });
  const mappings = Object.values(stack.eventSourceMappings).map((mapping) => {
    const d = mapping.definition;
    return {
      key: mapping.key,
      functionName: d.FunctionName,
      state: d.Enabled === false ? "Disabled" : "Enabled",
      batchSize: d.BatchSize,
      maximumRetryAttempts: d.MaximumRetryAttempts,
      bisectBatchOnFunctionError: d.BisectBatchOnFunctionError === true,
      reportBatchItemFailures: (d.FunctionResponseTypes ?? []).includes("ReportBatchItemFailures"),
      onFailure: d.DestinationConfig?.OnFailure?.Destination,
    };
  });
  const queues = Object.values(stack.queues).map((queue) => {
    const attributes = queue.definition.Attributes ?? {};
    return {
      name: queue.name,
      arn: queue.arn,
      retentionSeconds: attributes.MessageRetentionPeriod
        ? Number(attributes.MessageRetentionPeriod)
        : undefined,
      redrive: attributes.RedrivePolicy
        ? (JSON.parse(attributes.RedrivePolicy) as { deadLetterTargetArn?: string; maxReceiveCount?: number })
        : undefined,
      allowsEventBridge: policyAllowsEventBridge(attributes.Policy),
    };
  });
  const logGroups = Object.values(stack.logGroups).map((group) => ({
    functionName: stack.functions[group.functionKey].name,
    name: group.name,
    exists: true,
    retentionInDays: group.retentionInDays,
  }));
  const alarms = Object.values(stack.alarms).map((alarm) => ({
    name: alarm.name,
    actionsEnabled: alarm.definition.ActionsEnabled !== false,
    alarmActions: [...(alarm.definition.AlarmActions ?? [])],
  }));
  const topics = Object.values(stack.topics).map((topic) => ({
    name: topic.name,
    arn: topic.arn,
    confirmedSubscriptions: undefined,
  }));
  const functionEnvironments = Object.values(stack.functions).map((fn) => ({
    name: fn.name,
    source: fn.source,
    variables: { ...(fn.definition.Environment?.Variables ?? {}) },
  }));
  const workers = Object.values(stack.workerMappings).map((mapping) => {
    const queue = stack.workQueues[mapping.source];
    const d = mapping.definition;
    const visibility = queue.definition.Attributes?.VisibilityTimeout;
    return {
      source: mapping.source,
      queueName: queue.name,
      queueArn: queue.arn,
      visibilityTimeoutSeconds: visibility === undefined ? undefined : Number(visibility),
      functionName: d.FunctionName,
      functionTimeoutSeconds: stack.functions[mapping.functionKey].definition.Timeout,
      mapping: {
        state: d.Enabled ? "Enabled" : "Disabled",
        batchSize: d.BatchSize,
        reportBatchItemFailures: d.FunctionResponseTypes.includes("ReportBatchItemFailures"),
        maximumConcurrency: d.ScalingConfig.MaximumConcurrency,
      },
    };
  });
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

/** Whether an SQS access policy (JSON text) allows events.amazonaws.com to send messages. */
export function policyAllowsEventBridge(policy: string | undefined): boolean {
  if (!policy) return false;
  let document: { Statement?: unknown };
  try {
    document = JSON.parse(policy) as { Statement?: unknown };
  } catch {
    return false;
  }
  const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  return statements.some((raw) => {
    const statement = raw as { Effect?: string; Principal?: unknown; Action?: unknown } | undefined;
    if (statement?.Effect !== "Allow") return false;
    const principal = statement.Principal as { Service?: string | string[] } | string | undefined;
    const services =
      principal === "*" ? ["*"] : typeof principal === "object" ? [principal.Service ?? []].flat() : [];
    const actions = [statement.Action ?? []].flat() as string[];
    return (
      (services.includes("events.amazonaws.com") || services.includes("*")) &&
      actions.some((action) => action === "sqs:SendMessage" || action === "sqs:*" || action === "*")
    );
  });
}
