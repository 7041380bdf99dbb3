import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The PID file of a detached emulator (`pipeline emulator start --detach`): which process serves
 * which endpoint, written by the parent once the child is spawned, removed by `emulator stop`.
 * JSON so `status` can say where the log and the state are without asking the process.
 */
export interface EmulatorPidFile {
  pid: number;
  port: number;
  url: string;
  persistDir: string | null;
  logFile: string;
  /** ISO-8601 time the child was spawned. */
  startedAt: string;
}

export const PID_FILE_NAME = "emulator.json";
export const LOG_FILE_NAME = "emulator.log";

export function pidFilePath(stateDir: string): string {
  return join(stateDir, PID_FILE_NAME);
}

export function writePidFile(stateDir: string, content: EmulatorPidFile): void {
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(pidFilePath(stateDir), `${JSON.stringify(content, null, 2)}\n`);
}

/** The PID file, undefined when there is none; a file that is not ours is reported, not guessed at. */
export function readPidFile(stateDir: string): EmulatorPidFile | undefined {
  let text: string;
  try {
    text = readFileSync(pidFilePath(stateDir), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  let parsed: Partial<EmulatorPidFile>;
  try {
    parsed = JSON.parse(text) as Partial<EmulatorPidFile>;
  } catch {
    throw new Error(`${pidFilePath(stateDir)} is not JSON; delete it if no emulator runs`);
  }
  if (!Number.isInteger(parsed.pid) || !Number.isInteger(parsed.port) || typeof parsed.url !== "string") {
    throw new Error(`${pidFilePath(stateDir)} lacks pid, port or url; delete it if no emulator runs`);
  }
  return {
    pid: parsed.pid!,
    port: parsed.port!,
    url: parsed.url,
    persistDir: parsed.persistDir ?? null,
    logFile: parsed.logFile ?? join(stateDir, LOG_FILE_NAME),
    startedAt: parsed.startedAt ?? "",
  };
}

export function removePidFile(stateDir: string): void {
  rmSync(pidFilePath(stateDir), { force: true });
}
