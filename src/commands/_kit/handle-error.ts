import { ConfigError } from "../../runtime/config/errors.js";
import { EXIT, FatalError, OperatorError } from "./errors.js";
import type { OutputStream } from "./output.js";
import { UsageError } from "./register.js";

/**
 * Turns anything a command threw into a message on stderr and an exit code. main.ts calls it and
 * is the only place that sets the process's exit code.
 */
export function handleError(error: unknown, stderr: OutputStream, debug: boolean): number {
  const print = (text: string) => stderr.write(`${text}\n`);
  if (error instanceof UsageError) {
    const { commanderError } = error;
    // --help / --version: commander printed them and asks for 0.
    if (commanderError.exitCode === 0) return EXIT.ok;
    // A group called without a command: commander printed its help to stderr.
    if (commanderError.code === "commander.help") return EXIT.usage;
    const message = commanderError.message
      .replace(/^error:\s*/, "")
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean)
      .join(" ")
      .replace(/\(Did you mean/, "(did you mean")
      .replace(/\.$/, "");
    print(`pipeline: ${message}; see '${error.commandPath} --help'`);
    return EXIT.usage;
  }
  if (error instanceof ConfigError) {
    print(`pipeline: ${error.message}`);
    return error.exitCode;
  }
  if (error instanceof OperatorError || error instanceof FatalError) {
    print(`pipeline: ${error.message}`);
    if (debug && error.stack) print(error.stack);
    return error.exitCode;
  }
  const described = describeUnexpected(error);
  if (debug) {
    print(`pipeline: unexpected error: ${described}`);
    print(error instanceof Error && error.stack ? error.stack : String(error));
  } else {
    print(`pipeline: unexpected error: ${described} (rerun with --debug for the stack trace)`);
  }
  return EXIT.internal;
}

function describeUnexpected(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const first = error.message.split("\n")[0] ?? "";
  // AWS SDK service errors: the name is the AWS error code, which is what operators search for.
  const code = (error as { $metadata?: unknown }).$metadata !== undefined ? `AWS ${error.name}: ` : "";
  const name = code || (error.name && error.name !== "Error" ? `${error.name}: ` : "");
  return `${name}${first}`;
}
