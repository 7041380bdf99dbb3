import { DeleteItemCommand, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import { buildCelebrityItem } from "../../pipeline/model/item.js";
import type { ItemKey } from "../../pipeline/model/keys.js";
import type { Celebrity } from "../../pipeline/model/roster.js";
import type { Stack } from "../../pipeline/stack/index.js";
import { versionBase } from "../../pipeline/model/version.js";
import { diagnoseConsumer } from "./diagnose.js";
import { formatMs, waitFor } from "./poll.js";
import { openIndex } from "./probes.js";
import { errorText } from "./runner.js";
import { failed, passed, type CheckDefinition, type Finding, type VerifyEnv } from "./types.js";

/**
 * The canary: one sentinel celebrity item outside the roster is written, and both stream consumers
 * must be seen to process it (the post-processor puts a weight on it, index-sync indexes it), each
 * timed. The sentinel and its document are removed afterwards, whatever happened.
 */

export interface CanaryState {
  canary?: {
    postProcessMs?: number;
    indexMs?: number;
    stuck?: "post-processor" | "index-sync";
    since: number;
  };
}

export function sentinelItem(at: Date): ReturnType<typeof buildCelebrityItem<"news">> {
  const id = `canary-${at.getTime()}`;
  const celebrity: Celebrity = {
    id,
    name: "Verify Canary",
    category: "actor",
    country: "GB",
    city: "London",
    handle: `${id}.verify.invalid`,
  };
  return buildCelebrityItem(
    celebrity,
    "news",
    {
      source: "news",
      articleCount: 1,
      headlines: ["Verify canary: a calm and pleasant test entry"],
      averageTone: 0,
    },
    at,
  );
}

export function canaryCheck<S extends CanaryState>(
  stackOf: (env: VerifyEnv, state: S) => Stack,
): CheckDefinition<S> {
  return {
    id: "canary",
    rule: (env) =>
      `a sentinel item gets a weight within ${env.config.verify.deadlines.postProcessingSeconds} s and a document within ${env.config.verify.deadlines.indexSyncSeconds} s; it is removed after`,
    title: "Canary: a sentinel item reaches both stream consumers",
    async run(env, state, progress) {
      const stack = stackOf(env, state);
      const ddb = await env.clients.dynamodb();
      const index = openIndex(stack);
      const started = env.now();
      const item = sentinelItem(started);
      const key: ItemKey = { pk: item.pk, sk: item.sk };
      const canary: NonNullable<CanaryState["canary"]> = { since: started.getTime() };
      state.canary = canary;
      const deadlines = env.config.verify.deadlines;
      try {
        progress(`writing ${key.pk}`);
        await ddb.send(
          new PutItemCommand({
            TableName: stack.table.name,
            // A new item's version, as the pipeline's writers start one: index-sync orders by it.
            Item: marshall({ ...item, version: versionBase(started) + 1 }, { removeUndefinedValues: true }),
          }),
        );
        const enriched = waitFor(env, {
          probe: async () => {
            const got = await ddb.send(
              new GetItemCommand({ TableName: stack.table.name, Key: marshall(key), ConsistentRead: true }),
            );
            return got.Item ? (unmarshall(got.Item) as { weight?: number }).weight : undefined;
          },
          done: (weight) => typeof weight === "number",
          deadlineMs: deadlines.postProcessingSeconds * 1000,
          onProgress: (_w, left) => progress(`waiting for the post-processor (${formatMs(left)} left)`),
        });
        const indexed = waitFor(env, {
          probe: () => index.has(key),
          done: (found) => found,
          deadlineMs: deadlines.indexSyncSeconds * 1000,
        });
        const [post, doc] = await Promise.all([enriched, indexed]);
        if (post.done) canary.postProcessMs = post.elapsedMs;
        if (doc.done) canary.indexMs = doc.elapsedMs;
        const measured = `post-processor ${post.done ? formatMs(post.elapsedMs) : "no weight"}, index-sync ${
          doc.done ? formatMs(doc.elapsedMs) : "no document"
        }`;
        if (!post.done) {
          canary.stuck = "post-processor";
          return failed(measured, `no weight on ${key.pk} within ${deadlines.postProcessingSeconds} s`);
        }
        if (!doc.done) {
          canary.stuck = "index-sync";
          return failed(
            measured,
            `no document for ${key.pk} in index ${stack.index.name} within ${deadlines.indexSyncSeconds} s`,
          );
        }
        return passed(measured);
      } finally {
        progress("removing the sentinel");
        await ddb
          .send(new DeleteItemCommand({ TableName: stack.table.name, Key: marshall(key) }))
          .catch(() => undefined);
        // index-sync deletes the document on REMOVE; if it cannot (or verify was interrupted and
        // cannot wait), remove it ourselves.
        try {
          const gone = await waitFor(env, {
            probe: () => index.has(key).catch(() => false),
            done: (found) => !found,
            deadlineMs: Math.min(5, deadlines.indexSyncSeconds) * 1000,
          }).catch(() => ({ done: false }));
          if (!gone.done) await index.remove(key).catch(() => undefined);
        } finally {
          await index.close();
        }
      }
    },
    async diagnose(env, state): Promise<Finding[]> {
      const stack = stackOf(env, state);
      const consumer = state.canary?.stuck ?? "post-processor";
      try {
        return await diagnoseConsumer(env, stack, consumer, state.canary?.since ?? 0);
      } catch (error) {
        return [{ subject: consumer, ok: false, found: errorText(error) }];
      }
    },
  };
}
