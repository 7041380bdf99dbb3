/**
 * Resource-based policy evaluation (an SQS queue policy, a Lambda function policy), for the places
 * where AWS itself checks one before a service writes on a customer's behalf: SNS delivering to a
 * queue or invoking a function. The rules IAM documents for resource policies: an explicit Deny
 * wins, else one matching Allow allows, else the request is implicitly denied. Matched are
 * Principal (service, account or ARN, `*`), Action/NotAction and Resource/NotResource with `*`
 * and `?` wildcards, and the String/Arn condition operators (with `IfExists` and the negated
 * forms) on the request's context keys (`aws:SourceArn`, `aws:SourceAccount`, ...), whose names
 * compare case-insensitively as in IAM.
 */

export interface PolicyRequest {
  /** Who asks: a service principal (sns.amazonaws.com) or an account / IAM ARN. */
  principal: { service?: string; account?: string; arn?: string };
  /** e.g. "sqs:SendMessage" */
  action: string;
  resource: string;
  /** Condition context keys, e.g. { "aws:SourceArn": topicArn, "aws:SourceAccount": "0000..." }. */
  context: Record<string, string | undefined>;
}

export type PolicyDecision = "allow" | "deny" | "implicit-deny";

interface Statement {
  Effect?: unknown;
  Principal?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
}

export function evaluateResourcePolicy(
  policyText: string | undefined,
  request: PolicyRequest,
): PolicyDecision {
  if (!policyText) return "implicit-deny";
  let policy: { Statement?: unknown };
  try {
    policy = JSON.parse(policyText) as { Statement?: unknown };
  } catch {
    return "implicit-deny";
  }
  const raw = policy?.Statement;
  const statements = (Array.isArray(raw) ? raw : raw ? [raw] : []) as Statement[];
  let allowed = false;
  for (const statement of statements) {
    if (!statement || typeof statement !== "object") continue;
    if (!applies(statement, request)) continue;
    if (statement.Effect === "Deny") return "deny";
    if (statement.Effect === "Allow") allowed = true;
  }
  return allowed ? "allow" : "implicit-deny";
}

function applies(statement: Statement, request: PolicyRequest): boolean {
  return (
    principalMatches(statement.Principal, request.principal) &&
    actionMatches(statement, request.action) &&
    resourceMatches(statement, request.resource) &&
    conditionsHold(statement.Condition, request.context)
  );
}

function strings(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === "string");
}

/** IAM wildcards: `*` any run of characters, `?` one character. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`, ignoreCase ? "is" : "s").test(value);
}

function principalMatches(principal: unknown, who: PolicyRequest["principal"]): boolean {
  if (principal === "*") return true;
  if (!principal || typeof principal !== "object") return false;
  const p = principal as { Service?: unknown; AWS?: unknown };
  if (who.service && strings(p.Service).some((s) => s.toLowerCase() === who.service!.toLowerCase())) {
    return true;
  }
  for (const entry of strings(p.AWS)) {
    if (entry === "*") return true;
    if (who.account && (entry === who.account || entry === `arn:aws:iam::${who.account}:root`)) return true;
    if (who.arn && wildcardMatch(entry, who.arn)) return true;
  }
  return false;
}

function actionMatches(statement: Statement, action: string): boolean {
  if (statement.Action !== undefined) {
    return strings(statement.Action).some((pattern) => wildcardMatch(pattern, action, true));
  }
  if (statement.NotAction !== undefined) {
    return !strings(statement.NotAction).some((pattern) => wildcardMatch(pattern, action, true));
  }
  return false;
}

function resourceMatches(statement: Statement, resource: string): boolean {
  if (statement.Resource !== undefined) {
    return strings(statement.Resource).some((pattern) => wildcardMatch(pattern, resource));
  }
  if (statement.NotResource !== undefined) {
    return !strings(statement.NotResource).some((pattern) => wildcardMatch(pattern, resource));
  }
  // Resource policies may leave Resource out: the statement is about the resource it is attached to.
  return true;
}

type Comparison = (pattern: string, value: string) => boolean;

const OPERATORS: Record<string, { compare: Comparison; negated: boolean }> = {
  StringEquals: { compare: (p, v) => p === v, negated: false },
  StringNotEquals: { compare: (p, v) => p === v, negated: true },
  StringEqualsIgnoreCase: { compare: (p, v) => p.toLowerCase() === v.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { compare: (p, v) => p.toLowerCase() === v.toLowerCase(), negated: true },
  StringLike: { compare: (p, v) => wildcardMatch(p, v), negated: false },
  StringNotLike: { compare: (p, v) => wildcardMatch(p, v), negated: true },
  ArnEquals: { compare: (p, v) => p === v, negated: false },
  ArnNotEquals: { compare: (p, v) => p === v, negated: true },
  ArnLike: { compare: (p, v) => wildcardMatch(p, v), negated: false },
  ArnNotLike: { compare: (p, v) => wildcardMatch(p, v), negated: true },
};

/**
 * Every operator block and every key in it must hold (AND); the values listed for one key are
 * alternatives (OR). A key the request does not carry fails a positive operator and satisfies a
 * negated one; `...IfExists` makes an absent key satisfy either. Unknown operators never hold, so
 * a policy the emulator cannot read denies rather than allows.
 */
function conditionsHold(condition: unknown, context: PolicyRequest["context"]): boolean {
  if (condition === undefined) return true;
  if (!condition || typeof condition !== "object") return false;
  const lowered = new Map(
    Object.entries(context)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key.toLowerCase(), value as string]),
  );
  for (const [rawOperator, block] of Object.entries(condition as Record<string, unknown>)) {
    const ifExists = rawOperator.endsWith("IfExists");
    const operator = OPERATORS[ifExists ? rawOperator.slice(0, -"IfExists".length) : rawOperator];
    if (!operator || !block || typeof block !== "object") return false;
    for (const [key, expected] of Object.entries(block as Record<string, unknown>)) {
      const value = lowered.get(key.toLowerCase());
      if (value === undefined) {
        if (ifExists || operator.negated) continue;
        return false;
      }
      const matched = strings(expected).some((pattern) => operator.compare(pattern, value));
      if (operator.negated ? matched : !matched) return false;
    }
  }
  return true;
}
