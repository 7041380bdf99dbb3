import { SOURCE_USER_AGENT } from "./endpoints.js";
import type { HttpClientOptions } from "./http.js";
import type { SourceClientConfig } from "./types.js";

/**
 * The HttpClient options every source client takes from its config the same way: our user agent,
 * timeout, retry policy and the injectable fetch, clock, jitter source and retry hook. Each client
 * adds its name, base URL and rate limit (and TMDB its bearer token).
 */
export function sourceRequestOptions(config: SourceClientConfig): Omit<
  HttpClientOptions,
  "source" | "baseUrl" | "rateLimit" | "secrets"
> & {
  headers: Record<string, string>;
} {
  return {
    headers: { "user-agent": SOURCE_USER_AGENT },
    timeoutMs: config.timeoutMs,
    retry: config.retry,
    fetch: config.fetch,
    clock: config.clock,
    random: config.random,
    onRetry: config.onRetry,
  };
}
