import { Listr, ListrLogger, ProcessOutput, createWritable, type ListrTask } from "listr2";
import type { CheckResult, VerifyEvent, VerifyReport } from "../../runtime/verify/index.js";
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

export async function runTaskTree(
  options: TaskTreeOptions,
  run: (sink: TaskTreeSink) => Promise<VerifyReport>,
): Promise<void> {
  const plain = options.mode === "plain";
  const slots = new Map<string, Slot>();
  for (const phase of options.phases)
    for (const check of phase.checks) slots.set(keyOf(phase.phase, check.id), slot());
  const setup = slot();
  let setupSummary = "";

  const settleRest = (reason: string) => {
    for (const s of slots.values()) s.resolve({ kind: "not-run", reason });
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
      else if (event.type === "phase-end") {
        for (const notRun of event.result.notRun)
          slots
            .get(keyOf(event.result.phase, notRun.id))
            ?.resolve({ kind: "not-run", reason: "not run: an earlier check of the phase failed" });
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
      task: (_ctx, task) =>
        task.newListr(
          phase.checks.map((check) => checkTask(phase.phase, check)),
          { concurrent: false, exitOnError: false },
        ),
    })),
  ];

  const listr = plain
    ? // Plain output (a pipe, CI, tests): one line per state change, through the command's output.
      new Listr(tasks, {
        concurrent: false,
        exitOnError: false,
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
        renderer: "default",
        fallbackRenderer: "simple",
        // A terminal that reports no width (some CI pseudo-terminals) would wrap every character.
        fallbackRendererCondition: () => !process.stdout.columns,
        rendererOptions: { collapseSubtasks: false, collapseSkips: true, showErrorMessage: true },
      });

  const running = run(sink).then(
    (report) => {
      settleRest("not run: an earlier phase failed");
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
