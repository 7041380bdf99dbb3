import type { EventSourceMappingConfiguration, LambdaClient } from "@aws-sdk/client-lambda";
import type { DriverContext } from "../driver.js";
import { readOrUndefined } from "../aws-errors.js";
import { pollUntil } from "../wait.js";

/**
 * The Lambda calls both mapping drivers (stream consumers and queue workers) make: every mapping
 * of a function across ListEventSourceMappings' pages, and the wait for a mapping's state.
 */

/** The function's mappings, all pages; only those on `eventSourceArn` when it is given. */
export async function listMappings(
  lambda: LambdaClient,
  functionName: string,
  eventSourceArn?: string,
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
            ...(eventSourceArn === undefined ? {} : { EventSourceArn: eventSourceArn }),
            Marker: marker,
          }),
        ),
      "ResourceNotFoundException",
    );
    const mappings = page?.EventSourceMappings ?? [];
    found.push(
      ...(eventSourceArn === undefined
        ? mappings
        : mappings.filter((m) => m.EventSourceArn === eventSourceArn)),
    );
    marker = page?.NextMarker;
  } while (marker);
  return found;
}

/** Waits until the mapping is Enabled (or Disabled); `what` names it in the progress line. */
export async function waitMappingState(
  ctx: DriverContext,
  lambda: LambdaClient,
  uuid: string,
  enabled: boolean,
  what: string,
): Promise<void> {
  const { GetEventSourceMappingCommand } = await import("@aws-sdk/client-lambda");
  const target = enabled ? "Enabled" : "Disabled";
  ctx.step(`waiting for ${what} to be ${target}`);
  await pollUntil(`event source mapping ${uuid} to be ${target}`, async () => {
    const state = (await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State;
    return state === target ? state : undefined;
  });
}
