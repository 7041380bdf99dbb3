/* eslint-disable @typescript-eslint/no-explicit-any -- the tests check OpenSearch's wire shapes (including invalid requests the client's types forbid), so the client is used untyped. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@opensearch-project/opensearch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, ManualClock, type Emulator } from "../../../src/runtime/emulator/index.js";

/**
 * OpenSearch's versioning contract, written from OpenSearch's documentation and its request
 * validation (index/delete `version` + `version_type`, `_update` refusing versions, `if_seq_no` +
 * `if_primary_term`, tombstones kept for `index.gc_deletes`), checked through the official client.
 */

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

describe("emulator: OpenSearch document versioning", () => {
  let emulator: Emulator;
  let clock: ManualClock;
  let client: any;
  let base: string;
  let n = 0;
  /** A fresh index per test: versions and tombstones of one test never meet another's. */
  const fresh = () => `versions-${++n}`;

  beforeAll(async () => {
    clock = new ManualClock();
    emulator = await createEmulator({ services: ["opensearch"], clock });
    base = `${emulator.url}/opensearch/us-east-1/versioning`;
    client = new Client({ node: base, maxRetries: 0 });
  });
  afterAll(async () => {
    await client.close();
    await emulator.stop();
  });

  const raw = async (method: string, path: string, body?: string) => {
    const response = await fetch(`${base}${path}`, {
      method,
      ...(body !== undefined ? { body, headers: { "content-type": "application/x-ndjson" } } : {}),
    });
    return { status: response.status, text: await response.text() };
  };

  describe("external versions on index", () => {
    it("stores the caller's version; an equal or lower one is a 409 version_conflict_engine_exception", async () => {
      const index = fresh();
      const created = await client.index({
        index,
        id: "a",
        body: { n: 1 },
        version: 5,
        version_type: "external",
      });
      expect(created.statusCode).toBe(201);
      expect(created.body).toMatchObject({ _id: "a", _version: 5, result: "created", _primary_term: 1 });
      expect(typeof created.body._seq_no).toBe("number");

      for (const stale of [3, 5]) {
        const conflict = await failure(
          client.index({ index, id: "a", body: { n: 0 }, version: stale, version_type: "external" }),
        );
        expect(conflict.status).toBe(409);
        const uuid = (await client.indices.getSettings({ index })).body[index].settings.index.uuid;
        const cause = {
          type: "version_conflict_engine_exception",
          reason: `[a]: version conflict, current version [5] is higher or equal to the one provided [${stale}]`,
          index,
          shard: "0",
          index_uuid: uuid,
        };
        expect(conflict.body).toStrictEqual({ error: { root_cause: [cause], ...cause }, status: 409 });
      }

      const newer = await client.index({
        index,
        id: "a",
        body: { n: 2 },
        version: 6,
        version_type: "external",
      });
      expect(newer.statusCode).toBe(200);
      expect(newer.body).toMatchObject({ _version: 6, result: "updated" });
      expect((await client.get({ index, id: "a" })).body).toMatchObject({ _version: 6, _source: { n: 2 } });
    });

    it("external_gte accepts the same version and refuses a lower one", async () => {
      const index = fresh();
      await client.index({ index, id: "a", body: { n: 1 }, version: 7, version_type: "external_gte" });
      const same = await client.index({
        index,
        id: "a",
        body: { n: 2 },
        version: 7,
        version_type: "external_gte",
      });
      expect(same.body).toMatchObject({ _version: 7, result: "updated" });
      const lower = await failure(
        client.index({ index, id: "a", body: { n: 3 }, version: 6, version_type: "external_gte" }),
      );
      expect(lower.status).toBe(409);
      expect(lower.body.error.reason).toBe(
        "[a]: version conflict, current version [7] is higher than the one provided [6]",
      );
    });

    it("versions are Java longs: 2^63-1 is stored exactly, 2^63 is refused as an unparsable long", async () => {
      const index = fresh();
      const max = "9223372036854775807";
      const put = await raw("PUT", `/${index}/_doc/a?version=${max}&version_type=external`, '{"n":1}');
      expect(put.status).toBe(201);
      expect(put.text).toContain(`"_version":${max}`);
      const got = await raw("GET", `/${index}/_doc/a`);
      expect(got.text).toContain(`"_version":${max}`);

      const over = await failure(
        client.index({ index, id: "b", body: {}, version: "9223372036854775808", version_type: "external" }),
      );
      expect(over.status).toBe(400);
      expect(over.body.error).toMatchObject({
        type: "illegal_argument_exception",
        reason: "Failed to parse long parameter [version] with value [9223372036854775808]",
      });
    });

    it("request validation: OpenSearch's messages for versions it does not accept", async () => {
      const index = fresh();
      const cases: [Record<string, unknown>, string][] = [
        [{ version_type: "external" }, "illegal version value [-3] for version type [EXTERNAL]"],
        [{ version: -1, version_type: "external" }, "illegal version value [-1] for version type [EXTERNAL]"],
        [
          { version: 2 },
          "internal versioning can not be used for optimistic concurrency control. Please use `if_seq_no` and `if_primary_term` instead",
        ],
        [
          { op_type: "create", version: 2, version_type: "external" },
          "create operations only support internal versioning. use index instead",
        ],
        [
          { if_seq_no: 0, if_primary_term: 1, version: 2, version_type: "external" },
          "compare and write operations can not use versioning",
        ],
        [{ if_seq_no: 0 }, "ifSeqNo is set, but primary term is [0]"],
        [{ if_primary_term: 1 }, "ifSeqNo is unassigned, but primary term is [1]"],
      ];
      for (const [params, problem] of cases) {
        const refused = await failure(client.index({ index, id: "a", body: {}, ...params }));
        expect(refused.status, JSON.stringify(params)).toBe(400);
        expect(refused.body.error.type).toBe("action_request_validation_exception");
        expect(refused.body.error.reason).toContain(problem);
      }
      const badType = await failure(
        client.index({ index, id: "a", body: {}, version: 1, version_type: "newest" }),
      );
      expect(badType.status).toBe(400);
      expect(badType.body.error).toMatchObject({
        type: "illegal_argument_exception",
        reason: "No version type match [newest]",
      });
      // Nothing of the refused requests was written.
      expect((await failure(client.get({ index, id: "a" }))).status).toBe(404);
    });
  });

  describe("deletes and their tombstones", () => {
    it("a versioned delete leaves a tombstone: an older index after it loses until index.gc_deletes (60 s) passes", async () => {
      const index = fresh();
      await client.index({ index, id: "a", body: { n: 1 }, version: 5, version_type: "external" });
      const early = await failure(client.delete({ index, id: "a", version: 5, version_type: "external" }));
      expect(early.status).toBe(409);
      const deleted = await client.delete({ index, id: "a", version: 6, version_type: "external" });
      expect(deleted.body).toMatchObject({ _version: 6, result: "deleted" });

      // A late, older write (a replayed stream record, say) after the delete still loses.
      const late = await failure(
        client.index({ index, id: "a", body: { n: 0 }, version: 5, version_type: "external" }),
      );
      expect(late.status).toBe(409);
      expect(late.body.error.reason).toBe(
        "[a]: version conflict, current version [6] is higher or equal to the one provided [5]",
      );
      expect((await failure(client.get({ index, id: "a" }))).status).toBe(404);

      await clock.advance(59_999);
      expect(
        (await failure(client.index({ index, id: "a", body: {}, version: 5, version_type: "external" })))
          .status,
      ).toBe(409);
      await clock.advance(1);
      // The tombstone is gone: the id is unknown again, and any version is accepted.
      const after = await client.index({
        index,
        id: "a",
        body: { n: 5 },
        version: 5,
        version_type: "external",
      });
      expect(after.body).toMatchObject({ _version: 5, result: "created" });
    });

    it("a versioned delete of an absent id answers 404 not_found with that version, and remembers it", async () => {
      const index = fresh();
      await client.indices.create({ index });
      const missing = await failure(client.delete({ index, id: "a", version: 10, version_type: "external" }));
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ _id: "a", _version: 10, result: "not_found", _primary_term: 1 });
      expect(
        (await failure(client.index({ index, id: "a", body: {}, version: 9, version_type: "external" })))
          .status,
      ).toBe(409);
      const newer = await client.index({ index, id: "a", body: {}, version: 11, version_type: "external" });
      expect(newer.body).toMatchObject({ _version: 11, result: "created" });
    });

    it("index.gc_deletes is an index setting, set at creation or changed with PUT _settings", async () => {
      const index = fresh();
      await client.indices.create({ index, body: { settings: { index: { gc_deletes: "10s" } } } });
      expect((await client.indices.getSettings({ index })).body[index].settings.index.gc_deletes).toBe("10s");
      await client.indices.putSettings({ index, body: { index: { gc_deletes: "2s" } } });
      expect((await client.indices.getSettings({ index })).body[index].settings.index.gc_deletes).toBe("2s");
      await client.index({ index, id: "a", body: {}, version: 3, version_type: "external" });
      await client.delete({ index, id: "a", version: 4, version_type: "external" });
      await clock.advance(1_999);
      expect(
        (await failure(client.index({ index, id: "a", body: {}, version: 2, version_type: "external" })))
          .status,
      ).toBe(409);
      await clock.advance(1);
      expect(
        (await client.index({ index, id: "a", body: {}, version: 2, version_type: "external" })).statusCode,
      ).toBe(201);

      const staticSetting = await failure(
        client.indices.putSettings({ index, body: { index: { number_of_shards: 2 } } }),
      );
      expect(staticSetting.status).toBe(400);
      expect(staticSetting.body.error.reason).toMatch(
        /^Can't update non dynamic settings \[\[index\.number_of_shards\]\]/,
      );
    });

    it("internal versions count on across a delete within gc_deletes and restart at 1 after it", async () => {
      const index = fresh();
      await client.index({ index, id: "a", body: {} });
      await client.index({ index, id: "a", body: {} });
      expect((await client.delete({ index, id: "a" })).body._version).toBe(3);
      expect((await client.index({ index, id: "a", body: {} })).body._version).toBe(4);
      await client.delete({ index, id: "a" });
      await clock.advance(60_000);
      expect((await client.index({ index, id: "a", body: {} })).body).toMatchObject({
        _version: 1,
        result: "created",
      });
    });
  });

  describe("_update and compare-and-set", () => {
    it("_update refuses version and version_type, single and in _bulk", async () => {
      const index = fresh();
      await client.index({ index, id: "a", body: { n: 1 } });
      const single = await raw(
        "POST",
        `/${index}/_update/a?version=2&version_type=external`,
        '{"doc":{"n":2}}',
      );
      expect(single.status).toBe(400);
      expect(JSON.parse(single.text).error).toMatchObject({
        type: "action_request_validation_exception",
        reason:
          "Validation Failed: 1: internal versioning can not be used for optimistic concurrency control. Please use `if_seq_no` and `if_primary_term` instead;",
      });
      const bulk = await failure(
        client.bulk({
          body: [
            { update: { _index: index, _id: "a", version: 2, version_type: "external" } },
            { doc: { n: 2 } },
          ],
        }),
      );
      expect(bulk.status).toBe(400);
      expect(bulk.body.error).toMatchObject({
        type: "illegal_argument_exception",
        reason:
          "Update requests do not support versioning. Please use `if_seq_no` and `if_primary_term` instead",
      });
      expect((await client.get({ index, id: "a" })).body._source).toStrictEqual({ n: 1 });
    });

    it("if_seq_no + if_primary_term write only over the document they read", async () => {
      const index = fresh();
      const first = (await client.index({ index, id: "a", body: { n: 1 } })).body;
      const read = (await client.get({ index, id: "a" })).body;
      expect(read).toMatchObject({ _seq_no: first._seq_no, _primary_term: 1, _version: 1 });
      const ok = await client.index({
        index,
        id: "a",
        body: { n: 2 },
        if_seq_no: read._seq_no,
        if_primary_term: read._primary_term,
      });
      expect(ok.body).toMatchObject({ result: "updated", _version: 2 });
      const stale = await failure(
        client.index({ index, id: "a", body: { n: 3 }, if_seq_no: read._seq_no, if_primary_term: 1 }),
      );
      expect(stale.status).toBe(409);
      expect(stale.body.error.reason).toBe(
        `[a]: version conflict, required seqNo [${read._seq_no}], primary term [1]. current document has seqNo [${ok.body._seq_no}] and primary term [1]`,
      );
      const update = await failure(
        client.update({
          index,
          id: "a",
          body: { doc: { n: 4 } },
          if_seq_no: read._seq_no,
          if_primary_term: 1,
        }),
      );
      expect(update.status).toBe(409);
      expect((await client.get({ index, id: "a" })).body._source).toStrictEqual({ n: 2 });
    });
  });

  describe("_bulk", () => {
    it("each item is checked on its own: stale ones answer 409 with the error, the others apply", async () => {
      const index = fresh();
      await client.bulk({
        body: [
          { index: { _index: index, _id: "a", version: 10, version_type: "external" } },
          { n: 10 },
          { index: { _index: index, _id: "b", version: 10, version_type: "external" } },
          { n: 10 },
        ],
      });
      const { body } = await client.bulk({
        body: [
          { index: { _index: index, _id: "a", version: 9, version_type: "external" } },
          { n: 9 },
          { index: { _index: index, _id: "b", version: 11, version_type: "external" } },
          { n: 11 },
          { delete: { _index: index, _id: "a", version: 10, version_type: "external" } },
          { delete: { _index: index, _id: "c", version: 3, version_type: "external" } },
        ],
      });
      expect(body.errors).toBe(true);
      const [staleIndex, newer, staleDelete, absent] = body.items;
      expect(staleIndex.index).toMatchObject({
        _index: index,
        _id: "a",
        status: 409,
        error: {
          type: "version_conflict_engine_exception",
          reason: "[a]: version conflict, current version [10] is higher or equal to the one provided [9]",
          index,
          shard: "0",
        },
      });
      expect(newer.index).toMatchObject({
        _id: "b",
        status: 200,
        result: "updated",
        _version: 11,
        _primary_term: 1,
      });
      expect(typeof newer.index._seq_no).toBe("number");
      expect(staleDelete.delete).toMatchObject({ _id: "a", status: 409 });
      expect(absent.delete).toMatchObject({ _id: "c", status: 404, result: "not_found", _version: 3 });
      expect((await client.get({ index, id: "a" })).body).toMatchObject({ _version: 10, _source: { n: 10 } });
      expect((await client.get({ index, id: "b" })).body).toMatchObject({ _version: 11, _source: { n: 11 } });
    });

    it("a version in an action line is exact up to 2^63-1; an invalid item fails the whole request", async () => {
      const index = fresh();
      const max = "9223372036854775807";
      const ndjson = `{"index":{"_index":"${index}","_id":"a","version":${max},"version_type":"external"}}\n{"n":1}\n`;
      const ok = await raw("POST", "/_bulk", ndjson);
      expect(ok.status).toBe(200);
      expect(ok.text).toContain(`"_version":${max}`);

      const invalid = await failure(
        client.bulk({
          body: [
            { index: { _index: index, _id: "b" } },
            { n: 1 },
            { create: { _index: index, _id: "c", version: 1, version_type: "external" } },
            { n: 1 },
          ],
        }),
      );
      expect(invalid.status).toBe(400);
      expect(invalid.body.error).toMatchObject({
        type: "action_request_validation_exception",
        reason:
          "Validation Failed: 1: create operations only support internal versioning. use index instead;",
      });
      expect((await failure(client.get({ index, id: "b" }))).status).toBe(404);
    });
  });
});

describe("emulator: OpenSearch versions and tombstones across a restart", () => {
  it("a restarted emulator keeps external versions and live tombstones", async () => {
    const dir = mkdtempSync(join(tmpdir(), "os-versions-"));
    const clock = new ManualClock();
    try {
      let emulator = await createEmulator({ services: ["opensearch"], clock, persistDir: dir });
      let client: any = new Client({ node: `${emulator.url}/opensearch/us-east-1/persisted`, maxRetries: 0 });
      await client.index({ index: "docs", id: "a", body: { n: 1 }, version: 40, version_type: "external" });
      await client.index({ index: "docs", id: "gone", body: {}, version: 7, version_type: "external" });
      await client.delete({ index: "docs", id: "gone", version: 8, version_type: "external" });
      await client.close();
      await emulator.stop();

      emulator = await createEmulator({ services: ["opensearch"], clock, persistDir: dir });
      client = new Client({ node: `${emulator.url}/opensearch/us-east-1/persisted`, maxRetries: 0 });
      expect((await client.get({ index: "docs", id: "a" })).body._version).toBe(40);
      expect(
        (
          await failure(
            client.index({ index: "docs", id: "a", body: {}, version: 39, version_type: "external" }),
          )
        ).status,
      ).toBe(409);
      expect(
        (
          await failure(
            client.index({ index: "docs", id: "gone", body: {}, version: 7, version_type: "external" }),
          )
        ).status,
      ).toBe(409);
      await client.close();
      await emulator.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
