import { defineCommand } from "../_kit/index.js";

/** `pipeline doctor`: is the deployed pipeline wired the way it is declared, and the way AWS advises? */
export default defineCommand({
  name: "doctor",
  summary: "Lint the deployed topology: failure routing of every async edge, mappings, queues, logs, drift",
  description:
    "Checks the deployed topology against the stack declaration and AWS good practice: every asynchronous " +
    "edge retries and keeps what fails (rule targets: RetryPolicy and DLQ; the functions they invoke: event " +
    "invoke config with an on-failure destination or a DLQ, and permission for the rule), stream mappings " +
    "(bounded retries, bisect, ReportBatchItemFailures, on-failure destination), queue redrive and DLQ " +
    "retention, log retention; and drift, field by field, between what is declared and what is deployed. " +
    "Each finding names the command or change that fixes it. Exits 1 when there is an error.",
  aws: true,
  json: true,
  examples: [
    { command: "pipeline doctor", description: "findings with severity and fix; exit 1 on errors" },
    {
      command: "pipeline doctor --target aws --json",
      description: "the same for the AWS deployment, as JSON",
    },
  ],
  notes:
    "Drift is the deploy plan (pipeline deploy --dry-run shows the same differences as changes to make).",
  async run(_input, ctx) {
    const { doctor } = await import("./doctor.js");
    await doctor(ctx);
  },
});
