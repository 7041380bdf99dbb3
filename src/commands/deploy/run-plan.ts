import { demoRoster, type RosterEntry } from "../../pipeline/model/index.js";
import { planRoster, type RosterPlan } from "../../runtime/capacity/index.js";
import { readRoster } from "../../runtime/roster/index.js";
import type { CommandContext } from "../_kit/index.js";
import { planLine } from "../roster/plan.js";
import type { DeployTarget } from "./target.js";

/** What the deploy plan says about run time: the estimate, and whose roster it is for. */
export interface DeployRunPlan {
  /** "roster": the table's active people; "demo": the demo people deploy seeds into an empty table. */
  basis: "roster" | "demo";
  plan: RosterPlan;
}

/**
 * The run-time estimate for the stack being deployed (its sources' rates, workers and shard sizes)
 * and the roster it will scrape: the table's active people, or the demo people where an empty
 * roster is seeded. Undefined when there is nobody to plan for yet (no table or an empty roster
 * that will not be seeded); `pipeline roster plan --count N` answers then.
 */
export async function deployRunPlan(
  ctx: CommandContext,
  target: DeployTarget,
): Promise<DeployRunPlan | undefined> {
  const { config } = await ctx.config();
  const { stack, clients } = target.context;
  let active: RosterEntry[];
  try {
    const { entries } = await readRoster(await clients.dynamodb(), stack.table.name);
    active = entries.filter((entry) => entry.active);
  } catch (error) {
    // No table yet is a first deploy. Anything else must not stop a deploy over an estimate.
    if ((error as Error).name !== "ResourceNotFoundException") {
      ctx.output.note(
        `run time: cannot read the roster of ${stack.table.name} (${(error as Error).message}); no estimate`,
      );
      return undefined;
    }
    active = [];
  }
  const seeded = active.length === 0 && config.roster.seedDemoWhenEmpty;
  if (active.length === 0 && !seeded) return undefined;
  const plan = await planRoster({ sources: stack.params.sources, people: seeded ? demoRoster() : active });
  return { basis: seeded ? "demo" : "roster", plan };
}

/** A line per source under the deploy plan, and a warning for each source that does not fit. */
export function renderRunPlan(ctx: CommandContext, runPlan: DeployRunPlan | undefined): void {
  const { output } = ctx;
  output.line();
  if (runPlan === undefined) {
    output.line(
      "Run time: no active roster yet; estimate one with pipeline roster plan --count N (after a roster import, the plan says)",
    );
    return;
  }
  const whose = runPlan.basis === "demo" ? "the demo roster deploy seeds" : "the active roster";
  output.line(`Run time per source for ${whose} (${runPlan.plan.people} people; see pipeline roster plan):`);
  for (const source of runPlan.plan.sources) output.line(`  ${planLine(output, source)}`);
}

export function warnRunPlan(ctx: CommandContext, runPlan: DeployRunPlan | undefined): void {
  for (const warning of runPlan?.plan.warnings ?? []) ctx.output.warn(warning);
}
