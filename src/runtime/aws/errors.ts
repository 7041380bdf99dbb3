import { OperatorError } from "../config/errors.js";

/** The configured endpoint does not answer, or something else answers there. */
export class EndpointUnavailableError extends OperatorError {
  override name = "EndpointUnavailableError";
}

/** The embedded emulator cannot be loaded (not built, or its module is missing). */
export class EmulatorUnavailableError extends OperatorError {
  override name = "EmulatorUnavailableError";
}

/** The credentials belong to another account than the configured `account`. */
export class AccountMismatchError extends OperatorError {
  override name = "AccountMismatchError";
}

/** The SDK found no credentials for the aws target. */
export class NoCredentialsError extends OperatorError {
  override name = "NoCredentialsError";
}
