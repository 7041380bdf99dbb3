import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import type { RuleDeclaration, Stack } from "../../pipeline/stack/index.js";
import type { AwsClients } from "../aws/index.js";
import { OperatorError } from "../config/errors.js";
import { readRule } from "./rules.js";
import { eventTime, scheduledEvent, type ScheduledEvent } from "./scheduled-event.js";

/** What `schedule trigger` sent through the manual rule. */
export interface RuleTriggerResult {
  mode: "rule";
  rule: string;
  eventId: string;
  source: string;
  detailType: string;
  /** The event's `time` (the --scheduled-time instant, or now). */
  time: string;
  detail: Record<string, unknown>;
  /** The functions the rule delivers to (EventBridge invokes them asynchronously). */
  targets: string[];
}

/** One target of the weekly rule invoked directly. */
export interface DirectInvocation {
  targetId: string;
  functionArn: string;
  /** 202 when Lambda queued the asynchronous invocation. */
  statusCode: number | undefined;
  requestId: string | undefined;
  error: string | undefined;
}

export interface DirectTriggerResult {
  mode: "direct";
  rule: string;
  event: ScheduledEvent;
  invocations: DirectInvocation[];
}

export type TriggerResult = RuleTriggerResult | DirectTriggerResult;

export interface TriggerOptions {
  stack: Stack;
  clients: Pick<AwsClients, "eventbridge" | "lambda">;
  /** The instant the run stands for: the event's `time`. */
  time: Date;
  /** Invoke the weekly rule's targets with the scheduled-event payload instead of PutEvents. */
  direct: boolean;
}

export async function triggerSchedule(options: TriggerOptions): Promise<TriggerResult> {
  return options.direct ? invokeTargetsDirectly(options) : sendThroughManualRule(options);
}

/** The source and detail-type the manual rule matches, read from its declared pattern. */
export function manualEventShape(rule: RuleDeclaration): { source: string; detailType: string } {
  const pattern = JSON.parse(rule.definition.EventPattern ?? "{}") as Record<string, unknown>;
  const first = (field: string): string => {
    const values = pattern[field];
    const value = Array.isArray(values) ? values[0] : undefined;
    if (typeof value !== "string") {
      throw new Error(`rule ${rule.name} declares no literal ${field} in its event pattern`);
    }
    return value;
  };
  return { source: first("source"), detailType: first("detail-type") };
}

/**
 * PutEvents with the event the manual rule matches. AWS refuses `aws.*` sources in PutEvents and a
 * schedule rule never matches PutEvents, so this is how "run the schedule now" goes through
 * EventBridge, with the same targets, retry policy and DLQ as the weekly rule.
 */
async function sendThroughManualRule(options: TriggerOptions): Promise<RuleTriggerResult> {
  const declared = options.stack.rules.manual;
  const eventbridge = await options.clients.eventbridge();
  const deployed = await readRule(eventbridge, declared);
  if (deployed.state !== "ENABLED") {
    throw new OperatorError(
      `rule ${declared.name} is ${deployed.state}, so the event would match nothing; ` +
        `enable it (aws events enable-rule --name ${declared.name}) or redeploy (pipeline deploy)`,
    );
  }
  if (deployed.targets.length === 0) {
    throw new OperatorError(`rule ${declared.name} has no targets; redeploy the stack (pipeline deploy)`);
  }
  const { source, detailType } = manualEventShape(declared);
  const detail = { scheduledTime: eventTime(options.time), requestedBy: "pipeline schedule trigger" };
  const answer = await eventbridge.send(
    new PutEventsCommand({
      Entries: [
        {
          Source: source,
          DetailType: detailType,
          Detail: JSON.stringify(detail),
          Time: options.time,
          ...(declared.definition.EventBusName ? { EventBusName: declared.definition.EventBusName } : {}),
        },
      ],
    }),
  );
  const entry = answer.Entries?.[0];
  if ((answer.FailedEntryCount ?? 0) > 0 || !entry?.EventId) {
    throw new OperatorError(
      `EventBridge refused the event: ${entry?.ErrorCode ?? "no event id"} ${entry?.ErrorMessage ?? ""}`.trim(),
    );
  }
  return {
    mode: "rule",
    rule: declared.name,
    eventId: entry.EventId,
    source,
    detailType,
    time: eventTime(options.time),
    detail,
    targets: deployed.targets.map((target) => target.functionName ?? target.arn),
  };
}

/**
 * What EventBridge does when the weekly rule fires, without waiting for the schedule: each deployed
 * target of the rule is invoked asynchronously (InvocationType Event) with the scheduled-event
 * payload whose `time` is the chosen instant (or the target's constant Input, as EventBridge would).
 */
async function invokeTargetsDirectly(options: TriggerOptions): Promise<DirectTriggerResult> {
  const declared = options.stack.rules.weekly;
  const deployed = await readRule(await options.clients.eventbridge(), declared);
  const nonLambda = deployed.targets.filter((target) => target.functionName === undefined);
  if (nonLambda.length > 0) {
    throw new OperatorError(
      `--direct invokes Lambda targets only; rule ${declared.name} also targets ` +
        `${nonLambda.map((target) => target.arn).join(", ")} (use schedule trigger without --direct)`,
    );
  }
  if (deployed.targets.length === 0) {
    throw new OperatorError(`rule ${declared.name} has no targets; redeploy the stack (pipeline deploy)`);
  }
  const event = scheduledEvent({
    ruleArn: deployed.arn,
    account: options.stack.params.account,
    region: options.stack.params.region,
    time: options.time,
  });
  const lambda = await options.clients.lambda();
  const payload = JSON.stringify(event);
  const invocations = await Promise.all(
    deployed.targets.map(async (target): Promise<DirectInvocation> => {
      try {
        const answer = await lambda.send(
          new InvokeCommand({
            FunctionName: target.arn,
            InvocationType: "Event",
            Payload: new TextEncoder().encode(target.input ?? payload),
          }),
        );
        return {
          targetId: target.id,
          functionArn: target.arn,
          statusCode: answer.StatusCode,
          requestId: answer.$metadata.requestId,
          error: undefined,
        };
      } catch (error) {
        return {
          targetId: target.id,
          functionArn: target.arn,
          statusCode: undefined,
          requestId: undefined,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        };
      }
    }),
  );
  return { mode: "direct", rule: declared.name, event, invocations };
}
