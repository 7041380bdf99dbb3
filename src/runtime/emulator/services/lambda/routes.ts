import type { EmulatorRequest, EmulatorResponse } from "../../core/request.js";
import type { Operation } from "../../core/service.js";
import { parseRestJson, restJsonError, RestRouter } from "../../protocol/rest.js";
import type { InvokeOutput } from "./provider.js";

type Input = Record<string, unknown>;
type BuildInput = (request: EmulatorRequest, params: Record<string, string>) => Input;

/**
 * Lambda's restJson1 routes (aws-behaviour.md §1.3): each maps method + path onto an operation's
 * input (path labels, query string, JSON body) and renders its output with the operation's
 * success status. Invoke is special: raw payload in and out, metadata in headers.
 */
export function lambdaRoutes(operations: Record<string, Operation>): RestRouter {
  const router = new RestRouter();
  const route = (method: string, path: string, operation: string, status: number, build: BuildInput) =>
    router.add(method, path, async (request, params) => {
      try {
        const op = operations[operation];
        if (!op) throw new Error(`Lambda operation ${operation} is not wired`);
        const output = (await op(build(request, params), request.context)) as unknown;
        return render(status, status === 204 ? undefined : output, request);
      } catch (error) {
        return restJsonError(error, request.context.requestId);
      }
    });

  const fn =
    (extra: (request: EmulatorRequest) => Input = () => ({})): BuildInput =>
    (request, params) => ({ ...extra(request), FunctionName: params["name"], ...qualifier(request) });
  const body = (request: EmulatorRequest) => parseRestJson(request.body);
  const paging = (request: EmulatorRequest) => ({
    ...optional("Marker", request.query.get("Marker")),
    ...optional("MaxItems", request.query.get("MaxItems")),
  });

  const F = "/2015-03-31/functions";
  route("POST", F, "CreateFunction", 201, (request) => body(request));
  route("GET", F, "ListFunctions", 200, (request) => paging(request));
  route("GET", `${F}/:name`, "GetFunction", 200, fn());
  route("DELETE", `${F}/:name`, "DeleteFunction", 204, fn());
  route("GET", `${F}/:name/configuration`, "GetFunctionConfiguration", 200, fn());
  route("PUT", `${F}/:name/configuration`, "UpdateFunctionConfiguration", 200, fn(body));
  route("PUT", `${F}/:name/code`, "UpdateFunctionCode", 200, fn(body));
  route("POST", `${F}/:name/versions`, "PublishVersion", 201, fn(body));
  route("GET", `${F}/:name/versions`, "ListVersionsByFunction", 200, fn(paging));
  route("POST", `${F}/:name/aliases`, "CreateAlias", 201, fn(body));
  route("GET", `${F}/:name/aliases`, "ListAliases", 200, (request, params) => ({
    FunctionName: params["name"],
    ...paging(request),
    ...optional("FunctionVersion", request.query.get("FunctionVersion")),
  }));
  const alias =
    (extra: (request: EmulatorRequest) => Input = () => ({})): BuildInput =>
    (request, params) => ({
      ...extra(request),
      FunctionName: params["name"],
      Name: params["alias"],
    });
  route("GET", `${F}/:name/aliases/:alias`, "GetAlias", 200, alias());
  route("PUT", `${F}/:name/aliases/:alias`, "UpdateAlias", 200, alias(body));
  route("DELETE", `${F}/:name/aliases/:alias`, "DeleteAlias", 204, alias());
  route("POST", `${F}/:name/policy`, "AddPermission", 201, fn(body));
  route("GET", `${F}/:name/policy`, "GetPolicy", 200, fn());
  route("DELETE", `${F}/:name/policy/:sid`, "RemovePermission", 204, (request, params) => ({
    FunctionName: params["name"],
    StatementId: params["sid"],
    ...qualifier(request),
    ...optional("RevisionId", request.query.get("RevisionId")),
  }));

  const C = "/2019-09-25/functions";
  route("PUT", `${C}/:name/event-invoke-config`, "PutFunctionEventInvokeConfig", 200, fn(body));
  route("POST", `${C}/:name/event-invoke-config`, "UpdateFunctionEventInvokeConfig", 200, fn(body));
  route("GET", `${C}/:name/event-invoke-config`, "GetFunctionEventInvokeConfig", 200, fn());
  route("DELETE", `${C}/:name/event-invoke-config`, "DeleteFunctionEventInvokeConfig", 204, fn());
  route("GET", `${C}/:name/event-invoke-config/list`, "ListFunctionEventInvokeConfigs", 200, fn(paging));

  route("PUT", "/2017-10-31/functions/:name/concurrency", "PutFunctionConcurrency", 200, fn(body));
  route("DELETE", "/2017-10-31/functions/:name/concurrency", "DeleteFunctionConcurrency", 204, fn());
  route("GET", "/2019-09-30/functions/:name/concurrency", "GetFunctionConcurrency", 200, fn());

  const T = "/2017-03-31/tags/:arn";
  route("GET", T, "ListTags", 200, (_request, params) => ({ Resource: params["arn"] }));
  route("POST", T, "TagResource", 204, (request, params) => ({ ...body(request), Resource: params["arn"] }));
  route("DELETE", T, "UntagResource", 204, (request, params) => ({
    Resource: params["arn"],
    TagKeys: request.query.getAll("tagKeys"),
  }));

  route("GET", "/2016-08-19/account-settings", "GetAccountSettings", 200, () => ({}));

  router.add("POST", `${F}/:name/invocations`, async (request, params) => {
    try {
      const invoke = operations["Invoke"];
      if (!invoke) throw new Error("Lambda operation Invoke is not wired");
      const output = (await invoke(
        {
          FunctionName: params["name"],
          InvocationType: request.headers["x-amz-invocation-type"] ?? "RequestResponse",
          LogType: request.headers["x-amz-log-type"] ?? "None",
          ClientContext: request.headers["x-amz-client-context"],
          Payload: request.body,
          ...qualifier(request),
        },
        request.context,
      )) as InvokeOutput;
      const headers: Record<string, string> = {
        "content-type": "application/json",
        "x-amzn-requestid": request.context.requestId,
      };
      if (output.FunctionError) headers["x-amz-function-error"] = output.FunctionError;
      if (output.LogResult) headers["x-amz-log-result"] = output.LogResult;
      if (output.ExecutedVersion) headers["x-amz-executed-version"] = output.ExecutedVersion;
      return { status: output.StatusCode, headers, body: output.StatusCode === 200 ? output.Payload : "" };
    } catch (error) {
      return restJsonError(error, request.context.requestId);
    }
  });
  return router;
}

function qualifier(request: EmulatorRequest): Input {
  return optional("Qualifier", request.query.get("Qualifier"));
}

function optional(name: string, value: string | null): Input {
  return value === null ? {} : { [name]: value };
}

/** restJson1 success: JSON body with timestamps as epoch seconds (the protocol's default format). */
function render(status: number, output: unknown, request: EmulatorRequest): EmulatorResponse {
  return {
    status,
    headers: { "content-type": "application/json", "x-amzn-requestid": request.context.requestId },
    body: output === undefined ? "" : JSON.stringify(epochSeconds(output)),
  };
}

function epochSeconds(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(epochSeconds);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, epochSeconds(inner)]));
  }
  return value;
}
