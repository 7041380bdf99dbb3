import { SOURCES, inventedCelebrity } from "../../pipeline/model/index.js";
import type { Celebrity, SourceName } from "../../pipeline/model/index.js";
import { createSourceClient } from "../../pipeline/sources/index.js";
import type { FetchLike } from "../../pipeline/sources/index.js";
import { createFixtureResponder } from "../fixtures/index.js";
import type { FixtureEndpoint } from "../fixtures/index.js";

/**
 * Requests per person, per source, counted by running the source clients themselves
 * (src/pipeline/sources/*.ts) against the fixture APIs in-process, so the plan follows the clients
 * when they change instead of a second table that drifts from them. What the clients do today:
 *
 * - tmdb.ts: a name search then the match's details, or (TMDB id known) the details by id then a
 *   search under the TMDB name for the known-for titles: 2 either way.
 * - wikipedia.ts: the page summary, then the article's page views: 2.
 * - news.ts: one GDELT artlist query: 1.
 * - social.ts: the profile, after an actor search when the roster has no handle: 1 or 2.
 *
 * Only the per-source ids of a roster entry (its "shape") change which requests a client makes,
 * so each shape is run once per source and multiplied by how many people have it. Counted on the
 * path where every request succeeds first time: retries (429, 5xx, timeouts) add requests, and a
 * person a search does not find costs fewer.
 */

/** The roster fields that change which requests the clients make. */
export const SHAPE_FIELDS = ["tmdbId", "wikipediaTitle", "handle", "newsQuery"] as const;
export type ShapeField = (typeof SHAPE_FIELDS)[number];

/** Which per-source ids a person has, e.g. "handle" or "tmdbId+handle"; "" for name only. */
export type PersonShape = string;

export function shapeOf(person: Pick<Celebrity, ShapeField>): PersonShape {
  return SHAPE_FIELDS.filter((field) => person[field] !== undefined).join("+");
}

/** A person with exactly these per-source ids, as a roster would hold them. */
function personOfShape(shape: PersonShape): Celebrity {
  const fields = new Set(shape === "" ? [] : shape.split("+"));
  const { handle, ...person }: Celebrity = inventedCelebrity(0, 1);
  return {
    ...person,
    ...(fields.has("tmdbId") ? { tmdbId: 5_000_000 } : {}),
    ...(fields.has("wikipediaTitle") ? { wikipediaTitle: person.name.replace(/ /g, "_") } : {}),
    ...(fields.has("handle") ? { handle } : {}),
    ...(fields.has("newsQuery") ? { newsQuery: `"${person.name}"` } : {}),
  };
}

/** What one person of a shape costs a source: how many requests, to which endpoints. */
export interface PersonRequests {
  count: number;
  endpoints: FixtureEndpoint[];
}

// The base URL is never connected to: the injected fetch answers every request in-process.
const COUNTING_BASE = "http://fixtures.invalid";
const measured = new Map<string, Promise<PersonRequests>>();

/** Runs the source's client for one person of the shape and counts its requests (memoised). */
export function requestsOf(source: SourceName, shape: PersonShape): Promise<PersonRequests> {
  const key = `${source}:${shape}`;
  let found = measured.get(key);
  if (found === undefined) {
    found = measure(source, shape);
    measured.set(key, found);
  }
  return found;
}

async function measure(source: SourceName, shape: PersonShape): Promise<PersonRequests> {
  const respond = createFixtureResponder();
  const endpoints: FixtureEndpoint[] = [];
  const fetch: FetchLike = (input) => {
    const answer = respond(new URL(String(input)));
    if (answer.endpoint !== undefined) endpoints.push(answer.endpoint);
    const text = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
    const type = typeof answer.body === "string" ? "text/plain" : "application/json";
    return Promise.resolve(
      new Response(text, { status: answer.status, headers: { "content-type": type, ...answer.headers } }),
    );
  };
  const client = createSourceClient(source, {
    baseUrl: `${COUNTING_BASE}/${source}`,
    auxBaseUrl: `${COUNTING_BASE}/${source}/aux`,
    apiKey: "counting-only",
    rateLimitPerSecond: 1000,
    retry: { maxAttempts: 1 },
    fetch,
  });
  try {
    await client.fetch(personOfShape(shape));
  } catch (error) {
    // The fixture APIs know everyone: a failure here is a client the counting no longer matches.
    throw new Error(
      `counting ${source} requests for a person with ${shape || "no per-source ids"} failed: ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
  return { count: endpoints.length, endpoints };
}

/** A source's requests for a whole roster. */
export interface SourceRequests {
  /** Sum over the roster's people. */
  total: number;
  /** The most one person costs (what a worst-case shard is sized on). */
  maxPerPerson: number;
  /** Per shape present in the roster: people, and what each of them costs. */
  byShape: { shape: PersonShape; people: number; requests: PersonRequests }[];
}

/** People per shape in a roster. */
export function shapeCounts(people: readonly Pick<Celebrity, ShapeField>[]): Map<PersonShape, number> {
  const counts = new Map<PersonShape, number>();
  for (const person of people) {
    const shape = shapeOf(person);
    counts.set(shape, (counts.get(shape) ?? 0) + 1);
  }
  return counts;
}

/** Requests per source for people counted by shape (see shapeCounts). */
export async function requestsForShapes(
  shapes: ReadonlyMap<PersonShape, number>,
): Promise<Record<SourceName, SourceRequests>> {
  const entries = await Promise.all(
    SOURCES.map(async (source) => {
      const byShape = await Promise.all(
        [...shapes].map(async ([shape, people]) => ({
          shape,
          people,
          requests: await requestsOf(source, shape),
        })),
      );
      const total = byShape.reduce((sum, entry) => sum + entry.people * entry.requests.count, 0);
      const maxPerPerson = Math.max(0, ...byShape.map((entry) => entry.requests.count));
      return [source, { total, maxPerPerson, byShape }] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<SourceName, SourceRequests>;
}
