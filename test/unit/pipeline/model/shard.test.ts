import { describe, expect, it } from "vitest";
import {
  MAX_SHARD_PEOPLE,
  ShardDecodeError,
  cutShards,
  decodeShard,
  encodeShard,
  generateRoster,
  isShardBody,
  shardMessageAttributes,
} from "../../../../src/pipeline/model/index.js";
import type { RosterEntry, ScrapeShard } from "../../../../src/pipeline/model/index.js";

const ADDED = "2026-01-04T10:00:00.000Z";

function entries(count: number): RosterEntry[] {
  return generateRoster(count, { sourceIds: true }).map((celebrity) => ({
    ...celebrity,
    active: true,
    addedAt: ADDED,
    updatedAt: ADDED,
  }));
}

const plannedAt = new Date("2026-01-04T02:00:00.000Z");

function oneShard(overrides: Partial<ScrapeShard> = {}): ScrapeShard {
  const [shard] = cutShards({ runId: "run-1", source: "news", plannedAt, shardSize: 25 }, entries(3));
  return { ...shard!, ...overrides };
}

describe("cutShards", () => {
  it("puts every person in exactly one shard, in roster order, numbered 0..shards-1", () => {
    const people = entries(1001);
    const shards = cutShards({ runId: "run-1", source: "tmdb", plannedAt, shardSize: 25 }, people);
    expect(shards).toHaveLength(41);
    expect(shards.map((s) => s.shard)).toStrictEqual(Array.from({ length: 41 }, (_, i) => i));
    expect(new Set(shards.map((s) => s.shards))).toStrictEqual(new Set([41]));
    expect(shards.flatMap((s) => s.people)).toStrictEqual(people);
    expect(shards.map((s) => s.people.length).slice(-2)).toStrictEqual([25, 1]);
    expect(shards[0]).toMatchObject({
      kind: "scrape-shard",
      version: 1,
      runId: "run-1",
      source: "tmdb",
      plannedAt: "2026-01-04T02:00:00.000Z",
    });
  });

  it("cuts one person and a shard of the largest size the same way", () => {
    expect(cutShards({ runId: "r", source: "social", plannedAt, shardSize: 1 }, entries(1))).toHaveLength(1);
    const full = cutShards(
      { runId: "r", source: "social", plannedAt, shardSize: MAX_SHARD_PEOPLE },
      entries(400),
    );
    expect(full.map((s) => s.people.length)).toStrictEqual([200, 200]);
    expect(cutShards({ runId: "r", source: "social", plannedAt, shardSize: 25 }, [])).toStrictEqual([]);
  });

  it("refuses a shard size outside 1..200", () => {
    for (const shardSize of [0, 201, 2.5]) {
      expect(() => cutShards({ runId: "r", source: "tmdb", plannedAt, shardSize }, entries(2))).toThrow(
        /shardSize must be an integer from 1 to 200/,
      );
    }
  });
});

describe("encodeShard / decodeShard", () => {
  it("round-trips a shard, whole roster entries included", () => {
    const shard = oneShard();
    const body = encodeShard(shard);
    expect(JSON.parse(body)).toStrictEqual(shard);
    expect(decodeShard(body)).toStrictEqual(shard);
    expect(isShardBody(body)).toBe(true);
    expect(decodeShard(body).people[0]).toMatchObject({
      id: "001",
      tmdbId: 5_000_000,
      handle: expect.stringMatching(/\.bsky\.social$/),
      active: true,
      addedAt: ADDED,
    });
  });

  it("keeps a shard of 200 people with the longest fields within SQS's 256 KiB message", () => {
    const long: RosterEntry[] = entries(MAX_SHARD_PEOPLE).map((person) => ({
      ...person,
      name: "N".repeat(200),
      city: "C".repeat(100),
      wikipediaTitle: "W".repeat(255),
      newsQuery: "Q".repeat(250),
    }));
    const [shard] = cutShards({ runId: "r".repeat(128), source: "news", plannedAt, shardSize: 200 }, long);
    expect(Buffer.byteLength(encodeShard(shard!))).toBeLessThan(256 * 1024);
  });

  it.each([
    ["not JSON", "{oops", /not JSON/],
    [
      "another kind of message",
      JSON.stringify({ version: "0", "detail-type": "Scheduled Event" }),
      /not a scrape-shard message/,
    ],
    ["an EventBridge event", JSON.stringify({ id: "e", source: "aws.events" }), /not a scrape-shard message/],
    ["a JSON array", "[]", /not a scrape-shard message/],
  ])("refuses %s with ShardDecodeError", (_what, body, message) => {
    expect(() => decodeShard(body)).toThrow(ShardDecodeError);
    expect(() => decodeShard(body)).toThrow(message);
    expect(isShardBody(body)).toBe(false);
  });

  it.each([
    ["a newer version", { version: 2 }, /version/],
    ["an unknown source", { source: "myspace" }, /source/],
    ["an index past the count", { shard: 3, shards: 3 }, /shard must be below shards/],
    ["a negative index", { shard: -1 }, /shard/],
    ["no people", { people: [] }, /people/],
    ["a bad run id", { runId: "has space" }, /runId/],
    ["a bad plannedAt", { plannedAt: "yesterday" }, /plannedAt/],
    ["an unknown field", { extra: 1 }, /extra|Unrecognized/],
  ])("refuses a shard with %s, naming the field", (_what, change, message) => {
    const body = JSON.stringify({ ...oneShard(), ...change });
    expect(() => decodeShard(body)).toThrow(ShardDecodeError);
    expect(() => decodeShard(body)).toThrow(message);
  });

  it("refuses a person without the roster fields a worker needs", () => {
    const shard = oneShard();
    const { city: _city, ...person } = shard.people[0]!;
    const body = JSON.stringify({ ...shard, people: [person] });
    expect(() => decodeShard(body)).toThrow(/people\.0\.city/);
  });

  it("encodeShard refuses to send what decodeShard would refuse", () => {
    expect(() => encodeShard(oneShard({ shard: 5, shards: 2 }))).toThrow(ShardDecodeError);
  });

  it("names run, source and shard in String message attributes", () => {
    expect(shardMessageAttributes(oneShard({ shard: 0 }))).toStrictEqual({
      runId: { DataType: "String", StringValue: "run-1" },
      source: { DataType: "String", StringValue: "news" },
      shard: { DataType: "String", StringValue: "0" },
    });
  });
});
