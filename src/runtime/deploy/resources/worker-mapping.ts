import type {
  EventSourceMappingConfiguration,
  LambdaClient,
  UpdateEventSourceMappingCommandInput,
} from "@aws-sdk/client-lambda";
import type { Stack, WorkerMappingDeclaration } from "../../../pipeline/stack/index.js";
import { readOrUndefined } from "../aws-errors.js";
import { ChangeList, decideAction } from "../compare.js";
import { declarationOf, type DriverContext, type ResourceDriver } from "../driver.js";
import { pollUntil } from "../wait.js";

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

/** The function's mappings on the given queue (ListEventSourceMappings filters by both). */
async function queueMappings(
  lambda: LambdaClient,
  functionName: string,
  queueArn: string,
): Promise<EventSourceMappingConfiguration[]> {
  const { ListEventSourceMappingsCommand } = await import("@aws-sdk/client-lambda");
  const found: EventSourceMappingConfiguration[] = [];
  let marker: string | undefined;
  do {
    const page = await readOrUndefined(
      () =>
        lambda.send(
          new ListEventSourceMappingsCommand({
            FunctionName: functionName,
            EventSourceArn: queueArn,
            Marker: marker,
          }),
        ),
      "ResourceNotFoundException",
    );
    found.push(...(page?.EventSourceMappings ?? []).filter((m) => m.EventSourceArn === queueArn));
    marker = page?.NextMarker;
  } while (marker);
  return found;
}

async function waitState(ctx: DriverContext, lambda: LambdaClient, uuid: string, enabled: boolean) {
  const { GetEventSourceMappingCommand } = await import("@aws-sdk/client-lambda");
  const target = enabled ? "Enabled" : "Disabled";
  ctx.step(`waiting for the worker mapping to be ${target}`);
  await pollUntil(`event source mapping ${uuid} to be ${target}`, async () => {
    const state = (await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State;
    return state === target ? state : undefined;
  });
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
    const [current, ...extra] = await queueMappings(lambda, declared.FunctionName, declared.EventSourceArn);
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
          await waitState(ctx, lambda, created.UUID!, declared.Enabled);
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
          await waitState(ctx, lambda, current.UUID!, declared.Enabled);
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
    const mappings = await queueMappings(lambda, declared.FunctionName, declared.EventSourceArn);
    for (const mapping of mappings) {
      await readOrUndefined(
        () => lambda.send(new DeleteEventSourceMappingCommand({ UUID: mapping.UUID })),
        "ResourceNotFoundException",
      );
    }
    return mappings.length > 0 ? "deleted" : "absent";
  },
};
