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
  /**
   * Bumped by every change that execution environments bake in (code, handler, environment,
   * memory, timeout, role): warm environments of an older generation are retired.
   */
  generation: string;
}

/** What the last attempt of an asynchronous invocation answered. */
export interface AttemptResponse {
  statusCode: number;
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
