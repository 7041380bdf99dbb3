import { listQueues, type QueueStatus } from "../../runtime/dlq/index.js";
import type { CommandContext } from "../_kit/index.js";
import { formatAge, openDlq, runSteps } from "./shared.js";

export async function dlqList(_input: unknown, ctx: CommandContext): Promise<void> {
  const session = await openDlq(ctx);
  let statuses: QueueStatus[] = [];
  await runSteps(ctx, [
    {
      title: "Reading the failure queues",
      run: async () => {
        statuses = await listQueues(session.deps);
      },
    },
  ]);
  ctx.output.result(statuses, (rows) => {
    ctx.output.table(
      ["QUEUE", "MESSAGES", "IN FLIGHT", "OLDEST", "FED BY"],
      rows.map((q) => [
        q.name,
        q.exists ? String(q.visible) : ctx.output.style.yellow("missing"),
        q.exists ? String(q.inFlight) : "-",
        q.sampled < q.visible && q.oldestAgeSeconds !== undefined
          ? `>= ${formatAge(q.oldestAgeSeconds)}`
          : formatAge(q.oldestAgeSeconds),
        summariseFeeds(q.feeds),
      ]),
    );
    if (rows.some((q) => !q.exists)) {
      ctx.output.note("a missing queue is not deployed on this target; run: pipeline deploy");
    }
    if (rows.some((q) => q.visible > 0)) ctx.output.note("see the failures with: pipeline dlq peek");
  });
}

/** "8 rule targets, 4 functions" rather than fourteen lines. */
function summariseFeeds(feeds: string[]): string {
  const kinds = new Map<string, Set<string>>();
  for (const feed of feeds) {
    const kind = feed.includes("(delivery DLQ)")
      ? "rule targets"
      : feed.includes("(stream on-failure")
        ? "stream mappings"
        : feed.includes("(SQS redrive)")
          ? "source queues"
          : "functions (async failures)";
    // A function feeds a queue twice (DLQ and on-failure destination): count it once.
    const who = kind.startsWith("functions") ? (feed.split(" ")[1] ?? feed) : feed;
    kinds.set(kind, (kinds.get(kind) ?? new Set()).add(who));
  }
  return [...kinds].map(([kind, who]) => `${who.size} ${kind}`).join(", ") || "-";
}
