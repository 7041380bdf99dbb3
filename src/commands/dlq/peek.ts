import {
  describeShard,
  peekQueue,
  selectQueues,
  type FailureGroup,
  type PeekResult,
  type ShardInfo,
} from "../../runtime/dlq/index.js";
import type { CommandContext } from "../_kit/index.js";
import { formatAge, openDlq, runSteps } from "./shared.js";

export interface PeekInput {
  args: { queue: string | undefined };
  options: { count: number; full: boolean };
}

export async function dlqPeek(input: PeekInput, ctx: CommandContext): Promise<void> {
  const session = await openDlq(ctx);
  const queues = selectQueues(session.deps.stack, input.args.queue);
  const results: PeekResult[] = [];
  await runSteps(
    ctx,
    queues.map((queue) => ({
      title: `Peeking ${queue.name}`,
      run: async () => {
        results.push(await peekQueue(session.deps, queue, input.options.count));
      },
    })),
  );
  const now = Date.now();
  ctx.output.result(
    results.map((r) => ({
      queue: r.queue.name,
      depth: r.depth,
      failures: r.groups.map((g) => ({ ...g.summary, messageIds: g.messages.map((m) => m.messageId) })),
    })),
    () => {
      for (const result of results) {
        const { visible, inFlight } = result.depth;
        ctx.output.line(
          ctx.output.style.bold(`${result.queue.name}: ${visible} message(s)`) +
            (inFlight > 0 ? ` (${inFlight} in flight)` : ""),
        );
        if (result.groups.length === 0) ctx.output.line("  (empty)");
        for (const group of result.groups) renderFailure(ctx, group, now, input.options.full);
        ctx.output.line();
      }
    },
  );
}

function renderFailure(ctx: CommandContext, group: FailureGroup, now: number, full: boolean): void {
  const s = group.summary;
  const { style } = ctx.output;
  const age = s.sentAt === undefined ? "" : ` ${style.dim(`${formatAge((now - s.sentAt) / 1000)} ago`)}`;
  const paired = group.messages.length > 1 ? style.dim(` (${group.messages.length} messages)`) : "";
  const field = (label: string, value: string | number | undefined) => {
    if (value !== undefined && value !== "") ctx.output.line(`    ${label.padEnd(10)} ${value}`);
  };
  if (s.shard) {
    renderShard(ctx, group, s.shard, `${age}${paired}`, full);
    return;
  }
  ctx.output.line(
    `- ${style.cyan(s.kind)} ${s.functionName ?? s.targetArn ?? s.sourceQueueArn ?? ""}${age}${paired}`,
  );
  field("id", group.key);
  field("rule", s.ruleArn);
  field("target", s.targetArn);
  field("error", [s.errorCode, s.errorMessage].filter(Boolean).join(": "));
  field("condition", s.condition);
  field("retries", s.retryAttempts);
  if (s.stream) {
    field("shard", s.stream.shardId);
    field(
      "range",
      `${s.stream.startSequenceNumber}..${s.stream.endSequenceNumber} (${s.stream.batchSize ?? "?"} records)`,
    );
    field("stream", s.stream.streamArn);
  }
  field("source", s.sourceQueueArn);
  field("note", s.note);
  if (s.originalEvent !== undefined) {
    const text = full ? JSON.stringify(s.originalEvent, null, 2) : JSON.stringify(s.originalEvent);
    const shown = full || text.length <= 200 ? text : `${text.slice(0, 197)}...`;
    ctx.output.line(`    ${"event".padEnd(10)} ${shown.replace(/\n/g, "\n    ")}`);
  }
}

/** People shown by name before "... and N more" (all of them with --full). */
const PEOPLE_SHOWN = 5;

/** A dead-lettered shard: its run, source and position, whom it holds, and where replay sends it. */
function renderShard(
  ctx: CommandContext,
  group: FailureGroup,
  shard: ShardInfo,
  suffix: string,
  full: boolean,
) {
  const s = group.summary;
  const { style } = ctx.output;
  const field = (label: string, value: string | number | undefined) => {
    if (value !== undefined && value !== "") ctx.output.line(`    ${label.padEnd(10)} ${value}`);
  };
  ctx.output.line(`- ${style.cyan(s.kind)} ${describeShard(shard)}${suffix}`);
  field("id", group.key);
  field("run", shard.runId);
  field("source", shard.source);
  field("shard", `${shard.shard + 1} of ${shard.shards} (index ${shard.shard})`);
  field("planned", shard.plannedAt);
  const shown = full ? shard.people : shard.people.slice(0, PEOPLE_SHOWN);
  const more = shard.people.length - shown.length;
  field(
    "people",
    shown.map((person) => `${person.id} ${person.name}`).join(", ") +
      (more > 0 ? `, ... and ${more} more (--full)` : ""),
  );
  field("from", s.sourceQueueArn);
  field(
    "replay to",
    shard.workQueueArn ?? s.sourceQueueArn ?? "(no work queue for this source in the stack)",
  );
}
