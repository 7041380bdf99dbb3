import { analyze, looksLikeDate, parseDate } from "./analysis.js";
import { osErrors } from "./errors.js";
import { DEFAULT_KEYWORD_IGNORE_ABOVE } from "./limits.js";

/**
 * Index mappings: validation, dynamic mapping of new fields, and turning a document's `_source`
 * into the typed values queries run against (or a mapper_parsing_exception, as OpenSearch
 * refuses a document whose values do not fit the mapping).
 */

export interface FieldMapping {
  type?: string;
  properties?: Record<string, FieldMapping>;
  fields?: Record<string, FieldMapping>;
  ignore_above?: number;
  format?: string;
  enabled?: boolean;
  index?: boolean;
  dynamic?: boolean | string;
  [key: string]: unknown;
}

export interface Mappings {
  dynamic?: boolean | string;
  properties: Record<string, FieldMapping>;
  [key: string]: unknown;
}

export type IndexedValue =
  | { kind: "text"; raw: string; tokens: string[] }
  | { kind: "keyword"; v: string }
  | { kind: "number"; v: number }
  | { kind: "date"; v: number }
  | { kind: "bool"; v: boolean };

export type IndexedFields = Map<string, IndexedValue[]>;

const NUMERIC = new Set([
  "long",
  "integer",
  "short",
  "byte",
  "double",
  "float",
  "half_float",
  "scaled_float",
  "unsigned_long",
]);
const INTEGRAL = new Set(["long", "integer", "short", "byte", "unsigned_long"]);
/** Types stored in `_source` but not searchable here. */
const STORED_ONLY = new Set([
  "binary",
  "geo_point",
  "geo_shape",
  "flat_object",
  "join",
  "knn_vector",
  "alias",
  "rank_feature",
  "rank_features",
  "percolator",
  "completion",
  "search_as_you_type",
  "token_count",
  "wildcard",
  "constant_keyword",
  "ip",
  "version",
  "match_only_text",
  "date_nanos",
]);
const CONCRETE = new Set(["text", "keyword", "date", "boolean", ...NUMERIC, ...STORED_ONLY]);

/** Validates mappings given to create-index / put-mapping. */
export function validateMappings(raw: unknown): Mappings {
  if (raw === undefined || raw === null) return { properties: {} };
  if (typeof raw !== "object" || Array.isArray(raw))
    throw osErrors.mapperParsing("Failed to parse mapping: mappings must be an object");
  const mappings = raw as Record<string, unknown>;
  // Pre-7 style `{ "_doc": { "properties": … } }` is refused by OpenSearch 2.x too.
  const properties = (mappings["properties"] ?? {}) as Record<string, unknown>;
  if (typeof properties !== "object" || Array.isArray(properties)) {
    throw osErrors.mapperParsing("Failed to parse mapping: properties must be an object");
  }
  for (const key of Object.keys(mappings)) {
    if (
      ![
        "properties",
        "dynamic",
        "_source",
        "_meta",
        "dynamic_templates",
        "date_detection",
        "numeric_detection",
        "_routing",
      ].includes(key)
    ) {
      throw osErrors.mapperParsing(
        `Root mapping definition has unsupported parameters:  [${key} : ${JSON.stringify(mappings[key])}]`,
      );
    }
  }
  checkProperties(properties as Record<string, FieldMapping>, "");
  return structuredClone({ ...mappings, properties }) as Mappings;
}

function checkProperties(properties: Record<string, FieldMapping>, prefix: string): void {
  for (const [name, field] of Object.entries(properties)) {
    const path = prefix + name;
    if (typeof field !== "object" || field === null) {
      throw osErrors.mapperParsing(
        `Expected map for property [fields] on field [${path}] but got a class java.lang.String`,
      );
    }
    const type = field.type ?? (field.properties ? "object" : undefined);
    if (type === undefined) {
      throw osErrors.mapperParsing(`No type specified for field [${path}]`);
    }
    if (type === "object" || type === "nested") {
      checkProperties(field.properties ?? {}, `${path}.`);
      continue;
    }
    if (!CONCRETE.has(type))
      throw osErrors.mapperParsing(`No handler for type [${type}] declared on field [${name}]`);
    for (const [sub, subField] of Object.entries(field.fields ?? {})) {
      const subType = subField.type;
      if (!subType || !CONCRETE.has(subType)) {
        throw osErrors.mapperParsing(`No handler for type [${String(subType)}] declared on field [${sub}]`);
      }
    }
  }
}

/** Adds fields from `update` to `base` (put-mapping and dynamic mapping); a changed type is refused. */
export function mergeMappings(base: Mappings, update: Mappings): Mappings {
  const merged = structuredClone(base);
  mergeProperties(merged.properties, update.properties, "");
  for (const [key, value] of Object.entries(update)) if (key !== "properties") merged[key] = value;
  return merged;
}

function mergeProperties(
  base: Record<string, FieldMapping>,
  update: Record<string, FieldMapping>,
  prefix: string,
): void {
  for (const [name, field] of Object.entries(update)) {
    const existing = base[name];
    if (!existing) {
      base[name] = structuredClone(field);
      continue;
    }
    const a = existing.type ?? "object";
    const b = field.type ?? "object";
    if (a !== b) {
      throw osErrors.illegalArgument(
        `mapper [${prefix}${name}] cannot be changed from type [${a}] to [${b}]`,
      );
    }
    if (field.properties)
      mergeProperties((existing.properties ??= {}), field.properties, `${prefix}${name}.`);
    if (field.fields) existing.fields = { ...(existing.fields ?? {}), ...field.fields };
  }
}

/** Every searchable field path (incl. multi-fields like `name.keyword`) with its mapping. */
export function fieldTable(mappings: Mappings): Map<string, FieldMapping> {
  const table = new Map<string, FieldMapping>();
  const walk = (properties: Record<string, FieldMapping>, prefix: string) => {
    for (const [name, field] of Object.entries(properties)) {
      const path = prefix + name;
      const type = field.type ?? "object";
      if (type === "object" || type === "nested") {
        table.set(path, { ...field, type });
        walk(field.properties ?? {}, `${path}.`);
        continue;
      }
      table.set(path, field);
      for (const [sub, subField] of Object.entries(field.fields ?? {})) table.set(`${path}.${sub}`, subField);
    }
  };
  walk(mappings.properties, "");
  return table;
}

export interface ParsedDocument {
  fields: IndexedFields;
  /** Fields the document introduced through dynamic mapping (to merge into the index mappings). */
  dynamic?: Mappings;
}

/** Indexes a document's `_source` against the mappings; throws mapper_parsing_exception as OpenSearch does. */
export function parseDocument(
  mappings: Mappings,
  source: Record<string, unknown>,
  id: string,
): ParsedDocument {
  const fields: IndexedFields = new Map();
  const dynamic: Record<string, FieldMapping> = {};
  walkObject(source, mappings.properties, dynamic, "", fields, id, mappings.dynamic ?? true);
  return Object.keys(dynamic).length > 0 ? { fields, dynamic: { properties: dynamic } } : { fields };
}

function walkObject(
  object: Record<string, unknown>,
  properties: Record<string, FieldMapping>,
  dynamicOut: Record<string, FieldMapping>,
  prefix: string,
  fields: IndexedFields,
  id: string,
  dynamicSetting: boolean | string,
): void {
  for (const [key, value] of Object.entries(object)) {
    if (key === "") throw osErrors.mapperParsing(`field name cannot be an empty string`);
    const path = prefix + key;
    let mapping = properties[key] ?? dynamicOut[key];
    if (!mapping) {
      if (value === null || (Array.isArray(value) && value.every((v) => v === null))) continue;
      if (dynamicSetting === "strict") throw osErrors.strictDynamic(path);
      if (dynamicSetting === false || dynamicSetting === "false") continue;
      mapping = inferMapping(value);
      if (!mapping) continue;
      dynamicOut[key] = mapping;
    }
    const type = mapping.type ?? "object";
    const childDynamic = mapping.dynamic ?? dynamicSetting;
    for (const item of Array.isArray(value) ? value.flat(Infinity) : [value]) {
      if (item === null || item === undefined) continue;
      if (type === "object" || type === "nested") {
        if (mapping.enabled === false) continue;
        if (typeof item !== "object" || Array.isArray(item)) {
          throw osErrors.mapperParsing(
            `object mapping for [${path}] tried to parse field [${path}] as object, but found a concrete value`,
          );
        }
        const childProps = (mapping.properties ??= {});
        const childDynamicOut: Record<string, FieldMapping> = {};
        walkObject(
          item as Record<string, unknown>,
          childProps,
          childDynamicOut,
          `${path}.`,
          fields,
          id,
          childDynamic,
        );
        if (Object.keys(childDynamicOut).length > 0) {
          // New sub-fields of an existing object are reported under that object.
          const target =
            dynamicOut[key] ?? (dynamicOut[key] = { type: mapping.type ?? "object", properties: {} });
          target.properties = { ...(target.properties ?? {}), ...childDynamicOut };
        }
        continue;
      }
      if (typeof item === "object") {
        throw osErrors.mapperParsing(
          `failed to parse field [${path}] of type [${type}] in document with id '${id}'. Preview of field's value: '${preview(item)}'`,
        );
      }
      indexValue(path, mapping, type, item, fields, id);
      for (const [sub, subField] of Object.entries(mapping.fields ?? {})) {
        indexValue(`${path}.${sub}`, subField, subField.type ?? "keyword", item, fields, id);
      }
    }
  }
}

function inferMapping(value: unknown): FieldMapping | undefined {
  const sample = Array.isArray(value) ? value.flat(Infinity).find((v) => v !== null) : value;
  if (sample === undefined || sample === null) return undefined;
  if (typeof sample === "boolean") return { type: "boolean" };
  if (typeof sample === "number") return Number.isInteger(sample) ? { type: "long" } : { type: "float" };
  if (typeof sample === "string") {
    if (looksLikeDate(sample)) return { type: "date" };
    return {
      type: "text",
      fields: { keyword: { type: "keyword", ignore_above: DEFAULT_KEYWORD_IGNORE_ABOVE } },
    };
  }
  if (typeof sample === "object") return { type: "object", properties: {} };
  return undefined;
}

/**
 * One copy of each distinct token across the indexed documents. Documents of one index repeat the
 * same words (10,000 celebrity documents hold a few thousand distinct ones), and a token array per
 * text field and document kept each word once per use: at 10,000 documents, megabytes of copies.
 * Bounded, so text that never repeats cannot grow the pool without end; past the bound a token is
 * kept as it is.
 */
const TOKEN_POOL_LIMIT = 200_000;
const tokenPool = new Map<string, string>();

function pooledToken(token: string): string {
  const known = tokenPool.get(token);
  if (known !== undefined) return known;
  if (tokenPool.size < TOKEN_POOL_LIMIT) tokenPool.set(token, token);
  return token;
}

function indexValue(
  path: string,
  mapping: FieldMapping,
  type: string,
  value: unknown,
  fields: IndexedFields,
  id: string,
): void {
  if (mapping.index === false || STORED_ONLY.has(type)) return;
  const fail = (causeType: string, causeReason: string) =>
    osErrors.mapperParsing(
      `failed to parse field [${path}] of type [${type}] in document with id '${id}'. Preview of field's value: '${preview(value)}'`,
      { type: causeType, reason: causeReason },
    );
  let indexed: IndexedValue | undefined;
  if (type === "text") {
    const raw = String(value);
    indexed = { kind: "text", raw, tokens: analyze(raw).map(pooledToken) };
  } else if (type === "keyword") {
    const v = String(value);
    if (v.length > (mapping.ignore_above ?? Number.POSITIVE_INFINITY)) return;
    indexed = { kind: "keyword", v };
  } else if (NUMERIC.has(type)) {
    const n =
      typeof value === "number"
        ? value
        : typeof value === "string" && value.trim() !== ""
          ? Number(value)
          : NaN;
    if (!Number.isFinite(n)) throw fail("number_format_exception", `For input string: "${String(value)}"`);
    indexed = { kind: "number", v: INTEGRAL.has(type) ? Math.trunc(n) : n };
  } else if (type === "date") {
    const t = parseDate(value);
    if (t === undefined) {
      throw fail(
        "illegal_argument_exception",
        `failed to parse date field [${String(value)}] with format [${mapping.format ?? "strict_date_optional_time||epoch_millis"}]`,
      );
    }
    indexed = { kind: "date", v: t };
  } else if (type === "boolean") {
    if (value === true || value === "true") indexed = { kind: "bool", v: true };
    else if (value === false || value === "false" || value === "") indexed = { kind: "bool", v: false };
    else
      throw fail(
        "illegal_argument_exception",
        `Failed to parse value [${String(value)}] as only [true] or [false] are allowed.`,
      );
  }
  if (!indexed) return;
  const list = fields.get(path);
  if (list) list.push(indexed);
  else fields.set(path, [indexed]);
}

function preview(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 100 ? `${text.slice(0, 100)}...` : text;
}
