/** CloudWatch Logs quotas and fixed values the emulator enforces (aws-behaviour.md §7). */

export const MAX_LOG_GROUP_NAME_LENGTH = 512;
export const LOG_GROUP_NAME_PATTERN = /^[.\-_/#A-Za-z0-9]+$/;
export const MAX_LOG_STREAM_NAME_LENGTH = 512;
export const LOG_STREAM_NAME_FORBIDDEN = /[:*]/;

export const MAX_EVENTS_PER_PUT = 10_000;
/** A PutLogEvents batch: UTF-8 message bytes plus this overhead per event. */
export const MAX_PUT_BATCH_BYTES = 1_048_576;
export const EVENT_OVERHEAD_BYTES = 26;
export const MAX_BATCH_SPAN_MS = 24 * 60 * 60 * 1000;
/** Events further in the future than this are rejected (tooNewLogEventStartIndex). */
export const MAX_EVENT_FUTURE_MS = 2 * 60 * 60 * 1000;
/** Events older than this are rejected (tooOldLogEventEndIndex). */
export const MAX_EVENT_AGE_MS = 14 * 24 * 60 * 60 * 1000;

export const DESCRIBE_DEFAULT_LIMIT = 50;
export const DESCRIBE_MAX_LIMIT = 50;
export const GET_EVENTS_MAX_LIMIT = 10_000;
export const FILTER_EVENTS_MAX_LIMIT = 10_000;
/** GetLogEvents / FilterLogEvents pages stop at this many bytes (message bytes + overhead). */
export const MAX_RESPONSE_BYTES = 1_048_576;
export const MAX_FILTER_PATTERN_LENGTH = 1024;
export const MAX_FILTER_LOG_STREAM_NAMES = 100;
/** FilterLogEvents accepts startFromHead=false only with a startTime from this date on. */
export const FILTER_DESCENDING_MIN_START = Date.UTC(2024, 0, 1);

export const MAX_TAGS_PER_LOG_GROUP = 50;

/** The only values PutRetentionPolicy accepts. */
export const RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

export const DAY_MS = 24 * 60 * 60 * 1000;
/** How often expired events are dropped from memory (reads filter them at once regardless). */
export const RETENTION_SWEEP_INTERVAL_MS = 60 * 1000;
/** Journal entries after which the state is folded into a snapshot. */
export const COMPACT_AFTER_ENTRIES = 5_000;

/** Subscription and metric filters (CloudWatch Logs quotas). */
export const MAX_SUBSCRIPTION_FILTERS_PER_GROUP = 2;
export const MAX_METRIC_FILTERS_PER_GROUP = 100;
export const MAX_FILTER_NAME_LENGTH = 512;
export const MAX_METRIC_FILTER_DIMENSIONS = 3;
export const MAX_TEST_METRIC_FILTER_MESSAGES = 50;
/** Metric filter data points go to CloudWatch in PutMetricData calls of at most this many. */
export const METRIC_DATA_PER_CALL = 1000;
/** Resource policies per account and region, and a policy document's length. */
export const MAX_RESOURCE_POLICIES = 10;
export const MAX_POLICY_DOCUMENT_LENGTH = 5120;
export const DELIVERY_NAME_MAX_LENGTH = 60;
