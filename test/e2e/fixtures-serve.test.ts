/**
 * `pipeline fixtures serve` as a process: the fixture source server on its own, as the localstack
 * compose project's `fixtures` service runs it (there with --host 0.0.0.0; here on 127.0.0.1).
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { demoRoster } from "../../src/pipeline/model/index.js";
import { bundleCli, removeCliBundle, runCli } from "../helpers/cli-bundle.js";

const DEMO_ROSTER = demoRoster();

let cli: string;
const work = mkdtempSync(join(tmpdir(), "pipeline-e2e-fixtures-"));
const env = { PATH: process.env["PATH"], HOME: work };
const running = new Set<ChildProcessWithoutNullStreams>();

beforeAll(async () => {
  cli = await bundleCli("e2e-fixtures");
});

afterEach(() => {
  // A failed test must not leave a server behind.
  for (const child of running) child.kill("SIGKILL");
  running.clear();
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  removeCliBundle(cli);
});

interface Served {
  child: ChildProcessWithoutNullStreams;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

/** Starts `pipeline fixtures serve <args>` and resolves once it says it is running. */
function serve(args: string[]): Promise<Served> {
  const child = spawn(process.execPath, [cli, "fixtures", "serve", ...args], { cwd: work, env });
  running.add(child);
  let stdout = "";
  let stderr = "";
  const exit = new Promise<number | null>((done) =>
    child.once("close", (code) => {
      running.delete(child);
      done(code);
    }),
  );
  return new Promise((resolve, reject) => {
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /running at (http:\/\/\S+)/.exec(stdout)?.[1];
      if (url && stdout.includes("Press Ctrl-C to stop.")) {
        resolve({ child, url, stdout: () => stdout, stderr: () => stderr, exit });
      }
    });
    void exit.then((code) => reject(new Error(`exited ${code} before serving: ${stdout}${stderr}`)));
  });
}

async function tmdbSearch(url: string, name: string): Promise<number> {
  const response = await fetch(`${url}/tmdb/3/search/person?query=${encodeURIComponent(name)}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { total_results: number }).total_results;
}

describe("pipeline fixtures serve", () => {
  it("serves whoever it is asked about, except the --not-found names, prints each source's base URL, stops on Ctrl-C", async () => {
    const served = await serve(["--port", "0", "--not-found", DEMO_ROSTER[3]!.name, "--not-found", "Nobody"]);
    const { port } = new URL(served.url);

    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(served.stdout()).toContain(
      `(listening on 127.0.0.1:${port}, any roster, pid ${served.child.pid})`,
    );
    expect(served.stdout()).toMatch(new RegExp(`^  tmdb +${served.url}/tmdb$`, "m"));
    expect(served.stdout()).toMatch(
      new RegExp(`^  wikipedia +${served.url}/wikipedia {3}aux ${served.url}/wikipedia/aux$`, "m"),
    );
    const [first, fourth] = [DEMO_ROSTER[0]!, DEMO_ROSTER[3]!];
    expect(await tmdbSearch(served.url, first.name)).toBe(1);
    expect(await tmdbSearch(served.url, "Someone Not On Any Roster")).toBe(1);
    // A --not-found name: the API's own empty search answer.
    expect(await tmdbSearch(served.url, fourth.name)).toBe(0);
    const summary = await fetch(
      `${served.url}/wikipedia/api/rest_v1/page/summary/${encodeURIComponent(first.name)}`,
    );
    expect(summary.status).toBe(200);
    await summary.arrayBuffer();
    // Its own counters: three TMDB searches and one summary, each source's busiest second.
    expect(served.stdout()).toContain(`${served.url}/_fixtures/stats (JSON)`);
    const stats = (await (await fetch(`${served.url}/_fixtures/stats`)).json()) as {
      bySource: Record<string, number>;
      peakPerSecond: Record<string, number>;
    };
    expect(stats.bySource).toEqual({ tmdb: 3, wikipedia: 1, news: 0, social: 0 });
    expect(stats.peakPerSecond.tmdb).toBeGreaterThanOrEqual(1);
    expect(stats.peakPerSecond.tmdb).toBeLessThanOrEqual(3);

    served.child.kill("SIGINT");
    expect(await served.exit).toBe(130);
    expect(served.stdout()).toContain("fixture source server stopped");
    expect(served.stdout()).toContain("4 source request(s); per source, the most in any one second:");
    expect(served.stdout()).toMatch(/^ {2}wikipedia +1 requests, busiest second 1$/m);
    await expect(fetch(`${served.url}/health`)).rejects.toThrow();
  });

  it("stops on SIGTERM (docker compose down) with exit 0", async () => {
    const served = await serve(["--port", "0"]);
    expect(served.stdout()).toContain(", any roster,");
    expect((await fetch(`${served.url}/health`)).status).toBe(200);

    served.child.kill("SIGTERM");
    expect(await served.exit).toBe(0);
    expect(served.stdout()).toContain("fixture source server stopped");
  });

  it("a bad --port is a usage error (exit 2) naming the range", async () => {
    const run = await runCli(cli, ["fixtures", "serve", "--port", "70000"], { cwd: work, env });

    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("--port");
    expect(run.stderr).toContain("expected an integer from 0 to 65535");
  });

  it("a port in use: exit 2, saying so and naming --port", async () => {
    const taken = createServer();
    await new Promise<void>((done) => taken.listen(0, "127.0.0.1", done));
    const { port } = taken.address() as AddressInfo;
    try {
      const run = await runCli(cli, ["fixtures", "serve", "--port", String(port)], { cwd: work, env });

      expect(run.code).toBe(2);
      expect(run.stderr).toBe(`pipeline: port ${port} is in use; choose another with --port\n`);
    } finally {
      await new Promise((done) => taken.close(done));
    }
  });

  it("--help shows the options and examples", async () => {
    const run = await runCli(cli, ["fixtures", "serve", "--help"], { cwd: work, env });

    expect(run.code).toBe(0);
    expect(run.stdout).toContain("--host <host>");
    expect(run.stdout).toContain("--not-found <name>");
    expect(run.stdout).toContain("$ pipeline fixtures serve --host 0.0.0.0 --port 4598");
  });
});
