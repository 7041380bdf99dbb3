import { CreateTopicCommand, ListSubscriptionsByTopicCommand, PublishCommand } from "@aws-sdk/client-sns";
import { ListQueuesCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineStack } from "../../../src/pipeline/stack/index.js";
import { watchAlerts, type Alert } from "../../../src/runtime/alerts/index.js";
import { createClients, type AwsClients } from "../../../src/runtime/aws/index.js";
import { createEmulator, type Emulator } from "../../../src/runtime/emulator/index.js";
import { testStackParams } from "../../helpers/stack-params.js";

/**
 * The watch channel used where SNS cannot reach this machine (AWS, LocalStack): a temporary queue
 * subscribed to the alerts topic, long-polled, and removed with its subscription when the watch
 * is aborted.
 */
describe("alerts watch through a temporary queue", () => {
  let emulator: Emulator;
  let clients: AwsClients;
  const stack = defineStack(testStackParams());

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["sqs", "sns"] });
    clients = createClients({ target: "local", region: "us-east-1", endpoint: emulator.url });
    await (await clients.sns()).send(new CreateTopicCommand({ Name: stack.topics.alerts.name }));
  });
  afterAll(async () => {
    clients.destroy();
    await emulator.stop();
  });

  it("receives an alarm notification, then leaves nothing behind", async () => {
    const abort = new AbortController();
    const alerts: Alert[] = [];
    let ready: (endpoint: string) => void = () => {};
    const isReady = new Promise<string>((resolve) => (ready = resolve));
    const watching = watchAlerts({
      clients,
      stack,
      channel: "queue",
      signal: abort.signal,
      onAlert: (alert) => alerts.push(alert),
      onReady: ({ endpoint }) => ready(endpoint),
    });
    const queueArn = await isReady;
    expect(queueArn).toMatch(/:celebrity-pipeline-alerts-watch-[0-9a-f]{8}$/);
    await (
      await clients.sns()
    ).send(
      new PublishCommand({
        TopicArn: stack.topics.alerts.arn,
        Subject: 'ALARM: "celebrity-scraper-failures" in US East (N. Virginia)',
        Message: JSON.stringify({
          AlarmName: "celebrity-scraper-failures",
          NewStateValue: "ALARM",
          OldStateValue: "OK",
          NewStateReason: "Threshold Crossed",
        }),
      }),
    );
    for (let n = 0; n < 100 && alerts.length === 0; n++) await new Promise((r) => setTimeout(r, 50));
    expect(alerts[0]).toMatchObject({
      subject: 'ALARM: "celebrity-scraper-failures" in US East (N. Virginia)',
      alarm: { name: "celebrity-scraper-failures", state: "ALARM", oldState: "OK", test: false },
    });
    abort.abort();
    const summary = await watching;
    expect(summary).toMatchObject({ alerts: 1, channel: "queue" });
    const { Subscriptions = [] } = await (
      await clients.sns()
    ).send(new ListSubscriptionsByTopicCommand({ TopicArn: stack.topics.alerts.arn }));
    expect(Subscriptions).toEqual([]);
    const { QueueUrls = [] } = await (await clients.sqs()).send(new ListQueuesCommand({}));
    expect(QueueUrls.some((url) => url.includes("-watch-"))).toBe(false);
  });
});
