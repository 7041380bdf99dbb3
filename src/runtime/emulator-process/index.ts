/**
 * The detached emulator's lifecycle (`pipeline emulator start --detach | status | stop`): a PID
 * file in the state folder (.pipeline), the child's log next to it, and the health endpoint as the
 * proof that the process is the emulator. Returns data; the emulator commands render it.
 */
import { join } from "node:path";

export { EMULATOR_HEALTH_PATH, probeEmulatorHealth } from "./health.js";
export type { EmulatorHealthBody, EmulatorProbe } from "./health.js";
export {
  LOG_FILE_NAME,
  PID_FILE_NAME,
  pidFilePath,
  readPidFile,
  removePidFile,
  writePidFile,
} from "./pid-file.js";
export type { EmulatorPidFile } from "./pid-file.js";
export { isProcessAlive, terminateProcess, waitForExit } from "./process.js";
export type { TerminateOptions, TerminateOutcome } from "./process.js";
export {
  EmulatorAlreadyRunningError,
  EmulatorStartError,
  PortInUseError,
  startDetachedEmulator,
} from "./detach.js";
export type { DetachOptions, DetachedEmulator } from "./detach.js";
export { emulatorState } from "./status.js";
export type { EmulatorState } from "./status.js";
export { stopDetachedEmulator } from "./stop.js";
export {
  checkStateFolder,
  StateFolderError,
  StateFolderInUseError,
  stateFolderInUse,
} from "./state-folder.js";
export type { StopOutcome } from "./stop.js";

/** The CLI's state folder: PID file and log of a detached emulator (the emulator's data is in persistDir). */
export const STATE_DIR_NAME = ".pipeline";

export function stateDirFor(cwd: string): string {
  return join(cwd, STATE_DIR_NAME);
}
