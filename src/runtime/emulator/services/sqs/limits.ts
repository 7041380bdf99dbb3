/** SQS quotas and defaults (aws-behaviour.md §6; AWS SQS developer guide, quotas). */

export const QUEUE_NAME_MAX_LENGTH = 80;
export const FIFO_SUFFIX = ".fifo";

export const VISIBILITY_TIMEOUT = { min: 0, max: 43_200, default: 30 } as const;
export const MESSAGE_RETENTION_PERIOD = { min: 60, max: 1_209_600, default: 345_600 } as const;
export const DELAY_SECONDS = { min: 0, max: 900, default: 0 } as const;
export const RECEIVE_WAIT_TIME_SECONDS = { min: 0, max: 20, default: 0 } as const;
export const MAXIMUM_MESSAGE_SIZE = { min: 1_024, max: 1_048_576, default: 1_048_576 } as const;
export const MAX_RECEIVE_COUNT = { min: 1, max: 1_000 } as const;
export const KMS_DATA_KEY_REUSE_PERIOD = { min: 60, max: 86_400, default: 300 } as const;

export const MAX_MESSAGES_PER_RECEIVE = 10;
/** Visibility of one received message may be extended to at most 12 hours after that receive. */
export const MAX_TOTAL_VISIBILITY_SECONDS = 43_200;

export const BATCH_MAX_ENTRIES = 10;
export const BATCH_ENTRY_ID_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;
/** The whole SendMessageBatch payload (bodies + attributes) must fit in one maximum message. */
export const BATCH_MAX_PAYLOAD_BYTES = 1_048_576;

export const MAX_MESSAGE_ATTRIBUTES = 10;
export const MESSAGE_ATTRIBUTE_NAME_MAX_LENGTH = 256;

export const LIST_QUEUES_MAX_RESULTS = 1_000;
export const MAX_TAGS_PER_QUEUE = 50;

/** FIFO: deduplication interval and id syntax. */
export const DEDUPLICATION_INTERVAL_MS = 5 * 60 * 1000;
export const FIFO_ID_PATTERN = /^[\x21-\x7e]{1,128}$/;

/** PurgeQueue may run once per 60 s; a deleted queue's name is blocked for 60 s. */
export const PURGE_INTERVAL_MS = 60_000;
export const DELETED_QUEUE_NAME_BLOCK_MS = 60_000;

/** StartMessageMoveTask: MaxNumberOfMessagesPerSecond 1–500; AWS picks its own rate when absent. */
export const MOVE_TASK_RATE = { min: 1, max: 500, default: 500 } as const;
export const MOVE_TASK_TICK_MS = 1_000;
export const LIST_MOVE_TASKS_MAX_RESULTS = 10;
/** Finished move tasks kept per source queue (ListMessageMoveTasks shows the 10 most recent). */
export const MOVE_TASKS_KEPT_PER_QUEUE = 10;

/** Journal entries after which the state is folded into a new snapshot. */
export const COMPACT_AFTER_ENTRIES = 20_000;
