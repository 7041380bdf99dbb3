import { ServiceError } from "../../core/errors.js";

/**
 * CloudWatch errors. Codes are the JSON protocol's shape names; `legacyCode` gives the query
 * protocol's code, which also travels in `x-amzn-query-error` (the JS SDK picks the exception
 * class from it).
 */
const LEGACY_CODES: Record<string, string> = {
  MissingRequiredParameterException: "MissingParameter",
  InvalidParameterValueException: "InvalidParameterValue",
  InvalidParameterCombinationException: "InvalidParameterCombination",
  LimitExceededFault: "LimitExceeded",
  InternalServiceFault: "InternalServiceError",
  InvalidFormatFault: "InvalidFormat",
  ValidationException: "ValidationError",
  UnknownOperationException: "InvalidAction",
  DashboardInvalidInputError: "InvalidParameterInput",
  DashboardNotFoundError: "ResourceNotFound",
};

export function legacyCode(code: string): string {
  return LEGACY_CODES[code] ?? code;
}

export const cloudwatchErrors = {
  missing: (name: string) =>
    new ServiceError("MissingRequiredParameterException", `The parameter ${name} is required.`, 400),
  invalidValue: (message: string) => new ServiceError("InvalidParameterValueException", message, 400),
  combination: (message: string) => new ServiceError("InvalidParameterCombinationException", message, 400),
  validation: (member: string, value: unknown, constraint: string) =>
    new ServiceError(
      "ValidationException",
      `1 validation error detected: Value ${value === undefined || value === null ? "null" : `'${String(value)}'`} at '${member}' failed to satisfy constraint: ${constraint}`,
      400,
    ),
  validationMessage: (message: string) => new ServiceError("ValidationException", message, 400),
  notFound: (message: string) => new ServiceError("ResourceNotFound", message, 404),
  resourceNotFound: (message: string) => new ServiceError("ResourceNotFoundException", message, 404),
  invalidToken: () =>
    new ServiceError("InvalidNextToken", "The service returned an invalid next token.", 400),
  invalidFormat: (message: string) => new ServiceError("InvalidFormatFault", message, 400),
  limit: (message: string) => new ServiceError("LimitExceededFault", message, 400),
};
