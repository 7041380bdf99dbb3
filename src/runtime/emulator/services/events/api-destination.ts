import type { ConnectionAuthorizer } from "./connection-auth.js";
import { DeliveryError } from "./delivery-error.js";
import { API_DESTINATION_RETRIED_STATUSES, API_DESTINATION_TIMEOUT_MS } from "./limits.js";
import { scopedKey, type ConnectionHttpParameter, type Target } from "./models.js";
import type { EventsStore } from "./store.js";

const NO_BODY_METHODS = new Set(["GET", "HEAD"]);

/**
 * Sends an event to an API destination target as EventBridge does: an HTTP request with the
 * destination's method to its endpoint (each `*` in the path replaced by the target's
 * PathParameterValues), the connection's authorization (Basic, API key header or OAuth bearer
 * token) and its invocation header, query and body parameters, then the target's own header and
 * query parameters. The body is the event (or the target's transformed input) as JSON.
 *
 * Answers EventBridge retries: 401, 407, 409, 429 and 5xx, timeouts (5 s) and connection
 * failures. Any other status is final and the event goes to the target's DLQ at once.
 */
export class ApiDestinationInvoker {
  constructor(
    private readonly store: () => EventsStore,
    private readonly auth: ConnectionAuthorizer,
  ) {}

  async invoke(target: Target, input: string): Promise<void> {
    const destination = this.findByArn("apiDestination", "api-destination", target.Arn);
    if (!destination) {
      throw new DeliveryError("NO_RESOURCE", `The API destination ${target.Arn} does not exist.`, false);
    }
    const connection = this.findByArn("connection", "connection", destination.connectionArn);
    if (!connection) {
      throw new DeliveryError(
        "NO_RESOURCE",
        `The connection ${destination.connectionArn} of API destination ${destination.name} does not exist.`,
        false,
      );
    }
    if (connection.state !== "AUTHORIZED") {
      throw new DeliveryError(
        "SDK_CLIENT_ERROR",
        `The connection ${connection.name} is ${connection.state}, not AUTHORIZED: update it to authorize it again.`,
        false,
      );
    }
    const url = new URL(fillPath(destination.invocationEndpoint, target.HttpParameters?.PathParameterValues));
    const invocation = connection.authParameters.InvocationHttpParameters;
    for (const p of invocation?.QueryStringParameters ?? [])
      if (p.Key) url.searchParams.append(p.Key, p.Value ?? "");
    for (const [key, value] of Object.entries(target.HttpParameters?.QueryStringParameters ?? {})) {
      url.searchParams.append(key, value);
    }
    const headers: Record<string, string> = {
      "content-type": "application/json; charset=utf-8",
      "user-agent": "Amazon/EventBridge/ApiDestinations",
    };
    for (const p of invocation?.HeaderParameters ?? [])
      if (p.Key) headers[p.Key.toLowerCase()] = p.Value ?? "";
    for (const [key, value] of Object.entries(target.HttpParameters?.HeaderParameters ?? {})) {
      headers[key.toLowerCase()] = value;
    }
    let authorization: Record<string, string>;
    try {
      authorization = await this.auth.headers(connection);
    } catch (error) {
      throw new DeliveryError("SDK_CLIENT_ERROR", describe(error), false);
    }
    Object.assign(headers, authorization);
    const method = destination.httpMethod;
    const body = NO_BODY_METHODS.has(method)
      ? undefined
      : withBodyParameters(input, invocation?.BodyParameters);

    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body,
        signal: AbortSignal.timeout(API_DESTINATION_TIMEOUT_MS),
      });
      await response.arrayBuffer();
    } catch (error) {
      const timedOut = error instanceof Error && error.name === "TimeoutError";
      throw new DeliveryError(
        timedOut ? "TIMEOUT" : "CONNECTION_FAILURE",
        timedOut
          ? `The API destination endpoint ${url.origin} did not answer within ${API_DESTINATION_TIMEOUT_MS / 1000} seconds.`
          : `Unable to invoke the API destination endpoint ${url.origin}: ${describe(error)}`,
        true,
      );
    }
    if (response.ok) return;
    if (response.status === 401) this.auth.forget(connection);
    const retried = response.status >= 500 || API_DESTINATION_RETRIED_STATUSES.includes(response.status);
    throw new DeliveryError(
      response.status === 429 ? "THROTTLING" : "ERROR_FROM_TARGET",
      `The API destination endpoint answered HTTP ${response.status}.`,
      retried,
    );
  }

  private findByArn<K extends "apiDestination" | "connection">(kind: K, resource: string, arn: string) {
    const match = new RegExp(
      `^arn:aws[\\w-]*:events:([^:]+):(\\d{12}):${resource}/([^/]+)/[-A-Za-z0-9]+$`,
    ).exec(arn);
    if (!match) return undefined;
    const record = this.store().resource(kind, scopedKey(match[2]!, match[1]!, match[3]!));
    return record && record.arn === arn ? record : undefined;
  }
}

function fillPath(endpoint: string, values: string[] | undefined): string {
  let i = 0;
  return endpoint.replace(/\*/g, () => encodeURIComponent(values?.[i++] ?? ""));
}

/** The connection's body parameters join a JSON object body (other bodies are sent as they are). */
function withBodyParameters(input: string, parameters: ConnectionHttpParameter[] | undefined): string {
  if (!parameters?.length) return input;
  let body: unknown;
  try {
    body = JSON.parse(input);
  } catch {
    return input;
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) return input;
  const merged: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  for (const p of parameters) if (p.Key) merged[p.Key] = p.Value ?? "";
  return JSON.stringify(merged);
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
