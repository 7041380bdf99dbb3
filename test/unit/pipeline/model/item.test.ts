import { describe, expect, it } from "vitest";
import {
  demoRoster,
  buildCelebrityItem,
  contentHash,
  needsEnrichment,
  stableStringify,
  validateCompleteness,
} from "../../../../src/pipeline/model/index.js";
import type { Celebrity } from "../../../../src/pipeline/model/index.js";
import { newsData, socialData, tmdbData, wikipediaData } from "./fixtures.js";

const DEMO_ROSTER = demoRoster();

const ava = DEMO_ROSTER[0] as Celebrity;

describe("contentHash", () => {
  it("is independent of key order at every level", () => {
    const a = { x: 1, y: { b: [1, 2], a: "s" } };
    const b = { y: { a: "s", b: [1, 2] }, x: 1 };
    expect(stableStringify(a)).toBe(stableStringify(b));
    expect(contentHash(a)).toBe(contentHash(b));
    expect(contentHash(a)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("changes when a value changes and ignores undefined members", () => {
    expect(contentHash({ a: 1 })).not.toBe(contentHash({ a: 2 }));
    expect(contentHash({ a: 1, b: undefined })).toBe(contentHash({ a: 1 }));
  });

  it("refuses non-finite numbers", () => {
    expect(() => contentHash({ a: Number.NaN })).toThrow(/non-finite/);
  });
});

describe("buildCelebrityItem", () => {
  it("builds keys, GSI keys, identity, UTC timestamp and hash", () => {
    // Act
    const item = buildCelebrityItem(ava, "tmdb", tmdbData, new Date("2026-08-02T02:00:00+02:00"));
    // Assess
    expect(item).toStrictEqual({
      pk: "CELEB#001",
      sk: "SOURCE#tmdb",
      gsi1pk: "CATEGORY#actor",
      gsi1sk: "LOCATION#GB#LONDON#001",
      gsi2pk: "SOCIAL#ava-quill.bsky.social",
      celebrityId: "001",
      name: "Ava Quill",
      category: "actor",
      country: "GB",
      city: "London",
      source: "tmdb",
      timestamp: "2026-08-02T00:00:00.000Z",
      data: tmdbData,
      contentHash: contentHash(tmdbData),
    });
  });

  it("refuses data of another source", () => {
    expect(() => buildCelebrityItem(ava, "news", tmdbData as never, new Date())).toThrow(/tmdb.*news/);
  });

  it("refuses an invalid timestamp", () => {
    expect(() => buildCelebrityItem(ava, "tmdb", tmdbData, "yesterday")).toThrow(/invalid timestamp/);
  });
});

describe("validateCompleteness", () => {
  it.each([
    ["tmdb", tmdbData],
    ["wikipedia", wikipediaData],
    ["news", newsData],
    ["social", socialData],
  ] as const)("a built %s item is complete", (source, data) => {
    expect(validateCompleteness(buildCelebrityItem(ava, source, data as never, new Date()))).toStrictEqual(
      [],
    );
  });

  it("names each missing or malformed field", () => {
    const item = buildCelebrityItem(ava, "wikipedia", wikipediaData, new Date());
    const broken = {
      ...item,
      name: "",
      timestamp: "2026-08-02",
      data: { ...wikipediaData, pageViews: -1, extract: "" },
    };
    expect(validateCompleteness(broken)).toStrictEqual([
      "name must be a non-empty string",
      "timestamp must be an ISO-8601 UTC time (…Z)",
      "data.extract must be a non-empty string",
      "data.pageViews must be a finite number >= 0",
    ]);
  });

  it("detects a hash that does not match the data", () => {
    const item = buildCelebrityItem(ava, "news", newsData, new Date());
    expect(validateCompleteness({ ...item, data: { ...newsData, articleCount: 26 } })).toStrictEqual([
      "contentHash does not match data",
    ]);
  });

  it("requires text for the sentiment", () => {
    const data = { ...socialData, description: "  " };
    const item = buildCelebrityItem(ava, "social", data, new Date());
    expect(validateCompleteness(item)).toStrictEqual(["data carries no text to compute a sentiment from"]);
  });

  it("accepts a TMDB item without biography when known_for gives text", () => {
    const data = { ...tmdbData, biography: "" };
    expect(validateCompleteness(buildCelebrityItem(ava, "tmdb", data, new Date()))).toStrictEqual([]);
  });

  it("checks keys against source and id", () => {
    const item = buildCelebrityItem(ava, "tmdb", tmdbData, new Date());
    expect(validateCompleteness({ ...item, pk: "RUN#1" })).toContain("pk must look like CELEB#<id>");
    expect(validateCompleteness({ ...item, sk: "SOURCE#news" })).toContain("sk must be SOURCE#tmdb");
    expect(validateCompleteness({ ...item, celebrityId: "002" })).toContain("celebrityId must match pk");
    expect(validateCompleteness(null)).toStrictEqual(["item must be an object"]);
  });

  it("caps list fields", () => {
    const data = { ...newsData, headlines: Array.from({ length: 11 }, (_, i) => `h${i}`) };
    expect(validateCompleteness(buildCelebrityItem(ava, "news", data, new Date()))).toContain(
      "data.headlines must hold at most 10 entries (has 11)",
    );
  });
});

describe("needsEnrichment", () => {
  it("is true until enriched from the current content", () => {
    expect(needsEnrichment({ contentHash: "h1" })).toBe(true);
    expect(needsEnrichment({ contentHash: "h1", weight: 1, sentiment: "neutral", enrichedHash: "h0" })).toBe(
      true,
    );
    expect(needsEnrichment({ contentHash: "h1", weight: 1, sentiment: "neutral", enrichedHash: "h1" })).toBe(
      false,
    );
  });
});
