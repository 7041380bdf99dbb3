import type { Message, SQSClient } from "@aws-sdk/client-sqs";
import type { SourceName } from "../../pipeline/model/index.js";
import type { Stack } from "../../pipeline/stack/index.js";
import { OperatorError } from "../config/errors.js";
import { decodeMessage, type DecodedMessage, type MessageAttributeValue, type RawMessage } from "./decode.js";

/** One of the stack's failure queues, with what sends failures to it. */
export interface FailureQueue {
  /** The stack's queue key, or the queue name for a queue the stack references but does not declare. */
  key: string;
  name: string;
  arn: string;
  /** Who writes to it, e.g. "rule celebrity-manual-scrape target scraper-news (delivery DLQ)". */
  feeds: string[];
  /** Functions whose DeadLetterConfig is this queue (their DLQ messages do not name them). */
  dlqOfFunctions: string[];
  /** The stack's work queue ARN per source: where a dead-lettered shard of that source goes back to. */
  workQueueArns: Partial<Record<SourceName, string>>;
}

/**
 * Every queue the stack sends failures to, found from the references themselves (rule-target DLQs,
 * functions' DeadLetterConfig and on-failure destinations, mappings' on-failure destinations, SQS
 * redrive policies), so a queue added to the declaration is listed without naming it here.
 */
export function failureQueues(stack: Stack): FailureQueue[] {
  const found = new Map<string, FailureQueue>();
  const workQueueArns = Object.fromEntries(
    Object.values(stack.queues)
      .filter((queue) => queue.purpose === "work" && queue.source !== undefined)
      .map((queue) => [queue.source, queue.arn]),
  ) as Partial<Record<SourceName, string>>;
  const note = (arn: string | undefined, feed: string) => {
    if (!arn || arn.split(":")[2] !== "sqs") return;
    let queue = found.get(arn);
    if (!queue) {
      const declared = Object.values(stack.queues).find((q) => q.arn === arn);
      const name = declared?.name ?? arn.split(":")[5] ?? arn;
      queue = { key: declared?.key ?? name, name, arn, feeds: [], dlqOfFunctions: [], workQueueArns };
      found.set(arn, queue);
    }
    if (!queue.feeds.includes(feed)) queue.feeds.push(feed);
  };
  for (const rule of Object.values(stack.rules)) {
    for (const target of rule.targets) {
      note(target.DeadLetterConfig?.Arn, `rule ${rule.name} target ${target.Id} (delivery DLQ)`);
    }
  }
  for (const fn of Object.values(stack.functions)) {
    note(fn.definition.DeadLetterConfig?.TargetArn, `function ${fn.name} (async DLQ)`);
    found.get(fn.definition.DeadLetterConfig?.TargetArn ?? "")?.dlqOfFunctions.push(fn.name);
    note(
      fn.eventInvokeConfig?.DestinationConfig?.OnFailure?.Destination,
      `function ${fn.name} (async on-failure destination)`,
    );
  }
  for (const mapping of Object.values(stack.eventSourceMappings)) {
    note(
      mapping.definition.DestinationConfig?.OnFailure?.Destination,
      `mapping ${mapping.key} -> ${mapping.definition.FunctionName} (stream on-failure destination)`,
    );
  }
  for (const queue of Object.values(stack.queues)) {
    const policy = queue.definition.Attributes?.RedrivePolicy;
    if (policy) {
      const target = (JSON.parse(policy) as { deadLetterTargetArn?: string }).deadLetterTargetArn;
      note(target, `queue ${queue.name} (SQS redrive)`);
    }
  }
  // Declared failure queues nothing references yet are still the stack's DLQs (work queues are not).
  for (const queue of Object.values(stack.queues)) {
    if (queue.purpose === "failure" && !found.has(queue.arn)) {
      found.set(queue.arn, {
        key: queue.key,
        name: queue.name,
        arn: queue.arn,
        feeds: [],
        dlqOfFunctions: [],
        workQueueArns,
      });
    }
  }
  return [...found.values()];
}

/**
 * A Lambda DLQ message carries no function name (its destination record twin does). When only one
 * function of the stack uses the queue as its DLQ, the message can only be that function's.
 */
export function decodeFrom(
  queue: Pick<FailureQueue, "dlqOfFunctions"> & Partial<Pick<FailureQueue, "workQueueArns">>,
  raw: RawMessage,
): DecodedMessage {
  const decoded = decodeMessage(raw);
  // A shard goes back to its source's work queue in this stack, whichever queue SQS names.
  const workQueue = decoded.shard && queue.workQueueArns?.[decoded.shard.source];
  if (decoded.shard && workQueue) decoded.shard.workQueueArn = workQueue;
  const [only, ...others] = queue.dlqOfFunctions;
  if (decoded.form === "dlq-message" && !decoded.functionName && only && others.length === 0) {
    decoded.functionName = only;
  }
  return decoded;
}

/** The queues a command acts on: the one named (by name or key), else all of them. */
export function selectQueues(stack: Stack, wanted: string | undefined): FailureQueue[] {
  const all = failureQueues(stack);
  if (wanted === undefined) return all;
  const found = all.find((queue) => queue.name === wanted || queue.key === wanted || queue.arn === wanted);
  if (!found) {
    throw new OperatorError(
      `queue ${JSON.stringify(wanted)} is not a failure queue of this stack; use one of ${all
        .map((queue) => queue.name)
        .join(", ")}`,
    );
  }
  return [found];
}

/** A message received from a queue: its content and the handle that deletes or releases it. */
export interface Received {
  raw: RawMessage;
  receiptHandle: string;
}

/** SQS operations on one queue, as the DLQ commands use them (the same calls on every target). */
export class QueueSession {
  private constructor(
    readonly queue: FailureQueue,
    readonly url: string,
    private readonly sqs: SQSClient,
  ) {}

  static async open(sqs: SQSClient, queue: FailureQueue): Promise<QueueSession> {
    const url = await queueUrlOf(sqs, queue.arn);
    if (url === undefined) {
      throw new OperatorError(
        `queue ${queue.name} does not exist on this target; deploy the stack (pipeline deploy)`,
      );
    }
    return new QueueSession(queue, url, sqs);
  }

  /**
   * Receives up to `max` messages, keeping each one invisible for `visibilitySeconds` so a batch
   * never returns a message twice. Long polls of 1 s: a short poll samples only some SQS servers and
   * can answer empty while messages wait. Every receive counts towards ApproximateReceiveCount.
   */
  async receive(
    max: number,
    visibilitySeconds: number,
    onBatch?: (batch: Received[]) => void,
  ): Promise<Received[]> {
    const { ReceiveMessageCommand } = await import("@aws-sdk/client-sqs");
    const received: Received[] = [];
    const seen = new Set<string>();
    while (received.length < max) {
      const out = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.url,
          MaxNumberOfMessages: Math.min(10, max - received.length),
          VisibilityTimeout: visibilitySeconds,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ["All"],
          MessageAttributeNames: ["All"],
        }),
      );
      const messages = out.Messages ?? [];
      if (messages.length === 0) break;
      const batch: Received[] = [];
      for (const message of messages) {
        if (!message.MessageId || !message.ReceiptHandle || seen.has(message.MessageId)) continue;
        seen.add(message.MessageId);
        batch.push({ raw: toRawMessage(message), receiptHandle: message.ReceiptHandle });
      }
      onBatch?.(batch);
      received.push(...batch);
    }
    return received;
  }

  /** Makes messages visible again at once (ChangeMessageVisibility 0). */
  async release(messages: readonly Received[]): Promise<void> {
    await this.changeVisibility(messages, 0);
  }

  async changeVisibility(messages: readonly Received[], seconds: number): Promise<void> {
    const { ChangeMessageVisibilityBatchCommand } = await import("@aws-sdk/client-sqs");
    for (const batch of chunks(messages, 10)) {
      const out = await this.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.url,
          Entries: batch.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.receiptHandle,
            VisibilityTimeout: seconds,
          })),
        }),
      );
      // A message no longer in flight is already visible: nothing to undo.
      const failed = (out.Failed ?? []).filter((entry) => !/MessageNotInflight/.test(entry.Code ?? ""));
      if (failed.length > 0) {
        throw new Error(
          `ChangeMessageVisibility failed on ${this.queue.name}: ${failed.map((f) => `${f.Code} ${f.Message ?? ""}`).join("; ")}`,
        );
      }
    }
  }

  /** Deletes messages; throws if SQS refused any. */
  async delete(messages: readonly Received[]): Promise<void> {
    const { DeleteMessageBatchCommand } = await import("@aws-sdk/client-sqs");
    for (const batch of chunks(messages, 10)) {
      const out = await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.url,
          Entries: batch.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.receiptHandle,
          })),
        }),
      );
      if ((out.Failed ?? []).length > 0) {
        throw new Error(
          `DeleteMessage failed on ${this.queue.name}: ${(out.Failed ?? []).map((f) => `${f.Code} ${f.Message ?? ""}`).join("; ")}`,
        );
      }
    }
  }

  async depth(): Promise<{ visible: number; inFlight: number; delayed: number }> {
    const { GetQueueAttributesCommand } = await import("@aws-sdk/client-sqs");
    const out = await this.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.url,
        AttributeNames: [
          "ApproximateNumberOfMessages",
          "ApproximateNumberOfMessagesNotVisible",
          "ApproximateNumberOfMessagesDelayed",
        ],
      }),
    );
    const attributes: Record<string, string | undefined> = { ...out.Attributes };
    const count = (name: string) => Number(attributes[name] ?? 0);
    return {
      visible: count("ApproximateNumberOfMessages"),
      inFlight: count("ApproximateNumberOfMessagesNotVisible"),
      delayed: count("ApproximateNumberOfMessagesDelayed"),
    };
  }
}

/**
 * Keeps messages a run is working on invisible with a short timeout that it renews, instead of one
 * long timeout: if the process dies (kill -9), the messages it held are visible again within
 * `seconds`, so a rerun finds them soon rather than after the longest replay could take.
 */
export class VisibilityHeartbeat {
  private readonly held = new Set<Received>();
  private readonly timer: NodeJS.Timeout;
  private renewing: Promise<void> = Promise.resolve();
  /** The last renewal failure (renewals keep going; a lost hold shows up as a failed delete). */
  lastError: unknown;

  constructor(
    private readonly session: QueueSession,
    private readonly seconds: number,
  ) {
    this.timer = setInterval(() => this.renew(), Math.max(250, (seconds * 1000) / 3));
    this.timer.unref();
  }

  hold(messages: readonly Received[]): void {
    for (const message of messages) this.held.add(message);
  }

  /** Stops renewing these (deleted, or about to be released). */
  forget(messages: readonly Received[]): void {
    for (const message of messages) this.held.delete(message);
  }

  private renew(): void {
    const messages = [...this.held];
    if (messages.length === 0) return;
    this.renewing = this.renewing
      .then(() => this.session.changeVisibility(messages, this.seconds))
      .catch((error: unknown) => {
        this.lastError = error;
      });
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.renewing;
  }
}

/** The queue's URL, or undefined when it does not exist. */
export async function queueUrlOf(sqs: SQSClient, arn: string): Promise<string | undefined> {
  const { GetQueueUrlCommand } = await import("@aws-sdk/client-sqs");
  const [, , , , account, name] = arn.split(":");
  try {
    return (await sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account })))
      .QueueUrl;
  } catch (error) {
    if (error instanceof Error && /QueueDoesNotExist|NonExistentQueue/.test(error.name)) return undefined;
    throw error;
  }
}

export function toRawMessage(message: Message): RawMessage {
  const messageAttributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      ...(value.DataType ? { DataType: value.DataType } : {}),
      ...(value.StringValue !== undefined ? { StringValue: value.StringValue } : {}),
      ...(value.BinaryValue ? { BinaryValue: Buffer.from(value.BinaryValue).toString("base64") } : {}),
    };
  }
  return {
    messageId: message.MessageId ?? "",
    body: message.Body ?? "",
    attributes: { ...(message.Attributes as Record<string, string> | undefined) },
    messageAttributes,
  };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
