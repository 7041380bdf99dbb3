import { DescribeRuleCommand, ListTargetsByRuleCommand } from "@aws-sdk/client-eventbridge";
import { GetPolicyCommand } from "@aws-sdk/client-lambda";
import { SOURCES } from "../../../pipeline/model/sources.js";
import { RULE_KEYS, scraperFunctionKey, type RuleKey, type Stack } from "../../../pipeline/stack/index.js";
import { readPasses } from "../../records/index.js";
import { diagnoseFunction, diagnoseLogErrors, diagnoseScraperDlq, fixCommand } from "../diagnose.js";
import { formatMs, waitFor } from "../poll.js";
import { queueDepth } from "../probes.js";
import {
  awaitRunRecords,
  finishedRule,
  diagnoseRun,
  newRunId,
  scraperStarts,
  triggerManualRule,
  type ScrapeRun,
} from "../scrape-run.js";
import { failed, passed, type Finding, type PhaseDefinition, type VerifyEnv } from "../types.js";

/** 4A EventBridge: the rules and their targets as declared, and a manual trigger that reaches all four. */
interface State {
  run?: ScrapeRun;
  starts?: Map<string, number>;
}

async function describeRule(env: VerifyEnv, stack: Stack, key: RuleKey) {
  const eventbridge = await env.clients.eventbridge();
  try {
    return await eventbridge.send(new DescribeRuleCommand({ Name: stack.rules[key].name }));
  } catch (error) {
    if ((error as Error).name === "ResourceNotFoundException") return undefined;
    throw error;
  }
}

/** The Id the rules give a scraper's target (the same on both rules). */
function targetIdOf(stack: Stack, key: ReturnType<typeof scraperFunctionKey>): string {
  const arn = stack.functions[key].arn;
  return stack.rules.manual.targets.find((target) => target.Arn === arn)?.Id ?? stack.functions[key].name;
}

export function targetProblems(
  stack: Stack,
  key: RuleKey,
  actual: {
    Id?: string;
    Arn?: string;
    RoleArn?: string;
    RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
    DeadLetterConfig?: { Arn?: string };
  }[],
): string[] {
  const rule = stack.rules[key];
  const problems: string[] = [];
  for (const want of rule.targets) {
    const got = actual.find((t) => t.Arn === want.Arn);
    const label = `${rule.name} → ${want.Id}`;
    if (!got) {
      problems.push(`${label}: target missing`);
      continue;
    }
    const retry = got.RetryPolicy;
    if (
      retry?.MaximumRetryAttempts !== want.RetryPolicy?.MaximumRetryAttempts ||
      retry?.MaximumEventAgeInSeconds !== want.RetryPolicy?.MaximumEventAgeInSeconds
    ) {
      problems.push(
        `${label}: retry policy ${JSON.stringify(retry ?? null)}, declared ${JSON.stringify(want.RetryPolicy)}`,
      );
    }
    if (got.DeadLetterConfig?.Arn !== want.DeadLetterConfig?.Arn)
      problems.push(
        `${label}: DLQ ${got.DeadLetterConfig?.Arn ?? "none"}, declared ${want.DeadLetterConfig?.Arn ?? "none"}`,
      );
    if (got.RoleArn)
      problems.push(
        `${label}: has RoleArn ${got.RoleArn} (Lambda targets use the function's resource policy)`,
      );
  }
  for (const extra of actual.filter((t) => !rule.targets.some((want) => want.Arn === t.Arn)))
    problems.push(`${rule.name}: unexpected target ${extra.Id ?? "?"} (${extra.Arn ?? "?"})`);
  return problems;
}

interface PolicyStatement {
  Effect?: string;
  Principal?: { Service?: string } | string;
  Action?: string | string[];
  Condition?: { ArnLike?: Record<string, string>; ArnEquals?: Record<string, string> };
}

/** Whether a resource policy lets `events.amazonaws.com` invoke the function for this rule. */
export function allowsRule(policy: string | undefined, ruleArn: string): boolean {
  if (!policy) return false;
  const statements = (JSON.parse(policy) as { Statement?: PolicyStatement[] }).Statement ?? [];
  return statements.some((s) => {
    const service = typeof s.Principal === "string" ? s.Principal : s.Principal?.Service;
    const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
    const source = s.Condition?.ArnLike?.["AWS:SourceArn"] ?? s.Condition?.ArnEquals?.["AWS:SourceArn"];
    return (
      s.Effect === "Allow" &&
      service === "events.amazonaws.com" &&
      actions.some((a) => a === "lambda:InvokeFunction" || a === "lambda:*") &&
      (source === undefined || source === ruleArn)
    );
  });
}

export const phase4a: PhaseDefinition<State> = {
  phase: "phase-4a",
  title: "4A EventBridge",
  createState: () => ({}),
  checks: [
    {
      id: "rule",
      rule: "exists with the declared schedule expression; DISABLED (ENABLED only after a recorded 4D pass)",
      title: "Weekly rule: expression and state",
      async run(env) {
        const { stack } = env;
        const declared = stack.rules.weekly.definition;
        const rule = await describeRule(env, stack, "weekly");
        if (!rule)
          return failed("missing", `rule ${declared.Name} does not exist`, [
            `fix: ${fixCommand(env, "deploy")}`,
          ]);
        const problems: string[] = [];
        if (rule.ScheduleExpression !== declared.ScheduleExpression)
          problems.push(
            `expression ${rule.ScheduleExpression ?? "none"}, declared ${declared.ScheduleExpression ?? "?"}`,
          );
        if (rule.State !== "DISABLED") {
          // Enabled by a recorded 4D pass is the expected end state, not drift.
          const enabledByVerify = readPasses(env.stateDir).some(
            (p) =>
              p.phase === "phase-4d" &&
              p.target === env.config.target &&
              p.account === env.account &&
              p.suffix === stack.params.suffix,
          );
          if (!enabledByVerify)
            problems.push(
              `state ${rule.State ?? "?"}: it must stay DISABLED until phase 4D (fix: pipeline schedule disable)`,
            );
        }
        const measured = `${rule.ScheduleExpression ?? "?"}, ${rule.State ?? "?"}`;
        return problems.length
          ? failed(measured, "the rule differs from the declaration", problems)
          : passed(measured);
      },
    },
    {
      id: "targets",
      rule: "each rule has the four scraper targets with the declared retry policy and DLQ, and no RoleArn",
      title: "Four targets on each rule, with retry policy and DLQ",
      async run(env) {
        const { stack } = env;
        const eventbridge = await env.clients.eventbridge();
        const problems: string[] = [];
        const counts: string[] = [];
        for (const key of RULE_KEYS) {
          const listed = await eventbridge
            .send(new ListTargetsByRuleCommand({ Rule: stack.rules[key].name }))
            .catch((error: Error) => {
              if (error.name === "ResourceNotFoundException") return { Targets: undefined };
              throw error;
            });
          if (!listed.Targets) {
            problems.push(`rule ${stack.rules[key].name} does not exist`);
            continue;
          }
          counts.push(`${listed.Targets.length} targets on ${key}`);
          problems.push(...targetProblems(stack, key, listed.Targets));
        }
        const measured = counts.join(", ") || "no rules";
        return problems.length
          ? failed(measured, "targets differ from the declaration", [
              ...problems,
              `fix: ${fixCommand(env, "deploy")}`,
            ])
          : passed(measured);
      },
      async diagnose(env, _state, outcome) {
        // A missing target is either removed from the rule or its function is gone: test both.
        const problems = (outcome.problems ?? []).filter((problem) => !problem.startsWith("fix: "));
        const findings: Finding[] = problems.map((problem) => ({
          subject: "rule targets",
          ok: false,
          found: problem,
          fix: fixCommand(env, "deploy"),
        }));
        const suspects = SOURCES.map(scraperFunctionKey).filter((key) =>
          problems.some(
            (problem) => problem.includes("target missing") && problem.includes(targetIdOf(env.stack, key)),
          ),
        );
        for (const key of suspects) findings.push(...(await diagnoseFunction(env, env.stack, key)));
        return findings;
      },
    },
    {
      id: "permissions",
      rule: "each scraper's resource policy lets events.amazonaws.com invoke it for both rules",
      title: "Each scraper's resource policy lets the rules invoke it",
      async run(env) {
        const { stack } = env;
        const lambda = await env.clients.lambda();
        const problems: string[] = [];
        let granted = 0;
        for (const source of SOURCES) {
          const fn = stack.functions[scraperFunctionKey(source)];
          let policy: string | undefined;
          try {
            policy = (await lambda.send(new GetPolicyCommand({ FunctionName: fn.name }))).Policy;
          } catch (error) {
            if ((error as Error).name !== "ResourceNotFoundException") throw error;
          }
          const missing = RULE_KEYS.filter((key) => !allowsRule(policy, stack.rules[key].arn));
          if (missing.length === 0) granted += 1;
          else
            problems.push(
              `${fn.name}: no permission for ${missing.map((k) => stack.rules[k].name).join(", ")}`,
            );
        }
        const measured = `${granted}/${SOURCES.length} functions grant events.amazonaws.com`;
        return problems.length
          ? failed(measured, "missing invoke permissions", [...problems, `fix: ${fixCommand(env, "deploy")}`])
          : passed(measured);
      },
    },
    {
      id: "trigger",
      rule: (env) =>
        `a START line from each scraper within ${env.config.verify.deadlines.scrapeSeconds} s of a PutEvents the manual rule matches`,
      title: "A manual trigger through EventBridge reaches all four scrapers",
      async run(env, state, progress) {
        const { stack } = env;
        const since = env.now().getTime();
        const runId = newRunId(env, "4a");
        state.run = {
          runId,
          since,
          dlqBaseline: await queueDepth(env.clients, stack.queues.scraperDlq.name),
        };
        const eventId = await triggerManualRule(env, stack, runId);
        progress(`event ${eventId} sent`);
        const result = await waitFor(env, {
          probe: () => scraperStarts(env, stack, since - 1000),
          done: (starts) => starts.size >= SOURCES.length,
          deadlineMs: env.config.verify.deadlines.scrapeSeconds * 1000,

          onProgress: (starts, left) =>
            progress(`${starts.size}/${SOURCES.length} started (${formatMs(left)} left)`),
        });
        state.starts = result.value;
        const measured = `${result.value.size}/${SOURCES.length} scrapers started`;
        if (!result.done) {
          const missing = SOURCES.map((s) => stack.functions[scraperFunctionKey(s)].name).filter(
            (n) => !result.value.has(n),
          );
          return failed(
            measured,
            `no START line from ${missing.join(", ")}`,
            missing.map((n) => `${n}: not invoked by ${stack.rules.manual.name}`),
          );
        }
        return passed(measured);
      },
      async diagnose(env, state) {
        const missing = SOURCES.map(scraperFunctionKey).filter(
          (k) => !state.starts?.has(env.stack.functions[k].name),
        );
        const since = state.run?.since ?? 0;
        const findings = await Promise.all([
          ...missing.map((k) => diagnoseFunction(env, env.stack, k)),
          ...missing.map((k) => diagnoseLogErrors(env, env.stack, k, since)),
          diagnoseScraperDlq(env, env.stack),
        ]);
        return findings.flat();
      },
    },
    {
      id: "spread",
      rule: (env) => `latest START minus earliest START ≤ ${env.config.verify.startSpreadMs} ms`,
      title: `START lines of the four scrapers lie close together`,
      async run(env, state) {
        const times = [...(state.starts?.values() ?? [])];
        const spread = Math.max(...times) - Math.min(...times);
        const limit = env.config.verify.startSpreadMs;
        const measured = `START spread ${formatMs(spread)} (limit ${formatMs(limit)})`;
        if (spread > limit) {
          const lines = [...(state.starts?.entries() ?? [])].map(
            ([name, t]) => `${name} started at ${new Date(t).toISOString()}`,
          );
          return failed(measured, `the scrapers did not start in parallel`, lines);
        }
        return passed(measured);
      },
    },
    {
      id: "finished",
      rule: finishedRule,
      title: "No scraper failed",
      run: (env, state, progress) => awaitRunRecords(env, env.stack, state.run!, progress),
      diagnose: (env, state) => diagnoseRun(env, env.stack, state.run),
    },
  ],
};
