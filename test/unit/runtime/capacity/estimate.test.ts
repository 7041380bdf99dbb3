import { describe, expect, it } from "vitest";
import { generateRoster } from "../../../../src/pipeline/model/index.js";
import {
  DEFAULT_PLAN_LIMITS,
  estimateSource,
  formatDuration,
  planRoster,
  requestsOf,
  shapeOf,
} from "../../../../src/runtime/capacity/index.js";
import type { SourcePlanInput } from "../../../../src/runtime/capacity/index.js";

const news = (over: Partial<SourcePlanInput> = {}): SourcePlanInput => ({
  source: "news",
  people: 10_000,
  requests: 10_000,
  maxRequestsPerPerson: 1,
  rateLimitPerSecond: 0.2,
  workerConcurrency: 2,
  shardSize: 25,
  ...over,
});

describe("requests per person, counted by running the source clients", () => {
  it("tmdb 2, wikipedia 2, news 1 for anyone; social 1 with a handle, 2 with a search first", async () => {
    expect(await requestsOf("tmdb", "")).toEqual({ count: 2, endpoints: ["tmdb.search", "tmdb.person"] });
    expect(await requestsOf("tmdb", "tmdbId")).toEqual({
      count: 2,
      endpoints: ["tmdb.person", "tmdb.search"],
    });
    expect((await requestsOf("wikipedia", "")).endpoints).toEqual([
      "wikipedia.summary",
      "wikipedia.pageviews",
    ]);
    expect((await requestsOf("wikipedia", "wikipediaTitle")).count).toBe(2);
    expect(await requestsOf("news", "newsQuery")).toEqual({ count: 1, endpoints: ["news.artlist"] });
    expect(await requestsOf("social", "handle")).toEqual({ count: 1, endpoints: ["social.profile"] });
    expect(await requestsOf("social", "")).toEqual({
      count: 2,
      endpoints: ["social.search", "social.profile"],
    });
  });

  it("a shape is which per-source ids a person has", () => {
    expect(shapeOf({})).toBe("");
    expect(shapeOf({ handle: "a.bsky.social", tmdbId: 7 })).toBe("tmdbId+handle");
  });
});

describe("estimateSource", () => {
  it("GDELT's 1 request per 5 s, 2 workers: 10,000 people take 200 waves of 250 s shards, within the week", () => {
    const estimate = estimateSource(news(), DEFAULT_PLAN_LIMITS);

    expect(estimate).toMatchObject({
      shards: 400,
      activeWorkers: 2,
      workerRatePerSecond: 0.1,
      shardSeconds: 250,
      runSeconds: 50_000,
      fitsInterval: true,
      fitsWorker: true,
      warnings: [],
    });
    expect(formatDuration(estimate.runSeconds)).toBe("13 h 53 m");
  });

  it("200,000 people do not fit the week: names the rate needed, the most people that fit, or the source", () => {
    const estimate = estimateSource(news({ people: 200_000, requests: 200_000 }), DEFAULT_PLAN_LIMITS);

    expect(estimate.runSeconds).toBe(1_000_000);
    expect(estimate.fitsInterval).toBe(false);
    // 0.2 x 1,000,000 / 604,800 = 0.33..., two figures rounded up.
    expect(estimate.requiredRatePerSecond).toBe(0.34);
    // 2419 full waves (604,750 s), then a lone last shard of 5 people (50 s): exactly the week.
    expect(estimate.maxPeople).toBe(120_955);
    expect(
      estimateSource(news({ people: 120_955, requests: 120_955 }), DEFAULT_PLAN_LIMITS).fitsInterval,
    ).toBe(true);
    expect(
      estimateSource(news({ people: 120_956, requests: 120_956 }), DEFAULT_PLAN_LIMITS).fitsInterval,
    ).toBe(false);
    expect(estimate.warnings).toEqual([
      "news cannot finish within the 7 d between scheduled runs: 200000 people x 1 request(s) at 0.2/s take about " +
        "11 d 13 h; raise sources.news.rateLimitPerSecond to 0.34 or more (if the API allows it), cut the active " +
        "roster to 120955 people or fewer, or stop scraping news",
    ]);
  });

  it("a shard that would outlast a worker's 15 minutes names the shardSize that fits", () => {
    // 10 workers share 0.2/s: 0.02/s each, so 25 people take 1250 s; 80% of 900 s is 720 s.
    const estimate = estimateSource(news({ workerConcurrency: 10 }), DEFAULT_PLAN_LIMITS);

    expect(estimate.shardSeconds).toBe(1250);
    expect(estimate.fitsWorker).toBe(false);
    expect(estimate.maxShardSize).toBe(14);
    expect(estimate.warnings).toEqual([
      "news: one shard of 25 people takes about 20 m 50 s at 0.02 requests/s per worker, more than 80% of a " +
        "worker's 15 m (Lambda's limit; the rest is room for retries): set sources.news.shardSize to 14 or less",
    ]);
    const smaller = estimateSource(news({ workerConcurrency: 10, shardSize: 14 }), DEFAULT_PLAN_LIMITS);
    expect(smaller.fitsWorker).toBe(true);
  });

  it("when not even one person fits a worker, it names the concurrency and the rate instead", () => {
    const estimate = estimateSource(news({ rateLimitPerSecond: 0.001 }), DEFAULT_PLAN_LIMITS);

    expect(estimate.maxShardSize).toBe(0);
    expect(estimate.warnings.at(-1)).toContain(
      "not even one person fits: lower sources.news.workerConcurrency (each worker gets the rate / workerConcurrency) or raise sources.news.rateLimitPerSecond",
    );
  });

  it("fewer shards than workers: the idle workers' share of the rate goes unused", () => {
    // 100 people x 2 requests, 4 shards, 10 workers at 10/s: 1/s each, one wave of 50 s shards.
    const estimate = estimateSource(
      news({
        people: 100,
        requests: 200,
        maxRequestsPerPerson: 2,
        rateLimitPerSecond: 10,
        workerConcurrency: 10,
      }),
      DEFAULT_PLAN_LIMITS,
    );
    expect(estimate).toMatchObject({ shards: 4, activeWorkers: 4, runSeconds: 50 });
  });

  it("a short last shard alone in its wave ends the run early", () => {
    // 51 people: shards of 25, 25 and 1; two workers at 1/s each.
    const estimate = estimateSource(
      news({ people: 51, requests: 51, rateLimitPerSecond: 2, workerConcurrency: 2 }),
      DEFAULT_PLAN_LIMITS,
    );
    expect(estimate.runSeconds).toBe(26);
  });

  it("no people: no shards, no time", () => {
    expect(estimateSource(news({ people: 0, requests: 0 }), DEFAULT_PLAN_LIMITS)).toMatchObject({
      shards: 0,
      runSeconds: 0,
      fitsInterval: true,
    });
  });

  it("refuses numbers that cannot be a plan", () => {
    expect(() => estimateSource(news({ shardSize: 0 }), DEFAULT_PLAN_LIMITS)).toThrow("bad shardSize 0");
    expect(() => estimateSource(news({ rateLimitPerSecond: 0 }), DEFAULT_PLAN_LIMITS)).toThrow(
      "bad rateLimitPerSecond 0",
    );
  });
});

describe("planRoster", () => {
  const sources = {
    tmdb: { rateLimitPerSecond: 20, workerConcurrency: 2, shardSize: 25 },
    wikipedia: { rateLimitPerSecond: 10, workerConcurrency: 2, shardSize: 25 },
    news: { rateLimitPerSecond: 0.2, workerConcurrency: 2, shardSize: 25 },
    social: { rateLimitPerSecond: 5, workerConcurrency: 2, shardSize: 25 },
  };

  it("counts each person's requests from their per-source ids: a handle saves social's search", async () => {
    const roster = generateRoster(100);
    for (const person of roster.slice(80)) delete person.handle;

    const plan = await planRoster({ sources, people: roster });

    const social = plan.sources.find((s) => s.source === "social")!;
    expect(plan.basis).toBe("roster");
    expect(social.requests).toBe(80 * 1 + 20 * 2);
    expect(social.maxRequestsPerPerson).toBe(2);
    expect(social.counted.map((c) => [c.shape, c.people, c.requests.count])).toEqual([
      ["handle", 80, 1],
      ["", 20, 2],
    ]);
    expect(plan.sources.map((s) => s.requests)).toEqual([200, 200, 100, 120]);
    expect(plan.fits).toBe(true);
  });

  it("a head count assumes nobody has per-source ids, and gathers every source's warnings", async () => {
    const plan = await planRoster({ sources, people: { count: 200_000 } });

    expect(plan.basis).toBe("count");
    expect(plan.people).toBe(200_000);
    expect(plan.sources.map((s) => s.requestsPerPerson)).toEqual([2, 2, 1, 2]);
    expect(plan.fits).toBe(false);
    expect(plan.warnings).toHaveLength(1);
    expect(plan.warnings[0]).toMatch(/^news cannot finish within the 7 d/);
  });
});

describe("formatDuration", () => {
  it("says the largest unit and the next one unless it is 0", () => {
    expect(formatDuration(0)).toBe("0 s");
    expect(formatDuration(45)).toBe("45 s");
    expect(formatDuration(725)).toBe("12 m 5 s");
    expect(formatDuration(604_800)).toBe("7 d");
    expect(formatDuration(86_400 + 5)).toBe("1 d");
  });
});
