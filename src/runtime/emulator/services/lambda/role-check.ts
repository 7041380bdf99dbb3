import { ServiceError } from "../../core/errors.js";
import type { RequestContext } from "../../core/request.js";
import type { ServiceEnv } from "../../core/service.js";
import { lambdaErrors } from "./errors.js";

/**
 * Lambda assumes a function's execution role before it accepts it: CreateFunction and
 * UpdateFunctionConfiguration refuse a role that does not exist, belongs to another account, does
 * not trust `lambda.amazonaws.com`, or is too new to be assumed yet (IAM propagation,
 * `settings.roleAssumableAfterMs`) with InvalidParameterValueException "The role defined for the
 * function cannot be assumed by Lambda." Without the IAM service in the emulator (a services
 * subset) there is no IAM to ask and the role is taken as given.
 */
const CANNOT_ASSUME = "The role defined for the function cannot be assumed by Lambda.";

interface RoleAnswer {
  Role?: { Arn?: string; AssumeRolePolicyDocument?: string; CreateDate?: Date | string };
}

export async function checkExecutionRole(
  env: ServiceEnv,
  roleArn: string,
  context: RequestContext,
): Promise<void> {
  const account = roleArn.split(":")[4];
  if (account !== context.accountId) throw lambdaErrors.invalidParameter(CANNOT_ASSUME);
  const name = roleArn.slice(roleArn.lastIndexOf("/") + 1);
  let answer: RoleAnswer;
  try {
    answer = await env.call<RoleAnswer>("iam", "GetRole", { RoleName: name }, context);
  } catch (error) {
    if (!(error instanceof ServiceError)) throw error;
    if (error.code === "UnknownOperationException") return;
    throw lambdaErrors.invalidParameter(CANNOT_ASSUME);
  }
  const role = answer.Role;
  if (!role || role.Arn !== roleArn) throw lambdaErrors.invalidParameter(CANNOT_ASSUME);
  if (!trustsLambda(decodedDocument(role.AssumeRolePolicyDocument ?? ""))) {
    throw lambdaErrors.invalidParameter(CANNOT_ASSUME);
  }
  const created = role.CreateDate === undefined ? undefined : new Date(role.CreateDate).getTime();
  const settle = env.settings.roleAssumableAfterMs ?? 0;
  if (created !== undefined && settle > 0 && env.clock.now() < created + settle) {
    throw lambdaErrors.invalidParameter(CANNOT_ASSUME);
  }
}

/** IAM answers policy documents URL-encoded (RFC 3986), as on the wire. */
function decodedDocument(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** An Allow statement for `lambda.amazonaws.com` (or `*`) on sts:AssumeRole, with no Deny for it. */
function trustsLambda(policyText: string): boolean {
  let policy: { Statement?: unknown };
  try {
    policy = JSON.parse(policyText) as { Statement?: unknown };
  } catch {
    return false;
  }
  const raw = policy.Statement;
  const statements = (Array.isArray(raw) ? raw : raw ? [raw] : []) as Record<string, unknown>[];
  const list = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
  const matches = (s: Record<string, unknown>) => {
    const principal = s["Principal"];
    const lambda =
      principal === "*" ||
      (typeof principal === "object" &&
        principal !== null &&
        list((principal as Record<string, unknown>)["Service"]).some(
          (p) => p === "lambda.amazonaws.com" || p === "*",
        ));
    const actions = list(s["Action"]);
    return lambda && actions.some((a) => ["sts:AssumeRole", "sts:*", "*"].includes(a));
  };
  if (statements.some((s) => s["Effect"] === "Deny" && matches(s))) return false;
  return statements.some((s) => s["Effect"] === "Allow" && matches(s));
}
