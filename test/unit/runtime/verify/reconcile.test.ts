import { describe, expect, it } from "vitest";
import {
  contentDifferences,
  describeDifference,
  indexMatchesTable,
} from "../../../../src/runtime/verify/reconcile.js";

describe("reconciliation by content", () => {
  const item = {
    pk: "CELEB#001",
    sk: "SOURCE#tmdb",
    weight: 61.5,
    sentiment: "positive",
    contentHash: "h2",
    version: 9,
  };

  it("a document with the item's weight, sentiment, content hash and version is the same content", () => {
    expect(
      contentDifferences(item, { weight: 61.5, sentiment: "positive", contentHash: "h2", version: 9 }),
    ).toEqual([]);
    // Fields absent on both sides (an item never enriched, indexed before enrichment) agree.
    expect(contentDifferences({ contentHash: "h" }, { contentHash: "h", weight: null })).toEqual([]);
  });

  it("an older state of the item in the index differs, field by field", () => {
    const stale = { sentiment: "negative", contentHash: "h1", version: 7 };
    const fields = contentDifferences(item, stale);
    expect(fields.map((f) => f.field)).toEqual(["weight", "sentiment", "contentHash", "version"]);
    expect(describeDifference({ id: "CELEB#001|SOURCE#tmdb", fields })).toBe(
      'CELEB#001|SOURCE#tmdb (weight: table 61.5, index none; sentiment: table "positive", index "negative"; contentHash: table "h2", index "h1"; version: table 9, index 7)',
    );
  });

  it("the index matches the table only with nothing missing, nothing stray and nothing differing", () => {
    const base = {
      written: 1,
      postProcessed: 1,
      indexed: 1,
      sameContent: 1,
      notPostProcessed: [],
      notIndexed: [],
      stray: [],
      differing: [],
    };
    expect(indexMatchesTable(base)).toBe(true);
    expect(indexMatchesTable({ ...base, differing: [{ id: "x", fields: [] }] })).toBe(false);
    expect(indexMatchesTable({ ...base, stray: ["x"] })).toBe(false);
    expect(indexMatchesTable({ ...base, notIndexed: ["x"] })).toBe(false);
  });
});
