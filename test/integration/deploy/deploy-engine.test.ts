import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import {
  DescribeRuleCommand,
  EnableRuleCommand,
  ListTargetsByRuleCommand,
} from "@aws-sdk/client-eventbridge";
import {
  GetFunctionConfigurationCommand,
  GetFunctionEventInvokeConfigCommand,
  ListEventSourceMappingsCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
} from "@aws-sdk/client-lambda";
import { ListQueuesCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "../../../src/pipeline/stack/index.js";
import type { AwsClients } from "../../../src/runtime/aws/index.js";
import {
  applyPlan,
  DeployFailedError,
  destroyStack,
  planDeployment,
  type DeployContext,
} from "../../../src/runtime/deploy/index.js";
import { startDeployedStack, type DeployedStack } from "../../helpers/deployed-stack.js";

/**
 * The deploy engine against the emulator over HTTP, with real SDK clients, on one account that
 * starts empty: a failed first deploy, the deploy that completes it, idempotence, a code change,
 * the operator's rule state surviving a redeploy, and destroy.
 */

/** Records the name of every SDK command the target's clients send. */
async function recordCommands(clients: AwsClients): Promise<string[]> {
  const seen: string[] = [];
  const all = await Promise.all([
    clients.lambda(),
    clients.sqs(),
    clients.iam(),
    clients.dynamodb(),
    clients.logs(),
    clients.eventbridge(),
    clients.cloudwatch(),
    clients.sts(),
    clients.sns(),
  ]);
  for (const client of all) {
    (client.middlewareStack as { add(middleware: unknown, options: unknown): void }).add(
      (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
        async (args: unknown) => {
          seen.push(context.commandName ?? "?");
          return next(args);
        },
      { step: "initialize", name: "recordCommandsForTest" },
    );
  }
  return seen;
}

const READ_ONLY = /^(Get|Describe|List)/;

describe("deploy engine", () => {
  let deployed: DeployedStack;
  let ctx: DeployContext;
  let stack: Stack;
  let commands: string[];

  beforeAll(async () => {
    deployed = await startDeployedStack({ deploy: false });
    ctx = deployed.context;
    stack = deployed.stack;
    commands = await recordCommands(deployed.clients);
  });
  afterAll(async () => {
    await deployed?.stop();
  });

  it("plans every resource of the declaration as create on an empty account", async () => {
    const plan = await planDeployment(ctx);
    expect(plan.resources.map((resource) => resource.id)).toEqual(stack.resourceOrder.map((ref) => ref.id));
    expect(plan.resources.every((resource) => resource.action === "create")).toBe(true);
    expect(plan.summary.create).toBe(stack.resourceOrder.length);
    expect(plan.empty).toBe(false);
    expect(plan).toMatchObject({ target: "local", account: "000000000000", region: "us-east-1" });
    expect(commands.filter((name) => !READ_ONLY.test(name))).toEqual([]);
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  it("a failure midway names the resource, skips its dependants and keeps the rest", async () => {
    const broken = structuredClone(stack);
    broken.functions["index-sync"].definition.MemorySize = 64; // below Lambda's minimum of 128 MB
    const brokenCtx = { ...ctx, stack: broken };
    const plan = await planDeployment(brokenCtx);
    const events: string[] = [];
    const failure = await applyPlan(brokenCtx, plan, {
      onProgress: (event) => events.push(`${event.type} ${event.resource.id}`),
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DeployFailedError);
    const { message, result } = failure as DeployFailedError;
    expect(message).toContain("function index-sync");
    expect(message).toMatch(/MemorySize|memory/i);
    const outcome = (id: string) => result.resources.find((resource) => resource.id === id)?.outcome;
    expect(outcome("function:index-sync")).toBe("failed");
    expect(outcome("event-source-mapping:index-sync")).toBe("blocked");
    expect(outcome("function:post-processor")).toBe("done");
    expect(outcome("rule:celebrity-weekly-scrape")).toBe("done");
    expect(events).toContain("failed function:index-sync");
    expect(events).toContain("blocked event-source-mapping:index-sync");
  });

  it("the next deploy completes the stack: only what is missing is created", async () => {
    const plan = await planDeployment(ctx);
    const changing = plan.resources.filter((resource) => resource.action !== "no-change");
    expect(changing.map((resource) => `${resource.action} ${resource.id}`)).toEqual([
      "create function:index-sync",
      "create event-source-mapping:index-sync",
    ]);
    const result = await applyPlan(ctx, plan);
    expect(result.ok).toBe(true);

    const lambda = await deployed.clients.lambda();
    for (const fn of Object.values(stack.functions)) {
      const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn.name }));
      expect(config).toMatchObject({ State: "Active", LastUpdateStatus: "Successful" });
    }
    for (const mapping of Object.values(stack.eventSourceMappings)) {
      const found = await lambda.send(
        new ListEventSourceMappingsCommand({ FunctionName: mapping.definition.FunctionName }),
      );
      expect(found.EventSourceMappings?.map((m) => [m.State, m.BatchSize])).toEqual([["Enabled", 100]]);
    }
    const events = await deployed.clients.eventbridge();
    const weekly = stack.rules.weekly;
    expect(await events.send(new DescribeRuleCommand({ Name: weekly.name }))).toMatchObject({
      State: "DISABLED",
      ScheduleExpression: "cron(0 2 ? * SUN *)",
    });
    const targets = (await events.send(new ListTargetsByRuleCommand({ Rule: weekly.name }))).Targets ?? [];
    expect(targets).toHaveLength(4);
    expect(targets[0]).toMatchObject({ RetryPolicy: { MaximumRetryAttempts: 3 } });
    const invokeConfig = await lambda.send(
      new GetFunctionEventInvokeConfigCommand({ FunctionName: stack.functions["scraper-news"].name }),
    );
    expect(invokeConfig.DestinationConfig?.OnFailure?.Destination).toBe(stack.queues.scraperDlq.arn);
    const table = await (
      await deployed.clients.dynamodb()
    ).send(new DescribeTableCommand({ TableName: stack.table.name }));
    expect(table.Table?.StreamSpecification?.StreamViewType).toBe("NEW_AND_OLD_IMAGES");
    const index = await fetch(`${stack.index.endpoint}/${stack.index.name}/_count`);
    expect(index.status).toBe(200);
  });

  it("a second deploy reports no change and sends no write call", async () => {
    commands.length = 0;
    const plan = await planDeployment(ctx);
    expect(plan.resources.filter((resource) => resource.action !== "no-change")).toEqual([]);
    expect(plan.empty).toBe(true);
    const result = await applyPlan(ctx, plan);
    expect(result.resources.every((resource) => resource.outcome === "unchanged")).toBe(true);
    expect(commands.length).toBeGreaterThan(0);
    expect(commands.filter((name) => !READ_ONLY.test(name))).toEqual([]);
  });

  it("a code change to one function updates only that function, by CodeSha256", async () => {
    const changed = structuredClone(stack);
    changed.functions["post-processor"].entry.module = "test/integration/deploy/fixtures/post-process-v2.ts";
    const changedCtx = { ...ctx, stack: changed };
    const plan = await planDeployment(changedCtx);
    const updates = plan.resources.filter((resource) => resource.action !== "no-change");
    expect(updates.map((resource) => `${resource.action} ${resource.id}`)).toEqual([
      "update function:post-processor",
    ]);
    const [change] = updates[0]!.changes;
    expect(updates[0]!.changes).toHaveLength(1);
    expect(change).toMatchObject({ field: "CodeSha256" });
    expect(change!.before).not.toEqual(change!.after);

    commands.length = 0;
    await applyPlan(changedCtx, plan);
    expect(commands.filter((name) => !READ_ONLY.test(name))).toEqual(["UpdateFunctionCodeCommand"]);
    const live = await (
      await deployed.clients.lambda()
    ).send(new GetFunctionConfigurationCommand({ FunctionName: changed.functions["post-processor"].name }));
    expect(live.CodeSha256).toBe(change!.after);
    expect(live.LastUpdateStatus).toBe("Successful");
    expect((await planDeployment(changedCtx)).empty).toBe(true);
  });

  it("refuses a key in the configuration or in a declared environment, before reading anything, naming pipeline secrets set", async () => {
    const configured = { ...stack, params: structuredClone(stack.params) };
    configured.params.sources.tmdb.apiKey = "tmdb-token-from-config";
    commands.length = 0;
    await expect(planDeployment({ ...ctx, stack: configured })).rejects.toThrow(
      "sources.tmdb.apiKey is set in the configuration (config file or PIPELINE_TMDB_API_KEY): deploy does not put a key into a function's environment",
    );
    await expect(planDeployment({ ...ctx, stack: configured })).rejects.toThrow("pipeline secrets set tmdb");
    const declared = structuredClone(stack);
    declared.functions["scraper-news"].definition.Environment.Variables.NEWS_TOKEN = "abc123";
    await expect(planDeployment({ ...ctx, stack: declared })).rejects.toThrow(
      `function ${stack.functions["scraper-news"].name}: environment variable NEWS_TOKEN looks like a key (its name says it holds a secret)`,
    );
    const plan = await planDeployment(ctx);
    await expect(applyPlan({ ...ctx, stack: configured }, plan)).rejects.toThrow("pipeline secrets set tmdb");
    expect(commands.filter((name) => !READ_ONLY.test(name))).toEqual([]);
  });

  it("a key someone put into a function's environment: the plan shows it masked, the deploy removes it", async () => {
    const lambda = await deployed.clients.lambda();
    const name = stack.functions["scraper-tmdb"].name;
    const declared = stack.functions["scraper-tmdb"].definition.Environment.Variables;
    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: name,
        Environment: { Variables: { ...declared, SOURCE_API_KEY: "a-secret-token-put-by-hand" } },
      }),
    );
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 60 }, { FunctionName: name });

    const plan = await planDeployment(ctx);
    const tmdb = plan.resources.find((resource) => resource.id === "function:scraper-tmdb")!;
    expect(tmdb.action).toBe("update");
    const [change] = tmdb.changes;
    expect(change?.field).toBe("Environment");
    expect((change?.before as Record<string, string>).SOURCE_API_KEY).toBe("(secret, 26 characters)");
    expect((change?.after as Record<string, string>).SOURCE_API_KEY).toBeUndefined();
    expect(JSON.stringify(plan)).not.toContain("a-secret-token-put-by-hand");

    await applyPlan(ctx, plan);
    const live = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    expect(live.Environment?.Variables).toStrictEqual(declared);
  });

  it("a redeploy keeps the operator's rule state, even when the rule itself is updated", async () => {
    const events = await deployed.clients.eventbridge();
    const weekly = stack.rules.weekly.name;
    await events.send(new EnableRuleCommand({ Name: weekly }));

    const unchanged = await planDeployment(ctx);
    const rulePlan = unchanged.resources.find((resource) => resource.id === `rule:${weekly}`)!;
    expect(rulePlan.action).toBe("no-change");
    expect(rulePlan.notes.join(" ")).toMatch(/ENABLED kept/);

    const edited = structuredClone(stack);
    edited.rules.weekly.definition.Description = "weekly scrape, edited";
    const editedCtx = { ...ctx, stack: edited };
    const plan = await planDeployment(editedCtx);
    const edit = plan.resources.find((resource) => resource.id === `rule:${weekly}`)!;
    expect(edit.action).toBe("update");
    expect(edit.changes.map((change) => change.field)).toEqual(["Description"]);
    await applyPlan(editedCtx, plan);
    expect(await events.send(new DescribeRuleCommand({ Name: weekly }))).toMatchObject({
      State: "ENABLED",
      Description: "weekly scrape, edited",
    });
  });

  it("destroy removes everything in reverse order and keeps the data unless asked", async () => {
    const order: string[] = [];
    const kept = await destroyStack(ctx, {
      includeTable: false,
      onProgress: (event) => {
        if (event.type === "start") order.push(event.resource.id);
      },
    });
    expect(kept.ok).toBe(true);
    const outcome = (id: string) => kept.resources.find((resource) => resource.id === id)?.outcome;
    expect(outcome(`table:${stack.table.name}`)).toBe("kept");
    expect(outcome(`opensearch-index:${stack.index.name}`)).toBe("kept");
    expect(outcome("function:scraper-tmdb")).toBe("deleted");
    const reversed = [...stack.resourceOrder].reverse().map((ref) => ref.id);
    expect(order).toEqual(reversed.filter((id) => !id.startsWith("table:") && !id.startsWith("opensearch")));
    expect((await (await deployed.clients.sqs()).send(new ListQueuesCommand({}))).QueueUrls ?? []).toEqual(
      [],
    );
    const afterKeep = await planDeployment(ctx);
    expect(afterKeep.summary["no-change"]).toBe(2);

    const all = await destroyStack(ctx, { includeTable: true });
    expect(all.resources.filter((resource) => resource.outcome === "deleted").map((r) => r.kind)).toEqual([
      "opensearch-index",
      "table",
    ]);
    const empty = await planDeployment(ctx);
    expect(empty.summary.create).toBe(stack.resourceOrder.length);
  });
});
