import { randomUUID } from "node:crypto";
import { resolve as resolvePath } from "node:path";
import { SystemClock, type Clock } from "./core/clock.js";
import { CredentialRegistry } from "./core/credentials.js";
import { ServiceError } from "./core/errors.js";
import { storeFor, type ServiceStore } from "./core/persistence.js";
import { DEFAULT_ACCOUNT_ID, type RequestContext } from "./core/request.js";
import type {
  EmulatorSettings,
  ServiceEnv,
  ServiceFactory,
  ServiceModule,
  ServiceName,
} from "./core/service.js";
import { acquireStateFolder } from "./core/state-folder.js";
import { Gateway } from "./server.js";
import { SERVICE_LOADERS, START_ORDER } from "./services/index.js";

export { ManualClock, SystemClock, type Clock } from "./core/clock.js";
export type { EmulatorSettings, ServiceName } from "./core/service.js";
export { StateFolderInUseError, stateFolderOwner, type StateFolderOwner } from "./core/state-folder.js";

export interface EmulatorOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Bind address; only loopback addresses are accepted. */
  host?: string;
  /**
   * Folder where state survives restarts (and kill -9); in memory when absent. One emulator owns a
   * folder at a time: a second one is refused with StateFolderInUseError (a dead owner's claim is
   * taken over).
   */
  persistDir?: string;
  clock?: Clock;
  region?: string;
  accountId?: string;
  /** Run only these services (default: all registered). */
  services?: ServiceName[];
  settings?: Partial<EmulatorSettings>;
  /** Receives failures of background work (pollers, schedulers); default: kept in `errors()`. */
  onBackgroundError?: (service: ServiceName, error: unknown) => void;
}

export interface Emulator {
  /** Base URL, e.g. http://127.0.0.1:4599: the AWS_ENDPOINT_URL for SDK clients and the AWS CLI. */
  readonly url: string;
  readonly port: number;
  readonly clock: Clock;
  readonly region: string;
  readonly accountId: string;
  /** Calls a service operation in-process, as the default account and region. */
  call<O = unknown>(service: ServiceName, operation: string, input: unknown): Promise<O>;
  health(): EmulatorHealth;
  /** Background failures seen so far (most recent last, bounded). */
  errors(): { service: ServiceName; message: string; at: number }[];
  /** What start-up recovery repaired (empty after a clean stop). */
  recovery(): RecoveryNote[];
  stop(): Promise<void>;
}

export interface RecoveryNote {
  service: ServiceName;
  message: string;
}

export interface EmulatorHealth {
  emulator: "pipeline";
  endpoint: string;
  region: string;
  accountId: string;
  persistence: string | null;
  services: Record<string, string>;
  details: Record<string, string | undefined>;
  /** What start-up recovery repaired, one line each. */
  recovery: string[];
}

export const DEFAULT_SETTINGS: EmulatorSettings = {
  // AWS waits about 1 and 2 minutes between asynchronous Lambda retries; 1/60 makes that 1 s and 2 s.
  retryWaitScale: 1 / 60,
  lambdaConcurrencyPerFunction: 4,
  ttlSweepIntervalMs: 60_000,
};

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;
const MAX_KEPT_ERRORS = 100;

/** The modules one factory built (dynamodb + dynamodbstreams share one), and the stores they use. */
interface ServiceGroup {
  name: ServiceName;
  factory: ServiceFactory;
  modules: ServiceModule[];
  stores: ServiceStore<unknown, unknown>[];
}

/**
 * Starts an emulator in three steps, so nothing can run before the emulator's endpoint is known:
 * 1. storage: the state folder is claimed (one owner), every service loads its state and repairs
 *    what a crash left (`start`);
 * 2. the gateway listens (requests wait until step 3 is done; health answers at once);
 * 3. background work: schedulers, event source mappings, async invocation queues (`run`).
 */
export async function createEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? "127.0.0.1";
  if (!LOOPBACK.test(host)) {
    throw new Error(`The emulator binds loopback addresses only (got ${host}); use 127.0.0.1.`);
  }
  const clock = options.clock ?? new SystemClock();
  const region = options.region ?? "us-east-1";
  const accountId = options.accountId ?? DEFAULT_ACCOUNT_ID;
  const settings: EmulatorSettings = { ...DEFAULT_SETTINGS, ...options.settings };
  const persistDir = options.persistDir ? resolvePath(options.persistDir) : undefined;
  const services = new Map<ServiceName, ServiceModule>();
  const groups: ServiceGroup[] = [];
  const backgroundErrors: { service: ServiceName; message: string; at: number }[] = [];
  const recoveryNotes: RecoveryNote[] = [];
  let baseUrl = "";
  const credentials = new CredentialRegistry();

  const env: ServiceEnv = {
    clock,
    baseUrl: () => baseUrl,
    defaultRegion: region,
    defaultAccountId: accountId,
    settings,
    store: () => {
      throw new Error("a service asks for its store through its own group's environment");
    },
    credentials,
    call: async (service, operation, input, context) => {
      const module = services.get(service);
      const op = module?.operations[operation];
      if (!op)
        throw new ServiceError("UnknownOperationException", `${service}.${operation} is not available`, 400);
      return op(input, context) as Promise<never>;
    },
    reportBackgroundError: (service, error) => {
      backgroundErrors.push({
        service,
        message: error instanceof Error ? error.message : String(error),
        at: clock.now(),
      });
      if (backgroundErrors.length > MAX_KEPT_ERRORS) backgroundErrors.shift();
      options.onBackgroundError?.(service, error);
    },
    reportRecovery: (service, message) => {
      recoveryNotes.push({ service, message });
    },
  };

  /** Builds a group's modules; every store they ask for is remembered (a reset clears them). */
  const build = (group: ServiceGroup) => {
    const groupEnv: ServiceEnv = {
      ...env,
      store: <Snapshot, Entry>(service: string) => {
        const store = storeFor<Snapshot, Entry>(persistDir, service, (message) =>
          env.reportRecovery(group.name, message),
        );
        group.stores.push(store as ServiceStore<unknown, unknown>);
        return store;
      },
    };
    const built = group.factory(groupEnv);
    group.modules = Array.isArray(built) ? built : [built];
    for (const module of group.modules) services.set(module.name, module);
  };
  const startGroup = async (group: ServiceGroup) => {
    for (const module of group.modules) await module.start?.();
  };
  const runGroup = async (group: ServiceGroup) => {
    for (const module of group.modules) await module.run?.();
  };
  const stopGroup = async (group: ServiceGroup) => {
    for (const module of [...group.modules].reverse()) await module.stop?.();
    for (const store of group.stores) store.close();
  };
  const stopGroups = async (list: ServiceGroup[]) => {
    for (const group of [...list].reverse()) await stopGroup(group);
  };

  const lock = persistDir ? acquireStateFolder(persistDir) : undefined;
  const wanted = new Set(options.services ?? START_ORDER);
  const gate = new Gate();
  const started: ServiceGroup[] = [];
  try {
    for (const name of START_ORDER) {
      if (!wanted.has(name) || services.has(name)) continue;
      const load = SERVICE_LOADERS[name];
      if (!load) continue;
      const group: ServiceGroup = { name, factory: await load(), modules: [], stores: [] };
      build(group);
      groups.push(group);
      started.push(group);
      await startGroup(group);
    }
  } catch (error) {
    await stopGroups(started);
    lock?.release();
    throw error;
  }

  const health = (): EmulatorHealth => {
    const states: Record<string, string> = {};
    const details: Record<string, string | undefined> = {};
    for (const [name, module] of services) {
      const h = module.health?.() ?? { state: "running" as const };
      states[name] = h.state;
      if (h.detail) details[name] = h.detail;
    }
    return {
      emulator: "pipeline",
      endpoint: baseUrl,
      region,
      accountId,
      persistence: persistDir ?? null,
      services: states,
      details,
      recovery: recoveryNotes.map((note) => note.message),
    };
  };

  const gateway = new Gateway({
    host,
    port: options.port ?? 0,
    defaultRegion: region,
    defaultAccountId: accountId,
    services: () => services,
    health: () => health(),
    identify: (accessKeyId) => credentials.status(accessKeyId, clock.now()),
    onError: (error) => env.reportBackgroundError("sts", error),
    ready: () => gate.wait(),
  });
  gate.close();
  let port: number;
  try {
    port = await gateway.listen();
    baseUrl = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
    lock?.setUrl(baseUrl);
    for (const group of groups) await runGroup(group);
  } catch (error) {
    await gateway.close();
    await stopGroups(groups);
    lock?.release();
    throw error;
  }
  gate.open();

  const defaultContext = (): RequestContext => ({ requestId: randomUUID(), region, accountId });
  return {
    url: baseUrl,
    port,
    clock,
    region,
    accountId,
    call: async (service, operation, input) => {
      await gate.wait();
      return env.call(service, operation, input, defaultContext());
    },
    health,
    errors: () => [...backgroundErrors],
    recovery: () => [...recoveryNotes],
    stop: async () => {
      await gateway.close();
      await stopGroups(groups);
      lock?.release();
    },
  };
}

/** Holds requests while the services are not ready (start-up). */
class Gate {
  private pending: { promise: Promise<void>; resolve: () => void } | undefined;

  close(): void {
    if (this.pending) return;
    let resolve!: () => void;
    const promise = new Promise<void>((done) => (resolve = done));
    this.pending = { promise, resolve };
  }

  open(): void {
    this.pending?.resolve();
    this.pending = undefined;
  }

  wait(): Promise<void> {
    return this.pending?.promise ?? Promise.resolve();
  }
}

/**
 * AWS schedule-expression arithmetic (cron/rate, UTC) is AWS knowledge the CLI needs too
 * (`schedule status` shows next fire times); it is exported here so there is one implementation.
 */
export {
  ScheduleExpressionError,
  nextFireTimes,
  parseScheduleExpression,
} from "./services/events/schedule-expression.js";
