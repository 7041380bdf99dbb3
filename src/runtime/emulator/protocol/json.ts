import { ServiceError, commonErrors } from "../core/errors.js";
import type { EmulatorRequest, EmulatorResponse } from "../core/request.js";
import type { Operation } from "../core/service.js";

/** awsJson 1.0 / 1.1: `X-Amz-Target: <prefix>.<Operation>`, JSON in, JSON out. */
export interface AwsJsonProtocol {
  version: "1.0" | "1.1";
  /** Namespace for `__type`, e.g. "com.amazonaws.dynamodb.v20120810". */
  errorNamespace: string;
  /**
   * Query-compatible services (SQS, CloudWatch) also send `x-amzn-query-error: <code>;Sender|Receiver`;
   * the JS SDK picks the exception class from it. Maps a JSON error code to its legacy query code.
   */
  queryCompatible?: { legacyCode(code: string): string };
  /** Services that name the message member `Message` instead of `message`. */
  messageMember?: "message" | "Message";
}

export function operationFromTarget(target: string | undefined): string | undefined {
  if (!target) return undefined;
  const dot = target.indexOf(".");
  return dot >= 0 ? target.slice(dot + 1) : undefined;
}

export function parseJsonBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    throw commonErrors.serialization(
      "Start of structure or map found where not expected, or the body is not JSON.",
    );
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw commonErrors.serialization("The request body must be a JSON object.");
  }
  return parsed as Record<string, unknown>;
}

/** Runs an operation picked by X-Amz-Target and renders the result or error in awsJson shape. */
export async function handleAwsJson(
  request: EmulatorRequest,
  operations: Record<string, Operation>,
  protocol: AwsJsonProtocol,
  serviceLabel: string,
): Promise<EmulatorResponse> {
  try {
    const op = operationFromTarget(request.headers["x-amz-target"]);
    const operation = op ? operations[op] : undefined;
    if (!op || !operation) throw commonErrors.unknownOperation(serviceLabel, op ?? "(none)");
    const input = parseJsonBody(request.body);
    const output = await operation(input, request.context);
    return jsonResponse(200, output ?? {}, protocol.version);
  } catch (error) {
    return awsJsonError(error, protocol, request.context.requestId);
  }
}

export function jsonResponse(status: number, output: unknown, version: "1.0" | "1.1"): EmulatorResponse {
  return {
    status,
    headers: { "content-type": `application/x-amz-json-${version}` },
    body: JSON.stringify(output),
  };
}

export function toServiceError(error: unknown): ServiceError {
  if (error instanceof ServiceError) return error;
  return commonErrors.internal(error instanceof Error ? error.message : String(error));
}

export function awsJsonError(error: unknown, protocol: AwsJsonProtocol, requestId: string): EmulatorResponse {
  const e = toServiceError(error);
  const headers: Record<string, string> = {
    "content-type": `application/x-amz-json-${protocol.version}`,
    "x-amzn-requestid": requestId,
  };
  if (protocol.queryCompatible) {
    headers["x-amzn-query-error"] =
      `${protocol.queryCompatible.legacyCode(e.code)};${e.senderFault ? "Sender" : "Receiver"}`;
  }
  const body = {
    __type: `${protocol.errorNamespace}#${e.code}`,
    [protocol.messageMember ?? "message"]: e.message,
    ...e.extra,
  };
  return { status: e.status, headers, body: JSON.stringify(body) };
}
