import { GetMetricStatisticsCommand, CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import {
  CloudWatchLogsClient,
  CreateDeliveryCommand,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteDeliveryCommand,
  DeleteDeliverySourceCommand,
  DeleteMetricFilterCommand,
  DeleteResourcePolicyCommand,
  DeleteSubscriptionFilterCommand,
  DescribeDeliveriesCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  DescribeMetricFiltersCommand,
  DescribeResourcePoliciesCommand,
  DescribeSubscriptionFiltersCommand,
  FilterLogEventsCommand,
  GetDeliveryDestinationCommand,
  GetDeliverySourceCommand,
  GetLogEventsCommand,
  PutDeliveryDestinationCommand,
  PutDeliverySourceCommand,
  PutLogEventsCommand,
  PutMetricFilterCommand,
  PutResourcePolicyCommand,
  PutRetentionPolicyCommand,
  PutSubscriptionFilterCommand,
  TestMetricFilterCommand,
  paginateFilterLogEvents,
} from "@aws-sdk/client-cloudwatch-logs";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  GetFunctionCommand,
  LambdaClient,
} from "@aws-sdk/client-lambda";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import AdmZip from "adm-zip";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, ManualClock, type Emulator } from "../../../src/runtime/emulator/index.js";
import { awsCli, awsCliAvailable, awsCliJson } from "../../helpers/aws-cli.js";

/**
 * CloudWatch Logs as the API reference documents it, beyond groups and streams: PutLogEvents'
 * rejectedLogEventsInfo, FilterLogEvents paging and interleaving, logGroupIdentifier refusing the
 * `:*` ARN, resource policies, subscription filters delivering to Lambda, metric filters
 * publishing to CloudWatch, TestMetricFilter, and the delivery source / destination / delivery API.
 */
const ACCOUNT = "000000000000";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const DAY = 86_400_000;
const HOUR = 3_600_000;
const groupArn = (name: string) => `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:${name}`;

async function failure(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string };
    return { name: e.name, message: e.message };
  }
  throw new Error("expected the call to fail");
}

describe("logs conformance on a manual clock", () => {
  let emulator: Emulator;
  let clock: ManualClock;
  let logs: CloudWatchLogsClient;

  beforeAll(async () => {
    clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
    emulator = await createEmulator({ services: ["logs"], clock });
    logs = new CloudWatchLogsClient({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials,
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    logs.destroy();
    await emulator.stop();
  });

  async function group(name: string, streams: string[] = ["s1"]): Promise<void> {
    await logs.send(new CreateLogGroupCommand({ logGroupName: name }));
    for (const stream of streams) {
      await logs.send(new CreateLogStreamCommand({ logGroupName: name, logStreamName: stream }));
    }
  }

  it("logGroupIdentifier: the `:*` ARN DescribeLogGroups returns as `arn` is refused; logGroupArn works", async () => {
    await group("/conformance/ids");
    const starred = `${groupArn("/conformance/ids")}:*`;
    const expected = {
      name: "InvalidParameterException",
      message: `1 validation error detected: Value '${starred}' at 'logGroupIdentifier' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w#+=/:,.@-]*`,
    };
    expect(await failure(logs.send(new FilterLogEventsCommand({ logGroupIdentifier: starred })))).toEqual(
      expected,
    );
    expect(
      await failure(logs.send(new GetLogEventsCommand({ logGroupIdentifier: starred, logStreamName: "s1" }))),
    ).toEqual(expected);
    expect(await failure(logs.send(new DescribeLogStreamsCommand({ logGroupIdentifier: starred })))).toEqual(
      expected,
    );
    const described = await logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: "/conformance/ids" }),
    );
    const arn = described.logGroups?.[0]?.logGroupArn;
    expect(arn).toBe(groupArn("/conformance/ids"));
    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupIdentifier: arn }));
    expect(streams.logStreams?.map((s) => s.logStreamName)).toEqual(["s1"]);
  });

  it("model constraints are worded one bound at a time, as the service's validation words them", async () => {
    const long = "g".repeat(513);
    expect(await failure(logs.send(new CreateLogGroupCommand({ logGroupName: long })))).toEqual({
      name: "InvalidParameterException",
      message: `1 validation error detected: Value '${long}' at 'logGroupName' failed to satisfy constraint: Member must have length less than or equal to 512`,
    });
    await group("/conformance/bounds");
    expect(
      await failure(
        logs.send(
          new PutLogEventsCommand({
            logGroupName: "/conformance/bounds",
            logStreamName: "s1",
            logEvents: [],
          }),
        ),
      ),
    ).toEqual({
      name: "InvalidParameterException",
      message:
        "1 validation error detected: Value '[]' at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1",
    });
  });

  it("PutLogEvents: too old (14 days), expired (retention) and too new (2 hours) as indexes", async () => {
    await group("/conformance/rejected");
    await logs.send(
      new PutRetentionPolicyCommand({ logGroupName: "/conformance/rejected", retentionInDays: 1 }),
    );
    const now = clock.now();
    const out = await logs.send(
      new PutLogEventsCommand({
        logGroupName: "/conformance/rejected",
        logStreamName: "s1",
        logEvents: [
          { timestamp: now - 15 * DAY, message: "too old" },
          { timestamp: now - 3 * DAY, message: "expired" },
          { timestamp: now - 2 * DAY, message: "expired too" },
          { timestamp: now - HOUR, message: "kept" },
          { timestamp: now + HOUR, message: "kept too" },
          { timestamp: now + 3 * HOUR, message: "too new" },
        ],
      }),
    );
    expect(out.rejectedLogEventsInfo).toEqual({
      tooOldLogEventEndIndex: 1,
      expiredLogEventEndIndex: 3,
      tooNewLogEventStartIndex: 5,
    });
    const stored = await logs.send(new FilterLogEventsCommand({ logGroupName: "/conformance/rejected" }));
    expect(stored.events?.map((e) => e.message)).toEqual(["kept", "kept too"]);
  });

  it("PutLogEvents: the 24-hour span counts valid events only; chronological order is still required", async () => {
    await group("/conformance/span");
    const now = clock.now();
    const spanning = await logs.send(
      new PutLogEventsCommand({
        logGroupName: "/conformance/span",
        logStreamName: "s1",
        logEvents: [
          { timestamp: now - 20 * DAY, message: "rejected, so not part of the span" },
          { timestamp: now, message: "valid" },
        ],
      }),
    );
    expect(spanning.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 1 });
    const tooWide = await failure(
      logs.send(
        new PutLogEventsCommand({
          logGroupName: "/conformance/span",
          logStreamName: "s1",
          logEvents: [
            { timestamp: now - 2 * DAY, message: "valid" },
            { timestamp: now, message: "valid" },
          ],
        }),
      ),
    );
    expect(tooWide.name).toBe("InvalidParameterException");
    const unordered = await failure(
      logs.send(
        new PutLogEventsCommand({
          logGroupName: "/conformance/span",
          logStreamName: "s1",
          logEvents: [
            { timestamp: now, message: "b" },
            { timestamp: now - 1, message: "a" },
          ],
        }),
      ),
    );
    expect(unordered.name).toBe("InvalidParameterException");
  });

  it("FilterLogEvents: events of all streams interleaved by time (ties by arrival), every event once across pages", async () => {
    await group("/conformance/interleave", ["a", "b", "c"]);
    const t0 = clock.now() - HOUR;
    const put = (stream: string, events: [number, string][]) =>
      logs.send(
        new PutLogEventsCommand({
          logGroupName: "/conformance/interleave",
          logStreamName: stream,
          logEvents: events.map(([dt, message]) => ({ timestamp: t0 + dt, message })),
        }),
      );
    await put("c", [
      [0, "c0"],
      [30, "c30"],
    ]);
    await put("a", [
      [10, "a10"],
      [30, "a30"],
      [50, "a50"],
    ]);
    await put("b", [
      [20, "b20"],
      [40, "b40"],
    ]);

    const all = await logs.send(new FilterLogEventsCommand({ logGroupName: "/conformance/interleave" }));
    expect(all.events?.map((e) => `${e.logStreamName}:${e.message}`)).toEqual([
      "c:c0",
      "a:a10",
      "b:b20",
      "c:c30",
      "a:a30",
      "b:b40",
      "a:a50",
    ]);
    expect(new Set(all.events?.map((e) => e.eventId)).size).toBe(7);

    const pages: string[][] = [];
    let nextToken: string | undefined;
    do {
      const page = await logs.send(
        new FilterLogEventsCommand({ logGroupName: "/conformance/interleave", limit: 3, nextToken }),
      );
      pages.push(page.events?.map((e) => e.message!) ?? []);
      nextToken = page.nextToken;
      // An event that arrives between pages, later than the page, is seen on a later page.
      if (pages.length === 1) await put("b", [[60, "b60"]]);
    } while (nextToken);
    expect(pages).toEqual([
      ["c0", "a10", "b20"],
      ["c30", "a30", "b40"],
      ["a50", "b60"],
    ]);

    const seen: string[] = [];
    for await (const page of paginateFilterLogEvents(
      { client: logs, pageSize: 2 },
      { logGroupName: "/conformance/interleave", logStreamNames: ["a", "c"], filterPattern: "?a30 ?a50 ?c0" },
    )) {
      seen.push(...(page.events ?? []).map((e) => e.message!));
    }
    expect(seen).toEqual(["c0", "a30", "a50"]);
    const forged = await failure(
      logs.send(new FilterLogEventsCommand({ logGroupName: "/conformance/interleave", nextToken: "forged" })),
    );
    expect(forged).toEqual({
      name: "InvalidParameterException",
      message: "The specified nextToken is invalid.",
    });
  });

  it("resource policies: put, describe, replace, ten at most, JSON only, delete", async () => {
    const document = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "route53.amazonaws.com" },
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: "arn:aws:logs:us-east-1:000000000000:log-group:/aws/route53/*",
        },
      ],
    });
    const put = await logs.send(
      new PutResourcePolicyCommand({ policyName: "route53", policyDocument: document }),
    );
    expect(put.resourcePolicy).toMatchObject({ policyName: "route53", policyDocument: document });
    expect(put.resourcePolicy?.lastUpdatedTime).toBe(clock.now());
    const notJson = await failure(
      logs.send(new PutResourcePolicyCommand({ policyName: "broken", policyDocument: "{not json" })),
    );
    expect(notJson.name).toBe("InvalidParameterException");
    for (let i = 1; i < 10; i++) {
      await logs.send(new PutResourcePolicyCommand({ policyName: `p${i}`, policyDocument: document }));
    }
    const eleventh = await failure(
      logs.send(new PutResourcePolicyCommand({ policyName: "p10", policyDocument: document })),
    );
    expect(eleventh).toEqual({ name: "LimitExceededException", message: "Resource limit exceeded." });
    await logs.send(new PutResourcePolicyCommand({ policyName: "route53", policyDocument: document }));
    const described = await logs.send(new DescribeResourcePoliciesCommand({}));
    expect(described.resourcePolicies).toHaveLength(10);
    for (let i = 1; i < 10; i++) await logs.send(new DeleteResourcePolicyCommand({ policyName: `p${i}` }));
    const missing = await failure(logs.send(new DeleteResourcePolicyCommand({ policyName: "p1" })));
    expect(missing).toEqual({
      name: "ResourceNotFoundException",
      message: "Policy with name [p1] does not exist",
    });
  });

  it("TestMetricFilter: matches with their event numbers and the values the pattern names", async () => {
    const delimited = await logs.send(
      new TestMetricFilterCommand({
        filterPattern: "[ip, user, status = 4*, bytes]",
        logEventMessages: ["10.0.0.1 alice 404 512", "10.0.0.2 bob 200 64", "10.0.0.3 carol 403 0"],
      }),
    );
    expect(delimited.matches).toEqual([
      {
        eventNumber: 1,
        eventMessage: "10.0.0.1 alice 404 512",
        extractedValues: { $ip: "10.0.0.1", $user: "alice", $status: "404", $bytes: "512" },
      },
      {
        eventNumber: 3,
        eventMessage: "10.0.0.3 carol 403 0",
        extractedValues: { $ip: "10.0.0.3", $user: "carol", $status: "403", $bytes: "0" },
      },
    ]);
    const json = await logs.send(
      new TestMetricFilterCommand({
        filterPattern: '{ $.level = "ERROR" && $.latency > 100 }',
        logEventMessages: ['{"level":"ERROR","latency":250}', '{"level":"INFO","latency":900}', "plain text"],
      }),
    );
    expect(json.matches).toEqual([
      {
        eventNumber: 1,
        eventMessage: '{"level":"ERROR","latency":250}',
        extractedValues: { "$.level": "ERROR", "$.latency": "250" },
      },
    ]);
    const none = await failure(
      logs.send(new TestMetricFilterCommand({ filterPattern: "x", logEventMessages: [] })),
    );
    expect(none.name).toBe("InvalidParameterException");
  });

  it("delivery sources, destinations and deliveries: stored and described; in-use ones are a conflict", async () => {
    const source = await logs.send(
      new PutDeliverySourceCommand({
        name: "function-logs",
        resourceArn: "arn:aws:bedrock:us-east-1:000000000000:knowledge-base/KB1",
        logType: "APPLICATION_LOGS",
      }),
    );
    expect(source.deliverySource).toMatchObject({
      name: "function-logs",
      arn: `arn:aws:logs:us-east-1:${ACCOUNT}:delivery-source:function-logs`,
      resourceArns: ["arn:aws:bedrock:us-east-1:000000000000:knowledge-base/KB1"],
      service: "bedrock",
      logType: "APPLICATION_LOGS",
    });
    const destination = await logs.send(
      new PutDeliveryDestinationCommand({
        name: "audit-group",
        deliveryDestinationConfiguration: { destinationResourceArn: groupArn("/audit/vended") },
      }),
    );
    expect(destination.deliveryDestination).toMatchObject({
      name: "audit-group",
      deliveryDestinationType: "CWL",
      deliveryDestinationConfiguration: { destinationResourceArn: groupArn("/audit/vended") },
    });
    const delivery = await logs.send(
      new CreateDeliveryCommand({
        deliverySourceName: "function-logs",
        deliveryDestinationArn: destination.deliveryDestination!.arn!,
      }),
    );
    expect(delivery.delivery).toMatchObject({
      deliverySourceName: "function-logs",
      deliveryDestinationArn: destination.deliveryDestination!.arn,
      deliveryDestinationType: "CWL",
    });
    const again = await failure(
      logs.send(
        new CreateDeliveryCommand({
          deliverySourceName: "function-logs",
          deliveryDestinationArn: destination.deliveryDestination!.arn!,
        }),
      ),
    );
    expect(again.name).toBe("ConflictException");
    const inUse = await failure(logs.send(new DeleteDeliverySourceCommand({ name: "function-logs" })));
    expect(inUse.name).toBe("ConflictException");
    expect((await logs.send(new DescribeDeliveriesCommand({}))).deliveries).toHaveLength(1);
    await logs.send(new DeleteDeliveryCommand({ id: delivery.delivery!.id! }));
    await logs.send(new DeleteDeliverySourceCommand({ name: "function-logs" }));
    expect((await failure(logs.send(new GetDeliverySourceCommand({ name: "function-logs" })))).name).toBe(
      "ResourceNotFoundException",
    );
    expect(
      (await logs.send(new GetDeliveryDestinationCommand({ name: "audit-group" }))).deliveryDestination?.name,
    ).toBe("audit-group");
    const badName = await failure(
      logs.send(
        new PutDeliverySourceCommand({ name: "has space", resourceArn: "arn:aws:x:::y", logType: "L" }),
      ),
    );
    expect(badName.name).toBe("ValidationException");
  });
});

const FORWARDER = `
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
import { gunzipSync } from "node:zlib";
const sqs = new SQSClient({});
export const handler = async (event) => {
  const decoded = JSON.parse(gunzipSync(Buffer.from(event.awslogs.data, "base64")).toString("utf8"));
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: JSON.stringify({ event, decoded }) }));
};
`;

describe("logs: subscription filters to Lambda and metric filters to CloudWatch", () => {
  let emulator: Emulator;
  let logs: CloudWatchLogsClient;
  let lambda: LambdaClient;
  let sqs: SQSClient;
  let cloudwatch: CloudWatchClient;
  let queueUrl: string;
  let functionArn: string;

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["sts", "iam", "logs", "sqs", "cloudwatch", "lambda"] });
    const config = { endpoint: emulator.url, region: "us-east-1", credentials, maxAttempts: 1 };
    logs = new CloudWatchLogsClient(config);
    lambda = new LambdaClient(config);
    sqs = new SQSClient(config);
    cloudwatch = new CloudWatchClient(config);
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "audit-copies" }))).QueueUrl!;
    const iam = new IAMClient(config);
    const role = await iam.send(
      new CreateRoleCommand({
        RoleName: "log-forwarder",
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
          ],
        }),
      }),
    );
    iam.destroy();
    const zip = new AdmZip();
    zip.addFile("index.mjs", Buffer.from(FORWARDER));
    functionArn = (
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: "log-forwarder",
          Runtime: "nodejs22.x",
          Handler: "index.handler",
          Role: role.Role!.Arn!,
          Code: { ZipFile: zip.toBuffer() },
          Environment: { Variables: { QUEUE_URL: queueUrl } },
        }),
      )
    ).FunctionArn!;
    const deadline = Date.now() + 10_000;
    while (
      (await lambda.send(new GetFunctionCommand({ FunctionName: "log-forwarder" }))).Configuration?.State !==
      "Active"
    ) {
      if (Date.now() > deadline) throw new Error("the function never became Active");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/app/orders" }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: "/app/orders", logStreamName: "web-1" }));
  });
  afterAll(async () => {
    logs.destroy();
    lambda.destroy();
    sqs.destroy();
    cloudwatch.destroy();
    await emulator.stop();
  });

  it("PutSubscriptionFilter: refused without a permission for logs.amazonaws.com, a missing group, a third filter", async () => {
    const noPermission = await failure(
      logs.send(
        new PutSubscriptionFilterCommand({
          logGroupName: "/app/orders",
          filterName: "audit",
          filterPattern: "",
          destinationArn: functionArn,
        }),
      ),
    );
    expect(noPermission).toEqual({
      name: "InvalidParameterException",
      message:
        "Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function.",
    });
    const noGroup = await failure(
      logs.send(
        new PutSubscriptionFilterCommand({
          logGroupName: "/app/missing",
          filterName: "audit",
          filterPattern: "",
          destinationArn: functionArn,
        }),
      ),
    );
    expect(noGroup).toEqual({
      name: "ResourceNotFoundException",
      message: "The specified log group does not exist.",
    });
    await lambda.send(
      new AddPermissionCommand({
        FunctionName: "log-forwarder",
        StatementId: "logs",
        Action: "lambda:InvokeFunction",
        Principal: "logs.amazonaws.com",
        SourceArn: `${groupArn("/app/orders")}:*`,
      }),
    );
    for (const name of ["first", "second"]) {
      await logs.send(
        new PutSubscriptionFilterCommand({
          logGroupName: "/app/orders",
          filterName: name,
          filterPattern: "nothing-matches-this",
          destinationArn: functionArn,
        }),
      );
    }
    const third = await failure(
      logs.send(
        new PutSubscriptionFilterCommand({
          logGroupName: "/app/orders",
          filterName: "third",
          filterPattern: "",
          destinationArn: functionArn,
        }),
      ),
    );
    expect(third).toEqual({ name: "LimitExceededException", message: "Resource limit exceeded." });
    await logs.send(
      new DeleteSubscriptionFilterCommand({ logGroupName: "/app/orders", filterName: "first" }),
    );
    await logs.send(
      new DeleteSubscriptionFilterCommand({ logGroupName: "/app/orders", filterName: "second" }),
    );
    const gone = await failure(
      logs.send(new DeleteSubscriptionFilterCommand({ logGroupName: "/app/orders", filterName: "second" })),
    );
    expect(gone).toEqual({
      name: "ResourceNotFoundException",
      message: "The specified subscription filter does not exist.",
    });
  });

  it("matching events reach the function as awslogs.data: gzip, base64, the DATA_MESSAGE document", async () => {
    await logs.send(
      new PutSubscriptionFilterCommand({
        logGroupName: "/app/orders",
        filterName: "errors-to-audit",
        filterPattern: "ERROR",
        destinationArn: functionArn,
      }),
    );
    const listed = await logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: "/app/orders" }));
    expect(listed.subscriptionFilters).toEqual([
      expect.objectContaining({
        filterName: "errors-to-audit",
        logGroupName: "/app/orders",
        filterPattern: "ERROR",
        destinationArn: functionArn,
        distribution: "ByLogStream",
      }),
    ]);
    const now = Date.now();
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: "/app/orders",
        logStreamName: "web-1",
        logEvents: [
          { timestamp: now, message: "INFO order 1 placed" },
          { timestamp: now + 1, message: "ERROR order 2 failed" },
          { timestamp: now + 2, message: "ERROR order 3 failed" },
        ],
      }),
    );
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 10 }));
    const body = JSON.parse(out.Messages?.[0]?.Body ?? "{}") as {
      event: { awslogs: { data: string } };
      decoded: Record<string, unknown>;
    };
    expect(Object.keys(body.event)).toEqual(["awslogs"]);
    expect(JSON.parse(gunzipSync(Buffer.from(body.event.awslogs.data, "base64")).toString())).toEqual(
      body.decoded,
    );
    const stored = await logs.send(
      new FilterLogEventsCommand({ logGroupName: "/app/orders", filterPattern: "ERROR" }),
    );
    expect(body.decoded).toEqual({
      messageType: "DATA_MESSAGE",
      owner: ACCOUNT,
      logGroup: "/app/orders",
      logStream: "web-1",
      subscriptionFilters: ["errors-to-audit"],
      logEvents: stored.events?.map((e) => ({ id: e.eventId, timestamp: e.timestamp, message: e.message })),
    });
    await logs.send(
      new DeleteSubscriptionFilterCommand({ logGroupName: "/app/orders", filterName: "errors-to-audit" }),
    );
  });

  it("metric filters: validated, listed, counted on the group, and their metric lands in CloudWatch", async () => {
    const two = await failure(
      logs.send(
        new PutMetricFilterCommand({
          logGroupName: "/app/orders",
          filterName: "latency",
          filterPattern: "{ $.latency = * }",
          metricTransformations: [
            { metricName: "A", metricNamespace: "App", metricValue: "1" },
            { metricName: "B", metricNamespace: "App", metricValue: "1" },
          ],
        }),
      ),
    );
    expect(two.name).toBe("InvalidParameterException");
    const defaultWithDimensions = await failure(
      logs.send(
        new PutMetricFilterCommand({
          logGroupName: "/app/orders",
          filterName: "latency",
          filterPattern: "{ $.latency = * }",
          metricTransformations: [
            {
              metricName: "Latency",
              metricNamespace: "App",
              metricValue: "$.latency",
              defaultValue: 0,
              dimensions: { Route: "$.route" },
            },
          ],
        }),
      ),
    );
    expect(defaultWithDimensions.name).toBe("InvalidParameterException");
    await logs.send(
      new PutMetricFilterCommand({
        logGroupName: "/app/orders",
        filterName: "latency",
        filterPattern: "{ $.latency > 0 }",
        metricTransformations: [
          {
            metricName: "Latency",
            metricNamespace: "App/Orders",
            metricValue: "$.latency",
            dimensions: { Route: "$.route" },
            unit: "Milliseconds",
          },
        ],
      }),
    );
    await logs.send(
      new PutMetricFilterCommand({
        logGroupName: "/app/orders",
        filterName: "errors",
        filterPattern: "ERROR",
        metricTransformations: [
          { metricName: "Errors", metricNamespace: "App/Orders", metricValue: "1", defaultValue: 0 },
        ],
      }),
    );
    const groups = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/app/orders" }));
    expect(groups.logGroups?.[0]?.metricFilterCount).toBe(2);
    const byMetric = await logs.send(
      new DescribeMetricFiltersCommand({ metricName: "Latency", metricNamespace: "App/Orders" }),
    );
    expect(byMetric.metricFilters).toEqual([
      expect.objectContaining({
        filterName: "latency",
        logGroupName: "/app/orders",
        filterPattern: "{ $.latency > 0 }",
      }),
    ]);
    const half = await failure(logs.send(new DescribeMetricFiltersCommand({ metricName: "Latency" })));
    expect(half.name).toBe("InvalidParameterException");

    const at = Math.floor(Date.now() / 60_000) * 60_000;
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: "/app/orders",
        logStreamName: "web-1",
        logEvents: [
          { timestamp: at, message: JSON.stringify({ route: "/buy", latency: 120 }) },
          { timestamp: at + 1, message: JSON.stringify({ route: "/buy", latency: 80 }) },
          { timestamp: at + 2, message: JSON.stringify({ route: "/buy" }) },
          { timestamp: at + 3, message: "ERROR payment declined" },
        ],
      }),
    );
    const statistics = async (name: string, dimensions: { Name: string; Value: string }[] = []) => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const out = await cloudwatch.send(
          new GetMetricStatisticsCommand({
            Namespace: "App/Orders",
            MetricName: name,
            Dimensions: dimensions,
            StartTime: new Date(at - 60_000),
            EndTime: new Date(at + 120_000),
            Period: 60,
            Statistics: ["Sum", "SampleCount"],
          }),
        );
        if ((out.Datapoints?.length ?? 0) > 0 || Date.now() > deadline) return out.Datapoints ?? [];
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const latency = await statistics("Latency", [{ Name: "Route", Value: "/buy" }]);
    expect(latency.map((d) => [d.Sum, d.SampleCount, d.Unit])).toEqual([[200, 2, "Milliseconds"]]);
    const errors = await statistics("Errors");
    // One matching event (1) and three others at the default value (0).
    expect(errors.map((d) => [d.Sum, d.SampleCount])).toEqual([[1, 4]]);

    await logs.send(new DeleteMetricFilterCommand({ logGroupName: "/app/orders", filterName: "errors" }));
    const missing = await failure(
      logs.send(new DeleteMetricFilterCommand({ logGroupName: "/app/orders", filterName: "errors" })),
    );
    expect(missing).toEqual({
      name: "ResourceNotFoundException",
      message: "The specified metric filter does not exist.",
    });
  });
});

describe.skipIf(!awsCliAvailable)("logs conformance through the AWS CLI", () => {
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["logs"] });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it("test-metric-filter, put-metric-filter, put-resource-policy, and the `:*` identifier refusal", async () => {
    await awsCliJson(emulator.url, ["logs", "create-log-group", "--log-group-name", "/cli/app"]);
    const tested = await awsCliJson<{ matches: { eventNumber: number }[] }>(emulator.url, [
      "logs",
      "test-metric-filter",
      "--filter-pattern",
      "ERROR",
      "--log-event-messages",
      "ERROR one",
      "INFO two",
    ]);
    expect(tested.matches.map((m) => m.eventNumber)).toEqual([1]);
    await awsCliJson(emulator.url, [
      "logs",
      "put-metric-filter",
      "--log-group-name",
      "/cli/app",
      "--filter-name",
      "errors",
      "--filter-pattern",
      "ERROR",
      "--metric-transformations",
      "metricName=Errors,metricNamespace=Cli,metricValue=1",
    ]);
    const filters = await awsCliJson<{ metricFilters: { filterName: string }[] }>(emulator.url, [
      "logs",
      "describe-metric-filters",
      "--log-group-name",
      "/cli/app",
    ]);
    expect(filters.metricFilters.map((f) => f.filterName)).toEqual(["errors"]);
    const policy = await awsCliJson<{ resourcePolicy: { policyName: string } }>(emulator.url, [
      "logs",
      "put-resource-policy",
      "--policy-name",
      "cli-policy",
      "--policy-document",
      JSON.stringify({ Version: "2012-10-17", Statement: [] }),
    ]);
    expect(policy.resourcePolicy.policyName).toBe("cli-policy");
    const starred = await awsCli(emulator.url, [
      "logs",
      "filter-log-events",
      "--log-group-identifier",
      `${groupArn("/cli/app")}:*`,
    ]);
    expect(starred.exitCode).not.toBe(0);
    expect(starred.stderr).toMatch(/InvalidParameterException.*logGroupIdentifier/);
  });
});
