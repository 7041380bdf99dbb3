import { generateEvent, type SampleEventKind } from "../../runtime/invoke/index.js";
import { parseInstant } from "../../runtime/time/instant.js";
import type { CommandContext } from "../_kit/index.js";

export async function eventsGenerate(
  input: { args: { kind: string }; options: { count: number; time: string | undefined } },
  ctx: CommandContext,
): Promise<void> {
  const time =
    input.options.time === undefined
      ? new Date()
      : new Date(parseInstant(input.options.time, { option: "--time", example: "2026-08-02T02:00:00Z" }));
  const { config } = await ctx.config();
  // Sample events need an account for their ARNs; only the aws target without one asks STS.
  const account = config.account ?? (await (await ctx.aws()).accountId());
  const event = generateEvent(input.args.kind as SampleEventKind, {
    config,
    account,
    count: input.options.count,
    time,
  });
  ctx.output.json(event);
}
