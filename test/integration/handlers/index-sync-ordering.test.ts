/* eslint-disable @typescript-eslint/no-explicit-any -- documents are read back untyped through the official client. */
import { FullBatchFailureError } from "@aws-lambda-powertools/batch";
import { Client } from "@opensearch-project/opensearch";
import type { DynamoDBRecord } from "aws-lambda";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createHandler } from "../../../src/pipeline/handlers/index-sync.js";
import type { CelebrityItem } from "../../../src/pipeline/model/index.js";
import { VirtualClock } from "../../../src/pipeline/sources/clock.js";
import { defineStack } from "../../../src/pipeline/stack/index.js";
import { createEmulator, type Emulator } from "../../../src/runtime/emulator/index.js";
import { tmdbItem } from "../../helpers/items.js";
import { testStackParams } from "../../helpers/stack-params.js";
import { insertRecord, modifyRecord, removeRecord, streamEvent } from "../../helpers/stream-records.js";

/**
 * No stale write to the index: index-sync against the emulator's OpenSearch (which versions as
 * OpenSearch does), with records delivered the ways Lambda and the operator deliver them: newest
 * first, again on retries, in bisected halves, and replayed after the fact.
 */

let emulator: Emulator;
let search: any;
let endpoint: string;
let n = 0;
let index: string;

beforeAll(async () => {
  emulator = await createEmulator({ services: ["opensearch"] });
  endpoint = `${emulator.url}/opensearch/us-east-1/ordering`;
  search = new Client({ node: endpoint, maxRetries: 0 });
});

afterAll(async () => {
  await search?.close();
  await emulator?.stop();
});

beforeEach(() => {
  index = `celebrities-${++n}`;
});

function handler() {
  const stack = defineStack(testStackParams({ opensearch: { endpoint, index } }));
  const env = {
    ...stack.functions["index-sync"].definition.Environment.Variables,
    POWERTOOLS_LOG_LEVEL: "SILENT",
  };
  return createHandler(env, { clock: new VirtualClock(), random: () => 0.5 });
}

const docId = (item: { pk: string; sk: string }) => `${item.pk}|${item.sk}`;

async function doc(item: CelebrityItem): Promise<any> {
  try {
    return (await search.get({ index, id: docId(item) })).body;
  } catch (error) {
    if ((error as { meta?: { statusCode?: number } }).meta?.statusCode === 404) return undefined;
    throw error;
  }
}

/** Three states of one item as its writers leave them: scraped, enriched, scraped again. */
function history() {
  const scraped: CelebrityItem = { ...tmdbItem(3), version: 1_785_600_000_000_001 };
  const enriched: CelebrityItem = {
    ...scraped,
    weight: 62.5,
    sentiment: "positive",
    sentimentScore: 0.4,
    enrichedHash: scraped.contentHash,
    processedAt: "2026-08-02T02:00:01.000Z",
    version: scraped.version! + 1,
  };
  const rescraped: CelebrityItem = {
    ...tmdbItem(3, { popularity: 99 }),
    version: enriched.version! + 1,
  };
  return {
    scraped,
    enriched,
    rescraped,
    records: {
      insert: insertRecord(scraped),
      enrich: modifyRecord(scraped, enriched),
      rescrape: modifyRecord(enriched, rescraped),
    },
  };
}

const noFailures = { batchItemFailures: [] };

describe("index-sync never writes an older record over a newer document", () => {
  it("an out-of-order pair for one item, newest delivered first: the older one loses and is not a failure", async () => {
    const sync = handler();
    const { enriched, records } = history();
    await expect(sync(streamEvent(records.enrich))).resolves.toStrictEqual(noFailures);
    // The older record arrives after the newer one (a retry, a replay, another path).
    await expect(sync(streamEvent(records.insert))).resolves.toStrictEqual(noFailures);
    const stored = await doc(enriched);
    expect(stored._version).toBe(enriched.version);
    expect(stored._source).toMatchObject({
      weight: 62.5,
      sentiment: "positive",
      contentHash: enriched.contentHash,
    });
  });

  it("a bisected batch whose second half lands first: the first half's older records lose", async () => {
    const sync = handler();
    const { enriched, rescraped, records } = history();
    const other = { ...tmdbItem(4), version: 1_785_600_000_000_500 };
    const batch: DynamoDBRecord[] = [records.insert, insertRecord(other), records.enrich, records.rescrape];
    // Lambda split the failed batch in two; the newer half is processed before the older one is retried.
    await expect(sync(streamEvent(...batch.slice(2)))).resolves.toStrictEqual(noFailures);
    await expect(sync(streamEvent(...batch.slice(0, 2)))).resolves.toStrictEqual(noFailures);
    const stored = await doc(enriched);
    expect(stored._version).toBe(rescraped.version);
    expect(stored._source.data.popularity).toBe(99);
    // The enrichment belonged to the old content: the rescraped document has none yet.
    expect(stored._source.weight).toBeUndefined();
    expect((await doc(other))._version).toBe(other.version);
  });

  it("a whole batch replayed after the item moved on (dlq replay): every record is stale, none fails", async () => {
    const sync = handler();
    const { rescraped, records } = history();
    await sync(streamEvent(records.insert, records.enrich, records.rescrape));
    const replayed = streamEvent(records.insert, records.enrich);
    await expect(sync(replayed)).resolves.toStrictEqual(noFailures);
    expect((await doc(rescraped))._version).toBe(rescraped.version);
  });

  it("a delete wins over a late older write of the item (the tombstone), and a replayed delete over nothing", async () => {
    const sync = handler();
    const { enriched, records } = history();
    await sync(streamEvent(records.insert, records.enrich));
    const removed = removeRecord(enriched);
    await expect(sync(streamEvent(removed))).resolves.toStrictEqual(noFailures);
    expect(await doc(enriched)).toBeUndefined();
    // The enrichment record replayed after the delete must not bring the document back.
    await expect(sync(streamEvent(records.enrich))).resolves.toStrictEqual(noFailures);
    expect(await doc(enriched)).toBeUndefined();
    await expect(sync(streamEvent(removed))).resolves.toStrictEqual(noFailures);
    expect(await doc(enriched)).toBeUndefined();
  });

  it("an item deleted and written again starts a version above the deleted one's and is indexed", async () => {
    const sync = handler();
    const { enriched, records } = history();
    await sync(streamEvent(records.insert, records.enrich, removeRecord(enriched)));
    // The scraper writes it again a second later: a new item's version starts at its write time.
    const again: CelebrityItem = { ...tmdbItem(3), version: Date.parse("2026-08-02T02:00:02Z") * 1000 + 1 };
    expect(again.version).toBeGreaterThan(enriched.version! + 1);
    await expect(sync(streamEvent(insertRecord(again)))).resolves.toStrictEqual(noFailures);
    expect((await doc(again))._version).toBe(again.version);
  });

  it("retries after an outage carry the version too: an older retry after a newer success loses", async () => {
    const faults = (method: string, body?: unknown) =>
      fetch(`${emulator.url}/_emulator/opensearch/faults`, {
        method,
        ...(body ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } } : {}),
      });
    const sync = handler();
    const { enriched, records } = history();
    await (await faults("POST", { status: 503, count: 100, scope: "request", operation: "bulk" })).text();
    await expect(sync(streamEvent(records.insert))).rejects.toThrow(FullBatchFailureError);
    await (await faults("DELETE")).text();
    await sync(streamEvent(records.enrich));
    // Lambda's retry of the failed batch comes after the newer record was indexed.
    await expect(sync(streamEvent(records.insert))).resolves.toStrictEqual(noFailures);
    expect((await doc(enriched))._source.weight).toBe(62.5);
  });

  it("legacy images without a version are ordered by their record's time and lose against versioned writes", async () => {
    const sync = handler();
    const legacy = tmdbItem(7);
    const older = insertRecord(legacy);
    const versioned: CelebrityItem = {
      ...legacy,
      weight: 10,
      version: (older.dynamodb!.ApproximateCreationDateTime! + 5) * 1_000_000,
    };
    await sync(streamEvent(modifyRecord(legacy, versioned)));
    await expect(sync(streamEvent(older))).resolves.toStrictEqual(noFailures);
    expect((await doc(legacy))._source.weight).toBe(10);
  });
});
