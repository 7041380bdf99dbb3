import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
  type FunctionConfiguration,
} from "@aws-sdk/client-lambda";
import AdmZip from "adm-zip";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../../src/runtime/emulator/index.js";
import { awsCli, awsCliAvailable } from "../../helpers/aws-cli.js";

/**
 * Runtimes: CreateFunction accepts what Lambda accepts (refusing deprecated runtimes with Lambda's
 * recommendation and unknown ones with the model's enum). A function whose runtime the emulator
 * cannot run (it runs Node.js) fails at once: State Failed, StateReasonCode InvalidRuntime, and
 * every invocation answers InvalidRuntimeException naming the runtimes it runs, never a hang.
 */
const credentials = { accessKeyId: "test", secretAccessKey: "test" };

function zipOf(files: Record<string, string>): Buffer {
  const zip = new AdmZip();
  for (const [name, content] of Object.entries(files)) zip.addFile(name, Buffer.from(content));
  return zip.toBuffer();
}

const PYTHON_ZIP = zipOf({
  "lambda_function.py": "def lambda_handler(event, context):\n    return {'ok': True}\n",
});
const NODE_ZIP = zipOf({ "index.mjs": "export const handler = async () => ({ ok: 'node' });" });

async function caught(
  promise: Promise<unknown>,
): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error("expected the call to fail");
}

describe("lambda: runtimes the emulator cannot run", () => {
  let emulator: Emulator;
  let lambda: LambdaClient;
  let role: string;

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["sts", "iam", "logs", "lambda"] });
    const config = { endpoint: emulator.url, region: "us-east-1", credentials, maxAttempts: 1 };
    lambda = new LambdaClient(config);
    const iam = new IAMClient(config);
    role = (
      await iam.send(
        new CreateRoleCommand({
          RoleName: "runtime-test",
          AssumeRolePolicyDocument: JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
            ],
          }),
        }),
      )
    ).Role!.Arn!;
    iam.destroy();
  });
  afterAll(async () => {
    lambda.destroy();
    await emulator.stop();
  });

  const createPython = (name: string) =>
    lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: "python3.12",
        Handler: "lambda_function.lambda_handler",
        Role: role,
        Code: { ZipFile: PYTHON_ZIP },
      }),
    );

  async function settled(name: string): Promise<FunctionConfiguration> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const configuration = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
      const busy = configuration.State === "Pending" || configuration.LastUpdateStatus === "InProgress";
      if (!busy || Date.now() > deadline) return configuration;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it("CreateFunction: deprecated runtimes get Lambda's recommendation, unknown ones the enum", async () => {
    const base = { Handler: "index.handler", Role: role, Code: { ZipFile: NODE_ZIP } };
    expect(
      await caught(
        lambda.send(new CreateFunctionCommand({ FunctionName: "old", Runtime: "python3.7", ...base })),
      ),
    ).toEqual({
      name: "InvalidParameterValueException",
      message:
        "The runtime parameter of python3.7 is no longer supported for creating or updating AWS Lambda functions. We recommend you use the new runtime (python3.13) while creating or updating functions.",
      status: 400,
    });
    const unknown = await caught(
      lambda.send(
        new CreateFunctionCommand({ FunctionName: "odd", Runtime: "cobol85" as "nodejs22.x", ...base }),
      ),
    );
    expect(unknown.name).toBe("ValidationException");
    expect(unknown.message).toMatch(
      /^1 validation error detected: Value 'cobol85' at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: \[/,
    );
  });

  it("a python3.12 function is created as on AWS, then fails with InvalidRuntime; the waiter stops at once", async () => {
    const created = await createPython("py-handler");
    expect(created).toMatchObject({ Runtime: "python3.12", State: "Pending", StateReasonCode: "Creating" });
    const waited = await caught(
      waitUntilFunctionActiveV2(
        { client: lambda, maxWaitTime: 30, minDelay: 1 },
        { FunctionName: "py-handler" },
      ),
    );
    expect(waited.name).toMatch(/Waiter|Error/);
    expect(waited.message).toMatch(/FAILURE|Failed/);
    const configuration = await settled("py-handler");
    expect(configuration).toMatchObject({ State: "Failed", StateReasonCode: "InvalidRuntime" });
    expect(configuration.StateReason).toMatch(
      /runs Node\.js functions only \(nodejs18\.x, nodejs20\.x, nodejs22\.x, nodejs24\.x\); a python3\.12 function cannot run here/,
    );
  });

  it("invoking it, synchronously or not, is InvalidRuntimeException naming the runtimes the emulator runs", async () => {
    for (const InvocationType of ["RequestResponse", "Event"] as const) {
      const refused = await caught(
        lambda.send(new InvokeCommand({ FunctionName: "py-handler", InvocationType, Payload: "{}" })),
      );
      expect(refused).toMatchObject({ name: "InvalidRuntimeException", status: 502 });
      expect(refused.message).toMatch(/nodejs22\.x.*python3\.12 function cannot run here/);
    }
  });

  it("updating it to a Node.js runtime and code makes it Active and invocable", async () => {
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "py-handler", ZipFile: NODE_ZIP }));
    await settled("py-handler");
    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: "py-handler",
        Runtime: "nodejs22.x",
        Handler: "index.handler",
      }),
    );
    await waitUntilFunctionUpdatedV2(
      { client: lambda, maxWaitTime: 30, minDelay: 1 },
      { FunctionName: "py-handler" },
    );
    expect((await settled("py-handler")).State).toBe("Active");
    const out = await lambda.send(new InvokeCommand({ FunctionName: "py-handler", Payload: "{}" }));
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toEqual({ ok: "node" });
  });

  it("an Active Node.js function moved to a runtime the emulator cannot run: update Failed, invocations refused", async () => {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: "moves",
        Runtime: "nodejs22.x",
        Handler: "index.handler",
        Role: role,
        Code: { ZipFile: NODE_ZIP },
      }),
    );
    await waitUntilFunctionActiveV2(
      { client: lambda, maxWaitTime: 30, minDelay: 1 },
      { FunctionName: "moves" },
    );
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "moves", Runtime: "java21" }));
    const configuration = await settled("moves");
    expect(configuration).toMatchObject({
      State: "Failed",
      StateReasonCode: "InvalidRuntime",
      LastUpdateStatus: "Failed",
      LastUpdateStatusReasonCode: "InvalidRuntime",
    });
    expect((await caught(lambda.send(new InvokeCommand({ FunctionName: "moves" })))).name).toBe(
      "InvalidRuntimeException",
    );
  });
});

describe.skipIf(!awsCliAvailable)("lambda: a Python function through the AWS CLI", () => {
  let emulator: Emulator;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "lambda-runtime-cli-"));
    emulator = await createEmulator({ services: ["sts", "iam", "logs", "lambda"] });
  });
  afterAll(async () => {
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("create-function succeeds, get-function-configuration says Failed, invoke fails with InvalidRuntimeException", async () => {
    const zipPath = join(dir, "function.zip");
    new AdmZip(PYTHON_ZIP).writeZip(zipPath);
    await awsCli(emulator.url, [
      "iam",
      "create-role",
      "--role-name",
      "cli-runtime",
      "--assume-role-policy-document",
      // Lambda assumes the role, so it must trust lambda.amazonaws.com.
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
        ],
      }),
    ]);
    const created = await awsCli(emulator.url, [
      "lambda",
      "create-function",
      "--function-name",
      "cli-python",
      "--runtime",
      "python3.12",
      "--handler",
      "lambda_function.lambda_handler",
      "--role",
      "arn:aws:iam::000000000000:role/cli-runtime",
      "--zip-file",
      `fileb://${zipPath}`,
    ]);
    expect(created.exitCode).toBe(0);
    let state = "Pending";
    const deadline = Date.now() + 20_000;
    while (state === "Pending" && Date.now() < deadline) {
      const out = await awsCli(emulator.url, [
        "lambda",
        "get-function-configuration",
        "--function-name",
        "cli-python",
      ]);
      state = (JSON.parse(out.stdout) as { State: string }).State;
    }
    expect(state).toBe("Failed");
    const invoked = await awsCli(emulator.url, [
      "lambda",
      "invoke",
      "--function-name",
      "cli-python",
      "--cli-read-timeout",
      "10",
      join(dir, "out.json"),
    ]);
    expect(invoked.exitCode).not.toBe(0);
    expect(invoked.stderr).toMatch(/InvalidRuntimeException/);
  });
});
