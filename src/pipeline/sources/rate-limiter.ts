import type { Clock } from "./clock.js";

export interface RateLimit {
  /** Sustained requests per second. */
  perSecond: number;
  /**
   * Requests that may go at once after a quiet spell (bucket size); default 1. A burst of b on top
   * of the rate lets b + perSecond - 1 requests into one second, more than an API that counts per
   * second allows; with 1, no two requests are ever closer than 1 / perSecond.
   */
  burst?: number;
}

/**
 * Client-side token bucket. Callers that find the bucket empty reserve a token from the future
 * (the balance goes negative) and sleep until it is theirs, so concurrent callers never exceed the
 * rate, retries included. `acquire` takes its turn after the callers before it have theirs, and a
 * caller that wakes late (a busy event loop, a loaded machine) is counted from when it actually
 * went: a reservation made before the late wake-up would otherwise follow it closer than the rate
 * allows, and the API would see two requests within one interval.
 */
export class TokenBucket {
  readonly perSecond: number;
  readonly burst: number;
  private tokens: number;
  private refilledAt: number;
  /** Settles when the callers that came before have their token. */
  private turn: Promise<void> = Promise.resolve();

  constructor(
    limit: RateLimit,
    private readonly clock: Clock,
  ) {
    if (!Number.isFinite(limit.perSecond) || limit.perSecond <= 0) {
      throw new Error(`rate limit must be a number of requests per second > 0; got ${limit.perSecond}`);
    }
    const burst = limit.burst ?? 1;
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
    const before = this.turn;
    let done!: () => void;
    this.turn = new Promise((resolve) => (done = resolve));
    try {
      await before;
      const waitMs = this.reserve();
      if (waitMs <= 0) return;
      await this.clock.sleep(waitMs, signal);
      // The token is used now, not when it was due: the next one is a full interval from now.
      const now = this.clock.now();
      if (now > this.refilledAt) {
        this.tokens = 0;
        this.refilledAt = now;
      }
    } finally {
      done();
    }
  }

  /**
   * Empties the bucket: the next request waits a full interval from now. A worker calls it when it
   * starts a shard: the worker that had the previous shard of its slot (the mapping's concurrency)
   * may have sent its last request a moment ago from another function instance, whose bucket this
   * one cannot see; so a slot's requests stay an interval apart across instances.
   */
  restart(): void {
    this.reserve();
    this.tokens = Math.min(this.tokens + 1, 0);
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
