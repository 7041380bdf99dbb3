import type { LogGroupDeclaration } from "../../../pipeline/stack/index.js";
import { readOrUndefined } from "../aws-errors.js";
import { ChangeList, decideAction } from "../compare.js";
import { declarationOf, type ResourceDriver } from "../driver.js";

function groupOf(
  stack: { logGroups: Record<string, LogGroupDeclaration> },
  name: string,
): LogGroupDeclaration {
  return declarationOf(Object.values(stack.logGroups), name, (group) => group.name, "log group");
}

/** Each function's log group, created ahead of the function so its retention applies from the start. */
export const logGroupDriver: ResourceDriver = {
  kind: "log-group",
  async assess(ctx, ref) {
    const logsSdk = await import("@aws-sdk/client-cloudwatch-logs");
    const logs = await ctx.clients.logs();
    const group = groupOf(ctx.stack, ref.name);
    const putRetention = {
      name: "PutRetentionPolicy",
      run: async () => {
        await logs.send(
          new logsSdk.PutRetentionPolicyCommand({
            logGroupName: group.name,
            retentionInDays: group.retentionInDays,
          }),
        );
      },
    };
    const found = (
      await logs.send(new logsSdk.DescribeLogGroupsCommand({ logGroupNamePrefix: group.name, limit: 50 }))
    ).logGroups?.find((candidate) => candidate.logGroupName === group.name);
    if (found === undefined) {
      return {
        action: "create",
        changes: [],
        notes: [],
        ops: [
          {
            name: "CreateLogGroup",
            run: async () => {
              await readOrUndefined(
                () => logs.send(new logsSdk.CreateLogGroupCommand({ logGroupName: group.name })),
                // A function invoked before its group existed created it: that is fine.
                "ResourceAlreadyExistsException",
              );
            },
          },
          putRetention,
        ],
      };
    }
    const changes = new ChangeList();
    const ops = changes.compare("retentionInDays", found.retentionInDays, group.retentionInDays)
      ? [putRetention]
      : [];
    return { action: decideAction(true, changes.changes), changes: changes.changes, notes: [], ops };
  },
  async destroy(ctx, ref) {
    const logsSdk = await import("@aws-sdk/client-cloudwatch-logs");
    const logs = await ctx.clients.logs();
    const done = await readOrUndefined(
      () => logs.send(new logsSdk.DeleteLogGroupCommand({ logGroupName: ref.name })),
      "ResourceNotFoundException",
    );
    return done === undefined ? "absent" : "deleted";
  },
};
