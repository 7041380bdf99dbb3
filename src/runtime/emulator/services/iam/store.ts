/**
 * IAM state: roles per account (IAM is global, so no region), with their inline and attached
 * policies. Changes are journal entries applied through `apply`, on the live path and on replay.
 * Role names are unique regardless of case, as in IAM.
 */

export interface Tag {
  Key: string;
  Value: string;
}

export interface RoleRecord {
  name: string;
  path: string;
  roleId: string;
  createDate: number;
  assumeRolePolicyDocument: string;
  description?: string;
  maxSessionDuration: number;
  permissionsBoundary?: string;
  tags: Tag[];
  /** Inline policies by name, in insertion order. */
  inlinePolicies: [string, string][];
  attachedPolicyArns: string[];
}

export type IamEntry =
  | { t: "createRole"; account: string; role: RoleRecord }
  | { t: "deleteRole"; account: string; name: string }
  | { t: "updateRole"; account: string; name: string; description?: string; maxSessionDuration?: number }
  | { t: "trust"; account: string; name: string; document: string }
  | { t: "putPolicy"; account: string; name: string; policy: string; document: string }
  | { t: "deletePolicy"; account: string; name: string; policy: string }
  | { t: "attach"; account: string; name: string; arn: string }
  | { t: "detach"; account: string; name: string; arn: string }
  | { t: "tag"; account: string; name: string; tags: Tag[] }
  | { t: "untag"; account: string; name: string; keys: string[] };

export interface IamSnapshot {
  version: 1;
  accounts: { account: string; roles: RoleRecord[] }[];
}

export class IamState {
  private readonly accounts = new Map<string, Map<string, RoleRecord>>();

  role(account: string, name: string): RoleRecord | undefined {
    return this.accounts.get(account)?.get(name.toLowerCase());
  }

  roles(account: string): RoleRecord[] {
    return [...(this.accounts.get(account)?.values() ?? [])];
  }

  apply(entry: IamEntry): void {
    if (entry.t === "createRole") {
      let roles = this.accounts.get(entry.account);
      if (!roles) this.accounts.set(entry.account, (roles = new Map()));
      roles.set(entry.role.name.toLowerCase(), structuredClone(entry.role));
      return;
    }
    if (entry.t === "deleteRole") {
      this.accounts.get(entry.account)?.delete(entry.name.toLowerCase());
      return;
    }
    const role = this.role(entry.account, entry.name);
    if (!role) return;
    switch (entry.t) {
      case "updateRole":
        if (entry.description !== undefined) role.description = entry.description;
        if (entry.maxSessionDuration !== undefined) role.maxSessionDuration = entry.maxSessionDuration;
        return;
      case "trust":
        role.assumeRolePolicyDocument = entry.document;
        return;
      case "putPolicy": {
        const existing = role.inlinePolicies.find(([name]) => name === entry.policy);
        if (existing) existing[1] = entry.document;
        else role.inlinePolicies.push([entry.policy, entry.document]);
        return;
      }
      case "deletePolicy":
        role.inlinePolicies = role.inlinePolicies.filter(([name]) => name !== entry.policy);
        return;
      case "attach":
        if (!role.attachedPolicyArns.includes(entry.arn)) role.attachedPolicyArns.push(entry.arn);
        return;
      case "detach":
        role.attachedPolicyArns = role.attachedPolicyArns.filter((arn) => arn !== entry.arn);
        return;
      case "tag":
        for (const tag of entry.tags) {
          const existing = role.tags.find((t) => t.Key === tag.Key);
          if (existing) existing.Value = tag.Value;
          else role.tags.push({ ...tag });
        }
        return;
      case "untag":
        role.tags = role.tags.filter((t) => !entry.keys.includes(t.Key));
        return;
    }
  }

  toSnapshot(): IamSnapshot {
    return {
      version: 1,
      accounts: [...this.accounts.entries()].map(([account, roles]) => ({
        account,
        roles: [...roles.values()],
      })),
    };
  }

  restore(snapshot: IamSnapshot): void {
    for (const { account, roles } of snapshot.accounts) {
      for (const role of roles) this.apply({ t: "createRole", account, role });
    }
  }
}
