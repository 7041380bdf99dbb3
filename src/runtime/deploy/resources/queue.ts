import type { QueueDeclaration } from "../../../pipeline/stack/index.js";
import { isAwsError, readOrUndefined } from "../aws-errors.js";
import { ChangeList, decideAction } from "../compare.js";
import { declarationOf, type DriverContext, type ResourceDriver } from "../driver.js";

const QUEUE_MISSING = ["QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue"];
const DELETED_RECENTLY = ["QueueDeletedRecently", "AWS.SimpleQueueService.QueueDeletedRecently"];

/**
 * SQS keeps a deleted queue's name for 60 s; a CreateQueue with it in that minute is refused with
 * QueueDeletedRecently. That is a wait, not a failure: a stack destroyed and deployed again (verify
 * 4C's -test copy run twice in a row) waits the minute out, saying so, then creates the queue.
 */
const NAME_HELD_MS = 60_000;
const RETRY_EVERY_MS = 2_000;

async function createWaitingOutDeletion(ctx: DriverContext, name: string, create: () => Promise<unknown>) {
  const began = Date.now();
  let toldAt: number | undefined;
  for (;;) {
    try {
      await create();
      return;
    } catch (error) {
      if (!isAwsError(error, ...DELETED_RECENTLY)) throw error;
      const waited = Date.now() - began;
      // The minute runs from the deletion, which this process may not have seen: allow a margin.
      if (waited > NAME_HELD_MS + 10_000) throw error;
      // Said at once, then every 10 s: piped output keeps every line.
      if (toldAt === undefined || Date.now() - toldAt >= 10_000) {
        toldAt = Date.now();
        ctx.step(
          `SQS holds the name ${name} for 60 s after the queue's deletion (QueueDeletedRecently): ` +
            `waiting to create it again (${Math.round(waited / 1000)} s so far)`,
        );
      }
      await abortableDelay(RETRY_EVERY_MS, ctx.signal);
    }
  }
}

function abortableDelay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted)
      return reject(new Error("interrupted while waiting for SQS to release the queue name"));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error("interrupted while waiting for SQS to release the queue name"));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

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
            run: () =>
              createWaitingOutDeletion(ctx, ref.name, () =>
                sqs.send(new CreateQueueCommand(declaration.definition)),
              ),
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
