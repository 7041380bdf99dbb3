/**
 * The LocalStack health wait: against the pipeline emulator (which serves LocalStack's health and
 * init endpoints), against a small double that walks through LocalStack's start-up states, and
 * against nothing. Time is injected: `sleep` advances the clock, so deadlines cost no real time.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../../src/runtime/emulator/index.js";
import {
  LocalStackNotReadyError,
  probeLocalStack,
  readiness,
  waitForLocalStack,
  type WaitProgress,
} from "../../../src/runtime/localstack/index.js";

function fakeTime() {
  let now = 0;
  return { now: () => now, sleep: async (ms: number) => void (now += ms) };
}

let emulator: Emulator;

beforeAll(async () => {
  emulator = await createEmulator({ services: ["sts", "sqs"] });
});

afterAll(async () => {
  await emulator.stop();
});

describe("waitForLocalStack against the emulator", () => {
  it("is ready when the required services run and the init hooks completed", async () => {
    const ready = await waitForLocalStack(emulator.url, {
      deadlineMs: 5000,
      requiredServices: ["sqs", "sts"],
      ...fakeTime(),
    });

    expect(ready.probe).toMatchObject({
      reachable: true,
      server: "pipeline-emulator",
      services: { sqs: "running", sts: "running" },
      init: { completed: true, scripts: [] },
    });
  });

  it("names the services still missing when the deadline passes", async () => {
    const progress: WaitProgress[] = [];
    const error = await waitForLocalStack(emulator.url, {
      deadlineMs: 3000,
      intervalMs: 1000,
      requiredServices: ["sqs", "lambda", "opensearch"],
      onProgress: (step) => progress.push(step),
      ...fakeTime(),
    }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(LocalStackNotReadyError);
    expect((error as Error).message).toBe(
      `LocalStack at ${emulator.url} was not ready within 3 s ` +
        "(still waiting for services: lambda (missing), opensearch (missing))",
    );
    expect(progress.map((step) => step.elapsedMs)).toEqual([0, 1000, 2000, 3000]);
  });
});

describe("waitForLocalStack through LocalStack's start-up states", () => {
  let server: Server;
  let url: string;
  let probes = 0;
  let initScripts: { stage: string; name: string; state: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      res.setHeader("content-type", "application/json");
      if (req.url === "/_localstack/health") {
        probes += 1;
        // starting for two probes, then every service available (LocalStack starts them lazily)
        const state = probes <= 2 ? "starting" : "available";
        res.end(
          JSON.stringify({ services: { sqs: state, sts: "running" }, edition: "pro", version: "4.12.0" }),
        );
      } else if (req.url === "/_localstack/init/ready") {
        const completed = probes >= 4;
        res.end(JSON.stringify({ completed, scripts: initScripts }));
      } else {
        res.writeHead(404).end("{}");
      }
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((done) => server.close(done));
  });

  it("waits for the services, then for the init hooks", async () => {
    probes = 0;
    initScripts = [{ stage: "READY", name: "01-opensearch-domain.sh", state: "SUCCESSFUL" }];
    const waitingFor: string[] = [];

    const ready = await waitForLocalStack(url, {
      deadlineMs: 60_000,
      requiredServices: ["sqs", "sts"],
      onProgress: (step) => waitingFor.push(step.readiness.waitingFor),
      ...fakeTime(),
    });

    expect(waitingFor).toEqual([
      "services: sqs (starting)",
      "services: sqs (starting)",
      "init hooks (ready.d)",
    ]);
    expect(ready.elapsedMs).toBe(3000);
    expect(ready.probe).toMatchObject({ server: "localstack", version: "4.12.0" });
  });

  it("stops at once when an init script failed", async () => {
    probes = 10;
    initScripts = [{ stage: "READY", name: "01-opensearch-domain.sh", state: "ERROR" }];

    await expect(
      waitForLocalStack(url, { deadlineMs: 60_000, requiredServices: ["sqs"], ...fakeTime() }),
    ).rejects.toThrow(
      "LocalStack init script failed: READY/01-opensearch-domain.sh; see its output with: docker logs pipeline-localstack",
    );
  });
});

describe("probeLocalStack with nothing listening", () => {
  it("reports the endpoint unreachable, and the wait gives up at the deadline", async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, "127.0.0.1", done));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((done) => closed.close(done));

    const probe = await probeLocalStack(url);
    expect(probe).toEqual({
      reachable: false,
      endpoint: url,
      detail: "connection refused (nothing listens there)",
    });
    expect(readiness(probe).waitingFor).toBe("the health endpoint");
    await expect(waitForLocalStack(url, { deadlineMs: 2000, ...fakeTime() })).rejects.toThrow(
      `LocalStack at ${url} was not ready within 2 s (still waiting for the health endpoint: ` +
        "connection refused (nothing listens there))",
    );
  });
});
