import {
  readEventInput,
  runPipeline,
  validateRunRequest,
  type RunReport,
  type RunRequest,
  type RunStage,
  type StageSummary,
} from "../../runtime/invoke/index.js";
import type { SourceName } from "../../pipeline/model/sources.js";
import { FatalError, UserError, type CommandContext } from "../_kit/index.js";

export interface RunOptions {
  stage: string;
  source: string[] | undefined;
  event: string | undefined;
  limit: number | undefined;
  logs: boolean;
}

export async function runCommand(options: RunOptions, ctx: CommandContext): Promise<void> {
  // Read the event before starting anything: a bad file fails fast.
  const event =
    options.event === undefined
      ? undefined
      : await readEventInput(options.event, { cwd: ctx.cwd, readStdin: readProcessStdin });
  const request: RunRequest = {
    stage: options.stage as RunStage,
    ...(options.source ? { sources: options.source as SourceName[] } : {}),
    ...(event === undefined ? {} : { event }),
    ...(options.limit === undefined ? {} : { limit: options.limit }),
  };
  validateRunRequest(request);
  const resolved = await ctx.config();
  const clients = await ctx.aws();
  const report = await runPipeline(request, {
    resolved,
    clients,
    onNote: (text) => ctx.output.note(text),
    signal: ctx.signal,
  });
  ctx.output.result(report, (data) => render(data, ctx, options.logs));
  if (!report.ok) {
    throw new FatalError(
      `${failedStages(report)} failed; ` +
        (ctx.output.mode === "json"
          ? "see error, errors and batchItemFailures in the JSON report"
          : "see the errors above (or rerun with --logs for the handlers' log lines)") +
        sourceHint(report),
    );
  }
}

async function readProcessStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    throw new UserError(
      "--event - reads standard input, but it is a terminal; pipe an event in (pipeline events generate ... |)",
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** A scraper that could not reach its API: say how to use the offline fixture server instead. */
function sourceHint(report: RunReport): string {
  const unreachable = report.summaries.filter(
    (s) => s.stage === "scrape" && s.outcome === "failed" && /network error|timed out/i.test(s.error ?? ""),
  );
  if (unreachable.length === 0) return "";
  const names = unreachable.map((s) => s.source).join(", ");
  return (
    `; ${names} could not reach the source API: check the network or sources.<name>.baseUrl, or use the ` +
    "offline fixture server (target local's default: unset sources.<name>.baseUrl / PIPELINE_<SOURCE>_BASE_URL)"
  );
}

function failedStages(report: RunReport): string {
  const failed = report.summaries.filter((s) => s.outcome === "failed" || s.batchItemFailures.length > 0);
  return failed.map(label).join(", ") || "the run";
}

function label(summary: StageSummary): string {
  return summary.source ? `${summary.stage} (${summary.source})` : summary.stage;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function render(report: RunReport, ctx: CommandContext, showLogs: boolean): void {
  const { output } = ctx;
  const { style } = output;
  output.line(
    `${style.bold(`pipeline run --stage ${report.stage}`)}  target ${report.target}, table ${report.table}, index ${report.index}`,
  );
  output.line();
  output.table(
    ["stage", "function", "invocations", "read", "written", "unchanged", "failed", "duration", "outcome"],
    report.summaries.map((summary) => [
      label(summary),
      summary.function,
      String(summary.invocations),
      String(summary.read),
      String(summary.written),
      String(summary.unchanged),
      summary.failed > 0 ? style.red(String(summary.failed)) : "0",
      seconds(summary.durationMs),
      summary.outcome === "succeeded" && summary.batchItemFailures.length === 0
        ? style.green("ok")
        : style.red(summary.outcome === "failed" ? "failed" : "partial"),
    ]),
  );
  const byId = new Map<string, string[]>();
  for (const summary of report.summaries) {
    if (summary.correlationId === undefined) continue;
    byId.set(summary.correlationId, [...(byId.get(summary.correlationId) ?? []), label(summary)]);
  }
  if (byId.size > 0) {
    output.line();
    const ids = [...byId].map(([id, labels]) => `${id} (${labels.join(", ")})`);
    output.line(style.dim(`correlation_id in the handlers' logs: ${ids.join("; ")}`));
  }
  for (const summary of report.summaries) {
    const problems = [
      ...(summary.error ? [summary.error] : []),
      ...summary.errors,
      ...(summary.batchItemFailures.length > 0
        ? [
            `batchItemFailures: ${summary.batchItemFailures.slice(0, 10).join(", ")}${summary.batchItemFailures.length > 10 ? ", ..." : ""}`,
          ]
        : []),
    ];
    if (problems.length === 0) continue;
    output.line();
    output.line(style.red(`${label(summary)}:`));
    for (const problem of problems) output.line(`  ${problem}`);
  }
  if (report.totals) {
    const { items, enriched, indexDocuments } = report.totals;
    output.line();
    output.line(
      `table ${report.table}: ${items} celebrity items, ${enriched} with weight and sentiment; ` +
        `index ${report.index}: ${indexDocuments} documents`,
    );
  }
  if (report.fixtureServer) output.line(style.dim(`sources: the fixture server at ${report.fixtureServer}`));
  output.line(`${report.ok ? style.green("done") : style.red("failed")} in ${seconds(report.durationMs)}`);
  if (showLogs) {
    output.line();
    for (const summary of report.summaries)
      for (const line of summary.logs) output.line(JSON.stringify(line));
  }
}
