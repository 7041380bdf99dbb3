import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { clientConfig } from "../crash-clients.js";
import { workers, type KillScenario } from "../kill-rounds.js";

/**
 * SQS under kill -9: four senders, two receivers that delete half of what they receive. After a
 * restart: every acknowledged send is in the queue unless its delete was acknowledged (or in
 * flight); every acknowledged delete stays deleted; every acknowledged receive stays in flight
 * (its visibility timeout, an hour, has not passed: it must not be handed out again).
 */

interface Context {
  sent: Set<string>;
  received: Set<string>;
  deleted: Set<string>;
  deleting: Set<string>;
  next: number;
}

const QUEUE = "kill-q";

export function sqsScenario(): KillScenario<Context> {
  return {
    services: ["sqs"],
    async setup(url) {
      const sqs = new SQSClient(clientConfig(url));
      try {
        await sqs.send(
          new CreateQueueCommand({ QueueName: QUEUE, Attributes: { VisibilityTimeout: "3600" } }),
        );
      } finally {
        sqs.destroy();
      }
      return { sent: new Set(), received: new Set(), deleted: new Set(), deleting: new Set(), next: 0 };
    },
    async load(url, context, acknowledged, signal) {
      const sqs = new SQSClient(clientConfig(url));
      const queueUrl = `${url}/000000000000/${QUEUE}`;
      try {
        await workers(6, signal, async (worker) => {
          if (worker < 4) {
            const id = `m-${String(context.next++).padStart(6, "0")}`;
            await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: id }));
            context.sent.add(id);
            acknowledged();
            return;
          }
          const { Messages } = await sqs.send(
            new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
          );
          for (const message of Messages ?? []) {
            context.received.add(message.Body!);
            acknowledged();
          }
          for (const message of Messages ?? []) {
            if (Number(message.Body!.slice(2)) % 2 !== 0) continue;
            context.deleting.add(message.Body!);
            await sqs.send(
              new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
            );
            context.deleting.delete(message.Body!);
            context.deleted.add(message.Body!);
            acknowledged();
          }
        });
      } finally {
        sqs.destroy();
      }
    },
    async verify(url, context) {
      // The operator side door lists every message with its state without receiving it.
      const answer = await fetch(`${url}/_emulator/sqs/messages?QueueName=${QUEUE}`);
      const { Messages } = (await answer.json()) as { Messages: { Body: string; State: string }[] };
      const state = new Map(Messages.map((m) => [m.Body, m.State]));
      const lost: string[] = [];
      for (const id of context.sent) {
        if (!context.deleted.has(id) && !context.deleting.has(id) && !state.has(id))
          lost.push(`sent ${id} is gone`);
      }
      for (const id of context.deleted) if (state.has(id)) lost.push(`deleted ${id} came back`);
      for (const id of context.received) {
        const now = state.get(id);
        if (now !== undefined && now !== "INFLIGHT") lost.push(`received ${id} is ${now} again`);
      }
      // What the kill cut is settled now.
      for (const id of context.deleting) if (!state.has(id)) context.deleted.add(id);
      context.deleting.clear();
      return { checked: context.sent.size + context.received.size + context.deleted.size, lost };
    },
  };
}
