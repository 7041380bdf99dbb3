import { SOURCES } from "../model/sources.js";
import { MAX_SHARD_PEOPLE } from "../model/shard.js";
import {
  LOG_RETENTION_DAYS,
  SHARD_LEASE_RANGE,
  SHARD_RETRY_RANGE,
  WORKER_CONCURRENCY_RANGE,
} from "./settings.js";
import type { StackParams } from "./types.js";

/** Thrown by defineStack when parameters are invalid; lists every problem with the fix. */
export class StackParamsError extends Error {
  override readonly name = "StackParamsError";
  constructor(readonly problems: string[]) {
    super(`invalid stack parameters:\n  - ${problems.join("\n  - ")}`);
  }
}

// Longest base name is `celebrity-post-processor-role` (29) and names may be 64 long.
const MAX_SUFFIX_LENGTH = 30;

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== "string") return false;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

export function stackParamsProblems(params: StackParams): string[] {
  const problems: string[] = [];
  if (typeof params.suffix !== "string" || !/^[A-Za-z0-9-]*$/.test(params.suffix)) {
    problems.push(`suffix may contain only letters, digits and "-" (got ${JSON.stringify(params.suffix)})`);
  } else if (params.suffix.length > MAX_SUFFIX_LENGTH) {
    problems.push(`suffix must be at most ${MAX_SUFFIX_LENGTH} characters so names stay within AWS limits`);
  }
  if (!/^\d{12}$/.test(params.account ?? "")) problems.push(`account must be a 12-digit AWS account id`);
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(params.region ?? "")) {
    problems.push(`region must look like us-east-1 (got ${JSON.stringify(params.region)})`);
  }
  for (const source of SOURCES) {
    const sourceParams = params.sources?.[source];
    if (sourceParams === undefined) {
      problems.push(`sources.${source} is missing (baseUrl and rateLimitPerSecond are required)`);
      continue;
    }
    if (!isHttpUrl(sourceParams.baseUrl)) problems.push(`sources.${source}.baseUrl must be an http(s) URL`);
    if (sourceParams.auxBaseUrl !== undefined && !isHttpUrl(sourceParams.auxBaseUrl)) {
      problems.push(`sources.${source}.auxBaseUrl must be an http(s) URL when set`);
    }
    if (!(typeof sourceParams.rateLimitPerSecond === "number" && sourceParams.rateLimitPerSecond > 0)) {
      problems.push(`sources.${source}.rateLimitPerSecond must be a number > 0`);
    }
    if (
      sourceParams.timeoutMs !== undefined &&
      !(Number.isInteger(sourceParams.timeoutMs) && sourceParams.timeoutMs > 0)
    ) {
      problems.push(`sources.${source}.timeoutMs must be a positive integer when set`);
    }
    if (!(
      Number.isInteger(sourceParams.shardSize) &&
      sourceParams.shardSize >= 1 &&
      sourceParams.shardSize <= MAX_SHARD_PEOPLE
    )) {
      problems.push(
        `sources.${source}.shardSize must be an integer from 1 to ${MAX_SHARD_PEOPLE} (got ${JSON.stringify(sourceParams.shardSize)})`,
      );
    }
    const { min, max } = WORKER_CONCURRENCY_RANGE;
    if (!(
      Number.isInteger(sourceParams.workerConcurrency) &&
      sourceParams.workerConcurrency >= min &&
      sourceParams.workerConcurrency <= max
    )) {
      problems.push(
        `sources.${source}.workerConcurrency must be an integer from ${min} to ${max}, the range of a mapping's ScalingConfig.MaximumConcurrency (got ${JSON.stringify(sourceParams.workerConcurrency)})`,
      );
    }
    for (const [field, range] of [
      ["shardLeaseSeconds", SHARD_LEASE_RANGE],
      ["shardRetrySeconds", SHARD_RETRY_RANGE],
    ] as const) {
      const value = sourceParams[field];
      if (value !== undefined && !(Number.isInteger(value) && value >= range.min && value <= range.max)) {
        problems.push(
          `sources.${source}.${field} must be an integer from ${range.min} to ${range.max} when set (got ${JSON.stringify(value)})`,
        );
      }
    }
  }
  if (!isHttpUrl(params.opensearch?.endpoint)) problems.push(`opensearch.endpoint must be an http(s) URL`);
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(params.opensearch?.index ?? "")) {
    problems.push(`opensearch.index must be a lower-case OpenSearch index name`);
  }
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(params.logRetentionDays)) {
    problems.push(`logRetentionDays must be one of ${LOG_RETENTION_DAYS.join(", ")}`);
  }
  return problems;
}

/**
 * The OpenSearch domain an endpoint belongs to, for the es:ESHttp* policy: Amazon OpenSearch
 * Service (`search-<domain>-<id>.<region>.es.amazonaws.com`), LocalStack/emulator path style
 * (`…/opensearch/<region>/<domain>`) or domain style (`<domain>.<region>.opensearch.…`).
 * Falls back to the index name when the endpoint shows none.
 */
export function opensearchDomainName(endpoint: string, fallback: string): string {
  const url = new URL(endpoint);
  const aws = /^(?:search|vpc)-(.+)-[a-z0-9]+\.[a-z0-9-]+\.es\.amazonaws\.com$/.exec(url.hostname);
  if (aws?.[1] !== undefined) return aws[1];
  const pathStyle = /\/opensearch\/[a-z0-9-]+\/([^/]+)/.exec(url.pathname);
  if (pathStyle?.[1] !== undefined) return pathStyle[1];
  const domainStyle = /^([^.]+)\.[a-z0-9-]+\.opensearch\./.exec(url.hostname);
  if (domainStyle?.[1] !== undefined) return domainStyle[1];
  return fallback;
}
