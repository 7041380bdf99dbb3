import { invokeBatch } from "./batch-outcome.js";
import { queueFromArn, type MappingRecord } from "./config.js";
import { contextFor, pause, queueUrlFor, type Worker, type WorkerContext } from "./context.js";
import { compileFilters, type RecordFilter } from "./filters.js";
import { SQS_MAX_RECEIVE, SQS_POLL_INTERVAL_MS } from "./limits.js";

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
 */
export class SqsWorker implements Worker {
  private readonly abort = new AbortController();
  private readonly filter: RecordFilter;
  private queueUrl: string | undefined;

  constructor(
    private readonly mapping: MappingRecord,
    private readonly ctx: WorkerContext,
  ) {
    this.filter = compileFilters(mapping.filterCriteria, true);
  }

  start(): void {
    void this.run();
  }

  stop(): void {
    this.abort.abort();
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      try {
        const batch = await this.collectBatch();
        if (signal.aborted) return;
        if (batch.length > 0) await this.process(batch);
        else if (!(await pause(this.ctx.env, SQS_POLL_INTERVAL_MS, signal))) return;
      } catch (error) {
        if (signal.aborted) return;
        this.queueUrl = undefined;
        this.ctx.env.reportBackgroundError("lambda", error);
        if (!(await pause(this.ctx.env, SQS_POLL_INTERVAL_MS * 5, signal))) return;
      }
    }
  }

  /** Receives until the batch is full, or (window 0) anything arrived, or the window elapsed. */
  private async collectBatch(): Promise<Message[]> {
    const { env } = this.ctx;
    const signal = this.abort.signal;
    const batchSize = this.mapping.batchSize;
    const windowMs = this.mapping.maximumBatchingWindowInSeconds * 1000;
    const batch: Message[] = [];
    let firstAt: number | undefined;
    while (!signal.aborted && batch.length < batchSize) {
      const received = await this.receive(Math.min(SQS_MAX_RECEIVE, batchSize - batch.length));
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
    return batch;
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

  private async process(batch: Message[]): Promise<void> {
    const mapping = this.mapping;
    const matched: Message[] = [];
    const dropped: Message[] = [];
    for (const message of batch) (this.filter(message.record) ? matched : dropped).push(message);
    // Filtered-out messages count as processed: Lambda deletes them from the queue.
    await this.deleteAll(dropped);
    if (matched.length === 0) return;
    const ids = new Set(matched.map((m) => m.received.MessageId));
    const outcome = await invokeBatch(
      this.ctx.invoke,
      mapping.functionArn,
      JSON.stringify({ Records: matched.map((m) => m.record) }),
      mapping.functionResponseTypes.includes("ReportBatchItemFailures"),
      ids,
    );
    if (this.abort.signal.aborted) return;
    if (outcome.kind === "success") {
      this.ctx.reportResult(mapping.uuid, "OK");
      await this.deleteAll(matched);
    } else if (outcome.kind === "partial") {
      this.ctx.reportResult(mapping.uuid, "PROBLEM: Function reported batch item failures");
      const failed = new Set(outcome.failedIds);
      await this.deleteAll(matched.filter((m) => !failed.has(m.received.MessageId)));
    } else {
      this.ctx.reportResult(mapping.uuid, `PROBLEM: ${outcome.reason}`);
    }
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
