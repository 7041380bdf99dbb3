import { describe, expect, it } from "vitest";
import {
  MAX_RUN_FAILURES,
  PermanentError,
  RetryableError,
  RunTally,
  buildRunRecord,
  buildShardRecord,
  classifyError,
  classifyHttpStatus,
  isTransientNetworkError,
} from "../../../../src/pipeline/model/index.js";

describe("error classification", () => {
  it("classifies HTTP statuses", () => {
    expect([400, 401, 403, 404, 408, 429, 500, 503].map(classifyHttpStatus)).toStrictEqual([
      "permanent",
      "permanent",
      "permanent",
      "permanent",
      "retryable",
      "retryable",
      "retryable",
      "retryable",
    ]);
  });

  it("PermanentError is permanent, everything else retryable", () => {
    const permanent = new PermanentError("bad data", { celebrityId: "001", status: 404 });
    expect(classifyError(permanent)).toBe("permanent");
    expect(permanent).toMatchObject({
      name: "PermanentError",
      retryable: false,
      celebrityId: "001",
      status: 404,
    });
    expect(classifyError(new RetryableError("503"))).toBe("retryable");
    expect(classifyError(new Error("unknown"))).toBe("retryable");
  });

  it("keeps the cause", () => {
    const cause = new Error("socket");
    expect(new RetryableError("fetch failed", { cause }).cause).toBe(cause);
  });

  it("recognises transient network errors, also nested in cause", () => {
    const fetchFailure = new TypeError("fetch failed", {
      cause: Object.assign(new Error("x"), { code: "ECONNRESET" }),
    });
    expect(isTransientNetworkError(fetchFailure)).toBe(true);
    expect(isTransientNetworkError(new DOMException("t", "TimeoutError"))).toBe(true);
    expect(isTransientNetworkError(new Error("plain"))).toBe(false);
  });
});

describe("run and shard records", () => {
  it("buildRunRecord: the plan's key, status and shard count", () => {
    const record = buildRunRecord({
      runId: "evt-1",
      source: "news",
      status: "planning",
      shards: 4,
      shardSize: 25,
      rosterSize: 100,
      rosterHash: "abc",
      plannedAt: "2026-08-02T02:00:00.000Z",
      trigger: "schedule",
      eventId: "evt-1",
    });
    expect(record).toMatchObject({ pk: "RUN#evt-1", sk: "SOURCE#news", recordType: "run", shards: 4 });
    expect(() => buildRunRecord({ ...record, shards: 0 })).toThrow(/at least one shard/);
  });

  it("buildShardRecord: keys, times, duration, counts; lists only the first failures", () => {
    const tally = new RunTally();
    for (let i = 0; i < 25; i += 1) tally.failed(String(i), "bad");
    tally.fetched();
    tally.written();
    const record = buildShardRecord({
      runId: "evt-1",
      source: "news",
      shard: 42,
      shards: 400,
      people: 26,
      status: "done",
      receives: 2,
      startedAt: new Date("2026-08-02T02:00:00.000Z"),
      finishedAt: new Date("2026-08-02T02:00:01.250Z"),
      counts: tally.counts,
      failures: tally.failures,
      notAttempted: 0,
      retries: 3,
    });
    expect(record).toMatchObject({
      pk: "RUN#evt-1",
      sk: "SOURCE#news#SHARD#000042",
      recordType: "shard",
      durationMs: 1250,
      counts: { fetched: 1, written: 1, unchanged: 0, failed: 25 },
    });
    expect(record.failures).toHaveLength(MAX_RUN_FAILURES);
  });

  it("refuses a shard that ends before it starts", () => {
    expect(() =>
      buildShardRecord({
        runId: "r",
        source: "tmdb",
        shard: 0,
        shards: 1,
        people: 1,
        status: "done",
        receives: 1,
        startedAt: new Date(10),
        finishedAt: new Date(5),
        counts: { fetched: 0, written: 0, unchanged: 0, failed: 0 },
        failures: [],
        notAttempted: 0,
        retries: 0,
      }),
    ).toThrow(/finished before it started/);
  });
});
