import { createReadStream, createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import {
  demoSource,
  describeProblem,
  formatOfName,
  mapHeader,
  prepareImport,
  readRows,
  type ImportPlan,
  type ImportResult,
  type ImportSource,
  type PreparedImport,
  type RosterFormat,
} from "../../runtime/roster/index.js";
import { EXIT, FatalError, UserError, type CommandContext } from "../_kit/index.js";
import { runStep } from "../_shared/progress.js";
import { confirmOnAws, notDeployed, openRoster, shown } from "./shared.js";

export interface ImportInput {
  args: { file: string | undefined };
  options: {
    demo: boolean;
    dryRun: boolean;
    prune: boolean;
    skipInvalid: boolean;
    format: string | undefined;
  };
}

/** How many problems the human report lists (all of them are in --json). */
const SHOWN_PROBLEMS = 50;

export async function rosterImport(input: ImportInput, ctx: CommandContext): Promise<void> {
  const { file } = input.args;
  const { demo } = input.options;
  if (demo === (file !== undefined)) {
    throw new UserError(
      demo
        ? "give either a file or --demo, not both"
        : "give the file to import (CSV, JSON or JSONL; - for stdin), or --demo for the invented demo people",
    );
  }
  const format = input.options.format as RosterFormat | undefined;
  let spooled: string | undefined;
  let source: ImportSource | undefined;
  let what = "the demo roster";
  if (file !== undefined) {
    // stdin is read once; the import reads twice (plan, then writes), so it is kept in a temp file.
    let path = resolve(ctx.cwd, file);
    what = file === "-" ? "stdin" : basename(file);
    if (file === "-") {
      spooled = mkdtempSync(join(tmpdir(), "pipeline-roster-"));
      path = join(spooled, "stdin");
      await pipeline(process.stdin, createWriteStream(path));
    }
    const chosen = format ?? (file === "-" ? undefined : formatOfName(file));
    const opened = path;
    source = {
      open: async () => (await readRows(openFile(opened, file), chosen, what, mapHeader)).rows,
    };
  }
  try {
    const session = await openRoster(ctx);
    const prepared = await prepareImport(session.dynamodb, session.table, source ?? demoSource(), {
      prune: input.options.prune,
      skipInvalid: input.options.skipInvalid,
    }).catch((error: unknown) => {
      throw notDeployed(error, session) ?? error;
    });
    const { plan } = prepared;
    let result: ImportResult = { plan, applied: false, written: 0, removed: 0 };
    if (prepared.writable && !input.options.dryRun) {
      if (ctx.output.mode !== "json") renderPlan(ctx, plan, what);
      if (await confirmOnAws(ctx, session, `Apply this roster plan (${planCounts(plan)})`)) {
        result = await writeWithProgress(ctx, session.table, prepared);
      } else result = { ...result, declined: true } as ImportResult;
      finish(ctx, result, what, input.options, true);
    } else finish(ctx, result, what, input.options, false);
  } finally {
    if (spooled) rmSync(spooled, { recursive: true, force: true });
  }
}

/** The writes, with a progress bar on a terminal (one line at the start and end elsewhere). */
async function writeWithProgress(
  ctx: CommandContext,
  table: string,
  prepared: PreparedImport,
): Promise<ImportResult> {
  const total = prepared.plan.add + prepared.plan.update + (prepared.plan.prune ? prepared.plan.remove : 0);
  if (ctx.output.mode !== "pretty") return prepared.apply();
  return runStep(ctx, {
    title: `Writing ${total} roster record${total === 1 ? "" : "s"} to ${table}`,
    run: (report) => prepared.apply((done, all) => report(bar(done, all))),
  });
}

function bar(done: number, total: number, width = 30): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done.toLocaleString("en")}/${total.toLocaleString("en")}`;
}

function openFile(path: string, given: string): AsyncIterable<Buffer> {
  const stream = createReadStream(path);
  stream.on("error", () => {});
  return (async function* () {
    try {
      for await (const chunk of stream) yield chunk as Buffer;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") throw new UserError(`${given}: no such file`);
      if (code === "EISDIR") throw new UserError(`${given} is a folder; give a CSV, JSON or JSONL file`);
      if (code === "EACCES") throw new UserError(`${given}: permission denied`);
      throw error;
    }
  })();
}

function planCounts(plan: ImportPlan): string {
  const parts = [`${plan.add} to add`, `${plan.update} to update`, `${plan.unchanged} unchanged`];
  if (plan.remove > 0) parts.push(plan.prune ? `${plan.remove} to remove` : `${plan.remove} not in the file`);
  return parts.join(", ");
}

function renderPlan(ctx: CommandContext, plan: ImportPlan, what: string): void {
  const { style } = ctx.output;
  ctx.output.line(
    `Roster plan for ${what} (${plan.rows} row${plan.rows === 1 ? "" : "s"}): ${planCounts(plan)}`,
  );
  for (const change of plan.changes) {
    if (change.kind === "add") ctx.output.line(`  ${style.green("+")} add ${change.id} (${change.name})`);
    else if (change.kind === "remove")
      ctx.output.line(`  ${style.red("-")} remove ${change.id} (${change.name})`);
    else {
      const fields = (change.fields ?? []).map((f) => `${f.field} ${shown(f.from)} → ${shown(f.to)}`);
      ctx.output.line(`  ${style.yellow("~")} update ${change.id}: ${fields.join(", ")}`);
    }
  }
  const listed = plan.changes.length;
  const total = plan.add + plan.update + (plan.prune ? plan.remove : 0);
  if (total > listed) ctx.output.line(style.dim(`  ... and ${total - listed} more`));
  if (plan.remove > 0 && !plan.prune)
    ctx.output.line(
      style.dim(`  ${plan.remove} people of the roster are not in the file: kept (--prune removes them)`),
    );
}

function renderProblems(ctx: CommandContext, plan: ImportPlan): void {
  for (const problem of plan.problems.slice(0, SHOWN_PROBLEMS))
    ctx.output.line(`  ${describeProblem(problem)}`);
  if (plan.problems.length > SHOWN_PROBLEMS)
    ctx.output.line(`  ... and ${plan.problems.length - SHOWN_PROBLEMS} more problems (all of them: --json)`);
}

function finish(
  ctx: CommandContext,
  result: ImportResult & { declined?: boolean },
  what: string,
  options: ImportInput["options"],
  planShown: boolean,
): void {
  const { plan } = result;
  const blocked = plan.problems.length > 0 && !options.skipInvalid;
  ctx.output.result(
    { ...result, problems: plan.problems.map((problem) => ({ ...problem, text: describeProblem(problem) })) },
    () => {
      if (!planShown) renderPlan(ctx, plan, what);
      if (plan.problems.length > 0) {
        ctx.output.line();
        ctx.output.line(
          `${plan.invalidRows} row${plan.invalidRows === 1 ? "" : "s"} of ${what} ${blocked ? "cannot be imported" : "skipped (--skip-invalid)"}:`,
        );
        renderProblems(ctx, plan);
      }
      ctx.output.line();
      if (blocked)
        ctx.output.line(
          "Nothing was written. Fix the rows above, or import the good ones with --skip-invalid.",
        );
      else if (options.dryRun) ctx.output.line("Dry run: nothing was written.");
      else if (result.applied)
        ctx.output.line(
          `Roster updated: ${result.written} written${result.removed ? `, ${result.removed} removed` : ""}; ${plan.unchanged} unchanged.`,
        );
      else if (plan.add + plan.update + (plan.prune ? plan.remove : 0) === 0)
        ctx.output.line("No changes: the roster already matches.");
      else ctx.output.line("Not applied: nothing was written.");
    },
  );
  if (blocked)
    throw new FatalError(`${plan.invalidRows} bad row(s) in ${what}; nothing was written`, EXIT.usage);
  if (result.declined) throw new FatalError("roster import declined; nothing was written", EXIT.interrupted);
}
