import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { defineStack } from "../../pipeline/stack/index.js";
import { toStackParams } from "../../runtime/config/index.js";
import { FatalError, EXIT, type CommandContext } from "../_kit/index.js";

/** What every roster command needs: the table's client and name, and where it is. */
export interface RosterSession {
  dynamodb: DynamoDBClient;
  table: string;
  target: string;
  account: string;
  region: string;
  seedDemoWhenEmpty: boolean;
}

export async function openRoster(ctx: CommandContext): Promise<RosterSession> {
  const resolved = await ctx.config();
  const clients = await ctx.aws();
  const account = await clients.accountId();
  const stack = defineStack(toStackParams(resolved, account));
  return {
    dynamodb: await clients.dynamodb(),
    table: stack.table.name,
    target: resolved.config.target,
    account,
    region: resolved.config.region,
    seedDemoWhenEmpty: resolved.config.roster.seedDemoWhenEmpty,
  };
}

/** A missing table is the stack not being deployed: say so and how to fix it. */
export function notDeployed(error: unknown, session: RosterSession): Error | undefined {
  if ((error as Error).name !== "ResourceNotFoundException") return undefined;
  return new FatalError(
    `table ${session.table} does not exist on target ${session.target} (${session.region}): deploy the stack first (pipeline deploy${session.target === "local" ? "" : ` --target ${session.target}`})`,
    EXIT.usage,
  );
}

/** A change on the aws target is confirmed first, naming the account and region. */
export async function confirmOnAws(
  ctx: CommandContext,
  session: RosterSession,
  what: string,
): Promise<boolean> {
  if (session.target !== "aws") return true;
  return ctx.prompt.confirm({
    message: `${what} in table ${session.table}, AWS account ${session.account}, region ${session.region}?`,
    flag: "--yes",
  });
}

/** A field value as a plan shows it. */
export function shown(value: unknown): string {
  return value === undefined ? "(none)" : JSON.stringify(value);
}
