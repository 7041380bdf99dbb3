import { randomUUID } from "node:crypto";
import type { RequestContext } from "../../core/request.js";
import type { ServiceEnv } from "../../core/service.js";
import { DLQ_ERROR_MESSAGE_BYTES } from "./limits.js";
import type { AsyncEvent, AttemptResponse, FunctionRecord } from "./models.js";
import { functionArn, LATEST } from "./names.js";

export type DestinationCondition = "Success" | "RetriesExhausted" | "EventAgeExceeded";

/** The record Lambda sends to an asynchronous invocation's destination (aws-behaviour.md §4.2). */
export interface DestinationRecord {
  version: "1.0";
  timestamp: string;
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: DestinationCondition;
    approximateInvokeCount: number;
  };
  requestPayload: unknown;
  responseContext?: { statusCode: number; executedVersion: string; functionError?: string };
  responsePayload?: unknown;
}

export function destinationRecord(
  fn: FunctionRecord,
  event: AsyncEvent,
  condition: DestinationCondition,
  response: AttemptResponse | undefined,
  now: number,
): DestinationRecord {
  const record: DestinationRecord = {
    version: "1.0",
    timestamp: new Date(now).toISOString(),
    requestContext: {
      requestId: event.id,
      // The ARN the event was sent to, qualified ($LATEST when it named none).
      functionArn: event.functionArn.split(":").length > 7 ? event.functionArn : functionArn(fn, LATEST),
      condition,
      approximateInvokeCount: event.attempts,
    },
    requestPayload: parseJson(event.payload),
  };
  if (response) {
    record.responseContext = {
      statusCode: response.statusCode,
      executedVersion: response.executedVersion ?? LATEST,
      ...(response.functionError ? { functionError: response.functionError } : {}),
    };
    record.responsePayload = parseJson(response.payload);
  }
  return record;
}

/**
 * Sends asynchronous invocation outcomes where the function's configuration says: the on-success
 * or on-failure destination (SQS queue, Lambda function or EventBridge bus) and, for failures,
 * also the function's dead-letter queue: AWS lets destinations work "in addition to or instead of"
 * a DLQ. Delivery failures never stop the queue; they are reported as background errors.
 */
export class Destinations {
  constructor(private readonly env: ServiceEnv) {}

  async success(fn: FunctionRecord, event: AsyncEvent, response: AttemptResponse): Promise<void> {
    const target = fn.eventInvokeConfig?.onSuccess;
    if (!target) return;
    const record = destinationRecord(fn, event, "Success", response, this.env.clock.now());
    await this.deliver(target, record, fn, "Lambda Function Invocation Result - Success");
  }

  async failure(
    fn: FunctionRecord,
    event: AsyncEvent,
    condition: Exclude<DestinationCondition, "Success">,
    response: AttemptResponse | undefined,
  ): Promise<void> {
    const target = fn.eventInvokeConfig?.onFailure;
    if (target) {
      const record = destinationRecord(fn, event, condition, response, this.env.clock.now());
      await this.deliver(target, record, fn, "Lambda Function Invocation Result - Failure");
    }
    if (fn.deadLetterTargetArn) await this.deadLetter(fn.deadLetterTargetArn, fn, event, condition, response);
    if (!target && !fn.deadLetterTargetArn) {
      this.env.reportBackgroundError(
        "lambda",
        new Error(
          `Asynchronous event ${event.id} for ${functionArn(fn)} was discarded (${condition}); the function has no on-failure destination or dead-letter queue.`,
        ),
      );
    }
  }

  private async deliver(
    target: string,
    record: DestinationRecord,
    fn: FunctionRecord,
    detailType: string,
  ): Promise<void> {
    const service = target.split(":")[2];
    const context = contextOf(target);
    try {
      if (service === "sqs") {
        await this.env.call(
          "sqs",
          "SendMessage",
          { QueueUrl: await this.queueUrl(target), MessageBody: JSON.stringify(record) },
          context,
        );
      } else if (service === "lambda") {
        await this.env.call(
          "lambda",
          "Invoke",
          { FunctionName: target, InvocationType: "Event", Payload: JSON.stringify(record) },
          context,
        );
      } else if (service === "events") {
        await this.env.call(
          "events",
          "PutEvents",
          {
            Entries: [
              {
                Source: "lambda",
                DetailType: detailType,
                Detail: JSON.stringify(record),
                Resources: [functionArn(fn, LATEST)],
                EventBusName: target,
              },
            ],
          },
          context,
        );
      } else {
        throw new Error(
          `This emulator delivers destinations to SQS, Lambda and EventBridge, not to ${target}`,
        );
      }
    } catch (error) {
      this.env.reportBackgroundError(
        "lambda",
        new Error(
          `Could not deliver the ${record.requestContext.condition} record of ${record.requestContext.requestId} to ${target}: ${describe(error)}`,
        ),
      );
    }
  }

  /** Lambda's DLQ message: the original event as body; RequestID, ErrorCode, ErrorMessage attributes. */
  private async deadLetter(
    target: string,
    fn: FunctionRecord,
    event: AsyncEvent,
    condition: Exclude<DestinationCondition, "Success">,
    response: AttemptResponse | undefined,
  ): Promise<void> {
    const errorMessage = truncateBytes(
      errorMessageOf(response) ??
        (condition === "EventAgeExceeded" ? "Event age exceeded" : "Retries exhausted"),
      DLQ_ERROR_MESSAGE_BYTES,
    );
    try {
      if (target.split(":")[2] !== "sqs") {
        throw new Error(`This emulator sends dead-letter messages to SQS queues only, not to ${target}`);
      }
      await this.env.call(
        "sqs",
        "SendMessage",
        {
          QueueUrl: await this.queueUrl(target),
          MessageBody: event.payload,
          MessageAttributes: {
            RequestID: { DataType: "String", StringValue: event.id },
            ErrorCode: { DataType: "Number", StringValue: String(response?.statusCode ?? 200) },
            ErrorMessage: { DataType: "String", StringValue: errorMessage },
          },
        },
        contextOf(target),
      );
    } catch (error) {
      this.env.reportBackgroundError(
        "lambda",
        new Error(
          `Could not send event ${event.id} of ${functionArn(fn)} to its dead-letter queue ${target}: ${describe(error)}`,
        ),
      );
    }
  }

  private async queueUrl(queueArn: string): Promise<string> {
    const [, , , , accountId = "", name = ""] = queueArn.split(":");
    const out = await this.env.call<{ QueueUrl: string }>(
      "sqs",
      "GetQueueUrl",
      { QueueName: name, QueueOwnerAWSAccountId: accountId },
      contextOf(queueArn),
    );
    return out.QueueUrl;
  }
}

function contextOf(arn: string): RequestContext {
  const [, , , region = "", accountId = ""] = arn.split(":");
  return { requestId: randomUUID(), region, accountId };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function errorMessageOf(response: AttemptResponse | undefined): string | undefined {
  if (!response?.functionError) return undefined;
  const parsed = parseJson(response.payload);
  if (
    parsed &&
    typeof parsed === "object" &&
    typeof (parsed as { errorMessage?: unknown }).errorMessage === "string"
  ) {
    return (parsed as { errorMessage: string }).errorMessage;
  }
  return response.payload;
}

function truncateBytes(text: string, limit: number): string {
  const bytes = Buffer.from(text, "utf8");
  return bytes.length <= limit ? text : bytes.subarray(0, limit).toString("utf8");
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
