import { arg, defineCommand, defineGroup, integerOption, option } from "../_kit/index.js";

/** `pipeline alerts`: who hears the stack's alarms (the alerts topic's subscriptions). */
export default defineGroup({
  name: "alerts",
  summary: "Subscribe e-mail, webhooks or queues to the stack's alarms; list, test and watch them",
  description:
    "Every alarm of the stack (scraper failures, a message in a failure queue) notifies one SNS topic, " +
    "celebrity-pipeline-alerts. These commands manage who hears it: subscriptions by e-mail, webhook (HTTP/S) " +
    "or SQS queue, a test alert, and a live watch.",
  commands: [
    defineCommand({
      name: "subscribe",
      summary: "Subscribe an e-mail address, a webhook URL or a queue to the alerts (one of the three)",
      description:
        "E-mail and webhook subscriptions are pending until confirmed: SNS sends a confirmation (an e-mail with " +
        "a link, or a POST with a SubscribeURL) and delivers nothing before. A queue is subscribed at once; its " +
        "access policy gets a statement letting the topic send to it (SNS writes to queues only with that).",
      options: {
        email: option("--email <address>", "an e-mail address (confirmed by the link SNS mails to it)"),
        webhook: option(
          "--webhook <url>",
          "an http(s) URL SNS POSTs each alert to (it must confirm the subscription)",
        ),
        queue: option("--queue <name>", "an SQS queue of the same account and region"),
      },
      aws: true,
      json: true,
      yes: true,
      examples: [
        {
          command: "pipeline alerts subscribe --email oncall@example.com",
          description: "alerts by e-mail (confirm the link)",
        },
        {
          command: "pipeline alerts subscribe --webhook https://hooks.example.com/sns",
          description: "alerts POSTed to a webhook",
        },
        { command: "pipeline alerts subscribe --queue ops-inbox", description: "alerts into an SQS queue" },
      ],
      async run({ options }, ctx) {
        const { alertsSubscribe } = await import("./subscribe.js");
        await alertsSubscribe(options, ctx);
      },
    }),
    defineCommand({
      name: "list",
      summary: "The alerts topic's subscriptions: protocol, endpoint, confirmed or pending",
      aws: true,
      json: true,
      examples: [
        { command: "pipeline alerts list", description: "who hears the alarms" },
        {
          command: "pipeline alerts list --json | jq -r '.subscriptions[].endpoint'",
          description: "endpoints for a script",
        },
      ],
      async run(_input, ctx) {
        const { alertsList } = await import("./list.js");
        await alertsList(ctx);
      },
    }),
    defineCommand({
      name: "unsubscribe",
      summary: "Remove a subscription, by ARN, e-mail address, webhook URL or queue name",
      args: { which: arg("subscription ARN, e-mail address, webhook URL or queue name") },
      aws: true,
      json: true,
      yes: true,
      examples: [
        { command: "pipeline alerts unsubscribe oncall@example.com", description: "stop mailing the alerts" },
      ],
      notes:
        "A pending subscription cannot be removed through the API: SNS drops it when it stays unconfirmed.",
      async run({ args }, ctx) {
        const { alertsUnsubscribe } = await import("./unsubscribe.js");
        await alertsUnsubscribe(args.which, ctx);
      },
    }),
    defineCommand({
      name: "test",
      summary: "Publish a clearly marked test alert and report the deliveries the target can see",
      description:
        "Publishes a test alert shaped like an alarm notification (subject [TEST], Test: true, alarm name " +
        "pipeline-alerts-test) and counts its deliveries from the topic's AWS/SNS metrics " +
        "(NumberOfNotificationsDelivered, NumberOfNotificationsFailed). On AWS those metrics arrive a minute or " +
        "more later: the command waits up to --wait seconds. Exit 1 when a delivery failed.",
      options: {
        wait: integerOption("--wait <seconds>", "how long to wait for the delivery metrics", {
          min: 0,
          max: 900,
          default: 60,
        }),
      },
      aws: true,
      json: true,
      examples: [
        { command: "pipeline alerts test", description: "send a test alert to every subscription" },
        {
          command: "pipeline alerts test --wait 180 --target aws",
          description: "on AWS, give the metrics three minutes",
        },
      ],
      async run({ options }, ctx) {
        const { alertsTest } = await import("./test.js");
        await alertsTest(options, ctx);
      },
    }),
    defineCommand({
      name: "watch",
      summary: "Print alerts as they arrive, through a subscription removed when the watch ends",
      description:
        "On target local, a webhook receiver on 127.0.0.1 that this command starts (the emulator reaches it); " +
        "elsewhere, a temporary SQS queue subscribed to the topic. Either is removed on exit, Ctrl-C included.",
      aws: true,
      json: true,
      yes: true,
      examples: [
        { command: "pipeline alerts watch", description: "alerts as they happen (Ctrl-C to stop)" },
        { command: "pipeline alerts watch --json", description: "one JSON object per alert, for a script" },
      ],
      async run(_input, ctx) {
        const { alertsWatch } = await import("./watch.js");
        await alertsWatch(ctx);
      },
    }),
  ],
});
