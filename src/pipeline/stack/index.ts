/** The stack declaration: every resource of the pipeline as typed data, and the names derived from it. */
export { MAPPING_FAILURE_QUEUE, defineStack, manualScrapeSource } from "./define-stack.js";
export { StackParamsError, opensearchDomainName, stackParamsProblems } from "./params.js";
export {
  ALARM_KEYS,
  BASE_NAMES,
  FAILURE_QUEUE_KEYS,
  WORK_QUEUE_KEYS,
  sourceOfQueueKey,
  workQueueKey,
  FUNCTION_KEYS,
  MAPPING_KEYS,
  QUEUE_KEYS,
  ROLE_KEYS,
  RULE_KEYS,
  SCRAPER_FUNCTION_KEYS,
  TOPIC_KEYS,
  apiKeyParameterName,
  scraperFunctionKey,
  sourceOfFunctionKey,
  stackNames,
} from "./names.js";
export type {
  AlarmKey,
  FailureQueueKey,
  WorkQueueKey,
  FunctionKey,
  MappingKey,
  QueueKey,
  RoleKey,
  RuleKey,
  ScraperFunctionKey,
  StackNames,
  TopicKey,
} from "./names.js";
export * as arns from "./arns.js";
export type { AccountRegion } from "./arns.js";
export { resourceId, resourceOrder } from "./order.js";
export { roleKeyOf } from "./iam.js";
export { CELEBRITY_RECORD_FILTER_PATTERN } from "./table.js";
export {
  DEFAULT_HTTP_TIMEOUT_MS,
  DLQ_RETENTION_SECONDS,
  FAILURE_QUEUE_ALARM,
  FUNCTION_SIZING,
  HANDLER_MODULES,
  LAMBDA_RUNTIME,
  LOG_RETENTION_DAYS,
  MANUAL_SCRAPE_EVENT,
  OPENSEARCH_MAX_ATTEMPTS,
  RULE_TARGET_RETRY_POLICY,
  SCRAPER_ASYNC_INVOKE,
  SCRAPER_FAILURE_ALARM,
  STREAM_MAPPING,
  TABLE_INDEXES,
  WEEKLY_SCHEDULE,
  WORKER_CONCURRENCY_RANGE,
  WORKER_MAPPING,
  WORK_QUEUE,
  DEFAULT_SHARD_LEASE_SECONDS,
  DEFAULT_SHARD_RETRY_SECONDS,
  MAX_SHARD_RETRY_SECONDS,
  SHARD_LEASE_RANGE,
  SHARD_RETRY_RANGE,
} from "./settings.js";
export { HANDLER_ENV } from "./handler-env.js";
export type { HandlerEnv, HandlerEnvKey } from "./handler-env.js";
export type {
  AlarmDeclaration,
  EventSourceMappingDeclaration,
  FunctionDeclaration,
  FunctionKind,
  HandlerEntry,
  InlinePolicy,
  LogGroupDeclaration,
  OpenSearchIndexDeclaration,
  PermissionDeclaration,
  PolicyDocument,
  PolicyStatement,
  QueueDeclaration,
  ResourceKind,
  ResourceRef,
  RoleDeclaration,
  RuleDeclaration,
  SourceParams,
  Stack,
  StackParams,
  TableDeclaration,
  TopicDeclaration,
  WorkerMappingDeclaration,
} from "./types.js";
