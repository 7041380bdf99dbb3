import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
  openSync,
  fsyncSync,
  closeSync,
} from "node:fs";
import { join } from "node:path";

/**
 * Durable state for one service under `--persist DIR`: a snapshot file plus an append-only journal.
 *
 * A service appends one journal entry per acknowledged change before it answers the request, with a
 * synchronous write: the data is in the kernel when the client sees success, so even `kill -9`
 * loses nothing acknowledged. On start the service loads the snapshot and replays the journal;
 * `compact` folds the journal into a new snapshot (written to a temp file and renamed, so a crash
 * mid-compaction leaves the old snapshot and journal intact).
 */
export interface ServiceStore<Snapshot, Entry> {
  readonly enabled: boolean;
  load(): { snapshot: Snapshot | undefined; entries: Entry[] };
  append(entry: Entry): void;
  compact(snapshot: Snapshot): void;
  /** Entries appended since the last compaction (a service compacts when this grows large). */
  readonly journalLength: number;
  /** Directory reserved for the service's own files (e.g. dynalite's LevelDB). */
  readonly directory: string | undefined;
}

export class NoPersistence<Snapshot, Entry> implements ServiceStore<Snapshot, Entry> {
  readonly enabled = false;
  readonly journalLength = 0;
  readonly directory = undefined;
  load() {
    return { snapshot: undefined, entries: [] as Entry[] };
  }
  append(): void {}
  compact(): void {}
}

export class FileStore<Snapshot, Entry> implements ServiceStore<Snapshot, Entry> {
  readonly enabled = true;
  readonly directory: string;
  private readonly snapshotPath: string;
  private readonly journalPath: string;
  private appended = 0;

  constructor(root: string, service: string) {
    this.directory = join(root, service);
    mkdirSync(this.directory, { recursive: true });
    this.snapshotPath = join(this.directory, "snapshot.json");
    this.journalPath = join(this.directory, "journal.jsonl");
  }

  get journalLength(): number {
    return this.appended;
  }

  load(): { snapshot: Snapshot | undefined; entries: Entry[] } {
    const snapshot = existsSync(this.snapshotPath)
      ? (JSON.parse(readFileSync(this.snapshotPath, "utf8")) as Snapshot)
      : undefined;
    const entries: Entry[] = [];
    if (existsSync(this.journalPath)) {
      const lines = readFileSync(this.journalPath, "utf8").split("\n");
      for (const line of lines) {
        if (!line.trim()) continue;
        try {
          entries.push(JSON.parse(line) as Entry);
        } catch {
          // A torn last line (the process died mid-append, before acknowledging) is not data.
          break;
        }
      }
    }
    this.appended = entries.length;
    return { snapshot, entries };
  }

  append(entry: Entry): void {
    appendFileSync(this.journalPath, JSON.stringify(entry) + "\n");
    this.appended++;
  }

  compact(snapshot: Snapshot): void {
    const temp = `${this.snapshotPath}.tmp`;
    writeFileSync(temp, JSON.stringify(snapshot));
    const fd = openSync(temp, "r");
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temp, this.snapshotPath);
    writeFileSync(this.journalPath, "");
    this.appended = 0;
  }
}

export function storeFor<Snapshot, Entry>(
  persistDir: string | undefined,
  service: string,
): ServiceStore<Snapshot, Entry> {
  return persistDir
    ? new FileStore<Snapshot, Entry>(persistDir, service)
    : new NoPersistence<Snapshot, Entry>();
}
