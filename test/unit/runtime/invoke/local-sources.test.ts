import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../../../src/runtime/config/index.js";
import { startFixtureServer } from "../../../../src/runtime/fixtures/index.js";
import {
  checkContainerSources,
  ensureLocalSources,
  fixtureUrlsInUse,
  sourcesForThisProcess,
  waitForContainerSources,
} from "../../../../src/runtime/invoke/local-sources.js";

const configFor = (env: Record<string, string>) =>
  resolveConfig({ cwd: "/nonexistent", env, readText: () => undefined }).config;

describe("fixture sources for an in-process run", () => {
  it("target local: every source points at the fixture server on loopback, unchanged", () => {
    const config = configFor({ PIPELINE_FIXTURES_PORT: "4700" });
    expect(sourcesForThisProcess(config)).toBe(config);
    expect(fixtureUrlsInUse(config)).toContain("http://127.0.0.1:4700/tmdb");
  });

  it("target localstack: URLs naming the compose service point at its published 127.0.0.1 port here", () => {
    const config = configFor({ PIPELINE_TARGET: "localstack" });
    expect(config.sources.tmdb.baseUrl).toMatch(/^http:\/\/fixtures:\d+\/tmdb$/);
    const local = sourcesForThisProcess(config);
    expect(local.fixtures.host).toBe("127.0.0.1");
    expect(local.sources.tmdb.baseUrl).toBe(config.sources.tmdb.baseUrl.replace("fixtures", "127.0.0.1"));
    expect(local.sources.wikipedia.auxBaseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/wikipedia\/aux$/);
    expect(fixtureUrlsInUse(local)).toHaveLength(fixtureUrlsInUse(config).length);
  });

  it("a source configured to a real API is left alone and needs no fixture server", () => {
    const config = configFor({ PIPELINE_TMDB_BASE_URL: "https://api.themoviedb.org/3" });
    expect(fixtureUrlsInUse(config)).not.toContain("https://api.themoviedb.org/3");
    expect(sourcesForThisProcess(config).sources.tmdb.baseUrl).toBe("https://api.themoviedb.org/3");
  });

  it("fixtures.host set to the Docker host's name is mapped to loopback as well", () => {
    const file = JSON.stringify({ targets: { localstack: { fixtures: { host: "host.docker.internal" } } } });
    const { config } = resolveConfig({
      cwd: "/nonexistent",
      env: { PIPELINE_TARGET: "localstack" },
      readText: (path) => (path.endsWith("pipeline.config.json") ? file : undefined),
    });
    expect(config.sources.news.baseUrl).toMatch(/^http:\/\/host\.docker\.internal:\d+\/news$/);
    expect(sourcesForThisProcess(config).sources.news.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/news$/);
  });
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, "127.0.0.1", done));
  const { port } = probe.address() as AddressInfo;
  await new Promise((done) => probe.close(done));
  return port;
}

describe("fixture sources for functions in containers (target localstack)", () => {
  it("the compose service answering on its published loopback port: no warning, nothing started", async () => {
    const server = await startFixtureServer();
    try {
      const config = configFor({
        PIPELINE_TARGET: "localstack",
        PIPELINE_FIXTURES_PORT: String(server.port),
      });
      expect(await checkContainerSources(config)).toBeUndefined();
      // A server in this process would not reach the containers: none is started for them.
      const sources = await ensureLocalSources(config);
      expect(sources.startedUrl).toBeUndefined();
    } finally {
      await server.stop();
    }
  });

  it("nothing on the published port: a warning naming the address and `pipeline localstack up`", async () => {
    const port = await freePort();
    const config = configFor({ PIPELINE_TARGET: "localstack", PIPELINE_FIXTURES_PORT: String(port) });
    const warning = await checkContainerSources(config);
    expect(warning).toContain(`nothing answers at http://127.0.0.1:${port}`);
    expect(warning).toContain(`fixtures:${port}`);
    expect(warning).toContain("pipeline localstack up");
    expect((await ensureLocalSources(config)).startedUrl).toBeUndefined();
  });

  it("waiting: ends as soon as the service answers, or with the warning at the deadline", async () => {
    const port = await freePort();
    const config = configFor({ PIPELINE_TARGET: "localstack", PIPELINE_FIXTURES_PORT: String(port) });
    expect(await waitForContainerSources(config, { deadlineMs: 0 })).toContain("nothing answers");

    // The service comes up while the wait is polling (as a container does after compose up).
    const waiting = waitForContainerSources(config, { deadlineMs: 20_000, intervalMs: 50 });
    const server = await startFixtureServer({ port });
    try {
      expect(await waiting).toBeUndefined();
    } finally {
      await server.stop();
    }
  });

  it("target local is not checked (its fixture server is started in-process when needed)", async () => {
    expect(await checkContainerSources(configFor({ PIPELINE_FIXTURES_PORT: String(await freePort()) }))).toBe(
      undefined,
    );
  });
});
