import { listAlertSubscriptions } from "../../runtime/alerts/index.js";
import type { CommandContext } from "../_kit/index.js";
import { openAlerts, shown } from "./shared.js";

export async function alertsList(ctx: CommandContext): Promise<void> {
  const session = await openAlerts(ctx);
  const subscriptions = await listAlertSubscriptions(session.clients, session.stack);
  const report = { topicArn: session.stack.topics.alerts.arn, subscriptions: subscriptions.map(shown) };
  ctx.output.result(report, (r) => {
    if (r.subscriptions.length === 0) {
      ctx.output.line(
        `nobody is subscribed to ${session.stack.topics.alerts.name}: the alarms notify nobody`,
      );
      ctx.output.note(
        "subscribe with: pipeline alerts subscribe --email ADDR | --webhook URL | --queue NAME",
      );
      return;
    }
    ctx.output.table(
      ["PROTOCOL", "ENDPOINT", "STATUS", "SUBSCRIPTION"],
      r.subscriptions.map((s) => [
        s.protocol,
        s.endpoint,
        s.status === "confirmed" ? ctx.output.style.green("confirmed") : ctx.output.style.yellow("pending"),
        s.subscriptionArn ?? "-",
      ]),
    );
    if (r.subscriptions.some((s) => s.status === "pending")) {
      ctx.output.note(
        "pending subscriptions receive nothing until confirmed (the e-mail's link, the webhook's SubscribeURL)",
      );
    }
  });
}
