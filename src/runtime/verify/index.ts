/**
 * The verification protocol (DESIGN.md section 4) as an engine: phases 4A-4D as data (./phases),
 * run by ./runner.ts, reported as events and a VerifyReport; passes are recorded per target and
 * account in the verification record. Never prints; the `verify` command renders.
 */
import { recordPass, type VerifyPhase } from "../records/index.js";
import { phase4a } from "./phases/phase-4a.js";
import { phase4b } from "./phases/phase-4b.js";
import { phase4c, removeCommand, TEST_SUFFIX } from "./phases/phase-4c.js";
import { phase4d } from "./phases/phase-4d.js";
import { runPhase } from "./runner.js";
import type { PhaseDefinition, PhaseResult, VerifyEnv, VerifyEvent, VerifyReport } from "./types.js";

export type * from "./types.js";
export { toJUnit } from "./junit.js";
export { runPhase } from "./runner.js";
export { waitFor, withinTolerance, formatMs } from "./poll.js";
export { countItems, FILTERS } from "./probes.js";
export { dataQuality, TEST_SUFFIX } from "./phases/phase-4c.js";
export { alarmProblems } from "./phases/phase-4d.js";
export { allowsRule, targetProblems } from "./phases/phase-4a.js";
export { sentinelItem } from "./canary.js";
export {
  createStackDeployer,
  prepareLocalTarget,
  PROJECT_ROOT,
  type PreparedTarget,
  type PrepareOptions,
} from "./prepare.js";

export const PHASES = { "4a": phase4a, "4b": phase4b, "4c": phase4c, "4d": phase4d } as const;
export type PhaseName = keyof typeof PHASES;
export const PHASE_NAMES = Object.keys(PHASES) as PhaseName[];

/** The phases a `verify <which>` runs, in protocol order. */
export function phasesFor(which: PhaseName | "all"): PhaseDefinition<never>[] {
  const names = which === "all" ? PHASE_NAMES : [which];
  return names.map((name) => PHASES[name] as unknown as PhaseDefinition<never>);
}

/**
 * Runs phases in order, stopping after the first failed phase (later ones depend on it). Each passed
 * phase is recorded for the target and account (4C under the test copy's suffix).
 */
export async function runVerify(
  env: VerifyEnv,
  which: PhaseName | "all",
  emit: (event: VerifyEvent) => void = () => {},
): Promise<VerifyReport> {
  const started = env.now();
  const phases: PhaseResult[] = [];
  let stoppedBefore: VerifyPhase | undefined;
  for (const definition of phasesFor(which)) {
    // Ctrl-C between two phases: the next one does not start.
    if (env.signal?.aborted) {
      stoppedBefore = definition.phase as VerifyPhase;
      break;
    }
    const result = await runPhase(definition as PhaseDefinition<unknown>, env, emit);
    phases.push(result);
    if (result.status === "passed") {
      recordPass(env.stateDir, {
        phase: definition.phase as VerifyPhase,
        target: env.config.target,
        account: env.account,
        region: env.stack.params.region,
        suffix:
          definition.phase === "phase-4c"
            ? `${env.stack.params.suffix}${TEST_SUFFIX}`
            : env.stack.params.suffix,
        passedAt: env.now().toISOString(),
      });
    } else break;
  }
  const last = phases.at(-1);
  const interrupted =
    last?.status === "interrupted"
      ? {
          phase: last.phase,
          ...(last.interruptedAt ? { check: last.interruptedAt } : {}),
          left: leftBehind(env, last),
        }
      : stoppedBefore
        ? { phase: stoppedBefore, left: [] }
        : undefined;
  return {
    target: env.config.target,
    account: env.account,
    region: env.stack.params.region,
    ok:
      interrupted === undefined &&
      phases.length === phasesFor(which).length &&
      phases.every((p) => p.status === "passed"),
    ...(interrupted ? { interrupted } : {}),
    phases,
    startedAt: started.toISOString(),
    durationMs: env.now().getTime() - started.getTime(),
  };
}

/**
 * What an interrupted phase left on the target, one line each with how to remove it (nothing,
 * usually: 4C's teardown runs after Ctrl-C too). Scraper runs already started cannot be called
 * back; they finish on the target (and are gone with an emulator this process started).
 */
function leftBehind(env: VerifyEnv, phase: PhaseResult): string[] {
  const left: string[] = [];
  const teardown = phase.checks.find((check) => check.id === "teardown");
  const suffix = `${env.stack.params.suffix}${TEST_SUFFIX}`;
  const removal = `remove it with: ${removeCommand(suffix)}`;
  if (teardown?.status === "failed") {
    left.push(
      `the ${suffix} copy of the stack (its teardown failed: ${teardown.reason ?? "error"}); ${removal}`,
    );
  } else if (teardown?.status === "skipped" && teardown.reason?.startsWith("kept")) {
    left.push(`the ${suffix} copy of the stack (--keep); ${removal}`);
  }
  return left;
}

/** An abortable wait: the poll interval of every verify wait (never a fixed sleep for a result). */
export function abortableSleep(signal?: AbortSignal): (ms: number) => Promise<void> {
  return (ms) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason as Error);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    });
}

/** A VerifyEnv with the real clock and abortable waits; tests and the command fill in the rest. */
export function createVerifyEnv(
  env: Omit<VerifyEnv, "now" | "sleep" | "confirm" | "options"> &
    Partial<Pick<VerifyEnv, "now" | "sleep" | "confirm" | "options">>,
): VerifyEnv {
  return {
    now: () => new Date(),
    sleep: abortableSleep(env.signal),
    confirm: async () => false,
    options: { force: false, keep: false },
    ...env,
  };
}
