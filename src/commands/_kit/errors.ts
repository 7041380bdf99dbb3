import { OperatorError } from "../../runtime/config/errors.js";

/**
 * Error classes the CLI maps to messages and exit codes in one place (./handle-error.ts, called by
 * main.ts, the only place that sets the exit code). Commands throw; they never exit.
 *
 * - UserError: the input or environment is wrong; the message names the key or flag, the value,
 *   what is allowed or the fix. Exit 2. (Engines throw OperatorError, its base, for the same.)
 * - FatalError: the command ran and its outcome is a failure (a verify gate, a deploy step); the
 *   report was already printed; carries its exit code (default 1).
 * Anything else is unexpected: one line plus a hint to rerun with --debug for the stack.
 */
export { OperatorError };

export class UserError extends OperatorError {
  override name = "UserError";
}

export class FatalError extends Error {
  override name = "FatalError";
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/**
 * The command stopped because of Ctrl-C (SIGINT). Its message says what the command left behind
 * and how to remove it, or that it left nothing. Exit 130, as shells report a SIGINT.
 */
export class InterruptedError extends FatalError {
  override name = "InterruptedError";
  constructor(message = "interrupted") {
    super(message, 130);
  }
}

/** Exit codes, so tests and scripts can tell outcomes apart. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  /** Unexpected error: a bug, or an environment problem nobody anticipated (sysexits EX_SOFTWARE). */
  internal: 70,
  /** Interrupted by Ctrl-C. */
  interrupted: 130,
} as const;
