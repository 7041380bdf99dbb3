/** DynamoDB and DynamoDB Streams limits and fixed values (aws-behaviour.md §2, §10). */

/** Stream records live 24 hours; a disabled stream stays readable as long. */
export const STREAM_RETENTION_MS = 24 * 60 * 60 * 1000;
/** A shard iterator expires 15 minutes after it was issued. */
export const SHARD_ITERATOR_TTL_MS = 15 * 60 * 1000;
export const GET_RECORDS_MAX_LIMIT = 1000;
/** GetRecords returns at most 1 MB of records per call. */
export const GET_RECORDS_MAX_BYTES = 1024 * 1024;
export const LIST_STREAMS_MAX_LIMIT = 100;
export const DESCRIBE_STREAM_MAX_LIMIT = 100;
export const STREAM_VIEW_TYPES = ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"] as const;
export const SHARD_ITERATOR_TYPES = [
  "TRIM_HORIZON",
  "LATEST",
  "AT_SEQUENCE_NUMBER",
  "AFTER_SEQUENCE_NUMBER",
] as const;
/**
 * Sequence numbers are digit strings of 21 or more characters (AWS: 21–40, compared as integers).
 * The emulator counts up from here, across all streams, so a number never repeats.
 */
export const FIRST_SEQUENCE_NUMBER = 10n ** 20n;

export const TRANSACT_MAX_ITEMS = 100;
/** TransactWriteItems: the items of one request add up to at most 4 MB. */
export const TRANSACT_MAX_BYTES = 4 * 1024 * 1024;
/** Each expression string (Update, Condition, KeyCondition, Filter, Projection): 4 KB as sent. */
export const MAX_EXPRESSION_BYTES = 4096;
/** Documents nest at most 32 levels (the attribute itself is level 1). */
export const MAX_NESTING_LEVELS = 32;
/** TransactWriteItems with the same ClientRequestToken within this window is not applied twice. */
export const TRANSACTION_IDEMPOTENCY_MS = 10 * 60 * 1000;

/** Journal entries kept before folding them into a snapshot. */
export const COMPACT_AFTER_ENTRIES = 10_000;
/** Default and maximum wait of the internal WaitForRecords operation. */
export const WAIT_DEFAULT_TIMEOUT_MS = 1_000;
export const WAIT_MAX_TIMEOUT_MS = 60_000;

/** Another UpdateTimeToLive within this long after a change is refused (AWS: "up to one hour"). */
export const TTL_CHANGE_COOLDOWN_MS = 60 * 60 * 1000;
/** TTL leaves alone items whose expiry is more than five years in the past. */
export const TTL_MAX_AGE_SECONDS = 5 * 365 * 24 * 60 * 60;
/** Default pause between two passes of the TTL deletion process (emulator clock). */
export const TTL_SWEEP_INTERVAL_MS = 60_000;
/**
 * How long an index added by UpdateTable takes from CREATING to ACTIVE on the emulator clock (a
 * quarter of it allocating, the rest backfilling); AWS takes minutes.
 */
export const INDEX_BUILD_MS = 1_000;

/** A table holds at most 50 tags. */
export const MAX_TAGS_PER_RESOURCE = 50;
/** A new on-demand table or index is warm for 12,000 read and 4,000 write units per second. */
export const ON_DEMAND_WARM_READ_UNITS = 12_000;
export const ON_DEMAND_WARM_WRITE_UNITS = 4_000;
export const TABLE_CLASSES = ["STANDARD", "STANDARD_INFREQUENT_ACCESS"] as const;
/** ListBackups returns at most 100 backups per page. */
export const LIST_BACKUPS_MAX_LIMIT = 100;
/** A SYSTEM backup (of a deleted table that had point-in-time recovery) is kept 35 days. */
export const SYSTEM_BACKUP_RETENTION_MS = 35 * 24 * 60 * 60 * 1000;
/** Point-in-time recovery keeps 1 to 35 days (35 unless RecoveryPeriodInDays says otherwise). */
export const MAX_RECOVERY_PERIOD_DAYS = 35;
