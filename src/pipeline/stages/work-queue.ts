import {
  ChangeMessageVisibilityCommand,
  GetQueueUrlCommand,
  SendMessageBatchCommand,
} from "@aws-sdk/client-sqs";
import type { SQSClient, SendMessageBatchRequestEntry } from "@aws-sdk/client-sqs";
import { encodeShard, shardMessageAttributes } from "../model/index.js";
import type { ScrapeShard } from "../model/index.js";

/**
 * A source's work queue as the scraper uses it: the planner sends shards (SendMessageBatch), a
 * worker holds its own message while it works and, when its shard failed, says when it may come
 * back (ChangeMessageVisibility with the record's receipt handle). Receiving and deleting are the
 * event source mapping's job.
 */

/** Where a planner puts its shards. */
export interface ShardSink {
  send(shards: readonly ScrapeShard[]): Promise<void>;
}

/** A worker's say over its message's visibility. */
export interface MessageVisibility {
  /** The message stays invisible for `seconds` from now. */
  set(seconds: number): Promise<void>;
}

/** SendMessageBatch: 10 entries; the batch's bodies and attributes stay within 256 KiB. */
const BATCH_ENTRIES = 10;
const BATCH_BYTES = 256 * 1024;
/** Entries SQS failed (throttled, an internal error) are sent again this many times. */
const SEND_ATTEMPTS = 5;

export class ShardSendError extends Error {
  override readonly name = "ShardSendError";
}

function entryOf(shard: ScrapeShard): { entry: SendMessageBatchRequestEntry; bytes: number } {
  const body = encodeShard(shard);
  const attributes = shardMessageAttributes(shard);
  const bytes =
    Buffer.byteLength(body) +
    Object.entries(attributes).reduce(
      (sum, [name, value]) => sum + name.length + value.DataType.length + value.StringValue.length,
      0,
    );
  return { entry: { Id: `s${shard.shard}`, MessageBody: body, MessageAttributes: attributes }, bytes };
}

/** Groups entries so each batch has at most 10 of them and at most 256 KiB. */
function batchesOf(shards: readonly ScrapeShard[]): SendMessageBatchRequestEntry[][] {
  const batches: SendMessageBatchRequestEntry[][] = [];
  let current: SendMessageBatchRequestEntry[] = [];
  let bytes = 0;
  for (const shard of shards) {
    const { entry, bytes: size } = entryOf(shard);
    if (current.length === BATCH_ENTRIES || (current.length > 0 && bytes + size > BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** The queue's URL, looked up once per function instance (GetQueueUrl) and kept. */
export function queueUrlResolver(
  sqs: SQSClient,
  queueName: string,
  ownerAccount?: string,
): () => Promise<string> {
  let url: Promise<string> | undefined;
  return () => {
    url ??= sqs
      .send(
        new GetQueueUrlCommand({
          QueueName: queueName,
          ...(ownerAccount ? { QueueOwnerAWSAccountId: ownerAccount } : {}),
        }),
      )
      .then((out) => {
        if (!out.QueueUrl) throw new Error(`GetQueueUrl answered no URL for ${queueName}`);
        return out.QueueUrl;
      })
      .catch((error: unknown) => {
        url = undefined;
        throw error;
      });
    return url;
  };
}

/** The planner's side of an SQS work queue. */
export function sqsShardSink(sqs: SQSClient, queueUrl: () => Promise<string>): ShardSink {
  return {
    async send(shards) {
      const url = await queueUrl();
      // Sent in order, a few batches at a time: 10,000 people at 25 a shard are 40 batches.
      const batches = batchesOf(shards);
      const inFlight = 4;
      let next = 0;
      const lane = async () => {
        while (next < batches.length) {
          const batch = batches[next++]!;
          await sendBatch(sqs, url, batch);
        }
      };
      await Promise.all(Array.from({ length: Math.min(inFlight, batches.length) }, lane));
    },
  };
}

async function sendBatch(sqs: SQSClient, url: string, batch: SendMessageBatchRequestEntry[]) {
  let pending = batch;
  for (let attempt = 1; pending.length > 0; attempt += 1) {
    const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: pending }));
    const failed = out.Failed ?? [];
    if (failed.length === 0) return;
    // A sender's fault (a bad entry) will not get better; SQS's own may.
    const fatal = failed.filter((entry) => entry.SenderFault);
    if (fatal.length > 0 || attempt >= SEND_ATTEMPTS) {
      throw new ShardSendError(
        `SendMessageBatch to ${url} failed for ${failed.length} shard(s): ${failed
          .slice(0, 3)
          .map((entry) => `${entry.Id} ${entry.Code ?? ""} ${entry.Message ?? ""}`.trim())
          .join("; ")}`,
      );
    }
    const again = new Set(failed.map((entry) => entry.Id));
    pending = pending.filter((entry) => again.has(entry.Id));
  }
}

/** A worker's control of one received message. */
export function sqsMessageVisibility(
  sqs: SQSClient,
  queueUrl: () => Promise<string>,
  receiptHandle: string,
): MessageVisibility {
  return {
    async set(seconds) {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: await queueUrl(),
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: Math.max(0, Math.round(seconds)),
        }),
      );
    },
  };
}
