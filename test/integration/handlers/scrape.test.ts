import { GetItemCommand, QueryCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { Context } from "aws-lambda";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createHandler, manualScrapeEvent } from "../../../src/pipeline/handlers/scrape.js";
import type { ScrapeOverrides } from "../../../src/pipeline/handlers/scrape.js";
import {
  demoRoster,
  RetryableError,
  SOURCES,
  validateCompleteness,
} from "../../../src/pipeline/model/index.js";
import type { SourceName } from "../../../src/pipeline/model/index.js";
import { VirtualClock } from "../../../src/pipeline/sources/index.js";
import { TABLE_INDEXES, defineStack, scraperFunctionKey } from "../../../src/pipeline/stack/index.js";
import type { ScrapeRunRecord } from "../../../src/pipeline/stages/scrape.js";
import { changedCelebrityIds, startFixtureServer } from "../../../src/runtime/fixtures/index.js";
import { importDemo } from "../../../src/runtime/roster/index.js";
import type { FixtureServer } from "../../../src/runtime/fixtures/index.js";
import { createTable, startDynalite } from "../../helpers/dynalite.js";
import type { DynaliteHandle } from "../../helpers/dynalite.js";
import { testStackParams } from "../../helpers/stack-params.js";

const DEMO_ROSTER = demoRoster();

/**
 * The four scrapers against a real DynamoDB API (dynalite, table from the stack's declaration)
 * and the fixture source server, built with createHandler from the environment the stack declares
 * (base URLs pointed at the fixture server as config does). Time is virtual: backoff, Retry-After
 * and rate-limit waits advance a clock instead of sleeping; per-request timeouts are real.
 */

const stack = defineStack(testStackParams({ suffix: "-scrape-it" }));
const tableName = stack.table.name;
// Given directly, as an in-process run passes config's apiKey (the deployed functions read SSM).
const API_KEY = testStackParams().sources.tmdb.apiKey ?? "";
const RUN_START = Date.UTC(2026, 7, 2, 2, 0, 0);

let db: DynaliteHandle;
let fixture: FixtureServer;
/** Successful writes (UpdateItem, which bumps the version) of a celebrity item: what a stream would see. */
let celebrityPuts = 0;
let eventCounter = 0;

beforeAll(async () => {
  [db, fixture] = await Promise.all([
    startDynalite(),
    startFixtureServer({ seed: 11, retryAfterSeconds: 2, roster: DEMO_ROSTER }),
  ]);
  db.client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const key = (args.input as { Key?: Record<string, AttributeValue> }).Key;
      if (context.commandName === "UpdateItemCommand" && key?.pk?.S?.startsWith("CELEB#")) celebrityPuts += 1;
      return result;
    },
    { step: "initialize", name: "countCelebrityPuts" },
  );
  await createTable(db.client, stack.table.definition);
  // The scrapers read whom to follow from the table: the demo people, as `roster import --demo`.
  await importDemo(db.client, tableName);
});

afterAll(async () => {
  await Promise.all([db?.stop(), fixture?.stop()]);
});

afterEach(() => {
  fixture.setFaults({});
});

function envFor(source: SourceName, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...stack.functions[scraperFunctionKey(source)].definition.Environment.Variables,
    SOURCE_BASE_URL: `${fixture.url}/${source}`,
    SOURCE_AUX_BASE_URL: `${fixture.url}/${source}/aux`,
    SOURCE_RATE_LIMIT_PER_SECOND: "1000",
    SOURCE_API_KEY: API_KEY,
    POWERTOOLS_LOG_LEVEL: "SILENT",
    ...extra,
  };
}

function handlerFor(
  source: SourceName,
  options: { offsetMs?: number; env?: Record<string, string> } & ScrapeOverrides = {},
) {
  const { offsetMs = 0, env, ...overrides } = options;
  return createHandler(envFor(source, env), {
    client: db.client,
    clock: new VirtualClock(RUN_START + offsetMs),
    random: () => 0.5,
    ...overrides,
  });
}

function nextEvent(runId: string) {
  eventCounter += 1;
  return manualScrapeEvent({ id: `evt-${eventCounter}`, runId });
}

async function runAll(runId: string, offsetMs = 0) {
  return Promise.all(SOURCES.map((source) => handlerFor(source, { offsetMs })(nextEvent(runId))));
}

async function scanAll(): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await db.client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []).map((item) => unmarshall(item)));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}

const celebrityItems = async () => (await scanAll()).filter((item) => String(item.pk).startsWith("CELEB#"));

async function runRecord(runId: string, source: SourceName): Promise<ScrapeRunRecord | undefined> {
  const { Item } = await db.client.send(
    new GetItemCommand({
      TableName: tableName,
      Key: { pk: { S: `RUN#${runId}` }, sk: { S: `SOURCE#${source}` } },
      ConsistentRead: true,
    }),
  );
  return Item === undefined ? undefined : (unmarshall(Item) as ScrapeRunRecord);
}

describe("scrape handler (dynalite + fixture server)", () => {
  it("first run: 100 celebrities x 4 sources written with GSI keys, one run record per scraper", async () => {
    // Act
    const results = await runAll("run-first");

    // Assess
    for (const result of results) {
      expect(result.record.counts).toStrictEqual({ fetched: 100, written: 100, unchanged: 0, failed: 0 });
      expect(result.record).toMatchObject({ outcome: "succeeded", rosterSize: 100, notAttempted: 0 });
      expect(await runRecord("run-first", result.source)).toStrictEqual(result.record);
    }
    const items = await celebrityItems();
    expect(items).toHaveLength(400);
    expect(items.flatMap((item) => validateCompleteness(item))).toStrictEqual([]);
    expect(celebrityPuts).toBe(400);
    // A new item's version starts at its write time in microseconds, plus one (model/version.ts).
    for (const item of items) expect(item.version).toBe(Date.parse(String(item.timestamp)) * 1000 + 1);

    // The GSIs answer: browse by category, find one handle's four items.
    const actor = DEMO_ROSTER.find((c) => c.category === "actor")!;
    const byCategory = await db.client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: TABLE_INDEXES.byCategoryLocation,
        KeyConditionExpression: "#pk = :pk",
        ExpressionAttributeNames: { "#pk": "gsi1pk" },
        ExpressionAttributeValues: { ":pk": { S: "CATEGORY#actor" } },
      }),
    );
    const actors = DEMO_ROSTER.filter((c) => c.category === "actor").length;
    expect(byCategory.Count).toBe(actors * 4);
    const byHandle = await db.client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: TABLE_INDEXES.bySocialHandle,
        KeyConditionExpression: "#pk = :pk",
        ExpressionAttributeNames: { "#pk": "gsi2pk" },
        ExpressionAttributeValues: { ":pk": { S: `SOCIAL#${actor.handle}` } },
      }),
    );
    // GSI2 answers "whose handle is this?": the roster record and the person's four items.
    expect(byHandle.Items?.map((i) => i.sk?.S).sort()).toStrictEqual(
      ["PROFILE", ...SOURCES.map((s) => `SOURCE#${s}`)].sort(),
    );
  });

  it("re-run with unchanged data: nothing written, timestamps untouched, counted as unchanged", async () => {
    // Prepare
    const before = new Map((await celebrityItems()).map((item) => [`${item.pk}|${item.sk}`, item.timestamp]));
    const putsBefore = celebrityPuts;

    // Act: an hour later, same day, same data.
    const results = await runAll("run-unchanged", 3_600_000);

    // Assess
    for (const result of results) {
      expect(result.record.counts).toStrictEqual({ fetched: 100, written: 0, unchanged: 100, failed: 0 });
    }
    expect(celebrityPuts - putsBefore).toBe(0);
    const after = await celebrityItems();
    expect(after).toHaveLength(400);
    expect(after.every((item) => before.get(`${item.pk}|${item.sk}`) === item.timestamp)).toBe(true);
    const runs = (await scanAll()).filter((item) => String(item.pk).startsWith("RUN#"));
    expect(runs).toHaveLength(8);
  });

  it("changed data at the source: exactly the changed celebrities are written", async () => {
    // Prepare
    fixture.setEpoch(1);
    const changed = changedCelebrityIds(0, 1, undefined, DEMO_ROSTER);
    const putsBefore = celebrityPuts;

    // Act
    const results = await runAll("run-epoch-1", 7_200_000);

    // Assess
    for (const result of results) {
      expect(result.record.counts).toStrictEqual({
        fetched: 100,
        written: changed.length,
        unchanged: 100 - changed.length,
        failed: 0,
      });
    }
    expect(celebrityPuts - putsBefore).toBe(changed.length * 4);
    const rewritten = (await celebrityItems()).filter(
      (item) => item.timestamp !== new Date(RUN_START).toISOString(),
    );
    expect(new Set(rewritten.map((item) => item.celebrityId))).toStrictEqual(new Set(changed));
    // A rewrite counts the existing version up by one (it does not restart from its own time).
    for (const item of rewritten)
      expect(item.version).toBe(Date.parse(new Date(RUN_START).toISOString()) * 1000 + 2);
  });

  it("a 429 storm (30% of requests, Retry-After 2 s) is absorbed by the client's retries", async () => {
    // Prepare
    fixture.setFaults({ rates: { "429": 0.3 } });
    fixture.resetStats();
    const clock = new VirtualClock(RUN_START + 10_800_000);

    // Act
    const result = await handlerFor("social", { clock, retry: { maxAttempts: 8 } })(nextEvent("run-storm"));

    // Assess: every celebrity fetched, nothing failed; the retries waited as the server asked.
    const stats = fixture.stats;
    expect(result.record.counts).toMatchObject({ fetched: 100, failed: 0 });
    expect(stats.faults["429"]).toBeGreaterThan(30);
    expect(result.record.retries).toBe(stats.faults["429"]);
    expect(clock.slept.filter((ms) => ms === 2000)).toHaveLength(stats.faults["429"]);
  });

  it("a request that times out once is retried and the run succeeds", async () => {
    fixture.setFaults({ rules: [{ kind: "timeout", source: "news", celebrityId: "021", times: 1 }] });
    const result = await handlerFor("news", { env: { HTTP_TIMEOUT_MS: "200" } })(nextEvent("run-timeout"));
    expect(result.record.counts).toMatchObject({ fetched: 100, failed: 0 });
    expect(result.record.retries).toBe(1);
  });

  it("a malformed body for one celebrity is a permanent failure; the rest are processed", async () => {
    // Prepare
    fixture.setFaults({ rules: [{ kind: "malformed", source: "social", celebrityId: "042" }] });
    fixture.setEpoch(2);
    const changedIds = changedCelebrityIds(1, 2, undefined, DEMO_ROSTER).filter((id) => id !== "042");

    // Act
    const result = await handlerFor("social", { offsetMs: 14_400_000 })(nextEvent("run-malformed"));

    // Assess
    expect(result.outcome).toBe("succeeded");
    expect(result.record.counts).toStrictEqual({
      fetched: 99,
      written: changedIds.length,
      unchanged: 99 - changedIds.length,
      failed: 1,
    });
    expect(result.record.failures).toStrictEqual([
      {
        celebrityId: "042",
        reason: expect.stringMatching(
          /^social GET \/social\/xrpc\/app\.bsky\.actor\.getProfile: response is not valid JSON/,
        ),
      },
    ]);
    expect(await runRecord("run-malformed", "social")).toMatchObject({
      counts: { failed: 1 },
      outcome: "succeeded",
    });
  });

  it("500s beyond the retries: the invocation throws after writing a run record that shows the failure", async () => {
    // Prepare
    fixture.setFaults({ rules: [{ kind: "500", source: "tmdb", celebrityId: "010" }] });
    fixture.resetStats();
    const handler = handlerFor("tmdb", { offsetMs: 18_000_000, retry: { maxAttempts: 3 } });

    // Act
    const error = await handler(nextEvent("run-500")).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as Error).message).toMatch(
      /^tmdb scrape run run-500 failed after \d+ of 100 celebrities: tmdb GET \/tmdb\/3\/search\/person: HTTP 500 \(gave up after 3 attempts\)$/,
    );
    expect(fixture.stats.faults["500"]).toBe(3);
    const record = await runRecord("run-500", "tmdb");
    expect(record).toMatchObject({
      outcome: "failed",
      counts: { failed: 1 },
      failures: [{ celebrityId: "010" }],
    });
    expect(record?.error).toMatch(/HTTP 500/);
    expect(record!.notAttempted).toBeGreaterThan(0);
    expect(record!.counts.fetched + record!.counts.failed + record!.notAttempted).toBe(100);
  });

  it("near Lambda's timeout: starts nothing, records the run as failed, and throws", async () => {
    const context = { awsRequestId: "req-1", getRemainingTimeInMillis: () => 5000 } as unknown as Context;
    const error = await handlerFor("news")(nextEvent("run-late"), context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect(await runRecord("run-late", "news")).toMatchObject({
      outcome: "failed",
      notAttempted: 100,
      counts: { fetched: 0, written: 0, unchanged: 0, failed: 0 },
      error: expect.stringMatching(/^stopped with 5000 ms of the function's time left/),
    });
  });

  it("logs structured JSON with the run's correlation id and never the API key", async () => {
    // Prepare: a key in the env, debug logging, a few retries and a permanent failure to log about.
    fixture.setFaults({
      rates: { "429": 0.1 },
      rules: [{ kind: "malformed", source: "tmdb", celebrityId: "003" }],
    });
    const lines: string[] = [];
    const capture = (chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    };
    // Powertools writes INFO/DEBUG to stdout and WARN/ERROR to stderr, as console does.
    const spies = [
      vi.spyOn(process.stdout, "write").mockImplementation(capture),
      vi.spyOn(process.stderr, "write").mockImplementation(capture),
    ];
    try {
      const handler = handlerFor("tmdb", { env: { POWERTOOLS_LOG_LEVEL: "DEBUG" }, offsetMs: 21_600_000 });
      await handler(manualScrapeEvent({ id: "evt-logs", runId: "run-logs", limit: 10 }));
    } finally {
      for (const spy of spies) spy.mockRestore();
    }

    // Assess
    const text = lines.join("");
    expect(API_KEY.length).toBeGreaterThan(4);
    expect(text).not.toContain(API_KEY);
    const records = text
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.length).toBeGreaterThan(3);
    expect(records.every((r) => r.correlation_id === "evt-logs")).toBe(true);
    expect(records.find((r) => r.message === "celebrity failed permanently; skipped")).toMatchObject({
      level: "WARN",
      celebrityId: "003",
      runId: "run-logs",
      source: "tmdb",
    });
    expect(records.find((r) => r.message === "scrape run finished")).toMatchObject({ fetched: 9, failed: 1 });
    expect(records.some((r) => r.message === "source request retried")).toBe(true);
  });
});
