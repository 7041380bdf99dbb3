import { defineCommand, defineGroup, flag, option } from "../_kit/index.js";

/** `pipeline schedule`: the weekly EventBridge rule that starts the four scrapers. */
export default defineGroup({
  name: "schedule",
  summary: "Show, trigger, enable or disable the weekly scrape schedule",
  description:
    "The weekly EventBridge rule (cron(0 2 ? * SUN *), created DISABLED) that invokes the four scrapers, and " +
    "the manual rule that runs the same targets on demand.",
  commands: [
    defineCommand({
      name: "status",
      summary:
        "Rule state, expression, targets with retry policy and DLQ, and the next five fire times (UTC)",
      description:
        "Read the weekly and manual rules with their targets from EventBridge, compare them with the stack " +
        "declaration, and compute the schedule's next five fire times in UTC.",
      aws: true,
      json: true,
      examples: [
        {
          command: "pipeline schedule status",
          description: "the rules, their targets and when the schedule fires",
        },
        {
          command: "pipeline schedule status --json | jq -r '.nextFireTimes[0]'",
          description: "the next fire time, for a script",
        },
      ],
      async run(_input, ctx) {
        const { scheduleStatusCommand } = await import("./status.js");
        await scheduleStatusCommand(ctx);
      },
    }),
    defineCommand({
      name: "trigger",
      summary:
        "Run the schedule now: an event through the manual rule, or --direct to the weekly rule's targets",
      description:
        "Start a scrape run now. By default PutEvents sends the manual rule's event (source celebrity.pipeline, " +
        "detail-type ManualScrapeRequested), so EventBridge delivers it to the four scrapers with the rule's " +
        "retry policy and DLQ. With --direct, each target of the weekly rule is invoked asynchronously with the " +
        "exact event the schedule sends (source aws.events, detail-type Scheduled Event, resources [rule ARN]).",
      options: {
        scheduledTime: option(
          "--scheduled-time <iso>",
          "the instant the run stands for: the event's time (default now)",
        ),
        direct: flag(
          "--direct",
          "invoke the weekly rule's targets with the scheduled-event payload, bypassing EventBridge",
        ),
      },
      aws: true,
      json: true,
      examples: [
        {
          command: "pipeline schedule trigger",
          description: "run all four scrapers now, through EventBridge",
        },
        {
          command: "pipeline schedule trigger --direct --scheduled-time 2026-11-29T02:00:00Z",
          description: "replay Sunday's scheduled run exactly as the rule would have sent it",
        },
      ],
      notes: "Follow the run with: pipeline logs tail --all --follow",
      async run(input, ctx) {
        const { scheduleTriggerCommand } = await import("./trigger.js");
        await scheduleTriggerCommand(input.options, ctx);
      },
    }),
    defineCommand({
      name: "enable",
      summary: "Enable the weekly rule (EnableRule), once verify has passed phases 4A-4C",
      description:
        "Enable the weekly rule with EnableRule (never PutRule, which replaces the whole rule) and read back " +
        "ENABLED. Refused unless phases 4A, 4B and 4C passed recently for this target and account (the record " +
        "`pipeline verify` keeps in .pipeline/); --force overrides. On the aws target it asks first, naming the " +
        "account and region; --yes answers for CI.",
      options: {
        force: flag("--force", "enable without recent passes of phases 4A-4C"),
      },
      aws: true,
      json: true,
      yes: true,
      examples: [
        {
          command: "pipeline schedule enable",
          description: "enable the schedule after pipeline verify all passed",
        },
        {
          command: "pipeline schedule enable --target aws --yes --json",
          description: "in CI, without a question",
        },
      ],
      async run(input, ctx) {
        const { scheduleEnableCommand } = await import("./toggle.js");
        await scheduleEnableCommand(input.options, ctx);
      },
    }),
    defineCommand({
      name: "disable",
      summary: "Disable the weekly rule (DisableRule); scheduled runs stop, manual triggers still work",
      aws: true,
      json: true,
      examples: [{ command: "pipeline schedule disable", description: "stop the weekly runs" }],
      async run(_input, ctx) {
        const { scheduleDisableCommand } = await import("./toggle.js");
        await scheduleDisableCommand(ctx);
      },
    }),
  ],
});
