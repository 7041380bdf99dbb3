import type { ResourceKind } from "../../pipeline/stack/index.js";

/** What a deploy does to one resource. */
export type DeployAction =
  /** The resource does not exist: it is created. */
  | "create"
  /** It exists and differs in fields AWS can change in place. */
  | "update"
  /** It exists as declared: no call is made. */
  | "no-change"
  /**
   * It differs in a field AWS cannot change in place (table key schema, GSIs, stream view type):
   * reported, never done; the operator decides (destroy --include-table, then deploy).
   */
  | "replace-required"
  /** Not deployed by this run (for example no OpenSearch endpoint configured); see `notes`. */
  | "skip";

/** One field that differs between the live resource and the declaration. */
export interface FieldChange {
  field: string;
  /** The live value (undefined when absent). Secrets are masked. */
  before: unknown;
  /** The declared value. Secrets are masked. */
  after: unknown;
  /** True when AWS cannot change this field in place. */
  replaceRequired?: boolean;
}

export interface PlannedResource {
  kind: ResourceKind;
  /** `<kind>:<name>`, as in the stack's resourceOrder. */
  id: string;
  name: string;
  action: DeployAction;
  changes: FieldChange[];
  /** Remarks for the operator (kept rule state, extras removed, skipped parts). */
  notes: string[];
  dependsOn: string[];
}

export interface DeployPlan {
  /** Where the plan was made: target, account, region. */
  target: string;
  account: string;
  region: string;
  suffix: string;
  resources: PlannedResource[];
  /** Counts per action. */
  summary: Record<DeployAction, number>;
  /** True when applying would make no call that changes anything. */
  empty: boolean;
}

/** Progress of applyPlan / destroyStack, one event per resource step. */
export type DeployEvent =
  | { type: "start"; resource: ResourceLabel; action: DeployAction | "delete" }
  | { type: "step"; resource: ResourceLabel; message: string }
  | { type: "done"; resource: ResourceLabel; action: DeployAction | "delete" | "absent" | "kept"; ms: number }
  | { type: "failed"; resource: ResourceLabel; error: string }
  | { type: "blocked"; resource: ResourceLabel; by: string };

export interface ResourceLabel {
  kind: ResourceKind;
  id: string;
  name: string;
}

export interface AppliedResource extends ResourceLabel {
  action: DeployAction;
  outcome: "done" | "unchanged" | "not-done" | "failed" | "blocked";
  /** What was called, in order (e.g. "UpdateFunctionCode"). */
  steps: string[];
  error?: string;
  ms: number;
}

export interface DeployResult {
  ok: boolean;
  resources: AppliedResource[];
  /** Resources whose step failed, with the AWS error. */
  failed: AppliedResource[];
  ms: number;
}

export interface DestroyedResource extends ResourceLabel {
  outcome: "deleted" | "absent" | "kept" | "failed";
  error?: string;
}

export interface DestroyResult {
  ok: boolean;
  resources: DestroyedResource[];
  ms: number;
}
