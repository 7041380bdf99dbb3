import { arg, defineCommand, defineGroup, integerOption, option } from "../_kit/index.js";

/** Kept in step with SAMPLE_EVENT_KINDS in runtime/invoke (a unit test compares them). */
export const EVENT_KINDS = ["scheduled", "manual", "stream", "sqs"] as const;

/** `pipeline events`: the events the pipeline's functions receive, as AWS delivers them. */
export default defineGroup({
  name: "events",
  summary: "Generate sample events for the pipeline's functions",
  commands: [
    defineCommand({
      name: "generate",
      summary: "Print a sample event as AWS delivers it (JSON), for `pipeline run --event -` or tests",
      description:
        "Print a sample event as AWS delivers it to the pipeline's functions: the weekly rule's scheduled event, " +
        "the manual rule's custom event, a DynamoDB stream batch of celebrity items (INSERT records), or an SQS " +
        "batch of failed scrape events. Names and ARNs follow the stack for the target.",
      args: { kind: arg("scheduled | manual | stream | sqs", { choices: EVENT_KINDS }) },
      options: {
        count: integerOption("--count <n>", "records in a stream or sqs batch", {
          min: 1,
          max: 1000,
          default: 8,
        }),
        time: option("--time <iso>", "event time, ISO-8601 (default now)"),
      },
      aws: true,
      examples: [
        { command: "pipeline events generate scheduled", description: "the weekly rule's event" },
        {
          command: "pipeline events generate stream --count 100 > batch.json",
          description: "a full stream batch of 100 new celebrity items",
        },
      ],
      async run(input, ctx) {
        const { eventsGenerate } = await import("./generate.js");
        await eventsGenerate(input, ctx);
      },
    }),
  ],
});
