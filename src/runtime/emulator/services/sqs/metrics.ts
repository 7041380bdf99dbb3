import { randomUUID } from "node:crypto";
import type { TimerHandle } from "../../core/clock.js";
import { ServiceError } from "../../core/errors.js";
import type { ServiceEnv } from "../../core/service.js";
import type { SqsState } from "./store.js";

/** SQS reports its queue metrics to CloudWatch once a minute. */
const PUBLISH_INTERVAL_MS = 60_000;
/** A send is reported this soon after it, so an arrival is seen in the period it happened in. */
const ARRIVAL_SAMPLE_DELAY_MS = 1_000;

/**
 * The AWS/SQS metrics (dimension QueueName) SQS publishes to CloudWatch, in-process:
 * ApproximateNumberOfMessagesVisible, ApproximateNumberOfMessagesNotVisible,
 * ApproximateNumberOfMessagesDelayed and ApproximateAgeOfOldestMessage (seconds) as gauges each
 * minute on the emulator clock, and NumberOfMessagesSent as the count of SendMessage(Batch)
 * messages since the last report. A queue that receives a message also reports a second later,
 * so an alarm on a dead-letter queue's depth sees the arrival in the period it happened in (AWS
 * reports its queue metrics with a few minutes' delay; the emulator does not wait).
 */
export class SqsMetrics {
  private timer: TimerHandle | undefined;
  private readonly arrivals = new Map<string, TimerHandle>();
  private readonly sent = new Map<string, number>();
  private missing = false;

  constructor(
    private readonly state: SqsState,
    private readonly env: ServiceEnv,
  ) {}

  start(): void {
    const tick = () => {
      this.timer = this.env.clock.setTimeout(() => {
        this.publish([...this.state.queues.keys()]);
        tick();
      }, PUBLISH_INTERVAL_MS);
    };
    tick();
  }

  stop(): void {
    this.timer?.cancel();
    for (const timer of this.arrivals.values()) timer.cancel();
    this.arrivals.clear();
  }

  /** Counts sent messages and reports the queue's gauges shortly after. */
  noteSent(queueArn: string, count: number): void {
    if (count <= 0) return;
    this.sent.set(queueArn, (this.sent.get(queueArn) ?? 0) + count);
    if (this.arrivals.has(queueArn)) return;
    this.arrivals.set(
      queueArn,
      this.env.clock.setTimeout(() => {
        this.arrivals.delete(queueArn);
        this.publish([queueArn]);
      }, ARRIVAL_SAMPLE_DELAY_MS),
    );
  }

  private publish(arns: string[]): void {
    if (this.missing) return;
    const now = this.env.clock.now();
    const timestamp = new Date(now);
    const byScope = new Map<string, { accountId: string; region: string; data: unknown[] }>();
    for (const arn of arns) {
      const queue = this.state.queues.get(arn);
      if (!queue) continue;
      const { accountId, region, name } = queue.record;
      const key = `${accountId}/${region}`;
      let scope = byScope.get(key);
      if (!scope) byScope.set(key, (scope = { accountId, region, data: [] }));
      const counts = queue.counts(now);
      let oldest: number | undefined;
      for (const message of queue.messages.values()) {
        if (oldest === undefined || message.sentAt < oldest) oldest = message.sentAt;
      }
      const dimensions = [{ Name: "QueueName", Value: name }];
      const datum = (metric: string, value: number, unit: string) => ({
        MetricName: metric,
        Dimensions: dimensions,
        Timestamp: timestamp,
        Value: value,
        Unit: unit,
      });
      scope.data.push(
        datum("ApproximateNumberOfMessagesVisible", counts.visible, "Count"),
        datum("ApproximateNumberOfMessagesNotVisible", counts.inflight, "Count"),
        datum("ApproximateNumberOfMessagesDelayed", counts.delayed, "Count"),
        datum(
          "ApproximateAgeOfOldestMessage",
          oldest === undefined ? 0 : Math.floor((now - oldest) / 1000),
          "Seconds",
        ),
        datum("NumberOfMessagesSent", this.sent.get(arn) ?? 0, "Count"),
      );
      this.sent.delete(arn);
    }
    for (const scope of byScope.values()) {
      for (let n = 0; n < scope.data.length; n += 1000) {
        this.env
          .call(
            "cloudwatch",
            "PutMetricData",
            { Namespace: "AWS/SQS", MetricData: scope.data.slice(n, n + 1000) },
            { requestId: randomUUID(), accountId: scope.accountId, region: scope.region },
          )
          .catch((error: unknown) => {
            if (error instanceof ServiceError && error.code === "UnknownOperationException")
              this.missing = true;
            else this.env.reportBackgroundError("sqs", error);
          });
      }
    }
  }
}
