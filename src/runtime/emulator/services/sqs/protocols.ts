import { commonErrors, ServiceError } from "../../core/errors.js";
import type { EmulatorRequest, EmulatorResponse } from "../../core/request.js";
import type { Operation } from "../../core/service.js";
import { awsJsonError, jsonResponse, operationFromTarget, parseJsonBody } from "../../protocol/json.js";
import { queryParams, xmlError, xmlEscape, xmlResponse } from "../../protocol/query.js";
import { legacyCode, QUEUE_DOES_NOT_EXIST_QUERY_MESSAGE } from "./errors.js";
import { parseQueuePath } from "./queue-url.js";

/**
 * SQS's two wire protocols: awsJson 1.0 query-compatible (current SDKs and CLIs) and the query
 * protocol (`Action=<Op>&Version=2012-11-05`, flattened lists, XML answers; older SDKs and CLIs).
 */
const XML_NAMESPACE = "http://queue.amazonaws.com/doc/2012-11-05/";
const JSON_PROTOCOL = {
  version: "1.0" as const,
  errorNamespace: "com.amazonaws.sqs",
  queryCompatible: { legacyCode },
};

export async function handleJson(
  request: EmulatorRequest,
  operations: Record<string, Operation>,
  baseUrl: string,
): Promise<EmulatorResponse> {
  try {
    const op = operationFromTarget(request.headers["x-amz-target"]);
    const operation = op ? operations[op] : undefined;
    if (!op || !operation) throw commonErrors.unknownOperation("sqs", op ?? "(none)");
    const input = withQueueUrlFromPath(parseJsonBody(request.body), request, baseUrl);
    const output = await operation(input, request.context);
    return jsonResponse(200, output ?? {}, "1.0");
  } catch (error) {
    return awsJsonError(error, JSON_PROTOCOL, request.context.requestId);
  }
}

/** Operations whose query answer has no `<OpResult>` element (no output members). */
const NO_RESULT = new Set([
  "AddPermission",
  "ChangeMessageVisibility",
  "DeleteMessage",
  "DeleteQueue",
  "PurgeQueue",
  "RemovePermission",
  "SetQueueAttributes",
  "TagQueue",
  "UntagQueue",
]);

export async function handleQuery(
  request: EmulatorRequest,
  operations: Record<string, Operation>,
  baseUrl: string,
): Promise<EmulatorResponse> {
  const requestId = request.context.requestId;
  try {
    const params = queryParams(request);
    const action = params["Action"] ?? "";
    const operation = operations[action];
    if (!operation) {
      throw new ServiceError(
        "InvalidAction",
        `The action ${action || "(none)"} is not valid for this endpoint.`,
        400,
      );
    }
    const input = withQueueUrlFromPath(decodeQueryInput(action, params), request, baseUrl);
    const output = (await operation(input, request.context)) as Record<string, unknown> | undefined;
    const inner = NO_RESULT.has(action) ? undefined : renderXml(action, output ?? {});
    return xmlResponse(action, XML_NAMESPACE, inner, requestId);
  } catch (error) {
    const e =
      error instanceof ServiceError && error.code === "QueueDoesNotExist"
        ? new ServiceError(error.code, QUEUE_DOES_NOT_EXIST_QUERY_MESSAGE, error.status)
        : error;
    return xmlError(e, XML_NAMESPACE, requestId, (x) => legacyCode(x.code));
  }
}

/** Old clients POST to the queue URL itself and may leave QueueUrl out. */
function withQueueUrlFromPath(
  input: Record<string, unknown>,
  request: EmulatorRequest,
  baseUrl: string,
): Record<string, unknown> {
  if (input["QueueUrl"] !== undefined || request.path === "/") return input;
  const ref = parseQueuePath(request.path);
  if (!ref) return input;
  return { ...input, QueueUrl: `${baseUrl}/${ref.accountId}/${ref.name}` };
}

// ---- query input ----------------------------------------------------------------------------

type Tree = { [key: string]: Tree | string } | (Tree | string)[];

/**
 * Flattened query parameters to the JSON protocol's input shape: `Attribute.1.Name=X` →
 * `Attributes: {X: …}`, `SendMessageBatchRequestEntry.2.Id` → `Entries[1].Id`, and so on.
 */
export function decodeQueryInput(action: string, params: Record<string, string>): Record<string, unknown> {
  const tree: Record<string, Tree | string> = {};
  for (const [key, value] of Object.entries(params)) {
    if (key === "Action" || key === "Version") continue;
    setPath(tree, key.split("."), value);
  }
  return translate(action, tree);
}

function setPath(root: Record<string, Tree | string>, path: string[], value: string): void {
  let node: Record<string, Tree | string> = root;
  for (let i = 0; i < path.length - 1; i++) {
    const segment = path[i]!;
    const existing = node[segment];
    if (existing === undefined || typeof existing === "string") node[segment] = {};
    node = node[segment] as Record<string, Tree | string>;
  }
  node[path[path.length - 1]!] = value;
}

/** `{ "1": a, "2": b }` (or a single un-numbered item) → `[a, b]` in index order. */
function items(node: Tree | string | undefined): (Tree | string)[] {
  if (node === undefined) return [];
  if (typeof node === "string" || Array.isArray(node)) return typeof node === "string" ? [node] : node;
  const keys = Object.keys(node);
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys.sort((a, b) => Number(a) - Number(b)).map((k) => node[k]!);
  }
  return [node];
}

function field(node: Tree | string | undefined, name: string): Tree | string | undefined {
  return node && typeof node === "object" && !Array.isArray(node) ? node[name] : undefined;
}

function text(node: Tree | string | undefined): string | undefined {
  return typeof node === "string" ? node : undefined;
}

function pairs(node: Tree | string | undefined, keyName: string, valueName: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items(node)) {
    const key = text(field(item, keyName));
    if (key !== undefined) out[key] = text(field(item, valueName)) ?? "";
  }
  return out;
}

function messageAttributes(node: Tree | string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of items(node)) {
    const name = text(field(item, "Name"));
    if (name === undefined) continue;
    const value = field(item, "Value");
    out[name] = {
      ...(text(field(value, "DataType")) !== undefined ? { DataType: text(field(value, "DataType")) } : {}),
      ...(text(field(value, "StringValue")) !== undefined
        ? { StringValue: text(field(value, "StringValue")) }
        : {}),
      ...(text(field(value, "BinaryValue")) !== undefined
        ? { BinaryValue: text(field(value, "BinaryValue")) }
        : {}),
    };
  }
  return out;
}

function strings(node: Tree | string | undefined): string[] {
  return items(node).filter((v): v is string => typeof v === "string");
}

const ENTRY_LISTS: Record<string, string> = {
  SendMessageBatch: "SendMessageBatchRequestEntry",
  DeleteMessageBatch: "DeleteMessageBatchRequestEntry",
  ChangeMessageVisibilityBatch: "ChangeMessageVisibilityBatchRequestEntry",
};

function translate(action: string, tree: Record<string, Tree | string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, node] of Object.entries(tree)) {
    switch (key) {
      case "Attribute":
        out["Attributes"] = pairs(node, "Name", "Value");
        break;
      case "Tag":
        out[action === "CreateQueue" ? "tags" : "Tags"] = pairs(node, "Key", "Value");
        break;
      case "TagKey":
        out["TagKeys"] = strings(node);
        break;
      case "AttributeName":
        out["AttributeNames"] = strings(node);
        break;
      case "MessageSystemAttributeName":
        out["MessageSystemAttributeNames"] = strings(node);
        break;
      case "MessageAttributeName":
        out["MessageAttributeNames"] = strings(node);
        break;
      case "MessageAttribute":
        out["MessageAttributes"] = messageAttributes(node);
        break;
      case "MessageSystemAttribute":
        out["MessageSystemAttributes"] = messageAttributes(node);
        break;
      case "AWSAccountId":
        out["AWSAccountIds"] = strings(node);
        break;
      case "ActionName":
        out["Actions"] = strings(node);
        break;
      default:
        if (key === ENTRY_LISTS[action]) {
          out["Entries"] = items(node).map((entry) =>
            typeof entry === "string" ? {} : translate(action, entry as Record<string, Tree | string>),
          );
        } else if (typeof node === "string") {
          out[key] = node;
        }
    }
  }
  return out;
}

// ---- query output ---------------------------------------------------------------------------

const LIST_ITEMS: Record<string, string> = {
  QueueUrls: "QueueUrl",
  queueUrls: "QueueUrl",
  Messages: "Message",
  Failed: "BatchResultErrorEntry",
  Results: "ListMessageMoveTasksResultEntry",
};
const SUCCESSFUL_ITEMS: Record<string, string> = {
  SendMessageBatch: "SendMessageBatchResultEntry",
  DeleteMessageBatch: "DeleteMessageBatchResultEntry",
  ChangeMessageVisibilityBatch: "ChangeMessageVisibilityBatchResultEntry",
};
const MAP_ENTRIES: Record<string, [entry: string, key: string, value: string]> = {
  Attributes: ["Attribute", "Name", "Value"],
  Tags: ["Tag", "Key", "Value"],
  MessageAttributes: ["MessageAttribute", "Name", "Value"],
};

/** The JSON-shaped output as SQS's query XML: flattened lists and maps under their XML names. */
export function renderXml(action: string, output: Record<string, unknown>): string {
  let xml = "";
  for (const [key, value] of Object.entries(output)) {
    if (value === undefined || value === null) continue;
    const itemName = key === "Successful" ? SUCCESSFUL_ITEMS[action] : LIST_ITEMS[key];
    const mapEntry = MAP_ENTRIES[key];
    if (Array.isArray(value) && itemName) {
      xml += value.map((item) => element(itemName, renderValue(action, item))).join("");
    } else if (mapEntry && typeof value === "object" && !Array.isArray(value)) {
      const [entry, keyName, valueName] = mapEntry;
      xml += Object.entries(value as Record<string, unknown>)
        .map(([k, v]) =>
          element(entry, element(keyName, xmlEscape(k)) + element(valueName, renderValue(action, v))),
        )
        .join("");
    } else {
      xml += element(key, renderValue(action, value));
    }
  }
  return xml;
}

function renderValue(action: string, value: unknown): string {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    return renderXml(action, value as Record<string, unknown>);
  }
  return xmlEscape(String(value));
}

function element(name: string, inner: string): string {
  return `<${name}>${inner}</${name}>`;
}
