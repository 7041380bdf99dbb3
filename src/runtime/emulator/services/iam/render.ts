import type { Group, InstanceProfile, Policy, Role, User } from "@aws-sdk/client-iam";
import type { AwsManagedPolicy } from "./aws-managed.js";
import { arnOf, roleArn } from "./core.js";
import type {
  GroupRecord,
  IamState,
  InstanceProfileRecord,
  ManagedPolicyRecord,
  RoleRecord,
  UserRecord,
} from "./store.js";

/** IAM's output shapes. Documents go out URL-encoded, as IAM returns them. */

export function renderRole(role: RoleRecord, accountId: string): Role {
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

export function renderUser(user: UserRecord, accountId: string, withTags: boolean): User {
  return {
    Path: user.path,
    UserName: user.name,
    UserId: user.userId,
    Arn: arnOf(accountId, "user", user.path, user.name),
    CreateDate: new Date(user.createDate),
    ...(user.permissionsBoundary
      ? {
          PermissionsBoundary: {
            PermissionsBoundaryType: "PermissionsBoundaryPolicy" as const,
            PermissionsBoundaryArn: user.permissionsBoundary,
          },
        }
      : {}),
    ...(withTags && user.tags.length > 0 ? { Tags: user.tags.map((t) => ({ ...t })) } : {}),
  };
}

export function renderGroup(group: GroupRecord, accountId: string): Group {
  return {
    Path: group.path,
    GroupName: group.name,
    GroupId: group.groupId,
    Arn: arnOf(accountId, "group", group.path, group.name),
    CreateDate: new Date(group.createDate),
  };
}

export function customerPolicyArn(policy: ManagedPolicyRecord, accountId: string): string {
  return arnOf(accountId, "policy", policy.path, policy.name);
}

/** Attachments and boundary uses of a policy ARN among the account's roles, users and groups. */
export function policyUsage(
  state: IamState,
  accountId: string,
  arn: string,
): { attached: number; boundary: number } {
  let attached = 0;
  let boundary = 0;
  for (const role of state.list(accountId, "role")) {
    if (role.attachedPolicyArns.includes(arn)) attached++;
    if (role.permissionsBoundary === arn) boundary++;
  }
  for (const user of state.list(accountId, "user")) {
    if (user.attachedPolicyArns.includes(arn)) attached++;
    if (user.permissionsBoundary === arn) boundary++;
  }
  for (const group of state.list(accountId, "group")) if (group.attachedPolicyArns.includes(arn)) attached++;
  return { attached, boundary };
}

export function renderCustomerPolicy(
  policy: ManagedPolicyRecord,
  state: IamState,
  accountId: string,
  detail: boolean,
): Policy {
  const arn = customerPolicyArn(policy, accountId);
  const usage = policyUsage(state, accountId, arn);
  return {
    PolicyName: policy.name,
    PolicyId: policy.policyId,
    Arn: arn,
    Path: policy.path,
    DefaultVersionId: policy.defaultVersionId,
    AttachmentCount: usage.attached,
    PermissionsBoundaryUsageCount: usage.boundary,
    IsAttachable: true,
    ...(detail && policy.description !== undefined ? { Description: policy.description } : {}),
    CreateDate: new Date(policy.createDate),
    UpdateDate: new Date(policy.updateDate),
    ...(detail && policy.tags.length > 0 ? { Tags: policy.tags.map((t) => ({ ...t })) } : {}),
  };
}

export function renderAwsPolicy(
  policy: AwsManagedPolicy,
  state: IamState,
  accountId: string,
  detail: boolean,
): Policy {
  const usage = policyUsage(state, accountId, policy.arn);
  return {
    PolicyName: policy.name,
    PolicyId: policy.policyId,
    Arn: policy.arn,
    Path: policy.path,
    DefaultVersionId: policy.defaultVersionId,
    AttachmentCount: usage.attached,
    PermissionsBoundaryUsageCount: usage.boundary,
    IsAttachable: true,
    ...(detail && policy.description !== undefined ? { Description: policy.description } : {}),
    CreateDate: new Date(policy.createDate),
    UpdateDate: new Date(policy.updateDate),
  };
}

export function renderInstanceProfile(
  profile: InstanceProfileRecord,
  state: IamState,
  accountId: string,
  withTags: boolean,
): InstanceProfile {
  return {
    Path: profile.path,
    InstanceProfileName: profile.name,
    InstanceProfileId: profile.instanceProfileId,
    Arn: arnOf(accountId, "instance-profile", profile.path, profile.name),
    CreateDate: new Date(profile.createDate),
    Roles: profile.roles.flatMap((name) => {
      const role = state.get(accountId, "role", name);
      return role ? [renderRole(role, accountId)] : [];
    }),
    ...(withTags && profile.tags.length > 0 ? { Tags: profile.tags.map((t) => ({ ...t })) } : {}),
  };
}
