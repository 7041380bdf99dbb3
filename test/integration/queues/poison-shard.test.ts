import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../../src/commands/cli.js";
import { manualScrapeEvent } from "../../../src/pipeline/handlers/scrape.js";
import { decodeShard } from "../../../src/pipeline/model/index.js";
import { readRunProgress, type SourceRunProgress } from "../../../src/pipeline/stages/run-progress.js";
import { waitFor } from "../../helpers/crash-clients.js";
import { startDeployedStack, type DeployedStack } from "../../helpers/deployed-stack.js";

/**
 * Issue 11: a poison shard. One person's news requests always answer 500, so the worker fails
 * their shard on every receive. The queue gives it back maxReceiveCount (5) times, the worker
 * records it failed on the last, and SQS moves the message to the scraper DLQ; the run is then
 * complete with that shard failed. `pipeline dlq peek` names it; once the source is healthy,
 * `pipeline dlq replay` sends it back to the work queue, the shard is scraped and the run has every
 * shard done.
 */

const RUN_ID = "poison-1";
const POISON = "017";
const SUFFIX = "-poison";

describe("a poison shard", () => {
  let deployed: DeployedStack;
  let work: string;

  /** The CLI in-process against this test's emulator and stack, from a folder of its own. */
  async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const code = await runCli([...argv, "--endpoint-url", deployed.emulator.url], {
      stdout: { write: (chunk: string) => (stdout += chunk), isTTY: false },
      stderr: { write: (chunk: string) => (stderr += chunk), isTTY: false },
      stdinIsTTY: false,
      env: { PIPELINE_TARGET: "local", PIPELINE_SUFFIX: SUFFIX, AWS_REGION: "us-east-1" },
      cwd: work,
      signal: new AbortController().signal,
    });
    return { code, stdout, stderr };
  }

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "queues-poison-"));
    deployed = await startDeployedStack({
      rosterSize: 30,
      suffix: SUFFIX,
      faults: { rules: [{ kind: "500", source: "news", celebrityId: POISON }] },
      // Shards of 10 (017 is in shard 1), and no wait between receives: only the count matters.
      configFile: { sources: { news: { shardSize: 10, shardRetrySeconds: 0 } } },
    });
  }, 180_000);
  afterAll(async () => {
    await deployed?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function progress(): Promise<SourceRunProgress | undefined> {
    return (await readRunProgress(await deployed.clients.dynamodb(), deployed.stack.table.name, RUN_ID)).get(
      "news",
    );
  }

  async function queueUrl(name: string): Promise<string> {
    const sqs = await deployed.clients.sqs();
    return (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl!;
  }

  it("ends in the scraper DLQ after maxReceiveCount receives; sent back, it completes the run", async () => {
    // Act
    const lambda = await deployed.clients.lambda();
    deployed.fixtures.resetStats();
    await lambda.send(
      new InvokeCommand({
        FunctionName: deployed.stack.functions["scraper-news"].name,
        InvocationType: "Event",
        Payload: Buffer.from(JSON.stringify(manualScrapeEvent({ id: "evt-poison", runId: RUN_ID }))),
      }),
    );
    const settled = await waitFor(
      async () => {
        const news = await progress();
        return news?.complete ? news : undefined;
      },
      "the news run to complete",
      120_000,
      250,
    );

    // Assess: shard 1 failed for good on its 5th receive, five client attempts each time.
    expect(settled).toMatchObject({
      shards: 3,
      done: 2,
      failed: 1,
      failedShards: [1],
      peopleInFailedShards: 10,
    });
    expect(settled.lastError).toMatch(/HTTP 500/);
    expect(deployed.fixtures.stats.faults["500"]).toBe(5 * 5);
    const sqs = await deployed.clients.sqs();
    const dlqUrl = await queueUrl(deployed.stack.queues.scraperDlq.name);
    const dead = await waitFor(
      async () => {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: dlqUrl,
            MaxNumberOfMessages: 10,
            // A look, not a take: the message stays visible for the commands below.
            VisibilityTimeout: 0,
            MessageSystemAttributeNames: ["All"],
            MessageAttributeNames: ["All"],
          }),
        );
        return Messages.length > 0 ? Messages : undefined;
      },
      "the poison shard in the scraper DLQ",
      30_000,
      250,
    );
    expect(dead).toHaveLength(1);
    const message = dead[0]!;
    expect(message.Attributes?.DeadLetterQueueSourceArn).toBe(deployed.stack.workQueues.news.arn);
    const shard = decodeShard(message.Body!);
    expect(shard).toMatchObject({ runId: RUN_ID, source: "news", shard: 1, shards: 3 });
    expect(shard.people.map((p) => p.id)).toContain(POISON);
    expect(message.MessageAttributes?.shard?.StringValue).toBe("1");
    // Nothing of the run is left on the work queue.
    const workUrl = await queueUrl(deployed.stack.workQueues.news.name);
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: workUrl,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    expect(
      Number(Attributes.ApproximateNumberOfMessages) +
        Number(Attributes.ApproximateNumberOfMessagesNotVisible),
    ).toBe(0);

    // The run is one thing to the operator: logs tail --run prints its planner's and workers' lines
    // and the run per source; status shows it as the latest run.
    const tail = await cli("logs", "tail", "scraper-news", "--run", RUN_ID, "--since", "1h");
    expect(tail.code, tail.stderr).toBe(0);
    expect(tail.stdout).toContain("scrape run started");
    expect(tail.stdout).toContain("shard failed on its last receive");
    expect(tail.stdout).toContain(
      `run ${RUN_ID} news: complete, shards 2/3 done, 1 failed (10 people, in the DLQ); written 29, unchanged 0, failed 0`,
    );
    const status = await cli("status");
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`Latest run ${RUN_ID}`);
    expect(status.stdout).toMatch(
      /^\s*news\s+complete\s+2\/3\s+1 \(10 people, in the DLQ\)\s+0\s+29\s+0\s+0\s*$/m,
    );

    // dlq peek decodes it: source, run, which shard and its people.
    const dlqName = deployed.stack.queues.scraperDlq.name;
    const peeked = await cli("dlq", "peek", dlqName, "--full");
    expect(peeked.code, peeked.stderr).toBe(0);
    expect(peeked.stdout).toContain(`scrape-shard news run ${RUN_ID} shard 2 of 3 (10 people)`);
    expect(peeked.stdout).toMatch(new RegExp(`people +.*\\b${POISON}\\b`, "m"));

    // The source healthy again, dlq replay sends it back to its work queue and deletes it.
    deployed.fixtures.setFaults({});
    const replay = await cli("dlq", "replay", dlqName, "--filter", "scrape-shard", "--json");
    expect(replay.code, replay.stderr).toBe(0);
    const [report] = JSON.parse(replay.stdout) as {
      sent: number;
      failed: number;
      results: { to: string }[];
    }[];
    expect(report).toMatchObject({ sent: 1, failed: 0 });
    expect(report!.results[0]!.to).toContain(deployed.stack.workQueues.news.arn);
    const replayed = await waitFor(
      async () => {
        const news = await progress();
        return news?.done === 3 ? news : undefined;
      },
      "the replayed shard to be done",
      60_000,
      250,
    );
    expect(replayed).toMatchObject({ complete: true, done: 3, failed: 0, failedShards: [] });
    expect(replayed.counts.fetched + replayed.counts.failed).toBe(30);
    const left = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
    );
    expect(left.Attributes?.ApproximateNumberOfMessages).toBe("0");
  }, 200_000);
});
