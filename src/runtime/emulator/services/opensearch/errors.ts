/**
 * OpenSearch errors in OpenSearch's own shapes: `{"error":{"root_cause":[…],"type","reason",…},"status"}`
 * for a failed request, and the bare `{type, reason, …}` object inside a failed bulk item.
 */
export class OpenSearchError extends Error {
  override readonly name = "OpenSearchError";
  constructor(
    readonly type: string,
    readonly reason: string,
    readonly status: number,
    readonly extra: Record<string, unknown> = {},
    readonly causedBy?: { type: string; reason: string },
  ) {
    super(reason);
  }

  /** The object a bulk item's `error` member holds. */
  toItemError(): Record<string, unknown> {
    return {
      type: this.type,
      reason: this.reason,
      ...this.extra,
      ...(this.causedBy ? { caused_by: this.causedBy } : {}),
    };
  }

  toBody(): Record<string, unknown> {
    const cause = { type: this.type, reason: this.reason, ...this.extra };
    return { error: { root_cause: [cause], ...this.toItemError() }, status: this.status };
  }
}

export const osErrors = {
  indexNotFound: (index: string) =>
    new OpenSearchError("index_not_found_exception", `no such index [${index}]`, 404, {
      "resource.type": "index_or_alias",
      "resource.id": index,
      index_uuid: "_na_",
      index,
    }),
  indexExists: (index: string, uuid: string) =>
    new OpenSearchError("resource_already_exists_exception", `index [${index}/${uuid}] already exists`, 400, {
      index_uuid: uuid,
      index,
    }),
  invalidIndexName: (index: string, why: string) =>
    new OpenSearchError("invalid_index_name_exception", `Invalid index name [${index}], ${why}`, 400, {
      index_uuid: "_na_",
      index,
    }),
  mapperParsing: (reason: string, causedBy?: { type: string; reason: string }) =>
    new OpenSearchError("mapper_parsing_exception", reason, 400, {}, causedBy),
  strictDynamic: (field: string) =>
    new OpenSearchError(
      "strict_dynamic_mapping_exception",
      `mapping set to strict, dynamic introduction of [${field}] within [_doc] is not allowed`,
      400,
    ),
  versionConflict: (index: string, uuid: string, reason: string) =>
    new OpenSearchError("version_conflict_engine_exception", reason, 409, {
      index,
      shard: "0",
      index_uuid: uuid,
    }),
  documentMissing: (index: string, uuid: string, id: string) =>
    new OpenSearchError("document_missing_exception", `[${id}]: document missing`, 404, {
      index,
      shard: "0",
      index_uuid: uuid,
    }),
  illegalArgument: (reason: string) => new OpenSearchError("illegal_argument_exception", reason, 400),
  parsing: (reason: string) => new OpenSearchError("parsing_exception", reason, 400, { line: 1, col: 1 }),
  validation: (problems: string[]) =>
    new OpenSearchError(
      "action_request_validation_exception",
      `Validation Failed: ${problems.map((p, i) => `${i + 1}: ${p};`).join("")}`,
      400,
    ),
  queryShard: (reason: string, index: string) =>
    new OpenSearchError("query_shard_exception", reason, 400, { index_uuid: "_na_", index }),
  rejected: (what: string) =>
    new OpenSearchError(
      "rejected_execution_exception",
      `rejected execution of ${what} on OpenSearchThreadPoolExecutor[name = emulator/write, queue capacity = 10000] (fault injected by the emulator)`,
      429,
    ),
  unavailable: (index: string) =>
    new OpenSearchError(
      "unavailable_shards_exception",
      `[${index}][0] primary shard is not active Timeout: [1m] (fault injected by the emulator)`,
      503,
    ),
  internal: (reason: string) => new OpenSearchError("exception", reason, 500),
};

/** Reads a JSON request body; bad JSON is OpenSearch's parse failure for that API. */
export function parseJsonObject(
  body: Buffer,
  onError: (message: string) => OpenSearchError,
): Record<string, unknown> {
  const text = body.toString("utf8").trim();
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw onError(error instanceof Error ? error.message : String(error));
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw onError("the request body must be a JSON object");
  }
  return parsed as Record<string, unknown>;
}
