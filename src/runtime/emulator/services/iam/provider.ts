import { randomBytes } from "node:crypto";
import type {
  AttachRolePolicyRequest,
  CreateRoleRequest,
  CreateRoleResponse,
  DeleteRolePolicyRequest,
  DeleteRoleRequest,
  DetachRolePolicyRequest,
  GetRolePolicyRequest,
  GetRolePolicyResponse,
  GetRoleRequest,
  GetRoleResponse,
  ListAttachedRolePoliciesRequest,
  ListAttachedRolePoliciesResponse,
  ListRolePoliciesRequest,
  ListRolePoliciesResponse,
  ListRolesRequest,
  ListRolesResponse,
  ListRoleTagsRequest,
  ListRoleTagsResponse,
  PutRolePolicyRequest,
  Role,
  TagRoleRequest,
  UntagRoleRequest,
  UpdateAssumeRolePolicyRequest,
  UpdateRoleRequest,
} from "@aws-sdk/client-iam";
import type { Clock } from "../../core/clock.js";
import type { RequestContext } from "../../core/request.js";
import { iamErrors } from "./errors.js";
import * as limits from "./limits.js";
import { validatePolicyDocument } from "./policy.js";
import type { IamEntry, IamState, RoleRecord, Tag } from "./store.js";

type Empty = Record<string, never>;

/**
 * One method per IAM operation. Inputs are the SDK's structured shapes (the query adapter in
 * index.ts decodes `member.N` lists into them); policy documents come back URL-encoded, as IAM
 * returns them. Policies are stored, not enforced.
 */
export class IamProvider {
  constructor(
    private readonly state: IamState,
    private readonly clock: Clock,
    private readonly commit: (entry: IamEntry) => void,
  ) {}

  async createRole(input: CreateRoleRequest, context: RequestContext): Promise<CreateRoleResponse> {
    const name = roleName(input.RoleName);
    const path = rolePath(input.Path);
    const document = required(input.AssumeRolePolicyDocument, "assumeRolePolicyDocument");
    checkTrustPolicy(document);
    const description = optionalText(input.Description, "description", limits.MAX_DESCRIPTION_LENGTH);
    const maxSessionDuration = sessionDuration(input.MaxSessionDuration) ?? limits.MIN_SESSION_DURATION;
    const tags = readTags(input.Tags, "tags");
    if (tags.length > limits.MAX_TAGS_PER_ROLE)
      throw iamErrors.limitExceeded(`Cannot exceed quota for TagsPerRole: ${limits.MAX_TAGS_PER_ROLE}`);
    if (this.state.role(context.accountId, name)) throw iamErrors.roleExists(name);
    const role: RoleRecord = {
      name,
      path,
      roleId: uniqueId("AROA"),
      createDate: this.clock.now(),
      assumeRolePolicyDocument: document,
      ...(description !== undefined ? { description } : {}),
      maxSessionDuration,
      ...(input.PermissionsBoundary ? { permissionsBoundary: policyArn(input.PermissionsBoundary) } : {}),
      tags,
      inlinePolicies: [],
      attachedPolicyArns: [],
    };
    this.commit({ t: "createRole", account: context.accountId, role });
    return { Role: renderRole(this.requireRole(context, name), context.accountId) };
  }

  async getRole(input: GetRoleRequest, context: RequestContext): Promise<GetRoleResponse> {
    const role = this.requireRole(context, roleName(input.RoleName));
    return { Role: { ...renderRole(role, context.accountId), RoleLastUsed: {} } };
  }

  async deleteRole(input: DeleteRoleRequest, context: RequestContext): Promise<Empty> {
    const role = this.requireRole(context, roleName(input.RoleName));
    if (role.inlinePolicies.length > 0) throw iamErrors.deleteConflictInline();
    if (role.attachedPolicyArns.length > 0) throw iamErrors.deleteConflictAttached();
    this.commit({ t: "deleteRole", account: context.accountId, name: role.name });
    return {};
  }

  async listRoles(input: ListRolesRequest, context: RequestContext): Promise<ListRolesResponse> {
    const prefix = input.PathPrefix ?? "/";
    const roles = this.state
      .roles(context.accountId)
      .filter((r) => r.path.startsWith(prefix))
      .sort((a, b) => compare(a.name.toLowerCase(), b.name.toLowerCase()));
    const page = paginate(roles, (r) => r.name.toLowerCase(), input.Marker, input.MaxItems);
    // ListRoles leaves out tags, the permissions boundary and last use, as IAM does.
    return {
      Roles: page.items.map((r) => {
        const { Tags: _tags, PermissionsBoundary: _boundary, ...rest } = renderRole(r, context.accountId);
        return rest;
      }),
      IsTruncated: page.marker !== undefined,
      ...(page.marker !== undefined ? { Marker: page.marker } : {}),
    };
  }

  async updateRole(input: UpdateRoleRequest, context: RequestContext): Promise<Empty> {
    const role = this.requireRole(context, roleName(input.RoleName));
    const description = optionalText(input.Description, "description", limits.MAX_DESCRIPTION_LENGTH);
    const maxSessionDuration = sessionDuration(input.MaxSessionDuration);
    this.commit({
      t: "updateRole",
      account: context.accountId,
      name: role.name,
      description,
      maxSessionDuration,
    });
    return {};
  }

  async updateAssumeRolePolicy(
    input: UpdateAssumeRolePolicyRequest,
    context: RequestContext,
  ): Promise<Empty> {
    const role = this.requireRole(context, roleName(input.RoleName));
    const document = required(input.PolicyDocument, "policyDocument");
    checkTrustPolicy(document);
    this.commit({ t: "trust", account: context.accountId, name: role.name, document });
    return {};
  }

  async putRolePolicy(input: PutRolePolicyRequest, context: RequestContext): Promise<Empty> {
    const role = this.requireRole(context, roleName(input.RoleName));
    const policy = policyName(input.PolicyName);
    const document = required(input.PolicyDocument, "policyDocument");
    validatePolicyDocument(document, "permissions");
    const total = role.inlinePolicies
      .filter(([name]) => name !== policy)
      .reduce((sum, [, doc]) => sum + withoutWhitespace(doc).length, withoutWhitespace(document).length);
    if (total > limits.MAX_INLINE_POLICY_CHARS_PER_ROLE) {
      throw iamErrors.limitExceeded(
        `Maximum policy size of ${limits.MAX_INLINE_POLICY_CHARS_PER_ROLE} bytes exceeded for role ${role.name}`,
      );
    }
    this.commit({ t: "putPolicy", account: context.accountId, name: role.name, policy, document });
    return {};
  }

  async getRolePolicy(input: GetRolePolicyRequest, context: RequestContext): Promise<GetRolePolicyResponse> {
    const role = this.requireRole(context, roleName(input.RoleName));
    const policy = policyName(input.PolicyName);
    const found = role.inlinePolicies.find(([name]) => name === policy);
    if (!found) throw iamErrors.noSuchRolePolicy(role.name, policy);
    return { RoleName: role.name, PolicyName: found[0], PolicyDocument: encodeURIComponent(found[1]) };
  }

  async deleteRolePolicy(input: DeleteRolePolicyRequest, context: RequestContext): Promise<Empty> {
    const role = this.requireRole(context, roleName(input.RoleName));
    const policy = policyName(input.PolicyName);
    if (!role.inlinePolicies.some(([name]) => name === policy))
      throw iamErrors.noSuchRolePolicy(role.name, policy);
    this.commit({ t: "deletePolicy", account: context.accountId, name: role.name, policy });
    return {};
  }

  async listRolePolicies(
    input: ListRolePoliciesRequest,
    context: RequestContext,
  ): Promise<ListRolePoliciesResponse> {
    const role = this.requireRole(context, roleName(input.RoleName));
    const names = role.inlinePolicies.map(([name]) => name).sort(compare);
    const page = paginate(names, (n) => n, input.Marker, input.MaxItems);
    return {
      PolicyNames: page.items,
      IsTruncated: page.marker !== undefined,
      ...(page.marker !== undefined ? { Marker: page.marker } : {}),
    };
  }

  async attachRolePolicy(input: AttachRolePolicyRequest, context: RequestContext): Promise<Empty> {
    const role = this.requireRole(context, roleName(input.RoleName));
    const arn = policyArn(input.PolicyArn);
    if (role.attachedPolicyArns.includes(arn)) return {};
    if (role.attachedPolicyArns.length >= limits.MAX_MANAGED_POLICIES_PER_ROLE) {
      throw iamErrors.limitExceeded(
        `Cannot exceed quota for PoliciesPerRole: ${limits.MAX_MANAGED_POLICIES_PER_ROLE}`,
      );
    }
    this.commit({ t: "attach", account: context.accountId, name: role.name, arn });
    return {};
  }

  async detachRolePolicy(input: DetachRolePolicyRequest, context: RequestContext): Promise<Empty> {
    const role = this.requireRole(context, roleName(input.RoleName));
    const arn = policyArn(input.PolicyArn);
    if (!role.attachedPolicyArns.includes(arn)) throw iamErrors.policyNotAttached(arn);
    this.commit({ t: "detach", account: context.accountId, name: role.name, arn });
    return {};
  }

  async listAttachedRolePolicies(
    input: ListAttachedRolePoliciesRequest,
    context: RequestContext,
  ): Promise<ListAttachedRolePoliciesResponse> {
    const role = this.requireRole(context, roleName(input.RoleName));
    const prefix = input.PathPrefix ?? "/";
    const attached = role.attachedPolicyArns
      .map((arn) => ({
        PolicyArn: arn,
        PolicyName: arn.slice(arn.lastIndexOf("/") + 1),
        path: policyPath(arn),
      }))
      .filter((p) => p.path.startsWith(prefix))
      .sort((a, b) => compare(a.PolicyArn, b.PolicyArn));
    const page = paginate(attached, (p) => p.PolicyArn, input.Marker, input.MaxItems);
    return {
      AttachedPolicies: page.items.map(({ PolicyName, PolicyArn }) => ({ PolicyName, PolicyArn })),
      IsTruncated: page.marker !== undefined,
      ...(page.marker !== undefined ? { Marker: page.marker } : {}),
    };
  }

  async tagRole(input: TagRoleRequest, context: RequestContext): Promise<Empty> {
    const role = this.requireRole(context, roleName(input.RoleName));
    const tags = readTags(input.Tags, "tags");
    if (tags.length === 0) throw iamErrors.missing("tags");
    const keys = new Set([...role.tags.map((t) => t.Key), ...tags.map((t) => t.Key)]);
    if (keys.size > limits.MAX_TAGS_PER_ROLE) {
      throw iamErrors.limitExceeded(`Cannot exceed quota for TagsPerRole: ${limits.MAX_TAGS_PER_ROLE}`);
    }
    this.commit({ t: "tag", account: context.accountId, name: role.name, tags });
    return {};
  }

  async untagRole(input: UntagRoleRequest, context: RequestContext): Promise<Empty> {
    const role = this.requireRole(context, roleName(input.RoleName));
    const keys = input.TagKeys ?? [];
    if (!Array.isArray(keys) || keys.length === 0) throw iamErrors.missing("tagKeys");
    this.commit({ t: "untag", account: context.accountId, name: role.name, keys: keys.map(String) });
    return {};
  }

  async listRoleTags(input: ListRoleTagsRequest, context: RequestContext): Promise<ListRoleTagsResponse> {
    const role = this.requireRole(context, roleName(input.RoleName));
    const tags = [...role.tags].sort((a, b) => compare(a.Key, b.Key));
    const page = paginate(tags, (t) => t.Key, input.Marker, input.MaxItems);
    return {
      Tags: page.items.map((t) => ({ ...t })),
      IsTruncated: page.marker !== undefined,
      ...(page.marker !== undefined ? { Marker: page.marker } : {}),
    };
  }

  private requireRole(context: RequestContext, name: string): RoleRecord {
    const role = this.state.role(context.accountId, name);
    if (!role) throw iamErrors.noSuchRole(name);
    return role;
  }
}

export function roleArn(role: RoleRecord, accountId: string): string {
  return `arn:aws:iam::${accountId}:role${role.path}${role.name}`;
}

function renderRole(role: RoleRecord, accountId: string): Role {
  return {
    Path: role.path,
    RoleName: role.name,
    RoleId: role.roleId,
    Arn: roleArn(role, accountId),
    CreateDate: new Date(role.createDate),
    AssumeRolePolicyDocument: encodeURIComponent(role.assumeRolePolicyDocument),
    ...(role.description !== undefined ? { Description: role.description } : {}),
    MaxSessionDuration: role.maxSessionDuration,
    ...(role.permissionsBoundary
      ? {
          PermissionsBoundary: {
            PermissionsBoundaryType: "PermissionsBoundaryPolicy" as const,
            PermissionsBoundaryArn: role.permissionsBoundary,
          },
        }
      : {}),
    ...(role.tags.length > 0 ? { Tags: role.tags.map((t) => ({ ...t })) } : {}),
  };
}

/** IAM unique ids: a 4-letter type prefix and 17 characters of upper-case letters and digits. */
function uniqueId(prefix: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const bytes = randomBytes(17);
  let id = prefix;
  for (const b of bytes) id += alphabet[b % alphabet.length];
  return id;
}

function required(value: unknown, member: string): string {
  if (value === undefined || value === null || value === "") throw iamErrors.missing(member);
  if (typeof value !== "string") throw iamErrors.validation(member, value, "Member must be a string");
  return value;
}

function roleName(value: unknown): string {
  const name = required(value, "roleName");
  if (!limits.ROLE_NAME_PATTERN.test(name)) {
    throw iamErrors.validation(
      "roleName",
      name,
      "Member must satisfy regular expression pattern: [\\w+=,.@-]+ and have length between 1 and 64",
    );
  }
  return name;
}

function policyName(value: unknown): string {
  const name = required(value, "policyName");
  if (!limits.POLICY_NAME_PATTERN.test(name)) {
    throw iamErrors.validation(
      "policyName",
      name,
      "Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    );
  }
  return name;
}

function rolePath(value: unknown): string {
  if (value === undefined || value === null || value === "") return "/";
  if (
    typeof value !== "string" ||
    value.length > limits.MAX_PATH_LENGTH ||
    !limits.PATH_PATTERN.test(value)
  ) {
    throw iamErrors.validation(
      "path",
      value,
      "Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)",
    );
  }
  return value;
}

function policyArn(value: unknown): string {
  const arn = required(value, "policyArn");
  if (!limits.POLICY_ARN_PATTERN.test(arn)) throw iamErrors.invalidInput(`ARN ${arn} is not valid.`);
  return arn;
}

function policyPath(arn: string): string {
  const resource = arn.slice(arn.indexOf(":policy/") + ":policy".length);
  return resource.slice(0, resource.lastIndexOf("/") + 1);
}

function optionalText(value: unknown, member: string, max: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value.length > max) {
    throw iamErrors.validation(member, value, `Member must have length less than or equal to ${max}`);
  }
  return value;
}

function sessionDuration(value: unknown): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < limits.MIN_SESSION_DURATION || n > limits.MAX_SESSION_DURATION) {
    throw iamErrors.validation(
      "maxSessionDuration",
      value,
      `Member must have value between ${limits.MIN_SESSION_DURATION} and ${limits.MAX_SESSION_DURATION}`,
    );
  }
  return n;
}

function checkTrustPolicy(document: string): void {
  if (document.length > limits.MAX_TRUST_POLICY_CHARS) {
    throw iamErrors.limitExceeded(`Cannot exceed quota for ACLSizePerRole: ${limits.MAX_TRUST_POLICY_CHARS}`);
  }
  validatePolicyDocument(document, "trust");
}

function readTags(value: unknown, member: string): Tag[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw iamErrors.validation(member, value, "Member must be a list");
  return value.map((t: unknown, i) => {
    const tag = (t ?? {}) as Record<string, unknown>;
    const key = tag["Key"];
    const val = tag["Value"] ?? "";
    if (typeof key !== "string" || key.length < 1 || key.length > 128) {
      throw iamErrors.validation(
        `${member}.${i + 1}.member.key`,
        key,
        "Member must have length between 1 and 128",
      );
    }
    if (typeof val !== "string" || val.length > 256) {
      throw iamErrors.validation(
        `${member}.${i + 1}.member.value`,
        val,
        "Member must have length less than or equal to 256",
      );
    }
    return { Key: key, Value: val };
  });
}

function withoutWhitespace(document: string): string {
  return document.replace(/\s+/g, "");
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Marker = the sort key of the last item returned, base64url-encoded. */
function paginate<T>(
  items: T[],
  key: (item: T) => string,
  marker: unknown,
  maxItems: unknown,
): { items: T[]; marker?: string } {
  const max =
    maxItems === undefined || maxItems === null || maxItems === ""
      ? limits.MAX_ITEMS_DEFAULT
      : Number(maxItems);
  if (!Number.isInteger(max) || max < 1 || max > limits.MAX_ITEMS_LIMIT) {
    throw iamErrors.validation(
      "maxItems",
      maxItems,
      `Member must have value between 1 and ${limits.MAX_ITEMS_LIMIT}`,
    );
  }
  let start = 0;
  if (marker !== undefined && marker !== null && marker !== "") {
    if (typeof marker !== "string") throw iamErrors.invalidInput("Invalid Marker.");
    const after = Buffer.from(marker, "base64url").toString("utf8");
    const index = items.findIndex((item) => key(item) > after);
    start = index < 0 ? items.length : index;
  }
  const page = items.slice(start, start + max);
  const more = start + max < items.length;
  return more
    ? { items: page, marker: Buffer.from(key(page[page.length - 1]!)).toString("base64url") }
    : { items: page };
}
