import type { Clock } from "../../core/clock.js";
import { recordOf, type ChangeFeed, type Shard, type Stream, type StreamRecord } from "./change-feed.js";
import { streamErrors } from "./errors.js";
import { decodeIterator, encodeIterator, type IteratorPosition } from "./iterators.js";
import {
  DESCRIBE_STREAM_MAX_LIMIT,
  GET_RECORDS_MAX_BYTES,
  GET_RECORDS_MAX_LIMIT,
  LIST_STREAMS_MAX_LIMIT,
  SHARD_ITERATOR_TTL_MS,
  SHARD_ITERATOR_TYPES,
  WAIT_DEFAULT_TIMEOUT_MS,
  WAIT_MAX_TIMEOUT_MS,
} from "./limits.js";

type Input = Record<string, unknown>;

/** DynamoDB Streams (`DynamoDBStreams_20120810`, aws-behaviour.md §2.2) over the change feed. */
export class StreamsProvider {
  constructor(
    private readonly feed: ChangeFeed,
    private readonly clock: Clock,
  ) {}

  async listStreams(input: Input) {
    const limit = optionalLimit(input["Limit"], "limit", LIST_STREAMS_MAX_LIMIT) ?? LIST_STREAMS_MAX_LIMIT;
    const tableName = optionalString(input["TableName"], "tableName");
    const exclusiveStart = optionalString(input["ExclusiveStartStreamArn"], "exclusiveStartStreamArn");
    let streams = this.feed
      .list()
      .filter((s) => tableName === undefined || s.tableName === tableName)
      .sort((a, b) => a.createdAt - b.createdAt || a.arn.localeCompare(b.arn));
    if (exclusiveStart !== undefined) {
      const index = streams.findIndex((s) => s.arn === exclusiveStart);
      streams = index === -1 ? [] : streams.slice(index + 1);
    }
    const page = streams.slice(0, limit);
    const last = page[page.length - 1];
    return {
      Streams: page.map((s) => ({ StreamArn: s.arn, TableName: s.tableName, StreamLabel: s.label })),
      ...(streams.length > limit && last ? { LastEvaluatedStreamArn: last.arn } : {}),
    };
  }

  async describeStream(input: Input) {
    const stream = this.requireStream(input["StreamArn"]);
    const limit = optionalLimit(input["Limit"], "limit", DESCRIBE_STREAM_MAX_LIMIT);
    const exclusiveStart = optionalString(input["ExclusiveStartShardId"], "exclusiveStartShardId");
    const filter = input["ShardFilter"] as { Type?: unknown; ShardId?: unknown } | undefined;
    let shards: Shard[] = [stream.shard];
    // One shard per stream that never splits: it has no child shards, and nothing follows it.
    if (exclusiveStart !== undefined) shards = [];
    if (filter !== undefined && filter !== null) {
      if (filter.Type !== "CHILD_SHARDS")
        throw streamErrors.constraint(
          "shardFilter.type",
          filter.Type,
          "Member must satisfy enum value set: [CHILD_SHARDS]",
        );
      shards = [];
    }
    if (limit !== undefined) shards = shards.slice(0, limit);
    return {
      StreamDescription: {
        StreamArn: stream.arn,
        StreamLabel: stream.label,
        StreamStatus: stream.status,
        StreamViewType: stream.viewType,
        CreationRequestDateTime: stream.createdAt / 1000,
        TableName: stream.tableName,
        KeySchema: stream.keySchema,
        Shards: shards.map((shard) => ({
          ShardId: shard.shardId,
          SequenceNumberRange: {
            StartingSequenceNumber: String(shard.start),
            ...(shard.end !== undefined ? { EndingSequenceNumber: String(shard.end) } : {}),
          },
        })),
      },
    };
  }

  async getShardIterator(input: Input) {
    const type = input["ShardIteratorType"];
    if (typeof type !== "string" || !(SHARD_ITERATOR_TYPES as readonly string[]).includes(type)) {
      throw streamErrors.constraint(
        "shardIteratorType",
        type,
        `Member must satisfy enum value set: [${SHARD_ITERATOR_TYPES.join(", ")}]`,
      );
    }
    const shardId = input["ShardId"];
    if (typeof shardId !== "string" || shardId.length === 0)
      throw streamErrors.constraint("shardId", shardId, "Member must not be null");
    const stream = this.requireStream(input["StreamArn"]);
    const shard = stream.shard;
    if (shard.shardId !== shardId) throw streamErrors.shardNotFound(shardId, stream.arn);

    let position: bigint;
    if (type === "TRIM_HORIZON") {
      const oldest = shard.records[0];
      position = oldest ? oldest.sequence : (shard.trimmedThrough ?? shard.start) + 1n;
    } else if (type === "LATEST") {
      position = shard.end !== undefined ? shard.end + 1n : this.feed.nextSequence;
    } else {
      const text = input["SequenceNumber"];
      if (typeof text !== "string" || !/^\d{1,40}$/.test(text)) {
        throw streamErrors.constraint(
          "sequenceNumber",
          text,
          `Member must be a sequence number (digits) when ShardIteratorType is ${type}`,
        );
      }
      const sequence = BigInt(text);
      const newest = shard.end ?? this.feed.nextSequence - 1n;
      if (sequence < shard.start || sequence > newest) {
        throw streamErrors.constraint(
          "sequenceNumber",
          text,
          `Member must be a sequence number of shard ${shard.shardId} (${shard.start} to ${newest})`,
        );
      }
      position = type === "AT_SEQUENCE_NUMBER" ? sequence : sequence + 1n;
    }
    if (shard.trimmedThrough !== undefined && position <= shard.trimmedThrough) throw streamErrors.trimmed();
    return {
      ShardIterator: encodeIterator({
        streamArn: stream.arn,
        shardId,
        position,
        issuedAt: this.clock.now(),
      }),
    };
  }

  async getRecords(input: Input) {
    const limit = optionalLimit(input["Limit"], "limit", GET_RECORDS_MAX_LIMIT) ?? GET_RECORDS_MAX_LIMIT;
    const { iterator, stream } = this.openIterator(input["ShardIterator"]);
    const shard = stream.shard;
    const records: StreamRecord[] = [];
    let bytes = 0;
    let index = this.feed.firstIndexAtOrAfter(shard, iterator.position);
    let position = iterator.position;
    while (index < shard.records.length && records.length < limit) {
      const stored = shard.records[index++]!;
      const size = stored.sizeBytes;
      if (records.length > 0 && bytes + size > GET_RECORDS_MAX_BYTES) break;
      records.push(recordOf(stored));
      bytes += size;
      position = stored.sequence + 1n;
    }
    const drained = shard.end !== undefined && position > shard.end;
    return {
      Records: records,
      ...(drained
        ? {}
        : {
            NextShardIterator: encodeIterator({
              streamArn: stream.arn,
              shardId: shard.shardId,
              position,
              issuedAt: this.clock.now(),
            }),
          }),
    };
  }

  /** Internal: see the contract at the top of index.ts. */
  async waitForRecords(input: Input) {
    const timeout = input["TimeoutMs"] ?? WAIT_DEFAULT_TIMEOUT_MS;
    if (typeof timeout !== "number" || !Number.isFinite(timeout) || timeout < 0)
      throw streamErrors.constraint("timeoutMs", timeout, "Member must be a number of milliseconds >= 0");
    const signal = input["Signal"] instanceof AbortSignal ? input["Signal"] : undefined;
    const { iterator, stream } = this.openIterator(input["ShardIterator"]);
    const available = await this.feed.waitForRecords(
      stream,
      iterator.position,
      Math.min(timeout, WAIT_MAX_TIMEOUT_MS),
      signal,
    );
    return { RecordsAvailable: available };
  }

  private openIterator(text: unknown): { iterator: IteratorPosition; stream: Stream } {
    if (text === undefined || text === null)
      throw streamErrors.constraint("shardIterator", text, "Member must not be null");
    const iterator = decodeIterator(text);
    const now = this.clock.now();
    if (now - iterator.issuedAt > SHARD_ITERATOR_TTL_MS)
      throw streamErrors.expiredIterator(iterator.issuedAt, now);
    const stream = this.feed.stream(iterator.streamArn);
    if (!stream) throw streamErrors.streamNotFound(iterator.streamArn);
    if (stream.shard.shardId !== iterator.shardId)
      throw streamErrors.shardNotFound(iterator.shardId, stream.arn);
    const trimmed = stream.shard.trimmedThrough;
    if (trimmed !== undefined && iterator.position <= trimmed) throw streamErrors.trimmed();
    return { iterator, stream };
  }

  private requireStream(arn: unknown): Stream {
    if (typeof arn !== "string") throw streamErrors.constraint("streamArn", arn, "Member must not be null");
    if (arn.length < 37 || arn.length > 1024)
      throw streamErrors.constraint(
        "streamArn",
        arn,
        "Member must have length greater than or equal to 37 and less than or equal to 1024",
      );
    const stream = this.feed.stream(arn);
    if (!stream) throw streamErrors.streamNotFound(arn);
    return stream;
  }
}

function optionalLimit(value: unknown, member: string, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value))
    throw streamErrors.constraint(member, value, "Member must be an integer");
  if (value < 1)
    throw streamErrors.constraint(member, value, "Member must have value greater than or equal to 1");
  if (value > max)
    throw streamErrors.constraint(member, value, `Member must have value less than or equal to ${max}`);
  return value;
}

function optionalString(value: unknown, member: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw streamErrors.constraint(member, value, "Member must be a string");
  return value;
}
