import { stateDirFor } from "../../runtime/emulator-process/index.js";
import { disableSchedule, enableSchedule, type ToggleResult } from "../../runtime/schedule/index.js";
import { FatalError, type CommandContext } from "../_kit/index.js";
import { stackAndClients } from "./stack.js";

export async function scheduleEnableCommand(options: { force: boolean }, ctx: CommandContext): Promise<void> {
  const { stack, clients } = await stackAndClients(ctx);
  const result = await enableSchedule({
    stack,
    clients,
    // Where `pipeline verify` keeps the verification record.
    stateDir: stateDirFor(ctx.cwd),
    now: new Date(),
    force: options.force,
    confirm: (message) => ctx.prompt.confirm({ message, flag: "--yes" }),
  });
  ctx.output.result(result, (data) => render(data, ctx));
  if (result.declined) throw new FatalError("not enabled: the confirmation was declined");
}

export async function scheduleDisableCommand(ctx: CommandContext): Promise<void> {
  const { stack, clients } = await stackAndClients(ctx);
  const result = await disableSchedule({ stack, clients });
  ctx.output.result(result, (data) => render(data, ctx));
}

function render(result: ToggleResult, ctx: CommandContext): void {
  const { output } = ctx;
  if (result.declined) {
    output.line(`${result.rule} left ${result.before}: nothing was changed`);
    return;
  }
  if (result.forced) {
    const missing = result.gate?.missing.map((phase) => phase.replace("phase-", "").toUpperCase()).join(", ");
    output.warn(`enabled without recent passes of ${missing ?? "the prerequisite phases"} (--force)`);
  }
  output.line(
    result.changed
      ? `${result.rule}: ${result.before} -> ${result.after} (account ${result.account}, ${result.region})`
      : `${result.rule} is already ${result.after}; nothing changed`,
  );
  if (result.after === "ENABLED" && result.nextFireTimes.length > 0) {
    output.line(
      `next fire times (UTC): ${result.nextFireTimes.map((time) => time.replace(".000Z", "Z")).join(", ")}`,
    );
  }
}
