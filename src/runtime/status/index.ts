/**
 * The status engine: rule state and next run, function states and recent errors, failure-queue
 * depths, table and index counts, mapping states, read through the SDK on any target. Never prints.
 */
export { ERROR_LOG_PATTERN, gatherStatus } from "./gather.js";
export type { GatherOptions } from "./gather.js";
export { deploymentOf } from "./deployment.js";
export type { Deployment } from "./deployment.js";
export type {
  FunctionRow,
  IndexRow,
  MappingRow,
  PipelineStatus,
  QueueRow,
  RuleRow,
  TableRow,
  Unreadable,
} from "./types.js";
