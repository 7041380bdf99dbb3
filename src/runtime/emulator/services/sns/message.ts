import type { DeliveryKind, MessageAttribute, PublishedMessage } from "./models.js";
import { stringToSign, type MessageSigner } from "./signing.js";

/**
 * What SNS sends: the JSON envelope (sns-message-and-json-formats) for http(s), email-json and
 * non-raw SQS deliveries, the Lambda event record, and the e-mail text. Field order follows the
 * examples AWS publishes; receivers must not depend on it, but people read these.
 */
export interface EnvelopeContext {
  baseUrl: string;
  signer: MessageSigner;
  /** The topic's SignatureVersion attribute ("1" unless set to "2"). */
  signatureVersion: string;
}

/** The text a protocol gets: its own entry of a MessageStructure=json message, else the default. */
export function messageFor(message: PublishedMessage, protocol: string): string {
  if (!message.perProtocol) return message.message;
  return message.perProtocol[protocol] ?? message.perProtocol["default"] ?? message.message;
}

export function isoTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}

export function subscribeUrl(baseUrl: string, topicArn: string, token: string): string {
  const query = new URLSearchParams({ Action: "ConfirmSubscription", TopicArn: topicArn, Token: token });
  return `${baseUrl}/?${query.toString()}`;
}

export function unsubscribeUrl(baseUrl: string, subscriptionArn: string): string {
  const query = new URLSearchParams({ Action: "Unsubscribe", SubscriptionArn: subscriptionArn });
  return `${baseUrl}/?${query.toString()}`;
}

export function signingCertUrl(ctx: EnvelopeContext): string {
  return `${ctx.baseUrl}/_emulator/sns/${ctx.signer.certificateFileName()}`;
}

/** Message attributes as the envelope carries them: `{ name: { Type, Value } }`. */
export function envelopeAttributes(
  attributes: Record<string, MessageAttribute>,
): Record<string, { Type: string; Value: string }> {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, a]) => [
      name,
      { Type: a.DataType, Value: a.StringValue ?? a.BinaryValue ?? "" },
    ]),
  );
}

function signed(envelope: Record<string, unknown>, ctx: EnvelopeContext): Record<string, unknown> {
  return {
    ...envelope,
    SignatureVersion: ctx.signatureVersion,
    Signature: ctx.signer.sign(stringToSign(envelope), ctx.signatureVersion),
    SigningCertURL: signingCertUrl(ctx),
  };
}

export function notificationEnvelope(
  message: PublishedMessage,
  subscriptionArn: string,
  protocol: string,
  ctx: EnvelopeContext,
): Record<string, unknown> {
  const base: Record<string, unknown> = {
    Type: "Notification",
    MessageId: message.messageId,
    TopicArn: message.topicArn,
    ...(message.subject !== undefined ? { Subject: message.subject } : {}),
    Message: messageFor(message, protocol),
    Timestamp: isoTimestamp(message.at),
  };
  const attributes = envelopeAttributes(message.attributes);
  return {
    ...signed(base, ctx),
    UnsubscribeURL: unsubscribeUrl(ctx.baseUrl, subscriptionArn),
    ...(Object.keys(attributes).length > 0 ? { MessageAttributes: attributes } : {}),
  };
}

/** SubscriptionConfirmation and UnsubscribeConfirmation: Token and SubscribeURL instead of a payload. */
export function confirmationEnvelope(
  kind: Exclude<DeliveryKind, "Notification">,
  message: PublishedMessage,
  token: string,
  ctx: EnvelopeContext,
): Record<string, unknown> {
  return signed(
    {
      Type: kind,
      MessageId: message.messageId,
      Token: token,
      TopicArn: message.topicArn,
      Message: message.message,
      SubscribeURL: subscribeUrl(ctx.baseUrl, message.topicArn, token),
      Timestamp: isoTimestamp(message.at),
    },
    ctx,
  );
}

export function subscribeConfirmationText(topicArn: string): string {
  return `You have chosen to subscribe to the topic ${topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`;
}

export function unsubscribeConfirmationText(subscriptionArn: string): string {
  return `You have chosen to deactivate subscription ${subscriptionArn}.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.`;
}

/** The event a Lambda subscription's function receives (one record per invocation). */
export function lambdaEvent(
  message: PublishedMessage,
  subscriptionArn: string,
  ctx: EnvelopeContext,
): unknown {
  const envelope = notificationEnvelope(message, subscriptionArn, "lambda", ctx);
  return {
    Records: [
      {
        EventSource: "aws:sns",
        EventVersion: "1.0",
        EventSubscriptionArn: subscriptionArn,
        Sns: {
          Type: "Notification",
          MessageId: message.messageId,
          TopicArn: message.topicArn,
          Subject: message.subject ?? null,
          Message: envelope["Message"],
          Timestamp: envelope["Timestamp"],
          SignatureVersion: envelope["SignatureVersion"],
          Signature: envelope["Signature"],
          SigningCertUrl: envelope["SigningCertURL"],
          UnsubscribeUrl: envelope["UnsubscribeURL"],
          MessageAttributes: envelopeAttributes(message.attributes),
        },
      },
    ],
  };
}

/** An e-mail as the `email` protocol sends it: the message text with the unsubscribe footer. */
export function emailText(
  kind: DeliveryKind,
  message: PublishedMessage,
  subscriptionArn: string,
  token: string,
  ctx: EnvelopeContext,
): { subject: string; body: string } {
  if (kind === "SubscriptionConfirmation") {
    return {
      subject: "AWS Notification - Subscription Confirmation",
      body:
        `You have chosen to subscribe to the topic:\n${message.topicArn}\n\n` +
        "To confirm this subscription, click or visit the link below (if this was in error, no action is necessary):\n" +
        subscribeUrl(ctx.baseUrl, message.topicArn, token),
    };
  }
  if (kind === "UnsubscribeConfirmation") {
    return { subject: "AWS Notification - Unsubscribe Confirmation", body: message.message };
  }
  return {
    subject: message.subject ?? "AWS Notification Message",
    body:
      `${messageFor(message, "email")}\n\n--\nIf you wish to stop receiving notifications from this topic, ` +
      `please click or visit the link below to unsubscribe:\n${unsubscribeUrl(ctx.baseUrl, subscriptionArn)}`,
  };
}
