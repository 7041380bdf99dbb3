import type { Command, CommanderError } from "commander";
import { Argument, Option } from "commander";
import { TARGETS } from "../../runtime/config/targets.js";
import { createCommandContext, type CliIo, type CommonFlags } from "./context.js";
import type { CommandSpec, EntrySpec, Example, GroupSpec, OptionsShape } from "./define.js";
import { InterruptedError } from "./errors.js";

/**
 * Turns declarations (./define.ts) into commander commands: help with examples, the common flags,
 * and an action that builds the command's context, runs it, and disposes of what it started.
 */

/** A parse or help outcome from commander, with the command it happened in (for the hint). */
export class UsageError extends Error {
  override name = "UsageError";
  constructor(
    readonly commanderError: CommanderError,
    readonly commandPath: string,
  ) {
    super(commanderError.message);
  }
}

export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let node: Command | null = command; node; node = node.parent) names.unshift(node.name());
  return names.join(" ");
}

/** Every command reports commander's exits as UsageError, naming itself. */
export function useUsageErrors(command: Command): Command {
  return command.exitOverride((error) => {
    throw new UsageError(error, commandPath(command));
  });
}

export function addEntry(parent: Command, entry: EntrySpec, io: CliIo): Command {
  return entry.kind === "group" ? addGroup(parent, entry, io) : addCommand(parent, entry, io);
}

function addGroup(parent: Command, spec: GroupSpec, io: CliIo): Command {
  const group = useUsageErrors(
    parent
      .command(spec.name)
      .summary(spec.summary)
      .description(spec.description ?? spec.summary),
  );
  for (const command of spec.commands) addCommand(group, command, io);
  const examples = spec.commands.map((command) => command.examples[0]);
  group.addHelpText("after", helpAfter(examples, spec.notes));
  return group;
}

function addCommand(parent: Command, spec: CommandSpec<OptionsShape>, io: CliIo): Command {
  const command = useUsageErrors(
    parent
      .command(spec.name)
      .summary(spec.summary)
      .description(spec.description ?? spec.summary),
  );
  const argNames = Object.keys(spec.args ?? {});
  for (const [name, arg] of Object.entries(spec.args ?? {})) {
    const argument = new Argument(arg.required ? `<${name}>` : `[${name}]`, arg.description);
    if (arg.choices) argument.choices(arg.choices);
    command.addArgument(argument);
  }
  const optionKeys = Object.keys(spec.options ?? {});
  for (const [key, opt] of Object.entries(spec.options ?? {})) {
    const built = new Option(opt.flags, opt.description);
    if (built.attributeName() !== key) {
      throw new Error(
        `${commandPath(command)}: option ${opt.flags} must be declared under key "${built.attributeName()}"`,
      );
    }
    if (opt.parse) built.argParser(opt.parse);
    if (opt.choices) built.choices(opt.choices);
    if (opt.hasDefault && opt.defaultValue !== false) built.default(opt.defaultValue);
    if (opt.required) built.makeOptionMandatory();
    command.addOption(built);
  }
  if (spec.aws) addAwsOptions(command);
  if (spec.json) command.option("--json", "print the result as JSON (for scripts)");
  if (spec.yes) command.option("-y, --yes", "answer yes to confirmations (needed when not interactive)");
  command.addHelpText("after", helpAfter(spec.examples, spec.notes));

  command.action(async (...params: unknown[]) => {
    const self = params.at(-1) as Command;
    const all = self.optsWithGlobals<Record<string, unknown>>();
    const flags: CommonFlags = {
      target: all["target"] as string | undefined,
      region: all["region"] as string | undefined,
      profile: all["profile"] as string | undefined,
      endpointUrl: all["endpointUrl"] as string | undefined,
      config: all["config"] as string | undefined,
      json: all["json"] === true,
      yes: all["yes"] === true,
      debug: all["debug"] === true,
    };
    const args = Object.fromEntries(argNames.map((name, index) => [name, self.processedArgs[index]]));
    const options = Object.fromEntries(
      optionKeys.map((key) => [
        key,
        all[key] ?? (spec.options?.[key]?.hasDefault ? spec.options[key].defaultValue : undefined),
      ]),
    );
    const { ctx, dispose, translate } = createCommandContext(io, flags);
    let failed = true;
    try {
      await spec.run({ args, options } as never, ctx);
      failed = false;
    } catch (error) {
      // Whatever a Ctrl-C made fail (an aborted wait, a killed esbuild) is the interruption, not
      // an error of its own; a command that knows what it left throws InterruptedError itself.
      if (io.signal.aborted && !(error instanceof InterruptedError)) throw new InterruptedError();
      throw translate(error);
    } finally {
      // A cleanup failure must not hide the command's own error.
      if (failed) await dispose().catch(() => {});
      else await dispose();
    }
  });
  return command;
}

/** --target, --region, --profile, --endpoint-url: every command that talks to AWS or reads config. */
function addAwsOptions(command: Command): void {
  command
    .option("--target <target>", `where to act: ${TARGETS.join(" | ")} (default local; env PIPELINE_TARGET)`)
    .option("--region <region>", "AWS region (env AWS_REGION; default us-east-1)")
    .option("--profile <name>", "AWS profile for the aws target (env AWS_PROFILE)")
    .option("--endpoint-url <url>", "AWS endpoint for every service (env AWS_ENDPOINT_URL)");
}

function helpAfter(examples: readonly Example[], notes?: string): string {
  const lines = ["", "Examples:"];
  for (const example of examples) lines.push(`  $ ${example.command}`, `      ${example.description}`);
  if (notes) lines.push("", ...notes.split("\n"));
  return lines.join("\n");
}
