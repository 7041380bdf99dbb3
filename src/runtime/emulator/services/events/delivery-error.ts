/** The ERROR_CODE values a target DLQ message carries (aws-behaviour.md §5.7). */
export type DeliveryErrorCode =
  | "NO_PERMISSIONS"
  | "NO_RESOURCE"
  | "THROTTLING"
  | "INTERNAL_ERROR"
  | "SDK_CLIENT_ERROR"
  | "ERROR_FROM_TARGET"
  | "CONNECTION_FAILURE"
  | "TIMEOUT";

export class DeliveryError extends Error {
  override readonly name = "DeliveryError";
  constructor(
    readonly code: DeliveryErrorCode,
    message: string,
    /** Missing permissions and deleted resources are not retried: they go straight to the DLQ. */
    readonly retryable: boolean,
  ) {
    super(message);
  }
}
