import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  EmulatorUnavailableError,
  EndpointUnavailableError,
  ensureLocalEndpoint,
  openAws,
} from "../../../../src/runtime/aws/index.js";
import { resolveConfig, type ResolvedConfig } from "../../../../src/runtime/config/index.js";
import { acquireStateFolder } from "../../../../src/runtime/emulator/core/state-folder.js";
import { createEmulator } from "../../../../src/runtime/emulator/index.js";

const dir = mkdtempSync(join(tmpdir(), "pipeline-endpoint-"));

function localConfig(port: number, env: Record<string, string> = {}): ResolvedConfig {
  return resolveConfig({
    cwd: dir,
    env: { PIPELINE_EMULATOR_PORT: String(port), ...env },
    readText: () => undefined,
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function health(url: string): Promise<{ emulator?: string }> {
  return (await (await fetch(`${url}/_emulator/health`)).json()) as { emulator?: string };
}

describe("ensureLocalEndpoint", () => {
  let other: Server;
  let otherPort: number;

  beforeAll(async () => {
    other = createServer((_req, res) => {
      res.writeHead(404).end("not here");
    });
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    otherPort = (other.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => other.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("uses an emulator that already answers on the configured port", async () => {
    const running = await createEmulator({ port: 0 });
    try {
      const endpoint = await ensureLocalEndpoint(localConfig(running.port), { cwd: dir });

      expect(endpoint).toMatchObject({ url: running.url, startedHere: false });
    } finally {
      await running.stop();
    }
  });

  it("starts the embedded emulator in-process when nothing listens, and stops it", async () => {
    const port = await freePort();

    const endpoint = await ensureLocalEndpoint(localConfig(port), { cwd: dir });

    expect(endpoint).toMatchObject({ url: `http://127.0.0.1:${port}`, startedHere: true });
    expect((await health(endpoint.url)).emulator).toBe("pipeline");
    await endpoint.stop();
    await expect(fetch(`${endpoint.url}/_emulator/health`)).rejects.toThrow();
  });

  it("refuses a port where another program answers", async () => {
    const attempt = ensureLocalEndpoint(localConfig(otherPort), { cwd: dir });

    await expect(attempt).rejects.toThrow(EndpointUnavailableError);
    await expect(ensureLocalEndpoint(localConfig(otherPort), { cwd: dir })).rejects.toThrow(
      `http://127.0.0.1:${otherPort} answers, but not as the pipeline emulator (GET /_emulator/health answered 404); ` +
        `free port ${otherPort} or choose another with emulator.port (env PIPELINE_EMULATOR_PORT)`,
    );
  });

  it("does not replace an explicitly configured endpoint that does not answer", async () => {
    const port = await freePort();
    const config = localConfig(4599, { AWS_ENDPOINT_URL: `http://127.0.0.1:${port}` });

    await expect(ensureLocalEndpoint(config, { cwd: dir })).rejects.toThrow(
      `nothing answers at http://127.0.0.1:${port} (endpoint from env AWS_ENDPOINT_URL)`,
    );
  });

  it("says how to fix a build without the emulator", async () => {
    const port = await freePort();
    const missing = Object.assign(new Error("Cannot find module"), { code: "ERR_MODULE_NOT_FOUND" });

    const attempt = ensureLocalEndpoint(localConfig(port), {
      cwd: dir,
      loadEmulator: () => Promise.reject(missing),
    });

    await expect(attempt).rejects.toThrow(EmulatorUnavailableError);
  });

  it("uses this checkout's emulator running on another port than configured (its state folder names it), and says so", async () => {
    const persistDir = join(dir, ".pipeline", "emulator");
    const running = await createEmulator({ port: 0, persistDir });
    try {
      const configured = await freePort();

      const endpoint = await ensureLocalEndpoint(localConfig(configured), { cwd: dir });

      expect(endpoint).toMatchObject({ url: running.url, startedHere: false });
      expect(endpoint.notice).toBe(
        `nothing answers at http://127.0.0.1:${configured} (emulator.port ${configured}), but this checkout's ` +
          `emulator runs at ${running.url} (pid ${process.pid}, state ${persistDir}): using it. ` +
          `Set PIPELINE_EMULATOR_PORT=${running.port} to make that the configured one.`,
      );
    } finally {
      await running.stop();
    }
  });

  it("refuses to start a second emulator on a state folder whose owner does not answer, naming it and the ways out", async () => {
    const persistDir = join(dir, ".pipeline", "emulator");
    const silent = await freePort();
    // A live owner (this process's claim) whose gateway does not answer: still starting, or hung.
    const lock = acquireStateFolder(persistDir);
    lock.setUrl(`http://127.0.0.1:${silent}`);
    try {
      const configured = await freePort();

      await expect(ensureLocalEndpoint(localConfig(configured), { cwd: dir })).rejects.toThrow(
        `the state folder ${persistDir} belongs to the emulator at http://127.0.0.1:${silent} (pid ${process.pid}); ` +
          `use that one (AWS_ENDPOINT_URL=http://127.0.0.1:${silent}; pipeline commands: PIPELINE_EMULATOR_PORT=${silent}), ` +
          "or give this command another state folder (emulator.persistDir, env PIPELINE_EMULATOR_PERSIST_DIR)",
      );
    } finally {
      lock.release();
    }
  });

  it("other targets pass through without a probe", async () => {
    const config = resolveConfig({
      cwd: dir,
      env: {},
      flags: { target: "localstack" },
      readText: () => undefined,
    });

    const endpoint = await ensureLocalEndpoint(config, { cwd: dir });

    expect(endpoint).toMatchObject({ url: "http://localhost:4566", startedHere: false });
  });
});

describe("openAws", () => {
  it("gives clients bound to the emulator it started, and closes both", async () => {
    const port = await freePort();
    const session = await openAws(localConfig(port), { cwd: dir });

    const sts = await session.clients.sts();
    const { GetCallerIdentityCommand } = await import("@aws-sdk/client-sts");
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    await session.close();

    expect(session.endpoint.startedHere).toBe(true);
    expect(identity.Account).toBe("000000000000");
    await expect(fetch(`http://127.0.0.1:${port}/_emulator/health`)).rejects.toThrow();
  });
});
