import { probeEmulatorHealth, type EmulatorHealthBody } from "./health.js";
import { readPidFile, type EmulatorPidFile } from "./pid-file.js";
import { isProcessAlive, processCommandLine } from "./process.js";

/**
 * What runs, as `pipeline emulator status` shows it:
 * - running: the PID file's process answers (detached), or an emulator answers on the configured
 *   endpoint without a PID file (started in the foreground in another terminal);
 * - unresponsive: the PID file's process is alive but does not answer as the emulator;
 * - stale: the PID file names a process that is gone;
 * - not-running: no PID file and nothing answers.
 */
export type EmulatorState =
  | {
      state: "running";
      url: string;
      managed: boolean;
      pidFile: EmulatorPidFile | null;
      health: EmulatorHealthBody;
    }
  | { state: "unresponsive"; url: string; pidFile: EmulatorPidFile; detail: string }
  | { state: "stale"; pidFile: EmulatorPidFile; detail: string }
  | { state: "not-running"; url: string; detail: string };

export async function emulatorState(stateDir: string, configuredUrl: string): Promise<EmulatorState> {
  const pidFile = readPidFile(stateDir);
  if (pidFile) {
    if (!isProcessAlive(pidFile.pid) || !looksLikeOurs(pidFile.pid)) {
      return {
        state: "stale",
        pidFile,
        detail: `the PID file names process ${pidFile.pid}, which is not running an emulator`,
      };
    }
    const probe = await probeEmulatorHealth(pidFile.url);
    if (probe.kind === "pipeline") {
      return { state: "running", url: pidFile.url, managed: true, pidFile, health: probe.health };
    }
    return { state: "unresponsive", url: pidFile.url, pidFile, detail: probe.detail };
  }
  const probe = await probeEmulatorHealth(configuredUrl);
  if (probe.kind === "pipeline") {
    return { state: "running", url: configuredUrl, managed: false, pidFile: null, health: probe.health };
  }
  return {
    state: "not-running",
    url: configuredUrl,
    detail: probe.kind === "none" ? `nothing listens at ${configuredUrl}` : probe.detail,
  };
}

/** Where the OS shows command lines, a recycled PID running something else is not ours. */
function looksLikeOurs(pid: number): boolean {
  const commandLine = processCommandLine(pid);
  return commandLine === undefined || commandLine.includes("emulator");
}
