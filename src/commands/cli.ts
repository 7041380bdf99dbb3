import { envFlag } from "../runtime/config/env.js";
import type { CliIo } from "./_kit/context.js";
import type { EntrySpec } from "./_kit/define.js";
import { EXIT } from "./_kit/errors.js";
import { handleError } from "./_kit/handle-error.js";
import { buildProgram } from "./program.js";

/** Parses argv, runs the command and returns the exit code; tests call it in-process with their own io. */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  entries?: readonly EntrySpec[],
): Promise<number> {
  const debug = argv.includes("--debug") || envFlag(io.env, "PIPELINE_DEBUG");
  try {
    await buildProgram(io, entries).parseAsync([...argv], { from: "user" });
    return EXIT.ok;
  } catch (error) {
    return handleError(error, io.stderr, debug);
  }
}
