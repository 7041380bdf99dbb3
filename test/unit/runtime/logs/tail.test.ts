import type { FilteredLogEvent } from "@aws-sdk/client-cloudwatch-logs";
import { describe, expect, it } from "vitest";
import {
  parseSince,
  tailLogs,
  type FilterLogEventsPort,
  type FilterPageRequest,
  type LogSource,
  type TailClock,
  type TailEvent,
} from "../../../../src/runtime/logs/index.js";

/**
 * A FilterLogEvents double with the API's semantics that matter here: one group per call, events at
 * or after startTime ordered by timestamp, pages of `pageSize` chained by nextToken.
 */
class FakeLogs {
  readonly groups = new Map<string, FilteredLogEvent[]>();
  readonly requests: FilterPageRequest[] = [];
  private nextId = 0;

  constructor(private readonly pageSize = 2) {}

  put(group: string, timestamp: number, message: string): void {
    const events = this.groups.get(group) ?? [];
    this.nextId += 1;
    events.push({
      logStreamName: "s",
      timestamp,
      ingestionTime: timestamp,
      message,
      eventId: String(this.nextId).padStart(6, "0"),
    });
    events.sort((a, b) => a.timestamp! - b.timestamp!);
    this.groups.set(group, events);
  }

  readonly filter: FilterLogEventsPort = async (request) => {
    this.requests.push(request);
    const all = (this.groups.get(request.logGroupName) ?? []).filter(
      (e) => e.timestamp! >= request.startTime,
    );
    const offset = Number(request.nextToken ?? "0");
    const page = all.slice(offset, offset + this.pageSize);
    const next = offset + this.pageSize;
    return { events: page, ...(next < all.length ? { nextToken: String(next) } : {}) };
  };
}

const sources: LogSource[] = [
  { function: "scraper-tmdb", functionName: "scraper-tmdb", logGroupName: "/aws/lambda/scraper-tmdb" },
  { function: "post-processor", functionName: "post-processor", logGroupName: "/aws/lambda/post-processor" },
];

/** A clock whose sleep runs a step of the test (new writes), then returns at once. */
function scriptedClock(steps: (() => void)[], controller: AbortController): TailClock {
  return {
    now: () => 0,
    sleep: async () => {
      const step = steps.shift();
      if (step) step();
      else controller.abort();
    },
  };
}

describe("tailLogs", () => {
  it("reads every page of every group and interleaves them by time", async () => {
    // Prepare
    const logs = new FakeLogs(2);
    for (const t of [1, 4, 5, 9]) logs.put("/aws/lambda/scraper-tmdb", t, `tmdb ${t}`);
    for (const t of [2, 3, 7]) logs.put("/aws/lambda/post-processor", t, `post ${t}`);
    // Act
    const batches: TailEvent[][] = [];
    for await (const batch of tailLogs({ sources, since: 0, follow: false, filter: logs.filter }))
      batches.push(batch);
    // Assess
    expect(batches).toHaveLength(1);
    expect(batches[0]!.map((e) => e.message)).toStrictEqual([
      "tmdb 1",
      "post 2",
      "post 3",
      "tmdb 4",
      "tmdb 5",
      "post 7",
      "tmdb 9",
    ]);
    expect(logs.requests.every((r) => r.startTime === 0)).toBe(true);
    expect(logs.requests.filter((r) => r.logGroupName === "/aws/lambda/scraper-tmdb")).toHaveLength(2);
  });

  it("passes the filter pattern and since instant to every call", async () => {
    const logs = new FakeLogs();
    logs.put("/aws/lambda/scraper-tmdb", 50, "old");
    logs.put("/aws/lambda/scraper-tmdb", 150, "ERROR new");
    const seen: TailEvent[] = [];
    for await (const batch of tailLogs({
      sources: sources.slice(0, 1),
      since: 100,
      filterPattern: "ERROR",
      follow: false,
      filter: logs.filter,
    }))
      seen.push(...batch);
    expect(seen.map((e) => e.message)).toStrictEqual(["ERROR new"]);
    expect(logs.requests[0]).toMatchObject({ startTime: 100, filterPattern: "ERROR" });
  });

  it("follow: emits each event once across polls, including a late event with an older timestamp", async () => {
    // Prepare
    const logs = new FakeLogs(3);
    const tmdb = "/aws/lambda/scraper-tmdb";
    const post = "/aws/lambda/post-processor";
    logs.put(tmdb, 10_000, "a");
    logs.put(post, 11_000, "b");
    const controller = new AbortController();
    const clock = scriptedClock(
      [
        () => logs.put(tmdb, 12_000, "c"),
        () => {}, // an idle poll: nothing new
        () => {
          logs.put(post, 10_500, "late"); // arrived after "b" was read, timestamped before it
          logs.put(tmdb, 13_000, "d");
        },
      ],
      controller,
    );
    // Act
    const batches: string[][] = [];
    for await (const batch of tailLogs({
      sources,
      since: 0,
      follow: true,
      filter: logs.filter,
      clock,
      lateWindowMs: 5_000,
      signal: controller.signal,
    }))
      batches.push(batch.map((e) => e.message));
    // Assess
    expect(batches).toStrictEqual([["a", "b"], ["c"], ["late", "d"]]);
    // Polls after the first start a window behind the newest event seen, not at the beginning:
    // the last poll ran when "c" (12 s) was the newest tmdb event.
    const tmdbStarts = logs.requests.filter((r) => r.logGroupName === tmdb).map((r) => r.startTime);
    expect(tmdbStarts).toStrictEqual([0, 5_000, 7_000, 7_000]);
  });

  it("follow: stops without an error when the signal aborts during a poll's wait", async () => {
    const logs = new FakeLogs();
    const controller = new AbortController();
    const clock: TailClock = { now: () => 0, sleep: async () => controller.abort() };
    const batches: TailEvent[][] = [];
    for await (const batch of tailLogs({
      sources,
      since: 0,
      follow: true,
      filter: logs.filter,
      clock,
      signal: controller.signal,
    }))
      batches.push(batch);
    expect(batches).toStrictEqual([]);
    expect(logs.requests).toHaveLength(2);
  });
});

describe("parseSince", () => {
  const now = Date.parse("2026-11-23T10:00:00Z");

  it("reads durations back from now", () => {
    expect(parseSince("10m", now)).toBe(now - 600_000);
    expect(parseSince("1h", now)).toBe(now - 3_600_000);
    expect(parseSince("30s", now)).toBe(now - 30_000);
    expect(parseSince("2d", now)).toBe(now - 2 * 86_400_000);
  });

  it("reads ISO-8601 times", () => {
    expect(parseSince("2026-11-23T09:00:00Z", now)).toBe(Date.parse("2026-11-23T09:00:00Z"));
  });

  it("refuses anything else, naming the accepted forms", () => {
    expect(() => parseSince("yesterday", now)).toThrow(/use a duration \(30s, 10m, 1h, 2d, 1w\)/);
    expect(() => parseSince("2026-02-30T00:00:00Z", now)).toThrow(/2026-02 has 28 days/);
    expect(() => parseSince("10 minutes", now)).toThrow(/--since/);
  });

  it("refuses a start before the epoch, which CloudWatch Logs refuses as an invalid parameter", () => {
    expect(() => parseSince("99999d", now)).toThrow(
      /^--since "99999d" reaches before 1970-01-01, where no log event is; use a shorter duration/,
    );
    expect(() => parseSince("1969-12-31", now)).toThrow(/reaches before 1970-01-01/);
    expect(parseSince("1970-01-01", now)).toBe(0);
  });
});
