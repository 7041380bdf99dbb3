import { randomUUID } from "node:crypto";
import { ServiceError } from "../../../core/errors.js";
import { invokeBatch, type ResponseInfo } from "./batch-outcome.js";
import type { MappingRecord } from "./config.js";
import { contextFor, isoSeconds, pause, queueUrlFor, type Worker, type WorkerContext } from "./context.js";
import { compileFilters, type RecordFilter } from "./filters.js";
import {
  GET_RECORDS_LIMIT,
  RETRY_BACKOFF_BASE_MS,
  RETRY_BACKOFF_MAX_MS,
  SHARD_DISCOVERY_INTERVAL_MS,
  STREAM_POLL_INTERVAL_MS,
  STREAM_RETENTION_SECONDS,
  STREAM_WAIT_MS,
} from "./limits.js";
import { SHARD_END, TRIM_HORIZON, type ShardPosition } from "./store.js";

/** Lambda refuses invocation payloads above 6 MB; a batch stops growing before that. */
const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024 - 1024;

interface Shard {
  ShardId: string;
  ParentShardId?: string;
}

interface StreamRecord {
  eventID?: string;
  eventName?: string;
  dynamodb?: { SequenceNumber?: string; ApproximateCreationDateTime?: number | string | Date };
  userIdentity?: { Type?: string; PrincipalId?: string };
  [key: string]: unknown;
}

interface Entry {
  sequenceNumber: string;
  /** Epoch milliseconds (ApproximateCreationDateTime). */
  createdAt: number;
  record: Record<string, unknown>;
  matched: boolean;
  bytes: number;
}

type GiveUpCondition = "RetryAttemptsExhausted" | "RecordAgeExceeded";

/**
 * Polls every shard of one DynamoDB stream for one mapping (aws-behaviour.md §3.2–3.4): batches by
 * size and window, invokes synchronously, retries the same batch while the shard waits, bisects,
 * honours partial batch responses, and when it gives up sends the on-failure record and moves on.
 */
export class StreamWorker implements Worker {
  private readonly abort = new AbortController();
  private readonly active = new Set<string>();
  private readonly finished = new Set<string>();
  private readonly filter: RecordFilter;
  /** False once the streams service turned out not to offer WaitForRecords (then: polling). */
  canWait = true;

  constructor(
    private readonly mapping: MappingRecord,
    private readonly ctx: WorkerContext,
  ) {
    this.filter = compileFilters(mapping.filterCriteria);
  }

  start(): void {
    void this.run();
  }

  stop(): void {
    this.abort.abort();
  }

  private get signal(): AbortSignal {
    return this.abort.signal;
  }

  private async run(): Promise<void> {
    while (!this.signal.aborted) {
      try {
        await this.discoverShards();
      } catch (error) {
        this.problem(error);
      }
      if (!(await pause(this.ctx.env, SHARD_DISCOVERY_INTERVAL_MS, this.signal))) return;
    }
  }

  private async discoverShards(): Promise<void> {
    if (this.mapping.startingPosition === "LATEST" && this.mapping.latestCapturedAt === undefined) {
      await captureLatestPositions(this.ctx, this.mapping);
    }
    const shards = await listShards(this.ctx, this.mapping);
    const known = new Set(shards.map((s) => s.ShardId));
    const positions = this.ctx.store.positions(this.mapping.uuid);
    for (const shard of shards) {
      if (this.signal.aborted) return;
      if (this.active.has(shard.ShardId) || this.finished.has(shard.ShardId)) continue;
      const position = positions.get(shard.ShardId);
      if (position === SHARD_END) {
        this.finished.add(shard.ShardId);
        continue;
      }
      // A child shard waits until its parent has been read to the end (per-key order).
      const parent = shard.ParentShardId;
      if (parent && known.has(parent) && !this.finished.has(parent) && positions.get(parent) !== SHARD_END)
        continue;
      this.active.add(shard.ShardId);
      void new ShardReader(this, shard.ShardId, position)
        .run()
        .catch((error: unknown) => this.problem(error))
        .finally(() => {
          this.active.delete(shard.ShardId);
          if (!this.signal.aborted && this.finished.has(shard.ShardId)) {
            void this.discoverShards().catch((error: unknown) => this.problem(error));
          }
        });
    }
  }

  // --- used by ShardReader -------------------------------------------------------------------

  get env() {
    return this.ctx.env;
  }

  get config(): MappingRecord {
    return this.mapping;
  }

  get abortSignal(): AbortSignal {
    return this.signal;
  }

  markFinished(shardId: string): void {
    this.finished.add(shardId);
    this.checkpoint(shardId, SHARD_END);
  }

  checkpoint(shardId: string, position: ShardPosition): void {
    if (this.signal.aborted) return;
    this.ctx.store.checkpoint(this.mapping.uuid, shardId, position);
  }

  toEntry(raw: StreamRecord): Entry | undefined {
    const sequenceNumber = raw.dynamodb?.SequenceNumber;
    if (!sequenceNumber) return undefined;
    const created = raw.dynamodb?.ApproximateCreationDateTime;
    const createdSeconds =
      created instanceof Date
        ? Math.floor(created.getTime() / 1000)
        : Number(created ?? this.env.clock.now() / 1000);
    const { userIdentity, ...rest } = raw;
    const record: Record<string, unknown> = {
      ...rest,
      dynamodb: { ...raw.dynamodb, ApproximateCreationDateTime: createdSeconds },
      eventSourceARN: this.mapping.eventSourceArn,
      // GetRecords says Type/PrincipalId; the Lambda event of a TTL deletion says type/principalId.
      ...(userIdentity
        ? { userIdentity: { type: userIdentity.Type, principalId: userIdentity.PrincipalId } }
        : {}),
    };
    return {
      sequenceNumber,
      createdAt: createdSeconds * 1000,
      record,
      matched: this.filter(record),
      bytes: Buffer.byteLength(JSON.stringify(record)) + 1,
    };
  }

  result(text: string): void {
    this.ctx.reportResult(this.mapping.uuid, text);
  }

  problem(error: unknown): void {
    if (this.signal.aborted) return;
    this.ctx.env.reportBackgroundError("lambda", error);
  }

  /**
   * Runs one batch to completion: success, partial success, bisection, retries with backoff, or
   * giving up (on-failure record). Checkpoints only what is done; returns early when stopped.
   */
  async processBatch(shardId: string, entries: Entry[]): Promise<void> {
    const mapping = this.mapping;
    const maxRetries = mapping.maximumRetryAttempts ?? -1;
    const maxAgeSeconds =
      (mapping.maximumRecordAgeInSeconds ?? -1) === -1
        ? STREAM_RETENTION_SECONDS
        : (mapping.maximumRecordAgeInSeconds as number);
    const reportItems = mapping.functionResponseTypes.includes("ReportBatchItemFailures");
    let current = entries;
    let retries = 0;
    let invocations = 0;
    let lastResponse: ResponseInfo | undefined;

    while (!this.signal.aborted) {
      const matched = current.filter((e) => e.matched);
      const last = current[current.length - 1];
      if (!last) return;
      if (matched.length === 0) {
        this.checkpoint(shardId, last.sequenceNumber);
        return;
      }
      const oldest = Math.min(...matched.map((e) => e.createdAt));
      if (this.env.clock.now() - oldest > maxAgeSeconds * 1000) {
        await this.giveUp(shardId, current, "RecordAgeExceeded", invocations, lastResponse);
        return;
      }
      const ids = new Set(matched.map((e) => e.sequenceNumber));
      const payload = JSON.stringify({ Records: matched.map((e) => e.record) });
      const outcome = await invokeBatch(this.ctx.invoke, mapping.functionArn, payload, reportItems, ids);
      invocations++;
      if (this.signal.aborted) return;
      if (outcome.kind === "success") {
        this.checkpoint(shardId, last.sequenceNumber);
        this.result("OK");
        return;
      }
      lastResponse = outcome.response;
      this.result(
        `PROBLEM: ${outcome.kind === "partial" ? "Function reported batch item failures" : outcome.reason}`,
      );

      if (outcome.kind === "partial") {
        // Resume just before the lowest failed sequence number; what precedes it is done.
        const lowest = outcome.failedIds.reduce((a, b) => (BigInt(a) <= BigInt(b) ? a : b));
        const index = current.findIndex((e) => e.sequenceNumber === lowest);
        const done = current[index - 1];
        if (done) this.checkpoint(shardId, done.sequenceNumber);
        current = current.slice(index);
      } else if (mapping.bisectBatchOnFunctionError && matched.length > 1) {
        // Split in two before retrying; splitting does not use up the retry budget.
        const splitAt = current.indexOf(matched[Math.ceil(matched.length / 2)] as Entry);
        await this.processBatch(shardId, current.slice(0, splitAt));
        if (this.signal.aborted) return;
        await this.processBatch(shardId, current.slice(splitAt));
        return;
      }

      retries++;
      if (maxRetries !== -1 && retries > maxRetries) {
        await this.giveUp(shardId, current, "RetryAttemptsExhausted", invocations, lastResponse);
        return;
      }
      const backoff = Math.min(RETRY_BACKOFF_BASE_MS * 2 ** (retries - 1), RETRY_BACKOFF_MAX_MS);
      if (!(await pause(this.env, backoff * this.env.settings.retryWaitScale, this.signal))) return;
    }
  }

  private async giveUp(
    shardId: string,
    entries: Entry[],
    condition: GiveUpCondition,
    invocations: number,
    response: ResponseInfo | undefined,
  ): Promise<void> {
    const matched = entries.filter((e) => e.matched);
    const first = matched[0];
    const last = matched[matched.length - 1];
    const destination = this.mapping.onFailureDestination;
    if (first && last && destination) {
      const record = {
        requestContext: {
          requestId: randomUUID(),
          functionArn: this.mapping.functionArn,
          condition,
          approximateInvokeCount: invocations,
        },
        ...(response
          ? {
              responseContext: {
                statusCode: response.statusCode,
                executedVersion: "$LATEST",
                ...(response.functionError ? { functionError: response.functionError } : {}),
              },
            }
          : {}),
        version: "1.0",
        timestamp: new Date(this.env.clock.now()).toISOString(),
        DDBStreamBatchInfo: {
          shardId,
          startSequenceNumber: first.sequenceNumber,
          endSequenceNumber: last.sequenceNumber,
          approximateArrivalOfFirstRecord: isoSeconds(first.createdAt),
          approximateArrivalOfLastRecord: isoSeconds(last.createdAt),
          batchSize: matched.length,
          streamArn: this.mapping.eventSourceArn,
        },
      };
      try {
        const queueUrl = await queueUrlFor(this.env, destination);
        await this.env.call(
          "sqs",
          "SendMessage",
          { QueueUrl: queueUrl, MessageBody: JSON.stringify(record) },
          contextFor(destination),
        );
      } catch (error) {
        this.problem(new Error(`Could not send the on-failure record to ${destination}: ${describe(error)}`));
      }
    }
    const lastEntry = entries[entries.length - 1];
    if (lastEntry) this.checkpoint(shardId, lastEntry.sequenceNumber);
  }
}

/** Reads one shard in order; one batch in flight at a time, blocking on failures. */
class ShardReader {
  private iterator: string | undefined;
  private readonly buffer: Entry[] = [];
  private firstBufferedAt: number | undefined;
  /** Last sequence number read into the buffer (to refresh an expired iterator). */
  private lastRead: string | undefined;

  constructor(
    private readonly worker: StreamWorker,
    private readonly shardId: string,
    private readonly position: ShardPosition | undefined,
  ) {}

  async run(): Promise<void> {
    const { env, config, abortSignal: signal } = this.worker;
    this.iterator = await this.iteratorAfter(this.position);
    const windowMs = config.maximumBatchingWindowInSeconds * 1000;
    while (!signal.aborted) {
      if (this.iterator !== undefined && this.matchedCount() < config.batchSize) {
        if (!(await this.read())) {
          if (!(await pause(env, STREAM_POLL_INTERVAL_MS, signal))) return;
          continue;
        }
      }
      if (this.buffer.length === 0) {
        if (this.iterator === undefined) {
          this.worker.markFinished(this.shardId);
          return;
        }
        if (!(await this.waitForRecords(STREAM_WAIT_MS))) return;
        continue;
      }
      const waited = env.clock.now() - (this.firstBufferedAt ?? env.clock.now());
      const ready =
        this.matchedCount() >= config.batchSize ||
        this.iterator === undefined ||
        waited >= windowMs ||
        this.matchedCount() === 0;
      if (!ready) {
        // Keep reading while the window is open: wake on new records or when it closes.
        if (!(await this.waitForRecords(Math.min(STREAM_WAIT_MS, windowMs - waited)))) return;
        continue;
      }
      await this.worker.processBatch(this.shardId, this.takeBatch(config.batchSize));
      this.firstBufferedAt = this.buffer.length > 0 ? env.clock.now() : undefined;
    }
  }

  /**
   * Waits up to `ms` for records after the iterator, woken by DynamoDB Streams' in-process
   * WaitForRecords when it is there (no polling delay), else by sleeping on the clock. False when
   * the worker was stopped.
   */
  private async waitForRecords(ms: number): Promise<boolean> {
    const { env, config, abortSignal: signal } = this.worker;
    if (this.iterator === undefined || !this.worker.canWait) {
      return pause(env, Math.min(ms, STREAM_POLL_INTERVAL_MS), signal);
    }
    try {
      await env.call(
        "dynamodbstreams",
        "WaitForRecords",
        { ShardIterator: this.iterator, TimeoutMs: Math.max(1, Math.round(ms)), Signal: signal },
        contextFor(config),
      );
      return !signal.aborted;
    } catch (error) {
      if (error instanceof ServiceError && error.code === "UnknownOperationException") {
        this.worker.canWait = false;
        return pause(env, Math.min(ms, STREAM_POLL_INTERVAL_MS), signal);
      }
      // WaitForRecords fails the way GetRecords would; the next read() handles it.
      return !signal.aborted;
    }
  }

  /** One GetRecords call; false when it failed (the caller waits and tries again). */
  private async read(): Promise<boolean> {
    const { env, config } = this.worker;
    try {
      const out = await env.call<{ Records?: StreamRecord[]; NextShardIterator?: string | null }>(
        "dynamodbstreams",
        "GetRecords",
        { ShardIterator: this.iterator, Limit: GET_RECORDS_LIMIT },
        contextFor(config),
      );
      this.iterator = out.NextShardIterator ?? undefined;
      for (const raw of out.Records ?? []) {
        const entry = this.worker.toEntry(raw);
        if (!entry) continue;
        this.buffer.push(entry);
        this.lastRead = entry.sequenceNumber;
        this.firstBufferedAt ??= env.clock.now();
      }
      return true;
    } catch (error) {
      if (!(error instanceof ServiceError && error.code === "ExpiredIteratorException"))
        this.worker.problem(error);
      try {
        this.iterator = await this.iteratorAfter(this.lastRead ?? this.position);
      } catch (refreshError) {
        this.worker.problem(refreshError);
      }
      return false;
    }
  }

  private async iteratorAfter(position: ShardPosition | undefined): Promise<string | undefined> {
    const { env, config } = this.worker;
    const request = (type: string, sequenceNumber?: string) =>
      env.call<{ ShardIterator?: string | null }>(
        "dynamodbstreams",
        "GetShardIterator",
        {
          StreamArn: config.eventSourceArn,
          ShardId: this.shardId,
          ShardIteratorType: type,
          ...(sequenceNumber ? { SequenceNumber: sequenceNumber } : {}),
        },
        contextFor(config),
      );
    if (position && position !== TRIM_HORIZON && position !== SHARD_END) {
      try {
        return (await request("AFTER_SEQUENCE_NUMBER", position)).ShardIterator ?? undefined;
      } catch (error) {
        // The checkpoint fell out of the 24 h retention: continue from the oldest record.
        if (!(error instanceof ServiceError && error.code === "TrimmedDataAccessException")) throw error;
      }
    }
    return (await request("TRIM_HORIZON")).ShardIterator ?? undefined;
  }

  private matchedCount(): number {
    let count = 0;
    for (const entry of this.buffer) if (entry.matched) count++;
    return count;
  }

  /** Takes up to `size` matching records (and the filtered ones between them) off the buffer. */
  private takeBatch(size: number): Entry[] {
    let matched = 0;
    let bytes = 0;
    let end = 0;
    while (end < this.buffer.length) {
      const entry = this.buffer[end] as Entry;
      if (entry.matched) {
        if (matched === size || (matched > 0 && bytes + entry.bytes > MAX_PAYLOAD_BYTES)) break;
        matched++;
        bytes += entry.bytes;
      }
      end++;
    }
    return this.buffer.splice(0, end);
  }
}

async function listShards(ctx: WorkerContext, mapping: MappingRecord): Promise<Shard[]> {
  const shards: Shard[] = [];
  let exclusiveStart: string | undefined;
  for (;;) {
    const out = await ctx.env.call<{
      StreamDescription?: { Shards?: Shard[]; LastEvaluatedShardId?: string | null };
    }>(
      "dynamodbstreams",
      "DescribeStream",
      {
        StreamArn: mapping.eventSourceArn,
        ...(exclusiveStart ? { ExclusiveStartShardId: exclusiveStart } : {}),
      },
      contextFor(mapping),
    );
    shards.push(...(out.StreamDescription?.Shards ?? []));
    exclusiveStart = out.StreamDescription?.LastEvaluatedShardId ?? undefined;
    if (!exclusiveStart) return shards;
  }
}

/**
 * LATEST: processing starts with records written after the mapping became active. Records that
 * position per shard as a checkpoint (the last sequence number present, or TRIM_HORIZON for an
 * empty shard), so it survives restarts; shards that appear later are read from their start.
 */
export async function captureLatestPositions(ctx: WorkerContext, mapping: MappingRecord): Promise<void> {
  const positions = ctx.store.positions(mapping.uuid);
  for (const shard of await listShards(ctx, mapping)) {
    if (positions.has(shard.ShardId)) continue;
    let iterator: string | undefined =
      (
        await ctx.env.call<{ ShardIterator?: string | null }>(
          "dynamodbstreams",
          "GetShardIterator",
          { StreamArn: mapping.eventSourceArn, ShardId: shard.ShardId, ShardIteratorType: "TRIM_HORIZON" },
          contextFor(mapping),
        )
      ).ShardIterator ?? undefined;
    let last: string | undefined;
    while (iterator) {
      const out: { Records?: StreamRecord[]; NextShardIterator?: string | null } = await ctx.env.call(
        "dynamodbstreams",
        "GetRecords",
        { ShardIterator: iterator, Limit: GET_RECORDS_LIMIT },
        contextFor(mapping),
      );
      const records = out.Records ?? [];
      for (const record of records) last = record.dynamodb?.SequenceNumber ?? last;
      iterator = out.NextShardIterator ?? undefined;
      if (records.length === 0) break;
    }
    ctx.store.checkpoint(mapping.uuid, shard.ShardId, last ?? (iterator ? TRIM_HORIZON : SHARD_END));
  }
  mapping.latestCapturedAt = ctx.env.clock.now();
  ctx.store.putMapping(mapping);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
