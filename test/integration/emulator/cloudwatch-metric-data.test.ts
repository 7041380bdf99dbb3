import {
  CloudWatchClient,
  DeleteDashboardsCommand,
  DescribeAlarmsCommand,
  GetDashboardCommand,
  GetMetricDataCommand,
  ListDashboardsCommand,
  PutDashboardCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
  paginateGetMetricData,
  type MetricDataQuery,
  type MetricDataResult,
} from "@aws-sdk/client-cloudwatch";
import { AwsQueryProtocol, AwsSmithyRpcV2CborProtocol } from "@aws-sdk/core/protocols";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, ManualClock, type Emulator } from "../../../src/runtime/emulator/index.js";
import { AWS_CLI_SERVICE_ERROR_EXIT, awsCli, awsCliAvailable, awsCliJson } from "../../helpers/aws-cli.js";

/**
 * CloudWatch GetMetricData, dashboards, anomaly-band alarms (ThresholdMetricId) and the alarm fields
 * DescribeAlarms returns, as the CloudWatch API Reference and User Guide (metric math) document them.
 */

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const ACCOUNT = "000000000000";
const MINUTE = 60_000;
/** The top of an hour: periods of 60 s start on whole minutes from here. */
const T0 = Date.UTC(2026, 0, 4, 10, 0, 0);

function client(url: string, region = "us-east-1"): CloudWatchClient {
  return new CloudWatchClient({ endpoint: url, region, credentials });
}

const stat = (id: string, metricName: string, extra: Partial<MetricDataQuery> = {}): MetricDataQuery => ({
  Id: id,
  MetricStat: { Metric: { Namespace: "App", MetricName: metricName }, Period: 60, Stat: "Sum" },
  ...extra,
});

const byId = (results: MetricDataResult[] | undefined, id: string) => results?.find((r) => r.Id === id);

describe("emulator: CloudWatch GetMetricData", () => {
  let emulator: Emulator;
  let cw: CloudWatchClient;
  const window = { StartTime: new Date(T0), EndTime: new Date(T0 + 5 * MINUTE) };

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["cloudwatch"], clock: new ManualClock(T0 + 10 * MINUTE) });
    cw = client(emulator.url);
    // Requests: minutes 0..4 -> 10, 20, 30, 40, 50. Errors: minutes 0, 1, 3 -> 1, 0, 4 (none at 2 and 4).
    const at = (m: number) => new Date(T0 + m * MINUTE + 5_000);
    await cw.send(
      new PutMetricDataCommand({
        Namespace: "App",
        MetricData: [
          ...[10, 20, 30, 40, 50].map((v, m) => ({ MetricName: "Requests", Value: v, Timestamp: at(m) })),
          { MetricName: "Errors", Value: 1, Timestamp: at(0) },
          { MetricName: "Errors", Value: 0, Timestamp: at(1) },
          { MetricName: "Errors", Value: 4, Timestamp: at(3) },
        ],
      }),
    );
  });
  afterAll(async () => {
    cw.destroy();
    await emulator.stop();
  });

  const get = (queries: MetricDataQuery[], extra: Record<string, unknown> = {}) =>
    cw.send(new GetMetricDataCommand({ MetricDataQueries: queries, ...window, ...extra }));

  it("refuses what CloudWatch refuses: no queries, bad or duplicate Ids, both or neither of MetricStat/Expression, bad statistics and times", async () => {
    await expect(
      cw.send(new GetMetricDataCommand({ MetricDataQueries: [], ...window })),
    ).rejects.toMatchObject({
      $metadata: { httpStatusCode: 400 },
    });
    await expect(get([stat("M1", "Requests")])).rejects.toMatchObject({
      Code: "ValidationError",
      message: expect.stringContaining("MetricDataQueries.member.1.Id"),
    });
    await expect(get([stat("m1", "Requests"), stat("m1", "Errors")])).rejects.toMatchObject({
      Code: "ValidationError",
      message: expect.stringContaining("duplicated"),
    });
    await expect(get([{ ...stat("m1", "Requests"), Expression: "m1 * 2" }])).rejects.toMatchObject({
      Code: "ValidationError",
    });
    await expect(get([{ Id: "m1" }])).rejects.toMatchObject({ Code: "ValidationError" });
    await expect(
      get([
        {
          Id: "m1",
          MetricStat: { Metric: { Namespace: "App", MetricName: "Requests" }, Period: 60, Stat: "Median" },
        },
      ]),
    ).rejects.toMatchObject({
      Code: "ValidationError",
      message: "The value for parameter MetricDataQueries.member.1.MetricStat.Stat is not a valid statistic.",
    });
    await expect(
      cw.send(
        new GetMetricDataCommand({
          MetricDataQueries: [stat("m1", "Requests")],
          StartTime: window.EndTime,
          EndTime: window.StartTime,
        }),
      ),
    ).rejects.toMatchObject({
      Code: "ValidationError",
      message: "The parameter StartTime must be less than the parameter EndTime.",
    });
    await expect(get([stat("m1", "Requests")], { ScanBy: "Sideways" })).rejects.toMatchObject({
      $metadata: { httpStatusCode: 400 },
    });
    await expect(get([stat("m1", "Requests")], { NextToken: "not-a-token" })).rejects.toMatchObject({
      name: "InvalidNextToken",
    });
  });

  it("refuses bad expressions naming the expression: unknown functions and ids, cycles, syntax", async () => {
    const bad = async (expression: string, detail: RegExp) => {
      const error = await get([stat("m1", "Requests"), { Id: "e1", Expression: expression }]).then(
        () => undefined,
        (e: Error) => e,
      );
      expect((error as { Code?: string } | undefined)?.Code).toBe("ValidationError");
      expect(error?.message).toMatch(/^Error in expression e1: /);
      expect(error?.message).toMatch(detail);
    };
    await bad("FOO(m1)", /Unsupported function FOO/);
    await bad("m1 + m9", /Unrecognized metric id m9/);
    await bad("m1 +", /Invalid metric math expression/);
    await expect(
      get([stat("m1", "Requests"), { Id: "e1", Expression: "e2 + 1" }, { Id: "e2", Expression: "e1 * 2" }]),
    ).rejects.toMatchObject({
      Code: "ValidationError",
      message: expect.stringContaining("Circular dependency"),
    });
  });

  it("MetricStat: one value per period, newest first (or oldest first with ScanBy), the metric name as label", async () => {
    const { MetricDataResults, Messages } = await get([stat("m1", "Requests")]);
    expect(Messages).toEqual([]);
    expect(MetricDataResults).toHaveLength(1);
    const r = MetricDataResults![0]!;
    expect(r).toMatchObject({
      Id: "m1",
      Label: "Requests",
      StatusCode: "Complete",
      Values: [50, 40, 30, 20, 10],
    });
    expect(r.Timestamps?.map((t) => t.getTime())).toEqual([4, 3, 2, 1, 0].map((m) => T0 + m * MINUTE));
    const asc = await get([stat("m1", "Requests", { Label: "reqs" })], { ScanBy: "TimestampAscending" });
    expect(asc.MetricDataResults?.[0]).toMatchObject({ Label: "reqs", Values: [10, 20, 30, 40, 50] });
  });

  it("metric math: arithmetic pairs timestamps, division by zero drops the point with an ArithmeticError message", async () => {
    const { MetricDataResults } = await get(
      [
        stat("req", "Requests", { ReturnData: false }),
        stat("err", "Errors", { ReturnData: false }),
        { Id: "sum", Expression: "req + err", Label: "total" },
        { Id: "rate", Expression: "100 * err / req" },
        { Id: "ratio", Expression: "req / err" },
        { Id: "sq", Expression: "err ^ 2" },
      ],
      { ScanBy: "TimestampAscending" },
    );
    expect(MetricDataResults?.map((r) => r.Id)).toEqual(["sum", "rate", "ratio", "sq"]);
    expect(byId(MetricDataResults, "sum")).toMatchObject({ Label: "total", Values: [11, 20, 44] });
    expect(byId(MetricDataResults, "rate")?.Values).toEqual([10, 0, 10]);
    expect(byId(MetricDataResults, "rate")?.Label).toBe("rate");
    const ratio = byId(MetricDataResults, "ratio")!;
    expect(ratio.Values).toEqual([10, 10]);
    expect(ratio.Messages).toEqual([
      {
        Code: "ArithmeticError",
        Value:
          "One or more data-points have been dropped due to non-numeric values (NaN, -Infinite, +Infinite)",
      },
    ]);
    expect(byId(MetricDataResults, "sq")?.Values).toEqual([1, 0, 16]);
  });

  it('SUM/AVG/MIN/MAX: of one series a scalar at every period, of an array a series; METRICS() and METRICS("str")', async () => {
    const { MetricDataResults } = await get(
      [
        stat("req", "Requests", { ReturnData: false }),
        stat("errors", "Errors", { ReturnData: false }),
        { Id: "avg", Expression: "AVG(req)" },
        { Id: "all", Expression: "SUM(METRICS())" },
        { Id: "most", Expression: "MAX([req, errors])" },
        { Id: "least", Expression: "MIN(req, errors)" },
        { Id: "picked", Expression: 'METRICS("err")' },
      ],
      { ScanBy: "TimestampAscending" },
    );
    expect(byId(MetricDataResults, "avg")?.Values).toEqual([30, 30, 30, 30, 30]);
    expect(byId(MetricDataResults, "all")?.Values).toEqual([11, 20, 30, 44, 50]);
    expect(byId(MetricDataResults, "most")?.Values).toEqual([10, 20, 30, 40, 50]);
    expect(byId(MetricDataResults, "least")?.Values).toEqual([1, 0, 30, 4, 50]);
    const picked = MetricDataResults?.filter((r) => r.Id === "picked");
    expect(picked?.map((r) => [r.Label, r.Values])).toEqual([["Errors", [1, 0, 4]]]);
  });

  it("FILL: a value, REPEAT and LINEAR fill the periods without data", async () => {
    const { MetricDataResults } = await get(
      [
        stat("err", "Errors", { ReturnData: false }),
        { Id: "zero", Expression: "FILL(err, 0)" },
        { Id: "repeat", Expression: "FILL(err, REPEAT)" },
        { Id: "linear", Expression: "FILL(err, LINEAR)" },
      ],
      { ScanBy: "TimestampAscending" },
    );
    expect(byId(MetricDataResults, "zero")?.Values).toEqual([1, 0, 0, 4, 0]);
    expect(byId(MetricDataResults, "repeat")?.Values).toEqual([1, 0, 0, 4, 4]);
    expect(byId(MetricDataResults, "linear")?.Values).toEqual([1, 0, 2, 4]);
  });

  it("the query protocol and Smithy RPCv2 CBOR answer the same results as awsJson", async () => {
    const queries = [stat("m1", "Requests", { ReturnData: false }), { Id: "e1", Expression: "m1 / 10" }];
    for (const protocol of [AwsQueryProtocol, AwsSmithyRpcV2CborProtocol]) {
      const other = new CloudWatchClient({
        endpoint: emulator.url,
        region: "us-east-1",
        credentials,
        protocol,
      });
      const { MetricDataResults } = await other.send(
        new GetMetricDataCommand({ MetricDataQueries: queries, ...window, ScanBy: "TimestampAscending" }),
      );
      expect(MetricDataResults?.map((r) => [r.Id, r.StatusCode, r.Values])).toEqual([
        ["e1", "Complete", [1, 2, 3, 4, 5]],
      ]);
      expect(MetricDataResults?.[0]?.Timestamps?.[0]?.getTime()).toBe(T0);
      other.destroy();
    }
  });

  it("MaxDatapoints pages the answer: PartialData with NextToken until every datapoint was returned once", async () => {
    const queries = [stat("m1", "Requests"), stat("m2", "Errors")];
    const first = await get(queries, { MaxDatapoints: 3 });
    expect(first.MetricDataResults).toEqual([
      expect.objectContaining({ Id: "m1", StatusCode: "PartialData", Values: [50, 40, 30] }),
    ]);
    expect(first.NextToken).toBeDefined();
    const pages: MetricDataResult[][] = [];
    for await (const page of paginateGetMetricData(
      { client: cw },
      { MetricDataQueries: queries, ...window, MaxDatapoints: 3 },
    )) {
      pages.push(page.MetricDataResults ?? []);
    }
    expect(pages.length).toBe(3);
    const values = (id: string) =>
      pages
        .flat()
        .filter((r) => r.Id === id)
        .flatMap((r) => r.Values ?? []);
    expect(values("m1")).toEqual([50, 40, 30, 20, 10]);
    expect(values("m2")).toEqual([4, 0, 1]);
    expect(pages.at(-1)?.every((r) => r.StatusCode === "Complete")).toBe(true);
  });
});

describe("emulator: CloudWatch dashboards", () => {
  let emulator: Emulator;
  let cw: CloudWatchClient;
  const body = (widgets: unknown[]) => JSON.stringify({ widgets });
  const metricWidget = {
    type: "metric",
    x: 0,
    y: 0,
    width: 12,
    height: 6,
    properties: { region: "us-east-1", metrics: [["AWS/Lambda", "Errors"]], title: "Errors" },
  };

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["cloudwatch"] });
    cw = client(emulator.url);
  });
  afterAll(async () => {
    cw.destroy();
    await emulator.stop();
  });

  it("GetDashboard of a missing dashboard is ResourceNotFound (404)", async () => {
    await expect(cw.send(new GetDashboardCommand({ DashboardName: "none" }))).rejects.toMatchObject({
      message: "Dashboard none does not exist",
      $metadata: { httpStatusCode: 404 },
    });
  });

  it("PutDashboard refuses an invalid body with InvalidParameterInput and DashboardValidationMessages", async () => {
    const refuse = async (dashboardBody: string) =>
      cw.send(new PutDashboardCommand({ DashboardName: "bad", DashboardBody: dashboardBody })).then(
        () => undefined,
        (e: Error & { dashboardValidationMessages?: unknown; $metadata?: { httpStatusCode?: number } }) => e,
      );
    const notJson = await refuse("{widgets");
    expect(notJson?.$metadata?.httpStatusCode).toBe(400);
    expect(notJson?.name).toMatch(/DashboardInvalidInputError|InvalidParameterInput/);
    const noRegion = await refuse(
      body([{ ...metricWidget, properties: { metrics: [["AWS/Lambda", "Errors"]] } }]),
    );
    expect(noRegion?.message).toContain("The dashboard body is invalid, there are 1 validation errors");
    expect(noRegion?.dashboardValidationMessages).toEqual([
      { DataPath: "/widgets/0/properties", Message: "Should have required property 'region'" },
    ]);
    const twoProblems = await refuse(body([{ type: "chart" }, { ...metricWidget, width: 30 }]));
    expect(twoProblems?.dashboardValidationMessages).toEqual([
      { DataPath: "/widgets/0/type", Message: "Should be equal to one of the allowed values" },
      { DataPath: "/widgets/1/width", Message: "Should be <= 24" },
    ]);
    expect(await refuse(JSON.stringify({ start: "-PT6H" }))).toMatchObject({
      dashboardValidationMessages: [{ DataPath: "", Message: "Should have required property 'widgets'" }],
    });
    await expect(
      cw.send(new PutDashboardCommand({ DashboardName: "has space", DashboardBody: body([metricWidget]) })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
  });

  it("Put, Get, List (prefix, size), Delete; dashboards are global to the account", async () => {
    const put = await cw.send(
      new PutDashboardCommand({ DashboardName: "ops-main", DashboardBody: body([metricWidget]) }),
    );
    expect(put.DashboardValidationMessages).toEqual([]);
    await cw.send(
      new PutDashboardCommand({
        DashboardName: "ops-extra",
        DashboardBody: body([{ type: "text", properties: { markdown: "# hi" } }]),
      }),
    );
    await cw.send(new PutDashboardCommand({ DashboardName: "other", DashboardBody: body([]) }));
    const elsewhere = client(emulator.url, "eu-west-1");
    const got = await elsewhere.send(new GetDashboardCommand({ DashboardName: "ops-main" }));
    expect(got).toMatchObject({
      DashboardName: "ops-main",
      DashboardArn: `arn:aws:cloudwatch::${ACCOUNT}:dashboard/ops-main`,
      DashboardBody: body([metricWidget]),
    });
    elsewhere.destroy();
    const listed = await cw.send(new ListDashboardsCommand({ DashboardNamePrefix: "ops-" }));
    expect(listed.DashboardEntries?.map((d) => d.DashboardName)).toEqual(["ops-extra", "ops-main"]);
    expect(listed.DashboardEntries?.[1]).toMatchObject({
      Size: Buffer.byteLength(body([metricWidget])),
      DashboardArn: `arn:aws:cloudwatch::${ACCOUNT}:dashboard/ops-main`,
    });
    expect(listed.DashboardEntries?.[1]?.LastModified).toBeInstanceOf(Date);

    // One missing name refuses the whole call and deletes nothing.
    await expect(
      cw.send(new DeleteDashboardsCommand({ DashboardNames: ["ops-main", "ghost"] })),
    ).rejects.toMatchObject({
      message: "Dashboard ghost does not exist",
      $metadata: { httpStatusCode: 404 },
    });
    expect((await cw.send(new ListDashboardsCommand({}))).DashboardEntries).toHaveLength(3);
    await cw.send(new DeleteDashboardsCommand({ DashboardNames: ["ops-main", "ops-extra"] }));
    expect(
      (await cw.send(new ListDashboardsCommand({}))).DashboardEntries?.map((d) => d.DashboardName),
    ).toEqual(["other"]);
  });
});

describe("emulator: CloudWatch dashboards survive a restart", () => {
  it("a dashboard put before a restart is there after it (journal and snapshot)", async () => {
    const persistDir = mkdtempSync(join(tmpdir(), "cw-dashboards-"));
    try {
      const first = await createEmulator({ services: ["cloudwatch"], persistDir });
      const a = client(first.url);
      await a.send(
        new PutDashboardCommand({ DashboardName: "kept", DashboardBody: JSON.stringify({ widgets: [] }) }),
      );
      a.destroy();
      await first.stop();
      const second = await createEmulator({ services: ["cloudwatch"], persistDir });
      const b = client(second.url);
      expect((await b.send(new GetDashboardCommand({ DashboardName: "kept" }))).DashboardBody).toBe(
        JSON.stringify({ widgets: [] }),
      );
      b.destroy();
      await second.stop();
    } finally {
      rmSync(persistDir, { recursive: true, force: true });
    }
  });
});

describe("emulator: CloudWatch alarms on an anomaly detection band, and the alarm fields", () => {
  let emulator: Emulator;
  let clock: ManualClock;
  let cw: CloudWatchClient;
  const bandMetrics = [
    {
      Id: "m1",
      MetricStat: { Metric: { Namespace: "App", MetricName: "Latency" }, Period: 300, Stat: "Average" },
      ReturnData: true,
    },
    { Id: "ad1", Expression: "ANOMALY_DETECTION_BAND(m1, 2)", Label: "Latency (expected)", ReturnData: true },
  ];
  const bandAlarm = {
    AlarmName: "latency-anomaly",
    EvaluationPeriods: 3,
    ComparisonOperator: "LessThanLowerOrGreaterThanUpperThreshold" as const,
    Metrics: bandMetrics,
  };

  beforeAll(async () => {
    clock = new ManualClock(T0);
    emulator = await createEmulator({ services: ["cloudwatch"], clock });
    cw = client(emulator.url);
  });
  afterAll(async () => {
    cw.destroy();
    await emulator.stop();
  });

  it("refuses a range operator without ThresholdMetricId, both Threshold and ThresholdMetricId, and neither", async () => {
    await expect(cw.send(new PutMetricAlarmCommand(bandAlarm))).rejects.toMatchObject({
      Code: "ValidationError",
      message: "ComparisonOperators for ranges require ThresholdMetricId to be set",
    });
    await expect(
      cw.send(new PutMetricAlarmCommand({ ...bandAlarm, ThresholdMetricId: "ad1", Threshold: 5 })),
    ).rejects.toMatchObject({
      Code: "ValidationError",
      message: expect.stringContaining("cannot both be specified"),
    });
    await expect(
      cw.send(
        new PutMetricAlarmCommand({
          AlarmName: "static",
          EvaluationPeriods: 1,
          ComparisonOperator: "GreaterThanThreshold",
          Namespace: "App",
          MetricName: "Latency",
          Period: 60,
          Statistic: "Average",
        }),
      ),
    ).rejects.toMatchObject({
      $metadata: { httpStatusCode: 400 },
      message: expect.stringContaining("Threshold"),
    });
    await expect(
      cw.send(
        new PutMetricAlarmCommand({
          ...bandAlarm,
          ComparisonOperator: "GreaterThanThreshold",
          ThresholdMetricId: "ad1",
        }),
      ),
    ).rejects.toMatchObject({ Code: "ValidationError" });
    await expect(
      cw.send(new PutMetricAlarmCommand({ ...bandAlarm, ThresholdMetricId: "nope" })),
    ).rejects.toMatchObject({
      Code: "ValidationError",
    });
    await expect(
      cw.send(new PutMetricAlarmCommand({ ...bandAlarm, ThresholdMetricId: "m1" })),
    ).rejects.toMatchObject({
      Code: "ValidationError",
      message: expect.stringContaining("ANOMALY_DETECTION_BAND"),
    });
  });

  it("an anomaly-band alarm is stored with ThresholdMetricId and no Threshold", async () => {
    await cw.send(new PutMetricAlarmCommand({ ...bandAlarm, ThresholdMetricId: "ad1" }));
    const { MetricAlarms } = await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["latency-anomaly"] }));
    expect(MetricAlarms?.[0]).toMatchObject({
      AlarmName: "latency-anomaly",
      ThresholdMetricId: "ad1",
      ComparisonOperator: "LessThanLowerOrGreaterThanUpperThreshold",
      StateValue: "INSUFFICIENT_DATA",
    });
    expect(MetricAlarms?.[0]?.Threshold).toBeUndefined();
    expect(MetricAlarms?.[0]?.Metrics?.map((m) => m.Id)).toEqual(["m1", "ad1"]);
  });

  it("DescribeAlarms answers AWS's alarm fields; state and configuration timestamps move as documented", async () => {
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: "errors-high",
        AlarmDescription: "too many errors",
        Namespace: "App",
        MetricName: "Errors",
        Dimensions: [{ Name: "Service", Value: "api" }],
        Statistic: "Sum",
        Period: 60,
        EvaluationPeriods: 5,
        DatapointsToAlarm: 3,
        Threshold: 10,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        // With no data, "ignore" keeps the state the test sets (the evaluator runs every minute).
        TreatMissingData: "ignore",
        AlarmActions: [`arn:aws:sns:us-east-1:${ACCOUNT}:alerts`],
      }),
    );
    const describe = async () =>
      (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["errors-high"] }))).MetricAlarms![0]!;
    const created = await describe();
    expect(created).toMatchObject({
      AlarmName: "errors-high",
      AlarmArn: `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:errors-high`,
      AlarmDescription: "too many errors",
      ActionsEnabled: true,
      OKActions: [],
      AlarmActions: [`arn:aws:sns:us-east-1:${ACCOUNT}:alerts`],
      InsufficientDataActions: [],
      StateValue: "INSUFFICIENT_DATA",
      StateReason: "Unchecked: Initial alarm creation",
      MetricName: "Errors",
      Namespace: "App",
      Statistic: "Sum",
      Dimensions: [{ Name: "Service", Value: "api" }],
      Period: 60,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 3,
      Threshold: 10,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      TreatMissingData: "ignore",
    });
    for (const field of [
      "AlarmConfigurationUpdatedTimestamp",
      "StateUpdatedTimestamp",
      "StateTransitionedTimestamp",
    ] as const) {
      expect(created[field]?.getTime()).toBe(T0);
    }
    await clock.advance(MINUTE);
    await cw.send(
      new SetAlarmStateCommand({ AlarmName: "errors-high", StateValue: "ALARM", StateReason: "testing" }),
    );
    await clock.advance(MINUTE);
    await cw.send(
      new SetAlarmStateCommand({ AlarmName: "errors-high", StateValue: "ALARM", StateReason: "still" }),
    );
    const alarmed = await describe();
    expect(alarmed.StateValue).toBe("ALARM");
    // StateUpdated moves on every state update, StateTransitioned only when the state changed.
    expect(alarmed.StateUpdatedTimestamp?.getTime()).toBe(T0 + 2 * MINUTE);
    expect(alarmed.StateTransitionedTimestamp?.getTime()).toBe(T0 + MINUTE);
    expect(alarmed.AlarmConfigurationUpdatedTimestamp?.getTime()).toBe(T0);
    await clock.advance(MINUTE);
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: "errors-high",
        Namespace: "App",
        MetricName: "Errors",
        Statistic: "Sum",
        Period: 60,
        EvaluationPeriods: 5,
        Threshold: 20,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        TreatMissingData: "ignore",
        ActionsEnabled: false,
      }),
    );
    const updated = await describe();
    expect(updated).toMatchObject({ Threshold: 20, ActionsEnabled: false, StateValue: "ALARM" });
    expect(updated.AlarmConfigurationUpdatedTimestamp?.getTime()).toBe(T0 + 3 * MINUTE);
    expect(updated.StateTransitionedTimestamp?.getTime()).toBe(T0 + MINUTE);
  });
});

describe.skipIf(!awsCliAvailable)(
  "emulator: GetMetricData, dashboards and band alarms through the AWS CLI",
  { timeout: 120_000 },
  () => {
    let emulator: Emulator;
    beforeAll(async () => {
      emulator = await createEmulator({ services: ["cloudwatch"] });
    });
    afterAll(async () => {
      await emulator.stop();
    });

    it("get-metric-data with an expression, put/get/list-dashboards, a band alarm with --threshold-metric-id", async () => {
      const now = Date.now();
      await awsCliJson(emulator.url, [
        "cloudwatch",
        "put-metric-data",
        "--namespace",
        "Cli",
        "--metric-data",
        JSON.stringify([
          { MetricName: "Hits", Value: 3, Timestamp: new Date(now - 2 * MINUTE).toISOString() },
        ]),
      ]);
      const data = await awsCliJson<{ MetricDataResults: { Id: string; Values: number[] }[] }>(emulator.url, [
        "cloudwatch",
        "get-metric-data",
        "--start-time",
        new Date(now - 10 * MINUTE).toISOString(),
        "--end-time",
        new Date(now + MINUTE).toISOString(),
        "--metric-data-queries",
        JSON.stringify([
          {
            Id: "m1",
            MetricStat: { Metric: { Namespace: "Cli", MetricName: "Hits" }, Period: 60, Stat: "Sum" },
            ReturnData: false,
          },
          { Id: "e1", Expression: "m1 * 10" },
        ]),
      ]);
      expect(data.MetricDataResults).toEqual([expect.objectContaining({ Id: "e1", Values: [30] })]);

      const invalid = await awsCli(emulator.url, [
        "cloudwatch",
        "put-dashboard",
        "--dashboard-name",
        "cli",
        "--dashboard-body",
        JSON.stringify({ widgets: [{ type: "metric", properties: { metrics: [] } }] }),
      ]);
      expect(invalid.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
      expect(invalid.stderr).toContain("InvalidParameterInput");
      await awsCliJson(emulator.url, [
        "cloudwatch",
        "put-dashboard",
        "--dashboard-name",
        "cli",
        "--dashboard-body",
        JSON.stringify({ widgets: [{ type: "text", properties: { markdown: "ok" } }] }),
      ]);
      const listed = await awsCliJson<{ DashboardEntries: { DashboardName: string }[] }>(emulator.url, [
        "cloudwatch",
        "list-dashboards",
      ]);
      expect(listed.DashboardEntries.map((d) => d.DashboardName)).toEqual(["cli"]);
      const missing = await awsCli(emulator.url, ["cloudwatch", "get-dashboard", "--dashboard-name", "nope"]);
      expect(missing.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
      expect(missing.stderr).toContain("ResourceNotFound");

      const ranged = await awsCli(emulator.url, [
        "cloudwatch",
        "put-metric-alarm",
        "--alarm-name",
        "cli-band",
        "--evaluation-periods",
        "2",
        "--comparison-operator",
        "GreaterThanUpperThreshold",
        "--metrics",
        JSON.stringify([
          {
            Id: "m1",
            MetricStat: { Metric: { Namespace: "Cli", MetricName: "Hits" }, Period: 300, Stat: "Sum" },
          },
          { Id: "ad1", Expression: "ANOMALY_DETECTION_BAND(m1, 2)" },
        ]),
      ]);
      expect(ranged.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
      expect(ranged.stderr).toContain("ComparisonOperators for ranges require ThresholdMetricId to be set");
      await awsCliJson(emulator.url, [
        "cloudwatch",
        "put-metric-alarm",
        "--alarm-name",
        "cli-band",
        "--evaluation-periods",
        "2",
        "--comparison-operator",
        "GreaterThanUpperThreshold",
        "--threshold-metric-id",
        "ad1",
        "--metrics",
        JSON.stringify([
          {
            Id: "m1",
            MetricStat: { Metric: { Namespace: "Cli", MetricName: "Hits" }, Period: 300, Stat: "Sum" },
          },
          { Id: "ad1", Expression: "ANOMALY_DETECTION_BAND(m1, 2)" },
        ]),
      ]);
      const alarms = await awsCliJson<{ MetricAlarms: Record<string, unknown>[] }>(emulator.url, [
        "cloudwatch",
        "describe-alarms",
        "--alarm-names",
        "cli-band",
      ]);
      expect(alarms.MetricAlarms[0]).toMatchObject({
        ThresholdMetricId: "ad1",
        AlarmArn: expect.stringContaining(":alarm:cli-band"),
      });
      expect(alarms.MetricAlarms[0]).not.toHaveProperty("Threshold");
    });

    it("get-metric-data pages by --max-datapoints; get-dashboard, delete-dashboards; describe-alarms' fields", async () => {
      const now = Date.now();
      const start = Math.floor(now / MINUTE) * MINUTE - 10 * MINUTE;
      await awsCliJson(emulator.url, [
        "cloudwatch",
        "put-metric-data",
        "--namespace",
        "Paged",
        "--metric-data",
        JSON.stringify(
          [1, 2, 3].map((v) => ({
            MetricName: "Hits",
            Value: v,
            Timestamp: new Date(start + v * MINUTE + 1_000).toISOString(),
          })),
        ),
      ]);
      const query = (extra: string[]) =>
        awsCliJson<{
          MetricDataResults: { Id: string; Values: number[]; StatusCode: string }[];
          NextToken?: string;
        }>(emulator.url, [
          "cloudwatch",
          "get-metric-data",
          "--start-time",
          new Date(start).toISOString(),
          "--end-time",
          new Date(start + 10 * MINUTE).toISOString(),
          "--metric-data-queries",
          JSON.stringify([
            {
              Id: "m1",
              MetricStat: { Metric: { Namespace: "Paged", MetricName: "Hits" }, Period: 60, Stat: "Sum" },
            },
          ]),
          ...extra,
        ]);
      // MaxDatapoints named by hand turns the CLI's pagination off: one page, cut short, with NextToken.
      const onePage = await query(["--max-datapoints", "2"]);
      expect(onePage.MetricDataResults.map((r) => [r.Id, r.StatusCode, r.Values])).toEqual([
        ["m1", "PartialData", [3, 2]],
      ]);
      expect(onePage.NextToken).toEqual(expect.any(String));
      // --page-size is MaxDatapoints for the CLI's paginator, which follows NextToken and appends pages.
      const paged = await query(["--page-size", "2"]);
      expect(paged.MetricDataResults.map((r) => [r.Id, r.StatusCode, r.Values])).toEqual([
        ["m1", "PartialData", [3, 2]],
        ["m1", "Complete", [1]],
      ]);
      expect(paged.NextToken).toBeUndefined();

      const body = JSON.stringify({ widgets: [{ type: "text", properties: { markdown: "kept" } }] });
      for (const name of ["cli-a", "cli-b"]) {
        await awsCliJson(emulator.url, [
          "cloudwatch",
          "put-dashboard",
          "--dashboard-name",
          name,
          "--dashboard-body",
          body,
        ]);
      }
      const got = await awsCliJson<{ DashboardName: string; DashboardArn: string; DashboardBody: string }>(
        emulator.url,
        ["cloudwatch", "get-dashboard", "--dashboard-name", "cli-a"],
      );
      expect(got).toMatchObject({
        DashboardName: "cli-a",
        DashboardArn: `arn:aws:cloudwatch::${ACCOUNT}:dashboard/cli-a`,
      });
      expect(JSON.parse(got.DashboardBody)).toEqual(JSON.parse(body));
      // One missing name fails the whole call and deletes nothing.
      const partly = await awsCli(emulator.url, [
        "cloudwatch",
        "delete-dashboards",
        "--dashboard-names",
        "cli-a",
        "not-there",
      ]);
      expect(partly.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
      expect(partly.stderr).toContain("ResourceNotFound");
      await awsCliJson(emulator.url, ["cloudwatch", "delete-dashboards", "--dashboard-names", "cli-a"]);
      const left = await awsCliJson<{ DashboardEntries: { DashboardName: string }[] }>(emulator.url, [
        "cloudwatch",
        "list-dashboards",
        "--dashboard-name-prefix",
        "cli-",
      ]);
      expect(left.DashboardEntries.map((d) => d.DashboardName)).toEqual(["cli-b"]);

      await awsCliJson(emulator.url, [
        "cloudwatch",
        "put-metric-alarm",
        "--alarm-name",
        "cli-fields",
        "--namespace",
        "Paged",
        "--metric-name",
        "Hits",
        "--dimensions",
        "Name=Service,Value=api",
        "--statistic",
        "Sum",
        "--period",
        "60",
        "--evaluation-periods",
        "3",
        "--datapoints-to-alarm",
        "2",
        "--threshold",
        "5",
        "--comparison-operator",
        "GreaterThanThreshold",
        "--treat-missing-data",
        "notBreaching",
      ]);
      const described = await awsCliJson<{
        MetricAlarms: Record<string, unknown>[];
        CompositeAlarms: unknown[];
      }>(emulator.url, ["cloudwatch", "describe-alarms", "--alarm-names", "cli-fields"]);
      expect(described.CompositeAlarms).toEqual([]);
      const alarm = described.MetricAlarms[0]!;
      expect(alarm).toMatchObject({
        AlarmName: "cli-fields",
        AlarmArn: `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:cli-fields`,
        ActionsEnabled: true,
        OKActions: [],
        AlarmActions: [],
        InsufficientDataActions: [],
        StateValue: "INSUFFICIENT_DATA",
        StateReason: "Unchecked: Initial alarm creation",
        Dimensions: [{ Name: "Service", Value: "api" }],
        Period: 60,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        Threshold: 5,
        TreatMissingData: "notBreaching",
      });
      // CLI v2 prints timestamps in ISO 8601; v1 prints them as the wire has them (epoch seconds here).
      const millis = (v: unknown) => (typeof v === "number" ? v * 1000 : Date.parse(String(v)));
      for (const field of [
        "AlarmConfigurationUpdatedTimestamp",
        "StateUpdatedTimestamp",
        "StateTransitionedTimestamp",
      ]) {
        expect(millis(alarm[field]), field).toBeGreaterThanOrEqual(now - MINUTE);
        expect(millis(alarm[field]), field).toBeLessThanOrEqual(Date.now());
      }
      expect(alarm).not.toHaveProperty("ThresholdMetricId");
    });
  },
);
