import { formatMs, type VerifyReport } from "../../runtime/verify/index.js";
import type { Output } from "../_kit/index.js";

/** After the task tree: what a failed check found, what diagnosis tested, and the fixing commands. */
export function renderFailures(output: Output, report: VerifyReport): void {
  const { style } = output;
  for (const phase of report.phases) {
    for (const check of phase.checks) {
      if (check.status !== "failed") continue;
      output.line();
      output.line(style.red(style.bold(`✖ ${phase.title} · ${check.title}`)));
      output.line(`  rule:     ${check.rule}`);
      output.line(`  measured: ${check.measured}`);
      if (check.reason) output.line(`  reason:   ${check.reason}`);
      for (const problem of check.problems ?? []) output.line(`  - ${problem}`);
      if (check.diagnosis.length > 0) {
        output.line(style.bold("  diagnosis:"));
        for (const finding of check.diagnosis) {
          const mark = finding.ok ? style.green("✔") : style.red("✖");
          output.line(`    ${mark} ${finding.subject}: ${finding.found}`);
          if (finding.fix) output.line(`        fix: ${style.cyan(finding.fix)}`);
        }
      }
    }
  }
}

export function renderSummary(output: Output, report: VerifyReport, which: string): void {
  const { style } = output;
  const checks = report.phases.flatMap((phase) => phase.checks);
  const count = (status: string) => checks.filter((check) => check.status === status).length;
  const skippedNote = count("skipped") > 0 ? `, ${count("skipped")} skipped` : "";
  const where = `${report.target}, account ${report.account}, ${report.region}`;
  output.line();
  if (report.interrupted) {
    const { phase, left } = report.interrupted;
    const title = report.phases.find((candidate) => candidate.phase === phase)?.title ?? phase;
    output.line(
      style.yellow(
        `■ verify ${which} interrupted (Ctrl-C) ${phase === "setup" ? "while preparing the target" : `in ${title}`}: ${count("passed")} passed${skippedNote} in ${formatMs(report.durationMs)} (${where})`,
      ),
    );
    output.line(left.length === 0 ? "  left behind: nothing" : `  left behind: ${left.join("; ")}`);
  } else if (report.ok) {
    output.line(
      style.green(
        `✔ verify ${which} passed: ${report.phases.length} phase(s), ${count("passed")} checks${skippedNote} in ${formatMs(report.durationMs)} (${where})`,
      ),
    );
  } else {
    const failedPhase = report.phases.find((phase) => phase.status === "failed");
    output.line(
      style.red(
        `✖ verify ${which} failed${failedPhase ? ` in ${failedPhase.title}` : ""}: ${count("failed")} failed, ${count("passed")} passed${skippedNote} in ${formatMs(report.durationMs)} (${where})`,
      ),
    );
  }
}
