import { defineCommand, flag } from "../_kit/index.js";

/** `pipeline destroy`: remove the stack from the target, in reverse dependency order. */
export default defineCommand({
  name: "destroy",
  summary: "Remove the stack from the target (the table and search index only with --include-table)",
  description:
    "Deletes the stack's resources in reverse dependency order: alarm, mappings, rules and targets, " +
    "permissions, invoke configs, functions, log groups, roles, queues. The DynamoDB table and the " +
    "OpenSearch index hold the data and are kept unless --include-table is given. Resources already gone " +
    "are fine; a failed deletion is reported and the next destroy retries it. Always asks first.",
  options: {
    includeTable: flag("--include-table", "also delete the table and the search index (the data)"),
  },
  aws: true,
  json: true,
  yes: true,
  examples: [
    { command: "pipeline destroy", description: "remove everything but the data, after a confirmation" },
    { command: "pipeline destroy --yes --include-table", description: "remove everything, no question" },
  ],
  async run({ options }, ctx) {
    const { destroy } = await import("./destroy.js");
    await destroy(options, ctx);
  },
});
