import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../../src/commands/cli.js";
import { defineStack } from "../../../src/pipeline/stack/index.js";
import { createEmulator, type Emulator } from "../../../src/runtime/emulator/index.js";
import {
  filterWithClient,
  resolveLogSources,
  tailLogs,
  type TailEvent,
} from "../../../src/runtime/logs/index.js";
import { waitFor } from "../../helpers/schedule-stack.js";
import { testStackParams } from "../../helpers/stack-params.js";

const stack = defineStack(testStackParams());
const TMDB = stack.logGroups["scraper-tmdb"].name;
const POST = stack.logGroups["post-processor"].name;

describe("logs tail against the emulator's CloudWatch Logs", () => {
  let emulator: Emulator;
  let logs: CloudWatchLogsClient;
  /** A minute ago: every event of the test is after it. */
  let base: number;

  const put = async (group: string, stream: string, events: [offsetMs: number, message: string][]) => {
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: group,
        logStreamName: stream,
        logEvents: events.map(([offset, message]) => ({ timestamp: base + offset, message })),
      }),
    );
  };

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["sts", "logs"] });
    logs = new CloudWatchLogsClient({
      endpoint: emulator.url,
      region: emulator.region,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    base = Date.now() - 60_000;
    for (const group of [TMDB, POST]) {
      await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
      for (const stream of ["a", "b"])
        await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
    }
    await put(TMDB, "a", [
      [100, "tmdb start"],
      [300, "tmdb fetched"],
      [500, "ERROR tmdb failed one"],
    ]);
    await put(POST, "a", [
      [200, "post batch 1"],
      [400, "ERROR post record"],
      [600, "post done"],
    ]);
  });
  afterAll(async () => {
    logs?.destroy();
    await emulator?.stop();
  });

  const sources = () => resolveLogSources(stack, ["scraper-tmdb", "post-processor"]);

  it("interleaves two groups by timestamp in one batch", async () => {
    const batches: TailEvent[][] = [];
    for await (const batch of tailLogs({
      sources: sources(),
      since: base,
      follow: false,
      filter: filterWithClient(logs),
    }))
      batches.push(batch);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.map((event) => [event.function, event.message])).toStrictEqual([
      ["scraper-tmdb", "tmdb start"],
      ["post-processor", "post batch 1"],
      ["scraper-tmdb", "tmdb fetched"],
      ["post-processor", "ERROR post record"],
      ["scraper-tmdb", "ERROR tmdb failed one"],
      ["post-processor", "post done"],
    ]);
  });

  it("applies the filter pattern in every group", async () => {
    const messages: string[] = [];
    for await (const batch of tailLogs({
      sources: sources(),
      since: base,
      follow: false,
      filterPattern: "ERROR",
      filter: filterWithClient(logs),
    }))
      messages.push(...batch.map((event) => event.message));
    expect(messages).toStrictEqual(["ERROR post record", "ERROR tmdb failed one"]);
  });

  it("follow picks up new and late events once each, and stops when aborted", async () => {
    const controller = new AbortController();
    const seen: TailEvent[] = [];
    let polls = 0;
    const tail = (async () => {
      for await (const batch of tailLogs({
        sources: sources(),
        since: base,
        follow: true,
        pollIntervalMs: 20,
        filter: filterWithClient(logs),
        signal: controller.signal,
      })) {
        polls += 1;
        seen.push(...batch);
      }
    })();
    await waitFor(async () => (seen.length >= 6 ? true : undefined), "the first six events");
    // New events in both groups, and one in another stream of the first group stamped before the
    // newest event already shown (it arrived late): each must appear exactly once.
    await put(TMDB, "a", [[700, "tmdb second run"]]);
    await put(POST, "b", [[800, "post second batch"]]);
    await put(TMDB, "b", [[550, "tmdb late flush"]]);
    await waitFor(async () => (seen.length >= 9 ? true : undefined), "the three new events");
    // A few more polls over the same window must add nothing.
    const pollsBefore = polls;
    const settled = Date.now() + 200;
    await waitFor(async () => (Date.now() > settled ? true : undefined), "200 ms of polling");
    controller.abort();
    await tail;
    expect(polls).toBe(pollsBefore);
    const ids = seen.map((event) => event.eventId);
    expect(new Set(ids).size).toBe(ids.length);
    // Polls may take the three in one batch or several; each batch is in time order.
    expect(
      seen
        .slice(6)
        .map((event) => event.message)
        .sort(),
    ).toStrictEqual(["post second batch", "tmdb late flush", "tmdb second run"]);
  });

  it("names a log group that does not exist and how to create it", async () => {
    const missing = resolveLogSources(stack, ["index-sync"]);
    const run = async () => {
      for await (const batch of tailLogs({
        sources: missing,
        since: base,
        follow: false,
        filter: filterWithClient(logs),
      }))
        void batch;
    };
    await expect(run()).rejects.toThrow(
      /log group \/aws\/lambda\/index-sync does not exist.*pipeline deploy/,
    );
  });
  it("the command colours each function on a terminal, and not with NO_COLOR", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "logs-tail-cli-"));
    try {
      const run = async (env: Record<string, string>) => {
        let stdout = "";
        let stderr = "";
        const code = await runCli(
          ["logs", "tail", "scraper-tmdb", "post-processor", "--since", "1h", "--endpoint-url", emulator.url],
          {
            stdout: { write: (chunk: string) => (stdout += chunk), isTTY: true },
            stderr: { write: (chunk: string) => (stderr += chunk) },
            stdinIsTTY: false,
            env,
            cwd,
            signal: new AbortController().signal,
          },
        );
        return { code, stdout, stderr };
      };
      const coloured = await run({});
      expect(coloured.code, coloured.stderr).toBe(0);
      const lines = coloured.stdout.trim().split("\n");
      // The six events written first, and those the follow test added.
      expect(lines.length).toBeGreaterThanOrEqual(6);
      // The colour code just before the function's name.
      // eslint-disable-next-line no-control-regex
      const colourOf = (line: string) => /\u001b\[(\d+)m(?:scraper-tmdb|post-processor)/.exec(line)?.[1];
      const tmdb = lines.filter((line) => line.includes("tmdb ")).map(colourOf);
      const post = lines.filter((line) => line.includes("post ")).map(colourOf);
      expect(new Set(tmdb).size).toBe(1);
      expect(new Set(post).size).toBe(1);
      expect(tmdb[0]).toBeDefined();
      expect(tmdb[0]).not.toBe(post[0]);

      const plain = await run({ NO_COLOR: "1" });
      expect(plain.code, plain.stderr).toBe(0);
      expect(plain.stdout).not.toContain("\u001b[");
      // The short format: time of day, function, level (none on this plain line), message.
      expect(plain.stdout.trim().split("\n")[0]).toMatch(
        /^\d\d:\d\d:\d\d\.\d{3}Z {2}scraper-tmdb {4} {5} {2}tmdb start$/,
      );
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
