import type { Celebrity, SourceDataOf, SourceName } from "../model/index.js";
import type { RetryPolicy } from "./backoff.js";
import type { Clock } from "./clock.js";
import type { FetchLike, RetryEvent } from "./http.js";
import type { TokenBucket } from "./rate-limiter.js";

/** Fetches one celebrity's data from one source and normalises it into the model's shape. */
export interface SourceClient<S extends SourceName = SourceName> {
  readonly source: S;
  /**
   * Throws PermanentError when the celebrity cannot be found or the answer is unusable, and
   * RetryableError when the source failed beyond the client's retries.
   */
  fetch(celebrity: Celebrity, signal?: AbortSignal): Promise<SourceDataOf<S>>;
}

/** A client for some source (a union, since SourceClient is invariant in its source). */
export type AnySourceClient = { [S in SourceName]: SourceClient<S> }[SourceName];

export interface SourceClientConfig {
  /** Defaults to the real API (SOURCE_DEFAULTS). */
  baseUrl?: string | undefined;
  auxBaseUrl?: string | undefined;
  /** Token or key; required by TMDB, ignored by the others. Never logged. */
  apiKey?: string | undefined;
  /** Requests per second; defaults per source (SOURCE_DEFAULTS). */
  rateLimitPerSecond?: number | undefined;
  /** The bucket to draw from, when the caller keeps one (it wins over rateLimitPerSecond). */
  rateLimiter?: TokenBucket | undefined;
  timeoutMs?: number | undefined;
  retry?: Partial<RetryPolicy> | undefined;
  fetch?: FetchLike | undefined;
  clock?: Clock | undefined;
  random?: (() => number) | undefined;
  onRetry?: ((event: RetryEvent) => void) | undefined;
}
