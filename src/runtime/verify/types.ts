import type { AwsClients } from "../aws/index.js";
import type { PipelineConfig } from "../config/index.js";
import type { VerifyPhase } from "../records/index.js";
import type { Stack } from "../../pipeline/stack/index.js";

/**
 * The verification protocol as data: a phase is an ordered list of checks; each check measures one
 * thing, says whether it passed, and, when it fails, can diagnose the likely causes by testing them.
 * The runner (./runner.ts) stops a phase at its first failed gate and reports everything as events,
 * so a command can render a live task tree and a CI job can read JSON or JUnit.
 */

export type CheckStatus = "passed" | "failed" | "skipped";

/** What a check found. `measured` is shown beside the check ("4 targets", "START spread 212 ms"). */
export interface CheckOutcome {
  status: CheckStatus;
  measured: string;
  /** Why it failed, or why it was skipped (a check the target cannot support is never "passed"). */
  reason?: string;
  /** Problems found, one per line, each naming the resource or key. */
  problems?: string[];
}

/** One likely cause, tested: `ok` false means this is (part of) what is wrong. */
export interface Finding {
  subject: string;
  ok: boolean;
  found: string;
  /** The command (or setting) that fixes it. */
  fix?: string;
}

export interface CheckResult extends CheckOutcome {
  id: string;
  title: string;
  /** The pass rule, with the configured thresholds ("latest START minus earliest START ≤ 1000 ms"). */
  rule: string;
  durationMs: number;
  diagnosis: Finding[];
}

export interface PhaseResult {
  phase: VerifyPhase;
  title: string;
  /** "interrupted": Ctrl-C stopped it; its cleanup checks (4C's teardown) still ran. */
  status: "passed" | "failed" | "interrupted";
  checks: CheckResult[];
  /** Checks never run because an earlier gate failed (or Ctrl-C stopped the phase). */
  notRun: { id: string; title: string }[];
  /** The check Ctrl-C interrupted (status "interrupted"). */
  interruptedAt?: string;
  startedAt: string;
  durationMs: number;
}

export interface VerifyReport {
  target: string;
  account: string;
  region: string;
  ok: boolean;
  /** Set when Ctrl-C stopped the run: where, and what it left on the target. */
  interrupted?: { phase: VerifyPhase | "setup"; check?: string; left: string[] };
  phases: PhaseResult[];
  startedAt: string;
  durationMs: number;
}

export type VerifyEvent =
  | {
      type: "phase-start";
      phase: VerifyPhase;
      title: string;
      checks: { id: string; title: string; rule: string }[];
    }
  | { type: "check-start"; phase: VerifyPhase; check: string }
  | { type: "check-progress"; phase: VerifyPhase; check: string; message: string }
  | { type: "check-end"; phase: VerifyPhase; result: CheckResult }
  | { type: "phase-end"; result: PhaseResult };

/** Deploys and destroys a stack (the deploy engine, wired in by the command). */
export interface StackDeployer {
  deploy(stack: Stack, onProgress: (message: string) => void): Promise<{ summary: string }>;
  destroy(stack: Stack, onProgress: (message: string) => void): Promise<{ summary: string }>;
}

/** Everything a check may use. Time and waits are injected so tests control them. */
export interface VerifyEnv {
  clients: AwsClients;
  config: PipelineConfig;
  /** The stack under verification (the real one; 4C derives its `-test` copy from its params). */
  stack: Stack;
  account: string;
  /** Folder of the verification record (.pipeline). */
  stateDir: string;
  now: () => Date;
  /** Waits between polls; rejects when the signal aborts. */
  sleep: (ms: number) => Promise<void>;
  signal?: AbortSignal;
  /** Needed by 4C; without it 4C reports its checks as skipped. */
  deployer?: StackDeployer;
  /** Asked before 4D enables the schedule; answer true to go on. */
  confirm: (message: string) => Promise<boolean>;
  options: { force: boolean; keep: boolean };
  /** Entries to expect (counts.ts): set once read from config or the roster. */
  expected?: { count: number; basis: string };
}

export type Progress = (message: string) => void;

export interface CheckDefinition<S> {
  id: string;
  title: string;
  /** What passing means, with the thresholds from config. */
  rule: string | ((env: VerifyEnv) => string);
  /** Runs after a failed gate too (cleanup such as tearing down a test copy). */
  always?: boolean;
  run(env: VerifyEnv, state: S, progress: Progress): Promise<CheckOutcome>;
  /** Tests the likely causes of a failure of this check. */
  diagnose?(env: VerifyEnv, state: S, outcome: CheckOutcome): Promise<Finding[]>;
}

export interface PhaseDefinition<S = unknown> {
  phase: VerifyPhase;
  title: string;
  createState(env: VerifyEnv): S;
  checks: CheckDefinition<S>[];
}

export const passed = (measured: string, extra: Partial<CheckOutcome> = {}): CheckOutcome => ({
  status: "passed",
  measured,
  ...extra,
});
export const failed = (measured: string, reason: string, problems?: string[]): CheckOutcome => ({
  status: "failed",
  measured,
  reason,
  ...(problems && problems.length > 0 ? { problems } : {}),
});
export const skipped = (reason: string): CheckOutcome => ({ status: "skipped", measured: "skipped", reason });
