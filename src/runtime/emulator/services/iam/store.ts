/**
 * IAM state per account (IAM is global, so no region): roles, users, groups, customer managed
 * policies, instance profiles, OpenID Connect providers and the password policy. Changes are
 * journal entries applied through `apply`, on the live path and on replay. Names are unique
 * regardless of case, as in IAM; a record keeps the case it was created with.
 */

export interface Tag {
  Key: string;
  Value: string;
}

/** Inline policies by name, in insertion order. */
export type InlinePolicies = [string, string][];

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
  inlinePolicies: InlinePolicies;
  attachedPolicyArns: string[];
  /** The AWS service a service-linked role belongs to (its path is /aws-service-role/<service>/). */
  serviceLinked?: string;
}

export interface AccessKeyRecord {
  id: string;
  secret: string;
  status: "Active" | "Inactive";
  createDate: number;
}

export interface UserRecord {
  name: string;
  path: string;
  userId: string;
  createDate: number;
  permissionsBoundary?: string;
  tags: Tag[];
  inlinePolicies: InlinePolicies;
  attachedPolicyArns: string[];
  accessKeys: AccessKeyRecord[];
}

export interface GroupRecord {
  name: string;
  path: string;
  groupId: string;
  createDate: number;
  inlinePolicies: InlinePolicies;
  attachedPolicyArns: string[];
  /** Member user names, as created. */
  members: string[];
}

export interface PolicyVersionRecord {
  versionId: string;
  document: string;
  createDate: number;
}

export interface ManagedPolicyRecord {
  name: string;
  path: string;
  policyId: string;
  createDate: number;
  updateDate: number;
  description?: string;
  defaultVersionId: string;
  /** Oldest first. */
  versions: PolicyVersionRecord[];
  /** The number the next version gets (IAM never reuses a version number). */
  nextVersion: number;
  tags: Tag[];
}

export interface InstanceProfileRecord {
  name: string;
  path: string;
  instanceProfileId: string;
  createDate: number;
  /** Role names (at most one, IAM's quota). */
  roles: string[];
  tags: Tag[];
}

export interface OidcProviderRecord {
  /** Host and path of the issuer URL, without `https://` (the ARN's resource part). */
  url: string;
  clientIds: string[];
  thumbprints: string[];
  createDate: number;
  tags: Tag[];
}

export interface PasswordPolicyRecord {
  minimumPasswordLength: number;
  requireSymbols: boolean;
  requireNumbers: boolean;
  requireUppercaseCharacters: boolean;
  requireLowercaseCharacters: boolean;
  allowUsersToChangePassword: boolean;
  maxPasswordAge?: number;
  passwordReusePrevention?: number;
  hardExpiry?: boolean;
}

interface EntityKinds {
  role: RoleRecord;
  user: UserRecord;
  group: GroupRecord;
  policy: ManagedPolicyRecord;
  instanceProfile: InstanceProfileRecord;
  oidcProvider: OidcProviderRecord;
}
export type EntityKind = keyof EntityKinds;
export type EntityOf<K extends EntityKind> = EntityKinds[K];

export type IamEntry =
  | { [K in EntityKind]: { t: "put"; account: string; kind: K; record: EntityKinds[K] } }[EntityKind]
  | { t: "remove"; account: string; kind: EntityKind; key: string }
  | { t: "passwordPolicy"; account: string; policy: PasswordPolicyRecord | null }
  // Entries of the first journal format (roles only), still applied on replay.
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

interface AccountSnapshot {
  account: string;
  roles: RoleRecord[];
  users?: UserRecord[];
  groups?: GroupRecord[];
  policies?: ManagedPolicyRecord[];
  instanceProfiles?: InstanceProfileRecord[];
  oidcProviders?: OidcProviderRecord[];
  passwordPolicy?: PasswordPolicyRecord;
}

export interface IamSnapshot {
  version: 1 | 2;
  accounts: AccountSnapshot[];
}

class AccountState {
  readonly role = new Map<string, RoleRecord>();
  readonly user = new Map<string, UserRecord>();
  readonly group = new Map<string, GroupRecord>();
  readonly policy = new Map<string, ManagedPolicyRecord>();
  readonly instanceProfile = new Map<string, InstanceProfileRecord>();
  readonly oidcProvider = new Map<string, OidcProviderRecord>();
  passwordPolicy: PasswordPolicyRecord | undefined;
}

/** The key an entity is stored under: its name (OIDC providers: their URL), case-folded. */
export function entityKey(kind: EntityKind, record: { name?: string; url?: string }): string {
  return (kind === "oidcProvider" ? (record.url ?? "") : (record.name ?? "")).toLowerCase();
}

export class IamState {
  private readonly accounts = new Map<string, AccountState>();

  private account(account: string): AccountState {
    let state = this.accounts.get(account);
    if (!state) this.accounts.set(account, (state = new AccountState()));
    return state;
  }

  get<K extends EntityKind>(account: string, kind: K, key: string): EntityOf<K> | undefined {
    return (this.accounts.get(account)?.[kind] as Map<string, EntityOf<K>> | undefined)?.get(
      key.toLowerCase(),
    );
  }

  list<K extends EntityKind>(account: string, kind: K): EntityOf<K>[] {
    return [
      ...((this.accounts.get(account)?.[kind] as Map<string, EntityOf<K>> | undefined)?.values() ?? []),
    ];
  }

  accountIds(): string[] {
    return [...this.accounts.keys()];
  }

  role(account: string, name: string): RoleRecord | undefined {
    return this.get(account, "role", name);
  }

  roles(account: string): RoleRecord[] {
    return this.list(account, "role");
  }

  passwordPolicy(account: string): PasswordPolicyRecord | undefined {
    return this.accounts.get(account)?.passwordPolicy;
  }

  apply(entry: IamEntry): void {
    switch (entry.t) {
      case "put": {
        const map = this.account(entry.account)[entry.kind] as Map<string, unknown>;
        map.set(entityKey(entry.kind, entry.record), structuredClone(entry.record));
        return;
      }
      case "remove":
        this.accounts.get(entry.account)?.[entry.kind].delete(entry.key.toLowerCase());
        return;
      case "passwordPolicy":
        this.account(entry.account).passwordPolicy = entry.policy ?? undefined;
        return;
      case "createRole":
        this.account(entry.account).role.set(entry.role.name.toLowerCase(), structuredClone(entry.role));
        return;
      case "deleteRole":
        this.accounts.get(entry.account)?.role.delete(entry.name.toLowerCase());
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
      version: 2,
      accounts: [...this.accounts.entries()].map(([account, s]) => ({
        account,
        roles: [...s.role.values()],
        users: [...s.user.values()],
        groups: [...s.group.values()],
        policies: [...s.policy.values()],
        instanceProfiles: [...s.instanceProfile.values()],
        oidcProviders: [...s.oidcProvider.values()],
        ...(s.passwordPolicy ? { passwordPolicy: s.passwordPolicy } : {}),
      })),
    };
  }

  /** Loads a snapshot of either format (version 1 held roles only). */
  restore(snapshot: IamSnapshot): void {
    for (const a of snapshot.accounts) {
      const put = <K extends EntityKind>(kind: K, records: EntityOf<K>[] | undefined) => {
        for (const record of records ?? []) {
          this.apply({ t: "put", account: a.account, kind, record } as IamEntry);
        }
      };
      put("role", a.roles);
      put("user", a.users);
      put("group", a.groups);
      put("policy", a.policies);
      put("instanceProfile", a.instanceProfiles);
      put("oidcProvider", a.oidcProviders);
      if (a.passwordPolicy) this.account(a.account).passwordPolicy = a.passwordPolicy;
    }
  }
}
