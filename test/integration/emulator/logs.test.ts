import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  ListTagsForResourceCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  TagResourceCommand,
  UntagResourceCommand,
  paginateFilterLogEvents,
  type FilteredLogEvent,
} from "@aws-sdk/client-cloudwatch-logs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, ManualClock, type Emulator } from "../../../src/runtime/emulator/index.js";
import { awsCli, awsCliAvailable, awsCliJson } from "../../helpers/aws-cli.js";
import { startEmulatorProcess } from "../../helpers/emulator-process.js";
import { testAuthorization } from "../../helpers/raw-aws.js";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const DAY = 24 * 60 * 60 * 1000;

function client(url: string): CloudWatchLogsClient {
  return new CloudWatchLogsClient({ endpoint: url, region: "us-east-1", credentials });
}

describe("emulator: CloudWatch Logs", () => {
  let emulator: Emulator;
  let clock: ManualClock;
  let logs: CloudWatchLogsClient;

  beforeAll(async () => {
    clock = new ManualClock();
    emulator = await createEmulator({ services: ["logs"], clock });
    logs = client(emulator.url);
  });
  afterAll(async () => {
    logs.destroy();
    await emulator.stop();
  });

  async function groupWithStream(group: string, stream = "s1"): Promise<void> {
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
  }

  async function put(group: string, stream: string, messages: string[], at = clock.now()) {
    return logs.send(
      new PutLogEventsCommand({
        logGroupName: group,
        logStreamName: stream,
        logEvents: messages.map((message, i) => ({ timestamp: at + i, message })),
      }),
    );
  }

  describe("log groups", () => {
    it("CreateLogGroup: a second create fails with ResourceAlreadyExistsException", async () => {
      await logs.send(new CreateLogGroupCommand({ logGroupName: "/aws/lambda/dup" }));
      await expect(
        logs.send(new CreateLogGroupCommand({ logGroupName: "/aws/lambda/dup" })),
      ).rejects.toMatchObject({
        name: "ResourceAlreadyExistsException",
        $metadata: { httpStatusCode: 400 },
      });
    });

    it("CreateLogGroup: refuses names outside AWS's pattern with InvalidParameterException", async () => {
      await expect(logs.send(new CreateLogGroupCommand({ logGroupName: "bad name!" }))).rejects.toMatchObject(
        {
          name: "InvalidParameterException",
        },
      );
    });

    it("DescribeLogGroups: prefix, arn with :*, logGroupArn without, creationTime, storedBytes", async () => {
      await groupWithStream("/aws/lambda/scraper-tmdb");
      await put("/aws/lambda/scraper-tmdb", "s1", ["hello", "wörld"]);
      const { logGroups } = await logs.send(
        new DescribeLogGroupsCommand({ logGroupNamePrefix: "/aws/lambda/scraper-" }),
      );
      expect(logGroups).toEqual([
        {
          logGroupName: "/aws/lambda/scraper-tmdb",
          creationTime: clock.now(),
          metricFilterCount: 0,
          arn: "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/scraper-tmdb:*",
          logGroupArn: "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/scraper-tmdb",
          storedBytes: 5 + 6,
          logGroupClass: "STANDARD",
        },
      ]);
    });

    it("DescribeLogGroups: pattern is a case-sensitive substring; prefix and pattern together are refused", async () => {
      await logs.send(new CreateLogGroupCommand({ logGroupName: "/svc/Alpha-Pattern" }));
      const { logGroups } = await logs.send(
        new DescribeLogGroupsCommand({ logGroupNamePattern: "Alpha-Pat" }),
      );
      expect(logGroups?.map((g) => g.logGroupName)).toEqual(["/svc/Alpha-Pattern"]);
      const none = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePattern: "alpha-pat" }));
      expect(none.logGroups).toEqual([]);
      await expect(
        logs.send(new DescribeLogGroupsCommand({ logGroupNamePattern: "a", logGroupNamePrefix: "/" })),
      ).rejects.toMatchObject({ name: "InvalidParameterException" });
    });

    it("DescribeLogGroups: pages with limit and nextToken in name order", async () => {
      for (const n of ["c", "a", "e", "b", "d"])
        await logs.send(new CreateLogGroupCommand({ logGroupName: `/page/${n}` }));
      const seen: string[] = [];
      let nextToken: string | undefined;
      let pages = 0;
      do {
        const page = await logs.send(
          new DescribeLogGroupsCommand({ logGroupNamePrefix: "/page/", limit: 2, nextToken }),
        );
        seen.push(...(page.logGroups ?? []).map((g) => g.logGroupName!));
        nextToken = page.nextToken;
        pages++;
      } while (nextToken);
      expect(seen).toEqual(["/page/a", "/page/b", "/page/c", "/page/d", "/page/e"]);
      expect(pages).toBe(3);
      await expect(logs.send(new DescribeLogGroupsCommand({ nextToken: "garbage" }))).rejects.toMatchObject({
        name: "InvalidParameterException",
      });
    });

    it("PutRetentionPolicy: accepts AWS's values only, shows retentionInDays, DeleteRetentionPolicy clears it", async () => {
      await logs.send(new CreateLogGroupCommand({ logGroupName: "/ret/values" }));
      await expect(
        logs.send(new PutRetentionPolicyCommand({ logGroupName: "/ret/values", retentionInDays: 2 })),
      ).rejects.toMatchObject({
        name: "InvalidParameterException",
        message: expect.stringMatching(/retentionInDays/),
      });
      await logs.send(new PutRetentionPolicyCommand({ logGroupName: "/ret/values", retentionInDays: 7 }));
      let group = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/ret/values" })))
        .logGroups?.[0];
      expect(group?.retentionInDays).toBe(7);
      await logs.send(new DeleteRetentionPolicyCommand({ logGroupName: "/ret/values" }));
      group = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/ret/values" })))
        .logGroups?.[0];
      expect(group?.retentionInDays).toBeUndefined();
    });

    it("DeleteLogGroup: missing group gives ResourceNotFoundException with AWS's message", async () => {
      await expect(logs.send(new DeleteLogGroupCommand({ logGroupName: "/nope" }))).rejects.toMatchObject({
        name: "ResourceNotFoundException",
        message: "The specified log group does not exist.",
      });
    });

    it("tags: TagResource / ListTagsForResource / UntagResource by group ARN", async () => {
      await logs.send(new CreateLogGroupCommand({ logGroupName: "/tags/g", tags: { team: "data" } }));
      const resourceArn = "arn:aws:logs:us-east-1:000000000000:log-group:/tags/g";
      await logs.send(new TagResourceCommand({ resourceArn, tags: { env: "dev" } }));
      expect((await logs.send(new ListTagsForResourceCommand({ resourceArn }))).tags).toEqual({
        team: "data",
        env: "dev",
      });
      await logs.send(new UntagResourceCommand({ resourceArn, tagKeys: ["team"] }));
      expect((await logs.send(new ListTagsForResourceCommand({ resourceArn }))).tags).toEqual({ env: "dev" });
    });
  });

  describe("log streams and PutLogEvents", () => {
    it("CreateLogStream: missing group, duplicate stream and ':' in the name are refused", async () => {
      await expect(
        logs.send(new CreateLogStreamCommand({ logGroupName: "/missing", logStreamName: "s" })),
      ).rejects.toMatchObject({
        name: "ResourceNotFoundException",
        message: "The specified log group does not exist.",
      });
      await groupWithStream("/streams/dup");
      await expect(
        logs.send(new CreateLogStreamCommand({ logGroupName: "/streams/dup", logStreamName: "s1" })),
      ).rejects.toMatchObject({ name: "ResourceAlreadyExistsException" });
      await expect(
        logs.send(new CreateLogStreamCommand({ logGroupName: "/streams/dup", logStreamName: "a:b" })),
      ).rejects.toMatchObject({ name: "InvalidParameterException" });
    });

    it("PutLogEvents: missing stream is ResourceNotFoundException", async () => {
      await logs.send(new CreateLogGroupCommand({ logGroupName: "/put/nostream" }));
      await expect(put("/put/nostream", "ghost", ["x"])).rejects.toMatchObject({
        name: "ResourceNotFoundException",
        message: "The specified log stream does not exist.",
      });
    });

    it("PutLogEvents: events out of chronological order are refused", async () => {
      await groupWithStream("/put/order");
      const now = clock.now();
      await expect(
        logs.send(
          new PutLogEventsCommand({
            logGroupName: "/put/order",
            logStreamName: "s1",
            logEvents: [
              { timestamp: now, message: "b" },
              { timestamp: now - 1, message: "a" },
            ],
          }),
        ),
      ).rejects.toMatchObject({
        name: "InvalidParameterException",
        message: expect.stringMatching(/chronological/),
      });
    });

    it("PutLogEvents: too old, expired and too new events are reported and dropped, the rest stored", async () => {
      await groupWithStream("/put/rejects");
      const now = clock.now();
      const send = (group: string, logEvents: { timestamp: number; message: string }[]) =>
        logs.send(
          new PutLogEventsCommand({
            logGroupName: group,
            logStreamName: "s1",
            // a sequence token from an old client is accepted and ignored
            sequenceToken: "49590338271490256608559692538361571095921575989136588898",
            logEvents,
          }),
        );
      const old = await send("/put/rejects", [
        { timestamp: now - 14 * DAY - 60_000, message: "too old" },
        { timestamp: now - 14 * DAY + 60_000, message: "old but kept" },
      ]);
      expect(old.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 1 });
      expect(old.nextSequenceToken).toMatch(/^\d{56}$/);
      const future = await send("/put/rejects", [
        { timestamp: now, message: "now" },
        { timestamp: now + 3 * 60 * 60 * 1000, message: "too new" },
      ]);
      expect(future.rejectedLogEventsInfo).toEqual({ tooNewLogEventStartIndex: 1 });

      await groupWithStream("/put/expired");
      await logs.send(new PutRetentionPolicyCommand({ logGroupName: "/put/expired", retentionInDays: 1 }));
      const expired = await send("/put/expired", [
        { timestamp: now - DAY - 60_000, message: "expired" },
        { timestamp: now - DAY + 60_000, message: "within retention" },
      ]);
      expect(expired.rejectedLogEventsInfo).toEqual({ expiredLogEventEndIndex: 1 });

      const read = async (group: string) =>
        (
          await logs.send(
            new GetLogEventsCommand({ logGroupName: group, logStreamName: "s1", startFromHead: true }),
          )
        ).events?.map((e) => e.message);
      expect(await read("/put/rejects")).toEqual(["old but kept", "now"]);
      expect(await read("/put/expired")).toEqual(["within retention"]);

      await expect(
        send("/put/rejects", [
          { timestamp: now - 2 * DAY, message: "a" },
          { timestamp: now, message: "b" },
        ]),
      ).rejects.toMatchObject({
        name: "InvalidParameterException",
        message: expect.stringMatching(/24 hours/),
      });
    });

    it("DescribeLogStreams: timestamps, orderBy LastEventTime descending, prefix rules, pagination", async () => {
      await logs.send(new CreateLogGroupCommand({ logGroupName: "/streams/order" }));
      for (const s of ["b", "a", "c"]) {
        await logs.send(new CreateLogStreamCommand({ logGroupName: "/streams/order", logStreamName: s }));
      }
      const t0 = clock.now();
      await put("/streams/order", "c", ["one"], t0 - 3000);
      await put("/streams/order", "a", ["one", "two"], t0 - 1000);
      await put("/streams/order", "b", ["one"], t0 - 2000);

      const byTime = await logs.send(
        new DescribeLogStreamsCommand({
          logGroupName: "/streams/order",
          orderBy: "LastEventTime",
          descending: true,
        }),
      );
      expect(byTime.logStreams?.map((s) => s.logStreamName)).toEqual(["a", "b", "c"]);
      expect(byTime.logStreams?.[0]).toMatchObject({
        logStreamName: "a",
        firstEventTimestamp: t0 - 1000,
        lastEventTimestamp: t0 - 999,
        lastIngestionTime: t0,
        arn: "arn:aws:logs:us-east-1:000000000000:log-group:/streams/order:log-stream:a",
      });

      const first = await logs.send(
        new DescribeLogStreamsCommand({ logGroupIdentifier: "/streams/order", limit: 2 }),
      );
      expect(first.logStreams?.map((s) => s.logStreamName)).toEqual(["a", "b"]);
      const second = await logs.send(
        new DescribeLogStreamsCommand({
          logGroupName: "/streams/order",
          limit: 2,
          nextToken: first.nextToken,
        }),
      );
      expect(second.logStreams?.map((s) => s.logStreamName)).toEqual(["c"]);
      expect(second.nextToken).toBeUndefined();

      await expect(
        logs.send(
          new DescribeLogStreamsCommand({
            logGroupName: "/streams/order",
            orderBy: "LastEventTime",
            logStreamNamePrefix: "a",
          }),
        ),
      ).rejects.toMatchObject({ name: "InvalidParameterException" });
    });
  });

  describe("GetLogEvents", () => {
    it("reads from the head or the tail; the forward token returns only newer events when polled", async () => {
      await groupWithStream("/get/poll");
      const t0 = clock.now();
      await put("/get/poll", "s1", ["e1", "e2", "e3"], t0);

      const tail = await logs.send(
        new GetLogEventsCommand({ logGroupName: "/get/poll", logStreamName: "s1", limit: 2 }),
      );
      expect(tail.events?.map((e) => e.message)).toEqual(["e2", "e3"]);
      expect(tail.nextForwardToken).toMatch(/^f\/\d{56}$/);
      expect(tail.nextBackwardToken).toMatch(/^b\/\d{56}$/);

      const older = await logs.send(
        new GetLogEventsCommand({
          logGroupName: "/get/poll",
          logStreamName: "s1",
          nextToken: tail.nextBackwardToken,
        }),
      );
      expect(older.events?.map((e) => e.message)).toEqual(["e1"]);

      const head = await logs.send(
        new GetLogEventsCommand({
          logGroupName: "/get/poll",
          logStreamName: "s1",
          startFromHead: true,
          limit: 2,
        }),
      );
      expect(head.events?.map((e) => e.message)).toEqual(["e1", "e2"]);
      expect(head.events?.[0]).toEqual({ timestamp: t0, message: "e1", ingestionTime: t0 });

      const rest = await logs.send(
        new GetLogEventsCommand({
          logGroupName: "/get/poll",
          logStreamName: "s1",
          startFromHead: true,
          nextToken: head.nextForwardToken,
        }),
      );
      expect(rest.events?.map((e) => e.message)).toEqual(["e3"]);

      // end of stream: same token back, no events
      const end = await logs.send(
        new GetLogEventsCommand({
          logGroupName: "/get/poll",
          logStreamName: "s1",
          startFromHead: true,
          nextToken: rest.nextForwardToken,
        }),
      );
      expect(end.events).toEqual([]);
      expect(end.nextForwardToken).toBe(rest.nextForwardToken);

      await clock.advance(10);
      await put("/get/poll", "s1", ["e4"]);
      const polled = await logs.send(
        new GetLogEventsCommand({
          logGroupName: "/get/poll",
          logStreamName: "s1",
          startFromHead: true,
          nextToken: end.nextForwardToken,
        }),
      );
      expect(polled.events?.map((e) => e.message)).toEqual(["e4"]);
    });

    it("polling an empty stream from its tail sees the first events", async () => {
      await groupWithStream("/get/empty");
      const first = await logs.send(
        new GetLogEventsCommand({ logGroupName: "/get/empty", logStreamName: "s1" }),
      );
      expect(first.events).toEqual([]);
      await put("/get/empty", "s1", ["hello"]);
      const next = await logs.send(
        new GetLogEventsCommand({
          logGroupName: "/get/empty",
          logStreamName: "s1",
          nextToken: first.nextForwardToken,
        }),
      );
      expect(next.events?.map((e) => e.message)).toEqual(["hello"]);
    });

    it("startTime is inclusive and endTime exclusive", async () => {
      await groupWithStream("/get/range");
      const t0 = clock.now();
      await put("/get/range", "s1", ["a", "b", "c", "d"], t0);
      const { events } = await logs.send(
        new GetLogEventsCommand({
          logGroupName: "/get/range",
          logStreamName: "s1",
          startTime: t0 + 1,
          endTime: t0 + 3,
          startFromHead: true,
        }),
      );
      expect(events?.map((e) => e.message)).toEqual(["b", "c"]);
    });

    it("a forged token is refused", async () => {
      await groupWithStream("/get/token");
      await expect(
        logs.send(
          new GetLogEventsCommand({ logGroupName: "/get/token", logStreamName: "s1", nextToken: "f/123" }),
        ),
      ).rejects.toMatchObject({ name: "InvalidParameterException" });
    });
  });

  describe("FilterLogEvents", () => {
    const group = "/aws/lambda/filter";
    let t0: number;

    beforeAll(async () => {
      await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
      for (const s of ["2026/01/04/[$LATEST]aaa", "2026/01/04/[$LATEST]bbb", "other"]) {
        await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: s }));
      }
      t0 = clock.now();
      await put(
        group,
        "2026/01/04/[$LATEST]aaa",
        [
          "START RequestId: r1 Version: $LATEST",
          JSON.stringify({ level: "ERROR", count: 7, x: "y", message: "boom" }),
          "END RequestId: r1",
        ],
        t0,
      );
      await put(
        group,
        "2026/01/04/[$LATEST]bbb",
        [JSON.stringify({ level: "INFO", count: 2, x: "y" }), "WARN retrying after timeout"],
        t0,
      );
      await put(group, "other", ["ERROR Retry 2 of 3"], t0 + 10);
    });

    it("returns events interleaved by time with eventId, ingestionTime, logStreamName and searchedLogStreams", async () => {
      const result = await logs.send(new FilterLogEventsCommand({ logGroupName: group }));
      expect(result.events?.map((e) => e.message?.slice(0, 5))).toEqual([
        "START",
        '{"lev',
        '{"lev',
        "WARN ",
        "END R",
        "ERROR",
      ]);
      for (const e of result.events ?? []) {
        expect(e.eventId).toMatch(/^\d{56}$/);
        expect(e.ingestionTime).toBe(t0);
        expect(e.logStreamName).toBeDefined();
      }
      expect(new Set(result.events?.map((e) => e.eventId)).size).toBe(6);
      expect(result.searchedLogStreams?.map((s) => s.logStreamName)).toEqual([
        "2026/01/04/[$LATEST]aaa",
        "2026/01/04/[$LATEST]bbb",
        "other",
      ]);
      expect(result.nextToken).toBeUndefined();
    });

    it("applies term, optional, exclusion and JSON filter patterns", async () => {
      const messages = async (filterPattern: string) =>
        (
          (await logs.send(new FilterLogEventsCommand({ logGroupName: group, filterPattern }))).events ?? []
        ).map((e) => e.message);
      expect(await messages('{ $.level = "ERROR" }')).toHaveLength(1);
      expect(await messages('{ $.count > 5 && $.x = "y" }')).toEqual([expect.stringContaining('"count":7')]);
      expect(await messages("{ $.count > 1 }")).toHaveLength(2);
      expect(await messages("?WARN ?START")).toHaveLength(2);
      // the JSON line holds the whole term ERROR (between quotes); the plain line is excluded by Retry
      expect(await messages("ERROR -Retry")).toEqual([expect.stringContaining('"level":"ERROR"')]);
      expect(await messages('"RequestId: r1"')).toHaveLength(2);
      expect(await messages("[first = END, ...]")).toEqual(["END RequestId: r1"]);
    });

    it("filters by stream names, stream prefix and time; names and prefix together are refused", async () => {
      const byName = await logs.send(
        new FilterLogEventsCommand({ logGroupName: group, logStreamNames: ["other"] }),
      );
      expect(byName.events?.map((e) => e.logStreamName)).toEqual(["other"]);
      const byPrefix = await logs.send(
        new FilterLogEventsCommand({ logGroupName: group, logStreamNamePrefix: "2026/" }),
      );
      expect(byPrefix.events).toHaveLength(5);
      const byTime = await logs.send(
        new FilterLogEventsCommand({ logGroupName: group, startTime: t0 + 2, endTime: t0 + 10 }),
      );
      expect(byTime.events?.map((e) => e.message)).toEqual(["END RequestId: r1", "ERROR Retry 2 of 3"]);
      await expect(
        logs.send(
          new FilterLogEventsCommand({
            logGroupName: group,
            logStreamNames: ["other"],
            logStreamNamePrefix: "o",
          }),
        ),
      ).rejects.toMatchObject({ name: "InvalidParameterException" });
    });

    it("accepts the group ARN as logGroupIdentifier, but not together with logGroupName", async () => {
      const arn = `arn:aws:logs:us-east-1:000000000000:log-group:${group}`;
      const result = await logs.send(
        new FilterLogEventsCommand({ logGroupIdentifier: arn, filterPattern: "WARN" }),
      );
      expect(result.events).toHaveLength(1);
      await expect(
        logs.send(new FilterLogEventsCommand({ logGroupIdentifier: arn, logGroupName: group })),
      ).rejects.toMatchObject({ name: "InvalidParameterException" });
    });

    it("pages with limit and nextToken, and the SDK paginator sees every event once", async () => {
      const first = await logs.send(new FilterLogEventsCommand({ logGroupName: group, limit: 4 }));
      expect(first.events).toHaveLength(4);
      expect(first.nextToken).toBeDefined();
      const second = await logs.send(
        new FilterLogEventsCommand({ logGroupName: group, limit: 4, nextToken: first.nextToken }),
      );
      expect(second.events).toHaveLength(2);
      expect(second.nextToken).toBeUndefined();

      const all: FilteredLogEvent[] = [];
      for await (const page of paginateFilterLogEvents(
        { client: logs, pageSize: 1 },
        { logGroupName: group },
      )) {
        all.push(...(page.events ?? []));
      }
      expect(all.map((e) => e.eventId)).toEqual(
        [...(first.events ?? []), ...(second.events ?? [])].map((e) => e.eventId),
      );
    });

    it("refuses an invalid filter pattern and a missing group", async () => {
      await expect(
        logs.send(new FilterLogEventsCommand({ logGroupName: group, filterPattern: "{ $.level = }" })),
      ).rejects.toMatchObject({ name: "InvalidParameterException" });
      await expect(logs.send(new FilterLogEventsCommand({ logGroupName: "/nope" }))).rejects.toMatchObject({
        name: "ResourceNotFoundException",
        message: "The specified log group does not exist.",
      });
    });
  });

  it("retention: events older than the retention disappear as the clock advances", async () => {
    await groupWithStream("/ret/expiry");
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: "/ret/expiry", retentionInDays: 1 }));
    await put("/ret/expiry", "s1", ["old"]);
    await clock.advance(12 * 60 * 60 * 1000);
    await put("/ret/expiry", "s1", ["new"]);
    const count = async () =>
      (await logs.send(new FilterLogEventsCommand({ logGroupName: "/ret/expiry" }))).events?.map(
        (e) => e.message,
      );
    expect(await count()).toEqual(["old", "new"]);
    await clock.advance(13 * 60 * 60 * 1000);
    expect(await count()).toEqual(["new"]);
    const group = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/ret/expiry" })))
      .logGroups?.[0];
    expect(group?.storedBytes).toBe(3);
  });

  it("protocol: an unknown operation and a malformed body get AWS error shapes, not a crash", async () => {
    const unknown = await fetch(emulator.url, {
      method: "POST",
      headers: {
        authorization: testAuthorization(),
        "x-amz-target": "Logs_20140328.NoSuchOperation",
        "content-type": "application/x-amz-json-1.1",
      },
      body: "{}",
    });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { __type: string }).__type).toMatch(/UnknownOperationException$/);
    const malformed = await fetch(emulator.url, {
      method: "POST",
      headers: {
        authorization: testAuthorization(),
        "x-amz-target": "Logs_20140328.CreateLogGroup",
        "content-type": "application/x-amz-json-1.1",
      },
      body: "{not json",
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { __type: string }).__type).toMatch(/SerializationException$/);
  });
});

describe("emulator: CloudWatch Logs persistence", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("groups, streams, retention, tags and events survive a clean restart", async () => {
    const persistDir = mkdtempSync(join(tmpdir(), "logs-persist-"));
    dirs.push(persistDir);
    const first = await createEmulator({ services: ["logs"], persistDir });
    const a = client(first.url);
    await a.send(new CreateLogGroupCommand({ logGroupName: "/p/g", tags: { k: "v" } }));
    await a.send(new PutRetentionPolicyCommand({ logGroupName: "/p/g", retentionInDays: 30 }));
    await a.send(new CreateLogStreamCommand({ logGroupName: "/p/g", logStreamName: "s" }));
    await a.send(
      new PutLogEventsCommand({
        logGroupName: "/p/g",
        logStreamName: "s",
        logEvents: [{ timestamp: Date.now(), message: "kept" }],
      }),
    );
    const before = await a.send(new FilterLogEventsCommand({ logGroupName: "/p/g" }));
    a.destroy();
    await first.stop();

    const second = await createEmulator({ services: ["logs"], persistDir });
    const b = client(second.url);
    const group = (await b.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/p/" }))).logGroups?.[0];
    expect(group).toMatchObject({ logGroupName: "/p/g", retentionInDays: 30 });
    const after = await b.send(new FilterLogEventsCommand({ logGroupName: "/p/g" }));
    expect(after.events).toEqual(before.events);
    await b.send(
      new PutLogEventsCommand({
        logGroupName: "/p/g",
        logStreamName: "s",
        logEvents: [{ timestamp: Date.now(), message: "later" }],
      }),
    );
    const ids = (await b.send(new FilterLogEventsCommand({ logGroupName: "/p/g" }))).events?.map(
      (e) => e.eventId,
    );
    expect(new Set(ids).size).toBe(2);
    b.destroy();
    await second.stop();
  });

  it("acknowledged writes survive kill -9", async () => {
    const persistDir = mkdtempSync(join(tmpdir(), "logs-kill9-"));
    dirs.push(persistDir);
    const proc = await startEmulatorProcess({ persistDir, services: ["logs"] });
    const a = client(proc.url);
    await a.send(new CreateLogGroupCommand({ logGroupName: "/k/g" }));
    await a.send(new CreateLogStreamCommand({ logGroupName: "/k/g", logStreamName: "s" }));
    const now = Date.now();
    for (let i = 0; i < 5; i++) {
      await a.send(
        new PutLogEventsCommand({
          logGroupName: "/k/g",
          logStreamName: "s",
          logEvents: [{ timestamp: now + i, message: `event ${i}` }],
        }),
      );
    }
    a.destroy();
    await proc.kill9();

    const revived = await createEmulator({ services: ["logs"], persistDir });
    const b = client(revived.url);
    const { events } = await b.send(new FilterLogEventsCommand({ logGroupName: "/k/g" }));
    expect(events?.map((e) => e.message)).toEqual(["event 0", "event 1", "event 2", "event 3", "event 4"]);
    b.destroy();
    await revived.stop();
  });
});

describe.skipIf(!awsCliAvailable)("emulator: CloudWatch Logs through the AWS CLI", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await createEmulator({ services: ["logs"] });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it("filter-log-events with a JSON pattern returns eventId, ingestionTime and the stream", async () => {
    const group = "/aws/lambda/cli-test";
    await awsCliJson(emulator.url, ["logs", "create-log-group", "--log-group-name", group]);
    await awsCliJson(emulator.url, [
      "logs",
      "create-log-stream",
      "--log-group-name",
      group,
      "--log-stream-name",
      "s",
    ]);
    const now = Date.now();
    const events = [
      { timestamp: now, message: JSON.stringify({ level: "INFO", msg: "ok" }) },
      { timestamp: now + 1, message: JSON.stringify({ level: "ERROR", msg: "boom" }) },
      { timestamp: now + 2, message: "ERROR plain text" },
    ];
    await awsCliJson(emulator.url, [
      "logs",
      "put-log-events",
      "--log-group-name",
      group,
      "--log-stream-name",
      "s",
      "--log-events",
      JSON.stringify(events),
    ]);
    const json = await awsCliJson<{ events: FilteredLogEvent[] }>(emulator.url, [
      "logs",
      "filter-log-events",
      "--log-group-name",
      group,
      "--filter-pattern",
      '{ $.level = "ERROR" }',
    ]);
    expect(json.events).toEqual([
      {
        logStreamName: "s",
        timestamp: now + 1,
        message: events[1]!.message,
        ingestionTime: expect.any(Number),
        eventId: expect.stringMatching(/^\d{56}$/),
      },
    ]);
    const terms = await awsCliJson<{ events: FilteredLogEvent[] }>(emulator.url, [
      "logs",
      "filter-log-events",
      "--log-group-name",
      group,
      "--filter-pattern",
      "ERROR",
      "--page-size",
      "1",
    ]);
    // The CLI follows nextToken itself; both ERROR events arrive, in time order.
    expect(terms.events.map((e) => e.timestamp)).toEqual([now + 1, now + 2]);
  });

  it("a missing group is ResourceNotFoundException on the CLI too", async () => {
    const result = await awsCli(emulator.url, ["logs", "filter-log-events", "--log-group-name", "/nope"]);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/ResourceNotFoundException.*The specified log group does not exist/);
  });
});
