import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  OWNER_FILE,
  StateFolderInUseError,
  acquireStateFolder,
  stateFolderOwner,
} from "../../../../src/runtime/emulator/core/state-folder.js";

/**
 * One owner per state folder: the owner file an emulator takes before it opens any store, what a
 * second emulator gets, and when a claim is stale (its process is gone, or the pid was recycled).
 */

const dirs: string[] = [];
const children: ChildProcess[] = [];
function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), "pipeline-owner-"));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A process that stays alive until the test ends (another emulator, as far as the folder can tell). */
async function liveProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  children.push(child);
  await new Promise((done) => child.once("spawn", done));
  return child;
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((done) => child.once("exit", done));
  return child.pid as number;
}

function writeOwner(dir: string, owner: object): void {
  writeFileSync(join(dir, OWNER_FILE), JSON.stringify(owner));
}

describe("state folder ownership", () => {
  it("a second claim on a folder another live process owns is refused, naming its pid and URL", async () => {
    const dir = folder();
    const other = await liveProcess();
    writeOwner(dir, { pid: other.pid, url: "http://127.0.0.1:4795", since: new Date().toISOString() });

    let refusal: unknown;
    try {
      acquireStateFolder(dir);
    } catch (error) {
      refusal = error;
    }

    expect(refusal).toBeInstanceOf(StateFolderInUseError);
    expect((refusal as StateFolderInUseError).folder).toBe(dir);
    expect((refusal as StateFolderInUseError).owner).toMatchObject({
      pid: other.pid,
      url: "http://127.0.0.1:4795",
    });
    expect(stateFolderOwner(dir)).toMatchObject({ pid: other.pid });
    // The refused claim left the owner's file as it was.
    expect(JSON.parse(readFileSync(join(dir, OWNER_FILE), "utf8"))).toMatchObject({ pid: other.pid });
  });

  it("the claim of a process that is gone (kill -9) is taken over", async () => {
    const dir = folder();
    writeOwner(dir, { pid: await deadPid(), url: "http://127.0.0.1:1", since: "" });
    expect(stateFolderOwner(dir)).toBeUndefined();

    const lock = acquireStateFolder(dir);

    expect(stateFolderOwner(dir)).toMatchObject({ pid: process.pid, url: null });
    lock.release();
  });

  it("a live pid whose process started after the claim (a recycled pid) is not the owner", async () => {
    const dir = folder();
    const other = await liveProcess();
    writeOwner(dir, { pid: other.pid, url: null, since: "", processStart: "1" });
    expect(stateFolderOwner(dir)).toBeUndefined();

    const lock = acquireStateFolder(dir);
    expect(stateFolderOwner(dir)?.pid).toBe(process.pid);
    lock.release();
  });

  it("an owner file that is not one (edited by hand, empty) names no owner and is taken over", () => {
    const dir = folder();
    writeFileSync(join(dir, OWNER_FILE), "");
    const lock = acquireStateFolder(dir);
    expect(stateFolderOwner(dir)?.pid).toBe(process.pid);
    lock.release();
  });

  it("within one process a folder has one owner too; release frees it, and only the owner's file is removed", () => {
    const dir = folder();
    const first = acquireStateFolder(dir);
    first.setUrl("http://127.0.0.1:4600");
    expect(() => acquireStateFolder(dir)).toThrow(StateFolderInUseError);
    expect(stateFolderOwner(dir)).toMatchObject({ pid: process.pid, url: "http://127.0.0.1:4600" });

    first.release();
    expect(existsSync(join(dir, OWNER_FILE))).toBe(false);
    expect(stateFolderOwner(dir)).toBeUndefined();

    const second = acquireStateFolder(dir);
    first.release(); // a late second release of the first claim must not remove the second's file
    expect(stateFolderOwner(dir)?.pid).toBe(process.pid);
    second.release();
  });
});
