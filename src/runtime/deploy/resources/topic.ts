import type { Stack, TopicDeclaration } from "../../../pipeline/stack/index.js";
import { isAwsError, readOrUndefined } from "../aws-errors.js";
import { ChangeList, decideAction } from "../compare.js";
import { declarationOf, type Operation, type ResourceDriver } from "../driver.js";

function topicOf(stack: Stack, name: string): TopicDeclaration {
  return declarationOf(Object.values(stack.topics), name, (topic) => topic.name, "topic");
}

/**
 * SNS topics: created with their attributes, declared attributes kept in step. Subscriptions are
 * the operator's (`pipeline alerts subscribe`), not the declaration's: a deploy leaves them alone,
 * a destroy deletes them with the topic (SNS deletes a topic's subscriptions).
 */
export const topicDriver: ResourceDriver = {
  kind: "topic",
  async assess(ctx, ref) {
    const sdk = await import("@aws-sdk/client-sns");
    const sns = await ctx.clients.sns();
    const topic = topicOf(ctx.stack, ref.name);
    const live = await readOrUndefined(
      () => sns.send(new sdk.GetTopicAttributesCommand({ TopicArn: topic.arn })),
      "NotFoundException",
      "NotFound",
    );
    if (live === undefined) {
      return {
        action: "create",
        changes: [],
        notes: [],
        ops: [
          {
            name: "CreateTopic",
            run: async () => {
              await sns.send(new sdk.CreateTopicCommand(topic.definition));
            },
          },
        ],
      };
    }
    const attributes = live.Attributes ?? {};
    const changes = new ChangeList();
    const ops: Operation[] = [];
    for (const [name, value] of Object.entries(topic.definition.Attributes)) {
      if (changes.compare(`Attributes.${name}`, attributes[name], value)) {
        ops.push({
          name: `SetTopicAttributes ${name}`,
          run: async () => {
            await sns.send(
              new sdk.SetTopicAttributesCommand({
                TopicArn: topic.arn,
                AttributeName: name,
                AttributeValue: value,
              }),
            );
          },
        });
      }
    }
    const confirmed = Number(attributes["SubscriptionsConfirmed"] ?? 0);
    const notes =
      confirmed === 0
        ? ["no confirmed subscription: nobody hears the alarms (pipeline alerts subscribe)"]
        : [];
    return { action: decideAction(true, changes.changes), changes: changes.changes, notes, ops };
  },
  async destroy(ctx, ref) {
    const sdk = await import("@aws-sdk/client-sns");
    const sns = await ctx.clients.sns();
    const topic = topicOf(ctx.stack, ref.name);
    try {
      await sns.send(new sdk.GetTopicAttributesCommand({ TopicArn: topic.arn }));
    } catch (error) {
      if (isAwsError(error, "NotFoundException", "NotFound")) return "absent";
      throw error;
    }
    await sns.send(new sdk.DeleteTopicCommand({ TopicArn: topic.arn }));
    return "deleted";
  },
};
