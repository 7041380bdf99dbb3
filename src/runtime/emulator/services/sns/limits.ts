/** SNS quotas and fixed values the emulator keeps (AWS's documented numbers). */

/** Publish and PublishBatch: message plus attributes, 256 KiB. */
export const MAX_MESSAGE_BYTES = 262_144;
export const MAX_SUBJECT_LENGTH = 100;
export const MAX_BATCH_ENTRIES = 10;
export const MAX_BATCH_ENTRY_ID_LENGTH = 80;
export const MAX_MESSAGE_ATTRIBUTE_NAME_LENGTH = 256;
export const MAX_TOPIC_NAME_LENGTH = 256;
export const MAX_TAGS_PER_TOPIC = 50;
export const LIST_PAGE_SIZE = 100;

/** Filter policies: five keys, 150 combinations, 256 KiB. */
export const MAX_FILTER_POLICY_KEYS = 5;
export const MAX_FILTER_POLICY_COMBINATIONS = 150;
export const MAX_FILTER_POLICY_BYTES = 262_144;

/** SNS waits at most 15 s for an HTTP/S endpoint to answer before counting the attempt as failed. */
export const HTTP_TIMEOUT_MS = 15_000;
/** Subscription confirmation tokens stay valid three days. */
export const CONFIRMATION_TOKEN_TTL_MS = 3 * 24 * 60 * 60 * 1000;
/** Recorded e-mails (the emulator's outbox) kept per emulator. */
export const MAX_OUTBOX_ENTRIES = 1_000;
export const COMPACT_AFTER_ENTRIES = 5_000;

export const PROTOCOLS = [
  "http",
  "https",
  "email",
  "email-json",
  "sms",
  "sqs",
  "application",
  "lambda",
  "firehose",
] as const;
/** Protocols the emulator delivers to; the others are accepted by AWS but need phones or apps. */
export const DELIVERED_PROTOCOLS = ["http", "https", "email", "email-json", "sqs", "lambda"] as const;

/**
 * Retry policies SNS applies per endpoint kind (sns-message-delivery-retries): AWS-managed
 * endpoints (SQS, Lambda) 3 immediate, 2 at 1 s, 10 backing off 1 s -> 20 s, then 100,000 at 20 s;
 * HTTP/S by default 3 retries 20 s apart (changeable with a DeliveryPolicy).
 */
export interface RetryPolicy {
  numRetries: number;
  numNoDelayRetries: number;
  numMinDelayRetries: number;
  numMaxDelayRetries: number;
  minDelayTarget: number;
  maxDelayTarget: number;
  backoffFunction: "linear" | "arithmetic" | "geometric" | "exponential";
}

export const AWS_MANAGED_RETRY_POLICY: RetryPolicy = {
  numRetries: 100_015 - 1,
  numNoDelayRetries: 3,
  numMinDelayRetries: 2,
  numMaxDelayRetries: 100_000,
  minDelayTarget: 1,
  maxDelayTarget: 20,
  backoffFunction: "exponential",
};

export const DEFAULT_HTTP_RETRY_POLICY: RetryPolicy = {
  numRetries: 3,
  numNoDelayRetries: 0,
  numMinDelayRetries: 0,
  numMaxDelayRetries: 0,
  minDelayTarget: 20,
  maxDelayTarget: 20,
  backoffFunction: "linear",
};

export const DEFAULT_HTTP_CONTENT_TYPE = "text/plain; charset=UTF-8";
