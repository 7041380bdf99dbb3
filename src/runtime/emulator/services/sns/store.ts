import { MAX_OUTBOX_ENTRIES } from "./limits.js";
import type { DeliveryJob, OutboxEntry, SubscriptionRecord, TopicRecord } from "./models.js";

/**
 * SNS state: topics, subscriptions, pending deliveries, the e-mail outbox and the signing key.
 * Every change is a journal entry applied through `apply` (the live path and the replay after a
 * restart run the same code), so an acknowledged Subscribe or a delivery still retrying survives
 * a restart.
 */
export type SnsEntry =
  | { t: "topic"; topic: TopicRecord }
  | { t: "deleteTopic"; arn: string }
  | { t: "subscription"; subscription: SubscriptionRecord }
  | { t: "unsubscribe"; arn: string }
  | { t: "job"; job: DeliveryJob }
  | { t: "jobDone"; id: string }
  | { t: "outbox"; entry: OutboxEntry }
  | { t: "signingKey"; pem: string };

export interface SnsSnapshot {
  version: 1;
  topics: TopicRecord[];
  subscriptions: SubscriptionRecord[];
  jobs: DeliveryJob[];
  outbox: OutboxEntry[];
  signingKey?: string;
}

export class SnsState {
  readonly topics = new Map<string, TopicRecord>();
  readonly subscriptions = new Map<string, SubscriptionRecord>();
  readonly jobs = new Map<string, DeliveryJob>();
  outbox: OutboxEntry[] = [];
  signingKey: string | undefined;

  subscriptionsOf(topicArn: string): SubscriptionRecord[] {
    return [...this.subscriptions.values()].filter((s) => s.topicArn === topicArn);
  }

  apply(entry: SnsEntry): void {
    switch (entry.t) {
      case "topic":
        this.topics.set(entry.topic.arn, structuredClone(entry.topic));
        return;
      case "deleteTopic":
        this.topics.delete(entry.arn);
        for (const sub of this.subscriptionsOf(entry.arn)) this.subscriptions.delete(sub.arn);
        return;
      case "subscription":
        this.subscriptions.set(entry.subscription.arn, structuredClone(entry.subscription));
        return;
      case "unsubscribe": {
        const sub = this.subscriptions.get(entry.arn);
        if (!sub) return;
        this.subscriptions.delete(entry.arn);
        const topic = this.topics.get(sub.topicArn);
        if (topic) topic.subscriptionsDeleted += 1;
        return;
      }
      case "job":
        this.jobs.set(entry.job.id, structuredClone(entry.job));
        return;
      case "jobDone":
        this.jobs.delete(entry.id);
        return;
      case "outbox":
        this.outbox.push(structuredClone(entry.entry));
        if (this.outbox.length > MAX_OUTBOX_ENTRIES)
          this.outbox.splice(0, this.outbox.length - MAX_OUTBOX_ENTRIES);
        return;
      case "signingKey":
        this.signingKey = entry.pem;
        return;
    }
  }

  toSnapshot(): SnsSnapshot {
    return {
      version: 1,
      topics: [...this.topics.values()],
      subscriptions: [...this.subscriptions.values()],
      jobs: [...this.jobs.values()],
      outbox: this.outbox,
      ...(this.signingKey ? { signingKey: this.signingKey } : {}),
    };
  }

  restore(snapshot: SnsSnapshot): void {
    for (const topic of snapshot.topics) this.topics.set(topic.arn, topic);
    for (const sub of snapshot.subscriptions) this.subscriptions.set(sub.arn, sub);
    for (const job of snapshot.jobs) this.jobs.set(job.id, job);
    this.outbox = [...snapshot.outbox];
    this.signingKey = snapshot.signingKey;
  }
}
