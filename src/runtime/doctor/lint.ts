import type { ResourceKind } from "../../pipeline/stack/index.js";
import { keyLikeVariables } from "../secrets/index.js";
import type { Severity } from "./findings.js";
import type { Topology } from "./topology.js";

/** A good-practice problem found in a topology, before the fix is decided. */
export interface Problem {
  severity: Severity;
  code: string;
  resource: { kind: ResourceKind; name: string };
  message: string;
  /** The fix when it is neither a deploy nor a change of the declaration. */
  fix?: string;
}

/** SQS keeps messages 4 days by default; a DLQ that keeps less loses failures before anyone looks. */
export const MIN_DLQ_RETENTION_SECONDS = 4 * 24 * 3600;

/**
 * AWS good practice for every asynchronous edge of the pipeline (aws-behaviour.md, DESIGN.md §1):
 * rule targets retry and keep undeliverable events; asynchronously invoked functions route failed
 * events somewhere; stream mappings bound their retries, isolate poison records, report partial
 * failures and keep what they give up on; DLQs keep messages long enough; queues that are not
 * DLQs redrive; log groups expire.
 */
export function lintTopology(topology: Topology): Problem[] {
  const problems: Problem[] = [];
  const queueArns = new Set(topology.queues.map((queue) => queue.arn));
  const queueByArn = new Map(topology.queues.map((queue) => [queue.arn, queue]));
  const deadLetterArns = new Set<string>();
  const add = (problem: Problem) => problems.push(problem);

  for (const target of topology.ruleTargets) {
    const resource = { kind: "rule" as const, name: target.rule };
    const where = `rule ${target.rule} target ${target.targetId}`;
    if (!target.retryPolicy) {
      add({
        severity: "warning",
        code: "rule-target-retry-policy",
        resource,
        message: `${where} has no RetryPolicy (EventBridge then retries for 24 h, 185 attempts)`,
      });
    }
    if (!target.deadLetterArn) {
      add({
        severity: "error",
        code: "rule-target-dlq",
        resource,
        message: `${where} has no DeadLetterConfig: events it cannot deliver are dropped`,
      });
    } else {
      deadLetterArns.add(target.deadLetterArn);
      const queue = queueByArn.get(target.deadLetterArn);
      if (!queue) {
        add({
          severity: "error",
          code: "rule-target-dlq-missing",
          resource,
          message: `${where} sends undeliverable events to ${target.deadLetterArn}, which does not exist`,
        });
      } else if (!queue.allowsEventBridge) {
        add({
          severity: "error",
          code: "rule-target-dlq-policy",
          resource: { kind: "queue", name: queue.name },
          message: `queue ${queue.name} does not allow events.amazonaws.com to SendMessage: ${where} cannot write its dead letters`,
        });
      }
    }
  }

  const targetsByFunction = new Map<string, string[]>();
  for (const target of topology.ruleTargets) {
    const rules = targetsByFunction.get(target.targetArn) ?? [];
    rules.push(target.ruleArn);
    targetsByFunction.set(target.targetArn, rules);
  }
  for (const fn of topology.asyncFunctions) {
    const resource = { kind: "function" as const, name: fn.name };
    const config = fn.eventInvokeConfig;
    const onFailure = config?.onFailure;
    if (!config) {
      add({
        severity: "warning",
        code: "function-event-invoke-config",
        resource: { kind: "event-invoke-config", name: fn.name },
        message: `function ${fn.name} has no event invoke config (AWS defaults: 2 retries, events kept 6 h)`,
      });
    }
    if (!onFailure && !fn.deadLetterArn) {
      add({
        severity: "error",
        code: "function-async-failure-route",
        resource: { kind: "event-invoke-config", name: fn.name },
        message: `function ${fn.name} is invoked asynchronously but has neither an on-failure destination nor a DLQ: failed events are dropped after the retries`,
      });
    }
    for (const [route, arn] of [
      ["on-failure destination", onFailure],
      ["DLQ", fn.deadLetterArn],
    ] as const) {
      if (!arn) continue;
      deadLetterArns.add(arn);
      if (arn.split(":")[2] === "sqs" && !queueArns.has(arn)) {
        add({
          severity: "error",
          code: "function-async-failure-route-missing",
          resource,
          message: `function ${fn.name}'s ${route} ${arn} does not exist`,
        });
      }
    }
    for (const ruleArn of targetsByFunction.get(fn.arn) ?? []) {
      if (!fn.invokableByRules.includes(ruleArn)) {
        add({
          severity: "error",
          code: "function-rule-permission",
          resource: { kind: "permission", name: fn.name },
          message: `function ${fn.name} does not let events.amazonaws.com invoke it for ${ruleArn}: the rule's deliveries fail`,
        });
      }
    }
  }

  for (const mapping of topology.mappings) {
    const resource = { kind: "event-source-mapping" as const, name: mapping.functionName };
    const where = `mapping ${mapping.key} -> ${mapping.functionName}`;
    if (mapping.state !== "Enabled") {
      add({
        severity: "warning",
        code: "mapping-state",
        resource,
        message: `${where} is ${mapping.state}: its stream records are not processed`,
      });
    }
    if (mapping.maximumRetryAttempts === undefined || mapping.maximumRetryAttempts < 0) {
      add({
        severity: "error",
        code: "mapping-retries",
        resource,
        message: `${where} retries a failing batch until its records expire (MaximumRetryAttempts -1): one bad record blocks the shard for up to 24 h`,
      });
    }
    if (!mapping.bisectBatchOnFunctionError) {
      add({
        severity: "warning",
        code: "mapping-bisect",
        resource,
        message: `${where} does not bisect failing batches (BisectBatchOnFunctionError): a poison record fails its whole batch`,
      });
    }
    if (!mapping.reportBatchItemFailures) {
      add({
        severity: "warning",
        code: "mapping-partial-failures",
        resource,
        message: `${where} lacks FunctionResponseTypes ReportBatchItemFailures: a failed record retries the whole batch`,
      });
    }
    if (!mapping.onFailure) {
      add({
        severity: "error",
        code: "mapping-on-failure",
        resource,
        message: `${where} has no on-failure destination: batches it gives up on are lost without a trace`,
      });
    } else {
      deadLetterArns.add(mapping.onFailure);
      if (mapping.onFailure.split(":")[2] === "sqs" && !queueArns.has(mapping.onFailure)) {
        add({
          severity: "error",
          code: "mapping-on-failure-missing",
          resource,
          message: `${where}'s on-failure destination ${mapping.onFailure} does not exist`,
        });
      }
    }
  }

  for (const queue of topology.queues) {
    const resource = { kind: "queue" as const, name: queue.name };
    if (queue.redrive?.deadLetterTargetArn) deadLetterArns.add(queue.redrive.deadLetterTargetArn);
    if (deadLetterArns.has(queue.arn)) {
      if ((queue.retentionSeconds ?? 345_600) < MIN_DLQ_RETENTION_SECONDS) {
        add({
          severity: "warning",
          code: "dlq-retention",
          resource,
          message: `dead-letter queue ${queue.name} keeps messages ${queue.retentionSeconds} s, less than 4 days: failures may expire before anyone looks`,
        });
      }
    } else if (!queue.redrive?.deadLetterTargetArn) {
      add({
        severity: "warning",
        code: "queue-redrive",
        resource,
        message: `queue ${queue.name} has no RedrivePolicy: a message that always fails is received forever`,
      });
    }
  }

  for (const group of topology.logGroups) {
    const resource = { kind: "log-group" as const, name: group.name };
    if (!group.exists) {
      add({
        severity: "warning",
        code: "log-group-missing",
        resource,
        message: `log group ${group.name} does not exist: Lambda creates it on first use without retention (kept forever)`,
      });
    } else if (group.retentionInDays === undefined) {
      add({
        severity: "warning",
        code: "log-retention",
        resource,
        message: `log group ${group.name} has no retention: its logs are kept (and billed) forever`,
      });
    }
  }
  for (const fn of topology.functionEnvironments) {
    for (const found of keyLikeVariables(fn.variables)) {
      add({
        severity: "error",
        code: "secret-in-environment",
        resource: { kind: "function", name: fn.name },
        message:
          `function ${fn.name}: environment variable ${found.name} looks like a key (${found.reason}): ` +
          "anyone allowed lambda:GetFunctionConfiguration reads it",
        ...(fn.source === undefined
          ? {}
          : {
              fix: `pipeline secrets set ${fn.source} (the key goes to SSM Parameter Store), then pipeline deploy (it puts back the declared environment, without ${found.name})`,
            }),
      });
    }
  }
  for (const worker of topology.workers) {
    const queue = { kind: "queue" as const, name: worker.queueName };
    const mapping = { kind: "worker-mapping" as const, name: worker.functionName };
    if (
      worker.visibilityTimeoutSeconds !== undefined &&
      worker.functionTimeoutSeconds !== undefined &&
      worker.visibilityTimeoutSeconds < 6 * worker.functionTimeoutSeconds
    ) {
      add({
        severity: "warning",
        code: "work-queue-visibility",
        resource: queue,
        message: `work queue ${worker.queueName} hides a received shard ${worker.visibilityTimeoutSeconds} s, less than six times ${worker.functionName}'s timeout (${worker.functionTimeoutSeconds} s, AWS's advice): a shard can be handed to a second worker while the first still works on it`,
      });
    }
    if (worker.mapping === undefined) {
      add({
        severity: "error",
        code: "worker-mapping-missing",
        resource: mapping,
        message: `work queue ${worker.queueName} has no mapping to ${worker.functionName}: the shards planned there are never scraped`,
      });
      continue;
    }
    if (worker.mapping.state !== "Enabled") {
      add({
        severity: "warning",
        code: "worker-mapping-state",
        resource: mapping,
        message: `the worker mapping of ${worker.functionName} on ${worker.queueName} is ${worker.mapping.state}: shards wait in the queue`,
      });
    }
    if (!worker.mapping.reportBatchItemFailures) {
      add({
        severity: "warning",
        code: "worker-partial-failures",
        resource: mapping,
        message: `the worker mapping of ${worker.functionName} lacks FunctionResponseTypes ReportBatchItemFailures: one failed shard retries its whole batch`,
      });
    }
    if (worker.mapping.maximumConcurrency === undefined) {
      add({
        severity: "error",
        code: "worker-concurrency",
        resource: mapping,
        message: `the worker mapping of ${worker.functionName} has no ScalingConfig.MaximumConcurrency: Lambda may run up to 1,000 workers, and the ${worker.source} rate limit then holds per worker, not for the source`,
      });
    }
  }
  const topicsByArn = new Map(topology.topics.map((topic) => [topic.arn, topic]));
  for (const alarm of topology.alarms) {
    const resource = { kind: "alarm" as const, name: alarm.name };
    if (alarm.alarmActions.length === 0 || !alarm.actionsEnabled) {
      add({
        severity: "warning",
        code: "alarm-actions",
        resource,
        message: `alarm ${alarm.name} ${alarm.alarmActions.length === 0 ? "has no alarm action" : "has its actions disabled"}: when it goes to ALARM nobody is told`,
      });
    }
    for (const action of alarm.alarmActions) {
      if (action.split(":")[2] === "sns" && !topicsByArn.has(action)) {
        add({
          severity: "error",
          code: "alarm-action-topic-missing",
          resource,
          message: `alarm ${alarm.name} notifies ${action}, which does not exist: its notifications are lost`,
        });
      }
    }
  }
  for (const topic of topology.topics) {
    if (topic.confirmedSubscriptions === 0) {
      add({
        severity: "warning",
        code: "alerts-no-subscriber",
        resource: { kind: "topic", name: topic.name },
        message: `topic ${topic.name} has no confirmed subscription: the alarms notify nobody`,
        fix: "pipeline alerts subscribe --email ADDR | --webhook URL | --queue NAME (an e-mail or webhook subscription counts once confirmed)",
      });
    }
  }
  return problems;
}
