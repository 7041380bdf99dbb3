import { readOrUndefined } from "../aws-errors.js";
import { ChangeList, decideAction } from "../compare.js";
import type { ResourceDriver } from "../driver.js";
import { functionOf } from "./function.js";

/** Asynchronous invocation settings of a function: retries, event age, on-failure destination. */
export const invokeConfigDriver: ResourceDriver = {
  kind: "event-invoke-config",
  async assess(ctx, ref) {
    const sdk = await import("@aws-sdk/client-lambda");
    const lambda = await ctx.clients.lambda();
    const declared = functionOf(ctx.stack, ref.name).eventInvokeConfig;
    if (declared === undefined) throw new Error(`function ${ref.name} declares no event invoke config`);
    const put = {
      name: "PutFunctionEventInvokeConfig",
      run: async () => {
        await lambda.send(new sdk.PutFunctionEventInvokeConfigCommand(declared));
      },
    };
    const live = await readOrUndefined(
      () => lambda.send(new sdk.GetFunctionEventInvokeConfigCommand({ FunctionName: ref.name })),
      "ResourceNotFoundException",
    );
    if (live === undefined) return { action: "create", changes: [], notes: [], ops: [put] };
    const changes = new ChangeList();
    changes.compare("MaximumRetryAttempts", live.MaximumRetryAttempts, declared.MaximumRetryAttempts);
    changes.compare(
      "MaximumEventAgeInSeconds",
      live.MaximumEventAgeInSeconds,
      declared.MaximumEventAgeInSeconds,
    );
    changes.compare("DestinationConfig", live.DestinationConfig, declared.DestinationConfig);
    return {
      action: decideAction(true, changes.changes),
      changes: changes.changes,
      notes: [],
      ops: changes.changes.length > 0 ? [put] : [],
    };
  },
  async destroy(ctx, ref) {
    const { DeleteFunctionEventInvokeConfigCommand } = await import("@aws-sdk/client-lambda");
    const lambda = await ctx.clients.lambda();
    const done = await readOrUndefined(
      () => lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: ref.name })),
      "ResourceNotFoundException",
    );
    return done === undefined ? "absent" : "deleted";
  },
};
