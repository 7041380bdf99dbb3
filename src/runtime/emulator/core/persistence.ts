import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";

/**
 * Durable state for one service under `--persist DIR`: a snapshot file plus an append-only journal.
 *
 * A service appends one journal entry per acknowledged change before it answers the request, with a
 * synchronous write: the data is in the kernel when the client sees success, so even `kill -9`
 * loses nothing acknowledged. On start the service loads the snapshot and replays the journal;
 * `compact` folds the journal into a new snapshot.
 *
 * Crash rules (each one is tested by killing the process):
 * - A torn last line (the process died inside an append, so nothing about it was acknowledged) is
 *   cut off at load, so the next append starts on a fresh line instead of being glued to the
 *   fragment (which would lose it, and everything after it, at the following start).
 * - Snapshot and journal carry an epoch. `compact` writes the snapshot of epoch n+1 (temp file,
 *   fsync, rename), then restarts the journal with an epoch n+1 header. A crash between the two
 *   leaves a journal of epoch n next to a snapshot of n+1: it is already folded in and is dropped,
 *   never replayed twice (replaying stream records twice would duplicate them).
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
  /**
   * Deletes everything the service stored (snapshot, journal, its own files): a state reset. The
   * store is retired: a later append or compact (a request still running in the module being
   * reset) throws instead of writing old state into the emptied folder. The service built after
   * the reset gets a new store.
   */
  clear(): void;
  /** Releases the open journal file (the emulator calls it after the service stopped). */
  close(): void;
}

/** Receives what a store repaired while loading (shown at start-up and in the health answer). */
export type RecoveryReporter = (message: string) => void;

export class NoPersistence<Snapshot, Entry> implements ServiceStore<Snapshot, Entry> {
  readonly enabled = false;
  readonly journalLength = 0;
  readonly directory = undefined;
  load() {
    return { snapshot: undefined, entries: [] as Entry[] };
  }
  append(): void {}
  compact(): void {}
  clear(): void {}
  close(): void {}
}

/** The snapshot file's envelope; a file without it is a snapshot written before epochs (epoch 0). */
interface SnapshotFile<Snapshot> {
  store: "pipeline-emulator";
  epoch: number;
  snapshot: Snapshot;
}

/** The journal's first line. */
interface JournalHeader {
  epoch: number;
}

export class FileStore<Snapshot, Entry> implements ServiceStore<Snapshot, Entry> {
  readonly enabled = true;
  readonly directory: string;
  private readonly snapshotPath: string;
  private readonly journalPath: string;
  private appended = 0;
  private epoch = 0;
  private fd: number | undefined;
  private retired = false;

  constructor(
    root: string,
    private readonly service: string,
    private readonly report: RecoveryReporter = () => {},
  ) {
    this.directory = join(root, service);
    mkdirSync(this.directory, { recursive: true });
    this.snapshotPath = join(this.directory, "snapshot.json");
    this.journalPath = join(this.directory, "journal.jsonl");
  }

  get journalLength(): number {
    return this.appended;
  }

  load(): { snapshot: Snapshot | undefined; entries: Entry[] } {
    this.close();
    const { snapshot, epoch } = this.readSnapshot();
    this.epoch = epoch;
    const entries = this.readJournal(epoch);
    this.appended = entries.length;
    return { snapshot, entries };
  }

  append(entry: Entry): void {
    this.checkNotRetired();
    // One write(2) per entry on a descriptor opened for appending: the line is in the kernel when
    // this returns, so a kill -9 after the answer cannot lose it.
    writeSync(this.journal(), JSON.stringify(entry) + "\n");
    this.appended++;
  }

  compact(snapshot: Snapshot): void {
    this.checkNotRetired();
    const next = this.epoch + 1;
    const temp = `${this.snapshotPath}.tmp`;
    const file: SnapshotFile<Snapshot> = { store: "pipeline-emulator", epoch: next, snapshot };
    writeFileSync(temp, JSON.stringify(file));
    const fd = openSync(temp, "r");
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temp, this.snapshotPath);
    this.epoch = next;
    this.restartJournal();
    this.appended = 0;
  }

  clear(): void {
    this.close();
    this.retired = true;
    rmSync(this.directory, { recursive: true, force: true });
    this.epoch = 0;
    this.appended = 0;
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  private checkNotRetired(): void {
    if (this.retired) throw new Error(`${this.service}: its state was reset; this store is no longer used`);
  }

  private journal(): number {
    if (this.fd === undefined) {
      this.fd = openSync(this.journalPath, "a");
      if (fstatSync(this.fd).size === 0)
        writeSync(this.fd, JSON.stringify({ epoch: this.epoch } satisfies JournalHeader) + "\n");
    }
    return this.fd;
  }

  /** Truncates the journal and writes the current epoch's header. */
  private restartJournal(): void {
    this.close();
    const fd = openSync(this.journalPath, "w");
    writeSync(fd, JSON.stringify({ epoch: this.epoch } satisfies JournalHeader) + "\n");
    closeSync(fd);
  }

  private readSnapshot(): { snapshot: Snapshot | undefined; epoch: number } {
    if (!existsSync(this.snapshotPath)) return { snapshot: undefined, epoch: 0 };
    const parsed = JSON.parse(readFileSync(this.snapshotPath, "utf8")) as unknown;
    if (isSnapshotFile<Snapshot>(parsed)) return { snapshot: parsed.snapshot, epoch: parsed.epoch };
    return { snapshot: parsed as Snapshot, epoch: 0 };
  }

  private readJournal(snapshotEpoch: number): Entry[] {
    if (!existsSync(this.journalPath)) return [];
    const bytes = readFileSync(this.journalPath);
    const entries: Entry[] = [];
    let offset = 0;
    let first = true;
    let journalEpoch = 0;
    let salvaged = 0;
    let skipped = 0;
    while (offset < bytes.length) {
      const end = bytes.indexOf(0x0a, offset);
      const complete = end !== -1;
      const lineEnd = complete ? end : bytes.length;
      const text = bytes.subarray(offset, lineEnd).toString("utf8");
      if (!complete) {
        // The torn last line of an append the process died in: it was never acknowledged.
        ftruncateJournal(this.journalPath, offset);
        this.report(
          `${this.service}: cut a torn last journal line (${lineEnd - offset} bytes of an append the crash interrupted)`,
        );
        break;
      }
      const parsed = parseLine(text);
      if (parsed === undefined) {
        // A whole line that does not parse: a torn fragment an earlier version glued the next
        // entry onto. The entry after the fragment is intact; keep it and what follows.
        const rescued = salvage<Entry>(text);
        if (rescued !== undefined) {
          entries.push(rescued);
          salvaged++;
        } else skipped++;
        offset = lineEnd + 1;
        first = false;
        continue;
      }
      if (first && isJournalHeader(parsed.value)) journalEpoch = parsed.value.epoch;
      else if (parsed.value !== null) entries.push(parsed.value as Entry);
      first = false;
      offset = lineEnd + 1;
    }
    if (salvaged || skipped) {
      this.report(
        `${this.service}: journal had ${salvaged + skipped} line(s) glued to a torn fragment; ` +
          `${salvaged} entr${salvaged === 1 ? "y" : "ies"} recovered, ${skipped} unreadable line(s) skipped`,
      );
    }
    if (journalEpoch < snapshotEpoch) {
      // The crash came between writing the snapshot and restarting the journal: already folded in.
      if (entries.length > 0)
        this.report(
          `${this.service}: dropped a journal of ${entries.length} entries already folded into the snapshot`,
        );
      this.restartJournal();
      return [];
    }
    return entries;
  }
}

function parseLine(text: string): { value: unknown } | undefined {
  if (!text.trim()) return { value: null };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

/** The longest JSON object at the end of a line that starts with a fragment. */
function salvage<Entry>(text: string): Entry | undefined {
  for (let start = text.indexOf("{", 1); start !== -1; start = text.indexOf("{", start + 1)) {
    try {
      return JSON.parse(text.slice(start)) as Entry;
    } catch {
      // not here; try the next brace
    }
  }
  return undefined;
}

function ftruncateJournal(path: string, length: number): void {
  const fd = openSync(path, "r+");
  try {
    ftruncateSync(fd, length);
  } finally {
    closeSync(fd);
  }
}

function isSnapshotFile<Snapshot>(value: unknown): value is SnapshotFile<Snapshot> {
  const file = value as Partial<SnapshotFile<Snapshot>> | null;
  return (
    typeof file === "object" &&
    file !== null &&
    file.store === "pipeline-emulator" &&
    Number.isInteger(file.epoch) &&
    "snapshot" in file
  );
}

function isJournalHeader(value: unknown): value is JournalHeader {
  return (
    typeof value === "object" &&
    value !== null &&
    Object.keys(value).length === 1 &&
    Number.isInteger((value as JournalHeader).epoch)
  );
}

export function storeFor<Snapshot, Entry>(
  persistDir: string | undefined,
  service: string,
  report?: RecoveryReporter,
): ServiceStore<Snapshot, Entry> {
  return persistDir
    ? new FileStore<Snapshot, Entry>(persistDir, service, report)
    : new NoPersistence<Snapshot, Entry>();
}
