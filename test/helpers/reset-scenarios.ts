import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  ListMetricsCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
} from "@aws-sdk/client-cloudwatch";
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  PutLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import {
  CreateBackupCommand,
  DynamoDBClient,
  ListBackupsCommand,
  ListTablesCommand,
  PutItemCommand,
  ResourceNotFoundException,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import { DynamoDBStreamsClient, ListStreamsCommand } from "@aws-sdk/client-dynamodb-streams";
import {
  CreateEventBusCommand,
  EventBridgeClient,
  ListEventBusesCommand,
  ListRulesCommand,
  PutRuleCommand,
} from "@aws-sdk/client-eventbridge";
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  ListRolesCommand,
  ListUsersCommand,
} from "@aws-sdk/client-iam";
import { LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { CreateTopicCommand, ListTopicsCommand, SNSClient } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { ServiceName } from "../../src/runtime/emulator/index.js";
import { clientConfig, createFunction, createRole, createStreamTable } from "./crash-clients.js";

/**
 * What a state reset must empty, per emulator service: each scenario creates named things with
 * data in them and says whether they are there. test/integration/emulator/reset.test.ts resets
 * each service on its own and all at once, and creates the same names again afterwards. Keyed by
 * ServiceName, so a service added to the emulator does not compile here until it shows its reset.
 * Each `create` fails when its things already exist wherever AWS refuses a duplicate (a table, a
 * role, a parameter without Overwrite, ...), so creating them twice proves the reset.
 */
export interface ResetScenario {
  /** The services the emulator runs for it. */
  services: ServiceName[];
  create(url: string, name: string): Promise<void>;
  present(url: string, name: string): Promise<boolean>;
}

type Entry = ResetScenario | { sharesStateWith: ServiceName };

async function using<C extends { destroy(): void }, T>(
  client: C,
  use: (client: C) => Promise<T>,
): Promise<T> {
  try {
    return await use(client);
  } finally {
    client.destroy();
  }
}

const ASSUME = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:root" }, Action: "sts:AssumeRole" },
  ],
});

const HANDLER = "export const handler = async () => ({ ok: true });";

/** STS sessions issued per scenario name (their keys are what a reset of STS forgets). */
const sessions = new Map<string, { accessKeyId: string; secretAccessKey: string; sessionToken: string }>();

export const RESET_SCENARIOS: Record<ServiceName, Entry> = {
  dynamodb: {
    services: ["dynamodb", "dynamodbstreams"],
    async create(url, name) {
      await using(new DynamoDBClient(clientConfig(url)), async (ddb) => {
        await createStreamTable(ddb, name);
        await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: "a" } } }));
        // Backups outlive their table: a reset must empty them too.
        await ddb.send(new CreateBackupCommand({ TableName: name, BackupName: name }));
      });
    },
    async present(url, name) {
      const backups = await using(new DynamoDBClient(clientConfig(url)), async (ddb) => {
        const listed = await ddb.send(new ListBackupsCommand({ TableName: name, BackupType: "ALL" }));
        return listed.BackupSummaries?.length ?? 0;
      });
      if (backups > 0) return true;
      const streams = await using(new DynamoDBStreamsClient(clientConfig(url)), async (client) => {
        const listed = await client.send(new ListStreamsCommand({}));
        return listed.Streams?.filter((stream) => stream.TableName === name).length ?? 0;
      });
      if (streams > 0) return true;
      return using(new DynamoDBClient(clientConfig(url)), async (ddb) => {
        const tables = await ddb.send(new ListTablesCommand({}));
        if (!tables.TableNames?.includes(name)) return false;
        try {
          return ((await ddb.send(new ScanCommand({ TableName: name }))).Count ?? 0) > 0;
        } catch (error) {
          if (error instanceof ResourceNotFoundException) return false;
          throw error;
        }
      });
    },
  },
  // The stream of a table is DynamoDB's state: a reset of either resets both.
  dynamodbstreams: { sharesStateWith: "dynamodb" },
  sqs: {
    services: ["sqs"],
    async create(url, name) {
      await using(new SQSClient(clientConfig(url)), async (sqs) => {
        const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
        await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "kept?" }));
      });
    },
    async present(url, name) {
      return using(new SQSClient(clientConfig(url)), async (sqs) => {
        let queueUrl: string | undefined;
        try {
          queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
        } catch (error) {
          if (error instanceof QueueDoesNotExist) return false;
          throw error;
        }
        // Peek without taking it away for long: a zero visibility timeout leaves it visible.
        const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, VisibilityTimeout: 0 }));
        return (got.Messages?.length ?? 0) > 0;
      });
    },
  },
  events: {
    services: ["events"],
    async create(url, name) {
      await using(new EventBridgeClient(clientConfig(url)), async (events) => {
        await events.send(new CreateEventBusCommand({ Name: name }));
        await events.send(
          new PutRuleCommand({ Name: name, EventBusName: name, EventPattern: '{"source":["reset"]}' }),
        );
      });
    },
    async present(url, name) {
      return using(new EventBridgeClient(clientConfig(url)), async (events) => {
        const buses = await events.send(new ListEventBusesCommand({ NamePrefix: name }));
        if (!buses.EventBuses?.some((bus) => bus.Name === name)) return false;
        const rules = await events.send(new ListRulesCommand({ EventBusName: name }));
        return rules.Rules?.some((rule) => rule.Name === name) ?? false;
      });
    },
  },
  lambda: {
    services: ["sts", "iam", "logs", "lambda"],
    async create(url, name) {
      // The role lives in IAM: a reset of Lambda alone keeps it, so it is created once.
      const role = await using(new IAMClient(clientConfig(url)), async (iam) => {
        const roles = await iam.send(new ListRolesCommand({}));
        return roles.Roles?.find((r) => r.RoleName === `${name}-role`)?.Arn;
      });
      await createFunction(url, {
        name,
        role: role ?? (await createRole(url, `${name}-role`)),
        source: HANDLER,
      });
    },
    async present(url, name) {
      return using(new LambdaClient(clientConfig(url)), async (lambda) => {
        const listed = await lambda.send(new ListFunctionsCommand({}));
        return listed.Functions?.some((fn) => fn.FunctionName === name) ?? false;
      });
    },
  },
  logs: {
    services: ["logs"],
    async create(url, name) {
      await using(new CloudWatchLogsClient(clientConfig(url)), async (logs) => {
        await logs.send(new CreateLogGroupCommand({ logGroupName: `/reset/${name}` }));
        await logs.send(new CreateLogStreamCommand({ logGroupName: `/reset/${name}`, logStreamName: "s" }));
        await logs.send(
          new PutLogEventsCommand({
            logGroupName: `/reset/${name}`,
            logStreamName: "s",
            logEvents: [{ timestamp: Date.now(), message: "kept?" }],
          }),
        );
      });
    },
    async present(url, name) {
      return using(new CloudWatchLogsClient(clientConfig(url)), async (logs) => {
        const groups = await logs.send(
          new DescribeLogGroupsCommand({ logGroupNamePrefix: `/reset/${name}` }),
        );
        return (groups.logGroups?.length ?? 0) > 0;
      });
    },
  },
  cloudwatch: {
    services: ["cloudwatch"],
    async create(url, name) {
      await using(new CloudWatchClient(clientConfig(url)), async (cw) => {
        await cw.send(
          new PutMetricDataCommand({
            Namespace: `Reset/${name}`,
            MetricData: [{ MetricName: "m", Value: 1 }],
          }),
        );
        await cw.send(
          new PutMetricAlarmCommand({
            AlarmName: name,
            Namespace: `Reset/${name}`,
            MetricName: "m",
            Statistic: "Sum",
            Period: 60,
            EvaluationPeriods: 1,
            Threshold: 1,
            ComparisonOperator: "GreaterThanOrEqualToThreshold",
          }),
        );
      });
    },
    async present(url, name) {
      return using(new CloudWatchClient(clientConfig(url)), async (cw) => {
        const alarms = await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
        const metrics = await cw.send(new ListMetricsCommand({ Namespace: `Reset/${name}` }));
        return (alarms.MetricAlarms?.length ?? 0) > 0 || (metrics.Metrics?.length ?? 0) > 0;
      });
    },
  },
  iam: {
    services: ["iam"],
    async create(url, name) {
      await using(new IAMClient(clientConfig(url)), async (iam) => {
        await iam.send(new CreateUserCommand({ UserName: name }));
        const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
        sessions.set(`iam:${name}`, {
          accessKeyId: AccessKey!.AccessKeyId!,
          secretAccessKey: AccessKey!.SecretAccessKey!,
          sessionToken: "",
        });
      });
    },
    async present(url, name) {
      // The user's access key identifies the user while IAM has it; after a reset it is an
      // unknown key again (the default account's root, as any key the emulator did not issue).
      const users = await using(new IAMClient(clientConfig(url)), (iam) =>
        iam.send(new ListUsersCommand({})),
      );
      if (users.Users?.some((user) => user.UserName === name)) return true;
      const key = sessions.get(`iam:${name}`);
      if (!key) return false;
      return using(
        new STSClient({
          ...clientConfig(url),
          credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
        }),
        async (sts) => {
          const identity = await sts.send(new GetCallerIdentityCommand({}));
          return identity.Arn === `arn:aws:iam::000000000000:user/${name}`;
        },
      );
    },
  },
  sts: {
    services: ["sts", "iam"],
    async create(url, name) {
      const roleArn = await createRoleFor(url, `${name}-assumed`);
      const assumed = await using(new STSClient(clientConfig(url)), (sts) =>
        sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: name })),
      );
      const c = assumed.Credentials!;
      sessions.set(`sts:${name}`, {
        accessKeyId: c.AccessKeyId!,
        secretAccessKey: c.SecretAccessKey!,
        sessionToken: c.SessionToken!,
      });
    },
    async present(url, name) {
      const session = sessions.get(`sts:${name}`);
      if (!session) return false;
      return using(new STSClient({ ...clientConfig(url), credentials: session }), async (sts) => {
        const identity = await sts.send(new GetCallerIdentityCommand({}));
        return identity.Arn?.includes(":assumed-role/") ?? false;
      });
    },
  },
  opensearch: {
    services: ["opensearch"],
    async create(url, name) {
      const index = `${url}/opensearch/us-east-1/reset/${name}`;
      const created = await fetch(index, { method: "PUT" });
      if (!created.ok)
        throw new Error(`PUT index ${name} answered ${created.status}: ${await created.text()}`);
      const put = await fetch(`${index}/_doc/1?refresh=true`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ kept: true }),
      });
      if (!put.ok) throw new Error(`PUT a document answered ${put.status}`);
    },
    async present(url, name) {
      const answer = await fetch(`${url}/opensearch/us-east-1/reset/${name}/_doc/1`);
      await answer.arrayBuffer();
      return answer.status === 200;
    },
  },
  sns: {
    services: ["sns"],
    async create(url, name) {
      await using(new SNSClient(clientConfig(url)), (sns) =>
        sns.send(new CreateTopicCommand({ Name: name })),
      );
    },
    async present(url, name) {
      return using(new SNSClient(clientConfig(url)), async (sns) => {
        const topics = await sns.send(new ListTopicsCommand({}));
        return topics.Topics?.some((topic) => topic.TopicArn?.endsWith(`:${name}`)) ?? false;
      });
    },
  },
  ssm: {
    services: ["ssm"],
    async create(url, name) {
      await using(new SSMClient(clientConfig(url)), (ssm) =>
        ssm.send(new PutParameterCommand({ Name: `/reset/${name}`, Value: "kept?", Type: "SecureString" })),
      );
    },
    async present(url, name) {
      return using(new SSMClient(clientConfig(url)), async (ssm) => {
        try {
          await ssm.send(new GetParameterCommand({ Name: `/reset/${name}`, WithDecryption: true }));
          return true;
        } catch (error) {
          if (error instanceof ParameterNotFound) return false;
          throw error;
        }
      });
    },
  },
};

/** A role this account's root may assume; reused when a reset of STS alone kept IAM. */
async function createRoleFor(url: string, name: string): Promise<string> {
  return using(new IAMClient(clientConfig(url)), async (iam) => {
    const roles = await iam.send(new ListRolesCommand({}));
    const existing = roles.Roles?.find((role) => role.RoleName === name)?.Arn;
    if (existing) return existing;
    const created = await iam.send(
      new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: ASSUME }),
    );
    return created.Role!.Arn!;
  });
}

/** The scenarios with state of their own (dynamodbstreams is DynamoDB's). */
export function resetScenarios(): [ServiceName, ResetScenario][] {
  return Object.entries(RESET_SCENARIOS).flatMap(([name, entry]) =>
    "sharesStateWith" in entry ? [] : [[name as ServiceName, entry]],
  );
}

/** A reset of `service` as the emulator's answer names it (dynamodb brings dynamodbstreams along). */
export function resetTogether(service: ServiceName): ServiceName[] {
  const sharing = Object.entries(RESET_SCENARIOS)
    .filter(([, entry]) => "sharesStateWith" in entry && entry.sharesStateWith === service)
    .map(([name]) => name as ServiceName);
  return [service, ...sharing];
}
