/**
 * Retry timing for the source clients: exponential backoff with full jitter (AWS Architecture Blog,
 * "Exponential Backoff and Jitter"), overridden by a server's Retry-After when it sends one.
 */

export interface RetryPolicy {
  /** Attempts in total, the first one included (1 = never retry). */
  maxAttempts: number;
  /** Backoff ceiling before jitter for the first retry; doubles on each further retry. */
  baseDelayMs: number;
  /** Largest backoff ceiling, whatever the attempt number. */
  maxDelayMs: number;
  /**
   * Largest Retry-After the client will wait. A longer one is waited for only this long (the next
   * attempt then fails again and uses up the attempts): a Lambda must not sleep out its timeout.
   */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 5,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 30_000,
});

export function resolveRetryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...overrides };
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new Error(`retry maxAttempts must be an integer >= 1; got ${policy.maxAttempts}`);
  }
  for (const key of ["baseDelayMs", "maxDelayMs", "maxRetryAfterMs"] as const) {
    if (!Number.isFinite(policy[key]) || policy[key] < 0) {
      throw new Error(`retry ${key} must be a number >= 0; got ${policy[key]}`);
    }
  }
  return policy;
}

/**
 * Full-jitter delay before retry number `retry` (1 = the first retry): a uniform draw from
 * [0, min(maxDelay, base * 2^(retry-1))). `random` returns [0, 1) like Math.random.
 */
export function backoffDelayMs(retry: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  const draw = Math.min(Math.max(random(), 0), 1);
  return Math.floor(draw * ceiling);
}

/**
 * Milliseconds a Retry-After header asks for, or undefined when absent or unreadable. Accepts both
 * forms RFC 9110 allows: delay-seconds ("120") and an HTTP date (relative to `nowMs`; a date in the
 * past means "now").
 */
export function parseRetryAfterMs(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === "") return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** The wait before the next attempt: the server's Retry-After (capped) if given, else jittered backoff. */
export function retryDelayMs(
  retry: number,
  policy: RetryPolicy,
  random: () => number,
  retryAfterMs: number | undefined,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  return backoffDelayMs(retry, policy, random);
}
