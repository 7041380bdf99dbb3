import { resolve as resolvePath } from "node:path";
import { describeSource } from "../config/errors.js";
import type { ResolvedConfig } from "../config/resolve.js";
import type { EmulatorOptions } from "../emulator/index.js";
import { checkStateFolder, stateFolderInUse } from "../emulator-process/state-folder.js";
import { EmulatorUnavailableError, EndpointUnavailableError } from "./errors.js";

/** What the CLI uses for the target's endpoint, and whether this process started it. */
export interface LocalEndpoint {
  url: string;
  /** True when this process started the emulator (it stops with `stop()`). */
  startedHere: boolean;
  /**
   * Something the command should tell the operator (one line): e.g. that this checkout's emulator
   * runs on another port than configured and is used there.
   */
  notice?: string;
  stop(): Promise<void>;
}

/** The emulator's lifecycle API, as src/runtime/emulator/index.ts exports it. */
interface EmulatorModule {
  createEmulator(options: EmulatorOptions): Promise<{ url: string; stop(): Promise<void> }>;
  /** The live owner of a state folder (one emulator per folder), if any. */
  stateFolderOwner?(folder: string): { pid: number; url: string | null } | undefined;
  StateFolderInUseError?: new (...args: never[]) => Error & {
    folder: string;
    owner: { pid: number; url: string | null };
  };
}

export interface EnsureLocalEndpointOptions {
  /** Folder relative paths (emulator.persistDir) are resolved against. */
  cwd: string;
  /** How long the health probe waits for an answer. */
  probeTimeoutMs?: number;
  /** Loads the emulator; injected by tests. */
  loadEmulator?: () => Promise<EmulatorModule>;
}

const HEALTH_PATH = "/_emulator/health";
const OTHER_FOLDER =
  "give this command another state folder (emulator.persistDir, env PIPELINE_EMULATOR_PERSIST_DIR)";

/**
 * Makes sure the `local` target's endpoint answers. If the pipeline emulator already answers on
 * the configured endpoint (`pipeline emulator start` in another terminal), it is used. If nothing
 * listens and the endpoint is the default one (derived from emulator.port), the embedded emulator
 * is started in this process, persisting to emulator.persistDir so state survives between commands.
 * An explicitly configured endpoint is never replaced: if it does not answer, that is an error.
 * Other targets are returned as they are.
 */
export async function ensureLocalEndpoint(
  resolved: ResolvedConfig,
  options: EnsureLocalEndpointOptions,
): Promise<LocalEndpoint> {
  const { config } = resolved;
  const url = config.endpoint;
  if (config.target !== "local" || !url) {
    return { url: url ?? "", startedHere: false, stop: async () => {} };
  }
  const timeoutMs = options.probeTimeoutMs ?? 1500;
  const probe = await probeEmulator(url, timeoutMs);
  if (probe.kind === "pipeline") return { url, startedHere: false, stop: async () => {} };
  if (probe.kind === "other") {
    throw new EndpointUnavailableError(
      `${url} answers, but not as the pipeline emulator (${probe.detail}); free port ${config.emulator.port} ` +
        "or choose another with emulator.port (env PIPELINE_EMULATOR_PORT)",
    );
  }
  const source = resolved.sources.get("endpoint");
  if (source?.kind !== "default") {
    throw new EndpointUnavailableError(
      `nothing answers at ${url} (endpoint from ${source ? describeSource(source) : "config"}); ` +
        "start the emulator there (pipeline emulator start) or unset the endpoint to let the CLI start one",
    );
  }

  const persistDir = resolvePath(options.cwd, config.emulator.persistDir);
  checkStateFolder(persistDir, "emulator.persistDir");
  const module = await loadEmulatorModule(options.loadEmulator);
  // This checkout's emulator may run on another port than configured (started with --port): its
  // state folder names it. Use it, and say so, rather than start a second one on the same folder.
  const owner = module.stateFolderOwner?.(persistDir);
  if (owner) {
    if (owner.url && (await probeEmulator(owner.url, timeoutMs)).kind === "pipeline") {
      return {
        url: owner.url,
        startedHere: false,
        stop: async () => {},
        notice:
          `nothing answers at ${url} (emulator.port ${config.emulator.port}), but this checkout's emulator ` +
          `runs at ${owner.url} (pid ${owner.pid}, state ${persistDir}): using it. ` +
          `Set PIPELINE_EMULATOR_PORT=${new URL(owner.url).port} to make that the configured one.`,
      };
    }
    throw stateFolderInUse(persistDir, owner, OTHER_FOLDER);
  }
  const emulatorOptions: EmulatorOptions = {
    port: config.emulator.port,
    persistDir,
    region: config.region,
    ...(config.account ? { accountId: config.account } : {}),
    settings: {
      retryWaitScale: config.emulator.retryWaitScale,
      ttlSweepIntervalMs: config.emulator.ttlSweepSeconds * 1000,
    },
  };
  try {
    const emulator = await module.createEmulator(emulatorOptions);
    return { url: emulator.url, startedHere: true, stop: () => emulator.stop() };
  } catch (error) {
    if (module.StateFolderInUseError && error instanceof module.StateFolderInUseError) {
      throw stateFolderInUse(error.folder, error.owner, OTHER_FOLDER);
    }
    // Another CLI process may have started one between our probe and our listen.
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      const again = await probeEmulator(url, timeoutMs);
      if (again.kind === "pipeline") return { url, startedHere: false, stop: async () => {} };
      throw new EndpointUnavailableError(
        `port ${config.emulator.port} is in use; free it or set emulator.port (env PIPELINE_EMULATOR_PORT)`,
      );
    }
    throw error;
  }
}

type Probe = { kind: "pipeline" } | { kind: "none" } | { kind: "other"; detail: string };

async function probeEmulator(url: string, timeoutMs: number): Promise<Probe> {
  let response: Response;
  try {
    response = await fetch(new URL(HEALTH_PATH, url), { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
      return { kind: "other", detail: `no answer to GET ${HEALTH_PATH} within ${timeoutMs} ms` };
    }
    return { kind: "none" };
  }
  const text = await response.text().catch(() => "");
  if (!response.ok) return { kind: "other", detail: `GET ${HEALTH_PATH} answered ${response.status}` };
  try {
    const body = JSON.parse(text) as { emulator?: unknown };
    if (body.emulator === "pipeline") return { kind: "pipeline" };
  } catch {
    // not JSON: some other program
  }
  return { kind: "other", detail: `GET ${HEALTH_PATH} did not answer as the pipeline emulator` };
}

async function loadEmulatorModule(load?: () => Promise<EmulatorModule>): Promise<EmulatorModule> {
  try {
    return await (load ?? (() => import("../emulator/index.js")))();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
      throw new EmulatorUnavailableError(
        "the embedded emulator is not part of this build (runtime/emulator/index.js is missing); " +
          "run `npm run build`, or point --endpoint-url at a running emulator or LocalStack",
      );
    }
    throw error;
  }
}
