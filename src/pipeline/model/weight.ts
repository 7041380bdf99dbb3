import type { SourceData } from "./source-data.js";

/**
 * Value of each source's signal that maps to weight 100; anything at or above it is 100. Chosen at
 * the top end of what the sources report for very famous people, so the scale keeps headroom.
 */
export const WEIGHT_REFERENCE = {
  /** TMDB `popularity`: the most popular people score a few hundred. */
  tmdb: 200,
  /** Wikipedia page views per day (pageViews / pageViewDays). */
  wikipedia: 100_000,
  /** Articles in the news window (GDELT's artlist returns at most 250). */
  news: 250,
  /** Social followers. */
  social: 10_000_000,
} as const;

/** The signal the weight scales, per source (page views become a daily average). */
export function weightSignal(data: SourceData): number {
  switch (data.source) {
    case "tmdb":
      return data.popularity;
    case "wikipedia":
      return data.pageViews / Math.max(1, data.pageViewDays);
    case "news":
      return data.articleCount;
    case "social":
      return data.followers;
  }
}

/**
 * Weight of an item, 0..100, from its source's signal, log-scaled because every signal is heavy
 * tailed (a star has a thousand times the page views of a minor celebrity, not a hundred):
 *
 *     weight = round2( 100 × min(1, log10(1 + s) / log10(1 + R)) )
 *
 * where s is the source's signal (tmdb: popularity; wikipedia: page views per day; news: article
 * count; social: followers) and R its reference value in WEIGHT_REFERENCE. s = 0 gives 0, s = R
 * gives 100; a negative or non-finite signal counts as 0. Deterministic: same data, same weight.
 * See docs/weight-and-sentiment.md.
 */
export function computeWeight(item: { data: SourceData }): number {
  const raw = weightSignal(item.data);
  const signal = Number.isFinite(raw) && raw > 0 ? raw : 0;
  const reference = WEIGHT_REFERENCE[item.data.source];
  const scaled = Math.min(1, Math.log10(1 + signal) / Math.log10(1 + reference));
  return Math.round(scaled * 100 * 100) / 100;
}
