import { defineStack } from "../../pipeline/stack/index.js";
import { toStackParams } from "../../runtime/config/index.js";
import { unreachableEndpoint } from "../../runtime/aws/index.js";
import { deploymentOf, gatherStatus, type PipelineStatus } from "../../runtime/status/index.js";
import { FatalError, InterruptedError, type CommandContext } from "../_kit/index.js";
import { padRows, statusSections, type Tone } from "./sections.js";

export interface StatusOptions {
  interval: number;
  once: boolean;
}

export async function pipelineStatus(options: StatusOptions, ctx: CommandContext): Promise<void> {
  const resolved = await ctx.config();
  const clients = await ctx.aws();
  const stack = defineStack(toStackParams(resolved, await clients.accountId()));
  const read = () => gatherStatus({ clients, stack });
  // Live only where someone watches: a colour terminal without --json or --once.
  if (ctx.output.mode === "pretty" && !options.once && process.stdout.isTTY) {
    await live(read, options.interval, ctx);
    return;
  }
  const status = await read();
  const deployment = deploymentOf(status);
  if (deployment.kind === "unreachable")
    throw unreachableEndpoint(deployment.error, resolved.config) ?? deployment.error;
  if (deployment.kind === "absent") {
    if (ctx.output.mode === "json") ctx.output.json(status);
    throw new FatalError(noStackMessage(status));
  }
  ctx.output.result(status, () => renderPlain(status, ctx));
}

/** A region or account where nothing of the stack exists: say so, rather than a screen of "missing". */
export function noStackMessage(status: Pick<PipelineStatus, "target" | "account" | "region">): string {
  return (
    `no pipeline stack in account ${status.account}, region ${status.region} (target ${status.target}): ` +
    `none of its functions, rules, queues or mappings exist there; deploy it (pipeline deploy --region ${status.region}) ` +
    "or choose the region it was deployed to with --region (env AWS_REGION)"
  );
}

function renderPlain(status: PipelineStatus, ctx: CommandContext): void {
  const { style } = ctx.output;
  const paint = (text: string, tone: Tone) =>
    tone === "ok"
      ? style.green(text)
      : tone === "warn"
        ? style.yellow(text)
        : tone === "bad"
          ? style.red(text)
          : tone === "dim"
            ? style.dim(text)
            : text;
  ctx.output.line(
    `${style.bold("pipeline status")}  ${status.target} · account ${status.account} · ${status.region} · ${status.at}`,
  );
  for (const section of statusSections(status)) {
    ctx.output.line();
    ctx.output.line(style.bold(section.title));
    padRows(section).forEach((row, index) => {
      const text = row
        .map((cell) => (index === 0 ? style.bold(cell.text) : paint(cell.text, cell.tone)))
        .join("  ");
      ctx.output.line(text.trimEnd());
    });
  }
}

/**
 * Redraws the ink view every `intervalSeconds` until q (exit 0) or Ctrl-C (130); a failed refresh
 * keeps the last screen. With a terminal on stdin the keys are read in raw mode, where Ctrl-C
 * arrives as a key rather than as SIGINT, so the view reports it.
 */
async function live(
  read: () => Promise<PipelineStatus>,
  intervalSeconds: number,
  ctx: CommandContext,
): Promise<void> {
  const [{ render }, { createElement }, { StatusView }] = await Promise.all([
    import("ink"),
    import("react"),
    import("./view.js"),
  ]);
  const stop = new AbortController();
  let interruptedByKey = false;
  const onAbort = () => stop.abort();
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  const interactive = process.stdin.isTTY === true;
  let status: PipelineStatus | undefined;
  let error: string | undefined;
  const view = () =>
    createElement(StatusView, {
      status,
      error,
      intervalSeconds,
      interactive,
      onQuit: () => stop.abort(),
      onInterrupt: () => {
        interruptedByKey = true;
        stop.abort();
      },
    });
  const app = render(view(), { exitOnCtrlC: false, patchConsole: false });
  try {
    while (!stop.signal.aborted) {
      try {
        status = await read();
        error = undefined;
      } catch (caught) {
        error = caught instanceof Error ? caught.message : String(caught);
      }
      if (stop.signal.aborted) break;
      app.rerender(view());
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, intervalSeconds * 1000);
        function done() {
          clearTimeout(timer);
          stop.signal.removeEventListener("abort", done);
          resolve();
        }
        stop.signal.addEventListener("abort", done, { once: true });
      });
    }
  } finally {
    ctx.signal.removeEventListener("abort", onAbort);
    app.unmount();
    await app.waitUntilExit().catch(() => {});
  }
  if (interruptedByKey) throw new InterruptedError("status stopped (Ctrl-C); it leaves nothing behind");
}
