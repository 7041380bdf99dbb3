import { readFileSync } from "node:fs";

/** Whether a process with this id exists (EPERM: it exists but belongs to someone else). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * The process's command line where the OS shows it (Linux /proc), so a recycled PID is not taken
 * for our emulator; undefined elsewhere.
 */
export function processCommandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return undefined;
  }
}

export interface TerminateOptions {
  /** How long the process gets to stop after SIGTERM before SIGKILL. */
  graceMs?: number;
  /** How long to wait for the process to be gone after SIGKILL. */
  killWaitMs?: number;
  pollMs?: number;
}

export type TerminateOutcome = "not-running" | "stopped" | "killed";

/** SIGTERM, wait for the process to exit, SIGKILL after the grace period. */
export async function terminateProcess(
  pid: number,
  options: TerminateOptions = {},
): Promise<TerminateOutcome> {
  const graceMs = options.graceMs ?? 10_000;
  const pollMs = options.pollMs ?? 50;
  if (!signal(pid, "SIGTERM")) return "not-running";
  if (await waitForExit(pid, graceMs, pollMs)) return "stopped";
  signal(pid, "SIGKILL");
  if (await waitForExit(pid, options.killWaitMs ?? 5_000, pollMs)) return "killed";
  throw new Error(`process ${pid} is still running after SIGKILL`);
}

function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}

/** Polls until the process is gone; true when it went within the time. */
export async function waitForExit(pid: number, timeoutMs: number, pollMs = 50): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (isProcessAlive(pid)) {
    if (Date.now() >= until) return false;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  return true;
}
