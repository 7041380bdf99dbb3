import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { OperatorError } from "../config/errors.js";
import { probeEmulatorHealth, type EmulatorHealthBody } from "./health.js";
import { LOG_FILE_NAME, readPidFile, removePidFile, writePidFile, type EmulatorPidFile } from "./pid-file.js";
import { isProcessAlive } from "./process.js";

export class EmulatorAlreadyRunningError extends OperatorError {
  override name = "EmulatorAlreadyRunningError";
}

export class PortInUseError extends OperatorError {
  override name = "PortInUseError";
}

export class EmulatorStartError extends OperatorError {
  override name = "EmulatorStartError";
}

export interface DetachOptions {
  /** Folder for the PID file and the child's log (.pipeline). */
  stateDir: string;
  port: number;
  persistDir: string | null;
  /** The command that runs the emulator in the foreground: [node, ...execArgv, cli entry, args...]. */
  command: readonly [string, ...string[]];
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** How long the child gets to answer /_emulator/health (default 60 s: all services start, on a busy machine). */
  readyTimeoutMs?: number;
}

export interface DetachedEmulator {
  pidFile: EmulatorPidFile;
  health: EmulatorHealthBody;
}

/**
 * Starts the emulator as a detached process that outlives the CLI: refuses when one already runs
 * (per the PID file or on the port), spawns the child with its output in .pipeline/emulator.log,
 * writes the PID file, and returns once /_emulator/health answers. If the child dies first, its log
 * says why and the PID file is removed.
 */
export async function startDetachedEmulator(options: DetachOptions): Promise<DetachedEmulator> {
  const url = `http://127.0.0.1:${options.port}`;
  const existing = readPidFile(options.stateDir);
  if (existing && isProcessAlive(existing.pid)) {
    throw new EmulatorAlreadyRunningError(
      `an emulator already runs at ${existing.url} (pid ${existing.pid}); stop it with: pipeline emulator stop`,
    );
  }
  if (existing) removePidFile(options.stateDir);
  const probe = await probeEmulatorHealth(url);
  if (probe.kind === "pipeline") {
    throw new EmulatorAlreadyRunningError(
      `an emulator already answers at ${url} (started in another terminal, not by --detach); ` +
        "stop it there, or choose another port with --port",
    );
  }
  if (probe.kind === "other") {
    throw new PortInUseError(
      `port ${options.port} is in use by another program (${probe.detail}); choose another with --port`,
    );
  }

  mkdirSync(options.stateDir, { recursive: true });
  const logFile = join(options.stateDir, LOG_FILE_NAME);
  const log = openSync(logFile, "w");
  const [executable, ...args] = options.command;
  let exited: string | undefined;
  const child = spawn(executable, args, {
    cwd: options.cwd,
    env: { ...options.env },
    detached: true,
    stdio: ["ignore", log, log],
  });
  closeSync(log);
  child.once("exit", (code, signalName) => {
    exited = signalName ? `killed by ${signalName}` : `exited with code ${code}`;
  });
  child.once("error", (error) => {
    exited = `could not start: ${error.message}`;
  });
  child.unref();
  const pid = child.pid;
  if (pid === undefined) {
    await new Promise((resolve) => setImmediate(resolve));
    throw new EmulatorStartError(`could not start the emulator process (${exited ?? "no pid"})`);
  }
  const pidFile: EmulatorPidFile = {
    pid,
    port: options.port,
    url,
    persistDir: options.persistDir,
    logFile,
    startedAt: new Date().toISOString(),
  };
  writePidFile(options.stateDir, pidFile);

  const until = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    const answer = await probeEmulatorHealth(url, 1000);
    if (answer.kind === "pipeline") return { pidFile, health: answer.health };
    if (exited !== undefined || !isProcessAlive(pid)) {
      removePidFile(options.stateDir);
      throw new EmulatorStartError(
        `the emulator process ${exited ?? "exited"} before answering: ${lastLines(logFile)}`,
      );
    }
    if (Date.now() >= until) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
      removePidFile(options.stateDir);
      throw new EmulatorStartError(
        `the emulator did not answer at ${url} within ${options.readyTimeoutMs ?? 60_000} ms; log: ${logFile}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function lastLines(file: string, count = 3): string {
  try {
    const lines = readFileSync(file, "utf8").trim().split("\n").filter(Boolean);
    return lines.slice(-count).join(" | ") || "(empty log)";
  } catch {
    return "(no log)";
  }
}
