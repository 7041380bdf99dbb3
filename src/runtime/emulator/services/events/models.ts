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
  /** API destination targets: values for `*` in the endpoint path, extra headers and query. */
  HttpParameters?: HttpParameters;
}

export interface HttpParameters {
  PathParameterValues?: string[];
  HeaderParameters?: Record<string, string>;
  QueryStringParameters?: Record<string, string>;
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
  /** Set on rules a service created for the account (an archive's rule); shown as ManagedBy. */
  managedBy?: string;
  /** TagResource / PutRule Tags, in the order keys were first given. */
  tags?: Tag[];
}

export interface Tag {
  Key: string;
  Value: string;
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
  /** Present on events a replay re-delivers: the replay's name. */
  "replay-name"?: string;
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

/** Key of a named resource (bus, archive, replay, connection, API destination) in its account. */
export function scopedKey(accountId: string, region: string, name: string): string {
  return `${accountId}/${region}/${name}`;
}

interface Scoped {
  accountId: string;
  region: string;
  name: string;
}

export function keyOfResource(record: Scoped): string {
  return scopedKey(record.accountId, record.region, record.name);
}

export interface BusRecord extends Scoped {
  arn: string;
  description?: string;
  kmsKeyIdentifier?: string;
  deadLetterConfig?: { Arn?: string };
  creationTime: number;
  lastModifiedTime: number;
  tags?: Tag[];
  /** The bus's resource policy (PutPermission), as the JSON text DescribeEventBus returns. */
  policy?: string;
}

export type ArchiveState =
  "ENABLED" | "DISABLED" | "CREATING" | "UPDATING" | "CREATE_FAILED" | "UPDATE_FAILED";

export interface ArchiveRecord extends Scoped {
  arn: string;
  eventSourceArn: string;
  /** Key of the bus the archive records (its managed rule lives there). */
  busKey: string;
  description?: string;
  eventPattern?: string;
  /** 0 keeps events indefinitely. */
  retentionDays: number;
  state: ArchiveState;
  creationTime: number;
}

/** One archived event: the envelope as the bus received it, and when it was archived. */
export interface ArchivedEvent {
  event: EventEnvelope;
  archivedAt: number;
  size: number;
}

export type ReplayState = "STARTING" | "RUNNING" | "CANCELLING" | "COMPLETED" | "CANCELLED" | "FAILED";

export interface ReplayRecord extends Scoped {
  arn: string;
  description?: string;
  /** The archive ARN. */
  eventSourceArn: string;
  destination: { Arn: string; FilterArns?: string[] };
  eventStartTime: number;
  eventEndTime: number;
  state: ReplayState;
  stateReason?: string;
  replayStartTime: number;
  replayEndTime?: number;
  eventLastReplayedTime?: number;
  /** How many of the events in range (ordered by time, then arrival) were re-delivered. */
  position: number;
}

export type ConnectionAuthorizationType = "BASIC" | "OAUTH_CLIENT_CREDENTIALS" | "API_KEY";
export type ConnectionState =
  "CREATING" | "UPDATING" | "DELETING" | "AUTHORIZED" | "DEAUTHORIZED" | "AUTHORIZING" | "DEAUTHORIZING";

export interface ConnectionHttpParameter {
  Key?: string;
  Value?: string;
  IsValueSecret?: boolean;
}

export interface ConnectionHttpParameters {
  HeaderParameters?: ConnectionHttpParameter[];
  QueryStringParameters?: ConnectionHttpParameter[];
  BodyParameters?: ConnectionHttpParameter[];
}

/** AuthParameters as given, secrets included (AWS keeps these in a Secrets Manager secret). */
export interface ConnectionAuthParameters {
  BasicAuthParameters?: { Username: string; Password: string };
  ApiKeyAuthParameters?: { ApiKeyName: string; ApiKeyValue: string };
  OAuthParameters?: {
    ClientParameters: { ClientID: string; ClientSecret: string };
    AuthorizationEndpoint: string;
    HttpMethod: string;
    OAuthHttpParameters?: ConnectionHttpParameters;
  };
  InvocationHttpParameters?: ConnectionHttpParameters;
}

export interface ConnectionRecord extends Scoped {
  arn: string;
  secretArn: string;
  description?: string;
  authorizationType: ConnectionAuthorizationType;
  authParameters: ConnectionAuthParameters;
  state: ConnectionState;
  stateReason?: string;
  creationTime: number;
  lastModifiedTime: number;
  lastAuthorizedTime?: number;
}

export interface ApiDestinationRecord extends Scoped {
  arn: string;
  description?: string;
  connectionArn: string;
  invocationEndpoint: string;
  httpMethod: string;
  invocationRateLimitPerSecond: number;
  creationTime: number;
  lastModifiedTime: number;
}

export function archiveArn(region: string, accountId: string, name: string): string {
  return `arn:aws:events:${region}:${accountId}:archive/${name}`;
}

export function replayArn(region: string, accountId: string, name: string): string {
  return `arn:aws:events:${region}:${accountId}:replay/${name}`;
}
