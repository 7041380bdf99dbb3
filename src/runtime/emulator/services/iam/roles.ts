import { randomUUID } from "node:crypto";
import type { RequestContext } from "../../core/request.js";
import type { IamCore } from "./core.js";
import { EntityPolicies } from "./entity-policies.js";
import { iamErrors } from "./errors.js";
import * as input from "./input.js";
import * as limits from "./limits.js";
import { validatePolicyDocument } from "../../core/policy-document.js";
import { renderInstanceProfile, renderRole } from "./render.js";
import { serviceLinkedRoleSpec, serviceLinkedServices, serviceLinkedTrustPolicy } from "./service-linked.js";
import type { InstanceProfileRecord, RoleRecord } from "./store.js";

type Input = Record<string, unknown>;
type Empty = Record<string, never>;

/** Roles, service-linked roles and instance profiles. */
export class Roles {
  /** Deletion tasks of service-linked roles (they finish at once here). */
  private readonly deletionTasks = new Map<string, string>();

  constructor(private readonly core: IamCore) {}

  async createRole(i: Input, context: RequestContext) {
    const name = input.roleName(i["RoleName"]);
    const path = input.path(i["Path"]);
    const document = input.required(i["AssumeRolePolicyDocument"], "assumeRolePolicyDocument");
    this.checkTrustPolicy(document, context);
    const description = input.optionalText(i["Description"], "description", limits.MAX_DESCRIPTION_LENGTH);
    const maxSessionDuration = input.sessionDuration(i["MaxSessionDuration"]) ?? limits.MIN_SESSION_DURATION;
    const tags = input.readTags(i["Tags"]);
    const boundary = i["PermissionsBoundary"]
      ? input.policyArn(i["PermissionsBoundary"], "permissionsBoundary")
      : undefined;
    if (this.core.state.role(context.accountId, name)) throw iamErrors.roleExists(name);
    const role: RoleRecord = {
      name,
      path,
      roleId: input.uniqueId("AROA"),
      createDate: this.core.clock.now(),
      assumeRolePolicyDocument: document,
      ...(description !== undefined ? { description } : {}),
      maxSessionDuration,
      ...(boundary ? { permissionsBoundary: boundary } : {}),
      tags,
      inlinePolicies: [],
      attachedPolicyArns: [],
    };
    return { Role: renderRole(this.core.put(context, "role", role), context.accountId) };
  }

  async getRole(i: Input, context: RequestContext) {
    const role = this.core.role(context, input.roleName(i["RoleName"]));
    return { Role: { ...renderRole(role, context.accountId), RoleLastUsed: {} } };
  }

  async deleteRole(i: Input, context: RequestContext): Promise<Empty> {
    const role = this.core.role(context, input.roleName(i["RoleName"]));
    EntityPolicies.protect("role", role);
    this.checkDeletable(role, context);
    this.core.remove(context, "role", role.name);
    return {};
  }

  private checkDeletable(role: RoleRecord, context: RequestContext): void {
    if (role.inlinePolicies.length > 0) throw iamErrors.deleteConflictInline();
    if (role.attachedPolicyArns.length > 0) throw iamErrors.deleteConflictAttached();
    const inProfile = this.core.state
      .list(context.accountId, "instanceProfile")
      .some((p) => p.roles.some((r) => r.toLowerCase() === role.name.toLowerCase()));
    if (inProfile) {
      throw iamErrors.deleteConflict("Cannot delete entity, must remove roles from instance profile first.");
    }
  }

  async listRoles(i: Input, context: RequestContext) {
    const prefix = input.pathPrefix(i["PathPrefix"]);
    const roles = this.core.state
      .roles(context.accountId)
      .filter((r) => r.path.startsWith(prefix))
      .sort((a, b) => input.compare(a.name.toLowerCase(), b.name.toLowerCase()));
    const page = input.paginate(roles, (r) => r.name.toLowerCase(), i["Marker"], i["MaxItems"]);
    // ListRoles leaves out tags, the permissions boundary and last use, as IAM does.
    return {
      Roles: page.items.map((r) => {
        const { Tags: _tags, PermissionsBoundary: _boundary, ...rest } = renderRole(r, context.accountId);
        return rest;
      }),
      ...input.pageInfo(page),
    };
  }

  async updateRole(i: Input, context: RequestContext): Promise<Empty> {
    const role = this.core.role(context, input.roleName(i["RoleName"]));
    const description = input.optionalText(i["Description"], "description", limits.MAX_DESCRIPTION_LENGTH);
    const maxSessionDuration = input.sessionDuration(i["MaxSessionDuration"]);
    if (description !== undefined) role.description = description;
    if (maxSessionDuration !== undefined) role.maxSessionDuration = maxSessionDuration;
    this.core.put(context, "role", role);
    return {};
  }

  async updateRoleDescription(i: Input, context: RequestContext) {
    const role = this.core.role(context, input.roleName(i["RoleName"]));
    const description = input.optionalText(i["Description"], "description", limits.MAX_DESCRIPTION_LENGTH);
    if (description === undefined) throw iamErrors.missing("description");
    role.description = description;
    return { Role: renderRole(this.core.put(context, "role", role), context.accountId) };
  }

  async updateAssumeRolePolicy(i: Input, context: RequestContext): Promise<Empty> {
    const role = this.core.role(context, input.roleName(i["RoleName"]));
    EntityPolicies.protect("role", role);
    const document = input.required(i["PolicyDocument"], "policyDocument");
    this.checkTrustPolicy(document, context);
    role.assumeRolePolicyDocument = document;
    this.core.put(context, "role", role);
    return {};
  }

  async tagRole(i: Input, context: RequestContext): Promise<Empty> {
    const role = this.core.role(context, input.roleName(i["RoleName"]));
    const tags = input.readTags(i["Tags"]);
    if (tags.length === 0) throw iamErrors.missing("tags");
    role.tags = input.mergeTags(role.tags, tags, "TagsPerRole");
    this.core.put(context, "role", role);
    return {};
  }

  async untagRole(i: Input, context: RequestContext): Promise<Empty> {
    const role = this.core.role(context, input.roleName(i["RoleName"]));
    const keys = input.stringList(i["TagKeys"], "tagKeys");
    if (keys.length === 0) throw iamErrors.missing("tagKeys");
    role.tags = role.tags.filter((t) => !keys.includes(t.Key));
    this.core.put(context, "role", role);
    return {};
  }

  async listRoleTags(i: Input, context: RequestContext) {
    const role = this.core.role(context, input.roleName(i["RoleName"]));
    return listTags(role.tags, i);
  }

  // --- Service-linked roles ----------------------------------------------------------------

  async createServiceLinkedRole(i: Input, context: RequestContext) {
    const service = input.required(i["AWSServiceName"], "aWSServiceName");
    const description = input.optionalText(i["Description"], "description", limits.MAX_DESCRIPTION_LENGTH);
    const suffix = input.optional(i["CustomSuffix"], "customSuffix");
    const spec = serviceLinkedRoleSpec(service);
    if (!spec) {
      throw iamErrors.invalidInput(
        `Invalid service name ${service}: not a service with a service-linked role this emulator knows (${serviceLinkedServices().join(", ")}).`,
      );
    }
    if (suffix !== undefined && !spec.suffixAllowed) {
      throw iamErrors.invalidInput(`Custom suffix is not allowed for ${service}`);
    }
    if (suffix !== undefined && !/^[\w+=,.@-]{1,64}$/.test(suffix)) {
      throw iamErrors.validation(
        "customSuffix",
        suffix,
        "Member must satisfy regular expression pattern: [\\w+=,.@-]+",
      );
    }
    const name = suffix ? `${spec.roleName}_${suffix}` : spec.roleName;
    if (this.core.state.role(context.accountId, name)) {
      throw iamErrors.invalidInput(
        `Service role name ${name} has been taken in this account, please try a different suffix.`,
      );
    }
    const role: RoleRecord = {
      name,
      path: `/aws-service-role/${service}/`,
      roleId: input.uniqueId("AROA"),
      createDate: this.core.clock.now(),
      assumeRolePolicyDocument: serviceLinkedTrustPolicy(service),
      ...(description !== undefined ? { description } : {}),
      maxSessionDuration: limits.MIN_SESSION_DURATION,
      tags: [],
      inlinePolicies: [],
      attachedPolicyArns: [],
      serviceLinked: service,
    };
    return { Role: renderRole(this.core.put(context, "role", role), context.accountId) };
  }

  async deleteServiceLinkedRole(i: Input, context: RequestContext) {
    const role = this.core.role(context, input.roleName(i["RoleName"]));
    if (!role.serviceLinked) {
      throw iamErrors.invalidInput(
        `Role ${role.name} is not a service-linked role; delete it with DeleteRole.`,
      );
    }
    const task = `task/aws-service-role/${role.serviceLinked}/${role.name}/${randomUUID()}`;
    this.core.remove(context, "role", role.name);
    this.deletionTasks.set(task, "SUCCEEDED");
    return { DeletionTaskId: task };
  }

  async getServiceLinkedRoleDeletionStatus(i: Input, _context: RequestContext) {
    const task = input.required(i["DeletionTaskId"], "deletionTaskId");
    const status = this.deletionTasks.get(task);
    if (!status) throw iamErrors.invalidInput(`Deletion task ${task} was not found.`);
    return { Status: status };
  }

  // --- Instance profiles -------------------------------------------------------------------

  async createInstanceProfile(i: Input, context: RequestContext) {
    const name = input.instanceProfileName(i["InstanceProfileName"]);
    const path = input.path(i["Path"]);
    const tags = input.readTags(i["Tags"]);
    if (this.core.state.get(context.accountId, "instanceProfile", name)) {
      throw iamErrors.exists(`Instance Profile ${name} already exists.`);
    }
    const profile: InstanceProfileRecord = {
      name,
      path,
      instanceProfileId: input.uniqueId("AIPA"),
      createDate: this.core.clock.now(),
      roles: [],
      tags,
    };
    const saved = this.core.put(context, "instanceProfile", profile);
    return { InstanceProfile: renderInstanceProfile(saved, this.core.state, context.accountId, true) };
  }

  async getInstanceProfile(i: Input, context: RequestContext) {
    const profile = this.core.instanceProfile(context, input.instanceProfileName(i["InstanceProfileName"]));
    return { InstanceProfile: renderInstanceProfile(profile, this.core.state, context.accountId, true) };
  }

  async deleteInstanceProfile(i: Input, context: RequestContext): Promise<Empty> {
    const profile = this.core.instanceProfile(context, input.instanceProfileName(i["InstanceProfileName"]));
    if (profile.roles.length > 0) {
      throw iamErrors.deleteConflict("Cannot delete entity, must remove roles from instance profile first.");
    }
    this.core.remove(context, "instanceProfile", profile.name);
    return {};
  }

  async listInstanceProfiles(i: Input, context: RequestContext) {
    const prefix = input.pathPrefix(i["PathPrefix"]);
    const profiles = this.core.state
      .list(context.accountId, "instanceProfile")
      .filter((p) => p.path.startsWith(prefix))
      .sort((a, b) => input.compare(a.name.toLowerCase(), b.name.toLowerCase()));
    const page = input.paginate(profiles, (p) => p.name.toLowerCase(), i["Marker"], i["MaxItems"]);
    return {
      InstanceProfiles: page.items.map((p) =>
        renderInstanceProfile(p, this.core.state, context.accountId, false),
      ),
      ...input.pageInfo(page),
    };
  }

  async listInstanceProfilesForRole(i: Input, context: RequestContext) {
    const role = this.core.role(context, input.roleName(i["RoleName"]));
    const profiles = this.core.state
      .list(context.accountId, "instanceProfile")
      .filter((p) => p.roles.some((r) => r.toLowerCase() === role.name.toLowerCase()))
      .sort((a, b) => input.compare(a.name.toLowerCase(), b.name.toLowerCase()));
    const page = input.paginate(profiles, (p) => p.name.toLowerCase(), i["Marker"], i["MaxItems"]);
    return {
      InstanceProfiles: page.items.map((p) =>
        renderInstanceProfile(p, this.core.state, context.accountId, false),
      ),
      ...input.pageInfo(page),
    };
  }

  async addRoleToInstanceProfile(i: Input, context: RequestContext): Promise<Empty> {
    const profile = this.core.instanceProfile(context, input.instanceProfileName(i["InstanceProfileName"]));
    const role = this.core.role(context, input.roleName(i["RoleName"]));
    if (profile.roles.some((r) => r.toLowerCase() === role.name.toLowerCase())) {
      throw iamErrors.exists(
        `Role ${role.name} is already associated with instance profile ${profile.name}.`,
      );
    }
    if (profile.roles.length >= limits.MAX_ROLES_PER_INSTANCE_PROFILE) {
      throw iamErrors.limitExceeded(
        `Cannot exceed quota for InstanceSessionsPerInstanceProfile: ${limits.MAX_ROLES_PER_INSTANCE_PROFILE}`,
      );
    }
    profile.roles.push(role.name);
    this.core.put(context, "instanceProfile", profile);
    return {};
  }

  async removeRoleFromInstanceProfile(i: Input, context: RequestContext): Promise<Empty> {
    const profile = this.core.instanceProfile(context, input.instanceProfileName(i["InstanceProfileName"]));
    const name = input.roleName(i["RoleName"]);
    if (!profile.roles.some((r) => r.toLowerCase() === name.toLowerCase())) {
      throw iamErrors.noSuchRole(name);
    }
    profile.roles = profile.roles.filter((r) => r.toLowerCase() !== name.toLowerCase());
    this.core.put(context, "instanceProfile", profile);
    return {};
  }

  async tagInstanceProfile(i: Input, context: RequestContext): Promise<Empty> {
    const profile = this.core.instanceProfile(context, input.instanceProfileName(i["InstanceProfileName"]));
    const tags = input.readTags(i["Tags"]);
    if (tags.length === 0) throw iamErrors.missing("tags");
    profile.tags = input.mergeTags(profile.tags, tags, "TagsPerInstanceProfile");
    this.core.put(context, "instanceProfile", profile);
    return {};
  }

  async untagInstanceProfile(i: Input, context: RequestContext): Promise<Empty> {
    const profile = this.core.instanceProfile(context, input.instanceProfileName(i["InstanceProfileName"]));
    const keys = input.stringList(i["TagKeys"], "tagKeys");
    if (keys.length === 0) throw iamErrors.missing("tagKeys");
    profile.tags = profile.tags.filter((t) => !keys.includes(t.Key));
    this.core.put(context, "instanceProfile", profile);
    return {};
  }

  async listInstanceProfileTags(i: Input, context: RequestContext) {
    const profile = this.core.instanceProfile(context, input.instanceProfileName(i["InstanceProfileName"]));
    return listTags(profile.tags, i);
  }

  private checkTrustPolicy(document: string, context: RequestContext): void {
    if (document.length > limits.MAX_TRUST_POLICY_CHARS) {
      throw iamErrors.limitExceeded(
        `Cannot exceed quota for ACLSizePerRole: ${limits.MAX_TRUST_POLICY_CHARS}`,
      );
    }
    this.core.checkPrincipalsExist(context, validatePolicyDocument(document, "trust"));
  }
}

export function listTags(tags: { Key: string; Value: string }[], i: Input) {
  const sorted = [...tags].sort((a, b) => input.compare(a.Key, b.Key));
  const page = input.paginate(sorted, (t) => t.Key, i["Marker"], i["MaxItems"]);
  return { Tags: page.items.map((t) => ({ ...t })), ...input.pageInfo(page) };
}
