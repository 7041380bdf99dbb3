import { ChangeList, decideAction } from "../compare.js";
import { declarationOf, type ResourceDriver } from "../driver.js";

/** The stack's alarms (scraper failures, failure queue depths): PutMetricAlarm when missing or different. */
export const alarmDriver: ResourceDriver = {
  kind: "alarm",
  async assess(ctx, ref) {
    const sdk = await import("@aws-sdk/client-cloudwatch");
    const cloudwatch = await ctx.clients.cloudwatch();
    const declared = declarationOf(
      Object.values(ctx.stack.alarms),
      ref.name,
      (a) => a.name,
      "alarm",
    ).definition;
    const put = {
      name: "PutMetricAlarm",
      run: async () => {
        await cloudwatch.send(new sdk.PutMetricAlarmCommand(declared));
      },
    };
    const live = (await cloudwatch.send(new sdk.DescribeAlarmsCommand({ AlarmNames: [declared.AlarmName] })))
      .MetricAlarms?.[0];
    if (live === undefined) return { action: "create", changes: [], notes: [], ops: [put] };
    const changes = new ChangeList();
    const fields = [
      "AlarmDescription",
      "ComparisonOperator",
      "Threshold",
      "EvaluationPeriods",
      "DatapointsToAlarm",
      "TreatMissingData",
      "Namespace",
      "MetricName",
      "Statistic",
      "Period",
      "Dimensions",
      "ActionsEnabled",
      "AlarmActions",
      "OKActions",
    ] as const;
    for (const field of fields) {
      if (declared[field] !== undefined) changes.compare(field, live[field], declared[field]);
    }
    // AWS fills in defaults inside each metric query; only what the declaration sets must match.
    if (declared.Metrics !== undefined)
      changes.compare("Metrics", live.Metrics, declared.Metrics, { subset: true });
    return {
      action: decideAction(true, changes.changes),
      changes: changes.changes,
      notes: [],
      ops: changes.changes.length > 0 ? [put] : [],
    };
  },
  async destroy(ctx, ref) {
    const sdk = await import("@aws-sdk/client-cloudwatch");
    const cloudwatch = await ctx.clients.cloudwatch();
    const live =
      (await cloudwatch.send(new sdk.DescribeAlarmsCommand({ AlarmNames: [ref.name] }))).MetricAlarms ?? [];
    if (live.length === 0) return "absent";
    await cloudwatch.send(new sdk.DeleteAlarmsCommand({ AlarmNames: [ref.name] }));
    return "deleted";
  },
};
