import { parseQueueArn } from "./models.js";

/**
 * Receipt handles are opaque to clients; ours carry the queue ARN, the message id and a nonce
 * that changes on every receive, base64-encoded. Anything that does not decode to exactly that
 * (garbage, a truncated handle) is ReceiptHandleIsInvalid.
 */
export interface ReceiptRef {
  arn: string;
  messageId: string;
  nonce: string;
}

export function encodeReceipt(ref: ReceiptRef): string {
  return Buffer.from(`${ref.arn}\n${ref.messageId}\n${ref.nonce}`, "utf8").toString("base64");
}

export function decodeReceipt(handle: string): ReceiptRef | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(handle)) return undefined;
  const text = Buffer.from(handle, "base64").toString("utf8");
  if (Buffer.from(text, "utf8").toString("base64") !== handle) return undefined;
  const [arn, messageId, nonce, ...rest] = text.split("\n");
  if (!arn || !messageId || !nonce || rest.length > 0 || !parseQueueArn(arn)) return undefined;
  return { arn, messageId, nonce };
}
