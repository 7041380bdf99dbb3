import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  GetFunctionConfigurationCommand,
  InvokeCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../../src/commands/cli.js";
import { manualScrapeEvent } from "../../../src/pipeline/handlers/scrape.js";
import { HANDLER_ENV } from "../../../src/pipeline/stack/index.js";
import { peekQueue, selectQueues } from "../../../src/runtime/dlq/index.js";
import { indexMatchesTable, reconcile, type Reconciliation } from "../../../src/runtime/verify/reconcile.js";
import type { VerifyEnv } from "../../../src/runtime/verify/types.js";
import { startDeployedStack, type DeployedStack } from "../../helpers/deployed-stack.js";

/**
 * Issue 17's fault run, in the emulator: OpenSearch is down while a scraper rewrites items and the
 * post-processor is broken, so index-sync's and the post-processor's batches end in the stream DLQ.
 * OpenSearch comes back; the post-processor's failures are replayed first (the index gets the new,
 * enriched documents), then index-sync's: those are the older records, and they must lose. The
 * index then equals the table by content, which verify's reconciliation checks.
 */

const SUFFIX = "-outage-it";
let deployed: DeployedStack;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "outage-it-"));
  // Every celebrity's data changes at the next epoch: each rescrape is a MODIFY.
  deployed = await startDeployedStack({ suffix: SUFFIX, rosterSize: 3, fixtureOptions: { changeRate: 1 } });
}, 180_000);

afterAll(async () => {
  await deployed?.stop();
  rmSync(work, { recursive: true, force: true });
});

async function waitFor<T>(
  read: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

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

const reconciled = () => reconcile({ clients: deployed.clients } as VerifyEnv, deployed.stack);
const settled = (r: Reconciliation) => r.written === 3 && r.postProcessed === 3 && indexMatchesTable(r);

async function faults(method: "POST" | "DELETE", body?: unknown): Promise<void> {
  const response = await fetch(`${deployed.emulator.url}/_emulator/opensearch/faults`, {
    method,
    ...(body ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } } : {}),
  });
  expect(response.status).toBe(200);
}

async function setEnvironment(functionName: string, variables: Record<string, string>): Promise<void> {
  const lambda = await deployed.clients.lambda();
  await lambda.send(
    new UpdateFunctionConfigurationCommand({
      FunctionName: functionName,
      Environment: { Variables: variables },
    }),
  );
  await waitFor(
    async () =>
      (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName })))
        .LastUpdateStatus === "Successful",
    `${functionName} updated`,
  );
}

async function scrape(runId: string): Promise<void> {
  const lambda = await deployed.clients.lambda();
  const answer = await lambda.send(
    new InvokeCommand({
      FunctionName: deployed.stack.functions["scraper-tmdb"].name,
      Payload: JSON.stringify(manualScrapeEvent({ id: `${runId}-event`, runId })),
    }),
  );
  expect(answer.FunctionError).toBeUndefined();
}

/**
 * Functions with on-failure records in the stream mappings' failure queues (the post-processor's
 * stream DLQ and index-sync's own), and how many records each range holds.
 */
async function failuresByFunction(): Promise<Map<string, number>> {
  const queues = ["streamDlq", "indexSyncDlq"].flatMap((key) => selectQueues(deployed.stack, key));
  const counts = new Map<string, number>();
  for (const queue of queues) {
    const { messages } = await peekQueue({ clients: deployed.clients, stack: deployed.stack }, queue, 100);
    for (const m of messages) {
      if (m.kind !== "stream-on-failure" || !m.functionName || !m.stream) continue;
      counts.set(m.functionName, (counts.get(m.functionName) ?? 0) + (m.stream.batchSize ?? 1));
    }
  }
  return counts;
}

describe("an OpenSearch outage, its failures replayed", () => {
  it("ends with the index equal to the table by content, whatever order the replays run in", async () => {
    const postProcessor = deployed.stack.functions["post-processor"].name;
    const indexSync = deployed.stack.functions["index-sync"].name;
    const queue = deployed.stack.queues.streamDlq.name;
    const indexSyncQueue = deployed.stack.queues.indexSyncDlq.name;

    // A first run, everything up: three items scraped, enriched, indexed.
    await scrape("outage-1");
    const before = await waitFor(async () => {
      const r = await reconciled();
      return settled(r) ? r : undefined;
    }, "the first run indexed as the table");
    expect(before.differing).toEqual([]);

    // OpenSearch goes down and the post-processor breaks; the data changes and is scraped again.
    await faults("POST", { status: 503, rate: 1, scope: "request", operation: "bulk" });
    const lambda = await deployed.clients.lambda();
    const configured =
      (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: postProcessor }))).Environment
        ?.Variables ?? {};
    const broken = { ...configured };
    delete broken[HANDLER_ENV.tableName];
    await setEnvironment(postProcessor, broken);
    deployed.fixtures.setEpoch(1);
    await scrape("outage-2");
    await waitFor(async () => {
      const failed = await failuresByFunction();
      return failed.has(postProcessor) && failed.has(indexSync) ? failed : undefined;
    }, "index-sync's and the post-processor's failures in their failure queues");

    // The table moved on, the index did not: reconciliation names the documents that differ.
    const during = await reconciled();
    expect(during.notIndexed).toEqual([]);
    expect(during.differing).toHaveLength(3);
    for (const d of during.differing) {
      expect(d.fields.map((f) => f.field)).toEqual(
        expect.arrayContaining(["weight", "sentiment", "contentHash", "version"]),
      );
    }

    // OpenSearch is back and the post-processor fixed. Its failures are replayed first: the new
    // content is enriched and index-sync indexes it (nothing in the index lacks a weight).
    await faults("DELETE");
    await setEnvironment(postProcessor, { ...configured });
    const enriched = await cli("dlq", "replay", queue, "--filter", `function=${postProcessor}`, "--json");
    expect(enriched.code, enriched.stderr).toBe(0);
    const current = await waitFor(async () => {
      const r = await reconciled();
      return settled(r) ? r : undefined;
    }, "the enriched documents indexed");
    expect(current.differing).toEqual([]);

    // Then index-sync's own failures: the scraper's records of the outage, older than the
    // documents now in the index. They are stale writes: refused by OpenSearch, not failures.
    const replayed = await cli("dlq", "replay", indexSyncQueue, "--all", "--json");
    expect(replayed.code, replayed.stderr).toBe(0);
    const [report] = JSON.parse(replayed.stdout) as { sent: number; failed: number }[];
    expect(report).toMatchObject({ failed: 0 });
    expect(report!.sent).toBeGreaterThan(0);

    const after = await reconciled();
    expect(after).toMatchObject({ written: 3, postProcessed: 3, indexed: 3, sameContent: 3 });
    expect(after.differing).toEqual([]);
    expect(after.stray).toEqual([]);
    expect((await failuresByFunction()).has(indexSync)).toBe(false);
  }, 240_000);
});
