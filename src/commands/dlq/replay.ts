import { join, resolve } from "node:path";
import {
  HOLD_SECONDS,
  parseFilter,
  replayArchive,
  replayQueue,
  selectQueues,
  type FailureGroup,
  type ReplayReport,
  type ReplayResult,
} from "../../runtime/dlq/index.js";
import { EXIT, FatalError, UserError, type CommandContext } from "../_kit/index.js";
import { confirmOnAws, dlqStateDir, openDlq, parseMax, runSteps, type DlqSession } from "./shared.js";

export interface ReplayInput {
  args: { queue: string | undefined };
  options: {
    from: string | undefined;
    dryRun: boolean;
    all: boolean;
    max: string | undefined;
    rate: string | undefined;
    filter: string[] | undefined;
    keep: boolean;
    journal: string | undefined;
  };
}

interface Reported extends ReplayReport {
  /** Queue name or archive file. */
  source: string;
  journal: string;
  found: number;
  inFlight?: number;
}

export async function dlqReplay(input: ReplayInput, ctx: CommandContext): Promise<void> {
  const { options } = input;
  const rate = parseRate(options.rate);
  const max = parseMax(options.max);
  const filter = options.filter?.length ? parseFilter(options.filter) : undefined;
  if (options.from && input.args.queue) {
    throw new UserError("give a queue or --from <file>, not both (an archive knows each message's queue)");
  }
  const session = await openDlq(ctx);
  // Which failures: flags say it, else the operator chooses on a terminal, else the prompt refuses.
  const explicit = options.all || filter !== undefined || max !== undefined || options.dryRun;
  const select = async (groups: FailureGroup[], source: string) => {
    const chosen = explicit ? groups : await chooseFailures(ctx, groups, source);
    if (chosen.length > 0 && !options.dryRun) {
      await confirmOnAws(ctx, session, `Replay ${chosen.length} failure(s) from ${source}`);
    }
    return chosen;
  };
  const common = {
    ...(options.dryRun ? { dryRun: true } : {}),
    ...(options.keep ? { keep: true } : {}),
    ...(rate !== undefined ? { ratePerSecond: rate } : {}),
    ...(filter ? { filter } : {}),
  };

  const reports: Reported[] = [];
  let remaining = max ?? Number.POSITIVE_INFINITY;
  const steps = options.from
    ? [
        {
          title: `Replaying ${options.from}`,
          run: async (update: (text: string) => void) => {
            const file = resolve(ctx.cwd, options.from!);
            const report = await replayArchive(session.deps, file, {
              ...common,
              ...(Number.isFinite(remaining) ? { max: remaining } : {}),
              journalFile: options.journal ? resolve(ctx.cwd, options.journal) : journalFor(ctx, session),
              select: (groups) => select(groups, file),
              onResult: progress(update),
            });
            reports.push({ ...report, source: file });
          },
        },
      ]
    : selectQueues(session.deps.stack, input.args.queue).map((queue) => ({
        title: `Replaying ${queue.name}`,
        run: async (update: (text: string) => void) => {
          if (remaining <= 0 || ctx.signal.aborted) return;
          const report = await replayQueue(session.deps, queue, {
            ...common,
            ...(Number.isFinite(remaining) ? { max: remaining } : {}),
            journalFile: options.journal ? resolve(ctx.cwd, options.journal) : journalFor(ctx, session),
            // Messages a killed run held come back within HOLD_SECONDS: wait for them.
            inFlightWaitMs: (HOLD_SECONDS + 5) * 1000,
            onInFlightWait: (n) =>
              update(
                `waiting up to ${HOLD_SECONDS + 5}s for ${n} in-flight message(s) (an interrupted run?)`,
              ),
            select: (groups) => select(groups, queue.name),
            onResult: progress(update),
          });
          remaining -= report.sent + report.failed;
          reports.push({ ...report, source: queue.name });
        },
      }));
  const mayPrompt = !explicit || (session.target === "aws" && !ctx.flags.yes && !options.dryRun);
  await runSteps(ctx, steps, { mayPrompt });

  ctx.output.result(reports, (rows) => renderReports(ctx, rows, options.dryRun));
  if (reports.some((r) => r.interrupted) || ctx.signal.aborted) {
    throw new FatalError(
      "interrupted; rerun the same command to continue (confirmed sends are not repeated)",
      EXIT.interrupted,
    );
  }
  const failed = reports.reduce((sum, r) => sum + r.failed, 0);
  if (failed > 0) {
    throw new FatalError(`${failed} failure(s) could not be replayed; they stay where they were`);
  }
}

/**
 * One journal per target, account and region, shared by every queue and archive: Lambda can report
 * one failure to a DLQ and to an on-failure destination in different queues, and a failure archived
 * with `rehydrate --keep` is both in an archive and in its queue; the shared key (request id or
 * message id) in one journal keeps the second copy from being sent again.
 */
function journalFor(ctx: CommandContext, session: DlqSession): string {
  return join(
    dlqStateDir(ctx),
    `replay-${session.target}-${session.account}-${session.region}.journal.jsonl`,
  );
}

function parseRate(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const rate = Number(text);
  if (!Number.isFinite(rate) || rate <= 0 || rate > 1000) {
    throw new UserError(
      `--rate ${JSON.stringify(text)}: expected sends per second above 0, up to 1000 (e.g. 2 or 0.5)`,
    );
  }
  return rate;
}

function progress(update: (text: string) => void): (result: ReplayResult) => void {
  let count = 0;
  return (result) => {
    count++;
    update(`${count}: ${result.outcome} ${result.functionName ?? result.shard ?? result.key}`);
  };
}

/** Interactive choice of failures: all, one function's or kind's, or one by one. */
export async function chooseFailures(
  ctx: CommandContext,
  groups: FailureGroup[],
  source: string,
): Promise<FailureGroup[]> {
  const labelOf = (g: FailureGroup) =>
    g.summary.functionName ?? (g.summary.shard ? `${g.summary.shard.source} shards` : g.kind);
  const counts = new Map<string, number>();
  for (const group of groups) counts.set(labelOf(group), (counts.get(labelOf(group)) ?? 0) + 1);
  const choice = await ctx.prompt.select({
    message: `${groups.length} failure(s) in ${source}: which should be replayed?`,
    flag: "--all, --filter <filter> or --max <n>",
    choices: [
      { value: "all", name: `all ${groups.length}` },
      ...[...counts].map(([label, n]) => ({ value: `only:${label}`, name: `only ${label} (${n})` })),
      { value: "each", name: "choose one by one" },
      { value: "none", name: "none" },
    ],
  });
  if (choice === "all") return groups;
  if (choice === "none") return [];
  if (choice.startsWith("only:")) return groups.filter((g) => labelOf(g) === choice.slice(5));
  const chosen: FailureGroup[] = [];
  for (const group of groups) {
    const s = group.summary;
    const error = [s.errorCode, s.errorMessage].filter(Boolean).join(": ");
    const yes = await ctx.prompt.confirm({
      message: `${s.kind} ${labelOf(group)} ${group.key}${error ? ` (${error.slice(0, 80)})` : ""}: replay?`,
      flag: "--filter <filter>",
      default: true,
    });
    if (yes) chosen.push(group);
  }
  return chosen;
}

function renderReports(ctx: CommandContext, reports: Reported[], dryRun: boolean): void {
  const { style } = ctx.output;
  const colour: Record<string, (t: string) => string> = {
    sent: style.green,
    "already-sent": style.green,
    "would-send": style.cyan,
    failed: style.red,
    skipped: style.yellow,
    "not-attempted": style.dim,
  };
  for (const report of reports) {
    ctx.output.line(style.bold(`${report.source}: ${report.found} failure(s)`));
    for (const r of report.results) {
      const paint = colour[r.outcome] ?? ((t: string) => t);
      const where = r.to ? ` -> ${r.to}` : "";
      const why = r.reason ? ` (${r.reason})` : "";
      const removed = r.removed ? style.dim(" [removed]") : "";
      ctx.output.line(
        `  ${paint(r.outcome.padEnd(13))} ${r.kind} ${r.functionName ?? r.shard ?? ""} ${r.key}${where}${why}${removed}`,
      );
    }
    ctx.output.line(
      `  ${dryRun ? "would send" : "sent"} ${dryRun ? report.results.filter((r) => r.outcome === "would-send").length : report.sent}, ` +
        `finished earlier ${report.alreadySent}, failed ${report.failed}, skipped ${report.skipped}`,
    );
    if (report.inFlight) {
      ctx.output.warn(
        `${report.inFlight} message(s) of ${report.source} are in flight; run replay again once they are visible`,
      );
    }
    ctx.output.note(`journal: ${report.journal}`);
  }
}
