import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  ConfigError,
  OperatorError,
  describeSource,
  maskSecret,
  resolveConfig,
  type ResolveOptions,
} from "../../../../src/runtime/config/index.js";

const CWD = "/work/project";
const HOME = "/home/operator";

/** Resolves with an in-memory file system: `files` maps absolute paths to contents. */
function resolveWith(options: Partial<ResolveOptions> & { files?: Record<string, unknown> } = {}) {
  const files = options.files ?? {};
  return resolveConfig({
    cwd: CWD,
    env: {},
    home: HOME,
    ...options,
    readText: (path) => {
      const content = files[path];
      if (content === undefined) return undefined;
      return typeof content === "string" ? content : JSON.stringify(content);
    },
  });
}

function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("resolveConfig: defaults per target", () => {
  it("local: emulator endpoint, local account, fixture server sources", () => {
    // Act
    const { config, sources, file } = resolveWith();

    // Assess
    expect(file).toBeUndefined();
    expect(config.target).toBe("local");
    expect(config.endpoint).toBe("http://127.0.0.1:4599");
    expect(config.account).toBe("000000000000");
    expect(config.region).toBe("us-east-1");
    expect(config.roster.seedDemoWhenEmpty).toBe(true);
    expect(config.sources.tmdb.baseUrl).toBe("http://127.0.0.1:4598/tmdb");
    expect(config.sources.tmdb.apiKey).toBeUndefined();
    expect(config.sources.wikipedia.auxBaseUrl).toBe("http://127.0.0.1:4598/wikipedia/aux");
    expect(config.opensearch.endpoint).toBe("http://127.0.0.1:4599/opensearch/us-east-1/celebrities");
    // No fixed number: verify expects the active roster times the sources unless this is set.
    expect(config.verify.expectedCount).toBeUndefined();
    expect(config.verify.incompleteMax).toBe(10);
    expect(sources.get("endpoint")).toEqual({ kind: "default", detail: "derived from emulator.port" });
  });

  it("localstack: port 4566 and the local account", () => {
    const { config } = resolveWith({ flags: { target: "localstack" } });

    expect(config.endpoint).toBe("http://localhost:4566");
    expect(config.account).toBe("000000000000");
    expect(config.opensearch.endpoint).toBe("http://localhost:4566/opensearch/us-east-1/celebrities");
    // The compose project's `fixtures` service, by name on the network the Lambda containers join.
    expect(config.fixtures.host).toBe("fixtures");
    expect(config.sources.tmdb.baseUrl).toBe("http://fixtures:4598/tmdb");
  });

  it("aws: no endpoint or account, public APIs, AWS deadlines", () => {
    const { config } = resolveWith({ flags: { target: "aws" } });

    expect(config.endpoint).toBeUndefined();
    expect(config.account).toBeUndefined();
    expect(config.sources.tmdb.baseUrl).toBe("https://api.themoviedb.org");
    expect(config.sources.wikipedia.auxBaseUrl).toBe("https://wikimedia.org");
    expect(config.sources.news.rateLimitPerSecond).toBe(0.2);
    expect(config.opensearch.endpoint).toBeUndefined();
    expect(config.verify.deadlines.postProcessingSeconds).toBe(300);
  });

  it("local deadlines are shorter than AWS's", () => {
    const local = resolveWith().config.verify.deadlines;
    const aws = resolveWith({ flags: { target: "aws" } }).config.verify.deadlines;

    expect(local.postProcessingSeconds).toBeLessThan(aws.postProcessingSeconds);
    expect(local.scrapeSeconds).toBeLessThan(aws.scrapeSeconds);
  });
});

describe("resolveConfig: precedence defaults < file < targets.<target> < env < flags", () => {
  const file = {
    region: "eu-west-1",
    targets: { local: { region: "eu-west-2" }, aws: { region: "ap-south-1" } },
  };

  it("file top level beats defaults", () => {
    const { config, sources } = resolveWith({
      files: { [`${CWD}/pipeline.config.json`]: { region: "eu-west-1" } },
    });

    expect(config.region).toBe("eu-west-1");
    expect(describeSource(sources.get("region")!)).toBe("file pipeline.config.json");
  });

  it("the target's section beats the file's top level, and only for that target", () => {
    const files = { [`${CWD}/pipeline.config.json`]: file };

    const local = resolveWith({ files });
    const localstack = resolveWith({ files, flags: { target: "localstack" } });

    expect(local.config.region).toBe("eu-west-2");
    expect(describeSource(local.sources.get("region")!)).toBe("file pipeline.config.json (targets.local)");
    expect(localstack.config.region).toBe("eu-west-1");
  });

  it("env beats the file, flags beat env", () => {
    const files = { [`${CWD}/pipeline.config.json`]: file };
    const env = { AWS_REGION: "ca-central-1" };

    const fromEnv = resolveWith({ files, env });
    const fromFlag = resolveWith({ files, env, flags: { region: "sa-east-1" } });

    expect(fromEnv.config.region).toBe("ca-central-1");
    expect(describeSource(fromEnv.sources.get("region")!)).toBe("env AWS_REGION");
    expect(fromFlag.config.region).toBe("sa-east-1");
    expect(describeSource(fromFlag.sources.get("region")!)).toBe("flag --region");
  });

  it("AWS_REGION wins over AWS_DEFAULT_REGION", () => {
    const both = resolveWith({ env: { AWS_DEFAULT_REGION: "eu-north-1", AWS_REGION: "eu-south-1" } });
    const onlyDefault = resolveWith({ env: { AWS_DEFAULT_REGION: "eu-north-1" } });

    expect(both.config.region).toBe("eu-south-1");
    expect(onlyDefault.config.region).toBe("eu-north-1");
  });

  it("the target comes from flag > env > file", () => {
    const files = { [`${CWD}/pipeline.config.json`]: { target: "localstack" } };

    expect(resolveWith({ files }).config.target).toBe("localstack");
    expect(resolveWith({ files, env: { PIPELINE_TARGET: "aws" } }).config.target).toBe("aws");
    expect(
      resolveWith({ files, env: { PIPELINE_TARGET: "aws" }, flags: { target: "local" } }).config.target,
    ).toBe("local");
  });

  it("AWS_ENDPOINT_URL and --endpoint-url set the endpoint on any target", () => {
    const env = { AWS_ENDPOINT_URL: "http://127.0.0.1:5000" };

    expect(resolveWith({ env, flags: { target: "aws" } }).config.endpoint).toBe("http://127.0.0.1:5000");
    expect(resolveWith({ env, flags: { endpointUrl: "http://127.0.0.1:6000" } }).config.endpoint).toBe(
      "http://127.0.0.1:6000",
    );
  });

  it("derived defaults follow the explicit settings they derive from", () => {
    const { config, sources } = resolveWith({
      env: { PIPELINE_EMULATOR_PORT: "4700", PIPELINE_FIXTURES_PORT: "4701" },
    });

    expect(config.emulator.port).toBe(4700);
    expect(config.endpoint).toBe("http://127.0.0.1:4700");
    expect(config.sources.social.baseUrl).toBe("http://127.0.0.1:4701/social");
    expect(config.opensearch.endpoint).toBe("http://127.0.0.1:4700/opensearch/us-east-1/celebrities");
    expect(sources.get("emulator.port")).toEqual({ kind: "env", detail: "PIPELINE_EMULATOR_PORT" });
  });

  it("per-source settings come from the file and env", () => {
    const files = {
      [`${CWD}/pipeline.config.json`]: { sources: { tmdb: { rateLimitPerSecond: 2, apiKey: "from-file" } } },
    };

    const { config } = resolveWith({ files, env: { PIPELINE_TMDB_API_KEY: "from-env-0123456789" } });

    expect(config.sources.tmdb.rateLimitPerSecond).toBe(2);
    expect(config.sources.tmdb.apiKey).toBe("from-env-0123456789");
    expect(config.sources.wikipedia.rateLimitPerSecond).toBe(1000);
  });

  it("shards of 25 on every target; AWS's least bound (2) on aws and the embedded emulator, 10 on LocalStack", () => {
    for (const [target, workers] of [
      ["local", 2],
      ["localstack", 10],
      ["aws", 2],
    ] as const) {
      const { config, sources } = resolveWith({ flags: { target } });
      for (const source of ["tmdb", "wikipedia", "news", "social"] as const) {
        expect(config.sources[source].shardSize, `${target} ${source}`).toBe(25);
        expect(config.sources[source].workerConcurrency, `${target} ${source}`).toBe(workers);
      }
      expect(sources.get("sources.news.workerConcurrency")).toEqual({
        kind: "default",
        detail: `target ${target}`,
      });
    }
    const files = {
      [`${CWD}/pipeline.config.json`]: {
        sources: { news: { shardSize: 5, workerConcurrency: 2 } },
        targets: { aws: { sources: { news: { workerConcurrency: 4 } } } },
      },
    };
    expect(resolveWith({ files }).config.sources.news).toMatchObject({ shardSize: 5, workerConcurrency: 2 });
    expect(resolveWith({ files, flags: { target: "aws" } }).config.sources.news).toMatchObject({
      shardSize: 5,
      workerConcurrency: 4,
    });
  });

  it("a shard size or worker bound out of range names the range", () => {
    const files = {
      [`${CWD}/pipeline.config.json`]: {
        sources: {
          tmdb: { shardSize: 0, workerConcurrency: 1 },
          news: { shardSize: 201, workerConcurrency: 1001 },
        },
      },
    };

    const error = configErrorOf(() => resolveWith({ files }));

    expect(error.message).toBe(
      [
        "invalid config file pipeline.config.json:",
        "  sources.tmdb.shardSize = 0 (from file pipeline.config.json): expected people per shard, an integer from 1 to 200",
        "  sources.tmdb.workerConcurrency = 1 (from file pipeline.config.json): expected concurrent workers, an integer from 2 to 1000 (AWS's MaximumConcurrency range)",
        "  sources.news.shardSize = 201 (from file pipeline.config.json): expected people per shard, an integer from 1 to 200",
        "  sources.news.workerConcurrency = 1001 (from file pipeline.config.json): expected concurrent workers, an integer from 2 to 1000 (AWS's MaximumConcurrency range)",
      ].join("\n"),
    );
  });

  it("aws: the profile's region from the shared config file, below the config file", () => {
    const awsConfig = "[default]\nregion = us-west-2\n\n[profile prod]\nregion = eu-central-1\n";
    const files: Record<string, unknown> = { [`${HOME}/.aws/config`]: awsConfig };

    const byDefault = resolveWith({ files, flags: { target: "aws" } });
    const byProfile = resolveWith({ files, flags: { target: "aws" }, env: { AWS_PROFILE: "prod" } });
    files[`${CWD}/pipeline.config.json`] = { region: "ap-northeast-1" };
    const fileWins = resolveWith({ files, flags: { target: "aws", profile: "prod" } });

    expect(byDefault.config.region).toBe("us-west-2");
    expect(byProfile.config.region).toBe("eu-central-1");
    expect(describeSource(byProfile.sources.get("region")!)).toBe(
      `AWS profile [profile prod] in ${HOME}/.aws/config`,
    );
    expect(fileWins.config.region).toBe("ap-northeast-1");
  });

  it("the profile's region is not used for local targets", () => {
    const files = { [`${HOME}/.aws/config`]: "[default]\nregion = us-west-2\n" };

    expect(resolveWith({ files }).config.region).toBe("us-east-1");
  });
});

describe("resolveConfig: error messages name key, value, source and what is allowed", () => {
  it("a bad target", () => {
    const error = configErrorOf(() => resolveWith({ env: { PIPELINE_TARGET: "prod" } }));

    expect(error.message).toBe(
      'invalid configuration: target = "prod" (from env PIPELINE_TARGET): expected one of local, localstack, aws',
    );
    expect(error.exitCode).toBe(2);
  });

  it("a port that is not a number", () => {
    const error = configErrorOf(() => resolveWith({ env: { PIPELINE_EMULATOR_PORT: "abc" } }));

    expect(error.message).toBe(
      'invalid configuration for target local: emulator.port = "abc" (from env PIPELINE_EMULATOR_PORT): ' +
        "expected the emulator port, an integer from 1 to 65535",
    );
  });

  it("a region that does not exist, from a flag: refused with the region meant and the list", () => {
    for (const region of ["Europe", "us-eats-1"]) {
      const error = configErrorOf(() => resolveWith({ flags: { region } }));
      expect(error.problems).toEqual([
        {
          key: "region",
          value: region,
          source: { kind: "flag", detail: "--region" },
          allowed: expect.stringMatching(/^not an AWS region.*; regions: af-south-1, .*us-east-1, /),
        },
      ]);
    }
    expect(configErrorOf(() => resolveWith({ flags: { region: "us-eats-1" } })).problems[0]?.allowed).toMatch(
      /^not an AWS region \(did you mean us-east-1\?\)/,
    );
  });

  it("several bad values in the file are all listed", () => {
    const files = {
      [`${CWD}/pipeline.config.json`]: {
        roster: { seedDemoWhenEmpty: "yes" },
        emulator: { port: 70000 },
        verify: { tolerance: 2 },
      },
    };

    const error = configErrorOf(() => resolveWith({ files }));

    expect(error.message).toBe(
      [
        "invalid config file pipeline.config.json:",
        '  roster.seedDemoWhenEmpty = "yes" (from file pipeline.config.json): expected true or false',
        "  emulator.port = 70000 (from file pipeline.config.json): expected the emulator port, an integer from 1 to 65535",
        "  verify.tolerance = 2 (from file pipeline.config.json): expected a fraction from 0 to 1 (0.05 = within 5% of expectedCount)",
      ].join("\n"),
    );
  });

  it("an unknown key in the file names the keys allowed there", () => {
    const files = { [`${CWD}/pipeline.config.json`]: { emulator: { prot: 4599 } } };

    const error = configErrorOf(() => resolveWith({ files }));

    expect(error.problems).toEqual([
      {
        key: "emulator.prot",
        source: { kind: "file", detail: "pipeline.config.json" },
        allowed: "unknown key; allowed here: port, persistDir, retryWaitScale, ttlSweepSeconds",
      },
    ]);
  });

  it("a bad URL for a source", () => {
    const error = configErrorOf(() => resolveWith({ env: { PIPELINE_NEWS_BASE_URL: "gdelt" } }));

    expect(error.message).toContain(
      'sources.news.baseUrl = "gdelt" (from env PIPELINE_NEWS_BASE_URL): expected an http(s) URL like',
    );
  });

  it("a file that is not JSON, and a --config file that does not exist", () => {
    const files = { [`${CWD}/pipeline.config.json`]: "{ region: " };

    expect(() => resolveWith({ files })).toThrow(/config file pipeline.config.json is not valid JSON/);
    expect(() => resolveWith({ flags: { config: "other.json" } })).toThrow(OperatorError);
    expect(() => resolveWith({ flags: { config: "other.json" } })).toThrow(
      "config file other.json (from --config) does not exist; check the path or remove --config",
    );
  });
});

describe("resolveConfig: config file location", () => {
  const dir = mkdtempSync(join(tmpdir(), "pipeline-config-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads --config, then PIPELINE_CONFIG, relative to the working folder, from disk", () => {
    writeFileSync(join(dir, "a.json"), JSON.stringify({ suffix: "-a" }));
    writeFileSync(join(dir, "b.json"), JSON.stringify({ suffix: "-b" }));

    const byEnv = resolveConfig({ cwd: dir, env: { PIPELINE_CONFIG: "b.json" } });
    const byFlag = resolveConfig({
      cwd: dir,
      env: { PIPELINE_CONFIG: "b.json" },
      flags: { config: "a.json" },
    });

    expect(byEnv.config.suffix).toBe("-b");
    expect(byEnv.file).toBe(join(dir, "b.json"));
    expect(byFlag.config.suffix).toBe("-a");
  });
});

describe("entries and masking", () => {
  it("lists every key in schema order with secrets flagged", () => {
    const entries = resolveWith({ env: { PIPELINE_TMDB_API_KEY: "abcdefghijkl1234" } }).entries();
    const keys = entries.map((entry) => entry.key);

    expect(keys.slice(0, 4)).toEqual(["target", "region", "profile", "endpoint"]);
    expect(keys).toContain("verify.deadlines.postProcessingSeconds");
    expect(entries.find((entry) => entry.key === "sources.tmdb.apiKey")).toMatchObject({
      secret: true,
      value: "abcdefghijkl1234",
    });
    expect(entries.find((entry) => entry.key === "profile")).toMatchObject({
      value: undefined,
      source: undefined,
    });
  });

  it("maskSecret keeps at most the last four characters", () => {
    expect(maskSecret("abcdefghijkl1234")).toBe("****1234");
    expect(maskSecret("short")).toBe("****");
  });
});

describe("toStackParams", () => {
  it("builds parameters defineStack accepts, for every target", async () => {
    const { defineStack } = await import("../../../../src/pipeline/stack/index.js");
    const { toStackParams } = await import("../../../../src/runtime/config/index.js");

    for (const [target, workers] of [
      ["local", 2],
      ["localstack", 10],
    ] as const) {
      const params = toStackParams(resolveWith({ flags: { target } }), "000000000000");
      expect(() => defineStack(params), target).not.toThrow();
      expect(params.sources.news).toMatchObject({ shardSize: 25, workerConcurrency: workers });
      expect(params.opensearch).not.toHaveProperty("domainName");
    }
    const aws = resolveWith({
      flags: { target: "aws" },
      env: { PIPELINE_OPENSEARCH_ENDPOINT: "https://search-celebs-abc123.eu-west-1.es.amazonaws.com" },
    });
    expect(toStackParams(aws, "123456789012", { suffix: "-test" })).toMatchObject({
      suffix: "-test",
      account: "123456789012",
      opensearch: {
        endpoint: "https://search-celebs-abc123.eu-west-1.es.amazonaws.com",
        index: "celebrities",
      },
    });
  });

  it("names the missing OpenSearch endpoint on aws", async () => {
    const { toStackParams } = await import("../../../../src/runtime/config/index.js");

    expect(() => toStackParams(resolveWith({ flags: { target: "aws" } }), "123456789012")).toThrow(
      /opensearch.endpoint is not set for target aws; set PIPELINE_OPENSEARCH_ENDPOINT/,
    );
  });
});
