import { DestroyFailedError, destroyStack, type DestroyResult } from "../../runtime/deploy/index.js";
import { FatalError, type CommandContext } from "../_kit/index.js";
import { renderDestroyed, withProgress } from "../deploy/render.js";
import { openDeployTarget } from "../deploy/target.js";

export interface DestroyCommandOptions {
  includeTable: boolean;
}

/** What `destroy --json` prints. */
export interface DestroyReport {
  target: string;
  account: string;
  region: string;
  includeTable: boolean;
  result: DestroyResult;
  error?: string;
}

const DATA_KINDS = new Set(["table", "opensearch-index"]);

export async function destroy(options: DestroyCommandOptions, ctx: CommandContext): Promise<void> {
  const target = await openDeployTarget(ctx);
  const { stack } = target.context;
  const doomed = stack.resourceOrder.filter((ref) => options.includeTable || !DATA_KINDS.has(ref.kind));
  const data = options.includeTable
    ? `including the table ${stack.table.name} and the index ${stack.index.name} (the data)`
    : `keeping the table ${stack.table.name} and the index ${stack.index.name}`;
  const confirmed = await ctx.prompt.confirm({
    message:
      `Delete ${doomed.length} resources of the stack from target ${target.target}, account ${target.account}, ` +
      `region ${target.region}, ${data}?`,
  });
  if (!confirmed) throw new FatalError("destroy declined; nothing was deleted");
  const items = [...doomed].reverse().map((ref) => ({ id: ref.id, title: `delete ${ref.kind} ${ref.name}` }));
  let result: DestroyResult;
  try {
    result = await withProgress(ctx, items, (onProgress) =>
      destroyStack(target.context, { includeTable: options.includeTable, onProgress }),
    );
  } catch (error) {
    if (!(error instanceof DestroyFailedError)) throw error;
    const report: DestroyReport = {
      ...summaryOf(target, options),
      result: error.result,
      error: error.message,
    };
    ctx.output.result(report, () => renderDestroyed(ctx, error.result));
    throw new FatalError(error.message);
  }
  ctx.output.result({ ...summaryOf(target, options), result } satisfies DestroyReport, () =>
    renderDestroyed(ctx, result),
  );
}

function summaryOf(
  target: { target: string; account: string; region: string },
  options: DestroyCommandOptions,
): Omit<DestroyReport, "result"> {
  return {
    target: target.target,
    account: target.account,
    region: target.region,
    includeTable: options.includeTable,
  };
}
