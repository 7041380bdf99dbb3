/**
 * Fault injection for tests of clients (index-sync's retries, dead-lettering): a side door at
 * `/_emulator/opensearch/faults` adds rules that make bulk items or whole requests fail with
 * 429 or 5xx, either for the next `count` occurrences or at a `rate` (seeded, so reproducible).
 */

export type FaultScope = "bulk-items" | "request";

/** The domain a request went to: its name and `<region>/<name>`. */
export interface DomainLabel {
  name: string;
  label: string;
}

export interface FaultRule {
  id: number;
  status: number;
  scope: FaultScope;
  /** Failures left to inject; undefined when the rule works by rate. */
  remaining?: number;
  rate?: number;
  /** Limit to one domain (`<domain>` or `<region>/<domain>`) and/or index; default: all. */
  domain?: string;
  index?: string;
  /** For `request` rules: only this operation (bulk, index, update, delete, get, search, count, refresh, indices). */
  operation?: string;
  /** For `bulk-items` rules: only the item with this document id. */
  docId?: string;
  injected: number;
}

export const FAULT_STATUSES: Record<FaultScope, number[]> = {
  "bulk-items": [429, 500, 503],
  request: [429, 500, 502, 503, 504],
};

export class FaultInjector {
  private rules: FaultRule[] = [];
  private nextId = 1;
  private random: () => number = mulberry32(1);

  /** Validates and adds a rule; returns it, or an error message naming the fix. */
  add(spec: Record<string, unknown>): FaultRule | string {
    const scope = spec["scope"] ?? "bulk-items";
    if (scope !== "bulk-items" && scope !== "request")
      return `scope must be "bulk-items" or "request", got ${JSON.stringify(scope)}`;
    const status = spec["status"];
    if (typeof status !== "number" || !FAULT_STATUSES[scope].includes(status)) {
      return `status must be one of ${FAULT_STATUSES[scope].join(", ")} for scope ${scope}, got ${JSON.stringify(status)}`;
    }
    const count = spec["count"];
    const rate = spec["rate"];
    if ((count === undefined) === (rate === undefined))
      return "give exactly one of count (a positive integer) or rate (0 < rate <= 1)";
    if (count !== undefined && (typeof count !== "number" || !Number.isInteger(count) || count < 1)) {
      return `count must be a positive integer, got ${JSON.stringify(count)}`;
    }
    if (rate !== undefined && (typeof rate !== "number" || !(rate > 0 && rate <= 1))) {
      return `rate must be a number with 0 < rate <= 1, got ${JSON.stringify(rate)}`;
    }
    if (spec["seed"] !== undefined) {
      if (typeof spec["seed"] !== "number") return "seed must be a number";
      this.random = mulberry32(spec["seed"]);
    }
    if (spec["docId"] !== undefined && scope !== "bulk-items")
      return "docId applies to bulk-items rules only";
    if (spec["operation"] !== undefined && scope !== "request")
      return "operation applies to request rules only";
    for (const key of ["domain", "index", "operation", "docId"]) {
      if (spec[key] !== undefined && typeof spec[key] !== "string") return `${key} must be a string`;
    }
    const rule: FaultRule = {
      id: this.nextId++,
      status,
      scope,
      ...(count !== undefined ? { remaining: count as number } : { rate: rate as number }),
      ...(spec["domain"] !== undefined ? { domain: spec["domain"] as string } : {}),
      ...(spec["index"] !== undefined ? { index: spec["index"] as string } : {}),
      ...(spec["operation"] !== undefined ? { operation: spec["operation"] as string } : {}),
      ...(spec["docId"] !== undefined ? { docId: spec["docId"] as string } : {}),
      injected: 0,
    };
    this.rules.push(rule);
    return rule;
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  clear(): number {
    const n = this.rules.length;
    this.rules = [];
    return n;
  }

  /** The status to fail this request with, if a `request` rule fires. */
  forRequest(domain: DomainLabel, operation: string, index: string | undefined): number | undefined {
    return this.fire("request", domain, index, operation, undefined);
  }

  /** The status to fail this bulk item with, if a `bulk-items` rule fires. */
  forBulkItem(domain: DomainLabel, index: string, id: string | undefined): number | undefined {
    return this.fire("bulk-items", domain, index, undefined, id);
  }

  private fire(
    scope: FaultScope,
    domain: DomainLabel,
    index: string | undefined,
    operation: string | undefined,
    id: string | undefined,
  ): number | undefined {
    for (const rule of this.rules) {
      if (rule.scope !== scope) continue;
      if (rule.domain !== undefined && rule.domain !== domain.name && rule.domain !== domain.label) continue;
      if (rule.index !== undefined && rule.index !== index) continue;
      if (rule.operation !== undefined && rule.operation !== operation) continue;
      if (rule.docId !== undefined && rule.docId !== id) continue;
      if (rule.remaining !== undefined) {
        if (rule.remaining <= 0) continue;
        rule.remaining--;
      } else if (this.random() >= (rule.rate ?? 0)) continue;
      rule.injected++;
      return rule.status;
    }
    return undefined;
  }
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
