import { GetItemCommand, ScanCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import {
  InvokeCommand,
  UpdateEventSourceMappingCommand,
  ListEventSourceMappingsCommand,
} from "@aws-sdk/client-lambda";
import { GetQueueAttributesCommand, GetQueueUrlCommand } from "@aws-sdk/client-sqs";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualScrapeEvent } from "../../../src/pipeline/handlers/scrape.js";
import { generateRoster, shardRecordKey } from "../../../src/pipeline/model/index.js";
import { readRunProgress } from "../../../src/pipeline/stages/run-progress.js";
import { waitFor } from "../../helpers/crash-clients.js";
import { startDeployedStack, type DeployedStack } from "../../helpers/deployed-stack.js";

/**
 * Issue 11: a run of 1,000 people through the deployed stack's work queue with 429s, 500s and
 * timeouts injected at the news source. Every person ends accounted for (written, unchanged, or a
 * counted permanent failure), every shard done once, none lost: the queue drains and nothing is
 * dead-lettered. One person's requests fail beyond the client's retries on the first receive, so
 * their shard is retried by the queue and still counted once. The stream consumers are paused:
 * this is about the scrape (the full cycle at 10,000 people is a bench).
 */

const PEOPLE = 1000;
const RUN_ID = "faults-1000";
const roster = generateRoster(PEOPLE);
/** Always malformed: a permanent failure, counted. */
const MALFORMED = "0007";
/** 500 on six requests: the client's five attempts of the first receive, then one more. */
const FLAKY = "0123";

describe("a run of 1,000 people with faults injected, through the work queue", () => {
  let deployed: DeployedStack;

  beforeAll(async () => {
    deployed = await startDeployedStack({
      roster,
      suffix: "-q1000",
      fixtureOptions: { retryAfterSeconds: 0 },
      faults: {
        perSource: { news: { "429": 0.05, "500": 0.05, timeout: 0.02 } },
        rules: [
          { kind: "malformed", source: "news", celebrityId: MALFORMED },
          { kind: "500", source: "news", celebrityId: FLAKY, times: 6 },
        ],
      },
      // An injected timeout hangs: the client gives up on it after 300 ms, then retries.
      configFile: { sources: { news: { timeoutMs: 300 } } },
    });
    const lambda = await deployed.clients.lambda();
    for (const mapping of Object.values(deployed.stack.eventSourceMappings)) {
      const listed = await lambda.send(
        new ListEventSourceMappingsCommand({ FunctionName: mapping.definition.FunctionName }),
      );
      for (const live of listed.EventSourceMappings ?? []) {
        await lambda.send(new UpdateEventSourceMappingCommand({ UUID: live.UUID, Enabled: false }));
      }
    }
  }, 180_000);
  afterAll(async () => {
    await deployed?.stop();
  });

  it("ends with every person accounted for and every shard done once", async () => {
    // Act: the news scraper invoked as a rule would (asynchronously) with a manual trigger.
    const lambda = await deployed.clients.lambda();
    const dynamodb = await deployed.clients.dynamodb();
    const answer = await lambda.send(
      new InvokeCommand({
        FunctionName: deployed.stack.functions["scraper-news"].name,
        InvocationType: "Event",
        Payload: Buffer.from(JSON.stringify(manualScrapeEvent({ id: "evt-faults", runId: RUN_ID }))),
      }),
    );
    expect(answer.StatusCode).toBe(202);
    const news = await waitFor(
      async () => {
        const progress = (await readRunProgress(dynamodb, deployed.stack.table.name, RUN_ID)).get("news");
        return progress?.complete ? progress : undefined;
      },
      "the news run to complete",
      150_000,
      250,
    );

    // Assess: 40 shards of 25, all done, none failed; the counts add up to the roster.
    expect(news).toMatchObject({ shards: 40, done: 40, failed: 0, pending: 0, people: PEOPLE });
    expect(news.counts.fetched + news.counts.failed).toBe(PEOPLE);
    expect(news.counts.written + news.counts.unchanged).toBe(news.counts.fetched);
    expect(news.counts).toMatchObject({ written: PEOPLE - 1, failed: 1 });
    expect(news.failures).toStrictEqual([
      { celebrityId: MALFORMED, reason: expect.stringMatching(/not valid JSON/) },
    ]);
    // The faults happened and were absorbed by the client's retries (and once by the queue's).
    const faults = deployed.fixtures.stats.faults;
    expect(faults["429"]).toBeGreaterThan(0);
    expect(faults["500"]).toBeGreaterThan(6);
    expect(faults["timeout"]).toBeGreaterThan(0);
    expect(news.retries).toBeGreaterThan(faults["429"] + faults["timeout"] - 1);
    const flakyShard = Math.floor((Number(FLAKY) - 1) / 25);
    const { Item } = await dynamodb.send(
      new GetItemCommand({
        TableName: deployed.stack.table.name,
        Key: {
          pk: { S: shardRecordKey(RUN_ID, "news", flakyShard).pk },
          sk: { S: shardRecordKey(RUN_ID, "news", flakyShard).sk },
        },
        ConsistentRead: true,
      }),
    );
    expect(unmarshall(Item!)).toMatchObject({ status: "done", receives: 2, people: 25 });

    // Every person but the malformed one has a news item; nobody has two.
    const ids: string[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await dynamodb.send(
        new ScanCommand({ TableName: deployed.stack.table.name, ExclusiveStartKey: start }),
      );
      for (const item of page.Items ?? []) {
        if (item.pk?.S?.startsWith("CELEB#") && item.sk?.S === "SOURCE#news") ids.push(item.pk.S.slice(6));
      }
      start = page.LastEvaluatedKey;
    } while (start);
    expect(ids.sort()).toStrictEqual(roster.map((p) => p.id).filter((id) => id !== MALFORMED));

    // No shard lost or left: the work queue drains and nothing went to the scraper DLQ.
    const sqs = await deployed.clients.sqs();
    const depth = async (name: string) => {
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl,
          AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        }),
      );
      return (
        Number(Attributes.ApproximateNumberOfMessages) +
        Number(Attributes.ApproximateNumberOfMessagesNotVisible)
      );
    };
    await waitFor(
      async () => (await depth(deployed.stack.workQueues.news.name)) === 0,
      "the news work queue to drain",
      30_000,
      250,
    );
    expect(await depth(deployed.stack.queues.scraperDlq.name)).toBe(0);
  }, 200_000);
});
