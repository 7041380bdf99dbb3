import { randomUUID } from "node:crypto";
import { ScanCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import {
  GetFunctionConfigurationCommand,
  InvokeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
} from "@aws-sdk/client-lambda";
import { DeleteMessageCommand, GetQueueUrlCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HANDLER_ENV, MANUAL_SCRAPE_EVENT } from "../../src/pipeline/stack/index.js";
import { startDeployedStack, type DeployedStack } from "../helpers/deployed-stack.js";

/**
 * The whole pipeline in the emulator (issue 4, point 6): the real stack's handlers deployed as
 * zips by the deploy engine, sources served by the fixture server. One manual trigger through
 * EventBridge runs the four scrapers; their writes reach the post-processor and index-sync through
 * the stream mappings; the documents land in the index. Then a scraper made to fail lands its
 * event in its DLQ and on-failure destination after Lambda's asynchronous retries.
 */

const EXPECTED_ITEMS = 400; // 100 celebrities x 4 sources

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  describeLast: () => string = () => "",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} ${describeLast()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

interface TableCounts {
  celebrities: number;
  enriched: number;
  runSources: string[];
}

describe("pipeline end to end in the emulator", () => {
  let deployed: DeployedStack;

  beforeAll(async () => {
    deployed = await startDeployedStack();
  }, 120_000);
  afterAll(async () => {
    await deployed?.stop();
  });

  async function tableCounts(): Promise<TableCounts> {
    const dynamodb = await deployed.clients.dynamodb();
    const counts: TableCounts = { celebrities: 0, enriched: 0, runSources: [] };
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await dynamodb.send(
        new ScanCommand({ TableName: deployed.stack.table.name, ExclusiveStartKey: start }),
      );
      for (const item of page.Items ?? []) {
        const pk = item.pk?.S ?? "";
        if (pk.startsWith("CELEB#")) {
          counts.celebrities += 1;
          if (item.weight?.N !== undefined && item.sentiment?.S !== undefined) counts.enriched += 1;
        }
        // One run record per source (what its planner wrote); its shard records are summed into it.
        if (pk.startsWith("RUN#") && item.recordType?.S === "run" && item.status?.S === "planned")
          counts.runSources.push(item.source?.S ?? item.sk?.S ?? "?");
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return counts;
  }

  it("a manual trigger runs all four scrapers; 400 items enriched and indexed", async () => {
    const events = await deployed.clients.eventbridge();
    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: MANUAL_SCRAPE_EVENT.source,
            DetailType: MANUAL_SCRAPE_EVENT.detailType,
            Detail: JSON.stringify({ requestedBy: "e2e" }),
          },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);

    let last: TableCounts | undefined;
    const done = await waitFor(
      "400 enriched celebrity items and 4 run records",
      async () => {
        last = await tableCounts();
        return last.enriched >= EXPECTED_ITEMS && last.runSources.length >= 4 ? last : undefined;
      },
      240_000,
      () => JSON.stringify(last),
    );
    expect(done.celebrities).toBe(EXPECTED_ITEMS);
    expect(done.enriched).toBe(EXPECTED_ITEMS);
    expect(done.runSources).toHaveLength(4);

    const countUrl = `${deployed.stack.index.endpoint}/${deployed.stack.index.name}/_count`;
    let indexed = -1;
    await waitFor(
      "400 documents in the index",
      async () => {
        const response = await fetch(countUrl);
        indexed = ((await response.json()) as { count?: number }).count ?? -1;
        return indexed === EXPECTED_ITEMS ? indexed : undefined;
      },
      60_000,
      () => `(count ${indexed})`,
    );
    expect(indexed).toBe(EXPECTED_ITEMS);
    for (const source of ["tmdb", "wikipedia", "news", "social"] as const) {
      expect(deployed.fixtures.stats.bySource[source]).toBeGreaterThanOrEqual(100);
    }
  }, 330_000);

  it("a scraper that fails lands its event in its DLQ and on-failure destination after the retries", async () => {
    const lambda = await deployed.clients.lambda();
    const sqs = await deployed.clients.sqs();
    const name = deployed.stack.functions["scraper-social"].name;
    const live = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    // A source name the scraper does not know: every attempt fails at start.
    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: name,
        Environment: {
          Variables: { ...live.Environment?.Variables, [HANDLER_ENV.sourceName]: "not-a-source" },
        },
      }),
    );
    await waitUntilFunctionUpdatedV2(
      { client: lambda, maxWaitTime: 60, minDelay: 0.2 },
      { FunctionName: name },
    );

    const eventId = randomUUID();
    const event = {
      version: "0",
      id: eventId,
      "detail-type": MANUAL_SCRAPE_EVENT.detailType,
      source: MANUAL_SCRAPE_EVENT.source,
      account: deployed.stack.params.account,
      time: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
      region: deployed.stack.params.region,
      resources: [],
      detail: { requestedBy: "e2e-failure" },
    };
    const accepted = await lambda.send(
      new InvokeCommand({ FunctionName: name, InvocationType: "Event", Payload: JSON.stringify(event) }),
    );
    expect(accepted.StatusCode).toBe(202);

    const queueUrl = (
      await sqs.send(new GetQueueUrlCommand({ QueueName: deployed.stack.queues.scraperDlq.name }))
    ).QueueUrl!;
    const received: { body: string; attributes: Record<string, string | undefined> }[] = [];
    await waitFor(
      "the DLQ message and the on-failure record",
      async () => {
        const page = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 10,
            MessageAttributeNames: ["All"],
            WaitTimeSeconds: 1,
          }),
        );
        for (const message of page.Messages ?? []) {
          received.push({
            body: message.Body ?? "",
            attributes: Object.fromEntries(
              Object.entries(message.MessageAttributes ?? {}).map(([key, value]) => [key, value.StringValue]),
            ),
          });
          await sqs.send(
            new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
          );
        }
        return received.filter((message) => message.body.includes(eventId)).length >= 2 ? true : undefined;
      },
      60_000,
      () => `(received ${received.length})`,
    );
    const mine = received.filter((message) => message.body.includes(eventId));
    const dlqMessage = mine.find((message) => message.attributes.RequestID !== undefined);
    expect(dlqMessage).toBeDefined();
    expect(JSON.parse(dlqMessage!.body)).toMatchObject({ id: eventId });
    expect(dlqMessage!.attributes.ErrorMessage).toMatch(/source|not-a-source/i);

    const record = mine
      .map((message) => JSON.parse(message.body) as Record<string, unknown>)
      .find((body) => body.requestContext !== undefined) as {
      requestContext: { condition: string; approximateInvokeCount: number };
      requestPayload: { id: string };
    };
    expect(record).toBeDefined();
    expect(record.requestContext).toMatchObject({ condition: "RetriesExhausted", approximateInvokeCount: 3 });
    expect(record.requestPayload.id).toBe(eventId);
  }, 90_000);
});
