import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
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
            : code === "ENOENT"
              ? "the file system there makes no folders"
              : (error as Error).message;
    throw new StateFolderError(
      `cannot write the emulator's state folder ${dir} (${path === dir ? "" : `${path}: `}${why}, ${code}); ` +
        `choose a folder you can write (${flag}; env PIPELINE_EMULATOR_PERSIST_DIR)` +
        (code === "EACCES" || code === "EPERM" ? ", or fix its permissions" : ""),
    );
  };
  try {
    makeFolders(dir);
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

/**
 * mkdir -p one level at a time. Node's mkdirSync(dir, { recursive: true }) never returns where the
 * parent exists but refuses the child with ENOENT (under /proc, for one): it spun a core forever.
 */
function makeFolders(dir: string): void {
  const missing: string[] = [];
  for (let current = resolve(dir); !existsSync(current); current = dirname(current)) {
    missing.unshift(current);
    if (dirname(current) === current) break;
  }
  for (const folder of missing) mkdirSync(folder);
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

/** Another emulator owns the state folder (one owner per folder); exit 2. */
export class StateFolderInUseError extends OperatorError {
  override name = "StateFolderInUseError";
}

/**
 * The refusal a second emulator on a folder gets: the folder, the running emulator's URL and pid,
 * and the two ways out (use the running one, or give this one a folder of its own).
 */
export function stateFolderInUse(
  folder: string,
  owner: { pid: number; url: string | null },
  otherWay = "start this one on another folder (--persist <dir>, or --in-memory for none)",
): StateFolderInUseError {
  const where = owner.url ? `the emulator at ${owner.url}` : "an emulator that is still starting";
  const port = owner.url ? new URL(owner.url).port : undefined;
  const useIt = owner.url
    ? `use that one (AWS_ENDPOINT_URL=${owner.url}; pipeline commands: PIPELINE_EMULATOR_PORT=${port})`
    : "wait for it and use it";
  return new StateFolderInUseError(
    `the state folder ${folder} belongs to ${where} (pid ${owner.pid}); ${useIt}, or ${otherWay}`,
  );
}
