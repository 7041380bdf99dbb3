import { randomBytes } from "node:crypto";
import { linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

/**
 * One owner per state folder. Two emulators on one `--persist` folder would open the same LevelDB
 * and journals (the second one fails its first write, or worse, both write). The owner file is
 * created with O_EXCL before any store opens; it names the owner's pid, the start time of that
 * process (so a recycled pid is not taken for a live owner) and, once the gateway listens, its URL.
 * A file whose process is gone (kill -9, a crash) is taken over.
 */

export const OWNER_FILE = "owner.json";

export interface StateFolderOwner {
  pid: number;
  /** The owner's endpoint; null while it is still starting. */
  url: string | null;
  /** ISO-8601 time the owner took the folder. */
  since: string;
  /** The process's start time as the OS reports it (Linux: /proc/<pid>/stat), when known. */
  processStart?: string;
}

export class StateFolderInUseError extends Error {
  override readonly name = "StateFolderInUseError";
  readonly code = "STATE_FOLDER_IN_USE";
  constructor(
    readonly folder: string,
    readonly owner: StateFolderOwner,
  ) {
    super(
      `the state folder ${folder} is in use by the emulator ${owner.url ? `at ${owner.url}` : "starting up"} ` +
        `(pid ${owner.pid})`,
    );
  }
}

export interface StateFolderLock {
  readonly folder: string;
  /** Records the owner's URL once the gateway listens. */
  setUrl(url: string): void;
  release(): void;
}

/** Folders owned by emulators of this process (a second one in the same process is refused too). */
const heldHere = new Set<string>();

export function acquireStateFolder(folder: string): StateFolderLock {
  const dir = resolve(folder);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, OWNER_FILE);
  const mine: StateFolderOwner = {
    pid: process.pid,
    url: null,
    since: new Date().toISOString(),
    ...optional("processStart", processStartTime(process.pid)),
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    // Written whole to a temp file, then linked into place: link(2) fails if the owner file
    // exists, and a reader never sees a half-written one.
    const temp = `${path}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
    writeFileSync(temp, JSON.stringify(mine));
    try {
      linkSync(temp, path);
      heldHere.add(dir);
      return lockOf(dir, path, mine);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    } finally {
      rmSync(temp, { force: true });
    }
    const text = readText(path);
    if (text === undefined) continue; // released in between: try again
    const owner = parseOwner(text);
    if (owner && ownerIsAlive(owner, dir)) throw new StateFolderInUseError(dir, owner);
    takeOver(path, text);
  }
  throw new Error(`could not take the state folder ${dir}: its owner file keeps changing`);
}

/** The live owner of a folder, or undefined when nobody (alive) owns it. */
export function stateFolderOwner(folder: string): StateFolderOwner | undefined {
  const dir = resolve(folder);
  const text = readText(join(dir, OWNER_FILE));
  const owner = text === undefined ? undefined : parseOwner(text);
  return owner && ownerIsAlive(owner, dir) ? owner : undefined;
}

/** Empties a state folder except its owner file (a reset of every service). */
export function emptyStateFolder(folder: string): void {
  for (const name of readdirSync(folder)) {
    if (name !== OWNER_FILE) rmSync(join(folder, name), { recursive: true, force: true });
  }
}

function lockOf(dir: string, path: string, mine: StateFolderOwner): StateFolderLock {
  let released = false;
  return {
    folder: dir,
    setUrl(url) {
      if (released) return;
      const temp = `${path}.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify({ ...mine, url }));
      renameSync(temp, path);
    },
    release() {
      if (released) return;
      released = true;
      heldHere.delete(dir);
      const text = readText(path);
      // Only our own file: never remove the file of an owner that took over after us.
      if (text !== undefined && parseOwner(text)?.pid === process.pid) rmSync(path, { force: true });
    },
  };
}

/**
 * Moves a dead owner's file aside, then checks that what moved is the file judged dead (another
 * starter may have taken the folder in between; its file is put back).
 */
function takeOver(path: string, judged: string): void {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  if (readText(aside) !== judged) {
    renameSync(aside, path);
    return;
  }
  rmSync(aside, { force: true });
}

function ownerIsAlive(owner: StateFolderOwner, dir: string): boolean {
  if (owner.pid === process.pid) return heldHere.has(dir);
  if (!pidExists(owner.pid)) return false;
  // A recycled pid: the process with that number started after the owner took the folder.
  const started = processStartTime(owner.pid);
  if (owner.processStart !== undefined && started !== undefined && started !== owner.processStart)
    return false;
  return true;
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); undefined off Linux. */
function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may contain spaces: count from after it.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19];
  } catch {
    return undefined;
  }
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function parseOwner(text: string): StateFolderOwner | undefined {
  try {
    const owner = JSON.parse(text) as Partial<StateFolderOwner>;
    if (!Number.isInteger(owner.pid)) return undefined;
    return {
      pid: owner.pid as number,
      url: typeof owner.url === "string" ? owner.url : null,
      since: typeof owner.since === "string" ? owner.since : "",
      ...optional("processStart", typeof owner.processStart === "string" ? owner.processStart : undefined),
    };
  } catch {
    // Not an owner file (edited by hand?): nobody we can name owns the folder.
    return undefined;
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
