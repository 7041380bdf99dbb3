import type { EmulatorRequest, EmulatorResponse } from "../../core/request.js";
import type { ServiceEnv, ServiceModule } from "../../core/service.js";
import { handleControlPlane } from "./control-plane.js";
import { OpenSearchEngine, type DomainRef } from "./engine.js";
import { OpenSearchError, osErrors } from "./errors.js";
import { FaultInjector } from "./faults.js";
import { COMPACT_AFTER_ENTRIES } from "./limits.js";
import { errorResponse, matchRoute } from "./routes.js";
import { domainKey, OpenSearchState, type OpenSearchEntry, type OpenSearchSnapshot } from "./store.js";

const DOMAIN_NAME = /^[a-z][a-z0-9-]{2,27}$/;

/**
 * An OpenSearch-compatible data plane at `<emulator>/opensearch/<region>/<domain>/…` (LocalStack's
 * path strategy). Domains exist as soon as they are used. A side door at
 * `/_emulator/opensearch/faults` injects 429/5xx failures into bulk items or whole requests.
 */
export default function createOpenSearchService(env: ServiceEnv): ServiceModule {
  const state = new OpenSearchState();
  const store = env.store<OpenSearchSnapshot, OpenSearchEntry>("opensearch");
  const faults = new FaultInjector();
  let compactQueued = false;
  const journal = (entry: OpenSearchEntry) => {
    store.append(entry);
    // The snapshot must include this entry, which is applied right after it is journaled.
    if (store.journalLength >= COMPACT_AFTER_ENTRIES && !compactQueued) {
      compactQueued = true;
      queueMicrotask(() => {
        compactQueued = false;
        try {
          store.compact(state.toSnapshot());
        } catch (error) {
          // The journal still holds everything; compaction is retried at the next threshold.
          env.reportBackgroundError("opensearch", error);
        }
      });
    }
  };
  const engine = new OpenSearchEngine(state, env.clock, journal, faults);

  async function handle(request: EmulatorRequest): Promise<EmulatorResponse> {
    if (request.path.startsWith("/2021-01-01/")) {
      return handleControlPlane(request, {
        baseUrl: () => env.baseUrl(),
        now: () => env.clock.now(),
        domains: (accountId, region) =>
          [...state.domainRecords.values()].filter((d) => d.accountId === accountId && d.region === region),
        domain: (accountId, region, name) => state.domainRecords.get(domainKey(accountId, region, name)),
        create: (record) => {
          const entry: OpenSearchEntry = { t: "createDomain", record };
          journal(entry);
          state.apply(entry);
        },
        delete: (record) => {
          const entry: OpenSearchEntry = {
            t: "deleteDomain",
            key: domainKey(record.accountId, record.region, record.name),
          };
          engine.forgetDomain(entry.key);
          journal(entry);
          state.apply(entry);
        },
      });
    }
    try {
      const parts = request.path.split("/");
      // ["", "opensearch", region, domain, ...rest]
      const region = parts[2];
      const name = parts[3];
      if (!region || !name) {
        throw osErrors.illegalArgument(
          `The OpenSearch endpoint is ${env.baseUrl()}/opensearch/<region>/<domain> (e.g. /opensearch/us-east-1/celebrities); got ${request.path}`,
        );
      }
      if (!DOMAIN_NAME.test(name)) {
        throw osErrors.illegalArgument(
          `Invalid domain name [${name}]: 3-28 characters, lower-case letters, digits and hyphens, starting with a letter`,
        );
      }
      const domain: DomainRef = {
        key: `${request.context.accountId}/${region}/${name}`,
        label: `${region}/${name}`,
        name,
      };
      const rest = parts.slice(4);
      if (rest.length > 0 && rest[rest.length - 1] === "") rest.pop();
      const segments = rest.map((s) => {
        try {
          return decodeURIComponent(s);
        } catch {
          throw osErrors.illegalArgument(`invalid percent-encoding in path segment [${s}]`);
        }
      });
      const route = matchRoute(request.method, segments, `/${rest.join("/")}`);
      if (!("run" in route)) return route;
      if (route.operation !== "info") {
        const fault = faults.forRequest(domain, route.operation, route.index);
        if (fault !== undefined) {
          return errorResponse(
            fault === 429
              ? osErrors.rejected(`${route.operation} request`)
              : fault === 503
                ? osErrors.unavailable(route.index ?? name)
                : new OpenSearchError(
                    "exception",
                    `request failed with ${fault} (fault injected by the emulator)`,
                    fault,
                  ),
          );
        }
      }
      return await route.run(request, domain, engine);
    } catch (error) {
      if (error instanceof OpenSearchError) return errorResponse(error);
      env.reportBackgroundError("opensearch", error);
      return errorResponse(osErrors.internal(error instanceof Error ? error.message : String(error)));
    }
  }

  return {
    name: "opensearch",
    operations: {},
    handle,
    async start() {
      const { snapshot, entries } = store.load();
      if (snapshot) state.restore(snapshot, env.clock.now());
      for (const entry of entries) state.apply(entry);
      // Replayed writes count as refreshed, as after a recovery from the translog.
      for (const index of state.allIndices()) index.refresh(env.clock.now());
    },
    async stop() {
      engine.stop();
      if (store.enabled) store.compact(state.toSnapshot());
    },
    /**
     * Side door for tests:
     *   POST   /_emulator/opensearch/faults  {status: 429|500|503 (request: also 502|504), count: n | rate: 0..1,
     *                                         scope?: "bulk-items" (default) | "request", domain?, index?,
     *                                         docId? (bulk-items), operation? (request), seed?}  → the rule
     *   GET    /_emulator/opensearch/faults  → {rules: [...]} (with how many failures each injected)
     *   DELETE /_emulator/opensearch/faults  → {cleared: n}
     */
    async devHandle(request: EmulatorRequest, subpath: string): Promise<EmulatorResponse | undefined> {
      if (subpath !== "/faults") return undefined;
      const reply = (status: number, body: unknown): EmulatorResponse => ({
        status,
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      if (request.method === "GET") return reply(200, { rules: faults.list() });
      if (request.method === "DELETE") return reply(200, { cleared: faults.clear() });
      if (request.method !== "POST") return reply(405, { error: "use GET, POST or DELETE" });
      let spec: unknown;
      try {
        spec = JSON.parse(request.body.toString("utf8") || "{}");
      } catch {
        return reply(400, { error: "the body must be a JSON object describing the fault rule" });
      }
      if (!spec || typeof spec !== "object" || Array.isArray(spec))
        return reply(400, { error: "the body must be a JSON object" });
      const rule = faults.add(spec as Record<string, unknown>);
      return typeof rule === "string" ? reply(400, { error: rule }) : reply(200, rule);
    },
  };
}
