/**
 * Error classes the CLI layer maps to exit codes in main.ts (the only place that exits).
 * UserError: the user's input or environment is wrong; the message names the fix.
 * FatalError: the command ran and failed (a verify gate, a deploy step); carries its exit code.
 */
export class UserError extends Error {
  override readonly name = "UserError";
  readonly exitCode: number = 2;
}

export class FatalError extends Error {
  override readonly name = "FatalError";
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
