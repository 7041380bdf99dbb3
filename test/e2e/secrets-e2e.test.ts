/**
 * Keys stay secret: the stack deployed into an in-process emulator with a fixture server whose
 * TMDB demands a bearer token (401 otherwise, as TMDB answers). `pipeline secrets set tmdb` reads
 * the key from a pipe and stores it as a SecureString; the deployed tmdb scraper reads it at cold
 * start and its requests pass. The key appears in no function configuration, no log line, no
 * `config show` / `secrets list` / `doctor` output. A key in the configuration is refused by deploy.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeLogGroupsCommand, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { GetFunctionConfigurationCommand, InvokeCommand } from "@aws-sdk/client-lambda";
import { GetParameterCommand } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualScrapeEvent } from "../../src/pipeline/handlers/scrape.js";
import { HANDLER_ENV } from "../../src/pipeline/stack/index.js";
import { readRunProgress } from "../../src/pipeline/stages/run-progress.js";
import { bundleCli, removeCliBundle, runCli, type CliRun } from "../helpers/cli-bundle.js";
import { PROJECT_ROOT, startDeployedStack, type DeployedStack } from "../helpers/deployed-stack.js";

// Invented, shaped like TMDB's read access token (a JWT).
const TOKEN =
  "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzZWNyZXRzLWUyZSIsInNjb3BlcyI6WyJhcGlfcmVhZCJdfQ.ZTJlLWludmVudGVk";

let deployed: DeployedStack;
let cli: string;
const work = mkdtempSync(join(tmpdir(), "pipeline-e2e-secrets-"));
const outputs: CliRun[] = [];

function env(extra: Record<string, string> = {}) {
  return {
    PATH: process.env["PATH"] ?? "",
    HOME: work,
    PIPELINE_TARGET: "local",
    PIPELINE_FIXTURES_PORT: String(deployed.fixtures.port),
    PIPELINE_ROSTER_SIZE: "4",
    AWS_REGION: deployed.emulator.region,
    ...extra,
  };
}

async function pipeline(args: string[], options: { input?: string; env?: Record<string, string> } = {}) {
  const run = await runCli(cli, [...args, "--endpoint-url", deployed.emulator.url], {
    cwd: PROJECT_ROOT,
    env: env(options.env),
    ...(options.input === undefined ? {} : { input: options.input }),
  });
  outputs.push(run);
  return run;
}

async function scrapeTmdb(runId: string): Promise<{ fetched: number; failed: number }> {
  const lambda = await deployed.clients.lambda();
  const answer = await lambda.send(
    new InvokeCommand({
      FunctionName: deployed.stack.functions["scraper-tmdb"].name,
      Payload: JSON.stringify(manualScrapeEvent({ id: `${runId}-event`, runId })),
    }),
  );
  const payload = JSON.parse(Buffer.from(answer.Payload ?? []).toString("utf8")) as {
    record?: { status?: string; shards?: number };
  };
  expect(answer.FunctionError, JSON.stringify(payload)).toBeUndefined();
  expect(payload.record).toMatchObject({ status: "planned", shards: 1 });
  // The planner answered; its workers scrape the shard from the work queue: wait for the run.
  const dynamodb = await deployed.clients.dynamodb();
  const deadline = Date.now() + 60_000;
  for (;;) {
    const tmdb = (await readRunProgress(dynamodb, deployed.stack.table.name, runId)).get("tmdb");
    if (tmdb?.complete) return tmdb.counts;
    if (Date.now() > deadline) throw new Error(`run ${runId} did not complete: ${JSON.stringify(tmdb)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

beforeAll(async () => {
  [deployed, cli] = await Promise.all([
    startDeployedStack({ rosterSize: 4, fixtureOptions: { tmdbToken: TOKEN } }),
    bundleCli("e2e-secrets"),
  ]);
}, 240_000);

afterAll(async () => {
  await deployed?.stop();
  removeCliBundle(cli);
  rmSync(work, { recursive: true, force: true });
});

describe("pipeline secrets", () => {
  it("without the key, TMDB refuses every request of the deployed scraper", async () => {
    expect(await scrapeTmdb("secrets-before")).toMatchObject({ fetched: 0, failed: 4 });
  });

  it("secrets set reads the key from stdin, never from a flag, and stores it as a SecureString", async () => {
    const flag = await pipeline(["secrets", "set", "tmdb", "--value", TOKEN]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("unknown option '--value'");
    const empty = await pipeline(["secrets", "set", "tmdb"], { input: "" });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("the tmdb API key is empty: nothing was stored");
    const unknown = await pipeline(["secrets", "set", "imdb"], { input: TOKEN });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("imdb");

    const set = await pipeline(["secrets", "set", "tmdb", "--json"], { input: `${TOKEN}\n` });
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({
      source: "tmdb",
      parameter: "/celebrity-pipeline/tmdb/api-key",
      version: 1,
    });
    const ssm = await deployed.clients.ssm();
    const stored = await ssm.send(
      new GetParameterCommand({ Name: "/celebrity-pipeline/tmdb/api-key", WithDecryption: true }),
    );
    expect(stored.Parameter).toMatchObject({ Type: "SecureString", Value: TOKEN });

    const list = await pipeline(["secrets", "list", "--json"]);
    const { keys } = JSON.parse(list.stdout) as {
      keys: { source: string; set: boolean; type?: string; lastChanged?: string }[];
    };
    expect(keys.find((k) => k.source === "tmdb")).toMatchObject({ set: true, type: "SecureString" });
    expect(Date.parse(keys.find((k) => k.source === "tmdb")!.lastChanged!)).not.toBeNaN();
    expect(keys.find((k) => k.source === "news")).toMatchObject({ set: false });
    const plain = await pipeline(["secrets", "list"]);
    expect(plain.stdout).toMatch(/^tmdb +\/celebrity-pipeline\/tmdb\/api-key +set +\d{4}-/m);
  });

  it("the deployed scraper reads the key at cold start and TMDB answers", async () => {
    // A new key reaches new instances at once: the emulator's function instances are fresh after an update.
    const lambda = await deployed.clients.lambda();
    const fn = deployed.stack.functions["scraper-tmdb"];
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn.name }));
    expect(config.Environment?.Variables?.[HANDLER_ENV.sourceApiKeyParameter]).toBe(
      "/celebrity-pipeline/tmdb/api-key",
    );
    expect(await scrapeTmdb("secrets-after")).toMatchObject({ fetched: 4, failed: 0 });
  }, 120_000);

  it("the key appears in no function configuration, log line, or command output", async () => {
    const lambda = await deployed.clients.lambda();
    for (const fn of Object.values(deployed.stack.functions)) {
      const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn.name }));
      expect(JSON.stringify(config)).not.toContain(TOKEN);
      expect(config.Environment?.Variables?.[HANDLER_ENV.sourceApiKey]).toBeUndefined();
    }
    const logs = await deployed.clients.logs();
    const { logGroups = [] } = await logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: "/aws/lambda/" }),
    );
    let events = 0;
    for (const group of logGroups) {
      let token: string | undefined;
      do {
        const page = await logs.send(
          new FilterLogEventsCommand({ logGroupName: group.logGroupName, nextToken: token }),
        );
        for (const event of page.events ?? []) {
          events += 1;
          expect(event.message).not.toContain(TOKEN);
        }
        token = page.nextToken;
      } while (token);
    }
    expect(events).toBeGreaterThan(0);

    const show = await pipeline(["config", "show"]);
    const showJson = await pipeline(["config", "show", "--json"]);
    expect(show.code).toBe(0);
    expect(showJson.code).toBe(0);
    const doctor = await pipeline(["doctor", "--json"]);
    expect(JSON.parse(doctor.stdout).findings.map((f: { code: string }) => f.code)).not.toContain(
      "secret-in-environment",
    );
    for (const run of outputs) {
      expect(run.stdout).not.toContain(TOKEN);
      expect(run.stderr).not.toContain(TOKEN);
    }
  }, 120_000);

  it("a key in the configuration: deploy refuses it, naming pipeline secrets set; run --stage still uses it", async () => {
    const refused = await pipeline(["deploy", "--yes"], { env: { PIPELINE_TMDB_API_KEY: TOKEN } });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("sources.tmdb.apiKey is set in the configuration");
    expect(refused.stderr).toContain("pipeline secrets set tmdb");
    expect(refused.stderr).not.toContain(TOKEN);

    const run = await pipeline(["run", "--stage", "scrape", "--source", "tmdb", "--json"], {
      env: { PIPELINE_TMDB_API_KEY: TOKEN },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toContain(TOKEN);
    const summaries = (text: string) =>
      (JSON.parse(text) as { summaries: { source?: string; read: number; failed: number }[] }).summaries;
    expect(summaries(run.stdout)).toEqual([expect.objectContaining({ source: "tmdb", read: 4, failed: 0 })]);
    // The configured key is the one used (before the parameter): a wrong one fails every request.
    const wrong = await pipeline(["run", "--stage", "scrape", "--source", "tmdb", "--json"], {
      env: { PIPELINE_TMDB_API_KEY: "not-the-token" },
    });
    expect(summaries(wrong.stdout)).toEqual([
      expect.objectContaining({ source: "tmdb", read: 0, failed: 4 }),
    ]);
  }, 120_000);
});
