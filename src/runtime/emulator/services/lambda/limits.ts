/** Lambda quotas and defaults (aws-behaviour.md §4), as named constants. */

/** Invoke payloads: 6 MB synchronous; 1 MB asynchronous (raised from 256 KB on 2026-01-29). */
export const MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;
export const MAX_ASYNC_PAYLOAD_BYTES = 1024 * 1024;
/** A function's response is capped like the request (Function.ResponseSizeTooLarge beyond). */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;
/** Zipped code uploaded directly in the request, and its unzipped size. */
export const MAX_ZIP_BYTES = 50 * 1024 * 1024;
export const MAX_UNZIPPED_BYTES = 250 * 1024 * 1024;
/** User environment variables, all keys and values together. */
export const MAX_ENVIRONMENT_BYTES = 4 * 1024;
export const MAX_FUNCTION_NAME_LENGTH = 64;
export const MAX_DESCRIPTION_LENGTH = 256;
export const MAX_TAGS = 50;
/** The part of an invocation's log returned by LogType Tail. */
export const LOG_TAIL_BYTES = 4 * 1024;
/** Client context header for synchronous invokes (base64). */
export const MAX_CLIENT_CONTEXT_BYTES = 3583;

export const DEFAULT_TIMEOUT_SECONDS = 3;
export const MIN_TIMEOUT_SECONDS = 1;
export const MAX_TIMEOUT_SECONDS = 900;
export const DEFAULT_MEMORY_MB = 128;
export const MIN_MEMORY_MB = 128;
export const MAX_MEMORY_MB = 10_240;
export const EPHEMERAL_STORAGE_MB = 512;

/** The runtimes this emulator runs (as Node.js processes). */
export const SUPPORTED_RUNTIMES = ["nodejs18.x", "nodejs20.x", "nodejs22.x", "nodejs24.x"] as const;
/**
 * Runtimes Lambda still creates functions with. The emulator accepts them as AWS does; a function
 * whose runtime it cannot run ends in state Failed (InvalidRuntime) and its invocations are refused.
 */
export const CREATABLE_RUNTIMES = [
  ...SUPPORTED_RUNTIMES,
  "nodejs26.x",
  "python3.9",
  "python3.10",
  "python3.11",
  "python3.12",
  "python3.13",
  "python3.14",
  "java8.al2",
  "java11",
  "java17",
  "java21",
  "java25",
  "dotnet8",
  "dotnet10",
  "ruby3.2",
  "ruby3.3",
  "ruby3.4",
  "provided.al2",
  "provided.al2023",
] as const;
/** Runtimes Lambda no longer creates or updates functions with, and what it recommends instead. */
export const BLOCKED_RUNTIMES: Record<string, string> = {
  nodejs: "nodejs22.x",
  "nodejs4.3": "nodejs22.x",
  "nodejs4.3-edge": "nodejs22.x",
  "nodejs6.10": "nodejs22.x",
  "nodejs8.10": "nodejs22.x",
  "nodejs10.x": "nodejs22.x",
  "nodejs12.x": "nodejs22.x",
  "nodejs14.x": "nodejs22.x",
  "nodejs16.x": "nodejs22.x",
  "python2.7": "python3.13",
  "python3.6": "python3.13",
  "python3.7": "python3.13",
  "python3.8": "python3.13",
  java8: "java21",
  "dotnetcore1.0": "dotnet8",
  "dotnetcore2.0": "dotnet8",
  "dotnetcore2.1": "dotnet8",
  "dotnetcore3.1": "dotnet8",
  dotnet6: "dotnet8",
  "go1.x": "provided.al2023",
  "ruby2.5": "ruby3.3",
  "ruby2.7": "ruby3.3",
  provided: "provided.al2023",
};

/** Asynchronous invocation (aws-behaviour.md §4.2). */
export const DEFAULT_MAX_RETRY_ATTEMPTS = 2;
export const MAX_RETRY_ATTEMPTS = 2;
export const DEFAULT_MAX_EVENT_AGE_SECONDS = 21_600;
export const MIN_EVENT_AGE_SECONDS = 60;
export const MAX_EVENT_AGE_SECONDS = 21_600;
/** AWS waits about 1 minute before the 2nd attempt and 2 minutes before the 3rd (scaled by retryWaitScale). */
export const ASYNC_RETRY_WAITS_MS = [60_000, 120_000];
/** Throttled or failed-to-start asynchronous invocations back off from 1 s up to 5 min. */
export const ASYNC_THROTTLE_BACKOFF_MIN_MS = 1_000;
export const ASYNC_THROTTLE_BACKOFF_MAX_MS = 300_000;
/** First 1 KB of the error message goes into a DLQ message's ErrorMessage attribute. */
export const DLQ_ERROR_MESSAGE_BYTES = 1024;

/** How long CreateFunction and updates stay Pending / InProgress before the function is ready. */
export const STATE_TRANSITION_MS = 50;
/** Init phase limit: an environment that has not asked for its first event by then is stopped. */
export const INIT_TIMEOUT_MS = 10_000;
/** An idle execution environment is stopped after this long (AWS recycles them too). */
export const IDLE_ENVIRONMENT_MS = 15 * 60_000;
/**
 * An idle environment passed over this long by invocations of its function (served by its other
 * environments) is stopped: the function's concurrency has dropped below its environment count.
 */
export const SURPLUS_IDLE_MS = 60_000;

export const LIST_DEFAULT_PAGE = 50;
export const LIST_MAX_ITEMS = 10_000;

/** Compact the journal once this many entries have been appended since the last snapshot. */
export const COMPACT_AFTER_ENTRIES = 500;

/** GetAccountSettings figures (AWS defaults for a new account). */
export const ACCOUNT_CONCURRENT_EXECUTIONS = 1000;
export const ACCOUNT_TOTAL_CODE_SIZE = 80 * 1024 * 1024 * 1024;
