import { ServiceError } from "../core/errors.js";
import type { EmulatorRequest, EmulatorResponse } from "../core/request.js";
import { toServiceError } from "./json.js";

/** restJson1 (Lambda) and plain REST (OpenSearch data plane): routes by method + path pattern. */
export type RouteHandler = (
  request: EmulatorRequest,
  params: Record<string, string>,
) => Promise<EmulatorResponse>;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: RouteHandler;
}

export class RestRouter {
  private readonly routes: Route[] = [];

  /** `path` uses `:name` for one segment and `:name+` for the rest of the path. */
  add(method: string, path: string, handler: RouteHandler): this {
    const names: string[] = [];
    const source = path
      .split("/")
      .map((segment) => {
        if (segment.startsWith(":")) {
          const greedy = segment.endsWith("+");
          names.push(greedy ? segment.slice(1, -1) : segment.slice(1));
          return greedy ? "(.+)" : "([^/]+)";
        }
        return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      })
      .join("/");
    this.routes.push({ method, pattern: new RegExp(`^${source}/?$`), names, handler });
    return this;
  }

  /** The matching route's result, or undefined when no route matches the path. */
  async dispatch(request: EmulatorRequest): Promise<EmulatorResponse | undefined> {
    let pathMatched = false;
    for (const route of this.routes) {
      const match = route.pattern.exec(request.path);
      if (!match) continue;
      pathMatched = true;
      if (route.method !== request.method) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => {
        params[name] = decodeURIComponent(match[i + 1] ?? "");
      });
      return route.handler(request, params);
    }
    if (pathMatched)
      throw new ServiceError(
        "MethodNotAllowedException",
        `${request.method} is not allowed on ${request.path}`,
        405,
      );
    return undefined;
  }
}

export function restJsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): EmulatorResponse {
  return {
    status,
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? "" : JSON.stringify(body),
  };
}

/** restJson1 error: `x-amzn-ErrorType` header plus a body with Type and Message (or message). */
export function restJsonError(error: unknown, requestId: string): EmulatorResponse {
  const e = toServiceError(error);
  return {
    status: e.status,
    headers: {
      "content-type": "application/json",
      "x-amzn-errortype": e.code,
      "x-amzn-requestid": requestId,
    },
    body: JSON.stringify({
      Type: e.senderFault ? "User" : "Service",
      Message: e.message,
      message: e.message,
      ...e.extra,
    }),
  };
}

export function parseRestJson(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(body.toString("utf8"));
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // fall through to the AWS error below
  }
  throw new ServiceError("InvalidRequestContentException", "Could not parse request body into json.", 400);
}
