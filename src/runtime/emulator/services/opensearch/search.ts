import { osErrors } from "./errors.js";
import { DEFAULT_SEARCH_SIZE, DEFAULT_TRACK_TOTAL_HITS, MAX_RESULT_WINDOW } from "./limits.js";
import type { IndexedValue } from "./mapping.js";
import { compileQuery, values } from "./query.js";
import type { OsIndex, StoredDoc } from "./store.js";

/**
 * _search and _count over the refreshed view of one or more indices: query, sort, from/size,
 * track_total_hits and _source filtering.
 */

interface Hit {
  index: OsIndex;
  doc: StoredDoc;
  score: number;
  sort?: unknown[];
}

interface SortKey {
  field: string;
  order: "asc" | "desc";
  missing: "_last" | "_first";
}

export function count(indices: OsIndex[], body: Record<string, unknown>, now: number): number {
  for (const key of Object.keys(body)) {
    if (key !== "query") throw osErrors.parsing(`request does not support [${key}]`);
  }
  let total = 0;
  for (const index of indices) {
    const matcher = compileQuery(body["query"], { fields: index.fields(), now });
    for (const doc of index.searchable.values()) if (matcher(doc) !== undefined) total++;
  }
  return total;
}

export function search(
  indices: OsIndex[],
  body: Record<string, unknown>,
  params: URLSearchParams,
  now: number,
): Record<string, unknown> {
  const started = Date.now();
  const size = intParam(params.get("size") ?? body["size"], "size") ?? DEFAULT_SEARCH_SIZE;
  const from = intParam(params.get("from") ?? body["from"], "from") ?? 0;
  if (size < 0) throw osErrors.illegalArgument(`[size] parameter cannot be negative, found [${size}]`);
  if (from < 0) throw osErrors.illegalArgument(`[from] parameter cannot be negative, found [${from}]`);
  if (from + size > MAX_RESULT_WINDOW) {
    throw osErrors.illegalArgument(
      `Result window is too large, from + size must be less than or equal to: [${MAX_RESULT_WINDOW}] but was [${from + size}]. See the scroll api for a more efficient way to request large data sets. This limit can be set by changing the [index.max_result_window] index level setting.`,
    );
  }
  const sortKeys = parseSort(body["sort"] ?? params.get("sort") ?? undefined);
  const hits: Hit[] = [];
  for (const index of indices) {
    const matcher = compileQuery(body["query"], { fields: index.fields(), now });
    for (const key of sortKeys) checkSortable(index, key.field);
    for (const doc of index.searchable.values()) {
      const score = matcher(doc);
      if (score !== undefined) hits.push({ index, doc, score });
    }
  }
  const byScore = sortKeys.length === 0;
  if (byScore) {
    hits.sort((a, b) => b.score - a.score || a.doc.seqNo - b.doc.seqNo);
  } else {
    for (const hit of hits) hit.sort = sortKeys.map((k) => sortValue(hit, k));
    hits.sort((a, b) => compareSort(a, b, sortKeys));
  }
  const page = hits.slice(from, from + size);
  const track = body["track_total_hits"] ?? params.get("track_total_hits") ?? undefined;
  const total = totalHits(hits.length, track);
  const sourceFilter = parseSourceFilter(body["_source"] ?? sourceParam(params));
  const trackScores = body["track_scores"] === true;
  return {
    took: Math.max(0, Date.now() - started),
    timed_out: false,
    _shards: { total: indices.length, successful: indices.length, skipped: 0, failed: 0 },
    hits: {
      ...(total ? { total } : {}),
      max_score:
        byScore || trackScores ? (hits.length > 0 ? Math.max(...hits.map((h) => h.score)) : null) : null,
      hits: page.map((hit) => ({
        _index: hit.index.name,
        _id: hit.doc.id,
        _score: byScore || trackScores ? hit.score : null,
        ...(body["version"] === true ? { _version: hit.doc.version } : {}),
        ...(body["seq_no_primary_term"] === true ? { _seq_no: hit.doc.seqNo, _primary_term: 1 } : {}),
        ...(sourceFilter === false ? {} : { _source: filterSource(hit.doc.source, sourceFilter) }),
        ...(hit.sort ? { sort: hit.sort } : {}),
      })),
    },
  };
}

function totalHits(n: number, track: unknown): { value: number; relation: "eq" | "gte" } | undefined {
  if (track === false || track === "false") return undefined;
  if (track === true || track === "true") return { value: n, relation: "eq" };
  const cap = track === undefined ? DEFAULT_TRACK_TOTAL_HITS : Number(track);
  if (!Number.isInteger(cap) || cap < 0)
    throw osErrors.illegalArgument(
      `[track_total_hits] must be true, false or a number, got [${String(track)}]`,
    );
  return n > cap ? { value: cap, relation: "gte" } : { value: n, relation: "eq" };
}

function intParam(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n))
    throw osErrors.illegalArgument(`Failed to parse int parameter [${name}] with value [${String(value)}]`);
  return n;
}

function parseSort(raw: unknown): SortKey[] {
  if (raw === undefined) return [];
  const items = Array.isArray(raw) ? raw : typeof raw === "string" ? raw.split(",") : [raw];
  return items.map((item): SortKey => {
    if (typeof item === "string") {
      const [field, order] = item.split(":");
      return {
        field: field!,
        order: normOrder(order ?? (field === "_score" ? "desc" : "asc")),
        missing: "_last",
      };
    }
    if (item && typeof item === "object" && !Array.isArray(item)) {
      const entries = Object.entries(item as Record<string, unknown>);
      if (entries.length !== 1) throw osErrors.parsing("[sort] each sort element must name one field");
      const [field, spec] = entries[0]!;
      if (typeof spec === "string") return { field, order: normOrder(spec), missing: "_last" };
      const s = (spec ?? {}) as Record<string, unknown>;
      return {
        field,
        order: normOrder(String(s["order"] ?? (field === "_score" ? "desc" : "asc"))),
        missing: s["missing"] === "_first" ? "_first" : "_last",
      };
    }
    throw osErrors.parsing("[sort] malformed sort element");
  });
}

function normOrder(order: string): "asc" | "desc" {
  const o = order.toLowerCase();
  if (o !== "asc" && o !== "desc") throw osErrors.illegalArgument(`Unknown SortOrder [${order}]`);
  return o;
}

function checkSortable(index: OsIndex, field: string): void {
  if (field === "_score" || field === "_doc" || field === "_id") return;
  const mapping = index.fields().get(field);
  if (!mapping) throw osErrors.queryShard(`No mapping found for [${field}] in order to sort on`, index.name);
  if (mapping.type === "text" && mapping["fielddata"] !== true) {
    throw osErrors.illegalArgument(
      `Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead. Alternatively, set fielddata=true on [${field}] in order to load field data by uninverting the inverted index. Note that this can use significant memory.`,
    );
  }
}

function sortValue(hit: Hit, key: SortKey): unknown {
  if (key.field === "_score") return hit.score;
  if (key.field === "_doc") return hit.doc.seqNo;
  if (key.field === "_id") return hit.doc.id;
  const vals = values(hit.doc, key.field)
    .map(plain)
    .filter((v) => v !== undefined) as (number | string | boolean)[];
  if (vals.length === 0) return null;
  // Multi-valued fields sort on their min (asc) or max (desc), as OpenSearch's default mode does.
  return vals.reduce((best, v) => ((key.order === "asc" ? v < best : v > best) ? v : best));
}

function plain(v: IndexedValue): number | string | boolean | undefined {
  if (v.kind === "text") return v.raw;
  return v.v;
}

function compareSort(a: Hit, b: Hit, keys: SortKey[]): number {
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const x = a.sort![i];
    const y = b.sort![i];
    if (x === y) continue;
    if (x === null) return key.missing === "_first" ? -1 : 1;
    if (y === null) return key.missing === "_first" ? 1 : -1;
    const c = (x as number | string) < (y as number | string) ? -1 : 1;
    return key.order === "asc" ? c : -c;
  }
  return a.doc.seqNo - b.doc.seqNo;
}

type SourceFilter = false | { includes: string[]; excludes: string[] };

function sourceParam(params: URLSearchParams): unknown {
  const s = params.get("_source");
  if (s === "false") return false;
  if (s === "true") return true;
  const includes = params.get("_source_includes") ?? (s && s !== "true" ? s : null);
  const excludes = params.get("_source_excludes");
  if (!includes && !excludes) return undefined;
  return { includes: includes ? includes.split(",") : [], excludes: excludes ? excludes.split(",") : [] };
}

export function parseSourceFilter(raw: unknown): SourceFilter {
  if (raw === undefined || raw === true) return { includes: [], excludes: [] };
  if (raw === false) return false;
  if (typeof raw === "string") return { includes: [raw], excludes: [] };
  if (Array.isArray(raw)) return { includes: raw.map(String), excludes: [] };
  if (raw && typeof raw === "object") {
    const o = raw as Record<string, unknown>;
    const list = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
    return { includes: list(o["includes"] ?? o["include"]), excludes: list(o["excludes"] ?? o["exclude"]) };
  }
  throw osErrors.parsing("[_source] must be a boolean, a string, an array or an object");
}

export function filterSource(
  source: Record<string, unknown>,
  filter: SourceFilter,
): Record<string, unknown> | undefined {
  if (filter === false) return undefined;
  if (filter.includes.length === 0 && filter.excludes.length === 0) return source;
  const toRegex = (p: string) =>
    new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
  const inc = filter.includes.map(toRegex);
  const exc = filter.excludes.map(toRegex);
  const walk = (obj: Record<string, unknown>, prefix: string): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(obj)) {
      const path = prefix + key;
      if (exc.some((r) => r.test(path))) continue;
      const included = inc.length === 0 || inc.some((r) => r.test(path));
      if (value && typeof value === "object" && !Array.isArray(value)) {
        const child = included
          ? walkExcludesOnly(value as Record<string, unknown>, `${path}.`)
          : walk(value as Record<string, unknown>, `${path}.`);
        if (included || Object.keys(child).length > 0) out[key] = child;
      } else if (included) out[key] = value;
    }
    return out;
  };
  const walkExcludesOnly = (obj: Record<string, unknown>, prefix: string): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(obj)) {
      const path = prefix + key;
      if (exc.some((r) => r.test(path))) continue;
      out[key] =
        value && typeof value === "object" && !Array.isArray(value)
          ? walkExcludesOnly(value as Record<string, unknown>, `${path}.`)
          : value;
    }
    return out;
  };
  return walk(source, "");
}
