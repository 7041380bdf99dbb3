import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../../../src/runtime/config/index.js";
import { fixtureUrlsInUse, sourcesForThisProcess } from "../../../../src/runtime/invoke/local-sources.js";

const configFor = (env: Record<string, string>) =>
  resolveConfig({ cwd: "/nonexistent", env, readText: () => undefined }).config;

describe("fixture sources for an in-process run", () => {
  it("target local: every source points at the fixture server on loopback, unchanged", () => {
    const config = configFor({ PIPELINE_FIXTURES_PORT: "4700" });
    expect(sourcesForThisProcess(config)).toBe(config);
    expect(fixtureUrlsInUse(config)).toContain("http://127.0.0.1:4700/tmdb");
  });

  it("target localstack: URLs naming the Docker host point at 127.0.0.1 in this process", () => {
    const config = configFor({ PIPELINE_TARGET: "localstack" });
    expect(config.sources.tmdb.baseUrl).toMatch(/^http:\/\/host\.docker\.internal:\d+\/tmdb$/);
    const local = sourcesForThisProcess(config);
    expect(local.fixtures.host).toBe("127.0.0.1");
    expect(local.sources.tmdb.baseUrl).toBe(
      config.sources.tmdb.baseUrl.replace("host.docker.internal", "127.0.0.1"),
    );
    expect(local.sources.wikipedia.auxBaseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/wikipedia\/aux$/);
    expect(fixtureUrlsInUse(local)).toHaveLength(fixtureUrlsInUse(config).length);
  });

  it("a source configured to a real API is left alone and needs no fixture server", () => {
    const config = configFor({ PIPELINE_TMDB_BASE_URL: "https://api.themoviedb.org/3" });
    expect(fixtureUrlsInUse(config)).not.toContain("https://api.themoviedb.org/3");
    expect(sourcesForThisProcess(config).sources.tmdb.baseUrl).toBe("https://api.themoviedb.org/3");
  });
});
