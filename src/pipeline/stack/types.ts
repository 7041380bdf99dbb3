import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";
import type { PutRuleRequest, Target } from "@aws-sdk/client-eventbridge";
import type { PutMetricAlarmInput } from "@aws-sdk/client-cloudwatch";
import type { CreateRoleRequest } from "@aws-sdk/client-iam";
import type {
  AddPermissionRequest,
  CreateEventSourceMappingRequest,
  CreateFunctionRequest,
  PutFunctionEventInvokeConfigRequest,
} from "@aws-sdk/client-lambda";
import type { CreateQueueRequest } from "@aws-sdk/client-sqs";
import type { SourceName } from "../model/sources.js";
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

/** Where one source's scraper finds its API. */
export interface SourceParams {
  baseUrl: string;
  /** Second host where the source needs one (Wikipedia summary + Wikimedia page views). */
  auxBaseUrl?: string;
  /** API key or token (TMDB). Ends up in the function's environment; never logged or printed. */
  apiKey?: string;
  rateLimitPerSecond: number;
  /** Per-request timeout in milliseconds (default 10,000). */
  timeoutMs?: number;
  /** People per shard message on the source's work queue, 1..200. */
  shardSize: number;
  /**
   * The worker mapping's ScalingConfig.MaximumConcurrency, 2..1000 (AWS's range). Each worker
   * gets rateLimitPerSecond / workerConcurrency, so the source's limit holds for all of them.
   */
  workerConcurrency: number;
  /** Seconds a worker holds its shard invisible at a time, renewed while it works (default 60). */
  shardLeaseSeconds?: number;
  /** First wait before a failed shard is received again, doubling per receive (default 30). */
  shardRetrySeconds?: number;
}

/** The few parameters the whole stack is a function of; config supplies them. */
export interface StackParams {
  /** Appended to every name: "" for the real stack, "-test" for verify's clean copy. */
  suffix: string;
  account: string;
  region: string;
  sources: Record<SourceName, SourceParams>;
  opensearch: {
    endpoint: string;
    /** Base index name; the stack's index is this plus the suffix. */
    index: string;
    /** Domain for the es:ESHttp* policy; derived from the endpoint when omitted. */
    domainName?: string;
  };
  /** CloudWatch Logs retention for every function's log group (an allowed retention value). */
  logRetentionDays: number;
  /** Log level for the handlers (default INFO). */
  logLevel?: "DEBUG" | "INFO" | "WARN" | "ERROR";
}

export interface TableDeclaration {
  name: string;
  arn: string;
  /** CreateTable input: keys, GSIs, billing mode, stream. */
  definition: CreateTableCommandInput & { TableName: string };
}

export interface QueueDeclaration {
  key: QueueKey;
  /** A failure queue (DLQ, on-failure destination) or a source's work queue of shards. */
  purpose: "failure" | "work";
  /** The source whose shards a work queue holds; undefined for failure queues. */
  source: SourceName | undefined;
  name: string;
  arn: string;
  /** CreateQueue input (attributes as SQS wants them: strings). */
  definition: CreateQueueRequest & { QueueName: string };
}

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: { Service: string } | { AWS: string };
  Action: string[];
  /** Absent only in trust policies, where IAM refuses it. */
  Resource?: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

export interface InlinePolicy {
  name: string;
  document: PolicyDocument;
}

export interface RoleDeclaration {
  key: RoleKey;
  name: string;
  arn: string;
  definition: CreateRoleRequest & { RoleName: string };
  /** Parsed trust policy (definition.AssumeRolePolicyDocument is its JSON text). */
  assumeRolePolicy: PolicyDocument;
  inlinePolicies: InlinePolicy[];
}

export type FunctionKind = "scraper" | "post-processor" | "index-sync";

/** What a bundler builds into the zip: one source module and the export Lambda calls. */
export interface HandlerEntry {
  /** Source module, relative to the repository root. */
  module: string;
  exportName: "handler";
  /** File name inside the zip; `definition.Handler` is `<basename>.<exportName>`. */
  outfile: "index.mjs";
}

export interface FunctionDeclaration {
  key: FunctionKey;
  kind: FunctionKind;
  /** The source a scraper scrapes; undefined for the stream functions. */
  source: SourceName | undefined;
  name: string;
  arn: string;
  roleKey: RoleKey;
  entry: HandlerEntry;
  /** CreateFunction input without Code (the deploy engine adds the zip). */
  definition: Omit<CreateFunctionRequest, "Code"> & {
    FunctionName: string;
    Role: string;
    Handler: string;
    Runtime: "nodejs22.x";
    Timeout: number;
    MemorySize: number;
    Environment: { Variables: Record<string, string> };
  };
  /** Async invocation config (scrapers, invoked by EventBridge); undefined for stream functions. */
  eventInvokeConfig: (PutFunctionEventInvokeConfigRequest & { FunctionName: string }) | undefined;
  logGroupName: string;
}

export interface RuleDeclaration {
  key: RuleKey;
  name: string;
  arn: string;
  definition: PutRuleRequest & { Name: string; State: "ENABLED" | "DISABLED" };
  targets: (Target & { Id: string; Arn: string })[];
}

export interface PermissionDeclaration {
  /** Unique id: `<function name>/<statement id>`. */
  id: string;
  functionKey: FunctionKey;
  ruleKey: RuleKey;
  definition: AddPermissionRequest & { FunctionName: string; StatementId: string; SourceArn: string };
}

export interface EventSourceMappingDeclaration {
  key: MappingKey;
  functionKey: FunctionKey;
  /** The stream ARN is known only once the table exists: the deploy engine reads LatestStreamArn. */
  streamOfTable: string;
  definition: Omit<CreateEventSourceMappingRequest, "EventSourceArn"> & {
    FunctionName: string;
    BatchSize: number;
    StartingPosition: "LATEST";
  };
}

/** A scraper's SQS event source mapping on its source's work queue: the workers. */
export interface WorkerMappingDeclaration {
  source: SourceName;
  functionKey: FunctionKey;
  queueKey: QueueKey;
  definition: CreateEventSourceMappingRequest & {
    FunctionName: string;
    EventSourceArn: string;
    BatchSize: number;
    MaximumBatchingWindowInSeconds: number;
    FunctionResponseTypes: "ReportBatchItemFailures"[];
    ScalingConfig: { MaximumConcurrency: number };
    Enabled: boolean;
  };
}

export interface LogGroupDeclaration {
  functionKey: FunctionKey;
  name: string;
  arn: string;
  retentionInDays: number;
}

export interface AlarmDeclaration {
  key: AlarmKey;
  name: string;
  arn: string;
  definition: PutMetricAlarmInput & { AlarmName: string };
}

export interface TopicDeclaration {
  key: TopicKey;
  name: string;
  arn: string;
  /** CreateTopic input (attributes as SNS wants them: strings). */
  definition: { Name: string; Attributes: Record<string, string> };
}

export interface OpenSearchIndexDeclaration {
  name: string;
  endpoint: string;
  domainName: string;
  domainArn: string;
  /** Body of `PUT /<index>`. */
  body: {
    settings: { number_of_shards: number; number_of_replicas: number; gc_deletes: string };
    mappings: { dynamic: boolean; properties: Record<string, unknown> };
  };
}

export type ResourceKind =
  | "queue"
  | "role"
  | "table"
  | "log-group"
  | "function"
  | "event-invoke-config"
  | "permission"
  | "rule"
  | "event-source-mapping"
  | "worker-mapping"
  | "alarm"
  | "topic"
  | "opensearch-index";

/** One entry of the deploy order: a resource and the resources that must exist before it. */
export interface ResourceRef {
  kind: ResourceKind;
  /** Unique within the stack: `<kind>:<name>` (permissions: `permission:<function>/<statement>`). */
  id: string;
  name: string;
  dependsOn: string[];
}

export interface Stack {
  params: StackParams;
  names: StackNames;
  table: TableDeclaration;
  queues: Record<QueueKey, QueueDeclaration>;
  /** Each source's work queue (the same declarations as `queues["work-<source>"]`). */
  workQueues: Record<SourceName, QueueDeclaration>;
  roles: Record<RoleKey, RoleDeclaration>;
  functions: Record<FunctionKey, FunctionDeclaration>;
  logGroups: Record<FunctionKey, LogGroupDeclaration>;
  rules: Record<RuleKey, RuleDeclaration>;
  permissions: PermissionDeclaration[];
  eventSourceMappings: Record<MappingKey, EventSourceMappingDeclaration>;
  /** Each scraper's mapping on its work queue (the workers of its runs). */
  workerMappings: Record<SourceName, WorkerMappingDeclaration>;
  /** The scraper failure alarm (the same declaration as `alarms.scraperFailures`). */
  alarm: AlarmDeclaration;
  /** Every alarm; each notifies the alerts topic. */
  alarms: Record<AlarmKey, AlarmDeclaration>;
  topics: Record<TopicKey, TopicDeclaration>;
  index: OpenSearchIndexDeclaration;
  /** Every resource in an order a deploy engine can create them (reverse it to destroy). */
  resourceOrder: ResourceRef[];
}
