import {
  CloudWatchClient,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from "@aws-sdk/client-cloudwatch";
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, ManualClock, type Emulator } from "../../../src/runtime/emulator/index.js";
import { awsCliAvailable, awsCliJson } from "../../helpers/aws-cli.js";

/**
 * CloudWatch alarm actions and history, from the CloudWatch user guide ("Using Amazon CloudWatch
 * alarms", "alarm actions", the SNS notification format) and the DescribeAlarmHistory reference:
 * on a state change the new state's actions run once; an SNS action publishes CloudWatch's
 * message; every change and action is in the history. On a manual clock: evaluations happen at
 * the top of each minute.
 */

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const ACCOUNT = "000000000000";
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

describe("emulator: CloudWatch alarm actions to SNS, and DescribeAlarmHistory", () => {
  let emulator: Emulator;
  let clock: ManualClock;
  let cw: CloudWatchClient;
  let sns: SNSClient;
  let sqs: SQSClient;
  let topicArn: string;
  let queueUrl: string;

  beforeAll(async () => {
    clock = new ManualClock();
    emulator = await createEmulator({ services: ["sqs", "sns", "cloudwatch"], clock });
    const config = { endpoint: emulator.url, region: "us-east-1", credentials };
    cw = new CloudWatchClient(config);
    sns = new SNSClient(config);
    sqs = new SQSClient(config);
    topicArn = (await sns.send(new CreateTopicCommand({ Name: "ops-alerts" }))).TopicArn!;
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "ops-inbox" }))).QueueUrl!;
    const queueArn = `arn:aws:sqs:us-east-1:${ACCOUNT}:ops-inbox`;
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: queueUrl,
        Attributes: {
          Policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Principal: { Service: "sns.amazonaws.com" },
                Action: "sqs:SendMessage",
                Resource: queueArn,
                Condition: { ArnEquals: { "aws:SourceArn": topicArn } },
              },
            ],
          }),
        },
      }),
    );
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: queueArn }));
  });
  afterAll(async () => {
    cw.destroy();
    sns.destroy();
    sqs.destroy();
    await emulator.stop();
  });

  /** The next alarm notification in the subscribed queue: the SNS envelope's Subject and parsed Message. */
  async function nextNotification(): Promise<{ subject: string; message: Record<string, unknown> }> {
    return waitFor(async () => {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0 }),
      );
      const m = Messages?.[0];
      if (!m) return undefined;
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
      const envelope = JSON.parse(m.Body!) as { Subject: string; Message: string };
      return { subject: envelope.Subject, message: JSON.parse(envelope.Message) as Record<string, unknown> };
    });
  }

  async function queueEmpty(): Promise<boolean> {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0 }),
    );
    return (Messages ?? []).length === 0;
  }

  const put = (value: number) =>
    cw.send(
      new PutMetricDataCommand({
        Namespace: "Pipeline/Test",
        MetricData: [
          { MetricName: "Failures", Value: value, Timestamp: new Date(clock.now()), Unit: "Count" },
        ],
      }),
    );

  it("a breach sends the alarm's ALARM notification with CloudWatch's fields; recovery sends OK", async () => {
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: "failures-high",
        AlarmDescription: "failures over threshold",
        Namespace: "Pipeline/Test",
        MetricName: "Failures",
        Statistic: "Sum",
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 3,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        TreatMissingData: "notBreaching",
        AlarmActions: [topicArn],
        OKActions: [topicArn],
      }),
    );
    await clock.advance(10_000);
    await put(5);
    await clock.advance(MINUTE);
    const alarm = await nextNotification();
    expect(alarm.subject).toBe('ALARM: "failures-high" in US East (N. Virginia)');
    expect(alarm.message).toMatchObject({
      AlarmName: "failures-high",
      AlarmDescription: "failures over threshold",
      AWSAccountId: ACCOUNT,
      NewStateValue: "ALARM",
      OldStateValue: "INSUFFICIENT_DATA",
      Region: "US East (N. Virginia)",
      AlarmArn: `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:failures-high`,
      AlarmActions: [topicArn],
      OKActions: [topicArn],
      Trigger: {
        MetricName: "Failures",
        Namespace: "Pipeline/Test",
        StatisticType: "Statistic",
        Statistic: "SUM",
        Period: 60,
        EvaluationPeriods: 1,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        Threshold: 3,
        TreatMissingData: "notBreaching",
        Dimensions: [],
      },
    });
    expect(String(alarm.message["NewStateReason"])).toMatch(
      /^Threshold Crossed: 1 out of the last 1 datapoints \[5\.0 /,
    );
    expect(alarm.message["StateChangeTime"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);

    // Still breaching a minute later: no new notification (actions run on changes only).
    await put(4);
    await clock.advance(MINUTE);
    expect(await queueEmpty()).toBe(true);

    // No data, treated as not breaching: OK, and the OK action runs.
    await clock.advance(MINUTE);
    const ok = await nextNotification();
    expect(ok.subject).toBe('OK: "failures-high" in US East (N. Virginia)');
    expect(ok.message).toMatchObject({ NewStateValue: "OK", OldStateValue: "ALARM" });
  });

  it("DescribeAlarmHistory: creation, state updates and actions, newest first, filtered by type", async () => {
    const { AlarmHistoryItems = [] } = await cw.send(
      new DescribeAlarmHistoryCommand({ AlarmName: "failures-high" }),
    );
    const summaries = AlarmHistoryItems.map((i) => [i.HistoryItemType, i.HistorySummary]);
    expect(summaries).toEqual([
      ["Action", `Successfully executed action ${topicArn}`],
      ["StateUpdate", "Alarm updated from ALARM to OK"],
      ["Action", `Successfully executed action ${topicArn}`],
      ["StateUpdate", "Alarm updated from INSUFFICIENT_DATA to ALARM"],
      ["ConfigurationUpdate", 'Alarm "failures-high" created'],
    ]);
    const update = JSON.parse(AlarmHistoryItems[3]!.HistoryData!) as Record<string, { stateValue: string }>;
    expect(update["oldState"]?.stateValue).toBe("INSUFFICIENT_DATA");
    expect(update["newState"]?.stateValue).toBe("ALARM");
    const action = JSON.parse(AlarmHistoryItems[0]!.HistoryData!) as Record<string, unknown>;
    expect(action).toMatchObject({ actionState: "Succeeded", notificationResource: topicArn });
    expect(AlarmHistoryItems.every((i) => i.AlarmType === "MetricAlarm" && i.Timestamp instanceof Date)).toBe(
      true,
    );

    const states = await cw.send(
      new DescribeAlarmHistoryCommand({
        AlarmName: "failures-high",
        HistoryItemType: "StateUpdate",
        ScanBy: "TimestampAscending",
      }),
    );
    expect(states.AlarmHistoryItems?.map((i) => i.HistorySummary)).toEqual([
      "Alarm updated from INSUFFICIENT_DATA to ALARM",
      "Alarm updated from ALARM to OK",
    ]);
    const page = await cw.send(
      new DescribeAlarmHistoryCommand({ AlarmName: "failures-high", MaxRecords: 2 }),
    );
    expect(page.AlarmHistoryItems).toHaveLength(2);
    expect(page.NextToken).toBeDefined();
    const rest = await cw.send(
      new DescribeAlarmHistoryCommand({
        AlarmName: "failures-high",
        MaxRecords: 10,
        NextToken: page.NextToken,
      }),
    );
    expect(rest.AlarmHistoryItems).toHaveLength(3);
    await expect(
      cw.send(new DescribeAlarmHistoryCommand({ HistoryItemType: "Everything" as never })),
    ).rejects.toMatchObject({ name: "ValidationException" });
  });

  it("a metric math alarm (SUM of several metrics, like the stack's scraper alarm) acts too", async () => {
    const errors = (fn: string) => ({
      Id: `e_${fn.replace(/-/g, "_")}`,
      MetricStat: {
        Metric: {
          Namespace: "AWS/Lambda",
          MetricName: "Errors",
          Dimensions: [{ Name: "FunctionName", Value: fn }],
        },
        Period: 60,
        Stat: "Sum",
      },
      ReturnData: false,
    });
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: "scrapers-failing",
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        Threshold: 3,
        EvaluationPeriods: 1,
        TreatMissingData: "notBreaching",
        AlarmActions: [topicArn],
        Metrics: [
          errors("scraper-a"),
          errors("scraper-b"),
          { Id: "total", Expression: "SUM([e_scraper_a, e_scraper_b])", Label: "errors", ReturnData: true },
        ],
      }),
    );
    await clock.advance(MINUTE);
    expect(await queueEmpty()).toBe(true); // INSUFFICIENT_DATA -> OK has no OK action here
    for (const [fn, value] of [
      ["scraper-a", 2],
      ["scraper-b", 1],
    ] as const) {
      // AWS/ namespaces are refused to callers over HTTP; the emulator's own services publish them.
      await emulator.call("cloudwatch", "PutMetricData", {
        Namespace: "AWS/Lambda",
        MetricData: [
          {
            MetricName: "Errors",
            Dimensions: [{ Name: "FunctionName", Value: fn }],
            Value: value,
            Timestamp: new Date(clock.now()),
          },
        ],
      });
    }
    await clock.advance(MINUTE);
    const alarm = await nextNotification();
    expect(alarm.subject).toBe('ALARM: "scrapers-failing" in US East (N. Virginia)');
    const trigger = alarm.message["Trigger"] as { Metrics: Record<string, unknown>[]; Period: number };
    expect(trigger.Period).toBe(60);
    expect(trigger.Metrics).toContainEqual(
      expect.objectContaining({
        Id: "total",
        Expression: "SUM([e_scraper_a, e_scraper_b])",
        ReturnData: true,
      }),
    );
    expect(trigger.Metrics).toContainEqual(
      expect.objectContaining({
        Id: "e_scraper_a",
        MetricStat: expect.objectContaining({
          Metric: {
            Dimensions: [{ value: "scraper-a", name: "FunctionName" }],
            MetricName: "Errors",
            Namespace: "AWS/Lambda",
          },
        }),
      }),
    );
    expect(String(alarm.message["NewStateReason"])).toContain("[3.0 ");
  });

  it("SetAlarmState runs the new state's actions; disabled actions only record the change", async () => {
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: "manual",
        Namespace: "Pipeline/Test",
        MetricName: "Nothing",
        Statistic: "Sum",
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        AlarmActions: [topicArn, `arn:aws:sns:us-east-1:${ACCOUNT}:missing-topic`],
      }),
    );
    await cw.send(
      new SetAlarmStateCommand({
        AlarmName: "manual",
        StateValue: "ALARM",
        StateReason: "testing the alert path",
      }),
    );
    const alarm = await nextNotification();
    expect(alarm.message).toMatchObject({
      AlarmName: "manual",
      NewStateValue: "ALARM",
      NewStateReason: "testing the alert path",
    });
    const failed = await waitFor(async () => {
      const { AlarmHistoryItems = [] } = await cw.send(
        new DescribeAlarmHistoryCommand({ AlarmName: "manual", HistoryItemType: "Action" }),
      );
      return AlarmHistoryItems.find((i) => i.HistorySummary?.startsWith("Failed")) ?? undefined;
    });
    expect(failed.HistorySummary).toBe(
      `Failed to execute action arn:aws:sns:us-east-1:${ACCOUNT}:missing-topic`,
    );
    expect(JSON.parse(failed.HistoryData!)).toMatchObject({
      actionState: "Failed",
      error: expect.stringContaining("NotFound"),
    });

    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: "quiet",
        Namespace: "Pipeline/Test",
        MetricName: "Nothing",
        Statistic: "Sum",
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        ActionsEnabled: false,
        AlarmActions: [topicArn],
      }),
    );
    await cw.send(
      new SetAlarmStateCommand({ AlarmName: "quiet", StateValue: "ALARM", StateReason: "muted" }),
    );
    // A marker published after the change: everything the queue got up to it, and nothing is the muted alarm's.
    await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: "marker", Message: "{}" }));
    const subjects: string[] = [];
    await waitFor(async () => {
      subjects.push((await nextNotification()).subject);
      return subjects.includes("marker") ? true : undefined;
    });
    expect(subjects).toEqual(["marker"]);
    const { AlarmHistoryItems = [] } = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: "quiet" }));
    expect(AlarmHistoryItems.map((i) => i.HistoryItemType)).toEqual(["StateUpdate", "ConfigurationUpdate"]);
    const { MetricAlarms } = await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["quiet"] }));
    expect(MetricAlarms?.[0]?.StateValue).toBe("ALARM");
  });

  it("InsufficientDataActions run when the data stops (TreatMissingData missing); OKActions when it comes", async () => {
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: "heartbeat-stopped",
        Namespace: "Pipeline/Test",
        MetricName: "Heartbeat",
        Statistic: "Sum",
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: "LessThanThreshold",
        TreatMissingData: "missing",
        OKActions: [topicArn],
        InsufficientDataActions: [topicArn],
      }),
    );
    await clock.advance(10_000);
    await cw.send(
      new PutMetricDataCommand({
        Namespace: "Pipeline/Test",
        MetricData: [{ MetricName: "Heartbeat", Value: 1, Timestamp: new Date(clock.now()), Unit: "Count" }],
      }),
    );
    await clock.advance(MINUTE);
    const ok = await nextNotification();
    expect(ok.subject).toBe('OK: "heartbeat-stopped" in US East (N. Virginia)');
    expect(ok.message).toMatchObject({ NewStateValue: "OK", OldStateValue: "INSUFFICIENT_DATA" });

    // The next minute has no datapoint: INSUFFICIENT_DATA, and its actions run.
    await clock.advance(MINUTE);
    const stopped = await nextNotification();
    expect(stopped.subject).toBe('INSUFFICIENT_DATA: "heartbeat-stopped" in US East (N. Virginia)');
    expect(stopped.message).toMatchObject({
      AlarmName: "heartbeat-stopped",
      NewStateValue: "INSUFFICIENT_DATA",
      OldStateValue: "OK",
      NewStateReason: "Insufficient Data: 1 datapoint was unknown.",
      OKActions: [topicArn],
      AlarmActions: [],
      InsufficientDataActions: [topicArn],
      Trigger: expect.objectContaining({ MetricName: "Heartbeat", TreatMissingData: "missing" }) as unknown,
    });
    const { AlarmHistoryItems = [] } = await cw.send(
      new DescribeAlarmHistoryCommand({ AlarmName: "heartbeat-stopped", HistoryItemType: "StateUpdate" }),
    );
    expect(AlarmHistoryItems.map((i) => i.HistorySummary)).toEqual([
      "Alarm updated from OK to INSUFFICIENT_DATA",
      "Alarm updated from INSUFFICIENT_DATA to OK",
    ]);
  });

  it("a message arriving in a dead-letter queue alarms within one evaluation period (AWS/SQS metrics)", async () => {
    const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "failures-dlq" }))).QueueUrl!;
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: "dlq-has-messages",
        Namespace: "AWS/SQS",
        MetricName: "ApproximateNumberOfMessagesVisible",
        Dimensions: [{ Name: "QueueName", Value: "failures-dlq" }],
        Statistic: "Maximum",
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        TreatMissingData: "notBreaching",
        AlarmActions: [topicArn],
      }),
    );
    // Let the alarm settle (empty queue: OK), then a failure arrives 10 s into a minute.
    await clock.advance(MINUTE * 2);
    await clock.set(Math.floor(clock.now() / MINUTE) * MINUTE + MINUTE + 10_000);
    await sqs.send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: "{}" }));
    const arrivedAt = clock.now();
    // The next evaluation, at the end of the minute the message arrived in, raises the alarm.
    await clock.set(Math.floor(arrivedAt / MINUTE) * MINUTE + MINUTE);
    const alarm = await nextNotification();
    expect(alarm.message).toMatchObject({ AlarmName: "dlq-has-messages", NewStateValue: "ALARM" });
    expect(clock.now() - arrivedAt).toBeLessThanOrEqual(MINUTE);
  });

  it.skipIf(!awsCliAvailable)("the AWS CLI reads the history (describe-alarm-history)", async () => {
    const result = await awsCliJson<{
      AlarmHistoryItems: { HistoryItemType: string; HistorySummary: string }[];
    }>(emulator.url, [
      "cloudwatch",
      "describe-alarm-history",
      "--alarm-name",
      "manual",
      "--history-item-type",
      "StateUpdate",
    ]);
    // SetAlarmState's change, then (no data since) the evaluator's way back to INSUFFICIENT_DATA.
    expect(result.AlarmHistoryItems.map((i) => i.HistorySummary)).toEqual([
      "Alarm updated from ALARM to INSUFFICIENT_DATA",
      "Alarm updated from INSUFFICIENT_DATA to ALARM",
    ]);
  });
});
