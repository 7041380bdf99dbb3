import { defineCommand, defineGroup, flag, integerOption, option } from "../_kit/index.js";

const endpointOption = option(
  "--endpoint-url <url>",
  "LocalStack's endpoint (default: endpoint of target localstack, http://localhost:4566)",
);
const fileOption = option("--file <compose-file>", "compose file (default localstack/docker-compose.yml)");
const timeoutOption = integerOption("--timeout <seconds>", "how long to wait for LocalStack to be ready", {
  min: 1,
  max: 3600,
  default: 300,
});

/** `pipeline localstack`: the `localstack` target's container, through Docker Compose. */
export default defineGroup({
  name: "localstack",
  summary: "Start, inspect and stop LocalStack in Docker (the localstack target)",
  description:
    "Runs localstack/docker-compose.yml through Docker Compose and waits for LocalStack's health endpoint " +
    "(every service the pipeline uses) and its init hooks. LOCALSTACK_AUTH_TOKEN is passed through from the " +
    "environment. Without Docker, the embedded emulator (--target local) runs the same stack.",
  commands: [
    defineCommand({
      name: "up",
      summary: "docker compose up -d, then wait until LocalStack's services and init hooks are ready",
      options: { endpointUrl: endpointOption, file: fileOption, timeout: timeoutOption },
      json: true,
      examples: [
        { command: "pipeline localstack up", description: "start LocalStack and wait (up to 300 s)" },
        {
          command: "LOCALSTACK_PORT=4567 pipeline localstack up --endpoint-url http://localhost:4567",
          description: "on another port",
        },
      ],
      async run({ options }, ctx) {
        const { localstackUp } = await import("./up.js");
        await localstackUp(options, ctx);
      },
    }),
    defineCommand({
      name: "status",
      summary: "The container's state and the health of each service; --wait waits until ready",
      options: {
        endpointUrl: endpointOption,
        file: fileOption,
        wait: flag("--wait", "wait until every service and the init hooks are ready (exit 1 on timeout)"),
        timeout: timeoutOption,
      },
      json: true,
      examples: [
        { command: "pipeline localstack status", description: "container and service health" },
        {
          command: "pipeline localstack status --wait --timeout 600",
          description: "in CI, after starting LocalStack as a service container",
        },
      ],
      async run({ options }, ctx) {
        const { localstackStatus } = await import("./status.js");
        await localstackStatus(options, ctx);
      },
    }),
    defineCommand({
      name: "down",
      summary: "docker compose down (the container and its network; the state folder stays)",
      options: { file: fileOption },
      examples: [{ command: "pipeline localstack down", description: "stop and remove the container" }],
      async run({ options }, ctx) {
        const { localstackDown } = await import("./down.js");
        await localstackDown(options, ctx);
      },
    }),
  ],
});
