import type {
  CheckDefinition,
  CheckOutcome,
  CheckResult,
  Finding,
  PhaseDefinition,
  PhaseResult,
  VerifyEnv,
  VerifyEvent,
} from "./types.js";

/**
 * Runs one phase: its checks in order, each timed; the first failed check is a gate that stops
 * the phase (later checks marked `always` still run: cleanup), and its diagnosis runs at once.
 * A check that throws has failed with the error as its reason; a diagnosis that throws becomes a
 * finding, so a broken stack never hides the report.
 */
export async function runPhase<S>(
  definition: PhaseDefinition<S>,
  env: VerifyEnv,
  emit: (event: VerifyEvent) => void,
): Promise<PhaseResult> {
  const { phase } = definition;
  const startedAt = env.now();
  emit({
    type: "phase-start",
    phase,
    title: definition.title,
    checks: definition.checks.map((check) => ({
      id: check.id,
      title: check.title,
      rule: ruleOf(check, env),
    })),
  });
  const state = definition.createState(env);
  const results: CheckResult[] = [];
  const notRun: { id: string; title: string }[] = [];
  let gateFailed = false;
  // Ctrl-C: the interrupted check ends, cleanup checks (`always`, e.g. tearing down 4C's -test
  // copy) still run, and the phase ends "interrupted" with what its cleanup found.
  let interrupted: { check: string } | undefined;

  for (const check of definition.checks) {
    if ((gateFailed || interrupted) && !check.always) {
      notRun.push({ id: check.id, title: check.title });
      continue;
    }
    emit({ type: "check-start", phase, check: check.id });
    const began = env.now().getTime();
    let outcome: CheckOutcome;
    try {
      outcome = await check.run(env, state, (message) =>
        emit({ type: "check-progress", phase, check: check.id, message }),
      );
    } catch (error) {
      outcome = { status: "failed", measured: "error", reason: errorText(error) };
    }
    // A check whose wait Ctrl-C cut short did not fail: it was interrupted (recorded as skipped,
    // with that reason), and only the cleanup checks run after it.
    if (outcome.status === "failed" && env.signal?.aborted && !interrupted) {
      interrupted = { check: check.id };
      outcome = { status: "skipped", measured: "interrupted", reason: "interrupted (Ctrl-C)" };
    }
    let diagnosis: Finding[] = [];
    if (outcome.status === "failed" && check.diagnose) {
      emit({ type: "check-progress", phase, check: check.id, message: "diagnosing" });
      try {
        diagnosis = await check.diagnose(env, state, outcome);
      } catch (error) {
        diagnosis = [{ subject: "diagnosis", ok: false, found: `could not finish: ${errorText(error)}` }];
      }
    }
    const result: CheckResult = {
      id: check.id,
      title: check.title,
      rule: ruleOf(check, env),
      ...outcome,
      durationMs: env.now().getTime() - began,
      diagnosis,
    };
    results.push(result);
    emit({ type: "check-end", phase, result });
    if (outcome.status === "failed") gateFailed = true;
  }

  const result: PhaseResult = {
    phase,
    title: definition.title,
    // Interrupted wins: a check that failed because its wait was cut short did not fail.
    status: interrupted ? "interrupted" : gateFailed ? "failed" : "passed",
    checks: results,
    notRun,
    ...(interrupted ? { interruptedAt: interrupted.check } : {}),
    startedAt: startedAt.toISOString(),
    durationMs: env.now().getTime() - startedAt.getTime(),
  };
  emit({ type: "phase-end", result });
  return result;
}

export function ruleOf<S>(check: CheckDefinition<S>, env: VerifyEnv): string {
  return typeof check.rule === "string" ? check.rule : check.rule(env);
}

export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const name = error.name && error.name !== "Error" ? `${error.name}: ` : "";
    return `${name}${error.message}${typeof code === "string" && !error.message.includes(code) ? ` (${code})` : ""}`;
  }
  return String(error);
}
