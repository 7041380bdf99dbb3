import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import {
  memoizedParser,
  memoizedSource,
  originalParser,
  type ParserModule,
  type PegParser,
} from "../../../../../src/runtime/emulator/services/dynamodb/expression-parsers.js";

/**
 * The memoized parsers must answer exactly as dynalite's own on every input (same tree, same
 * attribute names and values marked used, same first error and its position), only in linear time.
 * Compared on random expressions small enough for the unmemoized parser, valid and broken.
 */
const require = createRequire(import.meta.url);
const { compare } = require("dynalite/db") as { compare: unknown };
const RESERVED = new Set(["NAME", "SIZE", "STATUS", "DATA", "VALUE", "KEY", "COUNT"]);

function context() {
  return {
    attrNames: { "#n": "name", "#m": "m", "#u": "unused" },
    attrVals: { ":v": { S: "x" }, ":w": { N: "1" }, ":l": { L: [{ S: "a" }] }, ":u": { S: "u" } },
    unusedAttrNames: { "#n": true, "#m": true, "#u": true } as Record<string, boolean>,
    unusedAttrVals: { ":v": true, ":w": true, ":l": true, ":u": true } as Record<string, boolean>,
    isReserved: (word: string) => RESERVED.has(word.toUpperCase()),
    compare,
  };
}

function outcome(parser: PegParser, input: string): unknown {
  const ctx = context();
  try {
    const result = parser.parse(input, { context: ctx });
    return { result, names: ctx.unusedAttrNames, values: ctx.unusedAttrVals };
  } catch (error) {
    const e = error as { name: string; message: string; location?: { start: { offset: number } } };
    return {
      error: e.name,
      message: e.message,
      offset: e.location?.start.offset,
      names: ctx.unusedAttrNames,
    };
  }
}

/** A small deterministic generator (mulberry32), so a failure is reproducible. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generators(next: () => number) {
  const pick = <T>(options: T[]): T => options[Math.floor(next() * options.length)] as T;
  const path = (): string =>
    pick(["a", "b.c", "x[1]", "#n", "#m.d", "name", "a[0].b", "#x", "size", "(a)", "((b))"]);
  const value = (): string => pick([":v", ":w", ":l", ":z", "(:v)"]);
  const operand = (depth: number): string =>
    next() < 0.2 && depth > 0 ? `size(${operand(depth - 1)})` : next() < 0.5 ? path() : value();
  const junk = (): string => pick(["", "", "", "", " AND", "(", ")", ",", " =", "!", " BETWEEN", "#"]);
  const condition = (depth: number): string => {
    const r = next();
    if (depth <= 0 || r < 0.25)
      return pick([
        () => `${operand(depth)} ${pick(["=", "<>", "<", "<=", ">", ">="])} ${operand(depth)}`,
        () => `${path()} BETWEEN ${value()} AND ${value()}`,
        () => `${path()} IN (${value()}, ${value()})`,
        () => `attribute_exists(${path()})`,
        () => `attribute_not_exists(${path()})`,
        () => `begins_with(${path()}, ${value()})`,
        () => `contains(${path()}, ${value()})`,
        () => `attribute_type(${path()}, ${value()})`,
        () => `nope(${path()})`,
      ])();
    if (r < 0.45) return `${condition(depth - 1)} AND ${condition(depth - 1)}`;
    if (r < 0.6) return `${condition(depth - 1)} OR ${condition(depth - 1)}`;
    if (r < 0.7) return `NOT ${condition(depth - 1)}`;
    if (r < 0.9) return `(${condition(depth - 1)})`;
    return `((${condition(depth - 1)}))`;
  };
  const update = (depth: number): string => {
    const setValue = (d: number): string =>
      d <= 0
        ? pick([value(), path()])
        : pick([
            () => `${setValue(d - 1)} + ${setValue(d - 1)}`,
            () => `${setValue(d - 1)} - ${value()}`,
            () => `if_not_exists(${path()}, ${setValue(d - 1)})`,
            () => `list_append(${setValue(d - 1)}, ${value()})`,
            () => `(${setValue(d - 1)})`,
          ])();
    const clauses = [
      () => `SET ${path()} = ${setValue(depth)}${next() < 0.4 ? `, ${path()} = ${setValue(depth)}` : ""}`,
      () => `REMOVE ${path()}${next() < 0.4 ? `, ${path()}` : ""}`,
      () => `ADD ${path()} ${value()}`,
      () => `DELETE ${path()} ${value()}`,
    ];
    return Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(clauses)()).join(" ");
  };
  const projection = (): string => Array.from({ length: 1 + Math.floor(next() * 4) }, path).join(", ");
  /** Sometimes breaks the expression: a token inserted or the text cut short. */
  const mangle = (text: string): string => {
    const r = next();
    if (r < 0.7) return text;
    const at = Math.floor(next() * (text.length + 1));
    return r < 0.85 ? text.slice(0, at) + junk() + text.slice(at) : text.slice(0, at);
  };
  return { condition, update, projection, mangle };
}

/** How many random expressions each parser gets (dynalite's condition parser is slow on nesting). */
const COUNTS: Record<ParserModule, number> = {
  conditionParser: 300,
  updateParser: 800,
  projectionParser: 800,
};

const cases: Record<ParserModule, (g: ReturnType<typeof generators>) => string> = {
  conditionParser: (g) => g.mangle(g.condition(3)),
  updateParser: (g) => g.mangle(g.update(2)),
  projectionParser: (g) => g.mangle(g.projection()),
};

describe("dynalite's expression parsers, memoized", () => {
  for (const [name, generate] of Object.entries(cases) as [ParserModule, (typeof cases)[ParserModule]][]) {
    const count = COUNTS[name];
    it(`${name}: the same answer as dynalite's parser on ${String(count)} random expressions`, () => {
      const original = originalParser(name);
      const memoized = memoizedParser(name);
      const g = generators(random(name.length * 7919));
      let parsed = 0;
      for (let i = 0; i < count; i++) {
        const input = generate(g);
        const expected = outcome(original, input);
        expect(outcome(memoized, input), input).toEqual(expected);
        if (!(expected as { error?: string }).error) parsed++;
      }
      // Both kinds were exercised: expressions that parse and ones that fail.
      expect(parsed).toBeGreaterThan(count / 16);
      expect(parsed).toBeLessThan(count - count / 16);
    });
  }

  it("parses nesting the unmemoized parser would take hours for", () => {
    // 12 levels of this took the unmemoized parser hours; 370 fill the 4 KB an expression may have.
    const nestedAnd = "a=:v AND (".repeat(370) + "a = :v" + ")".repeat(370);
    expect(Buffer.byteLength(nestedAnd)).toBeLessThanOrEqual(4096);
    expect(outcome(memoizedParser("conditionParser"), nestedAnd)).toMatchObject({
      result: { expression: { type: "and" } },
    });
    const nestedAppend = "SET a = " + "list_append(".repeat(200) + ":l" + ", :l)".repeat(200);
    expect(Buffer.byteLength(nestedAppend)).toBeLessThanOrEqual(4096);
    expect(outcome(memoizedParser("updateParser"), nestedAppend)).toMatchObject({ result: {} });
  });

  it("refuses a parser source it does not know instead of guessing", () => {
    expect(() => memoizedSource("module.exports = {}")).toThrow(/PEG\.js 0\.10/);
  });
});
