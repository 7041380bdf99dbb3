import type { StackParams } from "../../src/pipeline/stack/index.js";

/** Stack parameters as a local config would supply them; override what a test is about. */
export function testStackParams(overrides: Partial<StackParams> = {}): StackParams {
  return {
    suffix: "",
    account: "000000000000",
    region: "us-east-1",
    sources: {
      tmdb: { baseUrl: "http://127.0.0.1:4599/tmdb/3", apiKey: "tmdb-secret-token", rateLimitPerSecond: 20 },
      wikipedia: {
        baseUrl: "http://127.0.0.1:4599/wikipedia/api/rest_v1",
        auxBaseUrl: "http://127.0.0.1:4599/wikimedia/api/rest_v1",
        rateLimitPerSecond: 50,
      },
      news: { baseUrl: "http://127.0.0.1:4599/gdelt/api/v2", rateLimitPerSecond: 5, timeoutMs: 15_000 },
      social: { baseUrl: "http://127.0.0.1:4599/bsky/xrpc", rateLimitPerSecond: 10 },
    },
    opensearch: { endpoint: "http://127.0.0.1:4566/opensearch/us-east-1/celebrities", index: "celebrities" },
    logRetentionDays: 14,
    ...overrides,
  };
}
