import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  InvalidAttributeName,
  InvalidAttributeValue,
  QueueDoesNotExist,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  SQSServiceException,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../../src/runtime/emulator/index.js";
import { awsCli, awsCliAvailable, awsCliJson } from "../../helpers/aws-cli.js";
import { testAuthorization } from "../../helpers/raw-aws.js";

/**
 * SQS answers as the SQS API reference and developer guide document them: attribute names and
 * ranges checked at CreateQueue and SetQueueAttributes (InvalidAttributeName "Unknown Attribute X.",
 * InvalidAttributeValue "Invalid value for the parameter X."), a queue name accepted where a
 * QueueUrl is expected, a malformed queue URL answered 400 QueueDoesNotExist
 * (AWS.SimpleQueueService.NonExistentQueue on the query protocol), ReceiptHandleIsInvalid (404) for
 * a handle SQS never issued, and FIFO sends without MessageGroupId refused.
 */
const credentials = { accessKeyId: "test", secretAccessKey: "test" };

async function failure(send: Promise<unknown>): Promise<SQSServiceException> {
  try {
    await send;
  } catch (error) {
    expect(error).toBeInstanceOf(SQSServiceException);
    return error as SQSServiceException;
  }
  throw new Error("expected the call to fail");
}

/** Each integer attribute with its documented range (SQS API reference, SetQueueAttributes). */
const RANGES: [string, number, number][] = [
  ["DelaySeconds", 0, 900],
  ["MaximumMessageSize", 1_024, 1_048_576],
  ["MessageRetentionPeriod", 60, 1_209_600],
  ["ReceiveMessageWaitTimeSeconds", 0, 20],
  ["VisibilityTimeout", 0, 43_200],
  ["KmsDataKeyReusePeriodSeconds", 60, 86_400],
];

describe("sqs conformance (JSON protocol, SDK v3)", () => {
  let emulator: Emulator;
  let sqs: SQSClient;

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["sqs"] });
    sqs = new SQSClient({ endpoint: emulator.url, region: "us-east-1", credentials, maxAttempts: 1 });
  });
  afterAll(async () => {
    sqs.destroy();
    await emulator.stop();
  });

  it.each(RANGES)(
    "CreateQueue: %s outside %i..%i is InvalidAttributeValue naming the attribute",
    async (name, min, max) => {
      for (const value of [String(min - 1), String(max + 1), "ten", ""]) {
        const error = await failure(
          sqs.send(new CreateQueueCommand({ QueueName: "ranges", Attributes: { [name]: value } })),
        );
        expect(error).toBeInstanceOf(InvalidAttributeValue);
        expect(error.message).toBe(`Invalid value for the parameter ${name}.`);
        expect(error.$metadata.httpStatusCode).toBe(400);
      }
      const { QueueUrl } = await sqs.send(
        new CreateQueueCommand({ QueueName: `bounds-${name}`, Attributes: { [name]: String(max) } }),
      );
      const out = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: [name as "All"] }),
      );
      expect(out.Attributes).toEqual({ [name]: String(max) });
    },
  );

  it("CreateQueue: unknown and FIFO-only attributes on a standard queue are InvalidAttributeName", async () => {
    for (const [name, value] of [
      ["Colour", "blue"],
      ["FifoQueue", "false"],
      ["ContentBasedDeduplication", "true"],
      ["DeduplicationScope", "queue"],
      ["FifoThroughputLimit", "perQueue"],
    ] as const) {
      const error = await failure(
        sqs.send(new CreateQueueCommand({ QueueName: "standard", Attributes: { [name]: value } })),
      );
      expect(error).toBeInstanceOf(InvalidAttributeName);
      expect(error.message).toBe(`Unknown Attribute ${name}.`);
    }
  });

  it("CreateQueue: FifoQueue=true needs a .fifo name; FIFO attributes are validated by value", async () => {
    const name = await failure(
      sqs.send(new CreateQueueCommand({ QueueName: "orders", Attributes: { FifoQueue: "true" } })),
    );
    expect(name.name).toBe("InvalidParameterValue");
    expect(name.message).toBe(
      "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.",
    );
    const scope = await failure(
      sqs.send(
        new CreateQueueCommand({
          QueueName: "orders.fifo",
          Attributes: { FifoQueue: "true", DeduplicationScope: "account" },
        }),
      ),
    );
    expect(scope).toBeInstanceOf(InvalidAttributeValue);
    expect(scope.message).toBe("Invalid value for the parameter DeduplicationScope.");
  });

  it("SetQueueAttributes: read-only and unknown names, bad values, a Policy that is not JSON", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "settable" }));
    const readOnly = await failure(
      sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { ApproximateNumberOfMessages: "1" } })),
    );
    expect(readOnly).toBeInstanceOf(InvalidAttributeName);
    expect(readOnly.message).toBe("Unknown Attribute ApproximateNumberOfMessages.");
    const fifo = await failure(
      sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { FifoQueue: "true" } })),
    );
    expect(fifo.message).toBe("Unknown Attribute FifoQueue.");
    const range = await failure(
      sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: "43201" } })),
    );
    expect(range.message).toBe("Invalid value for the parameter VisibilityTimeout.");
    const policy = await failure(
      sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: "{not json" } })),
    );
    expect(policy).toBeInstanceOf(InvalidAttributeValue);
    expect(policy.message).toBe("Invalid value for the parameter Policy.");
    const unchanged = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["VisibilityTimeout", "Policy"] }),
    );
    expect(unchanged.Attributes).toEqual({ VisibilityTimeout: "30" });
  });

  it("a malformed queue URL is 400 QueueDoesNotExist, not InvalidAddress", async () => {
    for (const QueueUrl of ["https://sqs.us-east-1.amazonaws.com/not-an-account/q", "not a queue", "a/b/c"]) {
      const error = await failure(
        sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] })),
      );
      expect(error).toBeInstanceOf(QueueDoesNotExist);
      expect(error.$metadata.httpStatusCode).toBe(400);
      expect(error.message).toBe("The specified queue does not exist.");
    }
    const raw = await fetch(emulator.url, {
      method: "POST",
      headers: {
        authorization: testAuthorization(),
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": "AmazonSQS.SendMessage",
        "x-amzn-query-mode": "true",
      },
      body: JSON.stringify({ QueueUrl: "::garbage::", MessageBody: "x" }),
    });
    expect(raw.status).toBe(400);
    expect(raw.headers.get("x-amzn-query-error")).toBe("AWS.SimpleQueueService.NonExistentQueue;Sender");
    expect(((await raw.json()) as { __type: string }).__type).toBe("com.amazonaws.sqs#QueueDoesNotExist");
  });

  it("a queue name where a QueueUrl is expected addresses the caller's queue", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "by-name" }));
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: "by-name", MessageBody: "hello" }));
    expect(sent.MessageId).toBeDefined();
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1 }));
    expect(received.Messages?.[0]?.Body).toBe("hello");
    const attributes = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: "by-name", AttributeNames: ["QueueArn"] }),
    );
    expect(attributes.Attributes?.["QueueArn"]).toBe("arn:aws:sqs:us-east-1:000000000000:by-name");
    const absent = await failure(
      sqs.send(new SendMessageCommand({ QueueUrl: "no-such-name", MessageBody: "x" })),
    );
    expect(absent).toBeInstanceOf(QueueDoesNotExist);
  });

  it("receipt handles SQS never issued are ReceiptHandleIsInvalid (404) for delete and visibility", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "handles" }));
    const deleted = await failure(sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: "forged" })));
    expect(deleted).toBeInstanceOf(ReceiptHandleIsInvalid);
    expect(deleted.$metadata.httpStatusCode).toBe(404);
    expect(deleted.message).toBe('The input receipt handle "forged" is not a valid receipt handle.');
    const changed = await failure(
      sqs.send(
        new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: "forged", VisibilityTimeout: 5 }),
      ),
    );
    expect(changed).toBeInstanceOf(ReceiptHandleIsInvalid);
  });

  it("FIFO: SendMessage without MessageGroupId is MissingParameter; a batch with one fails whole", async () => {
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({
        QueueName: "groups.fifo",
        Attributes: { FifoQueue: "true", ContentBasedDeduplication: "true" },
      }),
    );
    const single = await failure(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x" })));
    expect(single.name).toBe("MissingParameter");
    expect(single.message).toBe("The request must contain the parameter MessageGroupId.");
    const batch = await failure(
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl,
          Entries: [
            { Id: "a", MessageBody: "a", MessageGroupId: "g" },
            { Id: "b", MessageBody: "b" },
          ],
        }),
      ),
    );
    expect(batch.name).toBe("InvalidParameterValue");
    expect(batch.message).toBe("The request must contain the parameter MessageGroupId.");
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    expect(received.Messages).toBeUndefined();
  });
});

describe("sqs conformance (query protocol)", () => {
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["sqs"] });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  async function query(params: Record<string, string>): Promise<{ status: number; xml: string }> {
    const response = await fetch(emulator.url, {
      method: "POST",
      headers: {
        authorization: testAuthorization(),
        "content-type": "application/x-www-form-urlencoded; charset=utf-8",
      },
      body: new URLSearchParams({ Version: "2012-11-05", ...params }).toString(),
    });
    return { status: response.status, xml: await response.text() };
  }
  const element = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

  it("errors carry the query codes: NonExistentQueue for a malformed URL, InvalidAttribute*, ReceiptHandleIsInvalid", async () => {
    const malformed = await query({ Action: "GetQueueAttributes", QueueUrl: "::garbage::" });
    expect(malformed.status).toBe(400);
    expect(element(malformed.xml, "Code")).toBe("AWS.SimpleQueueService.NonExistentQueue");
    expect(element(malformed.xml, "Message")).toBe(
      "The specified queue does not exist for this wsdl version.",
    );

    const range = await query({
      Action: "CreateQueue",
      QueueName: "q",
      "Attribute.1.Name": "ReceiveMessageWaitTimeSeconds",
      "Attribute.1.Value": "21",
    });
    expect(range.status).toBe(400);
    expect(element(range.xml, "Code")).toBe("InvalidAttributeValue");
    expect(element(range.xml, "Message")).toBe(
      "Invalid value for the parameter ReceiveMessageWaitTimeSeconds.",
    );

    const unknown = await query({
      Action: "CreateQueue",
      QueueName: "q",
      "Attribute.1.Name": "FifoQueue",
      "Attribute.1.Value": "false",
    });
    expect(element(unknown.xml, "Code")).toBe("InvalidAttributeName");
    expect(element(unknown.xml, "Message")).toBe("Unknown Attribute FifoQueue.");

    const created = await query({ Action: "CreateQueue", QueueName: "query-handles" });
    const url = element(created.xml, "QueueUrl")!;
    const handle = await query({ Action: "DeleteMessage", QueueUrl: url, ReceiptHandle: "forged" });
    expect(handle.status).toBe(404);
    expect(element(handle.xml, "Code")).toBe("ReceiptHandleIsInvalid");

    const byName = await query({ Action: "SendMessage", QueueUrl: "query-handles", MessageBody: "named" });
    expect(byName.status).toBe(200);
    expect(element(byName.xml, "MessageId")).toBeDefined();
  });
});

describe.skipIf(!awsCliAvailable)("sqs conformance through the AWS CLI", () => {
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["sqs"] });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it("refusals name AWS's codes; a queue name works as --queue-url", async () => {
    const range = await awsCli(emulator.url, [
      "sqs",
      "create-queue",
      "--queue-name",
      "cli",
      "--attributes",
      "MessageRetentionPeriod=59",
    ]);
    expect(range.exitCode).not.toBe(0);
    expect(range.stderr).toMatch(
      /InvalidAttributeValue.*Invalid value for the parameter MessageRetentionPeriod\./,
    );

    const fifoFlag = await awsCli(emulator.url, [
      "sqs",
      "create-queue",
      "--queue-name",
      "cli",
      "--attributes",
      "FifoQueue=false",
    ]);
    expect(fifoFlag.stderr).toMatch(/InvalidAttributeName.*Unknown Attribute FifoQueue\./);

    await awsCliJson(emulator.url, ["sqs", "create-queue", "--queue-name", "cli"]);
    const sent = await awsCliJson<{ MessageId: string }>(emulator.url, [
      "sqs",
      "send-message",
      "--queue-url",
      "cli",
      "--message-body",
      "by name",
    ]);
    expect(sent.MessageId).toBeDefined();

    const malformed = await awsCli(emulator.url, [
      "sqs",
      "get-queue-attributes",
      "--queue-url",
      "::garbage::",
    ]);
    expect(malformed.exitCode).not.toBe(0);
    expect(malformed.stderr).toMatch(/NonExistentQueue|QueueDoesNotExist/);

    const forged = await awsCli(emulator.url, [
      "sqs",
      "delete-message",
      "--queue-url",
      "cli",
      "--receipt-handle",
      "forged",
    ]);
    expect(forged.stderr).toMatch(/ReceiptHandleIsInvalid/);
  });
});
