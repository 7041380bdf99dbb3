/**
 * The doctor engine: lints the deployed topology against the stack declaration and AWS good
 * practice for asynchronous edges, and reports drift per field. Returns findings; never prints.
 */
export { runDoctor } from "./doctor.js";
export type { DoctorOptions, DoctorReport } from "./doctor.js";
export { DECLARATION_FIX, DEPLOY_FIX } from "./findings.js";
export type { Finding, Severity } from "./findings.js";
export { lintTopology, MIN_DLQ_RETENTION_SECONDS } from "./lint.js";
export type { Problem } from "./lint.js";
export { declaredTopology, policyAllowsEventBridge } from "./declared.js";
export { liveTopology } from "./live.js";
export { probeUrl, runtimeSignals } from "./signals.js";
export type { ProbeOutcome, SourceProbe } from "./signals.js";
export type { Topology } from "./topology.js";
