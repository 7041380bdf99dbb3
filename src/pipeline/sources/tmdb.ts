import * as z from "zod";
import { PermanentError } from "../model/index.js";
import type { Celebrity, TmdbData } from "../model/index.js";
import { sourceRequestOptions } from "./client-options.js";
import { SOURCE_DEFAULTS } from "./endpoints.js";
import { HttpClient } from "./http.js";
import { cleanText, sameName, topUnique } from "./text.js";
import type { SourceClient, SourceClientConfig } from "./types.js";

const knownForSchema = z.object({
  media_type: z.string().optional(),
  title: z.string().nullish(),
  name: z.string().nullish(),
});

/** One result of GET /3/search/person (fields we use; others are ignored). */
export const tmdbSearchResultSchema = z.object({
  id: z.number().int().nonnegative(),
  name: z.string(),
  popularity: z.number().nonnegative().optional(),
  known_for_department: z.string().nullish(),
  known_for: z.array(knownForSchema).nullish(),
});

export const tmdbSearchSchema = z.object({
  page: z.number().int().optional(),
  results: z.array(tmdbSearchResultSchema),
  total_results: z.number().int().optional(),
});

/** GET /3/person/{id}. */
export const tmdbPersonSchema = z.object({
  id: z.number().int().nonnegative(),
  name: z.string(),
  biography: z.string().nullish(),
  popularity: z.number().nonnegative(),
  known_for_department: z.string().nullish(),
});

export type TmdbSearchResult = z.infer<typeof tmdbSearchResultSchema>;
export type TmdbSearch = z.infer<typeof tmdbSearchSchema>;
export type TmdbPerson = z.infer<typeof tmdbPersonSchema>;

/**
 * The search result that is this celebrity: an exact name match (case and accents aside), the most
 * popular one if several share the name. A near match is not taken: attaching another person's
 * numbers to a celebrity is worse than skipping it.
 */
export function pickTmdbMatch(celebrity: Celebrity, search: TmdbSearch): TmdbSearchResult {
  const matches = search.results.filter((result) => sameName(result.name, celebrity.name));
  const best = matches.sort((a, b) => (b.popularity ?? 0) - (a.popularity ?? 0))[0];
  if (best === undefined) {
    throw new PermanentError(
      `tmdb: no person named ${JSON.stringify(celebrity.name)} (search returned ${search.results.length} other results)`,
      { celebrityId: celebrity.id, status: 404 },
    );
  }
  return best;
}

/** Normalises a search match and the person's details into the item's TMDB data. */
export function normaliseTmdb(match: TmdbSearchResult, person: TmdbPerson): TmdbData {
  return {
    source: "tmdb",
    tmdbId: person.id,
    popularity: person.popularity,
    knownForDepartment: cleanText(person.known_for_department ?? match.known_for_department),
    knownFor: topUnique((match.known_for ?? []).map((work) => work.title ?? work.name)),
    biography: cleanText(person.biography),
  };
}

/** TMDB v3: person search, then details, with the API Read Access Token as a bearer token. */
export function createTmdbClient(config: SourceClientConfig): SourceClient<"tmdb"> {
  const defaults = SOURCE_DEFAULTS.tmdb;
  const apiKey = config.apiKey?.trim() || undefined;
  const baseUrl = config.baseUrl ?? defaults.baseUrl;
  // The real API refuses every request without a token; the fixture server and emulators need none.
  if (apiKey === undefined && new URL(baseUrl).host === new URL(defaults.baseUrl).host) {
    throw new Error(
      `tmdb: ${baseUrl} needs an API Read Access Token; set SOURCE_API_KEY (config: sources.tmdb.apiKey) for an in-process run; ` +
        "deployed scrapers read it from SSM: store it with pipeline secrets set tmdb",
    );
  }
  const shared = sourceRequestOptions(config);
  const http = new HttpClient({
    ...shared,
    source: "tmdb",
    baseUrl,
    headers: {
      ...shared.headers,
      ...(apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` }),
    },
    secrets: [apiKey],
    rateLimit: config.rateLimiter ?? { perSecond: config.rateLimitPerSecond ?? defaults.rateLimitPerSecond },
  });
  return {
    source: "tmdb",
    async fetch(celebrity, signal) {
      const common = { celebrityId: celebrity.id, signal };
      const search = (name: string) =>
        http.getJson("/3/search/person", {
          ...common,
          schema: tmdbSearchSchema,
          query: { query: name, include_adult: "false", language: "en-US", page: 1 },
        });
      const details = (id: number) =>
        http.getJson(`/3/person/${id}`, {
          ...common,
          schema: tmdbPersonSchema,
          query: { language: "en-US" },
        });
      if (celebrity.tmdbId !== undefined) {
        // The roster names the person: details by id are the identity; the search under their
        // TMDB name only supplies the known-for titles of that same id.
        const person = await details(celebrity.tmdbId);
        const same = (await search(person.name)).results.find((result) => result.id === person.id);
        return normaliseTmdb(same ?? { id: person.id, name: person.name }, person);
      }
      const match = pickTmdbMatch(celebrity, await search(celebrity.name));
      return normaliseTmdb(match, await details(match.id));
    },
  };
}
