import type { Target } from "@aws-sdk/client-eventbridge";
import type { RuleDeclaration } from "../../../pipeline/stack/index.js";
import { readOrUndefined } from "../aws-errors.js";
import { ChangeList, decideAction } from "../compare.js";
import { declarationOf, type Operation, type ResourceDriver } from "../driver.js";

function ruleOf(stack: { rules: Record<string, RuleDeclaration> }, name: string): RuleDeclaration {
  return declarationOf(Object.values(stack.rules), name, (rule) => rule.name, "rule");
}

/** The fields of a target a deploy sets (the live one may carry more). */
function targetShape(target: Target) {
  return {
    Arn: target.Arn,
    RoleArn: target.RoleArn,
    Input: target.Input,
    InputPath: target.InputPath,
    InputTransformer: target.InputTransformer,
    RetryPolicy: target.RetryPolicy,
    DeadLetterConfig: target.DeadLetterConfig,
  };
}

function failedEntries(
  what: string,
  response: {
    FailedEntryCount?: number;
    FailedEntries?: { TargetId?: string; ErrorCode?: string; ErrorMessage?: string }[];
  },
): void {
  if (!response.FailedEntryCount) return;
  const details = (response.FailedEntries ?? [])
    .map((entry) =>
      `${entry.TargetId ?? "?"}: ${entry.ErrorCode ?? "error"} ${entry.ErrorMessage ?? ""}`.trim(),
    )
    .join("; ");
  throw new Error(`${what} failed for ${response.FailedEntryCount} target(s): ${details}`);
}

/**
 * EventBridge rules and their targets. PutRule replaces the whole rule, State included, so it is
 * called only on create or when the expression, pattern or description changed, and then with the
 * live State: enabling the weekly rule is an operational act (schedule enable, verify 4D) that a
 * redeploy must not undo. The declared State applies on create.
 */
export const ruleDriver: ResourceDriver = {
  kind: "rule",
  async assess(ctx, ref) {
    const sdk = await import("@aws-sdk/client-eventbridge");
    const events = await ctx.clients.eventbridge();
    const rule = ruleOf(ctx.stack, ref.name);
    const bus = rule.definition.EventBusName;
    const live = await readOrUndefined(
      () => events.send(new sdk.DescribeRuleCommand({ Name: rule.name, EventBusName: bus })),
      "ResourceNotFoundException",
    );
    const putTargets = (targets: RuleDeclaration["targets"]): Operation => ({
      name: `PutTargets ${targets.map((target) => target.Id).join(", ")}`,
      run: async () => {
        const response = await events.send(
          new sdk.PutTargetsCommand({ Rule: rule.name, EventBusName: bus, Targets: targets }),
        );
        failedEntries(`PutTargets on ${rule.name}`, response);
      },
    });
    if (live === undefined) {
      return {
        action: "create",
        changes: [],
        notes: [`created ${rule.definition.State}`],
        ops: [
          {
            name: "PutRule",
            run: async () => {
              await events.send(new sdk.PutRuleCommand(rule.definition));
            },
          },
          putTargets(rule.targets),
        ],
      };
    }
    const changes = new ChangeList();
    const ops: Operation[] = [];
    const notes: string[] = [];
    const ruleChanged = [
      changes.compare("ScheduleExpression", live.ScheduleExpression, rule.definition.ScheduleExpression),
      changes.compare("EventPattern", live.EventPattern, rule.definition.EventPattern),
      changes.compare("Description", live.Description, rule.definition.Description),
    ].some(Boolean);
    if (live.State !== rule.definition.State) {
      notes.push(
        `state ${live.State ?? "unknown"} kept (declared ${rule.definition.State} applies on create only)`,
      );
    }
    if (ruleChanged) {
      ops.push({
        name: "PutRule",
        run: async () => {
          const state =
            live.State === "ENABLED" || live.State === "DISABLED" ? live.State : rule.definition.State;
          await events.send(new sdk.PutRuleCommand({ ...rule.definition, State: state }));
        },
      });
    }
    const liveTargets: Target[] = [];
    let nextToken: string | undefined;
    do {
      const page = await events.send(
        new sdk.ListTargetsByRuleCommand({ Rule: rule.name, EventBusName: bus, NextToken: nextToken }),
      );
      liveTargets.push(...(page.Targets ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
    const toPut = rule.targets.filter((target) => {
      const found = liveTargets.find((candidate) => candidate.Id === target.Id);
      return changes.compare(
        `Targets.${target.Id}`,
        found ? targetShape(found) : undefined,
        targetShape(target),
      );
    });
    if (toPut.length > 0) ops.push(putTargets(toPut));
    const declaredIds = new Set(rule.targets.map((target) => target.Id));
    const extra = liveTargets.filter((target) => target.Id !== undefined && !declaredIds.has(target.Id));
    if (extra.length > 0) {
      for (const target of extra)
        changes.add({ field: `Targets.${target.Id}`, before: targetShape(target), after: undefined });
      ops.push({
        name: `RemoveTargets ${extra.map((target) => target.Id).join(", ")}`,
        run: async () => {
          const response = await events.send(
            new sdk.RemoveTargetsCommand({
              Rule: rule.name,
              EventBusName: bus,
              Ids: extra.map((target) => target.Id!),
            }),
          );
          failedEntries(`RemoveTargets on ${rule.name}`, response);
        },
      });
    }
    return { action: decideAction(true, changes.changes), changes: changes.changes, notes, ops };
  },
  async destroy(ctx, ref) {
    const sdk = await import("@aws-sdk/client-eventbridge");
    const events = await ctx.clients.eventbridge();
    const rule = ruleOf(ctx.stack, ref.name);
    const bus = rule.definition.EventBusName;
    const targets = await readOrUndefined(
      () => events.send(new sdk.ListTargetsByRuleCommand({ Rule: rule.name, EventBusName: bus })),
      "ResourceNotFoundException",
    );
    if (targets === undefined) return "absent";
    const ids = (targets.Targets ?? []).map((target) => target.Id!).filter(Boolean);
    if (ids.length > 0) {
      const response = await events.send(
        new sdk.RemoveTargetsCommand({ Rule: rule.name, EventBusName: bus, Ids: ids }),
      );
      failedEntries(`RemoveTargets on ${rule.name}`, response);
    }
    await events.send(new sdk.DeleteRuleCommand({ Name: rule.name, EventBusName: bus }));
    return "deleted";
  },
};
