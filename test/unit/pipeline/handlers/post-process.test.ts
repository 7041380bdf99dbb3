import { Logger } from "@aws-lambda-powertools/logger";
import { describe, expect, it, vi } from "vitest";
import { createHandler, handler } from "../../../../src/pipeline/handlers/post-process.js";
import type { EnrichmentTable } from "../../../../src/pipeline/stages/post-process.js";
import { HANDLER_ENV } from "../../../../src/pipeline/stack/index.js";
import { tmdbItem } from "../../../helpers/items.js";
import { insertRecord, streamEvent } from "../../../helpers/stream-records.js";

const env = { [HANDLER_ENV.tableName]: "celebrity-database", [HANDLER_ENV.logLevel]: "SILENT" };

function failingFor(pk: string): EnrichmentTable {
  return {
    async writeEnrichment(key) {
      if (key.pk === pk) throw new Error(`write refused for ${pk}`);
      return "updated";
    },
  };
}

describe("post-process handler", () => {
  it("reports only the failed record's sequence number", async () => {
    // Prepare
    const records = [insertRecord(tmdbItem(0)), insertRecord(tmdbItem(1)), insertRecord(tmdbItem(2))];
    const run = createHandler(env, { table: failingFor("CELEB#002") });
    // Act
    const response = await run(streamEvent(...records));
    // Assess
    expect(response).toStrictEqual({
      batchItemFailures: [{ itemIdentifier: records[1]?.dynamodb?.SequenceNumber }],
    });
  });

  it("throws when every record fails, so Lambda retries and bisects the batch", async () => {
    const run = createHandler(env, { table: failingFor("CELEB#001") });
    await expect(run(streamEvent(insertRecord(tmdbItem(0))))).rejects.toThrow(
      /All records failed processing/,
    );
  });

  it("returns an empty failure list for a clean batch", async () => {
    const run = createHandler(env, { table: failingFor("none") });
    await expect(run(streamEvent(insertRecord(tmdbItem(0))))).resolves.toStrictEqual({
      batchItemFailures: [],
    });
  });

  it("logs JSON lines with the correlation id and a summary", async () => {
    // Prepare
    const lines: string[] = [];
    const logger = new Logger({ serviceName: "post-processor", logLevel: "INFO" });
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    const record = insertRecord(tmdbItem(0));
    try {
      // Act
      await createHandler(env, { table: failingFor("none"), logger })(streamEvent(record));
    } finally {
      spy.mockRestore();
    }
    // Assess
    const summary = lines
      .map((line) => JSON.parse(line))
      .find((entry) => entry.message === "post-processing batch done");
    expect(summary).toMatchObject({
      correlation_id: record.eventID,
      records: 1,
      enriched: 1,
      failed: 0,
      service: "post-processor",
    });
  });

  it("refuses to build without TABLE_NAME, naming the variable", () => {
    expect(() => createHandler({})).toThrow(/TABLE_NAME is not set/);
  });

  it("the module's handler reports the missing environment at invocation, not at import", async () => {
    await expect(handler(streamEvent())).rejects.toThrow(/TABLE_NAME is not set/);
  });
});
