import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { OperatorError } from "../config/errors.js";
import { stringify } from "csv-stringify";
import { ROSTER_FIELDS, rosterKey } from "../../pipeline/model/index.js";
import type { Celebrity, RosterEntry } from "../../pipeline/model/index.js";
import { type ImportOptions, type ImportResult, type ImportSource, importRoster } from "./import.js";
import { demoRoster as demoPeople } from "../../pipeline/model/index.js";
import type { RawRow, RosterFormat } from "./rows.js";
import { BatchWriter, itemKeysOf, readRoster } from "./store.js";

/** list, export, add, remove, the demo people and the "is there anybody to scrape?" check. */

export interface RosterFilter {
  category?: string;
  country?: string;
  /** true: active only; false: inactive only; undefined: both. */
  active?: boolean;
  /** Case-insensitive text in the id, name, city or handle. */
  search?: string;
}

export function filterRoster(entries: readonly RosterEntry[], filter: RosterFilter): RosterEntry[] {
  const search = filter.search?.toLowerCase();
  return entries.filter(
    (entry) =>
      (filter.category === undefined || entry.category === filter.category.toLowerCase()) &&
      (filter.country === undefined || entry.country === filter.country.toUpperCase()) &&
      (filter.active === undefined || entry.active === filter.active) &&
      (search === undefined ||
        [entry.id, entry.name, entry.city, entry.handle ?? ""].some((value) =>
          value.toLowerCase().includes(search),
        )),
  );
}

/** The rows of entries, for an import from memory (the demo roster, `roster add`). */
export function sourceOfEntries(entries: readonly (Celebrity & { active?: boolean })[]): ImportSource {
  return {
    open: async () =>
      (async function* (): AsyncGenerator<RawRow> {
        for (const [i, entry] of entries.entries()) yield { line: i + 1, fields: { ...entry } };
      })(),
  };
}

/** The demo people as an import source (`roster import --demo`). */
export function demoSource(): ImportSource {
  return sourceOfEntries(demoPeople());
}

/** `roster import --demo`: the invented demo people, through the same plan and writes. */
export function importDemo(
  client: DynamoDBClient,
  tableName: string,
  options: ImportOptions = {},
): Promise<ImportResult> {
  return importRoster(client, tableName, demoSource(), options);
}

/** An entry in file form: the operator's fields, in ROSTER_FIELDS order, absent ones left out. */
function fileRecord(entry: Celebrity & { active?: boolean }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of ROSTER_FIELDS) {
    const value = (entry as unknown as Record<string, unknown>)[field];
    if (value !== undefined) out[field] = value;
  }
  if (out.active === undefined) out.active = true;
  return out;
}

/**
 * Entries as a CSV (csv-stringify quotes what needs quoting), JSON array or JSONL text stream,
 * in the shape `roster import` reads back unchanged.
 */
export async function* writeRoster(
  entries: AsyncIterable<Celebrity & { active?: boolean }> | Iterable<Celebrity & { active?: boolean }>,
  format: RosterFormat,
): AsyncGenerator<string> {
  if (format === "csv") {
    const csv = stringify({ header: true, columns: [...ROSTER_FIELDS], cast: { boolean: String } });
    const done = (async () => {
      for await (const entry of entries) {
        const record = fileRecord(entry);
        if (!csv.write(record)) await new Promise((resolve) => csv.once("drain", resolve));
      }
      csv.end();
    })();
    for await (const chunk of csv) yield String(chunk);
    await done;
    return;
  }
  if (format === "jsonl") {
    for await (const entry of entries) yield `${JSON.stringify(fileRecord(entry))}\n`;
    return;
  }
  yield "[";
  let first = true;
  for await (const entry of entries) {
    yield `${first ? "\n" : ",\n"}  ${JSON.stringify(fileRecord(entry))}`;
    first = false;
  }
  yield first ? "]\n" : "\n]\n";
}

export class RosterEntryNotFound extends OperatorError {
  override readonly name = "RosterEntryNotFound";
}

export interface RemoveResult {
  id: string;
  name: string | undefined;
  removedRecord: boolean;
  /** Scraped items deleted (with purge); index-sync removes their documents from the stream. */
  purgedItems: number;
}

/**
 * Removes a person from the roster: the record, and with purge their scraped items too (each
 * delete is a stream REMOVE record, so index-sync deletes the documents from the index).
 */
export async function removeEntry(
  client: DynamoDBClient,
  tableName: string,
  id: string,
  options: { purge?: boolean } = {},
): Promise<RemoveResult> {
  const { entries } = await readRoster(client, tableName);
  const entry = entries.find((candidate) => candidate.id === id);
  const items = options.purge ? await itemKeysOf(client, tableName, id) : [];
  if (entry === undefined && items.length === 0) {
    const near = entries
      .filter(
        (candidate) => candidate.id.includes(id) || candidate.name.toLowerCase().includes(id.toLowerCase()),
      )
      .slice(0, 3)
      .map((candidate) => candidate.id);
    throw new RosterEntryNotFound(
      `nobody with id ${JSON.stringify(id)} in the roster of ${tableName}` +
        (near.length > 0 ? ` (did you mean ${near.join(", ")}?)` : "; see `pipeline roster list`"),
    );
  }
  const writer = new BatchWriter(client, tableName);
  if (entry !== undefined) await writer.delete(rosterKey(id));
  for (const key of items) await writer.delete(key);
  await writer.flush();
  return { id, name: entry?.name, removedRecord: entry !== undefined, purgedItems: items.length };
}

export class EmptyRosterError extends OperatorError {
  override readonly name = "EmptyRosterError";
}

export interface RosterReadiness {
  active: number;
  total: number;
  /** The demo roster was imported because the roster was empty (seedDemoWhenEmpty). */
  seeded: number;
}

/**
 * Before anything scrapes: is there anybody to scrape? An empty roster is seeded with the demo
 * people where config says so (roster.seedDemoWhenEmpty, on by default on the local targets only),
 * else it is an error naming `pipeline roster import`.
 */
export async function ensureRoster(
  client: DynamoDBClient,
  tableName: string,
  options: { seedDemoWhenEmpty: boolean; where: string },
): Promise<RosterReadiness | undefined> {
  let entries: RosterEntry[];
  try {
    ({ entries } = await readRoster(client, tableName));
  } catch (error) {
    // No table yet: not deployed. Whoever called says so (deploy first); there is no roster to check.
    if ((error as Error).name === "ResourceNotFoundException") return undefined;
    throw error;
  }
  const active = entries.filter((entry) => entry.active).length;
  if (entries.length > 0 || active > 0) {
    if (active === 0) {
      throw new EmptyRosterError(
        `the roster of ${tableName} (${options.where}) has ${entries.length} people and none is active: ` +
          "activate some with `pipeline roster import` (active=true), or add people with `pipeline roster add`",
      );
    }
    return { active, total: entries.length, seeded: 0 };
  }
  if (!options.seedDemoWhenEmpty) {
    throw new EmptyRosterError(
      `the roster of ${tableName} (${options.where}) is empty, so the scrapers have nobody to follow: ` +
        "import one with `pipeline roster import people.csv` (or `pipeline roster import --demo` for invented people)",
    );
  }
  const result = await importDemo(client, tableName);
  return { active: result.written, total: result.written, seeded: result.written };
}

/** Copies every roster record of one table into another (verify 4C's `-test` copy follows the roster). */
export async function copyRoster(
  client: DynamoDBClient,
  fromTable: string,
  toTable: string,
): Promise<number> {
  const { entries } = await readRoster(client, fromTable);
  const writer = new BatchWriter(client, toTable);
  for (const entry of entries) await writer.put(entry);
  await writer.flush();
  return entries.length;
}
