import {
  BatchWriteItemCommand,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
} from "@aws-sdk/client-dynamodb-streams";
import { clientConfig, createStreamTable } from "../crash-clients.js";
import { workers, type KillScenario } from "../kill-rounds.js";

/**
 * DynamoDB under kill -9: 8 writers, each on keys of its own, with PutItem, UpdateItem, DeleteItem,
 * BatchWriteItem and TransactWriteItems (or PutItem alone, the repro). Every write carries
 * a unique token `v`. After a restart:
 * - the table: each key holds its last acknowledged state, or the outcome of a write that was in
 *   flight at the kill; a transaction's two items are both there or neither;
 * - the stream (what a consumer reads): every acknowledged write has its record, in order, and
 *   the last record of each key is the key's state in the table (no item without its record).
 */

type State = string | null; // the item's token, or null: no item

interface KeyModel {
  acked: State;
  /** Outcomes of writes sent but not acknowledged (the kill cut them): any may have happened. */
  inflight: Set<State>;
  /** Tokens (or null for a delete) of every acknowledged write, in order. */
  history: State[];
  transaction?: string;
}

interface Context {
  streamArn: string;
  keys: Map<string, KeyModel>;
  nextKey: number[];
  transactions: { token: string; keys: [string, string]; acked: boolean }[];
}

const TABLE = "crash-load";
const WRITERS = 8;
const S = (value: string) => ({ S: value });

export interface DynamodbScenarioOptions {
  mix: "all" | "puts";
  /** Writes per round (the kill falls inside them); unbounded when absent. */
  writesPerRound?: number;
}

export function dynamodbScenario(options: DynamodbScenarioOptions = { mix: "all" }): KillScenario<Context> {
  const { mix, writesPerRound } = options;
  return {
    services: ["dynamodb", "dynamodbstreams"],
    async setup(url) {
      const ddb = new DynamoDBClient(clientConfig(url));
      try {
        const streamArn = await createStreamTable(ddb, TABLE);
        return { streamArn, keys: new Map(), nextKey: Array(WRITERS).fill(0), transactions: [] };
      } finally {
        ddb.destroy();
      }
    },
    async load(url, context, acknowledged, signal) {
      const ddb = new DynamoDBClient(clientConfig(url));
      let tokens = 0;
      let sent = 0;
      try {
        await workers(WRITERS, signal, async (worker, step) => {
          if (writesPerRound !== undefined && sent++ >= writesPerRound) return false;
          const token = `w${worker}-t${tokens++}-${Date.now().toString(36)}`;
          const fresh = () => {
            const key = `w${worker}-k${context.nextKey[worker]!++}`;
            const model: KeyModel = { acked: null, inflight: new Set(), history: [] };
            context.keys.set(key, model);
            return { key, model };
          };
          const live = () =>
            [...context.keys.entries()].find(
              ([key, model]) =>
                key.startsWith(`w${worker}-`) &&
                model.acked !== null &&
                !model.transaction &&
                model.inflight.size === 0,
            );
          const op = mix === "puts" ? 0 : step % 5;
          const writes: { key: string; model: KeyModel; outcome: State }[] = [];
          let send: () => Promise<unknown>;
          if (op === 1 && live()) {
            const [key, model] = live()!;
            writes.push({ key, model, outcome: token });
            send = () =>
              ddb.send(
                new UpdateItemCommand({
                  TableName: TABLE,
                  Key: { pk: S(key) },
                  UpdateExpression: "SET v = :v",
                  ExpressionAttributeValues: { ":v": S(token) },
                }),
              );
          } else if (op === 2 && live()) {
            const [key, model] = live()!;
            writes.push({ key, model, outcome: null });
            send = () => ddb.send(new DeleteItemCommand({ TableName: TABLE, Key: { pk: S(key) } }));
          } else if (op === 3) {
            for (let n = 0; n < 3; n++) writes.push({ ...fresh(), outcome: token });
            send = () =>
              ddb.send(
                new BatchWriteItemCommand({
                  RequestItems: {
                    [TABLE]: writes.map((w) => ({ PutRequest: { Item: { pk: S(w.key), v: S(token) } } })),
                  },
                }),
              );
          } else if (op === 4) {
            for (let n = 0; n < 2; n++) writes.push({ ...fresh(), outcome: token });
            for (const write of writes) write.model.transaction = token;
            const transaction = {
              token,
              keys: [writes[0]!.key, writes[1]!.key] as [string, string],
              acked: false,
            };
            context.transactions.push(transaction);
            send = async () => {
              await ddb.send(
                new TransactWriteItemsCommand({
                  TransactItems: writes.map((w) => ({
                    Put: {
                      TableName: TABLE,
                      Item: { pk: S(w.key), v: S(token) },
                      ConditionExpression: "attribute_not_exists(pk)",
                    },
                  })),
                }),
              );
              transaction.acked = true;
            };
          } else {
            writes.push({ ...fresh(), outcome: token });
            send = () =>
              ddb.send(
                new PutItemCommand({ TableName: TABLE, Item: { pk: S(writes[0]!.key), v: S(token) } }),
              );
          }
          for (const write of writes) write.model.inflight.add(write.outcome);
          await send();
          for (const write of writes) {
            write.model.inflight.delete(write.outcome);
            write.model.acked = write.outcome;
            write.model.history.push(write.outcome);
          }
          acknowledged();
        });
      } finally {
        ddb.destroy();
      }
    },
    async verify(url, context) {
      const ddb = new DynamoDBClient(clientConfig(url));
      const streams = new DynamoDBStreamsClient(clientConfig(url));
      try {
        const table = await scan(ddb);
        const records = await readStream(streams, context.streamArn);
        return judge(context, table, records);
      } finally {
        ddb.destroy();
        streams.destroy();
      }
    },
  };
}

function judge(context: Context, table: Map<string, string>, records: _Record[]) {
  const lost: string[] = [];
  let checked = 0;
  const perKey = new Map<string, State[]>();
  const sequences = new Set<string>();
  for (const record of records) {
    const sequence = record.dynamodb?.SequenceNumber ?? "";
    if (sequences.has(sequence)) lost.push(`stream: sequence number ${sequence} appears twice`);
    sequences.add(sequence);
    const key = record.dynamodb?.Keys?.["pk"]?.S ?? "?";
    const state = record.eventName === "REMOVE" ? null : (record.dynamodb?.NewImage?.["v"]?.S ?? "?");
    const list = perKey.get(key) ?? [];
    list.push(state);
    perKey.set(key, list);
  }
  for (const key of table.keys()) {
    if (!context.keys.has(key)) lost.push(`table: ${key} was never written by the load`);
  }
  for (const [key, model] of context.keys) {
    const actual = table.get(key) ?? null;
    const allowed = new Set<State>([model.acked, ...model.inflight]);
    if (model.history.length > 0) checked++;
    if (!allowed.has(actual)) {
      lost.push(`table: ${key} holds ${actual ?? "no item"}, acknowledged ${model.acked ?? "absent"}`);
    }
    const seen = perKey.get(key) ?? [];
    const last = seen.length > 0 ? seen[seen.length - 1] : null;
    if (last !== actual) {
      lost.push(
        `stream: the last record of ${key} says ${last ?? "no item"}, the table holds ${actual ?? "no item"}`,
      );
    }
    // Every acknowledged write is in the stream, in order (a write in flight may sit in between).
    let from = 0;
    for (const state of model.history) {
      const at = seen.indexOf(state, from);
      if (at === -1) {
        lost.push(`stream: no record of the acknowledged write ${state ?? "delete"} of ${key}`);
        break;
      }
      from = at + 1;
    }
    for (let n = 1; n < seen.length; n++) {
      if (seen[n] === seen[n - 1] && seen[n] !== null) lost.push(`stream: a write of ${key} recorded twice`);
    }
    // What is settled now is the starting point of the next round.
    model.acked = actual;
    model.inflight.clear();
    if ((model.history.at(-1) ?? null) !== actual) model.history.push(actual);
  }
  for (const transaction of context.transactions) {
    const present = transaction.keys.map((key) => table.get(key) === transaction.token);
    if (present[0] !== present[1]) {
      lost.push(`transaction ${transaction.token}: ${transaction.keys.join(" and ")} are not all or nothing`);
    }
    if (transaction.acked && !present[0])
      lost.push(`transaction ${transaction.token}: acknowledged but absent`);
  }
  return { checked, lost };
}

async function scan(ddb: DynamoDBClient): Promise<Map<string, string>> {
  const items = new Map<string, string>();
  let start: Record<string, { S: string }> | undefined;
  do {
    const page = await ddb.send(
      new ScanCommand({ TableName: TABLE, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    for (const item of page.Items ?? []) items.set(item["pk"]!.S!, item["v"]!.S!);
    start = page.LastEvaluatedKey as typeof start;
  } while (start);
  return items;
}

async function readStream(streams: DynamoDBStreamsClient, arn: string): Promise<_Record[]> {
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: arn }));
  let iterator = (
    await streams.send(
      new GetShardIteratorCommand({
        StreamArn: arn,
        ShardId: StreamDescription!.Shards![0]!.ShardId!,
        ShardIteratorType: "TRIM_HORIZON",
      }),
    )
  ).ShardIterator;
  const records: _Record[] = [];
  for (;;) {
    const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
    records.push(...(page.Records ?? []));
    if (!page.Records?.length || !page.NextShardIterator) return records;
    iterator = page.NextShardIterator;
  }
}
