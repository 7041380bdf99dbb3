import type { Command } from "commander";

/**
 * The program being run, for commands that describe the CLI itself (`completion`): buildProgram
 * registers it here, so such a command reads the tree --help shows without importing the program
 * module (which imports every command).
 */
let current: Command | undefined;

export function setCommandTree(program: Command): void {
  current = program;
}

export function commandTree(): Command {
  if (!current) throw new Error("the command tree is read before the program was built");
  return current;
}
