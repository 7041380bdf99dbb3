/**
 * Configuration: one validated, typed object per target, with the source of every value.
 * Precedence (lowest to highest) is documented on `resolveConfig` in ./resolve.ts.
 */
export { resolveConfig, maskSecret, CONFIG_FILE_NAME } from "./resolve.js";
export type { ConfigEntry, ConfigFlags, ResolveOptions, ResolvedConfig } from "./resolve.js";
export type { PipelineConfig } from "./schema.js";
export { configFileSchema, isSecretKey } from "./schema.js";
export { ENV_VARS, envFlag, listEnvVars, readEnv } from "./env.js";
export type { Env, EnvName, EnvVarSpec } from "./env.js";
export { ConfigError, OperatorError, describeSource, formatProblem } from "./errors.js";
export type { ConfigProblem, ValueSource } from "./errors.js";
export * from "./targets.js";
export { fixtureBaseUrl } from "./defaults.js";
export { configWarnings } from "./warnings.js";
export { toStackParams } from "./stack-params.js";
export type { ConfigWarning } from "./warnings.js";
