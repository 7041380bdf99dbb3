import type { Clock } from "./clock.js";

export interface RateLimit {
  /** Sustained requests per second. */
  perSecond: number;
  /** Requests that may go at once after a quiet spell (bucket size); default max(1, ceil(perSecond)). */
  burst?: number;
}

/**
 * Client-side token bucket. Callers that find the bucket empty reserve a token from the future
 * (the balance goes negative) and sleep until it is theirs, so concurrent callers queue up in
 * arrival order without a lock and never exceed the rate, retries included.
 */
export class TokenBucket {
  readonly perSecond: number;
  readonly burst: number;
  private tokens: number;
  private refilledAt: number;

  constructor(
    limit: RateLimit,
    private readonly clock: Clock,
  ) {
    if (!Number.isFinite(limit.perSecond) || limit.perSecond <= 0) {
      throw new Error(`rate limit must be a number of requests per second > 0; got ${limit.perSecond}`);
    }
    const burst = limit.burst ?? Math.max(1, Math.ceil(limit.perSecond));
    if (!Number.isFinite(burst) || burst < 1) {
      throw new Error(`rate limit burst must be >= 1; got ${burst}`);
    }
    this.perSecond = limit.perSecond;
    this.burst = burst;
    this.tokens = burst;
    this.refilledAt = clock.now();
  }

  /** Waits until the caller may send one request. */
  async acquire(signal?: AbortSignal): Promise<void> {
    const waitMs = this.reserve();
    if (waitMs > 0) await this.clock.sleep(waitMs, signal);
  }

  /** Takes one token and returns how long to wait before using it. */
  reserve(): number {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.refilledAt);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.perSecond) / 1000);
    this.refilledAt = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.perSecond);
  }
}
