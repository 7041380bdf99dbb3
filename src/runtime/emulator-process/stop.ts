import { readPidFile, removePidFile, type EmulatorPidFile } from "./pid-file.js";
import { isProcessAlive, processCommandLine, terminateProcess, type TerminateOptions } from "./process.js";

export type StopOutcome =
  | { outcome: "stopped" | "killed"; pidFile: EmulatorPidFile }
  | { outcome: "stale"; pidFile: EmulatorPidFile }
  | { outcome: "not-running" };

/**
 * Stops the detached emulator named by the PID file: SIGTERM (it stops its services and writes its
 * state), SIGKILL after the grace period; then removes the PID file. A stale PID file is removed.
 */
export async function stopDetachedEmulator(
  stateDir: string,
  options: TerminateOptions = {},
): Promise<StopOutcome> {
  const pidFile = readPidFile(stateDir);
  if (!pidFile) return { outcome: "not-running" };
  const commandLine = processCommandLine(pidFile.pid);
  const ours = commandLine === undefined || commandLine.includes("emulator");
  if (!isProcessAlive(pidFile.pid) || !ours) {
    removePidFile(stateDir);
    return { outcome: "stale", pidFile };
  }
  const result = await terminateProcess(pidFile.pid, options);
  removePidFile(stateDir);
  return result === "not-running" ? { outcome: "stale", pidFile } : { outcome: result, pidFile };
}
