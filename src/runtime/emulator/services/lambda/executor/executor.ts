/**
 * How Lambda runs function code, behind an interface: the process executor runs each execution
 * environment as a separate Node process speaking the Lambda Runtime API; another executor (a
 * container runtime, an in-process one for unit tests) could be plugged in instead.
 */

/** Everything an execution environment bakes in when it starts. */
export interface FunctionSpec {
  /** Identity of the function across updates (account/region/name). */
  key: string;
  name: string;
  /** Unqualified function ARN. */
  arn: string;
  version: string;
  /** Changes whenever the code or configuration changes; environments of another generation are retired. */
  generation: string;
  runtime: string;
  handler: string;
  memorySize: number;
  timeoutSeconds: number;
  region: string;
  accountId: string;
  /** The extracted deployment package (LAMBDA_TASK_ROOT); extracted on first use. */
  taskRoot: () => string;
  /** Variables for the process: the function's own plus the reserved ones that do not vary per environment. */
  environment: Record<string, string>;
  logGroupName: string;
  /** Execution environments allowed at once for this function. */
  concurrency: number;
}

export interface InvocationRequest {
  requestId: string;
  /** The event as JSON text. */
  payload: string;
  invokedFunctionArn: string;
  /** Decoded X-Amz-Client-Context (JSON text), synchronous invokes only. */
  clientContext?: string;
}

export type InvocationOutcome = "success" | "error" | "timeout" | "crash" | "init-error";

export interface InvocationResult {
  outcome: InvocationOutcome;
  /** The function's response, or the error document `{errorType, errorMessage, trace}` (JSON text). */
  payload: string;
  errorType?: string;
  durationMs: number;
  billedDurationMs: number;
  /** Present on a cold start. */
  initDurationMs?: number;
  maxMemoryUsedMb: number;
  /** This invocation's log lines as written to CloudWatch Logs (for LogType Tail). */
  log: string[];
}

export interface Executor {
  invoke(spec: FunctionSpec, request: InvocationRequest): Promise<InvocationResult>;
  /**
   * Stops the function's execution environments: idle ones now, busy ones when their current
   * invocation ends (after UpdateFunctionCode, configuration changes and DeleteFunction).
   */
  retire(key: string): void;
  /** Environments per function (for health and tests). */
  environments(key: string): { busy: number; idle: number };
  stop(): Promise<void>;
}

export interface LogEvent {
  timestamp: number;
  message: string;
}

export interface LogStreamRef {
  accountId: string;
  region: string;
  groupName: string;
  streamName: string;
}

/** Where execution environments write their log streams (CloudWatch Logs, when that service runs). */
export interface LogSink {
  /** Writes in order per stream; resolves once the events are stored (or dropped, when Logs does not run). */
  write(stream: LogStreamRef, events: LogEvent[]): Promise<void>;
}
