import type { Stack } from "../../pipeline/stack/index.js";
import type { AwsClients } from "../aws/index.js";
import { listAlertSubscriptions, topicMissing, type AlertSubscription } from "./subscriptions.js";

/**
 * `pipeline alerts test`: publishes a test alert shaped like a CloudWatch alarm notification (so
 * whatever formats alarms formats it), marked as a test in its subject, its body (`Test: true`,
 * alarm name `pipeline-alerts-test`) and a `pipeline-test` message attribute, then reports what
 * the target lets anyone see of its deliveries: the topic's AWS/SNS metrics
 * (NumberOfNotificationsDelivered / NumberOfNotificationsFailed), which count every protocol, the
 * same way on every target. AWS publishes them with a delay of a minute or more; the command waits
 * up to `waitMs` for them to account for every confirmed subscription.
 */

export const TEST_ALARM_NAME = "pipeline-alerts-test";
export const TEST_ATTRIBUTE = "pipeline-test";

export interface TestAlertOptions {
  clients: AwsClients;
  stack: Stack;
  /** How long to wait for the delivery metrics (default 60 s). */
  waitMs?: number;
  /** Poll interval (default 2 s). */
  pollMs?: number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
}

export interface TestAlertReport {
  topicArn: string;
  messageId: string;
  publishedAt: string;
  subscriptions: AlertSubscription[];
  /** Deliveries counted by the topic's metrics since the test was published. */
  delivered: number;
  failed: number;
  /** True when delivered + failed reached the number of confirmed subscriptions before the wait ended. */
  complete: boolean;
}

export function testAlertMessage(stack: Stack, at: Date): { subject: string; message: string } {
  return {
    subject:
      `[TEST] ALARM: "${TEST_ALARM_NAME}" (a test of ${stack.topics.alerts.name}, no action needed)`.slice(
        0,
        100,
      ),
    message: JSON.stringify({
      Test: true,
      AlarmName: TEST_ALARM_NAME,
      AlarmDescription: `Test alert sent by pipeline alerts test: if you read this, alerts from ${stack.topics.alerts.name} reach you. No action needed.`,
      AWSAccountId: stack.params.account,
      NewStateValue: "ALARM",
      NewStateReason: "Test alert (pipeline alerts test); nothing is wrong",
      StateChangeTime: at.toISOString().replace("Z", "+0000"),
      Region: stack.params.region,
      OldStateValue: "OK",
    }),
  };
}

async function deliveryCounts(
  clients: AwsClients,
  stack: Stack,
  since: number,
  until: number,
): Promise<{ delivered: number; failed: number }> {
  const { GetMetricStatisticsCommand } = await import("@aws-sdk/client-cloudwatch");
  const cloudwatch = await clients.cloudwatch();
  const sum = async (metric: string) => {
    const { Datapoints = [] } = await cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: "AWS/SNS",
        MetricName: metric,
        Dimensions: [{ Name: "TopicName", Value: stack.topics.alerts.name }],
        StartTime: new Date(since),
        EndTime: new Date(until),
        Period: 60,
        Statistics: ["Sum"],
      }),
    );
    return Datapoints.reduce((total, point) => total + (point.Sum ?? 0), 0);
  };
  const [delivered, failed] = await Promise.all([
    sum("NumberOfNotificationsDelivered"),
    sum("NumberOfNotificationsFailed"),
  ]);
  return { delivered, failed };
}

export async function sendTestAlert(options: TestAlertOptions): Promise<TestAlertReport> {
  const { clients, stack } = options;
  const now = options.now ?? Date.now;
  const sleep =
    options.sleep ??
    ((ms: number, signal?: AbortSignal) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
      }));
  const subscriptions = await listAlertSubscriptions(clients, stack);
  const confirmed = subscriptions.filter((s) => s.status === "confirmed").length;
  // Metrics are per minute: the window starts at the minute of the publish; what was counted in it
  // before the publish is the baseline, so other alarms' deliveries in that minute are not ours.
  const at = now();
  const windowStart = Math.floor(at / 60_000) * 60_000;
  const baseline = await deliveryCounts(clients, stack, windowStart, at + 60_000);
  const { PublishCommand } = await import("@aws-sdk/client-sns");
  const sns = await clients.sns();
  const { subject, message } = testAlertMessage(stack, new Date(at));
  let messageId: string;
  try {
    messageId =
      (
        await sns.send(
          new PublishCommand({
            TopicArn: stack.topics.alerts.arn,
            Subject: subject,
            Message: message,
            MessageAttributes: { [TEST_ATTRIBUTE]: { DataType: "String", StringValue: "true" } },
          }),
        )
      ).MessageId ?? "";
  } catch (error) {
    const e = error as { name?: string };
    if (e.name === "NotFoundException") throw topicMissing(stack);
    throw error;
  }
  const deadline = now() + (options.waitMs ?? 60_000);
  let counts = { delivered: 0, failed: 0 };
  for (;;) {
    const total = await deliveryCounts(clients, stack, windowStart, now() + 60_000);
    counts = {
      delivered: Math.max(0, total.delivered - baseline.delivered),
      failed: Math.max(0, total.failed - baseline.failed),
    };
    if (counts.delivered + counts.failed >= confirmed || now() >= deadline || options.signal?.aborted) break;
    await sleep(options.pollMs ?? 2_000, options.signal);
  }
  return {
    topicArn: stack.topics.alerts.arn,
    messageId,
    publishedAt: new Date(at).toISOString(),
    subscriptions,
    ...counts,
    complete: counts.delivered + counts.failed >= confirmed,
  };
}
