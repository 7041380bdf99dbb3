import type { FunctionConfiguration, LambdaClient } from "@aws-sdk/client-lambda";
import type { FunctionDeclaration, Stack } from "../../../pipeline/stack/index.js";
import { bundleKey, type LambdaBundle } from "../bundle.js";
import { isAwsError, readOrUndefined } from "../aws-errors.js";
import { ChangeList, decideAction } from "../compare.js";
import { declarationOf, type DriverContext, type Operation, type ResourceDriver } from "../driver.js";
import { WAITER_TIMING } from "../wait.js";

export function functionOf(stack: Stack, name: string): FunctionDeclaration {
  return declarationOf(Object.values(stack.functions), name, (fn) => fn.name, "function");
}

const SECRET_NAME = /(KEY|TOKEN|SECRET|PASSWORD)/i;

/** Environment for display: secret values show only that they are set. */
function maskEnvironment(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, string>).map(([name, text]) => [
      name,
      SECRET_NAME.test(name) ? `(secret, ${text.length} characters)` : text,
    ]),
  );
}

export function bundleFor(ctx: DriverContext, fn: FunctionDeclaration): LambdaBundle {
  const bundle = ctx.bundles.get(bundleKey({ module: fn.entry.module, exportName: fn.entry.exportName }));
  if (bundle === undefined)
    throw new Error(`no bundle was built for ${fn.entry.module} (function ${fn.name})`);
  return bundle;
}

/** The configuration fields a deploy sets, from a declaration or a live FunctionConfiguration. */
function configurationOf(
  source: FunctionDeclaration["definition"] | FunctionConfiguration,
  functionName: string,
) {
  return {
    Handler: source.Handler,
    Runtime: source.Runtime,
    Role: source.Role,
    Timeout: source.Timeout,
    MemorySize: source.MemorySize,
    Description: source.Description ?? "",
    Environment: source.Environment?.Variables ?? {},
    DeadLetterConfig: source.DeadLetterConfig?.TargetArn,
    LoggingConfig: {
      LogFormat: source.LoggingConfig?.LogFormat ?? "Text",
      // Lambda reports its default group when none was set.
      LogGroup: source.LoggingConfig?.LogGroup ?? `/aws/lambda/${functionName}`,
    },
  };
}

async function waitUpdated(ctx: DriverContext, lambda: LambdaClient, name: string): Promise<void> {
  const { waitUntilFunctionUpdatedV2 } = await import("@aws-sdk/client-lambda");
  ctx.step("waiting for the update to finish");
  await waitUntilFunctionUpdatedV2({ client: lambda, ...WAITER_TIMING }, { FunctionName: name });
}

/**
 * A freshly created IAM role is not usable by Lambda for some seconds on AWS ("cannot be assumed
 * by Lambda"): retry those refusals for up to a minute, as AWS documents.
 */
async function retryWhileRoleSettles<T>(ctx: DriverContext, call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (let delay = 1000; ; delay = Math.min(delay * 2, 8000)) {
    try {
      return await call();
    } catch (error) {
      const settling =
        isAwsError(error, "InvalidParameterValueException") &&
        /cannot be assumed|role/i.test((error as Error).message);
      if (!settling || Date.now() + delay > deadline) throw error;
      ctx.step("the execution role is not usable yet; retrying");
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** Lambda functions: code compared by CodeSha256, configuration field by field. */
export const functionDriver: ResourceDriver = {
  kind: "function",
  async assess(ctx, ref) {
    const sdk = await import("@aws-sdk/client-lambda");
    const lambda = await ctx.clients.lambda();
    const fn = functionOf(ctx.stack, ref.name);
    const bundle = bundleFor(ctx, fn);
    const live = await readOrUndefined(
      () => lambda.send(new sdk.GetFunctionCommand({ FunctionName: fn.name })),
      "ResourceNotFoundException",
    );
    if (live?.Configuration === undefined) {
      return {
        action: "create",
        changes: [],
        notes: [`code ${bundle.codeSha256} (${Math.round(bundle.sizeBytes / 1024)} KB)`],
        ops: [
          {
            name: "CreateFunction",
            run: async () => {
              await retryWhileRoleSettles(ctx, () =>
                lambda.send(
                  new sdk.CreateFunctionCommand({ ...fn.definition, Code: { ZipFile: bundle.zip } }),
                ),
              );
              ctx.step("waiting for the function to be Active");
              await sdk.waitUntilFunctionActiveV2(
                { client: lambda, ...WAITER_TIMING },
                { FunctionName: fn.name },
              );
            },
          },
        ],
      };
    }
    const changes = new ChangeList();
    const ops: Operation[] = [];
    if (changes.compare("CodeSha256", live.Configuration.CodeSha256, bundle.codeSha256)) {
      ops.push({
        name: "UpdateFunctionCode",
        run: async () => {
          await lambda.send(
            new sdk.UpdateFunctionCodeCommand({ FunctionName: fn.name, ZipFile: bundle.zip }),
          );
          await waitUpdated(ctx, lambda, fn.name);
        },
      });
    }
    const before = configurationOf(live.Configuration, fn.name);
    const after = configurationOf(fn.definition, fn.name);
    let configChanged = false;
    for (const field of Object.keys(after) as (keyof typeof after)[]) {
      const display = field === "Environment" ? maskEnvironment : undefined;
      if (changes.compare(field, before[field], after[field], display ? { display } : {}))
        configChanged = true;
    }
    if (configChanged) {
      ops.push({
        name: "UpdateFunctionConfiguration",
        run: async () => {
          await retryWhileRoleSettles(ctx, () =>
            lambda.send(
              new sdk.UpdateFunctionConfigurationCommand({
                FunctionName: fn.name,
                Handler: fn.definition.Handler,
                Runtime: fn.definition.Runtime,
                Role: fn.definition.Role,
                Timeout: fn.definition.Timeout,
                MemorySize: fn.definition.MemorySize,
                Description: fn.definition.Description ?? "",
                Environment: fn.definition.Environment,
                // An empty TargetArn removes a DLQ the declaration no longer has.
                DeadLetterConfig: fn.definition.DeadLetterConfig ?? { TargetArn: "" },
                ...(fn.definition.LoggingConfig ? { LoggingConfig: fn.definition.LoggingConfig } : {}),
              }),
            ),
          );
          await waitUpdated(ctx, lambda, fn.name);
        },
      });
    }
    return { action: decideAction(true, changes.changes), changes: changes.changes, notes: [], ops };
  },
  async destroy(ctx, ref) {
    const { DeleteFunctionCommand } = await import("@aws-sdk/client-lambda");
    const lambda = await ctx.clients.lambda();
    const done = await readOrUndefined(
      () => lambda.send(new DeleteFunctionCommand({ FunctionName: ref.name })),
      "ResourceNotFoundException",
    );
    return done === undefined ? "absent" : "deleted";
  },
};
