import type { Stack } from "../../pipeline/stack/index.js";
import type { AwsClients } from "../aws/index.js";
import { planDeployment, type DeployPlan, type PlannedResource } from "../deploy/index.js";
import { declaredTopology } from "./declared.js";
import { DECLARATION_FIX, DEPLOY_FIX, SEVERITY_ORDER, type Finding, type Severity } from "./findings.js";
import { lintTopology, type Problem } from "./lint.js";
import { liveTopology } from "./live.js";
import { rosterFindings } from "./roster.js";
import { runtimeSignals, type SourceProbe } from "./signals.js";

export interface DoctorOptions {
  clients: AwsClients;
  stack: Stack;
  /**
   * Folder the handler sources are in: drift compares function code by bundling them. null when
   * they are not at hand (an installed CLI without sources): drift is then not computed, and said so.
   */
  projectRoot: string | null;
  /** OpenSearch endpoint for the index; default the stack's; null leaves the index out. */
  opensearchEndpoint?: string | null;
  /** The fixture source server's origin (config fixtures), named in the fix for a source there. */
  fixtureOrigin?: string;
  /** How source URLs are probed (default: one GET with a 3 s deadline). */
  probeSource?: SourceProbe;
}

export interface DoctorReport {
  target: string;
  account: string;
  region: string;
  /** Errors first, then warnings, then remarks. */
  findings: Finding[];
  summary: Record<Severity, number>;
  /** False when the topology has an error: the command exits non-zero. */
  ok: boolean;
  /** Resources compared with the declaration, and how many of them differ or are absent. */
  drift: { compared: number; differing: number };
  /**
   * True when nothing of the stack but its data (table, index) and its IAM roles (IAM is global,
   * not regional) exists in this account and region: the wrong --region or account, or a stack
   * never deployed, rather than a broken one.
   */
  absent: boolean;
}

/**
 * Lints the deployed topology: good practice on every asynchronous edge (./lint.ts) read from the
 * live resources, and drift per field between the declaration and what is deployed, which is the
 * deploy engine's own plan (one differ for deploy and doctor). A practice problem the declaration
 * also has is fixed by changing the declaration; anything else by `pipeline deploy`.
 */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const { clients, stack } = options;
  const [live, drift, roster, signals] = await Promise.all([
    liveTopology(clients, stack),
    computeDrift(options),
    rosterFindings(clients, stack),
    runtimeSignals({
      clients,
      stack,
      fixtureOrigin: options.fixtureOrigin,
      ...(options.probeSource ? { probe: options.probeSource } : {}),
    }),
  ]);
  const plan = "plan" in drift ? drift.plan : undefined;
  const declaredProblems = new Set(lintTopology(declaredTopology(stack)).map(problemKey));
  const findings: Finding[] = [
    ...("plan" in drift
      ? driftFindings(drift.plan)
      : [
          {
            severity: drift.severity,
            code: "drift-not-computed",
            resource: { kind: "stack" as const, name: stack.names.table },
            message: `drift not computed: ${drift.reason}`,
            fix: drift.fix,
          },
        ]),
    ...lintTopology(live).map((problem): Finding => ({
      ...problem,
      fix: problem.fix ?? (declaredProblems.has(problemKey(problem)) ? DECLARATION_FIX : DEPLOY_FIX),
    })),
    ...roster,
    ...signals,
  ].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  const summary: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const finding of findings) summary[finding.severity] += 1;
  return {
    target: clients.target,
    account: stack.params.account,
    region: stack.params.region,
    findings,
    summary,
    ok: summary.error === 0,
    absent:
      plan !== undefined &&
      plan.resources.every(
        (resource) =>
          resource.action === "create" || ["table", "opensearch-index", "role"].includes(resource.kind),
      ),
    drift: {
      compared: plan?.resources.filter((resource) => resource.action !== "skip").length ?? 0,
      differing:
        plan?.resources.filter((resource) => resource.action !== "no-change" && resource.action !== "skip")
          .length ?? 0,
    },
  };
}

type DriftOutcome = { plan: DeployPlan } | { severity: Severity; reason: string; fix: string };

/** The deploy plan as the drift report; the lint still runs when the plan cannot be made. */
async function computeDrift(options: DoctorOptions): Promise<DriftOutcome> {
  if (options.projectRoot === null) {
    return {
      severity: "info",
      reason: "the handler sources are not here to compare function code with",
      fix: "run pipeline doctor from the pipeline project folder",
    };
  }
  try {
    const plan = await planDeployment({
      clients: options.clients,
      // A key in the configuration never enters the declaration (deploy refuses it); the drift
      // is the same without it.
      stack: withoutConfiguredKeys(options.stack),
      projectRoot: options.projectRoot,
      ...(options.opensearchEndpoint !== undefined ? { opensearchEndpoint: options.opensearchEndpoint } : {}),
    });
    return { plan };
  } catch (error) {
    return {
      severity: "warning",
      reason: error instanceof Error ? error.message : String(error),
      fix: "pipeline deploy --dry-run shows the same comparison with its error",
    };
  }
}

function problemKey(problem: Problem): string {
  return `${problem.code} ${problem.resource.kind} ${problem.resource.name}`;
}

function driftFindings(plan: DeployPlan): Finding[] {
  return plan.resources.flatMap((resource): Finding[] => {
    const target = { kind: resource.kind, name: resource.name };
    switch (resource.action) {
      case "create":
        return [
          {
            severity: "error",
            code: "not-deployed",
            resource: target,
            message: `${resource.kind} ${resource.name} is declared but not deployed`,
            fix: DEPLOY_FIX,
          },
        ];
      case "update":
        return resource.changes.map((change) => fieldDrift(resource, change, "warning", DEPLOY_FIX));
      case "replace-required":
        return resource.changes.map((change) =>
          fieldDrift(
            resource,
            change,
            "error",
            change.replaceRequired
              ? "pipeline destroy --include-table, then pipeline deploy (AWS cannot change this field in place; the data is deleted)"
              : DEPLOY_FIX,
          ),
        );
      case "skip":
        return resource.notes.map((note) => ({
          severity: "info" as const,
          code: "not-compared",
          resource: target,
          message: `${resource.kind} ${resource.name} not compared: ${note}`,
          fix: "none needed",
        }));
      case "no-change":
        return [];
    }
  });
}

function fieldDrift(
  resource: PlannedResource,
  change: PlannedResource["changes"][number],
  severity: Severity,
  fix: string,
): Finding {
  const narrowed = narrow(change.field, change.before, change.after);
  return {
    severity,
    code: "drift",
    resource: { kind: resource.kind, name: resource.name },
    message: `${resource.kind} ${resource.name}: ${narrowed.field} is ${show(narrowed.before)}, declared ${show(narrowed.after)}`,
    fix,
    field: narrowed.field,
    deployed: narrowed.before,
    declared: narrowed.after,
  };
}

type Plain = Record<string, unknown>;

function isPlain(value: unknown): value is Plain {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Stable text of a value (keys sorted), to tell which keys of two objects differ. */
function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(",")}]`;
  if (isPlain(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stable(value[key])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "undefined";
}

/**
 * Down to the part that differs: a rule target whose DeadLetterConfig went missing reads
 * `Targets.scraper-tmdb.DeadLetterConfig is absent`, not two screens of target JSON.
 */
function narrow(
  field: string,
  before: unknown,
  after: unknown,
): { field: string; before: unknown; after: unknown } {
  if (!isPlain(before) || !isPlain(after)) return { field, before, after };
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (key) => stable(before[key]) !== stable(after[key]),
  );
  if (keys.length === 1) return narrow(`${field}.${keys[0]!}`, before[keys[0]!], after[keys[0]!]);
  if (keys.length === 0) return { field, before, after };
  const pick = (value: Plain) =>
    Object.fromEntries(keys.filter((key) => key in value).map((key) => [key, value[key]]));
  return { field, before: pick(before), after: pick(after) };
}

function show(value: unknown): string {
  if (value === undefined) return "absent";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function withoutConfiguredKeys(stack: Stack): Stack {
  const sources = Object.fromEntries(
    Object.entries(stack.params.sources).map(([source, params]) => {
      const { apiKey: _key, ...rest } = params;
      return [source, rest];
    }),
  ) as Stack["params"]["sources"];
  return { ...stack, params: { ...stack.params, sources } };
}
