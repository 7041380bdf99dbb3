import {
  ALARM_KEYS,
  FUNCTION_KEYS,
  MAPPING_KEYS,
  QUEUE_KEYS,
  ROLE_KEYS,
  RULE_KEYS,
  TOPIC_KEYS,
} from "./names.js";
import type { ResourceKind, ResourceRef, Stack } from "./types.js";

export function resourceId(kind: ResourceKind, name: string): string {
  return `${kind}:${name}`;
}

/**
 * Every resource of the stack in creation order (queues → topics → roles → table → log groups →
 * functions → invoke configs → permissions → rules with targets → stream mappings → worker mappings → alarms → index), each with
 * the ids it depends on. ARNs are computed, not looked up, so dependencies are only the ones AWS
 * checks at creation: a function needs its role (and DLQ), a rule's targets need the functions,
 * a mapping needs the table's stream, the function and its on-failure queue.
 */
export function resourceOrder(stack: Omit<Stack, "resourceOrder">): ResourceRef[] {
  const refs: ResourceRef[] = [];
  const add = (
    kind: ResourceKind,
    name: string,
    dependsOn: string[] = [],
    id = resourceId(kind, name),
  ): string => {
    refs.push({ kind, id, name, dependsOn });
    return id;
  };
  // A work queue's redrive policy names the scraper DLQ, which SQS requires to exist.
  const failureQueueIds: Record<string, string> = {};
  for (const key of QUEUE_KEYS) {
    const queue = stack.queues[key];
    if (queue.purpose === "failure") failureQueueIds[queue.arn] = add("queue", queue.name);
  }
  const queueIds: Record<string, string> = {};
  for (const key of QUEUE_KEYS) {
    const queue = stack.queues[key];
    if (queue.purpose === "failure") {
      queueIds[key] = failureQueueIds[queue.arn] as string;
      continue;
    }
    const redrive = queue.definition.Attributes?.RedrivePolicy;
    const dlqArn = redrive
      ? (JSON.parse(redrive) as { deadLetterTargetArn?: string }).deadLetterTargetArn
      : undefined;
    const dlqId = dlqArn === undefined ? undefined : failureQueueIds[dlqArn];
    queueIds[key] = add("queue", queue.name, dlqId === undefined ? [] : [dlqId]);
  }
  const topicIds = Object.fromEntries(TOPIC_KEYS.map((key) => [key, add("topic", stack.topics[key].name)]));
  const roleIds = Object.fromEntries(ROLE_KEYS.map((key) => [key, add("role", stack.roles[key].name)]));
  const tableId = add("table", stack.table.name);
  const logGroupIds = Object.fromEntries(
    FUNCTION_KEYS.map((key) => [key, add("log-group", stack.logGroups[key].name)]),
  );
  const scraperDlq = queueIds.scraperDlq as string;
  const queueIdOfArn = (arn: string | undefined): string[] => {
    const key = QUEUE_KEYS.find((k) => stack.queues[k].arn === arn);
    return key === undefined ? [] : [queueIds[key] as string];
  };
  const functionIds: Record<string, string> = {};
  for (const key of FUNCTION_KEYS) {
    const fn = stack.functions[key];
    const deps = [roleIds[fn.roleKey] as string, logGroupIds[key] as string];
    if (fn.kind === "scraper") deps.push(scraperDlq);
    functionIds[key] = add("function", fn.name, deps);
  }
  for (const key of FUNCTION_KEYS) {
    const fn = stack.functions[key];
    if (fn.eventInvokeConfig !== undefined)
      add("event-invoke-config", fn.name, [functionIds[key] as string, scraperDlq]);
  }
  const permissionIds = stack.permissions.map((permission) =>
    add("permission", permission.id, [functionIds[permission.functionKey] as string]),
  );
  for (const key of RULE_KEYS) {
    const rule = stack.rules[key];
    const targetFunctions = stack.permissions
      .filter((permission) => permission.ruleKey === key)
      .map((permission) => functionIds[permission.functionKey] as string);
    const rulePermissions = stack.permissions
      .map((permission, i) => (permission.ruleKey === key ? permissionIds[i] : undefined))
      .filter((id): id is string => id !== undefined);
    add("rule", rule.name, [...targetFunctions, ...rulePermissions, scraperDlq]);
  }
  for (const key of MAPPING_KEYS) {
    const mapping = stack.eventSourceMappings[key];
    add("event-source-mapping", mapping.definition.FunctionName, [
      tableId,
      functionIds[mapping.functionKey] as string,
      ...queueIdOfArn(mapping.definition.DestinationConfig?.OnFailure?.Destination),
    ]);
  }
  // Lambda checks the queue exists and its visibility timeout is at least the function's timeout.
  for (const mapping of Object.values(stack.workerMappings)) {
    add("worker-mapping", mapping.definition.FunctionName, [
      functionIds[mapping.functionKey] as string,
      queueIds[mapping.queueKey] as string,
    ]);
  }
  for (const key of ALARM_KEYS) {
    const alarm = stack.alarms[key];
    // An alarm needs the topics it notifies; the metrics it watches need not exist yet.
    const topics = TOPIC_KEYS.filter((t) => alarm.definition.AlarmActions?.includes(stack.topics[t].arn)).map(
      (t) => topicIds[t] as string,
    );
    const watched =
      key === "scraperFailures"
        ? FUNCTION_KEYS.filter((k) => stack.functions[k].kind === "scraper").map(
            (k) => functionIds[k] as string,
          )
        : [];
    add("alarm", alarm.name, [...topics, ...watched]);
  }
  add("opensearch-index", stack.index.name);
  return refs;
}
