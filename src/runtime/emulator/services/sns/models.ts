/** SNS resources as the emulator keeps them. Attributes are stored as AWS returns them: strings. */

export interface TopicRecord {
  arn: string;
  name: string;
  accountId: string;
  region: string;
  /** Attributes set through CreateTopic / SetTopicAttributes (DisplayName, Policy, DeliveryPolicy, ...). */
  attributes: Record<string, string>;
  tags: { Key: string; Value: string }[];
  createdAt: number;
  subscriptionsDeleted: number;
}

export interface SubscriptionRecord {
  arn: string;
  topicArn: string;
  /** Account that subscribed. */
  owner: string;
  protocol: string;
  endpoint: string;
  /** http(s) and e-mail subscriptions wait for ConfirmSubscription; the others confirm themselves. */
  pending: boolean;
  confirmationWasAuthenticated: boolean;
  token: string;
  tokenExpiresAt: number;
  /** RawMessageDelivery, FilterPolicy, FilterPolicyScope, RedrivePolicy, DeliveryPolicy, ... */
  attributes: Record<string, string>;
  createdAt: number;
}

/** One message attribute as Publish takes it. */
export interface MessageAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

/** A published message, kept until every delivery of it is done. */
export interface PublishedMessage {
  messageId: string;
  topicArn: string;
  /** The Message text, or per-protocol texts when MessageStructure was json. */
  message: string;
  perProtocol?: Record<string, string>;
  subject?: string;
  attributes: Record<string, MessageAttribute>;
  /** Publish time, epoch ms (the envelope's Timestamp). */
  at: number;
}

export type DeliveryKind = "Notification" | "SubscriptionConfirmation" | "UnsubscribeConfirmation";

/** One pending delivery to one subscription (journaled, so a restart resumes it). */
export interface DeliveryJob {
  id: string;
  kind: DeliveryKind;
  subscriptionArn: string;
  /** Subscription snapshot for confirmations (an unsubscribed endpoint still gets its UnsubscribeConfirmation). */
  protocol: string;
  endpoint: string;
  /** The subscription's confirmation token (confirmation messages carry it). */
  token: string;
  message: PublishedMessage;
  /** Attempts made so far. */
  attempts: number;
  /** When the next attempt is due, epoch ms. */
  dueAt: number;
}

/** An e-mail the emulator would have sent (recorded, never sent). */
export interface OutboxEntry {
  at: number;
  kind: DeliveryKind;
  protocol: "email" | "email-json";
  to: string;
  subscriptionArn: string;
  topicArn: string;
  messageId: string;
  subject: string;
  body: string;
}

export function topicArnOf(region: string, accountId: string, name: string): string {
  return `arn:aws:sns:${region}:${accountId}:${name}`;
}

export interface ArnParts {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  resource: string;
}

/** Splits an ARN; undefined when it has fewer than six parts. */
export function parseArn(arn: string): ArnParts | undefined {
  const parts = arn.split(":");
  if (parts.length < 6 || parts[0] !== "arn") return undefined;
  return {
    partition: parts[1]!,
    service: parts[2]!,
    region: parts[3]!,
    accountId: parts[4]!,
    resource: parts.slice(5).join(":"),
  };
}
