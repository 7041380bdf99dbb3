import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Stack } from "../../pipeline/stack/index.js";
import type { AwsClients } from "../aws/index.js";
import { allowTopicToSend, topicMissing } from "./subscriptions.js";
import { TEST_ALARM_NAME } from "./test-alert.js";

/**
 * `pipeline alerts watch`: every alert of the stack's topic as it arrives, through a subscription
 * that exists only while the watch runs. Two channels, because SNS must reach the endpoint:
 * - `webhook`: a receiver on 127.0.0.1 that this process starts; SNS POSTs to it (the embedded
 *   emulator runs on this machine, so loopback reaches it); the SubscriptionConfirmation is
 *   confirmed with its token (ConfirmSubscription);
 * - `queue`: a temporary SQS queue whose policy lets the topic send, subscribed and long-polled
 *   (AWS and LocalStack cannot reach this machine's loopback).
 * Either way the subscription (and the queue) is removed when the watch ends, Ctrl-C included.
 */

export type WatchChannel = "webhook" | "queue";

export interface Alert {
  messageId: string;
  subject: string | undefined;
  /** The envelope's Timestamp (when SNS accepted the message). */
  timestamp: string;
  /** The message text as published. */
  message: string;
  /** Read from a CloudWatch alarm notification (or a test alert), when the message is one. */
  alarm?: { name: string; state: string; oldState?: string; reason?: string; test: boolean };
}

export interface WatchOptions {
  clients: AwsClients;
  stack: Stack;
  channel: WatchChannel;
  signal: AbortSignal;
  onAlert(alert: Alert): void;
  /** Called once the subscription is in place (and confirmed, for the webhook). */
  onReady?(details: { channel: WatchChannel; endpoint: string; subscriptionArn: string }): void;
}

export interface WatchSummary {
  alerts: number;
  channel: WatchChannel;
  endpoint: string;
  /** What was removed at the end. */
  cleanedUp: string[];
}

/** An SNS notification envelope (or a raw alarm message) to an Alert. */
export function alertFromEnvelope(envelope: Record<string, unknown>): Alert {
  const message = String(envelope["Message"] ?? "");
  const alert: Alert = {
    messageId: String(envelope["MessageId"] ?? ""),
    subject: typeof envelope["Subject"] === "string" ? envelope["Subject"] : undefined,
    timestamp: String(envelope["Timestamp"] ?? new Date().toISOString()),
    message,
  };
  try {
    const parsed = JSON.parse(message) as Record<string, unknown>;
    if (typeof parsed["AlarmName"] === "string" && typeof parsed["NewStateValue"] === "string") {
      alert.alarm = {
        name: parsed["AlarmName"],
        state: parsed["NewStateValue"],
        ...(typeof parsed["OldStateValue"] === "string" ? { oldState: parsed["OldStateValue"] } : {}),
        ...(typeof parsed["NewStateReason"] === "string" ? { reason: parsed["NewStateReason"] } : {}),
        test: parsed["Test"] === true || parsed["AlarmName"] === TEST_ALARM_NAME,
      };
    }
  } catch {
    // Not an alarm notification: shown as text.
  }
  return alert;
}

async function subscribe(
  clients: AwsClients,
  stack: Stack,
  protocol: string,
  endpoint: string,
): Promise<string> {
  const { SubscribeCommand } = await import("@aws-sdk/client-sns");
  const sns = await clients.sns();
  try {
    const { SubscriptionArn } = await sns.send(
      new SubscribeCommand({
        TopicArn: stack.topics.alerts.arn,
        Protocol: protocol,
        Endpoint: endpoint,
        ReturnSubscriptionArn: true,
      }),
    );
    return SubscriptionArn ?? "";
  } catch (error) {
    if ((error as { name?: string }).name === "NotFoundException") throw topicMissing(stack);
    throw error;
  }
}

async function unsubscribe(clients: AwsClients, arn: string): Promise<void> {
  const { UnsubscribeCommand } = await import("@aws-sdk/client-sns");
  await (await clients.sns()).send(new UnsubscribeCommand({ SubscriptionArn: arn }));
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

export async function watchAlerts(options: WatchOptions): Promise<WatchSummary> {
  return options.channel === "webhook" ? watchByWebhook(options) : watchByQueue(options);
}

async function watchByWebhook(options: WatchOptions): Promise<WatchSummary> {
  const { clients, stack, signal } = options;
  const { ConfirmSubscriptionCommand } = await import("@aws-sdk/client-sns");
  const sns = await clients.sns();
  let count = 0;
  let confirmed: () => void = () => {};
  let refused: (error: unknown) => void = () => {};
  const confirmation = new Promise<void>((resolve, reject) => {
    confirmed = resolve;
    refused = reject;
  });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      res.writeHead(200).end();
      let envelope: Record<string, unknown>;
      try {
        envelope = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
      } catch {
        return;
      }
      const type = req.headers["x-amz-sns-message-type"] ?? envelope["Type"];
      if (type === "SubscriptionConfirmation") {
        void sns
          .send(
            new ConfirmSubscriptionCommand({
              TopicArn: String(envelope["TopicArn"]),
              Token: String(envelope["Token"]),
            }),
          )
          .then(
            () => confirmed(),
            (error: unknown) => refused(error),
          );
      } else if (type === "Notification") {
        count++;
        options.onAlert(alertFromEnvelope(envelope));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`;
  const cleanedUp: string[] = [];
  let arn: string | undefined;
  try {
    arn = await subscribe(clients, stack, "http", endpoint);
    await Promise.race([confirmation, untilAborted(signal)]);
    if (!signal.aborted) {
      options.onReady?.({ channel: "webhook", endpoint, subscriptionArn: arn });
      await untilAborted(signal);
    }
  } finally {
    if (arn) {
      await unsubscribe(clients, arn).catch(() => {});
      cleanedUp.push(`subscription ${arn}`);
    }
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
  return { alerts: count, channel: "webhook", endpoint, cleanedUp };
}

async function watchByQueue(options: WatchOptions): Promise<WatchSummary> {
  const { clients, stack, signal } = options;
  const sdk = await import("@aws-sdk/client-sqs");
  const sqs = await clients.sqs();
  const name = `${stack.topics.alerts.name}-watch-${randomBytes(4).toString("hex")}`.slice(0, 80);
  const cleanedUp: string[] = [];
  let count = 0;
  const { QueueUrl } = await sqs.send(
    // Alerts a watch missed are of no use later: kept an hour at most.
    new sdk.CreateQueueCommand({ QueueName: name, Attributes: { MessageRetentionPeriod: "3600" } }),
  );
  let arn: string | undefined;
  try {
    const { queueArn } = await allowTopicToSend(clients, name, stack.topics.alerts.arn);
    arn = await subscribe(clients, stack, "sqs", queueArn);
    options.onReady?.({ channel: "queue", endpoint: queueArn, subscriptionArn: arn });
    while (!signal.aborted) {
      let messages: { Body?: string; ReceiptHandle?: string }[] = [];
      try {
        messages =
          (
            await sqs.send(
              new sdk.ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20, MaxNumberOfMessages: 10 }),
              { abortSignal: signal },
            )
          ).Messages ?? [];
      } catch (error) {
        if (signal.aborted) break;
        throw error;
      }
      for (const message of messages) {
        try {
          options.onAlert(alertFromEnvelope(JSON.parse(message.Body ?? "{}") as Record<string, unknown>));
          count++;
        } catch {
          // not an SNS envelope: nothing we sent; dropped below all the same
        }
        await sqs.send(new sdk.DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));
      }
    }
  } finally {
    if (arn) {
      await unsubscribe(clients, arn).catch(() => {});
      cleanedUp.push(`subscription ${arn}`);
    }
    await sqs.send(new sdk.DeleteQueueCommand({ QueueUrl })).catch(() => {});
    cleanedUp.push(`queue ${name}`);
  }
  return { alerts: count, channel: "queue", endpoint: name, cleanedUp };
}
