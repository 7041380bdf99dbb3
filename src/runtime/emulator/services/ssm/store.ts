/**
 * SSM Parameter Store state: parameters per account and region, each with its versions (at most
 * 100, oldest first), labels and tags. SecureString values are stored sealed (crypto.ts). Every
 * change is a journal entry applied through `apply`.
 */
export interface ParameterVersion {
  version: number;
  type: "String" | "StringList" | "SecureString";
  /** Clear text for String/StringList; sealed (Base64) for SecureString. */
  value: string;
  keyId?: string;
  description?: string;
  allowedPattern?: string;
  dataType: string;
  tier: "Standard" | "Advanced";
  policies: string[];
  labels: string[];
  lastModified: number;
  lastModifiedUser: string;
}

export interface ParameterRecord {
  scope: string;
  name: string;
  arn: string;
  versions: ParameterVersion[];
  tags: { Key: string; Value: string }[];
}

export type SsmEntry =
  { t: "put"; parameter: ParameterRecord } | { t: "delete"; scope: string; names: string[] };

export interface SsmSnapshot {
  version: 1;
  parameters: ParameterRecord[];
}

export function scopeOf(accountId: string, region: string): string {
  return `${accountId}/${region}`;
}

export class SsmState {
  private readonly byScope = new Map<string, Map<string, ParameterRecord>>();

  get(scope: string, name: string): ParameterRecord | undefined {
    return this.byScope.get(scope)?.get(name);
  }

  all(scope: string): ParameterRecord[] {
    return [...(this.byScope.get(scope)?.values() ?? [])];
  }

  count(): number {
    let n = 0;
    for (const scoped of this.byScope.values()) n += scoped.size;
    return n;
  }

  apply(entry: SsmEntry): void {
    if (entry.t === "put") {
      let scoped = this.byScope.get(entry.parameter.scope);
      if (!scoped) this.byScope.set(entry.parameter.scope, (scoped = new Map()));
      scoped.set(entry.parameter.name, structuredClone(entry.parameter));
      return;
    }
    for (const name of entry.names) this.byScope.get(entry.scope)?.delete(name);
  }

  toSnapshot(): SsmSnapshot {
    return { version: 1, parameters: [...this.byScope.values()].flatMap((m) => [...m.values()]) };
  }

  restore(snapshot: SsmSnapshot): void {
    for (const parameter of snapshot.parameters) this.apply({ t: "put", parameter });
  }
}
