import { setTimeout as delay } from "node:timers/promises";

/**
 * Time as the source clients and the scrape stage see it. Every wait (backoff, Retry-After, rate
 * limit) goes through `sleep`, so tests pass a virtual clock and advance time instead of sleeping.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` milliseconds; rejects with the signal's reason if it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    if (ms <= 0) {
      signal?.throwIfAborted();
      return;
    }
    await delay(ms, undefined, signal === undefined ? undefined : { signal });
  },
};

/**
 * A clock whose time moves only when someone sleeps on it: `sleep(ms)` advances `now` by `ms` and
 * resolves at once. Concurrent sleepers share one timeline, which is what a deterministic test of
 * backoff and rate limiting wants. `slept` records every requested wait in order.
 */
export class VirtualClock implements Clock {
  readonly slept: number[] = [];
  private current: number;

  constructor(startMs = Date.UTC(2026, 7, 2, 2, 0, 0)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.slept.push(ms);
    if (ms > 0) this.current += ms;
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
