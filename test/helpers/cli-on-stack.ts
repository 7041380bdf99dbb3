import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { ListRulesCommand } from "@aws-sdk/client-eventbridge";
import { ListRolesCommand } from "@aws-sdk/client-iam";
import { ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { ListQueuesCommand } from "@aws-sdk/client-sqs";
import { execa } from "execa";
import { bundleCli, removeCliBundle } from "./cli-bundle.js";
import { startDeployedStack, type DeployedStack } from "./deployed-stack.js";

/**
 * The bundled CLI as a process against a deployed stack in this test's emulator (--endpoint-url),
 * run from a folder of its own, as an operator runs it; plus what exists on the emulator, by name,
 * so a test can hold what a command says it left against what is there.
 *
 *   const on = await startCliOnStack("name");   // in beforeAll (allow ~2 min)
 *   const child = on.pipeline(["verify", "phase-4c", "--json"]);  // an execa child: kill("SIGINT"), await
 *   await on.resourcesWithSuffix("-test");       // tables, functions, queue URLs, rules, roles
 *   await on.stop();                             // in afterAll
 */
export interface CliOnStack {
  deployed: DeployedStack;
  work: string;
  pipeline(args: string[], env?: Record<string, string>): ReturnType<typeof run>;
  resourcesWithSuffix(suffix: string): Promise<string[]>;
  stop(): Promise<void>;
}

function run(
  cli: string,
  deployed: DeployedStack,
  work: string,
  args: string[],
  env: Record<string, string>,
) {
  return execa(process.execPath, [cli, ...args, "--endpoint-url", deployed.emulator.url], {
    cwd: work,
    env: {
      PATH: process.env["PATH"] ?? "",
      HOME: work,
      PIPELINE_TARGET: "local",
      PIPELINE_FIXTURES_PORT: String(deployed.fixtures.port),
      AWS_REGION: deployed.emulator.region,
      ...env,
    },
    extendEnv: false,
    reject: false,
    stdin: "ignore",
  });
}

export async function startCliOnStack(name: string): Promise<CliOnStack> {
  const [deployed, cli] = await Promise.all([startDeployedStack(), bundleCli(name)]);
  const work = mkdtempSync(join(tmpdir(), `pipeline-${name}-`));
  // Cold starts of four Lambda processes on a loaded 2-core runner spread wider than the seed's 1 s.
  writeFileSync(join(work, "pipeline.config.json"), JSON.stringify({ verify: { startSpreadMs: 5000 } }));

  const resourcesWithSuffix = async (suffix: string): Promise<string[]> => {
    const names: string[] = [];
    const ends = (value: string | undefined): value is string =>
      value !== undefined && value.endsWith(suffix);
    const tables = await (await deployed.clients.dynamodb()).send(new ListTablesCommand({}));
    names.push(...(tables.TableNames ?? []).filter(ends));
    const functions = await (await deployed.clients.lambda()).send(new ListFunctionsCommand({}));
    names.push(...(functions.Functions ?? []).map((fn) => fn.FunctionName).filter(ends));
    const queues = await (await deployed.clients.sqs()).send(new ListQueuesCommand({}));
    names.push(...(queues.QueueUrls ?? []).filter(ends));
    const rules = await (await deployed.clients.eventbridge()).send(new ListRulesCommand({}));
    names.push(...(rules.Rules ?? []).map((rule) => rule.Name).filter(ends));
    const roles = await (await deployed.clients.iam()).send(new ListRolesCommand({}));
    names.push(...(roles.Roles ?? []).map((role) => role.RoleName).filter(ends));
    return names;
  };

  return {
    deployed,
    work,
    pipeline: (args, env = {}) => run(cli, deployed, work, args, env),
    resourcesWithSuffix,
    stop: async () => {
      await deployed.stop();
      removeCliBundle(cli);
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** Polls until `check` holds (a wait for a condition, never a fixed sleep). */
export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
