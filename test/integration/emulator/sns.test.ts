import { createHash, verify } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import AdmZip from "adm-zip";
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  LambdaClient,
  waitUntilFunctionActiveV2,
} from "@aws-sdk/client-lambda";
import {
  AddPermissionCommand as AddTopicPermissionCommand,
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  DeleteTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListTagsForResourceCommand,
  ListTopicsCommand,
  PublishBatchCommand,
  PublishCommand,
  RemovePermissionCommand,
  SetSubscriptionAttributesCommand,
  SetTopicAttributesCommand,
  SNSClient,
  SubscribeCommand,
  TagResourceCommand,
  UnsubscribeCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, ManualClock, type Emulator } from "../../../src/runtime/emulator/index.js";
import { AWS_CLI_SERVICE_ERROR_EXIT, awsCli, awsCliAvailable, awsCliJson } from "../../helpers/aws-cli.js";

/**
 * SNS in the emulator, written from AWS's SNS documentation (API reference, message formats,
 * delivery retries, dead-letter queues, filter policies): the JS SDK v3 (query protocol) and the
 * AWS CLI (v1 or v2, whichever is on PATH) against one emulator over HTTP.
 */

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const ACCOUNT = "000000000000";

async function waitFor<T>(
  read: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting for the condition");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** An HTTP endpoint that records every POST and answers with the next status of `statuses` (then 200). */
class Endpoint {
  readonly received: Received[] = [];
  statuses: number[] = [];
  private server!: Server;
  url = "";

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        this.received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
        res.writeHead(this.statuses.shift() ?? 200).end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  messages(type: string): Record<string, unknown>[] {
    return this.received
      .filter((r) => r.headers["x-amz-sns-message-type"] === type)
      .map((r) => JSON.parse(r.body) as Record<string, unknown>);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function snsAllowPolicy(queueArn: string, topicArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "sns.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: queueArn,
        Condition: { ArnEquals: { "aws:SourceArn": topicArn } },
      },
    ],
  });
}

/** Verifies an envelope's Signature with the certificate its SigningCertURL serves (SignatureVersion 1 or 2). */
async function signatureValid(envelope: Record<string, unknown>): Promise<boolean> {
  const cert = await (await fetch(String(envelope["SigningCertURL"]))).text();
  const fields =
    envelope["Type"] === "Notification"
      ? ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
      : ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"];
  const text = fields
    .filter((f) => envelope[f] !== undefined)
    .map((f) => `${f}\n${String(envelope[f])}\n`)
    .join("");
  const algorithm = envelope["SignatureVersion"] === "2" ? "sha256" : "sha1";
  return verify(algorithm, Buffer.from(text), cert, Buffer.from(String(envelope["Signature"]), "base64"));
}

describe("emulator: SNS (JS SDK v3, query protocol)", () => {
  let emulator: Emulator;
  let sns: SNSClient;
  let sqs: SQSClient;
  let endpoint: Endpoint;

  beforeAll(async () => {
    // AWS waits 20 s between HTTP retries; 1/1000 makes that 20 ms.
    emulator = await createEmulator({
      services: ["sqs", "sns", "cloudwatch"],
      settings: { retryWaitScale: 0.001 },
    });
    sns = new SNSClient({ endpoint: emulator.url, region: "us-east-1", credentials });
    sqs = new SQSClient({ endpoint: emulator.url, region: "us-east-1", credentials });
    endpoint = new Endpoint();
    await endpoint.start();
  });
  afterAll(async () => {
    sns.destroy();
    sqs.destroy();
    await endpoint.stop();
    await emulator.stop();
  });

  async function topic(name: string): Promise<string> {
    return (await sns.send(new CreateTopicCommand({ Name: name }))).TopicArn!;
  }

  async function queue(name: string, topicArn?: string): Promise<{ url: string; arn: string }> {
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
    const arn = `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;
    if (topicArn) {
      await sqs.send(
        new (await import("@aws-sdk/client-sqs")).SetQueueAttributesCommand({
          QueueUrl: url,
          Attributes: { Policy: snsAllowPolicy(arn, topicArn) },
        }),
      );
    }
    return { url, arn };
  }

  async function receive(url: string, wait = 1): Promise<Message[]> {
    return (
      (
        await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: url,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: wait,
            MessageAttributeNames: ["All"],
          }),
        )
      ).Messages ?? []
    );
  }

  async function depth(url: string): Promise<number> {
    const attributes = (
      await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        }),
      )
    ).Attributes!;
    return (
      Number(attributes.ApproximateNumberOfMessages) +
      Number(attributes.ApproximateNumberOfMessagesNotVisible)
    );
  }

  describe("topics", () => {
    it("CreateTopic is idempotent and names the topic in the caller's region and account", async () => {
      const first = await topic("alerts");
      expect(first).toBe(`arn:aws:sns:us-east-1:${ACCOUNT}:alerts`);
      expect(await topic("alerts")).toBe(first);
      const listed = (await sns.send(new ListTopicsCommand({}))).Topics?.map((t) => t.TopicArn);
      expect(listed).toContain(first);
    });

    it("CreateTopic refuses a bad name and a FIFO topic the emulator does not serve", async () => {
      await expect(sns.send(new CreateTopicCommand({ Name: "bad name!" }))).rejects.toMatchObject({
        name: "InvalidParameterException",
        message: "Invalid parameter: Topic Name",
        $metadata: { httpStatusCode: 400 },
      });
    });

    it("GetTopicAttributes: owner, counts, default policy and the default HTTP delivery policy", async () => {
      const arn = await topic("attributes");
      const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }));
      expect(Attributes).toMatchObject({
        TopicArn: arn,
        Owner: ACCOUNT,
        SubscriptionsConfirmed: "0",
        SubscriptionsPending: "0",
        SubscriptionsDeleted: "0",
        DisplayName: "",
      });
      const policy = JSON.parse(Attributes!.Policy!) as { Statement: { Action: string[] }[] };
      expect(policy.Statement[0]!.Action).toContain("SNS:Publish");
      const effective = JSON.parse(Attributes!.EffectiveDeliveryPolicy!) as {
        http: { defaultHealthyRetryPolicy: Record<string, unknown> };
      };
      expect(effective.http.defaultHealthyRetryPolicy).toMatchObject({
        numRetries: 3,
        minDelayTarget: 20,
        maxDelayTarget: 20,
        backoffFunction: "linear",
      });
    });

    it("SetTopicAttributes changes DisplayName and refuses an unknown attribute", async () => {
      const arn = await topic("settable");
      await sns.send(
        new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: "DisplayName", AttributeValue: "Ops" }),
      );
      const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }));
      expect(Attributes?.DisplayName).toBe("Ops");
      await expect(
        sns.send(
          new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: "Colour", AttributeValue: "x" }),
        ),
      ).rejects.toMatchObject({
        name: "InvalidParameterException",
        message: "Invalid parameter: AttributeName",
      });
    });

    it("an unknown topic is NotFound (404) and a malformed ARN InvalidParameter", async () => {
      await expect(
        sns.send(new GetTopicAttributesCommand({ TopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:nope` })),
      ).rejects.toMatchObject({
        name: "NotFoundException",
        message: "Topic does not exist",
        $metadata: { httpStatusCode: 404 },
      });
      await expect(sns.send(new PublishCommand({ TopicArn: "nope", Message: "x" }))).rejects.toMatchObject({
        name: "InvalidParameterException",
        message: "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1",
      });
    });

    it("tags: TagResource, ListTagsForResource, UntagResource", async () => {
      const arn = await topic("tagged");
      await sns.send(
        new TagResourceCommand({
          ResourceArn: arn,
          Tags: [
            { Key: "team", Value: "data" },
            { Key: "env", Value: "dev" },
          ],
        }),
      );
      await sns.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ["env"] }));
      expect((await sns.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags).toEqual([
        { Key: "team", Value: "data" },
      ]);
    });

    it("the topic policy: SetTopicAttributes Policy, AddPermission and RemovePermission edit its statements", async () => {
      const arn = await topic("shared");
      const statements = async () =>
        (
          JSON.parse(
            (await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes!.Policy!,
          ) as { Statement: Record<string, unknown>[] }
        ).Statement;
      const own = {
        Sid: "OwnerPublishes",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
        Action: "SNS:Publish",
        Resource: arn,
      };
      await sns.send(
        new SetTopicAttributesCommand({
          TopicArn: arn,
          AttributeName: "Policy",
          AttributeValue: JSON.stringify({ Version: "2012-10-17", Statement: [own] }),
        }),
      );
      expect(await statements()).toEqual([own]);

      // AddPermission appends a statement whose Sid is the label, for the accounts and actions given.
      await sns.send(
        new AddTopicPermissionCommand({
          TopicArn: arn,
          Label: "partner-publish",
          AWSAccountId: ["111122223333"],
          ActionName: ["Publish", "GetTopicAttributes"],
        }),
      );
      expect(await statements()).toEqual([
        own,
        {
          Sid: "partner-publish",
          Effect: "Allow",
          Principal: { AWS: ["arn:aws:iam::111122223333:root"] },
          Action: ["SNS:Publish", "SNS:GetTopicAttributes"],
          Resource: arn,
        },
      ]);
      // A label names one statement: adding it twice is refused, and the policy is unchanged.
      await expect(
        sns.send(
          new AddTopicPermissionCommand({
            TopicArn: arn,
            Label: "partner-publish",
            AWSAccountId: ["444455556666"],
            ActionName: ["Publish"],
          }),
        ),
      ).rejects.toMatchObject({ name: "InvalidParameterException" });
      expect(await statements()).toHaveLength(2);

      await sns.send(new RemovePermissionCommand({ TopicArn: arn, Label: "partner-publish" }));
      expect(await statements()).toEqual([own]);
      await expect(
        sns.send(
          new AddTopicPermissionCommand({
            TopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:nope`,
            Label: "x",
            AWSAccountId: [ACCOUNT],
            ActionName: ["Publish"],
          }),
        ),
      ).rejects.toMatchObject({ name: "NotFoundException" });
    });

    it("DeleteTopic removes the topic and its subscriptions", async () => {
      const arn = await topic("doomed");
      const { arn: qArn } = await queue("doomed-q", arn);
      await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "sqs", Endpoint: qArn }));
      await sns.send(new DeleteTopicCommand({ TopicArn: arn }));
      await expect(sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn }))).rejects.toMatchObject({
        name: "NotFoundException",
      });
    });
  });

  describe("subscriptions and delivery to SQS", () => {
    it("Subscribe refuses a protocol SNS does not know and an endpoint that does not match", async () => {
      const arn = await topic("protocols");
      await expect(
        sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "ftp", Endpoint: "ftp://example.com" })),
      ).rejects.toMatchObject({
        name: "InvalidParameterException",
        message: "Invalid parameter: Amazon SNS does not support this protocol string: ftp",
      });
      await expect(
        sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "https", Endpoint: "http://example.com" })),
      ).rejects.toMatchObject({ message: "Invalid parameter: Endpoint must match the specified protocol" });
      await expect(
        sns.send(
          new SubscribeCommand({
            TopicArn: `${arn}-missing`,
            Protocol: "sqs",
            Endpoint: "arn:aws:sqs:us-east-1:000000000000:q",
          }),
        ),
      ).rejects.toMatchObject({ name: "NotFoundException", message: "Topic does not exist" });
    });

    it("a queue that allows SNS gets the JSON envelope, signed, with the message attributes", async () => {
      const arn = await topic("to-queue");
      const q = await queue("to-queue-q", arn);
      const { SubscriptionArn } = await sns.send(
        new SubscribeCommand({ TopicArn: arn, Protocol: "sqs", Endpoint: q.arn }),
      );
      expect(SubscriptionArn).toMatch(new RegExp(`^${arn}:[0-9a-f-]{36}$`));
      const { MessageId } = await sns.send(
        new PublishCommand({
          TopicArn: arn,
          Subject: "Scraper failed",
          Message: "scraper-tmdb failed 3 times",
          MessageAttributes: { severity: { DataType: "String", StringValue: "high" } },
        }),
      );
      const [message] = await waitFor(async () => {
        const got = await receive(q.url);
        return got.length > 0 ? got : undefined;
      });
      const envelope = JSON.parse(message!.Body!) as Record<string, unknown>;
      expect(envelope).toMatchObject({
        Type: "Notification",
        MessageId,
        TopicArn: arn,
        Subject: "Scraper failed",
        Message: "scraper-tmdb failed 3 times",
        SignatureVersion: "1",
        MessageAttributes: { severity: { Type: "String", Value: "high" } },
      });
      expect(envelope["Timestamp"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(String(envelope["UnsubscribeURL"])).toContain("Action=Unsubscribe");
      expect(await signatureValid(envelope)).toBe(true);
    });

    it("raw message delivery sends the message itself, attributes as SQS message attributes", async () => {
      const arn = await topic("raw");
      const q = await queue("raw-q", arn);
      await sns.send(
        new SubscribeCommand({
          TopicArn: arn,
          Protocol: "sqs",
          Endpoint: q.arn,
          Attributes: { RawMessageDelivery: "true" },
        }),
      );
      await sns.send(
        new PublishCommand({
          TopicArn: arn,
          Message: '{"alarm":"x"}',
          MessageAttributes: { count: { DataType: "Number", StringValue: "3" } },
        }),
      );
      const [message] = await waitFor(async () => {
        const got = await receive(q.url);
        return got.length > 0 ? got : undefined;
      });
      expect(message!.Body).toBe('{"alarm":"x"}');
      expect(message!.MessageAttributes?.["count"]).toMatchObject({ DataType: "Number", StringValue: "3" });
    });

    it("a queue whose policy refuses SNS gets nothing; the subscription's DLQ gets the message", async () => {
      const arn = await topic("refused");
      const refusing = await queue("refusing-q");
      const dlq = await queue("refused-dlq", arn);
      await sns.send(
        new SubscribeCommand({
          TopicArn: arn,
          Protocol: "sqs",
          Endpoint: refusing.arn,
          Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn }) },
        }),
      );
      const { MessageId } = await sns.send(new PublishCommand({ TopicArn: arn, Message: "lost?" }));
      const [dead] = await waitFor(async () => {
        const got = await receive(dlq.url);
        return got.length > 0 ? got : undefined;
      });
      expect(JSON.parse(dead!.Body!)).toMatchObject({ MessageId, Message: "lost?" });
      expect(await depth(refusing.url)).toBe(0);
    });

    it("GetSubscriptionAttributes and SetSubscriptionAttributes, with AWS's validation", async () => {
      const arn = await topic("sub-attributes");
      const q = await queue("sub-attributes-q", arn);
      const { SubscriptionArn } = await sns.send(
        new SubscribeCommand({ TopicArn: arn, Protocol: "sqs", Endpoint: q.arn }),
      );
      const { Attributes } = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }));
      expect(Attributes).toMatchObject({
        SubscriptionArn,
        TopicArn: arn,
        Protocol: "sqs",
        Endpoint: q.arn,
        PendingConfirmation: "false",
        RawMessageDelivery: "false",
        Owner: ACCOUNT,
      });
      await expect(
        sns.send(
          new SetSubscriptionAttributesCommand({
            SubscriptionArn,
            AttributeName: "RawMessageDelivery",
            AttributeValue: "maybe",
          }),
        ),
      ).rejects.toMatchObject({
        message: "Invalid parameter: RawMessageDelivery: Invalid value [maybe]. Must be true or false.",
      });
      await expect(
        sns.send(
          new SetSubscriptionAttributesCommand({
            SubscriptionArn,
            AttributeName: "FilterPolicy",
            AttributeValue: '{"a":{"b":["c"]}}',
          }),
        ),
      ).rejects.toMatchObject({
        message:
          "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy",
      });
      await expect(
        sns.send(
          new GetSubscriptionAttributesCommand({
            SubscriptionArn: `${arn}:00000000-0000-0000-0000-000000000000`,
          }),
        ),
      ).rejects.toMatchObject({ name: "NotFoundException", message: "Subscription does not exist" });
    });
  });

  describe("filter policies", () => {
    it("attribute scope: prefix, numeric range, anything-but, exists", async () => {
      const arn = await topic("filtered");
      const q = await queue("filtered-q", arn);
      await sns.send(
        new SubscribeCommand({
          TopicArn: arn,
          Protocol: "sqs",
          Endpoint: q.arn,
          Attributes: {
            RawMessageDelivery: "true",
            FilterPolicy: JSON.stringify({
              source: [{ prefix: "scraper-" }],
              failures: [{ numeric: [">=", 3, "<", 100] }],
              stage: [{ "anything-but": ["verify"] }],
              ticket: [{ exists: false }],
            }),
          },
        }),
      );
      const publish = (message: string, attributes: Record<string, [string, string]>) =>
        sns.send(
          new PublishCommand({
            TopicArn: arn,
            Message: message,
            MessageAttributes: Object.fromEntries(
              Object.entries(attributes).map(([k, [type, value]]) => [
                k,
                { DataType: type, StringValue: value },
              ]),
            ),
          }),
        );
      await publish("match", {
        source: ["String", "scraper-news"],
        failures: ["Number", "5"],
        stage: ["String", "run"],
      });
      await publish("too few", {
        source: ["String", "scraper-news"],
        failures: ["Number", "2"],
        stage: ["String", "run"],
      });
      await publish("verify", {
        source: ["String", "scraper-news"],
        failures: ["Number", "5"],
        stage: ["String", "verify"],
      });
      await publish("ticketed", {
        source: ["String", "scraper-news"],
        failures: ["Number", "5"],
        stage: ["String", "run"],
        ticket: ["String", "T-1"],
      });
      await publish("no attributes", {});
      await publish("match too", {
        source: ["String", "scraper-tmdb"],
        failures: ["Number", "99.5"],
        stage: ["String", "deploy"],
      });
      const bodies = await waitFor(async () => {
        const got: string[] = [];
        for (let n = 0; n < 5 && got.length < 2; n++)
          got.push(...(await receive(q.url, 0)).map((m) => m.Body!));
        return got.length >= 2 ? got : undefined;
      });
      expect(bodies.sort()).toEqual(["match", "match too"]);
      expect(await depth(q.url)).toBe(2); // the two received, in flight; nothing else arrived
    });

    it("body scope: nested keys and $or", async () => {
      const arn = await topic("body-filtered");
      const q = await queue("body-filtered-q", arn);
      await sns.send(
        new SubscribeCommand({
          TopicArn: arn,
          Protocol: "sqs",
          Endpoint: q.arn,
          Attributes: {
            RawMessageDelivery: "true",
            FilterPolicyScope: "MessageBody",
            FilterPolicy: JSON.stringify({
              $or: [{ alarm: { state: ["ALARM"] } }, { severity: [{ "equals-ignore-case": "critical" }] }],
            }),
          },
        }),
      );
      for (const body of [
        { alarm: { state: "ALARM" } },
        { alarm: { state: "OK" } },
        { severity: "CRITICAL" },
        "not json",
      ]) {
        await sns.send(
          new PublishCommand({
            TopicArn: arn,
            Message: typeof body === "string" ? body : JSON.stringify(body),
          }),
        );
      }
      const bodies = await waitFor(async () => {
        const got: string[] = [];
        for (let n = 0; n < 5 && got.length < 2; n++)
          got.push(...(await receive(q.url, 0)).map((m) => m.Body!));
        return got.length >= 2 ? got : undefined;
      });
      expect(bodies.map((b) => JSON.parse(b) as unknown)).toEqual(
        expect.arrayContaining([{ alarm: { state: "ALARM" } }, { severity: "CRITICAL" }]),
      );
      expect(bodies).toHaveLength(2);
    });

    it("refuses policies AWS refuses", async () => {
      const arn = await topic("bad-filters");
      const q = await queue("bad-filters-q", arn);
      const subscribe = (policy: unknown) =>
        sns.send(
          new SubscribeCommand({
            TopicArn: arn,
            Protocol: "sqs",
            Endpoint: q.arn,
            Attributes: { FilterPolicy: JSON.stringify(policy) },
          }),
        );
      await expect(
        subscribe({ a: ["1"], b: ["1"], c: ["1"], d: ["1"], e: ["1"], f: ["1"] }),
      ).rejects.toMatchObject({
        message:
          "Invalid parameter: Attributes Reason: FilterPolicy: Filter policy can not have more than 5 keys",
      });
      await expect(subscribe({ a: [] })).rejects.toMatchObject({
        message: "Invalid parameter: Attributes Reason: FilterPolicy: Empty arrays are not allowed",
      });
      await expect(subscribe({ a: [{ wildcard: "x*" }] })).rejects.toMatchObject({
        message: "Invalid parameter: Attributes Reason: FilterPolicy: Unrecognized match type wildcard",
      });
      const many = Array.from({ length: 13 }, (_, n) => String(n));
      await expect(subscribe({ a: many, b: many })).rejects.toMatchObject({
        message: "Invalid parameter: Attributes Reason: FilterPolicy: Filter policy is too complex",
      });
    });
  });

  describe("Publish and PublishBatch validation", () => {
    it("Publish refuses what SNS refuses", async () => {
      const arn = await topic("validation");
      await expect(sns.send(new PublishCommand({ TopicArn: arn, Message: "" }))).rejects.toMatchObject({
        name: "InvalidParameterException",
        message: "Invalid parameter: Empty message",
      });
      await expect(
        sns.send(new PublishCommand({ TopicArn: arn, Message: "x", Subject: "s".repeat(101) })),
      ).rejects.toMatchObject({ message: "Invalid parameter: Subject" });
      await expect(
        sns.send(new PublishCommand({ TopicArn: arn, Message: '{"sqs":"a"}', MessageStructure: "json" })),
      ).rejects.toMatchObject({
        message: "Invalid parameter: Message Structure - No default entry in JSON message body",
      });
      await expect(
        sns.send(new PublishCommand({ TopicArn: arn, Message: "x".repeat(262_145) })),
      ).rejects.toMatchObject({ message: "Invalid parameter: Message too long" });
      await expect(
        sns.send(
          new PublishCommand({
            TopicArn: arn,
            Message: "x",
            MessageAttributes: { a: { DataType: "Date", StringValue: "today" } },
          }),
        ),
      ).rejects.toMatchObject({
        name: "InvalidParameterValueException",
        message:
          "The message attribute 'a' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.",
      });
      await expect(sns.send(new PublishCommand({ Message: "x" }))).rejects.toMatchObject({
        message: "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter",
      });
    });

    it("MessageStructure json gives each protocol its own text", async () => {
      const arn = await topic("structured");
      const q = await queue("structured-q", arn);
      await sns.send(
        new SubscribeCommand({
          TopicArn: arn,
          Protocol: "sqs",
          Endpoint: q.arn,
          Attributes: { RawMessageDelivery: "true" },
        }),
      );
      await sns.send(
        new PublishCommand({
          TopicArn: arn,
          MessageStructure: "json",
          Message: JSON.stringify({ default: "for everyone", sqs: "for queues", email: 42 }),
        }),
      );
      const [message] = await waitFor(async () => {
        const got = await receive(q.url);
        return got.length > 0 ? got : undefined;
      });
      expect(message!.Body).toBe("for queues");
    });

    it("PublishBatch: ids, counts and the batch errors", async () => {
      const arn = await topic("batch");
      const q = await queue("batch-q", arn);
      await sns.send(
        new SubscribeCommand({
          TopicArn: arn,
          Protocol: "sqs",
          Endpoint: q.arn,
          Attributes: { RawMessageDelivery: "true" },
        }),
      );
      const result = await sns.send(
        new PublishBatchCommand({
          TopicArn: arn,
          PublishBatchRequestEntries: [
            { Id: "one", Message: "1" },
            { Id: "two", Message: "2", MessageAttributes: { k: { DataType: "String", StringValue: "v" } } },
          ],
        }),
      );
      expect(result.Successful?.map((s) => s.Id)).toEqual(["one", "two"]);
      expect(result.Successful?.every((s) => /^[0-9a-f-]{36}$/.test(s.MessageId!))).toBe(true);
      expect(result.Failed ?? []).toEqual([]);
      await waitFor(async () => ((await depth(q.url)) === 2 ? true : undefined));
      const entries = Array.from({ length: 11 }, (_, n) => ({ Id: `m${n}`, Message: "x" }));
      await expect(
        sns.send(new PublishBatchCommand({ TopicArn: arn, PublishBatchRequestEntries: entries })),
      ).rejects.toMatchObject({ name: "TooManyEntriesInBatchRequestException" });
      await expect(
        sns.send(
          new PublishBatchCommand({
            TopicArn: arn,
            PublishBatchRequestEntries: [
              { Id: "same", Message: "a" },
              { Id: "same", Message: "b" },
            ],
          }),
        ),
      ).rejects.toMatchObject({ name: "BatchEntryIdsNotDistinctException" });
      await expect(
        sns.send(
          new PublishBatchCommand({
            TopicArn: arn,
            PublishBatchRequestEntries: [{ Id: "bad id!", Message: "a" }],
          }),
        ),
      ).rejects.toMatchObject({ name: "InvalidBatchEntryIdException" });
    });
  });

  describe("HTTP/S subscriptions", () => {
    it("the SubscriptionConfirmation handshake, then signed Notification POSTs with SNS's headers", async () => {
      const arn = await topic("webhook");
      const { SubscriptionArn } = await sns.send(
        new SubscribeCommand({ TopicArn: arn, Protocol: "http", Endpoint: endpoint.url }),
      );
      expect(SubscriptionArn).toBe("pending confirmation");
      const confirmation = await waitFor(() =>
        endpoint.messages("SubscriptionConfirmation").find((m) => m["TopicArn"] === arn),
      );
      expect(confirmation).toMatchObject({ Type: "SubscriptionConfirmation", TopicArn: arn });
      expect(String(confirmation["Message"])).toContain(`You have chosen to subscribe to the topic ${arn}`);
      expect(await signatureValid(confirmation)).toBe(true);
      // Nothing is delivered while the subscription is pending.
      await sns.send(new PublishCommand({ TopicArn: arn, Message: "too early" }));
      const listedPending = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn }));
      expect(listedPending.Subscriptions?.[0]?.SubscriptionArn).toBe("PendingConfirmation");
      // Visiting SubscribeURL (a plain, unsigned GET) confirms it.
      const visit = await fetch(String(confirmation["SubscribeURL"]));
      expect(visit.status).toBe(200);
      expect(await visit.text()).toContain("<ConfirmSubscriptionResult><SubscriptionArn>");
      const listed = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn }));
      const subscriptionArn = listed.Subscriptions?.[0]?.SubscriptionArn;
      expect(subscriptionArn).toMatch(new RegExp(`^${arn}:`));

      const { MessageId } = await sns.send(
        new PublishCommand({ TopicArn: arn, Subject: "hi", Message: "hello" }),
      );
      const post = await waitFor(() =>
        endpoint.received.find((r) => r.headers["x-amz-sns-message-id"] === MessageId),
      );
      expect(post.headers).toMatchObject({
        "x-amz-sns-message-type": "Notification",
        "x-amz-sns-topic-arn": arn,
        "x-amz-sns-subscription-arn": subscriptionArn,
        "content-type": "text/plain; charset=UTF-8",
        "user-agent": "Amazon Simple Notification Service Agent",
      });
      const envelope = JSON.parse(post.body) as Record<string, unknown>;
      expect(envelope).toMatchObject({ Type: "Notification", MessageId, Subject: "hi", Message: "hello" });
      expect(await signatureValid(envelope)).toBe(true);
      expect(endpoint.messages("Notification").some((m) => m["Message"] === "too early")).toBe(false);
    });

    it("ConfirmSubscription with a wrong token is refused", async () => {
      const arn = await topic("webhook-token");
      await expect(
        sns.send(new ConfirmSubscriptionCommand({ TopicArn: arn, Token: "nope" })),
      ).rejects.toMatchObject({
        name: "InvalidParameterException",
        message: "Invalid parameter: Token",
      });
    });

    it("a 5xx or 429 is retried (same MessageId), another 4xx is not; after the retries the DLQ gets it", async () => {
      const arn = await topic("webhook-retries");
      const dlq = await queue("webhook-dlq", arn);
      const { SubscriptionArn } = await sns.send(
        new SubscribeCommand({
          TopicArn: arn,
          Protocol: "http",
          Endpoint: endpoint.url,
          ReturnSubscriptionArn: true,
          Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn }) },
        }),
      );
      const confirmation = await waitFor(() =>
        endpoint.messages("SubscriptionConfirmation").find((m) => m["TopicArn"] === arn),
      );
      await sns.send(new ConfirmSubscriptionCommand({ TopicArn: arn, Token: String(confirmation["Token"]) }));
      expect(
        (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes
          ?.PendingConfirmation,
      ).toBe("false");

      // Two 500s, then success: three attempts with one MessageId.
      endpoint.statuses = [500, 503];
      const first = await sns.send(new PublishCommand({ TopicArn: arn, Message: "retried" }));
      await waitFor(() =>
        endpoint.received.filter((r) => r.headers["x-amz-sns-message-id"] === first.MessageId).length === 3
          ? true
          : undefined,
      );

      // 429 (too many requests) is retried as a 5xx is.
      endpoint.statuses = [429];
      const throttled = await sns.send(new PublishCommand({ TopicArn: arn, Message: "throttled" }));
      await waitFor(() =>
        endpoint.received.filter((r) => r.headers["x-amz-sns-message-id"] === throttled.MessageId).length ===
        2
          ? true
          : undefined,
      );

      // Always 500: the first attempt and the default policy's 3 retries, then the DLQ.
      endpoint.statuses = [500, 500, 500, 500];
      const second = await sns.send(new PublishCommand({ TopicArn: arn, Message: "given up" }));
      const [dead] = await waitFor(async () => {
        const got = await receive(dlq.url);
        return got.length > 0 ? got : undefined;
      });
      expect(JSON.parse(dead!.Body!)).toMatchObject({ MessageId: second.MessageId, Message: "given up" });
      expect(
        endpoint.received.filter((r) => r.headers["x-amz-sns-message-id"] === second.MessageId),
      ).toHaveLength(4);

      // A 400 is the endpoint refusing the message: no retry, straight to the DLQ.
      endpoint.statuses = [400];
      const third = await sns.send(new PublishCommand({ TopicArn: arn, Message: "refused" }));
      const [refused] = await waitFor(async () => {
        const got = await receive(dlq.url);
        return got.length > 0 ? got : undefined;
      });
      expect(JSON.parse(refused!.Body!)).toMatchObject({ MessageId: third.MessageId });
      expect(
        endpoint.received.filter((r) => r.headers["x-amz-sns-message-id"] === third.MessageId),
      ).toHaveLength(1);

      // Unsubscribing sends an UnsubscribeConfirmation.
      await sns.send(new UnsubscribeCommand({ SubscriptionArn }));
      await waitFor(() => endpoint.messages("UnsubscribeConfirmation").find((m) => m["TopicArn"] === arn));
    });
  });

  describe("HTTP/S endpoints with credentials in the URL (Basic and Digest access authentication)", () => {
    /** An endpoint that answers 401 with `challenge` until a request carries credentials `check` accepts. */
    class ProtectedEndpoint {
      readonly accepted: Record<string, unknown>[] = [];
      readonly unauthorized: (string | undefined)[] = [];
      private server!: Server;
      port = 0;

      constructor(
        private readonly challenge: string,
        private readonly check: (authorization: string, method: string) => boolean,
      ) {}

      async start(): Promise<void> {
        this.server = createServer((req, res) => {
          const chunks: Buffer[] = [];
          req.on("data", (c: Buffer) => chunks.push(c));
          req.on("end", () => {
            const authorization = req.headers.authorization;
            if (authorization === undefined || !this.check(authorization, req.method ?? "")) {
              this.unauthorized.push(authorization);
              res.writeHead(401, { "www-authenticate": this.challenge }).end();
              return;
            }
            this.accepted.push(JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>);
            res.writeHead(200).end();
          });
        });
        await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
        this.port = (this.server.address() as AddressInfo).port;
      }

      async stop(): Promise<void> {
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
      }
    }

    const md5 = (text: string) => createHash("md5").update(text).digest("hex");

    /** RFC 2617 section 3.2.2: the request digest for qop=auth, computed here from the header's fields. */
    function digestValid(authorization: string, method: string, password: string, nonce: string): boolean {
      if (!authorization.startsWith("Digest ")) return false;
      const f = Object.fromEntries(
        [...authorization.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]+))/g)].map((m) => [m[1]!, m[2] ?? m[3]!]),
      );
      if (f["nonce"] !== nonce || f["qop"] !== "auth" || f["opaque"] !== "op4que") return false;
      const ha1 = md5(`${f["username"]}:${f["realm"]}:${password}`);
      const ha2 = md5(`${method}:${f["uri"]}`);
      return f["response"] === md5(`${ha1}:${nonce}:${f["nc"]}:${f["cnonce"]}:auth:${ha2}`);
    }

    async function confirmAndPublish(arn: string, protectedEndpoint: ProtectedEndpoint, url: string) {
      await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "http", Endpoint: url }));
      const confirmation = await waitFor(() =>
        protectedEndpoint.accepted.find((m) => m["Type"] === "SubscriptionConfirmation"),
      );
      expect((await fetch(String(confirmation["SubscribeURL"]))).status).toBe(200);
      const { MessageId } = await sns.send(new PublishCommand({ TopicArn: arn, Message: "authenticated" }));
      return waitFor(() => protectedEndpoint.accepted.find((m) => m["MessageId"] === MessageId));
    }

    it("Basic: the 401 challenge is answered with the URL's user and password", async () => {
      const expected = `Basic ${Buffer.from("sns-user:pa ss").toString("base64")}`;
      const basic = new ProtectedEndpoint('Basic realm="alerts"', (a) => a === expected);
      await basic.start();
      try {
        const arn = await topic("webhook-basic");
        const delivered = await confirmAndPublish(
          arn,
          basic,
          `http://sns-user:pa%20ss@127.0.0.1:${basic.port}/hook`,
        );
        expect(delivered).toMatchObject({ Type: "Notification", Message: "authenticated" });
        // Each message is first sent without credentials, as SNS waits for the challenge.
        expect(basic.unauthorized.every((a) => a === undefined)).toBe(true);
        expect(basic.unauthorized).toHaveLength(2);
      } finally {
        await basic.stop();
      }
    });

    it("Digest: the response is RFC 2617's for the challenge's nonce (qop=auth, opaque echoed)", async () => {
      const nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
      const digest = new ProtectedEndpoint(
        `Digest realm="alerts@example.com", qop="auth,auth-int", nonce="${nonce}", opaque="op4que"`,
        (a, method) => digestValid(a, method, "s3cret", nonce),
      );
      await digest.start();
      try {
        const arn = await topic("webhook-digest");
        const delivered = await confirmAndPublish(
          arn,
          digest,
          `http://oncall:s3cret@127.0.0.1:${digest.port}/hook?x=1`,
        );
        expect(delivered).toMatchObject({ Type: "Notification", Message: "authenticated" });
      } finally {
        await digest.stop();
      }
    });

    it("a wrong password: the endpoint's second 401 is a refusal, not retried; the subscription stays pending", async () => {
      const basic = new ProtectedEndpoint(
        'Basic realm="alerts"',
        (a) => a === `Basic ${Buffer.from("u:right").toString("base64")}`,
      );
      await basic.start();
      try {
        const arn = await topic("webhook-wrong-password");
        await sns.send(
          new SubscribeCommand({
            TopicArn: arn,
            Protocol: "http",
            Endpoint: `http://u:wrong@127.0.0.1:${basic.port}/hook`,
          }),
        );
        // The confirmation is refused, so the subscription stays pending.
        await waitFor(() =>
          basic.unauthorized.filter((a) => a !== undefined).length === 1 ? true : undefined,
        );
        const { Subscriptions = [] } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn }));
        expect(Subscriptions.map((s) => s.SubscriptionArn)).toEqual(["PendingConfirmation"]);
        expect(basic.accepted).toEqual([]);
        expect(basic.unauthorized).toHaveLength(2);
      } finally {
        await basic.stop();
      }
    });
  });

  describe("email and email-json", () => {
    it("are recorded in the outbox, not sent: confirmation first, notifications once confirmed", async () => {
      const arn = await topic("mail");
      const { SubscriptionArn } = await sns.send(
        new SubscribeCommand({ TopicArn: arn, Protocol: "email", Endpoint: "ops@example.com" }),
      );
      expect(SubscriptionArn).toBe("pending confirmation");
      const outbox = async () =>
        (
          (await (await fetch(`${emulator.url}/_emulator/sns/outbox?to=ops@example.com`)).json()) as {
            Messages: { kind: string; subject: string; body: string }[];
          }
        ).Messages;
      const [confirm] = await waitFor(async () => ((await outbox()).length > 0 ? outbox() : undefined));
      expect(confirm).toMatchObject({
        kind: "SubscriptionConfirmation",
        subject: "AWS Notification - Subscription Confirmation",
      });
      const link = /https?:\/\/\S+/.exec(confirm!.body)![0];
      await fetch(link);
      await sns.send(new PublishCommand({ TopicArn: arn, Subject: "Alarm", Message: "scrapers failing" }));
      const mails = await waitFor(async () => {
        const all = await outbox();
        return all.length >= 2 ? all : undefined;
      });
      expect(mails[1]).toMatchObject({ kind: "Notification", subject: "Alarm" });
      expect(mails[1]!.body).toContain("scrapers failing");
      expect(mails[1]!.body).toContain("Action=Unsubscribe");
    });
  });
});

describe("emulator: SNS delivery timing on the emulator clock (AWS's waits, retryWaitScale 1)", () => {
  it("HTTP retries 20 s apart, three times, as the default delivery policy says", async () => {
    const clock = new ManualClock();
    const emulator = await createEmulator({ services: ["sns"], clock, settings: { retryWaitScale: 1 } });
    const sns = new SNSClient({ endpoint: emulator.url, region: "us-east-1", credentials });
    const endpoint = new Endpoint();
    await endpoint.start();
    try {
      const arn = (await sns.send(new CreateTopicCommand({ Name: "timed" }))).TopicArn!;
      await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "http", Endpoint: endpoint.url }));
      const confirmation = await waitFor(() => endpoint.messages("SubscriptionConfirmation")[0]);
      await sns.send(new ConfirmSubscriptionCommand({ TopicArn: arn, Token: String(confirmation["Token"]) }));
      endpoint.statuses = [500, 500, 500, 500];
      await sns.send(new PublishCommand({ TopicArn: arn, Message: "x" }));
      const attempts = () => endpoint.messages("Notification").length;
      await waitFor(() => (attempts() === 1 ? true : undefined));
      for (const expected of [2, 3, 4]) {
        await clock.advance(19_000);
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(attempts()).toBe(expected - 1);
        await clock.advance(1_000);
        await waitFor(() => (attempts() === expected ? true : undefined));
      }
      await clock.advance(600_000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(attempts()).toBe(4);
    } finally {
      sns.destroy();
      await endpoint.stop();
      await emulator.stop();
    }
  });
});

describe("emulator: SNS to Lambda", () => {
  const dir = mkdtempSync(join(tmpdir(), "sns-lambda-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("invokes a function that lets sns.amazonaws.com invoke it, with the SNS event record", async () => {
    const emulator = await createEmulator({ services: ["sqs", "logs", "lambda", "sns"] });
    const sns = new SNSClient({ endpoint: emulator.url, region: "us-east-1", credentials });
    const lambda = new LambdaClient({ endpoint: emulator.url, region: "us-east-1", credentials });
    try {
      const out = join(dir, "events.jsonl");
      const zip = new AdmZip();
      zip.addFile(
        "index.mjs",
        Buffer.from(
          `import { appendFileSync } from "node:fs";\nexport const handler = async (event) => { appendFileSync(${JSON.stringify(out)}, JSON.stringify(event) + "\\n"); };\n`,
        ),
      );
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: "on-alert",
          Runtime: "nodejs22.x",
          Handler: "index.handler",
          Role: `arn:aws:iam::${ACCOUNT}:role/on-alert`,
          Code: { ZipFile: zip.toBuffer() },
        }),
      );
      await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 60 }, { FunctionName: "on-alert" });
      const arn = (await sns.send(new CreateTopicCommand({ Name: "to-lambda" }))).TopicArn!;
      const functionArn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:on-alert`;
      await lambda.send(
        new AddPermissionCommand({
          FunctionName: "on-alert",
          StatementId: "sns",
          Action: "lambda:InvokeFunction",
          Principal: "sns.amazonaws.com",
          SourceArn: arn,
        }),
      );
      const { SubscriptionArn } = await sns.send(
        new SubscribeCommand({ TopicArn: arn, Protocol: "lambda", Endpoint: functionArn }),
      );
      const { MessageId } = await sns.send(
        new PublishCommand({
          TopicArn: arn,
          Message: "alarm",
          MessageAttributes: { k: { DataType: "String", StringValue: "v" } },
        }),
      );
      const line = await waitFor(
        () => (existsSync(out) ? readFileSync(out, "utf8").trim() : undefined),
        60_000,
      );
      const event = JSON.parse(line) as { Records: Record<string, unknown>[] };
      expect(event.Records[0]).toMatchObject({
        EventSource: "aws:sns",
        EventVersion: "1.0",
        EventSubscriptionArn: SubscriptionArn,
        Sns: {
          Type: "Notification",
          MessageId,
          TopicArn: arn,
          Subject: null,
          Message: "alarm",
          MessageAttributes: { k: { Type: "String", Value: "v" } },
        },
      });
    } finally {
      sns.destroy();
      lambda.destroy();
      await emulator.stop();
    }
  });
});

describe("emulator: SNS persistence", () => {
  it("topics and subscriptions survive a restart", async () => {
    const persistDir = mkdtempSync(join(tmpdir(), "sns-persist-"));
    try {
      let emulator = await createEmulator({ services: ["sns"], persistDir });
      let sns = new SNSClient({ endpoint: emulator.url, region: "us-east-1", credentials });
      const arn = (await sns.send(new CreateTopicCommand({ Name: "kept", Tags: [{ Key: "a", Value: "b" }] })))
        .TopicArn!;
      const { SubscriptionArn } = await sns.send(
        new SubscribeCommand({
          TopicArn: arn,
          Protocol: "email",
          Endpoint: "x@example.com",
          ReturnSubscriptionArn: true,
        }),
      );
      sns.destroy();
      await emulator.stop();
      emulator = await createEmulator({ services: ["sns"], persistDir });
      sns = new SNSClient({ endpoint: emulator.url, region: "us-east-1", credentials });
      const { Attributes } = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }));
      expect(Attributes).toMatchObject({ Protocol: "email", PendingConfirmation: "true" });
      expect((await sns.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags).toEqual([
        { Key: "a", Value: "b" },
      ]);
      sns.destroy();
      await emulator.stop();
    } finally {
      rmSync(persistDir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!awsCliAvailable)("emulator: SNS with the AWS CLI", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await createEmulator({ services: ["sqs", "sns"] });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it("create-topic, subscribe with a filter policy, publish, publish-batch, list-subscriptions-by-topic", async () => {
    const { TopicArn } = await awsCliJson<{ TopicArn: string }>(emulator.url, [
      "sns",
      "create-topic",
      "--name",
      "cli-topic",
    ]);
    expect(TopicArn).toBe(`arn:aws:sns:us-east-1:${ACCOUNT}:cli-topic`);
    const { QueueUrl } = await awsCliJson<{ QueueUrl: string }>(emulator.url, [
      "sqs",
      "create-queue",
      "--queue-name",
      "cli-q",
    ]);
    const queueArn = `arn:aws:sqs:us-east-1:${ACCOUNT}:cli-q`;
    await awsCliJson(emulator.url, [
      "sqs",
      "set-queue-attributes",
      "--queue-url",
      QueueUrl,
      "--attributes",
      JSON.stringify({ Policy: snsAllowPolicy(queueArn, TopicArn) }),
    ]);
    const { SubscriptionArn } = await awsCliJson<{ SubscriptionArn: string }>(emulator.url, [
      "sns",
      "subscribe",
      "--topic-arn",
      TopicArn,
      "--protocol",
      "sqs",
      "--notification-endpoint",
      queueArn,
      "--attributes",
      JSON.stringify({ RawMessageDelivery: "true", FilterPolicy: JSON.stringify({ kind: ["alert"] }) }),
    ]);
    const attributes = await awsCliJson<{ Attributes: Record<string, string> }>(emulator.url, [
      "sns",
      "get-subscription-attributes",
      "--subscription-arn",
      SubscriptionArn,
    ]);
    expect(attributes.Attributes).toMatchObject({
      RawMessageDelivery: "true",
      FilterPolicyScope: "MessageAttributes",
    });
    const published = await awsCliJson<{ MessageId: string }>(emulator.url, [
      "sns",
      "publish",
      "--topic-arn",
      TopicArn,
      "--message",
      "from the cli",
      "--message-attributes",
      JSON.stringify({ kind: { DataType: "String", StringValue: "alert" } }),
    ]);
    expect(published.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    const batch = await awsCliJson<{ Successful: { Id: string }[] }>(emulator.url, [
      "sns",
      "publish-batch",
      "--topic-arn",
      TopicArn,
      "--publish-batch-request-entries",
      JSON.stringify([
        { Id: "a", Message: "filtered out" },
        {
          Id: "b",
          Message: "batched",
          MessageAttributes: { kind: { DataType: "String", StringValue: "alert" } },
        },
      ]),
    ]);
    expect(batch.Successful.map((s) => s.Id)).toEqual(["a", "b"]);
    const received = await waitFor(async () => {
      const { Messages } = await awsCliJson<{ Messages?: { Body: string }[] }>(emulator.url, [
        "sqs",
        "receive-message",
        "--queue-url",
        QueueUrl,
        "--max-number-of-messages",
        "10",
      ]);
      return Messages && Messages.length >= 1 ? Messages : undefined;
    });
    const bodies = received.map((m) => m.Body);
    expect(bodies).toContain("from the cli");
    const listed = await awsCliJson<{ Subscriptions: { SubscriptionArn: string }[] }>(emulator.url, [
      "sns",
      "list-subscriptions-by-topic",
      "--topic-arn",
      TopicArn,
    ]);
    expect(listed.Subscriptions.map((s) => s.SubscriptionArn)).toEqual([SubscriptionArn]);
  }, 120_000);

  it("errors: unknown topic, bad protocol, malformed filter policy", async () => {
    const missing = await awsCli(emulator.url, [
      "sns",
      "publish",
      "--topic-arn",
      `arn:aws:sns:us-east-1:${ACCOUNT}:missing`,
      "--message",
      "x",
    ]);
    expect(missing.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
    expect(missing.stderr).toContain("(NotFound) when calling the Publish operation: Topic does not exist");
    const { TopicArn } = await awsCliJson<{ TopicArn: string }>(emulator.url, [
      "sns",
      "create-topic",
      "--name",
      "cli-errors",
    ]);
    const protocol = await awsCli(emulator.url, [
      "sns",
      "subscribe",
      "--topic-arn",
      TopicArn,
      "--protocol",
      "carrier-pigeon",
      "--notification-endpoint",
      "loft",
    ]);
    expect(protocol.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
    expect(protocol.stderr).toContain(
      "(InvalidParameter) when calling the Subscribe operation: Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon",
    );
    const policy = await awsCli(emulator.url, [
      "sns",
      "subscribe",
      "--topic-arn",
      TopicArn,
      "--protocol",
      "sqs",
      "--notification-endpoint",
      `arn:aws:sqs:us-east-1:${ACCOUNT}:cli-q`,
      "--attributes",
      JSON.stringify({ FilterPolicy: "{not json" }),
    ]);
    expect(policy.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
    expect(policy.stderr).toContain(
      "Invalid parameter: Attributes Reason: FilterPolicy: failed to parse JSON.",
    );
  }, 120_000);

  it("a queue whose policy lets only another topic send: Subscribe and Publish succeed, the DLQ gets the message", async () => {
    // SNS checks the queue's policy when it delivers, not at Subscribe: the mistake shows as a
    // message in the subscription's dead-letter queue (and nothing in the queue).
    const create = (name: string) =>
      awsCliJson<{ TopicArn: string }>(emulator.url, ["sns", "create-topic", "--name", name]);
    const [{ TopicArn }, other] = await Promise.all([create("cli-refused"), create("cli-other")]);
    const queue = async (name: string, allowedTopic: string) => {
      const { QueueUrl } = await awsCliJson<{ QueueUrl: string }>(emulator.url, [
        "sqs",
        "create-queue",
        "--queue-name",
        name,
        "--attributes",
        JSON.stringify({ Policy: snsAllowPolicy(`arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`, allowedTopic) }),
      ]);
      return { url: QueueUrl, arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}` };
    };
    const [refusing, dlq] = await Promise.all([
      queue("cli-refusing-q", other.TopicArn),
      queue("cli-refused-dlq", TopicArn),
    ]);
    await awsCliJson(emulator.url, [
      "sns",
      "subscribe",
      "--topic-arn",
      TopicArn,
      "--protocol",
      "sqs",
      "--notification-endpoint",
      refusing.arn,
      "--attributes",
      JSON.stringify({ RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn }) }),
    ]);
    const { MessageId } = await awsCliJson<{ MessageId: string }>(emulator.url, [
      "sns",
      "publish",
      "--topic-arn",
      TopicArn,
      "--message",
      "refused by the queue",
    ]);
    const [dead] = await waitFor(async () => {
      const { Messages } = await awsCliJson<{ Messages?: { Body: string }[] }>(emulator.url, [
        "sqs",
        "receive-message",
        "--queue-url",
        dlq.url,
      ]);
      return Messages && Messages.length > 0 ? Messages : undefined;
    }, 60_000);
    expect(JSON.parse(dead!.Body)).toMatchObject({ Type: "Notification", MessageId, TopicArn });
    const { Attributes } = await awsCliJson<{ Attributes: Record<string, string> }>(emulator.url, [
      "sqs",
      "get-queue-attributes",
      "--queue-url",
      refusing.url,
      "--attribute-names",
      "ApproximateNumberOfMessages",
      "ApproximateNumberOfMessagesNotVisible",
    ]);
    expect(Attributes).toEqual({
      ApproximateNumberOfMessages: "0",
      ApproximateNumberOfMessagesNotVisible: "0",
    });
  }, 120_000);
});
