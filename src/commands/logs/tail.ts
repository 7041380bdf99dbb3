import { defineStack, FUNCTION_KEYS } from "../../pipeline/stack/index.js";
import { toStackParams } from "../../runtime/config/index.js";
import {
  digestLogMessage,
  filterWithClient,
  parseSince,
  resolveLogSources,
  tailLogs,
  type TailEvent,
} from "../../runtime/logs/index.js";
import { RUN_ID_PATTERN } from "../../pipeline/model/index.js";
import { readRunProgress, type RunProgress } from "../../pipeline/stages/run-progress.js";
import { UserError, type CommandContext } from "../_kit/index.js";

export interface LogsTailInput {
  args: Record<string, unknown>;
  options: {
    all: boolean;
    follow: boolean;
    since: string;
    filter: string | undefined;
    format: string;
    run?: string | undefined;
  };
}

export const LOG_FORMATS = ["short", "raw"] as const;

/** One colour per function, fixed by the stack's order so a function keeps its colour in every tail. */
const PALETTE = [36, 33, 35, 32, 34, 91, 96, 93];

export async function logsTail(input: LogsTailInput, ctx: CommandContext): Promise<void> {
  const raw = input.args["functions..."];
  const format = input.options.format;
  if (!(LOG_FORMATS as readonly string[]).includes(format)) {
    throw new UserError(`--format ${JSON.stringify(format)} is not a log format; use short or raw`);
  }
  const runId = input.options.run;
  if (runId !== undefined && !RUN_ID_PATTERN.test(runId)) {
    throw new UserError(
      `--run ${JSON.stringify(runId)} is not a run id (letters, digits and . _ : -, at most 128)`,
    );
  }
  if (runId !== undefined && input.options.filter !== undefined) {
    throw new UserError("--run is a filter of its own (the lines that name the run); leave out --filter");
  }
  let requested = Array.isArray(raw) ? (raw as string[]) : typeof raw === "string" ? [raw] : [];
  // A run's lines come from the scrapers: the planner and the workers of each source.
  if (runId !== undefined && requested.length === 0 && !input.options.all) {
    requested = FUNCTION_KEYS.filter((key) => key.startsWith("scraper-"));
  }
  const since = parseSince(input.options.since, Date.now());
  const resolved = await ctx.config();
  const clients = await ctx.aws();
  const stack = defineStack(toStackParams(resolved, await clients.accountId()));
  const sources = resolveLogSources(stack, requested, input.options.all);
  const logs = await clients.logs();

  const width = Math.max(...sources.map((source) => source.function.length));
  const colourOf = new Map<string, number>(
    FUNCTION_KEYS.map((key, index) => [key, PALETTE[index % PALETTE.length]!]),
  );
  const print = (event: TailEvent) => {
    if (ctx.output.mode === "json") {
      ctx.output.ndjson({
        function: event.function,
        timestamp: new Date(event.timestamp).toISOString(),
        logGroup: event.logGroupName,
        stream: event.stream,
        eventId: event.eventId,
        message: event.message,
      });
      return;
    }
    const label = event.function.padEnd(width);
    const coloured =
      ctx.output.mode === "pretty" ? `\u001b[${colourOf.get(event.function)}m${label}\u001b[39m` : label;
    const time = new Date(event.timestamp).toISOString();
    if (format === "raw") {
      // Lambda's own lines end with a newline; a tail prints one event per line.
      ctx.output.line(`${coloured}  ${ctx.output.style.dim(time)}  ${event.message.replace(/\n+$/, "")}`);
      return;
    }
    // short: time of day, function, level, and the message with its cause (not the whole JSON).
    const { level, text } = digestLogMessage(event.message);
    const levelText = (level ?? "").padEnd(5);
    const styledLevel =
      level === "ERROR" || level === "FATAL"
        ? ctx.output.style.red(levelText)
        : level === "WARN"
          ? ctx.output.style.yellow(levelText)
          : ctx.output.style.dim(levelText);
    ctx.output.line(`${ctx.output.style.dim(time.slice(11))}  ${coloured}  ${styledLevel}  ${text}`);
  };

  if (input.options.follow) {
    ctx.output.note(`following ${sources.map((s) => s.logGroupName).join(", ")} (Ctrl-C to stop)`);
  }
  // Following a run stops once it is complete (every shard done or dead-lettered).
  const stopped = new AbortController();
  const onAbort = () => stopped.abort();
  ctx.signal?.addEventListener("abort", onAbort, { once: true });
  const dynamodb = runId === undefined ? undefined : await clients.dynamodb();
  const progressOf = async (): Promise<RunProgress> =>
    dynamodb === undefined ? new Map() : readRunProgress(dynamodb, stack.table.name, runId!);
  let count = 0;
  try {
    for await (const batch of tailLogs({
      sources,
      since,
      follow: input.options.follow,
      filter: filterWithClient(logs),
      ...(input.options.filter ? { filterPattern: input.options.filter } : {}),
      ...(runId !== undefined ? { filterPattern: `{ $.runId = "${runId}" }` } : {}),
      signal: stopped.signal,
    })) {
      for (const event of batch) print(event);
      count += batch.length;
      if (runId !== undefined && input.options.follow) {
        const progress = await progressOf();
        if (progress.size > 0 && [...progress.values()].every((source) => source.complete)) stopped.abort();
      }
    }
  } finally {
    ctx.signal?.removeEventListener("abort", onAbort);
  }
  if (ctx.signal?.aborted) return;
  if (!input.options.follow && count === 0) {
    ctx.output.note(`no log events since ${new Date(since).toISOString()} in ${sources.length} group(s)`);
  }
  if (runId !== undefined) printRun(ctx, runId, await progressOf());
}

/** The run as one thing, after its lines: per source, shards done / failed / pending and counts. */
function printRun(ctx: CommandContext, runId: string, progress: RunProgress): void {
  if (progress.size === 0) {
    ctx.output.note(`run ${runId}: no run or shard records in the table (not planned, or another run id)`);
    return;
  }
  for (const source of progress.values()) {
    if (ctx.output.mode === "json") {
      ctx.output.ndjson({
        run: runId,
        source: source.source,
        complete: source.complete,
        shards: source.shards,
        shardsDone: source.done,
        shardsFailed: source.failed,
        pending: source.pending,
        retrying: source.retrying,
        ...source.counts,
        peopleInFailedShards: source.peopleInFailedShards,
      });
      continue;
    }
    const state = source.complete ? "complete" : source.plan?.status === "planned" ? "running" : "planning";
    const failed =
      source.failed > 0
        ? `, ${source.failed} failed (${source.peopleInFailedShards} people, in the DLQ)`
        : "";
    const pending =
      source.pending > 0
        ? `, ${source.pending} pending${source.retrying ? ` (${source.retrying} retrying)` : ""}`
        : "";
    ctx.output.line(
      `run ${runId} ${source.source}: ${state}, shards ${source.done}/${source.shards} done${failed}${pending}; ` +
        `written ${source.counts.written}, unchanged ${source.counts.unchanged}, failed ${source.counts.failed}`,
    );
  }
}
