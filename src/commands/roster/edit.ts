import { COUNTRY_CODES, rosterEntrySchema } from "../../pipeline/model/index.js";
import {
  describeProblem,
  prepareImport,
  removeEntry,
  sourceOfEntries,
  validateRow,
} from "../../runtime/roster/index.js";
import { EXIT, FatalError, UserError, type CommandContext } from "../_kit/index.js";
import { confirmOnAws, notDeployed, openRoster } from "./shared.js";

export interface AddInput {
  options: {
    name: string | undefined;
    category: string | undefined;
    country: string | undefined;
    city: string | undefined;
    id: string | undefined;
    tmdbId: string | undefined;
    wikipediaTitle: string | undefined;
    handle: string | undefined;
    newsQuery: string | undefined;
    inactive: boolean;
  };
}

/** Checks one answer with the field's own rule, so a prompt says what is wrong before going on. */
function fieldRule(field: "name" | "category" | "country" | "city") {
  return (value: string): true | string => {
    const shape = rosterEntrySchema.shape[field];
    const result = shape.safeParse(value);
    return result.success ? true : (result.error.issues[0]?.message ?? "invalid");
  };
}

export async function rosterAdd(input: AddInput, ctx: CommandContext): Promise<void> {
  const o = input.options;
  const ask = async (field: "name" | "category" | "country" | "city", message: string, flag: string) =>
    ctx.prompt.input({ message, flag, validate: fieldRule(field) });
  const fields: Record<string, unknown> = {
    name: o.name ?? (await ask("name", "Full name", "--name")),
    category: o.category ?? (await ask("category", "Category (actor, musician, athlete, ...)", "--category")),
    country:
      o.country ??
      (await ask(
        "country",
        `Country (ISO 3166-1 alpha-2, e.g. GB; ${COUNTRY_CODES.size} codes)`,
        "--country",
      )),
    city: o.city ?? (await ask("city", "City", "--city")),
    active: !o.inactive,
  };
  if (o.id !== undefined) fields.id = o.id;
  if (o.tmdbId !== undefined) fields.tmdbId = o.tmdbId;
  if (o.wikipediaTitle !== undefined) fields.wikipediaTitle = o.wikipediaTitle;
  if (o.handle !== undefined) fields.handle = o.handle;
  if (o.newsQuery !== undefined) fields.newsQuery = o.newsQuery;
  const checked = validateRow({ line: 1, fields });
  if (checked.entry === undefined) {
    throw new UserError(
      checked.problems.map((problem) => describeProblem(problem).replace(/^line 1: /, "")).join("; "),
    );
  }
  const entry = checked.entry;
  const session = await openRoster(ctx);
  const prepared = await prepareImport(session.dynamodb, session.table, sourceOfEntries([entry])).catch(
    (error: unknown) => {
      throw notDeployed(error, session) ?? error;
    },
  );
  const { plan } = prepared;
  if (plan.problems.length > 0) {
    throw new UserError(
      plan.problems.map((problem) => describeProblem(problem).replace(/^line 1: /, "")).join("; "),
    );
  }
  if (plan.add === 0) {
    throw new UserError(
      `${entry.id} is already in the roster of ${session.table}; change it with pipeline roster import (a file with its row), or remove it first`,
    );
  }
  if (!(await confirmOnAws(ctx, session, `Add ${entry.id} (${entry.name}) to the roster`)))
    throw new FatalError("cancelled; nothing was changed", EXIT.interrupted);
  await prepared.apply();
  ctx.output.result({ added: entry, table: session.table }, () =>
    ctx.output.line(
      `Added ${entry.id} (${entry.name}) to the roster of ${session.table}${entry.active ? "" : " (inactive)"}.`,
    ),
  );
}

export interface RemoveInput {
  args: { id: string };
  options: { purge: boolean };
}

export async function rosterRemove(input: RemoveInput, ctx: CommandContext): Promise<void> {
  const session = await openRoster(ctx);
  const what = input.options.purge
    ? `Remove ${input.args.id} from the roster and delete their scraped items`
    : `Remove ${input.args.id} from the roster`;
  if (!(await confirmOnAws(ctx, session, what)))
    throw new FatalError("cancelled; nothing was changed", EXIT.interrupted);
  const result = await removeEntry(session.dynamodb, session.table, input.args.id, {
    purge: input.options.purge,
  }).catch((error: unknown) => {
    throw notDeployed(error, session) ?? error;
  });
  ctx.output.result(result, () => {
    const who = `${result.id}${result.name ? ` (${result.name})` : ""}`;
    if (result.removedRecord) ctx.output.line(`Removed ${who} from the roster of ${session.table}.`);
    else ctx.output.line(`${who} was not in the roster.`);
    if (input.options.purge)
      ctx.output.line(
        `Deleted ${result.purgedItems} scraped item(s); index-sync removes their documents from the index as the stream delivers the deletes.`,
      );
    else ctx.output.line("Their scraped items stay (remove them too with --purge).");
  });
}
