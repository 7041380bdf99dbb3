import { commonErrors } from "../../core/errors.js";
import type { EmulatorRequest, EmulatorResponse } from "../../core/request.js";
import type { Operation } from "../../core/service.js";
import { awsJsonError, jsonResponse, operationFromTarget, parseJsonBody } from "../../protocol/json.js";
import { queryParams, toXml, xmlError, xmlResponse } from "../../protocol/query.js";
import { legacyCode } from "./errors.js";

const XML_NAMESPACE = "http://monitoring.amazonaws.com/doc/2010-08-01/";
const JSON_PROTOCOL = {
  version: "1.0" as const,
  errorNamespace: "com.amazonaws.cloudwatch",
  queryCompatible: { legacyCode },
};

/** awsJson 1.0, query-compatible: what the JS SDK v3 and botocore >= 1.42.7 send. */
export async function handleJson(
  request: EmulatorRequest,
  operations: Record<string, Operation>,
): Promise<EmulatorResponse> {
  try {
    const op = operationFromTarget(request.headers["x-amz-target"]);
    const operation = op ? operations[op] : undefined;
    if (!op || !operation) throw commonErrors.unknownOperation("cloudwatch", op ?? "(none)");
    const output = await operation(parseJsonBody(request.body), request.context);
    return jsonResponse(200, toJsonWire(output ?? {}), "1.0");
  } catch (error) {
    return awsJsonError(error, JSON_PROTOCOL, request.context.requestId);
  }
}

/** The query protocol (`Action=<Op>&Version=2010-08-01`, `member.N` lists): older SDKs and CLIs. */
export async function handleQuery(
  request: EmulatorRequest,
  operations: Record<string, Operation>,
): Promise<EmulatorResponse> {
  const requestId = request.context.requestId;
  try {
    const params = queryParams(request);
    const action = params["Action"] ?? "";
    const operation = operations[action];
    if (!operation) throw commonErrors.unknownOperation("cloudwatch", action || "(no Action)");
    const output = (await operation(decodeNestedQuery(params), request.context)) as Record<string, unknown>;
    const inner = Object.keys(output ?? {}).length > 0 ? toXml(output, { flattened: false }) : undefined;
    return xmlResponse(action, XML_NAMESPACE, inner, requestId);
  } catch (error) {
    return xmlError(error, XML_NAMESPACE, requestId, (e) => legacyCode(e.code));
  }
}

/** JSON protocol timestamps are epoch seconds. */
export function toJsonWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toJsonWire);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonWire(v)]));
  }
  return value;
}

/**
 * Query parameters to the structured input: `A.member.2.B.C=x` becomes `{ A: [, { B: { C: "x" } }] }`
 * (holes dropped); scalars stay strings, which the provider's input readers convert.
 */
export function decodeNestedQuery(params: Record<string, string>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    if (key === "Action" || key === "Version") continue;
    const raw = key.split(".");
    const path: (string | number)[] = [];
    for (let n = 0; n < raw.length; n++) {
      const segment = raw[n]!;
      if (segment === "member" && /^\d+$/.test(raw[n + 1] ?? "")) {
        path.push(Number(raw[n + 1]) - 1);
        n++;
      } else path.push(segment);
    }
    let node: Record<string | number, unknown> = root;
    for (let n = 0; n < path.length - 1; n++) {
      const segment = path[n]!;
      const nextIsIndex = typeof path[n + 1] === "number";
      if (node[segment] === undefined || typeof node[segment] !== "object")
        node[segment] = nextIsIndex ? [] : {};
      node = node[segment] as Record<string | number, unknown>;
    }
    node[path[path.length - 1]!] = value;
  }
  return compactArrays(root) as Record<string, unknown>;
}

function compactArrays(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(compactArrays);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, compactArrays(v)]));
  }
  return value;
}
