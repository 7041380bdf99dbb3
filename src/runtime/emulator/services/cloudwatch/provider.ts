import type {
  DeleteAlarmsInput,
  DescribeAlarmsForMetricInput,
  DescribeAlarmsForMetricOutput,
  DescribeAlarmsInput,
  DescribeAlarmsOutput,
  DisableAlarmActionsInput,
  EnableAlarmActionsInput,
  GetMetricStatisticsInput,
  GetMetricStatisticsOutput,
  ListMetricsInput,
  ListMetricsOutput,
  ListTagsForResourceInput,
  ListTagsForResourceOutput,
  MetricAlarm,
  PutMetricAlarmInput,
  PutMetricDataInput,
  SetAlarmStateInput,
  TagResourceInput,
  UntagResourceInput,
} from "@aws-sdk/client-cloudwatch";
import type { Clock } from "../../core/clock.js";
import type { RequestContext } from "../../core/request.js";
import type { AlarmRecord } from "./alarms.js";
import { cloudwatchErrors } from "./errors.js";
import * as input from "./input.js";
import * as limits from "./limits.js";
import { PERCENTILE_PATTERN, percentile, statistic, type MetricPoint } from "./metrics.js";
import { scopeOf, type CloudWatchEntry, type CloudWatchState } from "./store.js";

type Input = Record<string, unknown>;
type Empty = Record<string, never>;

export interface CallOptions {
  /** In-process callers (e.g. Lambda publishing AWS/Lambda metrics) may use AWS/ namespaces. */
  internal: boolean;
}

/** One method per CloudWatch operation; inputs may come from JSON, query or in-process callers. */
export class CloudWatchProvider {
  constructor(
    private readonly state: CloudWatchState,
    private readonly clock: Clock,
    private readonly commit: (entry: CloudWatchEntry) => void,
  ) {}

  async putMetricAlarm(req: PutMetricAlarmInput, context: RequestContext): Promise<Empty> {
    const i = req as unknown as Input;
    const scope = scopeOf(context.accountId, context.region);
    const name = input.requiredStr(i, "AlarmName");
    if (name.length > limits.MAX_ALARM_NAME_LENGTH) {
      throw cloudwatchErrors.validation(
        "alarmName",
        name,
        `Member must have length less than or equal to ${limits.MAX_ALARM_NAME_LENGTH}`,
      );
    }
    const evaluationPeriods = input.int(i, "EvaluationPeriods");
    if (evaluationPeriods === undefined) {
      throw cloudwatchErrors.validation("evaluationPeriods", undefined, "Member must not be null");
    }
    if (evaluationPeriods < 1) {
      throw cloudwatchErrors.validation(
        "evaluationPeriods",
        evaluationPeriods,
        "Member must have value greater than or equal to 1",
      );
    }
    const comparisonOperator = input.str(i, "ComparisonOperator");
    if (comparisonOperator === undefined) {
      throw cloudwatchErrors.validation("comparisonOperator", undefined, "Member must not be null");
    }
    const ranged = limits.ANOMALY_OPERATORS.includes(comparisonOperator);
    if (!ranged && !(limits.COMPARISON_OPERATORS as readonly string[]).includes(comparisonOperator)) {
      throw cloudwatchErrors.validation(
        "comparisonOperator",
        comparisonOperator,
        `Member must satisfy enum value set: [${[...limits.COMPARISON_OPERATORS, ...limits.ANOMALY_OPERATORS].join(", ")}]`,
      );
    }
    const threshold = input.num(i, "Threshold");
    const metrics = input.list(i, "Metrics");
    const thresholdMetricId = input.str(i, "ThresholdMetricId");
    checkThresholdChoice(comparisonOperator, ranged, threshold, thresholdMetricId, metrics);

    const metricName = input.str(i, "MetricName");
    const namespace = input.str(i, "Namespace");
    const stat = input.str(i, "Statistic");
    const extended = input.str(i, "ExtendedStatistic");
    const period = input.int(i, "Period");
    if (metrics && (metricName || namespace || stat || extended || period !== undefined)) {
      throw cloudwatchErrors.combination(
        "Metrics may not be used together with MetricName, Namespace, Statistic, ExtendedStatistic or Period.",
      );
    }
    if (!metrics) {
      if (!metricName) throw cloudwatchErrors.missing("MetricName");
      if (!namespace) throw cloudwatchErrors.missing("Namespace");
      if (period === undefined) throw cloudwatchErrors.missing("Period");
      if (stat && extended)
        throw cloudwatchErrors.combination("Statistic and ExtendedStatistic are mutually exclusive.");
      if (!stat && !extended) throw cloudwatchErrors.missing("Statistic or ExtendedStatistic");
      if (stat && !(limits.STATISTICS as readonly string[]).includes(stat)) {
        throw cloudwatchErrors.validation(
          "statistic",
          stat,
          `Member must satisfy enum value set: [${limits.STATISTICS.join(", ")}]`,
        );
      }
      if (extended && !PERCENTILE_PATTERN.test(extended)) {
        throw cloudwatchErrors.invalidValue(
          `The value ${extended} for parameter ExtendedStatistic is invalid.`,
        );
      }
      validPeriod(period, "Period", true);
      if (period * evaluationPeriods > limits.MAX_EVALUATION_RANGE_SECONDS) {
        throw cloudwatchErrors.invalidValue(
          `The evaluation period (EvaluationPeriods x Period) must not exceed ${limits.MAX_EVALUATION_RANGE_SECONDS} seconds.`,
        );
      }
    }
    const datapointsToAlarm = input.int(i, "DatapointsToAlarm");
    if (datapointsToAlarm !== undefined && (datapointsToAlarm < 1 || datapointsToAlarm > evaluationPeriods)) {
      throw cloudwatchErrors.invalidValue("DatapointsToAlarm must be between 1 and EvaluationPeriods.");
    }
    const treatMissingData = input.str(i, "TreatMissingData");
    if (
      treatMissingData !== undefined &&
      !(limits.TREAT_MISSING_DATA as readonly string[]).includes(treatMissingData)
    ) {
      throw cloudwatchErrors.invalidValue(
        `The value ${treatMissingData} for parameter TreatMissingData is invalid; use one of ${limits.TREAT_MISSING_DATA.join(", ")}.`,
      );
    }
    const unit = validUnit(input.str(i, "Unit"));
    const actions = (member: string) => {
      const list = input.stringList(i, member) ?? [];
      if (list.length > limits.MAX_ACTIONS_PER_STATE) {
        throw cloudwatchErrors.validation(
          member,
          list.join(","),
          `Member must have length less than or equal to ${limits.MAX_ACTIONS_PER_STATE}`,
        );
      }
      return list;
    };
    const now = this.clock.now();
    const existing = this.state.alarm(scope, name);
    const alarm: AlarmRecord = {
      scope,
      name,
      ...(input.str(i, "AlarmDescription") !== undefined
        ? { description: input.str(i, "AlarmDescription") }
        : {}),
      actionsEnabled: input.bool(i, "ActionsEnabled") ?? true,
      okActions: actions("OKActions"),
      alarmActions: actions("AlarmActions"),
      insufficientDataActions: actions("InsufficientDataActions"),
      ...(metricName ? { metricName } : {}),
      ...(namespace ? { namespace } : {}),
      ...(stat ? { statistic: stat as limits.Statistic } : {}),
      ...(extended ? { extendedStatistic: extended } : {}),
      dimensions: input.dimensions(i, "Dimensions"),
      ...(period !== undefined ? { period } : {}),
      ...(unit ? { unit } : {}),
      evaluationPeriods,
      ...(datapointsToAlarm !== undefined ? { datapointsToAlarm } : {}),
      ...(threshold !== undefined ? { threshold } : {}),
      comparisonOperator,
      ...(treatMissingData ? { treatMissingData } : {}),
      ...(input.str(i, "EvaluateLowSampleCountPercentile")
        ? { evaluateLowSampleCountPercentile: input.str(i, "EvaluateLowSampleCountPercentile") }
        : {}),
      ...(metrics ? { metrics: metrics.map((q, n) => normalizeMetricQuery(q, n)) } : {}),
      ...(thresholdMetricId ? { thresholdMetricId } : {}),
      tags: existing?.tags ?? readTags(i, "Tags"),
      configurationUpdated: now,
      // A new alarm starts in INSUFFICIENT_DATA; an update keeps the current state.
      state: existing?.state ?? "INSUFFICIENT_DATA",
      stateReason: existing?.stateReason ?? "Unchecked: Initial alarm creation",
      ...(existing?.stateReasonData ? { stateReasonData: existing.stateReasonData } : {}),
      stateUpdated: existing?.stateUpdated ?? now,
      stateTransitioned: existing?.stateTransitioned ?? now,
    };
    this.commit({ t: "alarm", alarm });
    return {};
  }

  async describeAlarms(req: DescribeAlarmsInput, context: RequestContext): Promise<DescribeAlarmsOutput> {
    const i = req as unknown as Input;
    const scope = scopeOf(context.accountId, context.region);
    const names = input.stringList(i, "AlarmNames");
    const prefix = input.str(i, "AlarmNamePrefix");
    if (names && prefix !== undefined) {
      throw cloudwatchErrors.combination("AlarmNames and AlarmNamePrefix cannot be specified together.");
    }
    if (names && names.length > limits.MAX_ALARM_NAMES) {
      throw cloudwatchErrors.validation(
        "alarmNames",
        names.length,
        `Member must have length less than or equal to ${limits.MAX_ALARM_NAMES}`,
      );
    }
    const stateValue = input.str(i, "StateValue");
    if (stateValue !== undefined && !(limits.ALARM_STATES as readonly string[]).includes(stateValue)) {
      throw cloudwatchErrors.validation(
        "stateValue",
        stateValue,
        `Member must satisfy enum value set: [${limits.ALARM_STATES.join(", ")}]`,
      );
    }
    const actionPrefix = input.str(i, "ActionPrefix");
    const types = input.stringList(i, "AlarmTypes");
    const max = input.int(i, "MaxRecords") ?? limits.DESCRIBE_ALARMS_DEFAULT;
    if (max < 1 || max > limits.DESCRIBE_ALARMS_MAX) {
      throw cloudwatchErrors.validation(
        "maxRecords",
        max,
        `Member must have value between 1 and ${limits.DESCRIBE_ALARMS_MAX}`,
      );
    }
    const after = decodeToken(input.str(i, "NextToken"));
    const wantMetricAlarms = !types || types.includes("MetricAlarm");
    const matching = this.state
      .alarms(scope)
      .filter(() => wantMetricAlarms)
      .filter((a) => !names || names.includes(a.name))
      .filter((a) => prefix === undefined || a.name.startsWith(prefix))
      .filter((a) => stateValue === undefined || a.state === stateValue)
      .filter(
        (a) =>
          actionPrefix === undefined ||
          [...a.alarmActions, ...a.okActions, ...a.insufficientDataActions].some((x) =>
            x.startsWith(actionPrefix),
          ),
      )
      .sort((a, b) => compare(a.name, b.name))
      .filter((a) => after === undefined || compare(a.name, after) > 0);
    const page = matching.slice(0, max);
    return {
      MetricAlarms: page.map((a) => renderAlarm(a, context)),
      CompositeAlarms: [],
      ...(matching.length > max ? { NextToken: encodeToken(page[page.length - 1]!.name) } : {}),
    };
  }

  async describeAlarmsForMetric(
    req: DescribeAlarmsForMetricInput,
    context: RequestContext,
  ): Promise<DescribeAlarmsForMetricOutput> {
    const i = req as unknown as Input;
    const scope = scopeOf(context.accountId, context.region);
    const metricName = input.requiredStr(i, "MetricName");
    const namespace = input.requiredStr(i, "Namespace");
    const stat = input.str(i, "Statistic");
    const extended = input.str(i, "ExtendedStatistic");
    const period = input.int(i, "Period");
    const unit = input.str(i, "Unit");
    const dims = i["Dimensions"] === undefined ? undefined : input.dimensions(i, "Dimensions");
    const alarms = this.state
      .alarms(scope)
      .filter((a) => a.metricName === metricName && a.namespace === namespace)
      .filter((a) => stat === undefined || a.statistic === stat)
      .filter((a) => extended === undefined || a.extendedStatistic === extended)
      .filter((a) => period === undefined || a.period === period)
      .filter((a) => unit === undefined || a.unit === unit)
      .filter((a) => !dims || sameDimensions(a.dimensions, dims))
      .sort((a, b) => compare(a.name, b.name));
    return { MetricAlarms: alarms.map((a) => renderAlarm(a, context)) };
  }

  async deleteAlarms(req: DeleteAlarmsInput, context: RequestContext): Promise<Empty> {
    const i = req as unknown as Input;
    const scope = scopeOf(context.accountId, context.region);
    const names = input.stringList(i, "AlarmNames");
    if (!names || names.length === 0) throw cloudwatchErrors.missing("AlarmNames");
    if (names.length > limits.MAX_ALARM_NAMES) {
      throw cloudwatchErrors.validation(
        "alarmNames",
        names.length,
        `Member must have length less than or equal to ${limits.MAX_ALARM_NAMES}`,
      );
    }
    const missing = names.filter((n) => !this.state.alarm(scope, n));
    if (missing.length > 0)
      throw cloudwatchErrors.notFound(`${missing.length} alarm(s) not found: ${missing.join(", ")}`);
    this.commit({ t: "deleteAlarms", scope, names });
    return {};
  }

  async setAlarmState(req: SetAlarmStateInput, context: RequestContext): Promise<Empty> {
    const i = req as unknown as Input;
    const scope = scopeOf(context.accountId, context.region);
    const name = input.requiredStr(i, "AlarmName");
    const stateValue = input.requiredStr(i, "StateValue");
    if (!(limits.ALARM_STATES as readonly string[]).includes(stateValue)) {
      throw cloudwatchErrors.validation(
        "stateValue",
        stateValue,
        `Member must satisfy enum value set: [${limits.ALARM_STATES.join(", ")}]`,
      );
    }
    const reason = input.requiredStr(i, "StateReason");
    if (reason.length > limits.MAX_STATE_REASON_LENGTH) {
      throw cloudwatchErrors.validation(
        "stateReason",
        reason,
        `Member must have length less than or equal to ${limits.MAX_STATE_REASON_LENGTH}`,
      );
    }
    const reasonData = input.str(i, "StateReasonData");
    if (reasonData !== undefined) {
      try {
        JSON.parse(reasonData);
      } catch {
        throw cloudwatchErrors.invalidFormat("The StateReasonData is not valid JSON.");
      }
    }
    if (!this.state.alarm(scope, name)) throw cloudwatchErrors.notFound(`Alarm ${name} not found`);
    this.commit({
      t: "state",
      scope,
      name,
      state: stateValue as limits.AlarmState,
      reason,
      ...(reasonData !== undefined ? { reasonData } : {}),
      at: this.clock.now(),
    });
    return {};
  }

  async enableAlarmActions(req: EnableAlarmActionsInput, context: RequestContext): Promise<Empty> {
    return this.setActions(req as unknown as Input, context, true);
  }

  async disableAlarmActions(req: DisableAlarmActionsInput, context: RequestContext): Promise<Empty> {
    return this.setActions(req as unknown as Input, context, false);
  }

  private setActions(i: Input, context: RequestContext, enabled: boolean): Empty {
    const names = input.stringList(i, "AlarmNames");
    if (!names || names.length === 0) throw cloudwatchErrors.missing("AlarmNames");
    const scope = scopeOf(context.accountId, context.region);
    this.commit({ t: "actions", scope, names: names.filter((n) => this.state.alarm(scope, n)), enabled });
    return {};
  }

  async putMetricData(
    req: PutMetricDataInput,
    context: RequestContext,
    options: CallOptions,
  ): Promise<Empty> {
    const i = req as unknown as Input;
    const scope = scopeOf(context.accountId, context.region);
    const namespace = input.requiredStr(i, "Namespace");
    if (namespace.length > 255 || !/^[^:].*$/.test(namespace)) {
      throw cloudwatchErrors.invalidValue(`The value ${namespace} for parameter Namespace is invalid.`);
    }
    if (!options.internal && namespace.startsWith("AWS/")) {
      throw cloudwatchErrors.invalidValue(`The value ${namespace} for parameter Namespace is invalid.`);
    }
    const data = input.list(i, "MetricData");
    if (!data || data.length === 0) throw cloudwatchErrors.missing("MetricData");
    if (data.length > limits.MAX_METRIC_DATA_PER_PUT) {
      throw cloudwatchErrors.invalidValue(
        `The collection MetricData must not have a size greater than ${limits.MAX_METRIC_DATA_PER_PUT}.`,
      );
    }
    const now = this.clock.now();
    const items = data.map((raw, n) => {
      const member = `MetricData.member.${n + 1}`;
      const d = input.struct(raw, member);
      const name = input.str(d, "MetricName");
      if (!name) throw cloudwatchErrors.missing(`${member}.MetricName`);
      const dims = input.dimensions(d, "Dimensions");
      const t = input.time(d, "Timestamp") ?? now;
      if (t < now - limits.MAX_DATUM_AGE_MS || t > now + limits.MAX_DATUM_FUTURE_MS) {
        throw cloudwatchErrors.invalidValue(
          `The parameter ${member}.Timestamp must specify a time no more than two weeks in the past and no more than two hours in the future.`,
        );
      }
      const unit = validUnit(input.str(d, "Unit")) ?? "None";
      return [namespace, name, dims, readPoint(d, member, t, unit)] as [
        string,
        string,
        input.Dimension[],
        MetricPoint,
      ];
    });
    this.commit({ t: "data", scope, items });
    return {};
  }

  async getMetricStatistics(
    req: GetMetricStatisticsInput,
    context: RequestContext,
  ): Promise<GetMetricStatisticsOutput> {
    const i = req as unknown as Input;
    const scope = scopeOf(context.accountId, context.region);
    const namespace = input.requiredStr(i, "Namespace");
    const metricName = input.requiredStr(i, "MetricName");
    const start = input.time(i, "StartTime");
    const end = input.time(i, "EndTime");
    if (start === undefined) throw cloudwatchErrors.missing("StartTime");
    if (end === undefined) throw cloudwatchErrors.missing("EndTime");
    const period = input.int(i, "Period");
    if (period === undefined) throw cloudwatchErrors.missing("Period");
    validPeriod(period, "Period", false);
    if (start >= end)
      throw cloudwatchErrors.invalidValue("The parameter StartTime must be less than the parameter EndTime.");
    const stats = input.stringList(i, "Statistics") ?? [];
    const extended = input.stringList(i, "ExtendedStatistics") ?? [];
    if (stats.length === 0 && extended.length === 0) throw cloudwatchErrors.missing("Statistics");
    if (stats.length > 0 && extended.length > 0) {
      throw cloudwatchErrors.combination("Statistics and ExtendedStatistics cannot be specified together.");
    }
    for (const s of stats) {
      if (!(limits.STATISTICS as readonly string[]).includes(s)) {
        throw cloudwatchErrors.invalidValue(
          `The value ${s} for parameter Statistics is not a valid statistic.`,
        );
      }
    }
    for (const p of extended) {
      if (!PERCENTILE_PATTERN.test(p)) {
        throw cloudwatchErrors.invalidValue(
          `The value ${p} for parameter ExtendedStatistics is not a valid percentile.`,
        );
      }
    }
    const periodMs = period * 1000;
    const requested = Math.ceil((end - Math.floor(start / periodMs) * periodMs) / periodMs);
    if (requested > limits.MAX_DATAPOINTS_PER_QUERY) {
      throw cloudwatchErrors.combination(
        `You have requested up to ${requested.toLocaleString("en-US")} datapoints, which exceeds the limit of ${limits.MAX_DATAPOINTS_PER_QUERY.toLocaleString("en-US")}. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`,
      );
    }
    const unit = validUnit(input.str(i, "Unit"));
    const series = this.state.metrics.get(scope, namespace, metricName, input.dimensions(i, "Dimensions"));
    const buckets = series ? this.state.metrics.buckets(series, start, end, periodMs, unit) : [];
    return {
      Label: metricName,
      Datapoints: buckets.map(({ start: at, aggregate }) => {
        const point: NonNullable<GetMetricStatisticsOutput["Datapoints"]>[number] = {
          Timestamp: new Date(at),
        };
        for (const s of stats) point[s as limits.Statistic] = statistic(aggregate, s as limits.Statistic);
        if (extended.length > 0) {
          const values: Record<string, number> = {};
          for (const p of extended) {
            const v = percentile(aggregate, p);
            if (v !== undefined) values[p] = v;
          }
          point.ExtendedStatistics = values;
        }
        point.Unit = (unit ?? aggregate.unit) as typeof point.Unit;
        return point;
      }),
    };
  }

  async listMetrics(req: ListMetricsInput, context: RequestContext): Promise<ListMetricsOutput> {
    const i = req as unknown as Input;
    const scope = scopeOf(context.accountId, context.region);
    const namespace = input.str(i, "Namespace");
    const metricName = input.str(i, "MetricName");
    const filters = (input.list(i, "Dimensions") ?? []).map((raw, n) => {
      const f = input.struct(raw, `Dimensions.member.${n + 1}`);
      const name = f["Name"];
      if (typeof name !== "string" || !name)
        throw cloudwatchErrors.missing(`Dimensions.member.${n + 1}.Name`);
      return { name, value: typeof f["Value"] === "string" ? f["Value"] : undefined };
    });
    if (filters.length > 10)
      throw cloudwatchErrors.invalidValue("The collection Dimensions must not have a size greater than 10.");
    const recentlyActive = input.str(i, "RecentlyActive");
    if (recentlyActive !== undefined && recentlyActive !== "PT3H") {
      throw cloudwatchErrors.validation(
        "recentlyActive",
        recentlyActive,
        "Member must satisfy enum value set: [PT3H]",
      );
    }
    const now = this.clock.now();
    const after = decodeToken(input.str(i, "NextToken"));
    const key = (s: { namespace: string; name: string; dimensions: input.Dimension[] }) =>
      JSON.stringify([s.namespace, s.name, s.dimensions.map((d) => [d.Name, d.Value])]);
    const matching = this.state.metrics
      .all(scope)
      .filter((s) => namespace === undefined || s.namespace === namespace)
      .filter((s) => metricName === undefined || s.name === metricName)
      .filter((s) =>
        filters.every((f) =>
          s.dimensions.some((d) => d.Name === f.name && (f.value === undefined || d.Value === f.value)),
        ),
      )
      .filter((s) => s.points.length > 0)
      .filter(
        (s) =>
          recentlyActive === undefined || s.points[s.points.length - 1]!.t >= now - limits.RECENTLY_ACTIVE_MS,
      )
      .sort((a, b) => compare(key(a), key(b)))
      .filter((s) => after === undefined || compare(key(s), after) > 0);
    const page = matching.slice(0, limits.LIST_METRICS_PAGE);
    return {
      Metrics: page.map((s) => ({
        Namespace: s.namespace,
        MetricName: s.name,
        Dimensions: s.dimensions.map((d) => ({ ...d })),
      })),
      ...(matching.length > page.length ? { NextToken: encodeToken(key(page[page.length - 1]!)) } : {}),
    };
  }

  async tagResource(req: TagResourceInput, context: RequestContext): Promise<Empty> {
    const i = req as unknown as Input;
    const alarm = this.alarmFromArn(input.requiredStr(i, "ResourceARN"), context);
    const tags = readTags(i, "Tags");
    if (tags.length === 0) throw cloudwatchErrors.missing("Tags");
    this.commit({ t: "tag", scope: alarm.scope, name: alarm.name, tags });
    return {};
  }

  async untagResource(req: UntagResourceInput, context: RequestContext): Promise<Empty> {
    const i = req as unknown as Input;
    const alarm = this.alarmFromArn(input.requiredStr(i, "ResourceARN"), context);
    const keys = input.stringList(i, "TagKeys");
    if (!keys) throw cloudwatchErrors.missing("TagKeys");
    this.commit({ t: "untag", scope: alarm.scope, name: alarm.name, keys });
    return {};
  }

  async listTagsForResource(
    req: ListTagsForResourceInput,
    context: RequestContext,
  ): Promise<ListTagsForResourceOutput> {
    const alarm = this.alarmFromArn(input.requiredStr(req as unknown as Input, "ResourceARN"), context);
    return { Tags: alarm.tags.map((t) => ({ ...t })) };
  }

  private alarmFromArn(arn: string, context: RequestContext): AlarmRecord {
    const match = /^arn:aws[\w-]*:cloudwatch:([^:]+):(\d{12}):alarm:(.+)$/.exec(arn);
    if (!match) throw cloudwatchErrors.invalidValue(`The value ${arn} for parameter ResourceARN is invalid.`);
    const alarm = this.state.alarm(scopeOf(match[2]!, match[1]!), match[3]!);
    if (!alarm || match[2] !== context.accountId)
      throw cloudwatchErrors.resourceNotFound(`Alarm ${match[3]} not found.`);
    return alarm;
  }
}

export function alarmArn(alarm: AlarmRecord): string {
  const [accountId, region] = alarm.scope.split("/");
  return `arn:aws:cloudwatch:${region}:${accountId}:alarm:${alarm.name}`;
}

function renderAlarm(a: AlarmRecord, _context: RequestContext): MetricAlarm {
  return {
    AlarmName: a.name,
    AlarmArn: alarmArn(a),
    ...(a.description !== undefined ? { AlarmDescription: a.description } : {}),
    AlarmConfigurationUpdatedTimestamp: new Date(a.configurationUpdated),
    ActionsEnabled: a.actionsEnabled,
    OKActions: [...a.okActions],
    AlarmActions: [...a.alarmActions],
    InsufficientDataActions: [...a.insufficientDataActions],
    StateValue: a.state,
    StateReason: a.stateReason,
    ...(a.stateReasonData !== undefined ? { StateReasonData: a.stateReasonData } : {}),
    StateUpdatedTimestamp: new Date(a.stateUpdated),
    StateTransitionedTimestamp: new Date(a.stateTransitioned),
    ...(a.metricName !== undefined ? { MetricName: a.metricName } : {}),
    ...(a.namespace !== undefined ? { Namespace: a.namespace } : {}),
    ...(a.statistic !== undefined ? { Statistic: a.statistic } : {}),
    ...(a.extendedStatistic !== undefined ? { ExtendedStatistic: a.extendedStatistic } : {}),
    Dimensions: a.dimensions.map((d) => ({ ...d })),
    ...(a.period !== undefined ? { Period: a.period } : {}),
    ...(a.unit !== undefined ? { Unit: a.unit as MetricAlarm["Unit"] } : {}),
    EvaluationPeriods: a.evaluationPeriods,
    ...(a.datapointsToAlarm !== undefined ? { DatapointsToAlarm: a.datapointsToAlarm } : {}),
    ...(a.threshold !== undefined ? { Threshold: a.threshold } : {}),
    ComparisonOperator: a.comparisonOperator as MetricAlarm["ComparisonOperator"],
    ...(a.treatMissingData !== undefined ? { TreatMissingData: a.treatMissingData } : {}),
    ...(a.evaluateLowSampleCountPercentile !== undefined
      ? { EvaluateLowSampleCountPercentile: a.evaluateLowSampleCountPercentile }
      : {}),
    ...(a.metrics !== undefined
      ? { Metrics: structuredClone(a.metrics) as unknown as MetricAlarm["Metrics"] }
      : {}),
    ...(a.thresholdMetricId !== undefined ? { ThresholdMetricId: a.thresholdMetricId } : {}),
  };
}

/**
 * A static threshold (Threshold, with the four static operators) or a band (ThresholdMetricId:
 * the Id of an ANOMALY_DETECTION_BAND expression among Metrics, with the three range operators),
 * never both and never neither: CloudWatch's rules, with its ValidationError for ranges.
 */
function checkThresholdChoice(
  operator: string,
  ranged: boolean,
  threshold: number | undefined,
  thresholdMetricId: string | undefined,
  metrics: unknown[] | undefined,
): void {
  if (thresholdMetricId === undefined) {
    if (ranged) {
      throw cloudwatchErrors.validationMessage(
        "ComparisonOperators for ranges require ThresholdMetricId to be set",
      );
    }
    if (threshold === undefined) throw cloudwatchErrors.missing("Threshold");
    return;
  }
  if (threshold !== undefined) {
    throw cloudwatchErrors.validationMessage(
      "Threshold and ThresholdMetricId cannot both be specified: an alarm on an anomaly detection band has no static Threshold.",
    );
  }
  if (!ranged) {
    throw cloudwatchErrors.validationMessage(
      `ThresholdMetricId requires a ComparisonOperator for ranges (${limits.ANOMALY_OPERATORS.join(", ")}), not ${operator}.`,
    );
  }
  const queries = (metrics ?? []).map((m) => m as Record<string, unknown>);
  const band = queries.find((q) => q["Id"] === thresholdMetricId);
  if (!band) {
    throw cloudwatchErrors.validationMessage(
      `ThresholdMetricId ${thresholdMetricId} must be the Id of one of the alarm's Metrics.`,
    );
  }
  if (
    typeof band["Expression"] !== "string" ||
    !/^\s*ANOMALY_DETECTION_BAND\s*\(/i.test(band["Expression"])
  ) {
    throw cloudwatchErrors.validationMessage(
      `The metric ${thresholdMetricId} named by ThresholdMetricId must be an ANOMALY_DETECTION_BAND expression.`,
    );
  }
}

/** 10, 20, 30 (high resolution alarms), 1/5/10/20/30 for queries, or a multiple of 60. */
function validPeriod(period: number, member: string, alarm: boolean): void {
  const high = alarm ? [10, 20, 30] : [1, 5, 10, 20, 30];
  if (period < 1 || !(high.includes(period) || period % 60 === 0)) {
    throw cloudwatchErrors.invalidValue(
      `The parameter ${member} must be ${high.join(", ")} or a multiple of 60 (got ${period}).`,
    );
  }
}

function validUnit(unit: string | undefined): string | undefined {
  if (unit !== undefined && !limits.UNITS.includes(unit)) {
    throw cloudwatchErrors.invalidValue(`The value ${unit} for parameter Unit is invalid.`);
  }
  return unit;
}

function readPoint(d: Input, member: string, t: number, unit: string): MetricPoint {
  const value = input.num(d, "Value");
  const statValues = d["StatisticValues"];
  const values = input.list(d, "Values");
  const counts = input.list(d, "Counts");
  const given = [value !== undefined, statValues !== undefined, values !== undefined].filter(Boolean).length;
  if (given > 1) {
    throw cloudwatchErrors.combination(
      `The parameters ${member}.Value, ${member}.StatisticValues and ${member}.Values are mutually exclusive.`,
    );
  }
  if (value !== undefined)
    return { t, unit, count: 1, sum: value, min: value, max: value, values: [[value, 1]] };
  if (statValues !== undefined) {
    const s = input.struct(statValues, `${member}.StatisticValues`);
    const count = input.num(s, "SampleCount");
    const sum = input.num(s, "Sum");
    const min = input.num(s, "Minimum");
    const max = input.num(s, "Maximum");
    if (count === undefined || sum === undefined || min === undefined || max === undefined) {
      throw cloudwatchErrors.missing(`${member}.StatisticValues (SampleCount, Sum, Minimum and Maximum)`);
    }
    if (count <= 0 || min > max) {
      throw cloudwatchErrors.invalidValue(
        `The parameter ${member}.StatisticValues is invalid: SampleCount must be positive and Minimum <= Maximum.`,
      );
    }
    return { t, unit, count, sum, min, max };
  }
  if (values !== undefined) {
    const nums = values.map((v) => Number(v));
    const cs = (counts ?? nums.map(() => 1)).map((c) => Number(c));
    if (nums.length === 0 || nums.length > limits.MAX_VALUES_PER_DATUM) {
      throw cloudwatchErrors.invalidValue(
        `The collection ${member}.Values must have between 1 and ${limits.MAX_VALUES_PER_DATUM} items.`,
      );
    }
    if (cs.length !== nums.length) {
      throw cloudwatchErrors.invalidValue(
        `The parameters ${member}.Values and ${member}.Counts must be of the same size.`,
      );
    }
    if (nums.some((n) => !Number.isFinite(n)) || cs.some((c) => !Number.isFinite(c) || c < 0)) {
      throw cloudwatchErrors.invalidValue(`The parameter ${member}.Values contains an invalid number.`);
    }
    const pairs = nums.map((v, n) => [v, cs[n]!] as [number, number]).filter(([, c]) => c > 0);
    const count = pairs.reduce((sum, [, c]) => sum + c, 0);
    return {
      t,
      unit,
      count,
      sum: pairs.reduce((sum, [v, c]) => sum + v * c, 0),
      min: Math.min(...pairs.map(([v]) => v)),
      max: Math.max(...pairs.map(([v]) => v)),
      values: pairs,
    };
  }
  throw cloudwatchErrors.missing(`${member}.Value`);
}

/** Metric math queries as stored: numbers and booleans typed, whatever protocol sent them. */
function normalizeMetricQuery(raw: unknown, n: number): Record<string, unknown> {
  const q = input.struct(raw, `Metrics.member.${n + 1}`);
  const id = input.str(q, "Id");
  if (!id) throw cloudwatchErrors.missing(`Metrics.member.${n + 1}.Id`);
  const out: Record<string, unknown> = { Id: id };
  if (q["Expression"] !== undefined) out["Expression"] = input.str(q, "Expression");
  if (q["Label"] !== undefined) out["Label"] = input.str(q, "Label");
  if (q["ReturnData"] !== undefined) out["ReturnData"] = input.bool(q, "ReturnData");
  if (q["Period"] !== undefined) out["Period"] = input.int(q, "Period");
  if (q["AccountId"] !== undefined) out["AccountId"] = input.str(q, "AccountId");
  if (q["MetricStat"] !== undefined) {
    const s = input.struct(q["MetricStat"], `Metrics.member.${n + 1}.MetricStat`);
    const m = input.struct(s["Metric"], `Metrics.member.${n + 1}.MetricStat.Metric`);
    out["MetricStat"] = {
      Metric: {
        Namespace: input.str(m, "Namespace"),
        MetricName: input.str(m, "MetricName"),
        Dimensions: input.dimensions(m, "Dimensions"),
      },
      Period: input.int(s, "Period"),
      Stat: input.str(s, "Stat"),
      ...(s["Unit"] !== undefined ? { Unit: validUnit(input.str(s, "Unit")) } : {}),
    };
  }
  if (out["MetricStat"] === undefined && out["Expression"] === undefined) {
    throw cloudwatchErrors.combination(`Metrics.member.${n + 1} needs either MetricStat or Expression.`);
  }
  return out;
}

function readTags(i: Input, member: string): { Key: string; Value: string }[] {
  return (input.list(i, member) ?? []).map((raw, n) => {
    const t = input.struct(raw, `${member}.member.${n + 1}`);
    const key = t["Key"];
    const value = t["Value"];
    if (typeof key !== "string" || typeof value !== "string")
      throw cloudwatchErrors.missing(`${member}.member.${n + 1}.Key`);
    return { Key: key, Value: value };
  });
}

function sameDimensions(a: input.Dimension[], b: input.Dimension[]): boolean {
  return a.length === b.length && a.every((d, n) => d.Name === b[n]!.Name && d.Value === b[n]!.Value);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function encodeToken(key: string): string {
  return Buffer.from(key).toString("base64url");
}

function decodeToken(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  const key = Buffer.from(token, "base64url").toString("utf8");
  if (!key || Buffer.from(key).toString("base64url") !== token) throw cloudwatchErrors.invalidToken();
  return key;
}
