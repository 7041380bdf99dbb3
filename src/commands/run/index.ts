import { InvalidArgumentError } from "commander";
import { defineCommand, flag, option } from "../_kit/index.js";

/** Kept in step with RUN_STAGES in runtime/invoke (a unit test compares them). */
export const STAGES = ["scrape", "post-process", "index-sync", "all"] as const;
/** Kept in step with SOURCES in pipeline/model. */
export const SOURCE_NAMES = ["tmdb", "wikipedia", "news", "social"] as const;

/** `--source tmdb`, repeatable and comma-separated: `--source tmdb,news`. */
function parseSources(raw: string, previous: string[] | undefined): string[] {
  const names = raw
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!(SOURCE_NAMES as readonly string[]).includes(name)) {
      throw new InvalidArgumentError(`unknown source "${name}"; expected ${SOURCE_NAMES.join(", ")}`);
    }
  }
  if (names.length === 0) throw new InvalidArgumentError(`expected ${SOURCE_NAMES.join(", ")}`);
  return [...new Set([...(previous ?? []), ...names])];
}

function parseLimit(raw: string): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < 1 || value > 10_000) {
    throw new InvalidArgumentError("expected an integer from 1 to 10000");
  }
  return value;
}

/** `pipeline run`: the pipeline's stages as Lambda handlers, in this process, against the target. */
export default defineCommand({
  name: "run",
  summary: "Run a pipeline stage's handler in-process against the target (all: the whole job)",
  description:
    "Run a stage's Lambda handler in this process, built with the environment the stack declares for its " +
    "function, against the target's DynamoDB, stream and OpenSearch. The event is a real one (--event FILE, " +
    "or - for standard input) or a generated one: a manual-rule trigger for scrape; for post-process and " +
    "index-sync, the celebrity records in the table's stream (what an earlier scrape wrote). `--stage all` " +
    "runs the four scrapers, then the stream through the post-processor, then index-sync. A missing table or " +
    "index is created as the stack declares it. On target local the sources are the fixture server (started " +
    "for the run when nothing answers on fixtures.port) unless sources.<name>.baseUrl points elsewhere.",
  options: {
    stage: option("--stage <stage>", "the stage to run", {
      choices: STAGES,
      required: true,
    }),
    source: option<string[] | undefined>(
      "--source <name>",
      `scrape / all: only these sources (${SOURCE_NAMES.join(", ")}; repeat or comma-separate; default all)`,
      { parse: parseSources },
    ),
    event: option("--event <file>", "the event to invoke with: a JSON file, or - for standard input"),
    limit: option<number | undefined>(
      "--limit <n>",
      "generated events only: celebrities per scraper (scrape, all) or the newest n stream records",
      { parse: parseLimit },
    ),
    logs: flag(
      "--logs",
      "print the handlers' structured log lines (JSON, one per line) after the summary (--json always has them)",
    ),
  },
  aws: true,
  json: true,
  examples: [
    {
      command: "pipeline run --stage all",
      description: "the whole job on the demo roster: scrape → enrich → index",
    },
    {
      command: "pipeline run --stage scrape --source tmdb --json",
      description: "one scraper; the report as JSON",
    },
    {
      command: "pipeline events generate stream --count 10 | pipeline run --stage post-process --event -",
      description: "the post-processor on a generated stream batch",
    },
    { command: "pipeline run --stage index-sync", description: "index what the table's stream holds" },
  ],
  notes:
    "Exit codes: 0 every invocation succeeded; 1 an invocation failed or reported batchItemFailures; 2 bad " +
    "input (stage, source, event) or an unreachable endpoint.",
  async run({ options }, ctx) {
    const { runCommand } = await import("./run.js");
    await runCommand(options, ctx);
  },
});
