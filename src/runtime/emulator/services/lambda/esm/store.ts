import type { ServiceStore } from "../../../core/persistence.js";
import type { MappingRecord } from "./config.js";
import { COMPACT_AFTER_ENTRIES } from "./limits.js";

/**
 * A shard position: a sequence number (resume after it), TRIM_HORIZON (start at the oldest record)
 * or SHARD_END (a closed shard that was fully processed).
 */
export type ShardPosition = string;
export const TRIM_HORIZON: ShardPosition = "TRIM_HORIZON";
export const SHARD_END: ShardPosition = "SHARD_END";

export type EsmJournalEntry =
  | { type: "put"; mapping: MappingRecord }
  | { type: "delete"; uuid: string }
  | { type: "checkpoint"; uuid: string; shardId: string; position: ShardPosition };

export interface EsmSnapshot {
  mappings: MappingRecord[];
  checkpoints: Record<string, Record<string, ShardPosition>>;
}

/** Mappings and per-shard checkpoints, journaled before anything is acknowledged. */
export class EsmStore {
  readonly mappings = new Map<string, MappingRecord>();
  private readonly checkpoints = new Map<string, Map<string, ShardPosition>>();

  constructor(private readonly store: ServiceStore<EsmSnapshot, EsmJournalEntry>) {}

  load(): void {
    const { snapshot, entries } = this.store.load();
    for (const mapping of snapshot?.mappings ?? []) this.mappings.set(mapping.uuid, mapping);
    for (const [uuid, shards] of Object.entries(snapshot?.checkpoints ?? {})) {
      this.checkpoints.set(uuid, new Map(Object.entries(shards)));
    }
    for (const entry of entries) this.apply(entry);
  }

  putMapping(mapping: MappingRecord): void {
    this.record({ type: "put", mapping: structuredClone(mapping) });
  }

  deleteMapping(uuid: string): void {
    this.record({ type: "delete", uuid });
  }

  checkpoint(uuid: string, shardId: string, position: ShardPosition): void {
    if (!this.mappings.has(uuid)) return;
    if (this.checkpoints.get(uuid)?.get(shardId) === position) return;
    this.record({ type: "checkpoint", uuid, shardId, position });
  }

  positions(uuid: string): ReadonlyMap<string, ShardPosition> {
    return this.checkpoints.get(uuid) ?? new Map();
  }

  compact(): void {
    if (!this.store.enabled) return;
    const checkpoints: EsmSnapshot["checkpoints"] = {};
    for (const [uuid, shards] of this.checkpoints) checkpoints[uuid] = Object.fromEntries(shards);
    this.store.compact({ mappings: [...this.mappings.values()], checkpoints });
  }

  private record(entry: EsmJournalEntry): void {
    this.store.append(entry);
    this.apply(entry);
    if (this.store.journalLength > COMPACT_AFTER_ENTRIES) this.compact();
  }

  private apply(entry: EsmJournalEntry): void {
    switch (entry.type) {
      case "put":
        this.mappings.set(entry.mapping.uuid, structuredClone(entry.mapping));
        break;
      case "delete":
        this.mappings.delete(entry.uuid);
        this.checkpoints.delete(entry.uuid);
        break;
      case "checkpoint": {
        const shards = this.checkpoints.get(entry.uuid) ?? new Map<string, ShardPosition>();
        shards.set(entry.shardId, entry.position);
        this.checkpoints.set(entry.uuid, shards);
        break;
      }
    }
  }
}
