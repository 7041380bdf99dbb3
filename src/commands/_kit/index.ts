/** The CLI kit: what group modules import to declare commands, and what handlers get. */
export { arg, defineCommand, defineGroup, flag, option, optionalArg } from "./define.js";
export type { CommandInput, CommandSpec, EntrySpec, Example, GroupSpec, OptionSpec } from "./define.js";
export type { CliIo, CommandContext, CommonFlags } from "./context.js";
export { EXIT, FatalError, InterruptedError, OperatorError, UserError } from "./errors.js";
export type { Output, OutputMode } from "./output.js";
export type { Prompter } from "./prompt.js";
export { integerOption, parseCount } from "./parsers.js";
