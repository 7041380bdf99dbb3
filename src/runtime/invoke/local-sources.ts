import type { PipelineConfig } from "../config/schema.js";
import { LOCALSTACK_FIXTURES_HOST } from "../config/targets.js";
import { SOURCES } from "../../pipeline/model/sources.js";

/**
 * The fixture source server for an in-process run: when the configured source base URLs point at
 * the fixture server's address (config `fixtures`) and nothing answers there, the run starts one
 * in this process and stops it at the end. Anything else (real APIs, a fixture server someone
 * keeps running) is used as it is.
 */

/**
 * Names by which a Lambda container reaches the fixture server: the compose project's `fixtures`
 * service (target localstack's fixtures.host), and the Docker host, for a fixture server someone
 * runs on the host with a Docker that lets containers in. An in-process run is on the host, where
 * these names do not resolve, and the `fixtures` service publishes its port on 127.0.0.1: it uses
 * loopback instead.
 */
export const DOCKER_HOST_ALIASES: readonly string[] = [LOCALSTACK_FIXTURES_HOST, "host.docker.internal"];

/** The config as this process sees it: fixture URLs that name a Docker-side host point at 127.0.0.1. */
export function sourcesForThisProcess<C extends Pick<PipelineConfig, "sources" | "fixtures">>(config: C): C {
  if (!DOCKER_HOST_ALIASES.includes(config.fixtures.host)) return config;
  const local = (url: string | undefined) => {
    if (url === undefined) return undefined;
    const parsed = new URL(url);
    if (parsed.hostname !== config.fixtures.host) return url;
    parsed.hostname = "127.0.0.1";
    return parsed.toString().replace(/\/$/, url.endsWith("/") ? "/" : "");
  };
  const sources = Object.fromEntries(
    SOURCES.map((source) => {
      const settings = config.sources[source];
      const auxBaseUrl = local(settings.auxBaseUrl);
      return [
        source,
        {
          ...settings,
          baseUrl: local(settings.baseUrl)!,
          ...(auxBaseUrl === undefined ? {} : { auxBaseUrl }),
        },
      ];
    }),
  ) as PipelineConfig["sources"];
  return { ...config, sources, fixtures: { ...config.fixtures, host: "127.0.0.1" } };
}

export interface LocalSources {
  /** The fixture server's URL when this run started it. */
  startedUrl: string | undefined;
  stop(): Promise<void>;
}

/** Source base URLs that point at the configured fixture server. */
export function fixtureUrlsInUse(config: Pick<PipelineConfig, "sources" | "fixtures">): string[] {
  const origin = `http://${config.fixtures.host}:${config.fixtures.port}`;
  return SOURCES.flatMap((source) => {
    const settings = config.sources[source];
    return [settings.baseUrl, settings.auxBaseUrl].filter(
      (url): url is string => url !== undefined && new URL(url).origin === new URL(origin).origin,
    );
  });
}

/** Whether a fixture server (or anything slow to answer) listens at this origin. */
export async function fixtureServerAnswers(url: string): Promise<boolean> {
  return answers(url);
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(new URL("/health", url), { signal: AbortSignal.timeout(1500) });
    return true;
  } catch (error) {
    // A timeout means something listens but is slow: do not start a second server on its port.
    return error instanceof Error && error.name === "TimeoutError";
  }
}

/**
 * Whether the fixture server the configured sources point at is down: the source URLs name it and
 * nothing answers at its address. False when the sources are elsewhere (real APIs) or it answers.
 */
export async function fixtureServerMissing(
  config: Pick<PipelineConfig, "sources" | "fixtures">,
): Promise<{ missing: boolean; origin: string }> {
  const origin = `http://${config.fixtures.host}:${config.fixtures.port}`;
  if (fixtureUrlsInUse(config).length === 0) return { missing: false, origin };
  return { missing: !(await answers(origin)), origin };
}

export async function ensureLocalSources(
  config: Pick<PipelineConfig, "sources" | "fixtures">,
): Promise<LocalSources> {
  const none: LocalSources = { startedUrl: undefined, stop: async () => {} };
  if (fixtureUrlsInUse(config).length === 0) return none;
  // Only a server on loopback can be started here (and a Docker-side name need not resolve here).
  if (!/^(127\.\d+\.\d+\.\d+|localhost)$/.test(config.fixtures.host)) return none;
  const origin = `http://${config.fixtures.host}:${config.fixtures.port}`;
  if (await answers(origin)) return none;
  const { startFixtureServer } = await import("../fixtures/index.js");
  const server = await startFixtureServer({ port: config.fixtures.port });
  return { startedUrl: server.url, stop: () => server.stop() };
}

/**
 * For functions that run in containers (target localstack): whether the fixture server they are
 * configured to reach by a Docker-side name (the compose project's `fixtures` service) is up, seen
 * through the port it publishes on this machine's loopback. Nothing is started: a server in this
 * process would not be reachable from the containers. Returns a warning to show, or undefined when
 * the sources do not name a Docker-side host or the server answers.
 */
export async function checkContainerSources(
  config: Pick<PipelineConfig, "sources" | "fixtures">,
): Promise<string | undefined> {
  if (!DOCKER_HOST_ALIASES.includes(config.fixtures.host) || fixtureUrlsInUse(config).length === 0)
    return undefined;
  const published = `http://127.0.0.1:${config.fixtures.port}`;
  if (await answers(published)) return undefined;
  return (
    `nothing answers at ${published}, where the fixture source server the functions reach as ` +
    `${config.fixtures.host}:${config.fixtures.port} publishes its port: start it with ` +
    "`pipeline localstack up` (its compose service `fixtures` runs the built CLI: npm run build first); " +
    "the scrapers' source calls fail without it"
  );
}

/**
 * `checkContainerSources` until the fixture server answers or the deadline passes: right after
 * `docker compose up` its container may still be starting. Returns the warning still standing at
 * the deadline, or undefined.
 */
export async function waitForContainerSources(
  config: Pick<PipelineConfig, "sources" | "fixtures">,
  options: { deadlineMs: number; signal?: AbortSignal; intervalMs?: number },
): Promise<string | undefined> {
  const until = Date.now() + options.deadlineMs;
  for (;;) {
    const warning = await checkContainerSources(config);
    if (warning === undefined || Date.now() >= until) return warning;
    options.signal?.throwIfAborted();
    await new Promise((done) => setTimeout(done, options.intervalMs ?? 500));
  }
}
