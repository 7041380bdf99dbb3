import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  DescribeAlarmsForMetricCommand,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  ListTagsForResourceCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
  type PutMetricAlarmCommandInput,
} from "@aws-sdk/client-cloudwatch";
import { AwsQueryProtocol, AwsSmithyRpcV2CborProtocol } from "@aws-sdk/core/protocols";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, ManualClock, type Emulator } from "../../../src/runtime/emulator/index.js";
import { awsCli, awsCliAvailable, awsCliJson } from "../../helpers/aws-cli.js";
import { startEmulatorProcess } from "../../helpers/emulator-process.js";
import { testAuthorization } from "../../helpers/raw-aws.js";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const MINUTE = 60_000;

function client(
  url: string,
  protocol?: typeof AwsQueryProtocol | typeof AwsSmithyRpcV2CborProtocol,
): CloudWatchClient {
  return new CloudWatchClient({
    endpoint: url,
    region: "us-east-1",
    credentials,
    ...(protocol ? { protocol } : {}),
  });
}

const failureAlarm: PutMetricAlarmCommandInput = {
  AlarmName: "celebrity-scraper-failures",
  AlarmDescription: "scrapers failing",
  Namespace: "Pipeline/Test",
  MetricName: "Errors",
  Dimensions: [{ Name: "FunctionName", Value: "scraper-tmdb" }],
  Statistic: "Sum",
  Period: 300,
  EvaluationPeriods: 1,
  Threshold: 3,
  ComparisonOperator: "GreaterThanOrEqualToThreshold",
  AlarmActions: ["arn:aws:sns:us-east-1:000000000000:ops"],
};

describe("emulator: CloudWatch (JSON protocol, JS SDK v3)", () => {
  let emulator: Emulator;
  let clock: ManualClock;
  let cw: CloudWatchClient;

  beforeAll(async () => {
    // Starts at a period boundary (2026-01-04T00:00:00Z), which keeps the bucket arithmetic readable.
    clock = new ManualClock();
    emulator = await createEmulator({ services: ["cloudwatch"], clock });
    cw = client(emulator.url);
  });
  afterAll(async () => {
    cw.destroy();
    await emulator.stop();
  });

  describe("alarms", () => {
    it("PutMetricAlarm: without EvaluationPeriods is refused (the seed's put-metric-alarm mistake)", async () => {
      const { EvaluationPeriods: _omitted, ...rest } = failureAlarm;
      const error = await cw.send(new PutMetricAlarmCommand(rest)).catch((e: unknown) => e);
      expect(error).toMatchObject({
        name: "ValidationException",
        Code: "ValidationError",
        message: expect.stringMatching(/evaluationPeriods/),
        $metadata: { httpStatusCode: 400 },
      });
    });

    it("PutMetricAlarm: other missing or conflicting fields get CloudWatch's errors", async () => {
      await expect(
        cw.send(new PutMetricAlarmCommand({ ...failureAlarm, Namespace: undefined })),
      ).rejects.toMatchObject({
        name: "MissingRequiredParameterException",
      });
      await expect(
        cw.send(new PutMetricAlarmCommand({ ...failureAlarm, ExtendedStatistic: "p99" })),
      ).rejects.toMatchObject({ name: "InvalidParameterCombinationException" });
      await expect(cw.send(new PutMetricAlarmCommand({ ...failureAlarm, Period: 45 }))).rejects.toMatchObject(
        {
          name: "InvalidParameterValueException",
        },
      );
    });

    it("PutMetricAlarm + DescribeAlarms: everything stored, INSUFFICIENT_DATA at first, ARN per Appendix A", async () => {
      await cw.send(new PutMetricAlarmCommand(failureAlarm));
      const { MetricAlarms } = await cw.send(
        new DescribeAlarmsCommand({ AlarmNames: ["celebrity-scraper-failures"] }),
      );
      expect(MetricAlarms).toHaveLength(1);
      expect(MetricAlarms?.[0]).toMatchObject({
        AlarmName: "celebrity-scraper-failures",
        AlarmArn: "arn:aws:cloudwatch:us-east-1:000000000000:alarm:celebrity-scraper-failures",
        AlarmDescription: "scrapers failing",
        ActionsEnabled: true,
        AlarmActions: ["arn:aws:sns:us-east-1:000000000000:ops"],
        OKActions: [],
        StateValue: "INSUFFICIENT_DATA",
        StateReason: "Unchecked: Initial alarm creation",
        MetricName: "Errors",
        Namespace: "Pipeline/Test",
        Statistic: "Sum",
        Dimensions: [{ Name: "FunctionName", Value: "scraper-tmdb" }],
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 3,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
      });
      expect(MetricAlarms?.[0]?.StateUpdatedTimestamp).toEqual(new Date(clock.now()));
    });

    it("DescribeAlarms: prefix, state filter, pagination; names and prefix together are refused", async () => {
      for (const n of ["page-c", "page-a", "page-b"]) {
        await cw.send(new PutMetricAlarmCommand({ ...failureAlarm, AlarmName: n }));
      }
      const first = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: "page-", MaxRecords: 2 }));
      expect(first.MetricAlarms?.map((a) => a.AlarmName)).toEqual(["page-a", "page-b"]);
      const second = await cw.send(
        new DescribeAlarmsCommand({ AlarmNamePrefix: "page-", MaxRecords: 2, NextToken: first.NextToken }),
      );
      expect(second.MetricAlarms?.map((a) => a.AlarmName)).toEqual(["page-c"]);
      expect(second.NextToken).toBeUndefined();
      const none = await cw.send(
        new DescribeAlarmsCommand({ AlarmNamePrefix: "page-", StateValue: "ALARM" }),
      );
      expect(none.MetricAlarms).toEqual([]);
      await expect(
        cw.send(new DescribeAlarmsCommand({ AlarmNames: ["page-a"], AlarmNamePrefix: "page-" })),
      ).rejects.toMatchObject({ name: "InvalidParameterCombinationException" });
    });

    it("SetAlarmState sets the state until the next evaluation; a missing alarm is ResourceNotFound", async () => {
      await cw.send(new PutMetricAlarmCommand({ ...failureAlarm, AlarmName: "manual" }));
      await cw.send(
        new SetAlarmStateCommand({ AlarmName: "manual", StateValue: "ALARM", StateReason: "testing" }),
      );
      const { MetricAlarms } = await cw.send(
        new DescribeAlarmsCommand({ AlarmNames: ["manual"], StateValue: "ALARM" }),
      );
      expect(MetricAlarms?.[0]).toMatchObject({ StateValue: "ALARM", StateReason: "testing" });
      await expect(
        cw.send(new SetAlarmStateCommand({ AlarmName: "nope", StateValue: "OK", StateReason: "x" })),
      ).rejects.toMatchObject({ name: "ResourceNotFound", $metadata: { httpStatusCode: 404 } });
      await expect(
        cw.send(
          new SetAlarmStateCommand({
            AlarmName: "manual",
            StateValue: "OK",
            StateReason: "x",
            StateReasonData: "{",
          }),
        ),
      ).rejects.toMatchObject({ name: "InvalidFormatFault" });
    });

    it("DeleteAlarms removes alarms; unknown names are ResourceNotFound", async () => {
      await cw.send(new PutMetricAlarmCommand({ ...failureAlarm, AlarmName: "to-delete" }));
      await cw.send(new DeleteAlarmsCommand({ AlarmNames: ["to-delete"] }));
      expect((await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["to-delete"] }))).MetricAlarms).toEqual(
        [],
      );
      await expect(cw.send(new DeleteAlarmsCommand({ AlarmNames: ["to-delete"] }))).rejects.toMatchObject({
        name: "ResourceNotFound",
      });
    });

    it("tags from PutMetricAlarm are listed by alarm ARN", async () => {
      await cw.send(
        new PutMetricAlarmCommand({
          ...failureAlarm,
          AlarmName: "tagged",
          Tags: [{ Key: "app", Value: "p" }],
        }),
      );
      const { Tags } = await cw.send(
        new ListTagsForResourceCommand({
          ResourceARN: "arn:aws:cloudwatch:us-east-1:000000000000:alarm:tagged",
        }),
      );
      expect(Tags).toEqual([{ Key: "app", Value: "p" }]);
    });
  });

  describe("metrics", () => {
    const dims = [
      { Name: "FunctionName", Value: "stats" },
      { Name: "Resource", Value: "stats" },
    ];

    it("PutMetricData + GetMetricStatistics: period buckets and every statistic", async () => {
      const t0 = clock.now() - 10 * MINUTE;
      await cw.send(
        new PutMetricDataCommand({
          Namespace: "Pipeline/Stats",
          MetricData: [
            {
              MetricName: "Duration",
              Dimensions: dims,
              Timestamp: new Date(t0 + 1000),
              Value: 10,
              Unit: "Milliseconds",
            },
            {
              MetricName: "Duration",
              Dimensions: dims,
              Timestamp: new Date(t0 + 2000),
              Value: 30,
              Unit: "Milliseconds",
            },
            {
              MetricName: "Duration",
              Dimensions: [...dims].reverse(),
              Timestamp: new Date(t0 + MINUTE + 5),
              StatisticValues: { SampleCount: 4, Sum: 100, Minimum: 5, Maximum: 60 },
              Unit: "Milliseconds",
            },
            {
              MetricName: "Duration",
              Dimensions: dims,
              Timestamp: new Date(t0 + 2 * MINUTE),
              Values: [1, 2, 3],
              Counts: [1, 1, 2],
              Unit: "Milliseconds",
            },
          ],
        }),
      );
      const { Datapoints, Label } = await cw.send(
        new GetMetricStatisticsCommand({
          Namespace: "Pipeline/Stats",
          MetricName: "Duration",
          Dimensions: dims,
          StartTime: new Date(t0),
          EndTime: new Date(t0 + 5 * MINUTE),
          Period: 60,
          Statistics: ["Sum", "Average", "Minimum", "Maximum", "SampleCount"],
        }),
      );
      expect(Label).toBe("Duration");
      expect(Datapoints).toEqual([
        {
          Timestamp: new Date(t0),
          Sum: 40,
          Average: 20,
          Minimum: 10,
          Maximum: 30,
          SampleCount: 2,
          Unit: "Milliseconds",
        },
        {
          Timestamp: new Date(t0 + MINUTE),
          Sum: 100,
          Average: 25,
          Minimum: 5,
          Maximum: 60,
          SampleCount: 4,
          Unit: "Milliseconds",
        },
        {
          Timestamp: new Date(t0 + 2 * MINUTE),
          Sum: 9,
          Average: 2.25,
          Minimum: 1,
          Maximum: 3,
          SampleCount: 4,
          Unit: "Milliseconds",
        },
      ]);

      const wide = await cw.send(
        new GetMetricStatisticsCommand({
          Namespace: "Pipeline/Stats",
          MetricName: "Duration",
          Dimensions: dims,
          StartTime: new Date(t0),
          EndTime: new Date(t0 + 5 * MINUTE),
          Period: 300,
          Statistics: ["Sum", "SampleCount"],
          ExtendedStatistics: undefined,
        }),
      );
      expect(wide.Datapoints).toEqual([
        { Timestamp: new Date(t0), Sum: 149, SampleCount: 10, Unit: "Milliseconds" },
      ]);

      const p = await cw.send(
        new GetMetricStatisticsCommand({
          Namespace: "Pipeline/Stats",
          MetricName: "Duration",
          Dimensions: dims,
          StartTime: new Date(t0 + 2 * MINUTE),
          EndTime: new Date(t0 + 3 * MINUTE),
          Period: 60,
          ExtendedStatistics: ["p50", "p100"],
        }),
      );
      expect(p.Datapoints?.[0]?.ExtendedStatistics).toEqual({ p50: 2, p100: 3 });
    });

    it("GetMetricStatistics: dimensions must match exactly", async () => {
      const { Datapoints } = await cw.send(
        new GetMetricStatisticsCommand({
          Namespace: "Pipeline/Stats",
          MetricName: "Duration",
          Dimensions: [dims[0]!],
          StartTime: new Date(clock.now() - 20 * MINUTE),
          EndTime: new Date(clock.now()),
          Period: 60,
          Statistics: ["Sum"],
        }),
      );
      expect(Datapoints).toEqual([]);
    });

    it("GetMetricStatistics: refuses too many datapoints, bad ranges and a missing statistic", async () => {
      const base = { Namespace: "N", MetricName: "M", Period: 60, Statistics: ["Sum" as const] };
      await expect(
        cw.send(
          new GetMetricStatisticsCommand({
            ...base,
            StartTime: new Date(0),
            EndTime: new Date(2 * 1440 * MINUTE),
          }),
        ),
      ).rejects.toMatchObject({
        name: "InvalidParameterCombinationException",
        message: expect.stringMatching(/1,440/),
      });
      await expect(
        cw.send(
          new GetMetricStatisticsCommand({ ...base, StartTime: new Date(MINUTE), EndTime: new Date(0) }),
        ),
      ).rejects.toMatchObject({ name: "InvalidParameterValueException" });
      await expect(
        cw.send(
          new GetMetricStatisticsCommand({
            ...base,
            Statistics: undefined,
            StartTime: new Date(0),
            EndTime: new Date(MINUTE),
          }),
        ),
      ).rejects.toMatchObject({ name: "MissingRequiredParameterException" });
    });

    it("PutMetricData: AWS/ namespaces are reserved; Value and StatisticValues are exclusive", async () => {
      await expect(
        cw.send(
          new PutMetricDataCommand({
            Namespace: "AWS/Lambda",
            MetricData: [{ MetricName: "Errors", Value: 1 }],
          }),
        ),
      ).rejects.toMatchObject({ name: "InvalidParameterValueException" });
      await expect(
        cw.send(
          new PutMetricDataCommand({
            Namespace: "Pipeline/X",
            MetricData: [
              {
                MetricName: "E",
                Value: 1,
                StatisticValues: { SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1 },
              },
            ],
          }),
        ),
      ).rejects.toMatchObject({ name: "InvalidParameterCombinationException" });
    });

    it("ListMetrics: filters by namespace, name and dimension (with or without value)", async () => {
      await cw.send(
        new PutMetricDataCommand({
          Namespace: "Pipeline/List",
          MetricData: [
            { MetricName: "Items", Dimensions: [{ Name: "Source", Value: "tmdb" }], Value: 1 },
            { MetricName: "Items", Dimensions: [{ Name: "Source", Value: "news" }], Value: 1 },
            { MetricName: "Runs", Value: 1 },
          ],
        }),
      );
      const all = await cw.send(new ListMetricsCommand({ Namespace: "Pipeline/List" }));
      expect(all.Metrics).toHaveLength(3);
      const bySource = await cw.send(
        new ListMetricsCommand({ Namespace: "Pipeline/List", Dimensions: [{ Name: "Source" }] }),
      );
      expect(bySource.Metrics?.map((m) => m.Dimensions?.[0]?.Value)).toEqual(["news", "tmdb"]);
      const tmdb = await cw.send(
        new ListMetricsCommand({
          Namespace: "Pipeline/List",
          MetricName: "Items",
          Dimensions: [{ Name: "Source", Value: "tmdb" }],
        }),
      );
      expect(tmdb.Metrics).toEqual([
        { Namespace: "Pipeline/List", MetricName: "Items", Dimensions: [{ Name: "Source", Value: "tmdb" }] },
      ]);
    });
  });

  describe("alarm evaluation on the emulator clock", () => {
    const describeOne = async (name: string) =>
      (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms?.[0];
    const errors = (fn: string, value: number, at = clock.now()) =>
      cw.send(
        new PutMetricDataCommand({
          Namespace: "Pipeline/Eval",
          MetricData: [
            {
              MetricName: "Errors",
              Dimensions: [{ Name: "FunctionName", Value: fn }],
              Value: value,
              Timestamp: new Date(at),
            },
          ],
        }),
      );
    const alarmFor = (fn: string, extra: Partial<PutMetricAlarmCommandInput> = {}) =>
      cw.send(
        new PutMetricAlarmCommand({
          ...failureAlarm,
          AlarmName: `eval-${fn}`,
          Namespace: "Pipeline/Eval",
          Dimensions: [{ Name: "FunctionName", Value: fn }],
          ...extra,
        }),
      );
    /** Moves to the next 5-minute boundary (plus the evaluation tick at the top of that minute). */
    const nextPeriod = async () => clock.advance(5 * MINUTE - (clock.now() % (5 * MINUTE)) + 1000);

    it("Sum over the last complete period crossing the threshold moves the alarm to ALARM, then back to OK", async () => {
      await nextPeriod();
      await alarmFor("a");
      await errors("a", 2);
      await errors("a", 2);
      await nextPeriod();
      const alarmed = await describeOne("eval-a");
      expect(alarmed?.StateValue).toBe("ALARM");
      expect(alarmed?.StateReason).toMatch(/^Threshold Crossed: 1 out of the last 1 datapoints \[4\.0 /);
      expect(JSON.parse(alarmed!.StateReasonData!)).toMatchObject({
        statistic: "Sum",
        period: 300,
        threshold: 3,
        recentDatapoints: [4],
      });

      await errors("a", 1);
      await nextPeriod();
      expect((await describeOne("eval-a"))?.StateValue).toBe("OK");
    });

    it("no data: INSUFFICIENT_DATA by default, OK with notBreaching, ALARM with breaching, unchanged with ignore", async () => {
      await alarmFor("missing");
      await alarmFor("notbreaching", { TreatMissingData: "notBreaching" });
      await alarmFor("breaching", { TreatMissingData: "breaching" });
      await alarmFor("ignore", { TreatMissingData: "ignore" });
      await cw.send(
        new SetAlarmStateCommand({ AlarmName: "eval-missing", StateValue: "OK", StateReason: "manual" }),
      );
      await cw.send(
        new SetAlarmStateCommand({ AlarmName: "eval-ignore", StateValue: "ALARM", StateReason: "manual" }),
      );
      await nextPeriod();
      expect((await describeOne("eval-missing"))?.StateValue).toBe("INSUFFICIENT_DATA");
      expect((await describeOne("eval-notbreaching"))?.StateValue).toBe("OK");
      expect((await describeOne("eval-breaching"))?.StateValue).toBe("ALARM");
      expect((await describeOne("eval-ignore"))?.StateValue).toBe("ALARM");
    });

    it("DatapointsToAlarm: 2 of 3 periods must breach", async () => {
      await alarmFor("m-of-n", { EvaluationPeriods: 3, DatapointsToAlarm: 2 });
      await nextPeriod();
      await errors("m-of-n", 5);
      await nextPeriod();
      expect((await describeOne("eval-m-of-n"))?.StateValue).toBe("OK");
      await errors("m-of-n", 5);
      await nextPeriod();
      expect((await describeOne("eval-m-of-n"))?.StateValue).toBe("ALARM");
    });

    it("DescribeAlarmsForMetric finds alarms by metric and dimensions", async () => {
      const { MetricAlarms } = await cw.send(
        new DescribeAlarmsForMetricCommand({
          Namespace: "Pipeline/Eval",
          MetricName: "Errors",
          Dimensions: [{ Name: "FunctionName", Value: "a" }],
        }),
      );
      expect(MetricAlarms?.map((a) => a.AlarmName)).toEqual(["eval-a"]);
    });

    it("POST /_emulator/cloudwatch/evaluate runs a pass at once", async () => {
      await alarmFor("side-door", { TreatMissingData: "breaching" });
      const response = await fetch(`${emulator.url}/_emulator/cloudwatch/evaluate`, { method: "POST" });
      expect(((await response.json()) as { changed: number }).changed).toBeGreaterThanOrEqual(1);
      expect((await describeOne("eval-side-door"))?.StateValue).toBe("ALARM");
    });
  });
});

describe("emulator: CloudWatch (query protocol)", () => {
  let emulator: Emulator;
  let cw: CloudWatchClient;

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["cloudwatch"] });
    cw = client(emulator.url, AwsQueryProtocol);
  });
  afterAll(async () => {
    cw.destroy();
    await emulator.stop();
  });

  it("the SDK's query protocol client: PutMetricAlarm, DescribeAlarms with member.N lists, errors", async () => {
    await cw.send(new PutMetricAlarmCommand(failureAlarm));
    const { MetricAlarms } = await cw.send(
      new DescribeAlarmsCommand({ AlarmNames: [failureAlarm.AlarmName!] }),
    );
    expect(MetricAlarms?.[0]).toMatchObject({
      AlarmName: failureAlarm.AlarmName,
      Dimensions: failureAlarm.Dimensions,
      Threshold: 3,
      EvaluationPeriods: 1,
      StateValue: "INSUFFICIENT_DATA",
      ActionsEnabled: true,
    });
    expect(MetricAlarms?.[0]?.AlarmConfigurationUpdatedTimestamp).toBeInstanceOf(Date);
    await expect(
      cw.send(new SetAlarmStateCommand({ AlarmName: "nope", StateValue: "OK", StateReason: "x" })),
    ).rejects.toMatchObject({ name: "ResourceNotFound", $metadata: { httpStatusCode: 404 } });
  });

  it("PutMetricData with dimensions and GetMetricStatistics over the query protocol", async () => {
    const now = Date.now();
    await cw.send(
      new PutMetricDataCommand({
        Namespace: "Pipeline/Query",
        MetricData: [
          {
            MetricName: "Items",
            Dimensions: [{ Name: "Source", Value: "tmdb" }],
            Value: 3,
            Timestamp: new Date(now),
          },
          {
            MetricName: "Items",
            Dimensions: [{ Name: "Source", Value: "tmdb" }],
            Value: 4,
            Timestamp: new Date(now),
          },
        ],
      }),
    );
    const { Datapoints } = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: "Pipeline/Query",
        MetricName: "Items",
        Dimensions: [{ Name: "Source", Value: "tmdb" }],
        StartTime: new Date(now - 3600_000),
        EndTime: new Date(now + 60_000),
        Period: 3600,
        Statistics: ["Sum", "Maximum"],
      }),
    );
    expect(Datapoints?.map((d) => [d.Sum, d.Maximum, d.Unit])).toEqual([[7, 4, "None"]]);
  });

  it("raw query requests: XML member lists and ErrorResponse with the legacy code", async () => {
    const post = (body: string) =>
      fetch(emulator.url, {
        method: "POST",
        headers: { authorization: testAuthorization(), "content-type": "application/x-www-form-urlencoded" },
        body,
      });
    const ok = await post(
      `Action=DescribeAlarms&Version=2010-08-01&AlarmNames.member.1=${encodeURIComponent(failureAlarm.AlarmName!)}`,
    );
    const xml = await ok.text();
    expect(xml).toContain('<DescribeAlarmsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">');
    expect(xml).toContain("<MetricAlarms><member><AlarmName>celebrity-scraper-failures</AlarmName>");
    expect(xml).toContain(
      "<Dimensions><member><Name>FunctionName</Name><Value>scraper-tmdb</Value></member></Dimensions>",
    );
    const bad = await post("Action=PutMetricData&Version=2010-08-01&Namespace=X");
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("<Code>MissingParameter</Code>");
    const unknown = await post("Action=Nope&Version=2010-08-01");
    expect(await unknown.text()).toContain("<Code>InvalidAction</Code>");
  });

  it("raw query requests: an output with no members is an empty Result element, no output is none", async () => {
    const post = async (body: string) => {
      const response = await fetch(emulator.url, {
        method: "POST",
        headers: { authorization: testAuthorization(), "content-type": "application/x-www-form-urlencoded" },
        body: `${body}&Version=2010-08-01`,
      });
      expect(response.status).toBe(200);
      return response.text();
    };
    const body = encodeURIComponent(
      JSON.stringify({ widgets: [{ type: "text", properties: { markdown: "x" } }] }),
    );
    await post(`Action=PutDashboard&DashboardName=raw&DashboardBody=${body}`);
    // DeleteDashboardsOutput and TagResourceOutput are structures without members; botocore's query
    // parser looks for their Result element.
    expect(await post("Action=DeleteDashboards&DashboardNames.member.1=raw")).toMatch(
      /<DeleteDashboardsResponse [^>]*><DeleteDashboardsResult><\/DeleteDashboardsResult><ResponseMetadata>/,
    );
    // PutMetricAlarm and PutMetricData have no output: no Result element.
    expect(
      await post(
        "Action=PutMetricAlarm&AlarmName=raw-tagged&Namespace=Raw&MetricName=m&Statistic=Sum&Period=60" +
          "&EvaluationPeriods=1&Threshold=1&ComparisonOperator=GreaterThanThreshold",
      ),
    ).not.toContain("PutMetricAlarmResult");
    expect(
      await post(
        "Action=PutMetricData&Namespace=Raw&MetricData.member.1.MetricName=m&MetricData.member.1.Value=1",
      ),
    ).not.toContain("PutMetricDataResult");
    const arn = encodeURIComponent("arn:aws:cloudwatch:us-east-1:000000000000:alarm:raw-tagged");
    expect(
      await post(`Action=TagResource&ResourceARN=${arn}&Tags.member.1.Key=k&Tags.member.1.Value=v`),
    ).toContain("<TagResourceResult></TagResourceResult>");
    expect(await post(`Action=UntagResource&ResourceARN=${arn}&TagKeys.member.1=k`)).toContain(
      "<UntagResourceResult></UntagResourceResult>",
    );
  });

  it("JSON errors carry x-amzn-query-error with the legacy code", async () => {
    const response = await fetch(emulator.url, {
      method: "POST",
      headers: {
        authorization: testAuthorization(),
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": "GraniteServiceVersion20100801.DeleteAlarms",
        "x-amzn-query-mode": "true",
      },
      body: JSON.stringify({ AlarmNames: ["nope"] }),
    });
    expect(response.status).toBe(404);
    expect(response.headers.get("x-amzn-query-error")).toBe("ResourceNotFound;Sender");
    expect(((await response.json()) as { __type: string }).__type).toBe(
      "com.amazonaws.cloudwatch#ResourceNotFound",
    );
  });
});

describe("emulator: CloudWatch (Smithy RPCv2 CBOR)", () => {
  let emulator: Emulator;
  let cw: CloudWatchClient;

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["cloudwatch"] });
    cw = client(emulator.url, AwsSmithyRpcV2CborProtocol);
  });
  afterAll(async () => {
    cw.destroy();
    await emulator.stop();
  });

  it("the SDK's CBOR protocol: alarms, metric data with timestamps, and query-compatible errors", async () => {
    await cw.send(new PutMetricAlarmCommand(failureAlarm));
    const { MetricAlarms } = await cw.send(
      new DescribeAlarmsCommand({ AlarmNames: [failureAlarm.AlarmName!] }),
    );
    expect(MetricAlarms?.[0]).toMatchObject({
      AlarmName: failureAlarm.AlarmName,
      Threshold: 3,
      StateValue: "INSUFFICIENT_DATA",
    });
    expect(MetricAlarms?.[0]?.StateUpdatedTimestamp).toBeInstanceOf(Date);

    const at = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    await cw.send(
      new PutMetricDataCommand({
        Namespace: "Pipeline/Cbor",
        MetricData: [{ MetricName: "M", Value: 5, Timestamp: at }],
      }),
    );
    const { Datapoints } = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: "Pipeline/Cbor",
        MetricName: "M",
        StartTime: new Date(at.getTime() - 60_000),
        EndTime: new Date(at.getTime() + 60_000),
        Period: 60,
        Statistics: ["Sum"],
      }),
    );
    expect(Datapoints).toEqual([{ Timestamp: at, Sum: 5, Unit: "None" }]);

    await expect(cw.send(new DeleteAlarmsCommand({ AlarmNames: ["nope"] }))).rejects.toMatchObject({
      name: "ResourceNotFound",
      $metadata: { httpStatusCode: 404 },
    });
  });
});

describe("emulator: CloudWatch persistence", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("alarms, their state and metric data survive kill -9 and a clean restart", async () => {
    const persistDir = mkdtempSync(join(tmpdir(), "cw-persist-"));
    dirs.push(persistDir);
    const proc = await startEmulatorProcess({ persistDir, services: ["cloudwatch"] });
    const a = client(proc.url);
    await a.send(new PutMetricAlarmCommand(failureAlarm));
    await a.send(
      new SetAlarmStateCommand({
        AlarmName: failureAlarm.AlarmName!,
        StateValue: "ALARM",
        StateReason: "kept",
      }),
    );
    const now = Date.now();
    await a.send(
      new PutMetricDataCommand({
        Namespace: "Pipeline/Kept",
        MetricData: [{ MetricName: "M", Value: 42, Timestamp: new Date(now) }],
      }),
    );
    a.destroy();
    await proc.kill9();

    for (let round = 0; round < 2; round++) {
      const revived = await createEmulator({ services: ["cloudwatch"], persistDir });
      const b = client(revived.url);
      const alarm = (await b.send(new DescribeAlarmsCommand({ AlarmNames: [failureAlarm.AlarmName!] })))
        .MetricAlarms?.[0];
      expect(alarm).toMatchObject({ StateValue: "ALARM", StateReason: "kept", Threshold: 3 });
      const { Datapoints } = await b.send(
        new GetMetricStatisticsCommand({
          Namespace: "Pipeline/Kept",
          MetricName: "M",
          StartTime: new Date(now - 60_000),
          EndTime: new Date(now + 60_000),
          Period: 60,
          Statistics: ["Maximum"],
        }),
      );
      expect(Datapoints?.map((d) => d.Maximum)).toEqual([42]);
      b.destroy();
      await revived.stop();
    }
  });
});

describe.skipIf(!awsCliAvailable)("emulator: CloudWatch through the AWS CLI", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await createEmulator({ services: ["cloudwatch"] });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  const alarmArgs = [
    "cloudwatch",
    "put-metric-alarm",
    "--alarm-name",
    "celebrity-scraper-failures",
    "--namespace",
    "Pipeline/Cli",
    "--metric-name",
    "Errors",
    "--statistic",
    "Sum",
    "--period",
    "300",
    "--threshold",
    "3",
    "--comparison-operator",
    "GreaterThanOrEqualToThreshold",
    "--dimensions",
    "Name=FunctionName,Value=scraper-tmdb",
  ];

  it("put-metric-alarm without --evaluation-periods fails (the seed's mistake); with it, describe-alarms shows the alarm", async () => {
    const refused = await awsCli(emulator.url, alarmArgs);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toMatch(/evaluation-?periods/i);
    await awsCliJson(emulator.url, [...alarmArgs, "--evaluation-periods", "1"]);
    const described = await awsCliJson<{ MetricAlarms: Record<string, unknown>[] }>(emulator.url, [
      "cloudwatch",
      "describe-alarms",
      "--alarm-names",
      "celebrity-scraper-failures",
    ]);
    expect(described.MetricAlarms).toHaveLength(1);
    expect(described.MetricAlarms[0]).toMatchObject({
      AlarmName: "celebrity-scraper-failures",
      StateValue: "INSUFFICIENT_DATA",
      Statistic: "Sum",
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 3,
      Dimensions: [{ Name: "FunctionName", Value: "scraper-tmdb" }],
    });
  });
});
