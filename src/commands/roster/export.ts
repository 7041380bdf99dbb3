import { createWriteStream } from "node:fs";
import { resolve } from "node:path";
import { once } from "node:events";
import { generateRoster } from "../../pipeline/model/index.js";
import { formatOfName, readRoster, writeRoster, type RosterFormat } from "../../runtime/roster/index.js";
import { UserError, type CommandContext } from "../_kit/index.js";
import { notDeployed, openRoster } from "./shared.js";

export interface ExportInput {
  options: { format: string | undefined; out: string | undefined };
}

function chosenFormat(options: ExportInput["options"]): RosterFormat {
  return (
    (options.format as RosterFormat | undefined) ??
    (options.out ? formatOfName(options.out) : undefined) ??
    "csv"
  );
}

/** Writes text chunks to --out (created or replaced) or to stdout. */
async function emit(
  ctx: CommandContext,
  out: string | undefined,
  chunks: AsyncIterable<string>,
): Promise<void> {
  if (out === undefined) {
    for await (const chunk of chunks) ctx.output.write(chunk);
    return;
  }
  const path = resolve(ctx.cwd, out);
  const file = createWriteStream(path);
  const failed = new Promise<never>((_, reject) => file.once("error", reject));
  try {
    for await (const chunk of chunks) {
      if (!file.write(chunk)) await Promise.race([once(file, "drain"), failed]);
    }
    file.end();
    await Promise.race([once(file, "finish"), failed]);
  } catch (error) {
    throw new UserError(`cannot write ${out}: ${(error as Error).message}`);
  }
}

export async function rosterExport(input: ExportInput, ctx: CommandContext): Promise<void> {
  const format = chosenFormat(input.options);
  const session = await openRoster(ctx);
  const { entries } = await readRoster(session.dynamodb, session.table).catch((error: unknown) => {
    throw notDeployed(error, session) ?? error;
  });
  await emit(ctx, input.options.out, writeRoster(entries, format));
  if (input.options.out !== undefined)
    ctx.output.note(
      `${entries.length} people of ${session.table} written to ${input.options.out} (${format})`,
    );
}

export interface GenerateInput {
  options: {
    count: number | undefined;
    sourceIds: boolean;
    format: string | undefined;
    out: string | undefined;
  };
}

export async function rosterGenerate(input: GenerateInput, ctx: CommandContext): Promise<void> {
  const format = chosenFormat(input.options);
  const count = input.options.count;
  if (count === undefined) throw new UserError("give --count, how many people to invent");
  const people = generateRoster(count, { sourceIds: input.options.sourceIds });
  await emit(ctx, input.options.out, writeRoster(people, format));
  if (input.options.out !== undefined)
    ctx.output.note(`${people.length} invented people written to ${input.options.out} (${format})`);
}
