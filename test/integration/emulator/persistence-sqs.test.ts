import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ListQueueTagsCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
  type Message,
} from "@aws-sdk/client-sqs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createEmulator, ManualClock, type Emulator } from "../../../src/runtime/emulator/index.js";
import { startEmulatorProcess } from "../../helpers/emulator-process.js";

const ACCOUNT = "000000000000";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const client = (url: string) =>
  new SQSClient({ endpoint: url, region: "us-east-1", credentials, maxAttempts: 1 });

async function counts(sqs: SQSClient, url: string): Promise<[number, number, number]> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
      ],
    }),
  );
  const a = out.Attributes!;
  return [
    Number(a["ApproximateNumberOfMessages"]),
    Number(a["ApproximateNumberOfMessagesNotVisible"]),
    Number(a["ApproximateNumberOfMessagesDelayed"]),
  ];
}

async function receive(sqs: SQSClient, url: string): Promise<Message[]> {
  const out = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: url,
      MaxNumberOfMessages: 10,
      MessageSystemAttributeNames: ["All"],
    }),
  );
  return out.Messages ?? [];
}

describe("sqs persistence", () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "sqs-persist-"));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** Stops the emulator and starts a new one on the same folder at the same (manual) time. */
  async function restart(emulator: Emulator, persistDir: string, clock: ManualClock) {
    await emulator.stop();
    const nextClock = new ManualClock(clock.now());
    const next = await createEmulator({ services: ["sqs"], persistDir, clock: nextClock });
    return { emulator: next, clock: nextClock, sqs: client(next.url) };
  }

  it("stop/start: queues, messages and in-flight state survive; the in-flight message reappears after its timeout", async () => {
    // Prepare
    const persistDir = tempDir();
    const clock = new ManualClock();
    let emulator = await createEmulator({ services: ["sqs"], persistDir, clock });
    let sqs = client(emulator.url);
    const url = (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: "durable",
          Attributes: { VisibilityTimeout: "60" },
          tags: { env: "test" },
        }),
      )
    ).QueueUrl!;
    const { QueueUrl: fifoUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: "durable.fifo", Attributes: { FifoQueue: "true" } }),
    );
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "in flight" }));
    const [inflight] = await receive(sqs, url);
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "waiting" }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "deleted" }));
    const deletable = (await receive(sqs, url)).find((m) => m.Body === "deleted")!;
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: deletable.ReceiptHandle }));
    const fifoSent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: fifoUrl,
        MessageBody: "once",
        MessageGroupId: "g",
        MessageDeduplicationId: "d",
      }),
    );
    await clock.advance(10_000);

    // Act
    sqs.destroy();
    let next = await restart(emulator, persistDir, clock);
    emulator = next.emulator;
    sqs = next.sqs;

    // Assess: "waiting" was received with "deleted" and is in flight until 60 s after that receive
    expect(await counts(sqs, url)).toEqual([0, 2, 0]);
    const tags = await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }));
    expect(tags.Tags).toEqual({ env: "test" });
    const duplicate = await sqs.send(
      new SendMessageCommand({
        QueueUrl: fifoUrl,
        MessageBody: "once",
        MessageGroupId: "g",
        MessageDeduplicationId: "d",
      }),
    );
    expect(duplicate.MessageId).toBe(fifoSent.MessageId);
    expect(duplicate.SequenceNumber).toBe(fifoSent.SequenceNumber);

    // Both were received 10 s before the restart with a 60 s visibility timeout.
    await next.clock.advance(49_999);
    expect(await receive(sqs, url)).toEqual([]);
    await next.clock.advance(1);
    const back = await receive(sqs, url);
    expect(back.map((m) => m.Body).sort()).toEqual(["in flight", "waiting"]);
    const again = back.find((m) => m.MessageId === inflight!.MessageId)!;
    expect(again.Attributes!["ApproximateReceiveCount"]).toBe("2");

    // A second restart (from the compacted snapshot) keeps the new receive's handle valid.
    sqs.destroy();
    next = await restart(emulator, persistDir, next.clock);
    emulator = next.emulator;
    sqs = next.sqs;
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: again.ReceiptHandle }));
    expect(await counts(sqs, url)).toEqual([0, 1, 0]);
    sqs.destroy();
    await emulator.stop();
  });

  it("stop/start: a running message move task resumes and completes", async () => {
    const persistDir = tempDir();
    const clock = new ManualClock();
    let emulator = await createEmulator({ services: ["sqs"], persistDir, clock });
    let sqs = client(emulator.url);
    const { QueueUrl: dlqUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "resume-dlq" }));
    const dlqArn = `arn:aws:sqs:us-east-1:${ACCOUNT}:resume-dlq`;
    await sqs.send(
      new CreateQueueCommand({
        QueueName: "resume-source",
        Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 }) },
      }),
    );
    const { QueueUrl: destinationUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: "resume-destination" }),
    );
    for (let i = 0; i < 3; i++)
      await sqs.send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: `m${i}` }));
    await sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: dlqArn,
        DestinationArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:resume-destination`,
        MaxNumberOfMessagesPerSecond: 1,
      }),
    );
    await clock.advance(0);
    expect(await counts(sqs, destinationUrl!)).toEqual([1, 0, 0]);

    sqs.destroy();
    const next = await restart(emulator, persistDir, clock);
    emulator = next.emulator;
    sqs = next.sqs;
    await next.clock.advance(0);
    await next.clock.advance(1_000);
    const [task] = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }))).Results!;
    expect(task).toMatchObject({ Status: "COMPLETED", ApproximateNumberOfMessagesMoved: 3 });
    expect(await counts(sqs, destinationUrl!)).toEqual([3, 0, 0]);
    sqs.destroy();
    await emulator.stop();
  });

  it("kill -9: acknowledged sends, receives and deletes survive a crash (journal replay)", async () => {
    // Prepare
    const persistDir = tempDir();
    const child = await startEmulatorProcess({ persistDir, services: ["sqs"] });
    let sqs = client(child.url);
    const url = (
      await sqs.send(new CreateQueueCommand({ QueueName: "crash", Attributes: { VisibilityTimeout: "600" } }))
    ).QueueUrl!;
    for (const body of ["a", "b", "c"])
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
    const [first] = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1 })))
      .Messages!;
    const [second] = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1 })))
      .Messages!;
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: second!.ReceiptHandle }));

    // Act
    await child.kill9();
    sqs.destroy();
    const emulator = await createEmulator({ services: ["sqs"], persistDir });
    sqs = client(emulator.url);

    // Assess: one visible, the received one still in flight, the deleted one gone
    expect(await counts(sqs, url)).toEqual([1, 1, 0]);
    const remaining = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 })))
      .Messages!;
    expect(remaining.map((m) => m.Body)).toEqual(["c"]);
    // The receipt handle handed out before the crash still deletes its message.
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first!.ReceiptHandle }));
    expect(await counts(sqs, url)).toEqual([0, 1, 0]);
    sqs.destroy();
    await emulator.stop();
  });
});
