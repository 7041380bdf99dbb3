import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Clock, TimerHandle } from "../../../core/clock.js";
import { IDLE_ENVIRONMENT_MS, SURPLUS_IDLE_MS } from "../limits.js";
import { ExecutionEnvironment } from "./environment.js";
import type { Executor, FunctionSpec, InvocationRequest, InvocationResult, LogSink } from "./executor.js";

export interface ProcessExecutorOptions {
  clock: Clock;
  logs: LogSink;
  reportError(error: unknown): void;
}

interface Waiter {
  spec: FunctionSpec;
  grant(environment: ExecutionEnvironment): void;
  refuse(error: Error): void;
}

/** The execution environments of one function. */
class Pool {
  readonly all = new Set<ExecutionEnvironment>();
  /** Most recently used last: a warm invocation takes the environment that ran last, as Lambda tends to. */
  readonly idle: ExecutionEnvironment[] = [];
  readonly waiters: Waiter[] = [];
  readonly idleTimers = new Map<ExecutionEnvironment, TimerHandle>();
  /** When each idle environment last finished an invocation (emulator clock, ms). */
  readonly idleSince = new Map<ExecutionEnvironment, number>();
  /** The generation new invocations run; environments of another generation are retired. */
  generation: string | undefined;
}

/**
 * Runs functions as separate Node processes (one per execution environment), reusing warm
 * environments and starting new ones up to the function's concurrency; invocations beyond it wait
 * for an environment to free up.
 */
export class ProcessExecutor implements Executor {
  private readonly pools = new Map<string, Pool>();
  private bootstrap: string | undefined;
  private stopped = false;

  constructor(private readonly options: ProcessExecutorOptions) {}

  async invoke(spec: FunctionSpec, request: InvocationRequest): Promise<InvocationResult> {
    if (this.stopped) throw new Error("The Lambda executor has stopped");
    const pool = this.poolOf(spec.key);
    const environment = await this.acquire(pool, spec);
    try {
      return await environment.invoke(spec, request);
    } finally {
      this.release(pool, environment);
    }
  }

  retire(key: string): void {
    const pool = this.pools.get(key);
    if (!pool) return;
    pool.generation = undefined;
    for (const environment of pool.idle.splice(0)) this.discard(pool, environment);
  }

  environments(key: string): { busy: number; idle: number } {
    const pool = this.pools.get(key);
    if (!pool) return { busy: 0, idle: 0 };
    return { busy: pool.all.size - pool.idle.length, idle: pool.idle.length };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const all: Promise<void>[] = [];
    for (const pool of this.pools.values()) {
      for (const waiter of pool.waiters.splice(0))
        waiter.refuse(new Error("The Lambda executor has stopped"));
      for (const timer of pool.idleTimers.values()) timer.cancel();
      pool.idleTimers.clear();
      pool.idle.splice(0);
      for (const environment of pool.all) all.push(environment.dispose());
      pool.all.clear();
    }
    this.pools.clear();
    await Promise.allSettled(all);
  }

  private poolOf(key: string): Pool {
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new Pool();
      this.pools.set(key, pool);
    }
    return pool;
  }

  private acquire(pool: Pool, spec: FunctionSpec): Promise<ExecutionEnvironment> {
    if (pool.generation !== spec.generation) {
      pool.generation = spec.generation;
      for (const stale of pool.idle.filter((e) => e.generation !== spec.generation))
        this.discard(pool, stale);
    }
    while (pool.idle.length > 0) {
      const environment = pool.idle.pop()!;
      pool.idleTimers.get(environment)?.cancel();
      pool.idleTimers.delete(environment);
      pool.idleSince.delete(environment);
      if (environment.alive && environment.generation === spec.generation) {
        this.retireSurplus(pool);
        return Promise.resolve(environment);
      }
      this.discard(pool, environment);
    }
    if (pool.all.size < spec.concurrency) return Promise.resolve(this.create(pool, spec));
    return new Promise((grant, refuse) => pool.waiters.push({ spec, grant, refuse }));
  }

  private release(pool: Pool, environment: ExecutionEnvironment): void {
    const reusable = environment.alive && environment.generation === pool.generation && !this.stopped;
    if (!reusable) this.discard(pool, environment);
    const waiter = pool.waiters.shift();
    if (waiter) {
      if (reusable && environment.generation === waiter.spec.generation) return waiter.grant(environment);
      if (reusable) this.discard(pool, environment);
      return waiter.grant(this.create(pool, waiter.spec));
    }
    if (!reusable) return;
    pool.idle.push(environment);
    pool.idleSince.set(environment, this.options.clock.now());
    pool.idleTimers.set(
      environment,
      this.options.clock.setTimeout(() => {
        pool.idleTimers.delete(environment);
        const at = pool.idle.indexOf(environment);
        if (at >= 0) pool.idle.splice(at, 1);
        this.discard(pool, environment);
      }, IDLE_ENVIRONMENT_MS),
    );
  }

  private create(pool: Pool, spec: FunctionSpec): ExecutionEnvironment {
    const environment = new ExecutionEnvironment(spec, {
      clock: this.options.clock,
      logs: this.options.logs,
      bootstrap: (this.bootstrap ??= bootstrapPath()),
      reportError: this.options.reportError,
    });
    pool.all.add(environment);
    return environment;
  }

  /**
   * Stops the idle environments that the function's invocations have passed over for
   * SURPLUS_IDLE_MS: a warm invocation takes the environment that ran last, so one that stays idle
   * while the others keep serving is capacity the load no longer uses (a run's planner next to its
   * workers, a burst's extra environments). Lambda scales a function's environments down as its
   * concurrency drops; here that keeps a long run from holding a process per environment it ever
   * had. An environment idle because nothing calls the function stays for IDLE_ENVIRONMENT_MS.
   */
  private retireSurplus(pool: Pool): void {
    const horizon = this.options.clock.now() - SURPLUS_IDLE_MS;
    for (const environment of [...pool.idle]) {
      if ((pool.idleSince.get(environment) ?? Infinity) > horizon) continue;
      pool.idle.splice(pool.idle.indexOf(environment), 1);
      this.discard(pool, environment);
    }
  }

  private discard(pool: Pool, environment: ExecutionEnvironment): void {
    if (!pool.all.delete(environment)) return;
    pool.idleTimers.get(environment)?.cancel();
    pool.idleTimers.delete(environment);
    pool.idleSince.delete(environment);
    environment.dispose().catch((error: unknown) => this.options.reportError(error));
  }
}

/**
 * The compiled runtime next to this file (dist), or its TypeScript source (tests run from src).
 * When the emulator is bundled into one file elsewhere (a test harness), the package's own copy is
 * found by walking up from the bundle.
 */
function bootstrapPath(): string {
  const here = fileURLToPath(new URL(".", import.meta.url));
  for (const name of ["runtime-bootstrap.js", "runtime-bootstrap.ts"]) {
    if (existsSync(join(here, name))) return join(here, name);
  }
  const inPackage = [
    "dist/runtime/emulator/services/lambda/executor/runtime-bootstrap.js",
    "src/runtime/emulator/services/lambda/executor/runtime-bootstrap.ts",
  ];
  for (let dir = here; ; dir = dirname(dir)) {
    for (const relative of inPackage) if (existsSync(join(dir, relative))) return join(dir, relative);
    if (dirname(dir) === dir) break;
  }
  throw new Error(`The Lambda runtime bootstrap (runtime-bootstrap.js) was not found from ${here}`);
}
