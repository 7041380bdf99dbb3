import type { DynamoDBStreamsClient, _Record } from "@aws-sdk/client-dynamodb-streams";
import { OperatorError } from "../config/errors.js";
import type { StreamBatchInfo } from "./decode.js";

/** A stream record as Lambda delivers it to a mapping's function (aws-behaviour.md §2.5). */
export interface StreamRecord {
  eventID?: string;
  eventName?: string;
  eventVersion?: string;
  eventSource?: string;
  awsRegion?: string;
  dynamodb: {
    ApproximateCreationDateTime?: number;
    Keys?: Record<string, unknown>;
    NewImage?: Record<string, unknown>;
    OldImage?: Record<string, unknown>;
    SequenceNumber: string;
    SizeBytes?: number;
    StreamViewType?: string;
  };
  eventSourceARN: string;
  userIdentity?: { type?: string; principalId?: string };
}

/** Lambda's event for a stream mapping. */
export function streamEvent(records: readonly StreamRecord[]): { Records: StreamRecord[] } {
  return { Records: [...records] };
}

/** Sequence numbers are digit strings of varying length: compare them as integers. */
export function compareSequence(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

const MAX_EMPTY_PAGES = 3;

/**
 * Re-reads the records of a failed batch: GetShardIterator AT_SEQUENCE_NUMBER start, then
 * GetRecords until past the end sequence number. Streams keep records 24 hours; a range that has
 * been trimmed is an error that says so.
 */
export async function readStreamRange(
  streams: DynamoDBStreamsClient,
  info: StreamBatchInfo,
): Promise<StreamRecord[]> {
  const { GetShardIteratorCommand, GetRecordsCommand } = await import("@aws-sdk/client-dynamodb-streams");
  let iterator: string | undefined;
  try {
    iterator = (
      await streams.send(
        new GetShardIteratorCommand({
          StreamArn: info.streamArn,
          ShardId: info.shardId,
          ShardIteratorType: "AT_SEQUENCE_NUMBER",
          SequenceNumber: info.startSequenceNumber,
        }),
      )
    ).ShardIterator;
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    if (name === "TrimmedDataAccessException" || name === "ResourceNotFoundException") {
      throw new OperatorError(
        `the records ${info.startSequenceNumber}..${info.endSequenceNumber} of ${info.shardId} are no longer in ` +
          `the stream (${name}; streams keep records 24 hours); they cannot be replayed unless an archive holds them ` +
          "(pipeline dlq rehydrate, run within 24 hours of the failure)",
      );
    }
    throw error;
  }
  const records: StreamRecord[] = [];
  let empty = 0;
  while (iterator) {
    const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
    iterator = page.NextShardIterator;
    const got = page.Records ?? [];
    if (got.length === 0) {
      // An open shard answers empty pages forever once it is read to its end.
      if (++empty >= MAX_EMPTY_PAGES) break;
      continue;
    }
    empty = 0;
    for (const record of got) {
      const sequence = record.dynamodb?.SequenceNumber;
      if (!sequence) continue;
      if (compareSequence(sequence, info.endSequenceNumber) > 0) return records;
      records.push(toLambdaRecord(record, info.streamArn));
      if (compareSequence(sequence, info.endSequenceNumber) === 0) return records;
    }
  }
  return records;
}

/** GetRecords' SDK shape → the Lambda event shape (epoch seconds, binary as base64, eventSourceARN). */
export function toLambdaRecord(record: _Record, streamArn: string): StreamRecord {
  const d = record.dynamodb ?? {};
  const created = d.ApproximateCreationDateTime;
  return {
    ...(record.eventID ? { eventID: record.eventID } : {}),
    ...(record.eventName ? { eventName: record.eventName } : {}),
    ...(record.eventVersion ? { eventVersion: record.eventVersion } : {}),
    ...(record.eventSource ? { eventSource: record.eventSource } : {}),
    ...(record.awsRegion ? { awsRegion: record.awsRegion } : {}),
    dynamodb: {
      ...(created !== undefined
        ? { ApproximateCreationDateTime: Math.floor(new Date(created).getTime() / 1000) }
        : {}),
      ...(d.Keys ? { Keys: plainJson(d.Keys) as Record<string, unknown> } : {}),
      ...(d.NewImage ? { NewImage: plainJson(d.NewImage) as Record<string, unknown> } : {}),
      ...(d.OldImage ? { OldImage: plainJson(d.OldImage) as Record<string, unknown> } : {}),
      SequenceNumber: d.SequenceNumber ?? "",
      ...(d.SizeBytes !== undefined ? { SizeBytes: d.SizeBytes } : {}),
      ...(d.StreamViewType ? { StreamViewType: d.StreamViewType } : {}),
    },
    eventSourceARN: streamArn,
    ...(record.userIdentity
      ? { userIdentity: { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId } }
      : {}),
  };
}

/** AttributeValue JSON as Lambda sends it: binary values as base64 text. */
function plainJson(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map(plainJson);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, plainJson(v)]),
    );
  }
  return value;
}

/** Stream records need an archive entry when streams no longer hold them. */
export function assertRecordsPresent(records: readonly StreamRecord[], info: StreamBatchInfo): void {
  if (records.length === 0) {
    throw new OperatorError(
      `no records found in ${info.shardId} between ${info.startSequenceNumber} and ${info.endSequenceNumber}; ` +
        "the stream may have trimmed them (24 hours)",
    );
  }
}
