import { OperatorError } from "../config/errors.js";

/** The configured endpoint does not answer, or something else answers there. */
export class EndpointUnavailableError extends OperatorError {
  override name = "EndpointUnavailableError";
}

/** The embedded emulator cannot be loaded (not built, or its module is missing). */
export class EmulatorUnavailableError extends OperatorError {
  override name = "EmulatorUnavailableError";
}

/** The credentials belong to another account than the configured `account`. */
export class AccountMismatchError extends OperatorError {
  override name = "AccountMismatchError";
}

/** The SDK found no credentials for the aws target. */
export class NoCredentialsError extends OperatorError {
  override name = "NoCredentialsError";
}

/** Node's codes for "nothing answered there": refused, no such host, no route, timed out, reset. */
const NETWORK_CODES = ["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ETIMEDOUT", "ECONNRESET", "EAI_AGAIN"];

/**
 * The network code behind an error, looking through causes and AggregateErrors (the SDK, fetch
 * and the OpenSearch client each wrap Node's error differently), or undefined for any other error.
 */
export function networkCode(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    const code = (current as NodeJS.ErrnoException).code;
    if (code && NETWORK_CODES.includes(code)) return code;
    const text = current.message;
    const inMessage = NETWORK_CODES.find((name) => text.includes(name));
    if (inMessage) return inMessage;
    const nested = (current as { errors?: unknown[] }).errors?.[0];
    current = (current as { cause?: unknown }).cause ?? nested;
  }
  return undefined;
}

/** The host a DNS failure names ("getaddrinfo ENOTFOUND sts.us-east-1.amazonaws.com"). */
function unresolvedHost(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    const match = /(?:ENOTFOUND|EAI_AGAIN)\s+([A-Za-z0-9.-]+)/.exec(current.message);
    if (match) return match[1];
    const hostname = (current as { hostname?: unknown }).hostname;
    if (typeof hostname === "string") return hostname;
    current = (current as { cause?: unknown }).cause ?? (current as { errors?: unknown[] }).errors?.[0];
  }
  return undefined;
}

/** What the unreachable-endpoint message needs from the configuration. */
export interface EndpointTarget {
  target: string;
  region: string;
  endpoint?: string | undefined;
}

/**
 * Turns "nothing answered" into the operator's one line: which endpoint, on which target, Node's
 * code, and the fix for that target. Undefined when the error is not a network failure (or is
 * already written for the operator), so callers rethrow it unchanged.
 */
export function unreachableEndpoint(
  error: unknown,
  where: EndpointTarget,
  also?: string,
): EndpointUnavailableError | undefined {
  const code = networkCode(error);
  if (code === undefined || error instanceof OperatorError) return undefined;
  const host = unresolvedHost(error);
  const place = where.endpoint ?? host ?? `AWS's endpoints in ${where.region}`;
  const details = [`target ${where.target}`, ...(where.endpoint ? [] : [where.region]), code].join(", ");
  const fix =
    where.target === "localstack"
      ? "start LocalStack (pipeline localstack up) or point --endpoint-url at it"
      : where.target === "local"
        ? "start the emulator there (pipeline emulator start) or unset the endpoint to let the CLI start one"
        : where.endpoint
          ? "check --endpoint-url (env AWS_ENDPOINT_URL) and the network"
          : "check the network connection (or a proxy), --region and --endpoint-url";
  return new EndpointUnavailableError(`cannot reach ${place}${also ? ` ${also}` : ""} (${details}); ${fix}`);
}
