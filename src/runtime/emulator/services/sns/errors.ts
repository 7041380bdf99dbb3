import { ServiceError } from "../../core/errors.js";

/**
 * SNS errors as the query protocol carries them: `<Code>` is the model's error code (NotFound,
 * InvalidParameter, ParameterValueInvalid, ...), which the SDKs map to their exception classes
 * (NotFoundException, InvalidParameterException, InvalidParameterValueException, ...).
 */
export const snsErrors = {
  notFound: (message: string) => new ServiceError("NotFound", message, 404),
  invalidParameter: (what: string) => new ServiceError("InvalidParameter", `Invalid parameter: ${what}`, 400),
  invalidParameterValue: (message: string) => new ServiceError("ParameterValueInvalid", message, 400),
  authorization: (message: string) => new ServiceError("AuthorizationError", message, 403),
  /** What the AWS front end answers for a required member left out. */
  missing: (member: string) =>
    new ServiceError(
      "ValidationError",
      `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
      400,
    ),
  tooManyEntries: () =>
    new ServiceError(
      "TooManyEntriesInBatchRequest",
      "The batch request contains more entries than permissible.",
      400,
    ),
  emptyBatch: () =>
    new ServiceError("EmptyBatchRequest", "The batch request doesn't contain any entries.", 400),
  idsNotDistinct: () =>
    new ServiceError(
      "BatchEntryIdsNotDistinct",
      "Two or more batch entries in the request have the same Id.",
      400,
    ),
  invalidBatchEntryId: () =>
    new ServiceError(
      "InvalidBatchEntryId",
      "The Id of a batch entry in a batch request doesn't abide by the specification.",
      400,
    ),
  batchTooLong: () =>
    new ServiceError(
      "BatchRequestTooLong",
      "The length of all the messages put together is more than the limit.",
      400,
    ),
  tagLimit: () =>
    new ServiceError(
      "TagLimitExceeded",
      "Could not complete request: tag quota of per resource exceeded",
      400,
    ),
  resourceNotFound: (message: string) => new ServiceError("ResourceNotFound", message, 404),
};
