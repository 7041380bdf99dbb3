import type { VerifyEnv } from "./types.js";

export interface WaitResult<T> {
  done: boolean;
  value: T;
  elapsedMs: number;
}

/**
 * Polls `probe` until `done(value)` or the deadline; never a fixed sleep. Each poll reports its
 * value through `describe` so the task tree shows progress ("312/400 entries, 9 s left").
 * A probe that throws ends the wait with that error.
 */
export async function waitFor<T>(
  env: Pick<VerifyEnv, "now" | "sleep" | "signal">,
  options: {
    probe: () => Promise<T>;
    done: (value: T) => boolean;
    deadlineMs: number;
    /** First wait between polls (default 250 ms); it grows by 15% per poll up to maxIntervalMs. */
    intervalMs?: number;
    maxIntervalMs?: number;
    onProgress?: (value: T, remainingMs: number) => void;
    /** Ends the wait early, e.g. when a failure is already certain (events landed in a DLQ). */
    giveUp?: () => Promise<string | undefined>;
  },
): Promise<WaitResult<T> & { gaveUp?: string }> {
  const start = env.now().getTime();
  // Short polls first (a local run settles within seconds), growing towards maxIntervalMs so a
  // ten-minute wait on AWS does not scan the table four times a second.
  let interval = options.intervalMs ?? 250;
  const maxInterval = options.maxIntervalMs ?? 2000;
  for (;;) {
    env.signal?.throwIfAborted();
    const value = await options.probe();
    const elapsedMs = env.now().getTime() - start;
    if (options.done(value)) return { done: true, value, elapsedMs };
    const remainingMs = options.deadlineMs - elapsedMs;
    options.onProgress?.(value, Math.max(0, remainingMs));
    if (remainingMs <= 0) return { done: false, value, elapsedMs };
    const reason = await options.giveUp?.();
    if (reason !== undefined) return { done: false, value, elapsedMs, gaveUp: reason };
    await env.sleep(Math.min(interval, remainingMs));
    interval = Math.min(maxInterval, Math.ceil(interval * 1.15));
  }
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Whether a count is within the configured tolerance of the expected count. */
export function withinTolerance(count: number, expected: number, tolerance: number): boolean {
  return Math.abs(count - expected) <= Math.floor(expected * tolerance);
}
