/**
 * `pipeline roster` as a process against an emulator this test starts (AWS_ENDPOINT_URL), with the
 * table as the stack declares it: what an operator types and sees, exit codes, stdin, and round trips.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineStack } from "../../src/pipeline/stack/index.js";
import { createEmulator, type Emulator } from "../../src/runtime/emulator/index.js";
import { bundleCli } from "../helpers/cli-bundle.js";
import { testStackParams } from "../helpers/stack-params.js";

let cli: string;
let emulator: Emulator;
let env: Record<string, string>;
const work = mkdtempSync(join(tmpdir(), "pipeline-e2e-roster-"));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function pipeline(args: string[], stdin?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: work,
      env,
      stdio: [stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
    if (stdin !== undefined) child.stdin!.end(stdin);
  });
}

beforeAll(async () => {
  [cli, emulator] = await Promise.all([
    bundleCli("roster-cli"),
    createEmulator({ port: 0, services: ["dynamodb", "dynamodbstreams", "sts"] }),
  ]);
  const client = new DynamoDBClient({
    endpoint: emulator.url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  await client.send(new CreateTableCommand(defineStack(testStackParams()).table.definition));
  client.destroy();
  env = {
    PATH: process.env["PATH"] ?? "",
    HOME: work,
    AWS_ENDPOINT_URL: emulator.url,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
  };
}, 120_000);

afterAll(async () => {
  await emulator?.stop();
  rmSync(work, { recursive: true, force: true });
  if (cli) rmSync(dirname(dirname(dirname(cli))), { recursive: true, force: true });
});

describe("pipeline roster (process)", () => {
  it("import: a bad file is exit 2 with every bad row named and nothing written", async () => {
    writeFileSync(
      join(work, "bad.csv"),
      "name,category,country,city\nAva Quill,actor,GB,London\nBo,actor,XX,Paris\n,chef,FR,Lyon\n",
    );
    const run = await pipeline(["roster", "import", "bad.csv"]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('line 3: country = "XX": country must be an ISO 3166-1 alpha-2 code');
    expect(run.stdout).toContain('line 4: name = "": a name must not be empty');
    expect(run.stdout).toContain("Nothing was written.");
    expect(run.stderr).toContain("pipeline: 2 bad row(s) in bad.csv; nothing was written");
    const list = await pipeline(["roster", "list", "--json"]);
    expect(JSON.parse(list.stdout)).toStrictEqual([]);
  }, 60_000);

  it("generate | import - from stdin, then a second import changes nothing", async () => {
    const generated = await pipeline(["roster", "generate", "--count", "30"]);
    expect(generated.code).toBe(0);
    expect(generated.stdout.split("\n")[0]).toBe(
      "id,name,category,country,city,tmdbId,wikipediaTitle,handle,newsQuery,active",
    );
    const first = await pipeline(["roster", "import", "-"], generated.stdout);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("Roster plan for stdin (30 rows): 30 to add, 0 to update, 0 unchanged");
    expect(first.stdout).toContain("Roster updated: 30 written; 0 unchanged.");
    const second = await pipeline(["roster", "import", "-", "--json"], generated.stdout);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({
      applied: false,
      plan: { add: 0, update: 0, unchanged: 30 },
    });
  }, 60_000);

  it("export round-trips, list filters, show and remove", async () => {
    const exported = await pipeline(["roster", "export", "--out", "roster.jsonl"]);
    expect(exported.code).toBe(0);
    expect(readFileSync(join(work, "roster.jsonl"), "utf8").trim().split("\n")).toHaveLength(30);
    const again = await pipeline(["roster", "import", "roster.jsonl", "--prune", "--dry-run"]);
    expect(again.stdout).toContain("0 to add, 0 to update, 30 unchanged");

    const actors = JSON.parse(
      (await pipeline(["roster", "list", "--category", "actor", "--json"])).stdout,
    ) as {
      id: string;
    }[];
    expect(actors.length).toBeGreaterThan(0);
    expect(actors.length).toBeLessThan(30);
    const shown = await pipeline(["roster", "show", "001"]);
    expect(shown.stdout).toMatch(/^name\s+Ava Quill$/m);
    const removed = await pipeline(["roster", "remove", "001"]);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain("Removed 001 (Ava Quill) from the roster of celebrity-database.");
    const unknown = await pipeline(["roster", "remove", "001"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('nobody with id "001" in the roster of celebrity-database');
  }, 60_000);

  it("plan: per source for the active roster, --json, and --count N without a table", async () => {
    // 29 active people, all with a handle (generated), on target local: 1000 requests/s, 2 workers.
    const plan = await pipeline(["roster", "plan"]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(
      "Run plan for the active roster of celebrity-database on target local: 29 people",
    );
    expect(plan.stdout).toMatch(/^SOURCE\s+REQ\/PERSON\s+REQUESTS\s+RATE\/S\s+WORKERS\s+SHARDS/m);
    expect(plan.stdout).toMatch(/^social\s+1\s+29\s+1000\s+2 of 2\s+2 x 25\s+1 s\s+1 s\s+fits$/m);
    expect(plan.stdout).toContain("social social.profile");
    expect(plan.stderr).toBe("");
    const json = JSON.parse((await pipeline(["roster", "plan", "--json"])).stdout) as {
      people: number;
      basis: string;
      fits: boolean;
      sources: { source: string; requests: number }[];
    };
    expect(json).toMatchObject({ people: 29, basis: "roster", fits: true });
    expect(json.sources.map((s) => [s.source, s.requests])).toEqual([
      ["tmdb", 58],
      ["wikipedia", 58],
      ["news", 29],
      ["social", 29],
    ]);

    // What if: 200,000 people at GDELT's 1 request per 5 s. No table is read (no AWS endpoint answers).
    writeFileSync(
      join(work, "gdelt.json"),
      // Ten workers: each at 0.02/s, so a shard of 25 no longer fits a worker's 15 minutes.
      JSON.stringify({ sources: { news: { rateLimitPerSecond: 0.2, workerConcurrency: 10 } } }),
    );
    const big = await new Promise<Run>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [cli, "roster", "plan", "--count", "200000", "--config", "gdelt.json"],
        {
          cwd: work,
          env: { ...env, AWS_ENDPOINT_URL: "http://127.0.0.1:1" },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.once("error", reject);
      child.once("close", (code) => resolve({ code, stdout, stderr }));
    });
    expect(big.code, big.stderr).toBe(0);
    expect(big.stdout).toContain("Run plan for 200000 people (--count), none with per-source ids");
    expect(big.stdout).toMatch(
      /^news\s+1\s+200000\s+0\.2\s+10 of 10\s+8000 x 25\s+20 m 50 s\s+11 d 13 h\s+does not fit the week$/m,
    );
    expect(big.stderr).toContain(
      "warning: news cannot finish within the 7 d between scheduled runs: 200000 people x 1 request(s) at 0.2/s take about 11 d 13 h; raise sources.news.rateLimitPerSecond to 0.34 or more",
    );
    expect(big.stderr).toContain("set sources.news.shardSize to 14 or less");

    const zero = await pipeline(["roster", "plan", "--count", "0"]);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain("--count");
  }, 60_000);

  it("usage errors: neither file nor --demo, a bad --count, a missing file", async () => {
    const none = await pipeline(["roster", "import"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("give the file to import");
    const count = await pipeline(["roster", "generate", "--count", "0"]);
    expect(count.code).toBe(2);
    const missing = await pipeline(["roster", "import", "nowhere.csv"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("nowhere.csv: no such file");
  }, 60_000);
});
