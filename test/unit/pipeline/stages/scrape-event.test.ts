import { describe, expect, it } from "vitest";
import {
  ScrapeEventError,
  createHandler,
  manualScrapeEvent,
  parseScrapeEvent,
  readScrapeSettings,
  shardRetryDelaySeconds,
  workerPacePerSecond,
  workerRatePerSecond,
} from "../../../../src/pipeline/handlers/scrape.js";
import { HandlerConfigError } from "../../../../src/pipeline/handlers/_shared.js";

/** The scraper's edges: the EventBridge event it is started with and the environment it reads. */

const scheduled = {
  version: "0",
  id: "5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
  "detail-type": "Scheduled Event",
  source: "aws.events",
  account: "000000000000",
  time: "2026-08-02T02:00:00Z",
  region: "us-east-1",
  resources: ["arn:aws:events:us-east-1:000000000000:rule/celebrity-weekly-scrape"],
  detail: {},
};

describe("parseScrapeEvent", () => {
  it("parseScrapeEvent: a scheduled event's id is the run id", () => {
    expect(parseScrapeEvent(scheduled)).toStrictEqual({
      runId: scheduled.id,
      limit: undefined,
      trigger: "schedule",
      eventId: scheduled.id,
    });
  });

  it("parseScrapeEvent: a manual request may carry runId and limit", () => {
    const event = manualScrapeEvent({ id: "evt-1", runId: "smoke-42", limit: 5 });
    expect(event).toMatchObject({ source: "celebrity.pipeline", "detail-type": "ManualScrapeRequested" });
    expect(parseScrapeEvent(event)).toStrictEqual({
      runId: "smoke-42",
      limit: 5,
      trigger: "manual",
      eventId: "evt-1",
    });
    expect(parseScrapeEvent(manualScrapeEvent({ id: "evt-2" }))).toMatchObject({
      runId: "evt-2",
      limit: undefined,
    });
  });

  it.each([
    [{}, /expected an EventBridge event .*id/],
    [null, /expected an EventBridge event/],
    [{ ...scheduled, "detail-type": "Something Else" }, /got "Something Else"/],
    [manualScrapeEvent({ id: "e", limit: 0 }), /detail is invalid \(limit: /],
    [manualScrapeEvent({ id: "e", runId: "has space" }), /runId may hold letters/],
    [{ ...scheduled, id: "#bad" }, /cannot be a run id/],
  ])("parseScrapeEvent: refuses %j naming the problem", (event, message) => {
    expect(() => parseScrapeEvent(event)).toThrow(ScrapeEventError);
    expect(() => parseScrapeEvent(event)).toThrow(message);
  });
});

describe("readScrapeSettings", () => {
  const env = { TABLE_NAME: "celebrity-database", SOURCE_NAME: "news" };

  it("readScrapeSettings: fills defaults and reads fractional rate limits", () => {
    expect(readScrapeSettings({ ...env, SOURCE_RATE_LIMIT_PER_SECOND: "0.2" })).toStrictEqual({
      tableName: "celebrity-database",
      source: "news",
      baseUrl: undefined,
      auxBaseUrl: undefined,
      apiKey: undefined,
      apiKeyParameter: undefined,
      rateLimitPerSecond: 0.2,
      timeoutMs: 10_000,
      workQueueName: undefined,
      shardSize: 25,
      workerConcurrency: 1,
      maxReceiveCount: 5,
      leaseSeconds: 60,
      retrySeconds: 30,
    });
  });

  it("a worker's rate is the source's divided by the workers' bound; retry waits double, capped", () => {
    const settings = readScrapeSettings({
      ...env,
      SOURCE_RATE_LIMIT_PER_SECOND: "0.2",
      WORKER_CONCURRENCY: "2",
      SHARD_RETRY_SECONDS: "30",
    });
    expect(workerRatePerSecond(settings)).toBe(0.1);
    // Unset: the public API's limit, still divided.
    expect(workerRatePerSecond(readScrapeSettings({ ...env, WORKER_CONCURRENCY: "4" }))).toBe(0.05);
    // Its pace: each interval a tenth longer, at most 100 ms (10 s + 100 ms; 1 s + 100 ms; 2 ms + 0.2 ms).
    expect(workerPacePerSecond(settings)).toBeCloseTo(1000 / 10_100, 12);
    const pace = (limit: string, workers: string) =>
      workerPacePerSecond(
        readScrapeSettings({ ...env, SOURCE_RATE_LIMIT_PER_SECOND: limit, WORKER_CONCURRENCY: workers }),
      );
    expect(pace("2", "2")).toBeCloseTo(1000 / 1100, 12);
    expect(pace("1000", "2")).toBeCloseTo(1000 / 2.2, 9);
    expect([1, 2, 3, 4, 10].map((n) => shardRetryDelaySeconds(settings, n))).toStrictEqual([
      30, 60, 120, 240, 900,
    ]);
  });

  it.each([
    [{ SOURCE_NAME: "news" }, /TABLE_NAME is not set/],
    [{ ...env, SOURCE_NAME: "myspace" }, /SOURCE_NAME must be one of tmdb, wikipedia, news, social/],
    [{ ...env, SOURCE_RATE_LIMIT_PER_SECOND: "fast" }, /SOURCE_RATE_LIMIT_PER_SECOND must be a number/],
    [{ ...env, HTTP_TIMEOUT_MS: "-1" }, /HTTP_TIMEOUT_MS must be a positive integer/],
    [{ ...env, WORKER_CONCURRENCY: "0" }, /WORKER_CONCURRENCY must be a positive integer/],
    [{ ...env, SHARD_RETRY_SECONDS: "-1" }, /SHARD_RETRY_SECONDS must be an integer >= 0/],
  ])("readScrapeSettings: refuses %j", (bad, message) => {
    expect(() => readScrapeSettings(bad)).toThrow(HandlerConfigError);
    expect(() => readScrapeSettings(bad)).toThrow(message);
  });
});

describe("createHandler", () => {
  it("createHandler: TMDB against the real API without a token fails at cold start, naming the variable", () => {
    const env = { TABLE_NAME: "t", SOURCE_NAME: "tmdb", POWERTOOLS_LOG_LEVEL: "SILENT" };
    expect(() => createHandler(env)).toThrow(
      /https:\/\/api\.themoviedb\.org needs an API Read Access Token; set SOURCE_API_KEY/,
    );
    expect(() => createHandler({ ...env, SOURCE_BASE_URL: "http://127.0.0.1:1/tmdb" })).not.toThrow();
  });

  it("createHandler: a base URL that is not one fails at cold start", () => {
    const env = {
      TABLE_NAME: "t",
      SOURCE_NAME: "social",
      SOURCE_BASE_URL: "bsky",
      POWERTOOLS_LOG_LEVEL: "SILENT",
    };
    expect(() => createHandler(env)).toThrow(/base URL "bsky" is not a URL/);
  });
});
