import { ServiceError } from "../../core/errors.js";
import type { EmulatorRequest, EmulatorResponse } from "../../core/request.js";
import type { Operation } from "../../core/service.js";
import { queryParams, xmlError, xmlEscape, xmlResponse } from "../../protocol/query.js";

/**
 * SNS speaks only the query protocol (`Action=<Op>&Version=2010-03-31`, form-encoded, XML
 * answers): it is what the JS SDK v3 (AwsQueryProtocol) and the AWS CLI v2 send; SNS has no JSON
 * protocol. Lists travel as `Name.member.N`, maps as `Name.entry.N.key|value` (message attributes:
 * `.Name` / `.Value.DataType|StringValue|BinaryValue`).
 */
export const XML_NAMESPACE = "http://sns.amazonaws.com/doc/2010-03-31/";

type Tree = { [key: string]: Tree | string };

/** Query parameters to the structured input the operations take (the SDK's input shape). */
export function decodeSnsQuery(params: Record<string, string>): Record<string, unknown> {
  const root: Tree = {};
  for (const [key, value] of Object.entries(params)) {
    if (key === "Action" || key === "Version") continue;
    const path = key.split(".");
    let node = root;
    for (let n = 0; n < path.length - 1; n++) {
      const segment = path[n]!;
      const next = node[segment];
      if (next === undefined || typeof next === "string") node[segment] = {};
      node = node[segment] as Tree;
    }
    node[path[path.length - 1]!] = value;
  }
  return normalise(root) as Record<string, unknown>;
}

function indexed(node: Tree): (Tree | string)[] {
  return Object.keys(node)
    .filter((k) => /^\d+$/.test(k))
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => node[k]!);
}

function normalise(node: Tree | string): unknown {
  if (typeof node === "string") return node;
  const keys = Object.keys(node);
  if (keys.length === 1 && keys[0] === "member" && typeof node["member"] === "object") {
    return indexed(node["member"] as Tree).map(normalise);
  }
  if (keys.length === 1 && keys[0] === "entry" && typeof node["entry"] === "object") {
    const map: Record<string, unknown> = {};
    for (const entry of indexed(node["entry"] as Tree)) {
      if (typeof entry === "string") continue;
      const key = entry["key"] ?? entry["Name"];
      const value = entry["value"] ?? entry["Value"];
      if (typeof key === "string") map[key] = value === undefined ? "" : normalise(value);
    }
    return map;
  }
  return Object.fromEntries(keys.map((k) => [k, normalise(node[k]!)]));
}

/** Output members that are maps (`<entry><key/><value/></entry>`). */
const MAP_MEMBERS = new Set(["Attributes"]);

export function renderSnsXml(value: unknown, name?: string): string {
  if (value === undefined || value === null) return "";
  const wrap = (inner: string) => (name ? `<${name}>${inner}</${name}>` : inner);
  if (Array.isArray(value)) return wrap(value.map((item) => renderSnsXml(item, "member")).join(""));
  if (value instanceof Date) return wrap(xmlEscape(value.toISOString()));
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    if (name && MAP_MEMBERS.has(name)) {
      return wrap(
        entries
          .map(([k, v]) => `<entry><key>${xmlEscape(k)}</key><value>${xmlEscape(String(v))}</value></entry>`)
          .join(""),
      );
    }
    return wrap(entries.map(([k, v]) => renderSnsXml(v, k)).join(""));
  }
  return wrap(xmlEscape(String(value)));
}

export async function handleSnsQuery(
  request: EmulatorRequest,
  operations: Record<string, Operation>,
): Promise<EmulatorResponse> {
  const requestId = request.context.requestId;
  try {
    const params = queryParams(request);
    const action = params["Action"] ?? "";
    const operation = operations[action];
    if (!operation) {
      throw new ServiceError(
        "InvalidAction",
        `The action ${action || "(none)"} is not valid for this web service.`,
        400,
      );
    }
    const output = (await operation(decodeSnsQuery(params), request.context)) as
      Record<string, unknown> | undefined;
    const inner = output && Object.keys(output).length > 0 ? renderSnsXml(output) : undefined;
    return xmlResponse(action, XML_NAMESPACE, inner, requestId);
  } catch (error) {
    return xmlError(error, XML_NAMESPACE, requestId);
  }
}
