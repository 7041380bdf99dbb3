import { ServiceError } from "../../core/errors.js";

/**
 * SQS errors. Codes are the JSON protocol's shape names (`__type: com.amazonaws.sqs#<Code>`);
 * `legacyCode` gives the query protocol's code, which also travels in `x-amzn-query-error` so the
 * JS SDK can pick the exception class (aws-behaviour.md §6.4).
 */
const LEGACY_CODES: Record<string, string> = {
  QueueDoesNotExist: "AWS.SimpleQueueService.NonExistentQueue",
  QueueNameExists: "QueueAlreadyExists",
  QueueDeletedRecently: "AWS.SimpleQueueService.QueueDeletedRecently",
  MessageNotInflight: "AWS.SimpleQueueService.MessageNotInflight",
  PurgeQueueInProgress: "AWS.SimpleQueueService.PurgeQueueInProgress",
  TooManyEntriesInBatchRequest: "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
  EmptyBatchRequest: "AWS.SimpleQueueService.EmptyBatchRequest",
  BatchEntryIdsNotDistinct: "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
  BatchRequestTooLong: "AWS.SimpleQueueService.BatchRequestTooLong",
  InvalidBatchEntryId: "AWS.SimpleQueueService.InvalidBatchEntryId",
  UnsupportedOperation: "AWS.SimpleQueueService.UnsupportedOperation",
  UnknownOperationException: "InvalidAction",
};

export function legacyCode(code: string): string {
  return LEGACY_CODES[code] ?? code;
}

export const QUEUE_DOES_NOT_EXIST_MESSAGE = "The specified queue does not exist.";
/** What the query protocol says instead (older clients key on the wording). */
export const QUEUE_DOES_NOT_EXIST_QUERY_MESSAGE = "The specified queue does not exist for this wsdl version.";

export const sqsErrors = {
  queueDoesNotExist: () => new ServiceError("QueueDoesNotExist", QUEUE_DOES_NOT_EXIST_MESSAGE, 400),
  queueNameExists: (attribute: string) =>
    new ServiceError(
      "QueueNameExists",
      `A queue already exists with the same name and a different value for attribute ${attribute}`,
      400,
    ),
  queueDeletedRecently: () =>
    new ServiceError(
      "QueueDeletedRecently",
      "You must wait 60 seconds after deleting a queue before you can create another with the same name.",
      400,
    ),
  invalidParameterValue: (message: string) => new ServiceError("InvalidParameterValue", message, 400),
  /** AWS's wording for a parameter outside its range: "Value X for parameter Y is invalid. Reason: Z". */
  invalidValueFor: (parameter: string, value: unknown, reason: string) =>
    new ServiceError(
      "InvalidParameterValue",
      `Value ${String(value)} for parameter ${parameter} is invalid. Reason: ${reason}`,
      400,
    ),
  missingParameter: (name: string) =>
    new ServiceError("MissingParameter", `The request must contain the parameter ${name}.`, 400),
  invalidAttributeName: (name: string) =>
    new ServiceError("InvalidAttributeName", `Unknown Attribute ${name}.`, 400),
  invalidAttributeValue: (name: string, reason?: string) =>
    new ServiceError(
      "InvalidAttributeValue",
      `Invalid value for the parameter ${name}.${reason ? ` Reason: ${reason}` : ""}`,
      400,
    ),
  invalidMessageContents: () =>
    new ServiceError(
      "InvalidMessageContents",
      "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF",
      400,
    ),
  receiptHandleIsInvalid: (handle: string) =>
    new ServiceError(
      "ReceiptHandleIsInvalid",
      `The input receipt handle "${handle}" is not a valid receipt handle.`,
      404,
    ),
  messageNotInflight: () => new ServiceError("MessageNotInflight", "The message is not in flight.", 400),
  purgeInProgress: (queueName: string) =>
    new ServiceError(
      "PurgeQueueInProgress",
      `Only one PurgeQueue operation on ${queueName} is allowed every 60 seconds.`,
      403,
    ),
  emptyBatch: (operation: string) =>
    new ServiceError(
      "EmptyBatchRequest",
      `There should be at least one ${operation}RequestEntry in the request.`,
      400,
    ),
  tooManyEntries: (count: number, max: number) =>
    new ServiceError(
      "TooManyEntriesInBatchRequest",
      `Maximum number of entries per request are ${max}. You have sent ${count}.`,
      400,
    ),
  batchIdsNotDistinct: (id: string) =>
    new ServiceError("BatchEntryIdsNotDistinct", `Id ${id} repeated.`, 400),
  invalidBatchEntryId: () =>
    new ServiceError(
      "InvalidBatchEntryId",
      "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.",
      400,
    ),
  batchTooLong: (size: number, max: number) =>
    new ServiceError(
      "BatchRequestTooLong",
      `Batch requests cannot be longer than ${max} bytes. You have sent ${size} bytes.`,
      400,
    ),
  resourceNotFound: (message: string) => new ServiceError("ResourceNotFoundException", message, 404),
  overLimit: (message: string) => new ServiceError("OverLimit", message, 403),
};
