import { Command } from "commander";

/** The commander tree. Each group's module is imported only when one of its commands runs. */
export function buildProgram(): Command {
  const program = new Command("pipeline")
    .description("Deploy, run, watch, repair and verify the celebrity scraping pipeline")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  return program;
}
