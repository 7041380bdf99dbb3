/** One HTTP client per source, each validating and normalising its API's answers into the model. */
import type { SourceName } from "../model/index.js";
import { createNewsClient } from "./news.js";
import { createSocialClient } from "./social.js";
import { createTmdbClient } from "./tmdb.js";
import type { AnySourceClient, SourceClient, SourceClientConfig } from "./types.js";
import { createWikipediaClient } from "./wikipedia.js";

/** The client for a source; for a source known only at run time (a union), some client. */
export function createSourceClient<S extends SourceName>(
  source: S,
  config: SourceClientConfig,
): { [K in S]: SourceClient<K> }[S];
export function createSourceClient(source: SourceName, config: SourceClientConfig): AnySourceClient {
  switch (source) {
    case "tmdb":
      return createTmdbClient(config);
    case "wikipedia":
      return createWikipediaClient(config);
    case "news":
      return createNewsClient(config);
    case "social":
      return createSocialClient(config);
  }
}

export {
  DEFAULT_RETRY_POLICY,
  backoffDelayMs,
  parseRetryAfterMs,
  resolveRetryPolicy,
  retryDelayMs,
} from "./backoff.js";
export type { RetryPolicy } from "./backoff.js";
export { VirtualClock, systemClock } from "./clock.js";
export type { Clock } from "./clock.js";
export { SOURCE_DEFAULTS, SOURCE_USER_AGENT } from "./endpoints.js";
export type { SourceEndpointDefaults } from "./endpoints.js";
export { DEFAULT_TIMEOUT_MS, HttpClient, MAX_BODY_BYTES } from "./http.js";
export type { FetchLike, GetJsonOptions, HttpClientOptions, RetryEvent } from "./http.js";
export { TokenBucket } from "./rate-limiter.js";
export type { RateLimit } from "./rate-limiter.js";
export {
  GDELT_MAX_RECORDS,
  GDELT_TIMESPAN,
  createNewsClient,
  gdeltArtlistSchema,
  gdeltQuery,
  normaliseNews,
} from "./news.js";
export type { GdeltArtlist } from "./news.js";
export {
  BLUESKY_SEARCH_LIMIT,
  blueskyProfileSchema,
  blueskySearchSchema,
  createSocialClient,
  normaliseSocial,
  pickBlueskyActor,
} from "./social.js";
export type { BlueskyActor, BlueskyProfile, BlueskySearch } from "./social.js";
export {
  createTmdbClient,
  normaliseTmdb,
  pickTmdbMatch,
  tmdbPersonSchema,
  tmdbSearchResultSchema,
  tmdbSearchSchema,
} from "./tmdb.js";
export type { TmdbPerson, TmdbSearch, TmdbSearchResult } from "./tmdb.js";
export {
  PAGE_VIEW_DAYS,
  createWikipediaClient,
  normaliseWikipedia,
  pageViewWindow,
  pageViewsSchema,
  wikiTitle,
  wikipediaSummarySchema,
} from "./wikipedia.js";
export type { PageViews, WikipediaSummary } from "./wikipedia.js";
export type { AnySourceClient, SourceClient, SourceClientConfig } from "./types.js";
