import { describe, expect, it } from "vitest";
import {
  MAX_RUN_FAILURES,
  PermanentError,
  RetryableError,
  RunTally,
  buildRunRecord,
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

describe("run records", () => {
  it("buildRunRecord: keys, times, duration, counts", () => {
    const record = buildRunRecord({
      runId: "evt-1",
      source: "news",
      startedAt: new Date("2026-08-02T02:00:00.000Z"),
      finishedAt: new Date("2026-08-02T02:00:01.250Z"),
      counts: { fetched: 3, written: 1, unchanged: 1, failed: 1 },
      failures: [{ celebrityId: "003", reason: "HTTP 404" }],
    });
    expect(record).toStrictEqual({
      pk: "RUN#evt-1",
      sk: "SOURCE#news",
      recordType: "run",
      runId: "evt-1",
      source: "news",
      startedAt: "2026-08-02T02:00:00.000Z",
      finishedAt: "2026-08-02T02:00:01.250Z",
      durationMs: 1250,
      counts: { fetched: 3, written: 1, unchanged: 1, failed: 1 },
      failures: [{ celebrityId: "003", reason: "HTTP 404" }],
    });
  });

  it("RunTally counts everything but lists only the first failures", () => {
    const tally = new RunTally();
    for (let i = 0; i < 25; i += 1) tally.failed(String(i), "bad");
    tally.fetched();
    tally.written();
    tally.unchanged();
    const record = tally.toRecord("r", "social", new Date(0), new Date(5));
    expect(record.counts).toStrictEqual({ fetched: 1, written: 1, unchanged: 1, failed: 25 });
    expect(record.failures).toHaveLength(MAX_RUN_FAILURES);
  });

  it("refuses a run that ends before it starts", () => {
    expect(() =>
      buildRunRecord({
        runId: "r",
        source: "tmdb",
        startedAt: new Date(10),
        finishedAt: new Date(5),
        counts: { fetched: 0, written: 0, unchanged: 0, failed: 0 },
        failures: [],
      }),
    ).toThrow(/finished before it started/);
  });
});
