import { PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { CreateTableCommand } from "@aws-sdk/client-dynamodb";
import { CreateRoleCommand } from "@aws-sdk/client-iam";
import { CreateQueueCommand } from "@aws-sdk/client-sqs";
import AdmZip from "adm-zip";
import { defineStack, SCRAPER_FUNCTION_KEYS, type Stack } from "../../src/pipeline/stack/index.js";
import { createClients, type AwsClients } from "../../src/runtime/aws/index.js";
import { createEmulator, type Emulator } from "../../src/runtime/emulator/index.js";
import { testStackParams } from "./stack-params.js";

/**
 * The part of the stack the schedule commands act on, created in an emulator with the stack's own
 * declarations: the table (whose roster a trigger checks), the scraper DLQ, the four scraper functions (running a stand-in handler that logs
 * the event it received, so tests see what EventBridge or a direct invoke delivered), their
 * permissions for both rules, and both rules with their targets.
 */
export interface ScheduleStack {
  emulator: Emulator;
  stack: Stack;
  clients: AwsClients;
  stop(): Promise<void>;
}

/** Logs the event as one JSON line, so tests can read what each scraper received. */
const STAND_IN_HANDLER = `export const handler = async (event) => {
  console.log(JSON.stringify({ received: event }));
  return { ok: true };
};
`;

export function standInZip(): Uint8Array {
  const zip = new AdmZip();
  zip.addFile("index.mjs", Buffer.from(STAND_IN_HANDLER));
  return zip.toBuffer();
}

export async function startScheduleStack(): Promise<ScheduleStack> {
  const emulator = await createEmulator({
    services: ["sts", "iam", "logs", "cloudwatch", "sqs", "lambda", "events", "dynamodb"],
  });
  const stack = defineStack(testStackParams({ account: emulator.accountId, region: emulator.region }));
  const clients = createClients({ target: "local", region: emulator.region, endpoint: emulator.url });
  try {
    // The table holds the roster a trigger checks first (seeded with the demo people on local).
    const dynamodb = await clients.dynamodb();
    await dynamodb.send(new CreateTableCommand(stack.table.definition));
    const sqs = await clients.sqs();
    await sqs.send(new CreateQueueCommand(stack.queues.scraperDlq.definition));
    // Lambda assumes a function's execution role before it accepts the function, as AWS does.
    const iam = await clients.iam();
    for (const key of new Set(SCRAPER_FUNCTION_KEYS.map((k) => stack.functions[k].roleKey)))
      await iam.send(new CreateRoleCommand(stack.roles[key].definition));
    const lambda = await clients.lambda();
    const zip = standInZip();
    for (const key of SCRAPER_FUNCTION_KEYS) {
      await lambda.send(
        new CreateFunctionCommand({ ...stack.functions[key].definition, Code: { ZipFile: zip } }),
      );
    }
    // As a deploy does: EventBridge cannot invoke a function that is still Pending.
    for (const key of SCRAPER_FUNCTION_KEYS) {
      const FunctionName = stack.functions[key].name;
      await waitFor(async () => {
        const { State } = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName }));
        return State === "Active" ? true : undefined;
      }, `${FunctionName} to become Active`);
    }
    for (const permission of stack.permissions)
      await lambda.send(new AddPermissionCommand(permission.definition));
    const eventbridge = await clients.eventbridge();
    for (const rule of Object.values(stack.rules)) {
      await eventbridge.send(new PutRuleCommand(rule.definition));
      await eventbridge.send(new PutTargetsCommand({ Rule: rule.name, Targets: rule.targets }));
    }
  } catch (error) {
    clients.destroy();
    await emulator.stop();
    throw error;
  }
  return {
    emulator,
    stack,
    clients,
    stop: async () => {
      clients.destroy();
      await emulator.stop();
    },
  };
}

/** Every event of a log group (all pages), oldest first; none when the group does not exist yet. */
export async function readLogGroup(clients: AwsClients, logGroupName: string): Promise<string[]> {
  const logs = await clients.logs();
  const messages: string[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await logs.send(
        new FilterLogEventsCommand({ logGroupName, ...(nextToken ? { nextToken } : {}) }),
      );
      for (const event of page.events ?? []) messages.push(event.message ?? "");
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    if (error instanceof Error && error.name === "ResourceNotFoundException") return [];
    throw error;
  }
  return messages;
}

/** Polls `read` until it returns something other than undefined; fails after `timeoutMs`. */
export async function waitFor<T>(
  read: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
