import { ServiceError } from "../../core/errors.js";

/**
 * The length rule a value broke, as the service's validation words it: one bound per message
 * ("greater than or equal to" the minimum, or "less than or equal to" the maximum).
 */
export function lengthRule(length: number, min: number, max: number): string {
  return length < min
    ? `Member must have length greater than or equal to ${min}`
    : `Member must have length less than or equal to ${max}`;
}

/** CloudWatch Logs errors with AWS's codes and messages. */
export const logsErrors = {
  groupNotFound: () =>
    new ServiceError("ResourceNotFoundException", "The specified log group does not exist."),
  streamNotFound: () =>
    new ServiceError("ResourceNotFoundException", "The specified log stream does not exist."),
  groupExists: () =>
    new ServiceError("ResourceAlreadyExistsException", "The specified log group already exists"),
  streamExists: () =>
    new ServiceError("ResourceAlreadyExistsException", "The specified log stream already exists"),
  invalid: (message: string) => new ServiceError("InvalidParameterException", message),
  /** AWS's wording for a member that breaks a model constraint. */
  constraint: (member: string, value: unknown, constraint: string) =>
    new ServiceError(
      "InvalidParameterException",
      `1 validation error detected: Value ${value === undefined || value === null ? "null" : `'${String(value)}'`} at '${member}' failed to satisfy constraint: ${constraint}`,
    ),
  missing: (member: string) =>
    new ServiceError(
      "InvalidParameterException",
      `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
    ),
  invalidToken: () => new ServiceError("InvalidParameterException", "The specified nextToken is invalid."),
};
