import type { StackParams } from "../../src/pipeline/stack/index.js";

/** Shard size and worker bound as the local defaults give them. */
const WORK = { shardSize: 25, workerConcurrency: 10 } as const;

/** Stack parameters as a local config would supply them; override what a test is about. */
export function testStackParams(overrides: Partial<StackParams> = {}): StackParams {
  return {
    suffix: "",
    account: "000000000000",
    region: "us-east-1",
    sources: {
      tmdb: {
        baseUrl: "http://127.0.0.1:4599/tmdb/3",
        apiKey: "tmdb-secret-token",
        rateLimitPerSecond: 20,
        ...WORK,
      },
      wikipedia: {
        baseUrl: "http://127.0.0.1:4599/wikipedia/api/rest_v1",
        auxBaseUrl: "http://127.0.0.1:4599/wikimedia/api/rest_v1",
        rateLimitPerSecond: 50,
        ...WORK,
      },
      news: {
        baseUrl: "http://127.0.0.1:4599/gdelt/api/v2",
        rateLimitPerSecond: 5,
        timeoutMs: 15_000,
        ...WORK,
      },
      social: { baseUrl: "http://127.0.0.1:4599/bsky/xrpc", rateLimitPerSecond: 10, ...WORK },
    },
    opensearch: { endpoint: "http://127.0.0.1:4566/opensearch/us-east-1/celebrities", index: "celebrities" },
    logRetentionDays: 14,
    ...overrides,
  };
}
