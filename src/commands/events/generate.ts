import { generateEvent, type SampleEventKind } from "../../runtime/invoke/index.js";
import { UserError, type CommandContext } from "../_kit/index.js";

export async function eventsGenerate(
  input: { args: { kind: string }; options: { count: number; time: string | undefined } },
  ctx: CommandContext,
): Promise<void> {
  const time = input.options.time === undefined ? new Date() : new Date(input.options.time);
  if (Number.isNaN(time.getTime())) {
    throw new UserError(
      `--time ${JSON.stringify(input.options.time)} is not a time; use ISO-8601, e.g. 2026-08-02T02:00:00Z`,
    );
  }
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
