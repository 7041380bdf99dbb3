import { shardMessageAttributes } from "../../pipeline/model/index.js";
import { OperatorError } from "../config/errors.js";
import {
  MESSAGE_KINDS,
  type DecodedMessage,
  type FailureGroup,
  type MessageAttributeValue,
  type MessageKind,
  type ShardInfo,
  type StreamBatchInfo,
} from "./decode.js";
import type { ReplayJournal } from "./journal.js";
import type { StreamRecord } from "./stream-records.js";

/**
 * Replay: each failure goes back to where it came from. This module decides the action for a
 * failure and runs a list of them against a journal; sending (./senders.ts) and removing from the
 * source (queue delete, or nothing for an archive) are injected, so the crash-safety rules are
 * testable on their own:
 *   1. a failure whose send the journal confirms is never sent again, only removed;
 *   2. "sent" is journaled (fsynced) after the destination confirmed and before removal;
 *   3. nothing is removed unless its send was confirmed, and nothing at all with `keep`.
 */
export type ReplayAction =
  | { type: "lambda-async"; functionName: string; payload: unknown }
  | { type: "lambda-stream"; functionName: string; stream: StreamBatchInfo; records?: StreamRecord[] }
  | {
      type: "sqs-send";
      queueArn: string;
      body: string;
      messageAttributes: Record<string, MessageAttributeValue>;
    };

/** A failure to replay: its group, plus the raw pieces the action needs. */
export interface ReplayItem {
  group: FailureGroup;
  /** Raw body and attributes of the first message (SQS-source messages are re-sent as they were). */
  body: string;
  messageAttributes: Record<string, MessageAttributeValue>;
  /** Stream failures rehydrated into an archive: the records themselves. */
  records?: StreamRecord[];
}

/** What to send for a failure, or why it cannot be replayed. */
export function planAction(item: ReplayItem): ReplayAction | { type: "skip"; reason: string } {
  const s = item.group.summary;
  switch (item.group.kind) {
    case "eventbridge-target":
      if (!s.functionName) {
        return {
          type: "skip",
          reason: `target ${s.targetArn ?? "?"} is not a Lambda function; replay supports Lambda targets`,
        };
      }
      return { type: "lambda-async", functionName: s.targetArn ?? s.functionName, payload: s.originalEvent };
    case "lambda-async":
      if (!s.functionName) {
        return {
          type: "skip",
          reason: "a Lambda DLQ message without its on-failure record does not name its function",
        };
      }
      return {
        type: "lambda-async",
        functionName: s.functionArn ?? s.functionName,
        payload: s.originalEvent,
      };
    case "stream-on-failure":
      if (!s.stream || !s.functionName)
        return { type: "skip", reason: "the record names no stream range or function" };
      return {
        type: "lambda-stream",
        functionName: s.functionArn ?? s.functionName,
        stream: s.stream,
        ...(item.records ? { records: item.records } : {}),
      };
    case "sqs-redrive":
      return {
        type: "sqs-send",
        queueArn: s.sourceQueueArn!,
        body: item.body,
        messageAttributes: item.messageAttributes,
      };
    case "scrape-shard": {
      // Back to the source's work queue, where a worker takes it as a new delivery (never to a
      // scraper function: the planner would start a new run).
      const shard = s.shard!;
      const queueArn = shard.workQueueArn ?? s.sourceQueueArn;
      if (!queueArn) {
        return {
          type: "skip",
          reason: `shard of source ${shard.source}: this stack has no work queue for it and the message does not say which queue it came from`,
        };
      }
      return {
        type: "sqs-send",
        queueArn,
        body: item.body,
        // The attributes workers and operators tell shards apart by, also on a message that lost them.
        messageAttributes: { ...shardMessageAttributes(shard), ...item.messageAttributes },
      };
    }
    case "unknown":
      return { type: "skip", reason: s.note ?? "unknown message" };
  }
}

/**
 * `--filter`: a kind (`eventbridge-target`, `lambda-async`, `stream-on-failure`, `sqs-redrive`,
 * `scrape-shard`, `unknown`, or `kind=<kind>`), `function=<name>`, `source=<source>` and
 * `run=<run id>` (a shard's), `error=<text>` (in the error code or message) or `text=<text>`
 * (anywhere in the decoded message, the original event included). Several filters must all match.
 */
export function parseFilter(texts: string | readonly string[]): (summary: DecodedMessage) => boolean {
  const tests = (typeof texts === "string" ? [texts] : texts).map(parseOneFilter);
  return (summary) => tests.every((test) => test(summary));
}

const FILTER_HELP = `expected a kind (${MESSAGE_KINDS.join(", ")}), kind=<kind>, function=<name>, source=<source>, run=<run id>, error=<text> or text=<text>`;

function parseOneFilter(text: string): (summary: DecodedMessage) => boolean {
  const [key = "", ...rest] = text.split("=");
  const value = rest.join("=");
  const isKind = (kind: string): kind is MessageKind => (MESSAGE_KINDS as readonly string[]).includes(kind);
  if (rest.length === 0 || key === "kind") {
    const kind = rest.length === 0 ? text : value;
    if (!isKind(kind)) throw new OperatorError(`--filter ${JSON.stringify(text)}: ${FILTER_HELP}`);
    return (s) => s.kind === kind;
  }
  if (value === "") throw new OperatorError(`--filter ${JSON.stringify(text)}: give a value after "="`);
  if (key === "function") return (s) => s.functionName === value;
  if (key === "source") return (s) => s.shard?.source === value;
  if (key === "run") return (s) => s.shard?.runId === value;
  const needle = value.toLowerCase();
  if (key === "error") {
    return (s) => `${s.errorCode ?? ""} ${s.errorMessage ?? ""}`.toLowerCase().includes(needle);
  }
  if (key === "text") return (s) => JSON.stringify(s).toLowerCase().includes(needle);
  throw new OperatorError(`--filter ${JSON.stringify(text)}: ${FILTER_HELP}`);
}

export type ReplayOutcome = "sent" | "already-sent" | "would-send" | "skipped" | "failed" | "not-attempted";

export interface ReplayResult {
  key: string;
  kind: MessageKind;
  functionName?: string;
  /** A shard's source, run and position, e.g. "news run r-1 shard 2 of 4 (25 people)". */
  shard?: string;
  to?: string;
  outcome: ReplayOutcome;
  /** The messages were deleted from the queue (or marked done for an archive). */
  removed: boolean;
  reason?: string;
}

export interface ReplayReport {
  results: ReplayResult[];
  sent: number;
  alreadySent: number;
  failed: number;
  skipped: number;
  /** Stopped early by the signal. */
  interrupted: boolean;
}

export interface ExecuteReplayOptions {
  items: readonly ReplayItem[];
  journal: ReplayJournal;
  /** Sends; resolves with a description of the destination once it confirmed. */
  send(action: ReplayAction): Promise<string>;
  /** Removes the failure from its source after a confirmed send. */
  remove(item: ReplayItem): Promise<void>;
  dryRun?: boolean;
  keep?: boolean;
  /** Sends per second at most. */
  ratePerSecond?: number;
  /** Sends at most this many (failures already confirmed by the journal do not count). */
  max?: number;
  signal?: AbortSignal;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  onResult?: (result: ReplayResult) => void;
}

export async function executeReplay(options: ExecuteReplayOptions): Promise<ReplayReport> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  const interval = options.ratePerSecond ? 1000 / options.ratePerSecond : 0;
  const results: ReplayResult[] = [];
  let nextSendAt = 0;
  let attempts = 0;
  let interrupted = false;
  const report = (result: ReplayResult) => {
    results.push(result);
    options.onResult?.(result);
  };

  for (const item of options.items) {
    const base = {
      key: item.group.key,
      kind: item.group.kind,
      ...(item.group.summary.functionName ? { functionName: item.group.summary.functionName } : {}),
      ...(item.group.summary.shard ? { shard: describeShard(item.group.summary.shard) } : {}),
    };
    if (interrupted || options.signal?.aborted) {
      interrupted = true;
      report({ ...base, outcome: "not-attempted", removed: false });
      continue;
    }
    if (options.journal.wasSent(item.group.key)) {
      // Confirmed by an earlier run that stopped before removing it: finish, never resend.
      const removal =
        !options.dryRun && !options.keep ? await removeSafely(options, item) : { removed: false };
      report({ ...base, outcome: "already-sent", ...removal });
      continue;
    }
    const action = planAction(item);
    if (action.type === "skip") {
      report({ ...base, outcome: "skipped", removed: false, reason: action.reason });
      continue;
    }
    const to = destinationOf(action);
    if (options.max !== undefined && attempts >= options.max) {
      report({
        ...base,
        to,
        outcome: "not-attempted",
        removed: false,
        reason: `--max ${options.max} reached`,
      });
      continue;
    }
    attempts++;
    if (options.dryRun) {
      report({ ...base, to, outcome: "would-send", removed: false });
      continue;
    }
    const wait = nextSendAt - now();
    if (wait > 0) await sleep(wait, options.signal);
    if (options.signal?.aborted) {
      interrupted = true;
      report({ ...base, to, outcome: "not-attempted", removed: false });
      continue;
    }
    nextSendAt = now() + interval;
    let confirmed: string;
    try {
      confirmed = await options.send(action);
    } catch (error) {
      report({ ...base, to, outcome: "failed", removed: false, reason: describe(error) });
      continue;
    }
    await options.journal.recordSent(item.group.key, {
      messageIds: item.group.messages.map((m) => m.messageId),
      to: confirmed,
    });
    if (options.signal?.aborted) {
      // Stop now; the journal lets the next run finish the removal without sending again.
      interrupted = true;
      report({ ...base, to: confirmed, outcome: "sent", removed: false });
      continue;
    }
    const removal = options.keep ? { removed: false } : await removeSafely(options, item);
    report({ ...base, to: confirmed, outcome: "sent", ...removal });
  }

  const count = (outcome: ReplayOutcome) => results.filter((r) => r.outcome === outcome).length;
  return {
    results,
    sent: count("sent"),
    alreadySent: count("already-sent"),
    failed: count("failed"),
    skipped: count("skipped"),
    interrupted,
  };
}

/**
 * Removes a failure whose send is journaled. A refused delete (the hold lapsed and the receipt
 * handle is stale, say) does not stop the run: the journal makes the next run delete it, unsent.
 */
async function removeSafely(
  options: Pick<ExecuteReplayOptions, "remove" | "journal">,
  item: ReplayItem,
): Promise<{ removed: boolean; reason?: string }> {
  try {
    await options.remove(item);
  } catch (error) {
    return { removed: false, reason: `sent, but not removed (${describe(error)}); a rerun removes it` };
  }
  await options.journal.recordDone(item.group.key);
  return { removed: true };
}

/** "news run r-1 shard 2 of 4 (25 people)": the position 1-based, as operators count. */
export function describeShard(shard: ShardInfo): string {
  return `${shard.source} run ${shard.runId} shard ${shard.shard + 1} of ${shard.shards} (${shard.people.length} people)`;
}

export function destinationOf(action: ReplayAction): string {
  switch (action.type) {
    case "lambda-async":
      return `${action.functionName} (async invoke)`;
    case "lambda-stream":
      return `${action.functionName} (stream batch ${action.stream.startSequenceNumber}..${action.stream.endSequenceNumber}${action.records ? ", from archive" : ""})`;
    case "sqs-send":
      return action.queueArn;
  }
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
