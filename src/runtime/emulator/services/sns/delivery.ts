import { randomUUID } from "node:crypto";
import type { TimerHandle } from "../../core/clock.js";
import { ServiceError } from "../../core/errors.js";
import type { RequestContext } from "../../core/request.js";
import { evaluateResourcePolicy } from "../../core/resource-policy.js";
import type { ServiceEnv } from "../../core/service.js";
import { effectiveHttpPolicy, retryDelaySeconds, retryPolicyFor } from "./delivery-policy.js";
import { authorizationFor, redactedEndpoint, splitCredentials } from "./http-auth.js";
import { HTTP_TIMEOUT_MS } from "./limits.js";
import {
  confirmationEnvelope,
  emailText,
  lambdaEvent,
  messageFor,
  notificationEnvelope,
  type EnvelopeContext,
} from "./message.js";
import {
  parseArn,
  type DeliveryJob,
  type DeliveryKind,
  type PublishedMessage,
  type SubscriptionRecord,
  type TopicRecord,
} from "./models.js";
import type { MessageSigner } from "./signing.js";
import type { SnsEntry, SnsState } from "./store.js";

/** A failed attempt: client-side failures (missing endpoint, refused by policy, HTTP 4xx) are not retried. */
export class DeliveryFailure extends Error {
  override readonly name = "DeliveryFailure";
  constructor(
    message: string,
    readonly clientSide: boolean,
  ) {
    super(message);
  }
}

function contextOf(arn: string): RequestContext {
  const parts = parseArn(arn);
  return { requestId: randomUUID(), region: parts?.region ?? "us-east-1", accountId: parts?.accountId ?? "" };
}

function errorCode(error: unknown): string | undefined {
  return error instanceof ServiceError ? error.code : undefined;
}

/**
 * Deliveries of published messages and confirmations to subscriptions. The first attempt starts
 * at once; a server-side failure is retried along the protocol's delivery policy (HTTP/S: 3
 * retries 20 s apart unless a DeliveryPolicy says otherwise; SQS and Lambda: AWS's managed
 * policy), the waits multiplied by the emulator's `retryWaitScale` and counted on the emulator
 * clock. A client-side failure, or the last failed retry, sends the message to the subscription's
 * RedrivePolicy DLQ (when it has one). Jobs are journaled, so deliveries resume after a restart.
 */
export class Deliveries {
  private readonly timers = new Map<string, TimerHandle>();
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly state: SnsState,
    private readonly env: ServiceEnv,
    private readonly commit: (entry: SnsEntry) => void,
    private readonly signer: () => MessageSigner,
  ) {}

  private envelopeContext(topicArn: string): EnvelopeContext {
    const topic = this.state.topics.get(topicArn);
    return {
      baseUrl: this.env.baseUrl(),
      signer: this.signer(),
      signatureVersion: topic?.attributes["SignatureVersion"] === "2" ? "2" : "1",
    };
  }

  /** Starts delivering one message (or confirmation) to one subscription. */
  enqueue(kind: DeliveryKind, subscription: SubscriptionRecord, message: PublishedMessage): void {
    const job: DeliveryJob = {
      id: randomUUID(),
      kind,
      subscriptionArn: subscription.arn,
      protocol: subscription.protocol,
      endpoint: subscription.endpoint,
      token: subscription.token,
      message,
      attempts: 0,
      dueAt: this.env.clock.now(),
    };
    this.commit({ t: "job", job });
    this.run(job);
  }

  /** Resumes the jobs a restart found in the journal, each at its due time. */
  resume(): void {
    for (const job of this.state.jobs.values()) this.schedule(job);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) timer.cancel();
    this.timers.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  /** Resolves when no attempt is running (tests and the side door's /drain). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private schedule(job: DeliveryJob): void {
    if (this.stopped) return;
    const delay = Math.max(0, job.dueAt - this.env.clock.now());
    const timer = this.env.clock.setTimeout(() => {
      this.timers.delete(job.id);
      this.run(job);
    }, delay);
    this.timers.set(job.id, timer);
  }

  private run(job: DeliveryJob): void {
    if (this.stopped) return;
    const attempt = this.attempt(job).catch((error: unknown) => this.env.reportBackgroundError("sns", error));
    this.inFlight.add(attempt);
    void attempt.finally(() => this.inFlight.delete(attempt));
  }

  private async attempt(job: DeliveryJob): Promise<void> {
    const subscription = this.state.subscriptions.get(job.subscriptionArn);
    if (job.kind === "Notification" && (!subscription || subscription.pending)) {
      // Unsubscribed (or back to pending) while the delivery waited: nothing to deliver to.
      this.commit({ t: "jobDone", id: job.id });
      return;
    }
    const topic = this.state.topics.get(job.message.topicArn);
    const attempts = job.attempts + 1;
    try {
      await this.send(job, subscription, topic);
      this.commit({ t: "jobDone", id: job.id });
      if (job.kind === "Notification") this.metric(job.message.topicArn, "NumberOfNotificationsDelivered");
    } catch (error) {
      const failure =
        error instanceof DeliveryFailure
          ? error
          : new DeliveryFailure(error instanceof Error ? error.message : String(error), false);
      const policy = retryPolicyFor(
        job.protocol,
        topic?.attributes["DeliveryPolicy"],
        subscription?.attributes["DeliveryPolicy"],
      );
      if (!failure.clientSide && attempts <= policy.numRetries && !this.stopped) {
        const waitMs = retryDelaySeconds(policy, attempts) * 1000 * this.env.settings.retryWaitScale;
        const next: DeliveryJob = { ...job, attempts, dueAt: this.env.clock.now() + waitMs };
        this.commit({ t: "job", job: next });
        this.schedule(next);
        return;
      }
      this.commit({ t: "jobDone", id: job.id });
      if (job.kind !== "Notification") return;
      this.metric(job.message.topicArn, "NumberOfNotificationsFailed");
      await this.deadLetter(job, subscription, failure);
    }
  }

  private async send(
    job: DeliveryJob,
    subscription: SubscriptionRecord | undefined,
    topic: TopicRecord | undefined,
  ): Promise<void> {
    const ctx = this.envelopeContext(job.message.topicArn);
    const raw = subscription?.attributes["RawMessageDelivery"] === "true";
    switch (job.protocol) {
      case "sqs":
        return this.sendToQueue(job.endpoint, job.message.topicArn, this.queueMessage(job, raw, ctx));
      case "lambda":
        return this.invokeFunction(job, ctx);
      case "http":
      case "https":
        return this.post(job, subscription, topic, raw, ctx);
      case "email":
      case "email-json":
        return this.record(job, subscription, ctx);
      default:
        throw new DeliveryFailure(`the emulator does not deliver to ${job.protocol} endpoints`, true);
    }
  }

  private queueMessage(
    job: DeliveryJob,
    raw: boolean,
    ctx: EnvelopeContext,
  ): { MessageBody: string; MessageAttributes?: Record<string, unknown> } {
    if (!raw) {
      return {
        MessageBody: JSON.stringify(notificationEnvelope(job.message, job.subscriptionArn, "sqs", ctx)),
      };
    }
    const attributes = job.message.attributes;
    return {
      MessageBody: messageFor(job.message, "sqs"),
      ...(Object.keys(attributes).length > 0 ? { MessageAttributes: structuredClone(attributes) } : {}),
    };
  }

  /** SNS writes to a queue only when the queue's policy lets sns.amazonaws.com send for this topic. */
  private async sendToQueue(
    queueArn: string,
    topicArn: string,
    message: { MessageBody: string; MessageAttributes?: Record<string, unknown> },
  ): Promise<void> {
    const context = contextOf(queueArn);
    const name = parseArn(queueArn)?.resource ?? queueArn;
    let url: string;
    try {
      url = (
        await this.env.call<{ QueueUrl: string }>(
          "sqs",
          "GetQueueUrl",
          { QueueName: name, QueueOwnerAWSAccountId: context.accountId },
          context,
        )
      ).QueueUrl;
    } catch (error) {
      const code = errorCode(error);
      if (code === "QueueDoesNotExist" || code === "AWS.SimpleQueueService.NonExistentQueue") {
        throw new DeliveryFailure(`the queue ${queueArn} does not exist`, true);
      }
      throw error;
    }
    const attributes = (
      await this.env.call<{ Attributes?: Record<string, string> }>(
        "sqs",
        "GetQueueAttributes",
        { QueueUrl: url, AttributeNames: ["Policy"] },
        context,
      )
    ).Attributes;
    const decision = evaluateResourcePolicy(attributes?.["Policy"], {
      principal: { service: "sns.amazonaws.com" },
      action: "sqs:SendMessage",
      resource: queueArn,
      context: { "aws:SourceArn": topicArn, "aws:SourceAccount": parseArn(topicArn)?.accountId },
    });
    if (decision !== "allow") {
      throw new DeliveryFailure(
        `the access policy of ${queueArn} does not allow sns.amazonaws.com to sqs:SendMessage for ${topicArn}`,
        true,
      );
    }
    await this.env.call("sqs", "SendMessage", { QueueUrl: url, ...message }, context);
  }

  /** Lambda subscriptions invoke the function asynchronously, if its policy lets SNS invoke it. */
  private async invokeFunction(job: DeliveryJob, ctx: EnvelopeContext): Promise<void> {
    const functionArn = job.endpoint;
    const context = contextOf(functionArn);
    try {
      await this.env.call("lambda", "GetFunctionConfiguration", { FunctionName: functionArn }, context);
    } catch (error) {
      if (errorCode(error) === "ResourceNotFoundException") {
        throw new DeliveryFailure(`the function ${functionArn} does not exist`, true);
      }
      throw error;
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
      if (errorCode(error) !== "ResourceNotFoundException") throw error;
    }
    const decision = evaluateResourcePolicy(policy, {
      principal: { service: "sns.amazonaws.com" },
      action: "lambda:InvokeFunction",
      resource: functionArn,
      context: {
        "aws:SourceArn": job.message.topicArn,
        "aws:SourceAccount": parseArn(job.message.topicArn)?.accountId,
      },
    });
    if (decision !== "allow") {
      throw new DeliveryFailure(
        `the resource policy of ${functionArn} does not allow sns.amazonaws.com to invoke it for ${job.message.topicArn} (add a permission with AddPermission)`,
        true,
      );
    }
    await this.env.call(
      "lambda",
      "Invoke",
      {
        FunctionName: functionArn,
        InvocationType: "Event",
        Payload: JSON.stringify(lambdaEvent(job.message, job.subscriptionArn, ctx)),
      },
      context,
    );
  }

  private async post(
    job: DeliveryJob,
    subscription: SubscriptionRecord | undefined,
    topic: TopicRecord | undefined,
    raw: boolean,
    ctx: EnvelopeContext,
  ): Promise<void> {
    const notification = job.kind === "Notification";
    const body = notification
      ? raw
        ? messageFor(job.message, job.protocol)
        : JSON.stringify(notificationEnvelope(job.message, job.subscriptionArn, job.protocol, ctx))
      : JSON.stringify(
          confirmationEnvelope(
            job.kind as Exclude<DeliveryKind, "Notification">,
            job.message,
            job.token,
            ctx,
          ),
        );
    const { contentType } = effectiveHttpPolicy(
      topic?.attributes["DeliveryPolicy"],
      subscription?.attributes["DeliveryPolicy"],
    );
    const headers: Record<string, string> = {
      "content-type": contentType,
      "user-agent": "Amazon Simple Notification Service Agent",
      "x-amz-sns-message-type": job.kind,
      "x-amz-sns-message-id": job.message.messageId,
      "x-amz-sns-topic-arn": job.message.topicArn,
    };
    if (job.kind !== "SubscriptionConfirmation") headers["x-amz-sns-subscription-arn"] = job.subscriptionArn;
    if (notification && raw) headers["x-amz-sns-rawdelivery"] = "true";
    const abort = new AbortController();
    const timer = this.env.clock.setTimeout(() => abort.abort(), HTTP_TIMEOUT_MS);
    let status: number;
    try {
      // Credentials in the URL answer the endpoint's 401 challenge (Basic or Digest), as SNS does.
      const credentials = splitCredentials(job.endpoint);
      const request = (extra: Record<string, string> = {}) =>
        fetch(credentials.url, {
          method: "POST",
          headers: { ...headers, ...extra },
          body,
          signal: abort.signal,
        });
      let response = await request();
      if (response.status === 401) {
        const authorization = authorizationFor(response.headers.get("www-authenticate"), credentials, "POST");
        if (authorization !== undefined) {
          await response.body?.cancel();
          response = await request({ authorization });
        }
      }
      status = response.status;
      await response.body?.cancel();
    } catch (error) {
      throw new DeliveryFailure(
        abort.signal.aborted
          ? `${redactedEndpoint(job.endpoint)} did not answer within ${HTTP_TIMEOUT_MS / 1000} s`
          : `${redactedEndpoint(job.endpoint)} could not be reached (${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)})`,
        false,
      );
    } finally {
      timer.cancel();
    }
    if (status >= 200 && status < 300) return;
    // SNS retries 5xx and 429 (too many requests) under the delivery policy; any other answer is
    // the endpoint refusing the message, a permanent failure.
    const retryable = status >= 500 || status === 429;
    throw new DeliveryFailure(`${redactedEndpoint(job.endpoint)} answered HTTP ${status}`, !retryable);
  }

  /** E-mail is recorded in the emulator's outbox, never sent. */
  private async record(
    job: DeliveryJob,
    subscription: SubscriptionRecord | undefined,
    ctx: EnvelopeContext,
  ): Promise<void> {
    const token = job.token;
    const json = job.protocol === "email-json";
    const text = emailText(job.kind, job.message, job.subscriptionArn, token, ctx);
    const body = !json
      ? text.body
      : JSON.stringify(
          job.kind === "Notification"
            ? notificationEnvelope(job.message, job.subscriptionArn, job.protocol, ctx)
            : confirmationEnvelope(job.kind, job.message, token, ctx),
        );
    this.commit({
      t: "outbox",
      entry: {
        at: this.env.clock.now(),
        kind: job.kind,
        protocol: json ? "email-json" : "email",
        to: job.endpoint,
        subscriptionArn: job.subscriptionArn,
        topicArn: job.message.topicArn,
        messageId: job.message.messageId,
        subject: text.subject,
        body,
      },
    });
  }

  /**
   * A message SNS gave up on goes to the subscription's dead-letter queue (which, like any queue SNS
   * writes to, must allow sns.amazonaws.com): the body is what an SQS subscription would have
   * received, the envelope (or the raw message, with its attributes, for raw delivery).
   */
  private async deadLetter(
    job: DeliveryJob,
    subscription: SubscriptionRecord | undefined,
    failure: DeliveryFailure,
  ): Promise<void> {
    const redrive = subscription?.attributes["RedrivePolicy"];
    const target = redrive
      ? (JSON.parse(redrive) as { deadLetterTargetArn?: string }).deadLetterTargetArn
      : undefined;
    if (!target) {
      this.env.reportBackgroundError(
        "sns",
        new Error(
          `message ${job.message.messageId} to ${redactedEndpoint(job.endpoint)} was dropped (${failure.message}); the subscription has no RedrivePolicy`,
        ),
      );
      return;
    }
    const raw = subscription?.attributes["RawMessageDelivery"] === "true";
    try {
      await this.sendToQueue(
        target,
        job.message.topicArn,
        this.queueMessage(job, raw, this.envelopeContext(job.message.topicArn)),
      );
      this.metric(job.message.topicArn, "NumberOfNotificationsRedrivenToDlq");
    } catch (error) {
      this.metric(job.message.topicArn, "NumberOfNotificationsFailedToRedriveToDlq");
      this.env.reportBackgroundError(
        "sns",
        new Error(
          `message ${job.message.messageId} could not be moved to the dead-letter queue ${target}: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
    }
  }

  /** AWS/SNS metrics with the TopicName dimension (published in-process, like AWS/Lambda's). */
  metric(topicArn: string, name: string, value = 1): void {
    const parts = parseArn(topicArn);
    if (!parts) return;
    this.env
      .call(
        "cloudwatch",
        "PutMetricData",
        {
          Namespace: "AWS/SNS",
          MetricData: [
            {
              MetricName: name,
              Dimensions: [{ Name: "TopicName", Value: parts.resource }],
              Timestamp: new Date(this.env.clock.now()),
              Value: value,
              Unit: "Count",
            },
          ],
        },
        contextOf(topicArn),
      )
      .catch((error: unknown) => {
        if (errorCode(error) !== "UnknownOperationException") this.env.reportBackgroundError("sns", error);
      });
  }
}
