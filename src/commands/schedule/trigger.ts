import { triggerSchedule, type TriggerResult } from "../../runtime/schedule/index.js";
import { parseInstant } from "../../runtime/time/instant.js";
import { FatalError, type CommandContext } from "../_kit/index.js";
import { stackAndClients } from "./stack.js";

export async function scheduleTriggerCommand(
  options: { scheduledTime: string | undefined; direct: boolean },
  ctx: CommandContext,
): Promise<void> {
  const time = scheduledTime(options.scheduledTime);
  const { stack, clients } = await stackAndClients(ctx);
  // Nobody to scrape is refused before any scraper runs (the local targets get the demo people).
  const { ensureRoster } = await import("../../runtime/roster/index.js");
  const { config } = await ctx.config();
  const roster = await ensureRoster(await clients.dynamodb(), stack.table.name, {
    seedDemoWhenEmpty: config.roster.seedDemoWhenEmpty,
    where: `target ${config.target}`,
  });
  if (roster?.seeded)
    ctx.output.note(
      `the roster was empty: imported the ${roster.seeded} invented demo people (pipeline roster import --demo)`,
    );
  const result = await triggerSchedule({ stack, clients, time, direct: options.direct });
  ctx.output.result(result, (data) => render(data, ctx));
  if (result.mode === "direct") {
    const failed = result.invocations.filter((invocation) => invocation.error !== undefined);
    if (failed.length > 0) {
      throw new FatalError(`${failed.length} of ${result.invocations.length} target(s) could not be invoked`);
    }
  }
}

function scheduledTime(text: string | undefined): Date {
  if (text === undefined) return new Date();
  return new Date(parseInstant(text, { option: "--scheduled-time" }));
}

function render(result: TriggerResult, ctx: CommandContext): void {
  const { output } = ctx;
  if (result.mode === "rule") {
    output.line(
      `sent ${result.detailType} (${result.source}) event ${result.eventId} at ${result.time} ` +
        `through ${result.rule}`,
    );
    output.line(`EventBridge delivers it asynchronously to: ${result.targets.join(", ")}`);
  } else {
    output.line(
      `invoked the targets of ${result.rule} with its Scheduled Event (time ${result.event.time}, id ${result.event.id})`,
    );
    output.table(
      ["TARGET", "STATUS", "REQUEST ID"],
      result.invocations.map((invocation) => [
        invocation.targetId,
        invocation.error === undefined
          ? output.style.green(String(invocation.statusCode ?? ""))
          : output.style.red(invocation.error),
        invocation.requestId ?? "",
      ]),
    );
  }
  output.note("follow the run: pipeline logs tail --all --follow");
}
