import type { AwsClients } from "../../runtime/aws/index.js";
import type { ResolvedConfig } from "../../runtime/config/index.js";
import { unreachableEndpoint } from "../../runtime/aws/errors.js";
import { envFlag, type Env } from "../../runtime/config/env.js";
import { decideOutputMode, Output, type OutputStream } from "./output.js";
import { createPrompter, whyNotInteractive, type Prompter } from "./prompt.js";

/** The process's streams, environment and folder; tests pass their own to run the CLI in-process. */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  /** Whether stdin is a terminal (prompts need one). */
  stdinIsTTY: boolean;
  /** Standard input, for values read from a pipe (a key must never be a flag); absent reads as empty. */
  stdin?: NodeJS.ReadableStream;
  env: Env;
  cwd: string;
  /** Aborted on Ctrl-C; long-running commands stop cleanly when it fires. */
  signal: AbortSignal;
}

/** Flags the kit adds to commands (--target ... on AWS commands, --json, --yes) and global ones. */
export interface CommonFlags {
  target?: string;
  region?: string;
  profile?: string;
  endpointUrl?: string;
  config?: string;
  json: boolean;
  yes: boolean;
  debug: boolean;
}

/** What every command handler gets besides its own arguments and options. */
export interface CommandContext {
  /** Output mode decided once: pretty (terminal), plain (pipe or NO_COLOR) or json (--json). */
  readonly output: Output;
  /** Questions that refuse, naming the flag, when nobody can answer. */
  readonly prompt: Prompter;
  readonly flags: Readonly<CommonFlags>;
  readonly env: Env;
  readonly cwd: string;
  readonly signal: AbortSignal;
  /** Standard input: whether it is a terminal, and all it holds once the writer closes it. */
  readonly stdin: { readonly isTTY: boolean; readAll(): Promise<string> };
  /** The resolved configuration for the target (loaded once, on first call). */
  config(): Promise<ResolvedConfig>;
  /**
   * AWS clients for the target. On `local`, makes sure the emulator answers first, starting it in
   * this process (for the duration of the command) when nothing listens.
   */
  aws(): Promise<AwsClients>;
  /** Registers cleanup that runs when the command ends, last registered first. */
  onDispose(cleanup: () => unknown): void;
}

/** What the kit adds around a command run: cleanup, and errors translated for the operator. */
export interface DisposableContext {
  ctx: CommandContext;
  dispose(): Promise<void>;
  /**
   * An expected failure said as one: nothing answering at the target's endpoint (or DNS failing
   * for AWS) becomes the line naming the endpoint and the fix, instead of an "unexpected error".
   */
  translate(error: unknown): unknown;
}

export function createCommandContext(io: CliIo, flags: CommonFlags): DisposableContext {
  const output = new Output(
    decideOutputMode({
      json: flags.json,
      isTTY: io.stdout.isTTY === true,
      noColor: envFlag(io.env, "NO_COLOR"),
    }),
    io.stdout,
    io.stderr,
  );
  const prompt = createPrompter({
    notInteractiveBecause: whyNotInteractive({
      stdinIsTTY: io.stdinIsTTY,
      stdoutIsTTY: io.stdout.isTTY === true,
      ci: envFlag(io.env, "CI"),
    }),
    yes: flags.yes,
    signal: io.signal,
  });
  const cleanups: (() => unknown)[] = [];
  let config: Promise<ResolvedConfig> | undefined;
  let resolvedConfig: ResolvedConfig | undefined;
  let aws: Promise<AwsClients> | undefined;

  const ctx: CommandContext = {
    output,
    prompt,
    flags,
    env: io.env,
    cwd: io.cwd,
    signal: io.signal,
    stdin: {
      isTTY: io.stdinIsTTY,
      readAll: async () => {
        if (io.stdin === undefined) return "";
        const chunks: Buffer[] = [];
        for await (const chunk of io.stdin) {
          chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
        }
        return Buffer.concat(chunks).toString("utf8");
      },
    },
    config: () => {
      config ??= import("../../runtime/config/index.js").then(({ resolveConfig }) => {
        resolvedConfig = resolveConfig({
          cwd: io.cwd,
          env: io.env,
          flags: {
            target: flags.target,
            region: flags.region,
            profile: flags.profile,
            endpointUrl: flags.endpointUrl,
            config: flags.config,
          },
        });
        return resolvedConfig;
      });
      return config;
    },
    aws: () => {
      aws ??= (async () => {
        const resolved = await ctx.config();
        const { openAws } = await import("../../runtime/aws/index.js");
        const session = await openAws(resolved, { cwd: io.cwd });
        cleanups.push(() => session.close());
        if (session.endpoint.notice) output.note(session.endpoint.notice);
        if (session.endpoint.startedHere) {
          output.note(
            `started the embedded emulator at ${session.endpoint.url} for this command ` +
              "(keep one running with: pipeline emulator start)",
          );
        }
        return session.clients;
      })();
      return aws;
    },
    onDispose: (cleanup) => {
      cleanups.push(cleanup);
    },
  };

  return {
    ctx,
    translate: (error) =>
      resolvedConfig === undefined ? error : (unreachableEndpoint(error, resolvedConfig.config) ?? error),
    dispose: async () => {
      const errors: unknown[] = [];
      for (const cleanup of cleanups.reverse()) {
        try {
          await cleanup();
        } catch (error) {
          errors.push(error);
        }
      }
      cleanups.length = 0;
      if (errors.length) throw errors[0];
    },
  };
}
