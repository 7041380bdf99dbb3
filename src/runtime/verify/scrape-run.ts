import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { SOURCES } from "../../pipeline/model/sources.js";
import { MANUAL_SCRAPE_EVENT, scraperFunctionKey, type Stack } from "../../pipeline/stack/index.js";
import { diagnoseScraper } from "./diagnose.js";
import { formatMs, waitFor } from "./poll.js";
import { filterLog, queueDepth, runRecords, type RunRecordSummary } from "./probes.js";
import { failed, passed, type CheckOutcome, type Finding, type Progress, type VerifyEnv } from "./types.js";

/** One scrape run started by verify: its run id, when it began, and what it found. */
export interface ScrapeRun {
  runId: string;
  since: number;
  dlqBaseline: number;
  records?: RunRecordSummary[];
  /** Functions whose run record is missing at the end of the wait. */
  missing?: string[];
}

/** The pass rule of every "the scrapers finished" check (4A, 4B, 4C). */
export const finishedRule = (env: VerifyEnv): string =>
  `a succeeded run record from each of the four scrapers within ${env.config.verify.deadlines.scrapeSeconds} s; ` +
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
  const answer = await eventbridge.send(
    new PutEventsCommand({
      Entries: [
        {
          Source: MANUAL_SCRAPE_EVENT.source,
          DetailType: MANUAL_SCRAPE_EVENT.detailType,
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

/**
 * Waits until each of the four scrapers has a succeeded run record for the run. A failed record
 * (a retryable error stopped the run) is not the end: Lambda retries the event and the retry
 * overwrites it. The wait gives up early when the scraper DLQ grows: an event there means Lambda
 * gave up on a scraper after its retries, so waiting longer proves nothing.
 */
export async function awaitRunRecords(
  env: VerifyEnv,
  stack: Stack,
  run: ScrapeRun,
  progress: Progress,
): Promise<CheckOutcome> {
  const deadlineMs = env.config.verify.deadlines.scrapeSeconds * 1000;
  let latest: RunRecordSummary[] = [];
  let abandoned: string | undefined;
  const succeeded = (records: RunRecordSummary[]) =>
    records.filter((record) => record.outcome === "succeeded");
  const result = await waitFor(env, {
    probe: async () => (latest = await runRecords(env.clients, stack.table.name, run.runId)),
    done: (records) => succeeded(records).length >= SOURCES.length,
    deadlineMs,

    onProgress: (records, left) => {
      const failing = records.filter((record) => record.outcome === "failed").map((record) => record.source);
      progress(
        `${succeeded(records).length}/${SOURCES.length} scrapers finished` +
          `${failing.length ? `, ${failing.join(", ")} failed (Lambda retries)` : ""} (${formatMs(left)} left)`,
      );
    },
    giveUp: async () => {
      const depth = await queueDepth(env.clients, stack.queues.scraperDlq.name).catch(() => run.dlqBaseline);
      if (depth > run.dlqBaseline) {
        abandoned = `${depth - run.dlqBaseline} new event(s) in ${stack.queues.scraperDlq.name}: a scraper failed after its retries`;
      }
      // Stop early once the failure is certain and every scraper has reported, so the result
      // names every failed source and counts the ones still running at the time correctly.
      return abandoned !== undefined && latest.length >= SOURCES.length ? abandoned : undefined;
    },
  });
  run.records = result.value;
  const done = new Set(succeeded(result.value).map((record) => record.source));
  run.missing = SOURCES.filter((source) => !done.has(source)).map(
    (source) => stack.functions[scraperFunctionKey(source)].name,
  );
  const totals = result.value.reduce(
    (sum, r) => ({
      written: sum.written + r.written,
      unchanged: sum.unchanged + r.unchanged,
      failed: sum.failed + r.failed,
    }),
    { written: 0, unchanged: 0, failed: 0 },
  );
  const measured = `${done.size}/${SOURCES.length} scrapers finished (written ${totals.written}, unchanged ${totals.unchanged}, failed ${totals.failed})`;
  if (!result.done) {
    const problems = SOURCES.filter((source) => !done.has(source)).map((source) => {
      const name = stack.functions[scraperFunctionKey(source)].name;
      const record = result.value.find((candidate) => candidate.source === source);
      return record
        ? `${name}: run failed after ${record.fetched} celebrities (${record.notAttempted} not attempted): ${record.error ?? "no error recorded"}`
        : `${name}: no run record for run ${run.runId}`;
    });
    return failed(
      measured,
      result.gaveUp ??
        abandoned ??
        `${run.missing.join(", ")} did not finish within ${env.config.verify.deadlines.scrapeSeconds} s`,
      problems,
    );
  }
  const permanent = result.value.flatMap((r) =>
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
