import { appendJsonLines, readJsonLines } from "./archive.js";

/**
 * The replay journal: a JSONL file, each line fsynced, that makes a replay safe to interrupt.
 * `sent` is written right after the destination confirmed a send and before anything is deleted
 * (or marked done); `done` once the messages are gone. A rerun reads the journal and does not send
 * again what was confirmed: it only finishes the deletion. Keys are failure group keys (request id,
 * else message id), so the second message of a DLQ/destination pair is recognised too.
 */
export interface JournalLine {
  op: "sent" | "done";
  key: string;
  at: string;
  messageIds?: string[];
  /** Where the failure was sent (function or queue ARN). */
  to?: string;
}

export class ReplayJournal {
  private constructor(
    readonly file: string,
    private readonly sent: Map<string, JournalLine>,
    private readonly done: Set<string>,
    private readonly now: () => Date,
  ) {}

  static async open(file: string, now: () => Date = () => new Date()): Promise<ReplayJournal> {
    const sent = new Map<string, JournalLine>();
    const done = new Set<string>();
    for (const value of await readJsonLines(file)) {
      const line = value as Partial<JournalLine>;
      if (typeof line.key !== "string") continue;
      if (line.op === "sent") sent.set(line.key, line as JournalLine);
      else if (line.op === "done") done.add(line.key);
    }
    return new ReplayJournal(file, sent, done, now);
  }

  /** The send for this failure was confirmed earlier: do not send it again. */
  wasSent(key: string): boolean {
    return this.sent.has(key);
  }

  isDone(key: string): boolean {
    return this.done.has(key);
  }

  sentKeys(): string[] {
    return [...this.sent.keys()];
  }

  async recordSent(key: string, detail: { messageIds: string[]; to: string }): Promise<void> {
    const line: JournalLine = { op: "sent", key, at: this.now().toISOString(), ...detail };
    await appendJsonLines(this.file, [line]);
    this.sent.set(key, line);
  }

  async recordDone(key: string): Promise<void> {
    await appendJsonLines(this.file, [
      { op: "done", key, at: this.now().toISOString() } satisfies JournalLine,
    ]);
    this.done.add(key);
  }
}
