import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand } from "@aws-sdk/client-cloudwatch";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DescribeLogGroupsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import {
  CreateBackupCommand,
  CreateTableCommand,
  DescribeBackupCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DynamoDBClient,
  DynamoDBServiceException,
  GetItemCommand,
  ListBackupsCommand,
  ListTablesCommand,
  PutItemCommand,
  ScanCommand,
  UpdateContinuousBackupsCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
} from "@aws-sdk/client-dynamodb-streams";
import { EventBridgeClient, ListRulesCommand, PutRuleCommand } from "@aws-sdk/client-eventbridge";
import { CreateRoleCommand, GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  GetEventSourceMappingCommand,
  GetFunctionCommand,
  LambdaClient,
  ListFunctionsCommand,
} from "@aws-sdk/client-lambda";
import { CreateTopicCommand, ListTopicsCommand, SNSClient } from "@aws-sdk/client-sns";
import { CreateQueueCommand, ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { GetParameterCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import AdmZip from "adm-zip";
import { existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../../src/runtime/emulator/index.js";
import { AWS_CLI_SERVICE_ERROR_EXIT, awsCli, awsCliAvailable, awsCliJson } from "../../helpers/aws-cli.js";

/**
 * Every AWS service keeps its resources per account and region (IAM per account: it is global;
 * DynamoDB's backups and recovery settings and OpenSearch's domains and documents included):
 * the same names in two regions and two accounts are different resources. On one emulator, with SDK
 * v3 clients whose access key names the account (a 12-digit key is that account, as LocalStack
 * maps it) and whose region is the signing region, each place sees only its own.
 */

const ACCOUNT_A = "111111111111";
const ACCOUNT_B = "222222222222";
const S = (value: string): AttributeValue => ({ S: value });

interface Place {
  account: string;
  region: string;
}
const A_EAST: Place = { account: ACCOUNT_A, region: "us-east-1" };
const A_WEST: Place = { account: ACCOUNT_A, region: "eu-west-1" };
const B_EAST: Place = { account: ACCOUNT_B, region: "us-east-1" };
const B_WEST: Place = { account: ACCOUNT_B, region: "eu-west-1" };
const PLACES = [A_EAST, A_WEST, B_EAST, B_WEST];
const label = (p: Place) => `${p.account}/${p.region}`;

function config(url: string, place: Place) {
  return {
    endpoint: url,
    region: place.region,
    credentials: { accessKeyId: place.account, secretAccessKey: "test" },
    maxAttempts: 1,
  };
}

async function failure(send: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await send;
  } catch (error) {
    return error as { name: string; message: string };
  }
  throw new Error("expected the call to fail");
}

async function waitFor<T>(read: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting for the condition");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function createTable(ddb: DynamoDBClient, name: string) {
  const { TableDescription } = await ddb.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
      StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" },
    }),
  );
  return TableDescription!;
}

async function streamItems(streams: DynamoDBStreamsClient, arn: string): Promise<string[]> {
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: arn }));
  const { ShardIterator } = await streams.send(
    new GetShardIteratorCommand({
      StreamArn: arn,
      ShardId: StreamDescription!.Shards![0]!.ShardId!,
      ShardIteratorType: "TRIM_HORIZON",
    }),
  );
  const { Records } = await streams.send(new GetRecordsCommand({ ShardIterator }));
  return (Records ?? []).map((r) => `${r.awsRegion}:${r.dynamodb!.NewImage!["owner"]!.S}`);
}

describe("account and region scoping: the same names in two regions and two accounts (SDK v3)", () => {
  let emulator: Emulator;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "scoping-"));
    emulator = await createEmulator({});
  });
  afterAll(async () => {
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("DynamoDB: tables, items, streams and stream ARNs are per account and region", async () => {
    // Error cases first: nothing exists anywhere yet but the default account's region.
    for (const place of PLACES) {
      const ddb = new DynamoDBClient(config(emulator.url, place));
      const missing = await failure(ddb.send(new DescribeTableCommand({ TableName: "orders" })));
      expect(missing.name).toBe("ResourceNotFoundException");
      expect((await ddb.send(new ListTablesCommand({}))).TableNames).toEqual([]);
    }
    const tables = new Map<string, { arn: string; streamArn: string }>();
    for (const place of PLACES) {
      const ddb = new DynamoDBClient(config(emulator.url, place));
      const table = await createTable(ddb, "orders");
      expect(table.TableArn).toBe(`arn:aws:dynamodb:${place.region}:${place.account}:table/orders`);
      expect(table.LatestStreamArn).toMatch(
        new RegExp(`^arn:aws:dynamodb:${place.region}:${place.account}:table/orders/stream/`),
      );
      tables.set(label(place), { arn: table.TableArn!, streamArn: table.LatestStreamArn! });
      await ddb.send(
        new PutItemCommand({ TableName: "orders", Item: { pk: S("o-1"), owner: S(label(place)) } }),
      );
    }
    for (const place of PLACES) {
      const ddb = new DynamoDBClient(config(emulator.url, place));
      const streams = new DynamoDBStreamsClient(config(emulator.url, place));
      expect((await ddb.send(new ListTablesCommand({}))).TableNames).toEqual(["orders"]);
      const { Item } = await ddb.send(new GetItemCommand({ TableName: "orders", Key: { pk: S("o-1") } }));
      expect(Item?.["owner"]).toEqual(S(label(place)));
      expect((await ddb.send(new ScanCommand({ TableName: "orders" }))).Count).toBe(1);
      const { Streams } = await streams.send(new ListStreamsCommand({}));
      const own = tables.get(label(place))!;
      expect(Streams?.map((s) => s.StreamArn)).toEqual([own.streamArn]);
      expect(await streamItems(streams, own.streamArn)).toEqual([`${place.region}:${label(place)}`]);
      // Another place's stream ARN is not a stream here.
      const other = tables.get(label(place === A_EAST ? B_WEST : A_EAST))!;
      const foreign = await failure(streams.send(new DescribeStreamCommand({ StreamArn: other.streamArn })));
      expect(foreign.name).toBe("ResourceNotFoundException");
    }
  });

  it("DynamoDB: a table ARN of another region is not found, of another account is access denied (no resource policy)", async () => {
    const ddb = new DynamoDBClient(config(emulator.url, A_EAST));
    const otherRegion = `arn:aws:dynamodb:eu-west-1:${ACCOUNT_A}:table/orders`;
    const notHere = await failure(ddb.send(new DescribeTableCommand({ TableName: otherRegion })));
    expect(notHere.name).toBe("ResourceNotFoundException");
    const otherAccount = `arn:aws:dynamodb:us-east-1:${ACCOUNT_B}:table/orders`;
    const denied = await failure(
      ddb.send(new GetItemCommand({ TableName: otherAccount, Key: { pk: S("o-1") } })),
    );
    expect(denied.name).toBe("AccessDeniedException");
    expect(denied.message).toBe(
      `User: arn:aws:iam::${ACCOUNT_A}:root is not authorized to perform: dynamodb:GetItem on resource: ${otherAccount} because no resource-based policy allows the dynamodb:GetItem action`,
    );
    const own = await ddb.send(
      new GetItemCommand({
        TableName: `arn:aws:dynamodb:us-east-1:${ACCOUNT_A}:table/orders`,
        Key: { pk: S("o-1") },
      }),
    );
    expect(own.Item?.["owner"]).toEqual(S(label(A_EAST)));
  });

  it("DynamoDB backups and point-in-time recovery are per account and region", async () => {
    const arns = new Map<string, string>();
    for (const place of PLACES) {
      const ddb = new DynamoDBClient(config(emulator.url, place));
      const { BackupDetails } = await ddb.send(
        new CreateBackupCommand({ TableName: "orders", BackupName: `${place.account}.${place.region}` }),
      );
      expect(BackupDetails?.BackupArn).toMatch(
        new RegExp(`^arn:aws:dynamodb:${place.region}:${place.account}:table/orders/backup/`),
      );
      arns.set(label(place), BackupDetails!.BackupArn!);
    }
    await new DynamoDBClient(config(emulator.url, A_EAST)).send(
      new UpdateContinuousBackupsCommand({
        TableName: "orders",
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      }),
    );
    for (const place of PLACES) {
      const ddb = new DynamoDBClient(config(emulator.url, place));
      const { BackupSummaries } = await ddb.send(new ListBackupsCommand({}));
      expect(BackupSummaries?.map((b) => [b.BackupName, b.BackupArn])).toEqual([
        [`${place.account}.${place.region}`, arns.get(label(place))],
      ]);
      const { ContinuousBackupsDescription } = await ddb.send(
        new DescribeContinuousBackupsCommand({ TableName: "orders" }),
      );
      expect(ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus).toBe(
        place === A_EAST ? "ENABLED" : "DISABLED",
      );
    }
    // Another account's backup ARN is refused; another region's names no backup here.
    const ddb = new DynamoDBClient(config(emulator.url, A_EAST));
    const denied = await failure(ddb.send(new DescribeBackupCommand({ BackupArn: arns.get(label(B_EAST)) })));
    expect([denied.name, denied.message]).toEqual(["AccessDeniedException", "Access is denied"]);
    const west = arns.get(label(A_WEST))!;
    const notHere = await failure(ddb.send(new DescribeBackupCommand({ BackupArn: west })));
    expect(notHere.name).toBe("BackupNotFoundException");
  });

  it("OpenSearch: domains and their documents are per account and region", async () => {
    const call = (place: Place, method: string, path: string, body?: unknown) =>
      fetch(`${emulator.url}${path}`, {
        method,
        headers: {
          "content-type": "application/json",
          authorization:
            `AWS4-HMAC-SHA256 Credential=${place.account}/20260801/${place.region}/es/aws4_request, ` +
            `SignedHeaders=host;x-amz-date, Signature=${"0".repeat(64)}`,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    for (const place of PLACES) {
      const created = await call(place, "POST", "/2021-01-01/opensearch/domain", { DomainName: "search" });
      expect(created.status).toBe(200);
      const { DomainStatus } = (await created.json()) as { DomainStatus: { ARN: string } };
      expect(DomainStatus.ARN).toBe(`arn:aws:es:${place.region}:${place.account}:domain/search`);
    }
    const indexed = await call(A_EAST, "PUT", "/opensearch/us-east-1/search/people/_doc/1?refresh=true", {
      owner: label(A_EAST),
    });
    expect(indexed.status).toBe(201);
    for (const place of PLACES) {
      const listed = (await (await call(place, "GET", "/2021-01-01/domain")).json()) as {
        DomainNames: { DomainName: string }[];
      };
      expect(listed.DomainNames.map((d) => d.DomainName)).toEqual(["search"]);
      const read = await call(place, "GET", `/opensearch/${place.region}/search/people/_doc/1`);
      expect([label(place), read.status]).toEqual([label(place), place === A_EAST ? 200 : 404]);
    }
  });

  it("a region nobody created anything in answers as empty (us-eats-1 has no tables)", async () => {
    const ddb = new DynamoDBClient(config(emulator.url, { account: ACCOUNT_A, region: "us-eats-1" }));
    expect((await ddb.send(new ListTablesCommand({}))).TableNames).toEqual([]);
    const missing = await failure(ddb.send(new DescribeTableCommand({ TableName: "orders" })));
    expect(missing).toBeInstanceOf(DynamoDBServiceException);
    expect(missing.name).toBe("ResourceNotFoundException");
    const put = await failure(ddb.send(new PutItemCommand({ TableName: "orders", Item: { pk: S("x") } })));
    expect(put.name).toBe("ResourceNotFoundException");
  });

  it("SQS, EventBridge, Logs, CloudWatch, SNS, SSM: the same names are four resources", async () => {
    for (const place of PLACES) {
      const c = config(emulator.url, place);
      await new SQSClient(c).send(
        new CreateQueueCommand({ QueueName: "jobs", tags: { owner: label(place) } }),
      );
      await new EventBridgeClient(c).send(
        new PutRuleCommand({ Name: "nightly", ScheduleExpression: "rate(1 day)", Description: label(place) }),
      );
      await new CloudWatchLogsClient(c).send(new CreateLogGroupCommand({ logGroupName: "/app/orders" }));
      await new CloudWatchClient(c).send(
        new PutMetricAlarmCommand({
          AlarmName: "errors",
          AlarmDescription: label(place),
          Namespace: "App",
          MetricName: "Errors",
          Statistic: "Sum",
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: "GreaterThanOrEqualToThreshold",
        }),
      );
      await new SNSClient(c).send(new CreateTopicCommand({ Name: "alerts" }));
      await new SSMClient(c).send(
        new PutParameterCommand({ Name: "/app/owner", Value: label(place), Type: "String" }),
      );
    }
    for (const place of PLACES) {
      const c = config(emulator.url, place);
      const { QueueUrls } = await new SQSClient(c).send(new ListQueuesCommand({}));
      expect(QueueUrls).toHaveLength(1);
      expect(QueueUrls![0]).toContain(`/${place.account}/jobs`);
      const { Rules } = await new EventBridgeClient(c).send(new ListRulesCommand({}));
      expect(Rules?.map((r) => [r.Name, r.Description, r.Arn])).toEqual([
        ["nightly", label(place), `arn:aws:events:${place.region}:${place.account}:rule/nightly`],
      ]);
      const { logGroups } = await new CloudWatchLogsClient(c).send(new DescribeLogGroupsCommand({}));
      expect(logGroups?.map((g) => g.arn)).toEqual([
        `arn:aws:logs:${place.region}:${place.account}:log-group:/app/orders:*`,
      ]);
      const { MetricAlarms } = await new CloudWatchClient(c).send(new DescribeAlarmsCommand({}));
      expect(MetricAlarms?.map((a) => [a.AlarmDescription, a.AlarmArn])).toEqual([
        [label(place), `arn:aws:cloudwatch:${place.region}:${place.account}:alarm:errors`],
      ]);
      const { Topics } = await new SNSClient(c).send(new ListTopicsCommand({}));
      expect(Topics?.map((t) => t.TopicArn)).toEqual([`arn:aws:sns:${place.region}:${place.account}:alerts`]);
      const { Parameter } = await new SSMClient(c).send(new GetParameterCommand({ Name: "/app/owner" }));
      expect(Parameter?.Value).toBe(label(place));
    }
  });

  it("IAM is global per account, STS answers the key's account", async () => {
    const trust = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
      ],
    });
    await new IAMClient(config(emulator.url, A_EAST)).send(
      new CreateRoleCommand({ RoleName: "worker", AssumeRolePolicyDocument: trust }),
    );
    // The same account in another region is the same IAM: the name is taken.
    const taken = await failure(
      new IAMClient(config(emulator.url, A_WEST)).send(
        new CreateRoleCommand({ RoleName: "worker", AssumeRolePolicyDocument: trust }),
      ),
    );
    expect(taken.name).toBe("EntityAlreadyExistsException");
    const { Role } = await new IAMClient(config(emulator.url, A_WEST)).send(
      new GetRoleCommand({ RoleName: "worker" }),
    );
    expect(Role?.Arn).toBe(`arn:aws:iam::${ACCOUNT_A}:role/worker`);
    // Another account has its own.
    const inB = await new IAMClient(config(emulator.url, B_EAST)).send(
      new CreateRoleCommand({ RoleName: "worker", AssumeRolePolicyDocument: trust }),
    );
    expect(inB.Role?.Arn).toBe(`arn:aws:iam::${ACCOUNT_B}:role/worker`);
    for (const place of PLACES) {
      const identity = await new STSClient(config(emulator.url, place)).send(
        new GetCallerIdentityCommand({}),
      );
      expect(identity.Account).toBe(place.account);
    }
  });

  it("Lambda: functions per account and region; a mapping reads the stream of its own account and region's table", async () => {
    const out = join(dir, "invocations.jsonl");
    const zip = new AdmZip();
    zip.addFile(
      "index.mjs",
      Buffer.from(`import { appendFileSync } from "node:fs";
export const handler = async (event) => {
  appendFileSync(process.env.OUT_FILE, JSON.stringify(event.Records.map((r) => r.awsRegion + ":" + r.dynamodb.NewImage.owner.S)) + "\\n");
};`),
    );
    const roleArn = (account: string) => `arn:aws:iam::${account}:role/worker`;
    // The roles exist in both accounts (previous test); the function is made in A's eu-west-1 only.
    const lambdaWest = new LambdaClient(config(emulator.url, A_WEST));
    const created = await lambdaWest.send(
      new CreateFunctionCommand({
        FunctionName: "indexer",
        Runtime: "nodejs22.x",
        Handler: "index.handler",
        Role: roleArn(ACCOUNT_A),
        Code: { ZipFile: zip.toBuffer() },
        Environment: { Variables: { OUT_FILE: out } },
      }),
    );
    expect(created.FunctionArn).toBe(`arn:aws:lambda:eu-west-1:${ACCOUNT_A}:function:indexer`);
    await waitFor(async () =>
      (await lambdaWest.send(new GetFunctionCommand({ FunctionName: "indexer" }))).Configuration?.State ===
      "Active"
        ? true
        : undefined,
    );
    for (const place of [A_EAST, B_WEST]) {
      const missing = await failure(
        new LambdaClient(config(emulator.url, place)).send(
          new GetFunctionCommand({ FunctionName: "indexer" }),
        ),
      );
      expect(missing.name).toBe("ResourceNotFoundException");
      expect(
        (await new LambdaClient(config(emulator.url, place)).send(new ListFunctionsCommand({}))).Functions,
      ).toEqual([]);
    }
    const ddbWest = new DynamoDBClient(config(emulator.url, A_WEST));
    const { Table } = await ddbWest.send(new DescribeTableCommand({ TableName: "orders" }));
    const mapping = await lambdaWest.send(
      new CreateEventSourceMappingCommand({
        FunctionName: "indexer",
        EventSourceArn: Table!.LatestStreamArn!,
        StartingPosition: "LATEST",
        BatchSize: 10,
      }),
    );
    await waitFor(async () =>
      (await lambdaWest.send(new GetEventSourceMappingCommand({ UUID: mapping.UUID }))).State === "Enabled"
        ? true
        : undefined,
    );
    // Writes to the tables of the same name elsewhere come first; only A's eu-west-1 write reaches it.
    for (const place of [A_EAST, B_WEST, A_WEST]) {
      await new DynamoDBClient(config(emulator.url, place)).send(
        new PutItemCommand({
          TableName: "orders",
          Item: { pk: S("o-2"), owner: S(`${label(place)} again`) },
        }),
      );
    }
    const batches = await waitFor(async () =>
      existsSync(out)
        ? readFileSync(out, "utf8")
            .trim()
            .split("\n")
            .map((line) => JSON.parse(line) as string[])
        : undefined,
    );
    expect(batches).toEqual([[`eu-west-1:${label(A_WEST)} again`]]);
  });
});

describe("account and region scoping: DynamoDB state folders", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const fresh = () => {
    const d = mkdtempSync(join(tmpdir(), "scoping-state-"));
    dirs.push(d);
    return d;
  };

  it("each account and region persists in its own folder and comes back apart after a restart; asking a region leaves nothing", async () => {
    const persistDir = fresh();
    const first = await createEmulator({ services: ["dynamodb", "dynamodbstreams"], persistDir });
    for (const place of [A_EAST, A_WEST, B_EAST]) {
      const ddb = new DynamoDBClient(config(first.url, place));
      await createTable(ddb, "orders");
      await ddb.send(
        new PutItemCommand({ TableName: "orders", Item: { pk: S("o-1"), owner: S(label(place)) } }),
      );
    }
    const nowhere = new DynamoDBClient(config(first.url, { account: ACCOUNT_B, region: "us-eats-1" }));
    expect((await nowhere.send(new ListTablesCommand({}))).TableNames).toEqual([]);
    await first.stop();

    const root = join(persistDir, "dynamodb");
    expect(readdirSync(root).sort()).toEqual(["000000000000", ACCOUNT_A, ACCOUNT_B]);
    expect(readdirSync(join(root, ACCOUNT_A)).sort()).toEqual(["eu-west-1", "us-east-1"]);
    expect(readdirSync(join(root, ACCOUNT_B))).toEqual(["us-east-1"]);

    const second = await createEmulator({ services: ["dynamodb", "dynamodbstreams"], persistDir });
    for (const place of [A_EAST, A_WEST, B_EAST]) {
      const ddb = new DynamoDBClient(config(second.url, place));
      const streams = new DynamoDBStreamsClient(config(second.url, place));
      const { Item } = await ddb.send(new GetItemCommand({ TableName: "orders", Key: { pk: S("o-1") } }));
      expect(Item?.["owner"]).toEqual(S(label(place)));
      const { Table } = await ddb.send(new DescribeTableCommand({ TableName: "orders" }));
      expect(await streamItems(streams, Table!.LatestStreamArn!)).toEqual([
        `${place.region}:${label(place)}`,
      ]);
    }
    const empty = new DynamoDBClient(config(second.url, B_WEST));
    expect((await empty.send(new ListTablesCommand({}))).TableNames).toEqual([]);
    await second.stop();
  });

  it("a state folder written before scoping (dynamodb/leveldb, journal, snapshot) loads as the default account and region", async () => {
    const persistDir = fresh();
    const first = await createEmulator({ services: ["dynamodb", "dynamodbstreams"], persistDir });
    const defaults = { account: "test", region: "us-east-1" };
    const ddb = new DynamoDBClient(config(first.url, defaults));
    const created = await createTable(ddb, "celebrity-database");
    await ddb.send(
      new PutItemCommand({ TableName: "celebrity-database", Item: { pk: S("c-1"), owner: S("before") } }),
    );
    await first.stop();
    // The same files as an emulator of before wrote them: straight under dynamodb/.
    const root = join(persistDir, "dynamodb");
    const scoped = join(root, "000000000000", "us-east-1");
    // (Backups and the recovery history came later: an emulator of before had neither folder.)
    for (const file of readdirSync(scoped))
      if (file !== "backups" && file !== "pitr") renameSync(join(scoped, file), join(root, file));
    rmSync(join(root, "000000000000"), { recursive: true });
    expect(readdirSync(root).sort()).toEqual(expect.arrayContaining(["journal.jsonl", "leveldb"]));

    const second = await createEmulator({ services: ["dynamodb", "dynamodbstreams"], persistDir });
    const client = new DynamoDBClient(config(second.url, defaults));
    const streams = new DynamoDBStreamsClient(config(second.url, defaults));
    const { Item } = await client.send(
      new GetItemCommand({ TableName: "celebrity-database", Key: { pk: S("c-1") } }),
    );
    expect(Item?.["owner"]).toEqual(S("before"));
    const { Table } = await client.send(new DescribeTableCommand({ TableName: "celebrity-database" }));
    expect(Table?.TableArn).toBe(created.TableArn);
    expect(Table?.LatestStreamArn).toBe(created.LatestStreamArn);
    expect(await streamItems(streams, created.LatestStreamArn!)).toEqual(["us-east-1:before"]);
    expect(readdirSync(root).sort()).toEqual(["000000000000"]);
    expect(second.recovery()).toEqual([]);
    await second.stop();
  });
});

describe.skipIf(!awsCliAvailable)("account and region scoping (AWS CLI)", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await createEmulator({ services: ["dynamodb", "dynamodbstreams", "sts"] });
  });
  afterAll(() => emulator.stop());

  it(
    "create-table in one account and region; list-tables elsewhere does not show it",
    { timeout: 120_000 },
    async () => {
      const asA = { AWS_ACCESS_KEY_ID: ACCOUNT_A, AWS_DEFAULT_REGION: "eu-west-1" };
      const created = await awsCliJson<{ TableDescription: { TableArn: string } }>(
        emulator.url,
        [
          "dynamodb",
          "create-table",
          "--table-name",
          "orders",
          "--attribute-definitions",
          "AttributeName=pk,AttributeType=S",
          "--key-schema",
          "AttributeName=pk,KeyType=HASH",
          "--billing-mode",
          "PAY_PER_REQUEST",
        ],
        asA,
      );
      expect(created.TableDescription.TableArn).toBe(`arn:aws:dynamodb:eu-west-1:${ACCOUNT_A}:table/orders`);
      const identity = await awsCliJson<{ Account: string }>(
        emulator.url,
        ["sts", "get-caller-identity"],
        asA,
      );
      expect(identity.Account).toBe(ACCOUNT_A);
      expect(
        (await awsCliJson<{ TableNames: string[] }>(emulator.url, ["dynamodb", "list-tables"], asA))
          .TableNames,
      ).toEqual(["orders"]);
      // Another region of the same account, and another account: neither has it.
      for (const elsewhere of [
        { AWS_ACCESS_KEY_ID: ACCOUNT_A, AWS_DEFAULT_REGION: "us-east-1" },
        { AWS_ACCESS_KEY_ID: ACCOUNT_B, AWS_DEFAULT_REGION: "eu-west-1" },
      ]) {
        expect(
          (await awsCliJson<{ TableNames: string[] }>(emulator.url, ["dynamodb", "list-tables"], elsewhere))
            .TableNames,
        ).toEqual([]);
      }
      const missing = await awsCli(emulator.url, ["dynamodb", "describe-table", "--table-name", "orders"], {
        AWS_ACCESS_KEY_ID: ACCOUNT_B,
        AWS_DEFAULT_REGION: "eu-west-1",
      });
      expect(missing.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
      expect(missing.stderr).toContain("ResourceNotFoundException");
    },
  );
});
