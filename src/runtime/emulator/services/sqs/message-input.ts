import { createHash, randomUUID } from "node:crypto";
import type { ServiceError } from "../../core/errors.js";
import { sqsErrors } from "./errors.js";
import { base64Value, integerInRange, objectMap, optionalString, type Input } from "./input.js";
import {
  DELAY_SECONDS,
  FIFO_ID_PATTERN,
  MAX_MESSAGE_ATTRIBUTES,
  MESSAGE_ATTRIBUTE_NAME_MAX_LENGTH,
} from "./limits.js";
import { isBinaryType, md5OfAttributes, md5OfBody } from "./md5.js";
import type { MessageAttributeValue, Queue, StoredMessage } from "./models.js";

/** Validates one message to send (SendMessage or one SendMessageBatch entry) and builds it. */

// Characters SQS accepts in bodies and string attribute values (XML 1.0 characters).
// eslint-disable-next-line no-control-regex
const INVALID_CHARACTER = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]+$/;
const DATA_TYPE = /^(String|Number|Binary)(\..+)?$/;
const SYSTEM_ATTRIBUTE_NAMES = new Set(["AWSTraceHeader"]);

export interface MessageToSend {
  message: StoredMessage;
  md5OfMessageAttributes?: string;
  md5OfMessageSystemAttributes?: string;
  /** FIFO deduplication scope key and id. */
  dedupKey?: string;
}

export function buildMessage(input: Input, queue: Queue, now: number, senderId: string): MessageToSend {
  const body = optionalString(input, "MessageBody");
  if (body === undefined || body === "") throw sqsErrors.missingParameter("MessageBody");
  if (INVALID_CHARACTER.test(body)) throw sqsErrors.invalidMessageContents();

  const delay = integerInRange(
    input,
    "DelaySeconds",
    DELAY_SECONDS,
    `DelaySeconds must be >= ${DELAY_SECONDS.min} and <= ${DELAY_SECONDS.max}.`,
  );
  const attributes = readAttributes(objectMap(input, "MessageAttributes"), "user");
  const systemAttributes = readAttributes(objectMap(input, "MessageSystemAttributes"), "system");
  for (const name of Object.keys(systemAttributes ?? {})) {
    if (!SYSTEM_ATTRIBUTE_NAMES.has(name)) {
      throw sqsErrors.invalidParameterValue(`Message system attribute name '${name}' is invalid.`);
    }
  }

  const maxSize = queue.numberAttribute("MaximumMessageSize");
  const size = Buffer.byteLength(body, "utf8") + attributesSize(attributes);
  if (size > maxSize) {
    throw sqsErrors.invalidParameterValue(
      `One or more parameters are invalid. Reason: Message must be shorter than ${maxSize} bytes.`,
    );
  }

  let groupId = optionalString(input, "MessageGroupId");
  let dedupId = optionalString(input, "MessageDeduplicationId");
  let dedupKey: string | undefined;
  if (groupId !== undefined && !FIFO_ID_PATTERN.test(groupId)) throw fifoIdError("MessageGroupId", groupId);
  if (queue.fifo) {
    if (delay !== undefined && delay !== 0) {
      throw sqsErrors.invalidValueFor(
        "DelaySeconds",
        delay,
        "The request include parameter that is not valid for this queue type.",
      );
    }
    if (groupId === undefined || groupId === "") throw sqsErrors.missingParameter("MessageGroupId");
    if (dedupId === undefined) {
      if (queue.record.attributes["ContentBasedDeduplication"] !== "true") {
        throw sqsErrors.invalidParameterValue(
          "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
        );
      }
      dedupId = createHash("sha256").update(body, "utf8").digest("hex");
    } else if (!FIFO_ID_PATTERN.test(dedupId)) {
      throw fifoIdError("MessageDeduplicationId", dedupId);
    }
    dedupKey =
      queue.record.attributes["DeduplicationScope"] === "messageGroup"
        ? `${groupId}\u0000${dedupId}`
        : dedupId;
  } else {
    if (dedupId !== undefined) {
      throw sqsErrors.invalidValueFor(
        "MessageDeduplicationId",
        dedupId,
        "The request includes a parameter that is not valid for this queue type.",
      );
    }
    if (groupId === "") groupId = undefined;
  }

  const delayMs = (delay ?? queue.numberAttribute("DelaySeconds")) * 1000;
  const message: StoredMessage = {
    id: randomUUID(),
    body,
    md5OfBody: md5OfBody(body),
    ...(attributes ? { attributes } : {}),
    ...(systemAttributes ? { systemAttributes } : {}),
    senderId,
    sentAt: now,
    enqueuedAt: now,
    availableAt: now + delayMs,
    receiveCount: 0,
    ...(groupId !== undefined ? { groupId } : {}),
    ...(queue.fifo ? { dedupId } : {}),
  };
  return {
    message,
    md5OfMessageAttributes: attributes ? md5OfAttributes(attributes) : undefined,
    md5OfMessageSystemAttributes: systemAttributes ? md5OfAttributes(systemAttributes) : undefined,
    dedupKey,
  };
}

function fifoIdError(parameter: string, value: string): ServiceError {
  return sqsErrors.invalidValueFor(
    parameter,
    value,
    `${parameter} can only include alphanumeric and punctuation characters. 1 to 128 in length.`,
  );
}

function readAttributes(
  given: Record<string, Input> | undefined,
  kind: "user" | "system",
): Record<string, MessageAttributeValue> | undefined {
  if (!given) return undefined;
  const names = Object.keys(given);
  if (names.length === 0) return undefined;
  if (names.length > MAX_MESSAGE_ATTRIBUTES) {
    throw sqsErrors.invalidParameterValue(
      `Number of message attributes [${names.length}] exceeds the allowed maximum [${MAX_MESSAGE_ATTRIBUTES}].`,
    );
  }
  const out: Record<string, MessageAttributeValue> = {};
  for (const name of names) {
    const raw = given[name]!;
    if (kind === "user") checkAttributeName(name);
    const dataType = optionalString(raw, "DataType");
    if (!dataType) {
      throw sqsErrors.invalidParameterValue(
        `The message ${kind === "user" ? "(user)" : "system"} attribute '${name}' must contain a non-empty attribute type.`,
      );
    }
    if (!DATA_TYPE.test(dataType) || dataType.length > MESSAGE_ATTRIBUTE_NAME_MAX_LENGTH) {
      throw sqsErrors.invalidParameterValue(
        `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
      );
    }
    if (isBinaryType(dataType)) {
      const binary = base64Value(raw["BinaryValue"]);
      if (!binary) throw emptyValue(name, dataType);
      out[name] = { DataType: dataType, BinaryValue: binary };
      continue;
    }
    const text = optionalString(raw, "StringValue");
    if (text === undefined || text === "") throw emptyValue(name, dataType);
    if (INVALID_CHARACTER.test(text)) {
      throw sqsErrors.invalidParameterValue(
        `Message (user) attribute '${name}' value contains invalid characters.`,
      );
    }
    if (dataType.startsWith("Number") && !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text.trim())) {
      throw sqsErrors.invalidParameterValue(`Can't cast the value '${text}' to a number.`);
    }
    out[name] = { DataType: dataType, StringValue: text };
  }
  return out;
}

function checkAttributeName(name: string): void {
  if (name.length > MESSAGE_ATTRIBUTE_NAME_MAX_LENGTH) {
    throw sqsErrors.invalidParameterValue(
      `Message (user) attribute name '${name}' must be shorter than ${MESSAGE_ATTRIBUTE_NAME_MAX_LENGTH} Bytes.`,
    );
  }
  if (!ATTRIBUTE_NAME.test(name)) {
    throw sqsErrors.invalidParameterValue(
      `Message (user) attribute name '${name}' can only contain upper and lower case characters, digits, periods, hyphens and underscores.`,
    );
  }
  const lower = name.toLowerCase();
  if (
    lower.startsWith("aws.") ||
    lower.startsWith("amazon.") ||
    name.startsWith(".") ||
    name.endsWith(".") ||
    name.includes("..")
  ) {
    throw sqsErrors.invalidParameterValue(
      `Message (user) attribute name '${name}' is reserved or malformed: names cannot start with 'AWS.' or 'Amazon.', start or end with '.', or contain '..'.`,
    );
  }
}

function emptyValue(name: string, dataType: string): ServiceError {
  return sqsErrors.invalidParameterValue(
    `The message (user) attribute '${name}' must contain a non-empty message attribute value for message attribute type '${dataType}'.`,
  );
}

/** Bytes counted against MaximumMessageSize: names, types and values of the attributes. */
export function attributesSize(attributes: Record<string, MessageAttributeValue> | undefined): number {
  let size = 0;
  for (const [name, value] of Object.entries(attributes ?? {})) {
    size += Buffer.byteLength(name, "utf8") + Buffer.byteLength(value.DataType, "utf8");
    size += value.BinaryValue
      ? Buffer.from(value.BinaryValue, "base64").length
      : Buffer.byteLength(value.StringValue ?? "", "utf8");
  }
  return size;
}
