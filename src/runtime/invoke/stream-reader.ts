import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from "@aws-sdk/client-dynamodb-streams";
import type {
  AttributeValue as SdkAttributeValue,
  DynamoDBStreamsClient,
  _Record as SdkRecord,
  Shard,
} from "@aws-sdk/client-dynamodb-streams";
import type { AttributeValue, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { isCelebrityKey, KEY_ATTRIBUTES } from "../../pipeline/model/keys.js";
import { OperatorError } from "../config/errors.js";

/**
 * Reads a table's stream through the DynamoDB Streams API the way an event source mapping does,
 * for `pipeline run --stage all`: a position is taken before the writes (a LATEST iterator per open
 * shard), and later reads continue from it; shards that appear afterwards are read from
 * TRIM_HORIZON. Records come back Lambda-shaped (epoch-second times, base64 binaries).
 */

/** Lambda delivers at most this many records per stream batch (the mappings' BatchSize). */
export const STREAM_BATCH_SIZE = 100;

export interface StreamPosition {
  streamArn: string;
  /** Shards that existed when the position was taken. */
  knownShards: Set<string>;
  /** Where each shard's next read starts; undefined once a closed shard is read to its end. */
  iterators: Map<string, string | undefined>;
}

export async function latestStreamArn(dynamodb: DynamoDBClient, tableName: string): Promise<string> {
  const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
  if (!Table?.LatestStreamArn || Table.StreamSpecification?.StreamEnabled === false) {
    throw new OperatorError(
      `table ${tableName} has no stream; run \`pipeline deploy\` to create it as the stack declares it`,
    );
  }
  return Table.LatestStreamArn;
}

async function listShards(streams: DynamoDBStreamsClient, streamArn: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let start: string | undefined;
  do {
    const { StreamDescription } = await streams.send(
      new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }),
    );
    shards.push(...(StreamDescription?.Shards ?? []));
    start = StreamDescription?.LastEvaluatedShardId;
  } while (start !== undefined);
  return shards;
}

async function iteratorFor(
  streams: DynamoDBStreamsClient,
  streamArn: string,
  shardId: string,
  type: "LATEST" | "TRIM_HORIZON",
): Promise<string | undefined> {
  const { ShardIterator } = await streams.send(
    new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: type }),
  );
  return ShardIterator;
}

/** The stream's current end: later reads return only what is written after this call. */
export async function streamPositionNow(
  streams: DynamoDBStreamsClient,
  streamArn: string,
): Promise<StreamPosition> {
  const shards = await listShards(streams, streamArn);
  const iterators = new Map<string, string | undefined>();
  for (const shard of shards) {
    if (!shard.ShardId || shard.SequenceNumberRange?.EndingSequenceNumber !== undefined) continue;
    iterators.set(shard.ShardId, await iteratorFor(streams, streamArn, shard.ShardId, "LATEST"));
  }
  return {
    streamArn,
    knownShards: new Set(shards.flatMap((shard) => (shard.ShardId ? [shard.ShardId] : []))),
    iterators,
  };
}

/**
 * The stream's oldest retained record (TRIM_HORIZON of every shard, 24 hours on AWS): reading from
 * here gives what a mapping created with TRIM_HORIZON would receive.
 */
export function streamPositionAtStart(streamArn: string): StreamPosition {
  return { streamArn, knownShards: new Set(), iterators: new Map() };
}

/** Every record the stream holds from the position to its current end (one pass). */
export async function readStreamToEnd(
  streams: DynamoDBStreamsClient,
  position: StreamPosition,
  region: string,
): Promise<DynamoDBRecord[]> {
  return readOnce(streams, position, region);
}

/**
 * Reads every shard from the position to its current end, once; the position moves on. Returns
 * the records in stream order per shard (parents before children, as DescribeStream lists them).
 */
async function readOnce(
  streams: DynamoDBStreamsClient,
  position: StreamPosition,
  region: string,
): Promise<DynamoDBRecord[]> {
  const out: DynamoDBRecord[] = [];
  for (const shard of await listShards(streams, position.streamArn)) {
    const shardId = shard.ShardId;
    if (!shardId) continue;
    if (!position.iterators.has(shardId)) {
      if (position.knownShards.has(shardId)) continue; // closed before the position was taken
      position.knownShards.add(shardId);
      position.iterators.set(
        shardId,
        await iteratorFor(streams, position.streamArn, shardId, "TRIM_HORIZON"),
      );
    }
    let iterator = position.iterators.get(shardId);
    while (iterator !== undefined) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      const records = page.Records ?? [];
      out.push(...records.map((record) => toLambdaRecord(record, position.streamArn, region)));
      iterator = page.NextShardIterator;
      position.iterators.set(shardId, iterator);
      if (records.length === 0) break;
    }
  }
  return out;
}

export interface ReadUntilOptions {
  /** True once the records read so far are all the caller waits for. */
  enough: (records: readonly DynamoDBRecord[]) => boolean;
  deadlineMs: number;
  /** Pause between reads that found the stream caught up but not yet enough. */
  pollMs?: number;
  signal?: AbortSignal;
}

export interface ReadResult {
  records: DynamoDBRecord[];
  /** False when the deadline passed before `enough` held. */
  complete: boolean;
}

/** Reads from the position until `enough` holds (records become readable shortly after writes). */
export async function readStreamUntil(
  streams: DynamoDBStreamsClient,
  position: StreamPosition,
  region: string,
  options: ReadUntilOptions,
): Promise<ReadResult> {
  const records: DynamoDBRecord[] = [];
  const deadline = Date.now() + options.deadlineMs;
  for (;;) {
    records.push(...(await readOnce(streams, position, region)));
    if (options.enough(records)) return { records, complete: true };
    if (Date.now() >= deadline) return { records, complete: false };
    options.signal?.throwIfAborted();
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 100));
  }
}

/** What the mappings' FilterCriteria lets through: celebrity items only (pk prefix CELEB#). */
export function isCelebrityRecord(record: DynamoDBRecord): boolean {
  return isCelebrityKey(record.dynamodb?.Keys?.[KEY_ATTRIBUTES.pk]?.S);
}

/** Lambda stream events of at most `size` records, in the order given. */
export function toStreamEvents(
  records: readonly DynamoDBRecord[],
  size = STREAM_BATCH_SIZE,
): DynamoDBStreamEvent[] {
  const events: DynamoDBStreamEvent[] = [];
  for (let start = 0; start < records.length; start += size) {
    events.push({ Records: records.slice(start, start + size) });
  }
  return events;
}

function toLambdaRecord(record: SdkRecord, streamArn: string, region: string): DynamoDBRecord {
  const change = record.dynamodb ?? {};
  const created = change.ApproximateCreationDateTime;
  return {
    ...(record.eventID === undefined ? {} : { eventID: record.eventID }),
    ...(record.eventName === undefined ? {} : { eventName: record.eventName }),
    eventVersion: record.eventVersion ?? "1.1",
    eventSource: record.eventSource ?? "aws:dynamodb",
    awsRegion: record.awsRegion ?? region,
    dynamodb: {
      ...(created === undefined ? {} : { ApproximateCreationDateTime: Math.floor(created.getTime() / 1000) }),
      ...(change.Keys ? { Keys: toLambdaImage(change.Keys) } : {}),
      ...(change.NewImage ? { NewImage: toLambdaImage(change.NewImage) } : {}),
      ...(change.OldImage ? { OldImage: toLambdaImage(change.OldImage) } : {}),
      ...(change.SequenceNumber === undefined ? {} : { SequenceNumber: change.SequenceNumber }),
      ...(change.SizeBytes === undefined ? {} : { SizeBytes: change.SizeBytes }),
      ...(change.StreamViewType === undefined ? {} : { StreamViewType: change.StreamViewType }),
    },
    eventSourceARN: streamArn,
    ...(record.userIdentity
      ? { userIdentity: { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId } }
      : {}),
  } as DynamoDBRecord;
}

function toLambdaImage(image: Record<string, SdkAttributeValue>): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, toLambdaValue(value)]));
}

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

/** The SDK gives binaries as bytes; Lambda's JSON event carries them as base64 text. */
function toLambdaValue(value: SdkAttributeValue): AttributeValue {
  if (value.B !== undefined) return { B: base64(value.B) };
  if (value.BS !== undefined) return { BS: value.BS.map(base64) };
  if (value.L !== undefined) return { L: value.L.map(toLambdaValue) };
  if (value.M !== undefined) return { M: toLambdaImage(value.M) };
  return value as AttributeValue;
}
