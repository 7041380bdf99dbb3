import { invokeBatch, type BatchOutcome } from "./batch-outcome.js";
import { queueFromArn, type MappingRecord } from "./config.js";
import { contextFor, pause, queueUrlFor, type Worker, type WorkerContext } from "./context.js";
import { compileFilters, type RecordFilter } from "./filters.js";
import {
  SQS_MAX_RECEIVE,
  SQS_POLL_INTERVAL_MS,
  SQS_THROTTLE_BACKOFF_MAX_MS,
  SQS_THROTTLE_BACKOFF_MS,
} from "./limits.js";
import { PollerScaler, type BatchSlots } from "./sqs-scaling.js";

interface ReceivedMessage {
  MessageId: string;
  ReceiptHandle: string;
  Body: string;
  MD5OfBody?: string;
  MD5OfMessageAttributes?: string;
  Attributes?: Record<string, string>;
  MessageAttributes?: Record<
    string,
    { DataType?: string; StringValue?: string; BinaryValue?: string | Uint8Array }
  >;
}

interface Message {
  received: ReceivedMessage;
  record: Record<string, unknown>;
}

/**
 * Polls one SQS queue for one mapping (aws-behaviour.md §3.5): receives up to BatchSize within the
 * batching window, drops (deletes) filtered-out messages, invokes synchronously, deletes what
 * succeeded. Failed messages are left alone: they reappear after the queue's visibility timeout and
 * SQS's own redrive policy moves them to a DLQ, exactly as on AWS.
 *
 * Several pollers run at once, each with at most one batch (so one invocation) in flight; how many
 * is the PollerScaler's decision (AWS's scaling, ScalingConfig.MaximumConcurrency, the emulator's
 * capacity), and the mapping's BatchSlots hold the total across worker generations.
 */
export class SqsWorker implements Worker {
  /** Aborted by stop() and retire(): no new receive starts and an open batching window closes. */
  private readonly receiving = new AbortController();
  /** Aborted by stop() only (the emulator stops): what in-flight invocations answer is ignored. */
  private readonly halted = new AbortController();
  private readonly filter: RecordFilter;
  private readonly scaler: PollerScaler;
  private readonly slots: BatchSlots;
  private queueUrl: string | undefined;
  private pollers = 0;

  constructor(
    private readonly mapping: MappingRecord,
    private readonly ctx: WorkerContext,
  ) {
    this.filter = compileFilters(mapping.filterCriteria, true);
    this.scaler = new PollerScaler(
      {
        ...(mapping.maximumConcurrency !== undefined
          ? { maximumConcurrency: mapping.maximumConcurrency }
          : {}),
        capacity: ctx.env.settings.lambdaConcurrencyPerFunction,
      },
      ctx.env.clock.now(),
    );
    this.slots = ctx.slots(mapping.uuid);
  }

  start(): void {
    this.spawn();
  }

  stop(): void {
    this.receiving.abort();
    this.halted.abort();
  }

  retire(): void {
    this.receiving.abort();
  }

  private spawn(): void {
    this.pollers++;
    void this.poll();
  }

  /** Adds pollers up to what the scaler allows now. */
  private scaleUp(): void {
    while (!this.receiving.signal.aborted && this.pollers < this.scaler.allowed()) this.spawn();
  }

  private async poll(): Promise<void> {
    const { env } = this.ctx;
    const signal = this.receiving.signal;
    try {
      while (!signal.aborted) {
        // Scaling down: a poller beyond the allowance leaves; the last one keeps long polling.
        if (this.pollers > Math.max(1, this.scaler.allowed())) return;
        let wait = 0;
        if (!this.slots.tryAcquire(this.scaler.ceiling())) {
          // The previous worker of this mapping (before an update) still has batches in flight.
          wait = SQS_POLL_INTERVAL_MS;
        } else {
          try {
            wait = await this.oneBatch();
          } catch (error) {
            if (signal.aborted) return;
            this.queueUrl = undefined;
            env.reportBackgroundError("lambda", error);
            wait = SQS_POLL_INTERVAL_MS * 5;
          } finally {
            this.slots.release();
          }
        }
        if (wait > 0 && !(await pause(env, wait, signal))) return;
      }
    } finally {
      this.pollers--;
    }
  }

  /** Receives and processes one batch; answers how long to wait before the next receive. */
  private async oneBatch(): Promise<number> {
    const { batch, filled, receivedAt } = await this.collectBatch();
    if (this.halted.signal.aborted) return 0;
    if (batch.length === 0) {
      this.scaler.queueEmpty(this.ctx.env.clock.now());
      return SQS_POLL_INTERVAL_MS;
    }
    if (filled) {
      this.scaler.messagesWaiting(this.ctx.env.clock.now());
      this.scaleUp();
    }
    await this.process(batch, receivedAt ?? this.ctx.env.clock.now());
    return 0;
  }

  /** Receives until the batch is full, or (window 0) anything arrived, or the window elapsed. */
  private async collectBatch(): Promise<{ batch: Message[]; filled: boolean; receivedAt?: number }> {
    const { env } = this.ctx;
    const signal = this.receiving.signal;
    const batchSize = this.mapping.batchSize;
    const windowMs = this.mapping.maximumBatchingWindowInSeconds * 1000;
    const batch: Message[] = [];
    let firstAt: number | undefined;
    let filled = false;
    // The first receive runs even when retiring has begun meanwhile; later ones stop at once.
    for (let first = true; first || (!signal.aborted && batch.length < batchSize); first = false) {
      const asked = Math.min(SQS_MAX_RECEIVE, batchSize - batch.length);
      const received = await this.receive(asked);
      filled = received.length === asked;
      for (const message of received) {
        // A message whose visibility timeout ran out during the window comes back: keep one
        // entry, with the newest receipt handle (the older one no longer deletes it).
        const entry = { received: message, record: this.toRecord(message) };
        const index = batch.findIndex((m) => m.received.MessageId === message.MessageId);
        if (index >= 0) batch[index] = entry;
        else batch.push(entry);
      }
      if (batch.length > 0) firstAt ??= env.clock.now();
      if (batch.length >= batchSize) break;
      if (windowMs === 0 || firstAt === undefined) break;
      const remaining = windowMs - (env.clock.now() - firstAt);
      if (remaining <= 0) break;
      if (received.length === 0 && !(await pause(env, Math.min(SQS_POLL_INTERVAL_MS, remaining), signal)))
        break;
    }
    return {
      batch,
      filled: filled || batch.length >= batchSize,
      ...(firstAt ? { receivedAt: firstAt } : {}),
    };
  }

  private async receive(max: number): Promise<ReceivedMessage[]> {
    const queueUrl = await this.url();
    const out = await this.ctx.env.call<{ Messages?: ReceivedMessage[] }>(
      "sqs",
      "ReceiveMessage",
      {
        QueueUrl: queueUrl,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: 0,
        AttributeNames: ["All"],
        MessageSystemAttributeNames: ["All"],
        MessageAttributeNames: ["All"],
      },
      contextFor(this.mapping.eventSourceArn),
    );
    return out.Messages ?? [];
  }

  private async process(batch: Message[], receivedAt: number): Promise<void> {
    const mapping = this.mapping;
    const matched: Message[] = [];
    const dropped: Message[] = [];
    for (const message of batch) (this.filter(message.record) ? matched : dropped).push(message);
    // Filtered-out messages count as processed: Lambda deletes them from the queue.
    await this.deleteAll(dropped);
    if (matched.length === 0) return;
    const reportItems = mapping.functionResponseTypes.includes("ReportBatchItemFailures");
    const outcome = await this.invokeUnthrottled(matched, reportItems, receivedAt);
    if (!outcome || this.halted.signal.aborted) return;
    if (outcome.kind === "success") {
      this.ctx.reportResult(mapping.uuid, "OK");
      await this.deleteAll(matched);
    } else if (outcome.kind === "partial") {
      this.ctx.reportResult(mapping.uuid, "PROBLEM: Function reported batch item failures");
      const failed = new Set(outcome.failedIds);
      await this.deleteAll(matched.filter((m) => !failed.has(m.received.MessageId)));
    } else {
      this.ctx.reportResult(mapping.uuid, `PROBLEM: ${outcome.reason}`);
      // With ReportBatchItemFailures Lambda does not scale polling down on failed invocations.
      if (!reportItems) this.scaler.backOff(this.ctx.env.clock.now());
    }
  }

  /**
   * Invokes the function with the batch. A throttled invocation (the function's reserved
   * concurrency is in use) is retried with backoff while the messages are still invisible; once
   * the visibility timeout would run out Lambda lets them go (undefined): they reappear in the
   * queue and are received again, a new receive counted by SQS.
   */
  private async invokeUnthrottled(
    matched: Message[],
    reportItems: boolean,
    receivedAt: number,
  ): Promise<BatchOutcome | undefined> {
    const { env } = this.ctx;
    const payload = JSON.stringify({ Records: matched.map((m) => m.record) });
    const ids = new Set(matched.map((m) => m.received.MessageId));
    let backoff = SQS_THROTTLE_BACKOFF_MS;
    let visibleAgainAt: number | undefined;
    for (;;) {
      const outcome = await invokeBatch(this.ctx.invoke, this.mapping.functionArn, payload, reportItems, ids);
      if (outcome.kind !== "failure" || !outcome.throttled || this.halted.signal.aborted) return outcome;
      this.scaler.backOff(env.clock.now());
      this.ctx.reportResult(this.mapping.uuid, `PROBLEM: ${outcome.reason}`);
      visibleAgainAt ??= receivedAt + (await this.visibilityTimeoutSeconds()) * 1000;
      if (env.clock.now() + backoff >= visibleAgainAt) return undefined;
      if (!(await pause(env, backoff, this.halted.signal))) return undefined;
      backoff = Math.min(backoff * 2, SQS_THROTTLE_BACKOFF_MAX_MS);
    }
  }

  private async visibilityTimeoutSeconds(): Promise<number> {
    const out = await this.ctx.env.call<{ Attributes?: Record<string, string> }>(
      "sqs",
      "GetQueueAttributes",
      { QueueUrl: await this.url(), AttributeNames: ["VisibilityTimeout"] },
      contextFor(this.mapping.eventSourceArn),
    );
    return Number(out.Attributes?.["VisibilityTimeout"] ?? 30);
  }

  private async deleteAll(messages: Message[]): Promise<void> {
    if (messages.length === 0) return;
    const queueUrl = await this.url();
    for (const message of messages) {
      try {
        await this.ctx.env.call(
          "sqs",
          "DeleteMessage",
          { QueueUrl: queueUrl, ReceiptHandle: message.received.ReceiptHandle },
          contextFor(this.mapping.eventSourceArn),
        );
      } catch (error) {
        this.ctx.env.reportBackgroundError("lambda", error);
      }
    }
  }

  private async url(): Promise<string> {
    this.queueUrl ??= await queueUrlFor(this.ctx.env, this.mapping.eventSourceArn);
    return this.queueUrl;
  }

  /** The Lambda SQS event record (aws-behaviour.md §3.5). */
  private toRecord(message: ReceivedMessage): Record<string, unknown> {
    const messageAttributes: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
      const binary = value.BinaryValue;
      messageAttributes[name] = {
        ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
        ...(binary !== undefined
          ? { binaryValue: typeof binary === "string" ? binary : Buffer.from(binary).toString("base64") }
          : {}),
        stringListValues: [],
        binaryListValues: [],
        dataType: value.DataType ?? "String",
      };
    }
    return {
      messageId: message.MessageId,
      receiptHandle: message.ReceiptHandle,
      body: message.Body,
      attributes: message.Attributes ?? {},
      messageAttributes,
      md5OfBody: message.MD5OfBody ?? "",
      ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
      eventSource: "aws:sqs",
      eventSourceARN: this.mapping.eventSourceArn,
      awsRegion: queueFromArn(this.mapping.eventSourceArn)?.region ?? this.mapping.region,
    };
  }
}
