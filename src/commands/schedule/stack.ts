import { defineStack, type Stack } from "../../pipeline/stack/index.js";
import type { AwsClients } from "../../runtime/aws/index.js";
import { toStackParams } from "../../runtime/config/index.js";
import type { CommandContext } from "../_kit/index.js";

/** The stack for the command's target, with the clients that reach it. */
export async function stackAndClients(ctx: CommandContext): Promise<{ stack: Stack; clients: AwsClients }> {
  const resolved = await ctx.config();
  const clients = await ctx.aws();
  return { stack: defineStack(toStackParams(resolved, await clients.accountId())), clients };
}
