/** EventBridge limits (aws-behaviour.md §5) as named constants. */

export const RULE_NAME_MAX_LENGTH = 64;
export const NAME_PATTERN = /^[.\-_A-Za-z0-9]+$/;
export const DESCRIPTION_MAX_LENGTH = 512;
export const EVENT_PATTERN_MAX_LENGTH = 4096;
export const SCHEDULE_EXPRESSION_MAX_LENGTH = 256;
export const TARGETS_PER_RULE = 5;
export const TARGETS_PER_REQUEST = 10;
export const TARGET_ID_MAX_LENGTH = 64;
export const TARGET_ARN_MAX_LENGTH = 1600;
export const INPUT_MAX_LENGTH = 8192;
export const INPUT_PATH_MAX_LENGTH = 256;
export const INPUT_PATHS_MAP_MAX_ENTRIES = 100;
export const MAX_RETRY_ATTEMPTS = 185;
export const DEFAULT_RETRY_ATTEMPTS = 185;
export const MIN_EVENT_AGE_SECONDS = 60;
export const MAX_EVENT_AGE_SECONDS = 86_400;
export const DEFAULT_EVENT_AGE_SECONDS = 86_400;
export const PUT_EVENTS_MAX_ENTRIES = 10;
/** AWS raised the event size limit from 256 KB to 1 MB on 2026-01-29. */
export const PUT_EVENTS_MAX_BYTES = 1024 * 1024;
/** `Time` counts as 14 bytes towards the entry size. */
export const TIME_ENTRY_BYTES = 14;
export const LIST_MAX_LIMIT = 100;
export const REMOVE_TARGETS_MAX_IDS = 100;
export const DEFAULT_BUS = "default";

/**
 * Backoff between delivery retries: exponential from 1 s, capped at 5 min (AWS spreads 185 retries
 * over 24 h), multiplied by the emulator's retryWaitScale. No jitter, so tests are deterministic.
 */
export const DELIVERY_BACKOFF_BASE_MS = 1_000;
export const DELIVERY_BACKOFF_MAX_MS = 300_000;
/** Timers further out than this are re-armed in steps (Node timers overflow past ~24.8 days). */
export const MAX_TIMER_STEP_MS = 86_400_000;
export const COMPACT_AFTER_ENTRIES = 500;
