import { streamErrors } from "./errors.js";

/**
 * Shard iterators: opaque to clients, self-contained here (stream, shard, the sequence number to
 * read from, and when the iterator was issued), so they stay valid across an emulator restart
 * for as long as AWS's would (15 minutes).
 */
export interface IteratorPosition {
  streamArn: string;
  shardId: string;
  /** The next GetRecords returns records with sequence numbers at or after this one. */
  position: bigint;
  /** Epoch ms on the emulator clock. */
  issuedAt: number;
}

const VERSION = "1";

export function encodeIterator(iterator: IteratorPosition): string {
  const payload = [
    VERSION,
    iterator.streamArn,
    iterator.shardId,
    String(iterator.position),
    iterator.issuedAt,
  ];
  return Buffer.from(JSON.stringify(payload)).toString("base64url");
}

export function decodeIterator(text: unknown): IteratorPosition {
  if (typeof text !== "string" || text.length === 0 || text.length > 2048)
    throw streamErrors.invalidIterator();
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    throw streamErrors.invalidIterator();
  }
  if (!Array.isArray(payload) || payload.length !== 5 || payload[0] !== VERSION)
    throw streamErrors.invalidIterator();
  const [, streamArn, shardId, position, issuedAt] = payload as unknown[];
  if (
    typeof streamArn !== "string" ||
    typeof shardId !== "string" ||
    typeof position !== "string" ||
    !/^\d+$/.test(position) ||
    typeof issuedAt !== "number"
  ) {
    throw streamErrors.invalidIterator();
  }
  return { streamArn, shardId, position: BigInt(position), issuedAt };
}
