import { GetItemCommand, PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import { runRecordKey, shardRecordKey } from "../model/index.js";
import type { ItemKey, RunRecord, ShardRecord, SourceName } from "../model/index.js";

/**
 * The run and shard records of a run, in the table the items live in. Every write is conditional,
 * so the at-least-once deliveries of SQS and of Lambda's asynchronous invocation cannot count a
 * shard twice or undo a finished plan:
 * - a run record is written while absent or still `planning` (a planner's retry may write it
 *   again), never over `planned`;
 * - a shard record is written while absent or not `done`: the first `done` wins and stays.
 */
export interface RunTable {
  getRun(runId: string, source: SourceName): Promise<RunRecord | undefined>;
  /** Writes the run record as planning; "planned-already" when a plan was finished before. */
  putRunPlanning(record: RunRecord): Promise<"stored" | "planned-already">;
  /** Marks the run planned: every shard was accepted by the work queue. */
  markPlanned(runId: string, source: SourceName, sentAt: Date): Promise<void>;
  getShard(runId: string, source: SourceName, shard: number): Promise<ShardRecord | undefined>;
  /** Writes the shard record unless the shard is done already ("done-already": counted once). */
  putShard(record: ShardRecord): Promise<"stored" | "done-already">;
}

function isConditionFailure(error: unknown): boolean {
  // By name, not instanceof: a bundle may hold its own copy of the SDK's error classes.
  return (error as { name?: unknown }).name === "ConditionalCheckFailedException";
}

export function dynamoRunTable(client: DynamoDBClient, tableName: string): RunTable {
  const get = async <T>(key: ItemKey): Promise<T | undefined> => {
    const { Item } = await client.send(
      new GetItemCommand({ TableName: tableName, Key: marshall(key), ConsistentRead: true }),
    );
    return Item === undefined ? undefined : (unmarshall(Item) as T);
  };
  const putUnless = async (item: RunRecord | ShardRecord, status: string): Promise<boolean> => {
    try {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: marshall(item, { removeUndefinedValues: true }),
          ConditionExpression: "attribute_not_exists(#pk) OR #status <> :status",
          ExpressionAttributeNames: { "#pk": "pk", "#status": "status" },
          ExpressionAttributeValues: marshall({ ":status": status }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  };
  return {
    getRun: (runId, source) => get<RunRecord>(runRecordKey(runId, source)),
    async putRunPlanning(record) {
      return (await putUnless(record, "planned")) ? "stored" : "planned-already";
    },
    async markPlanned(runId, source, sentAt) {
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: marshall(runRecordKey(runId, source)),
          UpdateExpression: "SET #status = :planned, #sentAt = :sentAt",
          ConditionExpression: "attribute_exists(#pk)",
          ExpressionAttributeNames: { "#pk": "pk", "#status": "status", "#sentAt": "sentAt" },
          ExpressionAttributeValues: marshall({ ":planned": "planned", ":sentAt": sentAt.toISOString() }),
        }),
      );
    },
    getShard: (runId, source, shard) => get<ShardRecord>(shardRecordKey(runId, source, shard)),
    async putShard(record) {
      return (await putUnless(record, "done")) ? "stored" : "done-already";
    },
  };
}
