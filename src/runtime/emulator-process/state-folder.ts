import { accessSync, constants, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { OperatorError } from "../config/errors.js";

/** The emulator's state folder (emulator.persistDir / --persist) cannot be written. */
export class StateFolderError extends OperatorError {
  override name = "StateFolderError";
}

/**
 * Checks, before an emulator starts on it, that the state folder can be written: the folder
 * itself (created when missing), each service's subfolder and the files in them. An emulator on
 * a folder it cannot write would start, answer, and then fail its first write (or retry it
 * forever); saying so at start names the folder and the way out instead.
 */
export function checkStateFolder(dir: string, flag = "--persist"): void {
  const refuse = (path: string, error: unknown): never => {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    const why =
      code === "ENOTDIR" || code === "EEXIST"
        ? "a file is in the way"
        : code === "EACCES" || code === "EPERM"
          ? "permission denied"
          : code === "EROFS"
            ? "read-only file system"
            : (error as Error).message;
    throw new StateFolderError(
      `cannot write the emulator's state folder ${dir} (${path === dir ? "" : `${path}: `}${why}, ${code}); ` +
        `choose a folder you can write (${flag}; env PIPELINE_EMULATOR_PERSIST_DIR)` +
        (code === "EACCES" || code === "EPERM" ? ", or fix its permissions" : ""),
    );
  };
  try {
    mkdirSync(dir, { recursive: true });
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error("not a folder"), { code: "ENOTDIR" });
  } catch (error) {
    refuse(dir, error);
  }
  const folders = [dir];
  for (const entry of safeList(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) folders.push(path);
    else writable(path, refuse);
  }
  for (const folder of folders.slice(1)) {
    for (const entry of safeList(folder)) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) folders.push(path);
      else writable(path, refuse);
    }
  }
  // A probe file in each folder: access() says yes to root on a read-only mount, a write does not.
  for (const folder of folders) {
    const probe = join(folder, `.write-check-${process.pid}`);
    try {
      writeFileSync(probe, "");
      rmSync(probe, { force: true });
    } catch (error) {
      refuse(folder, error);
    }
  }
}

function safeList(dir: string) {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function writable(path: string, refuse: (path: string, error: unknown) => never): void {
  try {
    accessSync(path, constants.W_OK);
  } catch (error) {
    refuse(path, error);
  }
}
