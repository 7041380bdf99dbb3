import { DescribeAlarmsCommand, type MetricAlarm } from "@aws-sdk/client-cloudwatch";
import { SOURCES } from "../../../pipeline/model/sources.js";
import {
  SCRAPER_FAILURE_ALARM,
  WEEKLY_SCHEDULE,
  scraperFunctionKey,
  type Stack,
} from "../../../pipeline/stack/index.js";
import { enablementGate } from "../../records/index.js";
import { fixCommand } from "../diagnose.js";
import { failed, passed, skipped, type PhaseDefinition } from "../types.js";

/** 4D Enablement: prerequisites, confirmation, EnableRule (never PutRule), read-back, alarm, next fire times. */
type State = Record<string, never>;

/** What differs between the live alarm and the declared one (single-metric or metric-math form). */
export function alarmProblems(stack: Stack, alarm: MetricAlarm): string[] {
  const a = SCRAPER_FAILURE_ALARM;
  const problems: string[] = [];
  if (alarm.Threshold !== a.threshold)
    problems.push(`threshold ${alarm.Threshold ?? "?"}, wanted ${a.threshold}`);
  if (alarm.EvaluationPeriods !== a.evaluationPeriods)
    problems.push(`evaluation periods ${alarm.EvaluationPeriods ?? "?"}, wanted ${a.evaluationPeriods}`);
  const stats = alarm.Metrics?.length
    ? alarm.Metrics.filter((m) => m.MetricStat).map((m) => ({
        name: m.MetricStat?.Metric?.MetricName,
        namespace: m.MetricStat?.Metric?.Namespace,
        stat: m.MetricStat?.Stat,
        period: m.MetricStat?.Period,
        fn: m.MetricStat?.Metric?.Dimensions?.find((d) => d.Name === "FunctionName")?.Value,
      }))
    : [
        {
          name: alarm.MetricName,
          namespace: alarm.Namespace,
          stat: alarm.Statistic,
          period: alarm.Period,
          fn: alarm.Dimensions?.find((d) => d.Name === "FunctionName")?.Value,
        },
      ];
  for (const s of stats) {
    if (s.name !== a.metricName || s.namespace !== a.namespace)
      problems.push(`metric ${s.namespace ?? "?"}/${s.name ?? "?"}, wanted ${a.namespace}/${a.metricName}`);
    if (s.stat !== a.statistic)
      problems.push(`statistic ${s.stat ?? "?"} on ${s.fn ?? "?"}, wanted ${a.statistic}`);
    if (s.period !== a.periodSeconds)
      problems.push(`period ${s.period ?? "?"} s on ${s.fn ?? "?"}, wanted ${a.periodSeconds}`);
  }
  if (alarm.Metrics?.length) {
    const watched = new Set(stats.map((s) => s.fn));
    for (const source of SOURCES) {
      const name = stack.functions[scraperFunctionKey(source)].name;
      if (!watched.has(name)) problems.push(`does not watch ${name}`);
    }
  }
  return problems;
}

export const phase4d: PhaseDefinition<State> = {
  phase: "phase-4d",
  title: "4D Enablement",
  createState: () => ({}),
  checks: [
    {
      id: "prerequisites",
      rule: "passes of 4A, 4B and 4C recorded for this target, account and region within 7 days (or --force)",
      title: "Phases 4A-4C passed recently",
      async run(env) {
        const gate = enablementGate(
          env.stateDir,
          { target: env.config.target, account: env.account, region: env.stack.params.region },
          env.now(),
        );
        const have = gate.passes.map((p) => p.phase.replace("phase-", "").toUpperCase());
        if (gate.ok) return passed(`recorded: ${[...new Set(have)].sort().join(", ")}`);
        const missing = gate.missing.map((p) => p.replace("phase-", "").toUpperCase()).join(", ");
        if (env.options.force) return passed(`missing ${missing}, overridden by --force`);
        return failed(
          `missing ${missing}`,
          `no recent pass of ${missing} for ${env.config.target} account ${env.account}`,
          [`fix: ${fixCommand(env, "verify all")} (or pass --force to enable anyway)`],
        );
      },
    },
    {
      id: "confirm",
      rule: "the operator confirms on the aws target (--yes answers)",
      title: "Confirmation to enable the weekly schedule",
      async run(env) {
        // Nothing to confirm where enabling changes nothing outside this machine: say so, not "passed".
        if (env.config.target !== "aws")
          return skipped(`asked on the aws target only (${env.config.target} runs on this machine)`);
        const yes = await env.confirm(
          `Enable ${env.stack.rules.weekly.name} (${WEEKLY_SCHEDULE}) in account ${env.account}?`,
        );
        return yes ? passed("confirmed") : failed("declined", "the operator declined; nothing was changed");
      },
    },
    {
      id: "enable",
      rule: "EnableRule (never PutRule), then DescribeRule reads back ENABLED",
      title: "Enable the rule (EnableRule) and read back ENABLED",
      async run(env) {
        // Loaded when the check runs: the schedule module brings the emulator's cron arithmetic.
        const { enableRule } = await import("../../schedule/index.js");
        const rule = env.stack.rules.weekly;
        const state = await enableRule(await env.clients.eventbridge(), rule);
        return state === "ENABLED"
          ? passed(`${rule.name}: ENABLED`)
          : failed(`${rule.name}: ${state}`, "the rule did not read back ENABLED");
      },
    },
    {
      id: "alarm",
      rule: "exists: Errors, Sum, 300 s, threshold 3, one evaluation period, over the four scrapers",
      title: "Failure alarm: Errors, Sum, 300 s, threshold 3, one evaluation period",
      async run(env) {
        const cloudwatch = await env.clients.cloudwatch();
        const name = env.stack.alarm.name;
        const answer = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
        const alarm = answer.MetricAlarms?.[0];
        if (!alarm)
          return failed("missing", `alarm ${name} does not exist`, [`fix: ${fixCommand(env, "deploy")}`]);
        const problems = alarmProblems(env.stack, alarm);
        const metrics = alarm.Metrics?.filter((m) => m.MetricStat).length ?? 1;
        const measured = `${name}: ${metrics} metric(s), threshold ${alarm.Threshold ?? "?"}, ${alarm.EvaluationPeriods ?? "?"} period(s), ${alarm.StateValue ?? "?"}`;
        return problems.length
          ? failed(measured, "the alarm differs from the declaration", [
              ...problems,
              `fix: ${fixCommand(env, "deploy")}`,
            ])
          : passed(measured);
      },
    },
    {
      id: "next-fires",
      rule: "the schedule expression yields its next fire times",
      title: "Next fire times",
      async run(env) {
        const { upcomingFireTimes } = await import("../../schedule/index.js");
        const expression = env.stack.rules.weekly.definition.ScheduleExpression ?? WEEKLY_SCHEDULE;
        const times = upcomingFireTimes(expression, env.now(), 3);
        return passed(times.map((t) => t.toISOString()).join(", "));
      },
    },
  ],
};
