/**
 * `pipeline run` as a process, on a fresh folder: the CLI starts the embedded emulator and the
 * fixture source server for itself (as `make demo` does on a fresh clone), keeps the emulator's
 * state in the folder between commands, and refuses bad input with exit 2 before starting anything.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleCli } from "../helpers/cli-bundle.js";

let cli: string;
let env: Record<string, string>;
const work = mkdtempSync(join(tmpdir(), "pipeline-e2e-run-"));

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

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

beforeAll(async () => {
  cli = await bundleCli("run-cli");
  env = {
    PATH: process.env["PATH"] ?? "",
    HOME: work,
    PIPELINE_EMULATOR_PORT: String(await freePort()),
    PIPELINE_FIXTURES_PORT: String(await freePort()),
  };
}, 120_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  // bundleCli writes <base>/dist/commands/main.mjs
  if (cli) rmSync(dirname(dirname(dirname(cli))), { recursive: true, force: true });
});

describe("pipeline run (process)", () => {
  it("run --stage scrape --source tmdb --json starts what it needs and reports as JSON", async () => {
    const run = await pipeline(["run", "--stage", "scrape", "--source", "tmdb", "--limit", "10", "--json"]);
    expect(run.stderr).toContain("started the embedded emulator");
    // The local target's empty roster is seeded with the demo people, said in one line.
    expect(run.stderr).toContain("the roster was empty: imported the 100 invented demo people");
    expect(run.stderr).toContain("started the fixture source server");
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as {
      ok: boolean;
      created: string[];
      summaries: {
        source: string;
        read: number;
        written: number;
        failed: number;
        correlationId: string;
        logs: unknown[];
      }[];
    };
    expect(report.ok).toBe(true);
    expect(report.created).toEqual(["table celebrity-database", "roster of 100 demo people"]);
    expect(report.summaries).toHaveLength(1);
    expect(report.summaries[0]).toMatchObject({ source: "tmdb", read: 10, written: 10, failed: 0 });
    expect(report.summaries[0]!.correlationId).toMatch(/.+/);
    expect(report.summaries[0]!.logs.length).toBeGreaterThan(0);
  }, 120_000);

  it("run --stage post-process --event - takes a generated batch from standard input", async () => {
    const generated = await pipeline(["events", "generate", "stream", "--count", "3"]);
    expect(generated.code).toBe(0);
    const run = await pipeline(["run", "--stage", "post-process", "--event", "-"], generated.stdout);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/post-process\s+post-processor\s+1\s+3\s+/);
    expect(run.stdout).toMatch(/done in \d+\.\d s/);
  }, 120_000);

  it("refuses a bad event file and a bad stage with exit 2, naming the fix, before starting anything", async () => {
    writeFileSync(
      join(work, "scheduled.json"),
      JSON.stringify({ "detail-type": "Scheduled Event", id: "x" }),
    );
    const wrongShape = await pipeline(["run", "--stage", "index-sync", "--event", "scheduled.json"]);
    expect(wrongShape.code).toBe(2);
    expect(wrongShape.stderr).toContain(
      "the event has no Records array; index-sync takes a DynamoDB stream batch",
    );
    expect(wrongShape.stderr).not.toContain("started the embedded emulator");
    expect(wrongShape.stderr).not.toMatch(/\n\s+at /);

    const stage = await pipeline(["run", "--stage", "enrich"]);
    expect(stage.code).toBe(2);
    expect(stage.stderr).toContain("Allowed choices are scrape, post-process, index-sync, all");
    expect(stage.stdout).toBe("");
  }, 120_000);
});
