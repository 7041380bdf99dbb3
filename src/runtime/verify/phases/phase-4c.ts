import { defineStack, type Stack } from "../../../pipeline/stack/index.js";
import { canaryCheck, type CanaryState } from "../canary.js";
import { entriesCheck, enrichedCheck, indexCheck } from "../counts.js";
import { formatMs } from "../poll.js";
import { FILTERS, queueDepth, scanItems } from "../probes.js";
import { reconcileCheck } from "../reconcile.js";
import { errorText } from "../runner.js";
import {
  awaitRunRecords,
  diagnoseRun,
  finishedRule,
  newRunId,
  triggerManualRule,
  type ScrapeRun,
} from "../scrape-run.js";
import { failed, passed, skipped, type PhaseDefinition, type VerifyEnv } from "../types.js";

/**
 * 4C End to end, on a clean `-test` copy of the stack (the same declaration with a suffix), deployed
 * fresh and torn down afterwards unless kept: one full cycle started through EventBridge.
 */
export const TEST_SUFFIX = "-test";

interface State extends CanaryState {
  test: Stack;
  since: number;
  deployed: boolean;
  run?: ScrapeRun;
}

const testStack = (_env: VerifyEnv, state: State) => state.test;

/** The command that removes a -test copy left behind (kept, or a teardown that failed). */
export function removeCommand(suffix: string): string {
  return `PIPELINE_SUFFIX=${suffix} pipeline destroy --include-table --yes`;
}

export interface Quality {
  weighted: number;
  min: number;
  max: number;
  avg: number;
  sentiments: Record<string, number>;
  incomplete: number;
}

export function dataQuality(items: Record<string, unknown>[]): Quality {
  const weights = items.map((item) => item.weight).filter((w): w is number => typeof w === "number");
  const sentiments: Record<string, number> = {};
  let incomplete = 0;
  for (const item of items) {
    if (typeof item.sentiment === "string")
      sentiments[item.sentiment] = (sentiments[item.sentiment] ?? 0) + 1;
    if (typeof item.weight !== "number" || typeof item.sentiment !== "string") incomplete += 1;
  }
  const sum = weights.reduce((a, b) => a + b, 0);
  return {
    weighted: weights.length,
    min: weights.length ? Math.min(...weights) : 0,
    max: weights.length ? Math.max(...weights) : 0,
    avg: weights.length ? sum / weights.length : 0,
    sentiments,
    incomplete,
  };
}

export const phase4c: PhaseDefinition<State> = {
  phase: "phase-4c",
  title: "4C End to end (test copy)",
  createState: (env) => ({
    test: defineStack({ ...env.stack.params, suffix: `${env.stack.params.suffix}${TEST_SUFFIX}` }),
    since: env.now().getTime(),
    deployed: false,
  }),
  checks: [
    {
      id: "deploy-test",
      rule: "the -test copy is deployed fresh from the declaration (an earlier copy is removed first) and given the stack's roster",
      title: "Deploy a fresh test copy of the stack",
      async run(env, state, progress) {
        if (!env.deployer)
          return failed("no deploy engine", "4C needs the deploy engine to create the test copy");
        const began = env.now().getTime();
        progress(`removing any earlier ${TEST_SUFFIX} copy`);
        await env.deployer.destroy(state.test, progress);
        state.deployed = true;
        const { summary } = await env.deployer.deploy(state.test, progress);
        // The copy scrapes the same people as the stack under verification.
        progress(`copying the roster of ${env.stack.table.name}`);
        const { copyRoster } = await import("../../roster/index.js");
        const people = await copyRoster(
          await env.clients.dynamodb(),
          env.stack.table.name,
          state.test.table.name,
        );
        state.since = env.now().getTime();
        return passed(
          `${state.test.table.name}: ${summary}, roster of ${people} copied, in ${formatMs(env.now().getTime() - began)}`,
        );
      },
    },
    canaryCheck<State>(testStack),
    {
      id: "cycle",
      rule: finishedRule,
      title: "A full cycle started through EventBridge: all scrapers finish",
      async run(env, state, progress) {
        const since = env.now().getTime();
        const runId = newRunId(env, "4c");
        state.run = {
          runId,
          since,
          dlqBaseline: await queueDepth(env.clients, state.test.queues.scraperDlq.name),
        };
        await triggerManualRule(env, state.test, runId);
        progress(`run ${runId} started through ${state.test.rules.manual.name}`);
        return awaitRunRecords(env, state.test, state.run, progress);
      },
      diagnose: (env, state) => diagnoseRun(env, state.test, state.run),
    },
    entriesCheck<State>(testStack),
    enrichedCheck<State>(testStack, (s) => s.since),
    {
      id: "quality",
      rule: (env) =>
        `weights non-negative and not all equal; fewer than ${Math.max(1, env.config.verify.incompleteMax)} entries without weight or sentiment`,
      title: "Data quality: weight range, sentiment distribution, incomplete entries",
      async run(env, state) {
        const items = await scanItems(env.clients, state.test.table.name, FILTERS.scraped, [
          "pk",
          "sk",
          "weight",
          "sentiment",
        ]);
        const q = dataQuality(items);
        const distribution = Object.entries(q.sentiments)
          .sort()
          .map(([label, n]) => `${label} ${n}`)
          .join(" / ");
        const measured = `weight min ${q.min.toFixed(3)} max ${q.max.toFixed(3)} avg ${q.avg.toFixed(3)}; ${distribution || "no sentiment"}; ${q.incomplete} incomplete`;
        const limit = env.config.verify.incompleteMax;
        const problems: string[] = [];
        if (q.incomplete >= Math.max(1, limit))
          problems.push(`${q.incomplete} entries lack weight or sentiment (must be fewer than ${limit})`);
        if (q.weighted > 0 && !(q.min >= 0 && Number.isFinite(q.max)))
          problems.push("weights outside the documented range");
        if (q.weighted > 0 && q.max === q.min && q.weighted > 1)
          problems.push("every entry has the same weight");
        return problems.length ? failed(measured, "data quality below the bar", problems) : passed(measured);
      },
    },
    indexCheck<State>(testStack, (s) => s.since),
    reconcileCheck<State>(testStack),
    {
      id: "teardown",
      rule: "the -test copy is deleted unless --keep",
      title: "Tear down the test copy",
      always: true,
      async run(env, state, progress) {
        if (!state.deployed || !env.deployer) return skipped("nothing was deployed");
        if (env.options.keep)
          return skipped(
            `kept (--keep): ${state.test.table.name} and the rest of the ${state.test.params.suffix} stack; ` +
              `the next verify replaces it, or remove it with: ${removeCommand(state.test.params.suffix)}`,
          );
        try {
          const { summary } = await env.deployer.destroy(state.test, progress);
          return passed(summary);
        } catch (error) {
          return failed("teardown failed", errorText(error));
        }
      },
    },
  ],
};
