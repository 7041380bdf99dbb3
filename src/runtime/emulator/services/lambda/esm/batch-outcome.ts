import { ServiceError } from "../../../core/errors.js";

export interface InvokeResult {
  StatusCode: number;
  FunctionError?: string;
  Payload: string;
}

export type Invoke = (functionName: string, payload: string) => Promise<InvokeResult>;

/** What the on-failure record's responseContext reports about the last invocation. */
export interface ResponseInfo {
  statusCode: number;
  functionError?: string;
}

export type BatchOutcome =
  | { kind: "success"; response: ResponseInfo }
  /** Only the listed item identifiers failed (ReportBatchItemFailures). */
  | { kind: "partial"; failedIds: string[]; response: ResponseInfo }
  /** `throttled`: Lambda refused the invocation (TooManyRequestsException); the function never ran. */
  | { kind: "failure"; reason: string; response?: ResponseInfo; throttled?: boolean };

/**
 * Invokes the function synchronously with one batch and classifies the answer as Lambda does
 * (aws-behaviour.md §3.3): a function error fails the whole batch; with ReportBatchItemFailures the
 * response may name failed items, and an unusable list (empty or null identifier, misspelt key,
 * an identifier not in the batch, unparseable JSON) also fails the whole batch.
 */
export async function invokeBatch(
  invoke: Invoke,
  functionArn: string,
  payload: string,
  reportItemFailures: boolean,
  itemIds: ReadonlySet<string>,
): Promise<BatchOutcome> {
  let result: InvokeResult;
  try {
    result = await invoke(functionArn, payload);
  } catch (error) {
    const status = error instanceof ServiceError ? error.status : 500;
    const message = error instanceof Error ? error.message : String(error);
    const throttled = error instanceof ServiceError && error.code === "TooManyRequestsException";
    return {
      kind: "failure",
      reason: `Invoke failed: ${message}`,
      response: { statusCode: status },
      ...(throttled ? { throttled } : {}),
    };
  }
  const response: ResponseInfo = {
    statusCode: result.StatusCode,
    ...(result.FunctionError ? { functionError: result.FunctionError } : {}),
  };
  if (result.FunctionError) return { kind: "failure", reason: "Function call failed", response };
  if (!reportItemFailures) return { kind: "success", response };
  return classifyBatchResponse(result.Payload, itemIds, response);
}

export function classifyBatchResponse(
  payload: string,
  itemIds: ReadonlySet<string>,
  response: ResponseInfo,
): BatchOutcome {
  const text = payload.trim();
  if (text === "" || text === "null") return { kind: "success", response };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: "failure", reason: "The function returned an unparseable batch response", response };
  }
  if (parsed === null) return { kind: "success", response };
  if (typeof parsed !== "object" || Array.isArray(parsed)) {
    return { kind: "failure", reason: "The function's batch response is not an object", response };
  }
  const failures = (parsed as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: "success", response };
  if (!Array.isArray(failures)) {
    return { kind: "failure", reason: "batchItemFailures is not a list", response };
  }
  const failedIds: string[] = [];
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== "string" || id === "" || !itemIds.has(id)) {
      return {
        kind: "failure",
        reason: `batchItemFailures holds an unusable itemIdentifier (${JSON.stringify(id ?? null)})`,
        response,
      };
    }
    failedIds.push(id);
  }
  if (failedIds.length === 0) return { kind: "success", response };
  return { kind: "partial", failedIds, response };
}
