import type { CommandContext } from "./context.js";

/**
 * Commands as declarations. A group module (src/commands/<group>/index.ts) declares its commands
 * with `defineGroup` / `defineCommand`: names, help, options, examples. Declarations import only
 * this kit; each `run` loads its implementation with `await import("./<command>.js")`, so help and
 * parsing never load the AWS SDK, ink, listr2, zod or the emulator.
 */

export interface Example {
  /** The full command line, starting with "pipeline". */
  command: string;
  description: string;
}

export interface OptionSpec<T = unknown, HasDefault extends boolean = boolean> {
  readonly flags: string;
  readonly description: string;
  /** Turns the raw text into a value; throw InvalidArgumentError (commander) for a usage error. */
  readonly parse?: (raw: string, previous: T) => T;
  readonly choices?: readonly string[];
  readonly defaultValue?: T;
  readonly hasDefault: HasDefault;
  readonly required?: boolean;
}

type OptionExtras<T> = {
  parse?: (raw: string, previous: T) => T;
  choices?: readonly string[];
  required?: boolean;
};

/** `--name <value>` option; the record key must be commander's camelCase name ("--dry-run" → dryRun). */
export function option<T = string>(
  flags: string,
  description: string,
  extra?: OptionExtras<T>,
): OptionSpec<T, false>;
export function option<T>(
  flags: string,
  description: string,
  extra: OptionExtras<T> & { default: T },
): OptionSpec<T, true>;
export function option<T>(
  flags: string,
  description: string,
  extra: OptionExtras<T> & { default?: T } = {},
): OptionSpec<T, boolean> {
  const { default: defaultValue, ...rest } = extra;
  return { flags, description, ...rest, hasDefault: "default" in extra, defaultValue };
}

/** A boolean switch, false unless given. */
export function flag(flags: string, description: string): OptionSpec<boolean, true> {
  return { flags, description, defaultValue: false, hasDefault: true };
}

export interface ArgSpec<Required extends boolean = boolean> {
  readonly description: string;
  readonly required: Required;
  readonly choices?: readonly string[];
}

export function arg(description: string, extra: { choices?: readonly string[] } = {}): ArgSpec<true> {
  return { description, required: true, ...extra };
}

export function optionalArg(
  description: string,
  extra: { choices?: readonly string[] } = {},
): ArgSpec<false> {
  return { description, required: false, ...extra };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type OptionsShape = Record<string, OptionSpec<any, boolean>>;
export type ArgsShape = Record<string, ArgSpec>;

export type OptionValues<O extends OptionsShape> = {
  [K in keyof O]: O[K] extends OptionSpec<infer T, infer D> ? (D extends true ? T : T | undefined) : never;
};
export type ArgValues<A extends ArgsShape> = {
  [K in keyof A]: A[K] extends ArgSpec<true> ? string : string | undefined;
};

export interface CommandInput<O extends OptionsShape, A extends ArgsShape> {
  args: ArgValues<A>;
  options: OptionValues<O>;
}

export interface CommandSpec<O extends OptionsShape = OptionsShape, A extends ArgsShape = ArgsShape> {
  readonly kind: "command";
  /** The word after the group (or after "pipeline" for a top-level command). */
  readonly name: string;
  /** One line, shown in the parent's command list. */
  readonly summary: string;
  /** Longer text at the top of the command's --help (defaults to the summary). */
  readonly description?: string;
  /** Positional arguments, in declaration order. */
  readonly args?: A;
  readonly options?: O;
  /** At least one: shown under "Examples:" in --help. */
  readonly examples: readonly [Example, ...Example[]];
  /** Adds --target, --region, --profile, --endpoint-url (the command talks to AWS or reads config). */
  readonly aws?: boolean;
  /** Adds --json: the result is printed as JSON for scripts. */
  readonly json?: boolean;
  /** Adds --yes: confirmations pass without asking (required when not interactive). */
  readonly yes?: boolean;
  /** Text after the examples: caveats, related commands. */
  readonly notes?: string;
  /** Parses, asks and renders; loads its implementation lazily. Throws to fail. */
  run(input: CommandInput<O, A>, ctx: CommandContext): Promise<void>;
}

export interface GroupSpec {
  readonly kind: "group";
  readonly name: string;
  readonly summary: string;
  readonly description?: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly commands: readonly CommandSpec<any, any>[];
  readonly notes?: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EntrySpec = GroupSpec | CommandSpec<any, any>;

export function defineCommand<
  O extends OptionsShape = Record<never, never>,
  A extends ArgsShape = Record<never, never>,
>(spec: Omit<CommandSpec<O, A>, "kind">): CommandSpec<O, A> {
  return { kind: "command", ...spec };
}

export function defineGroup(spec: Omit<GroupSpec, "kind">): GroupSpec {
  return { kind: "group", ...spec };
}
