import type { RoleDeclaration } from "../../../pipeline/stack/index.js";
import { readOrUndefined } from "../aws-errors.js";
import { ChangeList, decideAction } from "../compare.js";
import { declarationOf, type Operation, type ResourceDriver } from "../driver.js";

function roleOf(stack: { roles: Record<string, RoleDeclaration> }, name: string): RoleDeclaration {
  return declarationOf(Object.values(stack.roles), name, (role) => role.name, "role");
}

/** IAM roles: trust policy, description and inline policies (extra inline policies are removed). */
export const roleDriver: ResourceDriver = {
  kind: "role",
  async assess(ctx, ref) {
    const iamSdk = await import("@aws-sdk/client-iam");
    const iam = await ctx.clients.iam();
    const role = roleOf(ctx.stack, ref.name);
    const putPolicy = (policy: RoleDeclaration["inlinePolicies"][number]): Operation => ({
      name: `PutRolePolicy ${policy.name}`,
      run: async () => {
        await iam.send(
          new iamSdk.PutRolePolicyCommand({
            RoleName: role.name,
            PolicyName: policy.name,
            PolicyDocument: JSON.stringify(policy.document),
          }),
        );
      },
    });
    const live = await readOrUndefined(
      () => iam.send(new iamSdk.GetRoleCommand({ RoleName: role.name })),
      "NoSuchEntityException",
      "NoSuchEntity",
    );
    if (live?.Role === undefined) {
      return {
        action: "create",
        changes: [],
        notes: [],
        ops: [
          {
            name: "CreateRole",
            run: async () => {
              await iam.send(new iamSdk.CreateRoleCommand(role.definition));
            },
          },
          ...role.inlinePolicies.map(putPolicy),
        ],
      };
    }
    const changes = new ChangeList();
    const ops: Operation[] = [];
    if (
      changes.compare("AssumeRolePolicyDocument", live.Role.AssumeRolePolicyDocument, role.assumeRolePolicy)
    ) {
      ops.push({
        name: "UpdateAssumeRolePolicy",
        run: async () => {
          await iam.send(
            new iamSdk.UpdateAssumeRolePolicyCommand({
              RoleName: role.name,
              PolicyDocument: role.definition.AssumeRolePolicyDocument,
            }),
          );
        },
      });
    }
    if (changes.compare("Description", live.Role.Description, role.definition.Description)) {
      ops.push({
        name: "UpdateRole",
        run: async () => {
          await iam.send(
            new iamSdk.UpdateRoleCommand({ RoleName: role.name, Description: role.definition.Description }),
          );
        },
      });
    }
    const names =
      (await iam.send(new iamSdk.ListRolePoliciesCommand({ RoleName: role.name }))).PolicyNames ?? [];
    for (const policy of role.inlinePolicies) {
      const document = names.includes(policy.name)
        ? (await iam.send(new iamSdk.GetRolePolicyCommand({ RoleName: role.name, PolicyName: policy.name })))
            .PolicyDocument
        : undefined;
      if (changes.compare(`InlinePolicies.${policy.name}`, document, policy.document))
        ops.push(putPolicy(policy));
    }
    const declaredNames = new Set(role.inlinePolicies.map((policy) => policy.name));
    for (const extra of names.filter((name) => !declaredNames.has(name))) {
      changes.add({ field: `InlinePolicies.${extra}`, before: "(present)", after: undefined });
      ops.push({
        name: `DeleteRolePolicy ${extra}`,
        run: async () => {
          await iam.send(new iamSdk.DeleteRolePolicyCommand({ RoleName: role.name, PolicyName: extra }));
        },
      });
    }
    return { action: decideAction(true, changes.changes), changes: changes.changes, notes: [], ops };
  },
  async destroy(ctx, ref) {
    const iamSdk = await import("@aws-sdk/client-iam");
    const iam = await ctx.clients.iam();
    const names = await readOrUndefined(
      () => iam.send(new iamSdk.ListRolePoliciesCommand({ RoleName: ref.name })),
      "NoSuchEntityException",
      "NoSuchEntity",
    );
    if (names === undefined) return "absent";
    for (const policyName of names.PolicyNames ?? []) {
      await iam.send(new iamSdk.DeleteRolePolicyCommand({ RoleName: ref.name, PolicyName: policyName }));
    }
    const attached = (await iam.send(new iamSdk.ListAttachedRolePoliciesCommand({ RoleName: ref.name })))
      .AttachedPolicies;
    for (const policy of attached ?? []) {
      await iam.send(new iamSdk.DetachRolePolicyCommand({ RoleName: ref.name, PolicyArn: policy.PolicyArn }));
    }
    await iam.send(new iamSdk.DeleteRoleCommand({ RoleName: ref.name }));
    return "deleted";
  },
};
