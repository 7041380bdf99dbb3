import { describe, expect, it } from "vitest";
import {
  PermanentError,
  RetryableError,
  cutShards,
  demoRoster,
  rosterHash,
} from "../../../../src/pipeline/model/index.js";
import type {
  Celebrity,
  CelebrityItem,
  NewsData,
  RosterEntry,
  RunRecord,
  ScrapeShard,
  ShardRecord,
  SourceName,
} from "../../../../src/pipeline/model/index.js";
import { VirtualClock } from "../../../../src/pipeline/sources/index.js";
import type { SourceClient } from "../../../../src/pipeline/sources/index.js";
import { RosterChangedError, planRun } from "../../../../src/pipeline/stages/plan-run.js";
import type { RunTable } from "../../../../src/pipeline/stages/run-table.js";
import { summariseRun } from "../../../../src/pipeline/stages/run-progress.js";
import { scrapeShard } from "../../../../src/pipeline/stages/scrape-shard.js";
import type { ScrapeLogger, ScrapeTable } from "../../../../src/pipeline/stages/scrape.js";

const DEMO_ROSTER = demoRoster();
const ADDED = "2026-01-04T10:00:00.000Z";
const entriesOf = (people: readonly Celebrity[]): RosterEntry[] =>
  people.map((person) => ({ ...person, active: true, addedAt: ADDED, updatedAt: ADDED }));
const rosterOfSize = (size: number) => entriesOf(DEMO_ROSTER.slice(0, size));

/** A table in memory with the same put-if-hash-changed rule as the DynamoDB one. */
class MemoryTable implements ScrapeTable {
  readonly items = new Map<string, CelebrityItem>();
  puts = 0;

  async putIfChanged(item: CelebrityItem) {
    const key = `${item.pk}|${item.sk}`;
    if (this.items.get(key)?.contentHash === item.contentHash) return "unchanged" as const;
    this.items.set(key, item);
    this.puts += 1;
    return "written" as const;
  }
}

/** Run and shard records in memory, with the DynamoDB port's conditions. */
class MemoryRuns implements RunTable {
  readonly records = new Map<string, RunRecord | ShardRecord>();
  shardWrites = 0;

  async getRun(runId: string, source: SourceName) {
    return this.records.get(`RUN#${runId}|SOURCE#${source}`) as RunRecord | undefined;
  }
  async putRunPlanning(record: RunRecord) {
    const key = `${record.pk}|${record.sk}`;
    if ((this.records.get(key) as RunRecord | undefined)?.status === "planned")
      return "planned-already" as const;
    this.records.set(key, record);
    return "stored" as const;
  }
  async markPlanned(runId: string, source: SourceName, sentAt: Date) {
    const record = (await this.getRun(runId, source))!;
    this.records.set(`${record.pk}|${record.sk}`, {
      ...record,
      status: "planned",
      sentAt: sentAt.toISOString(),
    });
  }
  async getShard(runId: string, source: SourceName, shard: number) {
    return [...this.records.values()].find(
      (r): r is ShardRecord =>
        r.recordType === "shard" && r.runId === runId && r.source === source && r.shard === shard,
    );
  }
  async putShard(record: ShardRecord) {
    const key = `${record.pk}|${record.sk}`;
    if ((this.records.get(key) as ShardRecord | undefined)?.status === "done") return "done-already" as const;
    this.records.set(key, record);
    this.shardWrites += 1;
    return "stored" as const;
  }
  progress(runId: string) {
    return summariseRun(runId, [...this.records.values()] as unknown as Record<string, unknown>[]);
  }
}

interface LogLine {
  level: string;
  message: string;
  extra: Record<string, unknown>;
}

function memoryLogger(): ScrapeLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: string) =>
    (message: string, ...extra: unknown[]) => {
      lines.push({
        level,
        message,
        extra: Object.assign({}, ...(extra as object[])) as Record<string, unknown>,
      });
    };
  return {
    lines,
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
  } as ScrapeLogger & {
    lines: LogLine[];
  };
}

type Behaviour = (celebrity: Celebrity) => NewsData | Error;

/** A news client whose answer per celebrity is a function of the celebrity (and a data version). */
function newsClient(
  behaviour: Behaviour = (c) => newsData(c),
): SourceClient<"news"> & { maxInFlight: number } {
  let inFlight = 0;
  const client = {
    source: "news" as const,
    maxInFlight: 0,
    async fetch(celebrity: Celebrity) {
      inFlight += 1;
      client.maxInFlight = Math.max(client.maxInFlight, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      const answer = behaviour(celebrity);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return client;
}

function newsData(celebrity: Celebrity, version = 0): NewsData {
  return { source: "news", articleCount: 10 + version, headlines: [`${celebrity.name} opens a festival`] };
}

function deps(client: SourceClient<"news">, table: MemoryTable, runs = new MemoryRuns()) {
  return {
    source: "news" as const,
    client,
    table,
    runs,
    clock: new VirtualClock(),
    logger: memoryLogger(),
  };
}

const plannedAt = new Date("2026-01-04T02:00:00.000Z");

/** One shard of `size` people (the run's only one). */
function shardOf(runId: string, size = 20, people: RosterEntry[] = rosterOfSize(size)): ScrapeShard {
  return cutShards({ runId, source: "news", plannedAt, shardSize: 200 }, people)[0]!;
}

const FIRST = { receiveCount: 1, maxReceiveCount: 5 };
const LAST = { receiveCount: 5, maxReceiveCount: 5 };

describe("scrapeShard: a worker's shard", () => {
  it("writes every person of the shard with GSI keys and one done shard record", async () => {
    // Prepare
    const table = new MemoryTable();
    const d = deps(newsClient(), table);

    // Act
    const result = await scrapeShard(shardOf("run-1"), FIRST, d);

    // Assess
    expect(result.outcome).toBe("done");
    expect(result.record?.counts).toStrictEqual({ fetched: 20, written: 20, unchanged: 0, failed: 0 });
    expect(table.items.size).toBe(20);
    expect(table.items.get("CELEB#001|SOURCE#news")).toMatchObject({
      gsi1pk: expect.stringMatching(/^CATEGORY#/),
      gsi2pk: expect.stringMatching(/^SOCIAL#/),
    });
    expect(result.record).toMatchObject({
      pk: "RUN#run-1",
      sk: "SOURCE#news#SHARD#000000",
      recordType: "shard",
      status: "done",
      people: 20,
      receives: 1,
      notAttempted: 0,
    });
  });

  it("a re-run with unchanged data writes nothing; changed data is written", async () => {
    // Prepare
    const table = new MemoryTable();
    await scrapeShard(shardOf("run-1"), FIRST, deps(newsClient(), table));
    const putsAfterFirst = table.puts;

    // Act
    const unchanged = await scrapeShard(shardOf("run-2"), FIRST, deps(newsClient(), table));
    const changed = await scrapeShard(
      shardOf("run-3"),
      FIRST,
      deps(
        newsClient((c) => newsData(c, c.id === "004" ? 1 : 0)),
        table,
      ),
    );

    // Assess
    expect(unchanged.record?.counts).toStrictEqual({ fetched: 20, written: 0, unchanged: 20, failed: 0 });
    expect(changed.record?.counts).toStrictEqual({ fetched: 20, written: 1, unchanged: 19, failed: 0 });
    expect(table.puts - putsAfterFirst).toBe(1);
  });

  it("a permanent error is logged with the celebrity, counted, and the shard goes on", async () => {
    // Prepare
    const table = new MemoryTable();
    const client = newsClient((c) =>
      c.id === "007"
        ? new PermanentError("news GET /api/v2/doc/doc: response is not valid JSON", { celebrityId: c.id })
        : newsData(c),
    );
    const d = deps(client, table);

    // Act
    const result = await scrapeShard(shardOf("run-p"), FIRST, d);

    // Assess
    expect(result.outcome).toBe("done");
    expect(result.record?.counts).toStrictEqual({ fetched: 19, written: 19, unchanged: 0, failed: 1 });
    expect(result.record?.failures).toStrictEqual([
      { celebrityId: "007", reason: "news GET /api/v2/doc/doc: response is not valid JSON" },
    ]);
    expect(d.logger.lines.find((l) => l.level === "warn")?.extra).toMatchObject({ celebrityId: "007" });
  });

  it("an incomplete item is a permanent failure and is not written", async () => {
    const table = new MemoryTable();
    const client = newsClient((c) =>
      c.id === "003" ? { source: "news", articleCount: 0, headlines: [] } : newsData(c),
    );
    const result = await scrapeShard(shardOf("run-i"), FIRST, deps(client, table));
    expect(result.record?.counts).toMatchObject({ fetched: 20, written: 19, failed: 1 });
    expect(result.record?.failures[0]?.reason).toMatch(/^incomplete news item: data carries no text/);
    expect(table.items.has("CELEB#003|SOURCE#news")).toBe(false);
  });

  it("a retryable error stops new work and records the shard as retrying, then failed on the last receive", async () => {
    // Prepare
    const failing = () =>
      newsClient((c) =>
        c.id === "005"
          ? new RetryableError("news GET /api/v2/doc/doc: HTTP 500 (gave up after 5 attempts)", {
              status: 500,
            })
          : newsData(c),
      );
    const runs = new MemoryRuns();
    const shard = shardOf("run-r", 50);

    // Act
    const first = await scrapeShard(shard, FIRST, {
      ...deps(failing(), new MemoryTable(), runs),
      concurrency: 2,
    });
    const afterFirst = runs.progress("run-r").get("news");
    const last = await scrapeShard(shard, LAST, {
      ...deps(failing(), new MemoryTable(), runs),
      concurrency: 2,
    });

    // Assess: retrying is pending; failed on the last receive is settled, with its people named.
    expect(first.outcome).toBe("retry");
    expect(first.record).toMatchObject({
      status: "retrying",
      receives: 1,
      error: expect.stringMatching(/HTTP 500/),
    });
    expect(first.record!.notAttempted).toBeGreaterThan(40);
    expect(first.record!.counts.written + first.record!.notAttempted).toBe(49);
    expect(afterFirst).toMatchObject({ retrying: 1, pending: 1, failed: 0, complete: false });
    expect(last.outcome).toBe("failed");
    expect(last.record).toMatchObject({ status: "failed", receives: 5 });
    expect(runs.progress("run-r").get("news")).toMatchObject({
      failed: 1,
      failedShards: [0],
      peopleInFailedShards: 50,
      pending: 0,
    });
  });

  it("shouldStop ends the shard early (Lambda's timeout near): retried with what it did recorded", async () => {
    let asked = 0;
    const shouldStop = () => (++asked > 5 ? "stopped with 9000 ms of the function's time left" : undefined);
    const result = await scrapeShard(shardOf("run-t"), FIRST, {
      ...deps(newsClient(), new MemoryTable()),
      concurrency: 1,
      shouldStop,
    });
    expect(result.outcome).toBe("retry");
    expect(result.record).toMatchObject({
      status: "retrying",
      counts: { written: 5, failed: 0 },
      notAttempted: 15,
      error: "stopped with 9000 ms of the function's time left",
    });
  });

  it("a DynamoDB failure fails the shard like a retryable source error", async () => {
    const table = new MemoryTable();
    let calls = 0;
    table.putIfChanged = async () => {
      calls += 1;
      if (calls === 3)
        throw Object.assign(new Error("Throughput exceeds the current capacity"), {
          name: "ProvisionedThroughputExceededException",
        });
      return "written";
    };
    const result = await scrapeShard(shardOf("run-d"), FIRST, {
      ...deps(newsClient(), table),
      concurrency: 1,
    });
    expect(result.outcome).toBe("retry");
    expect(result.record).toMatchObject({ counts: { fetched: 3, written: 2, failed: 0 }, notAttempted: 17 });
  });

  it("a retried shard counts what its earlier attempt wrote as written, once", async () => {
    // Prepare: the first attempt writes some people, then person 010 fails retryably.
    const runs = new MemoryRuns();
    const table = new MemoryTable();
    const shard = shardOf("run-retried");
    let failing = true;
    const client = newsClient((c) =>
      failing && c.id === "010" ? new RetryableError("HTTP 503", { status: 503 }) : newsData(c),
    );
    const first = await scrapeShard(shard, FIRST, { ...deps(client, table, runs), concurrency: 1 });
    expect(first.record).toMatchObject({ status: "retrying", counts: { written: 9 } });
    expect(first.record?.writtenIds).toHaveLength(9);

    // Act: the second receive, the source healthy again.
    failing = false;
    const second = await scrapeShard(
      shard,
      { receiveCount: 2, maxReceiveCount: 5 },
      deps(client, table, runs),
    );

    // Assess: 20 written by the run, none unchanged (the nine are unchanged only by its own writes).
    expect(second.record?.counts).toStrictEqual({ fetched: 20, written: 20, unchanged: 0, failed: 0 });
    expect(second.record?.writtenIds).toBeUndefined();
    expect(table.puts).toBe(20);
  });

  it("a shard delivered again after it was done is neither scraped nor counted again", async () => {
    // Prepare
    const runs = new MemoryRuns();
    const table = new MemoryTable();
    const shard = shardOf("run-twice");
    await scrapeShard(shard, FIRST, deps(newsClient(), table, runs));
    const client = newsClient();
    let fetches = 0;
    const counting = { ...client, fetch: async (c: Celebrity) => (fetches++, client.fetch(c)) };

    // Act
    const again = await scrapeShard(
      shard,
      { receiveCount: 2, maxReceiveCount: 5 },
      deps(counting, table, runs),
    );

    // Assess
    expect(again.outcome).toBe("done-already");
    expect(fetches).toBe(0);
    expect(runs.progress("run-twice").get("news")?.counts).toStrictEqual({
      fetched: 20,
      written: 20,
      unchanged: 0,
      failed: 0,
    });
  });

  it("two deliveries of one shard at once: the first done record stands, the second is dropped", async () => {
    const runs = new MemoryRuns();
    const table = new MemoryTable();
    const shard = shardOf("run-race");
    const [a, b] = await Promise.all([
      scrapeShard(shard, FIRST, deps(newsClient(), table, runs)),
      scrapeShard(shard, FIRST, deps(newsClient(), table, runs)),
    ]);
    expect([a.outcome, b.outcome].sort()).toStrictEqual(["done", "done-already"]);
    expect(runs.shardWrites).toBe(1);
    // The second delivery found every item unchanged: had it counted, the run would say 40 people.
    expect(runs.progress("run-race").get("news")?.counts.fetched).toBe(20);
  });

  it("never has more people in flight than the concurrency", async () => {
    const client = newsClient();
    await scrapeShard(shardOf("run-c", 100), FIRST, { ...deps(client, new MemoryTable()), concurrency: 4 });
    expect(client.maxInFlight).toBe(4);
  });

  it("refuses a concurrency below 1", async () => {
    await expect(
      scrapeShard(shardOf("run-x"), FIRST, { ...deps(newsClient(), new MemoryTable()), concurrency: 0 }),
    ).rejects.toThrow(/concurrency must be an integer >= 1/);
  });
});

describe("planRun: the rule-invoked scraper plans the run", () => {
  function planDeps(people: RosterEntry[], runs = new MemoryRuns()) {
    const sent: ScrapeShard[] = [];
    return {
      sent,
      runs,
      deps: {
        people,
        runs,
        sink: { send: async (shards: readonly ScrapeShard[]) => void sent.push(...shards) },
        clock: new VirtualClock(),
        logger: memoryLogger(),
      },
    };
  }
  const request = {
    runId: "run-plan",
    source: "news" as const,
    trigger: "manual" as const,
    eventId: "e-1",
    shardSize: 25,
  };

  it("cuts the people into shards, sends them all and records the run as planned with its shard count", async () => {
    const people = entriesOf(demoRoster()).concat(rosterOfSize(1).map((p) => ({ ...p, id: "zz-1" })));
    const { deps: d, sent, runs } = planDeps(people);
    const result = await planRun(request, d);
    expect(result.outcome).toBe("planned");
    expect(sent.map((s) => s.shard)).toStrictEqual([0, 1, 2, 3, 4]);
    expect(sent.flatMap((s) => s.people.map((p) => p.id))).toStrictEqual(people.map((p) => p.id));
    expect(await runs.getRun("run-plan", "news")).toMatchObject({
      status: "planned",
      shards: 5,
      shardSize: 25,
      rosterSize: 101,
      rosterHash: rosterHash(people),
      trigger: "manual",
      eventId: "e-1",
    });
    expect(runs.progress("run-plan").get("news")).toMatchObject({ shards: 5, pending: 5, complete: false });
  });

  it("a planned run is not sent again; one still planning (a failed first attempt) is sent again whole", async () => {
    const people = rosterOfSize(60);
    const runs = new MemoryRuns();
    const first = planDeps(people, runs);
    first.deps.sink.send = async () => {
      throw new Error("SQS unavailable");
    };
    await expect(planRun(request, first.deps)).rejects.toThrow(/SQS unavailable/);
    expect((await runs.getRun("run-plan", "news"))?.status).toBe("planning");

    const retry = planDeps(people, runs);
    expect((await planRun(request, retry.deps)).outcome).toBe("planned");
    expect(retry.sent).toHaveLength(3);

    const third = planDeps(people, runs);
    expect((await planRun(request, third.deps)).outcome).toBe("planned-already");
    expect(third.sent).toHaveLength(0);
  });

  it("refuses to re-send a half-planned run whose roster changed since", async () => {
    const runs = new MemoryRuns();
    const first = planDeps(rosterOfSize(30), runs);
    first.deps.sink.send = async () => {
      throw new Error("SQS unavailable");
    };
    await planRun(request, first.deps).catch(() => undefined);
    await expect(planRun(request, planDeps(rosterOfSize(31), runs).deps)).rejects.toThrow(RosterChangedError);
  });
});
