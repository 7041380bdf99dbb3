import { comparison, Cursor, FilterPatternError, type ValueMatcher } from "./values.js";

/**
 * JSON patterns: `{ $.level = "ERROR" }`, `{ $.latency > 500 }`, `{ $.a.b[0] = "x*" }`,
 * `{ ($.x = 1 || $.y != "z") && $.ok IS TRUE }`, `IS TRUE|FALSE|NULL`, `NOT EXISTS`, `%regex%`
 * values. Only events whose whole message is JSON can match.
 */

type Step = { key: string } | { index: number } | { any: true };
type Node = (root: unknown) => boolean;

export function compileJson(pattern: string): (message: string) => boolean {
  const cursor = new Cursor(pattern);
  cursor.expect("{", "{");
  const node = parseOr(cursor);
  cursor.expect("}", "} closing the JSON pattern");
  if (!cursor.done) throw cursor.error("unexpected text after }");
  return (message) => {
    const root = parseJsonMessage(message);
    return root !== NOT_JSON && node(root);
  };
}

const NOT_JSON = Symbol("not json");

/**
 * The values a JSON pattern's selectors (`$.a.b`, `$.list[0]`) reach in a message, keyed by the
 * selector as written: what TestMetricFilter reports and what metric filters publish.
 */
export function jsonSelectorValues(pattern: string, message: string): Record<string, unknown> {
  const root = parseJsonMessage(message);
  const out: Record<string, unknown> = {};
  if (root === NOT_JSON) return out;
  for (const [selector] of pattern.matchAll(SELECTOR)) {
    try {
      const value = select(root, parseSelector(new Cursor(selector)));
      if (value.length > 0) out[selector] = value[0];
    } catch {
      // not a selector after all (inside a quoted value)
    }
  }
  return out;
}

const SELECTOR = /\$(?:\.\*|\.[^\s.[\]=!<>&|(){}"]+|\[[^\]]*\])+/g;

function parseJsonMessage(message: string): unknown {
  const trimmed = message.trim();
  if (!trimmed.startsWith("{") && !trimmed.startsWith("[")) return NOT_JSON;
  try {
    return JSON.parse(trimmed);
  } catch {
    return NOT_JSON;
  }
}

function parseOr(cursor: Cursor): Node {
  const parts = [parseAnd(cursor)];
  while (cursor.accept("||")) parts.push(parseAnd(cursor));
  return parts.length === 1 ? parts[0]! : (root) => parts.some((p) => p(root));
}

function parseAnd(cursor: Cursor): Node {
  const parts = [parseUnary(cursor)];
  while (cursor.accept("&&")) parts.push(parseUnary(cursor));
  return parts.length === 1 ? parts[0]! : (root) => parts.every((p) => p(root));
}

function parseUnary(cursor: Cursor): Node {
  if (cursor.accept("(")) {
    const inner = parseOr(cursor);
    cursor.expect(")", ")");
    return inner;
  }
  return parseCondition(cursor);
}

function parseCondition(cursor: Cursor): Node {
  const path = parseSelector(cursor);
  if (cursor.acceptWord("IS")) {
    if (cursor.acceptWord("TRUE")) return (root) => select(root, path).some((v) => v === true);
    if (cursor.acceptWord("FALSE")) return (root) => select(root, path).some((v) => v === false);
    if (cursor.acceptWord("NULL")) return (root) => select(root, path).some((v) => v === null);
    throw cursor.error("expected TRUE, FALSE or NULL after IS");
  }
  if (cursor.acceptWord("NOT")) {
    if (!cursor.acceptWord("EXISTS")) throw cursor.error("expected EXISTS after NOT");
    return (root) => select(root, path).length === 0;
  }
  if (cursor.acceptWord("EXISTS")) return (root) => select(root, path).length > 0;
  const op = cursor.comparator();
  if (!op) throw cursor.error("expected a comparison operator (=, !=, <, >, <=, >=), IS or NOT EXISTS");
  const matcher: ValueMatcher = comparison(op, cursor.value(")}"), false);
  return (root) => select(root, path).some((v) => matcher(v));
}

/** `$.a.b[0].c`, `$.list[*]`, `$.*`; keys may hold any character but separators and operators. */
function parseSelector(cursor: Cursor): Step[] {
  if (!cursor.accept("$")) throw cursor.error("expected a selector starting with $");
  const steps: Step[] = [];
  const text = cursor.text;
  for (;;) {
    const c = text[cursor.pos];
    if (c === ".") {
      cursor.pos++;
      if (text[cursor.pos] === "*") {
        cursor.pos++;
        steps.push({ any: true });
        continue;
      }
      const start = cursor.pos;
      while (cursor.pos < text.length && !/[\s.[\]=!<>&|(){}]/.test(text[cursor.pos] ?? "")) cursor.pos++;
      if (cursor.pos === start) throw cursor.error("expected a key after .");
      steps.push({ key: text.slice(start, cursor.pos) });
    } else if (c === "[") {
      cursor.pos++;
      const close = text.indexOf("]", cursor.pos);
      if (close < 0) throw cursor.error("unterminated [");
      const inner = text.slice(cursor.pos, close).trim();
      cursor.pos = close + 1;
      if (inner === "*") steps.push({ any: true });
      else if (/^\d+$/.test(inner)) steps.push({ index: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ key: inner.slice(1, -1) });
      else throw new FilterPatternError(`Invalid array index [${inner}] in filter pattern`);
    } else break;
  }
  if (steps.length === 0) throw cursor.error("a selector needs at least one key after $");
  return steps;
}

/** Every value the selector reaches (several with `[*]`); empty when the path does not exist. */
function select(root: unknown, steps: Step[]): unknown[] {
  let current: unknown[] = [root];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of current) {
      if ("key" in step) {
        if (isObject(value) && Object.prototype.hasOwnProperty.call(value, step.key))
          next.push(value[step.key]);
      } else if ("index" in step) {
        if (Array.isArray(value) && step.index < value.length) next.push(value[step.index]);
      } else if (Array.isArray(value)) next.push(...value);
      else if (isObject(value)) next.push(...Object.values(value));
    }
    current = next;
  }
  return current;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
