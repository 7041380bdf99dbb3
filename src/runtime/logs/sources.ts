import { FUNCTION_KEYS, type FunctionKey, type Stack } from "../../pipeline/stack/index.js";
import { OperatorError } from "../config/errors.js";

/** One function whose log group a tail reads. */
export interface LogSource {
  /** The stack's logical key: scraper-tmdb, post-processor, ... */
  function: FunctionKey;
  /** The deployed function's name (with the stack's suffix). */
  functionName: string;
  logGroupName: string;
}

/**
 * The log groups for the functions an operator named, by logical key (`scraper-tmdb`) or by the
 * deployed name (`scraper-tmdb-test`); no names (or `all`) means every function of the stack.
 */
export function resolveLogSources(stack: Stack, requested: readonly string[], all = false): LogSource[] {
  if (all && requested.length > 0) {
    throw new OperatorError(`give function names or --all, not both (got ${requested.join(", ")} and --all)`);
  }
  const keys: FunctionKey[] = [];
  const unknown: string[] = [];
  for (const name of requested) {
    const key = FUNCTION_KEYS.find((k) => k === name || stack.functions[k].name === name);
    if (key === undefined) unknown.push(name);
    else if (!keys.includes(key)) keys.push(key);
  }
  if (unknown.length > 0) {
    throw new OperatorError(
      `unknown function${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}; ` +
        `valid names: ${FUNCTION_KEYS.join(", ")} (or --all)`,
    );
  }
  return (keys.length > 0 ? keys : [...FUNCTION_KEYS]).map((key) => ({
    function: key,
    functionName: stack.functions[key].name,
    logGroupName: stack.logGroups[key].name,
  }));
}
