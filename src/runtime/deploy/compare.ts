import type { DeployAction, FieldChange } from "./types.js";

/**
 * Normalises a policy-like or configuration value for comparison: keys sorted, undefined and empty
 * objects dropped, one-element arrays as their element (IAM and SQS may return `"Action": "x"` for
 * a declared `["x"]`), JSON text parsed, and URL-encoded JSON decoded (IAM returns documents so).
 */
export function normalise(value: unknown): unknown {
  if (typeof value === "string") {
    const json = parseJsonText(value);
    return json === undefined ? value : normalise(json);
  }
  if (Array.isArray(value)) {
    const items = value.map(normalise);
    return items.length === 1 ? items[0] : items;
  }
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const child = normalise((value as Record<string, unknown>)[key]);
      if (child === undefined) continue;
      if (isEmptyObject(child)) continue;
      out[key] = child;
    }
    return out;
  }
  return value;
}

function isEmptyObject(value: unknown): boolean {
  return (
    value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0
  );
}

function parseJsonText(text: string): unknown {
  let candidate = text.trim();
  if (/^%7B/i.test(candidate)) {
    try {
      candidate = decodeURIComponent(candidate);
    } catch {
      return undefined;
    }
  }
  if (!candidate.startsWith("{") && !candidate.startsWith("[")) return undefined;
  try {
    return JSON.parse(candidate) as unknown;
  } catch {
    return undefined;
  }
}

export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(normalise(a)) === JSON.stringify(normalise(b));
}

/**
 * True when every key the declaration sets has the same value live; keys only the live side has
 * (defaults AWS fills in) do not count. Arrays must have the same length.
 */
export function declaredSubsetEqual(declared: unknown, live: unknown): boolean {
  const d = normalise(declared);
  const l = normalise(live);
  return subset(d, l);
}

function subset(d: unknown, l: unknown): boolean {
  if (Array.isArray(d)) {
    return Array.isArray(l) && d.length === l.length && d.every((item, i) => subset(item, l[i]));
  }
  if (d !== null && typeof d === "object") {
    if (l === null || typeof l !== "object" || Array.isArray(l)) return false;
    return Object.entries(d).every(([key, value]) => subset(value, (l as Record<string, unknown>)[key]));
  }
  return d === l;
}

/** Collects field changes; `compare` adds one when live and declared differ. */
export class ChangeList {
  readonly changes: FieldChange[] = [];

  compare(
    field: string,
    before: unknown,
    after: unknown,
    options: { replaceRequired?: boolean; subset?: boolean; display?: (value: unknown) => unknown } = {},
  ): boolean {
    const equal = options.subset ? declaredSubsetEqual(after, before) : sameValue(before, after);
    if (equal) return false;
    const show = options.display ?? ((value: unknown) => value);
    this.changes.push({
      field,
      before: show(before),
      after: show(after),
      ...(options.replaceRequired ? { replaceRequired: true } : {}),
    });
    return true;
  }

  add(change: FieldChange): void {
    this.changes.push(change);
  }

  has(field: string): boolean {
    return this.changes.some((change) => change.field === field || change.field.startsWith(`${field}.`));
  }

  get updatable(): FieldChange[] {
    return this.changes.filter((change) => !change.replaceRequired);
  }
}

export function decideAction(exists: boolean, changes: readonly FieldChange[]): DeployAction {
  if (!exists) return "create";
  if (changes.some((change) => change.replaceRequired)) return "replace-required";
  return changes.length > 0 ? "update" : "no-change";
}
