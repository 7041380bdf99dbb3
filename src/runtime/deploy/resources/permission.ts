import type { PermissionDeclaration } from "../../../pipeline/stack/index.js";
import { readOrUndefined } from "../aws-errors.js";
import { ChangeList, decideAction } from "../compare.js";
import { declarationOf, type Operation, type ResourceDriver } from "../driver.js";

interface LiveStatement {
  Sid?: string;
  Principal?: string | { Service?: string; AWS?: string };
  Action?: string | string[];
  Condition?: Record<string, Record<string, string>>;
}

function permissionOf(stack: { permissions: PermissionDeclaration[] }, id: string): PermissionDeclaration {
  return declarationOf(stack.permissions, id, (permission) => permission.id, "permission");
}

/** What a statement grants, in AddPermission's terms, so live and declared compare field by field. */
function grantOf(statement: LiveStatement) {
  const principal =
    typeof statement.Principal === "string" ? statement.Principal : statement.Principal?.Service;
  const condition = statement.Condition ?? {};
  const find = (name: string) =>
    Object.values(condition)
      .flatMap((block) => Object.entries(block))
      .find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
  return {
    Principal: principal,
    Action: statement.Action,
    SourceArn: find("aws:SourceArn"),
    SourceAccount: find("aws:SourceAccount"),
  };
}

/** Resource-policy statements that let the rules invoke the scrapers (Lambda targets use no RoleArn). */
export const permissionDriver: ResourceDriver = {
  kind: "permission",
  async assess(ctx, ref) {
    const sdk = await import("@aws-sdk/client-lambda");
    const lambda = await ctx.clients.lambda();
    const permission = permissionOf(ctx.stack, ref.name);
    const { FunctionName, StatementId } = permission.definition;
    const add: Operation = {
      name: "AddPermission",
      run: async () => {
        await lambda.send(new sdk.AddPermissionCommand(permission.definition));
      },
    };
    const policy = await readOrUndefined(
      () => lambda.send(new sdk.GetPolicyCommand({ FunctionName })),
      "ResourceNotFoundException",
    );
    const statements =
      (policy?.Policy ? (JSON.parse(policy.Policy) as { Statement?: LiveStatement[] }).Statement : []) ?? [];
    const live = statements.find((statement) => statement.Sid === StatementId);
    if (live === undefined) return { action: "create", changes: [], notes: [], ops: [add] };
    const changes = new ChangeList();
    const before = grantOf(live);
    const { definition } = permission;
    changes.compare("Principal", before.Principal, definition.Principal);
    changes.compare("Action", before.Action, definition.Action);
    changes.compare("SourceArn", before.SourceArn, definition.SourceArn);
    changes.compare("SourceAccount", before.SourceAccount, definition.SourceAccount);
    // A statement cannot be edited: remove it and add it again.
    const remove: Operation = {
      name: "RemovePermission",
      run: async () => {
        await lambda.send(new sdk.RemovePermissionCommand({ FunctionName, StatementId }));
      },
    };
    return {
      action: decideAction(true, changes.changes),
      changes: changes.changes,
      notes: [],
      ops: changes.changes.length > 0 ? [remove, add] : [],
    };
  },
  async destroy(ctx, ref) {
    const { RemovePermissionCommand } = await import("@aws-sdk/client-lambda");
    const lambda = await ctx.clients.lambda();
    const { FunctionName, StatementId } = permissionOf(ctx.stack, ref.name).definition;
    const done = await readOrUndefined(
      () => lambda.send(new RemovePermissionCommand({ FunctionName, StatementId })),
      "ResourceNotFoundException",
    );
    return done === undefined ? "absent" : "deleted";
  },
};
