/**
 * `pipeline localstack` as a process. No Docker here: the docker-missing path is tested with a PATH
 * that holds no docker, and the health wait against the emulator, which serves LocalStack's
 * /_localstack/health and /_localstack/init/ready.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../src/runtime/emulator/index.js";
import { bundleCli, removeCliBundle, runCli } from "../helpers/cli-bundle.js";

let cli: string;
let emulator: Emulator;
const work = mkdtempSync(join(tmpdir(), "pipeline-e2e-localstack-"));
// A PATH without docker or docker-compose (the CLI runs from process.execPath, it needs no PATH).
const noDockerPath = join(work, "bin");

function pipeline(args: string[], env: Record<string, string> = {}) {
  return runCli(cli, args, { cwd: work, env: { PATH: noDockerPath, HOME: work, ...env } });
}

beforeAll(async () => {
  [cli, emulator] = await Promise.all([bundleCli("e2e-localstack"), createEmulator()]);
});

afterAll(async () => {
  await emulator?.stop();
  rmSync(work, { recursive: true, force: true });
  removeCliBundle(cli);
});

describe("pipeline localstack without Docker", () => {
  it("up says in one line that Docker is missing and names the alternative", async () => {
    const run = await pipeline(["localstack", "up"]);

    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      "pipeline: Docker is not installed (no docker on PATH); without Docker, use the embedded emulator: " +
        "--target local (or: pipeline emulator start)\n",
    );
  });

  it("down says the same", async () => {
    const run = await pipeline(["localstack", "down"]);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^pipeline: Docker is not installed \(no docker on PATH\); .*--target local.*\n$/,
    );
  });
});

describe("pipeline localstack status", () => {
  it("--wait --json: ready against an endpoint serving LocalStack's health and init endpoints", async () => {
    const run = await pipeline(["localstack", "status", "--wait", "--json", "--endpoint-url", emulator.url]);

    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({
      endpoint: emulator.url,
      endpointFrom: "flag --endpoint-url",
      reachable: true,
      ready: true,
      waitingFor: null,
      server: "pipeline-emulator",
      init: { completed: true, scripts: [] },
      containers: { unavailable: expect.stringContaining("Docker is not installed") as unknown },
    });
    expect(report["services"]).toMatchObject({
      dynamodb: "running",
      lambda: "running",
      opensearch: "running",
    });
  });

  it("the endpoint comes from target localstack's config (AWS_ENDPOINT_URL here), plain text when piped", async () => {
    const run = await pipeline(["localstack", "status"], { AWS_ENDPOINT_URL: emulator.url });

    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `the pipeline emulator (LocalStack-compatible health) at ${emulator.url} (env AWS_ENDPOINT_URL): ready`,
    );
    expect(run.stdout).toMatch(/^sqs {2,}running$/m);
    expect(run.stdout).toContain("Init hooks (ready.d): completed");
    expect(run.stdout).not.toContain("\u001b[");
  });

  it("--wait gives up at --timeout with exit 1, naming what it waited for", async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, "127.0.0.1", done));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((done) => closed.close(done));

    const run = await pipeline(["localstack", "status", "--wait", "--timeout", "1", "--endpoint-url", url]);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`LocalStack at ${url} (flag --endpoint-url): not reachable`);
    expect(run.stderr).toContain(
      `pipeline: LocalStack at ${url} was not ready within 1 s (still waiting for the health endpoint: ` +
        "connection refused (nothing listens there))",
    );
  });
});

describe("pipeline localstack up with Docker", () => {
  // Docker cannot run here: a recording double of the docker CLI stands in for it, and a small
  // server answers LocalStack's health and init endpoints the way a starting LocalStack does.
  const dockerBin = join(work, "docker-bin");
  const calls = join(work, "docker-calls.txt");
  let server: Server;
  let url: string;
  let probes = 0;

  beforeAll(async () => {
    mkdirSync(dockerBin, { recursive: true });
    writeFileSync(
      join(dockerBin, "docker"),
      `#!/bin/sh\necho "$* token=$LOCALSTACK_AUTH_TOKEN" >> ${JSON.stringify(calls)}\n`,
    );
    chmodSync(join(dockerBin, "docker"), 0o755);
    server = createServer((req, res) => {
      res.setHeader("content-type", "application/json");
      if (req.url === "/_localstack/health") {
        probes += 1;
        const state = probes < 2 ? "starting" : "available";
        const services = Object.fromEntries(
          [
            "dynamodb",
            "dynamodbstreams",
            "sqs",
            "events",
            "lambda",
            "logs",
            "cloudwatch",
            "iam",
            "sts",
            "opensearch",
          ].map((name) => [name, name === "lambda" ? state : "available"]),
        );
        res.end(JSON.stringify({ services, edition: "pro", version: "4.12.0" }));
      } else if (req.url === "/_localstack/init/ready") {
        res.end(
          JSON.stringify({
            completed: true,
            scripts: [{ stage: "READY", name: "01-opensearch-domain.sh", state: "SUCCESSFUL" }],
          }),
        );
      } else res.writeHead(404).end("{}");
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((done) => server.close(done));
  });

  it("runs docker compose up -d on the compose file, passes the auth token through, waits until ready", async () => {
    const run = await runCli(cli, ["localstack", "up", "--json", "--endpoint-url", url], {
      cwd: work,
      // The LocalStack double also stands in for the compose project's fixtures service port.
      env: {
        PATH: dockerBin,
        HOME: work,
        LOCALSTACK_AUTH_TOKEN: "ls-token-123",
        PIPELINE_FIXTURES_PORT: new URL(url).port,
      },
    });

    expect(run.stderr).not.toContain("pipeline:");
    expect(run.code).toBe(0);
    // No compose file in the working folder: the one shipped with the CLI, found above its bundle.
    const composeFile = (JSON.parse(run.stdout) as { composeFile: string }).composeFile;
    expect(composeFile).toMatch(/\/localstack\/docker-compose\.yml$/);
    expect(readFileSync(composeFile, "utf8")).toBe(
      readFileSync(join(process.cwd(), "localstack", "docker-compose.yml"), "utf8"),
    );
    expect(readFileSync(calls, "utf8").trim().split("\n")).toEqual([
      "compose version token=ls-token-123",
      "compose version token=ls-token-123",
      `compose -f ${composeFile} up -d token=ls-token-123`,
    ]);
    expect(JSON.parse(run.stdout)).toMatchObject({
      endpoint: url,
      ready: true,
      server: "localstack",
      version: "4.12.0",
      composeFile,
      init: { completed: true, scripts: [{ name: "01-opensearch-domain.sh", state: "SUCCESSFUL" }] },
      fixtureSources: { url: `http://127.0.0.1:${new URL(url).port}`, ready: true },
    });
    expect(run.stderr).toContain("waiting for services: lambda (starting)");
  });
});
