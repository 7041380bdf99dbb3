import { createHash } from "node:crypto";
import * as z from "zod";
import { COUNTRY_CODES } from "./countries.js";

/**
 * The roster: whom the pipeline follows. It is operator-managed data (one record per celebrity in
 * the table, `pipeline roster`), never a constant: this module only says what a valid entry is, and
 * how to invent deterministic people for local runs and load tests (`roster generate`, and the demo
 * roster `roster import --demo`, which is the same generator's first people).
 */

/** Categories the demo and generated rosters use; a real roster may use any lower-case word. */
export const CATEGORIES = [
  "actor",
  "musician",
  "athlete",
  "author",
  "chef",
  "comedian",
  "director",
  "presenter",
] as const;

export type Category = string;

/** Entry id: given by the operator or a slug of the name; it becomes part of keys (`CELEB#<id>`). */
export const ROSTER_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const ID_RULE = "1-64 of a-z 0-9 . _ -, starting with a letter or digit";
/** Bluesky handles are domain names (the AT Protocol handle syntax, lower-cased). */
export const HANDLE_PATTERN = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
const CATEGORY_PATTERN = /^[a-z][a-z0-9-]{1,31}$/;

const text = (what: string, max: number) =>
  z
    .string({ error: `expected ${what} (text, 1-${max} characters)` })
    .trim()
    .min(1, { error: `${what} must not be empty` })
    .max(max, { error: `${what} must be at most ${max} characters` });

const optionalText = (what: string, max: number) =>
  z
    .string({ error: `expected ${what} (text, 1-${max} characters)` })
    .trim()
    .max(max, { error: `${what} must be at most ${max} characters` })
    .optional()
    .transform((value) => (value === "" ? undefined : value));

/**
 * What an operator gives for one celebrity. The per-source identifiers are optional; when present
 * they beat a name search (TMDB details by id, the Wikipedia article, the Bluesky account, the
 * GDELT query), so people with common names are scraped as themselves.
 */
export const rosterEntrySchema = z
  .object({
    id: z
      .string({ error: `expected an id (${ID_RULE})` })
      .trim()
      .regex(ROSTER_ID_PATTERN, { error: `id must be ${ID_RULE}` })
      .optional(),
    name: text("a name", 200),
    category: z
      .string({ error: "expected a category: a lower-case word like actor or musician" })
      .trim()
      .toLowerCase()
      .regex(CATEGORY_PATTERN, {
        error: "category must be a lower-case word like actor, musician or athlete (2-32 of a-z 0-9 -)",
      }),
    country: z
      .string({ error: "expected a country: an ISO 3166-1 alpha-2 code like GB or US" })
      .trim()
      .toUpperCase()
      .refine((code) => COUNTRY_CODES.has(code), {
        error: "country must be an ISO 3166-1 alpha-2 code like GB, US or JP",
      }),
    city: text("a city", 100),
    tmdbId: z
      .number({ error: "tmdbId must be a TMDB person id, a positive integer" })
      .int({ error: "tmdbId must be a TMDB person id, a positive integer" })
      .positive({ error: "tmdbId must be a TMDB person id, a positive integer" })
      .optional(),
    wikipediaTitle: optionalText("a Wikipedia article title", 255),
    handle: z
      .string({ error: "expected a Bluesky handle like name.bsky.social" })
      .trim()
      .toLowerCase()
      .transform((value) => value.replace(/^@/, ""))
      .refine((value) => value === "" || HANDLE_PATTERN.test(value), {
        error: "handle must be a Bluesky handle like name.bsky.social (a domain name, no @)",
      })
      .optional()
      .transform((value) => (value === "" ? undefined : value)),
    newsQuery: optionalText("a news query", 250),
    active: z.boolean({ error: "active must be true or false" }).default(true),
  })
  .strict();

export type RosterEntryInput = z.input<typeof rosterEntrySchema>;

/** One person the pipeline follows, as the scrapers see them. */
export interface Celebrity {
  id: string;
  name: string;
  category: Category;
  /** ISO 3166-1 alpha-2 country code, upper case. */
  country: string;
  city: string;
  /** TMDB person id: details by id instead of a name search. */
  tmdbId?: number;
  /** English Wikipedia article title, when it is not the name. */
  wikipediaTitle?: string;
  /** Bluesky handle, unique across the roster (the GSI2 duplicate check is keyed on it). */
  handle?: string;
  /** GDELT query, when the quoted full name is not the right one. */
  newsQuery?: string;
}

/** A stored roster record: the person, whether to scrape them, and when it changed. */
export interface RosterEntry extends Celebrity {
  active: boolean;
  /** ISO-8601 UTC times. */
  addedAt: string;
  updatedAt: string;
}

/** The fields an operator edits (everything but the times), in the order files list them. */
export const ROSTER_FIELDS = [
  "id",
  "name",
  "category",
  "country",
  "city",
  "tmdbId",
  "wikipediaTitle",
  "handle",
  "newsQuery",
  "active",
] as const satisfies readonly (keyof RosterEntry)[];

export type RosterField = (typeof ROSTER_FIELDS)[number];

/** The id a name gets when none is given: lower case, accents stripped, words joined by "-". */
export function slugOf(name: string): string {
  const slug = name
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 64)
    .replace(/-+$/, "");
  return slug;
}

/** The person of a stored or imported entry, without the roster bookkeeping. */
export function celebrityOf(entry: Celebrity): Celebrity {
  const celebrity: Celebrity = {
    id: entry.id,
    name: entry.name,
    category: entry.category,
    country: entry.country,
    city: entry.city,
  };
  if (entry.tmdbId !== undefined) celebrity.tmdbId = entry.tmdbId;
  if (entry.wikipediaTitle !== undefined) celebrity.wikipediaTitle = entry.wikipediaTitle;
  if (entry.handle !== undefined) celebrity.handle = entry.handle;
  if (entry.newsQuery !== undefined) celebrity.newsQuery = entry.newsQuery;
  return celebrity;
}

/**
 * A short fingerprint of the people a run covers (ids and every field a scraper uses, in id
 * order), so a run record says which roster it scraped and two runs can be compared.
 */
export function rosterHash(roster: readonly Celebrity[]): string {
  const hash = createHash("sha256");
  for (const celebrity of [...roster].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const c = celebrityOf(celebrity);
    hash.update(
      JSON.stringify([
        c.id,
        c.name,
        c.category,
        c.country,
        c.city,
        c.tmdbId ?? null,
        c.wikipediaTitle ?? null,
        c.handle ?? null,
        c.newsQuery ?? null,
      ]),
    );
    hash.update("\n");
  }
  return hash.digest("hex").slice(0, 16);
}

// --- Invented people -------------------------------------------------------------------------

/** How many people `roster import --demo` brings (the seed documents' figure). */
export const DEMO_ROSTER_COUNT = 100;

const FIRST_NAMES = [
  "Ava",
  "Bram",
  "Cleo",
  "Dario",
  "Elin",
  "Fenna",
  "Galen",
  "Hollis",
  "Ines",
  "Jory",
  "Kaia",
  "Lorcan",
  "Mira",
  "Nico",
  "Orla",
  "Pim",
  "Quinn",
  "Rhea",
  "Soren",
  "Tova",
  "Ulla",
  "Vesper",
  "Wren",
  "Xavi",
  "Yara",
] as const;

// Invented surnames, so that no combination names a real person.
const SURNAMES = [
  "Quill",
  "Marrowby",
  "Thistlewood",
  "Ashgrove",
  "Brindlecote",
  "Corvane",
  "Dunmere",
  "Elderholt",
  "Fairwick",
  "Glenmoor",
  "Halloway",
  "Ivorsen",
  "Jessamine",
  "Kestrelle",
  "Larkspur",
  "Mossbury",
  "Nettlefield",
  "Orrindale",
  "Pellowes",
  "Ravensmere",
] as const;

const MIDDLE_INITIALS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

const PLACES: readonly (readonly [country: string, city: string])[] = [
  ["GB", "London"],
  ["US", "Los Angeles"],
  ["FR", "Paris"],
  ["DE", "Berlin"],
  ["JP", "Tokyo"],
  ["BR", "São Paulo"],
  ["AU", "Sydney"],
  ["CA", "Toronto"],
  ["IE", "Dublin"],
  ["ES", "Madrid"],
  ["IT", "Rome"],
  ["SE", "Stockholm"],
  ["US", "New York"],
  ["GB", "Manchester"],
  ["KR", "Seoul"],
  ["MX", "Mexico City"],
  ["NG", "Lagos"],
  ["IN", "Mumbai"],
  ["ZA", "Cape Town"],
  ["NL", "Amsterdam"],
  ["NO", "Oslo"],
  ["AR", "Buenos Aires"],
  ["NZ", "Auckland"],
  ["US", "Nashville"],
];

function pick<T>(list: readonly T[], index: number): T {
  const value = list[index % list.length];
  if (value === undefined) throw new Error(`roster word list is empty`);
  return value;
}

/** Distinct first-name/surname pairs before a middle initial is needed. */
const PAIRS = FIRST_NAMES.length * SURNAMES.length;

/**
 * Invented person number n (0-based) of a roster of `count`. Within each block of 500 (25 first
 * names x 20 surnames) every pair is distinct: for the k-th round of first names the surname
 * offset is (8k mod 20) + floor(k / 5), which takes each value 0..19 once for k < 20 (and equals
 * the demo roster's original 8k for its first 100 people). Later blocks add a middle initial,
 * then a number, so names and handles stay unique at any count; ids are zero-padded so they sort
 * as strings.
 */
export function inventedCelebrity(n: number, count: number): Celebrity & { handle: string } {
  const firstIndex = n % FIRST_NAMES.length;
  const k = Math.floor(n / FIRST_NAMES.length) % SURNAMES.length;
  const first = pick(FIRST_NAMES, firstIndex);
  const last = pick(SURNAMES, firstIndex + ((8 * k) % SURNAMES.length) + Math.floor(k / 5));
  const block = Math.floor(n / PAIRS);
  const middle = block === 0 ? "" : pick([...MIDDLE_INITIALS], block - 1);
  const round = Math.floor((block - 1) / MIDDLE_INITIALS.length);
  const numeral = block > MIDDLE_INITIALS.length ? ` ${round + 1}` : "";
  const [country, city] = pick(PLACES, n * 7);
  const name = `${first}${middle ? ` ${middle}.` : ""} ${last}${numeral}`;
  const handleParts = [first, middle, last, numeral.trim()].filter((part) => part !== "");
  return {
    id: String(n + 1).padStart(Math.max(3, String(count).length), "0"),
    name,
    category: pick(CATEGORIES, n * 3 + Math.floor(n / CATEGORIES.length)),
    country,
    city,
    handle: `${handleParts.join("-")}.bsky.social`.toLowerCase(),
  };
}

export interface GenerateRosterOptions {
  /** Also give each person per-source ids (TMDB id, Wikipedia title, news query). */
  sourceIds?: boolean;
}

/** A deterministic roster of `count` invented people (the same count, the same people). */
export function generateRoster(count: number, options: GenerateRosterOptions = {}): Celebrity[] {
  if (!Number.isInteger(count) || count < 1) {
    throw new Error(`a generated roster needs a count, an integer of 1 or more; got ${count}`);
  }
  return Array.from({ length: count }, (_, n) => {
    const celebrity: Celebrity = inventedCelebrity(n, count);
    if (options.sourceIds) {
      celebrity.tmdbId = 5_000_000 + n;
      celebrity.wikipediaTitle = celebrity.name.replace(/ /g, "_");
      celebrity.newsQuery = `"${celebrity.name}"`;
    }
    return celebrity;
  });
}

/** The demo roster: the generator's first people, as `roster import --demo` brings them. */
export function demoRoster(): Celebrity[] {
  return generateRoster(DEMO_ROSTER_COUNT);
}
