import { describe, expect, it } from "vitest";
import { computeWeight, contentHash } from "../../../../src/pipeline/model/index.js";
import type { ItemKey } from "../../../../src/pipeline/model/index.js";
import { enrichmentOf, postProcessRecord } from "../../../../src/pipeline/stages/post-process.js";
import type { Enrichment, EnrichmentTable } from "../../../../src/pipeline/stages/post-process.js";
import { newsItem, runRecordImage, tmdbItem } from "../../../helpers/items.js";
import { insertRecord, modifyRecord, removeRecord } from "../../../helpers/stream-records.js";

/** An in-memory table port that records what it was asked to write. */
function recordingTable(answer: "updated" | "superseded" = "updated") {
  const writes: { key: ItemKey; enrichment: Enrichment }[] = [];
  const table: EnrichmentTable = {
    async writeEnrichment(key, enrichment) {
      writes.push({ key, enrichment });
      return answer;
    },
  };
  return { table, writes };
}

const now = () => new Date("2026-08-02T02:00:05.000Z");

describe("postProcessRecord", () => {
  it("INSERT of a celebrity item: computes weight and sentiment and writes them", async () => {
    // Prepare
    const item = tmdbItem(0);
    const { table, writes } = recordingTable();
    // Act
    const outcome = await postProcessRecord(insertRecord(item), { table, now });
    // Assess
    expect(outcome).toStrictEqual({
      outcome: "enriched",
      key: { pk: "CELEB#001", sk: "SOURCE#tmdb" },
      weight: computeWeight(item),
      sentiment: "positive",
    });
    expect(writes).toStrictEqual([
      {
        key: { pk: "CELEB#001", sk: "SOURCE#tmdb" },
        enrichment: {
          weight: computeWeight(item),
          sentiment: "positive",
          sentimentScore: expect.any(Number),
          enrichedHash: item.contentHash,
          processedAt: "2026-08-02T02:00:05.000Z",
        },
      },
    ]);
  });

  it("no loop: its own MODIFY (enrichedHash == contentHash) is skipped without a write", async () => {
    // Prepare: the item, then the MODIFY that our own UpdateItem produces
    const item = tmdbItem(1);
    const enriched = { ...item, ...enrichmentOf(item, now()) };
    const { table, writes } = recordingTable();
    // Act
    const outcome = await postProcessRecord(modifyRecord(item, enriched), { table, now });
    // Assess
    expect(outcome).toStrictEqual({
      outcome: "skipped",
      key: { pk: "CELEB#002", sk: "SOURCE#tmdb" },
      reason: "already-enriched",
    });
    expect(writes).toHaveLength(0);
  });

  it("re-enriches a MODIFY whose content changed after enrichment", async () => {
    // Prepare: an enriched item, then a scraper rewrite with new content carrying the old enrichment
    const item = tmdbItem(2);
    const enriched = { ...item, ...enrichmentOf(item, now()) };
    const newData = { ...item.data, popularity: 99 };
    const rewritten = { ...enriched, data: newData, contentHash: contentHash(newData) };
    const { table, writes } = recordingTable();
    // Act
    const outcome = await postProcessRecord(modifyRecord(enriched, rewritten), { table, now });
    // Assess
    expect(outcome.outcome).toBe("enriched");
    expect(writes[0]?.enrichment.enrichedHash).toBe(contentHash(newData));
  });

  it("negative news headlines give a negative sentiment", async () => {
    const { table, writes } = recordingTable();
    await postProcessRecord(insertRecord(newsItem(3)), { table, now });
    expect(writes[0]?.enrichment.sentiment).toBe("negative");
  });

  it("a ConditionalCheckFailed (content changed meanwhile) is not a failure", async () => {
    const { table } = recordingTable("superseded");
    await expect(postProcessRecord(insertRecord(tmdbItem(4)), { table, now })).resolves.toStrictEqual({
      outcome: "superseded",
      key: { pk: "CELEB#005", sk: "SOURCE#tmdb" },
    });
  });

  it("ignores REMOVE and non-celebrity records", async () => {
    const { table, writes } = recordingTable();
    await expect(postProcessRecord(removeRecord(tmdbItem(5)), { table, now })).resolves.toMatchObject({
      reason: "removed",
    });
    await expect(postProcessRecord(insertRecord(runRecordImage()), { table, now })).resolves.toMatchObject({
      reason: "not-a-celebrity-item",
    });
    expect(writes).toHaveLength(0);
  });

  it("throws a PermanentError for an incomplete item, naming the problem", async () => {
    const { table } = recordingTable();
    const broken = { ...tmdbItem(6), data: { source: "tmdb", popularity: "high" } };
    await expect(postProcessRecord(insertRecord(broken), { table, now })).rejects.toThrow(
      /CELEB#007\/SOURCE#tmdb cannot be enriched: data.tmdbId must be a finite number >= 0/,
    );
  });

  it("propagates table errors so the record is reported failed", async () => {
    const table: EnrichmentTable = {
      writeEnrichment: async () => {
        throw Object.assign(new Error("Throughput exceeds the current capacity"), {
          name: "ProvisionedThroughputExceededException",
        });
      },
    };
    await expect(postProcessRecord(insertRecord(tmdbItem(7)), { table, now })).rejects.toThrow(/Throughput/);
  });
});
