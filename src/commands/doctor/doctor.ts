import { defineStack } from "../../pipeline/stack/index.js";
import { toStackParams } from "../../runtime/config/index.js";
import { locateProjectRoot } from "../../runtime/deploy/index.js";
import { runDoctor, type DoctorReport, type Finding } from "../../runtime/doctor/index.js";
import { FatalError, type CommandContext } from "../_kit/index.js";
import { noStackMessage } from "../status/status.js";
import { runStep } from "../_shared/progress.js";

export async function doctor(ctx: CommandContext): Promise<void> {
  const resolved = await ctx.config();
  const clients = await ctx.aws();
  const stack = defineStack(toStackParams(resolved, await clients.accountId()));
  const report = await runStep(ctx, {
    title: "reading the deployed topology and comparing it with the declaration",
    run: () =>
      runDoctor({
        clients,
        stack,
        projectRoot: projectRootOrNull(ctx.cwd),
        fixtureOrigin: `http://${resolved.config.fixtures.host}:${resolved.config.fixtures.port}`,
      }),
  });
  if (report.absent) {
    if (ctx.output.mode === "json") ctx.output.json(report);
    throw new FatalError(noStackMessage(report));
  }
  ctx.output.result(report, () => render(report, ctx));
  if (!report.ok) {
    throw new FatalError(
      `doctor found ${count(report.summary.error, "error")}; fix them with the commands shown above`,
    );
  }
}

function projectRootOrNull(cwd: string): string | null {
  try {
    return locateProjectRoot(cwd);
  } catch {
    return null;
  }
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function render(report: DoctorReport, ctx: CommandContext): void {
  const { style } = ctx.output;
  const label = (finding: Finding) =>
    finding.severity === "error"
      ? style.red("error  ")
      : finding.severity === "warning"
        ? style.yellow("warning")
        : style.dim("info   ");
  ctx.output.line(
    `${style.bold("pipeline doctor")}  ${report.target} · account ${report.account} · ${report.region}`,
  );
  ctx.output.line();
  for (const finding of report.findings) {
    ctx.output.line(`${label(finding)}  ${finding.message}`);
    ctx.output.line(`         ${style.dim(`fix: ${finding.fix}`)}`);
  }
  if (report.findings.length) ctx.output.line();
  const { error, warning, info } = report.summary;
  const verdict = report.ok
    ? style.green(error + warning === 0 ? "healthy" : "no errors")
    : style.red("unhealthy");
  ctx.output.line(
    `${verdict}: ${count(error, "error")}, ${count(warning, "warning")}, ${count(info, "remark")}; ` +
      `${report.drift.compared} resources compared with the declaration, ${report.drift.differing} differ`,
  );
}
