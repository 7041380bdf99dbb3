import { sqsErrors } from "./errors.js";
import {
  DELAY_SECONDS,
  KMS_DATA_KEY_REUSE_PERIOD,
  MAX_RECEIVE_COUNT,
  MAXIMUM_MESSAGE_SIZE,
  MESSAGE_RETENTION_PERIOD,
  RECEIVE_WAIT_TIME_SECONDS,
  VISIBILITY_TIMEOUT,
} from "./limits.js";
import { parseQueueArn, type Queue } from "./models.js";

/** Queue attributes: validation on CreateQueue/SetQueueAttributes, rendering for GetQueueAttributes. */

const INTEGER_ATTRIBUTES: Record<string, { min: number; max: number }> = {
  VisibilityTimeout: VISIBILITY_TIMEOUT,
  MessageRetentionPeriod: MESSAGE_RETENTION_PERIOD,
  DelaySeconds: DELAY_SECONDS,
  ReceiveMessageWaitTimeSeconds: RECEIVE_WAIT_TIME_SECONDS,
  MaximumMessageSize: MAXIMUM_MESSAGE_SIZE,
  KmsDataKeyReusePeriodSeconds: KMS_DATA_KEY_REUSE_PERIOD,
};

const FIFO_ONLY = new Set(["ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"]);
const SETTABLE = new Set([
  ...Object.keys(INTEGER_ATTRIBUTES),
  "Policy",
  "RedrivePolicy",
  "RedriveAllowPolicy",
  "KmsMasterKeyId",
  "SqsManagedSseEnabled",
  "FifoQueue",
  ...FIFO_ONLY,
]);
/** Attributes cleared by setting them to "" (AWS then stops returning them). */
const REMOVABLE = new Set(["Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId"]);

const COMPUTED = [
  "QueueArn",
  "ApproximateNumberOfMessages",
  "ApproximateNumberOfMessagesNotVisible",
  "ApproximateNumberOfMessagesDelayed",
  "CreatedTimestamp",
  "LastModifiedTimestamp",
] as const;

export function defaultAttributes(fifo: boolean): Record<string, string> {
  const base: Record<string, string> = {
    VisibilityTimeout: String(VISIBILITY_TIMEOUT.default),
    MaximumMessageSize: String(MAXIMUM_MESSAGE_SIZE.default),
    MessageRetentionPeriod: String(MESSAGE_RETENTION_PERIOD.default),
    DelaySeconds: String(DELAY_SECONDS.default),
    ReceiveMessageWaitTimeSeconds: String(RECEIVE_WAIT_TIME_SECONDS.default),
    SqsManagedSseEnabled: "true",
  };
  if (fifo) {
    Object.assign(base, {
      FifoQueue: "true",
      ContentBasedDeduplication: "false",
      DeduplicationScope: "queue",
      FifoThroughputLimit: "perQueue",
    });
  }
  return base;
}

export interface AttributeContext {
  /** The queue the attributes are for (its ARN and type). */
  arn: string;
  fifo: boolean;
  creating: boolean;
  findQueue(arn: string): Queue | undefined;
}

/**
 * Validates attributes as given and returns them normalised the way GetQueueAttributes returns
 * them ("" for attributes being removed).
 */
export function normalizeAttributes(
  given: Record<string, string>,
  context: AttributeContext,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(given)) {
    if (!SETTABLE.has(name)) throw sqsErrors.invalidAttributeName(name);
    if (FIFO_ONLY.has(name) && !context.fifo) throw sqsErrors.invalidAttributeName(name);
    const value = raw.trim();
    if (REMOVABLE.has(name) && value === "") {
      out[name] = "";
      continue;
    }
    const range = INTEGER_ATTRIBUTES[name];
    if (range) {
      if (!/^\d+$/.test(value) || Number(value) < range.min || Number(value) > range.max) {
        throw sqsErrors.invalidAttributeValue(name);
      }
      out[name] = String(Number(value));
      continue;
    }
    switch (name) {
      case "FifoQueue": {
        const flag = booleanValue(name, value);
        // A standard queue has no FifoQueue attribute at all, not even "false" (AWS's answer).
        if (!context.fifo) throw sqsErrors.invalidAttributeName(name);
        if (!context.creating) {
          throw sqsErrors.invalidAttributeValue(name, "Modifying queue type is not supported.");
        }
        if (flag !== String(context.fifo)) throw sqsErrors.invalidAttributeValue(name);
        if (context.fifo) out[name] = flag;
        break;
      }
      case "ContentBasedDeduplication":
      case "SqsManagedSseEnabled":
        out[name] = booleanValue(name, value);
        break;
      case "DeduplicationScope":
        if (value !== "messageGroup" && value !== "queue") throw sqsErrors.invalidAttributeValue(name);
        out[name] = value;
        break;
      case "FifoThroughputLimit":
        if (value !== "perQueue" && value !== "perMessageGroupId")
          throw sqsErrors.invalidAttributeValue(name);
        out[name] = value;
        break;
      case "Policy":
        out[name] = jsonObjectText(name, value);
        break;
      case "RedrivePolicy":
        out[name] = redrivePolicy(value, context);
        break;
      case "RedriveAllowPolicy":
        out[name] = redriveAllowPolicy(value);
        break;
      default:
        out[name] = value;
    }
  }
  if (out["FifoThroughputLimit"] === "perMessageGroupId" && out["DeduplicationScope"] === "queue") {
    throw sqsErrors.invalidAttributeValue(
      "FifoThroughputLimit",
      "perMessageGroupId is only valid with DeduplicationScope messageGroup.",
    );
  }
  return out;
}

function booleanValue(name: string, value: string): string {
  const lower = value.toLowerCase();
  if (lower !== "true" && lower !== "false") throw sqsErrors.invalidAttributeValue(name);
  return lower;
}

function jsonObjectText(name: string, value: string): string {
  try {
    const parsed = JSON.parse(value) as unknown;
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return value;
  } catch {
    // reported below
  }
  throw sqsErrors.invalidAttributeValue(name);
}

function redrivePolicy(value: string, context: AttributeContext): string {
  const invalid = (reason: string) => sqsErrors.invalidValueFor("RedrivePolicy", value, reason);
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(value) as Record<string, unknown>;
  } catch {
    throw invalid("Redrive policy is not a valid JSON map.");
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw invalid("Redrive policy is not a valid JSON map.");
  }
  const unknown = Object.keys(parsed).filter((k) => k !== "deadLetterTargetArn" && k !== "maxReceiveCount");
  if (unknown.length > 0)
    throw invalid(`Only following attributes are supported: [deadLetterTargetArn, maxReceiveCount].`);
  const target = parsed["deadLetterTargetArn"];
  const rawCount = parsed["maxReceiveCount"];
  if (typeof target !== "string" || target === "") {
    throw invalid("Redrive policy does not contain mandatory attribute: deadLetterTargetArn.");
  }
  if (rawCount === undefined || rawCount === null || rawCount === "") {
    throw invalid("Redrive policy does not contain mandatory attribute: maxReceiveCount.");
  }
  const count = Number(rawCount);
  if (!Number.isInteger(count) || count < MAX_RECEIVE_COUNT.min || count > MAX_RECEIVE_COUNT.max) {
    throw invalid(
      `Invalid value for maxReceiveCount: ${String(rawCount)}, valid values are from ${MAX_RECEIVE_COUNT.min} to ${MAX_RECEIVE_COUNT.max} both inclusive.`,
    );
  }
  if (!parseQueueArn(target)) throw invalid("Invalid value for deadLetterTargetArn.");
  if (target === context.arn) throw invalid("A queue cannot be its own dead-letter queue.");
  const dlq = context.findQueue(target);
  if (!dlq) throw invalid("Dead letter target does not exist.");
  if (dlq.fifo !== context.fifo) throw invalid("Dead-letter queue must be same type of queue as the source.");
  const allow = dlq.record.attributes["RedriveAllowPolicy"];
  if (allow && !redriveAllowed(allow, context.arn)) {
    throw invalid("Queue is not allowed by the dead-letter queue's RedriveAllowPolicy.");
  }
  return JSON.stringify({ deadLetterTargetArn: target, maxReceiveCount: count });
}

function redriveAllowed(policyText: string, sourceArn: string): boolean {
  const policy = JSON.parse(policyText) as { redrivePermission: string; sourceQueueArns?: string[] };
  if (policy.redrivePermission === "denyAll") return false;
  if (policy.redrivePermission === "byQueue") return (policy.sourceQueueArns ?? []).includes(sourceArn);
  return true;
}

function redriveAllowPolicy(value: string): string {
  const invalid = (reason: string) => sqsErrors.invalidValueFor("RedriveAllowPolicy", value, reason);
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(value) as Record<string, unknown>;
  } catch {
    throw invalid("Redrive allow policy is not a valid JSON map.");
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw invalid("Redrive allow policy is not a valid JSON map.");
  }
  const permission = parsed["redrivePermission"];
  const sources = parsed["sourceQueueArns"];
  if (permission !== "allowAll" && permission !== "denyAll" && permission !== "byQueue") {
    throw invalid("Invalid value for redrivePermission: allowed values are allowAll, denyAll and byQueue.");
  }
  if (permission === "byQueue") {
    if (!Array.isArray(sources) || sources.length < 1 || sources.length > 10) {
      throw invalid("Amazon SQS can't create the redrive allow policy, as it's in an unsupported format.");
    }
    if (!sources.every((s) => typeof s === "string" && parseQueueArn(s))) {
      throw invalid("sourceQueueArns must be queue ARNs.");
    }
    return JSON.stringify({ redrivePermission: permission, sourceQueueArns: sources });
  }
  if (sources !== undefined) {
    throw invalid("sourceQueueArns may only be given with redrivePermission byQueue.");
  }
  return JSON.stringify({ redrivePermission: permission });
}

/** GetQueueAttributes: the named attributes ("All" for every one); unknown names are an error. */
export function renderAttributes(queue: Queue, names: string[], now: number): Record<string, string> {
  const counts = queue.counts(now);
  const all = names.includes("All");
  const available: Record<string, string> = {
    QueueArn: queue.arn,
    ApproximateNumberOfMessages: String(counts.visible),
    ApproximateNumberOfMessagesNotVisible: String(counts.inflight),
    ApproximateNumberOfMessagesDelayed: String(counts.delayed),
    CreatedTimestamp: String(Math.floor(queue.record.createdAt / 1000)),
    LastModifiedTimestamp: String(Math.floor(queue.record.lastModifiedAt / 1000)),
    ...queue.record.attributes,
  };
  const out: Record<string, string> = {};
  for (const name of all ? Object.keys(available) : names) {
    if (name === "All") continue;
    if (!SETTABLE.has(name) && !(COMPUTED as readonly string[]).includes(name)) {
      throw sqsErrors.invalidAttributeName(name);
    }
    const value = available[name];
    if (value !== undefined && value !== "") out[name] = value;
  }
  return out;
}
