import { defineCommand, defineGroup, flag, integerOption, option, optionalArg } from "../_kit/index.js";

const queueArg = optionalArg(
  "queue name or key (celebrity-scraper-dlq, scraperDlq, ...); default: every failure queue of the stack",
);

/** `pipeline dlq`: the stack's dead-letter and on-failure queues. */
export default defineGroup({
  name: "dlq",
  summary: "Inspect, archive and replay the failures in the stack's dead-letter queues",
  description:
    "The stack's failure queues collect four kinds of message: EventBridge target DLQ messages (a rule could " +
    "not deliver an event), Lambda asynchronous failures (the function's DLQ message and its on-failure " +
    "destination record, paired by request id), stream on-failure records (only a shard's sequence range) " +
    "and SQS redrive messages. These commands decode them and send each back to where it came from.",
  commands: [
    defineCommand({
      name: "list",
      summary: "Every failure queue of the stack with its depth and the age of its oldest message",
      aws: true,
      json: true,
      examples: [
        { command: "pipeline dlq list", description: "depth and oldest age of each DLQ" },
        { command: "pipeline dlq list --json | jq '.[].visible'", description: "depths for a script" },
      ],
      notes:
        "The oldest age comes from peeking up to 100 messages (SQS has no oldest-age attribute); each peek " +
        "counts as a receive of those messages.",
      async run(input, ctx) {
        const { dlqList } = await import("./list.js");
        await dlqList(input, ctx);
      },
    }),
    defineCommand({
      name: "peek",
      summary: "Show decoded failures without removing them from the queue",
      args: { queue: queueArg },
      options: {
        count: integerOption("-n, --count <n>", "messages to show per queue", {
          min: 1,
          max: 100,
          default: 10,
        }),
        full: flag(
          "--full",
          "print the original events in full, and every person of a shard (default: shortened to one line)",
        ),
      },
      aws: true,
      json: true,
      examples: [
        { command: "pipeline dlq peek", description: "the first 10 failures of each queue" },
        {
          command: "pipeline dlq peek celebrity-scraper-dlq -n 3 --full",
          description: "three scraper failures with their whole events",
        },
      ],
      notes:
        "Messages are received with a short visibility timeout and made visible again at once, so they stay " +
        "in the queue; each peek counts as a receive (ApproximateReceiveCount). A scrape shard a work queue " +
        "dead-lettered shows its source, run, shard n of m and its people by id and name (all with --full).",
      async run(input, ctx) {
        const { dlqPeek } = await import("./peek.js");
        await dlqPeek(input, ctx);
      },
    }),
    defineCommand({
      name: "drain",
      summary: "Move messages to a JSONL archive: each batch is written and flushed, then deleted",
      args: { queue: queueArg },
      options: {
        to: option("--to <file>", "archive to append to (default .pipeline/dlq/<queue>.archive.jsonl)"),
        max: option("--max <n>", "messages to drain at most per queue (default: all)"),
      },
      aws: true,
      json: true,
      yes: true,
      examples: [
        {
          command: "pipeline dlq drain celebrity-scraper-dlq --to failures.jsonl",
          description: "archive and empty the scraper DLQ",
        },
        {
          command: "pipeline dlq replay --from failures.jsonl --dry-run",
          description: "later: what a replay of the archive would send",
        },
      ],
      async run(input, ctx) {
        const { dlqDrain } = await import("./drain.js");
        await dlqDrain(input, ctx);
      },
    }),
    defineCommand({
      name: "replay",
      summary: "Send each failure back to where it came from, deleting it only once the send is confirmed",
      description:
        "Send each failure back to where it came from: an EventBridge target DLQ message to its target and a " +
        "Lambda asynchronous failure to its function (asynchronous invoke with the original event), an SQS " +
        "redrive message to its source queue (same body and attributes), a dead-lettered scrape shard to its " +
        "source's work queue (celebrity-scrape-<source>, where a worker takes it again), a stream on-failure record by reading " +
        "its sequence range from the stream and invoking the function with that batch. A message is deleted " +
        "(or, for --from, marked done) only after its destination confirmed. A journal makes an interrupted " +
        "replay (Ctrl-C, kill -9) safe to rerun: what was confirmed is never sent again.",
      args: { queue: queueArg },
      options: {
        from: option("--from <file>", "replay an archive written by drain or rehydrate instead of the queue"),
        dryRun: flag("--dry-run", "show what would be sent, send nothing"),
        all: flag("--all", "replay every failure without asking (needed when not on a terminal)"),
        max: option("--max <n>", "send at most this many failures (default: all)"),
        rate: option("--rate <r>", "sends per second at most, e.g. 2 or 0.5 (default: no limit)"),
        filter: option<string[] | undefined>(
          "--filter <filter>",
          "kind (eventbridge-target, lambda-async, stream-on-failure, sqs-redrive, scrape-shard), kind=<k>, " +
            "function=<name>, source=<source> or run=<run id> (shards), error=<text> or text=<text>; repeat to combine",
          { parse: (raw, previous) => [...(previous ?? []), raw] },
        ),
        keep: flag("--keep", "leave replayed messages in the queue"),
        journal: option("--journal <file>", "replay journal (default under .pipeline/dlq/)"),
      },
      aws: true,
      json: true,
      yes: true,
      examples: [
        { command: "pipeline dlq replay --dry-run", description: "what would be sent where" },
        {
          command: "pipeline dlq replay celebrity-scraper-dlq --filter function=scraper-news --rate 1 --yes",
          description: "replay the news scraper's failures, one per second",
        },
        {
          command:
            "pipeline dlq replay celebrity-scraper-dlq --filter scrape-shard --filter source=news --yes",
          description: "send the news shards that failed back to celebrity-scrape-news",
        },
        {
          command: "pipeline dlq replay --from failures.jsonl --all",
          description: "replay an archive (a rerun skips what was already sent)",
        },
      ],
      notes:
        "On a terminal you choose which failures to replay; otherwise pass --all, --filter or --max. On the aws " +
        "target the command asks before sending (naming account and region); --yes answers for CI.",
      async run(input, ctx) {
        const { dlqReplay } = await import("./replay.js");
        await dlqReplay(input, ctx);
      },
    }),
    defineCommand({
      name: "rehydrate",
      summary:
        "Archive the records behind stream on-failure messages while the stream still holds them (24 h)",
      description:
        "A stream on-failure record holds only a shard and a sequence range, and DynamoDB Streams keeps records " +
        "24 hours. This reads the records of each such message into the archive (message and records on one " +
        "line), then deletes the message from the queue (--keep leaves it), so `replay --from` can replay it " +
        "after the stream has trimmed them.",
      args: { queue: queueArg },
      options: {
        to: option("--to <file>", "archive to append to (default .pipeline/dlq/<queue>.archive.jsonl)"),
        keep: flag("--keep", "leave the messages in the queue"),
      },
      aws: true,
      json: true,
      yes: true,
      examples: [
        {
          command: "pipeline dlq rehydrate celebrity-stream-dlq --to stream-failures.jsonl",
          description: "keep the failed batches' records beyond 24 hours",
        },
      ],
      async run(input, ctx) {
        const { dlqRehydrate } = await import("./rehydrate.js");
        await dlqRehydrate(input, ctx);
      },
    }),
  ],
});
