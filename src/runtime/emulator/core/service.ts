import type { Clock } from "./clock.js";
import type { ServiceStore } from "./persistence.js";
import type { EmulatorRequest, EmulatorResponse, RequestContext } from "./request.js";

/** Names of the services the gateway routes to (one folder each under services/). */
export type ServiceName =
  | "dynamodb"
  | "dynamodbstreams"
  | "sqs"
  | "events"
  | "lambda"
  | "logs"
  | "cloudwatch"
  | "sts"
  | "iam"
  | "opensearch"
  | "sns"
  | "ssm";

/** One AWS operation: typed like the SDK's `…CommandInput` → `…CommandOutput`. */
export type Operation<I = any, O = any> = (input: I, context: RequestContext) => Promise<O>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * What a service gets from the emulator: time, durable storage, its own public URL, and a way to
 * call another service's operations (the way AWS services call each other: through their APIs,
 * never their stores).
 */
export interface ServiceEnv {
  clock: Clock;
  /** The emulator's base URL, e.g. http://127.0.0.1:4599 (for queue URLs, AWS_ENDPOINT_URL). */
  baseUrl(): string;
  defaultRegion: string;
  defaultAccountId: string;
  store<Snapshot, Entry>(service: string): ServiceStore<Snapshot, Entry>;
  /** Calls an operation of another service in-process (no HTTP), as `context`'s account/region. */
  call<O = unknown>(
    service: ServiceName,
    operation: string,
    input: unknown,
    context: RequestContext,
  ): Promise<O>;
  /** Settings shared by services (scale factor for AWS's long retry waits, …). */
  settings: EmulatorSettings;
  /** Reports a failure of background work (pollers, schedulers), which must never crash the emulator. */
  reportBackgroundError(service: ServiceName, error: unknown): void;
}

export interface EmulatorSettings {
  /**
   * Factor applied to AWS's long waits between asynchronous retries (Lambda async retries are about
   * 1 and 2 minutes apart on AWS). 1 = AWS timing; the default keeps a local run fast.
   */
  retryWaitScale: number;
  /** Maximum concurrent execution environments per Lambda function. */
  lambdaConcurrencyPerFunction: number;
}

export interface ServiceHealth {
  state: "running" | "available" | "error";
  detail?: string;
}

/** A service module: lifecycle, operations (for in-process calls) and its HTTP protocol adapter. */
export interface ServiceModule {
  readonly name: ServiceName;
  /** Operations by AWS name (e.g. "SendMessage"), callable in-process by other services. */
  readonly operations: Record<string, Operation>;
  /** Handles a routed HTTP request in the service's wire protocol(s). */
  handle(request: EmulatorRequest): Promise<EmulatorResponse>;
  start?(): Promise<void>;
  stop?(): Promise<void>;
  health?(): ServiceHealth;
  /** Operator side doors under /_emulator/<service>/… (e.g. peek at a queue without receiving). */
  devHandle?(request: EmulatorRequest, subpath: string): Promise<EmulatorResponse | undefined>;
}

/** Builds a service; one factory may build two modules that share state (dynamodb + dynamodbstreams). */
export type ServiceFactory = (env: ServiceEnv) => ServiceModule | ServiceModule[];
