import { emulatorState, stateDirFor, type EmulatorState } from "../../runtime/emulator-process/index.js";
import type { CommandContext } from "../_kit/index.js";

export async function emulatorStatus(ctx: CommandContext): Promise<void> {
  const { config } = await ctx.config();
  const url =
    config.target === "local" && config.endpoint
      ? config.endpoint
      : `http://127.0.0.1:${config.emulator.port}`;
  const state = await emulatorState(stateDirFor(ctx.cwd), url);
  ctx.output.result(toJson(state), () => render(state, ctx));
}

function toJson(state: EmulatorState) {
  switch (state.state) {
    case "running":
      return {
        running: true,
        state: state.state,
        url: state.url,
        detached: state.managed,
        pid: state.pidFile?.pid ?? state.health.pid ?? null,
        startedAt: startedAt(state),
        uptimeSeconds: uptimeSeconds(state),
        logFile: state.pidFile?.logFile ?? null,
        persistence: state.health.persistence,
        region: state.health.region,
        services: state.health.services,
      };
    case "unresponsive":
      return {
        running: false,
        state: state.state,
        url: state.url,
        pid: state.pidFile.pid,
        detail: state.detail,
      };
    case "stale":
      return {
        running: false,
        state: state.state,
        url: state.pidFile.url,
        pid: state.pidFile.pid,
        detail: state.detail,
      };
    case "not-running":
      return { running: false, state: state.state, url: state.url, detail: state.detail };
  }
}

function render(state: EmulatorState, ctx: CommandContext): void {
  const { style } = ctx.output;
  switch (state.state) {
    case "running": {
      const pid = state.pidFile?.pid ?? state.health.pid;
      const how = [
        pid === undefined ? undefined : `pid ${pid}`,
        state.managed ? "detached" : "started in another terminal",
      ]
        .filter(Boolean)
        .join(", ");
      const uptime = uptimeSeconds(state);
      ctx.output.line(
        `${style.green("running")} at ${state.url} (${how})` +
          (uptime === null ? "" : `, up ${formatDuration(uptime)}`),
      );
      ctx.output.line(`State: ${state.health.persistence ?? "in memory"}`);
      if (state.pidFile) ctx.output.line(`Log: ${state.pidFile.logFile}`);
      ctx.output.line();
      ctx.output.table(
        ["SERVICE", "STATE", "DETAIL"],
        Object.entries(state.health.services).map(([service, serviceState]) => [
          service,
          serviceState === "error" ? style.red(serviceState) : serviceState,
          state.health.details?.[service] ?? "",
        ]),
      );
      return;
    }
    case "unresponsive":
      ctx.output.line(
        `${style.yellow("not answering")}: process ${state.pidFile.pid} is alive but ${state.detail}; ` +
          "stop it with: pipeline emulator stop",
      );
      return;
    case "stale":
      ctx.output.line(
        `${style.dim("not running")} (stale PID file: ${state.detail}; ` +
          "pipeline emulator stop removes it, pipeline emulator start --detach replaces it)",
      );
      return;
    case "not-running":
      ctx.output.line(
        `${style.dim("not running")} (${state.detail}); start one with: pipeline emulator start`,
      );
  }
}

type Running = Extract<EmulatorState, { state: "running" }>;

function startedAt(state: Running): string | null {
  return state.health.startedAt || state.pidFile?.startedAt || null;
}

function uptimeSeconds(state: Running): number | null {
  const since = startedAt(state);
  const at = since ? Date.parse(since) : Number.NaN;
  return Number.isFinite(at) ? Math.max(0, Math.round((Date.now() - at) / 1000)) : null;
}

function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h) return `${h}h ${m}m`;
  if (m) return `${m}m ${s}s`;
  return `${s}s`;
}
