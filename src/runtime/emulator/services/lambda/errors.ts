import { ServiceError } from "../../core/errors.js";

/** Lambda errors with AWS's codes, HTTP statuses and wording (aws-behaviour.md §1.4, §4). */
export const lambdaErrors = {
  functionNotFound: (arn: string) =>
    new ServiceError("ResourceNotFoundException", `Function not found: ${arn}`, 404),
  resourceNotFound: (message = "The resource you requested does not exist.") =>
    new ServiceError("ResourceNotFoundException", message, 404),
  functionExists: (name: string) =>
    new ServiceError("ResourceConflictException", `Function already exist: ${name}`, 409),
  conflict: (message: string) => new ServiceError("ResourceConflictException", message, 409),
  invalidParameter: (message: string) => new ServiceError("InvalidParameterValueException", message, 400),
  invalidRequestContent: (message: string) =>
    new ServiceError("InvalidRequestContentException", message, 400),
  /** AWS's wording for a member that breaks a model constraint. */
  validation: (member: string, value: unknown, constraint: string) =>
    new ServiceError(
      "ValidationException",
      `1 validation error detected: Value ${value === undefined || value === null ? "null" : `'${String(value)}'`} at '${member}' failed to satisfy constraint: ${constraint}`,
      400,
    ),
  missing: (member: string) =>
    new ServiceError(
      "ValidationException",
      `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
      400,
    ),
  tooLarge: (limit: number) =>
    new ServiceError(
      "RequestEntityTooLargeException",
      `Request must be smaller than ${limit} bytes for the InvokeFunction operation`,
      413,
    ),
  throttled: () =>
    new ServiceError("TooManyRequestsException", "Rate Exceeded.", 429, true, {
      Reason: "ReservedFunctionConcurrentInvocationLimitExceeded",
    }),
  notReady: (state: string) =>
    new ServiceError(
      "ResourceConflictException",
      `The operation cannot be performed at this time. The function is currently in the following state: ${state}`,
      409,
    ),
  /** Invoke of a function whose runtime cannot run (Lambda's 502 for an unsupported runtime). */
  invalidRuntime: (message: string) => new ServiceError("InvalidRuntimeException", message, 502, false),
  updateInProgress: (arn: string) =>
    new ServiceError(
      "ResourceConflictException",
      `The operation cannot be performed at this time. An update is in progress for resource: ${arn}`,
      409,
    ),
  preconditionFailed: () =>
    new ServiceError(
      "PreconditionFailedException",
      "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
      412,
    ),
};
