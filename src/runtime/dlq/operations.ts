import type { AwsClients } from "../aws/index.js";
import type { Stack } from "../../pipeline/stack/index.js";
import { OperatorError } from "../config/errors.js";
import { appendJsonLines, archiveEntry, readArchive, toRaw, type ArchiveEntry } from "./archive.js";
import { groupFailures, type DecodedMessage, type FailureGroup } from "./decode.js";
import { ReplayJournal } from "./journal.js";
import {
  decodeFrom,
  failureQueues,
  QueueSession,
  queueUrlOf,
  VisibilityHeartbeat,
  type FailureQueue,
  type Received,
} from "./queues.js";
import {
  abortableSleep,
  executeReplay,
  type ReplayAction,
  type ReplayItem,
  type ReplayReport,
  type ReplayResult,
} from "./replay.js";
import { awsSender } from "./senders.js";
import { readStreamRange, type StreamRecord } from "./stream-records.js";

/** How long peeked messages stay hidden at most if the process dies before releasing them. */
export const PEEK_VISIBILITY_SECONDS = 20;
/**
 * Drain, rehydrate and replay hold the messages they work on invisible this long, renewed while they
 * work (VisibilityHeartbeat): after a crash the messages are visible again within this time.
 */
export const HOLD_SECONDS = 30;
/** Messages sampled per queue to find the oldest one's age. */
export const AGE_SAMPLE_LIMIT = 100;

export interface QueueStatus {
  key: string;
  name: string;
  arn: string;
  /** Who writes failures to this queue (rule targets, functions, mappings, source queues). */
  feeds: string[];
  exists: boolean;
  visible: number;
  inFlight: number;
  delayed: number;
  /**
   * Age of the oldest message, from the SentTimestamp of up to AGE_SAMPLE_LIMIT peeked visible
   * messages (SQS has no "oldest message age" attribute; CloudWatch's metric lags minutes and not
   * every target has it). Undefined when nothing was visible.
   */
  oldestAgeSeconds?: number;
  oldestSentAt?: string;
  /** Messages peeked to compute the age; fewer than `visible` means the age is a lower bound. */
  sampled: number;
}

export interface DlqDeps {
  clients: AwsClients;
  stack: Stack;
  now?: () => number;
  signal?: AbortSignal;
  /** Visibility timeout for held messages (default HOLD_SECONDS); tests shorten it. */
  holdSeconds?: number;
}

/** Depth and oldest age of every failure queue the stack declares. */
export async function listQueues(deps: DlqDeps): Promise<QueueStatus[]> {
  const sqs = await deps.clients.sqs();
  const now = deps.now ?? Date.now;
  const statuses: QueueStatus[] = [];
  for (const queue of failureQueues(deps.stack)) {
    const base = { key: queue.key, name: queue.name, arn: queue.arn, feeds: queue.feeds };
    if ((await queueUrlOf(sqs, queue.arn)) === undefined) {
      statuses.push({ ...base, exists: false, visible: 0, inFlight: 0, delayed: 0, sampled: 0 });
      continue;
    }
    const session = await QueueSession.open(sqs, queue);
    const depth = await session.depth();
    let oldest: number | undefined;
    let sampled = 0;
    if (depth.visible > 0) {
      const received = await session.receive(AGE_SAMPLE_LIMIT, PEEK_VISIBILITY_SECONDS);
      try {
        sampled = received.length;
        const sent = received.map((r) => Number(r.raw.attributes.SentTimestamp)).filter((t) => t > 0);
        if (sent.length > 0) oldest = Math.min(...sent);
      } finally {
        await session.release(received);
      }
    }
    statuses.push({
      ...base,
      exists: true,
      ...depth,
      sampled,
      ...(oldest !== undefined
        ? {
            oldestSentAt: new Date(oldest).toISOString(),
            oldestAgeSeconds: Math.max(0, Math.floor((now() - oldest) / 1000)),
          }
        : {}),
    });
  }
  return statuses;
}

export interface PeekResult {
  queue: FailureQueue;
  depth: { visible: number; inFlight: number; delayed: number };
  messages: DecodedMessage[];
  /** The same messages as failures: a DLQ message and its destination record are one group. */
  groups: FailureGroup[];
}

/**
 * Up to `max` decoded messages of a queue, left in place: received with a short visibility timeout
 * and made visible again at once (also when decoding fails). Each peek counts as a receive.
 */
export async function peekQueue(deps: DlqDeps, queue: FailureQueue, max: number): Promise<PeekResult> {
  const session = await QueueSession.open(await deps.clients.sqs(), queue);
  const depth = await session.depth();
  const received = await session.receive(max, PEEK_VISIBILITY_SECONDS);
  try {
    const messages = received.map((r) => decodeFrom(queue, r.raw));
    return { queue, depth, messages, groups: groupFailures(messages) };
  } finally {
    await session.release(received);
  }
}

export interface DrainResult {
  queue: string;
  file: string;
  archived: number;
  deleted: number;
}

/**
 * Moves a queue's messages to a JSONL archive: each batch is appended and fsynced, and only then
 * deleted. A crash in between leaves a message in both places (the archive then holds a copy
 * of a message still queued), never in neither.
 */
export async function drainQueue(
  deps: DlqDeps,
  queue: FailureQueue,
  options: { file: string; max?: number; onBatch?: (done: DrainResult) => void },
): Promise<DrainResult> {
  const session = await QueueSession.open(await deps.clients.sqs(), queue);
  const now = deps.now ?? Date.now;
  const result: DrainResult = { queue: queue.name, file: options.file, archived: 0, deleted: 0 };
  const limit = options.max ?? Number.POSITIVE_INFINITY;
  const hold = deps.holdSeconds ?? HOLD_SECONDS;
  while (result.deleted < limit && !deps.signal?.aborted) {
    const batch = await session.receive(Math.min(10, limit - result.deleted), hold);
    if (batch.length === 0) break;
    try {
      await appendJsonLines(
        options.file,
        batch.map((r) => archiveEntry(queue, r.raw, new Date(now()))),
      );
    } catch (error) {
      await session.release(batch);
      throw new OperatorError(
        `cannot append to the archive ${options.file} (${error instanceof Error ? error.message : String(error)}); ` +
          `the batch was not deleted (${result.deleted} deleted before it); choose another file with --to`,
      );
    }
    result.archived += batch.length;
    await session.delete(batch);
    result.deleted += batch.length;
    options.onBatch?.(result);
  }
  return result;
}

export interface RehydrateResult {
  queue: string;
  file: string;
  rehydrated: { messageId: string; records: number }[];
  /** Stream failures whose records could not be read (left in the queue). */
  failed: { messageId: string; reason: string }[];
  /** Messages of other kinds, left in the queue untouched. */
  otherKinds: number;
}

/**
 * For each stream on-failure record in the queue, reads the records of its range while the stream
 * still has them (24 h) and archives the message together with the records, then deletes it from
 * the queue (`keep` leaves it). `pipeline dlq replay --from FILE` then replays from the archive.
 */
export async function rehydrateQueue(
  deps: DlqDeps,
  queue: FailureQueue,
  options: { file: string; keep?: boolean },
): Promise<RehydrateResult> {
  const session = await QueueSession.open(await deps.clients.sqs(), queue);
  const now = deps.now ?? Date.now;
  const streams = await deps.clients.dynamodbStreams();
  const hold = deps.holdSeconds ?? HOLD_SECONDS;
  const heartbeat = new VisibilityHeartbeat(session, hold);
  const received = await session.receive(Number.MAX_SAFE_INTEGER, hold, (batch) => heartbeat.hold(batch));
  const result: RehydrateResult = {
    queue: queue.name,
    file: options.file,
    rehydrated: [],
    failed: [],
    otherKinds: 0,
  };
  const handled = new Set<Received>();
  try {
    for (const message of received) {
      if (deps.signal?.aborted) break;
      const decoded = decodeFrom(queue, message.raw);
      if (decoded.kind !== "stream-on-failure" || !decoded.stream) {
        result.otherKinds++;
        continue;
      }
      let records: StreamRecord[];
      try {
        records = await readStreamRange(streams, decoded.stream);
        if (records.length === 0) throw new Error("no records in the range (trimmed from the stream?)");
      } catch (error) {
        result.failed.push({
          messageId: decoded.messageId,
          reason: error instanceof Error ? error.message : String(error),
        });
        continue;
      }
      await appendJsonLines(options.file, [archiveEntry(queue, message.raw, new Date(now()), records)]);
      if (!options.keep) {
        heartbeat.forget([message]);
        await session.delete([message]);
        handled.add(message);
      }
      result.rehydrated.push({ messageId: decoded.messageId, records: records.length });
    }
  } finally {
    await heartbeat.stop();
    await releaseAtEnd(
      session,
      received.filter((m) => !handled.has(m)),
    );
  }
  return result;
}

export interface ReplayOptions {
  journalFile: string;
  dryRun?: boolean;
  keep?: boolean;
  max?: number;
  ratePerSecond?: number;
  filter?: (summary: DecodedMessage) => boolean;
  /** Chooses which failures to replay (interactive selection); all when absent. */
  select?: (groups: FailureGroup[]) => Promise<FailureGroup[]>;
  onResult?: (result: ReplayResult) => void;
  /** Replaces the SDK sender (tests). */
  send?: (action: ReplayAction) => Promise<string>;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * When messages are in flight at the start (held by an interrupted run until their visibility
   * timeout ends), wait up to this long for them to become visible again. Default 0.
   */
  inFlightWaitMs?: number;
  /** Called once when the replay starts waiting for in-flight messages, with their count. */
  onInFlightWait?: (inFlight: number) => void;
}

export interface QueueReplayReport extends ReplayReport {
  queue: string;
  journal: string;
  /** Failures found in the queue before filtering and selection. */
  found: number;
  /** Messages still in flight (not received by this run): replay again once they are visible. */
  inFlight: number;
}

/** Replays a queue's failures to where they came from; see ./replay.ts for the safety rules. */
export async function replayQueue(
  deps: DlqDeps,
  queue: FailureQueue,
  options: ReplayOptions,
): Promise<QueueReplayReport> {
  const session = await QueueSession.open(await deps.clients.sqs(), queue);
  const now = deps.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  const waitUntil = now() + (options.inFlightWaitMs ?? 0);
  let waiting = false;
  for (;;) {
    const { inFlight } = await session.depth();
    if (inFlight === 0 || now() >= waitUntil || deps.signal?.aborted) break;
    if (!waiting) options.onInFlightWait?.(inFlight);
    waiting = true;
    await sleep(Math.min(1000, waitUntil - now()), deps.signal);
  }
  const hold = deps.holdSeconds ?? HOLD_SECONDS;
  const heartbeat = new VisibilityHeartbeat(session, hold);
  const received = await session.receive(Number.MAX_SAFE_INTEGER, hold, (batch) => heartbeat.hold(batch));
  const byId = new Map(received.map((r) => [r.raw.messageId, r]));
  const removed = new Set<Received>();
  try {
    const inFlight = (await session.depth()).inFlight - received.length;
    const decoded = received.map((r) => decodeFrom(queue, r.raw));
    const groups = groupFailures(decoded).sort((a, b) => (a.summary.sentAt ?? 0) - (b.summary.sentAt ?? 0));
    const journal = await ReplayJournal.open(options.journalFile);
    const filtered = options.filter ? groups.filter((g) => options.filter!(g.summary)) : groups;
    // Failures the journal already confirmed are finished (deleted) whatever the filter says.
    const pending = filtered.filter((g) => !journal.wasSent(g.key));
    const finishing = groups.filter((g) => journal.wasSent(g.key));
    const chosen = options.select && pending.length > 0 ? await options.select(pending) : pending;
    const items = [...finishing, ...chosen].map((group) => itemOf(group, byId));
    const holding = new Set(items.flatMap((item) => item.group.messages.map((m) => byId.get(m.messageId)!)));
    const notChosen = received.filter((r) => !holding.has(r));
    heartbeat.forget(notChosen);
    await session.release(notChosen);
    const report = await executeReplay({
      items,
      journal,
      send: options.send ?? awsSender(deps.clients),
      remove: async (item) => {
        const messages = item.group.messages.map((m) => byId.get(m.messageId)!);
        heartbeat.forget(messages);
        await session.delete(messages);
        for (const message of messages) removed.add(message);
      },
      ...(options.dryRun !== undefined ? { dryRun: options.dryRun } : {}),
      ...(options.keep !== undefined ? { keep: options.keep } : {}),
      ...(options.max !== undefined ? { max: options.max } : {}),
      ...(options.ratePerSecond !== undefined ? { ratePerSecond: options.ratePerSecond } : {}),
      ...(deps.signal ? { signal: deps.signal } : {}),
      ...(deps.now ? { now: deps.now } : {}),
      ...(options.sleep ? { sleep: options.sleep } : {}),
      ...(options.onResult ? { onResult: options.onResult } : {}),
    });
    return {
      ...report,
      queue: queue.name,
      journal: options.journalFile,
      found: groups.length,
      inFlight: Math.max(0, inFlight),
    };
  } finally {
    await heartbeat.stop();
    await releaseAtEnd(
      session,
      received.filter((r) => !removed.has(r)),
    );
  }
}

export interface ArchiveReplayReport extends ReplayReport {
  file: string;
  journal: string;
  found: number;
}

/** The journal that records replays from an archive: next to it. */
export function archiveJournalFile(archive: string): string {
  return `${archive}.replay.jsonl`;
}

/**
 * Replays failures from an archive written by drain or rehydrate. Nothing is deleted anywhere; a
 * replayed failure is marked done in the journal next to the archive, so a rerun skips it.
 */
export async function replayArchive(
  deps: Pick<DlqDeps, "clients" | "now" | "signal"> & { stack?: Stack },
  file: string,
  options: Omit<ReplayOptions, "journalFile"> & { journalFile?: string },
): Promise<ArchiveReplayReport> {
  const entries = await readArchive(file);
  if (deps.stack) {
    // The stack tells which function a lone Lambda DLQ message belongs to (see decodeFrom).
    const queues = failureQueues(deps.stack);
    for (const entry of entries) {
      const queue = queues.find((q) => q.arn === entry.queueArn);
      if (queue) entry.decoded = decodeFrom(queue, toRaw(entry));
    }
  }
  const byId = new Map(entries.map((entry) => [entry.messageId, entry]));
  const groups = groupFailures(entries.map((entry) => entry.decoded)).sort(
    (a, b) => (a.summary.sentAt ?? 0) - (b.summary.sentAt ?? 0),
  );
  const journalFile = options.journalFile ?? archiveJournalFile(file);
  const journal = await ReplayJournal.open(journalFile);
  const open = groups.filter((g) => !journal.isDone(g.key));
  let chosen = options.filter ? open.filter((g) => options.filter!(g.summary)) : open;
  const pending = chosen.filter((g) => !journal.wasSent(g.key));
  const finishing = chosen.filter((g) => journal.wasSent(g.key));
  chosen = options.select && pending.length > 0 ? await options.select(pending) : pending;
  const items = [...finishing, ...chosen].map((group) => archiveItemOf(group, byId));
  const report = await executeReplay({
    items,
    journal,
    send: options.send ?? awsSender(deps.clients),
    remove: async () => {},
    ...(options.dryRun !== undefined ? { dryRun: options.dryRun } : {}),
    // "keep" has no meaning for an archive: nothing is deleted from it.
    ...(options.max !== undefined ? { max: options.max } : {}),
    ...(options.ratePerSecond !== undefined ? { ratePerSecond: options.ratePerSecond } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
    ...(deps.now ? { now: deps.now } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
    ...(options.onResult ? { onResult: options.onResult } : {}),
  });
  return { ...report, file, journal: journalFile, found: groups.length };
}

/**
 * Makes the messages a run held visible again. Best effort: a refusal here must not hide the run's
 * report, and the hold runs out within HOLD_SECONDS anyway.
 */
async function releaseAtEnd(session: QueueSession, messages: readonly Received[]): Promise<void> {
  try {
    await session.release(messages);
  } catch {
    // visible again once the hold lapses
  }
}

function itemOf(group: FailureGroup, byId: Map<string, Received>): ReplayItem {
  const first = byId.get(group.summary.messageId)!;
  return { group, body: first.raw.body, messageAttributes: first.raw.messageAttributes };
}

function archiveItemOf(group: FailureGroup, byId: Map<string, ArchiveEntry>): ReplayItem {
  const first = byId.get(group.summary.messageId)!;
  const records = group.messages.map((m) => byId.get(m.messageId)?.records).find((r) => r !== undefined);
  return {
    group,
    body: first.body,
    messageAttributes: first.messageAttributes,
    ...(records ? { records } : {}),
  };
}
