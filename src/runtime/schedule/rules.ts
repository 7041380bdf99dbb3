import {
  DescribeRuleCommand,
  ListTargetsByRuleCommand,
  type EventBridgeClient,
  type Target,
} from "@aws-sdk/client-eventbridge";
import type { RuleDeclaration, RuleKey } from "../../pipeline/stack/index.js";
import { OperatorError } from "../config/errors.js";

/** A rule's target as deployed: where it sends events, and what happens when delivery fails. */
export interface TargetStatus {
  id: string;
  arn: string;
  /** The Lambda function name, when the target is a function. */
  functionName: string | undefined;
  retryPolicy: { maximumRetryAttempts?: number; maximumEventAgeInSeconds?: number } | undefined;
  deadLetterArn: string | undefined;
  /** A constant Input replaces the event for this target (EventBridge sends it instead). */
  input: string | undefined;
}

/** A rule of the stack as it exists in the account. */
export interface RuleStatus {
  key: RuleKey;
  name: string;
  arn: string;
  state: string;
  scheduleExpression: string | undefined;
  eventPattern: string | undefined;
  description: string | undefined;
  targets: TargetStatus[];
}

/** Raised when a rule of the stack is not in the account: the fix is a deploy. */
export class RuleNotDeployedError extends OperatorError {
  override name = "RuleNotDeployedError";
}

export function ruleNotDeployed(rule: RuleDeclaration): RuleNotDeployedError {
  return new RuleNotDeployedError(
    `rule ${rule.name} does not exist (${rule.arn}); deploy the stack first (pipeline deploy) ` +
      "or check --target / --region",
  );
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && error.name === "ResourceNotFoundException";
}

/** DescribeRule + every page of ListTargetsByRule for one declared rule. */
export async function readRule(eventbridge: EventBridgeClient, rule: RuleDeclaration): Promise<RuleStatus> {
  const busName = rule.definition.EventBusName;
  let described;
  try {
    described = await eventbridge.send(
      new DescribeRuleCommand({ Name: rule.name, ...(busName ? { EventBusName: busName } : {}) }),
    );
  } catch (error) {
    if (isNotFound(error)) throw ruleNotDeployed(rule);
    throw error;
  }
  const targets: TargetStatus[] = [];
  let nextToken: string | undefined;
  do {
    const page = await eventbridge.send(
      new ListTargetsByRuleCommand({
        Rule: rule.name,
        ...(busName ? { EventBusName: busName } : {}),
        ...(nextToken ? { NextToken: nextToken } : {}),
      }),
    );
    for (const target of page.Targets ?? []) targets.push(toTargetStatus(target));
    nextToken = page.NextToken;
  } while (nextToken);
  return {
    key: rule.key,
    name: rule.name,
    arn: described.Arn ?? rule.arn,
    state: described.State ?? "UNKNOWN",
    scheduleExpression: described.ScheduleExpression,
    eventPattern: described.EventPattern,
    description: described.Description,
    targets,
  };
}

function toTargetStatus(target: Target): TargetStatus {
  const arn = target.Arn ?? "";
  return {
    id: target.Id ?? "",
    arn,
    functionName: functionNameOf(arn),
    retryPolicy: target.RetryPolicy
      ? {
          ...(target.RetryPolicy.MaximumRetryAttempts !== undefined
            ? { maximumRetryAttempts: target.RetryPolicy.MaximumRetryAttempts }
            : {}),
          ...(target.RetryPolicy.MaximumEventAgeInSeconds !== undefined
            ? { maximumEventAgeInSeconds: target.RetryPolicy.MaximumEventAgeInSeconds }
            : {}),
        }
      : undefined,
    deadLetterArn: target.DeadLetterConfig?.Arn,
    input: target.Input,
  };
}

/** `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]` → name; undefined otherwise. */
export function functionNameOf(arn: string): string | undefined {
  const parts = arn.split(":");
  if (parts[2] !== "lambda" || parts[5] !== "function") return undefined;
  return parts[6] || undefined;
}

/**
 * How the deployed rule differs from its declaration, one sentence per difference (empty when it
 * matches): the expression or pattern, the state is not compared (enable/disable change it), and
 * each declared target with its retry policy and dead-letter queue.
 */
export function ruleDrift(declared: RuleDeclaration, deployed: RuleStatus): string[] {
  const problems: string[] = [];
  const wantExpression = declared.definition.ScheduleExpression;
  if (wantExpression !== undefined && deployed.scheduleExpression !== wantExpression) {
    problems.push(
      `${declared.name}: schedule is ${deployed.scheduleExpression ?? "absent"}, declared ${wantExpression}`,
    );
  }
  const wantPattern = declared.definition.EventPattern;
  if (wantPattern !== undefined && !samePattern(deployed.eventPattern, wantPattern)) {
    problems.push(
      `${declared.name}: event pattern is ${deployed.eventPattern ?? "absent"}, declared ${wantPattern}`,
    );
  }
  for (const want of declared.targets) {
    const have = deployed.targets.find((target) => target.id === want.Id);
    if (!have) {
      problems.push(`${declared.name}: target ${want.Id} is missing`);
      continue;
    }
    if (have.arn !== want.Arn)
      problems.push(`${declared.name}: target ${want.Id} points at ${have.arn}, declared ${want.Arn}`);
    const retry = want.RetryPolicy;
    if (
      retry &&
      (have.retryPolicy?.maximumRetryAttempts !== retry.MaximumRetryAttempts ||
        have.retryPolicy?.maximumEventAgeInSeconds !== retry.MaximumEventAgeInSeconds)
    ) {
      problems.push(
        `${declared.name}: target ${want.Id} retry policy is ${formatRetry(have.retryPolicy)}, declared ` +
          `${retry.MaximumRetryAttempts} attempts / ${retry.MaximumEventAgeInSeconds} s`,
      );
    }
    const dlq = want.DeadLetterConfig?.Arn;
    if (dlq && have.deadLetterArn !== dlq) {
      problems.push(
        `${declared.name}: target ${want.Id} dead-letter queue is ${have.deadLetterArn ?? "absent"}, declared ${dlq}`,
      );
    }
  }
  for (const have of deployed.targets) {
    if (!declared.targets.some((want) => want.Id === have.id)) {
      problems.push(`${declared.name}: target ${have.id} (${have.arn}) is not declared`);
    }
  }
  return problems;
}

function formatRetry(policy: TargetStatus["retryPolicy"]): string {
  if (!policy) return "absent";
  return `${policy.maximumRetryAttempts ?? "default"} attempts / ${policy.maximumEventAgeInSeconds ?? "default"} s`;
}

function samePattern(deployed: string | undefined, declared: string): boolean {
  if (deployed === undefined) return false;
  try {
    return JSON.stringify(JSON.parse(deployed)) === JSON.stringify(JSON.parse(declared));
  } catch {
    return deployed === declared;
  }
}
