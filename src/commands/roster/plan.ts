import {
  formatDuration,
  planRoster,
  type RosterPlan,
  type SourcePlan,
} from "../../runtime/capacity/index.js";
import { readRoster } from "../../runtime/roster/index.js";
import type { CommandContext, Output } from "../_kit/index.js";
import { notDeployed, openRoster } from "./shared.js";

export interface PlanInput {
  options: { count: number | undefined };
}

/** `pipeline roster plan`: per source, how long a run of the active roster (or N people) takes. */
export async function rosterPlan(input: PlanInput, ctx: CommandContext): Promise<void> {
  const { config } = await ctx.config();
  let people: Parameters<typeof planRoster>[0]["people"];
  let where: string;
  if (input.options.count !== undefined) {
    people = { count: input.options.count };
    where = `${input.options.count} people (--count), none with per-source ids`;
  } else {
    const session = await openRoster(ctx);
    const { entries } = await readRoster(session.dynamodb, session.table).catch((error: unknown) => {
      throw notDeployed(error, session) ?? error;
    });
    people = entries.filter((entry) => entry.active);
    where = `the active roster of ${session.table} on target ${session.target}: ${people.length} people`;
    if (people.length === 0)
      ctx.output.warn(
        `nobody active in ${session.table}: the plan is empty; ask "what if" with --count N, or import a roster (pipeline roster import)`,
      );
  }
  const plan = await planRoster({ sources: config.sources, people });
  ctx.output.result({ target: config.target, ...plan }, () => {
    ctx.output.line(`Run plan for ${where}`);
    ctx.output.line();
    renderPlanTable(ctx.output, plan);
    ctx.output.line();
    for (const line of assumptions(plan)) ctx.output.line(ctx.output.style.dim(line));
  });
  for (const warning of plan.warnings) ctx.output.warn(warning);
}

/** The per-source table: requests, rate, workers, shards and the time of a shard and of the run. */
export function renderPlanTable(output: Output, plan: RosterPlan): void {
  output.table(
    ["SOURCE", "REQ/PERSON", "REQUESTS", "RATE/S", "WORKERS", "SHARDS", "SHARD TIME", "RUN TIME", ""],
    plan.sources.map((source) => [
      source.source,
      perPerson(source),
      String(source.requests),
      String(source.rateLimitPerSecond),
      `${source.activeWorkers} of ${source.workerConcurrency}`,
      `${source.shards} x ${source.shardSize}`,
      formatDuration(source.shardSeconds),
      formatDuration(source.runSeconds),
      verdict(output, source),
    ]),
  );
}

/** One line per source, as the deploy plan shows it. */
export function planLine(output: Output, source: SourcePlan): string {
  return (
    `${source.source.padEnd(10)} ${source.people} people x ${perPerson(source)} request(s) at ` +
    `${source.rateLimitPerSecond}/s, ${source.shards} shard(s) of ${source.shardSize} on ` +
    `${source.activeWorkers} of ${source.workerConcurrency} workers: about ${formatDuration(source.runSeconds)}, ${verdict(output, source)}`
  );
}

function verdict(output: Output, source: SourcePlan): string {
  if (!source.fitsInterval) return output.style.red("does not fit the week");
  if (!source.fitsWorker) return output.style.yellow("shard too long for a worker");
  return output.style.green("fits");
}

/** "2", or "1.2 (1 for 80 people, 2 for 20)" when people cost different amounts. */
function perPerson(source: SourcePlan): string {
  const counts = [...new Set(source.counted.map((entry) => entry.requests.count))];
  const average = Math.round(source.requestsPerPerson * 100) / 100;
  if (counts.length <= 1) return String(average);
  const parts = counts
    .sort((a, b) => a - b)
    .map(
      (count) =>
        `${count} for ${source.counted.filter((e) => e.requests.count === count).reduce((n, e) => n + e.people, 0)}`,
    );
  return `${average} (${parts.join(", ")})`;
}

/** What the estimate assumes, said under the table. */
export function assumptions(plan: RosterPlan): string[] {
  const endpoints = plan.sources
    .map((source) => {
      const paths = [...new Set(source.counted.flatMap((entry) => entry.requests.endpoints))];
      return `${source.source} ${paths.join(" + ") || "-"}`;
    })
    .join("; ");
  return [
    `Requests per person counted by running each source client: ${endpoints}` +
      (plan.basis === "count" ? " (no per-source ids: name searches everywhere)." : "."),
    `Each worker gets rateLimitPerSecond / workerConcurrency; the rate is the limit (answers assumed faster), ` +
      `every request succeeds first time (retries add time).`,
    `Fits: the run within the ${formatDuration(plan.limits.runIntervalSeconds)} between scheduled runs, and one shard ` +
      `within ${Math.round(plan.limits.shardTimeShare * 100)}% of a worker's ${formatDuration(plan.limits.workerTimeoutSeconds)} timeout.`,
  ];
}
