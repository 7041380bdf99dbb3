import { ScanCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateRoster, rosterHash, type Celebrity } from "../../src/pipeline/model/index.js";
import { readRunProgress } from "../../src/pipeline/stages/run-progress.js";
import { readRoster, removeEntry } from "../../src/runtime/roster/index.js";
import { manualEventShape } from "../../src/runtime/schedule/index.js";
import { startDeployedStack, type DeployedStack } from "../helpers/deployed-stack.js";

/**
 * Issue 10's proof through the deployed stack: an imported roster of 250 invented people (half of
 * them with per-source ids, half found by name) scraped by the four deployed scrapers on a manual
 * trigger, every item written, enriched and indexed; then one person removed with --purge leaves
 * nothing of them in the table or the index.
 */

const PEOPLE = 250;
const roster: Celebrity[] = [
  ...generateRoster(PEOPLE, { sourceIds: true }).slice(0, PEOPLE / 2),
  ...generateRoster(PEOPLE)
    .slice(PEOPLE / 2)
    .map(({ handle: _handle, ...person }) => person),
];

async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  last: () => string,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (${last()})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe("a roster of 250 imported people through the deployed stack", () => {
  let deployed: DeployedStack;

  beforeAll(async () => {
    deployed = await startDeployedStack({ roster, suffix: "-roster" });
  }, 120_000);
  afterAll(async () => {
    await deployed?.stop();
  });

  async function scan() {
    const dynamodb = await deployed.clients.dynamodb();
    const items: Record<string, AttributeValue>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await dynamodb.send(
        new ScanCommand({ TableName: deployed.stack.table.name, ExclusiveStartKey: start }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** Documents in the index, all or one person's (a term query on celebrityId). */
  async function indexCount(celebrityId?: string): Promise<number> {
    const response = await fetch(`${deployed.stack.index.endpoint}/${deployed.stack.index.name}/_count`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(
        celebrityId === undefined ? { query: { match_all: {} } } : { query: { term: { celebrityId } } },
      ),
    });
    return ((await response.json()) as { count?: number }).count ?? -1;
  }

  it("scrapes, enriches and indexes every person of the roster on all four sources", async () => {
    expect(
      (await readRoster(await deployed.clients.dynamodb(), deployed.stack.table.name)).entries,
    ).toHaveLength(PEOPLE);
    const events = await deployed.clients.eventbridge();
    // This stack's manual event (the suffix is part of its source).
    const manual = manualEventShape(deployed.stack.rules.manual);
    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: manual.source,
            DetailType: manual.detailType,
            Detail: JSON.stringify({ runId: "roster-250" }),
          },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);

    let seen = "";
    const items = await waitFor(
      `${PEOPLE * 4} enriched items and the run complete on all four sources`,
      async () => {
        const all = await scan();
        const celebs = all.filter((item) => item.pk?.S?.startsWith("CELEB#"));
        const enriched = celebs.filter(
          (item) => item.weight?.N !== undefined && item.sentiment?.S !== undefined,
        );
        const runs = [
          ...(
            await readRunProgress(await deployed.clients.dynamodb(), deployed.stack.table.name, "roster-250")
          ).values(),
        ];
        const complete = runs.filter((run) => run.complete);
        seen = `${celebs.length} items, ${enriched.length} enriched, ${complete.length}/4 runs complete`;
        return enriched.length >= PEOPLE * 4 && complete.length === 4 ? { celebs, runs } : undefined;
      },
      300_000,
      () => seen,
    );
    expect(items.celebs).toHaveLength(PEOPLE * 4);
    for (const run of items.runs) {
      // 250 people in shards of 25: ten shards, each done once, counts summed over them.
      expect(run).toMatchObject({ shards: 10, done: 10, failed: 0, pending: 0, people: PEOPLE });
      expect(run.counts).toStrictEqual({ fetched: PEOPLE, written: PEOPLE, unchanged: 0, failed: 0 });
      expect(run.plan).toMatchObject({
        status: "planned",
        rosterSize: PEOPLE,
        rosterHash: rosterHash(roster),
      });
    }
    await waitFor(
      "every item indexed",
      async () => ((await indexCount()) === PEOPLE * 4 ? true : undefined),
      60_000,
      () => "",
    );
  }, 420_000);

  it("remove --purge empties that person from the table and, through index-sync, from the index", async () => {
    const person = roster[7]!;
    expect(await indexCount(person.id)).toBe(4);
    const result = await removeEntry(
      await deployed.clients.dynamodb(),
      deployed.stack.table.name,
      person.id,
      {
        purge: true,
      },
    );
    expect(result).toMatchObject({ removedRecord: true, purgedItems: 4 });
    const left = (await scan()).filter(
      (item) => item.pk?.S === `CELEB#${person.id}` || item.pk?.S === `ROSTER#${person.id}`,
    );
    expect(left).toStrictEqual([]);
    await waitFor(
      "the person's documents deleted from the index",
      async () => ((await indexCount(person.id)) === 0 ? true : undefined),
      60_000,
      () => "",
    );
    expect(await indexCount()).toBe(PEOPLE * 4 - 4);
  }, 120_000);
});
