import type { Stack } from "../../pipeline/stack/index.js";
import { shownEndpoint } from "../../runtime/alerts/index.js";
import type { AwsClients } from "../../runtime/aws/index.js";
import { stackAndClients } from "../schedule/stack.js";
import { FatalError, type CommandContext } from "../_kit/index.js";

export interface AlertsSession {
  stack: Stack;
  clients: AwsClients;
  target: string;
}

export async function openAlerts(ctx: CommandContext): Promise<AlertsSession> {
  const { stack, clients } = await stackAndClients(ctx);
  return { stack, clients, target: clients.target };
}

/** Account-changing steps on AWS ask first, naming the account (--yes answers for CI). */
export async function confirmOnAws(ctx: CommandContext, session: AlertsSession, what: string): Promise<void> {
  if (session.target !== "aws") return;
  const ok = await ctx.prompt.confirm({
    message: `${what} in AWS account ${session.stack.params.account} (${session.stack.params.region})?`,
  });
  if (!ok) throw new FatalError("declined; nothing was changed");
}

/** A subscription (or a list of them) as printed, text or JSON: a webhook's password never shows. */
export function shown<T extends { endpoint: string }>(subscription: T): T {
  return { ...subscription, endpoint: shownEndpoint(subscription.endpoint) };
}
