import { resolve } from "node:path";
import { rehydrateQueue, selectQueues, type RehydrateResult } from "../../runtime/dlq/index.js";
import { FatalError, type CommandContext } from "../_kit/index.js";
import { confirmOnAws, defaultArchive, openDlq, runSteps } from "./shared.js";

export interface RehydrateInput {
  args: { queue: string | undefined };
  options: { to: string | undefined; keep: boolean };
}

export async function dlqRehydrate(input: RehydrateInput, ctx: CommandContext): Promise<void> {
  const session = await openDlq(ctx);
  const queues = selectQueues(session.deps.stack, input.args.queue);
  if (!input.options.keep) {
    await confirmOnAws(
      ctx,
      session,
      `Archive the stream failures of ${queues.map((q) => q.name).join(", ")} with their records, then delete them`,
    );
  }
  const results: RehydrateResult[] = [];
  await runSteps(
    ctx,
    queues.map((queue) => ({
      title: `Fetching the records of ${queue.name}'s stream failures`,
      run: async () => {
        const file = input.options.to ? resolve(ctx.cwd, input.options.to) : defaultArchive(ctx, queue.name);
        results.push(await rehydrateQueue(session.deps, queue, { file, keep: input.options.keep }));
      },
    })),
  );
  ctx.output.result(results, (rows) => {
    for (const row of rows) {
      const records = row.rehydrated.reduce((sum, r) => sum + r.records, 0);
      ctx.output.line(
        `${row.queue}: ${row.rehydrated.length} stream failure(s), ${records} record(s) archived to ${row.file}` +
          (input.options.keep ? " (messages kept)" : "") +
          (row.otherKinds > 0 ? `; ${row.otherKinds} message(s) of other kinds left in the queue` : ""),
      );
      for (const failure of row.failed) ctx.output.warn(`${failure.messageId}: ${failure.reason}`);
    }
  });
  const failed = results.reduce((sum, r) => sum + r.failed.length, 0);
  if (failed > 0)
    throw new FatalError(`${failed} stream failure(s) could not be rehydrated; they stay in the queue`);
}
