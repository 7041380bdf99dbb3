import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * Which verification phases passed, per target and account. `verify` writes it; `schedule enable`
 * and phase 4D read it to refuse enabling the weekly rule on a stack that has not been proven.
 * Kept in a file under the project's state folder (.pipeline/), one entry per target+account+phase.
 */
export type VerifyPhase = "phase-4a" | "phase-4b" | "phase-4c" | "phase-4d";
export const PREREQUISITE_PHASES: readonly VerifyPhase[] = ["phase-4a", "phase-4b", "phase-4c"];

export interface PhasePass {
  phase: VerifyPhase;
  target: string;
  account: string;
  region: string;
  /** Stack suffix the phase ran against ("" for the real stack). */
  suffix: string;
  passedAt: string;
}

interface RecordFile {
  version: 1;
  passes: PhasePass[];
}

export const VERIFICATION_RECORD_FILE = "verifications.json";
/** How long a pass counts as "recent" for the enablement gate. */
export const DEFAULT_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

export function verificationRecordPath(stateDir: string): string {
  return join(stateDir, VERIFICATION_RECORD_FILE);
}

export function readPasses(stateDir: string): PhasePass[] {
  const path = verificationRecordPath(stateDir);
  if (!existsSync(path)) return [];
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as RecordFile;
    return Array.isArray(parsed.passes) ? parsed.passes : [];
  } catch {
    // A damaged record proves nothing: treat it as no passes (the gate then refuses).
    return [];
  }
}

/** Records a pass, replacing an older pass of the same phase for the same target/account/region/suffix. */
export function recordPass(stateDir: string, pass: PhasePass): void {
  const passes = readPasses(stateDir).filter(
    (p) =>
      !(
        p.phase === pass.phase &&
        p.target === pass.target &&
        p.account === pass.account &&
        p.region === pass.region &&
        p.suffix === pass.suffix
      ),
  );
  passes.push(pass);
  const path = verificationRecordPath(stateDir);
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.tmp`;
  writeFileSync(temp, JSON.stringify({ version: 1, passes } satisfies RecordFile, null, 2));
  renameSync(temp, path);
}

export interface GateResult {
  ok: boolean;
  /** Prerequisite phases with no recent pass. */
  missing: VerifyPhase[];
  passes: PhasePass[];
}

/**
 * The enablement gate: phases 4A–4C must have passed for this target and account within maxAgeMs.
 * 4A/4B count for the real stack (suffix ""); 4C runs on the `-test` copy by design, so any suffix counts.
 */
export function enablementGate(
  stateDir: string,
  at: { target: string; account: string; region: string },
  now: Date,
  maxAgeMs = DEFAULT_MAX_AGE_MS,
): GateResult {
  const recent = readPasses(stateDir).filter(
    (p) =>
      p.target === at.target &&
      p.account === at.account &&
      p.region === at.region &&
      now.getTime() - Date.parse(p.passedAt) <= maxAgeMs,
  );
  const missing = PREREQUISITE_PHASES.filter(
    (phase) => !recent.some((p) => p.phase === phase && (phase === "phase-4c" || p.suffix === "")),
  );
  return { ok: missing.length === 0, missing, passes: recent };
}
