import { randomUUID } from "node:crypto";
import type { TimerHandle } from "../../core/clock.js";
import { ServiceError } from "../../core/errors.js";
import type { RequestContext } from "../../core/request.js";
import type { ServiceEnv } from "../../core/service.js";
import type { ApiDestinationInvoker } from "./api-destination.js";
import { DeliveryError } from "./delivery-error.js";

export { DeliveryError, type DeliveryErrorCode } from "./delivery-error.js";
import { renderInput } from "./input-transform.js";
import {
  DEFAULT_EVENT_AGE_SECONDS,
  DEFAULT_RETRY_ATTEMPTS,
  DELIVERY_BACKOFF_BASE_MS,
  DELIVERY_BACKOFF_MAX_MS,
} from "./limits.js";
import type { DeliveryJob, DeliveryJournal } from "./delivery-job.js";
import type { EventEnvelope, RuleRecord, Target } from "./models.js";

export type { DeliveryJob, DeliveryJournal } from "./delivery-job.js";

type ExhaustedCondition = "MaximumRetryAttempts" | "MaximumEventAgeInSeconds";

type Job = DeliveryJob;
/** In memory only (unit tests, or a caller that does not persist). */
export class MemoryDeliveryJournal implements DeliveryJournal {
  private readonly jobs = new Map<string, DeliveryJob>();
  save(job: DeliveryJob): void {
    this.jobs.set(job.id, structuredClone(job));
  }
  done(id: string): void {
    this.jobs.delete(id);
  }
  pending(): DeliveryJob[] {
    return [...this.jobs.values()];
  }
}

/**
 * Delivers events to rule targets the way EventBridge does: Lambda targets are invoked
 * asynchronously (after checking the function's resource policy allows the rule), SQS targets get
 * a message. Retriable failures (throttling, internal errors) are retried with exponential backoff
 * within the target's RetryPolicy; then, or at once for non-retriable failures, the original event
 * goes to the target's dead-letter queue with RULE_ARN, TARGET_ARN, ERROR_CODE… attributes.
 */
export class TargetDelivery {
  private readonly timers = new Set<TimerHandle>();
  private stopped = false;

  constructor(
    private readonly env: ServiceEnv,
    private readonly apiDestinations?: ApiDestinationInvoker,
    private readonly journal: DeliveryJournal = new MemoryDeliveryJournal(),
  ) {}

  deliver(rule: RuleRecord, target: Target, event: EventEnvelope): void {
    if (this.stopped) return;
    const now = this.env.clock.now();
    const job: Job = {
      id: randomUUID(),
      rule,
      target,
      event,
      ingestedAt: now,
      attempts: 0,
      nextAttemptAt: now,
    };
    this.journal.save(job);
    void this.attempt(job);
  }

  /** Picks up the deliveries a stop or a crash interrupted (after the gateway listens). */
  resume(): void {
    this.stopped = false;
    const now = this.env.clock.now();
    for (const job of this.journal.pending()) this.later(job, Math.max(0, job.nextAttemptAt - now));
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
  }

  private async attempt(job: Job): Promise<void> {
    if (this.stopped) return;
    job.attempts++;
    let failure: DeliveryError;
    try {
      await this.send(job);
      this.journal.done(job.id);
      return;
    } catch (error) {
      failure = asDeliveryError(error);
    }
    if (this.stopped) return;
    const retries = job.attempts - 1;
    const policy = job.target.RetryPolicy;
    const maxRetries = policy?.MaximumRetryAttempts ?? DEFAULT_RETRY_ATTEMPTS;
    const maxAgeMs = (policy?.MaximumEventAgeInSeconds ?? DEFAULT_EVENT_AGE_SECONDS) * 1000;
    if (!failure.retryable) return this.finish(job, failure, undefined, retries);
    if (retries >= maxRetries) return this.finish(job, failure, "MaximumRetryAttempts", retries);
    const delay =
      Math.min(DELIVERY_BACKOFF_BASE_MS * 2 ** retries, DELIVERY_BACKOFF_MAX_MS) *
      this.env.settings.retryWaitScale;
    if (this.env.clock.now() + delay - job.ingestedAt > maxAgeMs) {
      return this.finish(job, failure, "MaximumEventAgeInSeconds", retries);
    }
    job.nextAttemptAt = this.env.clock.now() + delay;
    this.journal.save(job);
    this.later(job, delay);
  }

  private later(job: Job, delay: number): void {
    const timer = this.env.clock.setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(job);
    }, delay);
    this.timers.add(timer);
  }

  /** Dead-letters the event (when the target has a DLQ); the job is over either way. */
  private async finish(
    job: Job,
    failure: DeliveryError,
    exhausted: ExhaustedCondition | undefined,
    retries: number,
  ): Promise<void> {
    await this.deadLetter(job, failure, exhausted, retries);
    if (!this.stopped) this.journal.done(job.id);
  }

  private async send(job: Job): Promise<void> {
    const { target } = job;
    const input = renderInput(target, job.event, job.rule, job.ingestedAt);
    const service = target.Arn.split(":")[2];
    if (service === "lambda") return this.invokeLambda(job, input);
    if (service === "sqs") return this.sendToQueue(target.Arn, input, target.SqsParameters?.MessageGroupId);
    if (service === "events" && target.Arn.includes(":api-destination/") && this.apiDestinations) {
      return this.apiDestinations.invoke(target, input);
    }
    throw new DeliveryError(
      "SDK_CLIENT_ERROR",
      `This emulator delivers to Lambda functions, SQS queues and API destinations only, not to ${target.Arn}.`,
      false,
    );
  }

  private async invokeLambda(job: Job, payload: string): Promise<void> {
    const functionArn = job.target.Arn;
    const context = contextOf(functionArn);
    try {
      await this.env.call("lambda", "GetFunctionConfiguration", { FunctionName: functionArn }, context);
    } catch (error) {
      // A missing function is NO_RESOURCE; GetPolicy below tells whether Lambda runs at all.
      if (!(error instanceof ServiceError && error.code === "UnknownOperationException")) throw error;
    }
    let policy: string | undefined;
    try {
      policy = (
        await this.env.call<{ Policy?: string }>(
          "lambda",
          "GetPolicy",
          { FunctionName: functionArn },
          context,
        )
      ).Policy;
    } catch (error) {
      if (!(error instanceof ServiceError && error.code === "ResourceNotFoundException")) throw error;
    }
    if (!policy || !policyAllowsRule(policy, job.rule.arn, job.rule.accountId)) {
      throw new DeliveryError(
        "NO_PERMISSIONS",
        `The resource policy of ${functionArn} does not allow events.amazonaws.com to invoke it for ${job.rule.arn} (add a permission with AddPermission, SourceArn = the rule ARN).`,
        false,
      );
    }
    await this.env.call(
      "lambda",
      "Invoke",
      { FunctionName: functionArn, InvocationType: "Event", Payload: payload },
      context,
    );
  }

  private async sendToQueue(queueArn: string, body: string, groupId?: string): Promise<void> {
    const context = contextOf(queueArn);
    const { QueueUrl } = await this.env.call<{ QueueUrl: string }>(
      "sqs",
      "GetQueueUrl",
      { QueueName: queueArn.split(":")[5], QueueOwnerAWSAccountId: context.accountId },
      context,
    );
    await this.env.call(
      "sqs",
      "SendMessage",
      { QueueUrl, MessageBody: body, ...(groupId ? { MessageGroupId: groupId } : {}) },
      context,
    );
  }

  private async deadLetter(
    job: Job,
    failure: DeliveryError,
    exhausted: ExhaustedCondition | undefined,
    retries: number,
  ): Promise<void> {
    const dlqArn = job.target.DeadLetterConfig?.Arn;
    if (!dlqArn) {
      this.env.reportBackgroundError(
        "events",
        new Error(
          `Event ${job.event.id} for ${job.target.Arn} was dropped (${failure.code}: ${failure.message}); the target has no DeadLetterConfig.`,
        ),
      );
      return;
    }
    const attribute = (value: string) => ({ DataType: "String", StringValue: value });
    try {
      const context = contextOf(dlqArn);
      const { QueueUrl } = await this.env.call<{ QueueUrl: string }>(
        "sqs",
        "GetQueueUrl",
        { QueueName: dlqArn.split(":")[5], QueueOwnerAWSAccountId: context.accountId },
        context,
      );
      await this.env.call(
        "sqs",
        "SendMessage",
        {
          QueueUrl,
          MessageBody: JSON.stringify(job.event),
          MessageAttributes: {
            RULE_ARN: attribute(job.rule.arn),
            TARGET_ARN: attribute(job.target.Arn),
            ERROR_CODE: attribute(failure.code),
            ERROR_MESSAGE: attribute(failure.message),
            ...(exhausted ? { EXHAUSTED_RETRY_CONDITION: attribute(exhausted) } : {}),
            RETRY_ATTEMPTS: attribute(String(retries)),
          },
        },
        context,
      );
    } catch (error) {
      // AWS counts these as InvocationsFailedToBeSentToDLQ and drops the event.
      this.env.reportBackgroundError(
        "events",
        new Error(`Event ${job.event.id} could not be sent to the DLQ ${dlqArn}: ${describe(error)}`),
      );
    }
  }
}

function asDeliveryError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  if (error instanceof ServiceError) {
    const code = error.code;
    if (code === "UnknownOperationException") {
      return new DeliveryError(
        "NO_RESOURCE",
        `The target's service is not enabled in this emulator (${error.message}).`,
        false,
      );
    }
    if (/NotFound|DoesNotExist|NonExistentQueue/.test(code))
      return new DeliveryError("NO_RESOURCE", error.message, false);
    if (error.status === 429 || /Throttl|TooManyRequests|RequestLimitExceeded/.test(code)) {
      return new DeliveryError("THROTTLING", error.message, true);
    }
    if (error.status >= 500) return new DeliveryError("INTERNAL_ERROR", error.message, true);
    return new DeliveryError("SDK_CLIENT_ERROR", `${code}: ${error.message}`, false);
  }
  return new DeliveryError("INTERNAL_ERROR", describe(error), true);
}

function contextOf(arn: string): RequestContext {
  const [, , , region = "", accountId = ""] = arn.split(":");
  return { requestId: randomUUID(), region, accountId };
}

/**
 * Does a Lambda resource policy let EventBridge invoke the function for this rule? Principal
 * events.amazonaws.com (or *), action lambda:InvokeFunction (or a wildcard), and any SourceArn /
 * SourceAccount condition satisfied by the rule.
 */
export function policyAllowsRule(policyText: string, ruleArn: string, accountId: string): boolean {
  let policy: { Statement?: unknown };
  try {
    policy = JSON.parse(policyText) as { Statement?: unknown };
  } catch {
    return false;
  }
  const statements = Array.isArray(policy.Statement)
    ? policy.Statement
    : policy.Statement
      ? [policy.Statement]
      : [];
  return statements.some((raw) => {
    const statement = raw as { Effect?: string; Principal?: unknown; Action?: unknown; Condition?: unknown };
    return (
      statement.Effect === "Allow" &&
      principalAllowsEvents(statement.Principal) &&
      list(statement.Action).some((a) => ["lambda:InvokeFunction", "lambda:*", "*"].includes(a)) &&
      conditionAllows(statement.Condition, ruleArn, accountId)
    );
  });
}

function principalAllowsEvents(principal: unknown): boolean {
  if (principal === "*") return true;
  if (principal && typeof principal === "object") {
    const service = (principal as { Service?: unknown }).Service;
    return list(service).some((s) => s === "events.amazonaws.com" || s === "*");
  }
  return false;
}

function conditionAllows(condition: unknown, ruleArn: string, accountId: string): boolean {
  if (!condition || typeof condition !== "object") return true;
  for (const [operator, clauses] of Object.entries(condition as Record<string, Record<string, unknown>>)) {
    for (const [key, expected] of Object.entries(clauses ?? {})) {
      const name = key.toLowerCase();
      const actual =
        name === "aws:sourcearn" ? ruleArn : name === "aws:sourceaccount" ? accountId : undefined;
      if (actual === undefined) continue;
      const like = /Like$/.test(operator);
      if (!list(expected).some((value) => (like ? globMatches(value, actual) : value === actual)))
        return false;
    }
  }
  return true;
}

function globMatches(pattern: string, value: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${source}$`).test(value);
}

function list(value: unknown): string[] {
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
