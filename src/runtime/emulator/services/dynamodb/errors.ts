import { ServiceError } from "../../core/errors.js";

const DYNAMODB_NAMESPACE = "com.amazonaws.dynamodb.v20120810";

/** The `__type` namespace AWS uses for each error code (clients read only the part after `#`). */
export function wireType(code: string): string {
  if (code === "ValidationException") return `com.amazon.coral.validate#${code}`;
  if (code === "SerializationException" || code === "UnknownOperationException")
    return `com.amazon.coral.service#${code}`;
  return `${DYNAMODB_NAMESPACE}#${code}`;
}

/**
 * An error body exactly as dynalite produced it (already AWS-shaped: `__type`, `message`, extra
 * members), kept verbatim so the wire answer is dynalite's, while in-process callers still get a
 * ServiceError with the plain code.
 */
export class DynamoDbError extends ServiceError {
  constructor(
    status: number,
    readonly body: Record<string, unknown>,
  ) {
    const type = typeof body["__type"] === "string" ? body["__type"] : "InternalServerError";
    const code = type.slice(type.indexOf("#") + 1);
    const message = body["message"] ?? body["Message"] ?? "";
    const { __type: _type, message: _m, Message: _M, ...extra } = body;
    super(code, String(message), status, status < 500, extra);
  }
}

/** Renders any error as the awsJson 1.0 body DynamoDB (and DynamoDB Streams) send. */
export function renderError(error: ServiceError): { status: number; body: Record<string, unknown> } {
  if (error instanceof DynamoDbError) return { status: error.status, body: error.body };
  return {
    status: error.status,
    body: { __type: wireType(error.code), message: error.message, ...error.extra },
  };
}

export const dynamoErrors = {
  validation: (message: string) => new ServiceError("ValidationException", message),
  serialization: (message?: string) => new ServiceError("SerializationException", message ?? ""),
  unknownOperation: (operation: string) =>
    new ServiceError(
      "UnknownOperationException",
      operation ? `Operation ${operation} is not supported by this emulator` : "",
    ),
  tableNotFound: (table: string) =>
    new ServiceError("ResourceNotFoundException", `Requested resource not found: Table: ${table} not found`),
  resourceNotFound: (message = "Requested resource not found") =>
    new ServiceError("ResourceNotFoundException", message),
  resourceInUse: (message: string) => new ServiceError("ResourceInUseException", message),
  limitExceeded: (message: string) => new ServiceError("LimitExceededException", message),
  transactionCanceled: (reasons: CancellationReason[]) =>
    new ServiceError(
      "TransactionCanceledException",
      `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons
        .map((r) => r.Code)
        .join(", ")}]`,
      400,
      true,
      { CancellationReasons: reasons },
    ),
  idempotentMismatch: () =>
    new ServiceError(
      "IdempotentParameterMismatchException",
      "Request parameters do not match the parameters of the previous request with the same client token",
    ),
  /** AWS's answer to a credential scope that names no region (the emulator uses it as a folder). */
  invalidSignature: (message: string) => new ServiceError("InvalidSignatureException", message),
  /**
   * Backups and point-in-time recovery name a missing table TableNotFoundException (a table still
   * being created or restored too: AWS answers both byte for byte alike).
   */
  backupTableNotFound: (table: string) =>
    new ServiceError("TableNotFoundException", `Table not found: ${table}`),
  backupNotFound: (arn: string) => new ServiceError("BackupNotFoundException", `Backup not found: ${arn}`),
  backupInUse: (message: string) => new ServiceError("BackupInUseException", message),
  tableAlreadyExists: (table: string) =>
    new ServiceError("TableAlreadyExistsException", `Table already exists: ${table}`),
  tableInUse: (message: string) => new ServiceError("TableInUseException", message),
  accessDenied: (message: string) => new ServiceError("AccessDeniedException", message),
  pointInTimeRecoveryUnavailable: (table: string) =>
    new ServiceError(
      "PointInTimeRecoveryUnavailableException",
      `Point in time recovery is not enabled for table '${table}'`,
    ),
  /** Times as DynamoDB quotes them: ISO 8601 to the second, in UTC. */
  invalidRestoreTime: (earliest: number, latest: number, asked: number) =>
    new ServiceError(
      "InvalidRestoreTimeException",
      `RestoreDateTime '${isoSeconds(asked)}' must be within EarliestRestorableDateTime ` +
        `'${isoSeconds(earliest)}' and LatestRestorableDateTime '${isoSeconds(latest)}'`,
    ),
  internal: (message: string) => new ServiceError("InternalServerError", message, 500, false),
};

export interface CancellationReason {
  /** DuplicateItem: a PartiQL INSERT of an item that exists (ExecuteTransaction). */
  Code: "None" | "ConditionalCheckFailed" | "ValidationError" | "DuplicateItem";
  Message?: string;
  Item?: Record<string, unknown>;
}

export const streamErrors = {
  streamNotFound: (arn: string) =>
    new ServiceError("ResourceNotFoundException", `Requested resource not found: Stream: ${arn} not found`),
  shardNotFound: (shardId: string, arn: string) =>
    new ServiceError(
      "ResourceNotFoundException",
      `Requested resource not found: Shard: ${shardId} in Stream: ${arn} not found`,
    ),
  expiredIterator: (issuedAt: number, now: number) =>
    new ServiceError(
      "ExpiredIteratorException",
      `Iterator expired. The iterator was created at time ${new Date(issuedAt).toISOString()} while right now it is ${new Date(now).toISOString()} which is further in the future than the tolerated delay of 900000 milliseconds.`,
    ),
  trimmed: () =>
    new ServiceError(
      "TrimmedDataAccessException",
      "The operation attempted to read past the oldest stream record in a shard (records older than 24 hours are trimmed).",
    ),
  invalidIterator: () => new ServiceError("ValidationException", "Invalid ShardIterator"),
  /** AWS's wording for a member that breaks a model constraint. */
  constraint: (member: string, value: unknown, constraint: string) =>
    new ServiceError(
      "ValidationException",
      `1 validation error detected: Value ${value === undefined || value === null ? "null" : `'${String(value)}'`} at '${member}' failed to satisfy constraint: ${constraint}`,
    ),
};

function isoSeconds(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace(".000Z", "Z");
}
