import { SOURCES, type SourceName } from "../../pipeline/model/sources.js";
import { DEFAULT_SHARD_SIZE } from "../../pipeline/model/shard.js";
import { SOURCE_DEFAULTS } from "../../pipeline/sources/endpoints.js";
import {
  DEFAULT_EMULATOR_PORT,
  DEFAULT_FIXTURES_PORT,
  DEFAULT_REGION,
  LOCAL_ACCOUNT_ID,
  LOCALSTACK_ENDPOINT,
  LOCALSTACK_FIXTURES_HOST,
  type Target,
} from "./targets.js";

/**
 * Defaults per target. Some are derived from other settings (the local endpoint from the emulator
 * port, local source URLs from the fixture port), so they are computed after the explicit layers
 * are merged: `explicit(key)` returns what the file, env or flags set.
 */

/**
 * Where each source lives on the fixture server (runtime/fixtures): http://<host>:<port>/<source>,
 * and .../<source>/aux for a source's second host (Wikimedia page views). Below the prefix the
 * server answers the public API's own paths, and the prefix lets it tell the sources apart.
 */
export function fixtureBaseUrl(host: string, port: number, source: SourceName, aux = false): string {
  return `http://${host}:${port}/${source}${aux ? "/aux" : ""}`;
}

export const DEFAULT_SOURCE_TIMEOUT_MS = 10_000;
export { DEFAULT_SHARD_SIZE };
/**
 * Concurrent workers per source. On aws 2, AWS's least MaximumConcurrency: a public API's limit is
 * shared by the workers, so more of them only divide it finer. Locally 2 as well: the embedded
 * emulator runs every worker as a Node process on the machine's own cores (four sources already
 * make eight), so more of them add memory, not speed; and it runs at most 4 environments per
 * function (lambdaConcurrencyPerFunction), so a bound above that would give each worker a share
 * of the rate computed for workers that never run, and a run slower than `roster plan` says.
 * LocalStack runs each in a container of its own: 10 there.
 */
export const DEFAULT_WORKER_CONCURRENCY: Record<Target, number> = { aws: 2, localstack: 10, local: 2 };
/**
 * A worker's hold on its message, and the first wait before a failed shard comes back. On aws a
 * crashed worker's shard returns within a minute and a failing source gets 30 s, 1, 2, 4 minutes
 * to recover; locally seconds, so a run with faults, or the emulator killed mid-run, settles soon.
 */
export const DEFAULT_SHARD_LEASE_SECONDS: Record<Target, number> = { aws: 60, localstack: 10, local: 10 };
export const DEFAULT_SHARD_RETRY_SECONDS: Record<Target, number> = { aws: 30, localstack: 1, local: 1 };
export const DEFAULT_OPENSEARCH_DOMAIN = "celebrities";
export const DEFAULT_OPENSEARCH_INDEX = "celebrities";
export const DEFAULT_EMULATOR_PERSIST_DIR = ".pipeline/emulator";
/** AWS waits about 1 and 2 minutes between async Lambda retries; 1/60 turns that into 1 s and 2 s. */
export const DEFAULT_RETRY_WAIT_SCALE = 1 / 60;
/** DynamoDB deletes expired items "typically within a few days"; the emulator within a minute. */
export const DEFAULT_TTL_SWEEP_SECONDS = 60;

/** Deadlines for verify, seconds (AWS values from the seed: scrapers 5-10 min, enrichment 5 min). */
const DEADLINES: Record<Target, Record<string, number>> = {
  aws: { scrapeSeconds: 600, postProcessingSeconds: 300, indexSyncSeconds: 30 },
  localstack: { scrapeSeconds: 300, postProcessingSeconds: 120, indexSyncSeconds: 30 },
  local: { scrapeSeconds: 120, postProcessingSeconds: 60, indexSyncSeconds: 30 },
};

export interface DefaultValue {
  value: unknown;
  /** Why this default (shown by `config show`), e.g. "target local". */
  detail: string;
}

export function defaultsFor(target: Target, explicit: (key: string) => unknown): Map<string, DefaultValue> {
  const out = new Map<string, DefaultValue>();
  const set = (key: string, value: unknown, detail = "") => out.set(key, { value, detail });
  const forTarget = `target ${target}`;
  const local = target !== "aws";

  set("target", "local");
  set("region", DEFAULT_REGION);
  set("suffix", "");
  // Only where the stack is a sandbox: on aws an empty roster is an error naming `roster import`.
  set("roster.seedDemoWhenEmpty", local, forTarget);
  set("logRetentionDays", 14);
  set("logLevel", "INFO");

  set("emulator.port", DEFAULT_EMULATOR_PORT);
  set("emulator.persistDir", DEFAULT_EMULATOR_PERSIST_DIR);
  set("emulator.retryWaitScale", DEFAULT_RETRY_WAIT_SCALE);
  set("emulator.ttlSweepSeconds", DEFAULT_TTL_SWEEP_SECONDS);
  set("fixtures.port", DEFAULT_FIXTURES_PORT);
  // LocalStack runs the functions in Docker containers on its compose network, where the fixture
  // server is the `fixtures` service (localstack/docker-compose.yml), reached by its name.
  set("fixtures.host", target === "localstack" ? LOCALSTACK_FIXTURES_HOST : "127.0.0.1", forTarget);

  const emulatorPort = explicit("emulator.port") ?? DEFAULT_EMULATOR_PORT;
  const region = explicit("region") ?? DEFAULT_REGION;
  if (target === "local")
    set("endpoint", `http://127.0.0.1:${String(emulatorPort)}`, "derived from emulator.port");
  if (target === "localstack") set("endpoint", LOCALSTACK_ENDPOINT, forTarget);
  if (local) set("account", LOCAL_ACCOUNT_ID, forTarget);

  const fixturesHost = String(explicit("fixtures.host") ?? out.get("fixtures.host")!.value);
  const fixturesPort = Number(explicit("fixtures.port") ?? DEFAULT_FIXTURES_PORT);
  for (const source of SOURCES) {
    const api = SOURCE_DEFAULTS[source];
    if (local) {
      set(`sources.${source}.baseUrl`, fixtureBaseUrl(fixturesHost, fixturesPort, source), "fixture server");
      if (api.auxBaseUrl) {
        set(
          `sources.${source}.auxBaseUrl`,
          fixtureBaseUrl(fixturesHost, fixturesPort, source, true),
          "fixture server",
        );
      }
      // The fixture server has no rate limit of its own; keep runs fast.
      set(`sources.${source}.rateLimitPerSecond`, 1000, forTarget);
    } else {
      set(`sources.${source}.baseUrl`, api.baseUrl, "public API");
      if (api.auxBaseUrl) set(`sources.${source}.auxBaseUrl`, api.auxBaseUrl, "public API");
      set(`sources.${source}.rateLimitPerSecond`, api.rateLimitPerSecond, "public API limit");
    }
    set(`sources.${source}.timeoutMs`, DEFAULT_SOURCE_TIMEOUT_MS);
    set(`sources.${source}.shardSize`, DEFAULT_SHARD_SIZE);
    set(`sources.${source}.workerConcurrency`, DEFAULT_WORKER_CONCURRENCY[target], forTarget);
    set(`sources.${source}.shardLeaseSeconds`, DEFAULT_SHARD_LEASE_SECONDS[target], forTarget);
    set(`sources.${source}.shardRetrySeconds`, DEFAULT_SHARD_RETRY_SECONDS[target], forTarget);
  }

  const domainName = explicit("opensearch.domainName") ?? DEFAULT_OPENSEARCH_DOMAIN;
  set("opensearch.domainName", DEFAULT_OPENSEARCH_DOMAIN);
  set("opensearch.index", DEFAULT_OPENSEARCH_INDEX);
  if (local) {
    // The emulator and LocalStack (OPENSEARCH_ENDPOINT_STRATEGY=path) serve domains on one path.
    const endpoint = String(explicit("endpoint") ?? out.get("endpoint")!.value);
    set(
      "opensearch.endpoint",
      `${endpoint.replace(/\/+$/, "")}/opensearch/${String(region)}/${String(domainName)}`,
      "derived from endpoint, region, opensearch.domainName",
    );
  }

  set("verify.tolerance", 0.05);
  set("verify.incompleteMax", 10);
  set("verify.startSpreadMs", 1000);
  for (const [key, seconds] of Object.entries(DEADLINES[target]))
    set(`verify.deadlines.${key}`, seconds, forTarget);
  return out;
}
