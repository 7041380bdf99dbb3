/* eslint-disable @typescript-eslint/no-explicit-any -- the tests check OpenSearch's wire shapes (including invalid requests the client's types forbid), so the client is used untyped. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@opensearch-project/opensearch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, ManualClock, type Emulator } from "../../../src/runtime/emulator/index.js";
import { awsCli, awsCliAvailable, awsCliJson } from "../../helpers/aws-cli.js";
import { startEmulatorProcess } from "../../helpers/emulator-process.js";

const MAPPINGS = {
  properties: {
    name: { type: "text", fields: { keyword: { type: "keyword" } } },
    source: { type: "keyword" },
    weight: { type: "float" },
    sentiment: { type: "keyword" },
    timestamp: { type: "date" },
  },
};

/** The error body OpenSearch returned, from the official client's ResponseError. */
async function failure(promise: Promise<unknown>): Promise<{ status: number; body: any }> {
  try {
    await promise;
  } catch (error) {
    const meta = (error as { meta?: { statusCode: number; body: unknown } }).meta;
    if (meta) return { status: meta.statusCode, body: meta.body };
    throw error;
  }
  throw new Error("expected the request to fail");
}

describe("emulator: OpenSearch data plane", () => {
  let emulator: Emulator;
  let clock: ManualClock;
  let client: any;
  let base: string;

  beforeAll(async () => {
    clock = new ManualClock();
    emulator = await createEmulator({ services: ["opensearch"], clock });
    base = `${emulator.url}/opensearch/us-east-1/celebrities`;
    // The official client keeps the node URL's path prefix, so no extra option is needed.
    client = new Client({ node: base, maxRetries: 0 });
  });
  afterAll(async () => {
    await client.close();
    await emulator.stop();
  });

  const rawJson = async (method: string, path: string, body?: string, contentType = "application/json") => {
    const response = await fetch(`${base}${path}`, {
      method,
      ...(body !== undefined ? { body, headers: { "content-type": contentType } } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as any) : undefined };
  };

  describe("cluster", () => {
    it("GET / reports an OpenSearch version the client accepts", async () => {
      const { body } = await client.info();
      expect(body.version.distribution).toBe("opensearch");
      expect(body.version.number).toMatch(/^2\.\d+\.\d+$/);
      expect(body.cluster_name).toBe("000000000000:celebrities");
    });

    it("GET /_cluster/health is green with no replicas, yellow with an unassignable replica", async () => {
      expect((await client.cluster.health()).body.status).toBe("green");
      await client.indices.create({ index: "with-replica", body: { settings: { number_of_replicas: 1 } } });
      expect((await client.cluster.health()).body.status).toBe("yellow");
      await client.indices.delete({ index: "with-replica" });
    });

    it("a path without region and domain is refused with the endpoint format", async () => {
      const response = await fetch(`${emulator.url}/opensearch/us-east-1`);
      expect(response.status).toBe(400);
      expect(JSON.stringify(await response.json())).toMatch(/opensearch\/<region>\/<domain>/);
    });

    it("domains are separate: an index in one is not in another", async () => {
      const other: any = new Client({
        node: `${emulator.url}/opensearch/us-east-1/other-domain`,
        maxRetries: 0,
      });
      await other.indices.create({ index: "only-here" });
      expect((await client.indices.exists({ index: "only-here" })).body).toBe(false);
      expect((await other.indices.exists({ index: "only-here" })).body).toBe(true);
      await other.close();
    });
  });

  describe("indices", () => {
    it("HEAD 404, create with settings and mappings, HEAD 200, duplicate create is resource_already_exists_exception", async () => {
      expect((await client.indices.exists({ index: "celebrities" })).statusCode).toBe(404);
      const created = await client.indices.create({
        index: "celebrities",
        body: { settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings: MAPPINGS },
      });
      expect(created.body).toEqual({ acknowledged: true, shards_acknowledged: true, index: "celebrities" });
      expect((await client.indices.exists({ index: "celebrities" })).statusCode).toBe(200);
      const dup = await failure(client.indices.create({ index: "celebrities" }));
      expect(dup.status).toBe(400);
      expect(dup.body.error.type).toBe("resource_already_exists_exception");
      expect(dup.body.error.reason).toMatch(/^index \[celebrities\/[\w-]+\] already exists$/);
      expect(dup.body.status).toBe(400);
    });

    it("GET _mapping returns the mappings, plus dynamically mapped fields (text + keyword)", async () => {
      await client.index({
        index: "dynamic",
        id: "1",
        body: { title: "Hello", views: 3, ratio: 0.5, at: "2026-01-04T00:00:00Z", ok: true },
      });
      const { body } = await client.indices.getMapping({ index: "dynamic" });
      expect(body.dynamic.mappings.properties).toEqual({
        title: { type: "text", fields: { keyword: { type: "keyword", ignore_above: 256 } } },
        views: { type: "long" },
        ratio: { type: "float" },
        at: { type: "date" },
        ok: { type: "boolean" },
      });
    });

    it("invalid index names, unknown mapping types and deleting a missing index get OpenSearch errors", async () => {
      const upper = await failure(client.indices.create({ index: "Celebrities" }));
      expect(upper.body.error.type).toBe("invalid_index_name_exception");
      const badType = await failure(
        client.indices.create({
          index: "bad-type",
          body: { mappings: { properties: { x: { type: "nope" } } } },
        }),
      );
      expect(badType.body.error.type).toBe("mapper_parsing_exception");
      const missing = await failure(client.indices.delete({ index: "never-created" }));
      expect(missing.status).toBe(404);
      expect(missing.body.error).toMatchObject({
        type: "index_not_found_exception",
        reason: "no such index [never-created]",
      });
    });
  });

  describe("documents and refresh", () => {
    it("GET by id is real-time; search and count see the write only after the next refresh (1 s on the clock)", async () => {
      await client.index({
        index: "celebrities",
        id: "CELEB#001|SOURCE#tmdb",
        body: { name: "Ava Quill", source: "tmdb", weight: 71.5 },
      });
      const got = await client.get({ index: "celebrities", id: "CELEB#001|SOURCE#tmdb" });
      expect(got.body).toMatchObject({
        _index: "celebrities",
        _id: "CELEB#001|SOURCE#tmdb",
        _version: 1,
        found: true,
        _source: { name: "Ava Quill" },
      });
      expect((await client.count({ index: "celebrities" })).body.count).toBe(0);
      await clock.advance(1000);
      expect((await client.count({ index: "celebrities" })).body.count).toBe(1);
    });

    it("refresh=true makes the write searchable before the answer (forced_refresh)", async () => {
      const { body } = await client.index({
        index: "celebrities",
        id: "CELEB#002|SOURCE#news",
        body: { name: "Bo Reyes", source: "news", weight: 40 },
        refresh: true,
      });
      expect(body).toMatchObject({
        result: "created",
        _version: 1,
        forced_refresh: true,
        _shards: { total: 1, successful: 1, failed: 0 },
      });
      expect((await client.count({ index: "celebrities" })).body.count).toBe(2);
    });

    it("refresh=wait_for answers only after the next scheduled refresh", async () => {
      let answered = false;
      const pending = client
        .index({
          index: "celebrities",
          id: "CELEB#003|SOURCE#social",
          body: { name: "Cy Lee", source: "social", weight: 12 },
          refresh: "wait_for",
        })
        .then((r: unknown) => {
          answered = true;
          return r;
        });
      await clock.advance(10);
      await new Promise((r) => setTimeout(r, 30));
      expect(answered).toBe(false);
      await clock.advance(1000);
      const { body } = await pending;
      expect(body.result).toBe("created");
      expect(body.forced_refresh).toBeUndefined();
      expect((await client.count({ index: "celebrities" })).body.count).toBe(3);
    });

    it("index again updates (version 2); op_type=create on an existing id is a 409 version conflict", async () => {
      const again = await client.index({
        index: "celebrities",
        id: "CELEB#002|SOURCE#news",
        body: { name: "Bo Reyes", source: "news", weight: 41 },
      });
      expect(again.body).toMatchObject({ result: "updated", _version: 2 });
      expect(again.statusCode).toBe(200);
      const conflict = await failure(
        client.create({ index: "celebrities", id: "CELEB#002|SOURCE#news", body: { name: "x" } }),
      );
      expect(conflict.status).toBe(409);
      expect(conflict.body.error.type).toBe("version_conflict_engine_exception");
    });

    it("_update merges a partial doc, is a noop when nothing changes, upserts with doc_as_upsert, 404 when missing", async () => {
      const merged = await client.update({
        index: "celebrities",
        id: "CELEB#001|SOURCE#tmdb",
        body: { doc: { sentiment: "positive" } },
      });
      expect(merged.body).toMatchObject({ result: "updated", _version: 2 });
      const noop = await client.update({
        index: "celebrities",
        id: "CELEB#001|SOURCE#tmdb",
        body: { doc: { sentiment: "positive" } },
      });
      expect(noop.body).toMatchObject({ result: "noop", _version: 2 });
      const upsert = await client.update({
        index: "celebrities",
        id: "CELEB#004|SOURCE#wikipedia",
        body: { doc: { name: "Di Mar", source: "wikipedia" }, doc_as_upsert: true },
      });
      expect(upsert.body).toMatchObject({ result: "created", _version: 1 });
      const missing = await failure(
        client.update({ index: "celebrities", id: "nope", body: { doc: { a: 1 } } }),
      );
      expect(missing.status).toBe(404);
      expect(missing.body.error.type).toBe("document_missing_exception");
      const doc = await client.get({ index: "celebrities", id: "CELEB#001|SOURCE#tmdb" });
      expect(doc.body._source).toEqual({
        name: "Ava Quill",
        source: "tmdb",
        weight: 71.5,
        sentiment: "positive",
      });
    });

    it("DELETE a doc; deleting or getting a missing one is 404 (not_found / found:false)", async () => {
      await client.index({ index: "celebrities", id: "temp", body: { name: "Temp" } });
      expect((await client.delete({ index: "celebrities", id: "temp" })).body).toMatchObject({
        result: "deleted",
        _version: 2,
      });
      const gone = await rawJson("DELETE", "/celebrities/_doc/temp");
      expect(gone.status).toBe(404);
      expect(gone.body).toMatchObject({ _id: "temp", result: "not_found" });
      const get = await rawJson("GET", "/celebrities/_doc/temp");
      expect(get).toEqual({ status: 404, body: { _index: "celebrities", _id: "temp", found: false } });
      const noIndex = await rawJson("GET", "/nothing/_doc/1");
      expect(noIndex.status).toBe(404);
      expect(noIndex.body.error.type).toBe("index_not_found_exception");
    });

    it("bad JSON and values that do not fit the mapping are mapper_parsing_exception (400)", async () => {
      const badJson = await rawJson("PUT", "/celebrities/_doc/bad", "{not json");
      expect(badJson.status).toBe(400);
      expect(badJson.body.error.type).toBe("mapper_parsing_exception");
      const wrongType = await failure(
        client.index({ index: "celebrities", id: "bad", body: { weight: "heavy" } }),
      );
      expect(wrongType.status).toBe(400);
      expect(wrongType.body.error).toMatchObject({
        type: "mapper_parsing_exception",
        reason: expect.stringMatching(/failed to parse field \[weight\] of type \[float\]/),
        caused_by: { type: "number_format_exception" },
      });
      expect((await rawJson("GET", "/celebrities/_doc/bad")).body.found).toBe(false);
    });
  });

  describe("bulk", () => {
    it("mixed actions: per-item results and statuses, errors flag, items aligned with actions", async () => {
      const { body } = await client.bulk({
        body: [
          { index: { _index: "bulk", _id: "CELEB#042|SOURCE#tmdb" } },
          { name: "Ava Quill", source: "tmdb", weight: 71.5 },
          { create: { _index: "bulk", _id: "CELEB#042|SOURCE#tmdb" } },
          { name: "dup" },
          { update: { _index: "bulk", _id: "CELEB#043|SOURCE#news", retry_on_conflict: 3 } },
          { doc: { sentiment: "positive" }, doc_as_upsert: true },
          { update: { _index: "bulk", _id: "missing" } },
          { doc: { a: 1 } },
          { delete: { _index: "bulk", _id: "CELEB#044|SOURCE#social" } },
          { delete: { _index: "bulk", _id: "CELEB#042|SOURCE#tmdb" } },
        ],
      });
      expect(body.errors).toBe(true);
      expect(
        body.items.map((i: Record<string, any>) => [Object.keys(i)[0], Object.values(i)[0].status]),
      ).toEqual([
        ["index", 201],
        ["create", 409],
        ["update", 201],
        ["update", 404],
        ["delete", 404],
        ["delete", 200],
      ]);
      expect(body.items[0].index).toEqual({
        _index: "bulk",
        _id: "CELEB#042|SOURCE#tmdb",
        _version: 1,
        result: "created",
        _shards: { total: 2, successful: 1, failed: 0 },
        _seq_no: 0,
        _primary_term: 1,
        status: 201,
      });
      expect(body.items[1].create.error.type).toBe("version_conflict_engine_exception");
      expect(body.items[2].update.result).toBe("created");
      expect(body.items[3].update.error.type).toBe("document_missing_exception");
      expect(body.items[4].delete).toMatchObject({ result: "not_found", status: 404 });
      expect(body.items[4].delete.error).toBeUndefined();
      expect(body.items[5].delete).toMatchObject({ result: "deleted", _version: 2 });
    });

    it("only deletes of missing documents: errors stays false", async () => {
      const { body } = await client.bulk({
        index: "bulk",
        body: [{ delete: { _id: "ghost-1" } }, { delete: { _id: "ghost-2" } }],
      });
      expect(body.errors).toBe(false);
      expect(body.items.map((i: any) => i.delete.result)).toEqual(["not_found", "not_found"]);
    });

    it("a bad source line fails only its item; refresh=true makes the batch countable at once", async () => {
      const ndjson =
        '{"index":{"_id":"a"}}\n{"name":"A"}\n{"index":{"_id":"b"}}\n{broken\n{"index":{"_id":"c"}}\n{"name":"C"}\n';
      const { status, body } = await rawJson(
        "POST",
        "/bulk-refresh/_bulk?refresh=true",
        ndjson,
        "application/x-ndjson",
      );
      expect(status).toBe(200);
      expect(body.errors).toBe(true);
      expect(body.items[1].index.status).toBe(400);
      expect(body.items[1].index.error.type).toBe("mapper_parsing_exception");
      expect((await client.count({ index: "bulk-refresh" })).body.count).toBe(2);
    });

    it("the body must end with a newline; malformed action lines fail the whole request", async () => {
      const noNewline = await rawJson(
        "POST",
        "/_bulk",
        '{"index":{"_index":"x","_id":"1"}}\n{"a":1}',
        "application/x-ndjson",
      );
      expect(noNewline.status).toBe(400);
      expect(noNewline.body.error).toMatchObject({
        type: "illegal_argument_exception",
        reason: "The bulk request must be terminated by a newline [\\n]",
      });
      const unknownAction = await rawJson(
        "POST",
        "/_bulk",
        '{"upsert":{"_index":"x","_id":"1"}}\n{"a":1}\n',
        "application/x-ndjson",
      );
      expect(unknownAction.status).toBe(400);
      expect(unknownAction.body.error.reason).toMatch(
        /expected field \[create\], \[delete\], \[index\] or \[update\]/,
      );
      const noIndex = await rawJson(
        "POST",
        "/_bulk",
        '{"index":{"_id":"1"}}\n{"a":1}\n',
        "application/x-ndjson",
      );
      expect(noIndex.body.error).toMatchObject({
        type: "action_request_validation_exception",
        reason: "Validation Failed: 1: index is missing;",
      });
    });
  });

  describe("search and count", () => {
    beforeAll(async () => {
      await client.indices.create({
        index: "people",
        body: { settings: { number_of_replicas: 0 }, mappings: MAPPINGS },
      });
      const now = clock.now();
      const docs = [
        {
          id: "1",
          name: "Ava Quill",
          source: "tmdb",
          weight: 71.5,
          sentiment: "positive",
          timestamp: new Date(now - 3600_000).toISOString(),
        },
        {
          id: "2",
          name: "Bo Reyes",
          source: "news",
          weight: 40,
          sentiment: "neutral",
          timestamp: new Date(now - 3 * 86_400_000).toISOString(),
        },
        {
          id: "3",
          name: "Ava Stone",
          source: "news",
          weight: 90,
          sentiment: "negative",
          timestamp: new Date(now).toISOString(),
        },
        { id: "4", name: "Cy Lee", source: "social", timestamp: new Date(now).toISOString() },
      ];
      await client.bulk({
        index: "people",
        refresh: true,
        body: docs.flatMap(({ id, ...doc }) => [{ index: { _id: id } }, doc]),
      });
    });

    const ids = async (body: Record<string, unknown>) =>
      (await client.search({ index: "people", body })).body.hits.hits.map((h: { _id: string }) => h._id);

    it("match (or / and), match_phrase, term on keyword vs text, terms", async () => {
      expect(await ids({ query: { match: { name: "ava" } }, sort: ["_doc"] })).toEqual(["1", "3"]);
      expect(await ids({ query: { match: { name: { query: "ava stone", operator: "and" } } } })).toEqual([
        "3",
      ]);
      expect(await ids({ query: { match_phrase: { name: "quill ava" } } })).toEqual([]);
      expect(await ids({ query: { term: { source: "news" } }, sort: ["_doc"] })).toEqual(["2", "3"]);
      expect(await ids({ query: { term: { "name.keyword": "Ava Quill" } } })).toEqual(["1"]);
      expect(await ids({ query: { term: { name: "Ava Quill" } } })).toEqual([]);
      expect(await ids({ query: { terms: { source: ["tmdb", "social"] } }, sort: ["_doc"] })).toEqual([
        "1",
        "4",
      ]);
    });

    it("range on numbers and dates (with date math), exists, bool must/filter/should/must_not", async () => {
      expect(await ids({ query: { range: { weight: { gte: 50 } } }, sort: ["_doc"] })).toEqual(["1", "3"]);
      expect(await ids({ query: { range: { timestamp: { gte: "now-1d" } } }, sort: ["_doc"] })).toEqual([
        "1",
        "3",
        "4",
      ]);
      expect(await ids({ query: { bool: { must_not: [{ exists: { field: "weight" } }] } } })).toEqual(["4"]);
      expect(
        await ids({
          query: {
            bool: {
              must: [{ match: { name: "ava" } }],
              filter: [{ term: { source: "news" } }],
              must_not: [{ term: { sentiment: "positive" } }],
            },
          },
        }),
      ).toEqual(["3"]);
      expect(
        await ids({
          query: { bool: { should: [{ term: { source: "tmdb" } }, { term: { source: "social" } }] } },
          sort: ["_doc"],
        }),
      ).toEqual(["1", "4"]);
    });

    it("sort, from/size, track_total_hits and _source filtering", async () => {
      const { body } = await client.search({
        index: "people",
        body: {
          query: { match_all: {} },
          sort: [{ weight: { order: "desc" } }],
          size: 2,
          from: 0,
          _source: ["name"],
        },
      });
      expect(body.hits.total).toEqual({ value: 4, relation: "eq" });
      expect(body.hits.max_score).toBeNull();
      expect(body.hits.hits).toEqual([
        { _index: "people", _id: "3", _score: null, _source: { name: "Ava Stone" }, sort: [90] },
        { _index: "people", _id: "1", _score: null, _source: { name: "Ava Quill" }, sort: [71.5] },
      ]);
      const next = await ids({ query: { match_all: {} }, sort: [{ weight: "desc" }], size: 2, from: 2 });
      expect(next).toEqual(["2", "4"]);
      const capped = await client.search({ index: "people", body: { track_total_hits: 2 } });
      expect(capped.body.hits.total).toEqual({ value: 2, relation: "gte" });
      const exact = await client.search({ index: "people", body: { track_total_hits: true, size: 0 } });
      expect(exact.body.hits.total).toEqual({ value: 4, relation: "eq" });
      expect(exact.body.hits.hits).toEqual([]);
    });

    it("count with a query", async () => {
      expect(
        (await client.count({ index: "people", body: { query: { term: { source: "news" } } } })).body,
      ).toEqual({
        count: 2,
        _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
      });
    });

    it("sorting on a text field, an unknown query and a missing index are 400/404 with OpenSearch's types", async () => {
      const textSort = await failure(client.search({ index: "people", body: { sort: ["name"] } }));
      expect(textSort.status).toBe(400);
      expect(textSort.body.error.reason).toMatch(/^Text fields are not optimised/);
      const unknown = await failure(client.search({ index: "people", body: { query: { fuzzy_magic: {} } } }));
      expect(unknown.body.error).toMatchObject({
        type: "parsing_exception",
        reason: "unknown query [fuzzy_magic]",
      });
      const missing = await failure(client.search({ index: "nope", body: {} }));
      expect(missing.status).toBe(404);
      expect(missing.body.error.type).toBe("index_not_found_exception");
    });
  });

  describe("fault injection side door", () => {
    const faults = (method: string, body?: unknown) =>
      fetch(`${emulator.url}/_emulator/opensearch/faults`, {
        method,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

    it("bulk-items: the next N items fail with 429 rejected_execution_exception, the rest succeed", async () => {
      const rule = await faults("POST", { status: 429, count: 2, scope: "bulk-items", index: "faulty" });
      expect(rule.status).toBe(200);
      const { body } = await client.bulk({
        index: "faulty",
        body: [1, 2, 3].flatMap((n) => [{ index: { _id: String(n) } }, { n }]),
      });
      expect(body.errors).toBe(true);
      expect(body.items.map((i: any) => i.index.status)).toEqual([429, 429, 201]);
      expect(body.items[0].index.error.type).toBe("rejected_execution_exception");
      expect((await rawJson("GET", "/faulty/_doc/1")).body.found).toBe(false);
      expect((await faults("GET")).body.rules[0]).toMatchObject({ injected: 2, remaining: 0 });
      await faults("DELETE");
    });

    it("bulk-items with a docId: only that document's item fails (503 unavailable_shards_exception)", async () => {
      await faults("POST", { status: 503, count: 1, scope: "bulk-items", docId: "CELEB#043|SOURCE#news" });
      const { body } = await client.bulk({
        index: "faulty-id",
        body: ["CELEB#042|SOURCE#tmdb", "CELEB#043|SOURCE#news"].flatMap((id) => [
          { index: { _id: id } },
          { id },
        ]),
      });
      expect(body.items.map((i: any) => i.index.status)).toEqual([201, 503]);
      expect(body.items[1].index.error.type).toBe("unavailable_shards_exception");
      const wrongScope = await faults("POST", { status: 503, count: 1, scope: "request", docId: "x" });
      expect(wrongScope.status).toBe(400);
      await faults("DELETE");
    });

    it("request scope: a 503 for the whole request; the client's own retry then succeeds", async () => {
      await faults("POST", { status: 503, count: 1, scope: "request", operation: "bulk" });
      const direct = await rawJson(
        "POST",
        "/_bulk",
        '{"index":{"_index":"faulty","_id":"9"}}\n{"n":9}\n',
        "application/x-ndjson",
      );
      expect(direct.status).toBe(503);
      expect(direct.body.error.type).toBe("unavailable_shards_exception");
      await faults("POST", { status: 503, count: 1, scope: "request", operation: "bulk" });
      const retrying: any = new Client({ node: base, maxRetries: 1 });
      const { body } = await retrying.bulk({ index: "faulty", body: [{ index: { _id: "10" } }, { n: 10 }] });
      expect(body.errors).toBe(false);
      await retrying.close();
      expect((await faults("DELETE")).body.cleared).toBe(2);
    });

    it("rate rules are reproducible with a seed; invalid rules are refused with the fix named", async () => {
      const bad = await faults("POST", { status: 418, count: 1 });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatch(/status must be one of 429, 500, 503/);
      const run = async () => {
        await faults("POST", { status: 429, rate: 0.5, seed: 7, scope: "bulk-items", index: "rated" });
        const { body } = await client.bulk({
          index: "rated",
          body: [...Array(10).keys()].flatMap((n) => [{ index: { _id: String(n) } }, { n }]),
        });
        await faults("DELETE");
        return body.items.map((i: any) => i.index.status === 429);
      };
      const first = await run();
      expect(first.some(Boolean)).toBe(true);
      expect(first.every(Boolean)).toBe(false);
      expect(await run()).toEqual(first);
    });
  });
});

describe("emulator: OpenSearch persistence", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("indices, mappings and acknowledged documents survive kill -9, and are searchable after restart", async () => {
    const persistDir = mkdtempSync(join(tmpdir(), "os-persist-"));
    dirs.push(persistDir);
    const proc = await startEmulatorProcess({ persistDir, services: ["opensearch"] });
    const a: any = new Client({ node: `${proc.url}/opensearch/us-east-1/celebrities`, maxRetries: 0 });
    await a.indices.create({
      index: "celebrities",
      body: { settings: { number_of_replicas: 0 }, mappings: MAPPINGS },
    });
    await a.bulk({
      index: "celebrities",
      body: [1, 2, 3].flatMap((n) => [
        { index: { _id: `CELEB#00${n}|SOURCE#tmdb` } },
        { name: `Person ${n}`, weight: n },
      ]),
    });
    await a.delete({ index: "celebrities", id: "CELEB#002|SOURCE#tmdb" });
    await a.update({
      index: "celebrities",
      id: "CELEB#003|SOURCE#tmdb",
      body: { doc: { sentiment: "positive" } },
    });
    await a.close();
    await proc.kill9();

    for (let round = 0; round < 2; round++) {
      const revived = await createEmulator({ services: ["opensearch"], persistDir });
      const b: any = new Client({ node: `${revived.url}/opensearch/us-east-1/celebrities`, maxRetries: 0 });
      expect((await b.count({ index: "celebrities" })).body.count).toBe(2);
      const doc = await b.get({ index: "celebrities", id: "CELEB#003|SOURCE#tmdb" });
      expect(doc.body).toMatchObject({
        _version: 2,
        _source: { name: "Person 3", weight: 3, sentiment: "positive" },
      });
      const mapping = await b.indices.getMapping({ index: "celebrities" });
      expect(mapping.body.celebrities.mappings.properties.weight).toEqual({ type: "float" });
      const hits = await b.search({
        index: "celebrities",
        body: { query: { term: { sentiment: "positive" } } },
      });
      expect(hits.body.hits.hits.map((h: { _id: string }) => h._id)).toEqual(["CELEB#003|SOURCE#tmdb"]);
      await b.close();
      await revived.stop();
    }
  });
});

describe.skipIf(!awsCliAvailable)("emulator: OpenSearch Service control plane through the AWS CLI", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await createEmulator({ services: ["opensearch"] });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it("create-domain returns a ready domain whose Endpoint is the path-style data plane; the client works there", async () => {
    const created = await awsCliJson<{ DomainStatus: Record<string, any> }>(emulator.url, [
      "opensearch",
      "create-domain",
      "--domain-name",
      "celebrities",
      "--engine-version",
      "OpenSearch_2.19",
    ]);
    const host = emulator.url.replace("http://", "");
    expect(created.DomainStatus).toMatchObject({
      DomainName: "celebrities",
      ARN: "arn:aws:es:us-east-1:000000000000:domain/celebrities",
      Processing: false,
      Endpoint: `${host}/opensearch/us-east-1/celebrities`,
      EngineVersion: "OpenSearch_2.19",
    });
    const described = await awsCliJson<{ DomainStatus: Record<string, any> }>(emulator.url, [
      "opensearch",
      "describe-domain",
      "--domain-name",
      "celebrities",
    ]);
    const client: any = new Client({ node: `http://${described.DomainStatus.Endpoint}`, maxRetries: 0 });
    await client.index({ index: "celebrities", id: "1", body: { name: "Ava" }, refresh: true });
    expect((await client.count({ index: "celebrities" })).body.count).toBe(1);
    await client.close();

    const listed = await awsCliJson<{ DomainNames: unknown[] }>(emulator.url, [
      "opensearch",
      "list-domain-names",
    ]);
    expect(listed.DomainNames).toEqual([{ DomainName: "celebrities", EngineType: "OpenSearch" }]);
    const dup = await awsCli(emulator.url, ["opensearch", "create-domain", "--domain-name", "celebrities"]);
    expect(dup.stderr).toMatch(/ResourceAlreadyExistsException/);
  });

  it("delete-domain removes the domain and its data; describing it then is ResourceNotFoundException", async () => {
    await awsCliJson(emulator.url, ["opensearch", "create-domain", "--domain-name", "short-lived"]);
    const client: any = new Client({
      node: `${emulator.url}/opensearch/us-east-1/short-lived`,
      maxRetries: 0,
    });
    await client.indices.create({ index: "data" });
    await awsCliJson(emulator.url, ["opensearch", "delete-domain", "--domain-name", "short-lived"]);
    expect((await client.indices.exists({ index: "data" })).body).toBe(false);
    await client.close();
    const gone = await awsCli(emulator.url, [
      "opensearch",
      "describe-domain",
      "--domain-name",
      "short-lived",
    ]);
    expect(gone.exitCode).not.toBe(0);
    expect(gone.stderr).toMatch(/ResourceNotFoundException/);
  });
});
