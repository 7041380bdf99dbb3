import { BlockList, isIP } from "node:net";
import { snsErrors } from "./errors.js";
import { MAX_FILTER_POLICY_BYTES, MAX_FILTER_POLICY_COMBINATIONS, MAX_FILTER_POLICY_KEYS } from "./limits.js";
import type { MessageAttribute } from "./models.js";

/**
 * Subscription filter policies (sns-subscription-filter-policies, -constraints). A policy maps
 * property names to arrays of conditions: keys are AND'ed, the conditions of one key OR'ed, and
 * `$or` offers alternative sets of keys. With scope `MessageAttributes` (the default) the keys
 * are message attribute names and the policy must be flat; with `MessageBody` they are paths into
 * the JSON message (nesting allowed; a path through an array matches any element).
 *
 * Conditions: exact strings, numbers, true/false/null; `prefix`, `suffix`, `equals-ignore-case`;
 * `anything-but` (a value, a list, or `{prefix|suffix}`); `numeric` (=, <, <=, >, >= and ranges);
 * `exists`; `cidr`. Values are compared by type, as SNS does: a String attribute matches string
 * conditions, a Number attribute numeric ones, a String.Array attribute element by element, and a
 * Binary attribute only `exists`.
 */

export type FilterPolicyScope = "MessageAttributes" | "MessageBody";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Condition = Json;
/** One alternative of a policy: flattened key path -> conditions. */
type Alternative = Map<string, Condition[]>;

export interface CompiledFilterPolicy {
  scope: FilterPolicyScope;
  alternatives: Alternative[];
}

const STRING_OPERATORS = new Set(["prefix", "suffix", "equals-ignore-case"]);
const NUMERIC_OPERATORS = new Set(["<", "<=", "=", ">", ">="]);

/**
 * Parses and checks a policy the way Subscribe / SetSubscriptionAttributes do; `reasonPrefix` is
 * "Attributes Reason: " for Subscribe, "" for SetSubscriptionAttributes, as in AWS's messages.
 */
export function compileFilterPolicy(
  text: string,
  scope: FilterPolicyScope,
  reasonPrefix: string,
): CompiledFilterPolicy {
  const fail = (why: string) => snsErrors.invalidParameter(`${reasonPrefix}${why}`);
  if (Buffer.byteLength(text, "utf8") > MAX_FILTER_POLICY_BYTES) {
    throw fail("FilterPolicy: Filter policy is too long");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw fail("FilterPolicy: failed to parse JSON.");
  }
  if (!isObject(parsed)) throw fail("FilterPolicy: Filter policy must be a JSON object");
  const policy = parsed as Record<string, Json>;
  if (Object.keys(policy).length > MAX_FILTER_POLICY_KEYS) {
    throw fail(`FilterPolicy: Filter policy can not have more than ${MAX_FILTER_POLICY_KEYS} keys`);
  }
  const alternatives = flatten(policy, "", scope, fail);
  const combinations = alternatives.reduce(
    (sum, alternative) => sum + [...alternative.values()].reduce((product, c) => product * c.length, 1),
    0,
  );
  if (combinations > MAX_FILTER_POLICY_COMBINATIONS) throw fail("FilterPolicy: Filter policy is too complex");
  for (const alternative of alternatives) {
    for (const conditions of alternative.values()) for (const c of conditions) validateCondition(c, fail);
  }
  return { scope, alternatives };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function flatten(
  node: Record<string, Json>,
  path: string,
  scope: FilterPolicyScope,
  fail: (why: string) => Error,
): Alternative[] {
  let alternatives: Alternative[] = [new Map()];
  for (const [key, value] of Object.entries(node)) {
    if (key === "$or" && Array.isArray(value) && value.length > 1 && value.every(isObject)) {
      const branches = value.flatMap((branch) => flatten(branch as Record<string, Json>, path, scope, fail));
      alternatives = alternatives.flatMap((current) =>
        branches.map((branch) => new Map([...current, ...branch])),
      );
      continue;
    }
    const keyPath = path ? `${path}.${key}` : key;
    if (Array.isArray(value)) {
      if (value.length === 0) throw fail("FilterPolicy: Empty arrays are not allowed");
      for (const alternative of alternatives) alternative.set(keyPath, value);
    } else if (isObject(value)) {
      if (scope === "MessageAttributes") {
        throw fail("Filter policy scope MessageAttributes does not support nested filter policy");
      }
      const nested = flatten(value as Record<string, Json>, keyPath, scope, fail);
      alternatives = alternatives.flatMap((current) => nested.map((n) => new Map([...current, ...n])));
    } else {
      throw fail(`FilterPolicy: "${key}" must be an object or an array`);
    }
  }
  return alternatives;
}

function validateCondition(condition: Condition, fail: (why: string) => Error): void {
  if (condition === null || typeof condition !== "object") return;
  if (Array.isArray(condition)) {
    throw fail("FilterPolicy: Match value must be String, number, true, false, or null");
  }
  const entries = Object.entries(condition);
  if (entries.length !== 1) throw fail("FilterPolicy: Only one key allowed in match expression");
  const [operator, value] = entries[0]!;
  if (STRING_OPERATORS.has(operator)) {
    if (typeof value !== "string") throw fail(`FilterPolicy: ${operator} match pattern must be a string`);
    return;
  }
  switch (operator) {
    case "exists":
      if (typeof value !== "boolean") {
        throw fail("FilterPolicy: exists match pattern must be either true or false.");
      }
      return;
    case "anything-but":
      if (Array.isArray(value)) {
        for (const item of value) {
          if (item !== null && typeof item === "object") {
            throw fail("FilterPolicy: Inside anything but list, start|null|boolean is not supported.");
          }
        }
        return;
      }
      if (isObject(value)) {
        const [inner, pattern] = Object.entries(value)[0] ?? [];
        if (inner !== "prefix" && inner !== "suffix") {
          throw fail(`FilterPolicy: Unsupported anything-but pattern: ${inner}`);
        }
        if (typeof pattern !== "string") throw fail(`FilterPolicy: ${inner} match pattern must be a string`);
      }
      return;
    case "numeric":
      return validateNumeric(value, fail);
    case "cidr":
      if (typeof value !== "string" || parseCidr(value) === undefined) {
        throw fail(`FilterPolicy: Malformed CIDR ${JSON.stringify(value)}`);
      }
      return;
    default:
      throw fail(`FilterPolicy: Unrecognized match type ${operator}`);
  }
}

function validateNumeric(value: Json, fail: (why: string) => Error): void {
  if (!Array.isArray(value) || value.length === 0)
    throw fail("FilterPolicy: Invalid member in numeric match: ]");
  const [op1, v1, op2, v2, ...rest] = value;
  if (typeof op1 !== "string" || !NUMERIC_OPERATORS.has(op1)) {
    throw fail(`FilterPolicy: Unrecognized numeric range operator: ${String(op1)}`);
  }
  if (typeof v1 !== "number")
    throw fail(`FilterPolicy: Value of ${op1 === "=" ? "equals" : op1} must be numeric`);
  if (op2 === undefined) return;
  if (op1 !== ">" && op1 !== ">=") throw fail("FilterPolicy: Too many elements in numeric expression");
  if (op2 !== "<" && op2 !== "<=") throw fail(`FilterPolicy: Bad numeric range operator: ${String(op2)}`);
  if (typeof v2 !== "number") throw fail(`FilterPolicy: Value of ${op2} must be numeric`);
  if (v2 <= v1) throw fail("FilterPolicy: Bottom must be less than top");
  if (rest.length > 0) throw fail("FilterPolicy: Too many terms in numeric range expression");
}

function parseCidr(text: string): { list: BlockList } | undefined {
  const [address, bits] = text.split("/");
  const family = isIP(address ?? "");
  const prefix = Number(bits);
  if (!family || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128))
    return undefined;
  const list = new BlockList();
  list.addSubnet(address!, prefix, family === 4 ? "ipv4" : "ipv6");
  return { list };
}

// ---- matching -----------------------------------------------------------------------------------

/** Numbers compare with five digits after the decimal point, as SNS documents. */
function sameNumber(a: number, b: number): boolean {
  return Math.round(a * 1e5) === Math.round(b * 1e5);
}

function matchesValue(condition: Condition, value: Json): boolean {
  if (condition === null || typeof condition !== "object") {
    if (typeof condition === "number" && typeof value === "number") return sameNumber(condition, value);
    return condition === value;
  }
  const [operator, operand] = Object.entries(condition as Record<string, Json>)[0]!;
  switch (operator) {
    case "prefix":
      return typeof value === "string" && value.startsWith(operand as string);
    case "suffix":
      return typeof value === "string" && value.endsWith(operand as string);
    case "equals-ignore-case":
      return typeof value === "string" && value.toLowerCase() === (operand as string).toLowerCase();
    case "anything-but": {
      if (Array.isArray(operand)) return !operand.some((item) => matchesValue(item, value));
      if (isObject(operand)) {
        const [inner, pattern] = Object.entries(operand)[0]!;
        if (typeof value !== "string") return false;
        return inner === "prefix" ? !value.startsWith(pattern as string) : !value.endsWith(pattern as string);
      }
      return !matchesValue(operand, value);
    }
    case "numeric": {
      if (typeof value !== "number") return false;
      const terms = operand as Json[];
      for (let n = 0; n < terms.length; n += 2) {
        const op = terms[n] as string;
        const bound = terms[n + 1] as number;
        const ok =
          op === "="
            ? sameNumber(value, bound)
            : op === "<"
              ? value < bound
              : op === "<="
                ? value <= bound
                : op === ">"
                  ? value > bound
                  : value >= bound;
        if (!ok) return false;
      }
      return true;
    }
    case "cidr": {
      if (typeof value !== "string" || !isIP(value)) return false;
      const parsed = parseCidr(operand as string);
      return parsed !== undefined && parsed.list.check(value, isIP(value) === 4 ? "ipv4" : "ipv6");
    }
    default:
      return false;
  }
}

/** A key matches when any of its conditions matches any of the values found for it. */
function keyMatches(conditions: Condition[], values: Json[] | undefined): boolean {
  return conditions.some((condition) => {
    if (isObject(condition) && "exists" in condition) return condition["exists"] === (values !== undefined);
    return values !== undefined && values.some((value) => matchesValue(condition, value));
  });
}

/** The values an attribute offers to conditions; undefined when absent. */
function attributeValues(attribute: MessageAttribute | undefined): Json[] | undefined {
  if (attribute === undefined) return undefined;
  const type = attribute.DataType;
  if (type.startsWith("Binary")) return [];
  const text = attribute.StringValue ?? "";
  if (type.startsWith("Number")) {
    const n = Number(text);
    return Number.isFinite(n) ? [n] : [];
  }
  if (type === "String.Array") {
    try {
      const parsed = JSON.parse(text) as Json;
      return Array.isArray(parsed) ? parsed.filter((v) => v === null || typeof v !== "object") : [];
    } catch {
      return [];
    }
  }
  return [text];
}

/** Leaf values at a dotted path of a JSON body, descending through arrays; undefined when absent. */
function bodyValues(body: Json, path: string): Json[] | undefined {
  let nodes: Json[] = [body];
  for (const segment of path.split(".")) {
    const next: Json[] = [];
    for (const node of nodes.flatMap((n) => (Array.isArray(n) ? n : [n]))) {
      if (isObject(node) && segment in node) next.push((node as Record<string, Json>)[segment]!);
    }
    if (next.length === 0) return undefined;
    nodes = next;
  }
  const leaves = nodes.flatMap((n) => (Array.isArray(n) ? n : [n])).filter((n) => !isObject(n));
  return leaves.length === 0 ? undefined : leaves;
}

export function filterPolicyMatches(
  policy: CompiledFilterPolicy,
  message: { body: string; attributes: Record<string, MessageAttribute> },
): boolean {
  if (policy.scope === "MessageBody") {
    let body: Json;
    try {
      body = JSON.parse(message.body) as Json;
    } catch {
      return false;
    }
    if (!isObject(body)) return false;
    return policy.alternatives.some((alternative) =>
      [...alternative].every(([path, conditions]) => keyMatches(conditions, bodyValues(body, path))),
    );
  }
  return policy.alternatives.some((alternative) =>
    [...alternative].every(([name, conditions]) =>
      keyMatches(conditions, attributeValues(message.attributes[name])),
    ),
  );
}
