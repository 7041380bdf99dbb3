import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { emptyDir, runCliCaptured } from "./helpers/run-cli.js";

describe("config show", () => {
  it("--json: values, the target and the source of each value", async () => {
    const cwd = emptyDir();
    writeFileSync(
      join(cwd, "pipeline.config.json"),
      JSON.stringify({ region: "eu-west-1", roster: { seedDemoWhenEmpty: false } }),
    );

    const run = await runCliCaptured("config show --json --profile dev", {
      cwd,
      env: { PIPELINE_SUFFIX: "-dev" },
    });
    const report = JSON.parse(run.stdout);

    expect(run.code).toBe(0);
    expect(report.target).toBe("local");
    expect(report.file).toBe(join(cwd, "pipeline.config.json"));
    expect(report.config).toMatchObject({
      region: "eu-west-1",
      roster: { seedDemoWhenEmpty: false },
      suffix: "-dev",
      profile: "dev",
    });
    expect(report.sources).toMatchObject({
      region: "file pipeline.config.json",
      suffix: "env PIPELINE_SUFFIX",
      profile: "flag --profile",
      target: "default",
    });
  });

  it("masks secrets in every output mode", async () => {
    const env = { PIPELINE_TMDB_API_KEY: "tmdb-secret-token-9876" };

    const json = await runCliCaptured("config show --json", { env });
    const plain = await runCliCaptured("config show", { env });

    expect(JSON.parse(json.stdout).config.sources.tmdb.apiKey).toBe("****9876");
    expect(json.stdout).not.toContain("tmdb-secret-token");
    expect(plain.stdout).toMatch(/sources\.tmdb\.apiKey\s+\*\*\*\*9876\s+env PIPELINE_TMDB_API_KEY/);
    expect(plain.stdout).not.toContain("tmdb-secret-token");
  });

  it("plain off a terminal, colours on one, none with NO_COLOR", async () => {
    const plain = await runCliCaptured("config show");
    const pretty = await runCliCaptured("config show", { isTTY: true });
    const noColor = await runCliCaptured("config show", { isTTY: true, env: { NO_COLOR: "1" } });

    expect(plain.stdout).not.toContain("\u001b[");
    expect(pretty.stdout).toContain("\u001b[1m");
    expect(noColor.stdout).not.toContain("\u001b[");
  });

  it("the target's flags change what is shown", async () => {
    const run = await runCliCaptured("config show --json --target localstack --region eu-west-3");
    const report = JSON.parse(run.stdout);

    expect(report.config).toMatchObject({
      target: "localstack",
      endpoint: "http://localhost:4566",
      region: "eu-west-3",
    });
    expect(report.sources.target).toBe("flag --target");
  });
});

describe("config validate", () => {
  it("a valid configuration: ok line, exit 0", async () => {
    const run = await runCliCaptured("config validate");

    expect(run.code).toBe(0);
    expect(run.stdout).toBe("ok configuration is valid for target local (no config file)\n");
  });

  it("a bad value: exit 2, naming key, value, source and what is allowed", async () => {
    const cwd = emptyDir();
    writeFileSync(join(cwd, "pipeline.config.json"), JSON.stringify({ emulator: { port: 4566.5 } }));

    const run = await runCliCaptured("config validate", { cwd });

    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "pipeline: invalid config file pipeline.config.json: emulator.port = 4566.5 (from file pipeline.config.json): " +
        "expected the emulator port, an integer from 1 to 65535\n",
    );
  });

  it("--json on a bad value: problems on stdout for scripts, exit 2", async () => {
    const run = await runCliCaptured("config validate --json --target cloud");

    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toEqual({
      valid: false,
      problems: [
        {
          key: "target",
          value: "cloud",
          source: "flag --target",
          allowed: "expected one of local, localstack, aws",
        },
      ],
      warnings: [],
    });
  });

  it("warnings for the aws target; --strict turns them into a failure", async () => {
    const env = { PIPELINE_ACCOUNT: "123456789012", PIPELINE_TMDB_API_KEY: "tmdb-token-in-env-0001" };
    const lenient = await runCliCaptured("config validate --target aws --json", { env });
    const strict = await runCliCaptured("config validate --target aws --strict", { env });

    expect(lenient.code).toBe(0);
    expect(JSON.parse(lenient.stdout).warnings.map((w: { key: string }) => w.key)).toEqual([
      "sources.tmdb.apiKey",
      "opensearch.endpoint",
    ]);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain(
      "warning: sources.tmdb.apiKey: set: it serves in-process runs (pipeline run --stage) only, and deploy refuses it",
    );
    expect(strict.stderr).toContain("pipeline secrets set tmdb");
    expect(strict.stderr + strict.stdout).not.toContain("tmdb-token-in-env-0001");
    expect(strict.stderr).toContain("pipeline: configuration has 2 warnings and --strict is set");
  });
});

describe("config env", () => {
  it("lists the registry with the values that are set, secrets masked", async () => {
    const run = await runCliCaptured("config env --json", {
      env: { PIPELINE_TARGET: "aws", PIPELINE_NEWS_API_KEY: "news-secret-key-1234" },
    });
    const rows = JSON.parse(run.stdout) as { name: string; key: string | null; value: string | null }[];

    expect(rows.find((row) => row.name === "PIPELINE_TARGET")).toMatchObject({ key: "target", value: "aws" });
    expect(rows.find((row) => row.name === "PIPELINE_NEWS_API_KEY")?.value).toBe("****1234");
    expect(rows.find((row) => row.name === "AWS_ENDPOINT_URL")).toMatchObject({
      key: "endpoint",
      value: null,
    });
  });
});
