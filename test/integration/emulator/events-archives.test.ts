import {
  CancelReplayCommand,
  CreateArchiveCommand,
  CreateEventBusCommand,
  DeleteArchiveCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeArchiveCommand,
  DescribeReplayCommand,
  EventBridgeClient,
  ListArchivesCommand,
  ListReplaysCommand,
  ListRulesCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  StartReplayCommand,
  UpdateArchiveCommand,
  type DescribeReplayCommandOutput,
} from "@aws-sdk/client-eventbridge";
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, ManualClock, type Emulator } from "../../../src/runtime/emulator/index.js";
import { awsCli, awsCliAvailable, awsCliJson } from "../../helpers/aws-cli.js";

/**
 * Archives and replays as the EventBridge user guide and API reference describe them: an archive
 * records the bus's events that match its pattern (through a rule EventBridge manages on the bus),
 * a replay re-delivers the archived events of a time range to the bus's rules, each carrying the
 * `replay-name` field, and replayed events are not archived again.
 */
const ACCOUNT = "000000000000";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const busArn = (name: string) => `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/${name}`;
const archiveArn = (name: string) => `arn:aws:events:us-east-1:${ACCOUNT}:archive/${name}`;

async function failure(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string };
    return { name: e.name, message: e.message };
  }
  throw new Error("expected the call to fail");
}

interface Received {
  "replay-name"?: string;
  "detail-type": string;
  id: string;
  detail: { n: number };
}

describe("events: archives and replays", () => {
  let emulator: Emulator;
  let events: EventBridgeClient;
  let sqs: SQSClient;
  let target: { url: string; arn: string };

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["events", "sqs"] });
    const config = { endpoint: emulator.url, region: "us-east-1", credentials, maxAttempts: 1 };
    events = new EventBridgeClient(config);
    sqs = new SQSClient(config);
    await events.send(new CreateEventBusCommand({ Name: "shop" }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "shop-events" }));
    const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
    target = { url: QueueUrl!, arn: out.Attributes!["QueueArn"]! };
    await events.send(
      new PutRuleCommand({ Name: "all-shop", EventBusName: "shop", EventPattern: '{"source":["shop"]}' }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: "all-shop",
        EventBusName: "shop",
        Targets: [{ Id: "q", Arn: target.arn }],
      }),
    );
  });
  afterAll(async () => {
    events.destroy();
    sqs.destroy();
    await emulator.stop();
  });

  /** Receives (and deletes) until `count` messages arrived, long-polling; fails past a deadline. */
  async function receive(count: number): Promise<Received[]> {
    const got: Received[] = [];
    const deadline = Date.now() + 10_000;
    while (got.length < count && Date.now() < deadline) {
      const out = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: target.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      for (const m of out.Messages ?? []) {
        got.push(JSON.parse(m.Body!) as Received);
        await sqs.send(new DeleteMessageCommand({ QueueUrl: target.url, ReceiptHandle: m.ReceiptHandle }));
      }
    }
    return got;
  }

  async function replayDone(name: string): Promise<DescribeReplayCommandOutput> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const replay = await events.send(new DescribeReplayCommand({ ReplayName: name }));
      if (replay.State === "COMPLETED" || replay.State === "FAILED" || Date.now() > deadline) return replay;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it("CreateArchive: bad names, bad or missing buses, bad patterns and duplicates are refused", async () => {
    const name = await failure(
      events.send(new CreateArchiveCommand({ ArchiveName: "a".repeat(49), EventSourceArn: busArn("shop") })),
    );
    expect(name.name).toBe("ValidationException");
    const bus = await failure(
      events.send(new CreateArchiveCommand({ ArchiveName: "x", EventSourceArn: busArn("ghost") })),
    );
    expect(bus).toMatchObject({
      name: "ResourceNotFoundException",
      message: "Event bus ghost does not exist.",
    });
    const arn = await failure(
      events.send(new CreateArchiveCommand({ ArchiveName: "x", EventSourceArn: "shop" })),
    );
    expect(arn.name).toBe("ValidationException");
    const pattern = await failure(
      events.send(
        new CreateArchiveCommand({ ArchiveName: "x", EventSourceArn: busArn("shop"), EventPattern: "[]" }),
      ),
    );
    expect(pattern.name).toBe("InvalidEventPatternException");
    const retention = await failure(
      events.send(
        new CreateArchiveCommand({ ArchiveName: "x", EventSourceArn: busArn("shop"), RetentionDays: -1 }),
      ),
    );
    expect(retention.name).toBe("ValidationException");
    await events.send(new CreateArchiveCommand({ ArchiveName: "dupe", EventSourceArn: busArn("shop") }));
    const duplicate = await failure(
      events.send(new CreateArchiveCommand({ ArchiveName: "dupe", EventSourceArn: busArn("shop") })),
    );
    expect(duplicate).toMatchObject({
      name: "ResourceAlreadyExistsException",
      message: "Archive dupe already exists.",
    });
    await events.send(new DeleteArchiveCommand({ ArchiveName: "dupe" }));
  });

  it("missing archives and replays are ResourceNotFoundException with EventBridge's wording", async () => {
    expect(await failure(events.send(new DescribeArchiveCommand({ ArchiveName: "nope" })))).toMatchObject({
      name: "ResourceNotFoundException",
      message: "Archive nope does not exist.",
    });
    expect(await failure(events.send(new DeleteArchiveCommand({ ArchiveName: "nope" })))).toMatchObject({
      name: "ResourceNotFoundException",
    });
    expect(await failure(events.send(new DescribeReplayCommand({ ReplayName: "nope" })))).toMatchObject({
      name: "ResourceNotFoundException",
      message: "Replay nope does not exist.",
    });
    expect(await failure(events.send(new CancelReplayCommand({ ReplayName: "nope" })))).toMatchObject({
      name: "ResourceNotFoundException",
    });
  });

  it("an archive records matching events through a managed rule; its counts show in Describe and List", async () => {
    const created = await events.send(
      new CreateArchiveCommand({
        ArchiveName: "orders",
        EventSourceArn: busArn("shop"),
        EventPattern: '{"detail-type":["OrderPlaced"]}',
        Description: "orders only",
      }),
    );
    expect(created).toMatchObject({ ArchiveArn: archiveArn("orders"), State: "ENABLED" });
    expect(created.CreationTime).toBeInstanceOf(Date);
    const managed = (
      await events.send(new ListRulesCommand({ EventBusName: "shop", NamePrefix: "Events-Archive-" }))
    ).Rules;
    expect(managed).toHaveLength(1);
    expect(managed![0]).toMatchObject({ Name: "Events-Archive-orders", ManagedBy: expect.any(String) });
    const changeManaged = await failure(
      events.send(new DeleteRuleCommand({ Name: "Events-Archive-orders", EventBusName: "shop" })),
    );
    expect(changeManaged.name).toBe("ManagedRuleException");
    const busInUse = await failure(events.send(new DeleteEventBusCommand({ Name: "shop" })));
    expect(busInUse.message).toBe("EventBus can't be deleted since it has rules.");

    await events.send(
      new PutEventsCommand({
        Entries: [1, 2, 3].map((n) => ({
          Source: "shop",
          DetailType: n === 2 ? "CartViewed" : "OrderPlaced",
          Detail: JSON.stringify({ n }),
          EventBusName: "shop",
          Time: new Date(Date.UTC(2026, 0, 1, 10, n)),
        })),
      }),
    );
    expect(await receive(3)).toHaveLength(3);
    const described = await events.send(new DescribeArchiveCommand({ ArchiveName: "orders" }));
    expect(described).toMatchObject({
      ArchiveArn: archiveArn("orders"),
      ArchiveName: "orders",
      EventSourceArn: busArn("shop"),
      Description: "orders only",
      EventPattern: '{"detail-type":["OrderPlaced"]}',
      State: "ENABLED",
      RetentionDays: 0,
      EventCount: 2,
    });
    expect(described.SizeBytes).toBeGreaterThan(0);
    const listed = await events.send(new ListArchivesCommand({ EventSourceArn: busArn("shop") }));
    expect(listed.Archives?.map((a) => [a.ArchiveName, a.EventCount])).toEqual([["orders", 2]]);
    const twoFilters = await failure(
      events.send(new ListArchivesCommand({ NamePrefix: "o", EventSourceArn: busArn("shop") })),
    );
    expect(twoFilters.name).toBe("ValidationException");
  });

  it("StartReplay: validates times, the archive, the destination and duplicates", async () => {
    const window = {
      EventStartTime: new Date(Date.UTC(2026, 0, 1)),
      EventEndTime: new Date(Date.UTC(2026, 0, 2)),
    };
    const backwards = await failure(
      events.send(
        new StartReplayCommand({
          ReplayName: "r",
          EventSourceArn: archiveArn("orders"),
          EventStartTime: window.EventEndTime,
          EventEndTime: window.EventStartTime,
          Destination: { Arn: busArn("shop") },
        }),
      ),
    );
    expect(backwards).toMatchObject({
      name: "ValidationException",
      message: "Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.",
    });
    const noArchive = await failure(
      events.send(
        new StartReplayCommand({
          ReplayName: "r",
          EventSourceArn: archiveArn("ghost"),
          ...window,
          Destination: { Arn: busArn("shop") },
        }),
      ),
    );
    expect(noArchive).toMatchObject({
      name: "ValidationException",
      message: "Parameter EventSourceArn is not valid. Reason: Archive ghost does not exist.",
    });
    const crossBus = await failure(
      events.send(
        new StartReplayCommand({
          ReplayName: "r",
          EventSourceArn: archiveArn("orders"),
          ...window,
          Destination: { Arn: busArn("default") },
        }),
      ),
    );
    expect(crossBus).toMatchObject({
      name: "ValidationException",
      message: "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.",
    });
  });

  it("a replay re-delivers the archived events of its range with replay-name, and they are not archived again", async () => {
    const started = await events.send(
      new StartReplayCommand({
        ReplayName: "orders-redrive",
        EventSourceArn: archiveArn("orders"),
        EventStartTime: new Date(Date.UTC(2026, 0, 1, 10, 0)),
        EventEndTime: new Date(Date.UTC(2026, 0, 1, 10, 2)),
        Destination: { Arn: busArn("shop") },
      }),
    );
    expect(started).toMatchObject({
      ReplayArn: `arn:aws:events:us-east-1:${ACCOUNT}:replay/orders-redrive`,
      State: "STARTING",
    });
    const replayed = await receive(1);
    // Only event 1 is both archived (OrderPlaced) and in the range (10:00 to 10:02).
    expect(replayed.map((e) => [e.detail.n, e["replay-name"]])).toEqual([[1, "orders-redrive"]]);
    const done = await replayDone("orders-redrive");
    expect(done).toMatchObject({
      ReplayName: "orders-redrive",
      State: "COMPLETED",
      EventSourceArn: archiveArn("orders"),
      Destination: { Arn: busArn("shop") },
    });
    expect(done.EventLastReplayedTime?.toISOString()).toBe("2026-01-01T10:01:00.000Z");
    expect(done.ReplayEndTime).toBeInstanceOf(Date);
    expect((await events.send(new DescribeArchiveCommand({ ArchiveName: "orders" }))).EventCount).toBe(2);
    const listed = await events.send(new ListReplaysCommand({ NamePrefix: "orders-" }));
    expect(listed.Replays?.map((r) => [r.ReplayName, r.State])).toEqual([["orders-redrive", "COMPLETED"]]);
    const again = await failure(
      events.send(
        new StartReplayCommand({
          ReplayName: "orders-redrive",
          EventSourceArn: archiveArn("orders"),
          EventStartTime: new Date(Date.UTC(2026, 0, 1)),
          EventEndTime: new Date(Date.UTC(2026, 0, 2)),
          Destination: { Arn: busArn("shop") },
        }),
      ),
    );
    expect(again).toMatchObject({
      name: "ResourceAlreadyExistsException",
      message: "Replay orders-redrive already exists.",
    });
    const finished = await failure(events.send(new CancelReplayCommand({ ReplayName: "orders-redrive" })));
    expect(finished.name).toBe("IllegalStatusException");
  });

  it("UpdateArchive changes the pattern the managed rule archives; a missing archive is InternalException", async () => {
    const updated = await events.send(
      new UpdateArchiveCommand({
        ArchiveName: "orders",
        EventPattern: '{"detail-type":["CartViewed"]}',
        RetentionDays: 7,
      }),
    );
    expect(updated).toMatchObject({ ArchiveArn: archiveArn("orders"), State: "ENABLED" });
    await events.send(
      new PutEventsCommand({
        Entries: [
          { Source: "shop", DetailType: "CartViewed", Detail: '{"n":4}', EventBusName: "shop" },
          { Source: "shop", DetailType: "OrderPlaced", Detail: '{"n":5}', EventBusName: "shop" },
        ],
      }),
    );
    expect(await receive(2)).toHaveLength(2);
    expect(await events.send(new DescribeArchiveCommand({ ArchiveName: "orders" }))).toMatchObject({
      EventCount: 3,
      RetentionDays: 7,
      EventPattern: '{"detail-type":["CartViewed"]}',
    });
    const missing = await failure(
      events.send(new UpdateArchiveCommand({ ArchiveName: "ghost", Description: "x" })),
    );
    expect(missing.name).toBe("InternalException");
    await events.send(new DeleteArchiveCommand({ ArchiveName: "orders" }));
    expect(
      (await events.send(new ListRulesCommand({ EventBusName: "shop", NamePrefix: "Events-Archive-" })))
        .Rules,
    ).toEqual([]);
  });
});

describe("events: replay cancellation on a manual clock", () => {
  it("a STARTING replay cancels: CANCELLING at once, CANCELLED on the next tick, nothing delivered", async () => {
    const clock = new ManualClock();
    const emulator = await createEmulator({ services: ["events"], clock });
    const events = new EventBridgeClient({ endpoint: emulator.url, region: "us-east-1", credentials });
    try {
      await events.send(new CreateArchiveCommand({ ArchiveName: "all", EventSourceArn: busArn("default") }));
      await events.send(
        new PutEventsCommand({ Entries: [{ Source: "x.y", DetailType: "A", Detail: "{}" }] }),
      );
      const started = await events.send(
        new StartReplayCommand({
          ReplayName: "stop-me",
          EventSourceArn: archiveArn("all"),
          EventStartTime: new Date(clock.now() - 60_000),
          EventEndTime: new Date(clock.now() + 60_000),
          Destination: { Arn: busArn("default") },
        }),
      );
      expect(started.State).toBe("STARTING");
      const cancelled = await events.send(new CancelReplayCommand({ ReplayName: "stop-me" }));
      expect(cancelled).toMatchObject({ ReplayArn: started.ReplayArn, State: "CANCELLING" });
      await clock.advance(1_000);
      const replay = await events.send(new DescribeReplayCommand({ ReplayName: "stop-me" }));
      expect(replay.State).toBe("CANCELLED");
      expect(replay.EventLastReplayedTime).toBeUndefined();
    } finally {
      events.destroy();
      await emulator.stop();
    }
  });
});

describe("events: archives with --persist", () => {
  it("an archive, its events and a finished replay survive a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "events-archive-"));
    try {
      const first = await createEmulator({ services: ["events"], persistDir: dir });
      const client = new EventBridgeClient({ endpoint: first.url, region: "us-east-1", credentials });
      await client.send(new CreateArchiveCommand({ ArchiveName: "kept", EventSourceArn: busArn("default") }));
      await client.send(
        new PutEventsCommand({ Entries: [{ Source: "x.y", DetailType: "A", Detail: '{"k":1}' }] }),
      );
      client.destroy();
      await first.stop();

      const second = await createEmulator({ services: ["events"], persistDir: dir });
      const again = new EventBridgeClient({ endpoint: second.url, region: "us-east-1", credentials });
      expect((await again.send(new DescribeArchiveCommand({ ArchiveName: "kept" }))).EventCount).toBe(1);
      await again.send(new PutEventsCommand({ Entries: [{ Source: "x.y", DetailType: "B", Detail: "{}" }] }));
      expect((await again.send(new DescribeArchiveCommand({ ArchiveName: "kept" }))).EventCount).toBe(2);
      again.destroy();
      await second.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!awsCliAvailable)("events: archives through the AWS CLI", () => {
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["events"] });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it("create-archive, describe-archive, start-replay, describe-replay and the not-found error", async () => {
    const created = await awsCliJson<{ ArchiveArn: string; State: string }>(emulator.url, [
      "events",
      "create-archive",
      "--archive-name",
      "cli-archive",
      "--event-source-arn",
      busArn("default"),
    ]);
    expect(created).toMatchObject({ ArchiveArn: archiveArn("cli-archive"), State: "ENABLED" });
    await awsCliJson(emulator.url, [
      "events",
      "put-events",
      "--entries",
      JSON.stringify([{ Source: "cli.src", DetailType: "A", Detail: "{}" }]),
    ]);
    const described = await awsCliJson<{ EventCount: number }>(emulator.url, [
      "events",
      "describe-archive",
      "--archive-name",
      "cli-archive",
    ]);
    expect(described.EventCount).toBe(1);
    const now = Math.floor(Date.now() / 1000);
    const started = await awsCliJson<{ State: string }>(emulator.url, [
      "events",
      "start-replay",
      "--replay-name",
      "cli-replay",
      "--event-source-arn",
      archiveArn("cli-archive"),
      "--event-start-time",
      String(now - 3600),
      "--event-end-time",
      String(now + 60),
      "--destination",
      JSON.stringify({ Arn: busArn("default") }),
    ]);
    expect(started.State).toBe("STARTING");
    const replay = await awsCliJson<{ ReplayName: string }>(emulator.url, [
      "events",
      "describe-replay",
      "--replay-name",
      "cli-replay",
    ]);
    expect(replay.ReplayName).toBe("cli-replay");
    const missing = await awsCli(emulator.url, ["events", "describe-archive", "--archive-name", "ghost"]);
    expect(missing.stderr).toMatch(/ResourceNotFoundException.*Archive ghost does not exist\./);
  });
});
