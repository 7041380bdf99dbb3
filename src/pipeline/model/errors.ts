/**
 * Error classes shared by the sources and the stages. The distinction drives where a failure goes:
 * a RetryableError fails the invocation (Lambda retries it, then dead-letters the event); a
 * PermanentError is about one celebrity's data and is logged, counted and skipped.
 */

export interface PipelineErrorOptions {
  cause?: unknown;
  /** The celebrity the failure concerns, when it concerns one. */
  celebrityId?: string;
  /** HTTP status that caused it, when there was one. */
  status?: number;
}

abstract class PipelineError extends Error {
  abstract readonly retryable: boolean;
  readonly celebrityId: string | undefined;
  readonly status: number | undefined;

  constructor(message: string, options: PipelineErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.celebrityId = options.celebrityId;
    this.status = options.status;
  }
}

/** Network failure, timeout, 429 or 5xx that outlived the client's own retries. */
export class RetryableError extends PipelineError {
  override readonly name = "RetryableError";
  readonly retryable = true;
}

/** Invalid or incomplete data, or a 4xx other than 429: retrying would give the same answer. */
export class PermanentError extends PipelineError {
  override readonly name = "PermanentError";
  readonly retryable = false;
}

export type ErrorClass = "retryable" | "permanent";

/** How an HTTP status should be treated: 408, 429 and 5xx retryable, other 4xx permanent. */
export function classifyHttpStatus(status: number): ErrorClass {
  return status === 408 || status === 429 || status >= 500 ? "retryable" : "permanent";
}

const RETRYABLE_NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

function errorCode(error: unknown): string | undefined {
  if (error === null || typeof error !== "object") return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") return code;
  return errorCode((error as { cause?: unknown }).cause);
}

/**
 * True for failures of the connection rather than of the request: timeouts, aborts and socket
 * errors (fetch's TypeError carries the socket error code in `cause`). Source clients retry these
 * themselves before giving up with a RetryableError.
 */
export function isTransientNetworkError(error: unknown): boolean {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return true;
  const code = errorCode(error);
  return code !== undefined && RETRYABLE_NETWORK_CODES.has(code);
}

/**
 * Classifies any thrown value: a PermanentError is permanent, everything else retryable. An unknown
 * error is most likely an outage or a bug; failing the invocation makes it visible (Lambda retries,
 * the DLQ, the alarm) instead of silently counting it against one celebrity.
 */
export function classifyError(error: unknown): ErrorClass {
  return error instanceof PermanentError ? "permanent" : "retryable";
}

export function isRetryable(error: unknown): boolean {
  return classifyError(error) === "retryable";
}
