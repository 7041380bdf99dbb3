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
import { UserError, type CommandContext } from "../_kit/index.js";

export interface LogsTailInput {
  args: Record<string, unknown>;
  options: { all: boolean; follow: boolean; since: string; filter: string | undefined; format: string };
}

export const LOG_FORMATS = ["short", "raw"] as const;

/** One colour per function, fixed by the stack's order so a function keeps its colour in every tail. */
const PALETTE = [36, 33, 35, 32, 34, 91, 96, 93];

export async function logsTail(input: LogsTailInput, ctx: CommandContext): Promise<void> {
  const raw = input.args["functions..."];
  const requested = Array.isArray(raw) ? (raw as string[]) : typeof raw === "string" ? [raw] : [];
  const format = input.options.format;
  if (!(LOG_FORMATS as readonly string[]).includes(format)) {
    throw new UserError(`--format ${JSON.stringify(format)} is not a log format; use short or raw`);
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
  let count = 0;
  for await (const batch of tailLogs({
    sources,
    since,
    follow: input.options.follow,
    filter: filterWithClient(logs),
    ...(input.options.filter ? { filterPattern: input.options.filter } : {}),
    signal: ctx.signal,
  })) {
    for (const event of batch) print(event);
    count += batch.length;
  }
  if (!input.options.follow && count === 0) {
    ctx.output.note(`no log events since ${new Date(since).toISOString()} in ${sources.length} group(s)`);
  }
}
