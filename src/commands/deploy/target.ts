import { defineStack } from "../../pipeline/stack/index.js";
import { openAws } from "../../runtime/aws/index.js";
import { toStackParams } from "../../runtime/config/index.js";
import { locateProjectRoot, type DeployContext } from "../../runtime/deploy/index.js";
import type { CommandContext } from "../_kit/index.js";

export interface DeployTarget {
  context: DeployContext;
  target: string;
  account: string;
  region: string;
  endpoint: string;
}

/**
 * The stack and clients for the command's target. On local with nothing listening the emulator is
 * started in this process; the operator is told that it lives only as long as the command.
 */
export async function openDeployTarget(ctx: CommandContext): Promise<DeployTarget> {
  const resolved = await ctx.config();
  const session = await openAws(resolved, { cwd: ctx.cwd });
  ctx.onDispose(() => session.close());
  if (session.endpoint.notice) ctx.output.note(session.endpoint.notice);
  if (session.endpoint.startedHere) {
    ctx.output.note(
      `started the embedded emulator at ${session.endpoint.url} for this command only: it stops when the ` +
        `command ends (state persists to ${resolved.config.emulator.persistDir}, but nothing runs until an ` +
        "emulator is running again); keep one running with: pipeline emulator start --detach",
    );
  }
  const account = await session.clients.accountId();
  const stack = defineStack(toStackParams(resolved, account));
  return {
    context: { clients: session.clients, stack, projectRoot: locateProjectRoot(ctx.cwd) },
    target: resolved.config.target,
    account,
    region: resolved.config.region,
    endpoint: session.endpoint.url,
  };
}
