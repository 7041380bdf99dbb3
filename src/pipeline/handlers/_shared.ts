import { Logger } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";
import { HANDLER_ENV } from "../stack/handler-env.js";
import type { HandlerEnv, HandlerEnvKey } from "../stack/handler-env.js";

/**
 * Glue every handler shares: reading its environment, the structured logger, the correlation id.
 * Handlers are built by `createHandler(env, overrides)`; the module's `handler` export is the same
 * thing built from process.env once per cold start.
 */

/** A handler's environment lacks a variable or holds an invalid value. */
export class HandlerConfigError extends Error {
  override readonly name = "HandlerConfigError";
}

const SECRET_KEYS: readonly HandlerEnvKey[] = ["sourceApiKey"];

export function requireEnv(env: HandlerEnv, key: HandlerEnvKey): string {
  const value = env[HANDLER_ENV[key]];
  if (value === undefined || value.trim() === "") {
    throw new HandlerConfigError(
      `environment variable ${HANDLER_ENV[key]} is not set: deploy sets it from the stack declaration; ` +
        `for an in-process run pass the function's environment from defineStack(...).functions`,
    );
  }
  return value;
}

export function optionalEnv(env: HandlerEnv, key: HandlerEnvKey): string | undefined {
  const value = env[HANDLER_ENV[key]];
  return value === undefined || value.trim() === "" ? undefined : value;
}

export function positiveIntegerEnv(env: HandlerEnv, key: HandlerEnvKey, fallback: number): number {
  const raw = optionalEnv(env, key);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new HandlerConfigError(
      `environment variable ${HANDLER_ENV[key]} must be a positive integer; got "${raw}"`,
    );
  }
  return value;
}

/** The handler environment with secrets masked, safe to log. */
export function loggableEnv(env: HandlerEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(HANDLER_ENV) as HandlerEnvKey[]) {
    const value = env[HANDLER_ENV[key]];
    if (value === undefined) continue;
    out[HANDLER_ENV[key]] = SECRET_KEYS.includes(key) ? "***" : value;
  }
  return out;
}

const LOG_LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "CRITICAL", "SILENT"] as const;
type LogLevelName = (typeof LOG_LEVELS)[number];

/**
 * The structured JSON logger. Service name and level come from the env record passed in (the
 * stack sets POWERTOOLS_SERVICE_NAME / POWERTOOLS_LOG_LEVEL), not from process.env, so an in-process
 * run logs like the deployed function.
 */
export function createLogger(env: HandlerEnv, defaultServiceName: string): Logger {
  const level = (optionalEnv(env, "logLevel") ?? "INFO").toUpperCase();
  return new Logger({
    serviceName: optionalEnv(env, "serviceName") ?? defaultServiceName,
    logLevel: (LOG_LEVELS as readonly string[]).includes(level) ? (level as LogLevelName) : "INFO",
  });
}

interface StreamLikeEvent {
  Records?: {
    eventID?: string;
    dynamodb?: { SequenceNumber?: string };
    messageAttributes?: { runId?: { stringValue?: string } };
  }[];
}

interface EventBridgeLikeEvent {
  id?: string;
}

/**
 * The correlation id of an invocation: the EventBridge event id for scheduled/manual scrapes (all
 * four scrapers of one trigger share it), the run id a shard message carries for a worker's batch,
 * the first record's eventID for a stream batch, else the Lambda request id.
 */
export function correlationIdOf(event: unknown, context?: Pick<Context, "awsRequestId">): string | undefined {
  if (event !== null && typeof event === "object") {
    const records = (event as StreamLikeEvent).Records;
    if (Array.isArray(records) && typeof records[0]?.eventID === "string") return records[0].eventID;
    const runId = Array.isArray(records) ? records[0]?.messageAttributes?.runId?.stringValue : undefined;
    if (typeof runId === "string" && runId !== "") return runId;
    const id = (event as EventBridgeLikeEvent).id;
    if (typeof id === "string" && id !== "") return id;
  }
  return context?.awsRequestId;
}

/**
 * Starts an invocation's logging: Lambda context (request id, cold start) and the correlation id as
 * temporary keys, cleared at the next invocation so nothing leaks from one event into another.
 */
export function beginInvocation(
  logger: Logger,
  event: unknown,
  context: Context | undefined,
): string | undefined {
  logger.resetKeys();
  if (context !== undefined) logger.addContext(context);
  const correlationId = correlationIdOf(event, context);
  if (correlationId !== undefined) logger.appendKeys({ correlation_id: correlationId });
  return correlationId;
}

/** A message for logs and reports from anything thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Builds a module's default `handler` from process.env at cold start. When the environment is
 * incomplete (the module imported only for `createHandler`), the error is kept and thrown by the
 * first invocation instead of at import.
 */
export function handlerFromProcessEnv<E, C, R>(
  create: () => (event: E, context?: C) => Promise<R>,
): (event: E, context?: C) => Promise<R> {
  let built: ((event: E, context?: C) => Promise<R>) | undefined;
  let failure: unknown;
  try {
    built = create();
  } catch (error) {
    failure = error;
  }
  return async (event, context) => {
    if (built === undefined) throw failure;
    return built(event, context);
  };
}
