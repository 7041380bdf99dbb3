import { randomUUID } from "node:crypto";

/** The event EventBridge sends a schedule rule's targets (aws-behaviour.md, EventBridge events). */
export interface ScheduledEvent {
  version: "0";
  id: string;
  "detail-type": "Scheduled Event";
  source: "aws.events";
  account: string;
  /** Second precision, no milliseconds: `2026-11-29T02:00:00Z`. */
  time: string;
  region: string;
  resources: [string];
  detail: Record<string, never>;
}

/** An instant in EventBridge's event `time` format (UTC, whole seconds). */
export function eventTime(instant: Date): string {
  return new Date(Math.floor(instant.getTime() / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** The payload a schedule rule's targets receive when the rule fires at `time`. */
export function scheduledEvent(options: {
  ruleArn: string;
  account: string;
  region: string;
  time: Date;
  id?: string;
}): ScheduledEvent {
  return {
    version: "0",
    id: options.id ?? randomUUID(),
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: options.account,
    time: eventTime(options.time),
    region: options.region,
    resources: [options.ruleArn],
    detail: {},
  };
}
