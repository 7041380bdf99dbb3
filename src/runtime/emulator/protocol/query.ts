import type { ServiceError } from "../core/errors.js";
import type { EmulatorRequest, EmulatorResponse } from "../core/request.js";
import { toServiceError } from "./json.js";

/** awsQuery: form-encoded `Action=<Op>&Version=<v>&…` in, XML out. */

/** All parameters of a query request: the form body merged over the URL query string. */
export function queryParams(request: EmulatorRequest): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, value] of request.query) params[key] = value;
  const contentType = request.headers["content-type"] ?? "";
  if (request.body.length > 0 && contentType.includes("application/x-www-form-urlencoded")) {
    for (const [key, value] of new URLSearchParams(request.body.toString("utf8"))) params[key] = value;
  }
  return params;
}

export function isQueryRequest(request: EmulatorRequest): boolean {
  const contentType = request.headers["content-type"] ?? "";
  if (contentType.includes("application/x-www-form-urlencoded")) return true;
  return request.method === "GET" && request.query.has("Action");
}

export function xmlEscape(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    .replace(/\r/g, "&#xD;");
}

export interface XmlListStyle {
  /** SQS-style flattened lists repeat the element (`<Message>…</Message><Message>…</Message>`). */
  flattened: boolean;
  /** Element name for non-flattened list items (`member`). */
  memberName?: string;
}

/**
 * Serialises a JSON-protocol output object to query XML. Keys become elements; arrays follow the
 * service's list style; Date → ISO-8601; maps whose values are scalars render as `entry/key/value`.
 */
export function toXml(value: unknown, style: XmlListStyle, elementName?: string): string {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) {
    if (!elementName) return value.map((v) => toXml(v, style)).join("");
    if (style.flattened) return value.map((v) => toXml(v, style, elementName)).join("");
    const member = style.memberName ?? "member";
    return `<${elementName}>${value.map((v) => toXml(v, style, member)).join("")}</${elementName}>`;
  }
  if (value instanceof Date) return wrap(elementName, xmlEscape(value.toISOString()));
  if (typeof value === "object") {
    const inner = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => toXml(v, style, k))
      .join("");
    return wrap(elementName, inner);
  }
  return wrap(elementName, xmlEscape(String(value)));
}

function wrap(name: string | undefined, inner: string): string {
  return name ? `<${name}>${inner}</${name}>` : inner;
}

export function xmlResponse(
  action: string,
  namespace: string,
  resultInnerXml: string | undefined,
  requestId: string,
): EmulatorResponse {
  const result = resultInnerXml === undefined ? "" : `<${action}Result>${resultInnerXml}</${action}Result>`;
  return {
    status: 200,
    headers: { "content-type": "text/xml" },
    body:
      `<?xml version="1.0"?><${action}Response xmlns="${namespace}">${result}` +
      `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
  };
}

export function xmlError(
  error: unknown,
  namespace: string,
  requestId: string,
  code?: (e: ServiceError) => string,
): EmulatorResponse {
  const e = toServiceError(error);
  return {
    status: e.status,
    headers: { "content-type": "text/xml", "x-amzn-requestid": requestId },
    body:
      `<?xml version="1.0"?><ErrorResponse xmlns="${namespace}"><Error><Type>${e.senderFault ? "Sender" : "Receiver"}</Type>` +
      `<Code>${xmlEscape(code ? code(e) : e.code)}</Code><Message>${xmlEscape(e.message)}</Message><Detail/></Error>` +
      `<RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}

/** Collects `Prefix.member.N` (or flattened `Prefix.N`) into an array of the sub-parameter maps. */
export function queryList(params: Record<string, string>, prefix: string): Record<string, string>[] {
  const items = new Map<number, Record<string, string>>();
  const pattern = new RegExp(`^${prefix.replace(/\./g, "\\.")}\\.(?:member\\.)?(\\d+)(?:\\.(.+))?$`);
  for (const [key, value] of Object.entries(params)) {
    const match = pattern.exec(key);
    if (!match) continue;
    const index = Number(match[1]);
    const entry = items.get(index) ?? {};
    entry[match[2] ?? ""] = value;
    items.set(index, entry);
  }
  return [...items.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

/**
 * Turns query parameters into the SDK's input shape: `Tags.member.1.Key=k` becomes
 * `Tags: [{ Key: "k" }]`, `TagKeys.member.1=k` becomes `TagKeys: ["k"]`; scalars stay strings.
 */
export function decodeQueryMembers(params: Record<string, string>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  const lists = new Map<string, Map<number, unknown>>();
  for (const [key, value] of Object.entries(params)) {
    if (key === "Action" || key === "Version") continue;
    const member = /^(\w+)\.member\.(\d+)(?:\.(\w+))?$/.exec(key);
    if (!member) {
      input[key] = value;
      continue;
    }
    const [, list, index, field] = member as unknown as [string, string, string, string | undefined];
    let items = lists.get(list);
    if (!items) lists.set(list, (items = new Map()));
    if (field === undefined) items.set(Number(index), value);
    else {
      const item = (items.get(Number(index)) as Record<string, string> | undefined) ?? {};
      item[field] = value;
      items.set(Number(index), item);
    }
  }
  for (const [list, items] of lists) {
    input[list] = [...items.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  }
  return input;
}
