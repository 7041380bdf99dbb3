/**
 * Someone hears about failures: the stack deployed into an in-process emulator, a queue and a
 * webhook subscribed with `pipeline alerts subscribe`, a test alert, then a scraper that fails
 * against the fixture server's 500s. Its failed event reaches the scraper DLQ, whose alarm goes to
 * ALARM within one evaluation period and notifies the alerts topic: the queue and the webhook get
 * CloudWatch's alarm notification. `alerts watch` prints alerts and removes its subscription when
 * interrupted. Real clock: the DLQ alarm is evaluated at the next minute boundary (within 60 s).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MANUAL_SCRAPE_EVENT } from "../../src/pipeline/stack/index.js";
import { bundleCli, removeCliBundle, runCli } from "../helpers/cli-bundle.js";
import { PROJECT_ROOT, startDeployedStack, type DeployedStack } from "../helpers/deployed-stack.js";

let deployed: DeployedStack;
let cli: string;
const work = mkdtempSync(join(tmpdir(), "pipeline-e2e-alerts-"));

function env() {
  return {
    PATH: process.env["PATH"] ?? "",
    HOME: work,
    PIPELINE_TARGET: "local",
    PIPELINE_FIXTURES_PORT: String(deployed.fixtures.port),
    PIPELINE_ROSTER_SIZE: "4",
    AWS_REGION: deployed.emulator.region,
  };
}

function pipeline(args: string[]) {
  return runCli(cli, [...args, "--endpoint-url", deployed.emulator.url], { cwd: PROJECT_ROOT, env: env() });
}

async function waitFor<T>(read: () => Promise<T | undefined> | T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting for the condition");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A webhook that confirms its subscription by visiting SubscribeURL, as an SNS endpoint should. */
class Webhook {
  readonly notifications: Record<string, unknown>[] = [];
  private server!: Server;
  url = "";

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        res.writeHead(200).end();
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
        if (body["Type"] === "SubscriptionConfirmation") void fetch(String(body["SubscribeURL"]));
        if (body["Type"] === "Notification") this.notifications.push(body);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/sns`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const webhook = new Webhook();
let inboxUrl: string;

beforeAll(async () => {
  [deployed, cli] = await Promise.all([startDeployedStack({ rosterSize: 4 }), bundleCli("e2e-alerts")]);
  await webhook.start();
  const sqs = await deployed.clients.sqs();
  inboxUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "ops-inbox" }))).QueueUrl!;
}, 240_000);

afterAll(async () => {
  await webhook.stop();
  await deployed?.stop();
  removeCliBundle(cli);
  rmSync(work, { recursive: true, force: true });
});

async function inbox(): Promise<{ Subject?: string; Message: string; MessageId: string }[]> {
  const sqs = await deployed.clients.sqs();
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: inboxUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
  );
  for (const m of Messages)
    await sqs.send(new DeleteMessageCommand({ QueueUrl: inboxUrl, ReceiptHandle: m.ReceiptHandle }));
  return Messages.map((m) => JSON.parse(m.Body!) as { Subject?: string; Message: string; MessageId: string });
}

describe("pipeline alerts", () => {
  it("deploy created the topic, and every alarm notifies it", async () => {
    const status = await pipeline(["status", "--json"]);
    const parsed = JSON.parse(status.stdout) as {
      alarms: { name: string; actions: number }[];
      alerts: { topic: string; exists: boolean; confirmed: number };
    };
    expect(parsed.alerts).toMatchObject({ topic: "celebrity-pipeline-alerts", exists: true, confirmed: 0 });
    expect(parsed.alarms.map((a) => a.name).sort()).toEqual([
      "celebrity-index-sync-failures",
      "celebrity-scraper-dlq-messages",
      "celebrity-scraper-failures",
      "celebrity-stream-dlq-messages",
    ]);
    expect(parsed.alarms.every((a) => a.actions === 1)).toBe(true);
    // Nobody subscribed yet: doctor says so.
    const doctor = await pipeline(["doctor", "--json"]);
    expect(doctor.stdout).toContain("alerts-no-subscriber");
  });

  it("subscribe a queue (its policy opened to the topic) and a webhook (confirmed by its SubscribeURL); list them", async () => {
    const queue = await pipeline(["alerts", "subscribe", "--queue", "ops-inbox", "--json"]);
    expect(queue.code).toBe(0);
    expect(JSON.parse(queue.stdout)).toMatchObject({ protocol: "sqs", status: "confirmed" });
    expect(JSON.parse(queue.stdout).queuePolicyStatement).toContain("sns.amazonaws.com");
    const hook = await pipeline(["alerts", "subscribe", "--webhook", webhook.url]);
    expect(hook.code).toBe(0);
    expect(hook.stdout).toContain("pending confirmation");
    const listed = await waitFor(async () => {
      const run = await pipeline(["alerts", "list", "--json"]);
      const report = JSON.parse(run.stdout) as { subscriptions: { protocol: string; status: string }[] };
      return report.subscriptions.every((s) => s.status === "confirmed") && report.subscriptions.length === 2
        ? report
        : undefined;
    }, 15_000);
    expect(listed.subscriptions.map((s) => s.protocol).sort()).toEqual(["http", "sqs"]);
    const bad = await pipeline(["alerts", "subscribe", "--email", "x@y.z", "--queue", "q"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("give exactly one of --email ADDR, --webhook URL or --queue NAME");
  });

  it("alerts test: a marked test alert reaches both, counted from the topic's metrics", async () => {
    const run = await pipeline(["alerts", "test", "--json", "--wait", "20"]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as {
      delivered: number;
      failed: number;
      complete: boolean;
      messageId: string;
    };
    expect(report).toMatchObject({ delivered: 2, failed: 0, complete: true });
    const [queued] = await waitFor(async () => {
      const got = await inbox();
      return got.length > 0 ? got : undefined;
    }, 10_000);
    expect(queued!.Subject).toMatch(/^\[TEST\]/);
    expect(JSON.parse(queued!.Message)).toMatchObject({ Test: true, AlarmName: "pipeline-alerts-test" });
    await waitFor(() => webhook.notifications.find((n) => n["MessageId"] === report.messageId), 10_000);
  });

  it("a scraper failing on the source's 500s: the scraper DLQ alarm notifies the queue and the webhook with CloudWatch's fields", async () => {
    deployed.fixtures.setFaults({ perSource: { tmdb: { "500": 1 } } });
    const events = await deployed.clients.eventbridge();
    await events.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: MANUAL_SCRAPE_EVENT.source,
            DetailType: MANUAL_SCRAPE_EVENT.detailType,
            Detail: JSON.stringify({ runId: "alerts-e2e" }),
          },
        ],
      }),
    );
    const seen: { Subject?: string; Message: string; MessageId: string }[] = [];
    // The bound covers the shard's five receives with doubling waits before it is dead-lettered,
    // then the alarm's one-minute period closing after the message arrived: about a minute on an
    // idle machine, and more than 150 s was seen on a loaded CI runner.
    const alarm = await waitFor(async () => {
      seen.push(...(await inbox()));
      return seen.find((m) => m.Subject?.startsWith('ALARM: "celebrity-scraper-dlq-messages"'));
    }, 270_000);
    expect(alarm.Subject).toBe('ALARM: "celebrity-scraper-dlq-messages" in US East (N. Virginia)');
    const message = JSON.parse(alarm.Message) as Record<string, unknown>;
    expect(message).toMatchObject({
      AlarmName: "celebrity-scraper-dlq-messages",
      AWSAccountId: deployed.stack.params.account,
      NewStateValue: "ALARM",
      Region: "US East (N. Virginia)",
      AlarmArn: deployed.stack.alarms.scraperDlq.arn,
      AlarmActions: [deployed.stack.topics.alerts.arn],
      Trigger: {
        Namespace: "AWS/SQS",
        MetricName: "ApproximateNumberOfMessagesVisible",
        Statistic: "MAXIMUM",
        Period: 60,
        Threshold: 1,
        Dimensions: [{ value: "celebrity-scraper-dlq", name: "QueueName" }],
      },
    });
    expect(String(message["AlarmDescription"])).toContain("celebrity-scraper-dlq holds a message");
    expect(String(message["NewStateReason"])).toMatch(/^Threshold Crossed/);
    expect(message["OldStateValue"]).toMatch(/^(OK|INSUFFICIENT_DATA)$/);
    const posted = await waitFor(
      () => webhook.notifications.find((n) => n["MessageId"] === alarm.MessageId),
      15_000,
    );
    expect(JSON.parse(String(posted["Message"]))).toMatchObject({
      AlarmName: "celebrity-scraper-dlq-messages",
    });

    const status = JSON.parse((await pipeline(["status", "--json"])).stdout) as {
      alarms: { name: string; state: string }[];
    };
    // Alarms in ALARM come first; the scraper failure alarm may have fired too (3 errors in its period).
    const firing = status.alarms.filter((a) => a.state === "ALARM").map((a) => a.name);
    expect(firing).toContain("celebrity-scraper-dlq-messages");
    expect(status.alarms.slice(0, firing.length).every((a) => a.state === "ALARM")).toBe(true);
    deployed.fixtures.setFaults({});
  }, 330_000);

  it("alerts watch prints alerts through a loopback webhook and unsubscribes on Ctrl-C", async () => {
    const child = spawn(
      process.execPath,
      [cli, "alerts", "watch", "--json", "--endpoint-url", deployed.emulator.url],
      {
        cwd: PROJECT_ROOT,
        env: env(),
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
    await waitFor(() => (stderr.includes("watching celebrity-pipeline-alerts") ? true : undefined), 30_000);
    const during = JSON.parse((await pipeline(["alerts", "list", "--json"])).stdout) as {
      subscriptions: { endpoint: string }[];
    };
    expect(
      during.subscriptions.some(
        (s) => s.endpoint.startsWith("http://127.0.0.1:") && s.endpoint.endsWith("/alerts"),
      ),
    ).toBe(true);
    await pipeline(["alerts", "test", "--wait", "0"]);
    const line = await waitFor(
      () => stdout.split("\n").find((l) => l.includes("pipeline-alerts-test")),
      15_000,
    );
    expect(JSON.parse(line)).toMatchObject({
      alarm: { name: "pipeline-alerts-test", state: "ALARM", test: true },
    });
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    const after = JSON.parse((await pipeline(["alerts", "list", "--json"])).stdout) as {
      subscriptions: { endpoint: string }[];
    };
    expect(after.subscriptions.some((s) => s.endpoint.endsWith("/alerts"))).toBe(false);
  });

  it("subscribe --email: pending until its link is followed, and said so; the confirmation is in the outbox", async () => {
    const mail = await pipeline(["alerts", "subscribe", "--email", "oncall@example.com"]);
    expect(mail.code, mail.stderr).toBe(0);
    expect(mail.stdout).toContain("pending confirmation: email oncall@example.com");
    expect(mail.stderr).toContain(
      "SNS sent a confirmation e-mail to oncall@example.com: nothing is delivered until its link is followed",
    );
    // The emulator records the e-mail SNS would have sent instead of sending it.
    const outbox = (await (
      await fetch(`${deployed.emulator.url}/_emulator/sns/outbox?to=oncall%40example.com`)
    ).json()) as { Messages: { kind: string; topicArn: string }[] };
    expect(outbox.Messages).toEqual([
      expect.objectContaining({
        kind: "SubscriptionConfirmation",
        topicArn: deployed.stack.topics.alerts.arn,
      }),
    ]);
    const listed = JSON.parse((await pipeline(["alerts", "list", "--json"])).stdout) as {
      subscriptions: { protocol: string; endpoint: string; status: string }[];
    };
    expect(listed.subscriptions).toContainEqual(
      expect.objectContaining({ protocol: "email", endpoint: "oncall@example.com", status: "pending" }),
    );
  });

  it("a webhook whose URL carries a password: SNS answers its 401 with it, and no output shows it", async () => {
    const password = "hunter2-webhook";
    const expected = `Basic ${Buffer.from(`sns:${password}`).toString("base64")}`;
    const confirmed: string[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        if (req.headers.authorization !== expected) {
          res.writeHead(401, { "www-authenticate": 'Basic realm="oncall"' }).end();
          return;
        }
        res.writeHead(200).end();
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
        if (body["Type"] === "SubscriptionConfirmation") {
          void fetch(String(body["SubscribeURL"])).then(() => confirmed.push(String(body["TopicArn"])));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const url = `http://sns:${password}@127.0.0.1:${port}/oncall`;
      const shown = `http://sns:****@127.0.0.1:${port}/oncall`;
      const subscribed = await pipeline(["alerts", "subscribe", "--webhook", url]);
      expect(subscribed.code, subscribed.stderr).toBe(0);
      expect(subscribed.stdout).toContain(`pending confirmation: http ${shown}`);
      expect(subscribed.stderr).toContain("travel unencrypted over http");
      await waitFor(() => (confirmed.length > 0 ? true : undefined), 15_000);
      const list = await pipeline(["alerts", "list"]);
      const listJson = await pipeline(["alerts", "list", "--json"]);
      expect(list.stdout).toMatch(new RegExp(`http +${shown.replace(/[.*?]/g, "\\$&")} +confirmed`));
      expect(JSON.parse(listJson.stdout).subscriptions).toContainEqual(
        expect.objectContaining({ endpoint: shown, status: "confirmed" }),
      );
      // The shown form names the subscription too.
      const removed = await pipeline(["alerts", "unsubscribe", shown]);
      expect(removed.code, removed.stderr).toBe(0);
      expect(removed.stdout).toContain(`unsubscribed: http ${shown}`);
      for (const run of [subscribed, list, listJson, removed]) {
        expect(run.stdout + run.stderr).not.toContain(password);
      }
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("unsubscribe by endpoint", async () => {
    const run = await pipeline(["alerts", "unsubscribe", webhook.url]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`unsubscribed: http ${webhook.url}`);
    const missing = await pipeline(["alerts", "unsubscribe", "nobody@example.com"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      "no subscription of celebrity-pipeline-alerts matches nobody@example.com",
    );
  });
});
