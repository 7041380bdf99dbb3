import { appendFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  decodeMessage,
  executeReplay,
  groupFailures,
  readJsonLines,
  ReplayJournal,
  type RawMessage,
  type ReplayAction,
  type ReplayItem,
} from "../../../../src/runtime/dlq/index.js";

/**
 * The replay loop's safety rules with an injected sender and remover and a real journal file:
 * a confirmed send is journaled before removal, a journaled send is never repeated, nothing is
 * removed unless confirmed (or with --keep), and --max / --dry-run / --rate behave.
 */

let folder: string;
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), "dlq-replay-"));
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

function redriven(n: number): RawMessage {
  return {
    messageId: `m-${n}`,
    body: JSON.stringify({ n }),
    attributes: {
      SentTimestamp: String(1_000 + n),
      DeadLetterQueueSourceArn: "arn:aws:sqs:us-east-1:000000000000:work",
    },
    messageAttributes: {},
  };
}

function items(count: number): ReplayItem[] {
  const raws = Array.from({ length: count }, (_, i) => redriven(i + 1));
  return groupFailures(raws.map(decodeMessage)).map((group) => {
    const first = raws.find((r) => r.messageId === group.summary.messageId)!;
    return { group, body: first.body, messageAttributes: first.messageAttributes };
  });
}

function recorder(options: { failOn?: number } = {}) {
  const sent: string[] = [];
  const removed: string[] = [];
  return {
    sent,
    removed,
    send: async (action: ReplayAction) => {
      if (action.type !== "sqs-send") throw new Error(`unexpected ${action.type}`);
      const n = (JSON.parse(action.body) as { n: number }).n;
      if (n === options.failOn) throw new Error("destination refused");
      sent.push(action.body);
      return action.queueArn;
    },
    remove: async (item: ReplayItem) => {
      removed.push(item.group.key);
    },
  };
}

describe("executeReplay", () => {
  it("sends each failure once, journals it, then removes it", async () => {
    const file = join(folder, "journal.jsonl");
    const io = recorder();
    const report = await executeReplay({ items: items(3), journal: await ReplayJournal.open(file), ...io });
    expect(report).toMatchObject({ sent: 3, failed: 0, interrupted: false });
    expect(io.removed).toEqual(["m-1", "m-2", "m-3"]);
    const lines = (await readJsonLines(file)) as { op: string; key: string }[];
    expect(lines.map((l) => `${l.op}:${l.key}`)).toEqual([
      "sent:m-1",
      "done:m-1",
      "sent:m-2",
      "done:m-2",
      "sent:m-3",
      "done:m-3",
    ]);
  });

  it("after a send whose removal failed (or a crash before it), a rerun removes without sending again", async () => {
    const file = join(folder, "journal.jsonl");
    const first = recorder();
    // The delete of m-2 is refused (a stale receipt handle): its send stays journaled.
    const report = await executeReplay({
      items: items(3),
      journal: await ReplayJournal.open(file),
      send: first.send,
      remove: async (item) => {
        if (item.group.key === "m-2") throw new Error("ReceiptHandleIsInvalid");
        await first.remove(item);
      },
    });
    expect(first.sent).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
    expect(report.results[1]).toMatchObject({ outcome: "sent", removed: false });
    expect(report.results[1]!.reason).toMatch(/not removed \(ReceiptHandleIsInvalid\)/);

    const second = recorder();
    const rerun = await executeReplay({
      items: items(3).filter((i) => i.group.key === "m-2"), // m-1 and m-3 left the queue
      journal: await ReplayJournal.open(file),
      ...second,
    });
    expect(second.sent).toEqual([]);
    expect(rerun.results.map((r) => `${r.key}:${r.outcome}:${r.removed}`)).toEqual(["m-2:already-sent:true"]);
    expect(second.removed).toEqual(["m-2"]);
  });

  it("leaves a failed send in place and goes on with the rest", async () => {
    const io = recorder({ failOn: 2 });
    const report = await executeReplay({
      items: items(3),
      journal: await ReplayJournal.open(join(folder, "j.jsonl")),
      ...io,
    });
    expect(report).toMatchObject({ sent: 2, failed: 1 });
    expect(report.results[1]).toMatchObject({ key: "m-2", outcome: "failed", reason: "destination refused" });
    expect(io.removed).toEqual(["m-1", "m-3"]);
  });

  it("--dry-run sends and removes nothing; --keep sends but removes nothing; --max caps sends", async () => {
    const dry = recorder();
    const dryReport = await executeReplay({
      items: items(2),
      journal: await ReplayJournal.open(join(folder, "dry.jsonl")),
      dryRun: true,
      ...dry,
    });
    expect(dryReport.results.map((r) => r.outcome)).toEqual(["would-send", "would-send"]);
    expect([dry.sent, dry.removed]).toEqual([[], []]);

    const keep = recorder();
    await executeReplay({
      items: items(2),
      journal: await ReplayJournal.open(join(folder, "keep.jsonl")),
      keep: true,
      ...keep,
    });
    expect([keep.sent.length, keep.removed]).toEqual([2, []]);

    const capped = recorder();
    const cappedReport = await executeReplay({
      items: items(3),
      journal: await ReplayJournal.open(join(folder, "max.jsonl")),
      max: 2,
      ...capped,
    });
    expect(capped.sent).toHaveLength(2);
    expect(cappedReport.results[2]).toMatchObject({ outcome: "not-attempted", reason: "--max 2 reached" });
  });

  it("--rate spaces the sends on the injected clock, and an abort stops before the next send", async () => {
    let now = 0;
    const waits: number[] = [];
    const controller = new AbortController();
    const io = recorder();
    const report = await executeReplay({
      items: items(4),
      journal: await ReplayJournal.open(join(folder, "rate.jsonl")),
      ratePerSecond: 2,
      now: () => now,
      sleep: async (ms) => {
        waits.push(ms);
        now += ms;
        if (waits.length === 2) controller.abort();
      },
      signal: controller.signal,
      ...io,
    });
    expect(waits).toEqual([500, 500]);
    expect(io.sent).toHaveLength(2);
    expect(report.interrupted).toBe(true);
    expect(report.results.map((r) => r.outcome)).toEqual(["sent", "sent", "not-attempted", "not-attempted"]);
  });
});

describe("ReplayJournal", () => {
  it("ignores a torn last line left by a kill during an append", async () => {
    const file = join(folder, "journal.jsonl");
    const journal = await ReplayJournal.open(file);
    await journal.recordSent("a", { messageIds: ["a"], to: "q" });
    await appendFile(file, '{"op":"sent","key":"b"');
    const reread = await ReplayJournal.open(file);
    expect([reread.wasSent("a"), reread.wasSent("b")]).toEqual([true, false]);
    expect(await readFile(file, "utf8")).toContain('"key":"a"');
  });
});
