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
/**
 * "PutEvents will only process nested JSON up to 1000 levels deep" (the PutEvents reference): the
 * Detail object itself is level 1. A deeper Detail fails its entry as MalformedDetail.
 */
export const DETAIL_MAX_NESTING = 1000;
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

/** EventBusNameOrArn: a bus name, or the bus ARN. */
export const BUS_NAME_OR_ARN_PATTERN =
  /^(arn:aws[\w-]*:events:[a-z]{2}-[a-z]+-[\w-]+:[0-9]{12}:event-bus\/)?[/.\-_A-Za-z0-9]+$/;
export const BUS_NAME_MAX_LENGTH = 256;
export const BUS_NAME_PATTERN = /^[/.\-_A-Za-z0-9]+$/;
export const BUS_DESCRIPTION_MAX_LENGTH = 512;
/** NonPartnerEventBusName (PutPermission, RemovePermission): a name, no ARN, no `/`. */
export const NON_PARTNER_BUS_NAME_PATTERN = /^[.\-_A-Za-z0-9]+$/;
/** PutPermission's model: Action, Principal (an account id or `*`), StatementId. */
export const PERMISSION_ACTION_PATTERN = /^events:[a-zA-Z]+$/;
export const PERMISSION_PRINCIPAL_PATTERN = /^(\d{12}|\*)$/;
export const STATEMENT_ID_PATTERN = /^[a-zA-Z0-9-_]+$/;
export const STATEMENT_ID_MAX_LENGTH = 64;
/** "The permission policy on the event bus cannot exceed 10 KB in size." */
export const BUS_POLICY_MAX_BYTES = 10_240;

/** Tags on rules and buses (the EventBridge user guide's tagging page). */
export const TAG_KEY_MAX_LENGTH = 128;
export const TAG_VALUE_MAX_LENGTH = 256;
export const TAGS_PER_RESOURCE = 50;

export const ARCHIVE_NAME_MAX_LENGTH = 48;
export const ARCHIVE_DESCRIPTION_MAX_LENGTH = 512;
/** The rule EventBridge creates on the bus for an archive, and who it says manages it. */
export const ARCHIVE_RULE_PREFIX = "Events-Archive-";
export const ARCHIVE_RULE_MANAGED_BY = "prod.vhs.events.aws.internal";
export const REPLAY_NAME_MAX_LENGTH = 64;
/** A replay re-delivers this many archived events per tick of the emulator clock. */
export const REPLAY_BATCH_SIZE = 100;
export const REPLAY_TICK_MS = 100;
export const DAY_MS = 86_400_000;

export const CONNECTION_NAME_MAX_LENGTH = 64;
export const API_DESTINATION_NAME_MAX_LENGTH = 64;
export const API_DESTINATION_METHODS = ["POST", "GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"] as const;
export const API_DESTINATION_RATE = { min: 1, max: 300, default: 300 } as const;
/** EventBridge gives an API destination endpoint 5 seconds to answer. */
export const API_DESTINATION_TIMEOUT_MS = 5_000;
/** API destination answers EventBridge retries (the rest go to the DLQ at once). */
export const API_DESTINATION_RETRIED_STATUSES = [401, 407, 409, 429];
/** OAuth tokens without expires_in are fetched again after this long. */
export const OAUTH_DEFAULT_TOKEN_LIFETIME_MS = 3_600_000;
/** Connection state changes (AUTHORIZING, DEAUTHORIZING) settle after this long. */
export const CONNECTION_TRANSITION_MS = 50;
