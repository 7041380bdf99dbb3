import type { SourceName } from "../model/index.js";

export interface SourceEndpointDefaults {
  /** Base URL of the source's public API. */
  baseUrl: string;
  /** Second host, for a source that needs two (Wikipedia summaries + Wikimedia page views). */
  auxBaseUrl: string | undefined;
  /** Client-side rate limit, requests per second, within the API's published fair-use limits. */
  rateLimitPerSecond: number;
  /** Whether the API refuses requests without a key or token. */
  requiresApiKey: boolean;
  /** The API's own documentation, for operators setting keys and limits. */
  docs: string;
}

/**
 * The real public APIs each scraper talks to when deployed to AWS: the one place these defaults
 * live. Config uses them unless overridden; offline, both base URLs point at the fixture server.
 * Rates: TMDB allows about 40 requests/s; Wikimedia asks REST clients to stay well under 200/s;
 * GDELT asks for one request every 5 s; Bluesky's public AppView allows 3,000 per 5 minutes per IP.
 */
export const SOURCE_DEFAULTS: Readonly<Record<SourceName, Readonly<SourceEndpointDefaults>>> = Object.freeze({
  tmdb: Object.freeze({
    baseUrl: "https://api.themoviedb.org",
    auxBaseUrl: undefined,
    rateLimitPerSecond: 20,
    requiresApiKey: true,
    docs: "https://developer.themoviedb.org/reference/search-person",
  }),
  wikipedia: Object.freeze({
    baseUrl: "https://en.wikipedia.org",
    auxBaseUrl: "https://wikimedia.org",
    rateLimitPerSecond: 10,
    requiresApiKey: false,
    docs: "https://en.wikipedia.org/api/rest_v1/",
  }),
  news: Object.freeze({
    baseUrl: "https://api.gdeltproject.org",
    auxBaseUrl: undefined,
    rateLimitPerSecond: 0.2,
    requiresApiKey: false,
    docs: "https://blog.gdeltproject.org/gdelt-doc-2-0-api-debuts/",
  }),
  social: Object.freeze({
    baseUrl: "https://public.api.bsky.app",
    auxBaseUrl: undefined,
    rateLimitPerSecond: 5,
    requiresApiKey: false,
    docs: "https://docs.bsky.app/docs/api/app-bsky-actor-search-actors",
  }),
});

/** The User-Agent the clients send; Wikimedia's API policy refuses requests without a descriptive one. */
export const SOURCE_USER_AGENT = "celebrity-pipeline/0.1 (event-driven scraping pipeline; operator-run)";
