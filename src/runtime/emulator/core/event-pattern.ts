import { BlockList, isIP } from "node:net";

/**
 * EventBridge event patterns (aws-behaviour.md §5.6), shared by EventBridge rules and Lambda event
 * source mapping FilterCriteria. A pattern mirrors the event's structure: every leaf is an array of
 * match values (OR'ed), fields are AND'ed, an array in the event matches when any element matches,
 * and fields from different elements of one event array never combine (Event Ruler's
 * "array-consistent" matching, which falls out of matching array elements one at a time).
 *
 * Decisions where AWS documents nothing, following Event Ruler:
 * - `exists` looks at leaf values only: `{"exists": true}` is false for an object or an empty
 *   array, and `{"exists": false}` is true for them; a `null` value exists.
 * - `anything-but` needs the field to be present (a `null` value counts); its string forms
 *   (prefix, suffix, wildcard, equals-ignore-case) only match string values, and value lists
 *   compare type and value (the number 5 is not the string "5").
 * - `$or` is an operator only when its value is an array of two or more objects (otherwise it is a
 *   plain field name, for backward compatibility, as in Event Ruler).
 */

const REASON_PREFIX = "Event pattern is not valid. Reason: ";

/** A pattern AWS would refuse; `message` is what InvalidEventPatternException carries. */
export class EventPatternError extends Error {
  override readonly name = "EventPatternError";
  constructor(readonly reason: string) {
    super(`${REASON_PREFIX}${reason}`);
  }
}

export interface CompiledEventPattern {
  /** The pattern as parsed JSON. */
  readonly source: Record<string, unknown>;
  matches(event: unknown): boolean;
}

type ValueTest = (value: unknown) => boolean;

type Matcher = { kind: "exists"; exists: boolean } | { kind: "value"; test: ValueTest };

interface FieldRule {
  key: string;
  leaf?: Matcher[];
  nested?: ObjectRule;
}

interface ObjectRule {
  fields: FieldRule[];
  /** Each group is an `$or`: at least one alternative must match the same object. */
  orGroups: ObjectRule[][];
}

const NUMERIC_OPERATORS = new Set(["<", "<=", "=", ">", ">="]);
const RESERVED_MATCH_KEYS = new Set([
  "prefix",
  "suffix",
  "equals-ignore-case",
  "wildcard",
  "anything-but",
  "numeric",
  "exists",
  "cidr",
]);
/** Wildcard values with more stars than this are "too complex" for EventBridge. */
const MAX_WILDCARDS = 5;

/** Parses and validates a pattern (JSON text or object); throws EventPatternError when invalid. */
export function compileEventPattern(pattern: string | Record<string, unknown>): CompiledEventPattern {
  let parsed: unknown = pattern;
  if (typeof pattern === "string") {
    try {
      parsed = JSON.parse(pattern);
    } catch (error) {
      throw new EventPatternError(
        `Filter is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  }
  if (!isPlainObject(parsed)) throw new EventPatternError("Filter is not an object");
  const rule = compileObject(parsed, "");
  return {
    source: parsed,
    matches: (event: unknown) => matchObject(rule, event),
  };
}

/** One-shot helper: does `event` (object or JSON text) match `pattern`? */
export function matchesEventPattern(pattern: string | Record<string, unknown>, event: unknown): boolean {
  return compileEventPattern(pattern).matches(typeof event === "string" ? JSON.parse(event) : event);
}

// ---------------------------------------------------------------------------------------------
// Compilation

function compileObject(pattern: Record<string, unknown>, path: string): ObjectRule {
  const rule: ObjectRule = { fields: [], orGroups: [] };
  for (const [key, value] of Object.entries(pattern)) {
    const fieldPath = path ? `${path}.${key}` : key;
    if (key === "$or" && isOrOperator(value)) {
      rule.orGroups.push(value.map((alternative) => compileObject(alternative, path)));
      continue;
    }
    if (Array.isArray(value)) {
      if (value.length === 0) throw new EventPatternError("Empty arrays are not allowed");
      rule.fields.push({ key, leaf: value.map((item) => compileMatchValue(item, fieldPath)) });
    } else if (isPlainObject(value)) {
      rule.fields.push({ key, nested: compileObject(value, fieldPath) });
    } else {
      throw new EventPatternError(`"${fieldPath}" must be an object or an array`);
    }
  }
  return rule;
}

function isOrOperator(value: unknown): value is Record<string, unknown>[] {
  if (!Array.isArray(value) || value.length < 2) return false;
  return value.every(
    (item) => isPlainObject(item) && !Object.keys(item).some((k) => RESERVED_MATCH_KEYS.has(k)),
  );
}

function compileMatchValue(item: unknown, path: string): Matcher {
  if (item === null || typeof item === "string" || typeof item === "boolean") {
    return { kind: "value", test: (value) => value === item };
  }
  if (typeof item === "number") {
    return { kind: "value", test: (value) => typeof value === "number" && value === item };
  }
  if (!isPlainObject(item)) {
    throw new EventPatternError(`Match value must be String, number, true, false, or null (at "${path}")`);
  }
  const entries = Object.entries(item);
  if (entries.length !== 1) throw new EventPatternError("Only one key allowed in match expression");
  const [operator, operand] = entries[0] as [string, unknown];
  switch (operator) {
    case "exists":
      if (typeof operand !== "boolean") {
        throw new EventPatternError("exists match pattern must be either true or false.");
      }
      return { kind: "exists", exists: operand };
    case "prefix":
    case "suffix":
      return { kind: "value", test: compilePrefixOrSuffix(operator, operand) };
    case "equals-ignore-case": {
      const expected = requireString(operand, "equals-ignore-case match pattern must be a string");
      return {
        kind: "value",
        test: (value) => typeof value === "string" && sameIgnoringCase(value, expected),
      };
    }
    case "wildcard": {
      const regex = compileWildcard(requireString(operand, "wildcard match pattern must be a string"));
      return { kind: "value", test: (value) => typeof value === "string" && regex.test(value) };
    }
    case "numeric":
      return { kind: "value", test: compileNumeric(operand) };
    case "cidr":
      return { kind: "value", test: compileCidr(operand) };
    case "anything-but":
      return { kind: "value", test: compileAnythingBut(operand) };
    default:
      throw new EventPatternError(`Unrecognized match type ${operator}`);
  }
}

function compilePrefixOrSuffix(operator: "prefix" | "suffix", operand: unknown): ValueTest {
  const at = (value: string, affix: string) =>
    operator === "prefix" ? value.startsWith(affix) : value.endsWith(affix);
  if (isPlainObject(operand)) {
    const keys = Object.keys(operand);
    if (keys.length !== 1 || keys[0] !== "equals-ignore-case") {
      throw new EventPatternError(`Unsupported ${operator} pattern: ${keys.join(", ") || "{}"}`);
    }
    const affix = requireString(operand["equals-ignore-case"], `${operator} match pattern must be a string`);
    const folded = affix.toLowerCase();
    return (value) => typeof value === "string" && at(value.toLowerCase(), folded);
  }
  const affix = requireString(operand, `${operator} match pattern must be a string`);
  return (value) => typeof value === "string" && at(value, affix);
}

function compileAnythingBut(operand: unknown): ValueTest {
  if (typeof operand === "string" || typeof operand === "number") {
    return (value) => value !== operand;
  }
  if (Array.isArray(operand)) {
    if (operand.length === 0) throw new EventPatternError("Empty arrays are not allowed");
    const allStrings = operand.every((v) => typeof v === "string");
    const allNumbers = operand.every((v) => typeof v === "number");
    if (!allStrings && !allNumbers) {
      throw new EventPatternError(
        "Inside anything but list, start|null|boolean is not supported; use only strings or only numbers.",
      );
    }
    const excluded = new Set<unknown>(operand);
    return (value) => !excluded.has(value);
  }
  if (isPlainObject(operand)) {
    const entries = Object.entries(operand);
    if (entries.length !== 1) throw new EventPatternError("Only one key allowed in match expression");
    const [inner, innerOperand] = entries[0] as [string, unknown];
    const values = anythingButStrings(inner, innerOperand);
    let excludedBy: (value: string, candidate: string) => boolean;
    switch (inner) {
      case "prefix":
        excludedBy = (value, candidate) => value.startsWith(candidate);
        break;
      case "suffix":
        excludedBy = (value, candidate) => value.endsWith(candidate);
        break;
      case "equals-ignore-case":
        excludedBy = (value, candidate) => sameIgnoringCase(value, candidate);
        break;
      case "wildcard": {
        const regexes = values.map(compileWildcard);
        return (value) => typeof value === "string" && !regexes.some((r) => r.test(value));
      }
      default:
        throw new EventPatternError(`Unsupported anything-but pattern: ${inner}`);
    }
    return (value) => typeof value === "string" && !values.some((candidate) => excludedBy(value, candidate));
  }
  throw new EventPatternError("Value of anything-but must be an array or single string/number value.");
}

function anythingButStrings(inner: string, operand: unknown): string[] {
  if (!["prefix", "suffix", "equals-ignore-case", "wildcard"].includes(inner)) {
    throw new EventPatternError(`Unsupported anything-but pattern: ${inner}`);
  }
  const values = typeof operand === "string" ? [operand] : operand;
  if (!Array.isArray(values) || values.length === 0 || !values.every((v) => typeof v === "string")) {
    throw new EventPatternError(
      `Inside anything-but/${inner}, the value must be a string or a list of strings.`,
    );
  }
  if ((inner === "prefix" || inner === "suffix") && values.some((v) => v === "")) {
    throw new EventPatternError("Null prefix/suffix not allowed");
  }
  return values as string[];
}

function compileNumeric(operand: unknown): ValueTest {
  if (!Array.isArray(operand)) throw new EventPatternError("Value of numeric must be an array.");
  if (operand.length === 0) throw new EventPatternError("Invalid member in numeric match: ]");
  const conditions: { op: string; bound: number }[] = [];
  const readPair = (index: number) => {
    const op = operand[index];
    if (typeof op !== "string")
      throw new EventPatternError(`Invalid member in numeric match: ${JSON.stringify(op)}`);
    if (!NUMERIC_OPERATORS.has(op)) throw new EventPatternError(`Unrecognized numeric range operator: ${op}`);
    const bound = operand[index + 1];
    if (typeof bound !== "number" || !Number.isFinite(bound)) {
      throw new EventPatternError(`Value of ${op === "=" ? "equals" : op} must be numeric`);
    }
    conditions.push({ op, bound });
  };
  readPair(0);
  if (operand.length > 2) {
    const first = conditions[0] as { op: string; bound: number };
    if (first.op !== ">" && first.op !== ">=") {
      throw new EventPatternError("Too many elements in numeric expression");
    }
    const secondOp = operand[2];
    if (secondOp !== "<" && secondOp !== "<=") {
      throw new EventPatternError(`Bad numeric range operator: ${JSON.stringify(secondOp)}`);
    }
    readPair(2);
    const second = conditions[1] as { op: string; bound: number };
    if (second.bound <= first.bound) throw new EventPatternError("Bottom must be less than top");
    if (operand.length > 4) throw new EventPatternError("Too many terms in numeric range expression");
  }
  return (value) =>
    typeof value === "number" &&
    conditions.every(({ op, bound }) => {
      switch (op) {
        case "<":
          return value < bound;
        case "<=":
          return value <= bound;
        case "=":
          return value === bound;
        case ">":
          return value > bound;
        default:
          return value >= bound;
      }
    });
}

function compileCidr(operand: unknown): ValueTest {
  const cidr = requireString(operand, "cidr match pattern must be a string");
  const parts = cidr.split("/");
  if (parts.length !== 2) throw new EventPatternError("Malformed CIDR, one '/' required");
  const [address, maskText] = parts as [string, string];
  if (!/^\d+$/.test(maskText)) throw new EventPatternError("Malformed CIDR, mask bits must be an integer");
  const family = isIP(address);
  const mask = Number(maskText);
  if (family === 0) throw new EventPatternError(`Nonstandard IP address: ${address}`);
  if (mask > (family === 4 ? 32 : 128)) {
    throw new EventPatternError(`Malformed CIDR, mask bits must be between 0 and ${family === 4 ? 32 : 128}`);
  }
  const type = family === 4 ? "ipv4" : "ipv6";
  const list = new BlockList();
  list.addSubnet(address, mask, type);
  return (value) => typeof value === "string" && isIP(value) === family && list.check(value, type);
}

/** `*` matches any run of characters; `\*` is a literal star and `\\` a backslash. */
function compileWildcard(pattern: string): RegExp {
  let source = "";
  let stars = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "\\") {
      const next = pattern[i + 1];
      if (next !== "*" && next !== "\\")
        throw new EventPatternError(`Invalid escape character at pos ${i + 1}`);
      source += escapeRegex(next);
      i++;
    } else if (c === "*") {
      if (pattern[i + 1] === "*")
        throw new EventPatternError(`Consecutive wildcard characters at pos ${i + 1}`);
      stars++;
      source += "[\\s\\S]*";
    } else {
      source += escapeRegex(c);
    }
  }
  if (stars > MAX_WILDCARDS) {
    throw new EventPatternError(
      "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character",
    );
  }
  return new RegExp(`^${source}$`, "u");
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

function requireString(value: unknown, message: string): string {
  if (typeof value !== "string") throw new EventPatternError(message);
  return value;
}

function sameIgnoringCase(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase() || a.toUpperCase() === b.toUpperCase();
}

// ---------------------------------------------------------------------------------------------
// Matching

const EMPTY: Record<string, unknown> = {};

function matchObject(rule: ObjectRule, value: unknown): boolean {
  return candidateObjects(value).some((candidate) => matchOne(rule, candidate));
}

function matchOne(rule: ObjectRule, object: Record<string, unknown>): boolean {
  for (const field of rule.fields) {
    const value = Object.hasOwn(object, field.key) ? object[field.key] : undefined;
    if (field.nested) {
      if (!matchObject(field.nested, value)) return false;
    } else if (!matchLeaf(field.leaf ?? [], value)) {
      return false;
    }
  }
  return rule.orGroups.every((group) => group.some((alternative) => matchOne(alternative, object)));
}

/** The objects a nested pattern is tried against: the object, or each object in an array. */
function candidateObjects(value: unknown): Record<string, unknown>[] {
  if (isPlainObject(value)) return [value];
  if (Array.isArray(value)) {
    const objects: Record<string, unknown>[] = [];
    collect(value, (item) => {
      if (isPlainObject(item)) objects.push(item);
    });
    if (objects.length > 0) return objects;
  }
  return [EMPTY];
}

function matchLeaf(matchers: Matcher[], value: unknown): boolean {
  const leaves: unknown[] = [];
  collect(value, (item) => {
    if (item !== undefined && !isPlainObject(item)) leaves.push(item);
  });
  return matchers.some((matcher) =>
    matcher.kind === "exists"
      ? matcher.exists === leaves.length > 0
      : leaves.some((leaf) => matcher.test(leaf)),
  );
}

function collect(value: unknown, visit: (item: unknown) => void): void {
  if (Array.isArray(value)) for (const item of value) collect(item, visit);
  else visit(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
