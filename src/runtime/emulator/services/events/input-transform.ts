import type { EventEnvelope, RuleRecord, Target } from "./models.js";

/**
 * What a target receives (aws-behaviour.md §5.3): the whole event, a constant `Input`, the part an
 * `InputPath` selects, or an `InputTransformer` template filled from `InputPathsMap`.
 */

type PathStep = string | number;

/** Parses the JSONPath subset EventBridge accepts: `$`, `$.a.b`, `$.a[0]`, `$['a-b']`. */
export function parseJsonPath(path: string): PathStep[] | undefined {
  if (!path.startsWith("$")) return undefined;
  const steps: PathStep[] = [];
  let i = 1;
  while (i < path.length) {
    const c = path[i];
    if (c === ".") {
      const match = /^[^.[\]]+/.exec(path.slice(i + 1));
      if (!match) return undefined;
      steps.push(match[0]);
      i += 1 + match[0].length;
    } else if (c === "[") {
      const close = path.indexOf("]", i);
      if (close < 0) return undefined;
      const inside = path.slice(i + 1, close).trim();
      if (/^\d+$/.test(inside)) steps.push(Number(inside));
      else if (/^'[^']*'$/.test(inside) || /^"[^"]*"$/.test(inside)) steps.push(inside.slice(1, -1));
      else return undefined;
      i = close + 1;
    } else {
      return undefined;
    }
  }
  return steps;
}

export function selectPath(value: unknown, path: string): unknown {
  const steps = parseJsonPath(path);
  if (!steps) return undefined;
  let current: unknown = value;
  for (const step of steps) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[step];
  }
  return current;
}

const PLACEHOLDER = /<([A-Za-z0-9_.-]+)>/g;

export function renderInput(
  target: Target,
  event: EventEnvelope,
  rule: RuleRecord,
  ingestedAt: number,
): string {
  if (target.Input !== undefined) return target.Input;
  if (target.InputPath !== undefined) return JSON.stringify(selectPath(event, target.InputPath) ?? null);
  const transformer = target.InputTransformer;
  if (!transformer) return JSON.stringify(event);
  const values = new Map<string, unknown>();
  for (const [key, path] of Object.entries(transformer.InputPathsMap ?? {}))
    values.set(key, selectPath(event, path));
  const reserved: Record<string, unknown> = {
    "aws.events.rule-arn": rule.arn,
    "aws.events.rule-name": rule.name,
    "aws.events.event.ingestion-time": new Date(ingestedAt).toISOString(),
  };
  return transformer.InputTemplate.replace(PLACEHOLDER, (whole, key: string) => {
    if (key === "aws.events.event" || key === "aws.events.event.json") return JSON.stringify(event);
    const value = values.has(key) ? values.get(key) : reserved[key];
    if (!values.has(key) && !(key in reserved)) return whole;
    // Strings go in without quotes, so `"<name>"` in a JSON template stays one JSON string.
    if (typeof value === "string") return JSON.stringify(value).slice(1, -1);
    return value === undefined ? "null" : JSON.stringify(value);
  });
}
