import type { LambdaClient } from "@aws-sdk/client-lambda";
import type { AwsClients } from "../aws/index.js";
import { queueUrlOf } from "./queues.js";
import type { ReplayAction } from "./replay.js";
import { matchesAny, parseFilterPatterns } from "./stream-filter.js";
import { assertRecordsPresent, readStreamRange, streamEvent } from "./stream-records.js";

/**
 * Sends a replay action through the SDK and resolves only once the destination confirmed it:
 * Lambda answered 202 to the asynchronous invoke; the synchronous stream re-invoke returned without
 * a function error or batch item failures; SQS returned a message id.
 */
export function awsSender(clients: AwsClients): (action: ReplayAction) => Promise<string> {
  return async (action) => {
    switch (action.type) {
      case "lambda-async": {
        const { InvokeCommand } = await import("@aws-sdk/client-lambda");
        const out = await (
          await clients.lambda()
        ).send(
          new InvokeCommand({
            FunctionName: action.functionName,
            InvocationType: "Event",
            Payload: Buffer.from(JSON.stringify(action.payload)),
          }),
        );
        if (out.StatusCode !== 202)
          throw new Error(`Lambda answered ${out.StatusCode} to the asynchronous invoke`);
        return `${action.functionName} (async invoke accepted)`;
      }
      case "lambda-stream": {
        const records =
          action.records ?? (await readStreamRange(await clients.dynamodbStreams(), action.stream));
        assertRecordsPresent(records, action.stream);
        const lambda = await clients.lambda();
        const patterns = await mappingFilter(lambda, action.functionName, action.stream.streamArn);
        const batch = records.filter((record) => matchesAny(patterns, record));
        if (batch.length === 0) {
          return `${action.functionName} (none of the ${records.length} records in the range match the mapping's filter; nothing to invoke)`;
        }
        const { InvokeCommand } = await import("@aws-sdk/client-lambda");
        const out = await lambda.send(
          new InvokeCommand({
            FunctionName: action.functionName,
            InvocationType: "RequestResponse",
            Payload: Buffer.from(JSON.stringify(streamEvent(batch))),
          }),
        );
        const text = out.Payload ? Buffer.from(out.Payload).toString("utf8") : "";
        if (out.FunctionError)
          throw new Error(
            `${action.functionName} failed again (${out.FunctionError}): ${text.slice(0, 500)}`,
          );
        const failures = batchItemFailures(text);
        if (failures > 0) {
          throw new Error(
            `${action.functionName} reported ${failures} of ${batch.length} records as failed again`,
          );
        }
        return `${action.functionName} (${batch.length} stream records processed)`;
      }
      case "sqs-send": {
        const sqs = await clients.sqs();
        const url = await queueUrlOf(sqs, action.queueArn);
        if (!url) throw new Error(`source queue ${action.queueArn} no longer exists`);
        const { SendMessageCommand } = await import("@aws-sdk/client-sqs");
        const attributes = Object.fromEntries(
          Object.entries(action.messageAttributes).map(([name, value]) => [
            name,
            {
              DataType: value.DataType ?? "String",
              ...(value.StringValue !== undefined ? { StringValue: value.StringValue } : {}),
              ...(value.BinaryValue !== undefined
                ? { BinaryValue: Buffer.from(value.BinaryValue, "base64") }
                : {}),
            },
          ]),
        );
        const out = await sqs.send(
          new SendMessageCommand({
            QueueUrl: url,
            MessageBody: action.body,
            ...(Object.keys(attributes).length > 0 ? { MessageAttributes: attributes } : {}),
          }),
        );
        if (!out.MessageId) throw new Error("SQS returned no message id");
        return `${action.queueArn} (message ${out.MessageId})`;
      }
    }
  };
}

/**
 * The FilterCriteria of the function's mapping on that stream, as deployed (none when the mapping
 * is gone: then every record of the range is sent).
 */
async function mappingFilter(lambda: LambdaClient, functionName: string, streamArn: string) {
  const { ListEventSourceMappingsCommand } = await import("@aws-sdk/client-lambda");
  const out = await lambda.send(
    new ListEventSourceMappingsCommand({ FunctionName: functionName, EventSourceArn: streamArn }),
  );
  const mapping = out.EventSourceMappings?.[0];
  return parseFilterPatterns((mapping?.FilterCriteria?.Filters ?? []).map((filter) => filter.Pattern));
}

function batchItemFailures(text: string): number {
  try {
    const parsed = JSON.parse(text) as { batchItemFailures?: unknown[] } | null;
    return Array.isArray(parsed?.batchItemFailures) ? parsed.batchItemFailures.length : 0;
  } catch {
    return 0;
  }
}
