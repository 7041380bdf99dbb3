import { runtimeProblem } from "./configuration.js";
import { STATE_TRANSITION_MS } from "./limits.js";
import type { AliasRecord, FunctionRecord, VersionConfig, VersionRecord } from "./models.js";
import { LATEST } from "./names.js";

/**
 * Versions and aliases. A published version freezes $LATEST's code and configuration; an alias
 * names a version (and may route a share of invocations to a second one). An invocation of a
 * version or alias runs that version's code and configuration, in environments of its own.
 */

/** Version names are the published numbers; alias names may not be all digits. */
export const VERSION_PATTERN = /^[0-9]+$/;
export const ALIAS_PATTERN = /^(?!^[0-9]+$)([a-zA-Z0-9-_]+)$/;

export function versionConfigOf(fn: FunctionRecord): VersionConfig {
  return {
    runtime: fn.runtime,
    role: fn.role,
    handler: fn.handler,
    timeout: fn.timeout,
    memorySize: fn.memorySize,
    environment: { ...fn.environment },
    ...(fn.deadLetterTargetArn ? { deadLetterTargetArn: fn.deadLetterTargetArn } : {}),
    codeSha256: fn.codeSha256,
    codeSize: fn.codeSize,
    logGroup: fn.logGroup,
    architectures: [...fn.architectures],
    ...(fn.tracingMode ? { tracingMode: fn.tracingMode } : {}),
  };
}

/** Same code and configuration (what PublishVersion compares before publishing a new version). */
export function sameConfig(a: VersionConfig, b: VersionConfig): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

/**
 * The function as a published version runs: the version's frozen fields over the function's. A new
 * version is Pending (StateReasonCode Creating) for as long as a new function is, then Active;
 * `now` is the emulator clock.
 */
export function versionView(fn: FunctionRecord, version: VersionRecord, now: number): FunctionRecord {
  const pending = now < version.lastModified + STATE_TRANSITION_MS;
  const view: FunctionRecord = {
    ...fn,
    ...version.config,
    description: version.description,
    lastModified: version.lastModified,
    revisionId: version.revisionId,
    generation: version.generation,
    state: pending ? "Pending" : "Active",
    lastUpdateStatus: "Successful",
  };
  if (!version.config.deadLetterTargetArn) delete view.deadLetterTargetArn;
  if (!version.config.tracingMode) delete view.tracingMode;
  // A version of a runtime the emulator cannot run settles Failed, as $LATEST does.
  const problem = pending ? undefined : runtimeProblem(version.config.runtime);
  if (pending) {
    view.stateReason = "The function is being created.";
    view.stateReasonCode = "Creating";
  } else if (problem) {
    Object.assign(view, { state: "Failed", stateReason: problem, stateReasonCode: "InvalidRuntime" });
  } else {
    delete view.stateReason;
    delete view.stateReasonCode;
  }
  delete view.lastUpdateStatusReason;
  delete view.lastUpdateStatusReasonCode;
  return view;
}

export function findVersion(fn: FunctionRecord, version: string): VersionRecord | undefined {
  return (fn.versions ?? []).find((v) => v.version === version);
}

export function findAlias(fn: FunctionRecord, name: string): AliasRecord | undefined {
  return (fn.aliases ?? []).find((a) => a.name === name);
}

/**
 * The version an alias invocation runs: the additional version with its weight's probability,
 * else the alias's primary version. `random` is in [0, 1).
 */
export function routedVersion(alias: AliasRecord, random: number): string {
  let threshold = 0;
  for (const [version, weight] of Object.entries(alias.weights ?? {})) {
    threshold += weight;
    if (random < threshold) return version;
  }
  return alias.functionVersion;
}

/** What an invocation of `qualifier` runs: $LATEST, a version, or an alias's routed version. */
export interface ResolvedTarget {
  /** The record the executor runs (a version view for published versions). */
  fn: FunctionRecord;
  /** The version executed ($LATEST or a number): X-Amz-Executed-Version. */
  version: string;
}

export function resolveTarget(
  fn: FunctionRecord,
  qualifier: string | undefined,
  now: number,
  random: () => number,
): ResolvedTarget | undefined {
  if (qualifier === undefined || qualifier === LATEST) return { fn, version: LATEST };
  if (VERSION_PATTERN.test(qualifier)) {
    const version = findVersion(fn, qualifier);
    return version ? { fn: versionView(fn, version, now), version: version.version } : undefined;
  }
  const alias = findAlias(fn, qualifier);
  if (!alias) return undefined;
  return resolveTarget(fn, routedVersion(alias, random()), now, random);
}
