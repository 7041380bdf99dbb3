import { randomUUID } from "node:crypto";
import { ServiceError } from "../../core/errors.js";
import type { ServiceEnv } from "../../core/service.js";
import type { AlarmRecord } from "./alarms.js";
import type { AlarmHistoryItem } from "./history.js";
import type { AlarmState } from "./limits.js";

/**
 * Alarm actions: on a state change CloudWatch runs the actions listed for the new state
 * (AlarmActions, OKActions, InsufficientDataActions) when ActionsEnabled is true, and records each
 * in the alarm history. An SNS topic action publishes the message CloudWatch sends (subject
 * `ALARM: "<name>" in <region name>`, a JSON body with AlarmName, AlarmDescription, AWSAccountId,
 * NewStateValue, NewStateReason, StateChangeTime, Region, AlarmArn, OldStateValue, the action
 * lists and the Trigger). Other action types (EC2, Auto Scaling, Systems Manager, Lambda) are
 * recorded as failed: the emulator runs SNS actions only.
 */

/** The region names CloudWatch puts in `Region` and the subject. */
const REGION_NAMES: Record<string, string> = {
  "us-east-1": "US East (N. Virginia)",
  "us-east-2": "US East (Ohio)",
  "us-west-1": "US West (N. California)",
  "us-west-2": "US West (Oregon)",
  "af-south-1": "Africa (Cape Town)",
  "ap-east-1": "Asia Pacific (Hong Kong)",
  "ap-south-1": "Asia Pacific (Mumbai)",
  "ap-northeast-1": "Asia Pacific (Tokyo)",
  "ap-northeast-2": "Asia Pacific (Seoul)",
  "ap-northeast-3": "Asia Pacific (Osaka)",
  "ap-southeast-1": "Asia Pacific (Singapore)",
  "ap-southeast-2": "Asia Pacific (Sydney)",
  "ca-central-1": "Canada (Central)",
  "eu-central-1": "EU (Frankfurt)",
  "eu-west-1": "EU (Ireland)",
  "eu-west-2": "EU (London)",
  "eu-west-3": "EU (Paris)",
  "eu-north-1": "EU (Stockholm)",
  "eu-south-1": "EU (Milan)",
  "me-south-1": "Middle East (Bahrain)",
  "sa-east-1": "South America (Sao Paulo)",
};

export function regionName(region: string): string {
  return REGION_NAMES[region] ?? region;
}

/** CloudWatch's timestamp format in alarm messages: 2026-01-04T00:05:00.000+0000. */
export function alarmTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "+0000");
}

function scopeParts(alarm: AlarmRecord): { accountId: string; region: string } {
  const [accountId = "", region = ""] = alarm.scope.split("/");
  return { accountId, region };
}

export function alarmArnOf(alarm: AlarmRecord): string {
  const { accountId, region } = scopeParts(alarm);
  return `arn:aws:cloudwatch:${region}:${accountId}:alarm:${alarm.name}`;
}

/** Dimensions as alarm messages write them: lower-case keys. */
function dims(dimensions: { Name: string; Value: string }[]) {
  return dimensions.map((d) => ({ value: d.Value, name: d.Name }));
}

function trigger(alarm: AlarmRecord): Record<string, unknown> {
  const common = {
    Period: alarm.period ?? periodOfMetrics(alarm),
    EvaluationPeriods: alarm.evaluationPeriods,
    ...(alarm.datapointsToAlarm !== undefined ? { DatapointsToAlarm: alarm.datapointsToAlarm } : {}),
    ComparisonOperator: alarm.comparisonOperator,
    Threshold: alarm.threshold,
    TreatMissingData: alarm.treatMissingData ?? "missing",
    EvaluateLowSampleCountPercentile: alarm.evaluateLowSampleCountPercentile ?? "",
  };
  if (alarm.metrics) {
    return {
      ...common,
      Metrics: alarm.metrics.map((q) => {
        const stat = q["MetricStat"] as Record<string, unknown> | undefined;
        const metric = stat?.["Metric"] as Record<string, unknown> | undefined;
        return {
          ...(q["Expression"] !== undefined ? { Expression: q["Expression"] } : {}),
          Id: q["Id"],
          ...(q["Label"] !== undefined ? { Label: q["Label"] } : {}),
          ...(stat && metric
            ? {
                MetricStat: {
                  Metric: {
                    Dimensions: dims(
                      (metric["Dimensions"] as { Name: string; Value: string }[] | undefined) ?? [],
                    ),
                    MetricName: metric["MetricName"],
                    Namespace: metric["Namespace"],
                  },
                  Period: stat["Period"],
                  Stat: stat["Stat"],
                  ...(stat["Unit"] !== undefined ? { Unit: stat["Unit"] } : {}),
                },
              }
            : {}),
          ReturnData: q["ReturnData"] !== false && q["ReturnData"] !== "false",
        };
      }),
    };
  }
  const extended = alarm.extendedStatistic !== undefined;
  return {
    MetricName: alarm.metricName,
    Namespace: alarm.namespace,
    StatisticType: extended ? "ExtendedStatistic" : "Statistic",
    ...(extended
      ? { ExtendedStatistic: alarm.extendedStatistic }
      : { Statistic: (alarm.statistic ?? "").toUpperCase() }),
    Unit: alarm.unit ?? null,
    Dimensions: dims(alarm.dimensions),
    ...common,
  };
}

function periodOfMetrics(alarm: AlarmRecord): number | undefined {
  for (const q of alarm.metrics ?? []) {
    const stat = q["MetricStat"] as Record<string, unknown> | undefined;
    if (stat?.["Period"] !== undefined) return Number(stat["Period"]);
    if (q["Period"] !== undefined) return Number(q["Period"]);
  }
  return undefined;
}

/** The notification CloudWatch publishes to an SNS topic action. */
export function alarmNotification(
  alarm: AlarmRecord,
  oldState: AlarmState,
  at: number,
): { subject: string; message: string } {
  const { accountId, region } = scopeParts(alarm);
  const body = {
    AlarmName: alarm.name,
    AlarmDescription: alarm.description ?? null,
    AWSAccountId: accountId,
    AlarmConfigurationUpdatedTimestamp: alarmTimestamp(alarm.configurationUpdated),
    NewStateValue: alarm.state,
    NewStateReason: alarm.stateReason,
    StateChangeTime: alarmTimestamp(at),
    Region: regionName(region),
    AlarmArn: alarmArnOf(alarm),
    OldStateValue: oldState,
    OKActions: [...alarm.okActions],
    AlarmActions: [...alarm.alarmActions],
    InsufficientDataActions: [...alarm.insufficientDataActions],
    Trigger: trigger(alarm),
  };
  const subject = `${alarm.state}: "${alarm.name}" in ${regionName(region)}`;
  // SNS subjects are at most 100 characters.
  return {
    subject: subject.length > 100 ? `${subject.slice(0, 97)}...` : subject,
    message: JSON.stringify(body),
  };
}

export function actionsFor(alarm: AlarmRecord, state: AlarmState): string[] {
  if (state === "ALARM") return alarm.alarmActions;
  if (state === "OK") return alarm.okActions;
  return alarm.insufficientDataActions;
}

/** Runs the actions of a state change in the background; `idle()` waits for those under way. */
export class AlarmActionRunner {
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly env: ServiceEnv,
    private readonly record: (scope: string, item: AlarmHistoryItem) => void,
  ) {}

  /** Records the StateUpdate and runs the new state's actions (when enabled). `alarm` is the changed alarm. */
  stateChanged(alarm: AlarmRecord, old: { state: AlarmState; reason: string }, at: number): void {
    let reasonData: unknown;
    try {
      reasonData = alarm.stateReasonData ? JSON.parse(alarm.stateReasonData) : undefined;
    } catch {
      reasonData = undefined;
    }
    this.record(alarm.scope, {
      alarmName: alarm.name,
      alarmType: "MetricAlarm",
      timestamp: at,
      type: "StateUpdate",
      summary: `Alarm updated from ${old.state} to ${alarm.state}`,
      data: JSON.stringify({
        version: "1.0",
        oldState: { stateValue: old.state, stateReason: old.reason },
        newState: {
          stateValue: alarm.state,
          stateReason: alarm.stateReason,
          ...(reasonData !== undefined ? { stateReasonData: reasonData } : {}),
        },
      }),
    });
    if (!alarm.actionsEnabled) return;
    for (const action of actionsFor(alarm, alarm.state)) {
      const run = this.run(structuredClone(alarm), action, old.state, at).catch((error: unknown) =>
        this.env.reportBackgroundError("cloudwatch", error),
      );
      this.running.add(run);
      void run.finally(() => this.running.delete(run));
    }
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private async run(alarm: AlarmRecord, action: string, oldState: AlarmState, at: number): Promise<void> {
    const item = (summary: string, data: Record<string, unknown>): AlarmHistoryItem => ({
      alarmName: alarm.name,
      alarmType: "MetricAlarm",
      timestamp: this.env.clock.now(),
      type: "Action",
      summary,
      data: JSON.stringify({
        actionState: data["error"] ? "Failed" : "Succeeded",
        stateUpdateTimestamp: at,
        ...data,
      }),
    });
    const { accountId, region } = scopeParts(alarm);
    if (action.split(":")[2] !== "sns") {
      this.record(
        alarm.scope,
        item(`Failed to execute action ${action}`, {
          error: "The emulator runs SNS topic alarm actions only",
        }),
      );
      return;
    }
    const { subject, message } = alarmNotification(alarm, oldState, at);
    try {
      const { MessageId } = await this.env.call<{ MessageId: string }>(
        "sns",
        "Publish",
        { TopicArn: action, Subject: subject, Message: message },
        { requestId: randomUUID(), accountId, region },
      );
      this.record(
        alarm.scope,
        item(`Successfully executed action ${action}`, {
          notificationResource: action,
          publishedMessage: { messageId: MessageId, sentTimestamp: this.env.clock.now() },
        }),
      );
    } catch (error) {
      const reason =
        error instanceof ServiceError
          ? error.code === "UnknownOperationException"
            ? "SNS is not running in this emulator"
            : `${error.code}: ${error.message}`
          : String(error);
      this.record(
        alarm.scope,
        item(`Failed to execute action ${action}`, { notificationResource: action, error: reason }),
      );
    }
  }
}

/** The ConfigurationUpdate item of a PutMetricAlarm or DeleteAlarms. */
export function configurationItem(
  alarm: AlarmRecord,
  kind: "Create" | "Update" | "Delete",
  at: number,
): AlarmHistoryItem {
  const verb = kind === "Create" ? "created" : kind === "Update" ? "updated" : "deleted";
  const key = kind === "Create" ? "createdAlarm" : kind === "Update" ? "updatedAlarm" : "deletedAlarm";
  return {
    alarmName: alarm.name,
    alarmType: "MetricAlarm",
    timestamp: at,
    type: "ConfigurationUpdate",
    summary: `Alarm "${alarm.name}" ${verb}`,
    data: JSON.stringify({
      version: "1.0",
      type: kind,
      [key]: {
        alarmName: alarm.name,
        ...(alarm.description !== undefined ? { alarmDescription: alarm.description } : {}),
        actionsEnabled: alarm.actionsEnabled,
        alarmActions: alarm.alarmActions,
        okActions: alarm.okActions,
        insufficientDataActions: alarm.insufficientDataActions,
        evaluationPeriods: alarm.evaluationPeriods,
        comparisonOperator: alarm.comparisonOperator,
        threshold: alarm.threshold,
        ...(alarm.metricName !== undefined
          ? { metricName: alarm.metricName, namespace: alarm.namespace }
          : {}),
        ...(alarm.metrics !== undefined ? { metrics: alarm.metrics } : {}),
      },
    }),
  };
}
