/** EventBridge rule and target state, in the API's own shapes where they are returned verbatim. */

export type RuleState = "ENABLED" | "DISABLED" | "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS";

export interface RetryPolicy {
  MaximumRetryAttempts?: number;
  MaximumEventAgeInSeconds?: number;
}

export interface InputTransformer {
  InputPathsMap?: Record<string, string>;
  InputTemplate: string;
}

/** A target as PutTargets received it and ListTargetsByRule returns it. */
export interface Target {
  Id: string;
  Arn: string;
  RoleArn?: string;
  Input?: string;
  InputPath?: string;
  InputTransformer?: InputTransformer;
  RetryPolicy?: RetryPolicy;
  DeadLetterConfig?: { Arn?: string };
  SqsParameters?: { MessageGroupId?: string };
}

export interface RuleRecord {
  accountId: string;
  region: string;
  eventBusName: string;
  name: string;
  arn: string;
  eventPattern?: string;
  scheduleExpression?: string;
  state: RuleState;
  description?: string;
  roleArn?: string;
  /** Epoch ms: when the schedule started counting (rule created, expression changed, or enabled). */
  scheduleAnchor: number;
  targets: Target[];
}

/** The event envelope every target receives (aws-behaviour.md §5.4). */
export interface EventEnvelope {
  version: "0";
  id: string;
  "detail-type": string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

export function ruleKey(accountId: string, region: string, bus: string, name: string): string {
  return `${accountId}/${region}/${bus}/${name}`;
}

export function keyOf(rule: RuleRecord): string {
  return ruleKey(rule.accountId, rule.region, rule.eventBusName, rule.name);
}

export function ruleArn(region: string, accountId: string, bus: string, name: string): string {
  return bus === "default"
    ? `arn:aws:events:${region}:${accountId}:rule/${name}`
    : `arn:aws:events:${region}:${accountId}:rule/${bus}/${name}`;
}

export function busArn(region: string, accountId: string, bus: string): string {
  return `arn:aws:events:${region}:${accountId}:event-bus/${bus}`;
}

/** Event `time`: ISO-8601 UTC to the second with `Z`, as EventBridge writes it. */
export function eventTime(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace(".000Z", "Z");
}
