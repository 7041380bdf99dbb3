import { describe, expect, it } from "vitest";
import {
  WEIGHT_REFERENCE,
  analyseSentiment,
  computeWeight,
  sentimentLabel,
  sentimentText,
} from "../../../../src/pipeline/model/index.js";
import { newsData, socialData, tmdbData, wikipediaData } from "./fixtures.js";

describe("computeWeight", () => {
  it("is 0 for no signal and 100 at the reference value", () => {
    expect(computeWeight({ data: { ...tmdbData, popularity: 0 } })).toBe(0);
    expect(computeWeight({ data: { ...tmdbData, popularity: WEIGHT_REFERENCE.tmdb } })).toBe(100);
    expect(computeWeight({ data: { ...socialData, followers: WEIGHT_REFERENCE.social * 10 } })).toBe(100);
  });

  it("follows the documented log formula for each source", () => {
    const expected = (s: number, r: number) =>
      Math.round(((100 * Math.log10(1 + s)) / Math.log10(1 + r)) * 100) / 100;
    expect(computeWeight({ data: tmdbData })).toBe(expected(42.5, 200));
    expect(computeWeight({ data: wikipediaData })).toBe(expected(10_000, 100_000));
    expect(computeWeight({ data: newsData })).toBe(expected(25, 250));
    expect(computeWeight({ data: socialData })).toBe(expected(12_000, 10_000_000));
  });

  it("is monotonic in the signal and treats bad signals as 0", () => {
    const low = computeWeight({ data: { ...socialData, followers: 1000 } });
    const high = computeWeight({ data: { ...socialData, followers: 100_000 } });
    expect(high).toBeGreaterThan(low);
    expect(computeWeight({ data: { ...newsData, articleCount: -3 } })).toBe(0);
    expect(computeWeight({ data: { ...wikipediaData, pageViews: Number.NaN } })).toBe(0);
  });
});

describe("analyseSentiment", () => {
  it("labels clearly positive, negative and neutral text", () => {
    expect(analyseSentiment("A brilliant, wonderful and joyful performance").label).toBe("positive");
    expect(analyseSentiment("A terrible, awful scandal and a disastrous failure").label).toBe("negative");
    expect(analyseSentiment("She was born in Oslo and lives in Berlin.")).toStrictEqual({
      label: "neutral",
      score: 0,
    });
  });

  it("handles negation", () => {
    expect(analyseSentiment("not a good film").label).toBe("negative");
  });

  it("is neutral 0 for empty text and deterministic", () => {
    expect(analyseSentiment("   ")).toStrictEqual({ label: "neutral", score: 0 });
    expect(analyseSentiment(tmdbData.biography)).toStrictEqual(analyseSentiment(tmdbData.biography));
  });

  it("uses a dead band of ±0.5", () => {
    expect(sentimentLabel(0.5)).toBe("neutral");
    expect(sentimentLabel(0.51)).toBe("positive");
    expect(sentimentLabel(-0.5)).toBe("neutral");
    expect(sentimentLabel(-0.51)).toBe("negative");
  });
});

describe("sentimentText", () => {
  it("picks each source's text", () => {
    expect(sentimentText(tmdbData)).toBe(tmdbData.biography);
    expect(sentimentText({ ...tmdbData, biography: "" })).toBe(
      "Known for The Glass Orchard, Harbour Lights.",
    );
    expect(sentimentText(wikipediaData)).toBe(wikipediaData.extract);
    expect(sentimentText(newsData)).toBe("Ava Quill wins award. Ava Quill opens festival");
    expect(sentimentText(socialData)).toBe(socialData.description);
  });
});
