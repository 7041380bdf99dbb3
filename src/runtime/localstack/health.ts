/**
 * LocalStack's readiness, read the way LocalStack documents it: GET /_localstack/health lists each
 * service's state ("available" before first use, "running" after), and GET /_localstack/init/ready
 * says whether the READY-stage init hooks (localstack/init/ready.d) have completed and how each
 * script ended. The pipeline emulator serves both paths too, so this code is tested against it.
 */

/** The services the pipeline uses, as LocalStack names them (SERVICES in docker-compose.yml). */
export const PIPELINE_SERVICES = [
  "dynamodb",
  "dynamodbstreams",
  "sqs",
  "events",
  "lambda",
  "logs",
  "cloudwatch",
  "iam",
  "sts",
  "opensearch",
] as const;

/** Service states that mean "answers requests" (LocalStack starts services lazily on first use). */
const USABLE_STATES = new Set(["available", "running"]);

export interface InitScript {
  stage: string;
  name: string;
  /** UNKNOWN, RUNNING, SUCCESSFUL or ERROR. */
  state: string;
}

export type LocalStackProbe =
  | { reachable: false; endpoint: string; detail: string }
  | {
      reachable: true;
      endpoint: string;
      /** Which program answered: LocalStack, or the pipeline's own emulator (which mimics these paths). */
      server: "localstack" | "pipeline-emulator";
      version: string | undefined;
      edition: string | undefined;
      services: Record<string, string>;
      /** undefined while LocalStack has not answered the init endpoint (older images, or still booting). */
      init: { completed: boolean; scripts: InitScript[] } | undefined;
    };

export interface Readiness {
  ready: boolean;
  /** Required services that are missing or not usable yet, with their state. */
  pendingServices: { service: string; state: string }[];
  /** Init scripts that ended in ERROR: waiting longer will not help. */
  failedScripts: InitScript[];
  /** What is still awaited, in one phrase ("health endpoint", "services: lambda (starting)", "init hooks"). */
  waitingFor: string;
}

export async function probeLocalStack(endpoint: string, timeoutMs = 2000): Promise<LocalStackProbe> {
  const base = endpoint.replace(/\/+$/, "");
  let health: Response;
  try {
    health = await fetch(`${base}/_localstack/health`, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    return { reachable: false, endpoint: base, detail: describeFetchError(error, timeoutMs) };
  }
  if (!health.ok) {
    await health.body?.cancel();
    return {
      reachable: false,
      endpoint: base,
      detail: `GET /_localstack/health answered HTTP ${health.status}`,
    };
  }
  let body: { services?: unknown; version?: unknown; edition?: unknown; emulator?: unknown };
  try {
    body = (await health.json()) as typeof body;
  } catch {
    return { reachable: false, endpoint: base, detail: "GET /_localstack/health did not answer JSON" };
  }
  const services: Record<string, string> = {};
  if (body.services && typeof body.services === "object") {
    for (const [name, state] of Object.entries(body.services as Record<string, unknown>)) {
      services[name] = String(state);
    }
  }
  return {
    reachable: true,
    endpoint: base,
    server: body.emulator === "pipeline" ? "pipeline-emulator" : "localstack",
    version: typeof body.version === "string" ? body.version : undefined,
    edition: typeof body.edition === "string" ? body.edition : undefined,
    services,
    init: await probeInitReady(base, timeoutMs),
  };
}

async function probeInitReady(
  base: string,
  timeoutMs: number,
): Promise<{ completed: boolean; scripts: InitScript[] } | undefined> {
  try {
    const response = await fetch(`${base}/_localstack/init/ready`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) {
      await response.body?.cancel();
      return undefined;
    }
    const body = (await response.json()) as { completed?: unknown; scripts?: unknown };
    const scripts = Array.isArray(body.scripts)
      ? body.scripts.map((script: Record<string, unknown>) => ({
          stage: String(script["stage"] ?? ""),
          name: String(script["name"] ?? ""),
          state: String(script["state"] ?? ""),
        }))
      : [];
    return { completed: body.completed === true, scripts };
  } catch {
    return undefined;
  }
}

export function readiness(
  probe: LocalStackProbe,
  required: readonly string[] = PIPELINE_SERVICES,
): Readiness {
  if (!probe.reachable) {
    return { ready: false, pendingServices: [], failedScripts: [], waitingFor: "the health endpoint" };
  }
  const pendingServices = required
    .map((service) => ({ service, state: probe.services[service] ?? "missing" }))
    .filter(({ state }) => !USABLE_STATES.has(state));
  const failedScripts = probe.init?.scripts.filter((script) => script.state === "ERROR") ?? [];
  const initDone = probe.init?.completed === true;
  const waitingFor = pendingServices.length
    ? `services: ${pendingServices.map(({ service, state }) => `${service} (${state})`).join(", ")}`
    : initDone
      ? ""
      : "init hooks (ready.d)";
  return {
    ready: pendingServices.length === 0 && initDone && failedScripts.length === 0,
    pendingServices,
    failedScripts,
    waitingFor,
  };
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return `no answer within ${timeoutMs} ms`;
  }
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === "ECONNREFUSED") return "connection refused (nothing listens there)";
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
