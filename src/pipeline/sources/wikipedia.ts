import * as z from "zod";
import { PermanentError } from "../model/index.js";
import type { Celebrity, WikipediaData } from "../model/index.js";
import { systemClock } from "./clock.js";
import { sourceRequestOptions } from "./client-options.js";
import { SOURCE_DEFAULTS } from "./endpoints.js";
import { HttpClient } from "./http.js";
import { TokenBucket } from "./rate-limiter.js";
import { cleanText } from "./text.js";
import type { SourceClient, SourceClientConfig } from "./types.js";

/** Days of page views summed into an item: the 30 full days before the scrape's day (UTC). */
export const PAGE_VIEW_DAYS = 30;

/** GET /api/rest_v1/page/summary/{title} (fields we use). */
export const wikipediaSummarySchema = z.object({
  type: z.string(),
  title: z.string(),
  titles: z.object({ canonical: z.string() }).partial().optional(),
  description: z.string().nullish(),
  extract: z.string(),
});

/** GET …/metrics/pageviews/per-article/…/daily/{start}/{end} on the Wikimedia host. */
export const pageViewsSchema = z.object({
  items: z.array(
    z.object({
      article: z.string().optional(),
      timestamp: z.string(),
      views: z.number().int().nonnegative(),
    }),
  ),
});

export type WikipediaSummary = z.infer<typeof wikipediaSummarySchema>;
export type PageViews = z.infer<typeof pageViewsSchema>;

/** An article title as it appears in REST paths: spaces become underscores. */
export function wikiTitle(name: string): string {
  return name.trim().replace(/\s+/g, "_");
}

function yyyymmdd(date: Date): string {
  return date.toISOString().slice(0, 10).replace(/-/g, "");
}

/** The page-view window for a scrape at `nowMs`: PAGE_VIEW_DAYS full UTC days ending yesterday. */
export function pageViewWindow(nowMs: number): { start: string; end: string } {
  const today = new Date(nowMs);
  const midnight = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  const dayMs = 86_400_000;
  return {
    start: yyyymmdd(new Date(midnight - PAGE_VIEW_DAYS * dayMs)),
    end: yyyymmdd(new Date(midnight - dayMs)),
  };
}

/**
 * Normalises a summary and its page views. A disambiguation page is not the person; a missing
 * page-view series (Wikimedia answers 404 when an article has no views in the window) counts as 0.
 */
export function normaliseWikipedia(
  celebrity: Celebrity,
  summary: WikipediaSummary,
  views: PageViews | undefined,
): WikipediaData {
  if (summary.type === "disambiguation") {
    throw new PermanentError(`wikipedia: ${JSON.stringify(summary.title)} is a disambiguation page`, {
      celebrityId: celebrity.id,
    });
  }
  return {
    source: "wikipedia",
    title: cleanText(summary.title),
    description: cleanText(summary.description),
    extract: cleanText(summary.extract),
    pageViews: (views?.items ?? []).reduce((sum, item) => sum + item.views, 0),
    pageViewDays: PAGE_VIEW_DAYS,
  };
}

/** English Wikipedia REST summary plus Wikimedia per-article page views (user agents, all access). */
export function createWikipediaClient(config: SourceClientConfig): SourceClient<"wikipedia"> {
  const defaults = SOURCE_DEFAULTS.wikipedia;
  const clock = config.clock ?? systemClock;
  const shared = { ...sourceRequestOptions(config), clock };
  // One budget for both hosts: the rate limit is the scraper's, not each host's.
  const rateLimit =
    config.rateLimiter ??
    new TokenBucket({ perSecond: config.rateLimitPerSecond ?? defaults.rateLimitPerSecond }, clock);
  const wiki = new HttpClient({
    ...shared,
    source: "wikipedia",
    baseUrl: config.baseUrl ?? defaults.baseUrl,
    rateLimit,
  });
  const metrics = new HttpClient({
    ...shared,
    source: "wikimedia",
    baseUrl: config.auxBaseUrl ?? defaults.auxBaseUrl ?? defaults.baseUrl,
    rateLimit,
  });
  return {
    source: "wikipedia",
    async fetch(celebrity, signal) {
      const common = { celebrityId: celebrity.id, signal };
      const summary = await wiki.getJson(
        `/api/rest_v1/page/summary/${encodeURIComponent(wikiTitle(celebrity.wikipediaTitle ?? celebrity.name))}`,
        {
          ...common,
          schema: wikipediaSummarySchema,
        },
      );
      const title = summary.titles?.canonical ?? wikiTitle(summary.title);
      const { start, end } = pageViewWindow(clock.now());
      const views = await metrics.getJsonOrNotFound(
        `/api/rest_v1/metrics/pageviews/per-article/en.wikipedia/all-access/user/${encodeURIComponent(title)}/daily/${start}/${end}`,
        { ...common, schema: pageViewsSchema },
      );
      return normaliseWikipedia(celebrity, summary, views);
    },
  };
}
