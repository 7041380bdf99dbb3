import type { CommandContext } from "../_kit/index.js";

/** A long step: runs, reports what it is waiting for, returns its result. */
export interface Step<T> {
  title: string;
  run(report: (text: string) => void): Promise<T>;
}

/**
 * Runs one long step with progress: a listr2 spinner on a terminal; elsewhere (pipe, NO_COLOR,
 * --json) plain lines on stderr, each status once when it changes, so logs stay readable.
 */
export async function runStep<T>(ctx: CommandContext, step: Step<T>): Promise<T> {
  // listr2 draws in place and needs a terminal width (a pseudo-terminal may report none).
  if (ctx.output.mode === "pretty" && (process.stdout.columns ?? 0) >= 40) {
    const { Listr } = await import("listr2");
    let result: T | undefined;
    const list = new Listr(
      [
        {
          title: step.title,
          task: async (_context, task) => {
            result = await step.run((text) => {
              task.output = text;
            });
          },
        },
      ],
      { registerSignalListeners: false, exitOnError: true, rendererOptions: { collapseErrors: false } },
    );
    await list.run();
    return result as T;
  }
  ctx.output.note(`${step.title} ...`);
  let last = "";
  const started = Date.now();
  const result = await step.run((text) => {
    if (text !== last) ctx.output.note(`  ${text}`);
    last = text;
  });
  ctx.output.note(`${step.title}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}
