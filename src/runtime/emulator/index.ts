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
import { acquireStateFolder, emptyStateFolder } from "./core/state-folder.js";
import { Gateway, ResetRefusedError, type RequestLogEntry } from "./server.js";
import { SERVICE_LOADERS, START_ORDER } from "./services/index.js";

export { ManualClock, SystemClock, type Clock } from "./core/clock.js";
export { MALLOC_TUNING } from "./core/host-memory.js";
export type { EmulatorSettings, ServiceName } from "./core/service.js";
export { StateFolderInUseError, stateFolderOwner, type StateFolderOwner } from "./core/state-folder.js";
export { ResetRefusedError } from "./server.js";
export type { RequestLogEntry } from "./server.js";

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
  /** Told of every answered request: method, service, operation, status, milliseconds. */
  onRequest?: (entry: RequestLogEntry) => void;
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
  /**
   * Empties the state of the named services (all when omitted) without a restart, as
   * `POST /_emulator/reset` does: see ResetReport. Throws ResetRefusedError for a name this
   * emulator does not run.
   */
  reset(services?: string[]): Promise<ResetReport>;
  stop(): Promise<void>;
}

/** What a state reset did (the answer of `POST /_emulator/reset`). */
export interface ResetReport {
  /** The services whose state is gone (dynamodb and dynamodbstreams share theirs: both or none). */
  reset: ServiceName[];
  /** The state folder, when the emulator has one; null in memory. */
  stateFolder: string | null;
  /** True when their files were removed from the state folder too (every file but owner.json on a full reset). */
  stateFolderEmptied: boolean;
  message: string;
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
/** How long a reset waits for service requests already running (an SQS long poll is at most 20 s). */
const RESET_DRAIN_MS = 25_000;

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
  /** Services being reset: in-process calls to them fail fast instead of reaching a stopped module. */
  const resetting = new Set<ServiceName>();

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
      if (resetting.has(service)) {
        throw new ServiceError("ServiceUnavailable", `${service} is being reset; try again`, 503);
      }
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

  /**
   * Builds a group's modules; every store they ask for and every key they issue is remembered (a
   * reset clears them, then builds the group again from its factory).
   */
  const build = (group: ServiceGroup) => {
    group.stores = [];
    const groupEnv: ServiceEnv = {
      ...env,
      credentials: credentials.scoped(group.name),
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
    reset: (names) => reset(names),
    ...(options.onRequest ? { onRequest: options.onRequest } : {}),
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

  /**
   * A state reset, one at a time: requests wait at the gate, in-process calls to the services fail
   * fast; the services stop (Lambda's processes and mappings first: reverse start order); running
   * requests finish; their stores are cleared (and on a full reset the state folder emptied);
   * they are built again from their factories, start (with nothing to load) and run.
   */
  let resetQueue: Promise<unknown> = Promise.resolve();
  const reset = (names?: string[]): Promise<ResetReport> => {
    const next = resetQueue.then(() => resetNow(names));
    resetQueue = next.catch(() => undefined);
    return next;
  };
  const resetNow = async (names: string[] | undefined): Promise<ResetReport> => {
    const targets = names === undefined ? [...groups] : groupsNamed(names);
    const everything = targets.length === groups.length;
    const affected = START_ORDER.filter((name) =>
      targets.some((group) => group.modules.some((module) => module.name === name)),
    );
    gate.close();
    for (const name of affected) resetting.add(name);
    try {
      for (const group of [...targets].reverse()) await stopGroup(group);
      await gateway.drained(RESET_DRAIN_MS);
      for (const group of targets) {
        for (const store of group.stores) store.clear();
        credentials.forget(group.name);
      }
      if (everything && persistDir) emptyStateFolder(persistDir);
      for (let i = recoveryNotes.length - 1; i >= 0; i--) {
        if (affected.includes(recoveryNotes[i]!.service)) recoveryNotes.splice(i, 1);
      }
      for (const group of targets) {
        build(group);
        await startGroup(group);
      }
      for (const name of affected) resetting.delete(name);
      for (const group of targets) await runGroup(group);
    } finally {
      for (const name of affected) resetting.delete(name);
      gate.open();
    }
    return resetReport(affected, everything, persistDir);
  };
  const groupsNamed = (names: string[]): ServiceGroup[] => {
    const running = START_ORDER.filter((name) => services.has(name));
    const picked = new Set<ServiceGroup>();
    for (const name of names) {
      const group = groups.find((g) => g.modules.some((module) => module.name === name));
      if (group) {
        picked.add(group);
        continue;
      }
      throw new ResetRefusedError(
        (START_ORDER as string[]).includes(name)
          ? `${name} does not run in this emulator; it runs ${running.join(", ")}`
          : `${JSON.stringify(name)} is not a service of the emulator; give some of ${running.join(", ")} (comma-separated), or none for all`,
      );
    }
    return groups.filter((group) => picked.has(group));
  };

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
    reset: (names) => reset(names),
    stop: async () => {
      await gateway.close();
      await stopGroups(groups);
      lock?.release();
    },
  };
}

function resetReport(reset: ServiceName[], everything: boolean, persistDir: string | undefined): ResetReport {
  const which = everything ? "every service" : reset.join(", ");
  const message = persistDir
    ? everything
      ? `reset ${which}: nothing is left in memory, and the state folder ${persistDir} was emptied`
      : `reset ${which}: nothing is left in memory, and their files in the state folder ${persistDir} were removed`
    : `reset ${which}: nothing is left (in memory; this emulator has no state folder)`;
  return { reset, stateFolder: persistDir ?? null, stateFolderEmptied: persistDir !== undefined, message };
}

/** Holds requests while the services are not ready (start-up, a state reset). */
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
