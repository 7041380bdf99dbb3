import { describe, expect, it } from "vitest";
import { demoRoster, PermanentError, RetryableError } from "../../../../src/pipeline/model/index.js";
import type { Celebrity, CelebrityItem, NewsData } from "../../../../src/pipeline/model/index.js";
import { VirtualClock } from "../../../../src/pipeline/sources/index.js";
import type { SourceClient } from "../../../../src/pipeline/sources/index.js";
import { ScrapeRunFailedError, scrape } from "../../../../src/pipeline/stages/scrape.js";
import type { ScrapeLogger, ScrapeRunRecord, ScrapeTable } from "../../../../src/pipeline/stages/scrape.js";

const DEMO_ROSTER = demoRoster();
const rosterOfSize = (size: number) => DEMO_ROSTER.slice(0, size);

/** A table in memory with the same put-if-hash-changed rule as the DynamoDB one. */
class MemoryTable implements ScrapeTable {
  readonly items = new Map<string, CelebrityItem>();
  readonly runs: ScrapeRunRecord[] = [];
  puts = 0;

  async putIfChanged(item: CelebrityItem) {
    const key = `${item.pk}|${item.sk}`;
    if (this.items.get(key)?.contentHash === item.contentHash) return "unchanged" as const;
    this.items.set(key, item);
    this.puts += 1;
    return "written" as const;
  }

  async putRunRecord(record: ScrapeRunRecord) {
    this.runs.push(record);
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

function deps(
  client: SourceClient<"news">,
  table: MemoryTable,
  roster: readonly Celebrity[] = rosterOfSize(20),
) {
  return {
    source: "news" as const,
    client,
    table,
    roster,
    clock: new VirtualClock(),
    logger: memoryLogger(),
  };
}

describe("scrape", () => {
  it("scrape: writes every celebrity with GSI keys and one run record", async () => {
    // Prepare
    const table = new MemoryTable();

    // Act
    const result = await scrape("run-1", deps(newsClient(), table));

    // Assess
    expect(result.outcome).toBe("succeeded");
    expect(result.record.counts).toStrictEqual({ fetched: 20, written: 20, unchanged: 0, failed: 0 });
    expect(table.items.size).toBe(20);
    const first = table.items.get("CELEB#001|SOURCE#news");
    expect(first).toMatchObject({
      gsi1pk: expect.stringMatching(/^CATEGORY#/),
      gsi2pk: expect.stringMatching(/^SOCIAL#/),
    });
    expect(table.runs).toHaveLength(1);
    expect(table.runs[0]).toMatchObject({
      pk: "RUN#run-1",
      sk: "SOURCE#news",
      outcome: "succeeded",
      rosterSize: 20,
      notAttempted: 0,
    });
  });

  it("scrape: a re-run with unchanged data writes nothing; changed data is written", async () => {
    // Prepare
    const table = new MemoryTable();
    await scrape("run-1", deps(newsClient(), table));
    const putsAfterFirst = table.puts;

    // Act
    const unchanged = await scrape("run-2", deps(newsClient(), table));
    const changed = await scrape(
      "run-3",
      deps(
        newsClient((c) => newsData(c, c.id === "004" ? 1 : 0)),
        table,
      ),
    );

    // Assess
    expect(unchanged.record.counts).toStrictEqual({ fetched: 20, written: 0, unchanged: 20, failed: 0 });
    expect(changed.record.counts).toStrictEqual({ fetched: 20, written: 1, unchanged: 19, failed: 0 });
    expect(table.puts - putsAfterFirst).toBe(1);
  });

  it("scrape: a permanent error is logged with the celebrity, counted, and the run goes on", async () => {
    // Prepare
    const table = new MemoryTable();
    const client = newsClient((c) =>
      c.id === "007"
        ? new PermanentError("news GET /api/v2/doc/doc: response is not valid JSON", { celebrityId: c.id })
        : newsData(c),
    );
    const d = deps(client, table);

    // Act
    const result = await scrape("run-p", d);

    // Assess
    expect(result.record.counts).toStrictEqual({ fetched: 19, written: 19, unchanged: 0, failed: 1 });
    expect(result.record.failures).toStrictEqual([
      { celebrityId: "007", reason: "news GET /api/v2/doc/doc: response is not valid JSON" },
    ]);
    expect(d.logger.lines.find((l) => l.level === "warn")?.extra).toMatchObject({ celebrityId: "007" });
  });

  it("scrape: an incomplete item is a permanent failure and is not written", async () => {
    const table = new MemoryTable();
    const client = newsClient((c) =>
      c.id === "003" ? { source: "news", articleCount: 0, headlines: [] } : newsData(c),
    );
    const result = await scrape("run-i", deps(client, table));
    expect(result.record.counts).toMatchObject({ fetched: 20, written: 19, failed: 1 });
    expect(result.record.failures[0]?.reason).toMatch(/^incomplete news item: data carries no text/);
    expect(table.items.has("CELEB#003|SOURCE#news")).toBe(false);
  });

  it("scrape: a retryable error stops new work, writes the run record, then throws", async () => {
    // Prepare
    const table = new MemoryTable();
    const client = newsClient((c) =>
      c.id === "005"
        ? new RetryableError("news GET /api/v2/doc/doc: HTTP 500 (gave up after 5 attempts)", { status: 500 })
        : newsData(c),
    );
    const d = { ...deps(client, table, rosterOfSize(50)), concurrency: 2 };

    // Act
    const error = await scrape("run-r", d).catch((e: unknown) => e);

    // Assess: the error is retryable (Lambda retries), and the record says what happened.
    expect(error).toBeInstanceOf(ScrapeRunFailedError);
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as Error).message).toMatch(
      /^news scrape run run-r failed after \d+ of 50 celebrities: .*HTTP 500/,
    );
    expect(table.runs).toHaveLength(1);
    const record = table.runs[0]!;
    expect(record.outcome).toBe("failed");
    expect(record.error).toMatch(/HTTP 500/);
    expect(record.counts.failed).toBe(1);
    expect(record.failures[0]).toMatchObject({
      celebrityId: "005",
      reason: expect.stringMatching(/^retryable: /),
    });
    expect(record.notAttempted).toBeGreaterThan(40);
    expect(record.counts.written + record.counts.failed + record.notAttempted).toBe(50);
    expect((error as ScrapeRunFailedError).record).toStrictEqual(record);
  });

  it("scrape: shouldStop ends the run early with a failed record (Lambda's timeout near)", async () => {
    const table = new MemoryTable();
    let asked = 0;
    const shouldStop = () => (++asked > 5 ? "stopped with 9000 ms of the function's time left" : undefined);
    const error = await scrape("run-t", { ...deps(newsClient(), table), concurrency: 1, shouldStop }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ScrapeRunFailedError);
    expect(table.runs[0]).toMatchObject({
      outcome: "failed",
      counts: { written: 5, failed: 0 },
      notAttempted: 15,
      error: "stopped with 9000 ms of the function's time left",
    });
  });

  it("scrape: a DynamoDB failure fails the run like a retryable source error", async () => {
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
    const error = await scrape("run-d", { ...deps(newsClient(), table), concurrency: 1 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ScrapeRunFailedError);
    expect(table.runs[0]).toMatchObject({
      outcome: "failed",
      counts: { fetched: 3, written: 2, failed: 1 },
      notAttempted: 17,
    });
  });

  it("scrape: never has more celebrities in flight than the concurrency", async () => {
    const client = newsClient();
    await scrape("run-c", { ...deps(client, new MemoryTable(), DEMO_ROSTER), concurrency: 4 });
    expect(client.maxInFlight).toBe(4);
  });

  it("scrape: refuses a concurrency below 1", async () => {
    await expect(
      scrape("run-x", { ...deps(newsClient(), new MemoryTable()), concurrency: 0 }),
    ).rejects.toThrow(/concurrency must be an integer >= 1/);
  });
});
