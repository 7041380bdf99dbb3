import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  CreateFunctionCommand,
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  PutFunctionEventInvokeConfigCommand,
  type CreateFunctionCommandInput,
} from "@aws-sdk/client-lambda";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from "@aws-sdk/client-sqs";
import AdmZip from "adm-zip";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEmulator, ManualClock, type Emulator } from "../../../src/runtime/emulator/index.js";
import { createRole } from "../../helpers/crash-clients.js";

/**
 * Asynchronous invocation on a manual clock, at AWS's own timing (retryWaitScale 1): a failing
 * event is attempted at once, again after 1 minute and after 2 more, then lands in the on-failure
 * destination and the dead-letter queue. The clock only moves when no function is running, so
 * each step is deterministic.
 */

const ROLE = "arn:aws:iam::000000000000:role/lambda-async";
const ACCOUNT_ARN = "arn:aws:lambda:us-east-1:000000000000:function:";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };

/** Appends each event to the file it names, then fails or answers as the event says. */
const HANDLER = `
import { appendFileSync } from "node:fs";
class UpstreamError extends Error { constructor(m) { super(m); this.name = "UpstreamError"; } }
export const handler = async (event) => {
  appendFileSync(event.file, JSON.stringify(event) + "\\n");
  if (event.outcome === "fail") throw new UpstreamError("news API 503");
  return { scraped: 100 };
};
`;

async function waitFor<T>(
  read: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting for the condition");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

class AsyncStack {
  emulator!: Emulator;
  clock!: ManualClock;
  lambda!: LambdaClient;
  sqs!: SQSClient;
  logs!: CloudWatchLogsClient;

  constructor(
    readonly dir: string,
    private readonly persistDir?: string,
  ) {}

  async start(): Promise<void> {
    this.clock = new ManualClock();
    this.emulator = await createEmulator({
      clock: this.clock,
      services: ["sts", "iam", "logs", "sqs", "lambda"],
      settings: { retryWaitScale: 1 },
      ...(this.persistDir ? { persistDir: this.persistDir } : {}),
    });
    const config = { endpoint: this.emulator.url, region: "us-east-1", credentials };
    this.lambda = new LambdaClient(config);
    this.sqs = new SQSClient(config);
    this.logs = new CloudWatchLogsClient(config);
    // Lambda assumes the execution role: it must exist and trust lambda.amazonaws.com, as on AWS
    // (a restart on the same state folder keeps it).
    const iam = new IAMClient(config);
    const kept = await iam.send(new GetRoleCommand({ RoleName: "lambda-async" })).then(
      () => true,
      () => false,
    );
    iam.destroy();
    if (!kept) expect(await createRole(this.emulator.url, "lambda-async")).toBe(ROLE);
  }

  async stop(): Promise<void> {
    this.lambda.destroy();
    this.sqs.destroy();
    this.logs.destroy();
    await this.emulator.stop();
  }

  /** Lambda's own counts: functions running and events still queued. */
  lambdaActivity(): { busy: number; queued: number } {
    const detail = this.emulator.health().details["lambda"] ?? "";
    const match = /(\d+) busy and \d+ idle execution environments, (\d+) queued async events/.exec(detail);
    if (!match) throw new Error(`Unexpected lambda health detail: ${detail}`);
    return { busy: Number(match[1]), queued: Number(match[2]) };
  }

  /** Moves the clock once nothing runs, then waits for what that started to finish. */
  async advance(ms: number): Promise<void> {
    await waitFor(() => this.lambdaActivity().busy === 0);
    await this.clock.advance(ms);
    await waitFor(() => this.lambdaActivity().busy === 0);
  }

  async queue(name: string): Promise<{ url: string; arn: string }> {
    const { QueueUrl } = await this.sqs.send(new CreateQueueCommand({ QueueName: name }));
    const attributes = await this.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
    );
    return { url: QueueUrl as string, arn: attributes.Attributes?.["QueueArn"] as string };
  }

  async receiveAll(url: string): Promise<Message[]> {
    const out = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ["All"],
        WaitTimeSeconds: 0,
      }),
    );
    return out.Messages ?? [];
  }

  async fn(name: string, extra: Partial<CreateFunctionCommandInput> = {}): Promise<void> {
    await this.lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: "nodejs22.x",
        Handler: "index.handler",
        Role: ROLE,
        Timeout: 30,
        Code: { ZipFile: zipOf({ "index.mjs": HANDLER }) },
        ...extra,
      }),
    );
    await this.clock.advance(1_000);
    const state = (await this.lambda.send(new GetFunctionCommand({ FunctionName: name }))).Configuration
      ?.State;
    expect(state).toBe("Active");
  }

  async invokeEvent(name: string, event: Record<string, unknown>): Promise<string> {
    const out = await this.lambda.send(
      new InvokeCommand({ FunctionName: name, InvocationType: "Event", Payload: JSON.stringify(event) }),
    );
    expect(out.StatusCode).toBe(202);
    return out.$metadata.requestId as string;
  }

  attempts(file: string): unknown[] {
    if (!existsSync(file)) return [];
    return readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as unknown);
  }

  /** Emulator-clock times of the function's START lines. */
  async startTimes(name: string): Promise<number[]> {
    const out = await this.logs.send(
      new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${name}`, filterPattern: '"START RequestId"' }),
    );
    return (out.events ?? []).map((event) => event.timestamp as number);
  }
}

function zipOf(files: Record<string, string>): Buffer {
  const zip = new AdmZip();
  for (const [name, content] of Object.entries(files)) zip.addFile(name, Buffer.from(content));
  return zip.toBuffer();
}

describe("lambda asynchronous invocation", () => {
  let dir: string;
  let stack: AsyncStack;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "lambda-async-"));
    stack = new AsyncStack(dir);
    await stack.start();
  });

  afterEach(async () => {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("function error: 3 attempts, 1 and 2 minutes apart, then the on-failure record and the DLQ message", async () => {
    const dlq = await stack.queue("scraper-dlq");
    const failures = await stack.queue("scraper-failures");
    await stack.fn("scraper-news", { DeadLetterConfig: { TargetArn: dlq.arn } });
    await stack.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "scraper-news",
        DestinationConfig: { OnFailure: { Destination: failures.arn } },
      }),
    );
    const file = join(dir, "news.jsonl");
    const event = { "detail-type": "Scheduled Event", source: "aws.events", file, outcome: "fail" };
    const t0 = stack.clock.now();
    const requestId = await stack.invokeEvent("scraper-news", event);

    await stack.advance(0);
    expect(stack.attempts(file)).toHaveLength(1);
    await stack.advance(59_999);
    expect(stack.attempts(file)).toHaveLength(1);
    await stack.advance(1);
    expect(stack.attempts(file)).toHaveLength(2);
    await stack.advance(119_999);
    expect(stack.attempts(file)).toHaveLength(2);
    expect(await stack.receiveAll(dlq.url)).toEqual([]);
    await stack.advance(1);
    expect(stack.attempts(file)).toHaveLength(3);
    await waitFor(() => stack.lambdaActivity().queued === 0);

    const starts = await stack.startTimes("scraper-news");
    expect(starts.map((t) => t - t0)).toEqual([0, 60_000, 180_000]);

    const [record] = await stack.receiveAll(failures.url);
    expect(JSON.parse(record?.Body as string)).toEqual({
      version: "1.0",
      timestamp: new Date(t0 + 180_000).toISOString(),
      requestContext: {
        requestId,
        functionArn: `${ACCOUNT_ARN}scraper-news:$LATEST`,
        condition: "RetriesExhausted",
        approximateInvokeCount: 3,
      },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
      responsePayload: {
        errorType: "UpstreamError",
        errorMessage: "news API 503",
        trace: expect.arrayContaining(["UpstreamError: news API 503"]) as unknown,
      },
    });

    const [dead] = await stack.receiveAll(dlq.url);
    expect(JSON.parse(dead?.Body as string)).toEqual(event);
    expect(dead?.MessageAttributes).toEqual({
      RequestID: { DataType: "String", StringValue: requestId },
      ErrorCode: { DataType: "Number", StringValue: "200" },
      ErrorMessage: { DataType: "String", StringValue: "news API 503" },
    });
    expect(await stack.receiveAll(dlq.url)).toEqual([]);
  });

  it("MaximumRetryAttempts 0 with both destinations: success and failure records", async () => {
    const successes = await stack.queue("on-success");
    const failures = await stack.queue("on-failure");
    await stack.fn("once");
    await stack.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "once",
        MaximumRetryAttempts: 0,
        DestinationConfig: {
          OnSuccess: { Destination: successes.arn },
          OnFailure: { Destination: failures.arn },
        },
      }),
    );
    const file = join(dir, "once.jsonl");
    const okId = await stack.invokeEvent("once", { file, outcome: "ok" });
    const failId = await stack.invokeEvent("once", { file, outcome: "fail" });
    await stack.advance(0);
    await waitFor(() => stack.lambdaActivity().queued === 0);
    expect(stack.attempts(file)).toHaveLength(2);

    const [success] = await stack.receiveAll(successes.url);
    expect(JSON.parse(success?.Body as string)).toEqual({
      version: "1.0",
      timestamp: new Date(stack.clock.now()).toISOString(),
      requestContext: {
        requestId: okId,
        functionArn: `${ACCOUNT_ARN}once:$LATEST`,
        condition: "Success",
        approximateInvokeCount: 1,
      },
      requestPayload: { file, outcome: "ok" },
      responseContext: { statusCode: 200, executedVersion: "$LATEST" },
      responsePayload: { scraped: 100 },
    });
    const [failure] = await stack.receiveAll(failures.url);
    const record = JSON.parse(failure?.Body as string) as { requestContext: Record<string, unknown> };
    expect(record.requestContext).toEqual({
      requestId: failId,
      functionArn: `${ACCOUNT_ARN}once:$LATEST`,
      condition: "RetriesExhausted",
      approximateInvokeCount: 1,
    });
  });

  it("MaximumEventAgeInSeconds: an event too old for its next retry goes out as EventAgeExceeded", async () => {
    const failures = await stack.queue("aged-failures");
    await stack.fn("aged");
    await stack.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "aged",
        MaximumEventAgeInSeconds: 90,
        DestinationConfig: { OnFailure: { Destination: failures.arn } },
      }),
    );
    const file = join(dir, "aged.jsonl");
    await stack.invokeEvent("aged", { file, outcome: "fail" });
    await stack.advance(0);
    await stack.advance(60_000);
    expect(stack.attempts(file)).toHaveLength(2);
    await stack.advance(120_000);
    expect(stack.attempts(file)).toHaveLength(2);
    await waitFor(() => stack.lambdaActivity().queued === 0);
    const [failure] = await stack.receiveAll(failures.url);
    const record = JSON.parse(failure?.Body as string) as {
      requestContext: { condition: string; approximateInvokeCount: number };
      responseContext: unknown;
    };
    expect(record.requestContext.condition).toBe("EventAgeExceeded");
    expect(record.requestContext.approximateInvokeCount).toBe(2);
    expect(record.responseContext).toEqual({
      statusCode: 200,
      executedVersion: "$LATEST",
      functionError: "Unhandled",
    });
  });
});

describe("lambda asynchronous invocation with --persist", () => {
  it("a queued event keeps its attempts across a restart and still reaches the DLQ", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-async-persist-"));
    const persistDir = join(dir, "state");
    const file = join(dir, "persisted.jsonl");
    try {
      const first = new AsyncStack(dir, persistDir);
      await first.start();
      const dlq = await first.queue("persist-dlq");
      await first.fn("persisted", { DeadLetterConfig: { TargetArn: dlq.arn } });
      const requestId = await first.invokeEvent("persisted", { file, outcome: "fail" });
      await first.advance(0);
      expect(first.attempts(file)).toHaveLength(1);
      await first.stop();

      const second = new AsyncStack(dir, persistDir);
      await second.start();
      try {
        expect(second.lambdaActivity().queued).toBe(1);
        // The new clock starts where the first one did: the retry is still due 1 minute after the first attempt.
        await second.advance(1_000);
        await second.advance(60_000);
        expect(second.attempts(file)).toHaveLength(2);
        await second.advance(120_000);
        expect(second.attempts(file)).toHaveLength(3);
        await waitFor(() => second.lambdaActivity().queued === 0);
        const [dead] = await second.receiveAll(dlq.url);
        expect(dead?.MessageAttributes?.["RequestID"]?.StringValue).toBe(requestId);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
