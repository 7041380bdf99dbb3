import { defineCommand, defineGroup, flag } from "../_kit/index.js";

/** `pipeline config`: what the CLI will use, where each value came from, and whether it is valid. */
export default defineGroup({
  name: "config",
  summary: "Show and validate the resolved configuration",
  description:
    "Show and validate the configuration: defaults < pipeline.config.json < env vars < flags, per target.",
  commands: [
    defineCommand({
      name: "show",
      summary: "Print the resolved configuration and the source of each value (secrets masked)",
      aws: true,
      json: true,
      examples: [
        {
          command: "pipeline config show",
          description: "the local target's settings, with where each came from",
        },
        {
          command: "pipeline config show --target aws --profile prod --json",
          description: "as JSON, for scripts",
        },
      ],
      async run(_input, ctx) {
        const { configShow } = await import("./show.js");
        await configShow(ctx);
      },
    }),
    defineCommand({
      name: "validate",
      summary:
        "Check the configuration; exit 2 naming each bad key, its value and what is allowed (with --strict, each warning too)",
      aws: true,
      json: true,
      options: {
        strict: flag(
          "--strict",
          "treat warnings (settings that will not work end to end) as errors: exit 2 when there is one",
        ),
      },
      examples: [
        {
          command: "pipeline config validate",
          description: "validate ./pipeline.config.json with env and flags",
        },
        {
          command: "pipeline --config ci.json config validate --target aws --strict",
          description: "fail CI when a setting the aws target needs is missing",
        },
      ],
      async run({ options }, ctx) {
        const { configValidate } = await import("./validate.js");
        await configValidate(options, ctx);
      },
    }),
    defineCommand({
      name: "env",
      summary: "List every environment variable the CLI reads, and which are set",
      json: true,
      examples: [
        { command: "pipeline config env", description: "the variables, what they set, and their values" },
      ],
      async run(_input, ctx) {
        const { configEnv } = await import("./env.js");
        await configEnv(ctx);
      },
    }),
  ],
});
