import { resolve } from "node:path";
import { LOCAL_CREDENTIALS } from "../../runtime/config/index.js";
import {
  checkStateFolder,
  probeEmulatorHealth,
  startDetachedEmulator,
  stateDirFor,
  stateFolderInUse,
} from "../../runtime/emulator-process/index.js";
import type { PipelineConfig } from "../../runtime/config/index.js";
import { fixtureServerAnswers, fixtureServerMissing } from "../../runtime/invoke/local-sources.js";
import { UserError, type CommandContext } from "../_kit/index.js";
import { requestLogger } from "../_shared/request-log.js";

export interface StartOptions {
  port: number | undefined;
  persist: string | undefined;
  inMemory: boolean;
  detach: boolean;
  withFixtures: boolean;
  logRequests: boolean;
}

export async function emulatorStart(options: StartOptions, ctx: CommandContext): Promise<void> {
  const { config } = await ctx.config();
  const port = options.port ?? config.emulator.port;
  if (options.inMemory && options.persist !== undefined) {
    throw new UserError(
      `--in-memory keeps no state folder and --persist ${options.persist} names one; give one of them`,
    );
  }
  // --in-memory: no state folder at all (tests, scripts, CI); nothing survives a stop.
  const persistDir = options.inMemory
    ? null
    : resolve(ctx.cwd, options.persist ?? config.emulator.persistDir);
  if (persistDir !== null) {
    checkStateFolder(persistDir, "--persist or emulator.persistDir");
    await refuseOwnedFolder(persistDir);
  }
  if (options.detach) await startDetached(port, persistDir, options, config, ctx);
  else await runInForeground(port, persistDir, options, config, ctx);
}

/**
 * The scrapers the emulator runs call their source APIs at the configured base URLs, by default the
 * fixture source server on fixtures.port; without it every scrape fails into the scraper DLQ. The
 * emulator knows nothing of the stack, so this is the CLI's remark, made at start.
 */
async function fixturesRemark(config: PipelineConfig, ctx: CommandContext): Promise<void> {
  const { missing, origin } = await fixtureServerMissing(config);
  if (!missing) return;
  ctx.output.warn(
    `the scrapers call their source APIs at ${origin} (fixtures.port), where nothing answers: ` +
      "start it with the emulator (pipeline emulator start --with-fixtures) or on its own " +
      "(pipeline fixtures serve); otherwise every scrape fails into the scraper DLQ",
  );
}

interface StartedFixtures {
  url: string;
  /** False when a fixture server already answered on fixtures.port: that one is used. */
  started: boolean;
  stop(): Promise<void>;
}

/** --with-fixtures: the fixture source server in the emulator's process, unless one already answers. */
async function startFixtures(
  config: PipelineConfig,
  logRequests: boolean,
  ctx: CommandContext,
): Promise<StartedFixtures> {
  const origin = `http://127.0.0.1:${config.fixtures.port}`;
  if (await fixtureServerAnswers(origin)) return { url: origin, started: false, stop: async () => {} };
  const { startFixtureServer } = await import("../../runtime/fixtures/index.js");
  try {
    const server = await startFixtureServer({
      port: config.fixtures.port,
      ...(logRequests ? { onRequest: requestLogger(ctx, "fixtures") } : {}),
    });
    return { url: server.url, started: true, stop: () => server.stop() };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      throw new UserError(
        `--with-fixtures: port ${config.fixtures.port} (fixtures.port) is in use by another program; ` +
          "choose another with PIPELINE_FIXTURES_PORT",
      );
    }
    throw error;
  }
}

/** One emulator per state folder: a second one is refused before it opens anything. */
async function refuseOwnedFolder(persistDir: string): Promise<void> {
  const { stateFolderOwner } = await import("../../runtime/emulator/index.js");
  const owner = stateFolderOwner(persistDir);
  if (owner) throw stateFolderInUse(persistDir, owner);
}

async function startDetached(
  port: number,
  persistDir: string | null,
  options: StartOptions,
  config: PipelineConfig,
  ctx: CommandContext,
): Promise<void> {
  const { withFixtures } = options;
  const entry = process.argv[1];
  if (!entry) throw new UserError("cannot tell which script runs the CLI; run the emulator without --detach");
  // The child is this CLI in foreground mode, with the same Node flags, folder and config.
  const command: [string, ...string[]] = [
    process.execPath,
    ...process.execArgv,
    entry,
    ...(ctx.flags.config ? ["--config", ctx.flags.config] : []),
    "emulator",
    "start",
    "--port",
    String(port),
    ...(persistDir === null ? ["--in-memory"] : ["--persist", persistDir]),
    ...(withFixtures ? ["--with-fixtures"] : []),
    // The request log goes to the child's log file.
    ...(options.logRequests ? ["--log-requests"] : []),
  ];
  const stateDir = stateDirFor(ctx.cwd);
  const { MALLOC_TUNING } = await import("../../runtime/emulator/index.js");
  const started = await startDetachedEmulator({
    stateDir,
    port,
    persistDir,
    command,
    cwd: ctx.cwd,
    // The operator's own setting wins; otherwise the emulator gives freed memory back (host-memory.ts).
    env: { ...MALLOC_TUNING, ...ctx.env },
  });
  const { style } = ctx.output;
  if (ctx.output.mode === "json") {
    ctx.output.json(
      runningReport(started.pidFile.url, started.pidFile.pid, started.health.region, persistDir, {
        detached: true,
        logFile: started.pidFile.logFile,
        fixtures: withFixtures ? `http://127.0.0.1:${config.fixtures.port}` : null,
      }),
    );
  }
  ctx.output.line(
    `${style.green("emulator running")} at ${started.pidFile.url} (pid ${started.pidFile.pid}, detached)`,
  );
  printUsage(started.pidFile.url, started.health.region, ctx);
  ctx.output.line(`State: ${stateLine(persistDir)}   Log: ${started.pidFile.logFile}`);
  // The child starts the fixture server before its gateway answers, so it is up by now.
  if (withFixtures) ctx.output.line(`Fixture source server: http://127.0.0.1:${config.fixtures.port}`);
  else await fixturesRemark(config, ctx);
  ctx.output.line("Stop it with: pipeline emulator stop");
}

async function runInForeground(
  port: number,
  persistDir: string | null,
  options: StartOptions,
  config: PipelineConfig,
  ctx: CommandContext,
): Promise<void> {
  const { withFixtures, logRequests } = options;
  const { region, account, emulator: settings } = config;
  const url = `http://127.0.0.1:${port}`;
  const probe = await probeEmulatorHealth(url);
  if (probe.kind === "pipeline") {
    throw new UserError(`an emulator already answers at ${url}; use it, or choose another port with --port`);
  }
  if (probe.kind === "other") {
    throw new UserError(
      `port ${port} is in use by another program (${probe.detail}); choose another with --port`,
    );
  }
  const { createEmulator, StateFolderInUseError } = await import("../../runtime/emulator/index.js");
  // Before the emulator: once its gateway answers (what a detached start waits for), the sources do too.
  const fixtures = withFixtures ? await startFixtures(config, logRequests, ctx) : undefined;
  let emulator;
  try {
    emulator = await createEmulator({
      port,
      host: "127.0.0.1",
      ...(persistDir === null ? {} : { persistDir }),
      region,
      ...(account ? { accountId: account } : {}),
      settings: {
        retryWaitScale: settings.retryWaitScale,
        ttlSweepIntervalMs: settings.ttlSweepSeconds * 1000,
      },
      onBackgroundError: (service, error) =>
        ctx.output.warn(`${service}: ${error instanceof Error ? error.message : String(error)}`),
      ...(logRequests ? { onRequest: requestLogger(ctx, "emulator") } : {}),
    });
  } catch (error) {
    await fixtures?.stop();
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      throw new UserError(`port ${port} is in use; choose another with --port`);
    }
    // Another emulator took the folder between the check and the start.
    if (error instanceof StateFolderInUseError) throw stateFolderInUse(error.folder, error.owner);
    throw error;
  }
  const { style } = ctx.output;
  // One JSON line once it answers, so a script reading stdout knows when and where it runs.
  if (ctx.output.mode === "json") {
    ctx.output.ndjson(
      runningReport(emulator.url, process.pid, emulator.region, persistDir, {
        detached: false,
        recovery: emulator.recovery().map((note) => note.message),
        fixtures: fixtures?.url ?? null,
      }),
    );
  }
  ctx.output.line(`${style.green("emulator running")} at ${emulator.url} (pid ${process.pid})`);
  for (const note of emulator.recovery()) ctx.output.line(`Recovered after a crash: ${note.message}`);
  printUsage(emulator.url, emulator.region, ctx);
  ctx.output.line(`State: ${stateLine(persistDir)}`);
  if (fixtures) {
    ctx.output.line(
      `Fixture source server: ${fixtures.url}${fixtures.started ? "" : " (already running: used as it is)"}`,
    );
  } else await fixturesRemark(config, ctx);
  ctx.output.line("Press Ctrl-C to stop.");

  // Ctrl-C aborts ctx.signal; `pipeline emulator stop` sends SIGTERM to a detached one.
  await new Promise<void>((done) => {
    const onTerm = () => finish();
    const finish = () => {
      process.off("SIGTERM", onTerm);
      ctx.signal.removeEventListener("abort", finish);
      done();
    };
    process.on("SIGTERM", onTerm);
    if (ctx.signal.aborted) finish();
    else ctx.signal.addEventListener("abort", finish, { once: true });
  });
  await emulator.stop();
  await fixtures?.stop();
  ctx.output.line("emulator stopped");
}

/** What `--json` prints once the emulator answers: where it runs and the environment to use it. */
function runningReport(
  url: string,
  pid: number,
  region: string,
  persistDir: string | null,
  extra: { detached: boolean; logFile?: string; recovery?: string[]; fixtures: string | null },
) {
  return {
    endpoint: url,
    pid,
    region,
    persistDir,
    ...extra,
    env: {
      AWS_ENDPOINT_URL: url,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_REGION: region,
    },
  };
}

function stateLine(persistDir: string | null): string {
  return persistDir ?? "in memory (--in-memory): nothing is kept after it stops";
}

function printUsage(url: string, region: string, ctx: CommandContext): void {
  ctx.output.line("Point the AWS CLI and SDKs at it:");
  ctx.output.line(`  export AWS_ENDPOINT_URL=${url}`);
  ctx.output.line(`  export AWS_ACCESS_KEY_ID=${LOCAL_CREDENTIALS.accessKeyId}`);
  ctx.output.line(`  export AWS_SECRET_ACCESS_KEY=${LOCAL_CREDENTIALS.secretAccessKey}`);
  ctx.output.line(`  export AWS_REGION=${region}`);
}
