import { stateDirFor, stopDetachedEmulator } from "../../runtime/emulator-process/index.js";
import type { CommandContext } from "../_kit/index.js";

export async function emulatorStop(ctx: CommandContext): Promise<void> {
  const outcome = await stopDetachedEmulator(stateDirFor(ctx.cwd));
  if (ctx.output.mode === "json") {
    ctx.output.json({
      outcome: outcome.outcome,
      ...("pidFile" in outcome && outcome.pidFile
        ? { pid: outcome.pidFile.pid, endpoint: outcome.pidFile.url }
        : {}),
    });
  }
  switch (outcome.outcome) {
    case "stopped":
      ctx.output.line(`emulator stopped (pid ${outcome.pidFile.pid}, ${outcome.pidFile.url})`);
      return;
    case "killed":
      ctx.output.line(
        `emulator killed (pid ${outcome.pidFile.pid} did not stop within 10 s of SIGTERM; state may lack its last writes)`,
      );
      return;
    case "stale":
      ctx.output.line(`no emulator was running (removed the stale PID file for pid ${outcome.pidFile.pid})`);
      return;
    case "not-running":
      ctx.output.line(
        "no detached emulator is running (no PID file in .pipeline/); a foreground one stops with Ctrl-C",
      );
  }
}
