/**
 * The demo roster: 100 FICTIONAL celebrities, generated deterministically from small word lists, so
 * every run, the fixture server and every test see the same people. The surnames are invented so
 * that no combination names a real person; ids are zero-padded ("001".."100") to sort as strings.
 */

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

export type Category = (typeof CATEGORIES)[number];

export interface Celebrity {
  /** Zero-padded roster id, "001".."100". */
  id: string;
  name: string;
  category: Category;
  /** ISO 3166-1 alpha-2 country code, upper case. */
  country: string;
  city: string;
  /** Bluesky-style handle, unique per celebrity (the GSI2 duplicate check relies on it). */
  handle: string;
}

export const DEMO_ROSTER_SIZE = 100;

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

/**
 * Celebrity number n (0-based). The surname index advances by 3 every 25 ids, so first name n%25
 * never meets the same surname twice within 100 ids (offsets 28k mod 20 are 8, 16, 4: never 0).
 */
function celebrityAt(n: number): Celebrity {
  const first = pick(FIRST_NAMES, n);
  const last = pick(SURNAMES, n + Math.floor(n / FIRST_NAMES.length) * 3);
  const [country, city] = pick(PLACES, n * 7);
  return {
    id: String(n + 1).padStart(3, "0"),
    name: `${first} ${last}`,
    category: pick(CATEGORIES, n * 3 + Math.floor(n / CATEGORIES.length)),
    country,
    city,
    handle: `${first}-${last}.bsky.social`.toLowerCase(),
  };
}

export const DEMO_ROSTER: readonly Celebrity[] = Object.freeze(
  Array.from({ length: DEMO_ROSTER_SIZE }, (_, n) => Object.freeze(celebrityAt(n))),
);

/** The first `size` celebrities of the demo roster (a scraper run covers a prefix of it). */
export function rosterOfSize(size: number = DEMO_ROSTER_SIZE): readonly Celebrity[] {
  if (!Number.isInteger(size) || size < 1 || size > DEMO_ROSTER_SIZE) {
    throw new Error(`roster size must be an integer from 1 to ${DEMO_ROSTER_SIZE}; got ${size}`);
  }
  return DEMO_ROSTER.slice(0, size);
}

export function findCelebrity(id: string): Celebrity | undefined {
  return DEMO_ROSTER.find((celebrity) => celebrity.id === id);
}
