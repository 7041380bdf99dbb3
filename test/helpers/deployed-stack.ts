import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { demoRoster, type Celebrity } from "../../src/pipeline/model/index.js";
import { defineStack, type Stack } from "../../src/pipeline/stack/index.js";
import { importRoster, sourceOfEntries } from "../../src/runtime/roster/index.js";
import { createClients, type AwsClients } from "../../src/runtime/aws/index.js";
import { resolveConfig, toStackParams, type ResolvedConfig } from "../../src/runtime/config/index.js";
import {
  deployStack,
  type DeployContext,
  type DeployPlan,
  type DeployResult,
} from "../../src/runtime/deploy/index.js";
import { createEmulator, type Emulator, type EmulatorOptions } from "../../src/runtime/emulator/index.js";
import {
  startFixtureServer,
  type FaultConfig,
  type FixtureServer,
  type FixtureServerOptions,
} from "../../src/runtime/fixtures/index.js";

/**
 * startDeployedStack(options?) — the real stack, deployed by the real deploy engine into an
 * in-process emulator, with the fixture server as every source. For integration and e2e tests of
 * anything that needs a deployed pipeline (verify, dlq, schedule, run, deploy itself).
 *
 *   const deployed = await startDeployedStack();          // in beforeAll (allow ~60 s)
 *   ...deployed.clients.lambda(), deployed.stack.functions.scraperTmdb.name, deployed.config...
 *   await deployed.stop();                                 // in afterAll
 *
 * What it does, in order:
 *   1. createEmulator on 127.0.0.1, port 0 (all services; retry waits scaled by retryWaitScale),
 *   2. startFixtureServer on port 0 (seeded, optional faults),
 *   3. resolveConfig for target local, hermetically (no config file, no process env): endpoint =
 *      the emulator, source base URLs = the fixture server, OpenSearch = the emulator's domain,
 *   4. defineStack(toStackParams(config)) and deploy it (plan + apply, the way `pipeline deploy` does),
 *      unless `deploy: false`.
 *
 * Returned: { emulator, fixtures, config, clients, stack, context, plan, result, stop }.
 *   - `config` is the ResolvedConfig (config.config is the PipelineConfig), so engines that take a
 *     resolved config see exactly what a CLI run against this emulator would.
 *   - `context` is the DeployContext, for calling planDeployment / applyPlan / destroyStack again.
 *   - `plan`/`result` are the first deploy's (undefined with `deploy: false`).
 *   - `stop()` destroys the clients, stops the emulator (and its Lambda processes) and the fixture
 *     server. Call it in afterAll; it is safe to call twice.
 * The signature is shared by several test files: extend the options, do not change what exists.
 */
export interface DeployedStackOptions {
  /** Stack suffix (appended to every name), e.g. "-test". Default "". */
  suffix?: string;
  /** The roster imported after the deploy: the first N demo people (default 100); 0 leaves it empty. */
  rosterSize?: number;
  /** Or these people (wins over rosterSize). */
  roster?: readonly Celebrity[];
  /** Faults the fixture server injects from the start (change later with fixtures.setFaults). */
  faults?: FaultConfig;
  /** Other fixture server options (seed, epoch, changeRate, …). */
  fixtureOptions?: Omit<FixtureServerOptions, "port" | "faults">;
  /** Deploy without the OpenSearch index (DeployContext.opensearchEndpoint = null). Default false. */
  skipOpenSearch?: boolean;
  /** Emulator options (clock, settings, services, persistDir); port and host are fixed. */
  emulator?: Omit<EmulatorOptions, "port" | "host">;
  /** Factor for Lambda's async retry waits (emulator setting). Default 1/60 (1 s and 2 s). */
  retryWaitScale?: number;
  /** Extra environment for resolveConfig (PIPELINE_* variables), applied last. */
  env?: Record<string, string>;
  /** Set false to start everything but deploy nothing (a test that drives deploy itself). */
  deploy?: boolean;
  /**
   * The config file's content (what pipeline.config.json would hold), e.g.
   * `{ sources: { news: { shardSize: 10 } } }`; env and the fixed local settings still apply on top.
   */
  configFile?: Record<string, unknown>;
}

export interface DeployedStack {
  /** The people imported into the roster after the deploy. */
  roster: readonly Celebrity[];
  emulator: Emulator;
  fixtures: FixtureServer;
  config: ResolvedConfig;
  clients: AwsClients;
  stack: Stack;
  context: DeployContext;
  plan: DeployPlan | undefined;
  result: DeployResult | undefined;
  stop(): Promise<void>;
}

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export async function startDeployedStack(options: DeployedStackOptions = {}): Promise<DeployedStack> {
  const roster = options.roster ?? demoRoster().slice(0, options.rosterSize ?? 100);
  const emulator = await createEmulator({
    ...options.emulator,
    port: 0,
    settings: {
      retryWaitScale: options.retryWaitScale ?? 1 / 60,
      ...options.emulator?.settings,
    },
  });
  let fixtures: FixtureServer | undefined;
  let clients: AwsClients | undefined;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    clients?.destroy();
    await Promise.allSettled([emulator.stop(), fixtures?.stop()]);
  };
  try {
    fixtures = await startFixtureServer({
      roster,
      ...options.fixtureOptions,
      port: 0,
      ...(options.faults ? { faults: options.faults } : {}),
    });
    const config = resolveConfig({
      cwd: PROJECT_ROOT,
      // Hermetic: neither the developer's config file nor their environment changes the test.
      readText: (path) =>
        options.configFile !== undefined && path === resolve(PROJECT_ROOT, "pipeline.config.json")
          ? JSON.stringify(options.configFile)
          : undefined,
      env: {
        PIPELINE_TARGET: "local",
        PIPELINE_FIXTURES_PORT: String(fixtures.port),
        PIPELINE_SUFFIX: options.suffix ?? "",
        AWS_REGION: emulator.region,
        ...options.env,
      },
      flags: { target: "local", endpointUrl: emulator.url },
    });
    clients = createClients(config.config);
    const stack = defineStack(toStackParams(config, await clients.accountId()));
    const context: DeployContext = {
      clients,
      stack,
      projectRoot: PROJECT_ROOT,
      // The sources do not change during a test file: bundle each handler once.
      bundleCache: new Map(),
      ...(options.skipOpenSearch ? { opensearchEndpoint: null } : {}),
    };
    let plan: DeployPlan | undefined;
    let result: DeployResult | undefined;
    if (options.deploy !== false) {
      ({ plan, result } = await deployStack(context));
      // Whom the scrapers follow is data: import it as `pipeline roster import` would.
      if (roster.length > 0)
        await importRoster(await clients.dynamodb(), stack.table.name, sourceOfEntries(roster));
    }
    return { roster, emulator, fixtures, config, clients, stack, context, plan, result, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
