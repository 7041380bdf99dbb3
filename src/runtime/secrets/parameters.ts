import type { ParameterMetadata } from "@aws-sdk/client-ssm";
import { SOURCES, type SourceName } from "../../pipeline/model/sources.js";
import { BASE_NAMES, apiKeyParameterName } from "../../pipeline/stack/index.js";
import type { AwsClients } from "../aws/index.js";
import { OperatorError } from "../config/errors.js";

/**
 * The sources' API keys in SSM Parameter Store: one SecureString per source,
 * /celebrity-pipeline/<source>/api-key, which the deployed scrapers read at cold start. The engine
 * behind `pipeline secrets set|list`; it returns data, never a key's value, and never prints.
 */

/** SSM's Standard tier holds values up to 4 KB. */
export const MAX_KEY_LENGTH = 4096;

export interface StoredKey {
  source: SourceName;
  parameter: string;
  version: number;
  tier: string;
}

export interface SourceKeyStatus {
  source: SourceName;
  parameter: string;
  set: boolean;
  /** SecureString when set with `pipeline secrets set`; String means the key is stored in clear. */
  type?: string;
  /** When the value last changed (ISO-8601). */
  lastChanged?: string;
  /** Who changed it (an IAM ARN), as SSM records it. */
  lastChangedBy?: string;
  version?: number;
}

/**
 * The key as typed or piped: one line, not empty. A pipe's final newline (`echo KEY |`) is not
 * part of it; anything else is kept as given.
 */
export function normaliseKey(source: SourceName, raw: string): string {
  const value = raw.replace(/\r?\n$/, "");
  if (value.trim() === "") {
    throw new OperatorError(`the ${source} API key is empty: nothing was stored`);
  }
  if (/[\r\n]/.test(value)) {
    throw new OperatorError(
      `the ${source} API key spans several lines: give the key alone, on one line (nothing was stored)`,
    );
  }
  if (value !== value.trim()) {
    throw new OperatorError(
      `the ${source} API key starts or ends with spaces: give the key alone (nothing was stored)`,
    );
  }
  if (value.length > MAX_KEY_LENGTH) {
    throw new OperatorError(
      `the ${source} API key is ${value.length} characters; SSM Parameter Store's Standard tier holds at most ${MAX_KEY_LENGTH} (nothing was stored)`,
    );
  }
  return value;
}

/** Stores (or replaces) a source's key as a SecureString; the previous value stays as an older version. */
export async function setSourceKey(
  clients: AwsClients,
  source: SourceName,
  rawValue: string,
): Promise<StoredKey> {
  const value = normaliseKey(source, rawValue);
  const { PutParameterCommand } = await import("@aws-sdk/client-ssm");
  const ssm = await clients.ssm();
  const parameter = apiKeyParameterName(source);
  const { Version = 0, Tier = "Standard" } = await ssm.send(
    new PutParameterCommand({
      Name: parameter,
      Value: value,
      Type: "SecureString",
      Overwrite: true,
      Description: `API key of the ${source} source, read by its scraper (pipeline secrets set ${source})`,
    }),
  );
  return { source, parameter, version: Version, tier: Tier };
}

/** Every source with its key's parameter: whether it is set, its type and when it last changed. */
export async function listSourceKeys(clients: AwsClients): Promise<SourceKeyStatus[]> {
  const { DescribeParametersCommand } = await import("@aws-sdk/client-ssm");
  const ssm = await clients.ssm();
  const found: ParameterMetadata[] = [];
  let token: string | undefined;
  do {
    // DescribeParameters returns metadata only: no value leaves SSM here.
    const page = await ssm.send(
      new DescribeParametersCommand({
        ParameterFilters: [{ Key: "Path", Option: "Recursive", Values: [BASE_NAMES.parameterPrefix] }],
        MaxResults: 50,
        NextToken: token,
      }),
    );
    found.push(...(page.Parameters ?? []));
    token = page.NextToken;
  } while (token);
  return SOURCES.map((source): SourceKeyStatus => {
    const parameter = apiKeyParameterName(source);
    const meta = found.find((p) => p.Name === parameter);
    if (meta === undefined) return { source, parameter, set: false };
    return {
      source,
      parameter,
      set: true,
      ...(meta.Type ? { type: meta.Type } : {}),
      ...(meta.LastModifiedDate ? { lastChanged: meta.LastModifiedDate.toISOString() } : {}),
      ...(meta.LastModifiedUser ? { lastChangedBy: meta.LastModifiedUser } : {}),
      ...(meta.Version !== undefined ? { version: meta.Version } : {}),
    };
  });
}
