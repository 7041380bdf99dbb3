import { SHARD_KIND, ShardDecodeError, decodeShard } from "../../pipeline/model/index.js";
import type { SourceName } from "../../pipeline/model/index.js";

/**
 * What a message in one of the stack's failure queues means. Four kinds reach them
 * (aws-behaviour.md §3.4, §4.2, §5.7, §6.2):
 *
 * - `eventbridge-target`: a rule could not deliver an event; body = the event, attributes
 *   RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION?, RETRY_ATTEMPTS.
 * - `lambda-async`: an asynchronous invocation failed after Lambda's retries, in one of two forms:
 *   `dlq-message` (the function's DeadLetterConfig: body = the event, attributes RequestID,
 *   ErrorCode, ErrorMessage; no function name) or `destination-record` (the on-failure
 *   destination: requestContext, requestPayload, responseContext, responsePayload).
 * - `stream-on-failure`: a stream mapping gave up on a batch; only the shard and sequence range.
 * - `sqs-redrive`: SQS moved a message from a source queue (DeadLetterQueueSourceArn).
 * - `scrape-shard`: the same, for a shard of a scrape run (src/pipeline/model/shard.ts) that a
 *   source's work queue gave up on after maxReceiveCount receives: which run, source and shard,
 *   and whom it holds. Told by its body, so an archived shard is one too.
 *
 * The stack wires a scraper's DLQ and its on-failure destination to the same queue, so one failure
 * yields both forms with the same request id: `groupKey` is that request id for both, and
 * peek/replay treat the pair as one failure.
 */

export const MESSAGE_KINDS = [
  "eventbridge-target",
  "lambda-async",
  "stream-on-failure",
  "sqs-redrive",
  "scrape-shard",
  "unknown",
] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** The two ways Lambda reports a failed asynchronous invocation. */
export type LambdaFailureForm = "dlq-message" | "destination-record";

export interface MessageAttributeValue {
  DataType?: string;
  StringValue?: string;
  /** Base64 text of a Binary attribute, as archived. */
  BinaryValue?: string;
}

/** A message as received from SQS (or read back from an archive). */
export interface RawMessage {
  messageId: string;
  body: string;
  /** System attributes (SentTimestamp, ApproximateReceiveCount, DeadLetterQueueSourceArn, SenderId …). */
  attributes: Record<string, string>;
  messageAttributes: Record<string, MessageAttributeValue>;
}

/** A shard message, as peek shows it and replay routes it. */
export interface ShardInfo {
  runId: string;
  source: SourceName;
  /** 0-based index within the run's `shards`. */
  shard: number;
  shards: number;
  plannedAt: string;
  /** Whom it holds, in order. */
  people: { id: string; name: string }[];
  /** The stack's work queue of the shard's source (set where the stack is known: see decodeFrom). */
  workQueueArn?: string;
}

export interface StreamBatchInfo {
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  streamArn: string;
  batchSize?: number;
  approximateArrivalOfFirstRecord?: string;
  approximateArrivalOfLastRecord?: string;
}

export interface DecodedMessage {
  kind: MessageKind;
  /** lambda-async only: which of Lambda's two failure reports this message is. */
  form?: LambdaFailureForm;
  messageId: string;
  /** Messages describing the same failure share it (request id, else message id). */
  groupKey: string;
  requestId?: string;
  ruleArn?: string;
  targetArn?: string;
  functionArn?: string;
  /** Function name (from the function ARN, or the rule target's ARN). */
  functionName?: string;
  errorCode?: string;
  errorMessage?: string;
  /** Retries made: EventBridge's RETRY_ATTEMPTS; for Lambda, attempts reported minus the first. */
  retryAttempts?: number;
  /** Lambda only: approximateInvokeCount, every attempt including the first. */
  invokeCount?: number;
  /** EXHAUSTED_RETRY_CONDITION, or the destination record's condition. */
  condition?: string;
  /** The event as the function or target would have received it. */
  originalEvent?: unknown;
  stream?: StreamBatchInfo;
  /** scrape-shard only. */
  shard?: ShardInfo;
  sourceQueueArn?: string;
  /** When SQS accepted the message (epoch ms), from SentTimestamp. */
  sentAt?: number;
  /** For unknown messages: why none of the kinds matched. */
  note?: string;
}

export function decodeMessage(raw: RawMessage): DecodedMessage {
  const base = {
    messageId: raw.messageId,
    groupKey: raw.messageId,
    ...sentAt(raw),
  };
  const attr = (name: string): string | undefined => raw.messageAttributes[name]?.StringValue;
  const body = parseJson(raw.body);

  const sourceQueueArn = raw.attributes.DeadLetterQueueSourceArn;
  const shard = shardOf(raw.body);
  if (shard.info !== undefined) {
    return { ...base, kind: "scrape-shard", shard: shard.info, ...defined("sourceQueueArn", sourceQueueArn) };
  }
  if (sourceQueueArn) {
    return {
      ...base,
      kind: "sqs-redrive",
      sourceQueueArn,
      originalEvent: body ?? raw.body,
      ...defined("note", shard.problem),
    };
  }

  if (attr("RULE_ARN") !== undefined && attr("TARGET_ARN") !== undefined) {
    const targetArn = attr("TARGET_ARN")!;
    const retries = attr("RETRY_ATTEMPTS");
    return {
      ...base,
      kind: "eventbridge-target",
      ruleArn: attr("RULE_ARN"),
      targetArn,
      ...functionOf(targetArn),
      ...defined("errorCode", attr("ERROR_CODE")),
      ...defined("errorMessage", attr("ERROR_MESSAGE")),
      ...defined("condition", attr("EXHAUSTED_RETRY_CONDITION")),
      ...(retries !== undefined && /^\d+$/.test(retries) ? { retryAttempts: Number(retries) } : {}),
      originalEvent: body ?? raw.body,
    };
  }

  const requestId = attr("RequestID");
  if (requestId !== undefined) {
    return {
      ...base,
      kind: "lambda-async",
      form: "dlq-message",
      groupKey: requestId,
      requestId,
      ...defined("errorCode", attr("ErrorCode")),
      ...defined("errorMessage", attr("ErrorMessage")),
      ...functionFromSender(raw.attributes.SenderId),
      originalEvent: body ?? raw.body,
    };
  }

  if (isObject(body) && isObject(body.requestContext)) {
    const context = body.requestContext;
    const id = stringOr(context.requestId);
    const functionArn = stringOr(context.functionArn);
    const invokeCount =
      typeof context.approximateInvokeCount === "number" ? context.approximateInvokeCount : undefined;
    const response = isObject(body.responseContext) ? body.responseContext : undefined;
    const common = {
      ...base,
      ...(id ? { groupKey: id, requestId: id } : {}),
      ...(functionArn ? { functionArn: unqualified(functionArn), ...functionOf(functionArn) } : {}),
      ...defined("condition", stringOr(context.condition)),
      ...(invokeCount !== undefined ? { invokeCount, retryAttempts: Math.max(0, invokeCount - 1) } : {}),
      ...defined("errorCode", stringOr(response?.functionError) ?? statusOf(response)),
    };
    const batch = body.DDBStreamBatchInfo;
    if (isObject(batch)) {
      const stream = streamInfo(batch);
      if (stream) return { ...common, kind: "stream-on-failure", stream };
    }
    if ("requestPayload" in body) {
      return {
        ...common,
        kind: "lambda-async",
        form: "destination-record",
        ...defined("errorMessage", errorMessageOf(body.responsePayload)),
        originalEvent: body.requestPayload,
      };
    }
  }

  return {
    ...base,
    kind: "unknown",
    originalEvent: body ?? raw.body,
    note: "no RULE_ARN/TARGET_ARN, RequestID or DeadLetterQueueSourceArn attribute, and the body is not a Lambda destination or stream failure record",
  };
}

/**
 * The shard a body holds; for a body that says it is a shard but is not a valid one, why not
 * (it is then an ordinary message: replayed as it is, where SQS says it came from).
 */
function shardOf(body: string): { info?: ShardInfo; problem?: string } {
  if (!body.includes(SHARD_KIND)) return {};
  try {
    const shard = decodeShard(body);
    return {
      info: {
        runId: shard.runId,
        source: shard.source,
        shard: shard.shard,
        shards: shard.shards,
        plannedAt: shard.plannedAt,
        people: shard.people.map((person) => ({ id: person.id, name: person.name })),
      },
    };
  } catch (error) {
    if (!(error instanceof ShardDecodeError) || !/^invalid /.test(error.message)) return {};
    return { problem: error.message };
  }
}

/**
 * One failure: the messages that describe it (a Lambda DLQ message and its destination record share
 * a request id), with a summary merged from all of them: the destination record names the function,
 * the DLQ message carries the error text.
 */
export interface FailureGroup {
  key: string;
  kind: MessageKind;
  summary: DecodedMessage;
  messages: DecodedMessage[];
}

export function groupFailures(messages: readonly DecodedMessage[]): FailureGroup[] {
  const groups = new Map<string, DecodedMessage[]>();
  for (const message of messages) {
    const list = groups.get(message.groupKey);
    if (list) list.push(message);
    else groups.set(message.groupKey, [message]);
  }
  return [...groups.entries()].map(([key, members]) => {
    // The destination record says the most (function, condition, attempts); the DLQ message fills gaps.
    const ordered = [...members].sort((a, b) => formRank(a) - formRank(b));
    const summary = Object.assign({}, ...[...ordered].reverse()) as DecodedMessage;
    const first = ordered[0]!;
    summary.kind = first.kind;
    summary.messageId = first.messageId;
    summary.groupKey = key;
    const sent = members.map((m) => m.sentAt).filter((t): t is number => t !== undefined);
    if (sent.length > 0) summary.sentAt = Math.min(...sent);
    return { key, kind: first.kind, summary, messages: members };
  });
}

function formRank(message: DecodedMessage): number {
  return message.form === "destination-record" ? 0 : message.form === "dlq-message" ? 1 : 2;
}

function streamInfo(batch: Record<string, unknown>): StreamBatchInfo | undefined {
  const shardId = stringOr(batch.shardId);
  const start = stringOr(batch.startSequenceNumber);
  const end = stringOr(batch.endSequenceNumber);
  const streamArn = stringOr(batch.streamArn);
  if (!shardId || !start || !end || !streamArn) return undefined;
  return {
    shardId,
    startSequenceNumber: start,
    endSequenceNumber: end,
    streamArn,
    ...(typeof batch.batchSize === "number" ? { batchSize: batch.batchSize } : {}),
    ...defined("approximateArrivalOfFirstRecord", stringOr(batch.approximateArrivalOfFirstRecord)),
    ...defined("approximateArrivalOfLastRecord", stringOr(batch.approximateArrivalOfLastRecord)),
  };
}

/** `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]` → name and unqualified ARN. */
export function functionOf(arn: string): { functionName?: string } {
  const parts = arn.split(":");
  if (parts[0] !== "arn" || parts[2] !== "lambda" || parts[5] !== "function" || !parts[6]) return {};
  return { functionName: parts[6] };
}

/**
 * Destination records name `…:function:<name>:$LATEST`; the replay invokes the unqualified ARN then,
 * but keeps a version or alias qualifier, which is where the failed invocation ran.
 */
function unqualified(arn: string): string {
  const parts = arn.split(":");
  return parts[7] === "$LATEST" ? parts.slice(0, 7).join(":") : arn;
}

/**
 * Lambda writes a function's DLQ messages with the function's role, so on AWS SenderId reads
 * `<role id>:<function name>`; elsewhere it may be just an account or access key id.
 */
function functionFromSender(senderId: string | undefined): { functionName?: string } {
  const session = senderId?.split(":")[1];
  return session && /^[A-Za-z0-9_-]{1,64}$/.test(session) ? { functionName: session } : {};
}

function sentAt(raw: RawMessage): { sentAt?: number } {
  const value = Number(raw.attributes.SentTimestamp);
  return Number.isFinite(value) && value > 0 ? { sentAt: value } : {};
}

function errorMessageOf(payload: unknown): string | undefined {
  if (isObject(payload)) {
    const type = stringOr(payload.errorType);
    const message = stringOr(payload.errorMessage);
    if (type && message) return `${type}: ${message}`;
    return message ?? type;
  }
  return typeof payload === "string" ? payload : undefined;
}

function statusOf(response: Record<string, unknown> | undefined): string | undefined {
  return typeof response?.statusCode === "number" ? String(response.statusCode) : undefined;
}

function defined<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function stringOr(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
