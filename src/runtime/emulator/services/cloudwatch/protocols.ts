import { cbor, tag } from "@smithy/core/cbor";
import { commonErrors } from "../../core/errors.js";
import type { EmulatorRequest, EmulatorResponse } from "../../core/request.js";
import type { Operation } from "../../core/service.js";
import {
  awsJsonError,
  jsonResponse,
  operationFromTarget,
  parseJsonBody,
  toServiceError,
} from "../../protocol/json.js";
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

/**
 * Operations whose output is a structure with no members: CloudWatch still answers an empty
 * `<OpResult/>` element, and botocore's query parser (the AWS CLI where it speaks the query protocol,
 * as v2 2.9 does) fails without it.
 * Operations with no output at all (PutMetricAlarm, PutMetricData, ...) answer no Result element.
 */
const EMPTY_RESULT_ACTIONS = new Set(["DeleteDashboards", "TagResource", "UntagResource"]);

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
    const inner =
      Object.keys(output ?? {}).length > 0
        ? toXml(output, { flattened: false })
        : EMPTY_RESULT_ACTIONS.has(action)
          ? ""
          : undefined;
    return xmlResponse(action, XML_NAMESPACE, inner, requestId);
  } catch (error) {
    return xmlError(error, XML_NAMESPACE, requestId, (e) => legacyCode(e.code));
  }
}

/**
 * Smithy RPCv2 CBOR (`POST /service/GraniteServiceVersion20100801/operation/<Op>`), what newer
 * Java and Go SDKs send. Timestamps travel as CBOR tag 1 (epoch seconds); errors carry `__type`
 * and, as the service is query-compatible, `x-amzn-query-error`.
 */
export async function handleCbor(
  request: EmulatorRequest,
  operations: Record<string, Operation>,
): Promise<EmulatorResponse> {
  const headers: Record<string, string> = {
    "content-type": "application/cbor",
    "smithy-protocol": "rpc-v2-cbor",
  };
  try {
    const op = /\/operation\/([^/]+)$/.exec(request.path)?.[1];
    const operation = op ? operations[op] : undefined;
    if (!op || !operation) throw commonErrors.unknownOperation("cloudwatch", op ?? "(none)");
    let input: unknown = {};
    if (request.body.length > 0) {
      try {
        input = fromCbor(cbor.deserialize(new Uint8Array(request.body)));
      } catch {
        throw commonErrors.serialization("The request body is not valid CBOR.");
      }
    }
    if (input === null || typeof input !== "object" || Array.isArray(input)) {
      throw commonErrors.serialization("The request body must be a CBOR map.");
    }
    const output = await operation(input, request.context);
    return { status: 200, headers, body: Buffer.from(cbor.serialize(toCbor(output ?? {}))) };
  } catch (error) {
    const e = toServiceError(error);
    headers["x-amzn-query-error"] = `${legacyCode(e.code)};${e.senderFault ? "Sender" : "Receiver"}`;
    headers["x-amzn-requestid"] = request.context.requestId;
    return {
      status: e.status,
      headers,
      body: Buffer.from(
        cbor.serialize({ __type: `com.amazonaws.cloudwatch#${e.code}`, message: e.message, ...e.extra }),
      ),
    };
  }
}

/** CBOR tag 1 (epoch seconds) becomes a Date; bigints become numbers. */
function fromCbor(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (Array.isArray(value)) return value.map(fromCbor);
  if (value instanceof Uint8Array) return value;
  if (value && typeof value === "object") {
    const v = value as Record<string, unknown>;
    if ("tag" in v && "value" in v && Object.keys(v).length === 2) {
      return v["tag"] === 1 || v["tag"] === BigInt(1)
        ? new Date(Number(v["value"]) * 1000)
        : fromCbor(v["value"]);
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromCbor(x)]));
  }
  return value;
}

function toCbor(value: unknown): unknown {
  if (value instanceof Date) return tag({ tag: 1, value: value.getTime() / 1000 });
  if (Array.isArray(value)) return value.map(toCbor);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, toCbor(v)]),
    );
  }
  return value;
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
