import { contentHash } from "./content-hash.js";
import { KEY_PREFIX, celebrityKey, gsiKeys, isCelebrityKey } from "./keys.js";
import type { GsiKeys, ItemKey } from "./keys.js";
import type { Celebrity } from "./roster.js";
import type { SentimentLabel } from "./sentiment.js";
import { MAX_LIST_ENTRIES, sentimentText } from "./source-data.js";
import type { SourceData, SourceDataOf } from "./source-data.js";
import { SOURCES, isSourceName } from "./sources.js";
import type { SourceName } from "./sources.js";

/**
 * One item per (celebrity, source). Scrapers write everything up to `contentHash`; the
 * post-processor adds the enrichment fields. Several attribute names (`name`, `source`,
 * `timestamp`, `data`) are DynamoDB reserved words: expressions must use ExpressionAttributeNames.
 */
export interface CelebrityItem<D extends SourceData = SourceData> extends ItemKey, GsiKeys {
  celebrityId: string;
  name: string;
  category: string;
  country: string;
  city: string;
  source: D["source"];
  /** ISO-8601 UTC time of the scrape. */
  timestamp: string;
  data: D;
  /** contentHash(data): scrapers write only when it changed. */
  contentHash: string;
  /** 0..100, see computeWeight. */
  weight?: number;
  sentiment?: SentimentLabel;
  sentimentScore?: number;
  /** The contentHash the enrichment was computed from; equal to contentHash once enriched. */
  enrichedHash?: string;
  /** ISO-8601 UTC time of the enrichment. */
  processedAt?: string;
  /** Bumped by every write of the item (model/version.ts); the ordering key of index writes. */
  version?: number;
}

/** Attributes the post-processor owns; a scraper's write never sets them. */
export const ENRICHMENT_ATTRIBUTES = [
  "weight",
  "sentiment",
  "sentimentScore",
  "enrichedHash",
  "processedAt",
] as const;

function toIsoUtc(timestamp: Date | string): string {
  const date = typeof timestamp === "string" ? new Date(timestamp) : timestamp;
  if (Number.isNaN(date.getTime())) throw new Error(`invalid timestamp ${JSON.stringify(String(timestamp))}`);
  return date.toISOString();
}

/** Builds the item a scraper writes. Throws if the data belongs to another source. */
export function buildCelebrityItem<S extends SourceName>(
  celebrity: Celebrity,
  source: S,
  data: SourceDataOf<S>,
  timestamp: Date | string,
): CelebrityItem<SourceDataOf<S>> {
  if (data.source !== source) {
    throw new Error(`data for source ${data.source} cannot be stored as source ${source}`);
  }
  // The social item knows the handle even when the roster does not: it joins GSI2 with the account
  // the search found, so duplicate accounts are still detected.
  const found = data as SourceData;
  const handle = celebrity.handle ?? (found.source === "social" ? found.handle : undefined);
  const item: CelebrityItem = {
    ...celebrityKey(celebrity.id, source),
    ...gsiKeys({ ...celebrity, handle }),
    celebrityId: celebrity.id,
    name: celebrity.name,
    category: celebrity.category,
    country: celebrity.country,
    city: celebrity.city,
    source: data.source,
    timestamp: toIsoUtc(timestamp),
    data,
    contentHash: contentHash(data),
  };
  return item as CelebrityItem<SourceDataOf<S>>;
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

type Problems = string[];

function nonEmptyString(problems: Problems, path: string, value: unknown): void {
  if (typeof value !== "string" || value.trim() === "") problems.push(`${path} must be a non-empty string`);
}

function stringValue(problems: Problems, path: string, value: unknown): void {
  if (typeof value !== "string") problems.push(`${path} must be a string`);
}

function nonNegativeNumber(problems: Problems, path: string, value: unknown): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    problems.push(`${path} must be a finite number >= 0`);
  }
}

function stringList(problems: Problems, path: string, value: unknown): void {
  if (!Array.isArray(value) || value.some((entry) => typeof entry !== "string")) {
    problems.push(`${path} must be a list of strings`);
  } else if (value.length > MAX_LIST_ENTRIES) {
    problems.push(`${path} must hold at most ${MAX_LIST_ENTRIES} entries (has ${value.length})`);
  }
}

function dataProblems(data: Record<string, unknown>, problems: Problems): void {
  switch (data.source) {
    case "tmdb":
      nonNegativeNumber(problems, "data.tmdbId", data.tmdbId);
      nonNegativeNumber(problems, "data.popularity", data.popularity);
      stringValue(problems, "data.knownForDepartment", data.knownForDepartment);
      stringList(problems, "data.knownFor", data.knownFor);
      stringValue(problems, "data.biography", data.biography);
      break;
    case "wikipedia":
      nonEmptyString(problems, "data.title", data.title);
      stringValue(problems, "data.description", data.description);
      nonEmptyString(problems, "data.extract", data.extract);
      nonNegativeNumber(problems, "data.pageViews", data.pageViews);
      nonNegativeNumber(problems, "data.pageViewDays", data.pageViewDays);
      break;
    case "news":
      nonNegativeNumber(problems, "data.articleCount", data.articleCount);
      stringList(problems, "data.headlines", data.headlines);
      if (
        data.averageTone !== undefined &&
        (typeof data.averageTone !== "number" || !Number.isFinite(data.averageTone))
      ) {
        problems.push("data.averageTone must be a finite number when present");
      }
      break;
    case "social":
      nonEmptyString(problems, "data.handle", data.handle);
      stringValue(problems, "data.displayName", data.displayName);
      nonNegativeNumber(problems, "data.followers", data.followers);
      nonNegativeNumber(problems, "data.postsCount", data.postsCount);
      stringValue(problems, "data.description", data.description);
      break;
    default:
      problems.push(`data.source must be one of ${SOURCES.join(", ")}`);
  }
}

/**
 * What keeps an item from being complete; an empty list means it may be written. Scrapers call this
 * before writing: an incomplete item is a permanent error for that celebrity, not for the run.
 * Checks keys, identity fields, the timestamp, the source's data shape, that the data carries text
 * to compute a sentiment from, and that contentHash matches the data.
 */
export function validateCompleteness(item: unknown): string[] {
  const problems: Problems = [];
  if (item === null || typeof item !== "object") return ["item must be an object"];
  const candidate = item as Record<string, unknown>;
  const pk = candidate.pk;
  if (typeof pk !== "string" || !isCelebrityKey(pk) || pk.length === KEY_PREFIX.celebrity.length) {
    problems.push(`pk must look like ${KEY_PREFIX.celebrity}<id>`);
  } else if (candidate.celebrityId !== pk.slice(KEY_PREFIX.celebrity.length)) {
    problems.push("celebrityId must match pk");
  }
  if (!isSourceName(candidate.source)) {
    problems.push(`source must be one of ${SOURCES.join(", ")}`);
  } else if (candidate.sk !== `${KEY_PREFIX.source}${candidate.source}`) {
    problems.push(`sk must be ${KEY_PREFIX.source}${candidate.source}`);
  }
  for (const field of ["name", "category", "country", "city", "gsi1pk", "gsi1sk"] as const) {
    nonEmptyString(problems, field, candidate[field]);
  }
  // GSI2 is sparse: only people with a known Bluesky handle carry it.
  if (candidate.gsi2pk !== undefined) nonEmptyString(problems, "gsi2pk", candidate.gsi2pk);
  if (typeof candidate.timestamp !== "string" || !ISO_UTC.test(candidate.timestamp)) {
    problems.push("timestamp must be an ISO-8601 UTC time (…Z)");
  }
  const data = candidate.data;
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    problems.push("data must be an object");
    return problems;
  }
  const dataRecord = data as Record<string, unknown>;
  if (isSourceName(candidate.source) && dataRecord.source !== candidate.source) {
    problems.push(`data.source must equal source (${candidate.source})`);
  }
  const before = problems.length;
  dataProblems(dataRecord, problems);
  if (problems.length === before) {
    if (sentimentText(data as SourceData).trim() === "")
      problems.push("data carries no text to compute a sentiment from");
    if (candidate.contentHash !== contentHash(data)) problems.push("contentHash does not match data");
  }
  return problems;
}

export function isCompleteCelebrityItem(item: unknown): item is CelebrityItem {
  return validateCompleteness(item).length === 0;
}

/** True when the item needs (re)enrichment: never enriched, or enriched from older content. */
export function needsEnrichment(
  item: Pick<CelebrityItem, "contentHash" | "enrichedHash" | "weight" | "sentiment">,
): boolean {
  return item.weight === undefined || item.sentiment === undefined || item.enrichedHash !== item.contentHash;
}
