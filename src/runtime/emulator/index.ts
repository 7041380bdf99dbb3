import { randomUUID } from "node:crypto";
import { SystemClock, type Clock } from "./core/clock.js";
import { ServiceError } from "./core/errors.js";
import { storeFor } from "./core/persistence.js";
import { DEFAULT_ACCOUNT_ID, type RequestContext } from "./core/request.js";
import type { EmulatorSettings, ServiceEnv, ServiceModule, ServiceName } from "./core/service.js";
import { Gateway } from "./server.js";
import { SERVICE_LOADERS, START_ORDER } from "./services/index.js";

export { ManualClock, SystemClock, type Clock } from "./core/clock.js";
export type { EmulatorSettings, ServiceName } from "./core/service.js";

export interface EmulatorOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Bind address; only loopback addresses are accepted. */
  host?: string;
  /** Folder where state survives restarts; in memory when absent. */
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
  stop(): Promise<void>;
}

export interface EmulatorHealth {
  emulator: "pipeline";
  endpoint: string;
  region: string;
  accountId: string;
  persistence: string | null;
  services: Record<string, string>;
  details: Record<string, string | undefined>;
}

export const DEFAULT_SETTINGS: EmulatorSettings = {
  // AWS waits about 1 and 2 minutes between asynchronous Lambda retries; 1/60 makes that 1 s and 2 s.
  retryWaitScale: 1 / 60,
  lambdaConcurrencyPerFunction: 4,
};

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;
const MAX_KEPT_ERRORS = 100;

/** Starts an emulator: services in dependency order, then the HTTP gateway. */
export async function createEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? "127.0.0.1";
  if (!LOOPBACK.test(host)) {
    throw new Error(`The emulator binds loopback addresses only (got ${host}); use 127.0.0.1.`);
  }
  const clock = options.clock ?? new SystemClock();
  const region = options.region ?? "us-east-1";
  const accountId = options.accountId ?? DEFAULT_ACCOUNT_ID;
  const settings: EmulatorSettings = { ...DEFAULT_SETTINGS, ...options.settings };
  const services = new Map<ServiceName, ServiceModule>();
  const backgroundErrors: { service: ServiceName; message: string; at: number }[] = [];
  let baseUrl = "";

  const env: ServiceEnv = {
    clock,
    baseUrl: () => baseUrl,
    defaultRegion: region,
    defaultAccountId: accountId,
    settings,
    store: (service) => storeFor(options.persistDir, service),
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
  };

  const wanted = new Set(options.services ?? START_ORDER);
  const started: ServiceModule[] = [];
  const stopStarted = async () => {
    for (const module of started.reverse()) await module.stop?.();
  };
  try {
    for (const name of START_ORDER) {
      if (!wanted.has(name) || services.has(name)) continue;
      const load = SERVICE_LOADERS[name];
      if (!load) continue;
      const built = (await load())(env);
      for (const module of Array.isArray(built) ? built : [built]) {
        services.set(module.name, module);
        await module.start?.();
        started.push(module);
      }
    }
  } catch (error) {
    await stopStarted();
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
      persistence: options.persistDir ?? null,
      services: states,
      details,
    };
  };

  const gateway = new Gateway({
    host,
    port: options.port ?? 0,
    defaultRegion: region,
    defaultAccountId: accountId,
    services: () => services,
    health: () => health(),
    onError: (error) => env.reportBackgroundError("sts", error),
  });
  let port: number;
  try {
    port = await gateway.listen();
  } catch (error) {
    await stopStarted();
    throw error;
  }
  baseUrl = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  const defaultContext = (): RequestContext => ({ requestId: randomUUID(), region, accountId });
  return {
    url: baseUrl,
    port,
    clock,
    region,
    accountId,
    call: (service, operation, input) => env.call(service, operation, input, defaultContext()),
    health,
    errors: () => [...backgroundErrors],
    stop: async () => {
      await gateway.close();
      await stopStarted();
    },
  };
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
