import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { fileURLToPath } from "node:url";
import { defineStack, type Stack } from "../../pipeline/stack/index.js";
import { unreachableEndpoint, type AwsClients } from "../aws/index.js";
import { OperatorError } from "../config/errors.js";
import { toStackParams, type ResolvedConfig } from "../config/index.js";
import type { DeployEvent, DeployPlan, LambdaBundle } from "../deploy/index.js";
import { checkContainerSources, ensureLocalSources } from "../invoke/local-sources.js";
import { formatMs } from "./poll.js";
import type { Progress, StackDeployer } from "./types.js";

/**
 * What `verify` needs before its first check: a target that answers (nothing answering is the
 * operator's one line and exit 2, never a "ready" followed by phases failing one by one), the stack
 * for the target, a fixture source server when the scrapers' sources point at one on loopback that
 * is not running (on target localstack the compose project's `fixtures` service serves them:
 * checked, not started, and its absence refused up front since every scrape would fail), and, on
 * the local target, the stack deployed when this process started the emulator or the table is
 * absent. That is what makes `pipeline verify all` one command on a fresh clone. A stack someone
 * keeps running is verified as it is (a verify that repaired what it checks would prove nothing).
 */

/** The project folder: the handler modules the deploy engine bundles are relative to it. */
export const PROJECT_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/**
 * Resources created at once. Most of a fresh deploy is waiting for functions to become Active and
 * mappings Enabled; more in flight than the engine's default 4 shortens verify's cold start.
 */
const DEPLOY_CONCURRENCY = 8;

/** The deploy engine behind the verify protocol's StackDeployer (4C's `-test` copy, local setup). */
export function createStackDeployer(
  clients: AwsClients,
  projectRoot = PROJECT_ROOT,
  /** Ctrl-C: a deploy starts no more resources (a teardown is never cut short: it cleans up). */
  signal?: AbortSignal,
): StackDeployer {
  // The stack and its -test copy run the same code: bundle each handler once per verify run.
  const bundleCache = new Map<string, LambdaBundle>();
  return {
    async deploy(stack, onProgress) {
      const { planDeployment, applyPlan } = await import("../deploy/index.js");
      const context = { clients, stack, projectRoot, bundleCache };
      onProgress(`planning ${stack.table.name} and the rest of the stack`);
      const plan = await planDeployment(context);
      if (plan.empty) return { summary: "already deployed, no change" };
      await applyPlan(context, plan, {
        onProgress: (event) => reportDeployEvent(event, onProgress),
        concurrency: DEPLOY_CONCURRENCY,
        ...(signal ? { signal } : {}),
      });
      return { summary: describePlan(plan) };
    },
    async destroy(stack, onProgress) {
      const { destroyStack } = await import("../deploy/index.js");
      const result = await destroyStack(
        { clients, stack, projectRoot },
        { includeTable: true, onProgress: (event) => reportDeployEvent(event, onProgress) },
      );
      const deleted = result.resources.filter((resource) => resource.outcome === "deleted").length;
      return { summary: `${deleted} resource(s) deleted` };
    },
  };
}

function describePlan(plan: DeployPlan): string {
  const parts = Object.entries(plan.summary)
    .filter(([action, count]) => count > 0 && action !== "no-change")
    .map(([action, count]) => `${count} ${action}`);
  return parts.length > 0 ? parts.join(", ") : "no change";
}

/**
 * A resource's start, its waits and any failure; not its "done", which the next resource's start
 * implies (piped output prints every progress line, and 36 resources twice made 4C's log hard to read).
 */
function reportDeployEvent(event: DeployEvent, onProgress: (message: string) => void): void {
  if (event.type !== "done") onProgress(describeDeployEvent(event));
}

function describeDeployEvent(event: DeployEvent): string {
  const what = `${event.resource.kind} ${event.resource.name}`;
  switch (event.type) {
    case "start":
      return `${event.action} ${what}`;
    case "step":
      return `${what}: ${event.message}`;
    case "done":
      return `${what}: ${event.action}`;
    case "failed":
      return `${what} failed: ${event.error}`;
    case "blocked":
      return `${what} blocked by ${event.by}`;
  }
}

export interface PreparedTarget {
  stack: Stack;
  account: string;
  /** What preparing did, one line each, for the operator. */
  actions: string[];
  /** Stops what preparing started (the fixture server). */
  close(): Promise<void>;
}

export interface PrepareOptions {
  resolved: ResolvedConfig;
  clients: AwsClients;
  /** True when this process started the local emulator (its state may lack the stack). */
  emulatorStartedHere: boolean;
  deployer: StackDeployer;
  now?: () => number;
  onProgress?: Progress;
}

export async function prepareLocalTarget(options: PrepareOptions): Promise<PreparedTarget> {
  const { resolved, clients } = options;
  const { config } = resolved;
  const now = options.now ?? Date.now;
  const progress = options.onProgress ?? (() => {});
  const account = config.account ?? (await clients.accountId());
  const stack = defineStack(toStackParams(resolved, account));
  const actions: string[] = [];

  // The first call to the target: nothing answering ends verify here.
  let tablePresent: boolean;
  try {
    tablePresent = await tableExists(clients, stack.table.name);
  } catch (error) {
    throw unreachableEndpoint(error, config) ?? error;
  }
  // LocalStack's functions reach the fixture server by its compose service name; when it is down
  // every scrape fails, so refuse now rather than leave 4A to find that out minute by minute.
  const containerSources = await checkContainerSources(config);
  if (containerSources) throw new OperatorError(containerSources);
  const sources = await ensureLocalSources(config);
  if (sources.startedUrl) actions.push(`started the fixture source server at ${sources.startedUrl}`);
  try {
    if (config.target === "local") {
      if (options.emulatorStartedHere || !tablePresent) {
        const began = now();
        progress(`deploying ${stack.table.name} and the rest of the stack`);
        const { summary } = await options.deployer.deploy(stack, progress);
        actions.push(`deployed the stack (${summary}) in ${formatMs(now() - began)}`);
      }
    }
    // Nobody to scrape is a setup error, said before any scraper runs (seeded on the local targets).
    const { ensureRoster } = await import("../roster/index.js");
    const roster = await ensureRoster(await clients.dynamodb(), stack.table.name, {
      seedDemoWhenEmpty: config.roster.seedDemoWhenEmpty,
      where: `target ${config.target}`,
    });
    if (roster?.seeded)
      actions.push(
        `the roster was empty: imported the ${roster.seeded} invented demo people (roster import --demo)`,
      );
  } catch (error) {
    await sources.stop();
    throw error;
  }
  return { stack, account, actions, close: () => sources.stop() };
}

async function tableExists(clients: AwsClients, tableName: string): Promise<boolean> {
  const ddb = await clients.dynamodb();
  try {
    await ddb.send(new DescribeTableCommand({ TableName: tableName }));
    return true;
  } catch (error) {
    if ((error as Error).name === "ResourceNotFoundException") return false;
    throw error;
  }
}
