import { SOURCE_DEFAULTS } from "../../pipeline/sources/endpoints.js";
import { parseSourceName, type SourceName } from "../../pipeline/model/sources.js";
import { apiKeyParameterName } from "../../pipeline/stack/index.js";
import { setSourceKey } from "../../runtime/secrets/index.js";
import { FatalError, UserError, type CommandContext } from "../_kit/index.js";

function sourceOf(raw: string): SourceName {
  try {
    return parseSourceName(raw, "the source");
  } catch (error) {
    throw new UserError((error as Error).message);
  }
}

/** The key from a pipe, or typed at a prompt that shows nothing; never from argv. */
async function readKey(ctx: CommandContext, source: SourceName): Promise<string> {
  if (!ctx.stdin.isTTY) return ctx.stdin.readAll();
  if (!ctx.prompt.interactive) {
    throw new UserError(
      `cannot ask for the ${source} key here (not a terminal, or CI is set): pipe it on stdin, e.g. pipeline secrets set ${source} < ${source}-key.txt`,
    );
  }
  return ctx.prompt.secret({
    message: `${source} API key (input hidden)`,
    flag: `stdin (pipeline secrets set ${source} < FILE)`,
    validate: (value) => (value.trim() === "" ? "the key is empty" : true),
  });
}

export async function secretsSet(rawSource: string, ctx: CommandContext): Promise<void> {
  const source = sourceOf(rawSource);
  const resolved = await ctx.config();
  const clients = await ctx.aws();
  const parameter = apiKeyParameterName(source);
  if (clients.target === "aws") {
    const account = await clients.accountId();
    const ok = await ctx.prompt.confirm({
      message: `Store the ${source} API key as ${parameter} (SecureString) in AWS account ${account} (${resolved.config.region})?`,
    });
    if (!ok) throw new FatalError("declined; nothing was stored");
  }
  const key = await readKey(ctx, source);
  const stored = await setSourceKey(clients, source, key);
  ctx.output.result(stored, (s) => {
    ctx.output.line(`stored ${s.parameter} (SecureString, version ${s.version})`);
    ctx.output.note(
      `deployed scrapers read it at cold start: new instances use it at once, running ones within 5 minutes`,
    );
    if (!SOURCE_DEFAULTS[source].requiresApiKey) {
      ctx.output.note(`the ${source} API needs no key today; the scraper sends it all the same`);
    }
  });
  if (resolved.config.sources[source].apiKey) {
    ctx.output.warn(
      `sources.${source}.apiKey is also set in the configuration: deploy refuses it (remove it; it only serves in-process runs)`,
    );
  }
}
