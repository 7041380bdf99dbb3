/** Polls `check` until it returns a value, with a growing delay, or throws after `timeoutMs`. */
export async function pollUntil<T>(
  what: string,
  check: () => Promise<T | undefined>,
  options: { timeoutMs?: number; firstDelayMs?: number; maxDelayMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 300_000);
  let delay = options.firstDelayMs ?? 100;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() + delay > deadline) {
      throw new Error(
        `timed out after ${Math.round((options.timeoutMs ?? 300_000) / 1000)} s waiting for ${what}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, options.maxDelayMs ?? 5000);
  }
}

/** Options for the SDK waiters: quick first polls (the emulator settles in ~50 ms), AWS-sized limits. */
export const WAITER_TIMING = { minDelay: 0.2, maxDelay: 5, maxWaitTime: 300 } as const;
