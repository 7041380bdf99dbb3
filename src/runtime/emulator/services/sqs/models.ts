/** SQS state as the emulator keeps it: plain records (journalled and snapshotted as JSON). */

/** A message attribute as the JSON protocol carries it; binary values are kept base64-encoded. */
export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

export interface StoredMessage {
  id: string;
  body: string;
  md5OfBody: string;
  attributes?: Record<string, MessageAttributeValue>;
  /** Sent system attributes (AWSTraceHeader). */
  systemAttributes?: Record<string, MessageAttributeValue>;
  senderId: string;
  /** SentTimestamp (ms): kept when a standard queue's message moves to its DLQ, so retention counts from it. */
  sentAt: number;
  /** When the message entered this queue (ms); move tasks only move what was there when they started. */
  enqueuedAt: number;
  /** End of the message's delay (ms). */
  availableAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  /** Time of the latest receive (ms): visibility may be extended to 12 h after it. */
  receivedAt?: number;
  /** Visibility deadline of the latest receive (ms); in flight while in the future. */
  inflightUntil?: number;
  /** Nonce of the latest receipt handle; only that handle deletes the message. */
  receipt?: string;
  groupId?: string;
  dedupId?: string;
  sequenceNumber?: string;
  deadLetterSourceArn?: string;
}

export interface QueueRecord {
  name: string;
  region: string;
  accountId: string;
  arn: string;
  fifo: boolean;
  /** Settable attributes as the API returns them (strings), defaults filled in. */
  attributes: Record<string, string>;
  tags: Record<string, string>;
  createdAt: number;
  lastModifiedAt: number;
  lastPurgeAt?: number;
  /** Last FIFO sequence number handed out (monotonic per queue, also across restarts). */
  lastSequence: number;
}

export interface DedupRecord {
  messageId: string;
  sequenceNumber?: string;
  expiresAt: number;
}

export type MoveTaskStatus = "RUNNING" | "COMPLETED" | "CANCELLING" | "CANCELLED" | "FAILED";

export interface MoveTaskRecord {
  id: string;
  sourceArn: string;
  destinationArn?: string;
  maxNumberOfMessagesPerSecond?: number;
  status: MoveTaskStatus;
  moved: number;
  toMove: number;
  failureReason?: string;
  startedAt: number;
}

export function queueArn(region: string, accountId: string, name: string): string {
  return `arn:aws:sqs:${region}:${accountId}:${name}`;
}

export function parseQueueArn(arn: string): { region: string; accountId: string; name: string } | undefined {
  const match = /^arn:aws[a-z-]*:sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]{1,80})$/.exec(arn);
  if (!match) return undefined;
  return { region: match[1]!, accountId: match[2]!, name: match[3]! };
}

/** A queue and its messages; the messages map keeps arrival order (FIFO order for FIFO queues). */
export class Queue {
  readonly messages = new Map<string, StoredMessage>();
  /** FIFO deduplication ids seen in the last 5 minutes, by scope key. */
  readonly dedup = new Map<string, DedupRecord>();
  /** Long polls waiting on this queue; each is told to retry when messages may have become visible. */
  readonly waiters = new Set<() => void>();
  private nextExpiryCheck = 0;

  constructor(public record: QueueRecord) {}

  get arn(): string {
    return this.record.arn;
  }
  get name(): string {
    return this.record.name;
  }
  get fifo(): boolean {
    return this.record.fifo;
  }

  numberAttribute(name: string): number {
    return Number(this.record.attributes[name]);
  }

  redrivePolicy(): { deadLetterTargetArn: string; maxReceiveCount: number } | undefined {
    const text = this.record.attributes["RedrivePolicy"];
    if (!text) return undefined;
    const parsed = JSON.parse(text) as { deadLetterTargetArn: string; maxReceiveCount: number | string };
    return {
      deadLetterTargetArn: parsed.deadLetterTargetArn,
      maxReceiveCount: Number(parsed.maxReceiveCount),
    };
  }

  static isInflight(message: StoredMessage, now: number): boolean {
    return message.inflightUntil !== undefined && message.inflightUntil > now;
  }

  static isVisible(message: StoredMessage, now: number): boolean {
    return message.availableAt <= now && !Queue.isInflight(message, now);
  }

  static isDelayed(message: StoredMessage, now: number): boolean {
    return message.availableAt > now && !Queue.isInflight(message, now);
  }

  /** Drops messages older than the retention period and expired deduplication ids. */
  sweep(now: number): void {
    if (now < this.nextExpiryCheck) return;
    const retentionMs = this.numberAttribute("MessageRetentionPeriod") * 1000;
    let next = Number.POSITIVE_INFINITY;
    for (const [id, message] of this.messages) {
      const expiresAt = message.sentAt + retentionMs;
      if (expiresAt <= now) this.messages.delete(id);
      else next = Math.min(next, expiresAt);
    }
    for (const [key, entry] of this.dedup) {
      if (entry.expiresAt <= now) this.dedup.delete(key);
      else next = Math.min(next, entry.expiresAt);
    }
    this.nextExpiryCheck = next;
  }

  /** Called when retention changes or messages arrive, so the next sweep looks again. */
  resetExpiryCheck(): void {
    this.nextExpiryCheck = 0;
  }

  noteArrival(message: StoredMessage): void {
    const retentionMs = this.numberAttribute("MessageRetentionPeriod") * 1000;
    this.nextExpiryCheck = Math.min(this.nextExpiryCheck, message.sentAt + retentionMs);
  }

  counts(now: number): { visible: number; inflight: number; delayed: number } {
    this.sweep(now);
    let visible = 0;
    let inflight = 0;
    let delayed = 0;
    for (const message of this.messages.values()) {
      if (Queue.isInflight(message, now)) inflight++;
      else if (message.availableAt > now) delayed++;
      else visible++;
    }
    return { visible, inflight, delayed };
  }

  /** The next instant a message that is now invisible (delayed or in flight) becomes visible. */
  nextVisibilityChange(now: number): number | undefined {
    let next: number | undefined;
    for (const message of this.messages.values()) {
      const at = Math.max(message.availableAt, message.inflightUntil ?? 0);
      if (at > now && (next === undefined || at < next)) next = at;
    }
    return next;
  }

  /** Wakes every long poll waiting on this queue (they retry and keep waiting if nothing is there). */
  wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
