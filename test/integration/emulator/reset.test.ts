import {
  CreateEventSourceMappingCommand,
  InvokeCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ListFunctionsCommand,
} from "@aws-sdk/client-lambda";
import { CreateQueueCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createEmulator, type Emulator, type ServiceName } from "../../../src/runtime/emulator/index.js";
import { START_ORDER } from "../../../src/runtime/emulator/services/index.js";
import { AWS_CLI_SERVICE_ERROR_EXIT, awsCli, awsCliAvailable } from "../../helpers/aws-cli.js";
import { isProcessAlive } from "../../../src/runtime/emulator-process/index.js";
import { clientConfig, createFunction, createRole, jsonLines, waitFor } from "../../helpers/crash-clients.js";
import { resetScenarios, resetTogether } from "../../helpers/reset-scenarios.js";

/**
 * POST /_emulator/reset: every service's state emptied without a restart (Lambda's processes and
 * mappings stopped first), or only the services named in ?services=; with a state folder the folder
 * is emptied too and the answer says so. LocalStack's state reset paths do the same.
 */

const SCENARIOS = resetScenarios();
const NEEDED = new Set(SCENARIOS.flatMap(([, scenario]) => scenario.services));
const ALL: ServiceName[] = START_ORDER.filter((service) => NEEDED.has(service));
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function post(url: string, path: string) {
  const answer = await fetch(`${url}${path}`, { method: "POST" });
  return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
}

async function presence(url: string): Promise<Record<string, boolean>> {
  const present: Record<string, boolean> = {};
  for (const [service, scenario] of SCENARIOS) present[service] = await scenario.present(url, "same-name");
  return present;
}

const everywhere = (value: boolean) => Object.fromEntries(SCENARIOS.map(([service]) => [service, value]));

describe("emulator state reset with a state folder", () => {
  let emulator: Emulator;
  let persistDir: string;
  beforeAll(async () => {
    persistDir = mkdtempSync(join(tmpdir(), "pipeline-reset-"));
    dirs.push(persistDir);
    emulator = await createEmulator({ persistDir, services: ALL });
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it("POST /_emulator/reset empties every service, stops the function processes, empties the state folder and says so; a restart finds nothing", async () => {
    for (const [, scenario] of SCENARIOS) await scenario.create(emulator.url, "same-name");
    expect(await presence(emulator.url)).toEqual(everywhere(true));
    // A warm execution environment: the function's process is running.
    const role = await createRole(emulator.url, "pid-role");
    await createFunction(emulator.url, {
      name: "pid",
      role,
      source: "export const handler = async () => ({ pid: process.pid });",
    });
    const lambda = new LambdaClient(clientConfig(emulator.url));
    const invoked = await lambda.send(new InvokeCommand({ FunctionName: "pid" }));
    lambda.destroy();
    const { pid } = JSON.parse(Buffer.from(invoked.Payload!).toString()) as { pid: number };
    expect(isProcessAlive(pid)).toBe(true);
    // State of a service this emulator does not run is in the folder too; a full reset removes it.
    mkdirSync(join(persistDir, "left-by-another-run"));
    writeFileSync(join(persistDir, "left-by-another-run", "journal.jsonl"), "{}\n");

    const answer = await post(emulator.url, "/_emulator/reset");

    expect(answer).toEqual({
      status: 200,
      body: {
        reset: ALL,
        stateFolder: persistDir,
        stateFolderEmptied: true,
        message: `reset every service: nothing is left in memory, and the state folder ${persistDir} was emptied`,
      },
    });
    expect(await presence(emulator.url)).toEqual(everywhere(false));
    expect(isProcessAlive(pid)).toBe(false);
    expect(existsSync(join(persistDir, "left-by-another-run"))).toBe(false);
    expect(readdirSync(persistDir)).toContain("owner.json");

    // The reset is on disk: an emulator started on the folder afterwards finds nothing either.
    await emulator.stop();
    emulator = await createEmulator({ persistDir, services: ALL });
    expect(await presence(emulator.url)).toEqual(everywhere(false));
  }, 180_000);

  it("?services= resets only the services it names, each on its own; the others keep everything", async () => {
    for (const [, scenario] of SCENARIOS) await scenario.create(emulator.url, "same-name");

    for (const [service, scenario] of SCENARIOS) {
      const answer = await post(emulator.url, `/_emulator/reset?services=${service}`);

      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ reset: resetTogether(service), stateFolderEmptied: true });
      expect(answer.body["message"]).toBe(
        `reset ${resetTogether(service).join(", ")}: nothing is left in memory, and their files in the ` +
          `state folder ${persistDir} were removed`,
      );
      expect(await presence(emulator.url)).toEqual({ ...everywhere(true), [service]: false });
      // The same names can be created again at once.
      await scenario.create(emulator.url, "same-name");
      expect(await scenario.present(emulator.url, "same-name")).toBe(true);
    }

    const two = await post(emulator.url, "/_emulator/reset?services=sqs,dynamodb");
    expect(two.body).toMatchObject({ reset: ["dynamodb", "dynamodbstreams", "sqs"] });
    expect(await presence(emulator.url)).toEqual({ ...everywhere(true), sqs: false, dynamodb: false });
  }, 240_000);

  it("LocalStack's state reset paths reset all services or one; anything but POST, and names it cannot reset, are refused", async () => {
    const [sqs] = SCENARIOS.filter(([service]) => service === "sqs").map(([, scenario]) => scenario);
    await sqs!.create(emulator.url, "same-name");

    const one = await post(emulator.url, "/_localstack/state/sqs/reset");
    expect(one.body).toMatchObject({ reset: ["sqs"] });
    expect(await sqs!.present(emulator.url, "same-name")).toBe(false);
    await sqs!.create(emulator.url, "same-name");
    const all = await post(emulator.url, "/_localstack/state/reset");
    expect(all.body).toMatchObject({ reset: ALL, stateFolderEmptied: true });
    expect(await sqs!.present(emulator.url, "same-name")).toBe(false);

    const get = await fetch(`${emulator.url}/_emulator/reset`);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    expect(await get.json()).toEqual({
      message: "/_emulator/reset takes POST (it empties the emulator's state)",
    });
    const unknown = await post(emulator.url, "/_emulator/reset?services=sqs,s3x");
    expect(unknown).toEqual({
      status: 400,
      body: {
        __type: "ValidationException",
        message: `"s3x" is not a service of the emulator; give some of ${ALL.join(", ")} (comma-separated), or none for all`,
      },
    });
  });
});

describe("emulator state reset without a state folder", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await createEmulator({ services: ["sqs", "dynamodb", "dynamodbstreams"] });
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it("answers that nothing is left in memory, and refuses a service this emulator does not run", async () => {
    const answer = await post(emulator.url, "/_emulator/reset?services=sqs");
    expect(answer).toEqual({
      status: 200,
      body: {
        reset: ["sqs"],
        stateFolder: null,
        stateFolderEmptied: false,
        message: "reset sqs: nothing is left (in memory; this emulator has no state folder)",
      },
    });

    const absent = await post(emulator.url, "/_emulator/reset?services=lambda");
    expect(absent).toEqual({
      status: 400,
      body: {
        __type: "ValidationException",
        message: "lambda does not run in this emulator; it runs dynamodb, dynamodbstreams, sqs",
      },
    });
  });
});

// What a test suite does with it: a reset before each test case, so each creates the same names.
describe("a reset between two test cases that create the same names", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await createEmulator({ services: ALL });
  });
  afterAll(async () => {
    await emulator?.stop();
  });
  beforeEach(async () => {
    expect((await post(emulator.url, "/_emulator/reset")).status).toBe(200);
  });

  for (const testCase of ["first", "second"]) {
    it(`the ${testCase} test case creates every service's things under the same names`, async () => {
      expect(await presence(emulator.url)).toEqual(everywhere(false));
      for (const [, scenario] of SCENARIOS) await scenario.create(emulator.url, "same-name");
      expect(await presence(emulator.url)).toEqual(everywhere(true));
    }, 120_000);
  }
});

describe("a reset of Lambda stops its event source mappings", () => {
  let emulator: Emulator;
  let out: string;
  beforeAll(async () => {
    out = join(mkdtempSync(join(tmpdir(), "pipeline-reset-esm-")), "consumed.jsonl");
    dirs.push(dirname(out));
    emulator = await createEmulator({ services: ["sts", "iam", "logs", "sqs", "lambda"] });
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  // Each generation of the consumer notes which one it is, so a poller the reset left running
  // (still invoking the old function from the stopped module's memory) shows itself.
  const CONSUMER = `
import { appendFileSync } from "node:fs";
export const handler = async (event) => {
  for (const record of event.Records)
    appendFileSync(process.env.OUT, JSON.stringify({ generation: process.env.GENERATION, body: record.body }) + "\\n");
};
`;
  const consumer = async (generation: string, queueArn: string) => {
    const role = await createRole(emulator.url, `consumer-role-${generation}`);
    await createFunction(emulator.url, {
      name: "consumer",
      role,
      source: CONSUMER,
      variables: { OUT: out, GENERATION: generation },
    });
    const lambda = new LambdaClient(clientConfig(emulator.url));
    try {
      await lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: "consumer",
          EventSourceArn: queueArn,
          BatchSize: 1,
        }),
      );
    } finally {
      lambda.destroy();
    }
  };
  const consumed = () => jsonLines<{ generation: string; body: string }>(out);

  it("after ?services=lambda no mapping or function is left and no poller of the old module takes a message; the queue keeps its messages for a new mapping", async () => {
    const sqs = new SQSClient(clientConfig(emulator.url));
    const lambda = new LambdaClient(clientConfig(emulator.url));
    try {
      // A long visibility timeout: a message a leftover poller received would stay hidden from the
      // new mapping far longer than the wait below.
      const { QueueUrl } = await sqs.send(
        new CreateQueueCommand({ QueueName: "reset-esm", Attributes: { VisibilityTimeout: "600" } }),
      );
      const queueArn = "arn:aws:sqs:us-east-1:000000000000:reset-esm";
      await consumer("old", queueArn);
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "before" }));
      await waitFor(() => consumed().some((line) => line.body === "before"), "the old mapping to run");

      const answer = await post(emulator.url, "/_emulator/reset?services=lambda");

      expect(answer.body).toMatchObject({ reset: ["lambda"] });
      expect((await lambda.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings).toEqual([]);
      expect((await lambda.send(new ListFunctionsCommand({}))).Functions).toEqual([]);

      // The queue was not reset: messages sent now wait for whoever polls it next.
      const after = ["after-1", "after-2", "after-3", "after-4", "after-5"];
      for (const body of after) await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
      await consumer("new", queueArn);
      await waitFor(
        () => after.every((body) => consumed().some((line) => line.body === body)),
        "the new mapping to consume every message sent after the reset",
      );
      const delivered = consumed().filter((line) => after.includes(line.body));
      expect(delivered).toHaveLength(after.length);
      expect(new Set(delivered.map((line) => line.generation))).toEqual(new Set(["new"]));
    } finally {
      sqs.destroy();
      lambda.destroy();
    }
  }, 120_000);
});

// A test suite driving the emulator with the AWS CLI: the same table created in two test cases.
describe.skipIf(!awsCliAvailable)("a reset between two AWS CLI test cases (AWS CLI)", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await createEmulator({ services: ["dynamodb", "dynamodbstreams"] });
  });
  afterAll(async () => {
    await emulator?.stop();
  });
  const createTable = () =>
    awsCli(emulator.url, [
      "dynamodb",
      "create-table",
      "--table-name",
      "cli-same-name",
      "--attribute-definitions",
      "AttributeName=pk,AttributeType=S",
      "--key-schema",
      "AttributeName=pk,KeyType=HASH",
      "--billing-mode",
      "PAY_PER_REQUEST",
    ]);

  it("without a reset the second create-table is refused (ResourceInUseException); after one it succeeds", async () => {
    expect((await createTable()).exitCode).toBe(0);
    const again = await createTable();
    expect(again.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
    expect(again.stderr).toContain("ResourceInUseException");

    expect((await post(emulator.url, "/_emulator/reset?services=dynamodb")).status).toBe(200);

    const fresh = await createTable();
    expect(fresh.stderr).toBe("");
    expect(fresh.exitCode).toBe(0);
    expect(JSON.parse(fresh.stdout)).toMatchObject({ TableDescription: { TableName: "cli-same-name" } });
  }, 120_000);
});
