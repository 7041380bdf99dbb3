import { snsErrors } from "./errors.js";
import {
  AWS_MANAGED_RETRY_POLICY,
  DEFAULT_HTTP_CONTENT_TYPE,
  DEFAULT_HTTP_RETRY_POLICY,
  type RetryPolicy,
} from "./limits.js";

/**
 * Delivery policies (sns-message-delivery-retries): every retry falls in one of four phases, in
 * order: immediate (no delay), pre-backoff (minDelayTarget apart), backoff (from minDelayTarget up
 * to maxDelayTarget along backoffFunction) and post-backoff (maxDelayTarget apart). Only HTTP/S
 * policies can be changed: a topic's `http.defaultHealthyRetryPolicy`, overridden by a
 * subscription's `healthyRetryPolicy` unless the topic sets `disableSubscriptionOverrides`.
 * AWS draws the backoff curves without giving formulas; the emulator's are: linear, arithmetic
 * (quadratic), geometric (constant ratio) and exponential (doubling), all from min to max.
 */

export const BACKOFF_FUNCTIONS = ["linear", "arithmetic", "geometric", "exponential"] as const;

/** Seconds to wait before retry number `retry` (1 = the first retry). */
export function retryDelaySeconds(policy: RetryPolicy, retry: number): number {
  const { numNoDelayRetries: none, numMinDelayRetries: pre, numMaxDelayRetries: post } = policy;
  if (retry <= none) return 0;
  if (retry <= none + pre) return policy.minDelayTarget;
  const backoff = Math.max(0, policy.numRetries - none - pre - post);
  const index = retry - none - pre;
  if (index > backoff) return policy.maxDelayTarget;
  const { minDelayTarget: min, maxDelayTarget: max } = policy;
  const t = backoff <= 1 ? 1 : (index - 1) / (backoff - 1);
  switch (policy.backoffFunction) {
    case "linear":
      return min + (max - min) * t;
    case "arithmetic":
      return min + (max - min) * t * t;
    case "geometric":
      return min > 0 ? min * Math.pow(max / min, t) : max * t;
    case "exponential":
      return min + (max - min) * ((Math.pow(2, t * 6) - 1) / 63);
  }
}

export interface EffectiveHttpPolicy {
  retry: RetryPolicy;
  contentType: string;
}

interface HttpPolicyJson {
  healthyRetryPolicy?: Partial<RetryPolicy>;
  requestPolicy?: { headerContentType?: string };
}

interface TopicPolicyJson {
  http?: {
    defaultHealthyRetryPolicy?: Partial<RetryPolicy>;
    disableSubscriptionOverrides?: boolean;
    defaultRequestPolicy?: { headerContentType?: string };
  };
}

function parse<T>(text: string | undefined): T | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/** The policy an HTTP/S delivery follows, from the topic's and the subscription's DeliveryPolicy. */
export function effectiveHttpPolicy(topicPolicy?: string, subscriptionPolicy?: string): EffectiveHttpPolicy {
  const topic = parse<TopicPolicyJson>(topicPolicy)?.http;
  const sub = topic?.disableSubscriptionOverrides ? undefined : parse<HttpPolicyJson>(subscriptionPolicy);
  const retry = {
    ...DEFAULT_HTTP_RETRY_POLICY,
    ...topic?.defaultHealthyRetryPolicy,
    ...sub?.healthyRetryPolicy,
  } as RetryPolicy;
  const contentType =
    sub?.requestPolicy?.headerContentType ??
    topic?.defaultRequestPolicy?.headerContentType ??
    DEFAULT_HTTP_CONTENT_TYPE;
  return { retry, contentType };
}

export function retryPolicyFor(
  protocol: string,
  topicPolicy?: string,
  subscriptionPolicy?: string,
): RetryPolicy {
  if (protocol === "http" || protocol === "https") {
    return effectiveHttpPolicy(topicPolicy, subscriptionPolicy).retry;
  }
  return AWS_MANAGED_RETRY_POLICY;
}

/** The topic's EffectiveDeliveryPolicy attribute. */
export function effectiveTopicDeliveryPolicy(topicPolicy?: string): string {
  const effective = effectiveHttpPolicy(topicPolicy);
  const topic = parse<TopicPolicyJson>(topicPolicy)?.http;
  return JSON.stringify({
    http: {
      defaultHealthyRetryPolicy: effective.retry,
      disableSubscriptionOverrides: topic?.disableSubscriptionOverrides ?? false,
      defaultRequestPolicy: { headerContentType: effective.contentType },
    },
  });
}

/** A subscription's EffectiveDeliveryPolicy attribute (http/https subscriptions). */
export function effectiveSubscriptionDeliveryPolicy(
  topicPolicy?: string,
  subscriptionPolicy?: string,
): string {
  const effective = effectiveHttpPolicy(topicPolicy, subscriptionPolicy);
  return JSON.stringify({
    healthyRetryPolicy: effective.retry,
    requestPolicy: { headerContentType: effective.contentType },
  });
}

const INTEGER_FIELDS = [
  "numRetries",
  "numNoDelayRetries",
  "numMinDelayRetries",
  "numMaxDelayRetries",
  "minDelayTarget",
  "maxDelayTarget",
] as const;

/** Checks a DeliveryPolicy as SetTopicAttributes / SetSubscriptionAttributes do. */
export function validateDeliveryPolicy(text: string, level: "topic" | "subscription", prefix: string): void {
  const fail = (why: string) => snsErrors.invalidParameter(`${prefix}DeliveryPolicy: ${why}`);
  const parsed = parse<Record<string, unknown>>(text);
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw fail("failed to parse JSON.");
  const retry =
    level === "topic"
      ? (parsed as TopicPolicyJson).http?.defaultHealthyRetryPolicy
      : (parsed as HttpPolicyJson).healthyRetryPolicy;
  if (retry === undefined) return;
  for (const field of INTEGER_FIELDS) {
    const value = retry[field];
    if (value !== undefined && (!Number.isInteger(value) || (value as number) < 0)) {
      throw fail(`${field} must be a non-negative integer`);
    }
  }
  const merged = { ...DEFAULT_HTTP_RETRY_POLICY, ...retry };
  if (!(BACKOFF_FUNCTIONS as readonly string[]).includes(merged.backoffFunction)) {
    throw fail(`backoffFunction must be one of ${BACKOFF_FUNCTIONS.join(", ")}`);
  }
  if (merged.minDelayTarget < 1 || merged.minDelayTarget > merged.maxDelayTarget) {
    throw fail("minDelayTarget must be at least 1 and not above maxDelayTarget");
  }
  if (merged.numNoDelayRetries + merged.numMinDelayRetries + merged.numMaxDelayRetries > merged.numRetries) {
    throw fail("numRetries must be at least the sum of the phase retries");
  }
  let total = 0;
  for (let n = 1; n <= merged.numRetries; n++) total += retryDelaySeconds(merged, n);
  if (total > 3600) throw fail("the total retry time of an HTTP/S policy cannot exceed 3600 seconds");
}
