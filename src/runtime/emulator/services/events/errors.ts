import { ServiceError } from "../../core/errors.js";

export const eventsErrors = {
  ruleNotFound: (name: string, bus: string) =>
    new ServiceError("ResourceNotFoundException", `Rule ${name} does not exist on EventBus ${bus}.`, 400),
  busNotFound: (bus: string) =>
    new ServiceError("ResourceNotFoundException", `Event bus ${bus} does not exist.`, 400),
  validation: (message: string) => new ServiceError("ValidationException", message, 400),
  /** Model constraint violations read "1 validation error detected: Value … at '…' …". */
  constraint: (field: string, value: unknown, rule: string) =>
    new ServiceError(
      "ValidationException",
      `1 validation error detected: Value '${typeof value === "string" ? value : JSON.stringify(value)}' at '${field}' failed to satisfy constraint: Member must ${rule}`,
      400,
    ),
  invalidPattern: (message: string) => new ServiceError("InvalidEventPatternException", message, 400),
  limitExceeded: (message: string) => new ServiceError("LimitExceededException", message, 400),
};
