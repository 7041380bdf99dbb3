/** AWS limits and defaults for event source mappings (aws-behaviour.md §3.1), and emulator pacing. */

export const STREAM_DEFAULT_BATCH_SIZE = 100;
export const SQS_DEFAULT_BATCH_SIZE = 10;
export const MAX_BATCH_SIZE = 10_000;
export const SQS_FIFO_MAX_BATCH_SIZE = 10;
/** SQS mappings with a batch above this need a batching window of at least 1 s. */
export const SQS_BATCH_SIZE_WITHOUT_WINDOW = 10;
export const MAX_BATCHING_WINDOW_SECONDS = 300;
export const MAX_RETRY_ATTEMPTS = 10_000;
export const MIN_RECORD_AGE_SECONDS = 60;
export const MAX_RECORD_AGE_SECONDS = 604_800;
/** DynamoDB stream records live 24 h; "-1" (infinite) retries end there. */
export const STREAM_RETENTION_SECONDS = 86_400;
export const MAX_PARALLELIZATION_FACTOR = 10;
export const MAX_TUMBLING_WINDOW_SECONDS = 900;
export const MAX_FILTERS = 5;
export const MAX_FILTER_PATTERN_LENGTH = 4096;
export const MIN_MAXIMUM_CONCURRENCY = 2;
export const MAX_MAXIMUM_CONCURRENCY = 1000;
export const LIST_PAGE_SIZE = 100;
export const MAX_LIST_ITEMS = 10_000;

/** Lambda polls each shard about four times a second (used when the stream cannot wake us). */
export const STREAM_POLL_INTERVAL_MS = 250;
/** Longest single wait on DynamoDB Streams' in-process wake-up (WaitForRecords). */
export const STREAM_WAIT_MS = 1_000;
/** How often a stream mapping looks for new shards (AWS rolls shards over every few hours). */
export const SHARD_DISCOVERY_INTERVAL_MS = 5_000;
export const GET_RECORDS_LIMIT = 1000;
/** Wait between empty SQS receives (the emulator polls instead of holding a 20 s long poll). */
export const SQS_POLL_INTERVAL_MS = 200;
export const SQS_MAX_RECEIVE = 10;
/** AWS starts five concurrent batches when messages arrive on a standard queue… */
export const SQS_INITIAL_CONCURRENCY = 5;
/** …adds up to 300 more a minute (one every 200 ms) while messages remain… */
export const SQS_SCALE_UP_INTERVAL_MS = 200;
/** …and an SQS mapping processes at most 1,000 batches at once. */
export const SQS_MAX_CONCURRENT_BATCHES = 1_000;
/**
 * A throttled SQS batch is retried while its messages are still invisible (AWS: until the
 * message's timestamp exceeds the visibility timeout); the waits double from the first to the cap.
 * AWS does not publish its backoff; these keep a local run responsive.
 */
export const SQS_THROTTLE_BACKOFF_MS = 100;
export const SQS_THROTTLE_BACKOFF_MAX_MS = 2_000;
/**
 * Backoff between retries of a failed stream batch: doubling from 1 s up to 60 s on AWS, multiplied
 * by the emulator's retryWaitScale (default 1/60) so local retries take milliseconds, not minutes.
 */
export const RETRY_BACKOFF_BASE_MS = 1_000;
export const RETRY_BACKOFF_MAX_MS = 60_000;
/** Journal entries kept before folding them into a snapshot. */
export const COMPACT_AFTER_ENTRIES = 1_000;
