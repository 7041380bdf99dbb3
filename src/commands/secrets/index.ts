import { SOURCES } from "../../pipeline/model/sources.js";
import { arg, defineCommand, defineGroup } from "../_kit/index.js";

/** `pipeline secrets`: the sources' API keys, kept in SSM Parameter Store instead of function configuration. */
export default defineGroup({
  name: "secrets",
  summary: "Store the sources' API keys in SSM Parameter Store (SecureString) and list them",
  description:
    "Each source's key is a SecureString parameter /celebrity-pipeline/<source>/api-key. The deployed " +
    "scrapers read it at cold start (their environment holds only the parameter's name), so no key is " +
    "readable from the stack's configuration.",
  commands: [
    defineCommand({
      name: "set",
      summary: "Store a source's API key, typed at a prompt that does not echo, or piped on stdin",
      description:
        "The key is read from a hidden prompt on a terminal, or from stdin when it is piped; never from a flag, " +
        "which would land in the shell's history and the process list. A new value becomes a new version of the " +
        "parameter; deployed scrapers use it within 5 minutes (new instances at once).",
      args: { source: arg("the source whose key this is", { choices: SOURCES }) },
      aws: true,
      json: true,
      yes: true,
      examples: [
        { command: "pipeline secrets set tmdb", description: "type the TMDB read access token (hidden)" },
        {
          command: "pipeline secrets set tmdb --target aws --yes < tmdb-token.txt",
          description: "from a file or a secret manager's pipe, in CI",
        },
      ],
      notes: "The value is never printed; `pipeline secrets list` shows names and when they changed.",
      async run({ args }, ctx) {
        const { secretsSet } = await import("./set.js");
        await secretsSet(args.source, ctx);
      },
    }),
    defineCommand({
      name: "list",
      summary: "Each source's key parameter: set or not, and when it last changed (never the value)",
      aws: true,
      json: true,
      examples: [
        { command: "pipeline secrets list", description: "which keys are stored" },
        { command: "pipeline secrets list --target aws --json", description: "the same for a script" },
      ],
      async run(_input, ctx) {
        const { secretsList } = await import("./list.js");
        await secretsList(ctx);
      },
    }),
  ],
});
