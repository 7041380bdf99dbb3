/** Lambda's state: functions (with their policy, event invoke config and tags) and queued async events. */

export type FunctionState = "Pending" | "Active" | "Failed";
export type LastUpdateStatus = "InProgress" | "Successful" | "Failed";

export interface PolicyStatement {
  Sid: string;
  Effect: "Allow";
  Principal: string | Record<string, string>;
  Action: string;
  Resource: string;
  Condition?: Record<string, Record<string, string>>;
}

export interface EventInvokeConfig {
  maximumRetryAttempts?: number;
  maximumEventAgeInSeconds?: number;
  onSuccess?: string;
  onFailure?: string;
  /** Epoch ms. */
  lastModified: number;
}

export interface FunctionRecord {
  accountId: string;
  region: string;
  name: string;
  runtime: string;
  role: string;
  handler: string;
  description: string;
  timeout: number;
  memorySize: number;
  environment: Record<string, string>;
  deadLetterTargetArn?: string;
  /** base64 SHA-256 of the zip, as Lambda reports it. */
  codeSha256: string;
  codeSize: number;
  /** Epoch ms of the last create/update. */
  lastModified: number;
  revisionId: string;
  state: FunctionState;
  stateReason?: string;
  stateReasonCode?: string;
  lastUpdateStatus: LastUpdateStatus;
  lastUpdateStatusReason?: string;
  lastUpdateStatusReasonCode?: string;
  tags: Record<string, string>;
  policy: PolicyStatement[];
  eventInvokeConfig?: EventInvokeConfig;
  reservedConcurrency?: number;
  logGroup: string;
  architectures: string[];
  /** TracingConfig.Mode (X-Ray): stored and echoed; the emulator records no traces. */
  tracingMode?: "Active" | "PassThrough";
  /** Published versions, oldest first. */
  versions?: VersionRecord[];
  /** The number the next published version gets (Lambda never reuses one). */
  nextVersion?: number;
  aliases?: AliasRecord[];
  /**
   * Bumped by every change that execution environments bake in (code, handler, environment,
   * memory, timeout, role): warm environments of an older generation are retired.
   */
  generation: string;
}

/** What a published version froze: the code and the configuration an invocation of it runs with. */
export interface VersionConfig {
  runtime: string;
  role: string;
  handler: string;
  timeout: number;
  memorySize: number;
  environment: Record<string, string>;
  deadLetterTargetArn?: string;
  codeSha256: string;
  codeSize: number;
  logGroup: string;
  architectures: string[];
  tracingMode?: "Active" | "PassThrough";
}

export interface VersionRecord {
  /** "1", "2", … */
  version: string;
  description: string;
  /** Epoch ms of the publication. */
  lastModified: number;
  revisionId: string;
  /** Warm environments of a version are keyed by it (versions never change). */
  generation: string;
  config: VersionConfig;
}

export interface AliasRecord {
  name: string;
  /** A published version, or $LATEST. */
  functionVersion: string;
  description: string;
  /** AdditionalVersionWeights: version -> share of invocations (0..1). */
  weights?: Record<string, number>;
  revisionId: string;
}

/** What the last attempt of an asynchronous invocation answered. */
export interface AttemptResponse {
  statusCode: number;
  /** The version that ran ($LATEST or a number); absent in events journaled before versions. */
  executedVersion?: string;
  functionError?: string;
  payload: string;
}

/** An event in a function's asynchronous invocation queue. */
export interface AsyncEvent {
  /** The Invoke request id; every attempt and the destination record carry it. */
  id: string;
  functionKey: string;
  functionArn: string;
  payload: string;
  /** Epoch ms when Lambda accepted the event (for MaximumEventAgeInSeconds). */
  receivedAt: number;
  attempts: number;
  /** Epoch ms when the next attempt is due. */
  nextAttemptAt: number;
  /** Consecutive throttles / start failures, for the backoff (not counted as attempts). */
  throttles: number;
  lastResponse?: AttemptResponse;
}

export type LambdaJournalEntry =
  | { t: "putFunction"; fn: FunctionRecord }
  | { t: "deleteFunction"; key: string }
  | { t: "putEvent"; event: AsyncEvent }
  | { t: "doneEvent"; id: string };

export interface LambdaSnapshot {
  functions: FunctionRecord[];
  events: AsyncEvent[];
}
