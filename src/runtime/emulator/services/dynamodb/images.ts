import type { AttributeValue, Item, KeySchemaElement } from "./dynalite-engine.js";

/**
 * Item images as stream records carry them: whether a write changed anything (DynamoDB writes no
 * record for an identical rewrite), and the key attributes of an item.
 */

/** True when the two images hold the same attributes and values (sets unordered, numbers by value). */
export function sameItem(a: Item | undefined, b: Item | undefined): boolean {
  if (!a || !b) return a === b;
  return canonicalItem(a) === canonicalItem(b);
}

function canonicalItem(item: Item): string {
  return JSON.stringify(canonicalMap(item));
}

function canonicalMap(map: Record<string, AttributeValue>): unknown[] {
  return Object.keys(map)
    .sort()
    .map((name) => [name, canonicalValue(map[name] as AttributeValue)]);
}

function canonicalValue(value: AttributeValue): unknown {
  const [type, raw] = Object.entries(value)[0] ?? ["NULL", true];
  switch (type) {
    case "N":
      return ["N", normaliseNumber(String(raw))];
    case "NS":
      return ["NS", [...new Set((raw as string[]).map(normaliseNumber))].sort()];
    case "SS":
    case "BS":
      return [type, [...new Set(raw as string[])].sort()];
    case "M":
      return ["M", canonicalMap(raw as Record<string, AttributeValue>)];
    case "L":
      return ["L", (raw as AttributeValue[]).map(canonicalValue)];
    default:
      return [type, raw];
  }
}

/** "1.50" → "1.5", "-0" → "0", "1E2" → "100": numbers compare by value, as DynamoDB stores them. */
export function normaliseNumber(text: string): string {
  const match = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(text);
  if (!match) return text;
  const [, sign = "", whole = "", fraction = "", exponentText = "0"] = match;
  let digits = (whole + fraction).replace(/^0+/, "");
  let exponent = Number(exponentText) - fraction.length;
  if (digits === "") return "0";
  const trailing = /0+$/.exec(digits)?.[0].length ?? 0;
  digits = digits.slice(0, digits.length - trailing);
  exponent += trailing;
  return `${sign === "-" ? "-" : ""}${digits}e${exponent}`;
}

/** The key attributes of an item, in key schema order. */
export function keysOf(item: Item, keySchema: KeySchemaElement[]): Item {
  const keys: Item = {};
  for (const { AttributeName } of keySchema) {
    const value = item[AttributeName];
    if (value) keys[AttributeName] = value;
  }
  return keys;
}
