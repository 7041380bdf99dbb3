/**
 * An AWS error as a service returns it. The protocol layer renders it in the shape the caller's
 * protocol expects (awsJson `__type`, query XML `<ErrorResponse>`, restJson `x-amzn-ErrorType`).
 */
export class ServiceError extends Error {
  override readonly name = "ServiceError";
  constructor(
    /** AWS error code, e.g. "ResourceNotFoundException". */
    readonly code: string,
    message: string,
    /** HTTP status; 400 for most client errors. */
    readonly status = 400,
    /** true for the caller's fault (query "Sender"), false for ours ("Receiver"). */
    readonly senderFault = status < 500,
    /** Extra members rendered into the error body (e.g. CancellationReasons, Item). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Errors every service shares; the names follow AWS's common errors. */
export const commonErrors = {
  unknownOperation: (service: string, op: string) =>
    new ServiceError("UnknownOperationException", `Operation ${op} is not supported by ${service}`, 400),
  serialization: (message: string) => new ServiceError("SerializationException", message, 400),
  validation: (message: string) => new ServiceError("ValidationException", message, 400),
  internal: (message: string) => new ServiceError("InternalFailure", message, 500, false),
  missingParameter: (name: string) =>
    new ServiceError("MissingParameter", `The request must contain the parameter ${name}.`, 400),
};
