import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../../../src/pipeline/sources/clock.js";
import { TokenBucket } from "../../../../src/pipeline/sources/rate-limiter.js";

describe("TokenBucket", () => {
  it("acquire: lets a burst through, then spaces requests at the rate", async () => {
    // Prepare
    const clock = new VirtualClock(0);
    const bucket = new TokenBucket({ perSecond: 2, burst: 2 }, clock);
    const startedAt: number[] = [];

    // Act: sequential callers, each waiting its turn.
    for (let i = 0; i < 5; i += 1) {
      await bucket.acquire();
      startedAt.push(clock.now());
    }

    // Assess: two at once, then one every 500 ms.
    expect(startedAt).toStrictEqual([0, 0, 500, 1000, 1500]);
  });

  it("reserve: concurrent callers queue in arrival order without exceeding the rate", () => {
    // Prepare
    const clock = new VirtualClock(0);
    const bucket = new TokenBucket({ perSecond: 4, burst: 1 }, clock);

    // Act: ten callers arriving at the same instant.
    const waits = Array.from({ length: 10 }, () => bucket.reserve());

    // Assess
    expect(waits).toStrictEqual([0, 250, 500, 750, 1000, 1250, 1500, 1750, 2000, 2250]);
  });

  it("reserve: refills while idle, but never beyond the burst", () => {
    const clock = new VirtualClock(0);
    const bucket = new TokenBucket({ perSecond: 1, burst: 3 }, clock);
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve(), bucket.reserve()]).toStrictEqual([
      0, 0, 0, 1000,
    ]);
    clock.advance(60_000);
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve(), bucket.reserve()]).toStrictEqual([
      0, 0, 0, 1000,
    ]);
  });

  it("reserve: a fractional rate (GDELT's one per five seconds) spaces by 5 s", () => {
    const clock = new VirtualClock(0);
    const bucket = new TokenBucket({ perSecond: 0.2 }, clock);
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toStrictEqual([0, 5000, 10000]);
  });

  it("constructor: refuses a rate that is not positive", () => {
    const clock = new VirtualClock(0);
    expect(() => new TokenBucket({ perSecond: 0 }, clock)).toThrow(/requests per second > 0/);
    expect(() => new TokenBucket({ perSecond: 1, burst: 0 }, clock)).toThrow(/burst must be >= 1/);
  });
});
