import { analyze, parseDate, parseDateMath } from "./analysis.js";
import { osErrors } from "./errors.js";
import type { FieldMapping, IndexedValue } from "./mapping.js";
import type { StoredDoc } from "./store.js";

/**
 * The query DSL subset: match_all, match_none, match, match_phrase, multi_match, term, terms,
 * range, exists, prefix, wildcard, ids, bool (must/filter/should/must_not,
 * minimum_should_match) and constant_score. A compiled query returns the document's score when
 * it matches, undefined otherwise. Scores are simple (fraction of matched query terms, summed
 * over clauses), not BM25.
 */
export type Matcher = (doc: StoredDoc) => number | undefined;

export interface QueryContext {
  /** Field mappings of the index being searched. */
  fields: Map<string, FieldMapping>;
  now: number;
}

export function compileQuery(query: unknown, ctx: QueryContext): Matcher {
  if (query === undefined || query === null) return () => 1;
  const [type, body] = single(query, "query");
  const boost = boostOf(body);
  const scaled = (m: Matcher): Matcher =>
    boost === 1
      ? m
      : (doc) => {
          const s = m(doc);
          return s === undefined ? undefined : s * boost;
        };
  switch (type) {
    case "match_all":
      return () => boost;
    case "match_none":
      return () => undefined;
    case "bool":
      return scaled(compileBool(object(body, "bool"), ctx));
    case "constant_score": {
      const filter = compileQuery(object(body, "constant_score")["filter"], ctx);
      return (doc) => (filter(doc) === undefined ? undefined : boost);
    }
    case "term": {
      const [field, spec] = fieldSpec(body, "term", "value");
      const test = termTest(field, spec["value"], ctx, spec["case_insensitive"] === true);
      return scaled((doc) => (test(doc) ? 1 : undefined));
    }
    case "terms": {
      const b = object(body, "terms");
      const entries = Object.entries(b).filter(([k]) => k !== "boost" && k !== "_name");
      if (entries.length !== 1) throw osErrors.parsing("[terms] query requires exactly one field");
      const [field, values] = entries[0]!;
      if (!Array.isArray(values))
        throw osErrors.parsing(`[terms] query does not support [${field}] as a non-array value`);
      const tests = values.map((v) => termTest(field, v, ctx, false));
      return scaled((doc) => (tests.some((t) => t(doc)) ? 1 : undefined));
    }
    case "match":
      return scaled(compileMatch(body, ctx, false));
    case "match_phrase":
      return scaled(compileMatch(body, ctx, true));
    case "multi_match": {
      const b = object(body, "multi_match");
      const fields =
        (b["fields"] as string[] | undefined) ??
        [...ctx.fields.keys()].filter((f) => ctx.fields.get(f)?.type === "text");
      const matchers = fields.map((f) =>
        compileMatch(
          { [f.replace(/\^[\d.]+$/, "")]: { query: b["query"], operator: b["operator"] } },
          ctx,
          b["type"] === "phrase",
        ),
      );
      return scaled((doc) => {
        let best: number | undefined;
        for (const m of matchers) {
          const s = m(doc);
          if (s !== undefined && (best === undefined || s > best)) best = s;
        }
        return best;
      });
    }
    case "range":
      return scaled(compileRange(body, ctx));
    case "exists": {
      const field = object(body, "exists")["field"];
      if (typeof field !== "string") throw osErrors.parsing("[exists] must be provided with a [field]");
      return scaled((doc) => (hasField(doc, field) ? 1 : undefined));
    }
    case "prefix": {
      const [field, spec] = fieldSpec(body, "prefix", "value");
      const prefix = String(spec["value"]);
      const insensitive = spec["case_insensitive"] === true;
      return scaled((doc) =>
        values(doc, field).some((v) => {
          if (v.kind === "text") return v.tokens.some((t) => t.startsWith(prefix.toLowerCase()));
          if (v.kind !== "keyword") return false;
          return insensitive ? v.v.toLowerCase().startsWith(prefix.toLowerCase()) : v.v.startsWith(prefix);
        })
          ? 1
          : undefined,
      );
    }
    case "wildcard": {
      const [field, spec] = fieldSpec(body, "wildcard", "value");
      const pattern = String(spec["value"] ?? spec["wildcard"]);
      const regex = new RegExp(
        `^${pattern
          .replace(/[.+^${}()|[\]\\]/g, "\\$&")
          .replace(/\*/g, ".*")
          .replace(/\?/g, ".")}$`,
        spec["case_insensitive"] === true ? "is" : "s",
      );
      return scaled((doc) =>
        values(doc, field).some((v) =>
          v.kind === "keyword" ? regex.test(v.v) : v.kind === "text" && v.tokens.some((t) => regex.test(t)),
        )
          ? 1
          : undefined,
      );
    }
    case "ids": {
      const ids = object(body, "ids")["values"];
      if (!Array.isArray(ids)) throw osErrors.parsing("[ids] query requires [values]");
      const set = new Set(ids.map(String));
      return scaled((doc) => (set.has(doc.id) ? 1 : undefined));
    }
    default:
      throw osErrors.parsing(`unknown query [${type}]`);
  }
}

function compileBool(body: Record<string, unknown>, ctx: QueryContext): Matcher {
  const clauses = (key: string) => {
    const value = body[key];
    if (value === undefined) return [];
    return (Array.isArray(value) ? value : [value]).map((q) => compileQuery(q, ctx));
  };
  for (const key of Object.keys(body)) {
    if (
      ![
        "must",
        "filter",
        "should",
        "must_not",
        "minimum_should_match",
        "boost",
        "_name",
        "adjust_pure_negative",
      ].includes(key)
    ) {
      throw osErrors.parsing(`[bool] query does not support [${key}]`);
    }
  }
  const must = clauses("must");
  const filter = clauses("filter");
  const should = clauses("should");
  const mustNot = clauses("must_not");
  const minimum = minimumShouldMatch(
    body["minimum_should_match"],
    should.length,
    must.length + filter.length === 0 ? 1 : 0,
  );
  return (doc) => {
    let score = 0;
    for (const m of must) {
      const s = m(doc);
      if (s === undefined) return undefined;
      score += s;
    }
    for (const f of filter) if (f(doc) === undefined) return undefined;
    for (const n of mustNot) if (n(doc) !== undefined) return undefined;
    let matched = 0;
    for (const s of should) {
      const v = s(doc);
      if (v !== undefined) {
        matched++;
        score += v;
      }
    }
    if (matched < minimum) return undefined;
    // A pure filter/must_not query scores 0 in OpenSearch; keep every hit at least that.
    return score;
  };
}

function minimumShouldMatch(value: unknown, shouldCount: number, fallback: number): number {
  if (shouldCount === 0) return 0;
  if (value === undefined) return fallback;
  const text = String(value);
  const pct = /^(-?\d+)%$/.exec(text);
  if (pct) {
    const n = Math.trunc((shouldCount * Math.abs(Number(pct[1]))) / 100);
    return Number(pct[1]) < 0 ? shouldCount - n : n;
  }
  const n = Number(text);
  if (!Number.isInteger(n))
    throw osErrors.parsing(`[bool] query does not support minimum_should_match [${text}]`);
  return n < 0 ? Math.max(0, shouldCount + n) : n;
}

function compileMatch(body: unknown, ctx: QueryContext, phrase: boolean): Matcher {
  const [field, spec] = fieldSpec(body, phrase ? "match_phrase" : "match", "query");
  const query = spec["query"];
  if (query === undefined || query === null)
    throw osErrors.parsing(`[${phrase ? "match_phrase" : "match"}] requires query value`);
  const operator = String(spec["operator"] ?? "or").toLowerCase();
  const mapping = ctx.fields.get(field);
  if (mapping?.type && mapping.type !== "text") {
    // On keyword, numeric, date and boolean fields a match is a term query on the whole value.
    const test = termTest(field, query, ctx, false);
    return (doc) => (test(doc) ? 1 : undefined);
  }
  const tokens = analyze(String(query));
  if (tokens.length === 0) return () => undefined;
  return (doc) => {
    let best: number | undefined;
    for (const v of values(doc, field)) {
      if (v.kind !== "text") continue;
      let score: number | undefined;
      if (phrase) {
        score = containsSequence(v.tokens, tokens) ? 1 : undefined;
      } else {
        const set = new Set(v.tokens);
        const hits = tokens.filter((t) => set.has(t)).length;
        const ok = operator === "and" ? hits === tokens.length : hits > 0;
        score = ok ? hits / tokens.length : undefined;
      }
      if (score !== undefined && (best === undefined || score > best)) best = score;
    }
    return best;
  };
}

function containsSequence(haystack: string[], needle: string[]): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

function compileRange(body: unknown, ctx: QueryContext): Matcher {
  const [field, spec] = fieldSpec(body, "range", undefined);
  const mapping = ctx.fields.get(field);
  const isDate = mapping?.type === "date";
  const bound = (key: string, roundUp: boolean): number | string | undefined => {
    const raw = spec[key];
    if (raw === undefined || raw === null) return undefined;
    if (isDate) {
      const t = parseDateMath(raw, ctx.now, roundUp);
      if (t === undefined)
        throw osErrors.parsing(`failed to parse date field [${String(raw)}] in range query on [${field}]`);
      return t;
    }
    if (typeof raw === "number") return raw;
    const n = Number(raw);
    return mapping && mapping.type !== "keyword" && mapping.type !== "text" && Number.isFinite(n)
      ? n
      : String(raw);
  };
  const gt = bound("gt", true);
  const gte = bound("gte", false);
  const lt = bound("lt", false);
  const lte = bound("lte", true);
  const inRange = (v: number | string) =>
    (gt === undefined || v > gt) &&
    (gte === undefined || v >= gte) &&
    (lt === undefined || v < lt) &&
    (lte === undefined || v <= lte);
  return (doc) =>
    values(doc, field).some((v) => {
      if (v.kind === "number" || v.kind === "date") return inRange(v.v);
      if (v.kind === "keyword") return inRange(v.v);
      return false;
    })
      ? 1
      : undefined;
}

/** Exact-value test against a field's indexed values (text fields compare against their tokens). */
function termTest(
  field: string,
  value: unknown,
  ctx: QueryContext,
  insensitive: boolean,
): (doc: StoredDoc) => boolean {
  if (field === "_id") return (doc) => doc.id === String(value);
  const mapping = ctx.fields.get(field);
  const type = mapping?.type;
  if (type === "date") {
    const t = parseDateMath(value, ctx.now) ?? parseDate(value);
    return (doc) => values(doc, field).some((v) => v.kind === "date" && v.v === t);
  }
  if (
    type &&
    [
      "long",
      "integer",
      "short",
      "byte",
      "double",
      "float",
      "half_float",
      "scaled_float",
      "unsigned_long",
    ].includes(type)
  ) {
    const n = Number(value);
    return (doc) => values(doc, field).some((v) => v.kind === "number" && v.v === n);
  }
  if (type === "boolean") {
    const b = value === true || value === "true";
    return (doc) => values(doc, field).some((v) => v.kind === "bool" && v.v === b);
  }
  const text = String(value);
  const norm = (s: string) => (insensitive ? s.toLowerCase() : s);
  return (doc) =>
    values(doc, field).some((v) =>
      v.kind === "keyword" ? norm(v.v) === norm(text) : v.kind === "text" && v.tokens.includes(norm(text)),
    );
}

export function values(doc: StoredDoc, field: string): IndexedValue[] {
  return doc.fields.get(field) ?? [];
}

function hasField(doc: StoredDoc, field: string): boolean {
  if (doc.fields.has(field)) return true;
  const prefix = `${field}.`;
  for (const key of doc.fields.keys()) if (key.startsWith(prefix)) return true;
  return false;
}

function single(query: unknown, where: string): [string, unknown] {
  const o = object(query, where);
  const keys = Object.keys(o);
  if (keys.length !== 1) {
    throw osErrors.parsing(
      keys.length === 0
        ? `${where} malformed, empty clause found`
        : `[${keys[0]}] malformed query, expected [END_OBJECT] but found [FIELD_NAME]`,
    );
  }
  return [keys[0]!, o[keys[0]!]];
}

function object(value: unknown, where: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw osErrors.parsing(`[${where}] query malformed, no start_object after query name`);
  }
  return value as Record<string, unknown>;
}

/** `{ field: value }` or `{ field: { <valueKey>: value, … } }` for single-field queries. */
function fieldSpec(
  body: unknown,
  type: string,
  valueKey: string | undefined,
): [string, Record<string, unknown>] {
  const o = object(body, type);
  const fields = Object.keys(o).filter((k) => k !== "boost" && k !== "_name");
  if (fields.length !== 1) {
    throw osErrors.parsing(
      fields.length === 0
        ? `[${type}] query requires a field`
        : `[${type}] query doesn't support multiple fields, found [${fields[0]}] and [${fields[1]}]`,
    );
  }
  const field = fields[0]!;
  const spec = o[field];
  if (spec !== null && typeof spec === "object" && !Array.isArray(spec))
    return [field, spec as Record<string, unknown>];
  if (!valueKey)
    throw osErrors.parsing(`[${type}] query malformed, no start_object after field name [${field}]`);
  return [field, { [valueKey]: spec }];
}

function boostOf(body: unknown): number {
  if (body && typeof body === "object" && !Array.isArray(body)) {
    const b = (body as Record<string, unknown>)["boost"];
    if (typeof b === "number") return b;
  }
  return 1;
}
