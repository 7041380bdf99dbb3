import type { PipelineConfig } from "../config/schema.js";
import { SOURCES } from "../../pipeline/model/sources.js";

/**
 * The fixture source server for an in-process run: when the configured source base URLs point at
 * the fixture server's address (config `fixtures`) and nothing answers there, the run starts one
 * in this process and stops it at the end. Anything else (real APIs, a fixture server someone
 * keeps running) is used as it is.
 */

/**
 * Names by which a container reaches the machine it runs on (target localstack's fixtures.host).
 * An in-process run IS on that machine, where the name may not resolve: it uses loopback instead.
 */
const DOCKER_HOST_ALIASES: readonly string[] = ["host.docker.internal"];

/** The config as this process sees it: fixture URLs that name the Docker host point at 127.0.0.1. */
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

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(new URL("/health", url), { signal: AbortSignal.timeout(1500) });
    return true;
  } catch (error) {
    // A timeout means something listens but is slow: do not start a second server on its port.
    return error instanceof Error && error.name === "TimeoutError";
  }
}

export async function ensureLocalSources(
  config: Pick<PipelineConfig, "sources" | "fixtures">,
): Promise<LocalSources> {
  const none: LocalSources = { startedUrl: undefined, stop: async () => {} };
  if (fixtureUrlsInUse(config).length === 0) return none;
  const origin = `http://${config.fixtures.host}:${config.fixtures.port}`;
  if (await answers(origin)) return none;
  if (!/^(127\.\d+\.\d+\.\d+|localhost)$/.test(config.fixtures.host)) return none;
  const { startFixtureServer } = await import("../fixtures/index.js");
  const server = await startFixtureServer({ port: config.fixtures.port });
  return { startedUrl: server.url, stop: () => server.stop() };
}
