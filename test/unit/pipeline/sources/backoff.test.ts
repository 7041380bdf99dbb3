import { describe, expect, it } from "vitest";
import {
  DEFAULT_RETRY_POLICY,
  backoffDelayMs,
  parseRetryAfterMs,
  resolveRetryPolicy,
  retryDelayMs,
} from "../../../../src/pipeline/sources/backoff.js";

const policy = resolveRetryPolicy({ baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 });

describe("backoffDelayMs", () => {
  it("backoffDelayMs: doubles the ceiling per retry and caps it at maxDelayMs", () => {
    // Prepare: a random source at the top of its range shows the ceiling itself.
    const top = () => 0.999999;

    // Act
    const delays = [1, 2, 3, 4, 5, 6].map((retry) => backoffDelayMs(retry, policy, top));

    // Assess
    expect(delays).toStrictEqual([99, 199, 399, 799, 999, 999]);
  });

  it("backoffDelayMs: full jitter draws uniformly below the ceiling", () => {
    expect(backoffDelayMs(3, policy, () => 0)).toBe(0);
    expect(backoffDelayMs(3, policy, () => 0.5)).toBe(200);
    expect(backoffDelayMs(3, policy, () => 0.25)).toBe(100);
  });
});

describe("parseRetryAfterMs", () => {
  const now = Date.UTC(2026, 7, 2, 2, 0, 0);

  it("parseRetryAfterMs: reads delay-seconds", () => {
    expect(parseRetryAfterMs("3", now)).toBe(3000);
    expect(parseRetryAfterMs(" 0 ", now)).toBe(0);
  });

  it("parseRetryAfterMs: reads an HTTP date relative to the clock", () => {
    expect(parseRetryAfterMs("Sun, 02 Aug 2026 02:00:07 GMT", now)).toBe(7000);
  });

  it("parseRetryAfterMs: a date in the past means now", () => {
    expect(parseRetryAfterMs("Sat, 01 Aug 2026 02:00:00 GMT", now)).toBe(0);
  });

  it("parseRetryAfterMs: ignores absent, negative and unreadable values", () => {
    expect(parseRetryAfterMs(null, now)).toBeUndefined();
    expect(parseRetryAfterMs("", now)).toBeUndefined();
    expect(parseRetryAfterMs("-5", now)).toBeUndefined();
    expect(parseRetryAfterMs("1.5", now)).toBeUndefined();
    expect(parseRetryAfterMs("soon", now)).toBeUndefined();
  });
});

describe("retryDelayMs", () => {
  it("retryDelayMs: Retry-After wins over backoff, capped at maxRetryAfterMs", () => {
    expect(retryDelayMs(1, policy, () => 0.9, 2000)).toBe(2000);
    expect(retryDelayMs(1, policy, () => 0.9, 60_000)).toBe(5000);
    expect(retryDelayMs(2, policy, () => 0.5, undefined)).toBe(100);
  });
});

describe("resolveRetryPolicy", () => {
  it("resolveRetryPolicy: fills defaults and rejects nonsense with the field named", () => {
    expect(resolveRetryPolicy()).toStrictEqual(DEFAULT_RETRY_POLICY);
    expect(() => resolveRetryPolicy({ maxAttempts: 0 })).toThrow(/maxAttempts must be an integer >= 1/);
    expect(() => resolveRetryPolicy({ baseDelayMs: -1 })).toThrow(/baseDelayMs/);
  });
});
