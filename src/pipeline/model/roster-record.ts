import { KEY_ATTRIBUTES, KEY_PREFIX, ROSTER_SORT_KEY, rosterKey, socialKey } from "./keys.js";
import type { ItemKey } from "./keys.js";
import type { RosterEntry } from "./roster.js";

/**
 * A roster entry as a table item: `ROSTER#<id>` / `PROFILE`, the entry's fields, `recordType`
 * "roster", and `gsi2pk` = SOCIAL#<handle> when the person has a Bluesky handle, so GSI2 answers
 * "whose handle is this?" for roster records and scraped items alike.
 */
export interface RosterRecord extends ItemKey, RosterEntry {
  recordType: "roster";
  gsi2pk?: string;
}

export function rosterRecordOf(entry: RosterEntry): RosterRecord {
  const record: RosterRecord = {
    ...rosterKey(entry.id),
    recordType: "roster",
    id: entry.id,
    name: entry.name,
    category: entry.category,
    country: entry.country,
    city: entry.city,
    active: entry.active,
    addedAt: entry.addedAt,
    updatedAt: entry.updatedAt,
  };
  if (entry.tmdbId !== undefined) record.tmdbId = entry.tmdbId;
  if (entry.wikipediaTitle !== undefined) record.wikipediaTitle = entry.wikipediaTitle;
  if (entry.handle !== undefined) {
    record.handle = entry.handle;
    record.gsi2pk = socialKey(entry.handle);
  }
  if (entry.newsQuery !== undefined) record.newsQuery = entry.newsQuery;
  return record;
}

function stringField(item: Record<string, unknown>, name: string): string | undefined {
  const value = item[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/**
 * The entry of a stored roster item (unmarshalled), or undefined when the item is not a roster
 * record or lacks a required field (a record written by hand, say: the caller counts those).
 */
export function rosterEntryOfItem(item: Record<string, unknown>): RosterEntry | undefined {
  const pk = item[KEY_ATTRIBUTES.pk];
  if (
    typeof pk !== "string" ||
    !pk.startsWith(KEY_PREFIX.roster) ||
    item[KEY_ATTRIBUTES.sk] !== ROSTER_SORT_KEY
  )
    return undefined;
  const id = stringField(item, "id") ?? pk.slice(KEY_PREFIX.roster.length);
  const name = stringField(item, "name");
  const category = stringField(item, "category");
  const country = stringField(item, "country");
  const city = stringField(item, "city");
  if (name === undefined || category === undefined || country === undefined || city === undefined)
    return undefined;
  const entry: RosterEntry = {
    id,
    name,
    category,
    country,
    city,
    // A record without the flag predates it or was written by hand: it is followed.
    active: item.active !== false,
    addedAt: stringField(item, "addedAt") ?? "",
    updatedAt: stringField(item, "updatedAt") ?? "",
  };
  const tmdbId = item.tmdbId;
  if (typeof tmdbId === "number" && Number.isInteger(tmdbId) && tmdbId > 0) entry.tmdbId = tmdbId;
  const wikipediaTitle = stringField(item, "wikipediaTitle");
  if (wikipediaTitle !== undefined) entry.wikipediaTitle = wikipediaTitle;
  const handle = stringField(item, "handle");
  if (handle !== undefined) entry.handle = handle;
  const newsQuery = stringField(item, "newsQuery");
  if (newsQuery !== undefined) entry.newsQuery = newsQuery;
  return entry;
}
