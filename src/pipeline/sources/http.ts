import type * as z from "zod";
import { PermanentError, RetryableError, classifyHttpStatus } from "../model/index.js";
import { resolveRetryPolicy, parseRetryAfterMs, retryDelayMs } from "./backoff.js";
import type { RetryPolicy } from "./backoff.js";
import { systemClock } from "./clock.js";
import type { Clock } from "./clock.js";
import { TokenBucket } from "./rate-limiter.js";
import type { RateLimit } from "./rate-limiter.js";

export const DEFAULT_TIMEOUT_MS = 10_000;

/** Longest response body the client reads; a larger one is a permanent error, not an out-of-memory. */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** Why an attempt is being retried, for the caller's logs and counters. */
export interface RetryEvent {
  source: string;
  path: string;
  /** The attempt that failed (1 = the first). */
  attempt: number;
  delayMs: number;
  /** HTTP status, or undefined for a network failure or timeout. */
  status: number | undefined;
  reason: string;
  celebrityId: string | undefined;
}

export interface HttpClientOptions {
  /** Name used in error messages ("tmdb", "wikimedia"). */
  source: string;
  baseUrl: string;
  /** Sent with every request (Authorization, User-Agent, Accept). */
  headers?: Record<string, string>;
  /** Values never to show in an error message (API keys), replaced with "***". */
  secrets?: readonly (string | undefined)[];
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Client-side limit (a bucket may be shared by clients that share a budget); undefined = none. */
  rateLimit?: RateLimit | TokenBucket | undefined;
  fetch?: FetchLike;
  clock?: Clock;
  /** [0, 1) source for jitter; Math.random by default. */
  random?: () => number;
  onRetry?: (event: RetryEvent) => void;
}

export interface GetJsonOptions<T> {
  query?: Record<string, string | number | undefined>;
  /** Shape the response must have; a mismatch is a permanent error. */
  schema: z.ZodType<T>;
  /** The celebrity the request is for, carried into errors and retry events. */
  celebrityId?: string;
  /** Cancels the request and any wait; the abort reason is rethrown unchanged. */
  signal?: AbortSignal;
}

/** Outcome of one attempt that did not produce a value. */
interface FailedAttempt {
  status: number | undefined;
  reason: string;
  retryAfterMs: number | undefined;
  cause?: unknown;
}

const SNIPPET_CHARS = 200;

/**
 * JSON over HTTP for the source clients: per-request timeout, client-side rate limit, retries with
 * full-jitter backoff honouring Retry-After on 408/429/5xx, timeouts and network errors, and one
 * error classification. What outlives the retries is a RetryableError (the invocation fails and
 * Lambda retries it); a 4xx, an unreadable body or an unexpected shape is a PermanentError (the
 * celebrity is skipped). Messages name the source, method and path, never the query or a secret.
 */
export class HttpClient {
  readonly source: string;
  private readonly baseUrl: URL;
  private readonly headers: Record<string, string>;
  private readonly secrets: string[];
  private readonly timeoutMs: number;
  private readonly policy: RetryPolicy;
  private readonly limiter: TokenBucket | undefined;
  private readonly fetchImpl: FetchLike;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly onRetry: ((event: RetryEvent) => void) | undefined;

  constructor(options: HttpClientOptions) {
    this.source = options.source;
    this.baseUrl = parseBaseUrl(options.baseUrl, options.source);
    this.headers = { accept: "application/json", ...options.headers };
    this.secrets = (options.secrets ?? []).filter((s): s is string => typeof s === "string" && s.length >= 4);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isFinite(this.timeoutMs) || this.timeoutMs <= 0) {
      throw new Error(
        `${options.source}: timeout must be a number of milliseconds > 0; got ${options.timeoutMs}`,
      );
    }
    this.policy = resolveRetryPolicy(options.retry);
    this.clock = options.clock ?? systemClock;
    const limit = options.rateLimit;
    this.limiter =
      limit === undefined || limit instanceof TokenBucket ? limit : new TokenBucket(limit, this.clock);
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.random = options.random ?? Math.random;
    this.onRetry = options.onRetry;
  }

  /** The full URL of `path` (already percent-encoded) under the base URL. */
  url(path: string, query: GetJsonOptions<unknown>["query"] = {}): URL {
    const prefix = this.baseUrl.pathname.replace(/\/+$/, "");
    const url = new URL(`${prefix}${path.startsWith("/") ? path : `/${path}`}`, this.baseUrl);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  /** GET a JSON document; see the class comment for what is retried and how failures are classified. */
  async getJson<T>(path: string, options: GetJsonOptions<T>): Promise<T> {
    const result = await this.request(path, options, false);
    return result as T;
  }

  /** As getJson, but a 404 answers undefined instead of failing (for "no data" endpoints). */
  async getJsonOrNotFound<T>(path: string, options: GetJsonOptions<T>): Promise<T | undefined> {
    return this.request(path, options, true);
  }

  private async request<T>(
    path: string,
    options: GetJsonOptions<T>,
    allowNotFound: boolean,
  ): Promise<T | undefined> {
    const url = this.url(path, options.query);
    const what = `${this.source} GET ${url.pathname}`;
    const celebrityId = options.celebrityId;
    for (let attempt = 1; ; attempt += 1) {
      await this.limiter?.acquire(options.signal);
      const failure = await this.attempt(url, what, options, allowNotFound);
      if (!isFailure(failure)) return failure.value;
      if (attempt >= this.policy.maxAttempts) {
        const tries = attempt === 1 ? "1 attempt" : `${attempt} attempts`;
        throw new RetryableError(this.redact(`${what}: ${failure.reason} (gave up after ${tries})`), {
          status: failure.status,
          cause: failure.cause,
          celebrityId,
        });
      }
      const delayMs = retryDelayMs(attempt, this.policy, this.random, failure.retryAfterMs);
      this.onRetry?.({
        source: this.source,
        path: url.pathname,
        attempt,
        delayMs,
        status: failure.status,
        reason: this.redact(failure.reason),
        celebrityId,
      });
      await this.clock.sleep(delayMs, options.signal);
    }
  }

  /** One attempt: a value, a retryable failure, or a thrown PermanentError / caller abort. */
  private async attempt<T>(
    url: URL,
    what: string,
    options: GetJsonOptions<T>,
    allowNotFound: boolean,
  ): Promise<{ value: T | undefined } | FailedAttempt> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]);
    let response: Response;
    let body: string;
    try {
      response = await this.fetchImpl(url, {
        method: "GET",
        headers: this.headers,
        signal,
        redirect: "follow",
      });
      if (classifyHttpStatus(response.status) === "retryable" && response.status >= 400) {
        // Not awaited: cancelling frees the connection, and nothing here needs to wait for it.
        void response.body?.cancel().catch(() => undefined);
        return {
          status: response.status,
          reason: `HTTP ${response.status}`,
          retryAfterMs: parseRetryAfterMs(response.headers.get("retry-after"), this.clock.now()),
        };
      }
      body = await readBody(response, what);
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (error instanceof PermanentError) throw error;
      const timedOut = timeout.aborted;
      return {
        status: undefined,
        reason: timedOut
          ? `timed out after ${this.timeoutMs} ms`
          : `network error: ${describeNetworkError(error)}`,
        retryAfterMs: undefined,
        cause: error,
      };
    }
    if (response.status === 404 && allowNotFound) return { value: undefined };
    if (response.status < 200 || response.status >= 300) {
      throw new PermanentError(this.redact(`${what}: HTTP ${response.status}${snippet(body)}`), {
        status: response.status,
        celebrityId: options.celebrityId,
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch (error) {
      throw new PermanentError(this.redact(`${what}: response is not valid JSON${snippet(body)}`), {
        status: response.status,
        cause: error,
        celebrityId: options.celebrityId,
      });
    }
    const parsed = options.schema.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .slice(0, 3)
        .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
        .join("; ");
      throw new PermanentError(this.redact(`${what}: unexpected response shape (${issues})`), {
        status: response.status,
        cause: parsed.error,
        celebrityId: options.celebrityId,
      });
    }
    return { value: parsed.data };
  }

  private redact(message: string): string {
    let out = message;
    for (const secret of this.secrets) out = out.split(secret).join("***");
    return out;
  }
}

function isFailure<T>(outcome: { value: T | undefined } | FailedAttempt): outcome is FailedAttempt {
  return !("value" in outcome);
}

function parseBaseUrl(value: string, source: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(
      `${source}: base URL ${JSON.stringify(value)} is not a URL (expected e.g. https://host[:port])`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`${source}: base URL must be http or https; got ${url.protocol}`);
  }
  if (url.username !== "" || url.password !== "" || url.search !== "") {
    throw new Error(`${source}: base URL must not carry credentials or a query; pass the key as the API key`);
  }
  return url;
}

async function readBody(response: Response, what: string): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) {
    void response.body?.cancel().catch(() => undefined);
    throw new PermanentError(`${what}: response of ${declared} bytes exceeds ${MAX_BODY_BYTES}`, {
      status: response.status,
    });
  }
  const text = await response.text();
  if (text.length > MAX_BODY_BYTES) {
    throw new PermanentError(`${what}: response exceeds ${MAX_BODY_BYTES} bytes`, {
      status: response.status,
    });
  }
  return text;
}

function snippet(body: string): string {
  const text = body.replace(/\s+/g, " ").trim();
  if (text === "") return "";
  return `: ${text.length > SNIPPET_CHARS ? `${text.slice(0, SNIPPET_CHARS)}…` : text}`;
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const code =
    cause !== null && typeof cause === "object" && typeof (cause as { code?: unknown }).code === "string"
      ? (cause as { code: string }).code
      : undefined;
  return code === undefined ? error.message : `${error.message} (${code})`;
}
