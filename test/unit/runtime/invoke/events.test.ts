import { createHash } from "node:crypto";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { validateCompleteness } from "../../../../src/pipeline/model/index.js";
import { isCelebrityRecord, recordKey } from "../../../../src/pipeline/stages/stream-records.js";
import { manualEvent, scheduledEvent, sqsBatch, streamBatch } from "../../../../src/runtime/invoke/events.js";
import { sampleItems } from "../../../../src/runtime/invoke/sample-items.js";

const at = { account: "000000000000", region: "us-east-1" };
const time = new Date("2026-08-02T02:00:41.250Z");

describe("scheduledEvent", () => {
  it("is the weekly rule's event: the scheduled minute, the rule's ARN, an empty detail", () => {
    const event = scheduledEvent(at, "celebrity-weekly-scrape", time, "5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d");

    expect(event).toEqual({
      version: "0",
      id: "5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account: "000000000000",
      time: "2026-08-02T02:00:00Z",
      region: "us-east-1",
      resources: ["arn:aws:events:us-east-1:000000000000:rule/celebrity-weekly-scrape"],
      detail: {},
    });
  });
});

describe("manualEvent", () => {
  it("carries the custom source and detail-type the manual rule matches", () => {
    const event = manualEvent(at, time, { requestedBy: "test" });

    expect(event).toMatchObject({
      source: "celebrity.pipeline",
      "detail-type": "ManualScrapeRequested",
      time: "2026-08-02T02:00:41Z",
      resources: [],
      detail: { requestedBy: "test" },
    });
    expect(event.source.startsWith("aws.")).toBe(false);
  });
});

describe("sampleItems", () => {
  it("complete celebrity items, the same on every call", () => {
    const items = sampleItems({ count: 10, timestamp: time });

    expect(items).toHaveLength(10);
    expect(items.map((item) => `${item.pk} ${item.sk}`).slice(0, 5)).toEqual([
      "CELEB#001 SOURCE#tmdb",
      "CELEB#001 SOURCE#wikipedia",
      "CELEB#001 SOURCE#news",
      "CELEB#001 SOURCE#social",
      "CELEB#002 SOURCE#tmdb",
    ]);
    for (const item of items) expect(validateCompleteness(item), item.pk).toEqual([]);
    expect(sampleItems({ count: 10, timestamp: time })).toEqual(items);
  });
});

describe("streamBatch", () => {
  const [item] = sampleItems({ count: 1, timestamp: time });
  const enriched = { ...item!, weight: 42.5, sentiment: "positive" };
  const options = { ...at, tableName: "celebrity-database", time, streamLabel: "2026-08-01T09:15:02.417" };

  it("INSERT, MODIFY and REMOVE records in the Lambda event shape", () => {
    const event = streamBatch(
      [
        { eventName: "INSERT", newImage: item! },
        { eventName: "MODIFY", oldImage: item!, newImage: enriched },
        { eventName: "REMOVE", oldImage: enriched },
      ],
      options,
    );
    const [insert, modify, remove] = event.Records;

    expect(insert).toMatchObject({
      eventName: "INSERT",
      eventVersion: "1.1",
      eventSource: "aws:dynamodb",
      awsRegion: "us-east-1",
      eventSourceARN:
        "arn:aws:dynamodb:us-east-1:000000000000:table/celebrity-database/stream/2026-08-01T09:15:02.417",
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(time.getTime() / 1000),
        Keys: { pk: { S: "CELEB#001" }, sk: { S: "SOURCE#tmdb" } },
        StreamViewType: "NEW_AND_OLD_IMAGES",
      },
    });
    expect(insert!.dynamodb).not.toHaveProperty("OldImage");
    expect(unmarshall(modify!.dynamodb!.NewImage as Record<string, AttributeValue>)).toEqual(enriched);
    expect(unmarshall(modify!.dynamodb!.OldImage as Record<string, AttributeValue>)).toEqual(item);
    expect(remove!.dynamodb).not.toHaveProperty("NewImage");
  });

  it("sequence numbers increase, event ids are unique, and the stages can read the records", () => {
    const items = sampleItems({ count: 5, timestamp: time });

    const event = streamBatch(
      items.map((newImage) => ({ eventName: "INSERT" as const, newImage })),
      options,
    );
    const sequence = event.Records.map((record) => BigInt(record.dynamodb!.SequenceNumber!));

    expect([...sequence].sort((a, b) => (a < b ? -1 : 1))).toEqual(sequence);
    expect(new Set(event.Records.map((record) => record.eventID)).size).toBe(5);
    expect(event.Records.every(isCelebrityRecord)).toBe(true);
    expect(recordKey(event.Records[4]!)).toEqual({ pk: "CELEB#002", sk: "SOURCE#tmdb" });
  });
});

describe("sqsBatch", () => {
  it("one record per body, with AWS's attributes and the body's MD5", () => {
    const event = sqsBatch([{ celebrityId: "042" }, "plain text"], {
      ...at,
      queueName: "celebrity-scraper-dlq",
      time,
    });
    const [first, second] = event.Records;

    expect(first).toMatchObject({
      body: '{"celebrityId":"042"}',
      md5OfBody: createHash("md5").update('{"celebrityId":"042"}').digest("hex"),
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:celebrity-scraper-dlq",
      attributes: { ApproximateReceiveCount: "1", SentTimestamp: String(time.getTime()) },
    });
    expect(second!.body).toBe("plain text");
    expect(first!.messageId).not.toBe(second!.messageId);
  });
});
