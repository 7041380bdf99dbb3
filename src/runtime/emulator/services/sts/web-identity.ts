import { stsErrors } from "./errors.js";

/**
 * The OIDC ID token of AssumeRoleWithWebIdentity: a JWT whose claims say who issued it (`iss`),
 * for whom (`sub`), for which client (`aud`) and until when (`exp`). The emulator reads the claims
 * and checks issuer, audience and expiry as STS does; it does not verify the signature (it cannot
 * fetch the issuer's keys), which the README states.
 */
export interface WebIdentityClaims {
  issuer: string;
  /** The issuer URL without `https://` and a trailing slash: the OIDC provider ARN's resource. */
  providerKey: string;
  subject: string;
  audiences: string[];
  amr?: string[];
}

/** Identity providers that need no IAM OIDC provider: their name is the Federated principal. */
const WELL_KNOWN = new Map([
  ["accounts.google.com", "accounts.google.com"],
  ["cognito-identity.amazonaws.com", "cognito-identity.amazonaws.com"],
  ["www.amazon.com", "www.amazon.com"],
  ["graph.facebook.com", "graph.facebook.com"],
]);

export function wellKnownIssuer(issuer: string): string | undefined {
  return WELL_KNOWN.get(issuer.replace(/^https:\/\//, "").replace(/\/$/, ""));
}

export function decodeWebIdentityToken(token: string, now: number): WebIdentityClaims {
  const parts = token.split(".");
  let claims: Record<string, unknown>;
  try {
    if (parts.length !== 3) throw new Error("not three parts");
    JSON.parse(Buffer.from(parts[0]!, "base64url").toString("utf8"));
    claims = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) as Record<string, unknown>;
    if (typeof claims !== "object" || claims === null) throw new Error("claims are not an object");
  } catch {
    throw stsErrors.invalidIdentityToken(
      "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)",
    );
  }
  const issuer = claims["iss"];
  if (typeof issuer !== "string" || issuer === "") {
    throw stsErrors.invalidIdentityToken("The ID Token has no issuer (iss claim).");
  }
  const exp = claims["exp"];
  if (typeof exp === "number" && exp * 1000 <= now) {
    throw stsErrors.expiredToken(
      `Token expired: current date/time ${Math.floor(now / 1000)} must be before the expiration date/time ${exp}`,
    );
  }
  const aud = claims["aud"];
  const audiences = (Array.isArray(aud) ? aud : aud === undefined ? [] : [aud]).map(String);
  const amr = claims["amr"];
  return {
    issuer,
    providerKey: issuer.replace(/^https:\/\//, "").replace(/\/$/, ""),
    subject: typeof claims["sub"] === "string" ? claims["sub"] : "",
    audiences,
    ...(Array.isArray(amr) ? { amr: amr.map(String) } : {}),
  };
}
