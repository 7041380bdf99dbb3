/**
 * Every setting of the stack that is not a name, in one place, with the reason for each value.
 * AWS limits quoted from aws-behaviour.md sections 3-5.
 */

export const LAMBDA_RUNTIME = "nodejs22.x" as const;

/** Timeout (s) and memory (MB) per kind of function. */
export const FUNCTION_SIZING = {
  // Lambda's maximum. The slowest source sets it: GDELT asks for one request per 5 s, so 100
  // celebrities take about 500 s; the others finish in well under a minute. A scraper stops starting
  // celebrities shortly before its timeout and records the run as failed rather than being cut off.
  scraper: { timeoutSeconds: 900, memoryMb: 512 },
  // A batch of 100 stream records: 100 UpdateItems or one bulk request, seconds at most.
  "post-processor": { timeoutSeconds: 60, memoryMb: 256 },
  "index-sync": { timeoutSeconds: 60, memoryMb: 256 },
} as const;

/**
 * Lambda asynchronous invocation of the scrapers (EventBridge invokes them asynchronously): the
 * 2 retries AWS allows at most, and events older than an hour are dropped to the DLQ rather than
 * scraping long after the schedule.
 */
export const SCRAPER_ASYNC_INVOKE = { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 } as const;

/** AWS's range of an SQS event source mapping's ScalingConfig.MaximumConcurrency. */
export const WORKER_CONCURRENCY_RANGE = { min: 2, max: 1000 } as const;

/**
 * Each source's work queue, `celebrity-scrape-<source>`: one message per shard of a run.
 * - Visibility timeout: six times the scraper function's timeout, AWS's advice for a queue a Lambda
 *   function consumes (the mapping's batching window is 0, so nothing is added for it). A worker
 *   that runs out its whole timeout then leaves its shard invisible until any retry of the same
 *   batch by the mapping is over, so the shard is not handed to a second worker meanwhile.
 * - maxReceiveCount 5: AWS advises at least 5 for a Lambda consumer, so a shard survives a few
 *   throttled or failed batches (every receive counts, even one the mapping gives back unseen);
 *   after the fifth failed receive SQS moves it to the scraper DLQ, where `pipeline dlq` shows it.
 * - Retention 6 days, one less than the scraper DLQ's 7: SQS keeps a standard message's original
 *   enqueue time when it moves it to the DLQ, so the DLQ must keep messages longer than the queue
 *   that feeds it, or a shard redriven late would expire at once.
 */
export const WORK_QUEUE = {
  visibilityTimeoutSeconds: 6 * FUNCTION_SIZING.scraper.timeoutSeconds,
  maxReceiveCount: 5,
  retentionSeconds: 518_400,
} as const;

/**
 * The worker mapping of each scraper on its work queue. One shard per invocation (a shard is
 * already a batch of people, and one invocation's time is then one shard's), no batching window,
 * and per-message failures reported (ReportBatchItemFailures), so a failed shard is retried alone.
 * Lambda does not allow a DestinationConfig on SQS mappings: failures go through the queue's
 * RedrivePolicy to the scraper DLQ.
 */
export const WORKER_MAPPING = {
  BatchSize: 1,
  MaximumBatchingWindowInSeconds: 0,
  FunctionResponseTypes: ["ReportBatchItemFailures"],
} as const;

/**
 * A worker holds its shard's message invisible for `lease` seconds at a time and renews the hold
 * while it works (ChangeMessageVisibility with the record's receipt handle). The queue's timeout
 * (six times the function timeout) then only matters when a worker dies without a word: its shard
 * is visible again within one lease, not after 90 minutes. A failed shard is made visible again
 * after `retry` x 2^(receives - 1) seconds, at most MAX_SHARD_RETRY_SECONDS.
 */
export const SHARD_LEASE_RANGE = { min: 2, max: 900 } as const;
export const SHARD_RETRY_RANGE = { min: 0, max: 900 } as const;
export const MAX_SHARD_RETRY_SECONDS = 900;
export const DEFAULT_SHARD_LEASE_SECONDS = 60;
export const DEFAULT_SHARD_RETRY_SECONDS = 30;

/** Rule target delivery policy (covers delivery failures only, see DESIGN.md section 1). */
export const RULE_TARGET_RETRY_POLICY = { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 300 } as const;

/** SQS retention of both dead-letter queues: 7 days, time for an operator to inspect and replay. */
export const DLQ_RETENTION_SECONDS = 604_800;

/**
 * `index.gc_deletes` of the search index: how long OpenSearch remembers a deleted document's
 * version (its default is 60 s). While it does, a late older write of the item (a replayed stream
 * record) loses against the delete; after it, it would bring the document back. Stream records can
 * be replayed from the stream DLQ for as long as it keeps them, so the tombstones last as long.
 */
export const INDEX_GC_DELETES = `${DLQ_RETENTION_SECONDS / 86_400}d`;

export const WEEKLY_SCHEDULE = "cron(0 2 ? * SUN *)";

/** The custom event the manual rule matches. AWS refuses PutEvents sources starting with `aws.`. */
export const MANUAL_SCRAPE_EVENT = {
  source: "celebrity.pipeline",
  detailType: "ManualScrapeRequested",
} as const;

/**
 * Stream event source mappings. LATEST: only changes after deploy matter (the scrapers write
 * everything each run). A 1 s batching window gathers a scraper run's writes into full batches and
 * sidesteps the API's "BatchSize > 10 needs a window" rule. Retries are bounded (AWS's default
 * is to block the shard for 24 h); bisecting isolates a poison record, and with
 * ReportBatchItemFailures only the failed tail is retried. After 5 retries or 6 h the batch's
 * sequence range goes to the stream DLQ.
 */
export const STREAM_MAPPING = {
  BatchSize: 100,
  MaximumBatchingWindowInSeconds: 1,
  StartingPosition: "LATEST",
  ParallelizationFactor: 1,
  MaximumRetryAttempts: 5,
  MaximumRecordAgeInSeconds: 21_600,
  BisectBatchOnFunctionError: true,
  FunctionResponseTypes: ["ReportBatchItemFailures"],
} as const;

/** Scraper failure alarm: 3 or more scraper errors within one 5-minute period. */
export const SCRAPER_FAILURE_ALARM = {
  namespace: "AWS/Lambda",
  metricName: "Errors",
  statistic: "Sum",
  periodSeconds: 300,
  threshold: 3,
  evaluationPeriods: 1,
  comparisonOperator: "GreaterThanOrEqualToThreshold",
} as const;

/**
 * Failure queue alarms: one message visible in a dead-letter queue is an alarm. SQS reports queue
 * depth each minute; Maximum over one 60 s period means a message that arrives is seen within the
 * period it arrived in, and no data (a queue nobody uses) is not an alarm.
 */
export const FAILURE_QUEUE_ALARM = {
  namespace: "AWS/SQS",
  metricName: "ApproximateNumberOfMessagesVisible",
  statistic: "Maximum",
  periodSeconds: 60,
  threshold: 1,
  evaluationPeriods: 1,
  comparisonOperator: "GreaterThanOrEqualToThreshold",
} as const;

/** Values CloudWatch Logs accepts for a retention policy. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const DEFAULT_HTTP_TIMEOUT_MS = 10_000;

/** Attempts index-sync makes per bulk item before reporting it as a batch item failure. */
export const OPENSEARCH_MAX_ATTEMPTS = 4;

/** Names of the table's global secondary indexes. */
export const TABLE_INDEXES = { byCategoryLocation: "gsi1", bySocialHandle: "gsi2" } as const;

/** The source modules the bundler builds, one per kind of function. */
export const HANDLER_MODULES = {
  scraper: "src/pipeline/handlers/scrape.ts",
  "post-processor": "src/pipeline/handlers/post-process.ts",
  "index-sync": "src/pipeline/handlers/index-sync.ts",
} as const;
