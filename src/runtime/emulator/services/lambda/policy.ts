import { lambdaErrors } from "./errors.js";
import type { FunctionRecord, PolicyStatement } from "./models.js";
import { functionArn } from "./names.js";
import { optionalString, requiredString, type Input } from "./configuration.js";

const STATEMENT_ID = /^([a-zA-Z0-9-_.]+)$/;
const ACTION = /^(lambda:[*]|lambda:[a-zA-Z]+|[*])$/;

/**
 * A resource-based policy statement as AddPermission writes it: a service principal becomes
 * `{"Service": …}`, an account id `{"AWS": "arn:aws:iam::<id>:root"}`; SourceArn becomes an
 * `ArnLike AWS:SourceArn` condition and SourceAccount a `StringEquals AWS:SourceAccount` one.
 */
export function statementFrom(input: Input, fn: FunctionRecord): PolicyStatement {
  const sid = requiredString(input, "StatementId");
  if (sid.length > 100 || !STATEMENT_ID.test(sid)) {
    throw lambdaErrors.validation(
      "statementId",
      sid,
      "Member must satisfy regular expression pattern: ([a-zA-Z0-9-_.]+)",
    );
  }
  const action = requiredString(input, "Action");
  if (!ACTION.test(action)) {
    throw lambdaErrors.validation(
      "action",
      action,
      "Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])",
    );
  }
  const principal = requiredString(input, "Principal");
  const sourceArn = optionalString(input, "SourceArn");
  const sourceAccount = optionalString(input, "SourceAccount");
  const orgId = optionalString(input, "PrincipalOrgID");
  const qualifier = optionalString(input, "Qualifier");
  const statement: PolicyStatement = {
    Sid: sid,
    Effect: "Allow",
    Principal: principalOf(principal),
    Action: action,
    Resource: functionArn(fn, qualifier),
  };
  const condition: Record<string, Record<string, string>> = {};
  if (sourceAccount) condition["StringEquals"] = { "AWS:SourceAccount": sourceAccount };
  if (orgId) condition["StringEquals"] = { ...condition["StringEquals"], "aws:PrincipalOrgID": orgId };
  if (sourceArn) condition["ArnLike"] = { "AWS:SourceArn": sourceArn };
  if (Object.keys(condition).length > 0) statement.Condition = condition;
  return statement;
}

function principalOf(principal: string): PolicyStatement["Principal"] {
  if (principal === "*") return "*";
  if (/^\d{12}$/.test(principal)) return { AWS: `arn:aws:iam::${principal}:root` };
  if (principal.startsWith("arn:")) return { AWS: principal };
  if (/^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/.test(principal)) return { Service: principal };
  throw lambdaErrors.invalidParameter(
    `The provided principal ${principal} is invalid: use a service principal (events.amazonaws.com), an account id, an IAM ARN or *.`,
  );
}

export function policyDocument(statements: PolicyStatement[]): string {
  return JSON.stringify({ Version: "2012-10-17", Id: "default", Statement: statements });
}
