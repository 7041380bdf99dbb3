import { DELETED_QUEUE_NAME_BLOCK_MS, MOVE_TASKS_KEPT_PER_QUEUE } from "./limits.js";
import {
  Queue,
  type DedupRecord,
  type MoveTaskRecord,
  type QueueRecord,
  type StoredMessage,
} from "./models.js";

/**
 * Every change to SQS state is one journal entry, applied the same way live and on replay, so what
 * a client was told survives a restart (or kill -9) exactly: queues, messages, and in-flight state
 * (receipt handles, visibility deadlines, receive counts).
 */
export type SqsEntry =
  /** A queue created, or its record replaced (attributes, tags, purge time). */
  | { t: "queue"; queue: QueueRecord }
  | { t: "deleteQueue"; arn: string; at: number }
  | { t: "send"; arn: string; messages: StoredMessage[]; dedup?: [string, DedupRecord][] }
  /** Field changes of existing messages: receives, visibility changes. */
  | { t: "update"; arn: string; changes: MessageChange[] }
  | { t: "delete"; arn: string; ids: string[] }
  | { t: "purge"; arn: string; at: number }
  /** Messages leaving one queue for others in one step (redrive to a DLQ, message move tasks). */
  | { t: "transfer"; from: string; ids: string[]; to: { arn: string; messages: StoredMessage[] }[] }
  | { t: "task"; task: MoveTaskRecord };

export type MessageChange = Pick<StoredMessage, "id"> & Partial<StoredMessage>;

export interface SqsSnapshot {
  version: 1;
  queues: { record: QueueRecord; messages: StoredMessage[]; dedup: [string, DedupRecord][] }[];
  deleted: [string, number][];
  tasks: MoveTaskRecord[];
}

export class SqsState {
  readonly queues = new Map<string, Queue>();
  /** Recently deleted queue ARNs and when (a name is blocked for 60 s after deletion). */
  readonly deleted = new Map<string, number>();
  readonly tasks = new Map<string, MoveTaskRecord>();

  apply(entry: SqsEntry): void {
    switch (entry.t) {
      case "queue": {
        const existing = this.queues.get(entry.queue.arn);
        if (existing) {
          existing.record = entry.queue;
          existing.resetExpiryCheck();
        } else {
          this.queues.set(entry.queue.arn, new Queue(entry.queue));
          this.deleted.delete(entry.queue.arn);
        }
        return;
      }
      case "deleteQueue":
        this.queues.delete(entry.arn);
        this.deleted.set(entry.arn, entry.at);
        for (const [arn, at] of this.deleted) {
          if (entry.at - at > DELETED_QUEUE_NAME_BLOCK_MS) this.deleted.delete(arn);
        }
        return;
      case "send": {
        const queue = this.queues.get(entry.arn);
        if (!queue) return;
        for (const message of entry.messages) insert(queue, message);
        for (const [key, record] of entry.dedup ?? []) queue.dedup.set(key, record);
        return;
      }
      case "update": {
        const queue = this.queues.get(entry.arn);
        if (!queue) return;
        for (const change of entry.changes) {
          const message = queue.messages.get(change.id);
          if (message) Object.assign(message, change);
        }
        return;
      }
      case "delete": {
        const queue = this.queues.get(entry.arn);
        for (const id of entry.ids) queue?.messages.delete(id);
        return;
      }
      case "purge": {
        const queue = this.queues.get(entry.arn);
        if (!queue) return;
        queue.messages.clear();
        queue.record = { ...queue.record, lastPurgeAt: entry.at };
        return;
      }
      case "transfer": {
        const from = this.queues.get(entry.from);
        for (const id of entry.ids) from?.messages.delete(id);
        for (const target of entry.to) {
          const queue = this.queues.get(target.arn);
          if (queue) for (const message of target.messages) insert(queue, message);
        }
        return;
      }
      case "task": {
        this.tasks.set(entry.task.id, entry.task);
        this.pruneTasks(entry.task.sourceArn);
        return;
      }
    }
  }

  /** Keeps the most recent finished tasks per source queue (ListMessageMoveTasks shows up to 10). */
  private pruneTasks(sourceArn: string): void {
    const finished = [...this.tasks.values()]
      .filter((t) => t.sourceArn === sourceArn && t.status !== "RUNNING" && t.status !== "CANCELLING")
      .sort((a, b) => b.startedAt - a.startedAt);
    for (const task of finished.slice(MOVE_TASKS_KEPT_PER_QUEUE)) this.tasks.delete(task.id);
  }

  toSnapshot(): SqsSnapshot {
    return {
      version: 1,
      queues: [...this.queues.values()].map((queue) => ({
        record: queue.record,
        messages: [...queue.messages.values()],
        dedup: [...queue.dedup.entries()],
      })),
      deleted: [...this.deleted.entries()],
      tasks: [...this.tasks.values()],
    };
  }

  restore(snapshot: SqsSnapshot): void {
    this.queues.clear();
    for (const saved of snapshot.queues) {
      const queue = new Queue(saved.record);
      for (const message of saved.messages) queue.messages.set(message.id, message);
      for (const [key, record] of saved.dedup) queue.dedup.set(key, record);
      this.queues.set(saved.record.arn, queue);
    }
    this.deleted.clear();
    for (const [arn, at] of snapshot.deleted) this.deleted.set(arn, at);
    this.tasks.clear();
    for (const task of snapshot.tasks) this.tasks.set(task.id, task);
  }
}

function insert(queue: Queue, message: StoredMessage): void {
  queue.messages.set(message.id, message);
  queue.noteArrival(message);
  if (message.sequenceNumber !== undefined) {
    const sequence = sequenceCounter(message.sequenceNumber);
    if (sequence > queue.record.lastSequence) queue.record = { ...queue.record, lastSequence: sequence };
  }
}

/** FIFO sequence numbers are 20-digit strings: 10^19 plus a per-queue counter. */
const SEQUENCE_BASE = 10n ** 19n;

export function formatSequenceNumber(counter: number): string {
  return (SEQUENCE_BASE + BigInt(counter)).toString();
}

function sequenceCounter(sequenceNumber: string): number {
  try {
    return Number(BigInt(sequenceNumber) - SEQUENCE_BASE);
  } catch {
    return 0;
  }
}
