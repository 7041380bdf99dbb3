import type { EmulatorRequest, EmulatorResponse } from "../../core/request.js";
import type { DomainRef, OpenSearchEngine, WriteResult } from "./engine.js";
import { OpenSearchError, osErrors, parseJsonObject } from "./errors.js";
import type { OsIndex } from "./store.js";
import {
  parseLongParam,
  parseVersionType,
  stringifyJson,
  UPDATE_VERSIONING_PROBLEM,
  type WriteConditions,
} from "./versioning.js";

/**
 * The data plane's REST surface under `/opensearch/<region>/<domain>` (LocalStack's path
 * strategy). Each route names its operation, which request-scoped fault rules can target.
 */

type Handler = (ctx: RouteContext) => Promise<EmulatorResponse> | EmulatorResponse;

interface RouteContext {
  request: EmulatorRequest;
  domain: DomainRef;
  engine: OpenSearchEngine;
  /** Decoded path segments after the domain. */
  segments: string[];
  params: URLSearchParams;
}

interface Route {
  /** Segment patterns: a literal, `:name` (any non-underscore segment) or `:id` (any segment). */
  pattern: string[];
  methods: Record<string, { operation: string; handler: Handler }>;
}

const json = (status: number, body: unknown): EmulatorResponse => ({
  status,
  headers: { "content-type": "application/json; charset=UTF-8" },
  // Versions are bigints (Java longs): written as exact JSON numbers.
  body: stringifyJson(body),
});

const empty = (status: number): EmulatorResponse => ({
  status,
  headers: { "content-type": "application/json; charset=UTF-8" },
  body: "",
});

const docBody = (req: EmulatorRequest) =>
  parseJsonObject(req.body, (m) =>
    osErrors.mapperParsing("failed to parse", { type: "json_parse_exception", reason: m }),
  );
const queryBody = (req: EmulatorRequest) =>
  parseJsonObject(req.body, (m) => osErrors.parsing(`request body is not valid JSON: ${m}`));

const index = (c: RouteContext) => c.segments[0]!;
const id = (c: RouteContext) => c.segments[2]!;

/** Applies `?refresh=` after a write: true → refresh now; wait_for → answer after the next refresh. */
async function afterWrite(
  c: RouteContext,
  indices: Iterable<OsIndex>,
  response: Record<string, unknown>,
): Promise<void> {
  const refresh = c.params.get("refresh");
  if (refresh === null || refresh === "false") return;
  if (refresh === "" || refresh === "true") {
    for (const i of indices) c.engine.refreshNow(i);
    response["forced_refresh"] = true;
    return;
  }
  if (refresh === "wait_for") {
    await Promise.all([...indices].map((i) => c.engine.waitForRefresh(i)));
    return;
  }
  throw osErrors.illegalArgument(`Unknown value for refresh: [${refresh}].`);
}

function checkRefreshParam(c: RouteContext): void {
  const refresh = c.params.get("refresh");
  if (refresh !== null && !["", "true", "false", "wait_for"].includes(refresh)) {
    throw osErrors.illegalArgument(`Unknown value for refresh: [${refresh}].`);
  }
}

/** `version`, `version_type`, `if_seq_no`, `if_primary_term` of a single-document write. */
function conditions(c: RouteContext): WriteConditions {
  const version = c.params.get("version");
  const type = c.params.get("version_type");
  const seq = c.params.get("if_seq_no");
  const term = c.params.get("if_primary_term");
  return {
    ...(version !== null ? { version: parseLongParam("version", version) } : {}),
    ...(type !== null ? { versionType: parseVersionType(type) } : {}),
    ...(seq !== null ? { ifSeqNo: Number(parseLongParam("if_seq_no", seq)) } : {}),
    ...(term !== null ? { ifPrimaryTerm: Number(parseLongParam("if_primary_term", term)) } : {}),
  };
}

async function write(
  c: RouteContext,
  run: () => { response: WriteResult; index: OsIndex },
): Promise<EmulatorResponse> {
  checkRefreshParam(c);
  const { response, index: target } = run();
  const { status, ...body } = response;
  await afterWrite(c, [target], body);
  return json(status, body);
}

function indexDoc(opType: "index" | "create", withId: boolean): Handler {
  return (c) =>
    write(c, () => {
      const op = c.params.get("op_type") === "create" ? "create" : opType;
      return c.engine.writeDoc(
        c.domain,
        index(c),
        withId ? id(c) : undefined,
        docBody(c.request),
        op,
        conditions(c),
      );
    });
}

const ROUTES: Route[] = [
  {
    pattern: [],
    methods: {
      GET: {
        operation: "info",
        handler: (c) => json(200, c.engine.info(c.domain, c.request.context.accountId)),
      },
      HEAD: { operation: "info", handler: () => empty(200) },
    },
  },
  {
    pattern: ["_cluster", "health"],
    methods: {
      GET: {
        operation: "info",
        handler: (c) => json(200, c.engine.health(c.domain, c.request.context.accountId)),
      },
    },
  },
  {
    pattern: ["_cluster", "health", ":name"],
    methods: {
      GET: {
        operation: "info",
        handler: (c) => json(200, c.engine.health(c.domain, c.request.context.accountId, [c.segments[2]!])),
      },
    },
  },
  { pattern: ["_bulk"], methods: bulkMethods(false) },
  { pattern: [":name", "_bulk"], methods: bulkMethods(true) },
  { pattern: ["_refresh"], methods: refreshMethods(false) },
  { pattern: [":name", "_refresh"], methods: refreshMethods(true) },
  { pattern: ["_search"], methods: searchMethods(false) },
  { pattern: [":name", "_search"], methods: searchMethods(true) },
  { pattern: ["_count"], methods: countMethods(false) },
  { pattern: [":name", "_count"], methods: countMethods(true) },
  {
    pattern: ["_mapping"],
    methods: {
      GET: { operation: "indices", handler: (c) => json(200, c.engine.getMapping(c.domain, ["_all"])) },
    },
  },
  {
    pattern: ["_cat", "indices"],
    methods: { GET: { operation: "indices", handler: (c) => catIndices(c, ["_all"]) } },
  },
  {
    pattern: ["_cat", "indices", ":name"],
    methods: { GET: { operation: "indices", handler: (c) => catIndices(c, [c.segments[2]!]) } },
  },
  {
    pattern: [":name"],
    methods: {
      HEAD: { operation: "indices", handler: (c) => empty(c.engine.exists(c.domain, index(c)) ? 200 : 404) },
      GET: { operation: "indices", handler: (c) => json(200, c.engine.getIndex(c.domain, [index(c)])) },
      PUT: {
        operation: "indices",
        handler: (c) =>
          json(
            200,
            c.engine.createIndex(
              c.domain,
              index(c),
              parseJsonObject(c.request.body, (m) =>
                osErrors.mapperParsing("Failed to parse content to map", {
                  type: "json_parse_exception",
                  reason: m,
                }),
              ),
            ),
          ),
      },
      DELETE: { operation: "indices", handler: (c) => json(200, c.engine.deleteIndex(c.domain, [index(c)])) },
    },
  },
  {
    pattern: [":name", "_mapping"],
    methods: {
      GET: { operation: "indices", handler: (c) => json(200, c.engine.getMapping(c.domain, [index(c)])) },
      PUT: {
        operation: "indices",
        handler: (c) => json(200, c.engine.putMapping(c.domain, [index(c)], docBody(c.request))),
      },
      POST: {
        operation: "indices",
        handler: (c) => json(200, c.engine.putMapping(c.domain, [index(c)], docBody(c.request))),
      },
    },
  },
  {
    pattern: [":name", "_settings"],
    methods: {
      GET: { operation: "indices", handler: (c) => json(200, c.engine.getSettings(c.domain, [index(c)])) },
      PUT: {
        operation: "indices",
        handler: (c) => json(200, c.engine.putSettings(c.domain, [index(c)], docBody(c.request))),
      },
    },
  },
  {
    pattern: [":name", "_doc"],
    methods: { POST: { operation: "index", handler: indexDoc("index", false) } },
  },
  {
    pattern: [":name", "_doc", ":id"],
    methods: {
      PUT: { operation: "index", handler: indexDoc("index", true) },
      POST: { operation: "index", handler: indexDoc("index", true) },
      GET: { operation: "get", handler: (c) => getDoc(c, false) },
      HEAD: {
        operation: "get",
        handler: (c) => empty(c.engine.getDoc(c.domain, index(c), id(c), false).status),
      },
      DELETE: {
        operation: "delete",
        handler: (c) => write(c, () => c.engine.deleteDoc(c.domain, index(c), id(c), conditions(c))),
      },
    },
  },
  {
    pattern: [":name", "_create", ":id"],
    methods: {
      PUT: { operation: "index", handler: indexDoc("create", true) },
      POST: { operation: "index", handler: indexDoc("create", true) },
    },
  },
  {
    pattern: [":name", "_update", ":id"],
    methods: {
      POST: {
        operation: "update",
        handler: (c) =>
          write(c, () =>
            c.engine.updateDoc(c.domain, index(c), id(c), { ...docBody(c.request), ...updateConditions(c) }),
          ),
      },
    },
  },
  {
    pattern: [":name", "_source", ":id"],
    methods: {
      GET: { operation: "get", handler: (c) => getDoc(c, true) },
      HEAD: {
        operation: "get",
        handler: (c) => empty(c.engine.getDoc(c.domain, index(c), id(c), false).status),
      },
    },
  },
];

function updateConditions(c: RouteContext): Record<string, unknown> {
  // RestUpdateAction refuses any version parameter before reading the request.
  if (c.params.has("version") || c.params.has("version_type")) {
    throw osErrors.validation([UPDATE_VERSIONING_PROBLEM]);
  }
  const cond = conditions(c);
  return {
    ...(cond.ifSeqNo !== undefined ? { if_seq_no: cond.ifSeqNo } : {}),
    ...(cond.ifPrimaryTerm !== undefined ? { if_primary_term: cond.ifPrimaryTerm } : {}),
  };
}

function getDoc(c: RouteContext, sourceOnly: boolean): EmulatorResponse {
  const p = c.params;
  const filter =
    p.get("_source") === "false"
      ? false
      : p.has("_source_includes") ||
          p.has("_source_excludes") ||
          (p.has("_source") && p.get("_source") !== "true")
        ? {
            includes: (
              p.get("_source_includes") ??
              (p.get("_source") !== "true" ? p.get("_source") : null) ??
              ""
            )
              .split(",")
              .filter(Boolean),
            excludes: (p.get("_source_excludes") ?? "").split(",").filter(Boolean),
          }
        : undefined;
  const { status, body } = c.engine.getDoc(c.domain, index(c), id(c), filter);
  if (!sourceOnly) return json(status, body);
  if (status === 404) {
    throw new OpenSearchError(
      "resource_not_found_exception",
      `Document not found [${index(c)}]/[${id(c)}]`,
      404,
    );
  }
  return json(200, body["_source"] ?? {});
}

function bulkMethods(withIndex: boolean): Route["methods"] {
  const handler: Handler = async (c) => {
    checkRefreshParam(c);
    const { response, touched } = c.engine.bulk(c.domain, withIndex ? index(c) : undefined, c.request.body);
    await afterWrite(c, touched, {});
    return json(200, response);
  };
  return { POST: { operation: "bulk", handler }, PUT: { operation: "bulk", handler } };
}

function refreshMethods(withIndex: boolean): Route["methods"] {
  const handler: Handler = (c) => json(200, c.engine.refresh(c.domain, withIndex ? [index(c)] : undefined));
  return { POST: { operation: "refresh", handler }, GET: { operation: "refresh", handler } };
}

function searchMethods(withIndex: boolean): Route["methods"] {
  const handler: Handler = (c) =>
    json(200, c.engine.search(c.domain, withIndex ? [index(c)] : undefined, queryBody(c.request), c.params));
  return { GET: { operation: "search", handler }, POST: { operation: "search", handler } };
}

function countMethods(withIndex: boolean): Route["methods"] {
  const handler: Handler = (c) =>
    json(200, c.engine.count(c.domain, withIndex ? [index(c)] : undefined, queryBody(c.request)));
  return { GET: { operation: "count", handler }, POST: { operation: "count", handler } };
}

function catIndices(c: RouteContext, names: string[]): EmulatorResponse {
  const rows = c.engine.resolve(c.domain, names).map((i) => ({
    health: i.settings.number_of_replicas > 0 ? "yellow" : "green",
    status: "open",
    index: i.name,
    uuid: i.uuid,
    pri: String(i.settings.number_of_shards),
    rep: String(i.settings.number_of_replicas),
    "docs.count": String(i.searchable.size),
    "docs.deleted": "0",
  }));
  if (c.params.get("format") === "json") return json(200, rows);
  const text = rows.map((r) => Object.values(r).join(" ")).join("\n");
  return {
    status: 200,
    headers: { "content-type": "text/plain; charset=UTF-8" },
    body: text ? `${text}\n` : "",
  };
}

export interface MatchedRoute {
  operation: string;
  index?: string;
  run: (request: EmulatorRequest, domain: DomainRef, engine: OpenSearchEngine) => Promise<EmulatorResponse>;
}

/** Finds the route for the path segments; an OpenSearchError-shaped answer when none fits. */
export function matchRoute(
  method: string,
  segments: string[],
  rawPath: string,
): MatchedRoute | EmulatorResponse {
  let allowed: string[] | undefined;
  for (const route of ROUTES) {
    if (!matches(route.pattern, segments)) continue;
    const entry = route.methods[method];
    if (!entry) {
      allowed = Object.keys(route.methods);
      continue;
    }
    const first = segments[0];
    return {
      operation: entry.operation,
      ...(first !== undefined && !first.startsWith("_") ? { index: first } : {}),
      run: async (request, domain, engine) =>
        entry.handler({ request, domain, engine, segments, params: request.query }),
    };
  }
  if (allowed) {
    return json(405, {
      error: `Incorrect HTTP method for uri [${rawPath}] and method [${method}], allowed: [${allowed.join(", ")}]`,
      status: 405,
    });
  }
  return json(400, { error: `no handler found for uri [${rawPath}] and method [${method}]`, status: 400 });
}

function matches(pattern: string[], segments: string[]): boolean {
  if (pattern.length !== segments.length) return false;
  return pattern.every((p, i) => {
    const s = segments[i]!;
    if (p === ":id") return s.length > 0;
    if (p === ":name") return s.length > 0 && !s.startsWith("_");
    return p === s;
  });
}

/** Renders an error escaping a handler in OpenSearch's shape. */
export function errorResponse(error: OpenSearchError): EmulatorResponse {
  return json(error.status, error.toBody());
}
