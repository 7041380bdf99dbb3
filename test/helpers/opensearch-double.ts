import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A minimal, honest stand-in for the OpenSearch REST subset index-sync uses (aws-behaviour.md
 * section 9): `_bulk` (index, create, delete; `version` with `version_type` external or
 * external_gte, a delete's tombstone kept for good), `GET /<index>/_doc/<id>`, `_count` (match_all only),
 * `PUT`/`HEAD /<index>`. A real HTTP server on 127.0.0.1 with an optional path prefix (like the
 * emulator's `/opensearch/<region>/<domain>`), with per-item and per-request fault injection.
 * Anything outside the subset is answered 400 `unsupported_by_double`, never silently accepted.
 */

export interface ItemFault {
  status: number;
  type: string;
  reason: string;
  /** How many times to answer with the fault (Infinity = always). */
  times: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  /** For _bulk: `<action>:<_id>` per item, in order. */
  items: string[];
}

export interface OpenSearchDouble {
  /** Base URL including the path prefix, as OPENSEARCH_ENDPOINT would hold it. */
  endpoint: string;
  requests: RecordedRequest[];
  /** Documents by index, then id. */
  docs: Map<string, Map<string, Record<string, unknown>>>;
  /** Versions by `<index>/<id>`, deleted ids included. */
  versions: Map<string, bigint>;
  /** Answer the next `times` bulk items for `id` with this status. */
  failItem(id: string, fault: Partial<ItemFault> & { status: number }): void;
  /** Answer the next `times` requests (any path) with this HTTP status. */
  failRequests(status: number, times: number): void;
  /** Drops every pending injected fault. */
  clearFaults(): void;
  stop(): Promise<void>;
}

interface JsonResponse {
  status: number;
  body: unknown;
}

const json = (status: number, body: unknown): JsonResponse => ({ status, body });

function errorBody(status: number, type: string, reason: string): JsonResponse {
  return json(status, { error: { root_cause: [{ type, reason }], type, reason }, status });
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startOpenSearchDouble(
  options: { pathPrefix?: string } = {},
): Promise<OpenSearchDouble> {
  const prefix = (options.pathPrefix ?? "").replace(/\/+$/, "");
  const docs = new Map<string, Map<string, Record<string, unknown>>>();
  const indexes = new Set<string>();
  const itemFaults = new Map<string, ItemFault>();
  const requestFaults: { status: number; times: number }[] = [];
  const requests: RecordedRequest[] = [];
  /** Version per `<index>/<id>`, deleted ones included (tombstones). */
  const versions = new Map<string, bigint>();
  let seqNo = 0;

  const docsOf = (index: string) => {
    let map = docs.get(index);
    if (map === undefined) {
      map = new Map();
      docs.set(index, map);
    }
    return map;
  };

  function takeItemFault(id: string): ItemFault | undefined {
    const fault = itemFaults.get(id);
    if (fault === undefined) return undefined;
    fault.times -= 1;
    if (fault.times <= 0) itemFaults.delete(id);
    return fault;
  }

  function bulk(body: string, pathIndex: string | undefined, recorded: RecordedRequest): JsonResponse {
    if (!body.endsWith("\n")) {
      return errorBody(
        400,
        "illegal_argument_exception",
        "The bulk request must be terminated by a newline [\\n]",
      );
    }
    const lines = body.split("\n").filter((line) => line.trim() !== "");
    const items: Record<string, unknown>[] = [];
    let errors = false;
    for (let i = 0; i < lines.length; i += 1) {
      const header = JSON.parse(lines[i] as string) as Record<
        string,
        { _index?: string; _id?: string; version?: number; version_type?: string }
      >;
      const [action, meta] = Object.entries(header)[0] ?? [];
      if (action === undefined || meta === undefined)
        return errorBody(400, "action_request_validation_exception", "empty action");
      if (!["index", "create", "delete"].includes(action)) {
        return errorBody(
          400,
          "unsupported_by_double",
          `bulk action ${action} is not implemented by the double`,
        );
      }
      const index = meta._index ?? pathIndex;
      const id = meta._id;
      if (index === undefined || id === undefined) {
        return errorBody(400, "action_request_validation_exception", "index and id are required");
      }
      let source: Record<string, unknown> | undefined;
      if (action !== "delete") {
        i += 1;
        source = JSON.parse(lines[i] ?? "null") as Record<string, unknown>;
      }
      recorded.items.push(`${action}:${id}`);
      const versionType = meta.version_type ?? "internal";
      if (
        !["internal", "external", "external_gte"].includes(versionType) ||
        (versionType === "internal") !== (meta.version === undefined)
      ) {
        return errorBody(
          400,
          "unsupported_by_double",
          `version_type ${versionType} with version ${meta.version}`,
        );
      }
      const fault = takeItemFault(id);
      if (fault !== undefined) {
        errors = true;
        items.push({
          [action]: {
            _index: index,
            _id: id,
            status: fault.status,
            error: { type: fault.type, reason: fault.reason },
          },
        });
        continue;
      }
      const store = docsOf(index);
      indexes.add(index);
      const current = versions.get(`${index}/${id}`);
      if (meta.version !== undefined && current !== undefined) {
        const provided = BigInt(meta.version);
        const stale = versionType === "external" ? current >= provided : current > provided;
        if (stale) {
          errors = true;
          items.push({
            [action]: {
              _index: index,
              _id: id,
              status: 409,
              error: {
                type: "version_conflict_engine_exception",
                reason: `[${id}]: version conflict, current version [${current}] is higher${versionType === "external" ? " or equal" : ""} to the one provided [${provided}]`,
              },
            },
          });
          continue;
        }
      }
      const next = meta.version !== undefined ? BigInt(meta.version) : (current ?? 0n) + 1n;
      if (action === "delete") {
        versions.set(`${index}/${id}`, next);
        const existed = store.delete(id);
        items.push({
          [action]: {
            _index: index,
            _id: id,
            result: existed ? "deleted" : "not_found",
            status: existed ? 200 : 404,
            _seq_no: seqNo++,
          },
        });
        continue;
      }
      if (source === null || typeof source !== "object" || Array.isArray(source)) {
        errors = true;
        items.push({
          [action]: {
            _index: index,
            _id: id,
            status: 400,
            error: { type: "mapper_parsing_exception", reason: "failed to parse" },
          },
        });
        continue;
      }
      if (action === "create" && store.has(id)) {
        errors = true;
        items.push({
          [action]: {
            _index: index,
            _id: id,
            status: 409,
            error: { type: "version_conflict_engine_exception", reason: "document already exists" },
          },
        });
        continue;
      }
      const existed = store.has(id);
      versions.set(`${index}/${id}`, next);
      store.set(id, source);
      items.push({
        [action]: {
          _index: index,
          _id: id,
          result: existed ? "updated" : "created",
          status: existed ? 200 : 201,
          _seq_no: seqNo++,
        },
      });
    }
    return json(200, { took: 1, errors, items });
  }

  async function route(request: IncomingMessage, recorded: RecordedRequest): Promise<JsonResponse> {
    const url = new URL(request.url ?? "/", "http://double");
    if (!url.pathname.startsWith(`${prefix}/`))
      return errorBody(404, "no_such_path", `path must start with ${prefix}/`);
    const parts = url.pathname
      .slice(prefix.length + 1)
      .split("/")
      .filter(Boolean)
      .map(decodeURIComponent);
    const method = request.method ?? "GET";
    const body = await readBody(request);
    const fault = requestFaults[0];
    if (fault !== undefined) {
      fault.times -= 1;
      if (fault.times <= 0) requestFaults.shift();
      return errorBody(fault.status, "injected_fault", `injected HTTP ${fault.status}`);
    }
    if (method === "POST" && (parts.length === 1 || parts.length === 2) && parts.at(-1) === "_bulk") {
      return bulk(body, parts.length === 2 ? parts[0] : undefined, recorded);
    }
    if (parts.length === 2 && parts[1] === "_count" && (method === "GET" || method === "POST")) {
      const query =
        body.trim() === "" ? undefined : (JSON.parse(body) as { query?: Record<string, unknown> }).query;
      if (query !== undefined && Object.keys(query).join() !== "match_all") {
        return errorBody(400, "unsupported_by_double", "the double counts with match_all only");
      }
      if (!indexes.has(parts[0] as string))
        return errorBody(404, "index_not_found_exception", `no such index [${parts[0]}]`);
      return json(200, {
        count: docsOf(parts[0] as string).size,
        _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
      });
    }
    if (parts.length === 3 && parts[1] === "_doc" && method === "GET") {
      const [index, , id] = parts as [string, string, string];
      if (!indexes.has(index)) return errorBody(404, "index_not_found_exception", `no such index [${index}]`);
      const source = docsOf(index).get(id);
      return source === undefined
        ? json(404, { _index: index, _id: id, found: false })
        : json(200, { _index: index, _id: id, _version: 1, found: true, _source: source });
    }
    if (parts.length === 1 && (method === "PUT" || method === "HEAD")) {
      const index = parts[0] as string;
      if (method === "HEAD") return json(indexes.has(index) ? 200 : 404, "");
      if (indexes.has(index))
        return errorBody(400, "resource_already_exists_exception", `index [${index}] already exists`);
      indexes.add(index);
      docsOf(index);
      return json(200, { acknowledged: true, shards_acknowledged: true, index });
    }
    return errorBody(
      400,
      "unsupported_by_double",
      `${method} ${url.pathname} is not implemented by the double`,
    );
  }

  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const recorded: RecordedRequest = {
      method: request.method ?? "GET",
      path: request.url ?? "/",
      authorization: request.headers.authorization,
      items: [],
    };
    requests.push(recorded);
    route(request, recorded)
      .then(({ status, body }) => {
        response.writeHead(status, { "content-type": "application/json" });
        response.end(request.method === "HEAD" ? undefined : JSON.stringify(body));
      })
      .catch((error: unknown) => {
        response.writeHead(400, { "content-type": "application/json" });
        response.end(
          JSON.stringify({ error: { type: "parse_exception", reason: String(error) }, status: 400 }),
        );
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}${prefix}`,
    requests,
    docs,
    versions,
    failItem(id, fault) {
      itemFaults.set(id, {
        type:
          fault.status === 429
            ? "rejected_execution_exception"
            : fault.status >= 500
              ? "internal_error"
              : "mapper_parsing_exception",
        reason: `injected ${fault.status}`,
        times: 1,
        ...fault,
      });
    },
    failRequests(status, times) {
      requestFaults.push({ status, times });
    },
    clearFaults() {
      itemFaults.clear();
      requestFaults.length = 0;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
