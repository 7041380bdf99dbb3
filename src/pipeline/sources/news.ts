import * as z from "zod";
import type { Celebrity, NewsData } from "../model/index.js";
import { sourceRequestOptions } from "./client-options.js";
import { SOURCE_DEFAULTS } from "./endpoints.js";
import { HttpClient } from "./http.js";
import { topUnique } from "./text.js";
import type { SourceClient, SourceClientConfig } from "./types.js";

/** Most articles GDELT's artlist mode returns; also the news weight's reference (WEIGHT_REFERENCE.news). */
export const GDELT_MAX_RECORDS = 250;

/** How far back the article search looks. */
export const GDELT_TIMESPAN = "7d";

/**
 * GET /api/v2/doc/doc?mode=artlist&format=json. GDELT answers `{}` (no `articles`) when nothing
 * matched. Articles carry no tone in artlist mode; a `tone` is used when a source sends one.
 */
export const gdeltArtlistSchema = z.object({
  articles: z
    .array(
      z.object({
        url: z.string(),
        title: z.string(),
        seendate: z.string().optional(),
        domain: z.string().optional(),
        language: z.string().optional(),
        tone: z.number().finite().optional(),
      }),
    )
    .optional(),
});

export type GdeltArtlist = z.infer<typeof gdeltArtlistSchema>;

/**
 * The search phrase: the roster's news query when it has one (a stage name, a disambiguating
 * term), else the full name in quotes, so GDELT matches the name, not its words apart.
 */
export function gdeltQuery(celebrity: Pick<Celebrity, "name" | "newsQuery">): string {
  return celebrity.newsQuery ?? `"${celebrity.name.replace(/"/g, "")}"`;
}

/** Article count, the most recent distinct headlines (GDELT sorts by date when asked) and mean tone. */
export function normaliseNews(artlist: GdeltArtlist): NewsData {
  const articles = artlist.articles ?? [];
  const tones = articles.map((article) => article.tone).filter((tone): tone is number => tone !== undefined);
  const data: NewsData = {
    source: "news",
    articleCount: articles.length,
    headlines: topUnique(articles.map((article) => article.title)),
  };
  if (tones.length > 0) {
    data.averageTone = Math.round((tones.reduce((sum, tone) => sum + tone, 0) / tones.length) * 100) / 100;
  }
  return data;
}

/** GDELT DOC 2.0 API, article list mode, newest first. No key; GDELT asks for one request per 5 s. */
export function createNewsClient(config: SourceClientConfig): SourceClient<"news"> {
  const defaults = SOURCE_DEFAULTS.news;
  const http = new HttpClient({
    ...sourceRequestOptions(config),
    source: "news",
    baseUrl: config.baseUrl ?? defaults.baseUrl,
    rateLimit: config.rateLimiter ?? { perSecond: config.rateLimitPerSecond ?? defaults.rateLimitPerSecond },
  });
  return {
    source: "news",
    async fetch(celebrity, signal) {
      const artlist = await http.getJson("/api/v2/doc/doc", {
        celebrityId: celebrity.id,
        signal,
        schema: gdeltArtlistSchema,
        query: {
          query: gdeltQuery(celebrity),
          mode: "artlist",
          format: "json",
          maxrecords: GDELT_MAX_RECORDS,
          sort: "datedesc",
          timespan: GDELT_TIMESPAN,
        },
      });
      return normaliseNews(artlist);
    },
  };
}
