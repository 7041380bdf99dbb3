/** The sources' API keys kept out of function configuration: SSM parameters, and key-like values found where they should not be. */
export { keyLikeVariables } from "./key-like.js";
export type { KeyLikeVariable } from "./key-like.js";
export { MAX_KEY_LENGTH, listSourceKeys, normaliseKey, setSourceKey } from "./parameters.js";
export type { SourceKeyStatus, StoredKey } from "./parameters.js";
export { configuredKeys, keysInConfigError } from "./configured.js";
