import type { AttributeValue as LambdaAttributeValue, DynamoDBRecord } from "aws-lambda";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { KEY_ATTRIBUTES, isCelebrityKey } from "../model/keys.js";
import type { ItemKey } from "../model/keys.js";

/** Helpers both stream stages use to read DynamoDB stream records. */

function asAttributeMap(image: Record<string, LambdaAttributeValue>): Record<string, AttributeValue> {
  // aws-lambda's AttributeValue is the same wire shape as the SDK's, typed more loosely.
  return image as unknown as Record<string, AttributeValue>;
}

export function unmarshallImage(
  image: Record<string, LambdaAttributeValue> | undefined,
): Record<string, unknown> | undefined {
  return image === undefined ? undefined : unmarshall(asAttributeMap(image));
}

/** The item key of a record, or undefined when the record carries no string pk/sk. */
export function recordKey(record: DynamoDBRecord): ItemKey | undefined {
  const keys = record.dynamodb?.Keys;
  const pk = keys?.[KEY_ATTRIBUTES.pk]?.S;
  const sk = keys?.[KEY_ATTRIBUTES.sk]?.S;
  return pk === undefined || sk === undefined ? undefined : { pk, sk };
}

/** Second guard behind the mappings' FilterCriteria: only celebrity items are ours to process. */
export function isCelebrityRecord(record: DynamoDBRecord): boolean {
  return isCelebrityKey(recordKey(record)?.pk);
}

export function sequenceNumberOf(record: DynamoDBRecord): string {
  const sequenceNumber = record.dynamodb?.SequenceNumber;
  if (sequenceNumber === undefined) throw new Error("stream record without dynamodb.SequenceNumber");
  return sequenceNumber;
}

/** Stream sequence numbers vary in length (21-40 digits): compare as integers, never as strings. */
export function compareSequenceNumbers(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
