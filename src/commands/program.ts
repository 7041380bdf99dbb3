/**
 * The command tree. Groups are declarations; their implementations load only when a command runs.
 *
 * Adding a command group (deploy, emulator, schedule, logs, dlq, verify, status, doctor, localstack):
 *  1. Write src/commands/<group>/index.ts: `export default defineGroup({ name, summary, commands: [
 *     defineCommand({ name, summary, options, examples: [...], aws: true, json: true, async run(input, ctx)
 *     { const { doIt } = await import("./do-it.js"); await doIt(input, ctx); } }) ] })`.
 *     A single top-level command (status, doctor) is `export default defineCommand({...})`.
 *     The declaration imports only "../_kit/index.js" (type-only imports are fine): everything else
 *     (engines, SDK clients, ink, listr2) is imported inside run(), so --help stays fast.
 *  2. Add one import and one ENTRIES line below, in the order --help lists the groups.
 *  3. In the implementation: read config with `await ctx.config()`, get clients with `await ctx.aws()`
 *     (starts the local emulator when needed), print only through `ctx.output` (result(data, render)
 *     covers --json), ask only through `ctx.prompt` (refuses non-interactively, naming the flag),
 *     throw UserError (bad input: name key/value/allowed) or FatalError (failed outcome, exit code);
 *     never call process.exit. Long-running commands stop when `ctx.signal` aborts (Ctrl-C).
 *  4. Add an example to the README's "Commands" section; test/e2e/cli-basics.test.ts checks that the
 *     group's --help shows an example and loads no AWS SDK client, ink, listr2, zod or emulator.
 */
import { Command } from "commander";
import { TARGETS } from "../runtime/config/targets.js";
import type { CliIo } from "./_kit/context.js";
import type { EntrySpec } from "./_kit/define.js";
import { setCommandTree } from "./_kit/command-tree.js";
import { addEntry, useUsageErrors } from "./_kit/register.js";
import { versionLine } from "./_kit/version.js";
import alertsGroup from "./alerts/index.js";
import secretsGroup from "./secrets/index.js";
import completionCommand from "./completion/index.js";
import configGroup from "./config/index.js";
import deployCommand from "./deploy/index.js";
import destroyCommand from "./destroy/index.js";
import dlqGroup from "./dlq/index.js";
import doctorCommand from "./doctor/index.js";
import emulatorGroup from "./emulator/index.js";
import eventsGroup from "./events/index.js";
import fixturesGroup from "./fixtures/index.js";
import localstackGroup from "./localstack/index.js";
import logsGroup from "./logs/index.js";
import rosterGroup from "./roster/index.js";
import runCommand from "./run/index.js";
import scheduleGroup from "./schedule/index.js";
import statusCommand from "./status/index.js";
import verifyCommand from "./verify/index.js";

export const ENTRIES: readonly EntrySpec[] = [
  configGroup,
  deployCommand,
  destroyCommand,
  emulatorGroup,
  eventsGroup,
  fixturesGroup,
  rosterGroup,
  runCommand,
  localstackGroup,
  scheduleGroup,
  logsGroup,
  dlqGroup,
  alertsGroup,
  secretsGroup,
  statusCommand,
  doctorCommand,
  verifyCommand,
  completionCommand,
];

export function buildProgram(io: CliIo, entries: readonly EntrySpec[] = ENTRIES): Command {
  const program = useUsageErrors(new Command("pipeline"))
    .description(
      "Deploy, run, watch, repair and verify the celebrity scraping pipeline, on the embedded AWS emulator " +
        "(local), LocalStack or AWS",
    )
    .version(
      versionLine(),
      "-V, --version",
      "print the version, the commit, the Node version and the platform",
    )
    .option("--config <file>", "config file (default ./pipeline.config.json; env PIPELINE_CONFIG)")
    .option("--debug", "print stack traces of unexpected errors (env PIPELINE_DEBUG)")
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // Errors are printed once, by handle-error.ts, in the CLI's own format.
      outputError: () => {},
    })
    .configureHelp({ showGlobalOptions: true })
    .showSuggestionAfterError(true);
  for (const entry of entries) addEntry(program, entry, io);
  setCommandTree(program);
  program.addHelpText(
    "after",
    [
      "",
      `Targets: ${TARGETS.join(", ")} (default local: the embedded emulator, started when needed).`,
      "Run 'pipeline <command> --help' for a command's options and examples.",
    ].join("\n"),
  );
  return program;
}
