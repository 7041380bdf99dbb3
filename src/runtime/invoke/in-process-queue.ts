import { randomUUID } from "node:crypto";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import type { ScrapeShard } from "../../pipeline/model/shard.js";
import { encodeShard, shardMessageAttributes } from "../../pipeline/model/shard.js";
import type { MessageVisibility, ShardSink } from "../../pipeline/stages/work-queue.js";

/**
 * The work queue of an in-process run (`pipeline run --stage scrape`): the planner's shards held
 * in this process instead of SQS, handed to the worker as the Lambda SQS records its mapping would
 * deliver (body, attributes, ApproximateReceiveCount, receipt handle), so the planner and the
 * worker run unchanged. What SQS would do is done here: a reported failure makes the message
 * visible again when the worker said (its ChangeMessageVisibility), and a message that failed on
 * its `maxReceiveCount`-th receive is dead-lettered, which here means it is kept in `deadLettered`
 * (an in-process run has no queue to move it to; the run's shard records say it failed). Not SQS:
 * nothing survives the process, and a deployed stack's workers never see these shards.
 */
interface Held {
  messageId: string;
  shard: ScrapeShard;
  receiveCount: number;
  visibleAt: number;
}

export class InProcessWorkQueue implements ShardSink {
  private readonly waiting: Held[] = [];
  private readonly inFlight = new Map<string, Held>();
  readonly deadLettered: ScrapeShard[] = [];
  private readonly wakers = new Set<() => void>();

  constructor(
    private readonly queueArn: string,
    private readonly maxReceiveCount: number,
    private readonly now: () => number = Date.now,
  ) {}

  async send(shards: readonly ScrapeShard[]): Promise<void> {
    for (const shard of shards) {
      encodeShard(shard); // refused here as SQS would refuse a body the worker cannot read
      this.waiting.push({ messageId: randomUUID(), shard, receiveCount: 0, visibleAt: this.now() });
    }
    this.wakeAll();
  }

  /** Nothing waiting and nothing in flight: the queue is drained. */
  get drained(): boolean {
    return this.waiting.length === 0 && this.inFlight.size === 0;
  }

  /**
   * The next visible message as a one-record SQS event, waiting for one to become visible;
   * undefined once the queue is drained. A message past its receives is dead-lettered on this
   * receive, as SQS does.
   */
  async receive(signal?: AbortSignal): Promise<SQSEvent | undefined> {
    for (;;) {
      signal?.throwIfAborted();
      if (this.drained) return undefined;
      const now = this.now();
      const index = this.waiting.findIndex((held) => held.visibleAt <= now);
      if (index >= 0) {
        const [held] = this.waiting.splice(index, 1);
        if (held!.receiveCount >= this.maxReceiveCount) {
          this.deadLettered.push(held!.shard);
          continue;
        }
        held!.receiveCount += 1;
        this.inFlight.set(held!.messageId, held!);
        return { Records: [this.recordOf(held!)] };
      }
      const soonest = Math.min(...this.waiting.map((held) => held.visibleAt), now + 1000);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.wakers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.max(1, soonest - now));
        this.wakers.add(wake);
      });
    }
  }

  /** The worker's control of an in-flight message: only its last setting matters here. */
  visibility(record: SQSRecord): MessageVisibility {
    return {
      set: async (seconds) => {
        const held = this.inFlight.get(record.messageId);
        if (held) held.visibleAt = this.now() + seconds * 1000;
      },
    };
  }

  /** After the invocation: deleted unless it was reported failed, then visible when the worker said. */
  settle(record: SQSRecord, failed: boolean): void {
    const held = this.inFlight.get(record.messageId);
    if (!held) return;
    this.inFlight.delete(record.messageId);
    if (failed) {
      // A worker that set no wait leaves it invisible for the queue's timeout; in process, at once.
      held.visibleAt = Math.max(held.visibleAt, this.now());
      this.waiting.push(held);
    }
    this.wakeAll();
  }

  private wakeAll(): void {
    for (const wake of [...this.wakers]) wake();
  }

  private recordOf(held: Held): SQSRecord {
    const attributes = shardMessageAttributes(held.shard);
    return {
      messageId: held.messageId,
      receiptHandle: `${held.messageId}#${held.receiveCount}`,
      body: encodeShard(held.shard),
      attributes: {
        ApproximateReceiveCount: String(held.receiveCount),
        SentTimestamp: String(Date.parse(held.shard.plannedAt)),
        SenderId: "pipeline-run",
        ApproximateFirstReceiveTimestamp: String(this.now()),
      },
      messageAttributes: Object.fromEntries(
        Object.entries(attributes).map(([name, value]) => [
          name,
          { stringValue: value.StringValue, stringListValues: [], binaryListValues: [], dataType: "String" },
        ]),
      ),
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: this.queueArn,
      awsRegion: this.queueArn.split(":")[3] ?? "",
    };
  }
}
