import type { SourceName } from "./sources.js";

/**
 * The normalised data each source contributes to an item. Each shape keeps the one numeric signal
 * the weight is computed from and the text the sentiment is computed from, plus a little context.
 * The `source` field discriminates the union so code can narrow without the enclosing item.
 */

export interface TmdbData {
  source: "tmdb";
  tmdbId: number;
  /** TMDB's popularity score (unbounded, top stars are around 50-300). */
  popularity: number;
  knownForDepartment: string;
  /** Titles the person is known for, most prominent first (at most 10). */
  knownFor: string[];
  biography: string;
}

export interface WikipediaData {
  source: "wikipedia";
  title: string;
  description: string;
  /** Plain-text lead section of the article (REST summary `extract`). */
  extract: string;
  /** Page views summed over `pageViewDays` days (Wikimedia per-article metrics). */
  pageViews: number;
  pageViewDays: number;
}

export interface NewsData {
  source: "news";
  /** Articles mentioning the celebrity in the source's window. */
  articleCount: number;
  /** Most recent headlines (at most 10). */
  headlines: string[];
  /** Mean article tone where the source reports one (GDELT: roughly -10..+10). */
  averageTone?: number;
}

export interface SocialData {
  source: "social";
  handle: string;
  displayName: string;
  followers: number;
  postsCount: number;
  /** Profile description (bio). */
  description: string;
}

export type SourceData = TmdbData | WikipediaData | NewsData | SocialData;

export type SourceDataOf<S extends SourceName> = Extract<SourceData, { source: S }>;

/** Most items to keep in the list fields, so items stay small and hashes stable. */
export const MAX_LIST_ENTRIES = 10;

/** The text sentiment is computed from, per source. Never empty for a complete item. */
export function sentimentText(data: SourceData): string {
  switch (data.source) {
    case "tmdb":
      return data.biography.trim() !== ""
        ? data.biography
        : data.knownFor.length > 0
          ? `Known for ${data.knownFor.join(", ")}.`
          : "";
    case "wikipedia":
      return data.extract;
    case "news":
      return data.headlines.join(". ");
    case "social":
      return data.description;
  }
}

/** The numeric signal the weight is computed from, per source. */
export function primarySignal(data: SourceData): number {
  switch (data.source) {
    case "tmdb":
      return data.popularity;
    case "wikipedia":
      return data.pageViews;
    case "news":
      return data.articleCount;
    case "social":
      return data.followers;
  }
}
