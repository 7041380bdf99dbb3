import type { Policy } from "@aws-sdk/client-iam";
import type { RequestContext } from "../../core/request.js";
import {
  awsManagedPolicies,
  awsManagedPolicy,
  isAwsManagedArn,
  type AwsManagedPolicy,
} from "./aws-managed.js";
import type { IamCore } from "./core.js";
import { iamErrors } from "./errors.js";
import * as input from "./input.js";
import * as limits from "./limits.js";
import { policySize, validatePolicyDocument } from "../../core/policy-document.js";
import { customerPolicyArn, policyUsage, renderAwsPolicy, renderCustomerPolicy } from "./render.js";
import { listTags } from "./roles.js";
import type { ManagedPolicyRecord } from "./store.js";

type Input = Record<string, unknown>;
type Empty = Record<string, never>;

type Resolved =
  | { type: "aws"; policy: AwsManagedPolicy; arn: string }
  | { type: "customer"; policy: ManagedPolicyRecord; arn: string };

/** Managed policies: customer managed ones with their versions, AWS managed ones read-only. */
export class ManagedPolicies {
  constructor(private readonly core: IamCore) {}

  private resolve(i: Input, context: RequestContext): Resolved {
    const arn = input.policyArn(i["PolicyArn"]);
    if (isAwsManagedArn(arn)) {
      const policy = awsManagedPolicy(arn);
      if (!policy) throw iamErrors.noSuchPolicy(arn);
      return { type: "aws", policy, arn };
    }
    const policy = this.core.customerPolicy(context, arn);
    if (!policy) throw iamErrors.noSuchPolicy(arn);
    return { type: "customer", policy, arn };
  }

  private customer(i: Input, context: RequestContext): { policy: ManagedPolicyRecord; arn: string } {
    const resolved = this.resolve(i, context);
    if (resolved.type === "aws") {
      throw iamErrors.invalidInput(
        `${resolved.arn} is an AWS managed policy; AWS managed policies cannot be changed.`,
      );
    }
    return resolved;
  }

  private checkDocument(document: string): void {
    validatePolicyDocument(document, "identity");
    if (policySize(document) > limits.MAX_MANAGED_POLICY_CHARS) {
      throw iamErrors.limitExceeded(`Cannot exceed quota for PolicySize: ${limits.MAX_MANAGED_POLICY_CHARS}`);
    }
  }

  async createPolicy(i: Input, context: RequestContext) {
    const name = input.policyName(i["PolicyName"]);
    const path = input.path(i["Path"]);
    const document = input.required(i["PolicyDocument"], "policyDocument");
    const description = input.optionalText(i["Description"], "description", limits.MAX_DESCRIPTION_LENGTH);
    const tags = input.readTags(i["Tags"]);
    this.checkDocument(document);
    if (this.core.state.get(context.accountId, "policy", name)) {
      throw iamErrors.exists(`A policy called ${name} already exists. Duplicate names are not allowed.`);
    }
    const now = this.core.clock.now();
    const policy: ManagedPolicyRecord = {
      name,
      path,
      policyId: input.uniqueId("ANPA"),
      createDate: now,
      updateDate: now,
      ...(description !== undefined ? { description } : {}),
      defaultVersionId: "v1",
      versions: [{ versionId: "v1", document, createDate: now }],
      nextVersion: 2,
      tags,
    };
    const saved = this.core.put(context, "policy", policy);
    const rendered = renderCustomerPolicy(saved, this.core.state, context.accountId, true);
    // CreatePolicy answers without the description, as IAM does.
    const { Description: _description, ...answer } = rendered;
    return { Policy: answer };
  }

  async getPolicy(i: Input, context: RequestContext) {
    const resolved = this.resolve(i, context);
    return {
      Policy:
        resolved.type === "aws"
          ? renderAwsPolicy(resolved.policy, this.core.state, context.accountId, true)
          : renderCustomerPolicy(resolved.policy, this.core.state, context.accountId, true),
    };
  }

  async listPolicies(i: Input, context: RequestContext) {
    const scope = input.enumValue(i["Scope"], "scope", ["All", "AWS", "Local"] as const) ?? "All";
    const onlyAttached = input.bool(i["OnlyAttached"], "onlyAttached") ?? false;
    const prefix = input.pathPrefix(i["PathPrefix"]);
    const usage = input.enumValue(i["PolicyUsageFilter"], "policyUsageFilter", [
      "PermissionsPolicy",
      "PermissionsBoundary",
    ] as const);
    const state = this.core.state;
    const account = context.accountId;
    const all: Policy[] = [
      ...(scope !== "Local"
        ? awsManagedPolicies().map((p) => renderAwsPolicy(p, state, account, false))
        : []),
      ...(scope !== "AWS"
        ? state.list(account, "policy").map((p) => renderCustomerPolicy(p, state, account, false))
        : []),
    ];
    const matching = all
      .filter((p) => p.Path!.startsWith(prefix))
      .filter((p) => {
        if (!onlyAttached) return true;
        const attached = (p.AttachmentCount ?? 0) > 0;
        const boundary = (p.PermissionsBoundaryUsageCount ?? 0) > 0;
        return usage === "PermissionsPolicy"
          ? attached
          : usage === "PermissionsBoundary"
            ? boundary
            : attached || boundary;
      })
      .sort((a, b) => input.compare(a.PolicyName!, b.PolicyName!) || input.compare(a.Arn!, b.Arn!));
    const page = input.paginate(matching, (p) => `${p.PolicyName}\u0000${p.Arn}`, i["Marker"], i["MaxItems"]);
    return { Policies: page.items, ...input.pageInfo(page) };
  }

  async deletePolicy(i: Input, context: RequestContext): Promise<Empty> {
    const { policy, arn } = this.customer(i, context);
    const usage = policyUsage(this.core.state, context.accountId, arn);
    if (usage.attached > 0 || usage.boundary > 0) {
      throw iamErrors.deleteConflict("Cannot delete a policy attached to entities.");
    }
    if (policy.versions.length > 1) {
      throw iamErrors.deleteConflict(
        "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
      );
    }
    this.core.remove(context, "policy", policy.name);
    return {};
  }

  async createPolicyVersion(i: Input, context: RequestContext) {
    const { policy } = this.customer(i, context);
    const document = input.required(i["PolicyDocument"], "policyDocument");
    const setAsDefault = input.bool(i["SetAsDefault"], "setAsDefault") ?? false;
    this.checkDocument(document);
    if (policy.versions.length >= limits.MAX_POLICY_VERSIONS) {
      throw iamErrors.limitExceeded(
        `A managed policy can have up to ${limits.MAX_POLICY_VERSIONS} versions. Before you create a new version, you must delete an existing version.`,
      );
    }
    const now = this.core.clock.now();
    const versionId = `v${policy.nextVersion}`;
    policy.versions.push({ versionId, document, createDate: now });
    policy.nextVersion += 1;
    if (setAsDefault) policy.defaultVersionId = versionId;
    policy.updateDate = now;
    this.core.put(context, "policy", policy);
    return {
      PolicyVersion: { VersionId: versionId, IsDefaultVersion: setAsDefault, CreateDate: new Date(now) },
    };
  }

  async getPolicyVersion(i: Input, context: RequestContext) {
    const resolved = this.resolve(i, context);
    const versionId = this.versionId(i);
    if (resolved.type === "aws") {
      if (versionId !== resolved.policy.defaultVersionId)
        throw iamErrors.noSuchPolicyVersion(resolved.arn, versionId);
      return {
        PolicyVersion: {
          Document: encodeURIComponent(resolved.policy.document),
          VersionId: versionId,
          IsDefaultVersion: true,
          CreateDate: new Date(resolved.policy.updateDate),
        },
      };
    }
    const version = resolved.policy.versions.find((v) => v.versionId === versionId);
    if (!version) throw iamErrors.noSuchPolicyVersion(resolved.arn, versionId);
    return {
      PolicyVersion: {
        Document: encodeURIComponent(version.document),
        VersionId: version.versionId,
        IsDefaultVersion: version.versionId === resolved.policy.defaultVersionId,
        CreateDate: new Date(version.createDate),
      },
    };
  }

  async listPolicyVersions(i: Input, context: RequestContext) {
    const resolved = this.resolve(i, context);
    const versions =
      resolved.type === "aws"
        ? [
            {
              VersionId: resolved.policy.defaultVersionId,
              IsDefaultVersion: true,
              CreateDate: new Date(resolved.policy.updateDate),
            },
          ]
        : [...resolved.policy.versions].reverse().map((v) => ({
            VersionId: v.versionId,
            IsDefaultVersion: v.versionId === resolved.policy.defaultVersionId,
            CreateDate: new Date(v.createDate),
          }));
    // Newest first, as IAM lists them.
    const page = input.paginate(
      versions.map((v, n) => ({ ...v, order: String(n).padStart(4, "0") })),
      (v) => v.order,
      i["Marker"],
      i["MaxItems"],
    );
    return { Versions: page.items.map(({ order: _order, ...v }) => v), ...input.pageInfo(page) };
  }

  async deletePolicyVersion(i: Input, context: RequestContext): Promise<Empty> {
    const { policy, arn } = this.customer(i, context);
    const versionId = this.versionId(i);
    if (!policy.versions.some((v) => v.versionId === versionId))
      throw iamErrors.noSuchPolicyVersion(arn, versionId);
    if (versionId === policy.defaultVersionId) {
      throw iamErrors.deleteConflict("Cannot delete the default version of a policy.");
    }
    policy.versions = policy.versions.filter((v) => v.versionId !== versionId);
    this.core.put(context, "policy", policy);
    return {};
  }

  async setDefaultPolicyVersion(i: Input, context: RequestContext): Promise<Empty> {
    const { policy, arn } = this.customer(i, context);
    const versionId = this.versionId(i);
    if (!policy.versions.some((v) => v.versionId === versionId))
      throw iamErrors.noSuchPolicyVersion(arn, versionId);
    policy.defaultVersionId = versionId;
    policy.updateDate = this.core.clock.now();
    this.core.put(context, "policy", policy);
    return {};
  }

  private versionId(i: Input): string {
    const versionId = input.required(i["VersionId"], "versionId");
    if (!limits.POLICY_VERSION_PATTERN.test(versionId)) {
      throw iamErrors.validation(
        "versionId",
        versionId,
        "Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?",
      );
    }
    return versionId;
  }

  async tagPolicy(i: Input, context: RequestContext): Promise<Empty> {
    const { policy } = this.customer(i, context);
    const tags = input.readTags(i["Tags"]);
    if (tags.length === 0) throw iamErrors.missing("tags");
    policy.tags = input.mergeTags(policy.tags, tags, "TagsPerPolicy");
    this.core.put(context, "policy", policy);
    return {};
  }

  async untagPolicy(i: Input, context: RequestContext): Promise<Empty> {
    const { policy } = this.customer(i, context);
    const keys = input.stringList(i["TagKeys"], "tagKeys");
    if (keys.length === 0) throw iamErrors.missing("tagKeys");
    policy.tags = policy.tags.filter((t) => !keys.includes(t.Key));
    this.core.put(context, "policy", policy);
    return {};
  }

  async listPolicyTags(i: Input, context: RequestContext) {
    const resolved = this.resolve(i, context);
    return listTags(resolved.type === "aws" ? [] : resolved.policy.tags, i);
  }

  async listEntitiesForPolicy(i: Input, context: RequestContext) {
    const { arn } = this.resolve(i, context);
    const filter = input.enumValue(i["EntityFilter"], "entityFilter", [
      "User",
      "Role",
      "Group",
      "LocalManagedPolicy",
      "AWSManagedPolicy",
    ] as const);
    const prefix = input.pathPrefix(i["PathPrefix"]);
    const usage =
      input.enumValue(i["PolicyUsageFilter"], "policyUsageFilter", [
        "PermissionsPolicy",
        "PermissionsBoundary",
      ] as const) ?? undefined;
    const uses = (attached: string[], boundary: string | undefined) =>
      (usage !== "PermissionsBoundary" && attached.includes(arn)) ||
      (usage !== "PermissionsPolicy" && boundary === arn);
    const account = context.accountId;
    const state = this.core.state;
    type Entry = { type: "Group" | "User" | "Role"; name: string; id: string };
    const entries: Entry[] = [];
    if (!filter || filter === "Group") {
      for (const g of state.list(account, "group")) {
        if (g.path.startsWith(prefix) && uses(g.attachedPolicyArns, undefined))
          entries.push({ type: "Group", name: g.name, id: g.groupId });
      }
    }
    if (!filter || filter === "User") {
      for (const u of state.list(account, "user")) {
        if (u.path.startsWith(prefix) && uses(u.attachedPolicyArns, u.permissionsBoundary)) {
          entries.push({ type: "User", name: u.name, id: u.userId });
        }
      }
    }
    if (!filter || filter === "Role") {
      for (const r of state.list(account, "role")) {
        if (r.path.startsWith(prefix) && uses(r.attachedPolicyArns, r.permissionsBoundary)) {
          entries.push({ type: "Role", name: r.name, id: r.roleId });
        }
      }
    }
    entries.sort((a, b) =>
      input.compare(`${a.type}/${a.name.toLowerCase()}`, `${b.type}/${b.name.toLowerCase()}`),
    );
    const page = input.paginate(
      entries,
      (e) => `${e.type}/${e.name.toLowerCase()}`,
      i["Marker"],
      i["MaxItems"],
    );
    return {
      PolicyGroups: page.items
        .filter((e) => e.type === "Group")
        .map((e) => ({ GroupName: e.name, GroupId: e.id })),
      PolicyUsers: page.items
        .filter((e) => e.type === "User")
        .map((e) => ({ UserName: e.name, UserId: e.id })),
      PolicyRoles: page.items
        .filter((e) => e.type === "Role")
        .map((e) => ({ RoleName: e.name, RoleId: e.id })),
      ...input.pageInfo(page),
    };
  }
}

export { customerPolicyArn };
