import { CommanderError } from "commander";
import { buildProgram } from "./program.js";
import { FatalError, UserError } from "./_kit/errors.js";

/** The CLI entry point and the only place that sets the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UserError || error instanceof FatalError) {
      console.error(`pipeline: ${error.message}`);
      return error.exitCode;
    }
    console.error(`pipeline: internal error: ${error instanceof Error ? error.stack : String(error)}`);
    return 70;
  }
}

process.exitCode = await main(process.argv.slice(2));
