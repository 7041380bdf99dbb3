import { sendTestAlert } from "../../runtime/alerts/index.js";
import { FatalError, type CommandContext } from "../_kit/index.js";
import { openAlerts, shown } from "./shared.js";

export async function alertsTest(options: { wait: number }, ctx: CommandContext): Promise<void> {
  const session = await openAlerts(ctx);
  ctx.output.note(
    `publishing a test alert to ${session.stack.topics.alerts.name} and waiting up to ${options.wait} s for its deliveries`,
  );
  const report = await sendTestAlert({
    clients: session.clients,
    stack: session.stack,
    waitMs: options.wait * 1000,
    signal: ctx.signal,
  });
  const confirmed = report.subscriptions.filter((s) => s.status === "confirmed");
  const pending = report.subscriptions.filter((s) => s.status === "pending");
  ctx.output.result({ ...report, subscriptions: report.subscriptions.map(shown) }, (r) => {
    ctx.output.line(`test alert ${r.messageId} published at ${r.publishedAt}`);
    if (r.subscriptions.length === 0) {
      ctx.output.line("nobody is subscribed: the alert reached no one");
    } else {
      ctx.output.table(
        ["PROTOCOL", "ENDPOINT", "STATUS"],
        r.subscriptions.map((s) => [
          s.protocol,
          s.endpoint,
          s.status === "confirmed" ? "sent" : "pending: not sent",
        ]),
      );
    }
    ctx.output.line(
      `deliveries seen in the topic's metrics: ${r.delivered} delivered, ${r.failed} failed, of ${confirmed.length} confirmed subscription(s)` +
        (r.complete ? "" : " (not all counted yet: AWS reports SNS metrics with a delay; try --wait 180)"),
    );
    if (pending.length > 0)
      ctx.output.note(`${pending.length} pending subscription(s) receive nothing until confirmed`);
    if (confirmed.some((s) => s.protocol === "email")) {
      ctx.output.note("an e-mail counts as delivered once the mail system accepted it: check the inbox");
    }
  });
  if (report.subscriptions.length === 0) {
    throw new FatalError(
      "nobody is subscribed to the alerts: pipeline alerts subscribe --email ADDR | --webhook URL | --queue NAME",
    );
  }
  if (report.failed > 0) throw new FatalError(`${report.failed} delivery(ies) of the test alert failed`);
}
