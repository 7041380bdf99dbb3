import { ServiceError } from "../../core/errors.js";

/** STS errors with AWS's query codes, statuses and wording. */
export const stsErrors = {
  accessDenied: (message: string) => new ServiceError("AccessDenied", message, 403),
  notAuthorized: (caller: string, action: string, resource: string) =>
    new ServiceError(
      "AccessDenied",
      `User: ${caller} is not authorized to perform: ${action} on resource: ${resource}`,
      403,
    ),
  validation: (member: string, value: unknown, constraint: string) =>
    new ServiceError(
      "ValidationError",
      `1 validation error detected: Value ${value === undefined ? "null" : `'${String(value)}'`} at '${member}' failed to satisfy constraint: ${constraint}`,
      400,
    ),
  validationMessage: (message: string) => new ServiceError("ValidationError", message, 400),
  missing: (member: string) =>
    new ServiceError(
      "ValidationError",
      `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
      400,
    ),
  packedPolicyTooLarge: (percent: number) =>
    new ServiceError(
      "PackedPolicyTooLarge",
      `Packed size of the session policy and session tags consumes ${percent}% of allotted space, please use smaller policy or fewer tags.`,
      400,
    ),
  invalidIdentityToken: (message: string) => new ServiceError("InvalidIdentityToken", message, 400),
  expiredToken: (message: string) => new ServiceError("ExpiredTokenException", message, 400),
  invalidAction: (action: string) =>
    new ServiceError("InvalidAction", `Could not find operation ${action} for version 2011-06-15`, 400),
};
