import type { QueueDeclaration } from "../../../pipeline/stack/index.js";
import { isAwsError, readOrUndefined } from "../aws-errors.js";
import { ChangeList, decideAction } from "../compare.js";
import { declarationOf, type ResourceDriver } from "../driver.js";

const QUEUE_MISSING = ["QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue"];

function queueOf(stack: { queues: Record<string, QueueDeclaration> }, name: string): QueueDeclaration {
  return declarationOf(Object.values(stack.queues), name, (queue) => queue.name, "queue");
}

/** SQS queues: created with their attributes; declared attributes (policy, redrive, retention) kept in step. */
export const queueDriver: ResourceDriver = {
  kind: "queue",
  async assess(ctx, ref) {
    const { GetQueueUrlCommand, GetQueueAttributesCommand, CreateQueueCommand, SetQueueAttributesCommand } =
      await import("@aws-sdk/client-sqs");
    const sqs = await ctx.clients.sqs();
    const declaration = queueOf(ctx.stack, ref.name);
    const declared = declaration.definition.Attributes ?? {};
    const url = (
      await readOrUndefined(() => sqs.send(new GetQueueUrlCommand({ QueueName: ref.name })), ...QUEUE_MISSING)
    )?.QueueUrl;
    if (url === undefined) {
      return {
        action: "create",
        changes: [],
        notes: [],
        ops: [
          {
            name: "CreateQueue",
            run: async () => {
              await sqs.send(new CreateQueueCommand(declaration.definition));
            },
          },
        ],
      };
    }
    const live: Record<string, string | undefined> =
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] })))
        .Attributes ?? {};
    const changes = new ChangeList();
    const changed: Record<string, string> = {};
    for (const [key, value] of Object.entries(declared)) {
      if (value !== undefined && changes.compare(`Attributes.${key}`, live[key], value)) changed[key] = value;
    }
    return {
      action: decideAction(true, changes.changes),
      changes: changes.changes,
      notes: [],
      ops:
        Object.keys(changed).length === 0
          ? []
          : [
              {
                name: "SetQueueAttributes",
                run: async () => {
                  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: changed }));
                },
              },
            ],
    };
  },
  async destroy(ctx, ref) {
    const { GetQueueUrlCommand, DeleteQueueCommand } = await import("@aws-sdk/client-sqs");
    const sqs = await ctx.clients.sqs();
    const url = (
      await readOrUndefined(() => sqs.send(new GetQueueUrlCommand({ QueueName: ref.name })), ...QUEUE_MISSING)
    )?.QueueUrl;
    if (url === undefined) return "absent";
    try {
      await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    } catch (error) {
      if (isAwsError(error, ...QUEUE_MISSING)) return "absent";
      throw error;
    }
    return "deleted";
  },
};
