import type { ResourceKind } from "../../pipeline/stack/index.js";

export type Severity = "error" | "warning" | "info";

/** One thing the doctor found: what, where, how bad, and the command or change that fixes it. */
export interface Finding {
  severity: Severity;
  /** Stable identifier of the rule that found it, e.g. "rule-target-dlq", "drift". */
  code: string;
  resource: { kind: ResourceKind | "stack"; name: string };
  message: string;
  /** The command that fixes it ("pipeline deploy"), or the change to make when a deploy cannot. */
  fix: string;
  /** For drift: the field, and the deployed and declared values. */
  field?: string;
  deployed?: unknown;
  declared?: unknown;
}

export const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export const DEPLOY_FIX = "pipeline deploy";
export const DECLARATION_FIX =
  "change the stack declaration (src/pipeline/stack/settings.ts, define-stack.ts), then pipeline deploy";
