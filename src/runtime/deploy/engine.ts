import type { ResourceRef, Stack } from "../../pipeline/stack/index.js";
import { networkCode } from "../aws/errors.js";
import type { AwsClients } from "../aws/index.js";
import { OperatorError } from "../config/errors.js";
import { configuredKeys, keyLikeVariables, keysInConfigError } from "../secrets/index.js";
import { describeAwsError } from "./aws-errors.js";
import { bundleHandlers, bundleKey, type LambdaBundle } from "./bundle.js";
import type { Assessment, DriverContext } from "./driver.js";
import { DRIVERS } from "./resources/index.js";
import { openSearchAccess } from "./resources/opensearch-index.js";
import type {
  AppliedResource,
  DeployAction,
  DeployEvent,
  DeployPlan,
  DeployResult,
  DestroyedResource,
  DestroyResult,
  PlannedResource,
  ResourceLabel,
} from "./types.js";

/**
 * What every engine call works on: the target's clients, the stack declaration, the project folder
 * (handler modules are relative to it) and the search endpoint for the index.
 */
export interface DeployContext {
  clients: AwsClients;
  stack: Stack;
  /** Folder the handler modules (stack functions' entry.module) are relative to. */
  projectRoot: string;
  /**
   * OpenSearch endpoint for the index; default the stack's (from config). `null` skips the index
   * with a plan note (no search domain configured or reachable from here).
   */
  opensearchEndpoint?: string | null;
  /**
   * Bundles kept between plans made with this context (and its copies), by handler entry. For
   * processes that plan several times while the sources do not change (tests); without it every
   * plan bundles afresh.
   */
  bundleCache?: Map<string, LambdaBundle>;
}

export interface PlanOptions {
  /** Assessments run in parallel, this many at a time (read-only calls). Default 6. */
  concurrency?: number;
}

export interface ApplyOptions {
  /** One event per resource step, for a progress display. */
  onProgress?: (event: DeployEvent) => void;
  /** Resources applied at once, dependencies permitting. Default 4. */
  concurrency?: number;
  /**
   * Ctrl-C: no resource is started after it aborts, those in flight finish their current call (a
   * wait ends at once), then DeployInterruptedError says what was done.
   */
  signal?: AbortSignal;
}

export interface DestroyOptions {
  /** Also delete the data: the table and its search index. */
  includeTable: boolean;
  onProgress?: (event: DeployEvent) => void;
}

/** Thrown by applyPlan when a resource failed; the message names it and the AWS error. */
export class DeployFailedError extends OperatorError {
  override name = "DeployFailedError";
  override readonly exitCode = 1;
  constructor(
    message: string,
    readonly result: DeployResult,
  ) {
    super(message);
  }
}

/**
 * Thrown by applyPlan when its signal aborted (Ctrl-C): resources in flight finished, later ones
 * were not attempted. The result says which were created or changed (they are kept).
 */
export class DeployInterruptedError extends OperatorError {
  override name = "DeployInterruptedError";
  override readonly exitCode = 130;
  constructor(
    message: string,
    readonly result: DeployResult,
  ) {
    super(message);
  }
}

export class DestroyFailedError extends OperatorError {
  override name = "DestroyFailedError";
  override readonly exitCode = 1;
  constructor(
    message: string,
    readonly result: DestroyResult,
  ) {
    super(message);
  }
}

interface PlanInternals {
  stack: Stack;
  bundles: ReadonlyMap<string, LambdaBundle>;
  opensearchEndpoint: string | undefined;
}

/** What applyPlan needs besides the plan's data, kept off the (JSON-printable) plan object. */
const INTERNALS = new WeakMap<DeployPlan, PlanInternals>();

const ACTIONS: DeployAction[] = ["create", "update", "no-change", "replace-required", "skip"];

function label(ref: ResourceRef): ResourceLabel {
  return { kind: ref.kind, id: ref.id, name: ref.name };
}

async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

async function driverContext(
  clients: AwsClients,
  stack: Stack,
  bundles: ReadonlyMap<string, LambdaBundle>,
  opensearchEndpoint: string | undefined,
  signal?: AbortSignal,
): Promise<Omit<DriverContext, "step">> {
  return {
    clients,
    stack,
    bundles,
    ...(signal ? { signal } : {}),
    opensearch:
      opensearchEndpoint === undefined ? undefined : await openSearchAccess(clients, opensearchEndpoint),
  };
}

async function bundlesOf(ctx: DeployContext): Promise<Map<string, LambdaBundle>> {
  const entries = Object.values(ctx.stack.functions).map((fn) => ({
    module: fn.entry.module,
    exportName: fn.entry.exportName,
  }));
  const cache = ctx.bundleCache;
  if (cache === undefined) return bundleHandlers(entries, ctx.projectRoot);
  const missing = entries.filter((entry) => !cache.has(bundleKey(entry)));
  for (const [key, bundle] of await bundleHandlers(missing, ctx.projectRoot)) cache.set(key, bundle);
  return new Map(entries.map((entry) => [bundleKey(entry), cache.get(bundleKey(entry))!]));
}

function resolveOpenSearchEndpoint(stack: Stack, given: string | null | undefined): string | undefined {
  if (given === null) return undefined;
  return given ?? (stack.index.endpoint || undefined);
}

/**
 * A function's environment is readable by anyone allowed lambda:GetFunctionConfiguration: deploy
 * refuses a configuration that holds a source's key, and a declaration whose environment holds
 * something key-like, before it reads or changes anything. Keys live in SSM Parameter Store.
 */
function refuseKeysInEnvironments(stack: Stack): void {
  const configured = configuredKeys(stack);
  if (configured.length > 0) throw keysInConfigError(configured);
  for (const fn of Object.values(stack.functions)) {
    const [found] = keyLikeVariables(fn.definition.Environment?.Variables ?? {});
    if (found !== undefined) {
      throw new OperatorError(
        `function ${fn.name}: environment variable ${found.name} looks like a key (${found.reason}); ` +
          "deploy does not put keys into function environments: keep the key in SSM Parameter Store " +
          "(pipeline secrets set <source>) and give the function the parameter's name; nothing was deployed",
      );
    }
  }
}

/**
 * Compares every resource of the stack with what exists, in resourceOrder, using read-only calls.
 * Bundles each distinct handler module once (esbuild) to compare code by CodeSha256.
 */
export async function planDeployment(ctx: DeployContext, options: PlanOptions = {}): Promise<DeployPlan> {
  const { clients, stack } = ctx;
  refuseKeysInEnvironments(stack);
  const bundles = await bundlesOf(ctx);
  const opensearchEndpoint = resolveOpenSearchEndpoint(stack, ctx.opensearchEndpoint);
  const base = await driverContext(clients, stack, bundles, opensearchEndpoint);
  const assessments = await mapLimited(stack.resourceOrder, options.concurrency ?? 6, async (ref) => {
    try {
      return await DRIVERS[ref.kind].assess({ ...base, step: () => {} }, ref);
    } catch (error) {
      if (networkCode(error) !== undefined) {
        // The index is read at its own endpoint (opensearch.endpoint), which the command's line
        // for an unreachable AWS endpoint would not name: say which one did not answer.
        if (ref.kind === "opensearch-index") {
          throw new OperatorError(
            `cannot read opensearch-index ${ref.name}: nothing answers at the OpenSearch endpoint ${opensearchEndpoint ?? "(none)"} (${describeAwsError(error)}); start it or set opensearch.endpoint`,
          );
        }
        // Nothing answering is about the endpoint, not this resource: left as it is, the command's
        // error handler names the endpoint and the fix for the target in one line.
        throw error;
      }
      throw new OperatorError(`cannot read ${ref.kind} ${ref.name}: ${describeAwsError(error)}`);
    }
  });
  const resources: PlannedResource[] = stack.resourceOrder.map((ref, i) => {
    const assessment = assessments[i]!;
    return {
      ...label(ref),
      action: assessment.action,
      changes: assessment.changes,
      notes: assessment.notes,
      dependsOn: ref.dependsOn,
    };
  });
  const summary = Object.fromEntries(ACTIONS.map((action) => [action, 0])) as Record<DeployAction, number>;
  for (const resource of resources) summary[resource.action] += 1;
  const plan: DeployPlan = {
    target: clients.target,
    account: stack.params.account,
    region: stack.params.region,
    suffix: stack.params.suffix,
    resources,
    summary,
    empty: assessments.every((assessment) => assessment.ops.length === 0),
  };
  INTERNALS.set(plan, { stack, bundles, opensearchEndpoint });
  return plan;
}

/**
 * Applies a plan in dependency order, independent resources in parallel. Each resource to change
 * is read again and brought to its declaration (so a plan that went stale by a step still converges);
 * functions are waited for (Active / update Successful), mappings until Enabled. Resources planned
 * no-change or skip are not touched. When a resource fails, what depends on it is not attempted,
 * the rest is, and DeployFailedError names the resource and the AWS error; everything done so far
 * is kept, so the next deploy completes the stack.
 */
export async function applyPlan(
  ctx: DeployContext,
  plan: DeployPlan,
  options: ApplyOptions = {},
): Promise<DeployResult> {
  const started = Date.now();
  refuseKeysInEnvironments(ctx.stack);
  // A plan read back from JSON has no bundles attached: build them again (same code, same zip).
  const internals = INTERNALS.get(plan) ?? {
    stack: ctx.stack,
    bundles: await bundlesOf(ctx),
    opensearchEndpoint: resolveOpenSearchEndpoint(ctx.stack, ctx.opensearchEndpoint),
  };
  const emit = options.onProgress ?? (() => {});
  const base = await driverContext(
    ctx.clients,
    internals.stack,
    internals.bundles,
    internals.opensearchEndpoint,
    options.signal,
  );
  const outcomes = new Map<string, AppliedResource>();
  const pending = new Map(plan.resources.map((resource) => [resource.id, resource]));
  const running = new Map<string, Promise<void>>();
  const limit = options.concurrency ?? 4;

  const applyOne = async (resource: PlannedResource): Promise<AppliedResource> => {
    const begin = Date.now();
    const ref = internals.stack.resourceOrder.find((candidate) => candidate.id === resource.id);
    if (ref === undefined) throw new Error(`resource ${resource.id} is not in the stack`);
    const applied: AppliedResource = {
      ...label(ref),
      action: resource.action,
      outcome: "done",
      steps: [],
      ms: 0,
    };
    if (resource.action === "no-change" || resource.action === "skip") {
      return { ...applied, outcome: "unchanged" };
    }
    emit({ type: "start", resource: label(ref), action: resource.action });
    const step = (message: string) => emit({ type: "step", resource: label(ref), message });
    try {
      const assessment: Assessment = await DRIVERS[ref.kind].assess({ ...base, step }, ref);
      for (const operation of assessment.ops) {
        step(operation.name);
        await operation.run();
        applied.steps.push(operation.name);
      }
      if (resource.action === "replace-required") applied.outcome = "not-done";
      applied.ms = Date.now() - begin;
      emit({ type: "done", resource: label(ref), action: resource.action, ms: applied.ms });
      return applied;
    } catch (error) {
      const message = describeAwsError(error);
      emit({ type: "failed", resource: label(ref), error: message });
      return { ...applied, outcome: "failed", error: message, ms: Date.now() - begin };
    }
  };

  while (pending.size > 0 || running.size > 0) {
    let progressed = false;
    for (const resource of options.signal?.aborted ? [] : [...pending.values()]) {
      if (running.size >= limit) break;
      const deps = resource.dependsOn.map((id) => outcomes.get(id));
      const broken = deps.find(
        (dep) => dep !== undefined && (dep.outcome === "failed" || dep.outcome === "blocked"),
      );
      if (broken !== undefined) {
        pending.delete(resource.id);
        const blocked: AppliedResource = {
          ...label(resource),
          action: resource.action,
          outcome: "blocked",
          steps: [],
          error: `not attempted: ${broken.id} failed`,
          ms: 0,
        };
        outcomes.set(resource.id, blocked);
        emit({ type: "blocked", resource: label(resource), by: broken.id });
        progressed = true;
        continue;
      }
      if (deps.some((dep) => dep === undefined)) continue;
      pending.delete(resource.id);
      progressed = true;
      running.set(
        resource.id,
        applyOne(resource).then((applied) => {
          outcomes.set(resource.id, applied);
          running.delete(resource.id);
        }),
      );
    }
    if (running.size > 0) await Promise.race(running.values());
    else if (options.signal?.aborted) break;
    else if (!progressed && pending.size > 0) {
      throw new Error(`unresolvable dependencies: ${[...pending.keys()].join(", ")}`);
    }
  }

  // Not attempted because Ctrl-C came first.
  for (const resource of pending.values()) {
    outcomes.set(resource.id, {
      ...label(resource),
      action: resource.action,
      outcome: "blocked",
      steps: [],
      error: "not attempted: interrupted",
      ms: 0,
    });
  }
  const resources = plan.resources.map((resource) => outcomes.get(resource.id)!);
  const failed = resources.filter((resource) => resource.outcome === "failed");
  const result: DeployResult = { ok: failed.length === 0, resources, failed, ms: Date.now() - started };
  if (options.signal?.aborted && pending.size > 0) {
    const done = resources.filter((resource) => resource.outcome === "done").length;
    throw new DeployInterruptedError(
      `deploy interrupted: ${done} resource(s) created or updated, ${pending.size} not attempted; ` +
        "what was done is kept: run deploy again to complete the stack, or destroy to remove it",
      result,
    );
  }
  if (failed.length > 0) {
    const blocked = resources.filter((resource) => resource.outcome === "blocked").length;
    const first = failed.map(
      (resource) => `${resource.kind} ${resource.name}: ${resource.error ?? "failed"}`,
    );
    throw new DeployFailedError(
      `deploy failed at ${first.join("; ")}` +
        (blocked > 0 ? ` (${blocked} dependent resource(s) not attempted)` : "") +
        "; what succeeded is kept: fix the cause and run deploy again to complete the stack",
      result,
    );
  }
  return result;
}

/**
 * Deletes the stack's resources in reverse creation order. A resource that is already gone is
 * fine. The table and the search index (the data) are kept unless includeTable is set.
 */
export async function destroyStack(ctx: DeployContext, options: DestroyOptions): Promise<DestroyResult> {
  const started = Date.now();
  const { stack } = ctx;
  const emit = options.onProgress ?? (() => {});
  const base = await driverContext(
    ctx.clients,
    stack,
    new Map(),
    resolveOpenSearchEndpoint(stack, ctx.opensearchEndpoint),
  );
  const resources: DestroyedResource[] = [];
  const dataKinds = new Set(["table", "opensearch-index"]);
  for (const ref of [...stack.resourceOrder].reverse()) {
    if (!options.includeTable && dataKinds.has(ref.kind)) {
      resources.push({ ...label(ref), outcome: "kept" });
      emit({ type: "done", resource: label(ref), action: "kept", ms: 0 });
      continue;
    }
    const begin = Date.now();
    emit({ type: "start", resource: label(ref), action: "delete" });
    try {
      const outcome = await DRIVERS[ref.kind].destroy(
        { ...base, step: (message) => emit({ type: "step", resource: label(ref), message }) },
        ref,
      );
      resources.push({ ...label(ref), outcome });
      emit({
        type: "done",
        resource: label(ref),
        action: outcome === "deleted" ? "delete" : "absent",
        ms: Date.now() - begin,
      });
    } catch (error) {
      // Nothing answering before anything was deleted: every further call would fail the same way,
      // so the endpoint's one line (named by the command's error handler) says it all.
      if (networkCode(error) !== undefined && !resources.some((done) => done.outcome === "deleted")) {
        throw error;
      }
      const message = describeAwsError(error);
      resources.push({ ...label(ref), outcome: "failed", error: message });
      emit({ type: "failed", resource: label(ref), error: message });
    }
  }
  const failed = resources.filter((resource) => resource.outcome === "failed");
  const result: DestroyResult = { ok: failed.length === 0, resources, ms: Date.now() - started };
  if (failed.length > 0) {
    throw new DestroyFailedError(
      `destroy failed for ${failed.map((resource) => `${resource.kind} ${resource.name}: ${resource.error ?? ""}`).join("; ")}; ` +
        "run destroy again once the cause is fixed (deleted resources stay deleted)",
      result,
    );
  }
  return result;
}

/** Plans and applies in one call (helpers and scripts that need no confirmation step). */
export async function deployStack(
  ctx: DeployContext,
  options: ApplyOptions = {},
): Promise<{ plan: DeployPlan; result: DeployResult }> {
  const plan = await planDeployment(ctx);
  const result = await applyPlan(ctx, plan, options);
  return { plan, result };
}
