import { PutMetricAlarmCommand } from "@aws-sdk/client-cloudwatch";
import { CreateTopicCommand } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineStack, type AlarmKey, type QueueKey } from "../../../src/pipeline/stack/index.js";
import { subscribeAlerts } from "../../../src/runtime/alerts/index.js";
import { createClients, type AwsClients } from "../../../src/runtime/aws/index.js";
import { createEmulator, ManualClock, type Emulator } from "../../../src/runtime/emulator/index.js";
import { testStackParams } from "../../helpers/stack-params.js";

/**
 * The stack's alarms as declared (not copies of them): each failure queue's alarm goes off within
 * one evaluation period of a message arriving in that queue, and no other alarm does; the scraper
 * failure alarm goes off at 3 errors. Each notifies the alerts topic, which a queue subscribed with
 * `subscribeAlerts` hears. On a manual clock, so a minute costs nothing.
 */

const MINUTE = 60_000;

async function waitFor<T>(read: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting for the condition");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("the stack's alarms notify the alerts topic", () => {
  const stack = defineStack(testStackParams());
  let emulator: Emulator;
  let clock: ManualClock;
  let clients: AwsClients;
  let inboxUrl: string;

  beforeAll(async () => {
    clock = new ManualClock();
    emulator = await createEmulator({ services: ["sqs", "sns", "cloudwatch"], clock });
    clients = createClients({ target: "local", region: stack.params.region, endpoint: emulator.url });
    const sqs = await clients.sqs();
    for (const queue of Object.values(stack.queues)) await sqs.send(new CreateQueueCommand(queue.definition));
    await (await clients.sns()).send(new CreateTopicCommand(stack.topics.alerts.definition));
    const cloudwatch = await clients.cloudwatch();
    for (const alarm of Object.values(stack.alarms)) {
      await cloudwatch.send(new PutMetricAlarmCommand(alarm.definition));
    }
    inboxUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "oncall-inbox" }))).QueueUrl!;
    await subscribeAlerts(clients, stack, { kind: "queue", name: "oncall-inbox" });
    // Settle: empty queues and no errors are OK (TreatMissingData notBreaching), which notifies nobody.
    await clock.advance(2 * MINUTE);
  });
  afterAll(async () => {
    clients.destroy();
    await emulator.stop();
  });

  /** The alarm notifications in the inbox now: subject and CloudWatch's message. */
  async function notifications(): Promise<{ subject: string; message: Record<string, unknown> }[]> {
    const sqs = await clients.sqs();
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: inboxUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    for (const m of Messages) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: inboxUrl, ReceiptHandle: m.ReceiptHandle }));
    }
    return Messages.map((m) => {
      const envelope = JSON.parse(m.Body!) as { Subject: string; Message: string };
      return { subject: envelope.Subject, message: JSON.parse(envelope.Message) as Record<string, unknown> };
    });
  }

  const pairs: [AlarmKey, QueueKey][] = [
    ["scraperDlq", "scraperDlq"],
    ["streamDlq", "streamDlq"],
    ["indexSyncFailures", "indexSyncDlq"],
  ];

  it.each(pairs)(
    "a message arriving in a failure queue raises that queue's alarm (%s) within one period, and only it",
    async (alarmKey, queueKey) => {
      const alarm = stack.alarms[alarmKey];
      const queue = stack.queues[queueKey];
      const sqs = await clients.sqs();
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queue.name }));
      // The message arrives 10 s into a minute.
      await clock.set(Math.floor(clock.now() / MINUTE) * MINUTE + MINUTE + 10_000);
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify({ failed: queueKey }) }));
      const arrivedAt = clock.now();
      await clock.set(Math.floor(arrivedAt / MINUTE) * MINUTE + MINUTE);
      const [first, ...others] = await waitFor(async () => {
        const got = await notifications();
        return got.length > 0 ? got : undefined;
      });
      expect(others).toEqual([]);
      expect(first!.subject).toBe(`ALARM: "${alarm.name}" in US East (N. Virginia)`);
      expect(first!.message).toMatchObject({
        AlarmName: alarm.name,
        NewStateValue: "ALARM",
        AlarmActions: [stack.topics.alerts.arn],
        Trigger: {
          Namespace: "AWS/SQS",
          MetricName: "ApproximateNumberOfMessagesVisible",
          Dimensions: [{ name: "QueueName", value: queue.name }],
        },
      });
      expect(clock.now() - arrivedAt).toBeLessThanOrEqual(MINUTE);
    },
  );

  it("three scraper errors within its period raise the scraper failure alarm", async () => {
    await clock.set(Math.floor(clock.now() / MINUTE) * MINUTE + MINUTE + 10_000);
    const scrapers = ["scraper-tmdb", "scraper-news"] as const;
    for (const [i, key] of scrapers.entries()) {
      // AWS/ namespaces are the services' own: the emulator's Lambda would publish these.
      await emulator.call("cloudwatch", "PutMetricData", {
        Namespace: "AWS/Lambda",
        MetricData: [
          {
            MetricName: "Errors",
            Dimensions: [{ Name: "FunctionName", Value: stack.functions[key].name }],
            Value: i === 0 ? 2 : 1,
            Timestamp: new Date(clock.now()),
          },
        ],
      });
    }
    const alarm = await waitFor(async () => {
      await clock.advance(MINUTE);
      const got = await notifications();
      return got.find((n) => n.message["AlarmName"] === stack.alarms.scraperFailures.name);
    });
    expect(alarm.subject).toBe(`ALARM: "${stack.alarms.scraperFailures.name}" in US East (N. Virginia)`);
    expect(String(alarm.message["NewStateReason"])).toMatch(/^Threshold Crossed: .*\[3\.0 /);
  });
});
