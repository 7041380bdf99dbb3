import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { CreateEventSourceMappingCommand, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  clientConfig,
  createFunction,
  createRole,
  createStreamTable,
  jsonLines,
  waitFor,
} from "../crash-clients.js";
import { workers, type KillScenario } from "../kill-rounds.js";

const LAMBDA_SERVICES = ["sts", "iam", "logs", "lambda"];

/**
 * Lambda asynchronous invocations under kill -9: Invoke with InvocationType Event (202 is the
 * acknowledgement); every third event fails its first attempt, so events are queued and in retry
 * when the kill comes. After a restart every acknowledged event runs to success (at least once), in
 * an environment that has the emulator's endpoint (start-up order: the queue resumes only once the
 * gateway listens).
 */
const ASYNC_HANDLER = `
import { appendFileSync, existsSync, writeFileSync } from "node:fs";
export const handler = async (event) => {
  const mark = process.env.DIR + "/attempted-" + event.id;
  if (event.fail && !existsSync(mark)) {
    writeFileSync(mark, "");
    throw new Error("the first attempt fails");
  }
  appendFileSync(process.env.DIR + "/done.jsonl", JSON.stringify({ id: event.id, endpoint: process.env.AWS_ENDPOINT_URL ?? "" }) + "\\n");
};
`;

interface AsyncContext {
  dir: string;
  acked: Set<string>;
  next: number;
}

export function lambdaAsyncScenario(): KillScenario<AsyncContext> {
  return {
    services: LAMBDA_SERVICES,
    // AWS's 1 and 2 minute retry waits as 0.6 s and 1.2 s.
    settings: { retryWaitScale: 0.01 },
    async setup(url, persistDir) {
      // What the function writes lives next to the emulator's state, and goes with it.
      const dir = join(persistDir, "test-output");
      mkdirSync(dir, { recursive: true });
      const role = await createRole(url);
      await createFunction(url, { name: "async-kill", role, source: ASYNC_HANDLER, variables: { DIR: dir } });
      return { dir, acked: new Set(), next: 0 };
    },
    async load(url, context, acknowledged, signal) {
      const lambda = new LambdaClient(clientConfig(url));
      try {
        await workers(4, signal, async () => {
          const n = context.next++;
          const id = `a-${String(n).padStart(6, "0")}`;
          const answer = await lambda.send(
            new InvokeCommand({
              FunctionName: "async-kill",
              InvocationType: "Event",
              Payload: Buffer.from(JSON.stringify({ id, fail: n % 3 === 0 })),
            }),
          );
          if (answer.StatusCode !== 202) throw new Error(`Invoke answered ${answer.StatusCode}`);
          context.acked.add(id);
          acknowledged();
        });
      } finally {
        lambda.destroy();
      }
    },
    async verify(_url, context) {
      const done = () => new Set(jsonLines<{ id: string }>(join(context.dir, "done.jsonl")).map((l) => l.id));
      await waitFor(
        () => [...context.acked].every((id) => done().has(id)),
        "every acknowledged asynchronous invocation to succeed",
        60_000,
      ).catch(() => undefined);
      const succeeded = done();
      const lost = [
        ...[...context.acked]
          .filter((id) => !succeeded.has(id))
          .map((id) => `event ${id} never ran to success`),
        ...jsonLines<{ id: string; endpoint: string }>(join(context.dir, "done.jsonl"))
          .filter((line) => !/^http:\/\/127\.0\.0\.1:\d+$/.test(line.endpoint))
          .map(
            (line) =>
              `event ${line.id} ran without the emulator's endpoint (${JSON.stringify(line.endpoint)})`,
          ),
      ];
      return { checked: context.acked.size, lost };
    },
  };
}

/**
 * A DynamoDB stream event source mapping under kill -9, writes and consumption both in progress.
 * After a restart every acknowledged item reaches the function (no record skipped), and a record
 * is delivered again only if its batch had not finished: with one batch in flight per shard, only
 * the batch that was running at a kill may come again. Each batch line names the emulator process
 * that ran it, so a handler that started just as the process died counts as its: the pid of the
 * emulator that spawned the environment (read at init, while it certainly lived) and its endpoint
 * (an endpoint alone is not enough: a restart can get a port an earlier emulator of the run had).
 */
const MAPPING_HANDLER = `
import { appendFileSync } from "node:fs";
const emulator = process.env.AWS_ENDPOINT_URL + " pid " + process.ppid;
export const handler = async (event) => {
  appendFileSync(process.env.OUT, JSON.stringify({
    emulator,
    keys: event.Records.map((r) => r.dynamodb.Keys.pk.S),
  }) + "\\n");
};
`;

interface MappingContext {
  out: string;
  acked: Set<string>;
  next: number;
}

/** One invocation: the emulator process that ran it ("<endpoint> pid <pid>"). */
interface Batch {
  emulator: string;
  keys: string[];
}

export function lambdaMappingScenario(): KillScenario<MappingContext> {
  return {
    services: ["sts", "iam", "logs", "dynamodb", "dynamodbstreams", "lambda"],
    async setup(url, persistDir) {
      const out = join(persistDir, "test-output-batches.jsonl");
      const ddb = new DynamoDBClient(clientConfig(url));
      const streamArn = await createStreamTable(ddb, "mapped");
      ddb.destroy();
      const role = await createRole(url);
      await createFunction(url, {
        name: "mapped-kill",
        role,
        source: MAPPING_HANDLER,
        variables: { OUT: out },
      });
      const lambda = new LambdaClient(clientConfig(url));
      await lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: "mapped-kill",
          EventSourceArn: streamArn,
          StartingPosition: "TRIM_HORIZON",
          BatchSize: 5,
        }),
      );
      lambda.destroy();
      return { out, acked: new Set(), next: 0 };
    },
    async load(url, context, acknowledged, signal) {
      const ddb = new DynamoDBClient(clientConfig(url));
      try {
        await workers(4, signal, async () => {
          const key = `r-${String(context.next++).padStart(6, "0")}`;
          await ddb.send(new PutItemCommand({ TableName: "mapped", Item: { pk: { S: key } } }));
          context.acked.add(key);
          acknowledged();
        });
      } finally {
        ddb.destroy();
      }
    },
    async verify(url, context) {
      const deliveries = () => jsonLines<Batch>(context.out).flatMap((batch) => batch.keys);
      await waitFor(
        () => {
          const seen = new Set(deliveries());
          return [...context.acked].every((key) => seen.has(key));
        },
        "every acknowledged item to reach the function",
        60_000,
      ).catch(() => undefined);
      const batches = jsonLines<Batch>(context.out);
      /** Per record, the emulator processes that delivered it (one entry per delivery). */
      const deliveredBy = new Map<string, string[]>();
      for (const batch of batches)
        for (const key of batch.keys) deliveredBy.set(key, [...(deliveredBy.get(key) ?? []), batch.emulator]);
      // Batches run one after the other per shard: of each killed emulator's batches only the
      // last one may not have finished (its checkpoint not written), so only its keys may come again.
      const lastBatch = new Map<string, string[]>();
      for (const batch of batches) lastBatch.set(batch.emulator, batch.keys);
      const { pid } = (await (await fetch(`${url}/_emulator/health`)).json()) as { pid: number };
      lastBatch.delete(`${url} pid ${pid}`);
      const unfinished = new Set([...lastBatch.values()].flat());
      const lost = [
        ...[...context.acked]
          .filter((key) => !deliveredBy.has(key))
          .map((key) => `record ${key} was skipped`),
        ...[...deliveredBy]
          .filter(([key, by]) => by.length > 1 && !unfinished.has(key))
          .map(
            ([key, by]) =>
              `record ${key} was delivered ${by.length} times (by ${by.join(", ")}), its batch had finished before the kill`,
          ),
      ];
      return { checked: context.acked.size, lost };
    },
  };
}
