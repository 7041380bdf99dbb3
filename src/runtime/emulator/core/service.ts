import type { Clock } from "./clock.js";
import type { CredentialRegistry } from "./credentials.js";
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
  /** Access keys the emulator issued (IAM users' keys, STS sessions), by access key id. */
  credentials: CredentialRegistry;
  /** Reports a failure of background work (pollers, schedulers), which must never crash the emulator. */
  reportBackgroundError(service: ServiceName, error: unknown): void;
  /**
   * Reports what start-up recovery repaired after a crash (a torn journal line cut, a stream record
   * written for an item the crash left without one, ...): printed at start and kept in the health
   * answer's `recovery`.
   */
  reportRecovery(service: ServiceName, message: string): void;
}

export interface EmulatorSettings {
  /**
   * Factor applied to AWS's long waits between asynchronous retries (Lambda async retries are about
   * 1 and 2 minutes apart on AWS). 1 = AWS timing; the default keeps a local run fast.
   */
  retryWaitScale: number;
  /** Maximum concurrent execution environments per Lambda function. */
  lambdaConcurrencyPerFunction: number;
  /**
   * How long after its creation a new IAM role cannot yet be assumed by Lambda (AWS: some
   * seconds of IAM propagation; CreateFunction answers "The role defined for the function cannot
   * be assumed by Lambda."). Default 0: usable at once.
   */
  roleAssumableAfterMs?: number;
  /**
   * How long a Lambda function's create or update stays Pending / InProgress before it settles
   * (AWS: about a second or more). Default 50 ms; tests that must meet the in-progress window
   * (ResourceConflictException) set it longer so a busy machine cannot skip past it.
   */
  lambdaStateTransitionMs?: number;
  /**
   * How often DynamoDB's TTL process deletes expired items, in ms of the emulator clock. AWS does it
   * "typically within a few days"; the default (60 s) keeps it within a minute, tests set it lower.
   */
  ttlSweepIntervalMs?: number;
  /**
   * How long a global secondary index added by UpdateTable takes to build (CREATING → ACTIVE), in
   * ms of the emulator clock; AWS takes minutes. Default 1000.
   */
  indexBuildMs?: number;
}

export interface ServiceHealth {
  state: "running" | "available" | "error";
  detail?: string;
}

/**
 * A service module: lifecycle, operations (for in-process calls) and its HTTP protocol adapter.
 *
 * The contract every service keeps (a new one included), because the emulator relies on it for
 * start-up order and crash safety:
 * - Durable state lives only in the stores `env.store(name)` hands out (their files and their
 *   `directory`), written before the request that changed it is answered; nothing acknowledged may
 *   be lost by `kill -9`.
 * - `start` loads that state and repairs what a crash left; `run` starts background work; `stop`
 *   releases everything (timers, processes, pollers, open files).
 * - A state reset (`POST /_emulator/reset`) is the same lifecycle: the emulator calls `stop`,
 *   clears every store the module got from `env.store` (and forgets the keys it registered in
 *   `env.credentials`), then builds the module again from its factory and calls `start` and
 *   `run`. So a service keeps state nowhere else: not in module-level variables, not in files
 *   outside its stores' directories (a temporary folder it removes on stop is fine), and nothing
 *   it started may outlive `stop`.
 * test/helpers/kill-scenarios and test/helpers/reset-scenarios are keyed by ServiceName: a new
 * service does not compile there until it shows both.
 */
export interface ServiceModule {
  readonly name: ServiceName;
  /** Operations by AWS name (e.g. "SendMessage"), callable in-process by other services. */
  readonly operations: Record<string, Operation>;
  /** Handles a routed HTTP request in the service's wire protocol(s). */
  handle(request: EmulatorRequest): Promise<EmulatorResponse>;
  /**
   * Loads durable state and runs crash recovery: storage only, before the gateway listens. No
   * timers, pollers, processes or calls to other services here (env.baseUrl() is not known yet).
   */
  start?(): Promise<void>;
  /**
   * Starts background work (schedulers, pollers, event source mappings, async invocation queues)
   * once the gateway listens and env.baseUrl() is the emulator's endpoint.
   */
  run?(): Promise<void>;
  /** Stops background work and releases every resource; the state stays in the stores. */
  stop?(): Promise<void>;
  health?(): ServiceHealth;
  /** Operator side doors under /_emulator/<service>/… (e.g. peek at a queue without receiving). */
  devHandle?(request: EmulatorRequest, subpath: string): Promise<EmulatorResponse | undefined>;
}

/** Builds a service; one factory may build two modules that share state (dynamodb + dynamodbstreams). */
export type ServiceFactory = (env: ServiceEnv) => ServiceModule | ServiceModule[];
