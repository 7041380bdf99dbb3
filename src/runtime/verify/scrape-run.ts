import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { SOURCES } from "../../pipeline/model/sources.js";
import { scraperFunctionKey, type Stack } from "../../pipeline/stack/index.js";
import { manualEventShape } from "../schedule/index.js";
import { diagnoseScraper } from "./diagnose.js";
import { formatMs, waitFor } from "./poll.js";
import { readRunProgress } from "../../pipeline/stages/run-progress.js";
import type { RunProgress, SourceRunProgress } from "../../pipeline/stages/run-progress.js";
import { filterLog, queueDepth } from "./probes.js";
import { failed, passed, type CheckOutcome, type Finding, type Progress, type VerifyEnv } from "./types.js";

/** One scrape run started by verify: its run id, when it began, and what it found. */
export interface ScrapeRun {
  runId: string;
  since: number;
  dlqBaseline: number;
  /** Each source's run as its records say at the end of the wait. */
  progress?: SourceRunProgress[];
  /** Functions whose run did not complete with every shard done. */
  missing?: string[];
}

/** The pass rule of every "the scrapers finished" check (4A, 4B, 4C). */
export const finishedRule = (env: VerifyEnv): string =>
  `each of the four scrapers' runs complete within ${env.config.verify.deadlines.scrapeSeconds} s ` +
  `(planned, every shard done; a shard in the scraper DLQ fails the check); ` +
  `fewer than ${Math.max(1, env.config.verify.incompleteMax)} celebrities failed`;

export function newRunId(env: VerifyEnv, label: string): string {
  return `verify-${label}-${env.now().getTime()}`;
}

/**
 * Starts a full cycle through EventBridge: a PutEvents entry the stack's manual rule matches
 * (AWS refuses sources starting with "aws.", and a schedule rule never matches PutEvents).
 */
export async function triggerManualRule(env: VerifyEnv, stack: Stack, runId: string): Promise<string> {
  const eventbridge = await env.clients.eventbridge();
  // The source and detail-type this stack's rule matches (each stack has a source of its own).
  const { source, detailType } = manualEventShape(stack.rules.manual);
  const answer = await eventbridge.send(
    new PutEventsCommand({
      Entries: [
        {
          Source: source,
          DetailType: detailType,
          Detail: JSON.stringify({ runId }),
          EventBusName: stack.rules.manual.definition.EventBusName ?? "default",
        },
      ],
    }),
  );
  const entry = answer.Entries?.[0];
  if ((answer.FailedEntryCount ?? 0) > 0 || !entry?.EventId) {
    throw new Error(
      `PutEvents refused the entry: ${entry?.ErrorCode ?? "?"} ${entry?.ErrorMessage ?? ""}`.trim(),
    );
  }
  return entry.EventId;
}

/** First START line per scraper since the run began (one FilterLogEvents call per log group). */
export async function scraperStarts(
  env: VerifyEnv,
  stack: Stack,
  since: number,
): Promise<Map<string, number>> {
  const starts = new Map<string, number>();
  await Promise.all(
    SOURCES.map(async (source) => {
      const key = scraperFunctionKey(source);
      const events = await filterLog(env.clients, stack.logGroups[key].name, {
        since,
        pattern: '"START RequestId"',
      });
      const first = events
        .map((event) => event.timestamp ?? Infinity)
        .reduce((a, b) => Math.min(a, b), Infinity);
      if (Number.isFinite(first)) starts.set(stack.functions[key].name, first);
    }),
  );
  return starts;
}

/** One source's state in a progress line: "news 3/4 shards (1 retrying)". */
function describeSource(progress: SourceRunProgress | undefined, source: string): string {
  if (progress === undefined) return `${source} not planned`;
  if (progress.plan?.status !== "planned") return `${source} planning`;
  const extra = [
    progress.retrying > 0 ? `${progress.retrying} retrying` : "",
    progress.failed > 0 ? `${progress.failed} failed` : "",
  ].filter(Boolean);
  return `${source} ${progress.done}/${progress.shards} shards${extra.length ? ` (${extra.join(", ")})` : ""}`;
}

/**
 * Waits until each of the four scrapers' runs is complete: planned (the run record says how many
 * shards), and every shard settled, done or failed on its last receive (its message then goes to
 * the scraper DLQ). A shard failing on an earlier receive is not the end: the work queue gives it
 * back. The wait gives up early when the scraper DLQ grew and nothing is moving any more: every
 * source is complete or was never planned (Lambda gave up on its planner after its retries).
 */
export async function awaitRunRecords(
  env: VerifyEnv,
  stack: Stack,
  run: ScrapeRun,
  progress: Progress,
): Promise<CheckOutcome> {
  const deadlineMs = env.config.verify.deadlines.scrapeSeconds * 1000;
  let latest: RunProgress = new Map();
  let abandoned: string | undefined;
  const dynamodb = await env.clients.dynamodb();
  const complete = (runs: RunProgress) => SOURCES.filter((source) => runs.get(source)?.complete === true);
  const result = await waitFor(env, {
    probe: async () => (latest = await readRunProgress(dynamodb, stack.table.name, run.runId)),
    done: (runs) => complete(runs).length >= SOURCES.length,
    deadlineMs,
    onProgress: (runs, left) => {
      progress(
        `${complete(runs).length}/${SOURCES.length} runs complete: ${SOURCES.map((source) =>
          describeSource(runs.get(source), source),
        ).join(", ")} (${formatMs(left)} left)`,
      );
    },
    giveUp: async () => {
      const depth = await queueDepth(env.clients, stack.queues.scraperDlq.name).catch(() => run.dlqBaseline);
      if (depth > run.dlqBaseline) {
        abandoned = `${depth - run.dlqBaseline} new message(s) in ${stack.queues.scraperDlq.name}: a planner or a shard failed after its retries`;
      }
      const settled = SOURCES.every((source) => {
        const state = latest.get(source);
        return state === undefined || state.complete || state.plan === undefined;
      });
      return abandoned !== undefined && settled ? abandoned : undefined;
    },
  });
  const runs = result.value;
  run.progress = [...runs.values()];
  const succeeded = new Set(
    SOURCES.filter((source) => runs.get(source)?.complete === true && runs.get(source)?.failed === 0),
  );
  run.missing = SOURCES.filter((source) => !succeeded.has(source)).map(
    (source) => stack.functions[scraperFunctionKey(source)].name,
  );
  const states = [...runs.values()];
  const totals = states.reduce(
    (sum, r) => ({
      written: sum.written + r.counts.written,
      unchanged: sum.unchanged + r.counts.unchanged,
      failed: sum.failed + r.counts.failed,
      shards: sum.shards + r.shards,
      done: sum.done + r.done,
      failedShards: sum.failedShards + r.failed,
    }),
    { written: 0, unchanged: 0, failed: 0, shards: 0, done: 0, failedShards: 0 },
  );
  const measured =
    `${succeeded.size}/${SOURCES.length} scrapers finished (runs complete, every shard done), ` +
    `${totals.done}/${totals.shards} shards done` +
    `${totals.failedShards ? `, ${totals.failedShards} failed` : ""} ` +
    `(written ${totals.written}, unchanged ${totals.unchanged}, failed ${totals.failed})`;
  const problems = SOURCES.filter((source) => !succeeded.has(source)).map((source) => {
    const name = stack.functions[scraperFunctionKey(source)].name;
    const state = runs.get(source);
    if (state === undefined) return `${name}: no run record for run ${run.runId}`;
    if (state.plan?.status !== "planned") return `${name}: run ${run.runId} was not fully planned`;
    if (state.failed > 0) {
      return `${name}: ${state.failed} of ${state.shards} shard(s) failed on every receive (${state.peopleInFailedShards} people; shards ${state.failedShards.join(", ")}) and went to ${stack.queues.scraperDlq.name}: ${state.lastError ?? "no error recorded"}`;
    }
    return `${name}: ${state.done}/${state.shards} shards done, ${state.pending} pending${state.lastError ? ` (last error: ${state.lastError})` : ""}`;
  });
  if (!result.done || succeeded.size < SOURCES.length) {
    return failed(
      measured,
      result.gaveUp ??
        abandoned ??
        (result.done
          ? `shards failed and went to ${stack.queues.scraperDlq.name}`
          : `${run.missing.join(", ")} did not finish within ${env.config.verify.deadlines.scrapeSeconds} s`),
      problems,
    );
  }
  const permanent = states.flatMap((r) =>
    r.failures.slice(0, 3).map((f) => `${r.source} ${f.celebrityId}: ${f.reason}`),
  );
  if (totals.failed >= Math.max(1, env.config.verify.incompleteMax)) {
    return failed(measured, `${totals.failed} celebrities failed permanently`, permanent);
  }
  return passed(measured, permanent.length ? { problems: permanent } : {});
}

export async function diagnoseRun(
  env: VerifyEnv,
  stack: Stack,
  run: ScrapeRun | undefined,
): Promise<Finding[]> {
  const suspects = run?.missing?.length
    ? SOURCES.filter((s) => run.missing?.includes(stack.functions[scraperFunctionKey(s)].name))
    : [...SOURCES];
  const findings = await Promise.all(
    suspects.map((s) => diagnoseScraper(env, stack, scraperFunctionKey(s), run?.since ?? 0)),
  );
  // The table and the shared role are tested once per scraper; show each finding once.
  const seen = new Set<string>();
  return findings.flat().filter((f) => {
    const id = `${f.subject}|${f.found}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
