import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../../../src/pipeline/sources/clock.js";
import {
  BulkRequestError,
  actionOf,
  bulkWithRetry,
  planIndexSync,
  recordOutcomes,
} from "../../../../src/pipeline/stages/index-sync.js";
import type {
  BulkItemResult,
  IndexAction,
  SearchIndexPort,
} from "../../../../src/pipeline/stages/index-sync.js";
import { tmdbItem, runRecordImage } from "../../../helpers/items.js";
import { insertRecord, modifyRecord, removeRecord, streamRecord } from "../../../helpers/stream-records.js";

const policy = { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 5_000 };

/** A port answering from a script: per call, a function of the actions sent. */
function scriptedPort(...script: ((actions: readonly IndexAction[]) => BulkItemResult[])[]) {
  const calls: string[][] = [];
  const port: SearchIndexPort = {
    async bulk(actions) {
      calls.push(actions.map((a) => a.id));
      const answer = script[calls.length - 1];
      if (answer === undefined) throw new Error("unexpected bulk call");
      return answer(actions);
    },
  };
  return { port, calls };
}

const ok = (actions: readonly IndexAction[]) => actions.map(() => ({ status: 200, result: "updated" }));

describe("actionOf", () => {
  it("INSERT/MODIFY index the full new image under <pk>|<sk> at the item's version; REMOVE deletes one version later", () => {
    const item = { ...tmdbItem(0), version: 1_785_575_702_000_001 };
    expect(actionOf(insertRecord(item))).toStrictEqual({
      kind: "index",
      id: "CELEB#001|SOURCE#tmdb",
      document: { ...item },
      version: { value: 1_785_575_702_000_001, type: "external", from: "item-version" },
    });
    const enriched = { ...item, weight: 51.2, version: item.version + 1 };
    expect(actionOf(modifyRecord(item, enriched))).toStrictEqual({
      kind: "index",
      id: "CELEB#001|SOURCE#tmdb",
      document: enriched,
      version: { value: 1_785_575_702_000_002, type: "external", from: "item-version" },
    });
    // The delete must beat the last state it removes (and its tombstone, a late copy of it).
    expect(actionOf(removeRecord(enriched))).toStrictEqual({
      kind: "delete",
      id: "CELEB#001|SOURCE#tmdb",
      version: { value: 1_785_575_702_000_003, type: "external", from: "item-version" },
    });
  });

  it("an image without a version (written before versions) is ordered by the record's time, external_gte", () => {
    const legacy = tmdbItem(0);
    const record = insertRecord(legacy);
    const seconds = record.dynamodb!.ApproximateCreationDateTime!;
    expect(actionOf(record)).toMatchObject({
      version: { value: seconds * 1_000_000, type: "external_gte", from: "record-time" },
    });
    // A versioned write made later (microseconds of a later time) beats it.
    expect(seconds * 1_000_000).toBeLessThan((seconds * 1000 + 1) * 1000 + 1);
  });

  it("ignores non-celebrity records and turns sets into arrays", () => {
    expect(actionOf(insertRecord(runRecordImage()))).toBeUndefined();
    const record = streamRecord("INSERT", {
      newImage: { pk: "CELEB#009", sk: "SOURCE#news", tags: new Set(["a", "b"]) },
    });
    expect(actionOf(record)).toMatchObject({ document: { tags: ["a", "b"] } });
  });
});

describe("planIndexSync", () => {
  it("keeps the newest version of a document even when the stream delivered it first", () => {
    const v1 = { ...tmdbItem(5), version: 100 };
    const v2 = { ...v1, weight: 40, version: 101 };
    const newer = modifyRecord(v1, v2);
    const older = insertRecord(v1);
    const plan = planIndexSync(
      [older, newer].reverse().map((r, i) => ({
        ...r,
        dynamodb: { ...r.dynamodb, SequenceNumber: String(4186300000000012345670000n + BigInt(i)) },
      })),
    );
    expect(plan.actions).toHaveLength(1);
    expect(plan.actions[0]).toMatchObject({ version: { value: 101 }, document: { weight: 40 } });
    expect(plan.actionOfRecord).toStrictEqual([0, 0]);
  });

  it("orders by sequence number as integers and keeps one action per document, the last", () => {
    // Prepare: an older (shorter) sequence number delivered last, and two versions of one item
    const a1 = insertRecord(tmdbItem(0));
    const b = insertRecord(tmdbItem(1));
    const a2 = modifyRecord(tmdbItem(0), { ...tmdbItem(0), weight: 10 });
    const early = { ...insertRecord(tmdbItem(2)) };
    early.dynamodb = { ...early.dynamodb, SequenceNumber: "999999999999999999999" };
    // Act
    const plan = planIndexSync([a1, b, a2, early]);
    // Assess
    expect(plan.records.map((r) => r.dynamodb?.SequenceNumber)).toStrictEqual([
      "999999999999999999999",
      a1.dynamodb?.SequenceNumber,
      b.dynamodb?.SequenceNumber,
      a2.dynamodb?.SequenceNumber,
    ]);
    expect(plan.actions.map((a) => a.id)).toStrictEqual([
      "CELEB#003|SOURCE#tmdb",
      "CELEB#002|SOURCE#tmdb",
      "CELEB#001|SOURCE#tmdb",
    ]);
    expect(plan.actions[2]).toMatchObject({ document: { weight: 10 } });
    expect(plan.actionOfRecord).toStrictEqual([0, 2, 1, 2]);
  });
});

describe("bulkWithRetry", () => {
  const version = { value: 7, type: "external", from: "item-version" } as const;
  const actions: IndexAction[] = [
    { kind: "index", id: "a", document: {}, version },
    { kind: "index", id: "b", document: {}, version },
    { kind: "delete", id: "c", version },
  ];

  it("a 409 version conflict is a stale write: success at once, never retried", async () => {
    const conflict = {
      status: 409,
      error: {
        type: "version_conflict_engine_exception",
        reason: "[a]: version conflict, current version [9] is higher or equal to the one provided [7]",
      },
    };
    const { port, calls } = scriptedPort(() => [conflict, conflict, { status: 200, result: "deleted" }]);
    const run = await bulkWithRetry(actions, port, { policy, clock: new VirtualClock(), random: () => 0 });
    expect(calls).toHaveLength(1);
    expect(run.results).toStrictEqual([
      { ok: true, attempts: 1, result: "stale" },
      { ok: true, attempts: 1, result: "stale" },
      { ok: true, attempts: 1, result: "deleted" },
    ]);
  });

  it("a 409 of another kind is not a stale write: a permanent failure", async () => {
    const { port } = scriptedPort(() => [
      { status: 409, error: { type: "some_other_conflict", reason: "x" } },
      ...ok(actions.slice(1)),
    ]);
    const run = await bulkWithRetry(actions, port, { policy, clock: new VirtualClock(), random: () => 0 });
    expect(run.results[0]).toMatchObject({ ok: false, permanent: true });
  });

  it("retries only the items answered 429/5xx, with growing jittered backoff", async () => {
    // Prepare: a gets 429 twice, b a 503 once, c (a delete of a missing doc) 404 not_found
    const { port, calls } = scriptedPort(
      () => [{ status: 429 }, { status: 503 }, { status: 404, result: "not_found" }],
      () => [{ status: 429 }, { status: 201, result: "created" }],
      () => [{ status: 200, result: "updated" }],
    );
    const clock = new VirtualClock();
    // Act
    const run = await bulkWithRetry(actions, port, { policy, clock, random: () => 0.5 });
    // Assess
    expect(calls).toStrictEqual([["a", "b", "c"], ["a", "b"], ["a"]]);
    expect(run.requests).toStrictEqual([3, 2, 1]);
    expect(clock.slept).toStrictEqual([100, 200]);
    expect(run.results).toStrictEqual([
      { ok: true, attempts: 3, result: "updated" },
      { ok: true, attempts: 2, result: "created" },
      { ok: true, attempts: 1, result: "not_found" },
    ]);
  });

  it("does not retry 400-class items: permanent failures", async () => {
    const { port, calls } = scriptedPort((sent) => [
      { status: 400, error: { type: "mapper_parsing_exception", reason: "failed to parse field [weight]" } },
      ...ok(sent.slice(1)),
    ]);
    const run = await bulkWithRetry(actions, port, { policy, clock: new VirtualClock(), random: () => 0 });
    expect(calls).toHaveLength(1);
    expect(run.results[0]).toStrictEqual({
      ok: false,
      attempts: 1,
      permanent: true,
      reason: "HTTP 400 mapper_parsing_exception: failed to parse field [weight]",
    });
  });

  it("retries the whole request after 503 / network errors, not after a 403", async () => {
    const unavailable = scriptedPort(
      () => {
        throw new BulkRequestError("HTTP 503", 503);
      },
      () => {
        throw new BulkRequestError("socket hang up", undefined);
      },
      ok,
    );
    const run = await bulkWithRetry(actions, unavailable.port, {
      policy,
      clock: new VirtualClock(),
      random: () => 0,
    });
    expect(unavailable.calls).toHaveLength(3);
    expect(run.results.every((r) => r.ok)).toBe(true);

    const forbidden = scriptedPort(() => {
      throw new BulkRequestError("HTTP 403", 403);
    });
    const denied = await bulkWithRetry(actions, forbidden.port, {
      policy,
      clock: new VirtualClock(),
      random: () => 0,
    });
    expect(forbidden.calls).toHaveLength(1);
    expect(denied.results[0]).toMatchObject({
      ok: false,
      permanent: true,
      reason: "bulk request failed: HTTP 403",
    });
  });

  it("gives up after maxAttempts with a retryable (not permanent) failure", async () => {
    const always429 = () => [{ status: 429 }];
    const { port, calls } = scriptedPort(
      () => [{ status: 429 }, { status: 200 }, { status: 200 }],
      always429,
      always429,
      always429,
    );
    const clock = new VirtualClock();
    const run = await bulkWithRetry(actions, port, { policy, clock, random: () => 0.999 });
    expect(calls).toHaveLength(4);
    expect(clock.slept).toStrictEqual([199, 399, 799]);
    expect(run.results[0]).toStrictEqual({ ok: false, attempts: 4, permanent: false, reason: "HTTP 429" });
  });
});

describe("recordOutcomes", () => {
  it("a failed record blocks every later record of the batch; earlier ones are done", () => {
    // Prepare
    const records = [0, 1, 2, 3].map((i) => insertRecord(tmdbItem(i)));
    const plan = planIndexSync(records);
    const results = [
      { ok: true as const, attempts: 1, result: "created" },
      { ok: false as const, attempts: 1, permanent: true, reason: "HTTP 400" },
      { ok: true as const, attempts: 1, result: "created" },
      { ok: true as const, attempts: 1, result: "created" },
    ];
    // Act
    const outcomes = [...recordOutcomes(plan, results).values()];
    // Assess
    const failed = records[1]?.dynamodb?.SequenceNumber;
    expect(outcomes).toStrictEqual([
      { outcome: "indexed", id: "CELEB#001|SOURCE#tmdb", attempts: 1 },
      { outcome: "failed", id: "CELEB#002|SOURCE#tmdb", reason: "HTTP 400", permanent: true },
      { outcome: "blocked", id: "CELEB#003|SOURCE#tmdb", after: failed },
      { outcome: "blocked", id: "CELEB#004|SOURCE#tmdb", after: failed },
    ]);
  });

  it("an earlier record superseded by a failed later one is not itself the failure", () => {
    const a1 = insertRecord(tmdbItem(0));
    const b = insertRecord(tmdbItem(1));
    const a2 = modifyRecord(tmdbItem(0), { ...tmdbItem(0), weight: 3 });
    const plan = planIndexSync([a1, b, a2]);
    const results = [
      { ok: true as const, attempts: 1, result: "created" },
      { ok: false as const, attempts: 4, permanent: false, reason: "HTTP 429" },
    ];
    expect([...recordOutcomes(plan, results).values()].map((o) => o.outcome)).toStrictEqual([
      "superseded",
      "indexed",
      "failed",
    ]);
  });
});
