import { iamErrors } from "./errors.js";

/**
 * Checks a policy document the way IAM does before storing it: JSON, a Statement (one or a
 * list), each with Effect Allow|Deny; trust policies also need a Principal. Policies are stored
 * and returned, never enforced.
 */
export function validatePolicyDocument(document: string, kind: "trust" | "permissions"): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    throw iamErrors.malformedPolicy("This policy contains invalid Json");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw iamErrors.malformedPolicy("This policy contains invalid Json");
  }
  const policy = parsed as Record<string, unknown>;
  const version = policy["Version"];
  if (version !== undefined && version !== "2012-10-17" && version !== "2008-10-17") {
    throw iamErrors.malformedPolicy("The policy must contain a valid version string");
  }
  const raw = policy["Statement"];
  if (raw === undefined) throw iamErrors.malformedPolicy("Syntax errors in policy.");
  const statements = Array.isArray(raw) ? raw : [raw];
  if (statements.length === 0) throw iamErrors.malformedPolicy("Syntax errors in policy.");
  for (const statement of statements) {
    if (typeof statement !== "object" || statement === null || Array.isArray(statement)) {
      throw iamErrors.malformedPolicy("Syntax errors in policy.");
    }
    const s = statement as Record<string, unknown>;
    if (s["Effect"] !== "Allow" && s["Effect"] !== "Deny") {
      throw iamErrors.malformedPolicy("Syntax errors in policy.");
    }
    if (s["Action"] === undefined && s["NotAction"] === undefined) {
      throw iamErrors.malformedPolicy("Policy statement must contain actions.");
    }
    if (kind === "trust" && s["Principal"] === undefined && s["NotPrincipal"] === undefined) {
      throw iamErrors.malformedPolicy("Missing required field Principal");
    }
    if (kind === "permissions" && (s["Principal"] !== undefined || s["NotPrincipal"] !== undefined)) {
      throw iamErrors.malformedPolicy("Policy document should not specify a principal.");
    }
    if (kind === "permissions" && s["Resource"] === undefined && s["NotResource"] === undefined) {
      throw iamErrors.malformedPolicy("Policy statement must contain resources.");
    }
  }
}
