import { defineCommand, flag, integerOption } from "../_kit/index.js";

/** `pipeline status`: one screen with the state of every part of the deployed pipeline. */
export default defineCommand({
  name: "status",
  summary: "Rules and next run, functions and recent errors, DLQ depths, table and index counts, mappings",
  description:
    "One screen with the deployed pipeline's state: each rule's state and next run, each function's state, " +
    "invocations and errors over 24 h with the latest error line from its log group, the depth of every " +
    "failure queue, celebrity items with and without weight (all scan pages), stream mapping states and the " +
    "search index's document count. Refreshed live on a terminal; printed once when piped or with --json.",
  options: {
    interval: integerOption("--interval <seconds>", "seconds between refreshes on a terminal", {
      min: 1,
      max: 3600,
      default: 5,
    }),
    once: flag("--once", "print once and exit, even on a terminal"),
  },
  aws: true,
  json: true,
  examples: [
    { command: "pipeline status", description: "live screen, refreshed every 5 s; q quits, arrows scroll" },
    { command: "pipeline status --json", description: "the same data once, for scripts" },
    { command: "pipeline status --target aws --once", description: "one snapshot of the AWS deployment" },
  ],
  notes: "Resources that are not deployed show as missing; run pipeline deploy, then pipeline doctor.",
  async run({ options }, ctx) {
    const { pipelineStatus } = await import("./status.js");
    await pipelineStatus(options, ctx);
  },
});
