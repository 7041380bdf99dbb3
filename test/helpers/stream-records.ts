import { marshall } from "@aws-sdk/util-dynamodb";
import type { AttributeValue, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";

/**
 * Builds DynamoDB stream records the way Lambda delivers them (aws-behaviour.md section 2.5):
 * AttributeValue JSON images, NEW_AND_OLD_IMAGES, growing sequence numbers of AWS's length.
 */

let sequence = 0n;
const SEQUENCE_BASE = 4186300000000012345678901n;

export function nextSequenceNumber(): string {
  sequence += 1n;
  return String(SEQUENCE_BASE + sequence * 100n);
}

/** Any plain item (interfaces such as CelebrityItem have no index signature, hence `object`). */
type Image = object;

function image(item: Image | undefined): Record<string, AttributeValue> | undefined {
  return item === undefined
    ? undefined
    : (marshall(item, { removeUndefinedValues: true }) as Record<string, AttributeValue>);
}

export function streamRecord(
  eventName: "INSERT" | "MODIFY" | "REMOVE",
  images: { newImage?: Image; oldImage?: Image },
  tableName = "celebrity-database",
): DynamoDBRecord {
  const source = images.newImage ?? images.oldImage;
  if (source === undefined) throw new Error("a stream record needs an image");
  const { pk, sk } = source as { pk?: unknown; sk?: unknown };
  const keys = { pk, sk };
  return {
    eventID: `evt${nextSequenceNumber().slice(-10)}`,
    eventName,
    eventVersion: "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: "us-east-1",
    dynamodb: {
      ApproximateCreationDateTime: 1785575702,
      Keys: image(keys),
      ...(images.newImage === undefined ? {} : { NewImage: image(images.newImage) }),
      ...(images.oldImage === undefined ? {} : { OldImage: image(images.oldImage) }),
      SequenceNumber: nextSequenceNumber(),
      SizeBytes: 200,
      StreamViewType: "NEW_AND_OLD_IMAGES",
    },
    eventSourceARN: `arn:aws:dynamodb:us-east-1:000000000000:table/${tableName}/stream/2026-08-01T09:15:02.417`,
  };
}

export function insertRecord(item: Image): DynamoDBRecord {
  return streamRecord("INSERT", { newImage: item });
}

export function modifyRecord(oldImage: Image, newImage: Image): DynamoDBRecord {
  return streamRecord("MODIFY", { oldImage, newImage });
}

export function removeRecord(item: Image): DynamoDBRecord {
  return streamRecord("REMOVE", { oldImage: item });
}

export function streamEvent(...records: DynamoDBRecord[]): DynamoDBStreamEvent {
  return { Records: records };
}
