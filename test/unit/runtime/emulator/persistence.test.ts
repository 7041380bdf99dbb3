import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FileStore } from "../../../../src/runtime/emulator/core/persistence.js";

/**
 * The journal under `--persist`: what a crash can leave in the files (a torn last line, a journal
 * already folded into a snapshot) and what the next start makes of it.
 */

type Entry = { n: number; text?: string };
type Snapshot = { upTo: number };

const dirs: string[] = [];
function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), "pipeline-journal-"));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function open(dir: string) {
  const notes: string[] = [];
  const store = new FileStore<Snapshot, Entry>(dir, "svc", (message) => notes.push(message));
  return { store, notes, journal: join(dir, "svc", "journal.jsonl") };
}

describe("FileStore journal", () => {
  it("a torn last line is cut at load: the next append is a line of its own and every entry survives the following start", () => {
    const dir = folder();
    const first = open(dir);
    first.store.load();
    for (let n = 1; n <= 3; n++) first.store.append({ n });
    first.store.close();
    const intactJournal = readFileSync(first.journal, "utf8");
    // The process died inside the fourth append: half a line, no newline.
    appendFileSync(first.journal, '{"n":4,"te');

    const second = open(dir);
    expect(second.store.load().entries).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(second.notes).toEqual([expect.stringMatching(/svc: cut a torn last journal line \(10 bytes/)]);
    // The file itself is cut back to its last whole line at load, before anything is appended.
    expect(readFileSync(second.journal, "utf8")).toBe(intactJournal);
    second.store.append({ n: 5 });
    second.store.append({ n: 6 });
    second.store.close();
    // Each later entry is a line of its own (not glued onto the fragment for a reader to salvage).
    expect(readFileSync(second.journal, "utf8")).toBe(intactJournal + '{"n":5}\n{"n":6}\n');

    const third = open(dir);
    expect(third.store.load().entries).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 5 }, { n: 6 }]);
    expect(third.notes).toEqual([]);
    expect(third.store.journalLength).toBe(5);
  });

  it("a journal written before the fix, with an entry glued to a torn fragment, gives back the glued entry and the ones after it", () => {
    const dir = folder();
    const { journal } = open(dir);
    writeFileSync(journal, ['{"n":1}', '{"n":2,"te{"n":3}', '{"n":4}', ""].join("\n"));
    const reopened = open(dir);
    expect(reopened.store.load().entries).toEqual([{ n: 1 }, { n: 3 }, { n: 4 }]);
    expect(reopened.notes).toEqual([
      expect.stringContaining("1 entry recovered, 0 unreadable line(s) skipped"),
    ]);
  });

  it("compaction folds the journal into the snapshot; a crash before the journal restarts never replays it twice", () => {
    const dir = folder();
    const first = open(dir);
    first.store.load();
    first.store.append({ n: 1 });
    first.store.append({ n: 2 });
    const beforeCompaction = readFileSync(first.journal, "utf8");
    first.store.compact({ upTo: 2 });
    first.store.append({ n: 3 });
    first.store.close();

    const second = open(dir);
    expect(second.store.load()).toEqual({ snapshot: { upTo: 2 }, entries: [{ n: 3 }] });
    second.store.close();

    // The crash window: the new snapshot is in place, the journal still holds what it folded in.
    writeFileSync(second.journal, beforeCompaction);
    const third = open(dir);
    expect(third.store.load()).toEqual({ snapshot: { upTo: 2 }, entries: [] });
    expect(third.notes).toEqual([expect.stringContaining("dropped a journal of 2 entries already folded")]);
    third.store.append({ n: 4 });
    third.store.close();
    expect(open(dir).store.load()).toEqual({ snapshot: { upTo: 2 }, entries: [{ n: 4 }] });
  });

  it("reads a snapshot and journal written before epochs existed", () => {
    const dir = folder();
    const { journal } = open(dir);
    writeFileSync(join(dir, "svc", "snapshot.json"), JSON.stringify({ upTo: 7 }));
    writeFileSync(journal, '{"n":8}\n');
    const reopened = open(dir);
    expect(reopened.store.load()).toEqual({ snapshot: { upTo: 7 }, entries: [{ n: 8 }] });
    reopened.store.compact({ upTo: 8 });
    reopened.store.close();
    expect(open(dir).store.load()).toEqual({ snapshot: { upTo: 8 }, entries: [] });
  });

  it("clear removes everything the service stored", () => {
    const dir = folder();
    const { store } = open(dir);
    store.load();
    store.append({ n: 1 });
    store.compact({ upTo: 1 });
    store.append({ n: 2 });
    writeFileSync(join(store.directory, "own-file"), "x");
    store.clear();
    const reopened = open(dir);
    expect(reopened.store.load()).toEqual({ snapshot: undefined, entries: [] });
  });

  it("a cleared store is retired: a late write of the module being reset throws instead of bringing old state back", () => {
    const dir = folder();
    const { store } = open(dir);
    store.load();
    store.append({ n: 1 });
    store.clear();

    expect(() => store.append({ n: 2 })).toThrow("svc: its state was reset; this store is no longer used");
    expect(() => store.compact({ upTo: 2 })).toThrow("its state was reset");
    expect(open(dir).store.load()).toEqual({ snapshot: undefined, entries: [] });
  });
});
