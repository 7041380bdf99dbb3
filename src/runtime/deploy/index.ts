/**
 * The deploy engine: plan (compare the stack declaration with what exists, read-only), apply
 * (create and update in dependency order, waiting for AWS to settle), destroy (reverse order).
 * It never prints; progress goes to an onProgress callback and results are returned as data.
 */
export {
  applyPlan,
  deployStack,
  destroyStack,
  planDeployment,
  DeployFailedError,
  DeployInterruptedError,
  DestroyFailedError,
} from "./engine.js";
export type { ApplyOptions, DeployContext, DestroyOptions, PlanOptions } from "./engine.js";
export { locateProjectRoot } from "./project-root.js";
export { bundleHandler, bundleHandlers, bundleKey } from "./bundle.js";
export type { HandlerEntry, LambdaBundle } from "./bundle.js";
export type {
  AppliedResource,
  DeployAction,
  DeployEvent,
  DeployPlan,
  DeployResult,
  DestroyedResource,
  DestroyResult,
  FieldChange,
  PlannedResource,
  ResourceLabel,
} from "./types.js";
