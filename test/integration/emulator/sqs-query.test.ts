import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, ManualClock, type Emulator } from "../../../src/runtime/emulator/index.js";
import { testAuthorization } from "../../helpers/raw-aws.js";

/**
 * The query protocol older SDKs and CLIs speak: form-encoded `Action=<Op>&Version=2012-11-05`
 * with SQS's flattened parameter names, XML answers with flattened lists (aws-behaviour.md §6.5).
 */
const ACCOUNT = "000000000000";
const NAMESPACE = "http://queue.amazonaws.com/doc/2012-11-05/";

const md5 = (text: string) => createHash("md5").update(text, "utf8").digest("hex");

interface QueryAnswer {
  status: number;
  contentType: string | null;
  xml: string;
}

describe("sqs (query protocol)", () => {
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["sqs"], clock: new ManualClock() });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  async function query(params: Record<string, string>, path = "/"): Promise<QueryAnswer> {
    const response = await fetch(`${emulator.url}${path}`, {
      method: "POST",
      headers: {
        authorization: testAuthorization(),
        "content-type": "application/x-www-form-urlencoded; charset=utf-8",
      },
      body: new URLSearchParams({ Version: "2012-11-05", ...params }).toString(),
    });
    return {
      status: response.status,
      contentType: response.headers.get("content-type"),
      xml: await response.text(),
    };
  }

  /** Text of every `<name>…</name>` element, in document order. */
  function all(xml: string, name: string): string[] {
    return [...xml.matchAll(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`, "g"))].map((m) => m[1]!);
  }

  function one(xml: string, name: string): string {
    const values = all(xml, name);
    expect(values, `<${name}> in ${xml}`).toHaveLength(1);
    return values[0]!;
  }

  async function createQueue(name: string, attributes: Record<string, string> = {}): Promise<string> {
    const params: Record<string, string> = { Action: "CreateQueue", QueueName: name };
    Object.entries(attributes).forEach(([key, value], i) => {
      params[`Attribute.${i + 1}.Name`] = key;
      params[`Attribute.${i + 1}.Value`] = value;
    });
    const answer = await query(params);
    expect(answer.status).toBe(200);
    return one(answer.xml, "QueueUrl");
  }

  it("CreateQueue: Attribute.N.Name/Value and Tag.N.Key/Value; answer wrapped in CreateQueueResult", async () => {
    // Act
    const answer = await query({
      Action: "CreateQueue",
      QueueName: "query-orders",
      "Attribute.1.Name": "VisibilityTimeout",
      "Attribute.1.Value": "45",
      "Tag.1.Key": "team",
      "Tag.1.Value": "data",
    });

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe("text/xml");
    expect(answer.xml).toMatch(
      new RegExp(
        `^<\\?xml version="1.0"\\?><CreateQueueResponse xmlns="${NAMESPACE}"><CreateQueueResult>` +
          `<QueueUrl>${emulator.url}/${ACCOUNT}/query-orders</QueueUrl></CreateQueueResult>` +
          `<ResponseMetadata><RequestId>[0-9a-f-]{36}</RequestId></ResponseMetadata></CreateQueueResponse>$`,
      ),
    );
    const url = one(answer.xml, "QueueUrl");
    const tags = await query({ Action: "ListQueueTags", QueueUrl: url });
    expect(one(tags.xml, "ListQueueTagsResult")).toBe("<Tag><Key>team</Key><Value>data</Value></Tag>");

    // The same queue through the JSON protocol.
    const sqs = new SQSClient({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    const attributes = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["VisibilityTimeout"] }),
    );
    sqs.destroy();
    expect(attributes.Attributes).toEqual({ VisibilityTimeout: "45" });
  });

  it("errors: ErrorResponse with the legacy code, Sender type and the query wording", async () => {
    const missing = await query({ Action: "GetQueueUrl", QueueName: "no-such-queue" });
    expect(missing.status).toBe(400);
    expect(missing.contentType).toBe("text/xml");
    expect(missing.xml).toMatch(
      new RegExp(
        `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>Sender</Type>` +
          "<Code>AWS.SimpleQueueService.NonExistentQueue</Code>" +
          "<Message>The specified queue does not exist for this wsdl version.</Message><Detail/></Error>" +
          "<RequestId>[0-9a-f-]{36}</RequestId></ErrorResponse>",
      ),
    );

    const url = await createQueue("query-errors");
    const conflict = await query({
      Action: "CreateQueue",
      QueueName: "query-errors",
      "Attribute.1.Name": "DelaySeconds",
      "Attribute.1.Value": "5",
    });
    expect(one(conflict.xml, "Code")).toBe("QueueAlreadyExists");

    const badHandle = await query({ Action: "DeleteMessage", QueueUrl: url, ReceiptHandle: "garbage" });
    expect(badHandle.status).toBe(404);
    expect(one(badHandle.xml, "Code")).toBe("ReceiptHandleIsInvalid");

    const tooMany = await query({ Action: "ReceiveMessage", QueueUrl: url, MaxNumberOfMessages: "11" });
    expect(tooMany.status).toBe(400);
    expect(one(tooMany.xml, "Code")).toBe("InvalidParameterValue");

    const empty = await query({ Action: "SendMessageBatch", QueueUrl: url });
    expect(one(empty.xml, "Code")).toBe("AWS.SimpleQueueService.EmptyBatchRequest");

    const unknown = await query({ Action: "FlyToTheMoon" });
    expect(unknown.status).toBe(400);
    expect(one(unknown.xml, "Code")).toBe("InvalidAction");

    const missingParameter = await query({ Action: "SendMessage", QueueUrl: url });
    expect(one(missingParameter.xml, "Code")).toBe("MissingParameter");
    expect(one(missingParameter.xml, "Message")).toBe("The request must contain the parameter MessageBody.");
  });

  it("ListQueues: one flattened QueueUrl element per queue", async () => {
    await createQueue("listq-1");
    await createQueue("listq-2");
    const answer = await query({ Action: "ListQueues", QueueNamePrefix: "listq-" });
    expect(one(answer.xml, "ListQueuesResult")).toBe(
      `<QueueUrl>${emulator.url}/${ACCOUNT}/listq-1</QueueUrl><QueueUrl>${emulator.url}/${ACCOUNT}/listq-2</QueueUrl>`,
    );
    const none = await query({ Action: "ListQueues", QueueNamePrefix: "nothing-" });
    expect(none.xml).toContain("<ListQueuesResult></ListQueuesResult>");
  });

  it("SendMessage to the queue URL path without QueueUrl; ReceiveMessage renders Message, Attribute and MessageAttribute", async () => {
    // Prepare
    const url = await createQueue("query-messages");
    const path = new URL(url).pathname;

    // Act
    const sent = await query(
      {
        Action: "SendMessage",
        MessageBody: "<b>fish & chips</b>",
        "MessageAttribute.1.Name": "timestamp",
        "MessageAttribute.1.Value.DataType": "Number",
        "MessageAttribute.1.Value.StringValue": "1493147359900",
        "MessageAttribute.2.Name": "blob",
        "MessageAttribute.2.Value.DataType": "Binary",
        "MessageAttribute.2.Value.BinaryValue": Buffer.from([1, 2, 3]).toString("base64"),
      },
      path,
    );
    const received = await query(
      {
        Action: "ReceiveMessage",
        "AttributeName.1": "All",
        "MessageAttributeName.1": "timestamp",
        MaxNumberOfMessages: "5",
      },
      path,
    );

    // Assess
    expect(sent.status).toBe(200);
    const messageId = one(sent.xml, "MessageId");
    expect(one(sent.xml, "MD5OfMessageBody")).toBe(md5("<b>fish & chips</b>"));
    expect(one(sent.xml, "MD5OfMessageAttributes")).toMatch(/^[0-9a-f]{32}$/);

    const message = one(received.xml, "Message");
    expect(one(message, "MessageId")).toBe(messageId);
    expect(one(message, "Body")).toBe("&lt;b&gt;fish &amp; chips&lt;/b&gt;");
    expect(one(message, "MD5OfBody")).toBe(md5("<b>fish & chips</b>"));
    expect(one(message, "ReceiptHandle")).toMatch(/^[A-Za-z0-9+/=]+$/);
    const attributes = Object.fromEntries(
      all(message, "Attribute").map((a) => [one(a, "Name"), one(a, "Value")]),
    );
    expect(Object.keys(attributes).sort()).toEqual([
      "ApproximateFirstReceiveTimestamp",
      "ApproximateReceiveCount",
      "SenderId",
      "SentTimestamp",
    ]);
    expect(attributes["ApproximateReceiveCount"]).toBe("1");
    expect(one(message, "MessageAttribute")).toBe(
      "<Name>timestamp</Name><Value><DataType>Number</DataType><StringValue>1493147359900</StringValue></Value>",
    );
    // The digest covers only the attributes returned: the moto/AWS vector for this one attribute.
    expect(one(message, "MD5OfMessageAttributes")).toBe("235c5c510d26fb653d073faed50ae77c");

    const empty = await query({ Action: "ReceiveMessage", QueueUrl: url });
    expect(empty.xml).toContain("<ReceiveMessageResult></ReceiveMessageResult>");
  });

  it("batches: SendMessageBatchRequestEntry.N in, SendMessageBatchResultEntry and BatchResultErrorEntry out", async () => {
    const url = await createQueue("query-batches");
    const sent = await query({
      Action: "SendMessageBatch",
      QueueUrl: url,
      "SendMessageBatchRequestEntry.1.Id": "good",
      "SendMessageBatchRequestEntry.1.MessageBody": "hello",
      "SendMessageBatchRequestEntry.1.MessageAttribute.1.Name": "k",
      "SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType": "String",
      "SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue": "v",
      "SendMessageBatchRequestEntry.2.Id": "bad",
      "SendMessageBatchRequestEntry.2.MessageBody": "x",
      "SendMessageBatchRequestEntry.2.DelaySeconds": "901",
    });
    expect(sent.status).toBe(200);
    const success = one(sent.xml, "SendMessageBatchResultEntry");
    expect(one(success, "Id")).toBe("good");
    expect(one(success, "MD5OfMessageBody")).toBe("5d41402abc4b2a76b9719d911017c592");
    expect(one(success, "MD5OfMessageAttributes")).toMatch(/^[0-9a-f]{32}$/);
    const failed = one(sent.xml, "BatchResultErrorEntry");
    expect(failed).toMatch(
      /^<Id>bad<\/Id><SenderFault>true<\/SenderFault><Code>InvalidParameterValue<\/Code><Message>.+<\/Message>$/,
    );

    const received = await query({
      Action: "ReceiveMessage",
      QueueUrl: url,
      "MessageAttributeName.1": "All",
    });
    const handle = one(received.xml, "ReceiptHandle");
    const changed = await query({
      Action: "ChangeMessageVisibilityBatch",
      QueueUrl: url,
      "ChangeMessageVisibilityBatchRequestEntry.1.Id": "c1",
      "ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle": handle,
      "ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout": "60",
    });
    expect(one(changed.xml, "ChangeMessageVisibilityBatchResult")).toBe(
      "<ChangeMessageVisibilityBatchResultEntry><Id>c1</Id></ChangeMessageVisibilityBatchResultEntry>",
    );
    const deleted = await query({
      Action: "DeleteMessageBatch",
      QueueUrl: url,
      "DeleteMessageBatchRequestEntry.1.Id": "d1",
      "DeleteMessageBatchRequestEntry.1.ReceiptHandle": handle,
      "DeleteMessageBatchRequestEntry.2.Id": "d2",
      "DeleteMessageBatchRequestEntry.2.ReceiptHandle": "junk",
    });
    expect(one(deleted.xml, "DeleteMessageBatchResultEntry")).toBe("<Id>d1</Id>");
    expect(one(one(deleted.xml, "BatchResultErrorEntry"), "Code")).toBe("ReceiptHandleIsInvalid");
  });

  it("GetQueueAttributes: AttributeName.N in, flattened Attribute Name/Value out; SetQueueAttributes has no result", async () => {
    const url = await createQueue("query-attributes");
    const set = await query({
      Action: "SetQueueAttributes",
      QueueUrl: url,
      "Attribute.1.Name": "DelaySeconds",
      "Attribute.1.Value": "7",
    });
    expect(set.xml).toMatch(
      new RegExp(
        `^<\\?xml version="1.0"\\?><SetQueueAttributesResponse xmlns="${NAMESPACE}"><ResponseMetadata>`,
      ),
    );
    const answer = await query({
      Action: "GetQueueAttributes",
      QueueUrl: url,
      "AttributeName.1": "DelaySeconds",
      "AttributeName.2": "QueueArn",
    });
    expect(one(answer.xml, "GetQueueAttributesResult")).toBe(
      `<Attribute><Name>DelaySeconds</Name><Value>7</Value></Attribute>` +
        `<Attribute><Name>QueueArn</Name><Value>arn:aws:sqs:us-east-1:${ACCOUNT}:query-attributes</Value></Attribute>`,
    );
    const unknown = await query({ Action: "GetQueueAttributes", QueueUrl: url, "AttributeName.1": "Colour" });
    expect(one(unknown.xml, "Code")).toBe("InvalidAttributeName");
  });

  it("DeleteMessage / DeleteQueue / PurgeQueue answer with ResponseMetadata only", async () => {
    const url = await createQueue("query-deletes");
    await query({ Action: "SendMessage", QueueUrl: url, MessageBody: "m" });
    const received = await query({ Action: "ReceiveMessage", QueueUrl: url });
    const deleted = await query({
      Action: "DeleteMessage",
      QueueUrl: url,
      ReceiptHandle: one(received.xml, "ReceiptHandle"),
    });
    expect(deleted.xml).toMatch(
      new RegExp(
        `^<\\?xml version="1.0"\\?><DeleteMessageResponse xmlns="${NAMESPACE}"><ResponseMetadata><RequestId>[0-9a-f-]{36}</RequestId></ResponseMetadata></DeleteMessageResponse>$`,
      ),
    );
    const purged = await query({ Action: "PurgeQueue", QueueUrl: url });
    expect(purged.xml).toContain("<PurgeQueueResponse");
    const gone = await query({ Action: "DeleteQueue" }, new URL(url).pathname);
    expect(gone.status).toBe(200);
    expect(gone.xml).toContain("<DeleteQueueResponse");
    const after = await query({ Action: "GetQueueUrl", QueueName: "query-deletes" });
    expect(one(after.xml, "Code")).toBe("AWS.SimpleQueueService.NonExistentQueue");
  });

  it("redrive listings: ListDeadLetterSourceQueues and ListMessageMoveTasks use their flattened element names", async () => {
    const dlqUrl = await createQueue("query-dlq");
    const dlqArn = `arn:aws:sqs:us-east-1:${ACCOUNT}:query-dlq`;
    const sourceUrl = await createQueue("query-source", {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 }),
    });
    const sources = await query({ Action: "ListDeadLetterSourceQueues", QueueUrl: dlqUrl });
    expect(one(sources.xml, "ListDeadLetterSourceQueuesResult")).toBe(`<QueueUrl>${sourceUrl}</QueueUrl>`);

    const started = await query({ Action: "StartMessageMoveTask", SourceArn: dlqArn });
    expect(one(started.xml, "TaskHandle")).toMatch(/^[A-Za-z0-9+/=]+$/);
    const tasks = await query({ Action: "ListMessageMoveTasks", SourceArn: dlqArn });
    const entry = one(tasks.xml, "ListMessageMoveTasksResultEntry");
    expect(one(entry, "Status")).toBe("RUNNING");
    expect(one(entry, "SourceArn")).toBe(dlqArn);
    expect(one(entry, "ApproximateNumberOfMessagesToMove")).toBe("0");
  });

  it("GET with the parameters in the query string works too", async () => {
    const url = await createQueue("query-get");
    const response = await fetch(
      `${emulator.url}/?${new URLSearchParams({ Action: "GetQueueUrl", Version: "2012-11-05", QueueName: "query-get" })}`,
      { headers: { authorization: testAuthorization() } },
    );
    expect(response.status).toBe(200);
    expect(one(await response.text(), "QueueUrl")).toBe(url);
  });
});
