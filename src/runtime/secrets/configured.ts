import { SOURCES, type SourceName } from "../../pipeline/model/sources.js";
import type { Stack } from "../../pipeline/stack/index.js";
import { OperatorError } from "../config/errors.js";

/** Sources whose key the configuration holds (sources.<source>.apiKey, or PIPELINE_<SOURCE>_API_KEY). */
export function configuredKeys(stack: Pick<Stack, "params">): SourceName[] {
  return SOURCES.filter((source) => (stack.params.sources[source].apiKey ?? "").trim() !== "");
}

/**
 * Deploy's refusal when the configuration holds a key: it would land in a function environment,
 * which anyone allowed lambda:GetFunctionConfiguration reads. The key belongs in SSM.
 */
export function keysInConfigError(sources: readonly SourceName[]): OperatorError {
  const keys = sources.map((source) => `sources.${source}.apiKey`).join(", ");
  const commands = sources.map((source) => `pipeline secrets set ${source}`).join(", ");
  return new OperatorError(
    `${keys} is set in the configuration (config file or PIPELINE_${sources[0]!.toUpperCase()}_API_KEY): ` +
      "deploy does not put a key into a function's environment, where lambda:GetFunctionConfiguration shows it. " +
      `Store it in SSM Parameter Store with ${commands} and remove it from the configuration ` +
      "(it is only used by in-process runs, pipeline run --stage); nothing was deployed",
  );
}
