import type { LambdaClient, UpdateEventSourceMappingCommandInput } from "@aws-sdk/client-lambda";
import type { EventSourceMappingDeclaration, Stack } from "../../../pipeline/stack/index.js";
import { readOrUndefined } from "../aws-errors.js";
import { ChangeList, decideAction } from "../compare.js";
import { declarationOf, type Operation, type ResourceDriver } from "../driver.js";
import { listMappings, waitMappingState } from "./mapping-api.js";
import { describeTable } from "./table.js";

function mappingOf(stack: Stack, functionName: string): EventSourceMappingDeclaration {
  return declarationOf(
    Object.values(stack.eventSourceMappings),
    functionName,
    (mapping) => mapping.definition.FunctionName,
    "event source mapping",
  );
}

/** Mappings of the function that read a stream of the given table (any stream, old ones included). */
async function tableMappings(lambda: LambdaClient, functionName: string, tableArn: string) {
  return (await listMappings(lambda, functionName)).filter((mapping) =>
    mapping.EventSourceArn?.startsWith(`${tableArn}/stream/`),
  );
}

/**
 * Stream event source mappings of the two consumers. The stream ARN exists only once the table
 * does, so it is read at apply time. Mappings of the same function on an older stream of the table
 * (the table was replaced) are deleted.
 */
export const mappingDriver: ResourceDriver = {
  kind: "event-source-mapping",
  async assess(ctx, ref) {
    const sdk = await import("@aws-sdk/client-lambda");
    const lambda = await ctx.clients.lambda();
    const mapping = mappingOf(ctx.stack, ref.name);
    const declared = mapping.definition;
    const table = await describeTable(ctx, mapping.streamOfTable);
    const streamArn = table?.LatestStreamArn;
    const existing =
      table === undefined ? [] : await tableMappings(lambda, declared.FunctionName, ctx.stack.table.arn);
    const current = existing.find((candidate) => candidate.EventSourceArn === streamArn);
    const stale = existing.filter((candidate) => candidate !== current);
    const ops: Operation[] = stale.map((old) => ({
      name: `DeleteEventSourceMapping ${old.UUID ?? ""} (older stream)`,
      run: async () => {
        await readOrUndefined(
          () => lambda.send(new sdk.DeleteEventSourceMappingCommand({ UUID: old.UUID })),
          "ResourceNotFoundException",
        );
      },
    }));
    const notes =
      stale.length > 0 ? [`${stale.length} mapping(s) on an older stream of the table removed`] : [];
    if (current === undefined) {
      ops.push({
        name: "CreateEventSourceMapping",
        run: async () => {
          const liveTable = await describeTable(ctx, mapping.streamOfTable);
          if (!liveTable?.LatestStreamArn) {
            throw new Error(`table ${mapping.streamOfTable} has no stream; deploy the table first`);
          }
          const created = await lambda.send(
            new sdk.CreateEventSourceMappingCommand({
              ...declared,
              EventSourceArn: liveTable.LatestStreamArn,
            }),
          );
          await waitMappingState(ctx, lambda, created.UUID!, declared.Enabled !== false, "the mapping");
        },
      });
      return { action: "create", changes: [], notes, ops };
    }
    const changes = new ChangeList();
    const fields = [
      "BatchSize",
      "MaximumBatchingWindowInSeconds",
      "ParallelizationFactor",
      "MaximumRetryAttempts",
      "MaximumRecordAgeInSeconds",
      "BisectBatchOnFunctionError",
      "FunctionResponseTypes",
      "FilterCriteria",
      "DestinationConfig",
      "TumblingWindowInSeconds",
    ] as const;
    for (const field of fields) {
      if (declared[field] !== undefined) changes.compare(field, current[field], declared[field]);
    }
    const liveEnabled = current.State !== "Disabled" && current.State !== "Disabling";
    changes.compare("Enabled", liveEnabled, declared.Enabled ?? true);
    changes.compare("StartingPosition", current.StartingPosition, declared.StartingPosition, {
      replaceRequired: true,
    });
    if (changes.updatable.length > 0) {
      ops.push({
        name: "UpdateEventSourceMapping",
        run: async () => {
          const update: Record<string, unknown> = {};
          for (const field of [...fields, "Enabled"] as const) {
            if (declared[field] !== undefined) update[field] = declared[field];
          }
          await lambda.send(
            new sdk.UpdateEventSourceMappingCommand({
              ...(update as Omit<UpdateEventSourceMappingCommandInput, "UUID">),
              UUID: current.UUID!,
              FunctionName: declared.FunctionName,
            }),
          );
          await waitMappingState(ctx, lambda, current.UUID!, declared.Enabled !== false, "the mapping");
        },
      });
    }
    if (changes.changes.some((change) => change.replaceRequired)) {
      notes.push(
        "the starting position of a mapping cannot change; delete the mapping and deploy again to recreate it",
      );
    }
    const action =
      ops.length > 0 && changes.changes.length === 0 ? "update" : decideAction(true, changes.changes);
    return { action, changes: changes.changes, notes, ops };
  },
  async destroy(ctx, ref) {
    const { DeleteEventSourceMappingCommand } = await import("@aws-sdk/client-lambda");
    const lambda = await ctx.clients.lambda();
    const mappings = await tableMappings(lambda, ref.name, ctx.stack.table.arn);
    for (const mapping of mappings) {
      await readOrUndefined(
        () => lambda.send(new DeleteEventSourceMappingCommand({ UUID: mapping.UUID })),
        "ResourceNotFoundException",
      );
    }
    return mappings.length > 0 ? "deleted" : "absent";
  },
};
