import { CloudWatchClient, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import {
  CloudWatchLogsClient,
  DescribeLogStreamsCommand,
  GetLogEventsCommand,
  type OutputLogEvent,
} from "@aws-sdk/client-cloudwatch-logs";
import {
  CreateFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  InvokeCommand,
  LambdaClient,
  PutFunctionConcurrencyCommand,
  UpdateFunctionCodeCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
  type CreateFunctionCommandInput,
  type InvokeCommandOutput,
} from "@aws-sdk/client-lambda";
import AdmZip from "adm-zip";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCli, awsCliAvailable } from "../../helpers/aws-cli.js";
import { createRole } from "../../helpers/crash-clients.js";
import { createEmulator, type Emulator } from "../../../src/runtime/emulator/index.js";

/**
 * Invoking functions built from real zips: each runs as its own Node process speaking the Lambda
 * Runtime API. The handlers report what they saw (environment, context, process id), so each test
 * reads as the behaviour it checks.
 */

const ROLE = "arn:aws:iam::000000000000:role/lambda-test";
const CONCURRENCY = 3;
const credentials = { accessKeyId: "test", secretAccessKey: "test" };

function zipOf(files: Record<string, string>): Buffer {
  const zip = new AdmZip();
  for (const [name, content] of Object.entries(files)) zip.addFile(name, Buffer.from(content));
  return zip.toBuffer();
}

function decode(output: InvokeCommandOutput): unknown {
  return JSON.parse(Buffer.from(output.Payload ?? new Uint8Array()).toString("utf8"));
}

async function waitFor<T>(
  read: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting for the condition");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Reports what a function sees: the event, its environment, the context and its process. */
const REPORTER_ESM = `
export const handler = async (event, context) => ({
  event,
  pid: process.pid,
  env: {
    STAGE: process.env.STAGE,
    AWS_LAMBDA_FUNCTION_NAME: process.env.AWS_LAMBDA_FUNCTION_NAME,
    AWS_LAMBDA_FUNCTION_VERSION: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    AWS_LAMBDA_LOG_GROUP_NAME: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    AWS_LAMBDA_LOG_STREAM_NAME: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    AWS_REGION: process.env.AWS_REGION,
    AWS_DEFAULT_REGION: process.env.AWS_DEFAULT_REGION,
    AWS_EXECUTION_ENV: process.env.AWS_EXECUTION_ENV,
    LAMBDA_TASK_ROOT: process.env.LAMBDA_TASK_ROOT,
    _HANDLER: process.env._HANDLER,
    TZ: process.env.TZ,
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY,
    AWS_SESSION_TOKEN: process.env.AWS_SESSION_TOKEN,
    AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL,
    AWS_LAMBDA_RUNTIME_API: process.env.AWS_LAMBDA_RUNTIME_API,
  },
  hostNames: Object.keys(process.env).filter((name) => name.startsWith("MALLOC_") || name.startsWith("_PIPELINE")),
  startEnviron: await import("node:fs").then((fs) => fs.readFileSync("/proc/self/environ", "utf8")).catch(() => ""),
  context: {
    awsRequestId: context.awsRequestId,
    functionName: context.functionName,
    functionVersion: context.functionVersion,
    invokedFunctionArn: context.invokedFunctionArn,
    memoryLimitInMB: context.memoryLimitInMB,
    logGroupName: context.logGroupName,
    logStreamName: context.logStreamName,
    remaining: context.getRemainingTimeInMillis(),
    callbackWaitsForEmptyEventLoop: context.callbackWaitsForEmptyEventLoop,
    clientContext: context.clientContext,
  },
});
`;

describe("lambda invoke", () => {
  let emulator: Emulator;
  let lambda: LambdaClient;
  let logs: CloudWatchLogsClient;
  let dir: string;

  const deploy = async (
    name: string,
    files: Record<string, string>,
    extra: Partial<CreateFunctionCommandInput> = {},
  ) => {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: "nodejs22.x",
        Handler: "index.handler",
        Role: ROLE,
        Code: { ZipFile: zipOf(files) },
        ...extra,
      }),
    );
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: name });
  };

  const invoke = (name: string, event: unknown = {}) =>
    lambda.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify(event) }));

  const logEvents = async (name: string): Promise<OutputLogEvent[]> => {
    const group = `/aws/lambda/${name}`;
    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: group }));
    const events: OutputLogEvent[] = [];
    for (const stream of streams.logStreams ?? []) {
      const got = await logs.send(
        new GetLogEventsCommand({
          logGroupName: group,
          logStreamName: stream.logStreamName,
          startFromHead: true,
        }),
      );
      events.push(...(got.events ?? []));
    }
    return events;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "lambda-invoke-"));
    emulator = await createEmulator({
      services: ["sts", "iam", "logs", "cloudwatch", "lambda"],
      settings: { lambdaConcurrencyPerFunction: CONCURRENCY },
    });
    // Lambda assumes the execution role: it must exist and trust lambda.amazonaws.com, as on AWS.
    expect(await createRole(emulator.url, "lambda-test")).toBe(ROLE);
    const config = { endpoint: emulator.url, region: "us-east-1", credentials };
    lambda = new LambdaClient(config);
    logs = new CloudWatchLogsClient(config);
    await deploy(
      "reporter",
      { "index.mjs": REPORTER_ESM },
      {
        MemorySize: 256,
        Timeout: 7,
        Environment: { Variables: { STAGE: "test" } },
      },
    );
  });

  afterAll(async () => {
    lambda.destroy();
    logs.destroy();
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("RequestResponse: an ES module handler gets the event, its variables, the reserved ones and the context", async () => {
    const out = await invoke("reporter", { hello: "world" });
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(out.ExecutedVersion).toBe("$LATEST");
    const seen = decode(out) as {
      event: unknown;
      env: Record<string, string>;
      context: Record<string, unknown>;
      hostNames: string[];
      startEnviron: string;
    };
    expect(seen.event).toEqual({ hello: "world" });
    expect(seen.env).toMatchObject({
      STAGE: "test",
      AWS_LAMBDA_FUNCTION_NAME: "reporter",
      AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "256",
      AWS_LAMBDA_LOG_GROUP_NAME: "/aws/lambda/reporter",
      AWS_REGION: "us-east-1",
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
      _HANDLER: "index.handler",
      TZ: ":UTC",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_SESSION_TOKEN: "test",
      AWS_ENDPOINT_URL: emulator.url,
    });
    expect(seen.env["AWS_LAMBDA_LOG_STREAM_NAME"]).toMatch(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(seen.env["AWS_LAMBDA_RUNTIME_API"]).toMatch(/^127\.0\.0\.1:\d+$/);
    // The emulator's own host settings (malloc trimming) reach the process, not the function's variables.
    expect(seen.hostNames).toEqual([]);
    if (process.platform === "linux")
      expect(seen.startEnviron.split("\0")).toContain("MALLOC_TRIM_THRESHOLD_=65536");
    expect(existsSync(join(seen.env["LAMBDA_TASK_ROOT"] as string, "index.mjs"))).toBe(true);
    expect(seen.context).toMatchObject({
      awsRequestId: out.$metadata.requestId,
      functionName: "reporter",
      functionVersion: "$LATEST",
      invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:reporter",
      memoryLimitInMB: "256",
      logGroupName: "/aws/lambda/reporter",
      logStreamName: seen.env["AWS_LAMBDA_LOG_STREAM_NAME"],
      callbackWaitsForEmptyEventLoop: true,
    });
    expect(seen.context["remaining"]).toBeGreaterThan(5_000);
    expect(seen.context["remaining"]).toBeLessThanOrEqual(7_000);
  });

  it("ClientContext: the base64 JSON header reaches context.clientContext", async () => {
    const clientContext = { custom: { caller: "test" }, env: { locale: "en" } };
    const out = await lambda.send(
      new InvokeCommand({
        FunctionName: "reporter",
        ClientContext: Buffer.from(JSON.stringify(clientContext)).toString("base64"),
      }),
    );
    expect((decode(out) as { context: { clientContext: unknown } }).context.clientContext).toEqual(
      clientContext,
    );
  });

  it("AWS_ENDPOINT_URL: the runtime's AWS SDK in a handler reaches the emulator's STS", async () => {
    await deploy("sts-caller", {
      "index.mjs": `
        import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
        const sts = new STSClient({});
        export const handler = async () => {
          const identity = await sts.send(new GetCallerIdentityCommand({}));
          const health = await (await fetch(process.env.AWS_ENDPOINT_URL + "/_emulator/health")).json();
          return { account: identity.Account, emulator: health.emulator };
        };`,
    });
    const out = await invoke("sts-caller");
    expect(out.FunctionError).toBeUndefined();
    expect(decode(out)).toEqual({ account: "000000000000", emulator: "pipeline" });
  });

  it("CommonJS handlers (.js without type module, and .cjs) and callback handlers", async () => {
    await deploy(
      "cjs-js",
      {
        "app/main.js": `exports.run = async (event) => ({ kind: "cjs", doubled: event.n * 2 });`,
      },
      { Handler: "app/main.run" },
    );
    expect(decode(await invoke("cjs-js", { n: 21 }))).toEqual({ kind: "cjs", doubled: 42 });

    // The result object is serialised when Lambda answers: after the event loop empties (ticks 3)
    // by default, at once (ticks 0) with callbackWaitsForEmptyEventLoop = false.
    const CALLBACK = (wait: boolean) => `
      module.exports.handler = (event, context, callback) => {
        context.callbackWaitsForEmptyEventLoop = ${String(wait)};
        const result = { ticks: 0, name: context.functionName };
        const timer = setInterval(() => { result.ticks++; if (result.ticks === 3) clearInterval(timer); }, 20);
        callback(null, result);
      };`;
    await deploy("cjs-callback", { "index.cjs": CALLBACK(true) });
    expect(decode(await invoke("cjs-callback"))).toEqual({ ticks: 3, name: "cjs-callback" });
    await deploy("cjs-early", { "index.cjs": CALLBACK(false) });
    expect(decode(await invoke("cjs-early"))).toEqual({ ticks: 0, name: "cjs-early" });
  });

  it("function error: HTTP 200 with X-Amz-Function-Error Unhandled and the error document", async () => {
    await deploy("thrower", {
      "index.mjs": `
        class UpstreamError extends Error { constructor(m) { super(m); this.name = "UpstreamError"; } }
        export const handler = async () => { throw new UpstreamError("news API 503"); };`,
    });
    const out = await invoke("thrower");
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe("Unhandled");
    const error = decode(out) as { errorType: string; errorMessage: string; trace: string[] };
    expect(error.errorType).toBe("UpstreamError");
    expect(error.errorMessage).toBe("news API 503");
    expect(error.trace[0]).toBe("UpstreamError: news API 503");
  });

  it("timeout: the process is stopped and the answer is Sandbox.Timedout; the next invocation starts fresh", async () => {
    await deploy(
      "sleeper",
      {
        "index.mjs": `export const handler = async (event) => {
        if (event.sleep) await new Promise((r) => setTimeout(r, event.sleep));
        return { pid: process.pid };
      };`,
      },
      { Timeout: 1 },
    );
    const before = decode(await invoke("sleeper")) as { pid: number };
    const out = await invoke("sleeper", { sleep: 5_000 });
    expect(out.FunctionError).toBe("Unhandled");
    const error = decode(out) as { errorType: string; errorMessage: string };
    expect(error.errorType).toBe("Sandbox.Timedout");
    expect(error.errorMessage).toBe(
      `RequestId: ${out.$metadata.requestId} Error: Task timed out after 1.00 seconds`,
    );
    expect(() => process.kill(before.pid, 0)).toThrow();
    const after = decode(await invoke("sleeper")) as { pid: number };
    expect(after.pid).not.toBe(before.pid);
    const lines = (await logEvents("sleeper")).map((e) => e.message ?? "");
    expect(
      lines.some((line) => line.endsWith(`${out.$metadata.requestId} Task timed out after 1.00 seconds`)),
    ).toBe(true);
    expect(
      lines.some(
        (line) =>
          line.startsWith(`REPORT RequestId: ${out.$metadata.requestId}`) && line.includes("Status: timeout"),
      ),
    ).toBe(true);
  });

  it("crash: a process that exits mid-invocation is Runtime.ExitError", async () => {
    await deploy("exiter", { "index.mjs": `export const handler = async () => { process.exit(3); };` });
    const out = await invoke("exiter");
    expect(out.FunctionError).toBe("Unhandled");
    expect(decode(out)).toEqual({
      errorType: "Runtime.ExitError",
      errorMessage: `RequestId: ${out.$metadata.requestId} Error: Runtime exited with error: exit status 3`,
    });
  });

  it("uncaught errors: an exception thrown from a timer fails the invocation and ends the environment", async () => {
    await deploy("timer-thrower", {
      "index.mjs": `export const handler = async (event) => {
        if (event.boom) setTimeout(() => { throw new TypeError("late failure"); }, 10);
        await new Promise((r) => setTimeout(r, event.boom ? 1000 : 0));
        return process.pid;
      };`,
    });
    const before = decode(await invoke("timer-thrower")) as number;
    const out = await invoke("timer-thrower", { boom: true });
    expect(out.FunctionError).toBe("Unhandled");
    expect(decode(out)).toMatchObject({ errorType: "TypeError", errorMessage: "late failure" });
    const after = decode(await invoke("timer-thrower")) as number;
    expect(after).not.toBe(before);
    const lines = (await logEvents("timer-thrower")).map((e) => e.message ?? "");
    expect(
      lines.some((line) => line.includes("\tERROR\tUncaught Exception \t") && line.includes("late failure")),
    ).toBe(true);
  });

  it("bad packages: a missing module is Runtime.ImportModuleError, a missing export Runtime.HandlerNotFound", async () => {
    await deploy("no-module", { "other.mjs": "export const handler = async () => 1;" });
    const missing = decode(await invoke("no-module")) as { errorType: string; errorMessage: string };
    expect(missing.errorType).toBe("Runtime.ImportModuleError");
    expect(missing.errorMessage).toContain("Cannot find module 'index'");

    await deploy("no-export", { "index.mjs": "export const other = async () => 1;" });
    const out = await invoke("no-export");
    expect(out.FunctionError).toBe("Unhandled");
    expect(decode(out)).toMatchObject({
      errorType: "Runtime.HandlerNotFound",
      errorMessage: "index.handler is undefined or not exported",
    });
  });

  it("warm reuse: consecutive invocations run in the same process", async () => {
    const pids = new Set<number>();
    for (let i = 0; i < 3; i++) pids.add((decode(await invoke("reporter")) as { pid: number }).pid);
    expect(pids.size).toBe(1);
  });

  it("concurrency: parallel invocations get separate processes, up to the per-function limit", async () => {
    await deploy("parallel", {
      "index.mjs": `export const handler = async () => { await new Promise((r) => setTimeout(r, 400)); return process.pid; };`,
    });
    const outs = await Promise.all(Array.from({ length: CONCURRENCY + 2 }, () => invoke("parallel")));
    expect(outs.every((out) => out.FunctionError === undefined)).toBe(true);
    const pids = new Set(outs.map((out) => decode(out) as number));
    expect(pids.size).toBeGreaterThan(1);
    expect(pids.size).toBeLessThanOrEqual(CONCURRENCY);
  });

  it("reserved concurrency 0: every invocation is throttled with TooManyRequestsException", async () => {
    await lambda.send(
      new PutFunctionConcurrencyCommand({ FunctionName: "reporter", ReservedConcurrentExecutions: 0 }),
    );
    const error = await invoke("reporter").catch(
      (e: unknown) => e as { name: string; $metadata: { httpStatusCode: number } },
    );
    expect(error).toMatchObject({ name: "TooManyRequestsException", $metadata: { httpStatusCode: 429 } });
    await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: "reporter" }));
    expect((await invoke("reporter")).StatusCode).toBe(200);
  });

  it("UpdateFunctionCode: warm environments are retired, so the new code answers", async () => {
    await deploy("versioned", {
      "index.mjs": `export const handler = async () => ({ v: 1, pid: process.pid });`,
    });
    const first = decode(await invoke("versioned")) as { v: number; pid: number };
    expect(first.v).toBe(1);
    await lambda.send(
      new UpdateFunctionCodeCommand({
        FunctionName: "versioned",
        ZipFile: zipOf({ "index.mjs": `export const handler = async () => ({ v: 2, pid: process.pid });` }),
      }),
    );
    await waitUntilFunctionUpdatedV2(
      { client: lambda, maxWaitTime: 30, minDelay: 1 },
      { FunctionName: "versioned" },
    );
    const second = decode(await invoke("versioned")) as { v: number; pid: number };
    expect(second.v).toBe(2);
    expect(second.pid).not.toBe(first.pid);
  });

  it("DryRun: 204 for an existing function, ResourceNotFoundException otherwise", async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: "reporter", InvocationType: "DryRun" }));
    expect(out.StatusCode).toBe(204);
    await expect(
      lambda.send(new InvokeCommand({ FunctionName: "nobody", InvocationType: "DryRun" })),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });

  it("LogType Tail: X-Amz-Log-Result holds this invocation's log from START to REPORT", async () => {
    await deploy("tail", {
      "index.mjs": `export const handler = async () => { console.log("tail me"); return 1; };`,
    });
    await invoke("tail");
    const out = await lambda.send(new InvokeCommand({ FunctionName: "tail", LogType: "Tail" }));
    const id = out.$metadata.requestId as string;
    const log = Buffer.from(out.LogResult as string, "base64")
      .toString("utf8")
      .trimEnd()
      .split("\n");
    expect(log[0]).toBe(`START RequestId: ${id} Version: $LATEST`);
    expect(log[1]).toMatch(
      new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\t${id}\\tINFO\\ttail me$`),
    );
    expect(log[2]).toBe(`END RequestId: ${id}`);
    expect(log[3]).toMatch(
      /^REPORT RequestId: .*\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB$/,
    );
    expect(log).toHaveLength(4);
  });

  it("payload limits and checks: 6 MB synchronous, 1 MB asynchronous, JSON only", async () => {
    const tooBig = await lambda
      .send(
        new InvokeCommand({
          FunctionName: "reporter",
          Payload: Buffer.from(JSON.stringify("x".repeat(6 * 1024 * 1024))),
        }),
      )
      .catch((e: unknown) => e as { name: string; $metadata: { httpStatusCode: number } });
    expect(tooBig).toMatchObject({
      name: "RequestEntityTooLargeException",
      $metadata: { httpStatusCode: 413 },
    });
    await expect(
      lambda.send(
        new InvokeCommand({
          FunctionName: "reporter",
          InvocationType: "Event",
          Payload: Buffer.from(JSON.stringify("x".repeat(1024 * 1024))),
        }),
      ),
    ).rejects.toMatchObject({
      name: "RequestEntityTooLargeException",
      message: "Request must be smaller than 1048576 bytes for the InvokeFunction operation",
    });
    await expect(
      lambda.send(new InvokeCommand({ FunctionName: "reporter", Payload: Buffer.from("{not json") })),
    ).rejects.toMatchObject({ name: "InvalidRequestContentException" });
  });

  it("logs: /aws/lambda/<name> gets START, application lines, END and REPORT as Lambda writes them", async () => {
    await deploy("logger", {
      "index.mjs": `
        console.log("init line");
        export const handler = async (event) => {
          console.log("processing", { id: event.id });
          console.error("multi\\nline");
          process.stdout.write(JSON.stringify({ level: "INFO", message: "structured", service: "logger" }) + "\\n");
          return "done";
        };`,
    });
    const first = await invoke("logger", { id: 1 });
    const second = await invoke("logger", { id: 2 });
    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: "/aws/lambda/logger" }));
    expect(streams.logStreams).toHaveLength(1);
    expect(streams.logStreams?.[0]?.logStreamName).toMatch(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
    const messages = (await logEvents("logger")).map((e) => e.message as string);
    const [a, b] = [first.$metadata.requestId as string, second.$metadata.requestId as string];
    const iso = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";
    const expected: (string | RegExp)[] = [
      /^INIT_START Runtime Version: nodejs:\d+\.v\d+\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}$/,
      new RegExp(`^${iso}\\tundefined\\tINFO\\tinit line$`),
      `START RequestId: ${a} Version: $LATEST`,
      new RegExp(`^${iso}\\t${a}\\tINFO\\tprocessing \\{ id: 1 \\}$`),
      new RegExp(`^${iso}\\t${a}\\tERROR\\tmulti\\nline$`),
      '{"level":"INFO","message":"structured","service":"logger"}',
      `END RequestId: ${a}`,
      new RegExp(
        `^REPORT RequestId: ${a}\\tDuration: \\d+\\.\\d\\d ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: \\d+\\.\\d\\d ms$`,
      ),
      `START RequestId: ${b} Version: $LATEST`,
      new RegExp(`^${iso}\\t${b}\\tINFO\\tprocessing \\{ id: 2 \\}$`),
      new RegExp(`^${iso}\\t${b}\\tERROR\\tmulti\\nline$`),
      '{"level":"INFO","message":"structured","service":"logger"}',
      `END RequestId: ${b}`,
      new RegExp(
        `^REPORT RequestId: ${b}\\tDuration: \\d+\\.\\d\\d ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB$`,
      ),
    ];
    expect(messages).toHaveLength(expected.length);
    expected.forEach((pattern, i) => {
      if (typeof pattern === "string") expect(messages[i]).toBe(pattern);
      else expect(messages[i]).toMatch(pattern);
    });
  });

  it("metrics: Invocations, Errors and Duration land in AWS/Lambda by FunctionName", async () => {
    await deploy("measured", {
      "index.mjs": `export const handler = async (event) => { if (event.fail) throw new Error("no"); return 1; };`,
    });
    await invoke("measured");
    await invoke("measured", { fail: true });
    const cloudwatch = new CloudWatchClient({ endpoint: emulator.url, region: "us-east-1", credentials });
    try {
      const statistic = async (metric: string) => {
        const out = await cloudwatch.send(
          new GetMetricStatisticsCommand({
            Namespace: "AWS/Lambda",
            MetricName: metric,
            Dimensions: [{ Name: "FunctionName", Value: "measured" }],
            StartTime: new Date(Date.now() - 3_600_000),
            EndTime: new Date(Date.now() + 60_000),
            Period: 3600,
            Statistics: ["Sum", "SampleCount"],
          }),
        );
        return out.Datapoints?.reduce((sum, point) => sum + (point.Sum ?? 0), 0);
      };
      await waitFor(async () => (await statistic("Invocations")) === 2);
      expect(await statistic("Errors")).toBe(1);
      expect(await statistic("Duration")).toBeGreaterThan(0);
    } finally {
      cloudwatch.destroy();
    }
  });

  it("Event: 202 at once, the function runs in the background", async () => {
    const marker = join(dir, "event-ran");
    await deploy("background", {
      "index.mjs": `import { writeFileSync } from "node:fs";
        export const handler = async (event) => { writeFileSync(event.file, JSON.stringify(event)); };`,
    });
    const out = await lambda.send(
      new InvokeCommand({
        FunctionName: "background",
        InvocationType: "Event",
        Payload: JSON.stringify({ file: marker }),
      }),
    );
    expect(out.StatusCode).toBe(202);
    expect(Buffer.from(out.Payload ?? new Uint8Array()).length).toBe(0);
    await waitFor(() => existsSync(marker));
    expect(JSON.parse(readFileSync(marker, "utf8"))).toEqual({ file: marker });
  });

  describe.skipIf(!awsCliAvailable)("AWS CLI", () => {
    it("create-function, get-function-configuration, list-functions and get-policy through the CLI", async () => {
      const zipFile = join(dir, "cli-function.zip");
      writeFileSync(zipFile, zipOf({ "index.mjs": "export const handler = async (e) => ({ cli: e.n });" }));
      const created = await awsCli(emulator.url, [
        "lambda",
        "create-function",
        "--function-name",
        "cli-made",
        "--runtime",
        "nodejs22.x",
        "--handler",
        "index.handler",
        "--role",
        ROLE,
        "--zip-file",
        `fileb://${zipFile}`,
      ]);
      expect(created.exitCode, created.stderr).toBe(0);
      expect(JSON.parse(created.stdout)).toMatchObject({ FunctionName: "cli-made", State: "Pending" });
      await waitUntilFunctionActiveV2(
        { client: lambda, maxWaitTime: 30, minDelay: 1 },
        { FunctionName: "cli-made" },
      );
      const configuration = await awsCli(emulator.url, [
        "lambda",
        "get-function-configuration",
        "--function-name",
        "cli-made",
      ]);
      expect(JSON.parse(configuration.stdout)).toMatchObject({ State: "Active", Runtime: "nodejs22.x" });
      const listed = await awsCli(emulator.url, ["lambda", "list-functions"]);
      expect(
        (JSON.parse(listed.stdout) as { Functions: { FunctionName: string }[] }).Functions.map(
          (f) => f.FunctionName,
        ),
      ).toContain("cli-made");
      const permission = await awsCli(emulator.url, [
        "lambda",
        "add-permission",
        "--function-name",
        "cli-made",
        "--statement-id",
        "events",
        "--action",
        "lambda:InvokeFunction",
        "--principal",
        "events.amazonaws.com",
        "--source-arn",
        "arn:aws:events:us-east-1:000000000000:rule/cli",
      ]);
      expect(permission.exitCode, permission.stderr).toBe(0);
      const policy = await awsCli(emulator.url, ["lambda", "get-policy", "--function-name", "cli-made"]);
      expect(JSON.parse((JSON.parse(policy.stdout) as { Policy: string }).Policy)).toMatchObject({
        Statement: [{ Sid: "events", Principal: { Service: "events.amazonaws.com" } }],
      });
      const missing = await awsCli(emulator.url, [
        "lambda",
        "get-function",
        "--function-name",
        "cli-missing",
      ]);
      expect(missing.exitCode).not.toBe(0);
      expect(missing.stderr).toContain("ResourceNotFoundException");
    });

    it("aws lambda invoke writes the function's answer to the outfile", async () => {
      const outfile = join(dir, "cli-out.json");
      const payload = join(dir, "cli-payload.json");
      writeFileSync(payload, JSON.stringify({ from: "cli" }));
      const result = await awsCli(emulator.url, [
        "lambda",
        "invoke",
        "--function-name",
        "reporter",
        "--payload",
        `fileb://${payload}`,
        outfile,
      ]);
      expect(result.exitCode, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ StatusCode: 200, ExecutedVersion: "$LATEST" });
      expect((JSON.parse(readFileSync(outfile, "utf8")) as { event: unknown }).event).toEqual({
        from: "cli",
      });
    });
  });
});
