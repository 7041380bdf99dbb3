import { arg, defineCommand, defineGroup, flag, option, optionalArg, parseCount } from "../_kit/index.js";

const FORMATS = ["csv", "json", "jsonl"] as const;
const formatOption = (what: string) =>
  option("--format <format>", `${what}: csv, json or jsonl`, { choices: FORMATS });

/** `pipeline roster`: whom the pipeline follows, as data in the stack's table. */
export default defineGroup({
  name: "roster",
  summary: "Manage whom the pipeline follows: import, list, add, remove, export, plan, generate",
  description:
    "The roster is one record per celebrity in the stack's table (pk ROSTER#<id>, sk PROFILE): id, name, " +
    "category, country, city, optional per-source ids (tmdbId, wikipediaTitle, handle, newsQuery) that beat a " +
    "name search, and whether to follow them (active). The scrapers read the active people at every run. On " +
    "the local targets an empty roster is seeded with 100 invented demo people; elsewhere it must be imported.",
  commands: [
    defineCommand({
      name: "import",
      summary: "Import people from a CSV, JSON or JSONL file (a plan first; idempotent)",
      args: { file: optionalArg("CSV (header row), JSON array or JSONL file; - for stdin") },
      options: {
        demo: flag("--demo", "import the 100 invented demo people instead of a file"),
        dryRun: flag("--dry-run", "show the plan, write nothing"),
        prune: flag("--prune", "also remove people the file does not list (the plan shows them first)"),
        skipInvalid: flag(
          "--skip-invalid",
          "write the good rows and list the bad ones (default: write nothing)",
        ),
        format: formatOption("the file's format (default: from its name, else its content)"),
      },
      aws: true,
      json: true,
      yes: true,
      examples: [
        {
          command: "pipeline roster import people.csv --dry-run",
          description: "the plan: add / update / unchanged",
        },
        { command: "pipeline roster import people.csv", description: "apply it (asks first on aws)" },
        {
          command: "pipeline roster export --format jsonl | pipeline roster import - --prune --yes",
          description: "round trip through stdin, removing whoever the file does not list",
        },
        { command: "pipeline roster import --demo", description: "the 100 invented demo people" },
      ],
      notes:
        "Columns/fields: id (default: a slug of the name), name, category, country (ISO 3166-1 alpha-2), city, " +
        "tmdbId, wikipediaTitle, handle (Bluesky), newsQuery, active (true/false). A bad row is reported with its " +
        "line, field, value and what is allowed; nothing is written while any row is bad unless --skip-invalid. " +
        "CSV and JSONL stream, so files of any size import.",
      async run(input, ctx) {
        const { rosterImport } = await import("./import.js");
        await rosterImport(input, ctx);
      },
    }),
    defineCommand({
      name: "list",
      summary: "The people in the roster, with filters",
      options: {
        category: option("--category <category>", "only this category"),
        country: option("--country <code>", "only this country (ISO 3166-1 alpha-2)"),
        active: flag("--active", "only people the scrapers follow"),
        inactive: flag("--inactive", "only people the scrapers skip"),
        search: option("--search <text>", "text in the id, name, city or handle"),
      },
      aws: true,
      json: true,
      examples: [
        { command: "pipeline roster list", description: "everyone, in id order" },
        {
          command: "pipeline roster list --category actor --country GB --json",
          description: "filtered, as JSON",
        },
      ],
      async run(input, ctx) {
        const { rosterList } = await import("./list.js");
        await rosterList(input, ctx);
      },
    }),
    defineCommand({
      name: "show",
      summary: "One person's roster record and their scraped items",
      args: { id: arg("the person's id") },
      aws: true,
      json: true,
      examples: [
        { command: "pipeline roster show ava-quill", description: "record, sources scraped, enrichment" },
      ],
      async run(input, ctx) {
        const { rosterShow } = await import("./list.js");
        await rosterShow(input, ctx);
      },
    }),
    defineCommand({
      name: "add",
      summary: "Add one person (asks for what the flags do not give, on a terminal)",
      options: {
        name: option("--name <name>", "full name"),
        category: option("--category <category>", "a lower-case word: actor, musician, athlete, ..."),
        country: option("--country <code>", "ISO 3166-1 alpha-2 code, e.g. GB"),
        city: option("--city <city>", "city"),
        id: option("--id <id>", "id (default: a slug of the name)"),
        tmdbId: option("--tmdb-id <id>", "TMDB person id (details by id instead of a name search)"),
        wikipediaTitle: option("--wikipedia-title <title>", "English Wikipedia article title"),
        handle: option("--handle <handle>", "Bluesky handle, e.g. name.bsky.social"),
        newsQuery: option("--news-query <query>", "GDELT query (default: the quoted name)"),
        inactive: flag("--inactive", "add without following them yet"),
      },
      aws: true,
      json: true,
      yes: true,
      examples: [
        {
          command:
            'pipeline roster add --name "Ava Quill" --category actor --country GB --city London --handle ava-quill.bsky.social',
          description: "one person, id ava-quill",
        },
      ],
      async run(input, ctx) {
        const { rosterAdd } = await import("./edit.js");
        await rosterAdd(input, ctx);
      },
    }),
    defineCommand({
      name: "remove",
      summary: "Remove a person from the roster (--purge also deletes their items, and so their documents)",
      args: { id: arg("the person's id") },
      options: {
        purge: flag(
          "--purge",
          "also delete their scraped items (index-sync then removes them from the index)",
        ),
      },
      aws: true,
      json: true,
      yes: true,
      examples: [
        { command: "pipeline roster remove ava-quill", description: "stop following; keep what was scraped" },
        { command: "pipeline roster remove ava-quill --purge --yes", description: "and delete their data" },
      ],
      async run(input, ctx) {
        const { rosterRemove } = await import("./edit.js");
        await rosterRemove(input, ctx);
      },
    }),
    defineCommand({
      name: "export",
      summary: "Write the roster as CSV, JSON or JSONL (what import reads back unchanged)",
      options: {
        format: formatOption("output format (default: from --out's name, else csv)"),
        out: option("--out <file>", "file to write (default: stdout)"),
      },
      aws: true,
      examples: [
        { command: "pipeline roster export --out roster.csv", description: "a CSV to edit and import again" },
        { command: "pipeline roster export --format jsonl > roster.jsonl", description: "JSONL on stdout" },
      ],
      async run(input, ctx) {
        const { rosterExport } = await import("./export.js");
        await rosterExport(input, ctx);
      },
    }),
    defineCommand({
      name: "plan",
      summary: "Per source, how long a run of the active roster takes, and whether it fits the week",
      options: {
        count: option<number>(
          "--count <n>",
          "plan for this many people instead of the roster (no table read; people without per-source ids)",
          { parse: parseCount },
        ),
      },
      aws: true,
      json: true,
      examples: [
        { command: "pipeline roster plan", description: "the active roster on the current target" },
        {
          command: "pipeline roster plan --count 100000 --target aws",
          description: "what if the roster had 100,000 people, with the aws target's rates and workers",
        },
      ],
      notes:
        "Per source: requests per person (counted by running the source client), the total, the rate limit " +
        "(sources.<source>.rateLimitPerSecond), workers (workerConcurrency; each gets rate / workers), shards " +
        "(shardSize), one shard's time and the run's. Warns when a run cannot finish within the week between " +
        "scheduled runs (naming the rate, roster size or source to change), and when one shard would not fit a " +
        "worker's 15 minutes (naming a shardSize that does).",
      async run(input, ctx) {
        const { rosterPlan } = await import("./plan.js");
        await rosterPlan(input, ctx);
      },
    }),
    defineCommand({
      name: "generate",
      summary: "Write a deterministic roster of invented people (local runs and load tests)",
      options: {
        count: option<number>("--count <n>", "how many people (1 or more)", {
          parse: parseCount,
          required: true,
        }),
        sourceIds: flag(
          "--source-ids",
          "give everyone per-source ids too (TMDB id, article title, news query)",
        ),
        format: formatOption("output format (default: from --out's name, else csv)"),
        out: option("--out <file>", "file to write (default: stdout)"),
      },
      examples: [
        {
          command: "pipeline roster generate --count 10000 --out people.csv",
          description: "10,000 invented people",
        },
        {
          command: "pipeline roster generate --count 250 | pipeline roster import -",
          description: "straight into the roster",
        },
      ],
      notes: "The same count gives the same people; the first 100 are the demo roster.",
      async run(input, ctx) {
        const { rosterGenerate } = await import("./export.js");
        await rosterGenerate(input, ctx);
      },
    }),
  ],
});
