/** What answers at an endpoint's /_emulator/health: our emulator, nothing, or another program. */
export type EmulatorProbe =
  | { kind: "pipeline"; health: EmulatorHealthBody }
  | { kind: "none"; detail: string }
  | { kind: "other"; detail: string };

/** The body of GET /_emulator/health (see runtime/emulator/index.ts EmulatorHealth). */
export interface EmulatorHealthBody {
  emulator: "pipeline";
  endpoint: string;
  region: string;
  accountId: string;
  persistence: string | null;
  services: Record<string, string>;
  details?: Record<string, string | undefined>;
  /** The process serving the endpoint, and when its gateway started listening (ISO-8601). */
  pid?: number;
  startedAt?: string;
}

export const EMULATOR_HEALTH_PATH = "/_emulator/health";

export async function probeEmulatorHealth(url: string, timeoutMs = 1500): Promise<EmulatorProbe> {
  let response: Response;
  try {
    response = await fetch(new URL(EMULATOR_HEALTH_PATH, url), { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
      return { kind: "other", detail: `no answer to GET ${EMULATOR_HEALTH_PATH} within ${timeoutMs} ms` };
    }
    const cause = (error as { cause?: { code?: string } }).cause;
    return { kind: "none", detail: cause?.code ?? (error instanceof Error ? error.message : String(error)) };
  }
  const text = await response.text().catch(() => "");
  if (!response.ok) {
    return { kind: "other", detail: `GET ${EMULATOR_HEALTH_PATH} answered HTTP ${response.status}` };
  }
  try {
    const body = JSON.parse(text) as Partial<EmulatorHealthBody>;
    if (body.emulator === "pipeline" && body.services)
      return { kind: "pipeline", health: body as EmulatorHealthBody };
  } catch {
    // not JSON: another program
  }
  return { kind: "other", detail: `GET ${EMULATOR_HEALTH_PATH} did not answer as the pipeline emulator` };
}
