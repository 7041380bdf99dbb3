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

  it("acquire: by default no burst, so no second holds more requests than the rate", async () => {
    const clock = new VirtualClock(0);
    const bucket = new TokenBucket({ perSecond: 2 }, clock);
    await Promise.all(Array.from({ length: 5 }, () => bucket.acquire()));
    // The first at once, then each 500 ms after the one before.
    expect(clock.slept).toStrictEqual([500, 500, 500, 500]);
  });

  it("acquire: a caller that wakes late is followed a full interval later, not sooner", async () => {
    // Prepare: a clock whose first sleep overshoots by 300 ms (a busy event loop).
    const inner = new VirtualClock(0);
    let late = 300;
    const clock = {
      now: () => inner.now(),
      sleep: async (ms: number) => {
        await inner.sleep(ms + late);
        late = 0;
      },
    };
    const bucket = new TokenBucket({ perSecond: 1 }, clock);

    // Act: three callers at once.
    await Promise.all(Array.from({ length: 3 }, () => bucket.acquire()));

    // Assess: the second went at 1300 instead of 1000; the third waited a full second after it
    // (a reservation counted from 1000 would have waited only 700 ms).
    expect(inner.slept).toStrictEqual([1300, 1000]);
    expect(inner.now()).toBe(2300);
  });

  it("restart: the next request waits a full interval, however long the bucket stood idle", () => {
    const clock = new VirtualClock(0);
    const bucket = new TokenBucket({ perSecond: 1 }, clock);
    clock.advance(60_000);
    bucket.restart();
    expect([bucket.reserve(), bucket.reserve()]).toStrictEqual([1000, 2000]);
    // A restart does not forgive a debt: reservations already made keep their turn.
    bucket.restart();
    expect(bucket.reserve()).toBe(3000);
  });

  it("constructor: refuses a rate that is not positive", () => {
    const clock = new VirtualClock(0);
    expect(() => new TokenBucket({ perSecond: 0 }, clock)).toThrow(/requests per second > 0/);
    expect(() => new TokenBucket({ perSecond: 1, burst: 0 }, clock)).toThrow(/burst must be >= 1/);
  });
});
