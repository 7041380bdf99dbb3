import { wildcardMatch } from "../../core/resource-policy.js";

/**
 * A role's trust policy, evaluated for one AssumeRole* request the way IAM documents it: an
 * explicit Deny wins, else a matching Allow allows, else the request is implicitly denied. A
 * statement matches when its Principal (or NotPrincipal), Action (or NotAction) and every
 * condition hold. What the emulator can tell about a caller:
 *
 * - `AWS` principals: `*`, an account id or `arn:aws:iam::<account>:root` (anyone in that account),
 *   a user or role ARN (that user; that role's sessions), an assumed-role session ARN.
 * - `Federated` principals: the OIDC provider ARN (or a well-known issuer such as
 *   `accounts.google.com`) of AssumeRoleWithWebIdentity.
 * - `Service` principals never match: an HTTP caller is never an AWS service.
 *
 * Conditions: the String, Arn, Bool, Null, Numeric and Date operators, `...IfExists`,
 * `ForAnyValue:` / `ForAllValues:`, on the request's context keys (case-insensitive names). A key
 * the request does not carry fails every positive operator, as in IAM.
 */
export interface TrustRequest {
  action: string;
  /** AWS principals the caller counts as (its ARN, its principal ARN, its account). */
  aws?: { arns: string[]; account: string };
  /** The federated principal of a web identity (provider ARN or well-known issuer). */
  federated?: string;
  /** Condition context: single or multi-valued keys. */
  context: Record<string, string | string[] | undefined>;
}

interface Statement {
  Effect?: unknown;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Condition?: unknown;
}

export function trustAllows(policyText: string, request: TrustRequest): boolean {
  let policy: { Statement?: unknown };
  try {
    policy = JSON.parse(policyText) as { Statement?: unknown };
  } catch {
    return false;
  }
  const raw = policy.Statement;
  const statements = (Array.isArray(raw) ? raw : raw ? [raw] : []) as Statement[];
  let allowed = false;
  for (const s of statements) {
    if (!s || typeof s !== "object") continue;
    const principal =
      s.Principal !== undefined
        ? principalMatches(s.Principal, request)
        : s.NotPrincipal !== undefined
          ? !principalMatches(s.NotPrincipal, request)
          : false;
    if (!principal || !actionMatches(s, request.action) || !conditionsHold(s.Condition, request.context))
      continue;
    if (s.Effect === "Deny") return false;
    if (s.Effect === "Allow") allowed = true;
  }
  return allowed;
}

function strings(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => String(v));
}

function principalMatches(principal: unknown, request: TrustRequest): boolean {
  if (principal === "*") return true;
  if (!principal || typeof principal !== "object") return false;
  const p = principal as Record<string, unknown>;
  if (request.aws) {
    const { arns, account } = request.aws;
    for (const entry of strings(p["AWS"])) {
      if (entry === "*") return true;
      if (entry === account || entry === `arn:aws:iam::${account}:root`) return true;
      if (arns.some((arn) => wildcardMatch(entry, arn))) return true;
    }
  }
  if (request.federated) {
    if (strings(p["Federated"]).some((f) => f === request.federated)) return true;
  }
  return false;
}

function actionMatches(s: Statement, action: string): boolean {
  if (s.Action !== undefined) return strings(s.Action).some((a) => wildcardMatch(a, action, true));
  if (s.NotAction !== undefined) return !strings(s.NotAction).some((a) => wildcardMatch(a, action, true));
  return false;
}

type Compare = (expected: string, actual: string) => boolean;

const number = (v: string) => Number(v);
const date = (v: string) => (/^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v));

const COMPARE: Record<string, { compare: Compare; negated: boolean }> = {
  StringEquals: { compare: (e, a) => e === a, negated: false },
  StringNotEquals: { compare: (e, a) => e === a, negated: true },
  StringEqualsIgnoreCase: { compare: (e, a) => e.toLowerCase() === a.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { compare: (e, a) => e.toLowerCase() === a.toLowerCase(), negated: true },
  StringLike: { compare: (e, a) => wildcardMatch(e, a), negated: false },
  StringNotLike: { compare: (e, a) => wildcardMatch(e, a), negated: true },
  ArnEquals: { compare: (e, a) => e === a, negated: false },
  ArnNotEquals: { compare: (e, a) => e === a, negated: true },
  ArnLike: { compare: (e, a) => wildcardMatch(e, a), negated: false },
  ArnNotLike: { compare: (e, a) => wildcardMatch(e, a), negated: true },
  Bool: { compare: (e, a) => e.toLowerCase() === a.toLowerCase(), negated: false },
  NumericEquals: { compare: (e, a) => number(a) === number(e), negated: false },
  NumericNotEquals: { compare: (e, a) => number(a) === number(e), negated: true },
  NumericLessThan: { compare: (e, a) => number(a) < number(e), negated: false },
  NumericLessThanEquals: { compare: (e, a) => number(a) <= number(e), negated: false },
  NumericGreaterThan: { compare: (e, a) => number(a) > number(e), negated: false },
  NumericGreaterThanEquals: { compare: (e, a) => number(a) >= number(e), negated: false },
  DateEquals: { compare: (e, a) => date(a) === date(e), negated: false },
  DateNotEquals: { compare: (e, a) => date(a) === date(e), negated: true },
  DateLessThan: { compare: (e, a) => date(a) < date(e), negated: false },
  DateLessThanEquals: { compare: (e, a) => date(a) <= date(e), negated: false },
  DateGreaterThan: { compare: (e, a) => date(a) > date(e), negated: false },
  DateGreaterThanEquals: { compare: (e, a) => date(a) >= date(e), negated: false },
};

function conditionsHold(condition: unknown, context: TrustRequest["context"]): boolean {
  if (condition === undefined) return true;
  if (!condition || typeof condition !== "object") return false;
  const lowered = new Map<string, string[]>();
  for (const [key, value] of Object.entries(context)) {
    if (value === undefined) continue;
    lowered.set(key.toLowerCase(), Array.isArray(value) ? value : [value]);
  }
  for (const [raw, block] of Object.entries(condition as Record<string, unknown>)) {
    if (!block || typeof block !== "object") return false;
    const set = /^(ForAnyValue|ForAllValues):/.exec(raw)?.[1];
    let name = set ? raw.slice(set.length + 1) : raw;
    const ifExists = name.endsWith("IfExists");
    if (ifExists) name = name.slice(0, -"IfExists".length);
    for (const [key, expectedRaw] of Object.entries(block as Record<string, unknown>)) {
      const expected = strings(expectedRaw);
      const values = lowered.get(key.toLowerCase());
      if (name === "Null") {
        const absent = values === undefined;
        if (!expected.some((e) => (e.toLowerCase() === "true") === absent)) return false;
        continue;
      }
      const op = COMPARE[name];
      if (!op) return false;
      if (values === undefined || values.length === 0) {
        if (ifExists || set === "ForAllValues" || op.negated) continue;
        return false;
      }
      const matches = (value: string) => expected.some((e) => op.compare(e, value));
      let holds: boolean;
      if (set === "ForAllValues") holds = values.every((v) => (op.negated ? !matches(v) : matches(v)));
      else if (set === "ForAnyValue") holds = values.some((v) => (op.negated ? !matches(v) : matches(v)));
      else holds = op.negated ? !values.some(matches) : values.some(matches);
      if (!holds) return false;
    }
  }
  return true;
}
