/**
 * The failure-handling shape of a deployment, the same for the declaration and for what is
 * deployed, so one set of lint rules judges both: the rules run on the live topology to find the
 * problems, and on the declared one to tell whether `pipeline deploy` fixes them or the declaration
 * itself must change.
 */
export interface Topology {
  ruleTargets: RuleTargetShape[];
  /** Functions invoked asynchronously (rule targets): Lambda's own retries and failure routing. */
  asyncFunctions: AsyncFunctionShape[];
  mappings: MappingShape[];
  /** Queues that exist, by ARN. */
  queues: QueueShape[];
  logGroups: LogGroupShape[];
  /** The stack's alarms as far as they exist, and the topics they notify. */
  alarms: AlarmShape[];
  topics: TopicShape[];
  /** The stack's functions that exist, with their environment variables (to find keys in them). */
  functionEnvironments: FunctionEnvironmentShape[];
  /** Each source's work queue (when it exists) and the worker mapping on it. */
  workers: WorkerShape[];
}

export interface WorkerShape {
  source: string;
  queueName: string;
  queueArn: string;
  visibilityTimeoutSeconds: number | undefined;
  functionName: string;
  /** The worker function's timeout, when it exists. */
  functionTimeoutSeconds: number | undefined;
  /** The function's mapping on the queue; undefined when there is none. */
  mapping:
    | {
        state: string;
        batchSize: number | undefined;
        reportBatchItemFailures: boolean;
        maximumConcurrency: number | undefined;
      }
    | undefined;
}

export interface FunctionEnvironmentShape {
  name: string;
  /** The source a scraper function scrapes (its key's `pipeline secrets set <source>`). */
  source: string | undefined;
  variables: Record<string, string>;
}

export interface AlarmShape {
  name: string;
  actionsEnabled: boolean;
  alarmActions: string[];
}

export interface TopicShape {
  name: string;
  arn: string;
  /** Confirmed subscriptions; undefined when not known (the declaration has none). */
  confirmedSubscriptions: number | undefined;
}

export interface RuleTargetShape {
  rule: string;
  ruleArn: string;
  targetId: string;
  targetArn: string;
  retryPolicy: { maximumRetryAttempts?: number; maximumEventAgeInSeconds?: number } | undefined;
  deadLetterArn: string | undefined;
}

export interface AsyncFunctionShape {
  name: string;
  arn: string;
  /** undefined: no event invoke config (AWS defaults: 2 retries, 6 h, no destination). */
  eventInvokeConfig:
    { maximumRetryAttempts?: number; maximumEventAgeInSeconds?: number; onFailure?: string } | undefined;
  deadLetterArn: string | undefined;
  /** Rule ARNs the function's resource policy lets events.amazonaws.com invoke it for. */
  invokableByRules: string[];
}

export interface MappingShape {
  key: string;
  functionName: string;
  state: string;
  batchSize: number | undefined;
  /** -1: retry until the record expires (AWS's default for streams). */
  maximumRetryAttempts: number | undefined;
  bisectBatchOnFunctionError: boolean;
  reportBatchItemFailures: boolean;
  onFailure: string | undefined;
}

export interface QueueShape {
  name: string;
  arn: string;
  retentionSeconds: number | undefined;
  redrive: { deadLetterTargetArn?: string; maxReceiveCount?: number } | undefined;
  /** The queue's access policy allows events.amazonaws.com to SendMessage. */
  allowsEventBridge: boolean;
}

export interface LogGroupShape {
  functionName: string;
  name: string;
  exists: boolean;
  retentionInDays: number | undefined;
}
