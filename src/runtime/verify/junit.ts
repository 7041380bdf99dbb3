import type { CheckResult, VerifyReport } from "./types.js";

/**
 * The report as JUnit XML for CI: one testsuite per phase, one testcase per check; a failed check
 * is a <failure> carrying its reason, problems and diagnosis; skipped checks (and checks never run
 * after a failed gate) are <skipped> with the reason.
 */
export function toJUnit(report: VerifyReport): string {
  const suites = report.phases.map((phase) => {
    const cases = phase.checks.map((check) => testCase(phase.phase, check));
    for (const notRun of phase.notRun) {
      cases.push(
        `    <testcase classname="${esc(phase.phase)}" name="${esc(notRun.title)}" time="0">\n` +
          `      <skipped message="not run: an earlier check of the phase failed"/>\n    </testcase>`,
      );
    }
    const failures = phase.checks.filter((c) => c.status === "failed").length;
    const skippedCount = phase.checks.filter((c) => c.status === "skipped").length + phase.notRun.length;
    return (
      `  <testsuite name="${esc(phase.title)}" tests="${phase.checks.length + phase.notRun.length}" failures="${failures}" ` +
      `errors="0" skipped="${skippedCount}" time="${seconds(phase.durationMs)}" timestamp="${esc(phase.startedAt)}">\n` +
      `${cases.join("\n")}\n  </testsuite>`
    );
  });
  const tests = report.phases.reduce((n, p) => n + p.checks.length + p.notRun.length, 0);
  const failures = report.phases.reduce(
    (n, p) => n + p.checks.filter((c) => c.status === "failed").length,
    0,
  );
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="pipeline verify (${esc(report.target)})" tests="${tests}" failures="${failures}" time="${seconds(report.durationMs)}">\n` +
    `${suites.join("\n")}\n</testsuites>\n`
  );
}

function testCase(classname: string, check: CheckResult): string {
  const open = `    <testcase classname="${esc(classname)}" name="${esc(`${check.title}: ${check.measured}`)}" time="${seconds(check.durationMs)}">`;
  if (check.status === "passed") return `${open}</testcase>`;
  if (check.status === "skipped")
    return `${open}\n      <skipped message="${esc(check.reason ?? "skipped")}"/>\n    </testcase>`;
  const body = [
    `rule: ${check.rule}`,
    ...(check.problems ?? []),
    ...check.diagnosis.map(
      (f) => `${f.ok ? "ok" : "PROBLEM"} ${f.subject}: ${f.found}${f.fix ? ` (fix: ${f.fix})` : ""}`,
    ),
  ].join("\n");
  return `${open}\n      <failure message="${esc(check.reason ?? "failed")}">${esc(body)}</failure>\n    </testcase>`;
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function esc(text: string): string {
  return (
    text
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "")
  );
}
