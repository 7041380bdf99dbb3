import { createHash } from "node:crypto";
import type { MessageAttributeValue } from "./models.js";

/** Lowercase hex MD5 of the UTF-8 body: the SDKs recompute it and throw on a mismatch. */
export function md5OfBody(body: string): string {
  return createHash("md5").update(body, "utf8").digest("hex");
}

const STRING_TRANSPORT = 1;
const BINARY_TRANSPORT = 2;

/**
 * MD5 of message attributes as SQS computes it (and the SDKs verify it): attributes sorted by name;
 * for each, the name, the data type and the value, each as a 4-byte big-endian length followed by
 * the bytes, with one transport byte (1 = String/Number, 2 = Binary) before the value.
 */
export function md5OfAttributes(attributes: Record<string, MessageAttributeValue>): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const hash = createHash("md5");
  for (const name of names) {
    const attribute = attributes[name]!;
    hash.update(lengthPrefixed(Buffer.from(name, "utf8")));
    hash.update(lengthPrefixed(Buffer.from(attribute.DataType, "utf8")));
    if (isBinaryType(attribute.DataType)) {
      hash.update(Buffer.of(BINARY_TRANSPORT));
      hash.update(lengthPrefixed(Buffer.from(attribute.BinaryValue ?? "", "base64")));
    } else {
      hash.update(Buffer.of(STRING_TRANSPORT));
      hash.update(lengthPrefixed(Buffer.from(attribute.StringValue ?? "", "utf8")));
    }
  }
  return hash.digest("hex");
}

export function isBinaryType(dataType: string): boolean {
  return dataType === "Binary" || dataType.startsWith("Binary.");
}

function lengthPrefixed(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length, 0);
  return Buffer.concat([length, bytes]);
}
