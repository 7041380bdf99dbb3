import { resolve } from "node:path";
import { drainQueue, selectQueues, type DrainResult } from "../../runtime/dlq/index.js";
import type { CommandContext } from "../_kit/index.js";
import { confirmOnAws, defaultArchive, openDlq, parseMax, runSteps } from "./shared.js";

export interface DrainInput {
  args: { queue: string | undefined };
  options: { to: string | undefined; max: string | undefined };
}

export async function dlqDrain(input: DrainInput, ctx: CommandContext): Promise<void> {
  const max = parseMax(input.options.max);
  const session = await openDlq(ctx);
  const queues = selectQueues(session.deps.stack, input.args.queue);
  await confirmOnAws(
    ctx,
    session,
    `Drain ${queues.map((q) => q.name).join(", ")} (messages are archived, then deleted)`,
  );
  const results: DrainResult[] = [];
  await runSteps(
    ctx,
    queues.map((queue) => ({
      title: `Draining ${queue.name}`,
      run: async (update) => {
        const file = input.options.to ? resolve(ctx.cwd, input.options.to) : defaultArchive(ctx, queue.name);
        results.push(
          await drainQueue(session.deps, queue, {
            file,
            ...(max !== undefined ? { max } : {}),
            onBatch: (done) => update(`${done.deleted} archived and deleted`),
          }),
        );
      },
    })),
  );
  ctx.output.result(results, (rows) => {
    for (const row of rows) {
      ctx.output.line(`${row.queue}: ${row.deleted} message(s) archived to ${row.file} and deleted`);
    }
    if (rows.some((row) => row.deleted > 0)) {
      const file = rows.find((row) => row.deleted > 0)!.file;
      ctx.output.note(`replay them with: pipeline dlq replay --from ${file}`);
    }
  });
  if (ctx.signal.aborted) {
    const { FatalError, EXIT } = await import("../_kit/index.js");
    throw new FatalError(
      "interrupted; what was archived is deleted, the rest is still queued",
      EXIT.interrupted,
    );
  }
}
