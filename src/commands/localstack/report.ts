import {
  PIPELINE_SERVICES,
  readiness,
  type ContainersReport,
  type LocalStackProbe,
  type WaitProgress,
} from "../../runtime/localstack/index.js";
import type { CommandContext } from "../_kit/index.js";
import type { LocalStackEndpoint } from "./endpoint.js";

/** The JSON shape of `localstack up` and `localstack status` (stable for scripts). */
export function statusJson(
  endpoint: LocalStackEndpoint,
  probe: LocalStackProbe,
  containers: ContainersReport | undefined,
) {
  const state = readiness(probe);
  return {
    endpoint: endpoint.url,
    endpointFrom: endpoint.from,
    reachable: probe.reachable,
    ready: state.ready,
    waitingFor: state.ready ? null : state.waitingFor,
    server: probe.reachable ? probe.server : null,
    version: probe.reachable ? (probe.version ?? null) : null,
    services: probe.reachable ? probe.services : {},
    init: probe.reachable ? (probe.init ?? null) : null,
    detail: probe.reachable ? null : probe.detail,
    containers: containers
      ? containers.available
        ? containers.containers
        : { unavailable: containers.detail }
      : null,
  };
}

export function renderStatus(
  ctx: CommandContext,
  endpoint: LocalStackEndpoint,
  probe: LocalStackProbe,
  containers: ContainersReport | undefined,
): void {
  const { style } = ctx.output;
  if (containers) {
    if (!containers.available) ctx.output.line(`Container: ${style.dim(containers.detail)}`);
    else if (!containers.containers.length)
      ctx.output.line("Container: none (start it with: pipeline localstack up)");
    else {
      for (const container of containers.containers) {
        const health = container.health ? `, ${container.health}` : "";
        ctx.output.line(`Container: ${container.name} ${container.state}${health} (${container.status})`);
      }
    }
  }
  if (!probe.reachable) {
    ctx.output.line(
      `LocalStack at ${endpoint.url} (${endpoint.from}): ${style.red("not reachable")}, ${probe.detail}`,
    );
    return;
  }
  const state = readiness(probe);
  const what =
    probe.server === "pipeline-emulator"
      ? "the pipeline emulator (LocalStack-compatible health)"
      : "LocalStack";
  const version = probe.version ? ` ${probe.version}` : "";
  ctx.output.line(
    `${what}${version} at ${endpoint.url} (${endpoint.from}): ` +
      (state.ready ? style.green("ready") : style.yellow(`not ready, waiting for ${state.waitingFor}`)),
  );
  ctx.output.line();
  const required = new Set<string>(PIPELINE_SERVICES);
  ctx.output.table(
    ["SERVICE", "STATE"],
    PIPELINE_SERVICES.map((service) => {
      const serviceState = probe.services[service] ?? "missing";
      const usable = serviceState === "running" || serviceState === "available";
      return [service, usable ? serviceState : style.red(serviceState)];
    }).concat(
      Object.keys(probe.services)
        .filter((service) => !required.has(service) && probe.services[service] !== "disabled")
        .map((service) => [service, probe.services[service] ?? ""]),
    ),
  );
  const init = probe.init;
  ctx.output.line();
  if (!init) ctx.output.line("Init hooks: no answer from /_localstack/init/ready yet");
  else {
    const scripts = init.scripts.map((script) => `${script.name} ${script.state}`).join(", ");
    ctx.output.line(
      `Init hooks (ready.d): ${init.completed ? "completed" : "running"}${scripts ? ` — ${scripts}` : ""}`,
    );
  }
}

/** One progress phrase per probe: what is still awaited and for how long. */
export function progressText(progress: WaitProgress): string {
  const seconds = Math.round(progress.elapsedMs / 1000);
  const { probe, readiness: state } = progress;
  const detail = probe.reachable ? "" : ` (${probe.detail})`;
  return `waiting for ${state.waitingFor}${detail}, ${seconds} s`;
}
