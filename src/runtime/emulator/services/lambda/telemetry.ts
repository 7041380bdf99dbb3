import { randomUUID } from "node:crypto";
import { ServiceError } from "../../core/errors.js";
import type { RequestContext } from "../../core/request.js";
import type { ServiceEnv, ServiceName } from "../../core/service.js";
import type { InvocationResult, LogEvent, LogSink, LogStreamRef } from "./executor/executor.js";

/** CloudWatch Logs limits for one PutLogEvents call, and Lambda's cut-off for one log line. */
const MAX_EVENTS_PER_PUT = 10_000;
const MAX_PUT_BYTES = 1_048_576;
const EVENT_OVERHEAD_BYTES = 26;
const MAX_EVENT_BYTES = 256 * 1024 - EVENT_OVERHEAD_BYTES;

/** True when the error means the other service is not part of this emulator (a services subset). */
export function serviceMissing(error: unknown): boolean {
  return error instanceof ServiceError && error.code === "UnknownOperationException";
}

function contextOf(ref: { accountId: string; region: string }): RequestContext {
  return { requestId: randomUUID(), accountId: ref.accountId, region: ref.region };
}

/**
 * Writes execution environments' log streams to the emulator's CloudWatch Logs through its API,
 * creating the group (`/aws/lambda/<name>`) and stream on first use, in order per stream. Without
 * the logs service the lines are dropped quietly.
 */
export class CloudWatchLogSink implements LogSink {
  private readonly ready = new Set<string>();
  private readonly tails = new Map<string, Promise<void>>();
  private missing = false;

  constructor(
    private readonly env: ServiceEnv,
    private readonly service: ServiceName = "logs",
  ) {}

  write(stream: LogStreamRef, events: LogEvent[]): Promise<void> {
    const key = `${stream.accountId}/${stream.region}/${stream.groupName}/${stream.streamName}`;
    const previous = this.tails.get(key) ?? Promise.resolve();
    // A failed write (already reported by its caller) must not stop the stream's later writes.
    const next = previous.catch(() => undefined).then(() => this.put(key, stream, events));
    this.tails.set(key, next);
    void next.finally(() => {
      if (this.tails.get(key) === next) this.tails.delete(key);
    });
    return next;
  }

  private async put(key: string, stream: LogStreamRef, events: LogEvent[]): Promise<void> {
    if (this.missing) return;
    const logEvents = events
      .filter((event) => event.message.length > 0)
      .map((event) => ({ timestamp: event.timestamp, message: truncate(event.message) }));
    if (logEvents.length === 0) return;
    try {
      if (!this.ready.has(key)) await this.create(stream, key);
      for (const batch of batches(logEvents)) {
        try {
          await this.call("PutLogEvents", { ...names(stream), logEvents: batch }, stream);
        } catch (error) {
          // Someone deleted the group or stream (e.g. a test resetting logs): recreate, as Lambda does.
          if (!(error instanceof ServiceError && error.code === "ResourceNotFoundException")) throw error;
          this.ready.delete(key);
          await this.create(stream, key);
          await this.call("PutLogEvents", { ...names(stream), logEvents: batch }, stream);
        }
      }
    } catch (error) {
      if (serviceMissing(error)) {
        this.missing = true;
        return;
      }
      throw error;
    }
  }

  private async create(stream: LogStreamRef, key: string): Promise<void> {
    await ignoreExists(() => this.call("CreateLogGroup", { logGroupName: stream.groupName }, stream));
    await ignoreExists(() => this.call("CreateLogStream", names(stream), stream));
    this.ready.add(key);
  }

  private call(operation: string, input: unknown, stream: LogStreamRef): Promise<unknown> {
    return this.env.call(this.service, operation, input, contextOf(stream));
  }
}

function names(stream: LogStreamRef) {
  return { logGroupName: stream.groupName, logStreamName: stream.streamName };
}

async function ignoreExists(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (error) {
    if (!(error instanceof ServiceError && error.code === "ResourceAlreadyExistsException")) throw error;
  }
}

function truncate(message: string): string {
  if (Buffer.byteLength(message) <= MAX_EVENT_BYTES) return message;
  return Buffer.from(message).subarray(0, MAX_EVENT_BYTES).toString("utf8");
}

function* batches(events: LogEvent[]): Generator<LogEvent[]> {
  let batch: LogEvent[] = [];
  let bytes = 0;
  for (const event of events) {
    const size = Buffer.byteLength(event.message) + EVENT_OVERHEAD_BYTES;
    if (batch.length > 0 && (batch.length >= MAX_EVENTS_PER_PUT || bytes + size > MAX_PUT_BYTES)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(event);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}

export interface InvocationMetrics {
  functionName: string;
  accountId: string;
  region: string;
  result?: InvocationResult;
  throttled?: boolean;
}

/**
 * Publishes the AWS/Lambda metrics of one invocation (Invocations, Errors, Duration, or Throttles)
 * with the FunctionName dimension. Without the cloudwatch service nothing is published.
 */
export class LambdaMetrics {
  private missing = false;

  constructor(private readonly env: ServiceEnv) {}

  async record(metrics: InvocationMetrics): Promise<void> {
    if (this.missing) return;
    const dimensions = [{ Name: "FunctionName", Value: metrics.functionName }];
    const timestamp = new Date(this.env.clock.now());
    const datum = (name: string, value: number, unit: string) => ({
      MetricName: name,
      Dimensions: dimensions,
      Timestamp: timestamp,
      Value: value,
      Unit: unit,
    });
    const data = metrics.throttled
      ? [datum("Throttles", 1, "Count")]
      : [
          datum("Invocations", 1, "Count"),
          datum("Errors", metrics.result && metrics.result.outcome !== "success" ? 1 : 0, "Count"),
          datum("Duration", Number((metrics.result?.durationMs ?? 0).toFixed(2)), "Milliseconds"),
        ];
    try {
      await this.env.call(
        "cloudwatch",
        "PutMetricData",
        { Namespace: "AWS/Lambda", MetricData: data },
        contextOf(metrics),
      );
    } catch (error) {
      if (serviceMissing(error)) this.missing = true;
      else throw error;
    }
  }
}
