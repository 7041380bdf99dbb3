import { describe, expect, it } from "vitest";
import {
  decodeMessage,
  failureQueues,
  groupFailures,
  parseFilter,
  selectQueues,
  type RawMessage,
} from "../../../../src/runtime/dlq/index.js";
import { defineStack } from "../../../../src/pipeline/stack/index.js";
import { testStackParams } from "../../../helpers/stack-params.js";

/**
 * Decoding of the four kinds of failure message, from the shapes in aws-behaviour.md (§3.4, §4.2,
 * §5.7, §6.2) and what the emulator writes (its Lambda DLQ ErrorCode attribute is a Number).
 */

const FUNCTION_ARN = "arn:aws:lambda:us-east-1:000000000000:function:scraper-news";
const SCHEDULED_EVENT = {
  version: "0",
  id: "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
  "detail-type": "Scheduled Event",
  source: "aws.events",
  account: "000000000000",
  time: "2026-08-02T02:00:00Z",
  region: "us-east-1",
  resources: ["arn:aws:events:us-east-1:000000000000:rule/celebrity-weekly-scrape"],
  detail: {},
};

function raw(overrides: Partial<RawMessage>): RawMessage {
  return {
    messageId: "m-1",
    body: "{}",
    attributes: { SentTimestamp: "1785636185114", ApproximateReceiveCount: "1" },
    messageAttributes: {},
    ...overrides,
  };
}

const string = (value: string) => ({ DataType: "String", StringValue: value });

const eventBridgeMessage = raw({
  messageId: "eb-1",
  body: JSON.stringify(SCHEDULED_EVENT),
  messageAttributes: {
    RULE_ARN: string("arn:aws:events:us-east-1:000000000000:rule/celebrity-weekly-scrape"),
    TARGET_ARN: string(FUNCTION_ARN),
    ERROR_CODE: string("NO_PERMISSIONS"),
    ERROR_MESSAGE: string("Lambda function does not grant events.amazonaws.com permission"),
    EXHAUSTED_RETRY_CONDITION: string("MaximumRetryAttempts"),
    RETRY_ATTEMPTS: string("3"),
  },
});

const lambdaDlqMessage = raw({
  messageId: "dlq-1",
  body: JSON.stringify(SCHEDULED_EVENT),
  messageAttributes: {
    RequestID: string("c1d2e3f4-0000-4000-8000-000000000001"),
    ErrorCode: { DataType: "Number", StringValue: "200" },
    ErrorMessage: string("news API 503"),
  },
});

const destinationRecord = raw({
  messageId: "dest-1",
  attributes: { SentTimestamp: "1785636185100" },
  body: JSON.stringify({
    version: "1.0",
    timestamp: "2026-08-02T02:03:05.114Z",
    requestContext: {
      requestId: "c1d2e3f4-0000-4000-8000-000000000001",
      functionArn: `${FUNCTION_ARN}:$LATEST`,
      condition: "RetriesExhausted",
      approximateInvokeCount: 3,
    },
    requestPayload: SCHEDULED_EVENT,
    responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
    responsePayload: { errorType: "UpstreamError", errorMessage: "news API 503" },
  }),
});

const streamRecord = raw({
  messageId: "stream-1",
  body: JSON.stringify({
    requestContext: {
      requestId: "0b7f5c0e-3a1d-4c2b-9e7f-5a6d4c3b2a19",
      functionArn: "arn:aws:lambda:us-east-1:000000000000:function:index-sync",
      condition: "RetryAttemptsExhausted",
      approximateInvokeCount: 6,
    },
    responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
    version: "1.0",
    timestamp: "2026-08-01T09:20:11.402Z",
    DDBStreamBatchInfo: {
      shardId: "shardId-00000001722503702417-4f2a9c1b",
      startSequenceNumber: "4186300000000012345678901",
      endSequenceNumber: "4186400000000012345678977",
      approximateArrivalOfFirstRecord: "2026-08-01T09:15:05Z",
      approximateArrivalOfLastRecord: "2026-08-01T09:15:07Z",
      batchSize: 2,
      streamArn:
        "arn:aws:dynamodb:us-east-1:000000000000:table/celebrity-database/stream/2026-08-01T09:15:02.417",
    },
  }),
});

const redriven = raw({
  messageId: "sqs-1",
  body: '{"celebrityId":"042"}',
  attributes: {
    SentTimestamp: "1785636185000",
    DeadLetterQueueSourceArn: "arn:aws:sqs:us-east-1:000000000000:work-queue",
  },
  messageAttributes: { origin: string("scheduler") },
});

describe("decodeMessage", () => {
  it("reads an EventBridge target DLQ message: rule, target, error, retries, the event", () => {
    expect(decodeMessage(eventBridgeMessage)).toMatchObject({
      kind: "eventbridge-target",
      groupKey: "eb-1",
      ruleArn: "arn:aws:events:us-east-1:000000000000:rule/celebrity-weekly-scrape",
      targetArn: FUNCTION_ARN,
      functionName: "scraper-news",
      errorCode: "NO_PERMISSIONS",
      condition: "MaximumRetryAttempts",
      retryAttempts: 3,
      originalEvent: SCHEDULED_EVENT,
      sentAt: 1785636185114,
    });
  });

  it("reads a Lambda DLQ message: request id, error code and message, the event; no function name", () => {
    const decoded = decodeMessage(lambdaDlqMessage);
    expect(decoded).toMatchObject({
      kind: "lambda-async",
      form: "dlq-message",
      groupKey: "c1d2e3f4-0000-4000-8000-000000000001",
      errorCode: "200",
      errorMessage: "news API 503",
      originalEvent: SCHEDULED_EVENT,
    });
    expect(decoded.functionName).toBeUndefined();
  });

  it("takes the function name from a role-session SenderId, as Lambda writes DLQ messages on AWS", () => {
    const decoded = decodeMessage({
      ...lambdaDlqMessage,
      attributes: { ...lambdaDlqMessage.attributes, SenderId: "AROAEXAMPLEROLEID:scraper-news" },
    });
    expect(decoded.functionName).toBe("scraper-news");
  });

  it("reads a Lambda on-failure destination record: function, condition, attempts, payloads", () => {
    expect(decodeMessage(destinationRecord)).toMatchObject({
      kind: "lambda-async",
      form: "destination-record",
      groupKey: "c1d2e3f4-0000-4000-8000-000000000001",
      functionArn: FUNCTION_ARN,
      functionName: "scraper-news",
      condition: "RetriesExhausted",
      invokeCount: 3,
      retryAttempts: 2,
      errorCode: "Unhandled",
      errorMessage: "UpstreamError: news API 503",
      originalEvent: SCHEDULED_EVENT,
    });
  });

  it("keeps an alias qualifier of the function ARN, so the replay runs where the failure ran", () => {
    const aliased = { ...destinationRecord, body: destinationRecord.body.replace(":$LATEST", ":live") };
    expect(decodeMessage(aliased)).toMatchObject({
      functionArn: `${FUNCTION_ARN}:live`,
      functionName: "scraper-news",
    });
  });

  it("reads a stream on-failure record: the shard and sequence range, not the records", () => {
    expect(decodeMessage(streamRecord)).toMatchObject({
      kind: "stream-on-failure",
      functionName: "index-sync",
      condition: "RetryAttemptsExhausted",
      retryAttempts: 5,
      stream: {
        shardId: "shardId-00000001722503702417-4f2a9c1b",
        startSequenceNumber: "4186300000000012345678901",
        endSequenceNumber: "4186400000000012345678977",
        batchSize: 2,
      },
    });
  });

  it("reads an SQS-redriven message by its DeadLetterQueueSourceArn", () => {
    expect(decodeMessage(redriven)).toMatchObject({
      kind: "sqs-redrive",
      groupKey: "sqs-1",
      sourceQueueArn: "arn:aws:sqs:us-east-1:000000000000:work-queue",
      originalEvent: { celebrityId: "042" },
    });
  });

  it("calls anything else unknown and says why, keeping a non-JSON body as text", () => {
    const decoded = decodeMessage(raw({ messageId: "x", body: "not json" }));
    expect(decoded.kind).toBe("unknown");
    expect(decoded.originalEvent).toBe("not json");
    expect(decoded.note).toMatch(/RULE_ARN/);
  });
});

describe("groupFailures", () => {
  it("pairs a Lambda DLQ message with its destination record by request id", () => {
    const groups = groupFailures([lambdaDlqMessage, destinationRecord, redriven].map(decodeMessage));
    expect(groups).toHaveLength(2);
    const pair = groups.find((g) => g.kind === "lambda-async")!;
    expect(pair.messages.map((m) => m.messageId).sort()).toEqual(["dest-1", "dlq-1"]);
    // The destination record names the function; the merged summary keeps it, and the earliest send.
    expect(pair.summary).toMatchObject({
      functionName: "scraper-news",
      form: "destination-record",
      condition: "RetriesExhausted",
      sentAt: 1785636185100,
    });
  });
});

describe("parseFilter", () => {
  const messages = [eventBridgeMessage, lambdaDlqMessage, streamRecord, redriven].map(decodeMessage);
  const ids = (filter: string | string[]) => messages.filter(parseFilter(filter)).map((m) => m.messageId);

  it("selects by kind, function, error text and any text, all filters together", () => {
    expect(ids("stream-on-failure")).toEqual(["stream-1"]);
    expect(ids("kind=sqs-redrive")).toEqual(["sqs-1"]);
    expect(ids("function=scraper-news")).toEqual(["eb-1"]);
    expect(ids("error=503")).toEqual(["dlq-1"]);
    expect(ids("text=celebrityId")).toEqual(["sqs-1"]);
    expect(ids(["text=scheduled event", "kind=lambda-async"])).toEqual(["dlq-1"]);
  });

  it("refuses a filter it does not know, naming the forms it takes", () => {
    expect(() => parseFilter("lambda-dlq")).toThrow(/expected a kind \(eventbridge-target, lambda-async/);
    expect(() => parseFilter("colour=red")).toThrow(/function=<name>/);
    expect(() => parseFilter("function=")).toThrow(/value after/);
  });
});

describe("failureQueues", () => {
  const stack = defineStack(testStackParams());

  it("finds every queue the stack sends failures to, with who feeds it", () => {
    const queues = failureQueues(stack);
    expect(queues.map((q) => q.name)).toEqual([
      "celebrity-scraper-dlq",
      "celebrity-stream-dlq",
      "celebrity-index-sync-dlq",
    ]);
    const scraper = queues[0]!;
    expect(scraper.feeds).toContain("rule celebrity-weekly-scrape target scraper-news (delivery DLQ)");
    expect(scraper.feeds).toContain("function scraper-news (async DLQ)");
    expect(scraper.feeds).toContain("function scraper-news (async on-failure destination)");
    expect(queues[1]!.feeds).toEqual([
      "mapping post-processor -> post-processor (stream on-failure destination)",
    ]);
    expect(queues[2]!.feeds).toEqual(["mapping index-sync -> index-sync (stream on-failure destination)"]);
  });

  it("selects a queue by name or key, and names the choices for a wrong one", () => {
    expect(selectQueues(stack, "streamDlq").map((q) => q.name)).toEqual(["celebrity-stream-dlq"]);
    expect(() => selectQueues(stack, "nope")).toThrow(
      /use one of celebrity-scraper-dlq, celebrity-stream-dlq, celebrity-index-sync-dlq/,
    );
  });
});

describe("decodeFrom", () => {
  it("names the function of a lone Lambda DLQ message when only one function uses the queue as its DLQ", async () => {
    const { decodeFrom } = await import("../../../../src/runtime/dlq/queues.js");
    expect(decodeFrom({ dlqOfFunctions: ["scraper-news"] }, lambdaDlqMessage).functionName).toBe(
      "scraper-news",
    );
    expect(
      decodeFrom({ dlqOfFunctions: ["scraper-news", "scraper-tmdb"] }, lambdaDlqMessage).functionName,
    ).toBeUndefined();
    const stack = defineStack(testStackParams());
    expect(failureQueues(stack)[0]!.dlqOfFunctions).toEqual([
      "scraper-tmdb",
      "scraper-wikipedia",
      "scraper-news",
      "scraper-social",
    ]);
  });
});
