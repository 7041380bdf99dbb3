import { watchAlerts, type Alert } from "../../runtime/alerts/index.js";
import type { CommandContext } from "../_kit/index.js";
import { confirmOnAws, openAlerts } from "./shared.js";

export async function alertsWatch(ctx: CommandContext): Promise<void> {
  const session = await openAlerts(ctx);
  // SNS must reach the endpoint: the embedded emulator runs here and reaches loopback; AWS and
  // LocalStack (in Docker) cannot, so they get a temporary queue instead.
  const channel = session.target === "local" ? "webhook" : "queue";
  if (channel === "queue") {
    await confirmOnAws(
      ctx,
      session,
      `Create a temporary SQS queue subscribed to ${session.stack.topics.alerts.name} (deleted when the watch ends)`,
    );
  }
  const { style } = ctx.output;
  const print = (alert: Alert) => {
    if (ctx.output.mode === "json") {
      ctx.output.ndjson(alert);
      return;
    }
    const time = style.dim(alert.timestamp);
    if (alert.alarm) {
      const state =
        alert.alarm.state === "ALARM"
          ? style.red(alert.alarm.state)
          : alert.alarm.state === "OK"
            ? style.green(alert.alarm.state)
            : style.yellow(alert.alarm.state);
      const test = alert.alarm.test ? style.yellow(" [TEST]") : "";
      ctx.output.line(
        `${time}  ${state}${test}  ${alert.alarm.name}${alert.alarm.oldState ? ` (was ${alert.alarm.oldState})` : ""}`,
      );
      if (alert.alarm.reason) ctx.output.line(`  ${alert.alarm.reason}`);
    } else {
      ctx.output.line(`${time}  ${alert.subject ?? "(no subject)"}`);
      ctx.output.line(`  ${alert.message.slice(0, 500)}`);
    }
  };
  const summary = await watchAlerts({
    clients: session.clients,
    stack: session.stack,
    channel,
    signal: ctx.signal,
    onAlert: print,
    onReady: ({ endpoint }) =>
      ctx.output.note(
        `watching ${session.stack.topics.alerts.name} through ${channel === "webhook" ? `a webhook at ${endpoint}` : `a temporary queue ${endpoint}`} (Ctrl-C to stop)`,
      ),
  });
  if (ctx.output.mode !== "json")
    ctx.output.note(`watch ended after ${summary.alerts} alert(s); removed ${summary.cleanedUp.join(", ")}`);
}
