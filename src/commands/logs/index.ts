import { defineCommand, defineGroup, flag, option, optionalArg } from "../_kit/index.js";

/** `pipeline logs`: the functions' CloudWatch Logs, several groups as one stream. */
export default defineGroup({
  name: "logs",
  summary: "Read the pipeline functions' logs, interleaved by time",
  commands: [
    defineCommand({
      name: "tail",
      summary:
        "Print recent log events of one or more functions, interleaved by time; --follow to keep watching",
      description:
        "Print the log events of the named functions (default: all six) from their CloudWatch Logs groups, " +
        "merged into one stream in time order. Names are the stack's function keys (or the deployed names): scraper-tmdb, " +
        "scraper-wikipedia, scraper-news, scraper-social, post-processor, index-sync. With --follow it polls " +
        "every second until Ctrl-C, printing each event once (late events within 30 s are still caught).",
      // The kit has no variadic argument yet; commander reads a name ending in "..." as one.
      args: { "functions...": optionalArg("function keys (scraper-tmdb, post-processor, ...); default all") },
      options: {
        all: flag("--all", "every function of the stack (the default when no name is given)"),
        follow: flag("-f, --follow", "keep polling for new events until Ctrl-C"),
        since: option("--since <when>", "start at this age (30s, 10m, 1h, 2d) or ISO-8601 time", {
          default: "10m",
        }),
        filter: option(
          "--filter <pattern>",
          "CloudWatch Logs filter pattern, e.g. ERROR or '{ $.level = \"ERROR\" }'",
        ),
        format: option(
          "--format <format>",
          "short: time, function, level, message and its cause; raw: each line as logged",
          { default: "short", choices: ["short", "raw"] },
        ),
        run: option(
          "--run <runId>",
          "one run: its lines from the scrapers (planner and workers), then each source's shards done / failed / pending and counts; with --follow, until the run completes",
        ),
      },
      aws: true,
      json: true,
      examples: [
        {
          command: "pipeline logs tail scraper-tmdb post-processor --since 1h",
          description: "the last hour of two functions, interleaved",
        },
        { command: "pipeline logs tail --all --follow", description: "watch every function live" },
        {
          command: "pipeline logs tail scraper-news --format raw",
          description: "each line as logged (the structured JSON, the runtime's tab-separated lines)",
        },
        {
          command: "pipeline logs tail --run weekly-2026-11-29 --since 2d --follow",
          description:
            "a run's planners and workers until every shard is done or dead-lettered, then its totals",
        },
        {
          command: "pipeline logs tail --filter ERROR --json | jq .message",
          description: "error lines as NDJSON (function, timestamp, logGroup, stream, eventId, message)",
        },
      ],
      notes:
        "The short format reads each line for its level and message (a structured line's error or reason, " +
        "an Invoke Error's errorType and errorMessage). Each function has its own colour on a terminal; " +
        "output is plain text when piped or NO_COLOR is set.",
      async run(input, ctx) {
        const { logsTail } = await import("./tail.js");
        await logsTail(input, ctx);
      },
    }),
  ],
});
