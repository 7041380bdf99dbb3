import { shownEndpoint, subscribeAlerts, type AlertEndpoint } from "../../runtime/alerts/index.js";
import { UserError, type CommandContext } from "../_kit/index.js";
import { confirmOnAws, openAlerts, shown } from "./shared.js";

export interface SubscribeOptions {
  email?: string;
  webhook?: string;
  queue?: string;
}

function endpointOf(options: SubscribeOptions): AlertEndpoint {
  const given = [options.email, options.webhook, options.queue].filter((v) => v !== undefined);
  if (given.length !== 1) {
    throw new UserError(
      `give exactly one of --email ADDR, --webhook URL or --queue NAME (got ${given.length === 0 ? "none" : given.length})`,
    );
  }
  if (options.email !== undefined) {
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(options.email)) {
      throw new UserError(`--email ${options.email}: expected an e-mail address like oncall@example.com`);
    }
    return { kind: "email", address: options.email };
  }
  if (options.webhook !== undefined) {
    let url: URL;
    try {
      url = new URL(options.webhook);
    } catch {
      throw new UserError(
        `--webhook ${shownEndpoint(options.webhook)}: expected an http(s) URL like https://hooks.example.com/sns`,
      );
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new UserError(
        `--webhook ${shownEndpoint(options.webhook)}: SNS delivers to http and https URLs only`,
      );
    }
    return { kind: "webhook", url: options.webhook };
  }
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(options.queue!)) {
    throw new UserError(`--queue ${options.queue}: expected a queue name (1-80 of A-Z a-z 0-9 _ -)`);
  }
  return { kind: "queue", name: options.queue! };
}

export async function alertsSubscribe(options: SubscribeOptions, ctx: CommandContext): Promise<void> {
  const endpoint = endpointOf(options);
  const session = await openAlerts(ctx);
  await confirmOnAws(
    ctx,
    session,
    endpoint.kind === "queue"
      ? `Subscribe queue ${endpoint.name} to ${session.stack.topics.alerts.name} (and let the topic send to it in the queue's policy)`
      : `Subscribe ${endpoint.kind === "email" ? endpoint.address : shownEndpoint(endpoint.url)} to ${session.stack.topics.alerts.name}`,
  );
  const outcome = await subscribeAlerts(session.clients, session.stack, endpoint);
  ctx.output.result(shown(outcome), (o) => {
    const what = `${o.protocol} ${o.endpoint}`;
    if (o.status === "confirmed") {
      ctx.output.line(`${o.existed ? "already subscribed" : "subscribed"}: ${what} (${o.subscriptionArn})`);
    } else if (o.protocol === "email") {
      ctx.output.line(`pending confirmation: ${what}`);
      ctx.output.note(
        `SNS sent a confirmation e-mail to ${o.endpoint}: nothing is delivered until its link is followed ` +
          "(an unconfirmed subscription lapses after three days)",
      );
    } else {
      ctx.output.line(`pending confirmation: ${what}`);
      ctx.output.note(
        "SNS POSTed a SubscriptionConfirmation to the endpoint: it is delivered nothing until it visits the " +
          "message's SubscribeURL (or calls ConfirmSubscription with its Token)",
      );
    }
    if (o.queuePolicyStatement) {
      ctx.output.note(
        `added to the queue's access policy so the topic may send to it: ${o.queuePolicyStatement}`,
      );
    }
    if (o.protocol === "http" && o.endpoint !== outcome.endpoint) {
      ctx.output.warn(
        "the webhook's user and password travel unencrypted over http: use an https URL for an endpoint that needs them",
      );
    }
    ctx.output.note("check the whole path with: pipeline alerts test");
  });
}
