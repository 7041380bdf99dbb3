import { describe, expect, it } from "vitest";
import {
  cutShards,
  encodeShard,
  generateRoster,
  shardMessageAttributes,
} from "../../../../src/pipeline/model/index.js";
import type { RosterEntry } from "../../../../src/pipeline/model/index.js";
import { defineStack } from "../../../../src/pipeline/stack/index.js";
import {
  failureQueues,
  groupFailures,
  parseFilter,
  planAction,
  type RawMessage,
} from "../../../../src/runtime/dlq/index.js";
import { decodeFrom } from "../../../../src/runtime/dlq/queues.js";
import { testStackParams } from "../../../helpers/stack-params.js";

/**
 * A scrape shard a work queue dead-lettered: decoded by its body (src/pipeline/model/shard.ts) into
 * run, source, position and people, and replayed to its source's work queue in the stack.
 */

const stack = defineStack(testStackParams());
const scraperDlq = failureQueues(stack).find((queue) => queue.key === "scraperDlq")!;

const people: RosterEntry[] = generateRoster(30).map((person) => ({
  ...person,
  active: true,
  addedAt: "2026-11-01T00:00:00.000Z",
  updatedAt: "2026-11-01T00:00:00.000Z",
}));
const [first, second] = cutShards(
  {
    runId: "manual-2026-12-07T12-00-00Z",
    source: "news",
    plannedAt: new Date("2026-12-07T12:00:00Z"),
    shardSize: 25,
  },
  people,
);

function redriven(body: string, attributes: Record<string, string> = {}): RawMessage {
  return {
    messageId: "shard-msg-1",
    body,
    attributes: { SentTimestamp: "1796644800000", ApproximateReceiveCount: "1", ...attributes },
    messageAttributes: shardMessageAttributes(second!),
  };
}

const FROM = "arn:aws:sqs:us-east-1:000000000000:some-queue";

describe("a dead-lettered scrape shard", () => {
  it("is decoded from its body: run, source, shard n of m, whom it holds; where it came from", () => {
    const decoded = decodeFrom(
      scraperDlq,
      redriven(encodeShard(second!), { DeadLetterQueueSourceArn: FROM }),
    );

    expect(decoded.kind).toBe("scrape-shard");
    expect(decoded.sourceQueueArn).toBe(FROM);
    expect(decoded.shard).toEqual({
      runId: "manual-2026-12-07T12-00-00Z",
      source: "news",
      shard: 1,
      shards: 2,
      plannedAt: "2026-12-07T12:00:00.000Z",
      people: people.slice(25).map((person) => ({ id: person.id, name: person.name })),
      workQueueArn: stack.workQueues.news.arn,
    });
    expect(stack.workQueues.news.name).toBe("celebrity-scrape-news");
  });

  it("is replayed to its source's work queue in the stack, body as it was, with the shard's attributes", () => {
    const body = encodeShard(first!);
    const raw = { ...redriven(body, { DeadLetterQueueSourceArn: FROM }), messageAttributes: {} };
    const [group] = groupFailures([decodeFrom(scraperDlq, raw)]);

    const action = planAction({ group: group!, body, messageAttributes: raw.messageAttributes });

    expect(action).toEqual({
      type: "sqs-send",
      queueArn: stack.workQueues.news.arn,
      body,
      messageAttributes: shardMessageAttributes(first!),
    });
  });

  it("without the stack (an archive read alone) it goes back where SQS says it came from, or is skipped", () => {
    const body = encodeShard(first!);
    const withSource = redriven(body, { DeadLetterQueueSourceArn: FROM });
    const [fromSqs] = groupFailures([decodeFrom({ dlqOfFunctions: [] }, withSource)]);
    expect(planAction({ group: fromSqs!, body, messageAttributes: {} })).toMatchObject({ queueArn: FROM });

    const [nowhere] = groupFailures([decodeFrom({ dlqOfFunctions: [] }, redriven(body))]);
    expect(planAction({ group: nowhere!, body, messageAttributes: {} })).toEqual({
      type: "skip",
      reason:
        "shard of source news: this stack has no work queue for it and the message does not say which queue it came from",
    });
  });

  it("a body that claims to be a shard but is not a valid one is an ordinary redriven message, saying why", () => {
    const broken = JSON.stringify({ ...JSON.parse(encodeShard(first!)), shards: 0 });
    const decoded = decodeFrom(scraperDlq, redriven(broken, { DeadLetterQueueSourceArn: FROM }));

    expect(decoded.kind).toBe("sqs-redrive");
    expect(decoded.note).toMatch(/^invalid scrape-shard message: shards/);
  });

  it("--filter scrape-shard, source=<source> and run=<run id> select shards", () => {
    const decoded = decodeFrom(
      scraperDlq,
      redriven(encodeShard(second!), { DeadLetterQueueSourceArn: FROM }),
    );
    expect(parseFilter("scrape-shard")(decoded)).toBe(true);
    expect(parseFilter(["source=news", "run=manual-2026-12-07T12-00-00Z"])(decoded)).toBe(true);
    expect(parseFilter("source=tmdb")(decoded)).toBe(false);
    expect(parseFilter("run=other")(decoded)).toBe(false);
  });
});
