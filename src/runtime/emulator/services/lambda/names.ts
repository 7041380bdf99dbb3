import type { RequestContext } from "../../core/request.js";
import { lambdaErrors } from "./errors.js";
import { MAX_FUNCTION_NAME_LENGTH } from "./limits.js";

/** A function named by any of the forms Lambda accepts, resolved to its account and region. */
export interface FunctionRef {
  name: string;
  qualifier?: string;
  region: string;
  accountId: string;
}

export const LATEST = "$LATEST";

const NAME = /^[a-zA-Z0-9_-]+$/;
const QUALIFIER = /^(\$LATEST|[a-zA-Z0-9_-]+)$/;
const FULL_ARN =
  /^arn:aws[a-zA-Z-]*:lambda:([a-z]{2}(?:-gov)?-[a-z]+-\d):(\d{12}):function:([^:]+)(?::([^:]+))?$/;
const PARTIAL_ARN = /^(\d{12}):function:([^:]+)(?::([^:]+))?$/;
const PATTERN_TEXT =
  "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?";

/**
 * Parses a FunctionName parameter: a name, `name:qualifier`, a partial ARN
 * (`123456789012:function:name[:qualifier]`) or a full ARN. Path parameters arrive already decoded.
 */
export function parseFunctionRef(
  value: unknown,
  context: RequestContext,
  member = "functionName",
): FunctionRef {
  if (typeof value !== "string" || value === "") throw lambdaErrors.missing(member);
  let ref: FunctionRef | undefined;
  const full = FULL_ARN.exec(value);
  const partial = full ? undefined : PARTIAL_ARN.exec(value);
  if (full) {
    ref = { region: full[1]!, accountId: full[2]!, name: full[3]!, qualifier: full[4] };
  } else if (partial) {
    ref = { region: context.region, accountId: partial[1]!, name: partial[2]!, qualifier: partial[3] };
  } else if (!value.includes(":") || /^[^:]+:[^:]+$/.test(value)) {
    const [name = "", qualifier] = value.split(":");
    ref = { region: context.region, accountId: context.accountId, name, qualifier };
  }
  if (
    !ref ||
    !NAME.test(ref.name) ||
    ref.name.length > MAX_FUNCTION_NAME_LENGTH ||
    (ref.qualifier !== undefined && !QUALIFIER.test(ref.qualifier))
  ) {
    throw lambdaErrors.validation(
      member,
      value,
      `Member must satisfy regular expression pattern: ${PATTERN_TEXT}`,
    );
  }
  if (ref.qualifier === undefined) delete ref.qualifier;
  return ref;
}

/** Merges a `?Qualifier=` parameter with one given in the name; they must agree. */
export function withQualifier(ref: FunctionRef, qualifier: unknown): FunctionRef {
  if (qualifier === undefined || qualifier === null || qualifier === "") return ref;
  if (typeof qualifier !== "string" || !QUALIFIER.test(qualifier)) {
    throw lambdaErrors.validation(
      "qualifier",
      qualifier,
      "Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)",
    );
  }
  if (ref.qualifier !== undefined && ref.qualifier !== qualifier) {
    throw lambdaErrors.invalidParameter(
      "The derived qualifier from the function name does not match the specified qualifier.",
    );
  }
  return { ...ref, qualifier };
}

export function functionArn(
  ref: { region: string; accountId: string; name: string },
  qualifier?: string,
): string {
  const base = `arn:aws:lambda:${ref.region}:${ref.accountId}:function:${ref.name}`;
  return qualifier ? `${base}:${qualifier}` : base;
}

/** The key functions are stored under: one namespace per account and region. */
export function functionKey(ref: { region: string; accountId: string; name: string }): string {
  return `${ref.accountId}/${ref.region}/${ref.name}`;
}

/** A request context acting as the owner of an ARN (for calls Lambda makes on a function's behalf). */
export function contextForArn(arn: string, requestId: string): RequestContext {
  const [, , , region = "", accountId = ""] = arn.split(":");
  return { requestId, region, accountId };
}
