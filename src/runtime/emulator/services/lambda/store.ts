import type { ServiceStore } from "../../core/persistence.js";
import { COMPACT_AFTER_ENTRIES } from "./limits.js";
import type { AsyncEvent, FunctionRecord, LambdaJournalEntry, LambdaSnapshot } from "./models.js";
import { functionKey } from "./names.js";

/**
 * Functions and queued asynchronous events, journaled before anything is acknowledged: a function
 * change is durable when its API call answers, an Event invoke is durable when it answers 202.
 */
export class LambdaStore {
  readonly functions = new Map<string, FunctionRecord>();
  readonly events = new Map<string, AsyncEvent>();

  constructor(private readonly journal: ServiceStore<LambdaSnapshot, LambdaJournalEntry>) {}

  get persistent(): boolean {
    return this.journal.enabled;
  }

  /** Folder for the service's own files (code zips) when persisting. */
  get directory(): string | undefined {
    return this.journal.directory;
  }

  load(): void {
    const { snapshot, entries } = this.journal.load();
    for (const fn of snapshot?.functions ?? []) this.functions.set(functionKey(fn), fn);
    for (const event of snapshot?.events ?? []) this.events.set(event.id, event);
    for (const entry of entries) this.apply(entry);
  }

  putFunction(fn: FunctionRecord): void {
    this.record({ t: "putFunction", fn: structuredClone(fn) });
  }

  deleteFunction(key: string): void {
    this.record({ t: "deleteFunction", key });
  }

  putEvent(event: AsyncEvent): void {
    this.record({ t: "putEvent", event: structuredClone(event) });
  }

  doneEvent(id: string): void {
    if (this.events.has(id)) this.record({ t: "doneEvent", id });
  }

  compact(): void {
    if (!this.journal.enabled) return;
    this.journal.compact({ functions: [...this.functions.values()], events: [...this.events.values()] });
  }

  private record(entry: LambdaJournalEntry): void {
    this.journal.append(entry);
    this.apply(entry);
    if (this.journal.journalLength >= COMPACT_AFTER_ENTRIES) this.compact();
  }

  private apply(entry: LambdaJournalEntry): void {
    switch (entry.t) {
      case "putFunction":
        this.functions.set(functionKey(entry.fn), entry.fn);
        break;
      case "deleteFunction":
        this.functions.delete(entry.key);
        for (const [id, event] of this.events) if (event.functionKey === entry.key) this.events.delete(id);
        break;
      case "putEvent":
        this.events.set(entry.event.id, entry.event);
        break;
      case "doneEvent":
        this.events.delete(entry.id);
        break;
    }
  }
}
