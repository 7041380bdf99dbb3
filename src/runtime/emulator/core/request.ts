import { randomUUID } from "node:crypto";
import type { CallerIdentity } from "./credentials.js";

/** A request as the gateway hands it to a service: raw, plus what every AWS request carries. */
export interface EmulatorRequest {
  method: string;
  /** Path without the query string, percent-decoding left to the service. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  body: Buffer;
  context: RequestContext;
}

export interface EmulatorResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** Who asked, where: region and account come from the SigV4 credential scope and access key. */
export interface RequestContext {
  requestId: string;
  region: string;
  accountId: string;
  /** SigV4 service name from the credential scope, when signed. */
  signingService?: string;
  accessKeyId?: string;
  /** Set when the access key is one the emulator issued (an IAM user's key, STS credentials). */
  caller?: CallerIdentity;
}

export const DEFAULT_ACCOUNT_ID = "000000000000";

export interface CredentialScope {
  accessKeyId: string;
  region: string;
  service: string;
}

/** Reads `Credential=<AKID>/<date>/<region>/<service>/aws4_request` from a header or presigned URL. */
export function parseCredentialScope(
  headers: Record<string, string | undefined>,
  query: URLSearchParams,
): CredentialScope | undefined {
  const auth = headers["authorization"];
  const fromHeader = auth ? /Credential=([^,\s]+)/.exec(auth)?.[1] : undefined;
  const credential = fromHeader ?? query.get("X-Amz-Credential") ?? undefined;
  if (!credential) return undefined;
  const [accessKeyId, , region, service] = credential.split("/");
  if (!accessKeyId || !region || !service) return undefined;
  return { accessKeyId, region, service };
}

/**
 * Like LocalStack: an access key id that is a 12-digit number names the account; anything else
 * (e.g. "test") is the default account.
 */
export function accountFromAccessKey(accessKeyId: string | undefined, fallback: string): string {
  return accessKeyId && /^\d{12}$/.test(accessKeyId) ? accessKeyId : fallback;
}

export function newRequestContext(
  headers: Record<string, string | undefined>,
  query: URLSearchParams,
  defaults: { region: string; accountId: string },
): RequestContext {
  const scope = parseCredentialScope(headers, query);
  return {
    requestId: randomUUID(),
    region: scope?.region ?? defaults.region,
    accountId: accountFromAccessKey(scope?.accessKeyId, defaults.accountId),
    signingService: scope?.service,
    accessKeyId: scope?.accessKeyId,
  };
}
