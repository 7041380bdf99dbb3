import * as z from "zod";
import { PermanentError } from "../model/index.js";
import type { Celebrity, SocialData } from "../model/index.js";
import { sourceRequestOptions } from "./client-options.js";
import { SOURCE_DEFAULTS } from "./endpoints.js";
import { HttpClient } from "./http.js";
import { cleanText, sameName } from "./text.js";
import type { SourceClient, SourceClientConfig } from "./types.js";

/** How many search hits to look through for the celebrity's account. */
export const BLUESKY_SEARCH_LIMIT = 25;

const actorBasicSchema = z.object({
  did: z.string().startsWith("did:"),
  handle: z.string().min(1),
  displayName: z.string().optional(),
  description: z.string().optional(),
});

/** GET /xrpc/app.bsky.actor.searchActors?q= (fields we use). */
export const blueskySearchSchema = z.object({
  actors: z.array(actorBasicSchema),
  cursor: z.string().optional(),
});

/** GET /xrpc/app.bsky.actor.getProfile?actor= (profileViewDetailed; counts are optional in the lexicon). */
export const blueskyProfileSchema = actorBasicSchema.extend({
  followersCount: z.number().int().nonnegative().optional(),
  followsCount: z.number().int().nonnegative().optional(),
  postsCount: z.number().int().nonnegative().optional(),
});

export type BlueskySearch = z.infer<typeof blueskySearchSchema>;
export type BlueskyActor = z.infer<typeof actorBasicSchema>;
export type BlueskyProfile = z.infer<typeof blueskyProfileSchema>;

/**
 * The search hit that is this celebrity's account: the roster's handle first (the identity the
 * GSI2 duplicate check is keyed on), else a single exact display-name match. Fan and parody
 * accounts share names, so several display-name matches without the handle are not a match.
 */
export function pickBlueskyActor(celebrity: Celebrity, search: BlueskySearch): BlueskyActor {
  const handle = celebrity.handle?.toLowerCase();
  const byHandle =
    handle === undefined ? undefined : search.actors.find((actor) => actor.handle.toLowerCase() === handle);
  if (byHandle !== undefined) return byHandle;
  const byName = search.actors.filter((actor) => sameName(actor.displayName ?? "", celebrity.name));
  if (byName.length === 1 && byName[0] !== undefined) return byName[0];
  const why = byName.length > 1 ? `${byName.length} accounts share the name` : "no account matches";
  throw new PermanentError(`social: no Bluesky account for ${JSON.stringify(celebrity.name)} (${why})`, {
    celebrityId: celebrity.id,
    status: 404,
  });
}

export function normaliseSocial(profile: BlueskyProfile): SocialData {
  return {
    source: "social",
    handle: profile.handle.toLowerCase(),
    displayName: cleanText(profile.displayName),
    followers: profile.followersCount ?? 0,
    postsCount: profile.postsCount ?? 0,
    description: cleanText(profile.description),
  };
}

/** Bluesky's public AppView (no key): actor search, then the profile with its counts. */
export function createSocialClient(config: SourceClientConfig): SourceClient<"social"> {
  const defaults = SOURCE_DEFAULTS.social;
  const http = new HttpClient({
    ...sourceRequestOptions(config),
    source: "social",
    baseUrl: config.baseUrl ?? defaults.baseUrl,
    rateLimit: config.rateLimiter ?? { perSecond: config.rateLimitPerSecond ?? defaults.rateLimitPerSecond },
  });
  return {
    source: "social",
    async fetch(celebrity, signal) {
      const common = { celebrityId: celebrity.id, signal };
      // A known handle is the account: no search (which fan accounts crowd), one request fewer.
      let actor = celebrity.handle;
      if (actor === undefined) {
        const search = await http.getJson("/xrpc/app.bsky.actor.searchActors", {
          ...common,
          schema: blueskySearchSchema,
          query: { q: celebrity.name, limit: BLUESKY_SEARCH_LIMIT },
        });
        actor = pickBlueskyActor(celebrity, search).did;
      }
      const profile = await http.getJson("/xrpc/app.bsky.actor.getProfile", {
        ...common,
        schema: blueskyProfileSchema,
        query: { actor },
      });
      return normaliseSocial(profile);
    },
  };
}
