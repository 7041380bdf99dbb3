import type { ServiceStore } from "../../core/persistence.js";
import { COMPACT_AFTER_ENTRIES } from "./limits.js";
import { keyOf, type RuleRecord } from "./models.js";

export type EventsJournalEntry = { type: "put"; rule: RuleRecord } | { type: "delete"; key: string };

export interface EventsSnapshot {
  rules: RuleRecord[];
}

/** Rules with their targets; every change is journaled before the request is answered. */
export class RuleStore {
  private readonly rules = new Map<string, RuleRecord>();

  constructor(private readonly store: ServiceStore<EventsSnapshot, EventsJournalEntry>) {}

  load(): RuleRecord[] {
    const { snapshot, entries } = this.store.load();
    for (const rule of snapshot?.rules ?? []) this.rules.set(keyOf(rule), rule);
    for (const entry of entries) this.apply(entry);
    return [...this.rules.values()];
  }

  get(key: string): RuleRecord | undefined {
    return this.rules.get(key);
  }

  all(): RuleRecord[] {
    return [...this.rules.values()];
  }

  /** Stores a new version of a rule (records are replaced, never mutated in place). */
  put(rule: RuleRecord): void {
    this.record({ type: "put", rule });
  }

  delete(key: string): void {
    this.record({ type: "delete", key });
  }

  compact(): void {
    if (this.store.enabled) this.store.compact({ rules: this.all() });
  }

  get size(): number {
    return this.rules.size;
  }

  private record(entry: EventsJournalEntry): void {
    this.store.append(entry);
    this.apply(entry);
    if (this.store.journalLength > COMPACT_AFTER_ENTRIES) this.compact();
  }

  private apply(entry: EventsJournalEntry): void {
    if (entry.type === "put") this.rules.set(keyOf(entry.rule), entry.rule);
    else this.rules.delete(entry.key);
  }
}
