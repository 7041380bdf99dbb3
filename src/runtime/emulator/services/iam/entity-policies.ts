import type { RequestContext } from "../../core/request.js";
import { awsManagedPolicy, isAwsManagedArn } from "./aws-managed.js";
import type { IamCore } from "./core.js";
import { iamErrors } from "./errors.js";
import * as input from "./input.js";
import * as limits from "./limits.js";
import { policySize, validatePolicyDocument } from "../../core/policy-document.js";
import type { GroupRecord, RoleRecord, UserRecord } from "./store.js";

type Kind = "role" | "user" | "group";
type Entity = RoleRecord | UserRecord | GroupRecord;
type Input = Record<string, unknown>;
type Empty = Record<string, never>;

const NAME_MEMBER: Record<Kind, string> = { role: "RoleName", user: "UserName", group: "GroupName" };
const QUOTA: Record<Kind, string> = {
  role: "PoliciesPerRole",
  user: "PoliciesPerUser",
  group: "PoliciesPerGroup",
};

/**
 * Inline policies (Put/Get/Delete/List<Kind>Policy) and managed policy attachments
 * (Attach/Detach/ListAttached<Kind>Policies), which IAM offers alike for roles, users and groups.
 */
export class EntityPolicies {
  constructor(private readonly core: IamCore) {}

  private entity(kind: Kind, i: Input, context: RequestContext): Entity {
    const member = NAME_MEMBER[kind];
    const camel = member[0]!.toLowerCase() + member.slice(1);
    if (kind === "role") return this.core.role(context, input.roleName(i[member], camel));
    if (kind === "user") return this.core.user(context, input.userName(i[member], camel));
    return this.core.group(context, input.groupName(i[member], camel));
  }

  private save(kind: Kind, entity: Entity, context: RequestContext): void {
    if (kind === "role") this.core.put(context, "role", entity as RoleRecord);
    else if (kind === "user") this.core.put(context, "user", entity as UserRecord);
    else this.core.put(context, "group", entity as GroupRecord);
  }

  /** Service-linked roles belong to their service: customers cannot change their policies. */
  static protect(kind: Kind, entity: Entity): void {
    if (kind === "role" && (entity as RoleRecord).serviceLinked) {
      throw iamErrors.unmodifiable(
        `Cannot perform the operation on the protected role '${entity.name}' - this role is only modifiable by AWS`,
      );
    }
  }

  private noSuchInline(kind: Kind, entity: Entity, policy: string) {
    if (kind === "role") return iamErrors.noSuchRolePolicy(entity.name, policy);
    if (kind === "user") return iamErrors.noSuchUserPolicy(policy);
    return iamErrors.noSuchGroupPolicy(policy);
  }

  async putInline(kind: Kind, i: Input, context: RequestContext): Promise<Empty> {
    const entity = this.entity(kind, i, context);
    EntityPolicies.protect(kind, entity);
    const policy = input.policyName(i["PolicyName"]);
    const document = input.required(i["PolicyDocument"], "policyDocument");
    validatePolicyDocument(document, "identity");
    const max = limits.MAX_INLINE_POLICY_CHARS[kind];
    const total = entity.inlinePolicies
      .filter(([name]) => name !== policy)
      .reduce((sum, [, doc]) => sum + policySize(doc), policySize(document));
    if (total > max) {
      throw iamErrors.limitExceeded(
        `Maximum policy size of ${max} bytes exceeded for ${kind} ${entity.name}`,
      );
    }
    const existing = entity.inlinePolicies.find(([name]) => name === policy);
    if (existing) existing[1] = document;
    else entity.inlinePolicies.push([policy, document]);
    this.save(kind, entity, context);
    return {};
  }

  async getInline(kind: Kind, i: Input, context: RequestContext): Promise<Record<string, string>> {
    const entity = this.entity(kind, i, context);
    const policy = input.policyName(i["PolicyName"]);
    const found = entity.inlinePolicies.find(([name]) => name === policy);
    if (!found) throw this.noSuchInline(kind, entity, policy);
    return {
      [NAME_MEMBER[kind]]: entity.name,
      PolicyName: found[0],
      PolicyDocument: encodeURIComponent(found[1]),
    };
  }

  async deleteInline(kind: Kind, i: Input, context: RequestContext): Promise<Empty> {
    const entity = this.entity(kind, i, context);
    EntityPolicies.protect(kind, entity);
    const policy = input.policyName(i["PolicyName"]);
    if (!entity.inlinePolicies.some(([name]) => name === policy))
      throw this.noSuchInline(kind, entity, policy);
    entity.inlinePolicies = entity.inlinePolicies.filter(([name]) => name !== policy);
    this.save(kind, entity, context);
    return {};
  }

  async listInline(kind: Kind, i: Input, context: RequestContext): Promise<Record<string, unknown>> {
    const entity = this.entity(kind, i, context);
    const names = entity.inlinePolicies.map(([name]) => name).sort(input.compare);
    const page = input.paginate(names, (n) => n, i["Marker"], i["MaxItems"]);
    return { PolicyNames: page.items, ...input.pageInfo(page) };
  }

  async attach(kind: Kind, i: Input, context: RequestContext): Promise<Empty> {
    const entity = this.entity(kind, i, context);
    EntityPolicies.protect(kind, entity);
    const arn = input.policyArn(i["PolicyArn"]);
    if (!this.attachable(arn, context)) throw iamErrors.notAttachable(arn);
    if (entity.attachedPolicyArns.includes(arn)) return {};
    if (entity.attachedPolicyArns.length >= limits.MAX_MANAGED_POLICIES[kind]) {
      throw iamErrors.limitExceeded(
        `Cannot exceed quota for ${QUOTA[kind]}: ${limits.MAX_MANAGED_POLICIES[kind]}`,
      );
    }
    entity.attachedPolicyArns.push(arn);
    this.save(kind, entity, context);
    return {};
  }

  async detach(kind: Kind, i: Input, context: RequestContext): Promise<Empty> {
    const entity = this.entity(kind, i, context);
    EntityPolicies.protect(kind, entity);
    const arn = input.policyArn(i["PolicyArn"]);
    if (!entity.attachedPolicyArns.includes(arn)) throw iamErrors.policyNotAttached(arn);
    entity.attachedPolicyArns = entity.attachedPolicyArns.filter((a) => a !== arn);
    this.save(kind, entity, context);
    return {};
  }

  async listAttached(kind: Kind, i: Input, context: RequestContext): Promise<Record<string, unknown>> {
    const entity = this.entity(kind, i, context);
    const prefix = input.pathPrefix(i["PathPrefix"]);
    const attached = entity.attachedPolicyArns
      .map((arn) => ({
        PolicyArn: arn,
        PolicyName: arn.slice(arn.lastIndexOf("/") + 1),
        path: policyPath(arn),
      }))
      .filter((p) => p.path.startsWith(prefix))
      .sort((a, b) => input.compare(a.PolicyArn, b.PolicyArn));
    const page = input.paginate(attached, (p) => p.PolicyArn, i["Marker"], i["MaxItems"]);
    return {
      AttachedPolicies: page.items.map(({ PolicyName, PolicyArn }) => ({ PolicyName, PolicyArn })),
      ...input.pageInfo(page),
    };
  }

  /** An AWS managed policy IAM knows, or a customer managed policy of the caller's account. */
  private attachable(arn: string, context: RequestContext): boolean {
    if (isAwsManagedArn(arn)) return awsManagedPolicy(arn) !== undefined;
    return this.core.customerPolicy(context, arn) !== undefined;
  }
}

export function policyPath(arn: string): string {
  const resource = arn.slice(arn.indexOf(":policy/") + ":policy".length);
  return resource.slice(0, resource.lastIndexOf("/") + 1);
}
