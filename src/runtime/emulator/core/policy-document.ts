import { ServiceError } from "./errors.js";

const malformed = (message: string) => new ServiceError("MalformedPolicyDocument", message, 400);

/**
 * IAM's policy grammar, shared by IAM (identity and trust policies) and STS (session policies).
 * Checks a policy document the way IAM does before storing it, in IAM's order: JSON, grammar
 * (top-level and statement elements, types), the version, legacy parsing (case-sensitive Effect,
 * resource ARNs), unique Sids, actions, resources. Where IAM answers only "Syntax errors in
 * policy." the message goes on to name what is wrong (IAM's sentence stays first, so code that
 * matches it still does). Policies are stored and returned, never enforced.
 *
 * Kinds: `identity` (managed and inline policies of users, groups, roles), `trust` (a role's
 * AssumeRolePolicyDocument), `session` (the Policy of an STS call: an identity policy).
 */
export type PolicyKind = "identity" | "trust" | "session";

export interface ParsedStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface ParsedPolicy {
  Version?: string;
  Statement: ParsedStatement[];
}

const TOP_ELEMENTS = new Set(["Version", "Id", "Statement"]);
const STATEMENT_ELEMENTS = new Set([
  "Sid",
  "Effect",
  "Principal",
  "NotPrincipal",
  "Action",
  "NotAction",
  "Resource",
  "NotResource",
  "Condition",
]);
const VERSIONS = new Set(["2008-10-17", "2012-10-17"]);
const PARTITIONS = new Set([
  "aws",
  "aws-cn",
  "aws-us-gov",
  "aws-iso",
  "aws-iso-b",
  "aws-iso-e",
  "aws-iso-f",
  "aws-eusc",
]);
export const CONDITION_OPERATORS = new Set([
  "StringEquals",
  "StringNotEquals",
  "StringEqualsIgnoreCase",
  "StringNotEqualsIgnoreCase",
  "StringLike",
  "StringNotLike",
  "NumericEquals",
  "NumericNotEquals",
  "NumericLessThan",
  "NumericLessThanEquals",
  "NumericGreaterThan",
  "NumericGreaterThanEquals",
  "DateEquals",
  "DateNotEquals",
  "DateLessThan",
  "DateLessThanEquals",
  "DateGreaterThan",
  "DateGreaterThanEquals",
  "Bool",
  "BinaryEquals",
  "IpAddress",
  "NotIpAddress",
  "ArnEquals",
  "ArnLike",
  "ArnNotEquals",
  "ArnNotLike",
  "Null",
]);
const TRUST_ACTIONS = new Set([
  "sts:AssumeRole",
  "sts:AssumeRoleWithSAML",
  "sts:AssumeRoleWithWebIdentity",
  "sts:TagSession",
  "sts:SetSourceIdentity",
  "sts:SetContext",
]);
const PRINCIPAL_TYPES = new Set(["AWS", "Service", "Federated", "CanonicalUser"]);

const syntax = (detail: string) => malformed(`Syntax errors in policy. ${detail}`);

/** Validates `document` and returns it parsed (statements always as a list). */
export function validatePolicyDocument(document: string, kind: PolicyKind): ParsedPolicy {
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    throw malformed("This policy contains invalid Json");
  }
  if (!isObject(parsed)) throw syntax("The policy must be a JSON object.");
  for (const element of Object.keys(parsed)) {
    if (!TOP_ELEMENTS.has(element)) throw syntax(`The element ${element} is not allowed at the top level.`);
  }
  const version = parsed["Version"];
  if (version !== undefined && (typeof version !== "string" || !VERSIONS.has(version))) {
    throw syntax(`Version must be "2012-10-17" (or the older "2008-10-17"), not ${JSON.stringify(version)}.`);
  }
  if (parsed["Id"] !== undefined && typeof parsed["Id"] !== "string") throw syntax("Id must be a string.");
  const raw = parsed["Statement"];
  if (raw === undefined) throw syntax("The policy has no Statement.");
  if (!isObject(raw) && !Array.isArray(raw))
    throw syntax("Statement must be an object or a list of objects.");
  const statements: unknown[] = Array.isArray(raw) ? raw : [raw];
  if (statements.length === 0) throw syntax("Statement must not be an empty list.");
  statements.forEach((s, i) => statementSyntax(s, i));
  const list = statements as ParsedStatement[];

  // Identity policies need the current policy language version; trust policies still accept the old one.
  if (kind !== "trust" && version !== "2012-10-17") {
    throw malformed("Policy document must be version 2012-10-17 or greater.");
  }
  for (const s of list) {
    if (s.Effect !== "Allow" && s.Effect !== "Deny") throw malformed("The policy failed legacy parsing");
  }
  const sids = new Set<string>();
  for (const s of list) {
    if (!s.Sid) continue;
    if (sids.has(s.Sid)) throw malformed("Statement IDs (SID) in a single policy must be unique.");
    sids.add(s.Sid);
  }
  for (const s of list) {
    const actions = s.Action ?? s.NotAction;
    if (actions === undefined || (Array.isArray(actions) && actions.length === 0)) {
      throw malformed("Policy statement must contain actions.");
    }
  }
  for (const s of list) {
    for (const resource of asList(s.Resource ?? s.NotResource)) checkResource(resource);
  }
  for (const s of list) {
    for (const action of asList(s.Action ?? s.NotAction)) checkAction(action);
  }

  if (kind === "trust") {
    for (const s of list) {
      if (s.Resource !== undefined || s.NotResource !== undefined) {
        throw malformed("Has prohibited field Resource.");
      }
      for (const action of asList(s.Action)) {
        if (
          !TRUST_ACTIONS.has(action) &&
          !(action.startsWith("sts:") && action.includes("*")) &&
          action !== "*"
        ) {
          throw malformed(
            "Trust Policy statement actions can only be sts:AssumeRole, sts:AssumeRoleWithSAML,  and sts:AssumeRoleWithWebIdentity",
          );
        }
      }
      if (s.Principal === undefined && s.NotPrincipal === undefined) {
        throw malformed("Missing required field Principal");
      }
      checkPrincipal(s.Principal ?? s.NotPrincipal);
    }
  } else {
    for (const s of list) {
      if (s.Principal !== undefined || s.NotPrincipal !== undefined) {
        throw malformed("Policy document should not specify a principal.");
      }
    }
    for (const s of list) {
      const resources = s.Resource ?? s.NotResource;
      if (resources === undefined || (Array.isArray(resources) && resources.length === 0)) {
        throw malformed("Policy statement must contain resources.");
      }
    }
  }
  return { ...(typeof version === "string" ? { Version: version } : {}), Statement: list };
}

/** IAM counts policy sizes without white space. */
export function policySize(document: string): number {
  return document.replace(/\s+/g, "").length;
}

function statementSyntax(statement: unknown, index: number): void {
  const at = `Statement[${index}]`;
  if (!isObject(statement)) throw syntax(`${at} must be an object.`);
  for (const element of Object.keys(statement)) {
    if (!STATEMENT_ELEMENTS.has(element)) throw syntax(`${at} has an unknown element ${element}.`);
  }
  if (statement["Action"] !== undefined && statement["NotAction"] !== undefined) {
    throw syntax(`${at} has both Action and NotAction; use one of them.`);
  }
  if (statement["Resource"] !== undefined && statement["NotResource"] !== undefined) {
    throw syntax(`${at} has both Resource and NotResource; use one of them.`);
  }
  if (statement["Principal"] !== undefined && statement["NotPrincipal"] !== undefined) {
    throw syntax(`${at} has both Principal and NotPrincipal; use one of them.`);
  }
  const effect = statement["Effect"];
  if (effect === undefined) throw syntax(`${at} has no Effect.`);
  if (typeof effect !== "string" || !["allow", "deny"].includes(effect.toLowerCase())) {
    throw syntax(`${at}.Effect must be "Allow" or "Deny", not ${JSON.stringify(effect)}.`);
  }
  for (const element of ["Action", "NotAction", "Resource", "NotResource"]) {
    const value = statement[element];
    if (value === undefined) continue;
    if (typeof value !== "string" && !(Array.isArray(value) && value.every((v) => typeof v === "string"))) {
      throw syntax(`${at}.${element} must be a string or a list of strings.`);
    }
  }
  if (statement["Sid"] !== undefined && typeof statement["Sid"] !== "string") {
    throw syntax(`${at}.Sid must be a string.`);
  }
  const condition = statement["Condition"];
  if (condition !== undefined) {
    if (!isObject(condition)) throw syntax(`${at}.Condition must be an object.`);
    for (const [operator, block] of Object.entries(condition)) {
      if (!isObject(block)) throw syntax(`${at}.Condition.${operator} must be an object of condition keys.`);
      for (const value of Object.values(block)) {
        const ok =
          ["string", "number", "boolean"].includes(typeof value) ||
          (Array.isArray(value) && value.every((v) => ["string", "number", "boolean"].includes(typeof v)));
        if (!ok) throw syntax(`${at}.Condition.${operator} values must be strings or lists of strings.`);
      }
      if (!CONDITION_OPERATORS.has(baseOperator(operator)) && Object.keys(block).length > 0) {
        throw syntax(`${at}.Condition has an unknown operator ${operator}.`);
      }
    }
  }
}

/** `ForAnyValue:StringLikeIfExists` → `StringLike`. */
export function baseOperator(operator: string): string {
  return operator.replace(/^For(AnyValue|AllValues):/, "").replace(/IfExists$/, "");
}

function checkAction(action: string): void {
  if (action === "*") return;
  const parts = action.split(":");
  if (parts.length === 1) {
    throw malformed("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
  }
  if (parts.length > 2) throw malformed("Actions/Condition can contain only one colon.");
  if (/[^a-zA-Z0-9\-.]/.test(parts[0]!)) throw malformed(`Vendor ${parts[0]} is not valid`);
}

function checkResource(resource: string): void {
  if (resource === "*") return;
  const parts = resource.split(":");
  if (parts.length < 2) throw malformed(`Resource ${resource} must be in ARN format or "*".`);
  if (parts[0] !== "arn") throw malformed(`Resource ${resource} must be in ARN format or "*".`);
  const partition = parts[1]!;
  if (partition !== "*" && !PARTITIONS.has(partition)) {
    throw malformed(`Partition "${partition}" is not valid for resource "${resource}".`);
  }
  if (parts.length < 6 || !parts[2]) throw malformed("The policy failed legacy parsing");
  if (parts[2] === "iam" && parts[3] !== "" && parts[3] !== "*") {
    throw malformed(`IAM resource ${resource} cannot contain region information.`);
  }
}

function checkPrincipal(principal: unknown): void {
  if (principal === "*") return;
  if (!isObject(principal)) throw malformed(`Invalid principal in policy: ${JSON.stringify(principal)}`);
  for (const [type, value] of Object.entries(principal)) {
    if (!PRINCIPAL_TYPES.has(type)) {
      throw malformed(`Invalid principal in policy: "${type}":${JSON.stringify(value)}`);
    }
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (typeof v !== "string" || v === "") {
        throw malformed(`Invalid principal in policy: "${type}":${JSON.stringify(v)}`);
      }
      if (type === "AWS" && !isAwsPrincipal(v)) {
        throw malformed(`Invalid principal in policy: "AWS":"${v}"`);
      }
    }
  }
}

/** `*`, an account id, or an IAM/STS ARN (root, user, role, assumed-role, federated-user). */
export function isAwsPrincipal(value: string): boolean {
  return (
    value === "*" ||
    /^\d{12}$/.test(value) ||
    /^arn:aws[\w-]*:(iam|sts)::\d{12}:(root|user\/.+|role\/.+|assumed-role\/.+|federated-user\/.+)$/.test(
      value,
    )
  );
}

export function asList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
