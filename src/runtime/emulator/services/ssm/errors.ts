import { ServiceError } from "../../core/errors.js";

/** SSM errors (awsJson 1.1: `__type` is the error shape's name, e.g. ParameterNotFound). */
export const ssmErrors = {
  validation: (message: string) => new ServiceError("ValidationException", message, 400),
  /** The AWS front end's constraint message for one member. */
  constraint: (member: string, value: unknown, constraint: string) =>
    new ServiceError(
      "ValidationException",
      `1 validation error detected: Value ${value === undefined || value === null ? "null" : `'${String(value)}'`} at '${member}' failed to satisfy constraint: ${constraint}`,
      400,
    ),
  notFound: (name: string) => new ServiceError("ParameterNotFound", `Parameter ${name} not found.`, 400),
  alreadyExists: () =>
    new ServiceError(
      "ParameterAlreadyExists",
      "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.",
      400,
    ),
  versionNotFound: (message: string) => new ServiceError("ParameterVersionNotFound", message, 400),
  labelLimit: (message: string) => new ServiceError("ParameterVersionLabelLimitExceeded", message, 400),
  maxVersions: (message: string) => new ServiceError("ParameterMaxVersionLimitExceeded", message, 400),
  hierarchyLevels: () =>
    new ServiceError(
      "HierarchyLevelLimitExceededException",
      "A hierarchy can have a maximum of 15 levels. Parameter name hierarchy levels exceed the limit of 15.",
      400,
    ),
  patternMismatch: (pattern: string) =>
    new ServiceError(
      "ParameterPatternMismatchException",
      `Parameter value, cannot be validated against allowedPattern: ${pattern}`,
      400,
    ),
  invalidPattern: (message: string) => new ServiceError("InvalidAllowedPatternException", message, 400),
  accessDenied: (message: string) => new ServiceError("AccessDeniedException", message, 400),
  invalidFilterKey: (message: string) => new ServiceError("InvalidFilterKey", message, 400),
  invalidFilterOption: (message: string) => new ServiceError("InvalidFilterOption", message, 400),
  invalidFilterValue: (message: string) => new ServiceError("InvalidFilterValue", message, 400),
  invalidNextToken: () => new ServiceError("InvalidNextToken", "The specified token isn't valid.", 400),
  invalidResourceId: () =>
    new ServiceError("InvalidResourceId", "The resource ID isn't valid. Verify the ID and try again.", 400),
  invalidResourceType: () =>
    new ServiceError(
      "InvalidResourceType",
      "The resource type isn't valid. For example, if you are attempting to tag an EC2 instance, the instance must be a registered managed node.",
      400,
    ),
  invalidKeyId: (message: string) => new ServiceError("InvalidKeyId", message, 400),
  tooManyTags: () =>
    new ServiceError(
      "TooManyTagsError",
      "The Targets parameter includes too many tags. Remove one or more tags and try the command again.",
      400,
    ),
};
