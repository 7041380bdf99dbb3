import { describe, expect, it } from "vitest";
import {
  correlationIdOf,
  loggableEnv,
  positiveIntegerEnv,
  requireEnv,
} from "../../../../src/pipeline/handlers/_shared.js";
import { createHandler } from "../../../../src/pipeline/handlers/index-sync.js";
import { HANDLER_ENV } from "../../../../src/pipeline/stack/index.js";
import { needsSigV4 } from "../../../../src/pipeline/stages/index-sync-opensearch.js";

describe("handler glue", () => {
  it("requireEnv names the missing variable and where it comes from", () => {
    expect(() => requireEnv({}, "tableName")).toThrow(
      /TABLE_NAME is not set: deploy sets it from the stack declaration/,
    );
    expect(requireEnv({ TABLE_NAME: "t" }, "tableName")).toBe("t");
  });

  it("positiveIntegerEnv validates", () => {
    expect(positiveIntegerEnv({}, "opensearchMaxAttempts", 4)).toBe(4);
    expect(positiveIntegerEnv({ OPENSEARCH_MAX_ATTEMPTS: "2" }, "opensearchMaxAttempts", 4)).toBe(2);
    expect(() => positiveIntegerEnv({ OPENSEARCH_MAX_ATTEMPTS: "0" }, "opensearchMaxAttempts", 4)).toThrow(
      /OPENSEARCH_MAX_ATTEMPTS must be a positive integer; got "0"/,
    );
  });

  it("loggableEnv masks the API key and keeps only registered variables", () => {
    expect(
      loggableEnv({
        [HANDLER_ENV.sourceApiKey]: "tmdb-secret-token",
        [HANDLER_ENV.tableName]: "t",
        AWS_SECRET_ACCESS_KEY: "x",
      }),
    ).toStrictEqual({ TABLE_NAME: "t", SOURCE_API_KEY: "***" });
  });

  it("correlation id: stream eventID, EventBridge id, else the request id", () => {
    expect(correlationIdOf({ Records: [{ eventID: "e1" }] })).toBe("e1");
    expect(correlationIdOf({ id: "5a1b", "detail-type": "Scheduled Event" })).toBe("5a1b");
    expect(correlationIdOf({}, { awsRequestId: "req-1" })).toBe("req-1");
  });

  it("signs only for AWS hosts", () => {
    expect(needsSigV4("https://search-celebs-abc.us-east-1.es.amazonaws.com")).toBe(true);
    expect(needsSigV4("http://127.0.0.1:4566/opensearch/us-east-1/celebrities")).toBe(false);
    expect(needsSigV4("http://celebs.us-east-1.opensearch.localhost.localstack.cloud:4566")).toBe(false);
  });

  it("index-sync refuses to build without its endpoint or with a bad one", () => {
    expect(() => createHandler({ OPENSEARCH_INDEX: "i" })).toThrow(/OPENSEARCH_ENDPOINT is not set/);
    expect(() => createHandler({ OPENSEARCH_INDEX: "i", OPENSEARCH_ENDPOINT: "not a url" })).toThrow(
      /OPENSEARCH_ENDPOINT must be a URL/,
    );
  });
});
