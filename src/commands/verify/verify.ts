import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { openAws } from "../../runtime/aws/index.js";
import { DeployInterruptedError, locateProjectRoot } from "../../runtime/deploy/index.js";
import { stateDirFor } from "../../runtime/emulator-process/index.js";
import {
  createStackDeployer,
  createVerifyEnv,
  phasesFor,
  prepareLocalTarget,
  runVerify,
  toJUnit,
  type CheckResult,
  type PhaseName,
  type PreparedTarget,
  type VerifyEvent,
  type VerifyReport,
} from "../../runtime/verify/index.js";
import { FatalError, InterruptedError, type CommandContext } from "../_kit/index.js";
import { renderFailures, renderSummary } from "./render.js";
import { runTaskTree, type TaskTreeSink } from "./task-tree.js";

export interface VerifyInput {
  args: { phase: string };
  options: { junit: string | undefined; keep: boolean; force: boolean };
}

/** What --json prints: the engine's report plus what verify did to get the target ready. */
export interface VerifyJson extends VerifyReport {
  setup: string[];
}

export async function verifyCommand(input: VerifyInput, ctx: CommandContext): Promise<void> {
  const which: PhaseName | "all" =
    input.args.phase === "all" ? "all" : (input.args.phase.replace("phase-", "") as PhaseName);
  const resolved = await ctx.config();
  const { config } = resolved;

  // openAws directly (not ctx.aws()): verify must know whether it started the emulator itself,
  // because then the emulator's state may lack the stack and it deploys first.
  const session = await openAws(resolved, { cwd: ctx.cwd });
  ctx.onDispose(() => session.close());
  const setup: string[] = [];
  if (session.endpoint.notice) ctx.output.note(session.endpoint.notice);
  if (session.endpoint.startedHere) setup.push(`started the embedded emulator at ${session.endpoint.url}`);

  const runsEnablement = which === "all" || which === "4d";
  const confirmed =
    runsEnablement && config.target === "aws"
      ? await ctx.prompt.confirm({
          message: `Phase 4D enables the weekly scrape schedule on AWS (after 4A-4C pass). Go on?`,
          flag: "--yes",
        })
      : true;

  const deployer = createStackDeployer(session.clients, locateProjectRoot(ctx.cwd), ctx.signal);
  let prepared: PreparedTarget | undefined;
  let report: VerifyReport | undefined;

  const run = async (sink: TaskTreeSink) => {
    prepared = await prepareLocalTarget({
      resolved,
      clients: session.clients,
      emulatorStartedHere: session.endpoint.startedHere,
      deployer,
      onProgress: (message) => sink.setupProgress(message),
    });
    ctx.onDispose(() => prepared?.close());
    setup.push(...prepared.actions);
    sink.setupDone(setup.length > 0 ? setup.join("; ") : `${config.target} target ready`);
    const env = createVerifyEnv({
      clients: session.clients,
      config,
      stack: prepared.stack,
      account: prepared.account,
      stateDir: stateDirFor(ctx.cwd),
      deployer,
      signal: ctx.signal,
      confirm: async () => confirmed,
      options: { force: input.options.force, keep: input.options.keep },
    });
    report = await runVerify(env, which, (event: VerifyEvent) => sink.event(event));
    return report;
  };

  const phases = phasesFor(which).map((definition) => ({
    phase: definition.phase,
    title: definition.title,
    checks: definition.checks.map(({ id, title }) => ({ id, title })),
  }));
  const setupTitle =
    config.target === "local"
      ? "Prepare the local target (emulator, fixture sources, stack)"
      : `Connect to ${config.target}`;

  try {
    if (ctx.output.mode === "json") {
      const silent: TaskTreeSink = { setupProgress: () => {}, setupDone: () => {}, event: () => {} };
      await run(silent);
    } else {
      await runTaskTree({ mode: ctx.output.mode, output: ctx.output, setupTitle, phases }, run);
    }
  } catch (error) {
    // Ctrl-C while the target was being prepared: no phase ran. Say what may be left, and still
    // print a result for --json.
    if (!ctx.signal.aborted || report) throw error;
    report = setupInterrupted(config.target, config.account ?? "", config.region, error);
  }
  if (!report) throw new FatalError("verify did not produce a report");

  if (input.options.junit) {
    const file = resolve(ctx.cwd, input.options.junit);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, toJUnit(report));
    ctx.output.note(`JUnit report written to ${file}`);
  }
  const finished = report;
  ctx.output.result<VerifyJson>({ ...finished, setup }, () => {
    renderFailures(ctx.output, finished);
    renderSummary(ctx.output, finished, input.args.phase);
  });
  if (finished.interrupted) {
    const { phase, check, left } = finished.interrupted;
    const where =
      phase === "setup" ? "while preparing the target" : `in ${phase}${check ? ` ("${check}")` : ""}`;
    throw new InterruptedError(
      left.length === 0
        ? `verify ${input.args.phase} interrupted ${where}; it left nothing behind`
        : `verify ${input.args.phase} interrupted ${where}; it left ${left.join("; ")}`,
    );
  }
  if (!finished.ok) {
    const first = firstFailure(finished);
    throw new FatalError(
      first
        ? `verify ${input.args.phase} failed at ${first.phase} "${first.check.title}": ${first.check.reason ?? first.check.measured}`
        : `verify ${input.args.phase} failed`,
    );
  }
}

function firstFailure(report: VerifyReport): { phase: string; check: CheckResult } | undefined {
  for (const phase of report.phases) {
    const check = phase.checks.find((candidate) => candidate.status === "failed");
    if (check) return { phase: phase.phase, check };
  }
  return undefined;
}

/**
 * The report of a run that Ctrl-C stopped before its first phase. A stack deploy cut short keeps
 * what it created (the next verify, or pipeline deploy, completes it); nothing else stays.
 */
function setupInterrupted(target: string, account: string, region: string, error: unknown): VerifyReport {
  const now = new Date().toISOString();
  const left: string[] = [];
  if (error instanceof DeployInterruptedError) {
    const done = error.result.resources.filter((resource) => resource.outcome === "done").length;
    left.push(
      `${done} resource(s) of the stack, whose deploy was cut short (the next verify, or pipeline deploy, completes it)`,
    );
  }
  return {
    target,
    account,
    region,
    ok: false,
    interrupted: { phase: "setup", left },
    phases: [],
    startedAt: now,
    durationMs: 0,
  };
}
