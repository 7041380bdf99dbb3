import { Listr, ListrLogger, ProcessOutput, createWritable, type ListrTask } from "listr2";
import type { CheckResult, PhaseResult, VerifyEvent, VerifyReport } from "../../runtime/verify/index.js";
import type { Output } from "../_kit/index.js";

/**
 * The verify run as a live listr2 task tree. The engine drives the order (it runs the checks and
 * reports events); each listr task only waits for its check's outcome and shows its progress and
 * measured value, so the tree is a view, never a second runner. A check that never runs (its phase
 * stopped at a failed gate, or an earlier phase failed) resolves as skipped with the reason.
 */

export interface TaskTreeSink {
  setupProgress(message: string): void;
  setupDone(summary: string): void;
  event(event: VerifyEvent): void;
}

export interface TaskTreeOptions {
  mode: "pretty" | "plain";
  output: Output;
  setupTitle: string;
  phases: { phase: string; title: string; checks: { id: string; title: string }[] }[];
}

type Outcome = { kind: "result"; result: CheckResult } | { kind: "not-run"; reason: string };

interface Slot {
  settled: boolean;
  promise: Promise<Outcome>;
  resolve(outcome: Outcome): void;
  progress(message: string): void;
}

function slot(): Slot {
  let resolve!: (outcome: Outcome) => void;
  const promise = new Promise<Outcome>((done) => (resolve = done));
  const s: Slot = {
    settled: false,
    promise,
    resolve: (outcome) => {
      if (s.settled) return;
      s.settled = true;
      resolve(outcome);
    },
    progress: () => {},
  };
  return s;
}

const keyOf = (phase: string, check: string) => `${phase}/${check}`;

interface PhaseSlot {
  started: Promise<{ kind: "started" } | { kind: "not-run"; reason: string }>;
  /** The phase's result, or why it ended without one (verify stopped). */
  ended: Promise<PhaseResult | string>;
  start(): void;
  end(result: PhaseResult): void;
  notRun(reason: string): void;
}

function phaseSlot(): PhaseSlot {
  let begin!: (value: { kind: "started" } | { kind: "not-run"; reason: string }) => void;
  let finish!: (result: PhaseResult | string) => void;
  const started = new Promise<{ kind: "started" } | { kind: "not-run"; reason: string }>(
    (done) => (begin = done),
  );
  const ended = new Promise<PhaseResult | string>((done) => (finish = done));
  return {
    started,
    ended,
    start: () => begin({ kind: "started" }),
    end: (result) => finish(result),
    notRun: (reason) => {
      begin({ kind: "not-run", reason });
      finish(reason);
    },
  };
}

/** The phase's outcome, as the last line of its list: silent when it passed, a failure mark otherwise. */
function verdictTask(phase: { title: string }, ps: PhaseSlot): ListrTask {
  return {
    task: async (_ctx, task) => {
      const result = await ps.ended;
      if (typeof result !== "string" && result.status === "passed") return;
      task.title = phase.title;
      if (typeof result === "string") throw new Error(result);
      if (result.status === "interrupted") throw new Error("interrupted (Ctrl-C)");
      const failedCheck = result.checks.find((check) => check.status === "failed");
      throw new Error(`failed${failedCheck ? ` at "${failedCheck.title}"` : ""}`);
    },
  };
}

export async function runTaskTree(
  options: TaskTreeOptions,
  run: (sink: TaskTreeSink) => Promise<VerifyReport>,
): Promise<void> {
  const plain = options.mode === "plain";
  const slots = new Map<string, Slot>();
  for (const phase of options.phases)
    for (const check of phase.checks) slots.set(keyOf(phase.phase, check.id), slot());
  const phaseSlots = new Map(options.phases.map((phase) => [phase.phase, phaseSlot()]));
  const setup = slot();
  let setupSummary = "";

  const settleRest = (reason: string) => {
    for (const s of slots.values()) s.resolve({ kind: "not-run", reason });
    for (const s of phaseSlots.values()) s.notRun(reason);
  };
  const sink: TaskTreeSink = {
    setupProgress: (message) => setup.progress(message),
    setupDone: (summary) => {
      setupSummary = summary;
      setup.resolve({ kind: "not-run", reason: "" });
    },
    event: (event) => {
      if (event.type === "check-progress")
        slots.get(keyOf(event.phase, event.check))?.progress(event.message);
      else if (event.type === "check-end")
        slots.get(keyOf(event.phase, event.result.id))?.resolve({ kind: "result", result: event.result });
      else if (event.type === "phase-start") phaseSlots.get(event.phase)?.start();
      else if (event.type === "phase-end") {
        phaseSlots.get(event.result.phase)?.end(event.result);
        for (const notRun of event.result.notRun)
          slots.get(keyOf(event.result.phase, notRun.id))?.resolve({
            kind: "not-run",
            reason:
              event.result.status === "interrupted"
                ? "not run: interrupted (Ctrl-C)"
                : "not run: an earlier check of the phase failed",
          });
      }
    },
  };

  const checkTask = (phase: string, check: { id: string; title: string }): ListrTask => ({
    title: check.title,
    task: async (_ctx, task) => {
      const s = slots.get(keyOf(phase, check.id))!;
      let last = "";
      s.progress = (message) => {
        const news = plain ? message.replace(/\s*\([\d.]+ m?s left\)$/, "") : message;
        if (news === last) return;
        last = news;
        task.output = message;
      };
      // The live tree shows a skip's message in place of its title; the plain log prints the title
      // followed by "[SKIPPED: message]", so there the message is the reason alone.
      const skip = (reason: string) => task.skip(plain ? reason : `${check.title}: skipped, ${reason}`);
      const outcome = await s.promise;
      if (outcome.kind === "not-run") {
        task.skip(plain ? outcome.reason : `${check.title} (${outcome.reason})`);
        return;
      }
      const { result } = outcome;
      if (result.status === "skipped") {
        skip(result.reason ?? "not supported here");
        return;
      }
      task.title = `${check.title}: ${result.measured}`;
      if (result.status === "failed")
        throw new Error(`${check.title}: ${result.measured} (${result.reason ?? "failed"})`);
    },
  });

  const tasks: ListrTask[] = [
    {
      title: options.setupTitle,
      task: async (_ctx, task) => {
        setup.progress = (message) => {
          task.output = message;
        };
        const outcome = await setup.promise;
        if (outcome.kind === "not-run" && outcome.reason) throw new Error(outcome.reason);
        task.title = `${options.setupTitle}: ${setupSummary}`;
      },
    },
    ...options.phases.map((phase): ListrTask => ({
      title: phase.title,
      task: async (_ctx, task) => {
        const ps = phaseSlots.get(phase.phase)!;
        const begun = await ps.started;
        // A phase that never ran is one skipped line, never a success mark over skipped checks.
        if (begun.kind === "not-run") {
          task.skip(plain ? begun.reason : `${phase.title} (${begun.reason})`);
          return;
        }
        // The checks never stop the list (the engine decides what runs); the verdict, last, fails
        // it when the phase did not pass, so the phase line never shows a success mark then.
        return task.newListr(
          [
            ...phase.checks.map((check) => ({ ...checkTask(phase.phase, check), exitOnError: false })),
            verdictTask(phase, ps),
          ],
          { concurrent: false, exitOnError: true },
        );
      },
    })),
  ];

  const listr = plain
    ? // Plain output (a pipe, CI, tests): one line per state change, through the command's output.
      new Listr(tasks, {
        concurrent: false,
        exitOnError: false,
        // Ctrl-C is the command's to handle (cleanup, then exit 130), not listr2's (exit 127).
        registerSignalListeners: false,
        renderer: "simple",
        rendererOptions: {
          logger: new ListrLogger({
            useIcons: true,
            toStderr: [],
            processOutput: new ProcessOutput(
              createWritable((chunk) => options.output.line(chunk.replace(/\n$/, ""))) as NodeJS.WriteStream,
              createWritable((chunk) => options.output.note(chunk.replace(/\n$/, ""))) as NodeJS.WriteStream,
            ),
          }),
        },
      })
    : // A terminal: the live-updating tree, which needs the real stream for cursor movement.
      new Listr(tasks, {
        concurrent: false,
        exitOnError: false,
        registerSignalListeners: false,
        renderer: "default",
        fallbackRenderer: "simple",
        // A terminal that reports no width (some CI pseudo-terminals) would wrap every character.
        fallbackRendererCondition: () => !process.stdout.columns,
        rendererOptions: { collapseSubtasks: false, collapseSkips: true, showErrorMessage: true },
      });

  const running = run(sink).then(
    (report) => {
      settleRest(report.interrupted ? "not run: interrupted (Ctrl-C)" : "not run: an earlier phase failed");
      return report;
    },
    (error: unknown) => {
      setup.resolve({ kind: "not-run", reason: error instanceof Error ? error.message : String(error) });
      settleRest("not run: verify stopped");
      throw error;
    },
  );
  const [, outcome] = await Promise.allSettled([listr.run(), running]);
  if (outcome.status === "rejected") throw outcome.reason;
}
