import { defineCommand, defineGroup, flag, integerOption, option } from "../_kit/index.js";

// The kit's bounded-integer parser, without a default: an absent --port means emulator.port.
const parsePort = integerOption("--port <port>", "port", { min: 1, max: 65535, default: 4599 }).parse!;

/** `pipeline emulator`: keep the embedded AWS emulator running for other shells, tools and tests. */
export default defineGroup({
  name: "emulator",
  summary: "Start, inspect and stop the embedded AWS emulator (the local target)",
  description:
    "The embedded AWS emulator: DynamoDB+Streams, SQS, EventBridge, Lambda, Logs, CloudWatch, IAM, STS and " +
    "OpenSearch on 127.0.0.1. Commands start one for themselves when none runs; keep one running to use it " +
    "from the AWS CLI, SDKs or several commands at once.",
  commands: [
    defineCommand({
      name: "start",
      summary: "Run the emulator in the foreground until Ctrl-C, or in the background with --detach",
      options: {
        port: option<number>("--port <port>", "port on 127.0.0.1, 1-65535 (default emulator.port, 4599)", {
          parse: parsePort,
        }),
        persist: option("--persist <dir>", "folder for the emulator's state (default emulator.persistDir)"),
        inMemory: flag("--in-memory", "keep no state folder: everything is gone when it stops (tests, CI)"),
        detach: flag("--detach", "run in the background; PID file and log in .pipeline/"),
        withFixtures: flag(
          "--with-fixtures",
          "also serve the four source APIs (the fixture source server) on fixtures.port, which the scrapers call",
        ),
        logRequests: flag(
          "--log-requests",
          "print each request: time, method, service, operation, status, ms (in the log file with --detach)",
        ),
      },
      json: true,
      examples: [
        { command: "pipeline emulator start", description: "foreground on 127.0.0.1:4599; Ctrl-C stops it" },
        {
          command: "pipeline emulator start --detach --port 4600",
          description: "background process; stop it with: pipeline emulator stop",
        },
        {
          command: "pipeline emulator start --detach --with-fixtures",
          description: "with the fixture source server, so a schedule trigger scrapes offline",
        },
        {
          command: "pipeline emulator start --with-fixtures --log-requests",
          description: "foreground, each request of the emulator and the sources as one line",
        },
        {
          command: "pipeline emulator start --in-memory --port 4610",
          description: "no state folder (tests, scripts, CI); a second emulator beside the usual one",
        },
        {
          command: "pipeline emulator start --detach --json | jq -r .env.AWS_ENDPOINT_URL",
          description: "CI: the endpoint, pid and environment as JSON once it answers",
        },
      ],
      notes: "Prints the AWS_ENDPOINT_URL and test credentials that point the AWS CLI and SDKs at it.",
      async run({ options }, ctx) {
        const { emulatorStart } = await import("./start.js");
        await emulatorStart(options, ctx);
      },
    }),
    defineCommand({
      name: "status",
      summary: "Whether an emulator runs, where, and the state of each service",
      json: true,
      examples: [
        { command: "pipeline emulator status", description: "running or not, endpoint, pid, services" },
        { command: "pipeline emulator status --json", description: "the same, for scripts" },
      ],
      async run(_input, ctx) {
        const { emulatorStatus } = await import("./status.js");
        await emulatorStatus(ctx);
      },
    }),
    defineCommand({
      name: "stop",
      summary: "Stop the emulator started with --detach (SIGTERM, then SIGKILL after 10 s)",
      json: true,
      examples: [{ command: "pipeline emulator stop", description: "stop the background emulator" }],
      async run(_input, ctx) {
        const { emulatorStop } = await import("./stop.js");
        await emulatorStop(ctx);
      },
    }),
  ],
});
