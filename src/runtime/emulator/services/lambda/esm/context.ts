import { randomUUID } from "node:crypto";
import type { RequestContext } from "../../../core/request.js";
import type { ServiceEnv } from "../../../core/service.js";
import type { Invoke } from "./batch-outcome.js";
import { queueFromArn, type MappingRecord } from "./config.js";
import type { BatchSlots } from "./sqs-scaling.js";
import type { EsmStore } from "./store.js";

/** What a poller needs from the engine. */
export interface WorkerContext {
  env: ServiceEnv;
  invoke: Invoke;
  store: EsmStore;
  /** Records LastProcessingResult ("OK", "PROBLEM: …") on the live mapping. */
  reportResult(uuid: string, result: string): void;
  /** The batches a mapping has in flight, shared by its worker generations (SQS). */
  slots(uuid: string): BatchSlots;
}

export interface Worker {
  start(): void;
  /** Stops polling; an invocation in flight finishes but is not checkpointed (at-least-once). */
  stop(): void;
  /**
   * Stops polling because the mapping changed or went away (not because the emulator stops):
   * batches already received are still processed to the end. Workers without it are stopped.
   */
  retire?(): void;
}

/** Calls other services as the mapping's own account and region (taken from an ARN). */
export function contextFor(arnOrMapping: string | MappingRecord): RequestContext {
  if (typeof arnOrMapping !== "string") {
    return { requestId: randomUUID(), region: arnOrMapping.region, accountId: arnOrMapping.accountId };
  }
  const [, , , region = "", accountId = ""] = arnOrMapping.split(":");
  return { requestId: randomUUID(), region, accountId };
}

/** Resolves a queue ARN to its URL through SQS's own API. */
export async function queueUrlFor(env: ServiceEnv, queueArn: string): Promise<string> {
  const queue = queueFromArn(queueArn);
  if (!queue) throw new Error(`${queueArn} is not an SQS queue ARN`);
  const out = await env.call<{ QueueUrl: string }>(
    "sqs",
    "GetQueueUrl",
    { QueueName: queue.name, QueueOwnerAWSAccountId: queue.accountId },
    contextFor(queueArn),
  );
  return out.QueueUrl;
}

/** Sleeps on the emulator clock; false when the signal aborted the wait. */
export async function pause(env: ServiceEnv, ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  try {
    await env.clock.sleep(ms, signal);
    return true;
  } catch {
    return false;
  }
}

/** ISO-8601 with second precision and Z, as Lambda writes arrival times. */
export function isoSeconds(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace(".000Z", "Z");
}
