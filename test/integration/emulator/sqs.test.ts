import {
  AddPermissionCommand,
  BatchEntryIdsNotDistinct,
  CancelMessageMoveTaskCommand,
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  EmptyBatchRequest,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  InvalidAttributeName,
  InvalidAttributeValue,
  InvalidMessageContents,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  MessageNotInflight,
  PurgeQueueCommand,
  PurgeQueueInProgress,
  QueueDeletedRecently,
  QueueDoesNotExist,
  QueueNameExists,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  RemovePermissionCommand,
  ResourceNotFoundException,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  SQSServiceException,
  StartMessageMoveTaskCommand,
  TagQueueCommand,
  TooManyEntriesInBatchRequest,
  UntagQueueCommand,
  type Message,
  type QueueAttributeName,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, ManualClock, type Emulator } from "../../../src/runtime/emulator/index.js";
import { md5OfAttributes } from "../../../src/runtime/emulator/services/sqs/md5.js";
import { awsCli, awsCliAvailable, awsCliJson } from "../../helpers/aws-cli.js";
import { testAuthorization } from "../../helpers/raw-aws.js";

const ACCOUNT = "000000000000";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const silentLogger = { debug() {}, info() {}, warn() {}, error() {}, trace() {} };

function client(emulator: Emulator): SQSClient {
  return new SQSClient({ endpoint: emulator.url, region: "us-east-1", credentials, maxAttempts: 1 });
}

/** Runs `send` and returns the error it threw (fails the test when it did not throw). */
async function failure(send: Promise<unknown>): Promise<SQSServiceException> {
  try {
    await send;
  } catch (error) {
    expect(error).toBeInstanceOf(SQSServiceException);
    return error as SQSServiceException;
  }
  throw new Error("expected the call to fail");
}

async function createQueue(
  sqs: SQSClient,
  name: string,
  attributes?: Record<string, string>,
): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  return { url: QueueUrl!, arn: out.Attributes!["QueueArn"]! };
}

async function receive(sqs: SQSClient, url: string, max = 10, extra: object = {}): Promise<Message[]> {
  const out = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: url,
      MaxNumberOfMessages: max,
      MessageSystemAttributeNames: ["All"],
      MessageAttributeNames: ["All"],
      ...extra,
    }),
  );
  return out.Messages ?? [];
}

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

describe("sqs (JSON protocol, manual clock)", () => {
  let emulator: Emulator;
  let clock: ManualClock;
  let sqs: SQSClient;

  beforeAll(async () => {
    clock = new ManualClock();
    emulator = await createEmulator({ services: ["sqs"], clock });
    sqs = client(emulator);
  });
  afterAll(async () => {
    sqs.destroy();
    await emulator.stop();
  });

  describe("queues", () => {
    it("CreateQueue: returns a URL on the emulator and is idempotent with the same attributes", async () => {
      // Prepare
      const attributes = { VisibilityTimeout: "45", DelaySeconds: "0" };

      // Act
      const first = await sqs.send(new CreateQueueCommand({ QueueName: "orders", Attributes: attributes }));
      const again = await sqs.send(new CreateQueueCommand({ QueueName: "orders", Attributes: attributes }));
      const bare = await sqs.send(new CreateQueueCommand({ QueueName: "orders" }));

      // Assess
      expect(first.QueueUrl).toBe(`${emulator.url}/${ACCOUNT}/orders`);
      expect(again.QueueUrl).toBe(first.QueueUrl);
      expect(bare.QueueUrl).toBe(first.QueueUrl);
    });

    it("CreateQueue: a different attribute value is QueueNameExists (legacy code QueueAlreadyExists)", async () => {
      await sqs.send(
        new CreateQueueCommand({ QueueName: "conflict", Attributes: { VisibilityTimeout: "10" } }),
      );
      const error = await failure(
        sqs.send(new CreateQueueCommand({ QueueName: "conflict", Attributes: { VisibilityTimeout: "11" } })),
      );
      expect(error).toBeInstanceOf(QueueNameExists);
      expect(error.name).toBe("QueueNameExists");
      expect(error.message).toMatch(/VisibilityTimeout/);
    });

    it("CreateQueue: invalid names and attributes are refused with AWS's codes", async () => {
      const badName = await failure(sqs.send(new CreateQueueCommand({ QueueName: "has space" })));
      expect(badName.name).toBe("InvalidParameterValue");
      const fifoWithoutFlag = await failure(sqs.send(new CreateQueueCommand({ QueueName: "x.fifo" })));
      expect(fifoWithoutFlag.name).toBe("InvalidParameterValue");
      const badValue = await failure(
        sqs.send(new CreateQueueCommand({ QueueName: "v", Attributes: { VisibilityTimeout: "43201" } })),
      );
      expect(badValue).toBeInstanceOf(InvalidAttributeValue);
      const notNumber = await failure(
        sqs.send(new CreateQueueCommand({ QueueName: "v", Attributes: { DelaySeconds: "soon" } })),
      );
      expect(notNumber).toBeInstanceOf(InvalidAttributeValue);
      const unknown = await failure(
        sqs.send(
          new CreateQueueCommand({
            QueueName: "v",
            Attributes: { Colour: "blue" } as Record<string, string>,
          }),
        ),
      );
      expect(unknown).toBeInstanceOf(InvalidAttributeName);
      const fifoOnly = await failure(
        sqs.send(
          new CreateQueueCommand({ QueueName: "v", Attributes: { ContentBasedDeduplication: "true" } }),
        ),
      );
      expect(fifoOnly).toBeInstanceOf(InvalidAttributeName);
    });

    it("GetQueueUrl: finds a queue; a missing one is QueueDoesNotExist with the query-compatible header", async () => {
      await createQueue(sqs, "lookup");
      const found = await sqs.send(new GetQueueUrlCommand({ QueueName: "lookup" }));
      expect(found.QueueUrl).toBe(`${emulator.url}/${ACCOUNT}/lookup`);

      const error = await failure(sqs.send(new GetQueueUrlCommand({ QueueName: "nope" })));
      expect(error).toBeInstanceOf(QueueDoesNotExist);
      expect(error.name).toBe("QueueDoesNotExist");
      expect(error.$metadata.httpStatusCode).toBe(400);

      const raw = await fetch(emulator.url, {
        method: "POST",
        headers: {
          authorization: testAuthorization(),
          "content-type": "application/x-amz-json-1.0",
          "x-amz-target": "AmazonSQS.GetQueueUrl",
          "x-amzn-query-mode": "true",
        },
        body: JSON.stringify({ QueueName: "nope" }),
      });
      expect(raw.status).toBe(400);
      expect(raw.headers.get("x-amzn-query-error")).toBe("AWS.SimpleQueueService.NonExistentQueue;Sender");
      expect(await raw.json()).toEqual({
        __type: "com.amazonaws.sqs#QueueDoesNotExist",
        message: "The specified queue does not exist.",
      });
    });

    it("in-process: other services find queues by name and owner account", async () => {
      await createQueue(sqs, "internal-target");
      const out = await emulator.call<{ QueueUrl: string }>("sqs", "GetQueueUrl", {
        QueueName: "internal-target",
        QueueOwnerAWSAccountId: ACCOUNT,
      });
      expect(out.QueueUrl).toBe(`${emulator.url}/${ACCOUNT}/internal-target`);
    });

    it("ListQueues: prefix, and MaxResults pages with NextToken", async () => {
      for (const name of ["list-a", "list-b", "list-c"]) await createQueue(sqs, name);
      const all = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "list-" }));
      expect(all.QueueUrls).toEqual(
        ["list-a", "list-b", "list-c"].map((n) => `${emulator.url}/${ACCOUNT}/${n}`),
      );
      expect(all.NextToken).toBeUndefined();

      const page1 = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "list-", MaxResults: 2 }));
      expect(page1.QueueUrls).toHaveLength(2);
      const page2 = await sqs.send(
        new ListQueuesCommand({ QueueNamePrefix: "list-", MaxResults: 2, NextToken: page1.NextToken }),
      );
      expect(page2.QueueUrls).toEqual([`${emulator.url}/${ACCOUNT}/list-c`]);
      expect(page2.NextToken).toBeUndefined();

      const none = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "nothing-" }));
      expect(none.QueueUrls).toBeUndefined();
    });

    it("DeleteQueue: the queue is gone, and its name is blocked for 60 s (QueueDeletedRecently)", async () => {
      const { url } = await createQueue(sqs, "short-lived");
      await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));

      const gone = await failure(
        sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] })),
      );
      expect(gone).toBeInstanceOf(QueueDoesNotExist);
      const again = await failure(sqs.send(new DeleteQueueCommand({ QueueUrl: url })));
      expect(again).toBeInstanceOf(QueueDoesNotExist);
      const blocked = await failure(sqs.send(new CreateQueueCommand({ QueueName: "short-lived" })));
      expect(blocked).toBeInstanceOf(QueueDeletedRecently);

      await clock.advance(61_000);
      const recreated = await sqs.send(new CreateQueueCommand({ QueueName: "short-lived" }));
      expect(recreated.QueueUrl).toBe(url);
    });

    it("TagQueue / UntagQueue / ListQueueTags", async () => {
      const { QueueUrl } = await sqs.send(
        new CreateQueueCommand({ QueueName: "tagged", tags: { team: "data" } }),
      );
      await sqs.send(new TagQueueCommand({ QueueUrl, Tags: { env: "local", owner: "ops" } }));
      await sqs.send(new UntagQueueCommand({ QueueUrl, TagKeys: ["owner"] }));
      const out = await sqs.send(new ListQueueTagsCommand({ QueueUrl }));
      expect(out.Tags).toEqual({ team: "data", env: "local" });
    });

    it("AddPermission / RemovePermission edit the queue's Policy attribute", async () => {
      const { url, arn } = await createQueue(sqs, "shared");
      await sqs.send(
        new AddPermissionCommand({
          QueueUrl: url,
          Label: "events",
          AWSAccountIds: ["111122223333"],
          Actions: ["SendMessage"],
        }),
      );
      const withPolicy = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["Policy"] }),
      );
      const policy = JSON.parse(withPolicy.Attributes!["Policy"]!) as {
        Statement: Record<string, unknown>[];
      };
      expect(policy.Statement).toEqual([
        {
          Sid: "events",
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::111122223333:root" },
          Action: "SQS:SendMessage",
          Resource: arn,
        },
      ]);
      const duplicate = await failure(
        sqs.send(
          new AddPermissionCommand({
            QueueUrl: url,
            Label: "events",
            AWSAccountIds: [ACCOUNT],
            Actions: ["*"],
          }),
        ),
      );
      expect(duplicate.name).toBe("InvalidParameterValue");
      await sqs.send(new RemovePermissionCommand({ QueueUrl: url, Label: "events" }));
      const after = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["Policy"] }),
      );
      expect(after.Attributes).toBeUndefined();
    });
  });

  describe("attributes", () => {
    it("GetQueueAttributes: All gives defaults, ARN, timestamps (epoch seconds) and counts", async () => {
      const { url } = await createQueue(sqs, "attrs");
      const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }));
      const nowSeconds = String(Math.floor(clock.now() / 1000));
      expect(out.Attributes).toEqual({
        QueueArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:attrs`,
        ApproximateNumberOfMessages: "0",
        ApproximateNumberOfMessagesNotVisible: "0",
        ApproximateNumberOfMessagesDelayed: "0",
        CreatedTimestamp: nowSeconds,
        LastModifiedTimestamp: nowSeconds,
        VisibilityTimeout: "30",
        MaximumMessageSize: "1048576",
        MessageRetentionPeriod: "345600",
        DelaySeconds: "0",
        ReceiveMessageWaitTimeSeconds: "0",
        SqsManagedSseEnabled: "true",
      });
      const named = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["VisibilityTimeout", "QueueArn"] }),
      );
      expect(named.Attributes).toEqual({
        VisibilityTimeout: "30",
        QueueArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:attrs`,
      });
    });

    it("GetQueueAttributes: an unknown attribute name is InvalidAttributeName", async () => {
      const { url } = await createQueue(sqs, "attrs-unknown");
      const error = await failure(
        sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["Colour" as "All"] })),
      );
      expect(error).toBeInstanceOf(InvalidAttributeName);
    });

    it("SetQueueAttributes: validates values and updates LastModifiedTimestamp", async () => {
      const { url } = await createQueue(sqs, "settable");
      await clock.advance(5_000);
      await sqs.send(
        new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: "90" } }),
      );
      const out = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ["VisibilityTimeout", "LastModifiedTimestamp"],
        }),
      );
      expect(out.Attributes).toEqual({
        VisibilityTimeout: "90",
        LastModifiedTimestamp: String(Math.floor(clock.now() / 1000)),
      });
      const bad = await failure(
        sqs.send(
          new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { MessageRetentionPeriod: "59" } }),
        ),
      );
      expect(bad).toBeInstanceOf(InvalidAttributeValue);
      const readOnly = await failure(
        sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { QueueArn: "x" } })),
      );
      expect(readOnly).toBeInstanceOf(InvalidAttributeName);
    });

    it("RedrivePolicy: needs an existing DLQ of the same type and maxReceiveCount 1-1000; '' removes it", async () => {
      const { url } = await createQueue(sqs, "redrive-source");
      const { arn: dlqArn, url: dlqUrl } = await createQueue(sqs, "redrive-dlq");
      const set = (value: string) =>
        sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { RedrivePolicy: value } }));

      const missing = await failure(
        set(
          JSON.stringify({
            deadLetterTargetArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:no-such-dlq`,
            maxReceiveCount: 3,
          }),
        ),
      );
      expect(missing.name).toBe("InvalidParameterValue");
      expect(missing.message).toMatch(/Dead letter target does not exist/);
      const zero = await failure(set(JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 0 })));
      expect(zero.message).toMatch(/maxReceiveCount/);
      const tooMany = await failure(
        set(JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1001 })),
      );
      expect(tooMany.name).toBe("InvalidParameterValue");
      const noArn = await failure(set(JSON.stringify({ maxReceiveCount: 3 })));
      expect(noArn.message).toMatch(/deadLetterTargetArn/);
      const notJson = await failure(set("{nope"));
      expect(notJson.name).toBe("InvalidParameterValue");

      await set(JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: "4" }));
      const out = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["RedrivePolicy"] }),
      );
      expect(JSON.parse(out.Attributes!["RedrivePolicy"]!)).toEqual({
        deadLetterTargetArn: dlqArn,
        maxReceiveCount: 4,
      });
      const sources = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl }));
      expect(sources.queueUrls).toEqual([url]);

      await set("");
      const cleared = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["RedrivePolicy"] }),
      );
      expect(cleared.Attributes).toBeUndefined();
      const none = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl }));
      expect(none.queueUrls).toEqual([]);
    });

    it("RedriveAllowPolicy: a DLQ with denyAll refuses to be a dead-letter target", async () => {
      const dlq = await createQueue(sqs, "closed-dlq", {
        RedriveAllowPolicy: JSON.stringify({ redrivePermission: "denyAll" }),
      });
      const { url } = await createQueue(sqs, "closed-source");
      const refused = await failure(
        sqs.send(
          new SetQueueAttributesCommand({
            QueueUrl: url,
            Attributes: {
              RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
            },
          }),
        ),
      );
      expect(refused.name).toBe("InvalidParameterValue");
      const invalid = await failure(
        sqs.send(
          new SetQueueAttributesCommand({
            QueueUrl: dlq.url,
            Attributes: { RedriveAllowPolicy: JSON.stringify({ redrivePermission: "byQueue" }) },
          }),
        ),
      );
      expect(invalid.name).toBe("InvalidParameterValue");
    });
  });

  describe("messages", () => {
    it("SendMessage / ReceiveMessage: MD5s match what AWS computes (the SDK verifies the body MD5)", async () => {
      // Prepare
      const { url } = await createQueue(sqs, "md5");

      // Act
      const sent = await sqs.send(
        new SendMessageCommand({
          QueueUrl: url,
          MessageBody: "This is a test message",
          MessageAttributes: { timestamp: { DataType: "Number", StringValue: "1493147359900" } },
        }),
      );
      const [message] = await receive(sqs, url);

      // Assess: the attribute digest is pinned by moto's SQS tests as what AWS returns
      expect(sent.MD5OfMessageBody).toBe("fafb00f5732ab283681e124bf8747ed1");
      expect(sent.MD5OfMessageAttributes).toBe("235c5c510d26fb653d073faed50ae77c");
      expect(message!.MessageId).toBe(sent.MessageId);
      expect(message!.MD5OfBody).toBe("fafb00f5732ab283681e124bf8747ed1");
      expect(message!.MD5OfMessageAttributes).toBe("235c5c510d26fb653d073faed50ae77c");
      expect(message!.MessageAttributes).toEqual({
        timestamp: { DataType: "Number", StringValue: "1493147359900" },
      });
    });

    it("MD5OfMessageAttributes: String, Number, Binary and non-ASCII values (AWS vector)", () => {
      expect(
        md5OfAttributes({
          ccc: { DataType: "String", StringValue: "testjunk" },
          aaa: { DataType: "Binary", BinaryValue: Buffer.from([2, 3, 4]).toString("base64") },
          zzz: { DataType: "Number", StringValue: "0230.01" },
          öther_encodings: { DataType: "String", StringValue: "Tüst" },
        }),
      ).toBe("8ae21a7957029ef04146b42aeaa18a22");
      expect(
        md5OfAttributes({
          "SOME_Valid.attribute-Name": { DataType: "Number", StringValue: "1493147359900" },
        }),
      ).toBe("36655e7e9d7c0e8479fa3f3f42247ae7");
    });

    it("ReceiveMessage: system attributes and MessageAttributeNames (All, prefix.*, exact names)", async () => {
      const { url } = await createQueue(sqs, "attr-filter");
      const binary = new Uint8Array([0, 1, 2, 250]);
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: url,
          MessageBody: '{"celebrityId":"042"}',
          MessageAttributes: {
            "origin.kind": { DataType: "String", StringValue: "replay" },
            "origin.count": { DataType: "Number.int", StringValue: "3" },
            payload: { DataType: "Binary", BinaryValue: binary },
          },
        }),
      );
      const read = (names: string[]) =>
        sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: url,
            MessageAttributeNames: names,
            // The deprecated AttributeNames still works, and merges with MessageSystemAttributeNames.
            AttributeNames: ["SentTimestamp"] as unknown as QueueAttributeName[],
            MessageSystemAttributeNames: ["ApproximateReceiveCount", "SenderId"],
            VisibilityTimeout: 0,
          }),
        );

      const prefixed = (await read(["origin.*"])).Messages![0]!;
      expect(Object.keys(prefixed.MessageAttributes!).sort()).toEqual(["origin.count", "origin.kind"]);
      expect(prefixed.MD5OfMessageAttributes).toBe(
        md5OfAttributes({
          "origin.kind": { DataType: "String", StringValue: "replay" },
          "origin.count": { DataType: "Number.int", StringValue: "3" },
        }),
      );
      expect(prefixed.Attributes).toEqual({
        SentTimestamp: String(clock.now()),
        ApproximateReceiveCount: "1",
        SenderId: ACCOUNT,
      });

      const exact = (await read(["payload"])).Messages![0]!;
      expect(exact.MessageAttributes).toEqual({ payload: { DataType: "Binary", BinaryValue: binary } });

      const all = (await read([".*"])).Messages![0]!;
      expect(Object.keys(all.MessageAttributes!)).toHaveLength(3);
      expect(all.Attributes!["ApproximateReceiveCount"]).toBe("3");

      const none = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages![0]!;
      expect(none.MessageAttributes).toBeUndefined();
      expect(none.MD5OfMessageAttributes).toBeUndefined();
      expect(none.Attributes).toBeUndefined();
    });

    it("ReceiveMessage: a received message stays invisible for the visibility timeout, then comes back", async () => {
      const { url } = await createQueue(sqs, "visibility", { VisibilityTimeout: "30" });
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "once" }));
      const firstReceiveAt = clock.now();

      const [first] = await receive(sqs, url);
      expect(first!.Attributes!["ApproximateReceiveCount"]).toBe("1");
      expect(await receive(sqs, url)).toEqual([]);
      expect(await counts(sqs, url)).toEqual([0, 1, 0]);

      await clock.advance(29_999);
      expect(await receive(sqs, url)).toEqual([]);
      await clock.advance(1);
      const [second] = await receive(sqs, url);
      expect(second!.MessageId).toBe(first!.MessageId);
      expect(second!.ReceiptHandle).not.toBe(first!.ReceiptHandle);
      expect(second!.Attributes!["ApproximateReceiveCount"]).toBe("2");
      expect(second!.Attributes!["ApproximateFirstReceiveTimestamp"]).toBe(String(firstReceiveAt));
    });

    it("SendMessage: DelaySeconds keeps a message delayed, per message or from the queue", async () => {
      const { url } = await createQueue(sqs, "delays", { DelaySeconds: "10" });
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "queue delay" }));
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "no delay", DelaySeconds: 0 }));
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "long delay", DelaySeconds: 60 }));
      expect(await counts(sqs, url)).toEqual([1, 0, 2]);
      expect((await receive(sqs, url, 10, { VisibilityTimeout: 0 })).map((m) => m.Body)).toEqual([
        "no delay",
      ]);
      await clock.advance(10_000);
      expect((await receive(sqs, url, 10, { VisibilityTimeout: 0 })).map((m) => m.Body)).toEqual([
        "queue delay",
        "no delay",
      ]);
      const tooLong = await failure(
        sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x", DelaySeconds: 901 })),
      );
      expect(tooLong.name).toBe("InvalidParameterValue");
    });

    it("ReceiveMessage: MaxNumberOfMessages 1-10, WaitTimeSeconds 0-20, VisibilityTimeout 0-43200", async () => {
      const { url } = await createQueue(sqs, "receive-limits");
      for (const bad of [
        { MaxNumberOfMessages: 11 },
        { MaxNumberOfMessages: 0 },
        { WaitTimeSeconds: 21 },
        { VisibilityTimeout: -1 },
      ]) {
        const error = await failure(sqs.send(new ReceiveMessageCommand({ QueueUrl: url, ...bad })));
        expect(error.name).toBe("InvalidParameterValue");
      }
      const error = await failure(
        sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 })),
      );
      expect(error.message).toBe(
        "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.",
      );
    });

    it("SendMessage: bad bodies and attributes are refused", async () => {
      const { url } = await createQueue(sqs, "bad-input", { MaximumMessageSize: "1024" });
      const send = (input: object) =>
        sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "ok", ...input }));

      expect(await failure(send({ MessageBody: "bell \u0007" }))).toBeInstanceOf(InvalidMessageContents);
      expect((await failure(send({ MessageBody: "" }))).name).toBe("MissingParameter");
      const tooBig = await failure(send({ MessageBody: "x".repeat(1025) }));
      expect(tooBig.message).toMatch(/Message must be shorter than 1024 bytes/);
      const noValue = await failure(
        send({ MessageAttributes: { a: { DataType: "String", StringValue: "" } } }),
      );
      expect(noValue.name).toBe("InvalidParameterValue");
      const badType = await failure(
        send({ MessageAttributes: { a: { DataType: "Date", StringValue: "x" } } }),
      );
      expect(badType.name).toBe("InvalidParameterValue");
      const notNumber = await failure(
        send({ MessageAttributes: { a: { DataType: "Number", StringValue: "ten" } } }),
      );
      expect(notNumber.name).toBe("InvalidParameterValue");
      const reserved = await failure(
        send({ MessageAttributes: { "AWS.x": { DataType: "String", StringValue: "v" } } }),
      );
      expect(reserved.name).toBe("InvalidParameterValue");
      const tooMany = await failure(
        send({
          MessageAttributes: Object.fromEntries(
            Array.from({ length: 11 }, (_, i) => [`a${i}`, { DataType: "String", StringValue: "v" }]),
          ),
        }),
      );
      expect(tooMany.message).toMatch(/exceeds the allowed maximum \[10\]/);
      const dedup = await failure(send({ MessageDeduplicationId: "d1" }));
      expect(dedup.name).toBe("InvalidParameterValue");
    });

    it("DeleteMessage: the latest receipt handle deletes; garbage is ReceiptHandleIsInvalid", async () => {
      const { url } = await createQueue(sqs, "deletes", { VisibilityTimeout: "5" });
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "delete me" }));
      const [first] = await receive(sqs, url);
      await clock.advance(5_000);
      const [second] = await receive(sqs, url);

      // An old handle of a message received again succeeds without deleting (as AWS documents).
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first!.ReceiptHandle }));
      expect(await counts(sqs, url)).toEqual([0, 1, 0]);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: second!.ReceiptHandle }));
      expect(await counts(sqs, url)).toEqual([0, 0, 0]);
      // Deleting again is fine.
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: second!.ReceiptHandle }));

      const garbage = await failure(
        sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: "garbage" })),
      );
      expect(garbage).toBeInstanceOf(ReceiptHandleIsInvalid);
      expect(garbage.$metadata.httpStatusCode).toBe(404);
      expect(garbage.message).toBe('The input receipt handle "garbage" is not a valid receipt handle.');

      const { url: other } = await createQueue(sqs, "deletes-other");
      const foreign = await failure(
        sqs.send(new DeleteMessageCommand({ QueueUrl: other, ReceiptHandle: second!.ReceiptHandle })),
      );
      expect(foreign).toBeInstanceOf(ReceiptHandleIsInvalid);
    });

    it("ChangeMessageVisibility: 0 makes a message visible at once; not in flight is MessageNotInflight", async () => {
      const { url } = await createQueue(sqs, "change-visibility");
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "m" }));
      const [message] = await receive(sqs, url);
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: message!.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      );
      expect(await counts(sqs, url)).toEqual([1, 0, 0]);
      const notInflight = await failure(
        sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: url,
            ReceiptHandle: message!.ReceiptHandle,
            VisibilityTimeout: 10,
          }),
        ),
      );
      expect(notInflight).toBeInstanceOf(MessageNotInflight);

      const [again] = await receive(sqs, url);
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: again!.ReceiptHandle,
          VisibilityTimeout: 100,
        }),
      );
      await clock.advance(99_000);
      expect(await counts(sqs, url)).toEqual([0, 1, 0]);
      await clock.advance(1_000);
      expect(await counts(sqs, url)).toEqual([1, 0, 0]);

      const garbage = await failure(
        sqs.send(
          new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: "x", VisibilityTimeout: 1 }),
        ),
      );
      expect(garbage).toBeInstanceOf(ReceiptHandleIsInvalid);
    });

    it("batches: SendMessageBatch, ChangeMessageVisibilityBatch and DeleteMessageBatch report each entry", async () => {
      const { url } = await createQueue(sqs, "batches");
      const sent = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: [
            { Id: "a", MessageBody: "first" },
            {
              Id: "b",
              MessageBody: "second",
              MessageAttributes: { k: { DataType: "String", StringValue: "v" } },
            },
            { Id: "bad", MessageBody: "nul \u0000" },
          ],
        }),
      );
      expect(sent.Successful!.map((e) => e.Id)).toEqual(["a", "b"]);
      expect(sent.Successful![1]!.MD5OfMessageAttributes).toBe(
        md5OfAttributes({ k: { DataType: "String", StringValue: "v" } }),
      );
      expect(sent.Failed).toEqual([
        {
          Id: "bad",
          SenderFault: true,
          Code: "InvalidMessageContents",
          Message: expect.stringMatching(/Invalid characters/),
        },
      ]);

      const messages = await receive(sqs, url);
      expect(messages.map((m) => m.Body)).toEqual(["first", "second"]);
      const changed = await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: url,
          Entries: [
            { Id: "one", ReceiptHandle: messages[0]!.ReceiptHandle, VisibilityTimeout: 0 },
            { Id: "junk", ReceiptHandle: "junk", VisibilityTimeout: 0 },
          ],
        }),
      );
      expect(changed.Successful).toEqual([{ Id: "one" }]);
      expect(changed.Failed![0]).toMatchObject({
        Id: "junk",
        Code: "ReceiptHandleIsInvalid",
        SenderFault: true,
      });

      const [again] = await receive(sqs, url);
      const deleted = await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: url,
          Entries: [
            { Id: "x", ReceiptHandle: again!.ReceiptHandle },
            { Id: "y", ReceiptHandle: messages[1]!.ReceiptHandle },
            { Id: "z", ReceiptHandle: "nonsense" },
          ],
        }),
      );
      expect(deleted.Successful).toEqual([{ Id: "x" }, { Id: "y" }]);
      expect(deleted.Failed![0]).toMatchObject({ Id: "z", Code: "ReceiptHandleIsInvalid" });
      expect(await counts(sqs, url)).toEqual([0, 0, 0]);
    });

    it("batches: empty, too many entries and repeated ids fail the whole request", async () => {
      const { url } = await createQueue(sqs, "batch-errors");
      expect(
        await failure(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [] }))),
      ).toBeInstanceOf(EmptyBatchRequest);
      const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: "x" }));
      expect(
        await failure(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: eleven }))),
      ).toBeInstanceOf(TooManyEntriesInBatchRequest);
      const repeated = [
        { Id: "same", MessageBody: "1" },
        { Id: "same", MessageBody: "2" },
      ];
      expect(
        await failure(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: repeated }))),
      ).toBeInstanceOf(BatchEntryIdsNotDistinct);
      const badId = await failure(
        sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: url,
            Entries: [{ Id: "no spaces", ReceiptHandle: "x" }],
          }),
        ),
      );
      expect(badId.name).toBe("InvalidBatchEntryId");
      const tooLong = await failure(
        sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: url,
            Entries: [
              { Id: "a", MessageBody: "x".repeat(600_000) },
              { Id: "b", MessageBody: "x".repeat(600_000) },
            ],
          }),
        ),
      );
      expect(tooLong.name).toBe("BatchRequestTooLong");
    });

    it("PurgeQueue: removes every message, including in-flight ones; again within 60 s is PurgeQueueInProgress", async () => {
      const { url } = await createQueue(sqs, "purge");
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "1" }));
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "2" }));
      await receive(sqs, url, 1);
      await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
      expect(await counts(sqs, url)).toEqual([0, 0, 0]);
      const again = await failure(sqs.send(new PurgeQueueCommand({ QueueUrl: url })));
      expect(again).toBeInstanceOf(PurgeQueueInProgress);
      expect(again.$metadata.httpStatusCode).toBe(403);
      await clock.advance(60_000);
      await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    });

    it("retention: messages older than MessageRetentionPeriod disappear", async () => {
      const { url } = await createQueue(sqs, "retention", { MessageRetentionPeriod: "60" });
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "old" }));
      await clock.advance(30_000);
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "young" }));
      await clock.advance(30_000);
      expect((await receive(sqs, url, 10, { VisibilityTimeout: 0 })).map((m) => m.Body)).toEqual(["young"]);
      await clock.advance(30_000);
      expect(await counts(sqs, url)).toEqual([0, 0, 0]);
    });

    it("queue URL host: a client without an endpoint sends to the host in QueueUrl", async () => {
      const { url } = await createQueue(sqs, "by-url");
      const hostless = new SQSClient({
        region: "us-east-1",
        credentials,
        maxAttempts: 1,
        logger: silentLogger,
      });
      try {
        await hostless.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "routed by QueueUrl" }));
        const out = await hostless.send(new ReceiveMessageCommand({ QueueUrl: url }));
        expect(out.Messages![0]!.Body).toBe("routed by QueueUrl");
      } finally {
        hostless.destroy();
      }
    });

    it("dev side door: peek lists messages without receiving them", async () => {
      const { url } = await createQueue(sqs, "peek");
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: url,
          MessageBody: "look",
          MessageAttributes: { k: { DataType: "String", StringValue: "v" } },
        }),
      );
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "later", DelaySeconds: 30 }));
      const [received] = await receive(sqs, url, 1);

      const peek = async (query: string) => {
        const response = await fetch(`${emulator.url}/_emulator/sqs/messages?${query}`);
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      };
      const byUrl = await peek(`QueueUrl=${encodeURIComponent(url)}`);
      const byName = await peek("QueueName=peek");
      expect(byUrl.status).toBe(200);
      expect(byName.body).toEqual(byUrl.body);
      expect(byUrl.body["Messages"]).toEqual([
        expect.objectContaining({
          MessageId: received!.MessageId,
          Body: "look",
          State: "INFLIGHT",
          MessageAttributes: { k: { DataType: "String", StringValue: "v" } },
          Attributes: expect.objectContaining({ ApproximateReceiveCount: "1" }),
        }),
        expect.objectContaining({
          Body: "later",
          State: "DELAYED",
          Attributes: expect.objectContaining({ ApproximateReceiveCount: "0" }),
        }),
      ]);
      // Peeking changed nothing.
      expect(await counts(sqs, url)).toEqual([0, 1, 1]);
      expect((await peek("QueueName=missing")).status).toBe(404);
      const queues = (await (await fetch(`${emulator.url}/_emulator/sqs/queues`)).json()) as {
        Queues: Record<string, unknown>[];
      };
      expect(queues.Queues).toContainEqual({
        QueueUrl: url,
        QueueArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:peek`,
        ApproximateNumberOfMessages: 0,
        ApproximateNumberOfMessagesNotVisible: 1,
        ApproximateNumberOfMessagesDelayed: 1,
      });
      expect((await peek("")).status).toBe(400);
    });
  });

  describe("redrive and message move tasks", () => {
    it("redrive: past maxReceiveCount a message moves to the DLQ on the next receive attempt", async () => {
      // Prepare
      const dlq = await createQueue(sqs, "work-dlq", { MessageRetentionPeriod: "1209600" });
      const source = await createQueue(sqs, "work", {
        VisibilityTimeout: "10",
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
      });
      const sent = await sqs.send(
        new SendMessageCommand({
          QueueUrl: source.url,
          MessageBody: "poison",
          MessageAttributes: { origin: { DataType: "String", StringValue: "test" } },
        }),
      );

      // Act: two failed receives, then a third attempt
      expect(await receive(sqs, source.url)).toHaveLength(1);
      await clock.advance(10_000);
      expect(await receive(sqs, source.url)).toHaveLength(1);
      await clock.advance(10_000);
      const third = await receive(sqs, source.url);

      // Assess
      expect(third).toEqual([]);
      expect(await counts(sqs, source.url)).toEqual([0, 0, 0]);
      const [dead] = await receive(sqs, dlq.url);
      expect(dead!.MessageId).toBe(sent.MessageId);
      expect(dead!.Body).toBe("poison");
      expect(dead!.MessageAttributes).toEqual({ origin: { DataType: "String", StringValue: "test" } });
      expect(dead!.Attributes!["DeadLetterQueueSourceArn"]).toBe(source.arn);
      expect(dead!.Attributes!["ApproximateReceiveCount"]).toBe("3");
    });

    it("StartMessageMoveTask: moves DLQ messages back to their sources at the given rate", async () => {
      // Prepare: two messages dead-lettered from a source with maxReceiveCount 1
      const dlq = await createQueue(sqs, "move-dlq");
      const source = await createQueue(sqs, "move-source", {
        VisibilityTimeout: "1",
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 1 }),
      });
      for (const body of ["one", "two", "three"]) {
        await sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: body }));
      }
      await receive(sqs, source.url);
      await clock.advance(1_000);
      expect(await receive(sqs, source.url)).toEqual([]);
      expect(await counts(sqs, dlq.url)).toEqual([3, 0, 0]);

      // Act
      const { TaskHandle } = await sqs.send(
        new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, MaxNumberOfMessagesPerSecond: 2 }),
      );
      const running = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn }));
      await clock.advance(0);
      const afterFirstSecond = await counts(sqs, source.url);
      await clock.advance(1_000);
      const list = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn, MaxResults: 10 }));

      // Assess
      expect(running.Results).toEqual([
        {
          TaskHandle,
          Status: "RUNNING",
          SourceArn: dlq.arn,
          MaxNumberOfMessagesPerSecond: 2,
          ApproximateNumberOfMessagesMoved: 0,
          ApproximateNumberOfMessagesToMove: 3,
          StartedTimestamp: clock.now() - 1_000,
        },
      ]);
      expect(afterFirstSecond).toEqual([2, 0, 0]);
      expect(list.Results).toEqual([
        {
          Status: "COMPLETED",
          SourceArn: dlq.arn,
          MaxNumberOfMessagesPerSecond: 2,
          ApproximateNumberOfMessagesMoved: 3,
          ApproximateNumberOfMessagesToMove: 3,
          StartedTimestamp: clock.now() - 1_000,
        },
      ]);
      expect(await counts(sqs, dlq.url)).toEqual([0, 0, 0]);
      const back = await receive(sqs, source.url);
      expect(back.map((m) => m.Body).sort()).toEqual(["one", "three", "two"]);
      // Redriven messages are new messages: fresh count, no DLQ source.
      expect(back[0]!.Attributes!["ApproximateReceiveCount"]).toBe("1");
      expect(back[0]!.Attributes!["DeadLetterQueueSourceArn"]).toBeUndefined();
    });

    it("StartMessageMoveTask: to a given destination, cancellable while running", async () => {
      const dlq = await createQueue(sqs, "cancel-dlq");
      await createQueue(sqs, "cancel-source", {
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 5 }),
      });
      const destination = await createQueue(sqs, "cancel-destination");
      for (let i = 0; i < 5; i++)
        await sqs.send(new SendMessageCommand({ QueueUrl: dlq.url, MessageBody: `m${i}` }));

      const { TaskHandle } = await sqs.send(
        new StartMessageMoveTaskCommand({
          SourceArn: dlq.arn,
          DestinationArn: destination.arn,
          MaxNumberOfMessagesPerSecond: 1,
        }),
      );
      const second = await failure(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn })));
      expect(second.message).toMatch(/already a task running/);
      await clock.advance(0);
      await clock.advance(1_000);
      const cancelled = await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle }));
      await clock.advance(5_000);

      expect(cancelled.ApproximateNumberOfMessagesMoved).toBe(2);
      expect(await counts(sqs, destination.url)).toEqual([2, 0, 0]);
      expect(await counts(sqs, dlq.url)).toEqual([3, 0, 0]);
      const [task] = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn }))).Results!;
      expect(task).toMatchObject({
        Status: "CANCELLED",
        DestinationArn: destination.arn,
        ApproximateNumberOfMessagesMoved: 2,
      });
      expect(task!.TaskHandle).toBeUndefined();
    });

    it("StartMessageMoveTask: a failing destination ends the task FAILED with the reason", async () => {
      const dlq = await createQueue(sqs, "fail-dlq");
      await createQueue(sqs, "fail-source", {
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 5 }),
      });
      const destination = await createQueue(sqs, "fail-destination");
      for (let i = 0; i < 3; i++)
        await sqs.send(new SendMessageCommand({ QueueUrl: dlq.url, MessageBody: `m${i}` }));
      await sqs.send(
        new StartMessageMoveTaskCommand({
          SourceArn: dlq.arn,
          DestinationArn: destination.arn,
          MaxNumberOfMessagesPerSecond: 1,
        }),
      );
      await clock.advance(0);
      await sqs.send(new DeleteQueueCommand({ QueueUrl: destination.url }));
      await clock.advance(1_000);
      const [task] = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn }))).Results!;
      expect(task).toMatchObject({
        Status: "FAILED",
        FailureReason: "AWS.SimpleQueueService.NonExistentQueue",
        ApproximateNumberOfMessagesMoved: 1,
      });
    });

    it("message move task errors: not a DLQ, missing queues, invalid handles", async () => {
      const plain = await createQueue(sqs, "not-a-dlq");
      const notDlq = await failure(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: plain.arn })));
      expect(notDlq.name).toBe("InvalidParameterValue");
      expect(notDlq.message).toBe("Source queue must be configured as a Dead Letter Queue.");
      const missing = await failure(
        sqs.send(new StartMessageMoveTaskCommand({ SourceArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:ghost` })),
      );
      expect(missing).toBeInstanceOf(ResourceNotFoundException);
      const listMissing = await failure(
        sqs.send(new ListMessageMoveTasksCommand({ SourceArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:ghost` })),
      );
      expect(listMissing).toBeInstanceOf(ResourceNotFoundException);
      const badHandle = await failure(
        sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: "not-a-handle" })),
      );
      expect(badHandle.message).toBe("Value for parameter TaskHandle is invalid.");
      const unknownTask = await failure(
        sqs.send(
          new CancelMessageMoveTaskCommand({
            TaskHandle: Buffer.from(JSON.stringify({ taskId: "t", sourceArn: plain.arn })).toString("base64"),
          }),
        ),
      );
      expect(unknownTask).toBeInstanceOf(ResourceNotFoundException);
      expect(unknownTask.message).toBe("Task does not exist.");
    });
  });

  describe("FIFO queues", () => {
    it("CreateQueue: FIFO needs the .fifo name and FifoQueue=true; attributes show the FIFO settings", async () => {
      const { url } = await createQueue(sqs, "jobs.fifo", { FifoQueue: "true" });
      const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }));
      expect(out.Attributes).toMatchObject({
        FifoQueue: "true",
        ContentBasedDeduplication: "false",
        DeduplicationScope: "queue",
        FifoThroughputLimit: "perQueue",
      });
      const wrongName = await failure(
        sqs.send(new CreateQueueCommand({ QueueName: "jobs", Attributes: { FifoQueue: "true" } })),
      );
      expect(wrongName.name).toBe("InvalidParameterValue");
    });

    it("ordering: messages of a group come in order, and a group waits while one of its messages is in flight", async () => {
      const { url } = await createQueue(sqs, "ordered.fifo", { FifoQueue: "true", VisibilityTimeout: "30" });
      const sends = [
        ["a", "a1"],
        ["b", "b1"],
        ["a", "a2"],
        ["b", "b2"],
      ];
      const numbers: string[] = [];
      for (const [group, body] of sends) {
        const out = await sqs.send(
          new SendMessageCommand({
            QueueUrl: url,
            MessageBody: body,
            MessageGroupId: group,
            MessageDeduplicationId: body,
          }),
        );
        numbers.push(out.SequenceNumber!);
      }
      expect(numbers.map((n) => BigInt(n))).toEqual(
        [...numbers].map((n) => BigInt(n)).sort((x, y) => (x < y ? -1 : 1)),
      );

      const first = await receive(sqs, url, 1);
      expect(first.map((m) => m.Body)).toEqual(["a1"]);
      expect(first[0]!.Attributes).toMatchObject({
        MessageGroupId: "a",
        MessageDeduplicationId: "a1",
        SequenceNumber: numbers[0],
      });
      // Group a is locked by a1: only group b is served.
      const next = await receive(sqs, url, 10);
      expect(next.map((m) => m.Body)).toEqual(["b1", "b2"]);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first[0]!.ReceiptHandle }));
      expect((await receive(sqs, url, 10)).map((m) => m.Body)).toEqual(["a2"]);
    });

    it("deduplication: the same id within 5 minutes is accepted once; content-based dedup hashes the body", async () => {
      const { url } = await createQueue(sqs, "dedup.fifo", {
        FifoQueue: "true",
        ContentBasedDeduplication: "true",
      });
      const one = await sqs.send(
        new SendMessageCommand({ QueueUrl: url, MessageBody: "same", MessageGroupId: "g" }),
      );
      const two = await sqs.send(
        new SendMessageCommand({ QueueUrl: url, MessageBody: "same", MessageGroupId: "g" }),
      );
      expect(two.MessageId).toBe(one.MessageId);
      expect(two.SequenceNumber).toBe(one.SequenceNumber);
      expect(await counts(sqs, url)).toEqual([1, 0, 0]);
      await clock.advance(5 * 60_000);
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "same", MessageGroupId: "g" }));
      expect(await counts(sqs, url)).toEqual([2, 0, 0]);

      const batch = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: [
            { Id: "x", MessageBody: "batch", MessageGroupId: "g", MessageDeduplicationId: "d" },
            { Id: "y", MessageBody: "batch again", MessageGroupId: "g", MessageDeduplicationId: "d" },
          ],
        }),
      );
      expect(batch.Successful![1]!.MessageId).toBe(batch.Successful![0]!.MessageId);
      expect(await counts(sqs, url)).toEqual([3, 0, 0]);
    });

    it("FIFO sends need MessageGroupId, a dedup id (or content-based dedup) and no per-message delay", async () => {
      const { url } = await createQueue(sqs, "strict.fifo", { FifoQueue: "true" });
      const noGroup = await failure(
        sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x", MessageDeduplicationId: "1" })),
      );
      expect(noGroup.name).toBe("MissingParameter");
      const noDedup = await failure(
        sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x", MessageGroupId: "g" })),
      );
      expect(noDedup.message).toMatch(/ContentBasedDeduplication/);
      const delayed = await failure(
        sqs.send(
          new SendMessageCommand({
            QueueUrl: url,
            MessageBody: "x",
            MessageGroupId: "g",
            MessageDeduplicationId: "1",
            DelaySeconds: 5,
          }),
        ),
      );
      expect(delayed.name).toBe("InvalidParameterValue");
      const standardDlq = await createQueue(sqs, "standard-dlq-for-fifo");
      const mismatch = await failure(
        sqs.send(
          new SetQueueAttributesCommand({
            QueueUrl: url,
            Attributes: {
              RedrivePolicy: JSON.stringify({ deadLetterTargetArn: standardDlq.arn, maxReceiveCount: 2 }),
            },
          }),
        ),
      );
      expect(mismatch.message).toMatch(/same type/);
    });
  });
});

describe("sqs long polling (real clock)", () => {
  let emulator: Emulator;
  let sqs: SQSClient;

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["sqs"] });
    sqs = client(emulator);
  });
  afterAll(async () => {
    sqs.destroy();
    await emulator.stop();
  });

  it("ReceiveMessage: a long poll returns as soon as a message arrives", async () => {
    const { url } = await createQueue(sqs, "long-poll");
    const started = Date.now();
    const polling = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 10 }));
    setTimeout(() => void sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "arrived" })), 200);
    const out = await polling;
    const elapsed = Date.now() - started;
    expect(out.Messages![0]!.Body).toBe("arrived");
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(3_000);
  });

  it("ReceiveMessage: a long poll wakes when a delayed message becomes visible", async () => {
    const { url } = await createQueue(sqs, "long-poll-delay");
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "soon", DelaySeconds: 1 }));
    const started = Date.now();
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5 }));
    expect(out.Messages![0]!.Body).toBe("soon");
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("ReceiveMessage: an empty long poll ends after WaitTimeSeconds (queue default applies)", async () => {
    const { url } = await createQueue(sqs, "long-poll-empty", { ReceiveMessageWaitTimeSeconds: "1" });
    const started = Date.now();
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    const elapsed = Date.now() - started;
    expect(out.Messages).toBeUndefined();
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(5_000);
  });

  it("ReceiveMessage: two long polls share arriving messages, each gets what it took", async () => {
    const { url } = await createQueue(sqs, "long-poll-two");
    const a = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5 }));
    const b = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5 }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: "1", MessageBody: "one" },
          { Id: "2", MessageBody: "two" },
        ],
      }),
    );
    const [outA, outB] = await Promise.all([a, b]);
    const bodies = [...(outA.Messages ?? []), ...(outB.Messages ?? [])].map((m) => m.Body).sort();
    expect(bodies).toEqual(["one", "two"]);
  });
});

describe.skipIf(!awsCliAvailable)("sqs through the AWS CLI", () => {
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["sqs"] });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it("create-queue, send-message, receive-message, delete-message, get-queue-attributes", async () => {
    const endpoint = emulator.url;
    const { QueueUrl } = await awsCliJson<{ QueueUrl: string }>(endpoint, [
      "sqs",
      "create-queue",
      "--queue-name",
      "cli-queue",
      "--attributes",
      "VisibilityTimeout=40",
    ]);
    expect(QueueUrl).toBe(`${endpoint}/${ACCOUNT}/cli-queue`);

    const sent = await awsCliJson<{
      MessageId: string;
      MD5OfMessageBody: string;
      MD5OfMessageAttributes: string;
    }>(endpoint, [
      "sqs",
      "send-message",
      "--queue-url",
      QueueUrl,
      "--message-body",
      "from the cli",
      "--message-attributes",
      JSON.stringify({ timestamp: { DataType: "Number", StringValue: "1493147359900" } }),
    ]);
    expect(sent.MD5OfMessageAttributes).toBe("235c5c510d26fb653d073faed50ae77c");

    const received = await awsCliJson<{ Messages: Message[] }>(endpoint, [
      "sqs",
      "receive-message",
      "--queue-url",
      QueueUrl,
      "--attribute-names",
      "All",
      "--message-attribute-names",
      "All",
    ]);
    const [message] = received.Messages;
    expect(message).toMatchObject({ MessageId: sent.MessageId, Body: "from the cli" });
    expect(message!.Attributes!["ApproximateReceiveCount"]).toBe("1");
    expect(message!.MessageAttributes).toEqual({
      timestamp: { DataType: "Number", StringValue: "1493147359900" },
    });

    const attributes = await awsCliJson<{ Attributes: Record<string, string> }>(endpoint, [
      "sqs",
      "get-queue-attributes",
      "--queue-url",
      QueueUrl,
      "--attribute-names",
      "All",
    ]);
    expect(attributes.Attributes).toMatchObject({
      VisibilityTimeout: "40",
      ApproximateNumberOfMessagesNotVisible: "1",
    });

    const deleted = await awsCli(endpoint, [
      "sqs",
      "delete-message",
      "--queue-url",
      QueueUrl,
      "--receipt-handle",
      message!.ReceiptHandle!,
    ]);
    expect(deleted.exitCode).toBe(0);
    const after = await awsCliJson<{ Attributes: Record<string, string> }>(endpoint, [
      "sqs",
      "get-queue-attributes",
      "--queue-url",
      QueueUrl,
      "--attribute-names",
      "ApproximateNumberOfMessages",
      "ApproximateNumberOfMessagesNotVisible",
    ]);
    expect(after.Attributes).toEqual({
      ApproximateNumberOfMessages: "0",
      ApproximateNumberOfMessagesNotVisible: "0",
    });

    const missing = await awsCli(endpoint, ["sqs", "get-queue-url", "--queue-name", "absent"]);
    expect(missing.exitCode).not.toBe(0);
    expect(missing.stderr).toMatch(/NonExistentQueue|QueueDoesNotExist/);
  });
});
