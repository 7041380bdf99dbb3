import { scheduleStatus, type RuleStatus, type ScheduleStatus } from "../../runtime/schedule/index.js";
import type { CommandContext } from "../_kit/index.js";
import { stackAndClients } from "./stack.js";

export async function scheduleStatusCommand(ctx: CommandContext): Promise<void> {
  const { stack, clients } = await stackAndClients(ctx);
  const status = await scheduleStatus({ stack, clients, now: new Date() });
  ctx.output.result(status, (data) => render(data, ctx));
}

function render(status: ScheduleStatus, ctx: CommandContext): void {
  const { output } = ctx;
  const { schedule, manual } = status;
  output.line(
    `${output.style.bold(schedule.name)}  ${state(schedule.state, ctx)}  ${schedule.scheduleExpression ?? "(no schedule)"}`,
  );
  if (schedule.description) output.line(output.style.dim(schedule.description));
  output.line();
  renderTargets(schedule, ctx);
  output.line();
  output.line(output.style.bold("Next fire times (UTC)"));
  for (const time of status.nextFireTimes) output.line(`  ${time.replace(".000Z", "Z")}  ${weekday(time)}`);
  if (schedule.state !== "ENABLED") {
    output.line(
      output.style.dim(
        `  the rule is ${schedule.state}: it fires only once enabled (pipeline schedule enable)`,
      ),
    );
  }
  output.line();
  output.line(
    `${output.style.bold(manual.name)}  ${state(manual.state, ctx)}  ${manual.targets.length} target(s), ` +
      "used by pipeline schedule trigger",
  );
  if (status.drift.length > 0) {
    output.line();
    output.line(output.style.yellow(`Differs from the stack declaration (fix: pipeline deploy):`));
    for (const problem of status.drift) output.line(`  ${problem}`);
  }
}

function renderTargets(rule: RuleStatus, ctx: CommandContext): void {
  if (rule.targets.length === 0) {
    ctx.output.line(ctx.output.style.red("no targets"));
    return;
  }
  ctx.output.table(
    ["TARGET", "RETRIES", "MAX AGE", "DEAD-LETTER QUEUE"],
    rule.targets.map((target) => [
      target.functionName ?? target.arn,
      String(target.retryPolicy?.maximumRetryAttempts ?? "default"),
      target.retryPolicy?.maximumEventAgeInSeconds === undefined
        ? "default"
        : `${target.retryPolicy.maximumEventAgeInSeconds} s`,
      target.deadLetterArn?.split(":").at(-1) ?? ctx.output.style.red("none"),
    ]),
  );
}

function state(value: string, ctx: CommandContext): string {
  return value === "ENABLED" ? ctx.output.style.green(value) : ctx.output.style.yellow(value);
}

function weekday(iso: string): string {
  return new Date(iso).toLocaleDateString("en-GB", { weekday: "long", timeZone: "UTC" });
}
