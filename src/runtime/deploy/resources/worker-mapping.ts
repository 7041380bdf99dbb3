import type { UpdateEventSourceMappingCommandInput } from "@aws-sdk/client-lambda";
import type { Stack, WorkerMappingDeclaration } from "../../../pipeline/stack/index.js";
import { readOrUndefined } from "../aws-errors.js";
import { ChangeList, decideAction } from "../compare.js";
import { declarationOf, type ResourceDriver } from "../driver.js";
import { listMappings, waitMappingState } from "./mapping-api.js";

/** The fields of a worker mapping that UpdateEventSourceMapping changes in place. */
const UPDATABLE = [
  "BatchSize",
  "MaximumBatchingWindowInSeconds",
  "FunctionResponseTypes",
  "ScalingConfig",
] as const;

function workerMappingOf(stack: Stack, functionName: string): WorkerMappingDeclaration {
  return declarationOf(
    Object.values(stack.workerMappings),
    functionName,
    (mapping) => mapping.definition.FunctionName,
    "worker mapping",
  );
}

/**
 * Each scraper's SQS mapping on its work queue. Identified by function and queue: a function has
 * one. Batch size, window, response types and the MaximumConcurrency bound are updated in place;
 * a second mapping of the function on the same queue (made by hand) would double the workers past
 * the bound, so it is deleted.
 */
export const workerMappingDriver: ResourceDriver = {
  kind: "worker-mapping",
  async assess(ctx, ref) {
    const sdk = await import("@aws-sdk/client-lambda");
    const lambda = await ctx.clients.lambda();
    const mapping = workerMappingOf(ctx.stack, ref.name);
    const declared = mapping.definition;
    const [current, ...extra] = await listMappings(lambda, declared.FunctionName, declared.EventSourceArn);
    const ops = extra.map((old) => ({
      name: `DeleteEventSourceMapping ${old.UUID ?? ""} (a second mapping on ${declared.EventSourceArn})`,
      run: async () => {
        await readOrUndefined(
          () => lambda.send(new sdk.DeleteEventSourceMappingCommand({ UUID: old.UUID })),
          "ResourceNotFoundException",
        );
      },
    }));
    const notes =
      extra.length > 0
        ? [`${extra.length} more mapping(s) of ${declared.FunctionName} on the same queue removed`]
        : [];
    if (current === undefined) {
      ops.push({
        name: "CreateEventSourceMapping",
        run: async () => {
          const created = await lambda.send(new sdk.CreateEventSourceMappingCommand({ ...declared }));
          await waitMappingState(ctx, lambda, created.UUID!, declared.Enabled, "the worker mapping");
        },
      });
      return { action: "create", changes: [], notes, ops };
    }
    const changes = new ChangeList();
    for (const field of UPDATABLE) changes.compare(field, current[field], declared[field]);
    const liveEnabled = current.State !== "Disabled" && current.State !== "Disabling";
    changes.compare("Enabled", liveEnabled, declared.Enabled);
    if (changes.updatable.length > 0) {
      ops.push({
        name: "UpdateEventSourceMapping",
        run: async () => {
          const update: Omit<UpdateEventSourceMappingCommandInput, "UUID"> = {
            FunctionName: declared.FunctionName,
            Enabled: declared.Enabled,
          };
          for (const field of UPDATABLE) Object.assign(update, { [field]: declared[field] });
          await lambda.send(new sdk.UpdateEventSourceMappingCommand({ ...update, UUID: current.UUID! }));
          await waitMappingState(ctx, lambda, current.UUID!, declared.Enabled, "the worker mapping");
        },
      });
    }
    const action =
      ops.length > 0 && changes.changes.length === 0 ? "update" : decideAction(true, changes.changes);
    return { action, changes: changes.changes, notes, ops };
  },
  async destroy(ctx, ref) {
    const { DeleteEventSourceMappingCommand } = await import("@aws-sdk/client-lambda");
    const lambda = await ctx.clients.lambda();
    const declared = workerMappingOf(ctx.stack, ref.name).definition;
    const mappings = await listMappings(lambda, declared.FunctionName, declared.EventSourceArn);
    for (const mapping of mappings) {
      await readOrUndefined(
        () => lambda.send(new DeleteEventSourceMappingCommand({ UUID: mapping.UUID })),
        "ResourceNotFoundException",
      );
    }
    return mappings.length > 0 ? "deleted" : "absent";
  },
};
