import { ROSTER_FIELDS, rosterEntrySchema, slugOf } from "../../pipeline/model/index.js";
import type { Celebrity, RosterField } from "../../pipeline/model/index.js";
import type { RawRow } from "./rows.js";

/**
 * From a file's row to a roster entry: column names (any case, `_`/`-`/spaces ignored, a few
 * common aliases), text values turned into numbers and booleans where the field is one, the id
 * made from the name when absent, and every problem named with its line, field, value and what
 * is allowed.
 */

/** What a row gives once read: the person and whether to follow them. */
export interface ImportedEntry extends Celebrity {
  active: boolean;
}

export interface RowProblem {
  line: number;
  field?: string;
  value?: unknown;
  message: string;
}

const REQUIRED: readonly RosterField[] = ["name", "category", "country", "city"];

const ALIASES: Record<string, RosterField> = {
  celebrityid: "id",
  countrycode: "country",
  tmdb: "tmdbId",
  tmdbpersonid: "tmdbId",
  wikipedia: "wikipediaTitle",
  wikititle: "wikipediaTitle",
  bluesky: "handle",
  blueskyhandle: "handle",
  news: "newsQuery",
};

/** Columns an export writes that an import reads past (they are the store's, not the operator's). */
const IGNORED = new Set(["addedat", "updatedat"]);

const squash = (name: string) =>
  name
    .replace(/^\uFEFF/, "")
    .toLowerCase()
    .replace(/[\s_-]+/g, "");

const CANONICAL: Record<string, RosterField> = Object.fromEntries([
  ...ROSTER_FIELDS.map((field) => [squash(field), field] as const),
  ...Object.entries(ALIASES),
]);

/** The field a column or JSON key names; "" for one that is read past; undefined when unknown. */
export function fieldOf(name: string): RosterField | "" | undefined {
  const key = squash(name.trim());
  if (IGNORED.has(key)) return "";
  return CANONICAL[key];
}

const ALLOWED = `allowed: ${ROSTER_FIELDS.join(", ")}`;

export function mapHeader(columns: string[]): { columns: string[]; problems: string[] } {
  const problems: string[] = [];
  const mapped: string[] = [];
  const seen = new Map<string, string>();
  for (const column of columns) {
    const field = fieldOf(column);
    if (field === undefined) {
      problems.push(`unknown column ${JSON.stringify(column)} (${ALLOWED})`);
      mapped.push(column);
      continue;
    }
    if (field !== "" && seen.has(field)) {
      problems.push(
        `columns ${JSON.stringify(seen.get(field))} and ${JSON.stringify(column)} both give ${field}`,
      );
    }
    if (field !== "") seen.set(field, column);
    mapped.push(field === "" ? `__ignored_${mapped.length}` : field);
  }
  const missing = REQUIRED.filter((field) => !seen.has(field));
  if (missing.length > 0) {
    const looksLikeData = columns.some((column) => /\d/.test(column) || column.includes(" "));
    problems.push(
      `missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}` +
        (looksLikeData ? " (the first line must be a header row: name,category,country,city,...)" : ""),
    );
  }
  return { columns: mapped, problems };
}

const TRUE = new Set(["true", "yes", "y", "1"]);
const FALSE = new Set(["false", "no", "n", "0"]);

/** A CSV cell (or a JSON value) as the schema wants it. */
function coerce(field: RosterField, value: unknown): unknown {
  if (typeof value !== "string") return value;
  const text = value.trim();
  if (text === "") return field === "name" || REQUIRED.includes(field) ? text : undefined;
  if (field === "tmdbId") return /^\d+$/.test(text) ? Number(text) : text;
  if (field === "active") {
    const lower = text.toLowerCase();
    if (TRUE.has(lower)) return true;
    if (FALSE.has(lower)) return false;
  }
  return text;
}

function shown(value: unknown): string {
  return value === undefined ? "(absent)" : JSON.stringify(value);
}

/** Checks one row; an entry when it is valid, else its problems (all of them). */
export function validateRow(row: RawRow): { entry?: ImportedEntry; problems: RowProblem[] } {
  if (row.problem !== undefined || row.fields === undefined) {
    return { problems: [{ line: row.line, message: row.problem ?? "unreadable row" }] };
  }
  const problems: RowProblem[] = [];
  const candidate: Record<string, unknown> = {};
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row.fields)) {
    if (key.startsWith("__ignored_")) continue;
    const field = fieldOf(key);
    if (field === "") continue;
    if (field === undefined) {
      problems.push({ line: row.line, field: key, value, message: `unknown field (${ALLOWED})` });
      continue;
    }
    raw[field] = value;
    const coerced = coerce(field, value);
    if (coerced !== undefined && coerced !== null) candidate[field] = coerced;
  }
  const parsed = rosterEntrySchema.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? "");
      const message =
        issue.code === "invalid_type" && candidate[field] === undefined
          ? `${field} is required`
          : issue.message;
      problems.push({ line: row.line, field, value: raw[field], message });
    }
  }
  if (problems.length > 0 || !parsed.success) return { problems };
  const data = parsed.data;
  const id = data.id ?? slugOf(data.name);
  if (id === "" || !/^[a-z0-9]/.test(id)) {
    return {
      problems: [
        {
          line: row.line,
          field: "id",
          value: raw.id,
          message: "give an id: the name has no letters or digits to make one from",
        },
      ],
    };
  }
  const entry: ImportedEntry = {
    id,
    name: data.name,
    category: data.category,
    country: data.country,
    city: data.city,
    active: data.active,
  };
  if (data.tmdbId !== undefined) entry.tmdbId = data.tmdbId;
  if (data.wikipediaTitle !== undefined) entry.wikipediaTitle = data.wikipediaTitle;
  if (data.handle !== undefined) entry.handle = data.handle;
  if (data.newsQuery !== undefined) entry.newsQuery = data.newsQuery;
  return { entry, problems: [] };
}

/** "line 12: country = "XX": country must be an ISO 3166-1 alpha-2 code like GB, US or JP". */
export function describeProblem(problem: RowProblem): string {
  const where = problem.field ? `${problem.field} = ${shown(problem.value)}: ` : "";
  return `line ${problem.line}: ${where}${problem.message}`;
}

/** The id a row names, even when the row is bad (its id, else a slug of its name). */
export function mentionedId(row: RawRow): string | undefined {
  if (row.fields === undefined) return undefined;
  let id: unknown;
  let name: unknown;
  for (const [key, value] of Object.entries(row.fields)) {
    const field = fieldOf(key);
    if (field === "id") id = value;
    if (field === "name") name = value;
  }
  if (typeof id === "string" && id.trim() !== "") return id.trim();
  if (typeof name === "string" && name.trim() !== "") return slugOf(name) || undefined;
  return undefined;
}
