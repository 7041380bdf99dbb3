import type { Clock } from "../../core/clock.js";
import type { CredentialRegistry } from "../../core/credentials.js";
import type { RequestContext } from "../../core/request.js";
import { iamErrors } from "./errors.js";
import { isAwsPrincipal, asList, type ParsedPolicy } from "../../core/policy-document.js";
import {
  entityKey,
  type EntityKind,
  type EntityOf,
  type GroupRecord,
  type IamEntry,
  type IamState,
  type InstanceProfileRecord,
  type ManagedPolicyRecord,
  type RoleRecord,
  type UserRecord,
} from "./store.js";

/**
 * What every IAM operation group shares: the state, the clock, the journal, the credentials the
 * emulator issued, and lookups that fail with IAM's NoSuchEntity.
 */
export class IamCore {
  constructor(
    readonly state: IamState,
    readonly clock: Clock,
    private readonly commitEntry: (entry: IamEntry) => void,
    readonly credentials: CredentialRegistry,
  ) {}

  commit(entry: IamEntry): void {
    this.commitEntry(entry);
  }

  put<K extends EntityKind>(context: RequestContext, kind: K, record: EntityOf<K>): EntityOf<K> {
    this.commit({ t: "put", account: context.accountId, kind, record } as IamEntry);
    return this.state.get(context.accountId, kind, entityKey(kind, record))!;
  }

  remove(context: RequestContext, kind: EntityKind, key: string): void {
    this.commit({ t: "remove", account: context.accountId, kind, key });
  }

  role(context: RequestContext, name: string): RoleRecord {
    const role = this.state.get(context.accountId, "role", name);
    if (!role) throw iamErrors.noSuchRole(name);
    return structuredClone(role);
  }

  user(context: RequestContext, name: string): UserRecord {
    const user = this.state.get(context.accountId, "user", name);
    if (!user) throw iamErrors.noSuchUser(name);
    return structuredClone(user);
  }

  group(context: RequestContext, name: string): GroupRecord {
    const group = this.state.get(context.accountId, "group", name);
    if (!group) throw iamErrors.noSuchGroup(name);
    return structuredClone(group);
  }

  instanceProfile(context: RequestContext, name: string): InstanceProfileRecord {
    const profile = this.state.get(context.accountId, "instanceProfile", name);
    if (!profile) throw iamErrors.noSuchInstanceProfile(name);
    return structuredClone(profile);
  }

  /** The customer managed policy an ARN names in the caller's account, or undefined. */
  customerPolicy(context: RequestContext, arn: string): ManagedPolicyRecord | undefined {
    const match = /^arn:aws[\w-]*:iam::(\d{12}):policy(\/.*\/|\/)([^/]+)$/.exec(arn);
    if (!match || match[1] !== context.accountId) return undefined;
    const policy = this.state.get(context.accountId, "policy", match[3]!);
    return policy && policy.path === match[2] && policy.name === match[3]
      ? structuredClone(policy)
      : undefined;
  }

  /** Refuses same-account role and user principals that do not exist, as IAM does. */
  checkPrincipalsExist(context: RequestContext, policy: ParsedPolicy): void {
    for (const statement of policy.Statement) {
      const principal = statement.Principal ?? statement.NotPrincipal;
      if (typeof principal !== "object" || principal === null) continue;
      for (const value of asList((principal as Record<string, string | string[]>)["AWS"])) {
        if (!isAwsPrincipal(value)) continue;
        const match = /^arn:aws[\w-]*:iam::(\d{12}):(role|user)(\/.*\/|\/)([^/]+)$/.exec(value);
        if (!match || match[1] !== context.accountId) continue;
        const kind = match[2] === "role" ? "role" : "user";
        const entity = this.state.get(context.accountId, kind, match[4]!);
        if (!entity || entity.path !== match[3] || entity.name !== match[4]) {
          throw iamErrors.malformedPolicy(`Invalid principal in policy: "AWS":"${value}"`);
        }
      }
    }
  }
}

export function arnOf(
  accountId: string,
  type: "role" | "user" | "group" | "policy" | "instance-profile",
  path: string,
  name: string,
): string {
  return `arn:aws:iam::${accountId}:${type}${path}${name}`;
}

export function roleArn(role: RoleRecord, accountId: string): string {
  return arnOf(accountId, "role", role.path, role.name);
}
