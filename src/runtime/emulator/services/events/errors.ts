import { ServiceError } from "../../core/errors.js";

/**
 * The bound a value broke, as the model's validation words it: one bound per message ("have length
 * greater than or equal to 1", "have value less than or equal to 185"), never a range.
 */
export function boundRule(kind: "length" | "value", actual: number, min: number, max: number): string {
  return actual < min
    ? `have ${kind} greater than or equal to ${min}`
    : `have ${kind} less than or equal to ${max}`;
}

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
  alreadyExists: (message: string) => new ServiceError("ResourceAlreadyExistsException", message, 400),
  notFound: (message: string) => new ServiceError("ResourceNotFoundException", message, 400),
  /** A rule an AWS service manages (an archive's) changed without Force. */
  managedRule: (name: string, managedBy: string) =>
    new ServiceError(
      "ManagedRuleException",
      `Rule ${name} is managed by ${managedBy} and can only be changed with Force (delete the archive that owns it instead).`,
      400,
    ),
  illegalStatus: (message: string) => new ServiceError("IllegalStatusException", message, 400),
  internal: (message: string) => new ServiceError("InternalException", message, 500, false),
};
