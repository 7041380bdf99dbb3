import type { StackParams } from "../../pipeline/stack/types.js";
import { OperatorError } from "./errors.js";
import type { ResolvedConfig } from "./resolve.js";

/**
 * The stack's parameters from the resolved configuration: the one bridge between config and
 * pipeline/stack, so deploy, verify and run build the same stack. `account` comes from
 * AwsClients.accountId() (STS on aws).
 */
export function toStackParams(
  resolved: ResolvedConfig,
  account: string,
  overrides: { suffix?: string } = {},
): StackParams {
  const { config } = resolved;
  if (!config.opensearch.endpoint) {
    throw new OperatorError(
      `opensearch.endpoint is not set for target ${config.target}; set PIPELINE_OPENSEARCH_ENDPOINT or ` +
        "opensearch.endpoint in the config file (the OpenSearch domain index-sync writes to)",
    );
  }
  // An explicit domain name wins; otherwise the stack reads it from the endpoint.
  const domainSet = resolved.sources.get("opensearch.domainName")?.kind !== "default";
  return {
    suffix: overrides.suffix ?? config.suffix,
    account,
    region: config.region,
    sources: config.sources,
    opensearch: {
      endpoint: config.opensearch.endpoint,
      index: config.opensearch.index,
      ...(domainSet ? { domainName: config.opensearch.domainName } : {}),
    },
    logRetentionDays: config.logRetentionDays,
    logLevel: config.logLevel,
  };
}
