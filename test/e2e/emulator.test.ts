/**
 * `pipeline emulator start --detach | status | stop` as processes: the detached emulator outlives
 * the CLI that started it, answers SDK calls, and stops by its PID file. One emulator per state
 * folder; `--in-memory` runs one without any.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateQueueCommand, ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readPidFile, isProcessAlive } from "../../src/runtime/emulator-process/index.js";
import { removeCliBundle, bundleCli } from "../helpers/cli-bundle.js";

let cli: string;
const work = mkdtempSync(join(tmpdir(), "pipeline-e2e-emulator-"));
const stateDir = join(work, ".pipeline");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function pipeline(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    // Not spawnSync: the detached child inherits no pipe, so the CLI's exit is what ends the run.
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: work,
      env: { PATH: process.env["PATH"] ?? "", HOME: work, ...sourcesAnswer(), ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Something answering where the scrapers' sources point (fixtures.port): `emulator start` warns
 * when nothing does (honest-signals.test.ts covers that), and these tests expect a quiet stderr.
 */
let sources: Server;
const sourcesAnswer = () => ({ PIPELINE_FIXTURES_PORT: String((sources.address() as AddressInfo).port) });

beforeAll(async () => {
  sources = createServer((_req, res) => res.end("ok"));
  await new Promise<void>((done) => sources.listen(0, "127.0.0.1", done));
  cli = await bundleCli("e2e-emulator");
});

afterAll(() => {
  sources?.close();
  // Whatever a failed assertion left running is stopped here.
  const left = readPidFile(stateDir);
  if (left && isProcessAlive(left.pid)) process.kill(left.pid, "SIGKILL");
  rmSync(work, { recursive: true, force: true });
  removeCliBundle(cli);
});

describe("pipeline emulator (the CLI as a process)", () => {
  it("start --detach, status, an SDK call, stop, status", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;

    const start = await pipeline(["emulator", "start", "--detach", "--port", String(port)]);
    expect(start.stderr).toBe("");
    expect(start.code).toBe(0);
    expect(start.stdout).toContain(`emulator running at ${url}`);
    expect(start.stdout).toContain(`export AWS_ENDPOINT_URL=${url}`);
    expect(start.stdout).toContain("export AWS_ACCESS_KEY_ID=test");
    const pidFile = readPidFile(stateDir);
    expect(pidFile).toMatchObject({ port, url });
    expect(isProcessAlive(pidFile!.pid)).toBe(true);
    // The detached emulator runs with malloc giving freed memory back (core/host-memory.ts).
    if (process.platform === "linux") {
      const environ = readFileSync(`/proc/${pidFile!.pid}/environ`, "utf8").split("\0");
      expect(environ).toContain("MALLOC_TRIM_THRESHOLD_=65536");
    }

    const status = await pipeline(["emulator", "status", "--json"]);
    const report = JSON.parse(status.stdout) as {
      running: boolean;
      pid: number;
      services: Record<string, string>;
    };
    expect(report).toMatchObject({ running: true, detached: true, pid: pidFile!.pid, url });
    expect(report.services).toMatchObject({ dynamodb: "running", sqs: "running", lambda: "running" });
    expect(report).toMatchObject({ persistence: join(work, ".pipeline", "emulator") });
    expect(typeof (report as { uptimeSeconds?: unknown }).uptimeSeconds).toBe("number");

    // LocalStack's readiness probe answers too, so LocalStack wait code can be tested against it.
    const ready = await fetch(`${url}/_localstack/init/ready`);
    expect(await ready.json()).toEqual({ completed: true, scripts: [] });

    const sqs = new SQSClient({
      endpoint: url,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    try {
      await sqs.send(new CreateQueueCommand({ QueueName: "e2e-detached" }));
      const listed = await sqs.send(new ListQueuesCommand({}));
      expect(listed.QueueUrls?.some((queueUrl) => queueUrl.endsWith("/e2e-detached"))).toBe(true);
    } finally {
      sqs.destroy();
    }

    const stop = await pipeline(["emulator", "stop"]);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toBe(`emulator stopped (pid ${pidFile!.pid}, ${url})\n`);
    expect(isProcessAlive(pidFile!.pid)).toBe(false);
    expect(readPidFile(stateDir)).toBeUndefined();

    const after = await pipeline(["emulator", "status", "--json"]);
    expect(JSON.parse(after.stdout)).toMatchObject({ running: false, state: "not-running" });
  }, 120_000);

  it("start --detach --json and stop --json print only JSON on stdout, for scripts", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const start = await pipeline(["emulator", "start", "--detach", "--port", String(port), "--json"]);
    expect(start.code).toBe(0);
    const started = JSON.parse(start.stdout) as {
      endpoint: string;
      pid: number;
      env: Record<string, string>;
    };
    expect(started).toMatchObject({ endpoint: url, detached: true, region: "us-east-1" });
    expect(started.env).toEqual({
      AWS_ENDPOINT_URL: url,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_REGION: "us-east-1",
    });
    expect(isProcessAlive(started.pid)).toBe(true);
    // The human lines still reach the operator, on stderr.
    expect(start.stderr).toContain(`emulator running at ${url}`);

    const stop = await pipeline(["emulator", "stop", "--json"]);
    expect(stop.code).toBe(0);
    expect(JSON.parse(stop.stdout)).toEqual({ outcome: "stopped", pid: started.pid, endpoint: url });
    expect(isProcessAlive(started.pid)).toBe(false);

    const again = await pipeline(["emulator", "stop", "--json"]);
    expect(JSON.parse(again.stdout)).toEqual({ outcome: "not-running" });
  }, 120_000);

  it("start in the foreground prints the endpoint and stops cleanly on Ctrl-C", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, [cli, "emulator", "start", "--port", String(port)], {
      cwd: work,
      env: { PATH: process.env["PATH"] ?? "", HOME: work, ...sourcesAnswer() },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.once("close", (code) => done(code)));
    try {
      await waitFor(() => stdout.includes("Press Ctrl-C to stop."), 60_000);
      expect(stdout).toContain(`emulator running at ${url} (pid ${child.pid})`);
      expect(stdout).toContain(`export AWS_ENDPOINT_URL=${url}`);
      expect(stdout).toContain("export AWS_REGION=us-east-1");
      const health = (await (await fetch(`${url}/_emulator/health`)).json()) as { pid: number };
      expect(health.pid).toBe(child.pid);

      child.kill("SIGINT");
      expect(await exited).toBe(130);
      expect(stdout).toContain("emulator stopped");
      await expect(fetch(`${url}/_emulator/health`)).rejects.toThrow();
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 120_000);

  it("a port held by another program is refused in one line, naming --port", async () => {
    const server: Server = createServer((_req, res) => res.writeHead(404).end("not an emulator"));
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    const { port } = server.address() as AddressInfo;
    try {
      const run = await pipeline(["emulator", "start", "--detach", "--port", String(port)]);

      expect(run.code).toBe(2);
      expect(run.stderr).toBe(
        `pipeline: port ${port} is in use by another program (GET /_emulator/health answered HTTP 404); ` +
          "choose another with --port\n",
      );
      expect(readPidFile(stateDir)).toBeUndefined();
    } finally {
      await new Promise((done) => server.close(done));
    }
  });

  it("a second emulator on the same state folder is refused (exit 2) naming the folder, the running one's URL and pid and the ways out; a command on another port uses the running one and says so; a killed owner's claim is taken over", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const folder = join(work, ".pipeline", "emulator");
    const start = await pipeline(["emulator", "start", "--detach", "--port", String(port)]);
    expect(start.code).toBe(0);
    const owner = readPidFile(stateDir)!;
    const second = await freePort();
    const refusal =
      `pipeline: the state folder ${folder} belongs to the emulator at ${url} (pid ${owner.pid}); ` +
      `use that one (AWS_ENDPOINT_URL=${url}; pipeline commands: PIPELINE_EMULATOR_PORT=${port}), ` +
      "or start this one on another folder (--persist <dir>, or --in-memory for none)\n";

    try {
      const foreground = await pipeline(["emulator", "start", "--port", String(second)]);
      const detached = await pipeline(["emulator", "start", "--detach", "--port", String(second)]);
      // The case: a command configured for another port, in the same checkout.
      const command = await pipeline(["dlq", "list"], { PIPELINE_EMULATOR_PORT: String(second) });

      expect(foreground).toMatchObject({ code: 2, stdout: "", stderr: refusal });
      expect(detached).toMatchObject({ code: 2, stdout: "", stderr: refusal });
      await expect(fetch(`http://127.0.0.1:${second}/_emulator/health`)).rejects.toThrow();
      expect(command.code).toBe(0);
      expect(command.stderr).toContain(
        `nothing answers at http://127.0.0.1:${second} (emulator.port ${second}), but this checkout's emulator ` +
          `runs at ${url} (pid ${owner.pid}, state ${folder}): using it. Set PIPELINE_EMULATOR_PORT=${port}`,
      );
      expect(command.stdout).toContain("celebrity-scraper-dlq");
      expect(command.stderr).not.toContain("started the embedded emulator");
    } finally {
      process.kill(owner.pid, "SIGKILL");
    }
    await waitFor(() => !isProcessAlive(owner.pid), 10_000);

    // kill -9 left its claim behind; the next emulator takes it over.
    const after = await pipeline(["emulator", "start", "--detach", "--port", String(second)]);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain(`emulator running at http://127.0.0.1:${second}`);
    expect(await pipeline(["emulator", "stop"])).toMatchObject({ code: 0 });
  }, 180_000);

  it("start --in-memory keeps no state folder (nothing written, health persistence null); with --persist it is refused", async () => {
    const port = await freePort();
    const folder = join(work, "in-memory-check");
    const child = spawn(process.execPath, [cli, "emulator", "start", "--in-memory", "--port", String(port)], {
      cwd: work,
      env: {
        PATH: process.env["PATH"] ?? "",
        HOME: work,
        PIPELINE_EMULATOR_PERSIST_DIR: folder,
        ...sourcesAnswer(),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.once("close", (code) => done(code)));
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitFor(() => stdout.includes("Press Ctrl-C to stop."), 60_000);
      expect(stdout).toContain("State: in memory (--in-memory): nothing is kept after it stops");
      const health = (await (await fetch(`${url}/_emulator/health`)).json()) as { persistence: unknown };
      expect(health.persistence).toBeNull();
      const sqs = new SQSClient({
        endpoint: url,
        region: "us-east-1",
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
      });
      try {
        await sqs.send(new CreateQueueCommand({ QueueName: "in-memory" }));
        expect((await sqs.send(new ListQueuesCommand({}))).QueueUrls).toHaveLength(1);
      } finally {
        sqs.destroy();
      }
      // Nothing was written: not the configured folder, not one of its own.
      expect(existsSync(folder)).toBe(false);

      child.kill("SIGINT");
      expect(await exited).toBe(130);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }

    const both = await pipeline(["emulator", "start", "--in-memory", "--persist", "state"]);
    expect(both).toMatchObject({
      code: 2,
      stderr: "pipeline: --in-memory keeps no state folder and --persist state names one; give one of them\n",
    });
  }, 120_000);

  it("a PID file whose process is gone is reported stale, and stop removes it", async () => {
    mkdirSync(stateDir, { recursive: true });
    // A process that has exited: its pid is free (or reused by something that is not an emulator).
    const gone = spawn(process.execPath, ["-e", ""]);
    await new Promise((done) => gone.once("exit", done));
    writeFileSync(
      join(stateDir, "emulator.json"),
      JSON.stringify({ pid: gone.pid, port: 1, url: "http://127.0.0.1:1", logFile: "x", startedAt: "" }),
    );

    const status = await pipeline(["emulator", "status"]);
    const stop = await pipeline(["emulator", "stop"]);

    expect(status.stdout).toMatch(/^not running \(stale PID file: the PID file names process \d+/);
    expect(stop.stdout).toBe(`no emulator was running (removed the stale PID file for pid ${gone.pid})\n`);
    expect(readPidFile(stateDir)).toBeUndefined();
  });
});
