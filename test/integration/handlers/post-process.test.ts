import { GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import type { AttributeValue as LambdaAttributeValue, DynamoDBRecord } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHandler } from "../../../src/pipeline/handlers/post-process.js";
import {
  analyseSentiment,
  computeWeight,
  contentHash,
  sentimentText,
} from "../../../src/pipeline/model/index.js";
import type { CelebrityItem } from "../../../src/pipeline/model/index.js";
import { defineStack } from "../../../src/pipeline/stack/index.js";
import { createTable, startDynalite } from "../../helpers/dynalite.js";
import type { DynaliteHandle } from "../../helpers/dynalite.js";
import { newsItem, tmdbItem } from "../../helpers/items.js";
import { testStackParams } from "../../helpers/stack-params.js";
import { nextSequenceNumber, streamEvent } from "../../helpers/stream-records.js";

/**
 * The post-processor against a real DynamoDB API (dynalite), with the table created from the
 * stack's own declaration. Stream records are built the way DynamoDB would emit them for the real
 * writes: images are read back from the table after each write.
 */

const stack = defineStack(testStackParams({ suffix: "-it" }));
const tableName = stack.table.name;
let db: DynaliteHandle;
let updateItemCalls = 0;

beforeAll(async () => {
  db = await startDynalite();
  db.client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === "UpdateItemCommand") updateItemCalls += 1;
      return next(args);
    },
    { step: "initialize", name: "countUpdateItem" },
  );
  await createTable(db.client, stack.table.definition);
});

afterAll(async () => {
  await db?.stop();
});

const env = {
  ...stack.functions["post-processor"].definition.Environment.Variables,
  POWERTOOLS_LOG_LEVEL: "SILENT",
};
const now = () => new Date("2026-08-02T02:00:07.000Z");

async function put(item: object): Promise<void> {
  await db.client.send(
    new PutItemCommand({ TableName: tableName, Item: marshall(item, { removeUndefinedValues: true }) }),
  );
}

async function read(item: { pk: string; sk: string }): Promise<Record<string, AttributeValue> | undefined> {
  const { Item } = await db.client.send(
    new GetItemCommand({
      TableName: tableName,
      Key: marshall({ pk: item.pk, sk: item.sk }),
      ConsistentRead: true,
    }),
  );
  return Item;
}

/** A stream record as DynamoDB emits it for a write whose images are `oldImage` → `newImage`. */
function recordOf(
  eventName: "INSERT" | "MODIFY",
  newImage: Record<string, AttributeValue>,
  oldImage?: Record<string, AttributeValue>,
): DynamoDBRecord {
  const asLambda = (image: Record<string, AttributeValue>) =>
    image as unknown as Record<string, LambdaAttributeValue>;
  return {
    eventID: `evt-${nextSequenceNumber()}`,
    eventName,
    eventVersion: "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: "us-east-1",
    dynamodb: {
      ApproximateCreationDateTime: 1785575707,
      Keys: asLambda({ pk: newImage.pk as AttributeValue, sk: newImage.sk as AttributeValue }),
      NewImage: asLambda(newImage),
      ...(oldImage === undefined ? {} : { OldImage: asLambda(oldImage) }),
      SequenceNumber: nextSequenceNumber(),
      SizeBytes: 300,
      StreamViewType: "NEW_AND_OLD_IMAGES",
    },
    eventSourceARN: `${stack.table.arn}/stream/2026-08-02T02:00:00.000`,
  };
}

/** Writes an item and returns the INSERT record DynamoDB would emit for it. */
async function insert(item: object): Promise<DynamoDBRecord> {
  await put(item);
  const image = await read(item as { pk: string; sk: string });
  if (image === undefined) throw new Error("item not written");
  return recordOf("INSERT", image);
}

describe("post-process handler against DynamoDB (dynalite)", () => {
  it("enriches a batch, reports the one permanent failure in the middle, and does not loop", async () => {
    // Prepare: five real writes; the third item's data is incomplete (a permanent failure)
    const items: object[] = [
      tmdbItem(10),
      newsItem(11),
      { ...tmdbItem(12), data: { source: "tmdb" } },
      tmdbItem(13),
      newsItem(14),
    ];
    const records: DynamoDBRecord[] = [];
    for (const item of items) records.push(await insert(item));
    const handler = createHandler(env, { client: db.client, now });
    updateItemCalls = 0;

    // Act
    const response = await handler(streamEvent(...records));

    // Assess: only the broken record is reported, by its sequence number
    expect(response).toStrictEqual({
      batchItemFailures: [{ itemIdentifier: records[2]?.dynamodb?.SequenceNumber }],
    });
    expect(updateItemCalls).toBe(4);
    for (const index of [0, 1, 3, 4]) {
      const original = items[index] as CelebrityItem;
      const stored = unmarshall((await read(original)) ?? {});
      const sentiment = analyseSentiment(sentimentText(original.data));
      expect(stored).toMatchObject({
        weight: computeWeight(original),
        sentiment: sentiment.label,
        sentimentScore: sentiment.score,
        enrichedHash: original.contentHash,
        contentHash: original.contentHash,
        processedAt: "2026-08-02T02:00:07.000Z",
      });
    }
    expect(unmarshall((await read(items[2] as CelebrityItem)) ?? {}).weight).toBeUndefined();

    // Act again: the MODIFY records our own UpdateItems produced
    const ownModifies: DynamoDBRecord[] = [];
    for (const index of [0, 1, 3, 4]) {
      const newImage = await read(items[index] as CelebrityItem);
      const oldImage = records[index]?.dynamodb?.NewImage as unknown as Record<string, AttributeValue>;
      ownModifies.push(recordOf("MODIFY", newImage ?? {}, oldImage));
    }
    updateItemCalls = 0;
    const second = await createHandler(env, {
      client: db.client,
      now: () => new Date("2026-08-02T03:00:00.000Z"),
    })(streamEvent(...ownModifies));

    // Assess: no writes at all, so no further stream records: the loop is closed
    expect(second).toStrictEqual({ batchItemFailures: [] });
    expect(updateItemCalls).toBe(0);
    expect(unmarshall((await read(items[0] as CelebrityItem)) ?? {}).processedAt).toBe(
      "2026-08-02T02:00:07.000Z",
    );
  });

  it("a record for content that has since changed is superseded, not failed, and writes nothing stale", async () => {
    // Prepare: the INSERT of version 1, then a scraper rewrite to version 2 before processing
    const v1 = tmdbItem(20, { popularity: 10 });
    const staleRecord = await insert(v1);
    const v2data = { ...v1.data, popularity: 150 };
    const v2 = { ...v1, data: v2data, contentHash: contentHash(v2data) };
    await put(v2);

    // Act
    const response = await createHandler(env, { client: db.client, now })(streamEvent(staleRecord));

    // Assess
    expect(response).toStrictEqual({ batchItemFailures: [] });
    const stored = unmarshall((await read(v1)) ?? {});
    expect(stored.contentHash).toBe(v2.contentHash);
    expect(stored.weight).toBeUndefined();
  });

  it("re-enriches when a scraper rewrites an enriched item with new content", async () => {
    // Prepare: enrich version 1
    const v1 = tmdbItem(30, { popularity: 5 });
    const handler = createHandler(env, { client: db.client, now });
    await handler(streamEvent(await insert(v1)));
    const enrichedV1 = await read(v1);
    // a scraper writes version 2 (PutItem replaces the item, dropping the enrichment)
    const v2data = { ...v1.data, popularity: 180 };
    const v2 = { ...v1, data: v2data, contentHash: contentHash(v2data) };
    await put(v2);
    const modify = recordOf("MODIFY", (await read(v1)) ?? {}, enrichedV1);

    // Act
    await expect(handler(streamEvent(modify))).resolves.toStrictEqual({ batchItemFailures: [] });

    // Assess
    expect(unmarshall((await read(v1)) ?? {})).toMatchObject({
      weight: computeWeight(v2),
      enrichedHash: v2.contentHash,
    });
  });
});
