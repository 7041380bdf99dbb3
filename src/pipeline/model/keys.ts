import type { Celebrity } from "./roster.js";
import type { SourceName } from "./sources.js";

/**
 * Key layout of the single table (DESIGN.md section 1). Every prefix lives here so the stack's
 * FilterCriteria, the handlers' second guard and verify's counts agree.
 */
export const KEY_PREFIX = {
  celebrity: "CELEB#",
  source: "SOURCE#",
  run: "RUN#",
  roster: "ROSTER#",
  category: "CATEGORY#",
  location: "LOCATION#",
  social: "SOCIAL#",
  /** After the source in a shard record's sort key. */
  shard: "#SHARD#",
} as const;

/** Attribute names of the table's key schema and its two GSIs. */
export const KEY_ATTRIBUTES = {
  pk: "pk",
  sk: "sk",
  gsi1pk: "gsi1pk",
  gsi1sk: "gsi1sk",
  gsi2pk: "gsi2pk",
} as const;

export interface ItemKey {
  pk: string;
  sk: string;
}

export interface GsiKeys {
  gsi1pk: string;
  gsi1sk: string;
  /** Absent for people without a Bluesky handle (GSI2 is sparse). */
  gsi2pk?: string;
}

/** Sort key of a roster record. */
export const ROSTER_SORT_KEY = "PROFILE";

export function celebrityKey(celebrityId: string, source: SourceName): ItemKey {
  return { pk: `${KEY_PREFIX.celebrity}${celebrityId}`, sk: `${KEY_PREFIX.source}${source}` };
}

export function runRecordKey(runId: string, source: SourceName): ItemKey {
  return { pk: `${KEY_PREFIX.run}${runId}`, sk: `${KEY_PREFIX.source}${source}` };
}

/** Digits of a shard index in its sort key, so a run's shards sort in order (up to 100,000 people a shard each). */
const SHARD_INDEX_DIGITS = 6;

/**
 * A shard's record in its run's partition: `RUN#<runId>` / `SOURCE#<source>#SHARD#<000042>`. One
 * Query on the run's partition reads the run records and every shard record of all four sources.
 */
export function shardRecordKey(runId: string, source: SourceName, shard: number): ItemKey {
  return {
    pk: `${KEY_PREFIX.run}${runId}`,
    sk: `${KEY_PREFIX.source}${source}${KEY_PREFIX.shard}${String(shard).padStart(SHARD_INDEX_DIGITS, "0")}`,
  };
}

/**
 * A roster record: `ROSTER#<id>` / `PROFILE`. Its own partition prefix keeps it out of everything
 * keyed on CELEB# (the stream consumers' FilterCriteria, their second guard, verify's and status's
 * counts, the index) without a change to any of them.
 */
export function rosterKey(celebrityId: string): ItemKey {
  return { pk: `${KEY_PREFIX.roster}${celebrityId}`, sk: ROSTER_SORT_KEY };
}

export function isRosterKey(pk: string | undefined): boolean {
  return typeof pk === "string" && pk.startsWith(KEY_PREFIX.roster);
}

/** The GSI2 key of a Bluesky handle (duplicate detection across celebrities). */
export function socialKey(handle: string): string {
  return `${KEY_PREFIX.social}${handle.toLowerCase()}`;
}

export function isCelebrityKey(pk: string | undefined): boolean {
  return typeof pk === "string" && pk.startsWith(KEY_PREFIX.celebrity);
}

export function isRunRecordKey(pk: string | undefined): boolean {
  return typeof pk === "string" && pk.startsWith(KEY_PREFIX.run);
}

/** The celebrity id inside `CELEB#<id>`, or undefined for other keys. */
export function celebrityIdOf(pk: string): string | undefined {
  return isCelebrityKey(pk) ? pk.slice(KEY_PREFIX.celebrity.length) : undefined;
}

/**
 * A key segment for GSI sort keys: upper case, accents stripped, spaces to `_`, and `#` removed
 * because it separates segments (`São Paulo` → `SAO_PAULO`).
 */
export function keySegment(value: string): string {
  return value
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .trim()
    .toUpperCase()
    .replace(/#/g, "")
    .replace(/\s+/g, "_");
}

export function gsiKeys(
  celebrity: Pick<Celebrity, "id" | "category" | "country" | "city" | "handle">,
): GsiKeys {
  const keys: GsiKeys = {
    gsi1pk: `${KEY_PREFIX.category}${celebrity.category}`,
    gsi1sk: `${KEY_PREFIX.location}${keySegment(celebrity.country)}#${keySegment(celebrity.city)}#${celebrity.id}`,
  };
  if (celebrity.handle !== undefined) keys.gsi2pk = socialKey(celebrity.handle);
  return keys;
}

/** OpenSearch document id of an item: `<pk>|<sk>` (aws-behaviour.md section 9). */
export function documentId(key: ItemKey): string {
  return `${key.pk}|${key.sk}`;
}
