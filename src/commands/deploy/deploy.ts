import {
  applyPlan,
  DeployFailedError,
  DeployInterruptedError,
  planDeployment,
  type DeployPlan,
  type DeployResult,
} from "../../runtime/deploy/index.js";
import { FatalError, InterruptedError, type CommandContext } from "../_kit/index.js";
import { planSummary, renderApplied, renderPlan, withProgress } from "./render.js";
import { deployRunPlan, renderRunPlan, warnRunPlan, type DeployRunPlan } from "./run-plan.js";
import { openDeployTarget } from "./target.js";

export interface DeployOptions {
  dryRun: boolean;
}

/** What `deploy --json` prints. */
export interface DeployReport {
  target: string;
  account: string;
  region: string;
  endpoint: string;
  dryRun: boolean;
  plan: DeployPlan;
  /** Undefined for a dry run, a plan with nothing to do, or a declined confirmation. */
  result?: DeployResult;
  applied: boolean;
  error?: string;
  /** Ctrl-C stopped it: `result` says what was done (kept) and what was not attempted. */
  interrupted?: boolean;
  /** Per source, how long a run of the roster takes (undefined: no roster to plan for yet). */
  runPlan?: DeployRunPlan;
  /** The roster after the deploy: active people, and how many demo people were seeded. */
  roster?: { active: number; seeded: number } | { empty: true; advice: string };
}

export async function deploy(options: DeployOptions, ctx: CommandContext): Promise<void> {
  const target = await openDeployTarget(ctx);
  const { context } = target;
  ctx.output.note(
    `bundling ${Object.keys(context.stack.functions).length} functions and reading the target ...`,
  );
  const plan = await planDeployment(context).catch((error: unknown) => {
    // Ctrl-C while bundling (it may kill esbuild's service) or reading: nothing was changed yet.
    if (ctx.signal.aborted) throw interruptedBeforeChanges(ctx, target);
    throw error;
  });
  if (ctx.signal.aborted) throw interruptedBeforeChanges(ctx, target);
  const report: DeployReport = {
    target: target.target,
    account: target.account,
    region: target.region,
    endpoint: target.endpoint,
    dryRun: options.dryRun,
    plan,
    applied: false,
  };
  const runPlan = await deployRunPlan(ctx, target);
  if (runPlan !== undefined) report.runPlan = runPlan;
  if (ctx.output.mode !== "json") {
    renderPlan(ctx, plan);
    renderRunPlan(ctx, runPlan);
  }
  warnRunPlan(ctx, runPlan);

  const stuck = plan.summary["replace-required"];
  if (options.dryRun || plan.empty) {
    ctx.output.result(report, () => {
      ctx.output.line();
      if (!plan.empty) ctx.output.line("Dry run: nothing was changed.");
      else if (stuck === 0) ctx.output.line("No changes: the target matches the stack.");
      else ctx.output.line("Nothing a deploy can change; see the resources that need replacing above.");
    });
    if (!options.dryRun) await checkRoster(ctx, target, report);
    if (!options.dryRun && stuck > 0) throw replaceRequiredError(stuck);
    return;
  }
  if (target.target === "aws") {
    const confirmed = await ctx.prompt.confirm({
      message: `Apply this plan to AWS account ${target.account} in ${target.region}? (${planSummary(plan)})`,
    });
    if (!confirmed) {
      ctx.output.result(report, () => ctx.output.line("Not applied: nothing was changed."));
      throw new FatalError("deploy declined; nothing was changed");
    }
  }
  const changing = plan.resources.filter(
    (resource) => resource.action !== "no-change" && resource.action !== "skip",
  );
  try {
    report.result = await withProgress(
      ctx,
      changing.map((resource) => ({
        id: resource.id,
        title: `${resource.action} ${resource.kind} ${resource.name}`,
      })),
      (onProgress) => applyPlan(context, plan, { onProgress, signal: ctx.signal }),
    );
    report.applied = true;
  } catch (error) {
    if (error instanceof DeployInterruptedError) {
      report.result = error.result;
      report.error = error.message;
      report.interrupted = true;
      ctx.output.result(report, () => renderApplied(ctx, error.result, true));
      throw new InterruptedError(error.message);
    }
    if (!(error instanceof DeployFailedError)) throw error;
    report.result = error.result;
    report.error = error.message;
    ctx.output.result(report, () => renderApplied(ctx, error.result));
    throw new FatalError(error.message);
  }
  await checkRoster(ctx, target, report);
  ctx.output.result(report, () => renderApplied(ctx, report.result!));
  if (stuck > 0) throw replaceRequiredError(stuck);
}

/** Ctrl-C before the first change: --json still gets a result, and the line says nothing changed. */
function interruptedBeforeChanges(
  ctx: CommandContext,
  target: { target: string; account: string; region: string; endpoint: string },
): InterruptedError {
  const message = "deploy interrupted while bundling and reading the target; nothing was changed";
  if (ctx.output.mode === "json") {
    ctx.output.result(
      {
        target: target.target,
        account: target.account,
        region: target.region,
        endpoint: target.endpoint,
        applied: false,
        interrupted: true,
        error: message,
      },
      () => {},
    );
  }
  return new InterruptedError(message);
}

/**
 * After a deploy: whom will the stack scrape? An empty roster is seeded with the demo people where
 * config says so (the local targets), else the operator is told to import one before the first run.
 */
async function checkRoster(
  ctx: CommandContext,
  target: Awaited<ReturnType<typeof openDeployTarget>>,
  report: DeployReport,
): Promise<void> {
  const { ensureRoster, EmptyRosterError } = await import("../../runtime/roster/index.js");
  const { config } = await ctx.config();
  try {
    const roster = await ensureRoster(
      await target.context.clients.dynamodb(),
      target.context.stack.table.name,
      { seedDemoWhenEmpty: config.roster.seedDemoWhenEmpty, where: `target ${target.target}` },
    );
    if (roster === undefined) return;
    report.roster = { active: roster.active, seeded: roster.seeded };
    if (roster.seeded > 0)
      ctx.output.note(
        `the roster was empty: imported the ${roster.seeded} invented demo people (pipeline roster import --demo)`,
      );
  } catch (error) {
    if (!(error instanceof EmptyRosterError)) throw error;
    report.roster = { empty: true, advice: error.message };
    ctx.output.warn(`${error.message}`);
  }
}

/** The stack cannot converge by itself: a field AWS cannot change in place differs. */
function replaceRequiredError(count: number): FatalError {
  return new FatalError(
    `${count} resource(s) differ in fields AWS cannot change in place (see the plan's notes); ` +
      "replace them deliberately (for the table: pipeline destroy --include-table, then deploy)",
  );
}
