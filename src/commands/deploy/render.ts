import type {
  DeployEvent,
  DeployPlan,
  DeployResult,
  DestroyResult,
  FieldChange,
  PlannedResource,
} from "../../runtime/deploy/index.js";
import type { CommandContext, Output } from "../_kit/index.js";

const MAX_VALUE = 72;

function shortValue(value: unknown): string {
  if (value === undefined) return "(none)";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

export function describeChange(change: FieldChange): string {
  const replace = change.replaceRequired ? " (cannot change in place)" : "";
  return `${change.field}: ${shortValue(change.before)} → ${shortValue(change.after)}${replace}`;
}

function actionText(output: Output, action: PlannedResource["action"]): string {
  const { style } = output;
  switch (action) {
    case "create":
      return style.green("create");
    case "update":
      return style.yellow("update");
    case "replace-required":
      return style.red("replace-required");
    case "skip":
      return style.dim("skip");
    default:
      return style.dim("no change");
  }
}

/** The plan as a table (one row per resource), then the changed fields of each update, then totals. */
export function renderPlan(ctx: CommandContext, plan: DeployPlan): void {
  const { output } = ctx;
  output.line(
    `Plan for target ${plan.target}, account ${plan.account}, region ${plan.region}` +
      (plan.suffix ? `, suffix ${plan.suffix}` : ""),
  );
  output.line();
  output.table(
    ["ACTION", "KIND", "NAME", "CHANGES"],
    plan.resources.map((resource) => [
      actionText(output, resource.action),
      resource.kind,
      resource.name,
      resource.changes.length > 0 ? resource.changes.map((change) => change.field).join(", ") : "",
    ]),
  );
  const detailed = plan.resources.filter(
    (resource) => resource.changes.length > 0 || resource.notes.length > 0,
  );
  if (detailed.length > 0) output.line();
  for (const resource of detailed) {
    output.line(`${actionText(output, resource.action)} ${resource.kind} ${resource.name}`);
    for (const change of resource.changes) output.line(`    ${describeChange(change)}`);
    for (const note of resource.notes) output.line(output.style.dim(`    note: ${note}`));
  }
  output.line();
  output.line(planSummary(plan));
}

export function planSummary(plan: DeployPlan): string {
  const { summary } = plan;
  const parts = [
    `${summary.create} to create`,
    `${summary.update} to update`,
    `${summary["no-change"]} unchanged`,
  ];
  if (summary["replace-required"] > 0) parts.push(`${summary["replace-required"]} need replacing (not done)`);
  if (summary.skip > 0) parts.push(`${summary.skip} skipped`);
  return `Plan: ${parts.join(", ")}.`;
}

export interface ProgressItem {
  id: string;
  title: string;
}

/**
 * Runs an engine call with one progress line per resource: listr2 tasks on a terminal; otherwise
 * (pipe, NO_COLOR, --json) plain lines on stderr as each resource starts, finishes or fails.
 */
export async function withProgress<T>(
  ctx: CommandContext,
  items: readonly ProgressItem[],
  run: (onProgress: (event: DeployEvent) => void) => Promise<T>,
): Promise<T> {
  if (ctx.output.mode !== "pretty" || items.length === 0) {
    return run((event) => {
      const text = plainProgress(event);
      if (text !== undefined) ctx.output.note(text);
    });
  }
  const { Listr } = await import("listr2");
  interface Slot {
    settle: (error?: Error, skipped?: string) => void;
    onEvent?: (event: DeployEvent) => void;
    settled: Promise<{ error?: Error; skipped?: string }>;
  }
  const slots = new Map<string, Slot>();
  for (const item of items) {
    let settle!: Slot["settle"];
    const settled = new Promise<{ error?: Error; skipped?: string }>((resolve) => {
      settle = (error, skipped) => resolve({ ...(error ? { error } : {}), ...(skipped ? { skipped } : {}) });
    });
    slots.set(item.id, { settle, settled });
  }
  const list = new Listr(
    items.map((item) => ({
      title: item.title,
      task: async (_context: unknown, task: { output: string; skip(message: string): void }) => {
        const slot = slots.get(item.id)!;
        slot.onEvent = (event) => {
          if (event.type === "step") task.output = event.message;
          if (event.type === "start") task.output = "working";
        };
        const outcome = await slot.settled;
        if (outcome.skipped) task.skip(outcome.skipped);
        if (outcome.error) throw outcome.error;
      },
    })),
    {
      concurrent: true,
      exitOnError: false,
      registerSignalListeners: false,
      rendererOptions: { collapseErrors: false },
    },
  );
  const rendering = list.run().catch(() => {});
  const settleAll = () => {
    for (const slot of slots.values()) slot.settle();
  };
  try {
    return await run((event) => {
      const slot = slots.get(event.resource.id);
      if (slot === undefined) return;
      slot.onEvent?.(event);
      if (event.type === "done") slot.settle(undefined, event.action === "kept" ? "kept" : undefined);
      if (event.type === "failed") slot.settle(new Error(event.error));
      if (event.type === "blocked") slot.settle(undefined, `not attempted: ${event.by} failed`);
    });
  } finally {
    settleAll();
    await rendering;
  }
}

function plainProgress(event: DeployEvent): string | undefined {
  const what = `${event.resource.kind} ${event.resource.name}`;
  switch (event.type) {
    case "start":
      return `${event.action} ${what} ...`;
    case "step":
      return `  ${what}: ${event.message}`;
    case "done":
      return `${event.action === "kept" ? "kept" : "done"} ${what}${event.ms ? ` (${event.ms} ms)` : ""}`;
    case "failed":
      return `FAILED ${what}: ${event.error}`;
    case "blocked":
      return `not attempted ${what}: ${event.by} failed`;
  }
}

/** What apply did, resource by resource (only those it touched), and the totals. */
export function renderApplied(ctx: CommandContext, result: DeployResult, interrupted = false): void {
  const { output } = ctx;
  const touched = result.resources.filter((resource) => resource.outcome !== "unchanged");
  if (touched.length > 0) {
    output.line();
    output.table(
      ["OUTCOME", "KIND", "NAME", "CALLS"],
      touched.map((resource) => [
        resource.outcome === "failed" || resource.outcome === "blocked"
          ? output.style.red(resource.outcome)
          : resource.outcome,
        resource.kind,
        resource.name,
        resource.error ?? resource.steps.join(", "),
      ]),
    );
  }
  const count = (outcome: string) =>
    result.resources.filter((resource) => resource.outcome === outcome).length;
  output.line();
  output.line(
    `${interrupted ? "Deploy interrupted (Ctrl-C)" : result.ok ? "Deployed" : "Deploy failed"} in ${(result.ms / 1000).toFixed(1)} s: ` +
      `${count("done")} changed, ${count("unchanged")} unchanged` +
      (count("failed") ? `, ${count("failed")} failed` : "") +
      (count("blocked") ? `, ${count("blocked")} not attempted` : "") +
      (count("not-done") ? `, ${count("not-done")} need replacing (not done)` : "") +
      ".",
  );
}

export function renderDestroyed(ctx: CommandContext, result: DestroyResult): void {
  const { output } = ctx;
  output.line();
  output.table(
    ["OUTCOME", "KIND", "NAME"],
    result.resources.map((resource) => [
      resource.outcome === "failed" ? output.style.red(`failed: ${resource.error ?? ""}`) : resource.outcome,
      resource.kind,
      resource.name,
    ]),
  );
  const count = (outcome: string) =>
    result.resources.filter((resource) => resource.outcome === outcome).length;
  output.line();
  output.line(
    `${result.ok ? "Destroyed" : "Destroy incomplete"} in ${(result.ms / 1000).toFixed(1)} s: ` +
      `${count("deleted")} deleted, ${count("absent")} already absent, ${count("kept")} kept` +
      (count("failed") ? `, ${count("failed")} failed` : "") +
      ".",
  );
}
