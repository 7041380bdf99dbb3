/**
 * Issue 16 point 5, honest signals, with the CLI as a process: a stack whose scrapers cannot reach
 * their sources (no fixture server on the port they call) fails every scrape into the DLQ; `status`
 * then names the cause, `doctor` counts the failure queue's depth and the unreachable source as
 * errors (exit 1), and stops counting the source once a server answers there. `emulator start`
 * says the scrapers need a fixture server, or starts one with --with-fixtures; --log-requests
 * prints each request of both. `verify --target localstack` with nothing answering never says the
 * target is ready: one line naming the endpoint, exit 2, no phase run.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DoctorReport } from "../../src/runtime/doctor/index.js";
import { startFixtureServer, type FixtureServer } from "../../src/runtime/fixtures/index.js";
import type { PipelineStatus } from "../../src/runtime/status/index.js";
import { queueUrlOf } from "../../src/runtime/dlq/queues.js";
import { bundleCli, removeCliBundle } from "../helpers/cli-bundle.js";
import { until } from "../helpers/cli-on-stack.js";
import { startDeployedStack, type DeployedStack } from "../helpers/deployed-stack.js";
import { freePort } from "../helpers/ports.js";

let deployed: DeployedStack;
let cli: string;
let deadPort: number;
let lateFixtures: FixtureServer | undefined;
const work = mkdtempSync(join(tmpdir(), "pipeline-e2e-signals-"));

function pipeline(args: string[], env: Record<string, string> = {}) {
  return execa(process.execPath, [cli, ...args], {
    cwd: work,
    env: {
      PATH: process.env["PATH"] ?? "",
      HOME: work,
      PIPELINE_TARGET: "local",
      PIPELINE_FIXTURES_PORT: String(deadPort),
      AWS_REGION: "us-east-1",
      ...env,
    },
    extendEnv: false,
    reject: false,
    stdin: "ignore",
  });
}

const onStack = (args: string[]) => pipeline([...args, "--endpoint-url", deployed.emulator.url]);

async function scraperDlqDepth(): Promise<number> {
  const sqs = await deployed.clients.sqs();
  const url = await queueUrlOf(sqs, deployed.stack.queues.scraperDlq.arn);
  const { GetQueueAttributesCommand } = await import("@aws-sdk/client-sqs");
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages"] }),
  );
  return Number(Attributes.ApproximateNumberOfMessages ?? 0);
}

beforeAll(async () => {
  deadPort = await freePort();
  // The scrapers' sources point at a port where nothing listens (the fixture server the helper
  // starts is on another port, unused): the situation of a detached emulator with no fixture server.
  [deployed, cli] = await Promise.all([
    startDeployedStack({ env: { PIPELINE_FIXTURES_PORT: String(deadPort) } }),
    bundleCli("e2e-signals"),
  ]);
}, 240_000);

afterAll(async () => {
  await lateFixtures?.stop();
  await deployed?.stop();
  removeCliBundle(cli);
  rmSync(work, { recursive: true, force: true });
});

describe("scrapers that cannot reach their sources", () => {
  it("a trigger fails all four into the DLQ; status names the cause", async () => {
    const trigger = await onStack(["schedule", "trigger"]);
    expect(trigger.exitCode, trigger.stderr).toBe(0);
    // Each failed scraper leaves a Lambda DLQ message and an on-failure destination record.
    await until(
      "the four scrapers' failures in the scraper DLQ",
      async () => (await scraperDlqDepth()) >= 8,
      180_000,
    );

    const json = await onStack(["status", "--json"]);
    expect(json.exitCode, json.stderr).toBe(0);
    const status = JSON.parse(json.stdout) as PipelineStatus;
    const scrapers = status.functions.filter((fn) => fn.name.startsWith("scraper-"));
    expect(scrapers).toHaveLength(4);
    for (const fn of scrapers) {
      expect(fn.lastError?.cause, fn.name).toMatch(/ECONNREFUSED/);
      expect(fn.lastError?.cause, fn.name).toMatch(
        /^shard failed on its last receive; the queue moves it to the scraper DLQ: /,
      );
    }
    expect(
      status.queues.find((queue) => queue.name === deployed.stack.queues.scraperDlq.name)?.visible,
    ).toBeGreaterThanOrEqual(8);

    const plain = await onStack(["status"]);
    expect(plain.exitCode, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/^Last errors$/m);
    expect(plain.stdout).toMatch(
      /^scraper-tmdb +\d\d:\d\d:\d\dZ +shard failed on its last receive.*ECONNREFUSED/m,
    );
  }, 240_000);

  it("doctor counts the failure queue's depth and the unreachable source as errors, exit 1", async () => {
    const result = await onStack(["doctor"]);
    expect(result.exitCode, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(`error +failure queue ${deployed.stack.queues.scraperDlq.name} holds \\d+ failures`),
    );
    expect(result.stdout).toContain(`fix: pipeline dlq peek ${deployed.stack.queues.scraperDlq.name}`);
    expect(result.stdout).toMatch(
      new RegExp(
        `error +nothing answers at http://127\\.0\\.0\\.1:${deadPort} \\(ECONNREFUSED\\), the source API of ` +
          "scraper-news, scraper-social, scraper-tmdb, scraper-wikipedia",
      ),
    );
    expect(result.stdout).toContain("fix: start the fixture source server (pipeline fixtures serve");
    expect(result.stdout).not.toMatch(/^(healthy|no errors)/m);
    expect(result.stderr).toMatch(/pipeline: doctor found 2 errors/);

    // The source answers now: that finding goes, the failures already in the queue stay counted.
    lateFixtures = await startFixtureServer({ port: deadPort });
    const json = await onStack(["doctor", "--json"]);
    expect(json.exitCode).toBe(1);
    const report = JSON.parse(json.stdout) as DoctorReport;
    expect(
      report.findings.map((finding) => finding.code).filter((code) => code !== "alerts-no-subscriber"),
    ).toEqual(["failure-queue-depth"]);
  }, 120_000);
});

describe("emulator start and the fixture source server", () => {
  it("without one, start says the scrapers need it; --with-fixtures starts it, --log-requests logs both", async () => {
    const [port, nothingThere] = [await freePort(), await freePort()];
    const bare = await pipeline(["emulator", "start", "--detach", "--in-memory", "--port", String(port)], {
      PIPELINE_FIXTURES_PORT: String(nothingThere),
    });
    expect(bare.exitCode, bare.stderr).toBe(0);
    expect(bare.stderr).toContain(
      `warning: the scrapers call their source APIs at http://127.0.0.1:${nothingThere} (fixtures.port), where nothing answers: ` +
        "start it with the emulator (pipeline emulator start --with-fixtures) or on its own (pipeline fixtures serve)",
    );
    expect((await pipeline(["emulator", "stop"])).exitCode).toBe(0);

    const fixturesPort = await freePort();
    const env = { PIPELINE_FIXTURES_PORT: String(fixturesPort) };
    const withFixtures = await pipeline(
      [
        "emulator",
        "start",
        "--detach",
        "--in-memory",
        "--port",
        String(port),
        "--with-fixtures",
        "--log-requests",
      ],
      env,
    );
    try {
      expect(withFixtures.exitCode, withFixtures.stderr).toBe(0);
      expect(withFixtures.stdout).toContain(`Fixture source server: http://127.0.0.1:${fixturesPort}`);
      expect(withFixtures.stderr).not.toContain("nothing answers");
      const search = await fetch(
        `http://127.0.0.1:${fixturesPort}/tmdb/3/search/person?query=Fenna%20Corvane`,
      );
      expect(search.status).toBe(200);
      const sqs = new SQSClient({
        endpoint: `http://127.0.0.1:${port}`,
        region: "us-east-1",
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
      });
      await sqs.send(new ListQueuesCommand({}));
      sqs.destroy();
      const log = join(work, ".pipeline", "emulator.log");
      const lines = () => (existsSync(log) ? readFileSync(log, "utf8") : "");
      await until(
        "both requests in the emulator's log",
        () => /tmdb\.search/.test(lines()) && /ListQueues/.test(lines()),
        30_000,
      );
      expect(lines()).toMatch(/^\d\d:\d\d:\d\d\.\d{3}Z {2}GET +tmdb +tmdb\.search +200 +\d+ ms$/m);
      expect(lines()).toMatch(/^\d\d:\d\d:\d\d\.\d{3}Z {2}POST +sqs +ListQueues +200 +\d+ ms$/m);
    } finally {
      expect((await pipeline(["emulator", "stop"], env)).exitCode).toBe(0);
    }
    // The fixture server stopped with the emulator.
    await expect(fetch(`http://127.0.0.1:${fixturesPort}/health`)).rejects.toThrow();
  }, 120_000);
});

describe("verify --target localstack with nothing answering", () => {
  it("one line naming the endpoint, exit 2; never 'target ready', no success mark, no phase run", async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const result = await pipeline(["verify", "all", "--target", "localstack", "--endpoint-url", endpoint]);
    expect(result.exitCode, result.stdout + result.stderr).toBe(2);
    expect(result.stderr).toContain(
      `pipeline: cannot reach ${endpoint} (target localstack, ECONNREFUSED); start LocalStack (pipeline localstack up) or point --endpoint-url at it`,
    );
    expect(result.stdout + result.stderr).not.toMatch(/target ready|✔/);
    expect(result.stdout).not.toContain("Weekly rule");
    expect(result.stderr).not.toMatch(/unexpected error/);
  }, 60_000);
});
