import { FullBatchFailureError } from "@aws-lambda-powertools/batch";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createHandler } from "../../../src/pipeline/handlers/index-sync.js";
import { VirtualClock } from "../../../src/pipeline/sources/clock.js";
import { defineStack } from "../../../src/pipeline/stack/index.js";
import { newsItem, runRecordImage, tmdbItem } from "../../helpers/items.js";
import { startOpenSearchDouble } from "../../helpers/opensearch-double.js";
import type { OpenSearchDouble } from "../../helpers/opensearch-double.js";
import { testStackParams } from "../../helpers/stack-params.js";
import { insertRecord, modifyRecord, removeRecord, streamEvent } from "../../helpers/stream-records.js";

/**
 * index-sync through the official OpenSearch client over HTTP, against the double, with the
 * environment the stack declares for the function. The endpoint carries the emulator's path
 * prefix, which the client must keep.
 */

const PREFIX = "/opensearch/us-east-1/celebrities";
let search: OpenSearchDouble;
let clock: VirtualClock;

beforeAll(async () => {
  search = await startOpenSearchDouble({ pathPrefix: PREFIX });
});

afterAll(async () => {
  await search?.stop();
});

afterEach(() => {
  search.requests.length = 0;
  search.docs.clear();
  search.versions.clear();
  search.clearFaults();
});

function handlerFor() {
  const stack = defineStack(
    testStackParams({ opensearch: { endpoint: search.endpoint, index: "celebrities" } }),
  );
  const env = {
    ...stack.functions["index-sync"].definition.Environment.Variables,
    POWERTOOLS_LOG_LEVEL: "SILENT",
  };
  clock = new VirtualClock();
  return { handler: createHandler(env, { clock, random: () => 0.5 }), index: stack.index.name };
}

const id = (item: { pk: string; sk: string }) => `${item.pk}|${item.sk}`;

describe("index-sync handler against an OpenSearch double", () => {
  it("indexes and deletes in one bulk request under the endpoint's path prefix, unsigned", async () => {
    // Prepare
    const { handler, index } = handlerFor();
    const a = tmdbItem(40);
    const b = newsItem(41);
    const gone = tmdbItem(42);
    // Act
    const response = await handler(
      streamEvent(
        insertRecord(a),
        modifyRecord(b, { ...b, weight: 61.5, sentiment: "negative" }),
        removeRecord(gone),
        insertRecord(runRecordImage()),
      ),
    );
    // Assess
    expect(response).toStrictEqual({ batchItemFailures: [] });
    expect(search.requests).toHaveLength(1);
    expect(search.requests[0]).toMatchObject({
      method: "POST",
      path: `${PREFIX}/_bulk`,
      authorization: undefined,
      items: [`index:${id(a)}`, `index:${id(b)}`, `delete:${id(gone)}`],
    });
    expect(search.docs.get(index)?.get(id(a))).toStrictEqual(JSON.parse(JSON.stringify(a)));
    expect(search.docs.get(index)?.get(id(b))).toMatchObject({
      weight: 61.5,
      sentiment: "negative",
      name: b.name,
    });
  });

  it("retries only the 429 items, reports the 400 item and everything after it", async () => {
    // Prepare: six records; item 2 gets 429 twice, item 4 a 400 mapping error
    const { handler, index } = handlerFor();
    const items = [0, 1, 2, 3, 4, 5].map((i) => tmdbItem(50 + i));
    const records = items.map((item) => insertRecord(item));
    search.failItem(id(items[1]!), { status: 429, times: 2 });
    search.failItem(id(items[3]!), {
      status: 400,
      type: "mapper_parsing_exception",
      reason: "failed to parse field [weight]",
      times: Infinity,
    });
    // Act
    const response = await handler(streamEvent(...records));
    // Assess: the 400 record and every later one are reported, in order
    expect(response).toStrictEqual({
      batchItemFailures: records.slice(3).map((r) => ({ itemIdentifier: r.dynamodb?.SequenceNumber })),
    });
    expect(search.requests.map((r) => r.items)).toStrictEqual([
      items.map((item) => `index:${id(item)}`),
      [`index:${id(items[1]!)}`],
      [`index:${id(items[1]!)}`],
    ]);
    expect(clock.slept).toStrictEqual([100, 200]);
    expect([...(search.docs.get(index)?.keys() ?? [])].sort()).toStrictEqual(
      [0, 1, 2, 4, 5].map((i) => id(items[i]!)).sort(),
    );
  });

  it("retries the whole request after a 503", async () => {
    const { handler, index } = handlerFor();
    const item = tmdbItem(60);
    search.failRequests(503, 1);
    await expect(handler(streamEvent(insertRecord(item)))).resolves.toStrictEqual({ batchItemFailures: [] });
    expect(search.requests.map((r) => r.items.length)).toStrictEqual([0, 1]);
    expect(clock.slept).toStrictEqual([100]);
    expect(search.docs.get(index)?.has(id(item))).toBe(true);
  });

  it("fails the invocation when no record could be synced, so Lambda retries and bisects", async () => {
    const { handler } = handlerFor();
    search.failRequests(503, 10);
    await expect(
      handler(streamEvent(insertRecord(tmdbItem(70)), insertRecord(tmdbItem(71)))),
    ).rejects.toThrow(FullBatchFailureError);
    expect(search.requests).toHaveLength(4);
    expect(clock.slept).toStrictEqual([100, 200, 400]);
  });
});

describe("index-sync SigV4 signing", () => {
  it("signs for service es in the region, over the prefixed path, when signing applies", async () => {
    // Prepare: force the signing path (AWS hosts get it automatically) with static credentials
    const stack = defineStack(
      testStackParams({ opensearch: { endpoint: search.endpoint, index: "celebrities" } }),
    );
    const env = {
      ...stack.functions["index-sync"].definition.Environment.Variables,
      POWERTOOLS_LOG_LEVEL: "SILENT",
    };
    const handler = createHandler(env, {
      region: "eu-west-1",
      opensearch: {
        sign: true,
        getCredentials: async () => ({ accessKeyId: "AKIDTEST", secretAccessKey: "secret" }),
      },
    });
    // Act
    await expect(handler(streamEvent(insertRecord(tmdbItem(80))))).resolves.toStrictEqual({
      batchItemFailures: [],
    });
    // Assess
    expect(search.requests[0]?.path).toBe(`${PREFIX}/_bulk`);
    expect(search.requests[0]?.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/eu-west-1\/es\/aws4_request, SignedHeaders=.*host.*, Signature=[0-9a-f]{64}$/,
    );
  });
});
