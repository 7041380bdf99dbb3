import { unsubscribeAlerts } from "../../runtime/alerts/index.js";
import type { CommandContext } from "../_kit/index.js";
import { confirmOnAws, openAlerts, shown } from "./shared.js";

export async function alertsUnsubscribe(which: string, ctx: CommandContext): Promise<void> {
  const session = await openAlerts(ctx);
  await confirmOnAws(ctx, session, `Unsubscribe ${which} from ${session.stack.topics.alerts.name}`);
  const outcome = await unsubscribeAlerts(session.clients, session.stack, which);
  const printed = { removed: outcome.removed.map(shown), pending: outcome.pending.map(shown) };
  ctx.output.result(printed, (o) => {
    for (const s of o.removed) ctx.output.line(`unsubscribed: ${s.protocol} ${s.endpoint}`);
    for (const s of o.pending) {
      ctx.output.line(`still pending: ${s.protocol} ${s.endpoint}`);
    }
    if (o.pending.length > 0) {
      ctx.output.note(
        "SNS offers no call to remove a pending subscription: it receives nothing and lapses when left unconfirmed",
      );
    }
  });
}
