import { randomUUID } from "node:crypto";
import type { TimerHandle } from "../../core/clock.js";
import { ServiceError } from "../../core/errors.js";
import type { RequestContext } from "../../core/request.js";
import type { ServiceEnv } from "../../core/service.js";
import { defaultAttributes, normalizeAttributes, renderAttributes } from "./attributes.js";
import { sqsErrors } from "./errors.js";
import {
  entryList,
  integerInRange,
  optionalInteger,
  optionalString,
  requiredString,
  stringList,
  stringMap,
  type Input,
} from "./input.js";
import {
  BATCH_ENTRY_ID_PATTERN,
  BATCH_MAX_ENTRIES,
  BATCH_MAX_PAYLOAD_BYTES,
  DEDUPLICATION_INTERVAL_MS,
  DELETED_QUEUE_NAME_BLOCK_MS,
  FIFO_SUFFIX,
  LIST_QUEUES_MAX_RESULTS,
  MAX_MESSAGES_PER_RECEIVE,
  MAX_TAGS_PER_QUEUE,
  MAX_TOTAL_VISIBILITY_SECONDS,
  PURGE_INTERVAL_MS,
  QUEUE_NAME_MAX_LENGTH,
  RECEIVE_WAIT_TIME_SECONDS,
  VISIBILITY_TIMEOUT,
} from "./limits.js";
import { md5OfAttributes } from "./md5.js";
import { buildMessage, type MessageToSend } from "./message-input.js";
import {
  Queue,
  queueArn,
  type DedupRecord,
  type MessageAttributeValue,
  type QueueRecord,
  type StoredMessage,
} from "./models.js";
import { decodeReceipt, encodeReceipt } from "./receipt.js";
import { formatSequenceNumber, type MessageChange, type SqsEntry, type SqsState } from "./store.js";
import { parseQueueUrl, queueNameRef, queueUrl } from "./queue-url.js";

/** A message as ReceiveMessage returns it (JSON protocol shape; binary values base64). */
export interface ReceivedMessage {
  MessageId: string;
  ReceiptHandle: string;
  MD5OfBody: string;
  Body: string;
  Attributes?: Record<string, string>;
  MD5OfMessageAttributes?: string;
  MessageAttributes?: Record<string, MessageAttributeValue>;
}

interface BatchFailure {
  Id: string;
  SenderFault: boolean;
  Code: string;
  Message: string;
}

interface ReceiveOptions {
  max: number;
  visibilitySeconds: number;
  waitSeconds: number;
  systemAttributeNames: string[];
  messageAttributeNames: string[];
}

const ALL_SYSTEM_ATTRIBUTES = [
  "SenderId",
  "SentTimestamp",
  "ApproximateReceiveCount",
  "ApproximateFirstReceiveTimestamp",
  "SequenceNumber",
  "MessageDeduplicationId",
  "MessageGroupId",
  "AWSTraceHeader",
  "DeadLetterQueueSourceArn",
];

const PERMISSION_ACTIONS = new Set([
  "*",
  "SendMessage",
  "ReceiveMessage",
  "DeleteMessage",
  "ChangeMessageVisibility",
  "GetQueueAttributes",
  "GetQueueUrl",
  "ListDeadLetterSourceQueues",
  "PurgeQueue",
  "ListQueueTags",
]);

/**
 * SQS operations (one method per AWS operation). State changes are expressed as journal entries
 * and applied through `commit`, so the live path and a restart's replay are the same code.
 */
export class SqsProvider {
  /** Long polls in progress, finished with no messages on stop. */
  private readonly polls = new Set<() => void>();

  constructor(
    private readonly state: SqsState,
    private readonly env: ServiceEnv,
    private readonly commit: (entry: SqsEntry) => void,
  ) {}

  private now(): number {
    return this.env.clock.now();
  }

  url(queue: Queue): string {
    return queueUrl(this.env.baseUrl(), queue.record.accountId, queue.name);
  }

  /**
   * Resolves QueueUrl to a queue of the caller's region: any AWS or LocalStack URL form, or a bare
   * queue name (SQS accepts one in place of the URL, for the caller's own account). Anything else
   * (a malformed URL, a name SQS could not have created) is QueueDoesNotExist, as AWS answers.
   */
  queueFor(input: Input, context: RequestContext): Queue {
    const url = requiredString(input, "QueueUrl");
    const ref = parseQueueUrl(url) ?? queueNameRef(url, context);
    if (!ref) throw sqsErrors.queueDoesNotExist();
    const queue = this.state.queues.get(queueArn(ref.region ?? context.region, ref.accountId, ref.name));
    if (!queue) throw sqsErrors.queueDoesNotExist();
    queue.sweep(this.now());
    return queue;
  }

  // ---- queues -------------------------------------------------------------------------------

  async createQueue(input: Input, context: RequestContext): Promise<{ QueueUrl: string }> {
    const name = requiredString(input, "QueueName");
    const given = stringMap(input, "Attributes") ?? {};
    const fifo = (given["FifoQueue"] ?? "").trim().toLowerCase() === "true";
    checkQueueName(name, fifo);
    const arn = queueArn(context.region, context.accountId, name);
    const normalized = normalizeAttributes(given, {
      arn,
      fifo,
      creating: true,
      findQueue: (a) => this.state.queues.get(a),
    });
    const existing = this.state.queues.get(arn);
    if (existing) {
      for (const [key, value] of Object.entries(normalized)) {
        if ((existing.record.attributes[key] ?? "") !== value) throw sqsErrors.queueNameExists(key);
      }
      return { QueueUrl: this.url(existing) };
    }
    const now = this.now();
    const deletedAt = this.state.deleted.get(arn);
    if (deletedAt !== undefined && now - deletedAt < DELETED_QUEUE_NAME_BLOCK_MS) {
      throw sqsErrors.queueDeletedRecently();
    }
    const tags = stringMap(input, "tags") ?? stringMap(input, "Tags") ?? {};
    checkTagCount(name, Object.keys(tags).length);
    const attributes = { ...defaultAttributes(fifo), ...withoutEmpty(normalized) };
    const record: QueueRecord = {
      name,
      region: context.region,
      accountId: context.accountId,
      arn,
      fifo,
      attributes,
      tags,
      createdAt: now,
      lastModifiedAt: now,
      lastSequence: 0,
    };
    this.commit({ t: "queue", queue: record });
    return { QueueUrl: queueUrl(this.env.baseUrl(), context.accountId, name) };
  }

  async getQueueUrl(input: Input, context: RequestContext): Promise<{ QueueUrl: string }> {
    const name = requiredString(input, "QueueName");
    const account = optionalString(input, "QueueOwnerAWSAccountId") || context.accountId;
    const queue = this.state.queues.get(queueArn(context.region, account, name));
    if (!queue) throw sqsErrors.queueDoesNotExist();
    return { QueueUrl: this.url(queue) };
  }

  async listQueues(
    input: Input,
    context: RequestContext,
  ): Promise<{ QueueUrls?: string[]; NextToken?: string }> {
    const prefix = optionalString(input, "QueueNamePrefix") ?? "";
    const maxResults = integerInRange(
      input,
      "MaxResults",
      { min: 1, max: LIST_QUEUES_MAX_RESULTS },
      `MaxResults must be an integer between 1 and ${LIST_QUEUES_MAX_RESULTS}.`,
    );
    const after = decodeToken(optionalString(input, "NextToken"));
    const names = [...this.state.queues.values()]
      .filter((q) => q.record.region === context.region && q.record.accountId === context.accountId)
      .filter((q) => q.name.startsWith(prefix))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .filter((q) => after === undefined || q.name > after);
    const page = names.slice(0, maxResults ?? LIST_QUEUES_MAX_RESULTS);
    const more = maxResults !== undefined && names.length > page.length;
    if (page.length === 0) return {};
    return {
      QueueUrls: page.map((q) => this.url(q)),
      ...(more ? { NextToken: encodeToken(page[page.length - 1]!.name) } : {}),
    };
  }

  async deleteQueue(input: Input, context: RequestContext): Promise<Record<string, never>> {
    const queue = this.queueFor(input, context);
    this.commit({ t: "deleteQueue", arn: queue.arn, at: this.now() });
    // Long polls on the deleted queue end (empty) instead of waiting on a queue that is gone.
    queue.wake();
    return {};
  }

  async getQueueAttributes(
    input: Input,
    context: RequestContext,
  ): Promise<{ Attributes?: Record<string, string> }> {
    const queue = this.queueFor(input, context);
    const names = stringList(input, "AttributeNames") ?? [];
    const attributes = renderAttributes(queue, names, this.now());
    return Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};
  }

  async setQueueAttributes(input: Input, context: RequestContext): Promise<Record<string, never>> {
    const queue = this.queueFor(input, context);
    const given = stringMap(input, "Attributes");
    if (!given) throw sqsErrors.missingParameter("Attributes");
    const normalized = normalizeAttributes(given, {
      arn: queue.arn,
      fifo: queue.fifo,
      creating: false,
      findQueue: (a) => this.state.queues.get(a),
    });
    const attributes = { ...queue.record.attributes };
    for (const [key, value] of Object.entries(normalized)) {
      if (value === "") delete attributes[key];
      else attributes[key] = value;
    }
    this.commit({ t: "queue", queue: { ...queue.record, attributes, lastModifiedAt: this.now() } });
    // A shorter delay or visibility may make messages visible sooner for waiting long polls.
    queue.wake();
    return {};
  }

  async purgeQueue(input: Input, context: RequestContext): Promise<Record<string, never>> {
    const queue = this.queueFor(input, context);
    const now = this.now();
    if (queue.record.lastPurgeAt !== undefined && now - queue.record.lastPurgeAt < PURGE_INTERVAL_MS) {
      throw sqsErrors.purgeInProgress(queue.name);
    }
    this.commit({ t: "purge", arn: queue.arn, at: now });
    return {};
  }

  async listDeadLetterSourceQueues(
    input: Input,
    context: RequestContext,
  ): Promise<{ queueUrls: string[]; NextToken?: string }> {
    const queue = this.queueFor(input, context);
    const maxResults = integerInRange(
      input,
      "MaxResults",
      { min: 1, max: LIST_QUEUES_MAX_RESULTS },
      `MaxResults must be an integer between 1 and ${LIST_QUEUES_MAX_RESULTS}.`,
    );
    const after = decodeToken(optionalString(input, "NextToken"));
    const sources = [...this.state.queues.values()]
      .filter((q) => q.redrivePolicy()?.deadLetterTargetArn === queue.arn)
      .sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0))
      .filter((q) => after === undefined || q.arn > after);
    const page = sources.slice(0, maxResults ?? LIST_QUEUES_MAX_RESULTS);
    const more = maxResults !== undefined && sources.length > page.length;
    return {
      queueUrls: page.map((q) => this.url(q)),
      ...(more ? { NextToken: encodeToken(page[page.length - 1]!.arn) } : {}),
    };
  }

  async tagQueue(input: Input, context: RequestContext): Promise<Record<string, never>> {
    const queue = this.queueFor(input, context);
    const tags = stringMap(input, "Tags");
    if (!tags || Object.keys(tags).length === 0) throw sqsErrors.missingParameter("Tags");
    const merged = { ...queue.record.tags, ...tags };
    checkTagCount(queue.name, Object.keys(merged).length);
    this.commit({ t: "queue", queue: { ...queue.record, tags: merged } });
    return {};
  }

  async untagQueue(input: Input, context: RequestContext): Promise<Record<string, never>> {
    const queue = this.queueFor(input, context);
    const keys = stringList(input, "TagKeys");
    if (!keys || keys.length === 0) throw sqsErrors.missingParameter("TagKeys");
    const tags = { ...queue.record.tags };
    for (const key of keys) delete tags[key];
    this.commit({ t: "queue", queue: { ...queue.record, tags } });
    return {};
  }

  async listQueueTags(input: Input, context: RequestContext): Promise<{ Tags?: Record<string, string> }> {
    const queue = this.queueFor(input, context);
    return Object.keys(queue.record.tags).length > 0 ? { Tags: { ...queue.record.tags } } : {};
  }

  async addPermission(input: Input, context: RequestContext): Promise<Record<string, never>> {
    const queue = this.queueFor(input, context);
    const label = requiredString(input, "Label");
    const accounts = stringList(input, "AWSAccountIds") ?? [];
    const actions = stringList(input, "Actions") ?? [];
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(label)) {
      throw sqsErrors.invalidValueFor(
        "Label",
        label,
        "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
      );
    }
    if (accounts.length === 0) throw sqsErrors.missingParameter("AWSAccountIds");
    if (actions.length === 0) throw sqsErrors.missingParameter("Actions");
    for (const action of actions) {
      if (!PERMISSION_ACTIONS.has(action)) {
        throw sqsErrors.invalidValueFor(
          "ActionName",
          `SQS:${action}`,
          "Please refer to the appropriate WSDL for a list of valid actions.",
        );
      }
    }
    const policy = this.policyOf(queue);
    if (policy.Statement.some((s) => s["Sid"] === label)) {
      throw sqsErrors.invalidValueFor("Label", label, "Already exists.");
    }
    const principals = accounts.map((a) => `arn:aws:iam::${a}:root`);
    const sqsActions = actions.map((a) => `SQS:${a}`);
    policy.Statement.push({
      Sid: label,
      Effect: "Allow",
      Principal: { AWS: principals.length === 1 ? principals[0] : principals },
      Action: sqsActions.length === 1 ? sqsActions[0] : sqsActions,
      Resource: queue.arn,
    });
    this.setPolicy(queue, policy);
    return {};
  }

  async removePermission(input: Input, context: RequestContext): Promise<Record<string, never>> {
    const queue = this.queueFor(input, context);
    const label = requiredString(input, "Label");
    const policy = this.policyOf(queue);
    if (!policy.Statement.some((s) => s["Sid"] === label)) {
      throw sqsErrors.invalidValueFor("Label", label, "can't find label.");
    }
    policy.Statement = policy.Statement.filter((s) => s["Sid"] !== label);
    this.setPolicy(queue, policy);
    return {};
  }

  private policyOf(queue: Queue): { Statement: Record<string, unknown>[] } & Record<string, unknown> {
    const text = queue.record.attributes["Policy"];
    const policy = text
      ? (JSON.parse(text) as Record<string, unknown>)
      : { Version: "2012-10-17", Id: `${queue.arn}/SQSDefaultPolicy` };
    const statements = Array.isArray(policy["Statement"])
      ? (policy["Statement"] as Record<string, unknown>[])
      : policy["Statement"]
        ? [policy["Statement"] as Record<string, unknown>]
        : [];
    return { ...policy, Statement: statements };
  }

  private setPolicy(queue: Queue, policy: { Statement: unknown[] }): void {
    const attributes = { ...queue.record.attributes };
    if (policy.Statement.length > 0) attributes["Policy"] = JSON.stringify(policy);
    else delete attributes["Policy"];
    this.commit({ t: "queue", queue: { ...queue.record, attributes, lastModifiedAt: this.now() } });
  }

  // ---- sending ------------------------------------------------------------------------------

  async sendMessage(
    input: Input,
    context: RequestContext,
  ): Promise<{
    MessageId: string;
    MD5OfMessageBody: string;
    MD5OfMessageAttributes?: string;
    MD5OfMessageSystemAttributes?: string;
    SequenceNumber?: string;
  }> {
    const queue = this.queueFor(input, context);
    const [result] = this.send(queue, [input], context);
    if (result instanceof ServiceError) throw result;
    return result!;
  }

  async sendMessageBatch(
    input: Input,
    context: RequestContext,
  ): Promise<{ Successful: Record<string, unknown>[]; Failed: BatchFailure[] }> {
    const queue = this.queueFor(input, context);
    const entries = checkBatch(entryList(input, "Entries"), "SendMessageBatch");
    if (queue.fifo) checkFifoBatch(queue, entries);
    const payload = entries.reduce((sum, entry) => sum + rawEntrySize(entry), 0);
    if (payload > BATCH_MAX_PAYLOAD_BYTES) throw sqsErrors.batchTooLong(payload, BATCH_MAX_PAYLOAD_BYTES);
    const results = this.send(queue, entries, context);
    const Successful: Record<string, unknown>[] = [];
    const Failed: BatchFailure[] = [];
    results.forEach((result, index) => {
      const Id = entries[index]!["Id"] as string;
      if (result instanceof ServiceError) Failed.push(batchFailure(Id, result));
      else Successful.push({ Id, ...result });
    });
    return { Successful, Failed };
  }

  /** Validates and enqueues messages in one journal entry; FIFO duplicates answer with the original. */
  private send(
    queue: Queue,
    inputs: Input[],
    context: RequestContext,
  ): (
    | {
        MessageId: string;
        MD5OfMessageBody: string;
        MD5OfMessageAttributes?: string;
        MD5OfMessageSystemAttributes?: string;
        SequenceNumber?: string;
      }
    | ServiceError
  )[] {
    const now = this.now();
    const accepted: StoredMessage[] = [];
    const dedup: [string, DedupRecord][] = [];
    const seenInBatch = new Map<string, DedupRecord>();
    let sequence = queue.record.lastSequence;
    const results = inputs.map((input) => {
      let built: MessageToSend;
      try {
        built = buildMessage(input, queue, now, context.accountId);
      } catch (error) {
        if (error instanceof ServiceError) return error;
        throw error;
      }
      const md5s = {
        MD5OfMessageBody: built.message.md5OfBody,
        ...(built.md5OfMessageAttributes ? { MD5OfMessageAttributes: built.md5OfMessageAttributes } : {}),
        ...(built.md5OfMessageSystemAttributes
          ? { MD5OfMessageSystemAttributes: built.md5OfMessageSystemAttributes }
          : {}),
      };
      if (built.dedupKey !== undefined) {
        const previous = seenInBatch.get(built.dedupKey) ?? queue.dedup.get(built.dedupKey);
        if (previous && previous.expiresAt > now) {
          return {
            MessageId: previous.messageId,
            ...md5s,
            ...(previous.sequenceNumber ? { SequenceNumber: previous.sequenceNumber } : {}),
          };
        }
        sequence++;
        built.message.sequenceNumber = formatSequenceNumber(sequence);
        const record: DedupRecord = {
          messageId: built.message.id,
          sequenceNumber: built.message.sequenceNumber,
          expiresAt: now + DEDUPLICATION_INTERVAL_MS,
        };
        seenInBatch.set(built.dedupKey, record);
        dedup.push([built.dedupKey, record]);
      }
      accepted.push(built.message);
      return {
        MessageId: built.message.id,
        ...md5s,
        ...(built.message.sequenceNumber ? { SequenceNumber: built.message.sequenceNumber } : {}),
      };
    });
    if (accepted.length > 0) {
      this.commit({ t: "send", arn: queue.arn, messages: accepted, ...(dedup.length ? { dedup } : {}) });
      queue.wake();
    }
    return results;
  }

  // ---- receiving ----------------------------------------------------------------------------

  async receiveMessage(input: Input, context: RequestContext): Promise<{ Messages?: ReceivedMessage[] }> {
    const queue = this.queueFor(input, context);
    const options = readReceiveOptions(input, queue);
    const first = this.receiveNow(queue.arn, options);
    if (first.length > 0 || options.waitSeconds === 0) return messagesOutput(first);
    return messagesOutput(await this.longPoll(queue, options));
  }

  /**
   * Waits for messages without polling: the request registers with the queue and retries when a
   * send, visibility change or redrive may have made messages visible, or when the next delayed or
   * in-flight message is due; it ends with what it got or, at WaitTimeSeconds, with nothing.
   */
  private longPoll(queue: Queue, options: ReceiveOptions): Promise<ReceivedMessage[]> {
    const clock = this.env.clock;
    const deadline = clock.now() + options.waitSeconds * 1000;
    return new Promise((resolve) => {
      let done = false;
      let wakeTimer: TimerHandle | undefined;
      const finish = (messages: ReceivedMessage[]) => {
        if (done) return;
        done = true;
        queue.waiters.delete(retry);
        this.polls.delete(stop);
        deadlineTimer.cancel();
        wakeTimer?.cancel();
        resolve(messages);
      };
      const stop = () => finish([]);
      const arm = () => {
        wakeTimer?.cancel();
        wakeTimer = undefined;
        const now = clock.now();
        const next = queue.nextVisibilityChange(now);
        if (next !== undefined && next < deadline) wakeTimer = clock.setTimeout(retry, next - now);
      };
      const retry = () => {
        if (done) return;
        try {
          if (this.state.queues.get(queue.arn) !== queue) return finish([]);
          const got = this.receiveNow(queue.arn, options);
          if (got.length > 0) finish(got);
          else arm();
        } catch (error) {
          this.env.reportBackgroundError("sqs", error);
          finish([]);
        }
      };
      const deadlineTimer = clock.setTimeout(stop, options.waitSeconds * 1000);
      queue.waiters.add(retry);
      this.polls.add(stop);
      arm();
    });
  }

  /** Ends every long poll (with no messages): the emulator is stopping. */
  stopPolls(): void {
    for (const stop of [...this.polls]) stop();
  }

  /** One receive attempt: redrives over-received messages, then takes up to `max` visible ones. */
  receiveNow(arn: string, options: ReceiveOptions): ReceivedMessage[] {
    const queue = this.state.queues.get(arn);
    if (!queue) return [];
    const now = this.now();
    queue.sweep(now);
    const policy = queue.redrivePolicy();
    const dlq = policy ? this.state.queues.get(policy.deadLetterTargetArn) : undefined;
    const selected: StoredMessage[] = [];
    const toDlq: StoredMessage[] = [];
    for (const message of candidates(queue, now)) {
      if (selected.length >= options.max) break;
      if (dlq && policy && message.receiveCount >= policy.maxReceiveCount) {
        toDlq.push(message);
        continue;
      }
      selected.push(message);
    }
    if (toDlq.length > 0 && dlq) {
      this.commit({
        t: "transfer",
        from: queue.arn,
        ids: toDlq.map((m) => m.id),
        to: [{ arn: dlq.arn, messages: this.deadLettered(toDlq, queue, dlq, now) }],
      });
      dlq.wake();
    }
    if (selected.length === 0) return [];
    const visibleUntil = now + options.visibilitySeconds * 1000;
    const changes: MessageChange[] = selected.map((message) => ({
      id: message.id,
      receipt: randomUUID(),
      receiveCount: message.receiveCount + 1,
      firstReceivedAt: message.firstReceivedAt ?? now,
      receivedAt: now,
      inflightUntil: visibleUntil,
    }));
    this.commit({ t: "update", arn: queue.arn, changes });
    return selected.map((message) => this.render(queue, message, options));
  }

  /** Copies of messages as they arrive in the DLQ: same id, body and attributes; the source noted. */
  private deadLettered(messages: StoredMessage[], source: Queue, dlq: Queue, now: number): StoredMessage[] {
    let sequence = dlq.record.lastSequence;
    return messages.map((message) => {
      const copy: StoredMessage = {
        ...message,
        enqueuedAt: now,
        availableAt: now,
        deadLetterSourceArn: source.arn,
      };
      delete copy.receipt;
      delete copy.inflightUntil;
      delete copy.receivedAt;
      if (dlq.fifo) {
        // FIFO: the enqueue time resets, and the dedup id becomes the message id so the DLQ's own
        // deduplication never swallows two distinct messages.
        copy.sentAt = now;
        copy.dedupId = message.id;
        copy.sequenceNumber = formatSequenceNumber(++sequence);
      }
      return copy;
    });
  }

  private render(queue: Queue, message: StoredMessage, options: ReceiveOptions): ReceivedMessage {
    const out: ReceivedMessage = {
      MessageId: message.id,
      ReceiptHandle: encodeReceipt({ arn: queue.arn, messageId: message.id, nonce: message.receipt! }),
      MD5OfBody: message.md5OfBody,
      Body: message.body,
    };
    const attributes = systemAttributes(message, options.systemAttributeNames);
    if (attributes) out.Attributes = attributes;
    const selected = selectMessageAttributes(message.attributes, options.messageAttributeNames);
    if (selected) {
      out.MD5OfMessageAttributes = md5OfAttributes(selected)!;
      out.MessageAttributes = selected;
    }
    return out;
  }

  // ---- deleting and visibility --------------------------------------------------------------

  async deleteMessage(input: Input, context: RequestContext): Promise<Record<string, never>> {
    const queue = this.queueFor(input, context);
    const id = this.deletable(queue, requiredString(input, "ReceiptHandle"));
    if (id) {
      this.commit({ t: "delete", arn: queue.arn, ids: [id] });
      if (queue.fifo) queue.wake();
    }
    return {};
  }

  async deleteMessageBatch(
    input: Input,
    context: RequestContext,
  ): Promise<{ Successful: { Id: string }[]; Failed: BatchFailure[] }> {
    const queue = this.queueFor(input, context);
    const entries = checkBatch(entryList(input, "Entries"), "DeleteMessageBatch");
    const Successful: { Id: string }[] = [];
    const Failed: BatchFailure[] = [];
    const ids: string[] = [];
    for (const entry of entries) {
      const Id = entry["Id"] as string;
      try {
        const id = this.deletable(queue, requiredString(entry, "ReceiptHandle"));
        if (id) ids.push(id);
        Successful.push({ Id });
      } catch (error) {
        if (!(error instanceof ServiceError)) throw error;
        Failed.push(batchFailure(Id, error));
      }
    }
    if (ids.length > 0) {
      this.commit({ t: "delete", arn: queue.arn, ids });
      if (queue.fifo) queue.wake();
    }
    return { Successful, Failed };
  }

  /**
   * The message a receipt handle deletes: only the latest receive's handle deletes (an older one
   * succeeds without deleting, as AWS documents); a handle that is not ours is invalid.
   */
  private deletable(queue: Queue, handle: string): string | undefined {
    const ref = decodeReceipt(handle);
    if (!ref || ref.arn !== queue.arn) throw sqsErrors.receiptHandleIsInvalid(handle);
    const message = queue.messages.get(ref.messageId);
    return message && message.receipt === ref.nonce ? message.id : undefined;
  }

  async changeMessageVisibility(input: Input, context: RequestContext): Promise<Record<string, never>> {
    const queue = this.queueFor(input, context);
    const change = this.visibilityChange(queue, input);
    this.commit({ t: "update", arn: queue.arn, changes: [change] });
    queue.wake();
    return {};
  }

  async changeMessageVisibilityBatch(
    input: Input,
    context: RequestContext,
  ): Promise<{ Successful: { Id: string }[]; Failed: BatchFailure[] }> {
    const queue = this.queueFor(input, context);
    const entries = checkBatch(entryList(input, "Entries"), "ChangeMessageVisibilityBatch");
    const Successful: { Id: string }[] = [];
    const Failed: BatchFailure[] = [];
    const changes: MessageChange[] = [];
    for (const entry of entries) {
      const Id = entry["Id"] as string;
      try {
        changes.push(this.visibilityChange(queue, entry));
        Successful.push({ Id });
      } catch (error) {
        if (!(error instanceof ServiceError)) throw error;
        Failed.push(batchFailure(Id, error));
      }
    }
    if (changes.length > 0) {
      this.commit({ t: "update", arn: queue.arn, changes });
      queue.wake();
    }
    return { Successful, Failed };
  }

  private visibilityChange(queue: Queue, input: Input): MessageChange {
    const handle = requiredString(input, "ReceiptHandle");
    const timeout = optionalInteger(input, "VisibilityTimeout");
    if (timeout === undefined) throw sqsErrors.missingParameter("VisibilityTimeout");
    if (timeout < VISIBILITY_TIMEOUT.min || timeout > VISIBILITY_TIMEOUT.max) {
      throw sqsErrors.invalidValueFor(
        "VisibilityTimeout",
        timeout,
        `Must be >= ${VISIBILITY_TIMEOUT.min} and <= ${VISIBILITY_TIMEOUT.max}, if provided.`,
      );
    }
    const ref = decodeReceipt(handle);
    if (!ref || ref.arn !== queue.arn) throw sqsErrors.receiptHandleIsInvalid(handle);
    const message = queue.messages.get(ref.messageId);
    if (!message || message.receipt !== ref.nonce) {
      throw sqsErrors.invalidValueFor(
        "ReceiptHandle",
        handle,
        "Message does not exist or is not available for visibility timeout change.",
      );
    }
    const now = this.now();
    if (!Queue.isInflight(message, now)) throw sqsErrors.messageNotInflight();
    const sinceReceive = (now - (message.receivedAt ?? now)) / 1000;
    if (sinceReceive + timeout > MAX_TOTAL_VISIBILITY_SECONDS) {
      throw sqsErrors.invalidValueFor(
        "VisibilityTimeout",
        timeout,
        `Total VisibilityTimeout for the message is beyond the limit [${MAX_TOTAL_VISIBILITY_SECONDS} seconds]`,
      );
    }
    return { id: message.id, inflightUntil: now + timeout * 1000 };
  }

  // ---- operator side door -------------------------------------------------------------------

  /** Every message of a queue with its state, without receiving it (no visibility or count change). */
  peek(queue: Queue): Record<string, unknown>[] {
    const now = this.now();
    queue.sweep(now);
    return [...queue.messages.values()].map((message) => {
      const state = Queue.isInflight(message, now)
        ? "INFLIGHT"
        : message.availableAt > now
          ? "DELAYED"
          : "VISIBLE";
      return {
        MessageId: message.id,
        Body: message.body,
        MD5OfBody: message.md5OfBody,
        Attributes: systemAttributes(message, ["All"]) ?? {},
        ...(message.attributes
          ? {
              MessageAttributes: message.attributes,
              MD5OfMessageAttributes: md5OfAttributes(message.attributes),
            }
          : {}),
        State: state,
        ...(state === "INFLIGHT" ? { VisibleAt: message.inflightUntil } : {}),
        ...(state === "DELAYED" ? { VisibleAt: message.availableAt } : {}),
      };
    });
  }
}

// ---- helpers ----------------------------------------------------------------------------------

/**
 * A FIFO batch with an entry lacking MessageGroupId (or a deduplication id, without content-based
 * deduplication) fails as a whole, with InvalidParameterValue, not entry by entry.
 */
function checkFifoBatch(queue: Queue, entries: Input[]): void {
  for (const entry of entries) {
    const group = entry["MessageGroupId"];
    if (typeof group !== "string" || group === "") {
      throw sqsErrors.invalidParameterValue("The request must contain the parameter MessageGroupId.");
    }
    const dedup = entry["MessageDeduplicationId"];
    if (
      (typeof dedup !== "string" || dedup === "") &&
      queue.record.attributes["ContentBasedDeduplication"] !== "true"
    ) {
      throw sqsErrors.invalidParameterValue(
        "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
      );
    }
  }
}

function checkQueueName(name: string, fifo: boolean): void {
  const isFifoName = name.endsWith(FIFO_SUFFIX);
  const base = isFifoName ? name.slice(0, -FIFO_SUFFIX.length) : name;
  const valid = name.length <= QUEUE_NAME_MAX_LENGTH && /^[A-Za-z0-9_-]+$/.test(base);
  if (fifo && (!isFifoName || !valid)) {
    throw sqsErrors.invalidParameterValue(
      "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.",
    );
  }
  if (!fifo && (isFifoName || !valid)) {
    throw sqsErrors.invalidParameterValue(
      isFifoName
        ? "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length. A name ending in .fifo needs the attribute FifoQueue=true."
        : "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
    );
  }
}

function checkTagCount(queueName: string, count: number): void {
  if (count > MAX_TAGS_PER_QUEUE) {
    throw sqsErrors.invalidParameterValue(
      `Too many tags added for queue ${queueName}: at most ${MAX_TAGS_PER_QUEUE} tags are allowed.`,
    );
  }
}

function withoutEmpty(attributes: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(attributes).filter(([, v]) => v !== ""));
}

function encodeToken(after: string): string {
  return Buffer.from(JSON.stringify({ after }), "utf8").toString("base64");
}

function decodeToken(token: string | undefined): string | undefined {
  if (token === undefined || token === "") return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64").toString("utf8")) as { after?: unknown };
    if (typeof parsed.after === "string") return parsed.after;
  } catch {
    // reported below
  }
  throw sqsErrors.invalidParameterValue("Invalid NextToken value.");
}

function checkBatch(entries: Input[] | undefined, operation: string): Input[] {
  if (!entries || entries.length === 0) throw sqsErrors.emptyBatch(operation);
  if (entries.length > BATCH_MAX_ENTRIES) throw sqsErrors.tooManyEntries(entries.length, BATCH_MAX_ENTRIES);
  const seen = new Set<string>();
  for (const entry of entries) {
    const id = entry["Id"];
    if (typeof id !== "string" || !BATCH_ENTRY_ID_PATTERN.test(id)) throw sqsErrors.invalidBatchEntryId();
    if (seen.has(id)) throw sqsErrors.batchIdsNotDistinct(id);
    seen.add(id);
  }
  return entries;
}

function rawEntrySize(entry: Input): number {
  let size = typeof entry["MessageBody"] === "string" ? Buffer.byteLength(entry["MessageBody"], "utf8") : 0;
  const attributes = entry["MessageAttributes"];
  if (attributes && typeof attributes === "object") {
    for (const [name, value] of Object.entries(attributes as Record<string, Record<string, unknown>>)) {
      size += Buffer.byteLength(name, "utf8");
      for (const part of [value?.["DataType"], value?.["StringValue"], value?.["BinaryValue"]]) {
        if (typeof part === "string") size += Buffer.byteLength(part, "utf8");
        else if (part instanceof Uint8Array) size += part.length;
      }
    }
  }
  return size;
}

function batchFailure(Id: string, error: ServiceError): BatchFailure {
  return { Id, SenderFault: error.senderFault, Code: error.code, Message: error.message };
}

function readReceiveOptions(input: Input, queue: Queue): ReceiveOptions {
  const max =
    integerInRange(
      input,
      "MaxNumberOfMessages",
      { min: 1, max: MAX_MESSAGES_PER_RECEIVE },
      `Must be between 1 and ${MAX_MESSAGES_PER_RECEIVE}, if provided.`,
    ) ?? 1;
  const visibilitySeconds =
    integerInRange(input, "VisibilityTimeout", VISIBILITY_TIMEOUT) ??
    queue.numberAttribute("VisibilityTimeout");
  const waitSeconds =
    integerInRange(input, "WaitTimeSeconds", RECEIVE_WAIT_TIME_SECONDS) ??
    queue.numberAttribute("ReceiveMessageWaitTimeSeconds");
  return {
    max,
    visibilitySeconds,
    waitSeconds,
    systemAttributeNames: [
      ...(stringList(input, "AttributeNames") ?? []),
      ...(stringList(input, "MessageSystemAttributeNames") ?? []),
    ],
    messageAttributeNames: stringList(input, "MessageAttributeNames") ?? [],
  };
}

/**
 * Messages a receive may take, in order. Standard: every visible message. FIFO: per message group,
 * in order, and none of a group while any of its messages is in flight.
 */
function* candidates(queue: Queue, now: number): Generator<StoredMessage> {
  if (!queue.fifo) {
    for (const message of queue.messages.values()) if (Queue.isVisible(message, now)) yield message;
    return;
  }
  const blocked = new Set<string>();
  for (const message of queue.messages.values()) {
    if (Queue.isInflight(message, now)) blocked.add(message.groupId ?? "");
  }
  for (const message of queue.messages.values()) {
    const group = message.groupId ?? "";
    if (blocked.has(group)) continue;
    if (!Queue.isVisible(message, now)) {
      blocked.add(group);
      continue;
    }
    yield message;
  }
}

function messagesOutput(messages: ReceivedMessage[]): { Messages?: ReceivedMessage[] } {
  return messages.length > 0 ? { Messages: messages } : {};
}

function systemAttributes(message: StoredMessage, names: string[]): Record<string, string> | undefined {
  if (names.length === 0) return undefined;
  const all = names.includes("All");
  const values: Record<string, string | undefined> = {
    SenderId: message.senderId,
    SentTimestamp: String(message.sentAt),
    ApproximateReceiveCount: String(message.receiveCount),
    ApproximateFirstReceiveTimestamp:
      message.firstReceivedAt !== undefined ? String(message.firstReceivedAt) : undefined,
    SequenceNumber: message.sequenceNumber,
    MessageDeduplicationId: message.dedupId,
    MessageGroupId: message.groupId,
    AWSTraceHeader: message.systemAttributes?.["AWSTraceHeader"]?.StringValue,
    DeadLetterQueueSourceArn: message.deadLetterSourceArn,
  };
  const out: Record<string, string> = {};
  for (const name of all ? ALL_SYSTEM_ATTRIBUTES : names) {
    const value = values[name];
    if (value !== undefined) out[name] = value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** MessageAttributeNames: "All" or ".*" for all, "prefix.*" for a prefix, otherwise exact names. */
function selectMessageAttributes(
  attributes: Record<string, MessageAttributeValue> | undefined,
  names: string[],
): Record<string, MessageAttributeValue> | undefined {
  if (!attributes || names.length === 0) return undefined;
  const wanted = (name: string) =>
    names.some((pattern) => {
      if (pattern === "All" || pattern === ".*") return true;
      if (pattern.endsWith(".*")) return name.startsWith(pattern.slice(0, -1));
      return pattern === name;
    });
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes)) if (wanted(name)) out[name] = { ...value };
  return Object.keys(out).length > 0 ? out : undefined;
}
