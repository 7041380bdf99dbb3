import { createHash, randomUUID } from "node:crypto";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBRecord, DynamoDBStreamEvent, EventBridgeEvent, SQSEvent, SQSRecord } from "aws-lambda";
import { KEY_ATTRIBUTES } from "../../pipeline/model/keys.js";
import { arns, MANUAL_SCRAPE_EVENT } from "../../pipeline/stack/index.js";

/**
 * Events exactly as AWS delivers them to the pipeline's functions (aws-behaviour.md §5.4, §2.5,
 * §3.5), for in-process runs and `pipeline events generate`.
 */

export interface Place {
  account: string;
  region: string;
}

export type ScrapeEvent = EventBridgeEvent<string, Record<string, unknown>>;

/** What the weekly rule delivers: `time` is the scheduled minute, `resources` the rule's ARN. */
export function scheduledEvent(
  at: Place,
  ruleName: string,
  time: Date,
  id: string = randomUUID(),
): ScrapeEvent {
  return {
    version: "0",
    id,
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: at.account,
    time: isoSeconds(new Date(Math.floor(time.getTime() / 60_000) * 60_000)),
    region: at.region,
    resources: [arns.ruleArn(at, ruleName)],
    detail: {},
  };
}

/** What the manual rule delivers for a PutEvents entry (custom source; AWS refuses `aws.*`). */
export function manualEvent(
  at: Place,
  time: Date,
  detail: Record<string, unknown> = { requestedBy: "pipeline" },
  id: string = randomUUID(),
): ScrapeEvent {
  return {
    version: "0",
    id,
    "detail-type": MANUAL_SCRAPE_EVENT.detailType,
    source: MANUAL_SCRAPE_EVENT.source,
    account: at.account,
    time: isoSeconds(time),
    region: at.region,
    resources: [],
    detail,
  };
}

/** An item image: any plain object (CelebrityItem, run records, hand-written ones). */
type Image = object;

export type StreamChange =
  | { eventName: "INSERT"; newImage: Image }
  | { eventName: "MODIFY"; oldImage: Image; newImage: Image }
  | { eventName: "REMOVE"; oldImage: Image };

export interface StreamOptions extends Place {
  tableName: string;
  /** Stream label: creation time of the stream, ISO-8601 with milliseconds and no zone. */
  streamLabel?: string;
  time: Date;
  /** First sequence number; each record adds one (AWS's are 21-40 digit integers). */
  firstSequenceNumber?: bigint;
}

export function streamArn(options: StreamOptions): string {
  const label = options.streamLabel ?? options.time.toISOString().replace(/Z$/, "");
  return `${arns.tableArn(options, options.tableName)}/stream/${label}`;
}

/** A Lambda event for a DynamoDB stream mapping (view type NEW_AND_OLD_IMAGES). */
export function streamBatch(changes: readonly StreamChange[], options: StreamOptions): DynamoDBStreamEvent {
  const source = streamArn(options);
  let sequence = options.firstSequenceNumber ?? 4186300000000000000000n;
  return {
    Records: changes.map((change): DynamoDBRecord => {
      sequence += 1n;
      const image = (change.eventName === "REMOVE" ? change.oldImage : change.newImage) as Record<
        string,
        unknown
      >;
      const keys = {
        [KEY_ATTRIBUTES.pk]: image[KEY_ATTRIBUTES.pk],
        [KEY_ATTRIBUTES.sk]: image[KEY_ATTRIBUTES.sk],
      };
      const newImage = change.eventName === "REMOVE" ? undefined : toAttributeMap(change.newImage);
      const oldImage = change.eventName === "INSERT" ? undefined : toAttributeMap(change.oldImage);
      return {
        eventID: createHash("md5").update(`${source}|${sequence}`).digest("hex"),
        eventName: change.eventName,
        eventVersion: "1.1",
        eventSource: "aws:dynamodb",
        awsRegion: options.region,
        dynamodb: {
          ApproximateCreationDateTime: Math.floor(options.time.getTime() / 1000),
          Keys: toAttributeMap(keys),
          ...(newImage ? { NewImage: newImage } : {}),
          ...(oldImage ? { OldImage: oldImage } : {}),
          SequenceNumber: sequence.toString(),
          SizeBytes: Math.max(1, JSON.stringify([keys, newImage ?? {}, oldImage ?? {}]).length),
          StreamViewType: "NEW_AND_OLD_IMAGES",
        },
        eventSourceARN: source,
      };
    }),
  };
}

export interface SqsOptions extends Place {
  queueName: string;
  time: Date;
}

/** A Lambda event for an SQS mapping: one record per body (objects are sent as JSON). */
export function sqsBatch(bodies: readonly unknown[], options: SqsOptions): SQSEvent {
  const sent = String(options.time.getTime());
  return {
    Records: bodies.map((body): SQSRecord => {
      const text = typeof body === "string" ? body : JSON.stringify(body);
      const messageId = randomUUID();
      return {
        messageId,
        receiptHandle: Buffer.from(`${options.queueName}|${messageId}|1`).toString("base64"),
        body: text,
        attributes: {
          ApproximateReceiveCount: "1",
          SentTimestamp: sent,
          SenderId: "AIDAPIPELINEEXAMPLE",
          ApproximateFirstReceiveTimestamp: sent,
        },
        messageAttributes: {},
        md5OfBody: createHash("md5").update(text).digest("hex"),
        eventSource: "aws:sqs",
        eventSourceARN: arns.queueArn(options, options.queueName),
        awsRegion: options.region,
      };
    }),
  };
}

function isoSeconds(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, "Z");
}

type LambdaAttributeMap = NonNullable<NonNullable<DynamoDBRecord["dynamodb"]>["NewImage"]>;

function toAttributeMap(value: Image): LambdaAttributeMap {
  return marshall(value, {
    removeUndefinedValues: true,
    convertClassInstanceToMap: true,
  }) as LambdaAttributeMap;
}
