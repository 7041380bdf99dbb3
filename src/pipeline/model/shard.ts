import * as z from "zod";
import { COUNTRY_CODES } from "./countries.js";
import type { RosterEntry } from "./roster.js";
import { HANDLE_PATTERN, ROSTER_ID_PATTERN } from "./roster.js";
import { SOURCES } from "./sources.js";
import type { SourceName } from "./sources.js";

/**
 * A shard: the body of one message on a source's work queue (`celebrity-scrape-<source>`), the
 * slice of one run's roster that one worker invocation scrapes. It carries whole roster entries,
 * so a worker needs no roster read (the roster may change while a run is under way; a run scrapes
 * the roster as it was planned) and `dlq peek` can name the people of a shard that failed.
 *
 * JSON: `{ kind: "scrape-shard", version: 1, runId, source, shard, shards, people, plannedAt }`;
 * `shard` is the 0-based index within the run's `shards` shards of that source. The message also
 * carries the attributes `runId`, `source` and `shard` (String), so a queue's messages can be told
 * apart without parsing bodies.
 */

export const SHARD_KIND = "scrape-shard";
export const SHARD_VERSION = 1;

/** Most people one shard may hold: the config's `shardSize` allows 1..200. */
export const MAX_SHARD_PEOPLE = 200;
/** People per shard unless configured: one shard of the slowest source (GDELT) takes minutes. */
export const DEFAULT_SHARD_SIZE = 25;

/** Characters a run id may hold: it becomes part of the key `RUN#<runId>`. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

const isoTime = z.iso.datetime({ offset: true, error: "expected an ISO-8601 time" });

/** A stored roster entry as a shard carries it: the scraper's view of a person plus its record times. */
const shardPersonSchema = z
  .object({
    id: z.string().regex(ROSTER_ID_PATTERN, { error: "expected a roster id" }),
    name: z.string().min(1).max(200),
    category: z.string().min(1).max(32),
    country: z.string().refine((code) => COUNTRY_CODES.has(code), { error: "expected an ISO country code" }),
    city: z.string().min(1).max(100),
    tmdbId: z.number().int().positive().optional(),
    wikipediaTitle: z.string().min(1).max(255).optional(),
    handle: z.string().regex(HANDLE_PATTERN, { error: "expected a Bluesky handle" }).optional(),
    newsQuery: z.string().min(1).max(250).optional(),
    active: z.boolean(),
    // Empty for records written before the times existed (rosterEntryOfItem reads them so).
    addedAt: z.string(),
    updatedAt: z.string(),
  })
  .strict();

export const scrapeShardSchema = z
  .object({
    kind: z.literal(SHARD_KIND),
    version: z.literal(SHARD_VERSION),
    runId: z.string().regex(RUN_ID_PATTERN, { error: "expected a run id" }),
    source: z.enum(SOURCES),
    shard: z.number().int().min(0),
    shards: z.number().int().min(1),
    people: z.array(shardPersonSchema).min(1).max(MAX_SHARD_PEOPLE),
    plannedAt: isoTime,
  })
  .strict()
  .refine((shard) => shard.shard < shard.shards, {
    error: "shard must be below shards (a 0-based index within the run)",
    path: ["shard"],
  });

export type ScrapeShard = z.infer<typeof scrapeShardSchema> & { people: RosterEntry[]; source: SourceName };

/** A message body that is not a shard (another kind of message, or a damaged one). */
export class ShardDecodeError extends Error {
  override readonly name = "ShardDecodeError";
}

/** The message body of a shard (validated first: a bad shard is a bug of the sender, caught there). */
export function encodeShard(shard: ScrapeShard): string {
  const parsed = scrapeShardSchema.safeParse(shard);
  if (!parsed.success) throw new ShardDecodeError(`not a valid shard: ${issuesOf(parsed.error)}`);
  return JSON.stringify(parsed.data);
}

/** Reads a message body as a shard; throws ShardDecodeError naming what is wrong. */
export function decodeShard(body: string): ScrapeShard {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new ShardDecodeError(`message body is not JSON, so not a ${SHARD_KIND} message`);
  }
  if (json === null || typeof json !== "object" || (json as { kind?: unknown }).kind !== SHARD_KIND) {
    throw new ShardDecodeError(`message body is not a ${SHARD_KIND} message (no "kind": "${SHARD_KIND}")`);
  }
  const parsed = scrapeShardSchema.safeParse(json);
  if (!parsed.success) throw new ShardDecodeError(`invalid ${SHARD_KIND} message: ${issuesOf(parsed.error)}`);
  return parsed.data as ScrapeShard;
}

/** True when the body is a shard message (for readers that handle several kinds, like `dlq peek`). */
export function isShardBody(body: string): boolean {
  try {
    decodeShard(body);
    return true;
  } catch {
    return false;
  }
}

/** The message attributes a shard message carries (SQS String attributes). */
export function shardMessageAttributes(
  shard: Pick<ScrapeShard, "runId" | "source" | "shard">,
): Record<"runId" | "source" | "shard", { DataType: "String"; StringValue: string }> {
  return {
    runId: { DataType: "String", StringValue: shard.runId },
    source: { DataType: "String", StringValue: shard.source },
    shard: { DataType: "String", StringValue: String(shard.shard) },
  };
}

/**
 * Cuts a run's people into shards of at most `shardSize`, in order; every person is in exactly
 * one shard. The same code cuts 1 person and 100,000.
 */
export function cutShards(
  input: { runId: string; source: SourceName; plannedAt: Date; shardSize: number },
  people: readonly RosterEntry[],
): ScrapeShard[] {
  const { shardSize } = input;
  if (!Number.isInteger(shardSize) || shardSize < 1 || shardSize > MAX_SHARD_PEOPLE) {
    throw new RangeError(`shardSize must be an integer from 1 to ${MAX_SHARD_PEOPLE}; got ${shardSize}`);
  }
  const shards = Math.ceil(people.length / shardSize);
  const plannedAt = input.plannedAt.toISOString();
  return Array.from({ length: shards }, (_, index) => ({
    kind: SHARD_KIND,
    version: SHARD_VERSION,
    runId: input.runId,
    source: input.source,
    shard: index,
    shards,
    people: people.slice(index * shardSize, (index + 1) * shardSize).map((person) => ({ ...person })),
    plannedAt,
  }));
}

function issuesOf(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.message}`)
    .join("; ");
}
