import { filterRoster, itemsOf, readRoster } from "../../runtime/roster/index.js";
import { UserError, type CommandContext } from "../_kit/index.js";
import { notDeployed, openRoster } from "./shared.js";

export interface ListInput {
  options: {
    category: string | undefined;
    country: string | undefined;
    active: boolean;
    inactive: boolean;
    search: string | undefined;
  };
}

export async function rosterList(input: ListInput, ctx: CommandContext): Promise<void> {
  const { options } = input;
  if (options.active && options.inactive)
    throw new UserError("--active and --inactive exclude each other; give one");
  const session = await openRoster(ctx);
  const { entries, invalid } = await readRoster(session.dynamodb, session.table).catch((error: unknown) => {
    throw notDeployed(error, session) ?? error;
  });
  const shown = filterRoster(entries, {
    ...(options.category !== undefined ? { category: options.category } : {}),
    ...(options.country !== undefined ? { country: options.country } : {}),
    ...(options.active ? { active: true } : options.inactive ? { active: false } : {}),
    ...(options.search !== undefined ? { search: options.search } : {}),
  });
  ctx.output.result(shown, (rows) => {
    if (rows.length === 0) {
      ctx.output.line(
        entries.length === 0
          ? `The roster of ${session.table} is empty: import one with pipeline roster import FILE (or --demo).`
          : `Nobody in the roster of ${session.table} matches (${entries.length} people in all).`,
      );
      return;
    }
    ctx.output.table(
      ["ID", "NAME", "CATEGORY", "COUNTRY", "CITY", "SOURCE IDS", "ACTIVE"],
      rows.map((entry) => [
        entry.id,
        entry.name,
        entry.category,
        entry.country,
        entry.city,
        [
          entry.tmdbId !== undefined ? `tmdb ${entry.tmdbId}` : "",
          entry.wikipediaTitle !== undefined ? `wiki ${entry.wikipediaTitle}` : "",
          entry.handle ?? "",
          entry.newsQuery !== undefined ? `news ${entry.newsQuery}` : "",
        ]
          .filter(Boolean)
          .join(", ") || "-",
        entry.active ? "yes" : "no",
      ]),
    );
    const active = entries.filter((entry) => entry.active).length;
    ctx.output.line();
    ctx.output.line(
      `${rows.length} shown of ${entries.length} in ${session.table} (${active} active)` +
        (invalid > 0 ? `; ${invalid} roster record(s) lack a required field and are not followed` : ""),
    );
  });
}

export interface ShowInput {
  args: { id: string };
}

export async function rosterShow(input: ShowInput, ctx: CommandContext): Promise<void> {
  const session = await openRoster(ctx);
  const { entries } = await readRoster(session.dynamodb, session.table).catch((error: unknown) => {
    throw notDeployed(error, session) ?? error;
  });
  const entry = entries.find((candidate) => candidate.id === input.args.id);
  const items = await itemsOf(session.dynamodb, session.table, input.args.id);
  if (entry === undefined && items.length === 0) {
    throw new UserError(
      `nobody with id ${JSON.stringify(input.args.id)} in the roster of ${session.table}; see pipeline roster list`,
    );
  }
  const sources = items.map((item) => ({
    source: item.source,
    timestamp: item.timestamp,
    weight: item.weight,
    sentiment: item.sentiment,
    contentHash: item.contentHash,
  }));
  ctx.output.result({ entry: entry ?? null, items: sources }, () => {
    if (entry === undefined)
      ctx.output.line(`${input.args.id}: not in the roster (items of an earlier entry remain)`);
    else {
      for (const [label, value] of Object.entries(entry))
        if (value !== undefined) ctx.output.line(`${label.padEnd(15)} ${String(value)}`);
    }
    ctx.output.line();
    if (sources.length === 0) ctx.output.line("No scraped items yet.");
    else
      ctx.output.table(
        ["SOURCE", "SCRAPED", "WEIGHT", "SENTIMENT"],
        sources.map((item) => [
          String(item.source),
          String(item.timestamp ?? "-"),
          item.weight === undefined ? "-" : String(item.weight),
          String(item.sentiment ?? "-"),
        ]),
      );
  });
}
