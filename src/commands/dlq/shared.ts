import { join } from "node:path";
import { defineStack } from "../../pipeline/stack/index.js";
import { toStackParams } from "../../runtime/config/index.js";
import type { DlqDeps } from "../../runtime/dlq/index.js";
import { UserError, type CommandContext } from "../_kit/index.js";

/** What every dlq command needs: clients, the stack for the target, and where it runs. */
export interface DlqSession {
  deps: DlqDeps;
  target: string;
  account: string;
  region: string;
}

export async function openDlq(ctx: CommandContext): Promise<DlqSession> {
  const resolved = await ctx.config();
  const clients = await ctx.aws();
  const account = await clients.accountId();
  const stack = defineStack(toStackParams(resolved, account));
  return {
    deps: { clients, stack, signal: ctx.signal },
    target: resolved.config.target,
    account,
    region: resolved.config.region,
  };
}

/** State files of the dlq commands live under the project's state folder. */
export function dlqStateDir(ctx: CommandContext): string {
  return join(ctx.cwd, ".pipeline", "dlq");
}

export function defaultArchive(ctx: CommandContext, queueName: string): string {
  return join(dlqStateDir(ctx), `${queueName}.archive.jsonl`);
}

/**
 * A change on the aws target is confirmed first, naming the account and region (--yes answers;
 * without a terminal and without --yes the prompt refuses and says so).
 */
export async function confirmOnAws(ctx: CommandContext, session: DlqSession, what: string): Promise<void> {
  if (session.target !== "aws") return;
  const ok = await ctx.prompt.confirm({
    message: `${what} in AWS account ${session.account}, region ${session.region}?`,
    flag: "--yes",
  });
  if (!ok) {
    const { FatalError, EXIT } = await import("../_kit/index.js");
    throw new FatalError("cancelled; nothing was changed", EXIT.interrupted);
  }
}

export interface Step {
  title: string;
  /** `update` reports progress within the step (a count, the item being handled). */
  run(update: (text: string) => void): Promise<void>;
}

/**
 * Runs long steps with progress: a listr2 task list on a colour terminal; plain notes on stderr when
 * output is piped or NO_COLOR is set; nothing extra with --json (stdout carries only the result).
 */
export async function runSteps(
  ctx: CommandContext,
  steps: Step[],
  options: { mayPrompt?: boolean } = {},
): Promise<void> {
  // A prompt cannot share the terminal with listr2's live redraw: steps that may ask print notes.
  if (ctx.output.mode === "pretty" && !options.mayPrompt) {
    const { Listr } = await import("listr2");
    await new Listr(
      steps.map((step) => ({
        title: step.title,
        task: async (_: unknown, task: { output: string }) => {
          await step.run((text) => {
            task.output = text;
          });
        },
      })),
      { exitOnError: true, registerSignalListeners: false, rendererOptions: { collapseErrors: false } },
    ).run();
    return;
  }
  for (const step of steps) {
    if (ctx.output.mode !== "json") ctx.output.note(`${step.title} ...`);
    await step.run(() => {});
  }
}

/** "3d 4h", "12m 5s", "40s". */
export function formatAge(seconds: number | undefined): string {
  if (seconds === undefined) return "-";
  const units: [string, number][] = [
    ["d", 86_400],
    ["h", 3_600],
    ["m", 60],
    ["s", 1],
  ];
  const parts: string[] = [];
  let rest = Math.max(0, Math.floor(seconds));
  for (const [unit, size] of units) {
    if (rest >= size || (parts.length === 0 && unit === "s")) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(" ");
}

/** `--max <n>`: a positive integer, or undefined for no limit. */
export function parseMax(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < 1) {
    throw new UserError(`--max ${JSON.stringify(text)}: expected a whole number of 1 or more`);
  }
  return value;
}
