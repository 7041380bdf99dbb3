import type { TimerHandle } from "../../core/clock.js";
import { ServiceError } from "../../core/errors.js";
import type { ServiceEnv } from "../../core/service.js";
import type { Destinations } from "./destinations.js";
import type { InvocationRequest, InvocationResult } from "./executor/executor.js";
import {
  ASYNC_RETRY_WAITS_MS,
  ASYNC_THROTTLE_BACKOFF_MAX_MS,
  ASYNC_THROTTLE_BACKOFF_MIN_MS,
  DEFAULT_MAX_EVENT_AGE_SECONDS,
  DEFAULT_MAX_RETRY_ATTEMPTS,
} from "./limits.js";
import type { AsyncEvent, AttemptResponse, FunctionRecord } from "./models.js";
import { functionArn, functionKey } from "./names.js";
import type { LambdaStore } from "./store.js";

export interface AsyncInvokerDeps {
  env: ServiceEnv;
  store: LambdaStore;
  destinations: Destinations;
  /** Runs one attempt; throws a ServiceError when Lambda could not run it (throttled, not ready). */
  /** Runs one attempt; answers the version that ran with the result. */
  execute(
    fn: FunctionRecord,
    request: InvocationRequest,
  ): Promise<InvocationResult & { executedVersion: string }>;
}

/**
 * Lambda's asynchronous invocation queue (aws-behaviour.md §4.2): an accepted event is journaled,
 * attempted, retried after a function error or timeout (MaximumRetryAttempts, default 2; AWS waits
 * about 1 then 2 minutes, scaled by `retryWaitScale`), dropped once older than
 * MaximumEventAgeInSeconds, and finally sent to the on-success / on-failure destination and the
 * dead-letter queue. Throttled attempts are re-queued with backoff and do not count as attempts.
 * Every wait runs on the emulator clock; queued events survive a restart when persisting.
 */
export class AsyncInvoker {
  private readonly timers = new Map<string, TimerHandle>();
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;

  constructor(private readonly deps: AsyncInvokerDeps) {}

  start(): void {
    this.running = true;
    for (const event of this.deps.store.events.values()) this.schedule(event);
  }

  /** Stops scheduling; attempts in flight end when the executor stops their environments. */
  stop(): void {
    this.running = false;
    for (const timer of this.timers.values()) timer.cancel();
    this.timers.clear();
  }

  /** Resolves once no attempt is in flight. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Accepts an event (durably, before the 202 is sent) and schedules its first attempt.
   * `qualifier`: the version or alias invoked; each attempt runs what it names at that moment.
   */
  enqueue(fn: FunctionRecord, requestId: string, payload: string, qualifier?: string): void {
    const now = this.deps.env.clock.now();
    const event: AsyncEvent = {
      id: requestId,
      functionKey: functionKey(fn),
      functionArn: functionArn(fn, qualifier),
      payload,
      receivedAt: now,
      attempts: 0,
      nextAttemptAt: now,
      throttles: 0,
    };
    this.deps.store.putEvent(event);
    this.schedule(event);
  }

  /** Events waiting for the function (for health and tests). */
  pending(key: string): number {
    let count = 0;
    for (const event of this.deps.store.events.values()) if (event.functionKey === key) count++;
    return count;
  }

  private schedule(event: AsyncEvent): void {
    if (!this.running) return;
    this.timers.get(event.id)?.cancel();
    const delay = Math.max(0, event.nextAttemptAt - this.deps.env.clock.now());
    this.timers.set(
      event.id,
      this.deps.env.clock.setTimeout(() => {
        this.timers.delete(event.id);
        const work = this.attempt(event.id).catch((error: unknown) => {
          // An attempt cut short by the shutdown is retried after the next start, not an error.
          if (this.running) this.deps.env.reportBackgroundError("lambda", error);
        });
        this.inFlight.add(work);
        void work.finally(() => this.inFlight.delete(work));
      }, delay),
    );
  }

  private async attempt(id: string): Promise<void> {
    const { store, env, destinations } = this.deps;
    const queued = store.events.get(id);
    if (!queued || !this.running) return;
    const event = structuredClone(queued);
    const fn = store.functions.get(event.functionKey);
    if (!fn) {
      store.doneEvent(id);
      env.reportBackgroundError(
        "lambda",
        new Error(`Asynchronous event ${id} was dropped: ${event.functionArn} no longer exists.`),
      );
      return;
    }
    const maxAgeMs = (fn.eventInvokeConfig?.maximumEventAgeInSeconds ?? DEFAULT_MAX_EVENT_AGE_SECONDS) * 1000;
    const maxRetries = fn.eventInvokeConfig?.maximumRetryAttempts ?? DEFAULT_MAX_RETRY_ATTEMPTS;
    if (env.clock.now() - event.receivedAt > maxAgeMs) {
      await destinations.failure(fn, event, "EventAgeExceeded", event.lastResponse);
      store.doneEvent(id);
      return;
    }

    let result: InvocationResult & { executedVersion: string };
    try {
      result = await this.deps.execute(fn, {
        requestId: event.id,
        payload: event.payload,
        invokedFunctionArn: event.functionArn,
      });
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error;
      if (error.code === "ResourceNotFoundException") {
        // The version or alias the event was sent to was deleted while it waited.
        store.doneEvent(id);
        env.reportBackgroundError(
          "lambda",
          new Error(`Asynchronous event ${id} was dropped: ${event.functionArn} no longer exists.`),
        );
        return;
      }
      // Throttled, or the function is being updated: back off and try again, as Lambda does.
      event.throttles += 1;
      const backoff = Math.min(
        ASYNC_THROTTLE_BACKOFF_MAX_MS,
        ASYNC_THROTTLE_BACKOFF_MIN_MS * 2 ** (event.throttles - 1),
      );
      this.reschedule(event, backoff);
      return;
    }
    // Stopped mid-attempt (the environment was killed by the shutdown): the journal still holds
    // the event as it was, so it is attempted again after a restart.
    if (!this.running || !store.events.has(id)) return;

    event.attempts += 1;
    const response: AttemptResponse = {
      statusCode: 200,
      executedVersion: result.executedVersion,
      payload: result.payload,
      ...(result.outcome === "success" ? {} : { functionError: "Unhandled" }),
    };
    event.lastResponse = response;
    const current = store.functions.get(event.functionKey) ?? fn;
    if (result.outcome === "success") {
      await destinations.success(current, event, response);
      store.doneEvent(id);
    } else if (event.attempts > maxRetries) {
      await destinations.failure(current, event, "RetriesExhausted", response);
      store.doneEvent(id);
    } else {
      const wait = ASYNC_RETRY_WAITS_MS[event.attempts - 1] ?? ASYNC_RETRY_WAITS_MS.at(-1) ?? 0;
      this.reschedule(event, wait);
    }
  }

  private reschedule(event: AsyncEvent, awsWaitMs: number): void {
    event.nextAttemptAt =
      this.deps.env.clock.now() + Math.round(awsWaitMs * this.deps.env.settings.retryWaitScale);
    if (!this.deps.store.events.has(event.id)) return;
    this.deps.store.putEvent(event);
    this.schedule(event);
  }
}
