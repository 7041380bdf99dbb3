/**
 * The environment variables the pipeline's Lambda functions read: one registry, so deploy (which sets
 * them from the stack declaration), `pipeline run` (which sets them for an in-process run) and the
 * handlers (which read them) cannot drift apart. AWS_ENDPOINT_URL / AWS_REGION are not listed: the
 * SDK reads them itself, and the emulator and LocalStack set them for the functions they run.
 */
export const HANDLER_ENV = {
  /** DynamoDB table holding celebrity items and run records. */
  tableName: "TABLE_NAME",
  /** Which source a scraper function scrapes: tmdb | wikipedia | news | social. */
  sourceName: "SOURCE_NAME",
  /** Base URL of the source's API (the real API, or the local fixture server). */
  sourceBaseUrl: "SOURCE_BASE_URL",
  /** Second base URL where a source needs two hosts (Wikipedia summary + Wikimedia page views). */
  sourceAuxBaseUrl: "SOURCE_AUX_BASE_URL",
  /**
   * API key or token for the source (TMDB), given directly: in-process runs only (`pipeline run`
   * passes config's apiKey); deploy never puts it into a function environment. Never logged.
   */
  sourceApiKey: "SOURCE_API_KEY",
  /** SSM parameter (SecureString) holding the source's API key; deployed scrapers read the key from it. */
  sourceApiKeyParameter: "SOURCE_API_KEY_PARAMETER",
  /** Client-side rate limit for the source, requests per second. */
  sourceRateLimit: "SOURCE_RATE_LIMIT_PER_SECOND",
  /** Per-request timeout for source calls, milliseconds. */
  httpTimeoutMs: "HTTP_TIMEOUT_MS",
  /** Scrapers: the source's work queue (name); the planner sends shards to it. */
  workQueueName: "WORK_QUEUE_NAME",
  /** Scrapers: people per shard. */
  shardSize: "SHARD_SIZE",
  /** Scrapers: the worker mapping's MaximumConcurrency; a worker's rate is the source's divided by it. */
  workerConcurrency: "WORKER_CONCURRENCY",
  /** Scrapers: the work queue's maxReceiveCount; a shard failing on that receive is recorded as failed. */
  workMaxReceiveCount: "WORK_MAX_RECEIVE_COUNT",
  /** Scrapers: seconds a worker holds its shard invisible at a time (renewed while it works). */
  shardLeaseSeconds: "SHARD_LEASE_SECONDS",
  /** Scrapers: first wait before a failed shard is received again (doubling per receive). */
  shardRetrySeconds: "SHARD_RETRY_SECONDS",
  /** OpenSearch endpoint (domain endpoint, or the emulator's path-style endpoint). */
  opensearchEndpoint: "OPENSEARCH_ENDPOINT",
  /** OpenSearch index that mirrors the table. */
  opensearchIndex: "OPENSEARCH_INDEX",
  /** Attempts index-sync makes per bulk item (first try included) before reporting it failed. */
  opensearchMaxAttempts: "OPENSEARCH_MAX_ATTEMPTS",
  /** Log level for the handlers' structured logger. */
  logLevel: "POWERTOOLS_LOG_LEVEL",
  /** `service` key of every structured log line (Powertools reads it); the function's name. */
  serviceName: "POWERTOOLS_SERVICE_NAME",
} as const;

export type HandlerEnvKey = keyof typeof HANDLER_ENV;
export type HandlerEnv = Readonly<Record<string, string | undefined>>;
