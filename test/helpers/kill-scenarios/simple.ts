import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand } from "@aws-sdk/client-cloudwatch";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  FilterLogEventsCommand,
  PutLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { CreateRoleCommand, IAMClient, ListRolesCommand } from "@aws-sdk/client-iam";
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { GetParametersByPathCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { clientConfig, waitFor } from "../crash-clients.js";
import { idScenario } from "./acknowledged-ids.js";

/** Kill scenarios of the services whose acknowledged effects are things with names. */

const ASSUME = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

export const iamScenario = () =>
  idScenario({
    services: ["iam"],
    setup: async () => undefined,
    async write(url, _context, id) {
      const iam = new IAMClient(clientConfig(url));
      try {
        await iam.send(new CreateRoleCommand({ RoleName: `role-${id}`, AssumeRolePolicyDocument: ASSUME }));
      } finally {
        iam.destroy();
      }
    },
    async present(url) {
      const iam = new IAMClient(clientConfig(url));
      const names = new Set<string>();
      try {
        let marker: string | undefined;
        do {
          const page = await iam.send(new ListRolesCommand({ Marker: marker }));
          for (const role of page.Roles ?? []) names.add(role.RoleName!.replace(/^role-/, ""));
          marker = page.IsTruncated ? page.Marker : undefined;
        } while (marker);
      } finally {
        iam.destroy();
      }
      return names;
    },
  });

const GROUP = "/kill/logs";
export const logsScenario = () =>
  idScenario({
    services: ["logs"],
    async setup(url) {
      const logs = new CloudWatchLogsClient(clientConfig(url));
      try {
        await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
        for (let worker = 0; worker < 6; worker++)
          await logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: `w${worker}` }));
      } finally {
        logs.destroy();
      }
    },
    async write(url, _context, id, worker) {
      const logs = new CloudWatchLogsClient(clientConfig(url));
      try {
        await logs.send(
          new PutLogEventsCommand({
            logGroupName: GROUP,
            logStreamName: `w${worker}`,
            logEvents: [{ timestamp: Date.now(), message: id }],
          }),
        );
      } finally {
        logs.destroy();
      }
    },
    async present(url) {
      const logs = new CloudWatchLogsClient(clientConfig(url));
      const messages = new Set<string>();
      try {
        let token: string | undefined;
        do {
          const page = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, nextToken: token }));
          for (const event of page.events ?? []) messages.add(event.message!);
          token = page.nextToken;
        } while (token);
      } finally {
        logs.destroy();
      }
      return messages;
    },
  });

export const cloudwatchScenario = () =>
  idScenario({
    services: ["cloudwatch"],
    setup: async () => undefined,
    async write(url, _context, id) {
      const cloudwatch = new CloudWatchClient(clientConfig(url));
      try {
        await cloudwatch.send(
          new PutMetricAlarmCommand({
            AlarmName: id,
            Namespace: "Kill",
            MetricName: "Errors",
            Statistic: "Sum",
            Period: 60,
            EvaluationPeriods: 1,
            Threshold: 1,
            ComparisonOperator: "GreaterThanOrEqualToThreshold",
          }),
        );
      } finally {
        cloudwatch.destroy();
      }
    },
    async present(url) {
      const cloudwatch = new CloudWatchClient(clientConfig(url));
      const names = new Set<string>();
      try {
        let token: string | undefined;
        do {
          const page = await cloudwatch.send(
            new DescribeAlarmsCommand({ NextToken: token, MaxRecords: 100 }),
          );
          for (const alarm of page.MetricAlarms ?? []) names.add(alarm.AlarmName!);
          token = page.NextToken;
        } while (token);
      } finally {
        cloudwatch.destroy();
      }
      return names;
    },
  });

const DOMAIN = "opensearch/us-east-1/kill";
export const opensearchScenario = () =>
  idScenario({
    services: ["opensearch"],
    async setup(url) {
      const created = await fetch(`${url}/${DOMAIN}/docs`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ settings: { number_of_replicas: 0 } }),
      });
      if (!created.ok) throw new Error(`creating the index answered ${created.status}`);
    },
    async write(url, _context, id) {
      const answer = await fetch(`${url}/${DOMAIN}/docs/_doc/${id}`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ id, weight: 1 }),
      });
      await answer.arrayBuffer();
      if (answer.status !== 201 && answer.status !== 200)
        throw new Error(`PUT ${id} answered ${answer.status}`);
    },
    async present(url) {
      const answer = await fetch(`${url}/${DOMAIN}/docs/_search`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ size: 10_000, query: { match_all: {} } }),
      });
      const body = (await answer.json()) as { hits: { hits: { _id: string }[] } };
      return new Set(body.hits.hits.map((hit) => hit._id));
    },
  });

export const ssmScenario = () =>
  idScenario({
    services: ["ssm"],
    setup: async () => undefined,
    async write(url, _context, id) {
      const ssm = new SSMClient(clientConfig(url));
      try {
        await ssm.send(new PutParameterCommand({ Name: `/kill/${id}`, Value: id, Type: "String" }));
      } finally {
        ssm.destroy();
      }
    },
    async present(url) {
      const ssm = new SSMClient(clientConfig(url));
      const names = new Set<string>();
      try {
        let token: string | undefined;
        do {
          const page = await ssm.send(
            new GetParametersByPathCommand({
              Path: "/kill",
              Recursive: true,
              NextToken: token,
              MaxResults: 10,
            }),
          );
          for (const parameter of page.Parameters ?? []) names.add(parameter.Value!);
          token = page.NextToken;
        } while (token);
      } finally {
        ssm.destroy();
      }
      return names;
    },
  });

/**
 * SNS: Publish to a topic with an SQS subscription. An acknowledged Publish must reach the queue,
 * even when the kill came before its delivery (SNS journals deliveries in progress).
 */
export const snsScenario = () =>
  idScenario<{ topicArn: string; queueUrl: string; received: Set<string> }>({
    services: ["sqs", "sns"],
    async setup(url) {
      const sqs = new SQSClient(clientConfig(url));
      const sns = new SNSClient(clientConfig(url));
      try {
        const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "kill-topic" }));
        const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "kill-topic-q" }));
        const queueArn = "arn:aws:sqs:us-east-1:000000000000:kill-topic-q";
        await sqs.send(
          new SetQueueAttributesCommand({
            QueueUrl,
            Attributes: {
              Policy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                  {
                    Effect: "Allow",
                    Principal: { Service: "sns.amazonaws.com" },
                    Action: "sqs:SendMessage",
                    Resource: queueArn,
                    Condition: { ArnEquals: { "aws:SourceArn": TopicArn } },
                  },
                ],
              }),
            },
          }),
        );
        await sns.send(
          new SubscribeCommand({
            TopicArn,
            Protocol: "sqs",
            Endpoint: queueArn,
            Attributes: { RawMessageDelivery: "true" },
          }),
        );
        return { topicArn: TopicArn!, queueUrl: QueueUrl!, received: new Set<string>() };
      } finally {
        sqs.destroy();
        sns.destroy();
      }
    },
    async write(url, context, id) {
      const sns = new SNSClient(clientConfig(url));
      try {
        await sns.send(new PublishCommand({ TopicArn: context.topicArn, Message: id }));
      } finally {
        sns.destroy();
      }
    },
    async present(url, context, expected) {
      const sqs = new SQSClient(clientConfig(url));
      try {
        const queueUrl = context.queueUrl.replace(/^http:\/\/[^/]+/, url);
        await waitFor(
          async () => {
            const { Messages } = await sqs.send(
              new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
            );
            for (const message of Messages ?? []) context.received.add(message.Body!);
            if (Messages?.length) {
              await sqs.send(
                new DeleteMessageBatchCommand({
                  QueueUrl: queueUrl,
                  Entries: Messages.map((m, n) => ({ Id: String(n), ReceiptHandle: m.ReceiptHandle! })),
                }),
              );
            }
            return [...expected].every((id) => context.received.has(id));
          },
          "every acknowledged Publish to reach the queue",
          20_000,
        ).catch(() => undefined);
        return context.received;
      } finally {
        sqs.destroy();
      }
    },
  });
