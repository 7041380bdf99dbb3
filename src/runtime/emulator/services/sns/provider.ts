import { randomBytes, randomUUID } from "node:crypto";
import type { RequestContext } from "../../core/request.js";
import type { ServiceEnv } from "../../core/service.js";
import type { Deliveries } from "./delivery.js";
import {
  effectiveSubscriptionDeliveryPolicy,
  effectiveTopicDeliveryPolicy,
  validateDeliveryPolicy,
} from "./delivery-policy.js";
import { snsErrors } from "./errors.js";
import { compileFilterPolicy, filterPolicyMatches, type FilterPolicyScope } from "./filter-policy.js";
import * as limits from "./limits.js";
import { messageFor, subscribeConfirmationText, unsubscribeConfirmationText } from "./message.js";
import {
  parseArn,
  topicArnOf,
  type MessageAttribute,
  type PublishedMessage,
  type SubscriptionRecord,
  type TopicRecord,
} from "./models.js";
import type { SnsEntry, SnsState } from "./store.js";

type Input = Record<string, unknown>;

function str(input: Input, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  return typeof value === "string" ? value : String(value);
}

function required(input: Input, name: string, member: string): string {
  const value = str(input, name);
  if (value === undefined) throw snsErrors.missing(member);
  return value;
}

function bool(input: Input, name: string): boolean {
  const value = input[name];
  return value === true || value === "true";
}

function stringMap(value: unknown): Record<string, string> {
  if (!value || typeof value !== "object" || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, v === undefined ? "" : String(v)]),
  );
}

function tagList(value: unknown): { Key: string; Value: string }[] {
  if (!Array.isArray(value)) return [];
  return value.map((raw) => {
    const tag = (raw ?? {}) as Input;
    return { Key: str(tag, "Key") ?? "", Value: str(tag, "Value") ?? "" };
  });
}

const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]+$/;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;
const FEEDBACK =
  /^(HTTP|SQS|Lambda|Application|Firehose)(SuccessFeedbackRoleArn|FailureFeedbackRoleArn|SuccessFeedbackSampleRate)$/;
const TOPIC_ATTRIBUTES = new Set([
  "DeliveryPolicy",
  "DisplayName",
  "Policy",
  "KmsMasterKeyId",
  "SignatureVersion",
  "TracingConfig",
  "ArchivePolicy",
  "ContentBasedDeduplication",
  "FifoThroughputScope",
]);
const SUBSCRIPTION_ATTRIBUTES = new Set([
  "DeliveryPolicy",
  "FilterPolicy",
  "FilterPolicyScope",
  "RawMessageDelivery",
  "RedrivePolicy",
  "SubscriptionRoleArn",
  "ReplayPolicy",
]);
const RAW_DELIVERY_PROTOCOLS = new Set(["http", "https", "sqs", "firehose"]);
const CONFIRMED_BY_ENDPOINT = new Set(["http", "https", "email", "email-json"]);

function defaultTopicPolicy(arn: string, accountId: string): string {
  return JSON.stringify({
    Version: "2008-10-17",
    Id: "__default_policy_ID",
    Statement: [
      {
        Sid: "__default_statement_ID",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: [
          "SNS:GetTopicAttributes",
          "SNS:SetTopicAttributes",
          "SNS:AddPermission",
          "SNS:RemovePermission",
          "SNS:DeleteTopic",
          "SNS:Subscribe",
          "SNS:ListSubscriptionsByTopic",
          "SNS:Publish",
        ],
        Resource: arn,
        Condition: { StringEquals: { "AWS:SourceOwner": accountId } },
      },
    ],
  });
}

function encodeToken(key: string): string {
  return Buffer.from(key).toString("base64url");
}

function decodeToken(token: string | undefined): string | undefined {
  if (token === undefined || token === "") return undefined;
  const key = Buffer.from(token, "base64url").toString("utf8");
  if (!key || encodeToken(key) !== token) throw snsErrors.invalidParameter("NextToken");
  return key;
}

function page<T>(items: T[], keyOf: (item: T) => string, token: string | undefined) {
  const after = decodeToken(token);
  const sorted = [...items].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  const rest = after === undefined ? sorted : sorted.filter((item) => keyOf(item) > after);
  const slice = rest.slice(0, limits.LIST_PAGE_SIZE);
  return {
    items: slice,
    next: rest.length > slice.length ? encodeToken(keyOf(slice[slice.length - 1]!)) : undefined,
  };
}

/** SNS operations: topics, subscriptions, publishing (fan-out through Deliveries), tags, permissions. */
export class SnsProvider {
  constructor(
    private readonly state: SnsState,
    private readonly env: ServiceEnv,
    private readonly commit: (entry: SnsEntry) => void,
    private readonly deliveries: Deliveries,
  ) {}

  // ---- topics -------------------------------------------------------------------------------

  private topicArnParam(input: Input, name = "TopicArn"): string {
    const arn = str(input, name);
    if (arn === undefined) throw snsErrors.missing(name.charAt(0).toLowerCase() + name.slice(1));
    const parts = parseArn(arn);
    if (!parts) {
      throw snsErrors.invalidParameter(
        `${name} Reason: An ARN must have at least 6 elements, not ${arn.split(":").length}`,
      );
    }
    return arn;
  }

  private topic(arn: string): TopicRecord {
    const topic = this.state.topics.get(arn);
    if (!topic) throw snsErrors.notFound("Topic does not exist");
    return topic;
  }

  private validateTopicAttribute(name: string, value: string, prefix: string): void {
    if (!TOPIC_ATTRIBUTES.has(name) && !FEEDBACK.test(name)) {
      throw snsErrors.invalidParameter(`${prefix}AttributeName`);
    }
    if (name === "SignatureVersion" && value !== "1" && value !== "2") {
      throw snsErrors.invalidParameter(`${prefix}SignatureVersion`);
    }
    if (name === "TracingConfig" && value !== "PassThrough" && value !== "Active") {
      throw snsErrors.invalidParameter(`${prefix}TracingConfig`);
    }
    if (name === "Policy") {
      try {
        const parsed = JSON.parse(value) as unknown;
        if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
      } catch {
        throw snsErrors.invalidParameter(`${prefix}Policy: failed to parse JSON.`);
      }
    }
    if (name === "DeliveryPolicy" && value !== "") validateDeliveryPolicy(value, "topic", prefix);
  }

  async createTopic(input: Input, context: RequestContext) {
    const name = required(input, "Name", "name");
    const attributes = stringMap(input["Attributes"]);
    const tags = tagList(input["Tags"]);
    if (!TOPIC_NAME.test(name) || name.length > limits.MAX_TOPIC_NAME_LENGTH) {
      throw snsErrors.invalidParameter("Topic Name");
    }
    if (attributes["FifoTopic"] === "true" || name.endsWith(".fifo")) {
      throw snsErrors.invalidParameter(
        "Attributes Reason: FifoTopic: this emulator serves standard topics only (FIFO topics are not emulated)",
      );
    }
    delete attributes["FifoTopic"];
    for (const [key, value] of Object.entries(attributes)) {
      this.validateTopicAttribute(key, value, "Attributes Reason: ");
    }
    const dataProtection = str(input, "DataProtectionPolicy");
    if (dataProtection !== undefined) attributes["DataProtectionPolicy"] = dataProtection;
    const arn = topicArnOf(context.region, context.accountId, name);
    const existing = this.state.topics.get(arn);
    if (existing) {
      const differs = Object.entries(attributes).some(([k, v]) => existing.attributes[k] !== v);
      if (differs) {
        throw snsErrors.invalidParameter("Attributes Reason: Topic already exists with different attributes");
      }
      const tagsDiffer = tags.some((t) => !existing.tags.some((e) => e.Key === t.Key && e.Value === t.Value));
      if (tagsDiffer)
        throw snsErrors.invalidParameter("Tags Reason: Topic already exists with different tags");
      return { TopicArn: arn };
    }
    this.checkTags(tags, []);
    const topic: TopicRecord = {
      arn,
      name,
      accountId: context.accountId,
      region: context.region,
      attributes: { Policy: defaultTopicPolicy(arn, context.accountId), ...attributes },
      tags,
      createdAt: this.env.clock.now(),
      subscriptionsDeleted: 0,
    };
    this.commit({ t: "topic", topic });
    return { TopicArn: arn };
  }

  async deleteTopic(input: Input) {
    const arn = this.topicArnParam(input);
    // DeleteTopic of a topic that does not exist succeeds, as on AWS.
    if (this.state.topics.has(arn)) this.commit({ t: "deleteTopic", arn });
    return {};
  }

  async getTopicAttributes(input: Input) {
    const topic = this.topic(this.topicArnParam(input));
    const subs = this.state.subscriptionsOf(topic.arn);
    const { DataProtectionPolicy: _dp, ...set } = topic.attributes;
    return {
      Attributes: {
        DisplayName: "",
        ...set,
        Owner: topic.accountId,
        TopicArn: topic.arn,
        SubscriptionsPending: String(subs.filter((s) => s.pending).length),
        SubscriptionsConfirmed: String(subs.filter((s) => !s.pending).length),
        SubscriptionsDeleted: String(topic.subscriptionsDeleted),
        EffectiveDeliveryPolicy: effectiveTopicDeliveryPolicy(topic.attributes["DeliveryPolicy"]),
      },
    };
  }

  async setTopicAttributes(input: Input) {
    const topic = this.topic(this.topicArnParam(input));
    const name = required(input, "AttributeName", "attributeName");
    const value = str(input, "AttributeValue") ?? "";
    if (name === "FifoTopic") throw snsErrors.invalidParameter("AttributeName");
    this.validateTopicAttribute(name, value, "");
    const attributes = { ...topic.attributes };
    if (value === "" && name !== "DisplayName") delete attributes[name];
    else attributes[name] = value;
    if (name === "Policy" && value === "")
      attributes["Policy"] = defaultTopicPolicy(topic.arn, topic.accountId);
    this.commit({ t: "topic", topic: { ...topic, attributes } });
    return {};
  }

  async listTopics(input: Input, context: RequestContext) {
    const mine = [...this.state.topics.values()].filter(
      (t) => t.accountId === context.accountId && t.region === context.region,
    );
    const { items, next } = page(mine, (t) => t.arn, str(input, "NextToken"));
    return { Topics: items.map((t) => ({ TopicArn: t.arn })), ...(next ? { NextToken: next } : {}) };
  }

  // ---- subscriptions ------------------------------------------------------------------------

  private validateSubscriptionAttribute(
    name: string,
    value: string,
    protocol: string,
    prefix: string,
    scope: FilterPolicyScope,
  ): void {
    if (!SUBSCRIPTION_ATTRIBUTES.has(name)) throw snsErrors.invalidParameter(`${prefix}AttributeName`);
    switch (name) {
      case "RawMessageDelivery":
        if (value.toLowerCase() !== "true" && value.toLowerCase() !== "false") {
          throw snsErrors.invalidParameter(
            `${prefix}RawMessageDelivery: Invalid value [${value}]. Must be true or false.`,
          );
        }
        if (value.toLowerCase() === "true" && !RAW_DELIVERY_PROTOCOLS.has(protocol)) {
          throw snsErrors.invalidParameter(
            `${prefix}Delivery protocol [${protocol}] does not support raw message delivery.`,
          );
        }
        return;
      case "FilterPolicyScope":
        if (value !== "MessageAttributes" && value !== "MessageBody") {
          throw snsErrors.invalidParameter(
            `${prefix}FilterPolicyScope: Invalid value [${value}]. Please use either MessageBody or MessageAttributes`,
          );
        }
        return;
      case "FilterPolicy":
        if (value !== "") compileFilterPolicy(value, scope, prefix);
        return;
      case "RedrivePolicy": {
        if (value === "") return;
        let target: unknown;
        try {
          target = (JSON.parse(value) as { deadLetterTargetArn?: unknown }).deadLetterTargetArn;
        } catch {
          throw snsErrors.invalidParameter(`${prefix}RedrivePolicy: failed to parse JSON.`);
        }
        const parts = typeof target === "string" ? parseArn(target) : undefined;
        if (!parts || parts.service !== "sqs") {
          throw snsErrors.invalidParameter(`${prefix}RedrivePolicy: deadLetterTargetArn is an invalid arn`);
        }
        return;
      }
      case "DeliveryPolicy":
        if (value !== "") validateDeliveryPolicy(value, "subscription", prefix);
        return;
    }
  }

  private validateEndpoint(protocol: string, endpoint: string | undefined): string {
    if (!(limits.PROTOCOLS as readonly string[]).includes(protocol)) {
      throw snsErrors.invalidParameter(`Amazon SNS does not support this protocol string: ${protocol}`);
    }
    if (!(limits.DELIVERED_PROTOCOLS as readonly string[]).includes(protocol)) {
      throw snsErrors.invalidParameter(
        `Protocol Reason: the emulator delivers to ${limits.DELIVERED_PROTOCOLS.join(", ")} only, not ${protocol}`,
      );
    }
    if (endpoint === undefined || endpoint === "") throw snsErrors.invalidParameter("Endpoint");
    switch (protocol) {
      case "http":
      case "https":
        if (!endpoint.startsWith(`${protocol}://`)) {
          throw snsErrors.invalidParameter("Endpoint must match the specified protocol");
        }
        try {
          new URL(endpoint);
        } catch {
          throw snsErrors.invalidParameter("Endpoint");
        }
        break;
      case "sqs":
        if (parseArn(endpoint)?.service !== "sqs") throw snsErrors.invalidParameter("SQS endpoint ARN");
        break;
      case "lambda":
        if (parseArn(endpoint)?.service !== "lambda") throw snsErrors.invalidParameter("Lambda endpoint ARN");
        break;
      case "email":
      case "email-json":
        if (!/^[^@\s]+@[^@\s]+$/.test(endpoint)) throw snsErrors.invalidParameter("Email address");
        break;
    }
    return endpoint;
  }

  async subscribe(input: Input, context: RequestContext) {
    const topicArn = this.topicArnParam(input);
    const topic = this.topic(topicArn);
    const protocol = required(input, "Protocol", "protocol");
    const endpoint = this.validateEndpoint(protocol, str(input, "Endpoint"));
    const attributes = stringMap(input["Attributes"]);
    const scope = (attributes["FilterPolicyScope"] ?? "MessageAttributes") as FilterPolicyScope;
    for (const [name, value] of Object.entries(attributes)) {
      this.validateSubscriptionAttribute(name, value, protocol, "Attributes Reason: ", scope);
    }
    if (attributes["RawMessageDelivery"]) {
      attributes["RawMessageDelivery"] = attributes["RawMessageDelivery"].toLowerCase();
    }
    const returnArn = bool(input, "ReturnSubscriptionArn");
    const existing = this.state
      .subscriptionsOf(topicArn)
      .find((s) => s.protocol === protocol && s.endpoint === endpoint);
    if (existing) {
      if (Object.entries(attributes).some(([k, v]) => (existing.attributes[k] ?? "") !== v)) {
        throw snsErrors.invalidParameter(
          "Attributes Reason: Subscription already exists with different attributes",
        );
      }
      return { SubscriptionArn: existing.pending && !returnArn ? "pending confirmation" : existing.arn };
    }
    const now = this.env.clock.now();
    const pending = CONFIRMED_BY_ENDPOINT.has(protocol);
    const subscription: SubscriptionRecord = {
      arn: `${topicArn}:${randomUUID()}`,
      topicArn,
      owner: context.accountId,
      protocol,
      endpoint,
      pending,
      confirmationWasAuthenticated: !pending,
      token: randomBytes(64).toString("hex"),
      tokenExpiresAt: now + limits.CONFIRMATION_TOKEN_TTL_MS,
      attributes,
      createdAt: now,
    };
    this.commit({ t: "subscription", subscription });
    if (pending) {
      this.deliveries.enqueue("SubscriptionConfirmation", subscription, {
        messageId: randomUUID(),
        topicArn: topic.arn,
        message: subscribeConfirmationText(topic.arn),
        attributes: {},
        at: now,
      });
    }
    return { SubscriptionArn: pending && !returnArn ? "pending confirmation" : subscription.arn };
  }

  async confirmSubscription(input: Input) {
    const topicArn = this.topicArnParam(input);
    const token = required(input, "Token", "token");
    this.topic(topicArn);
    const subscription = this.state.subscriptionsOf(topicArn).find((s) => s.token === token);
    if (!subscription) throw snsErrors.invalidParameter("Token");
    if (!subscription.pending) return { SubscriptionArn: subscription.arn };
    if (subscription.tokenExpiresAt < this.env.clock.now()) throw snsErrors.invalidParameter("Token");
    this.commit({
      t: "subscription",
      subscription: {
        ...subscription,
        pending: false,
        confirmationWasAuthenticated: bool(input, "AuthenticateOnUnsubscribe"),
      },
    });
    return { SubscriptionArn: subscription.arn };
  }

  async unsubscribe(input: Input) {
    const arn = required(input, "SubscriptionArn", "subscriptionArn");
    if (!parseArn(arn)) {
      throw snsErrors.invalidParameter(
        `SubscriptionArn Reason: An ARN must have at least 6 elements, not ${arn.split(":").length}`,
      );
    }
    const subscription = this.state.subscriptions.get(arn);
    // Unsubscribing what is already gone succeeds, as on AWS.
    if (!subscription) return {};
    this.commit({ t: "unsubscribe", arn });
    if (subscription.protocol === "http" || subscription.protocol === "https") {
      this.deliveries.enqueue("UnsubscribeConfirmation", subscription, {
        messageId: randomUUID(),
        topicArn: subscription.topicArn,
        message: unsubscribeConfirmationText(arn),
        attributes: {},
        at: this.env.clock.now(),
      });
    }
    return {};
  }

  private subscription(arn: string): SubscriptionRecord {
    const subscription = this.state.subscriptions.get(arn);
    if (!subscription) throw snsErrors.notFound("Subscription does not exist");
    return subscription;
  }

  async getSubscriptionAttributes(input: Input) {
    const sub = this.subscription(required(input, "SubscriptionArn", "subscriptionArn"));
    const topic = this.state.topics.get(sub.topicArn);
    const { FilterPolicyScope: scope, ...rest } = sub.attributes;
    const http = sub.protocol === "http" || sub.protocol === "https";
    return {
      Attributes: {
        ...rest,
        ...(rest["FilterPolicy"] ? { FilterPolicyScope: scope ?? "MessageAttributes" } : {}),
        RawMessageDelivery: rest["RawMessageDelivery"] ?? "false",
        SubscriptionArn: sub.arn,
        TopicArn: sub.topicArn,
        Owner: sub.owner,
        Protocol: sub.protocol,
        Endpoint: sub.endpoint,
        PendingConfirmation: String(sub.pending),
        ConfirmationWasAuthenticated: String(sub.confirmationWasAuthenticated),
        ...(http
          ? {
              EffectiveDeliveryPolicy: effectiveSubscriptionDeliveryPolicy(
                topic?.attributes["DeliveryPolicy"],
                rest["DeliveryPolicy"],
              ),
            }
          : {}),
      },
    };
  }

  async setSubscriptionAttributes(input: Input) {
    const sub = this.subscription(required(input, "SubscriptionArn", "subscriptionArn"));
    const name = required(input, "AttributeName", "attributeName");
    let value = str(input, "AttributeValue") ?? "";
    const scope = (
      name === "FilterPolicyScope" ? value : (sub.attributes["FilterPolicyScope"] ?? "MessageAttributes")
    ) as FilterPolicyScope;
    this.validateSubscriptionAttribute(name, value, sub.protocol, "", scope);
    if (name === "FilterPolicyScope" && sub.attributes["FilterPolicy"]) {
      compileFilterPolicy(sub.attributes["FilterPolicy"], scope, "");
    }
    if (name === "RawMessageDelivery") value = value.toLowerCase();
    const attributes = { ...sub.attributes };
    if (value === "" && name !== "RawMessageDelivery") delete attributes[name];
    else attributes[name] = value;
    this.commit({ t: "subscription", subscription: { ...sub, attributes } });
    return {};
  }

  private listed(sub: SubscriptionRecord) {
    return {
      SubscriptionArn: sub.pending ? "PendingConfirmation" : sub.arn,
      Owner: sub.owner,
      Protocol: sub.protocol,
      Endpoint: sub.endpoint,
      TopicArn: sub.topicArn,
    };
  }

  async listSubscriptions(input: Input, context: RequestContext) {
    const mine = [...this.state.subscriptions.values()].filter((s) => {
      const parts = parseArn(s.topicArn);
      return parts?.accountId === context.accountId && parts.region === context.region;
    });
    const { items, next } = page(mine, (s) => s.arn, str(input, "NextToken"));
    return { Subscriptions: items.map((s) => this.listed(s)), ...(next ? { NextToken: next } : {}) };
  }

  async listSubscriptionsByTopic(input: Input) {
    const topic = this.topic(this.topicArnParam(input));
    const { items, next } = page(
      this.state.subscriptionsOf(topic.arn),
      (s) => s.arn,
      str(input, "NextToken"),
    );
    return { Subscriptions: items.map((s) => this.listed(s)), ...(next ? { NextToken: next } : {}) };
  }

  // ---- publishing ---------------------------------------------------------------------------

  private messageAttributes(raw: unknown, where: string): Record<string, MessageAttribute> {
    const out: Record<string, MessageAttribute> = {};
    if (!raw || typeof raw !== "object") return out;
    for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
      if (name.length > limits.MAX_MESSAGE_ATTRIBUTE_NAME_LENGTH) {
        throw snsErrors.invalidParameterValue(
          "Length of message attribute name must be less than 256 bytes.",
        );
      }
      if (!ATTRIBUTE_NAME.test(name)) {
        const bad = [...name].find((c) => !/[A-Za-z0-9_.-]/.test(c));
        throw snsErrors.invalidParameterValue(
          bad !== undefined
            ? `Invalid non-alphanumeric character '#x${bad.codePointAt(0)!.toString(16).toUpperCase()}' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.`
            : `Invalid message attribute name ${name}.`,
        );
      }
      if (name.startsWith(".") || name.endsWith(".")) {
        throw snsErrors.invalidParameterValue(
          `Invalid message attribute name ${name.startsWith(".") ? "starting" : "ending"} with character '.' was found.`,
        );
      }
      if (name.includes("..")) {
        throw snsErrors.invalidParameterValue(
          "Message attribute name can not have successive '.' character.",
        );
      }
      const v = (value ?? {}) as Input;
      const dataType = str(v, "DataType");
      if (dataType === undefined) throw snsErrors.missing(`${where}.${name}.member.dataType`);
      if (!/^(String|Number|Binary)(\..+)?$/.test(dataType)) {
        throw snsErrors.invalidParameterValue(
          `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
        );
      }
      const binary = dataType.startsWith("Binary");
      const rawBinary = v["BinaryValue"];
      const binaryValue =
        rawBinary instanceof Uint8Array ? Buffer.from(rawBinary).toString("base64") : str(v, "BinaryValue");
      const stringValue = str(v, "StringValue");
      const given = binary ? binaryValue : stringValue;
      if (given === undefined || given === "") {
        if ((binary ? stringValue : binaryValue) !== undefined) {
          throw snsErrors.invalidParameterValue(
            `The message attribute '${name}' with type '${dataType}' must use field '${binary ? "Binary" : "String"}'.`,
          );
        }
        throw snsErrors.invalidParameterValue(
          `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${dataType}'.`,
        );
      }
      if (dataType.startsWith("Number") && !Number.isFinite(Number(given))) {
        throw snsErrors.invalidParameterValue(
          `An invalid number value was provided for the message attribute '${name}' with type 'Number'.`,
        );
      }
      if (dataType === "String.Array") {
        let parsed: unknown;
        try {
          parsed = JSON.parse(given);
        } catch {
          parsed = undefined;
        }
        if (!Array.isArray(parsed)) {
          throw snsErrors.invalidParameterValue(
            `The message attribute '${name}' with type 'String.Array' has an invalid value: it must be a JSON array.`,
          );
        }
      }
      out[name] = binary
        ? { DataType: dataType, BinaryValue: given }
        : { DataType: dataType, StringValue: given };
    }
    return out;
  }

  /** Checks one message (Publish or a PublishBatch entry) and returns it ready to fan out. */
  private prepare(entry: Input, topicArn: string, where: string): PublishedMessage {
    const message = str(entry, "Message");
    if (message === undefined)
      throw snsErrors.missing(where === "messageAttributes" ? "message" : `${where}.message`);
    const subject = str(entry, "Subject");
    if (
      subject !== undefined &&
      (subject === "" || subject.length > limits.MAX_SUBJECT_LENGTH || !/^[\x20-\x7e]+$/.test(subject))
    ) {
      throw snsErrors.invalidParameter("Subject");
    }
    if (message === "") throw snsErrors.invalidParameter("Empty message");
    if (str(entry, "MessageGroupId") !== undefined) {
      throw snsErrors.invalidParameter(
        "MessageGroupId Reason: The request includes MessageGroupId parameter that is not valid for this topic type",
      );
    }
    if (str(entry, "MessageDeduplicationId") !== undefined) {
      throw snsErrors.invalidParameter(
        "MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type",
      );
    }
    let perProtocol: Record<string, string> | undefined;
    const structure = str(entry, "MessageStructure");
    if (structure !== undefined && structure !== "json") throw snsErrors.invalidParameter("MessageStructure");
    if (structure === "json") {
      let parsed: unknown;
      try {
        parsed = JSON.parse(message);
      } catch {
        parsed = undefined;
      }
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
        throw snsErrors.invalidParameter("Message Structure - JSON message body failed to parse");
      }
      // Keys whose values are not strings are ignored, as SNS does.
      perProtocol = Object.fromEntries(
        Object.entries(parsed as Record<string, unknown>).filter(
          (pair): pair is [string, string] => typeof pair[1] === "string",
        ),
      );
      if (perProtocol["default"] === undefined) {
        throw snsErrors.invalidParameter("Message Structure - No default entry in JSON message body");
      }
    }
    const attributes = this.messageAttributes(entry["MessageAttributes"], where);
    return {
      messageId: randomUUID(),
      topicArn,
      message,
      ...(perProtocol ? { perProtocol } : {}),
      ...(subject !== undefined ? { subject } : {}),
      attributes,
      at: this.env.clock.now(),
    };
  }

  private static size(message: PublishedMessage): number {
    let size = Buffer.byteLength(message.message, "utf8");
    for (const [name, a] of Object.entries(message.attributes)) {
      size +=
        Buffer.byteLength(name) +
        Buffer.byteLength(a.DataType) +
        Buffer.byteLength(a.StringValue ?? a.BinaryValue ?? "");
    }
    return size;
  }

  /** The publishing topic, which must be in the caller's region. */
  private publishTopic(arn: string, context: RequestContext): TopicRecord {
    const parts = parseArn(arn)!;
    if (parts.region !== context.region) throw snsErrors.invalidParameter("TopicArn");
    return this.topic(arn);
  }

  /** Sends one message to every confirmed subscription whose filter policy accepts it. */
  private fanOut(topic: TopicRecord, message: PublishedMessage): void {
    this.deliveries.metric(topic.arn, "NumberOfMessagesPublished");
    for (const subscription of this.state.subscriptionsOf(topic.arn)) {
      if (subscription.pending) continue;
      const policy = subscription.attributes["FilterPolicy"];
      if (policy) {
        const scope = (subscription.attributes["FilterPolicyScope"] ??
          "MessageAttributes") as FilterPolicyScope;
        const compiled = compileFilterPolicy(policy, scope, "");
        const body = messageFor(message, subscription.protocol);
        if (!filterPolicyMatches(compiled, { body, attributes: message.attributes })) {
          this.deliveries.metric(topic.arn, "NumberOfNotificationsFilteredOut");
          continue;
        }
      }
      this.deliveries.enqueue("Notification", subscription, message);
    }
  }

  async publish(input: Input, context: RequestContext) {
    const arn = str(input, "TopicArn") ?? str(input, "TargetArn");
    if (arn === undefined) {
      if (str(input, "PhoneNumber") !== undefined) {
        throw snsErrors.invalidParameter("PhoneNumber Reason: the emulator does not send SMS");
      }
      throw snsErrors.invalidParameter("TopicArn or TargetArn Reason: no value for required parameter");
    }
    const topicArn = this.topicArnParam({ TopicArn: arn });
    const message = this.prepare(input, topicArn, "messageAttributes");
    if (SnsProvider.size(message) > limits.MAX_MESSAGE_BYTES)
      throw snsErrors.invalidParameter("Message too long");
    const topic = this.publishTopic(topicArn, context);
    this.fanOut(topic, message);
    return { MessageId: message.messageId };
  }

  async publishBatch(input: Input, context: RequestContext) {
    const topicArn = this.topicArnParam(input);
    const raw = input["PublishBatchRequestEntries"];
    if (raw === undefined) throw snsErrors.missing("publishBatchRequestEntries");
    const entries = (Array.isArray(raw) ? raw : []) as Input[];
    if (entries.length === 0) throw snsErrors.emptyBatch();
    if (entries.length > limits.MAX_BATCH_ENTRIES) throw snsErrors.tooManyEntries();
    const ids = entries.map((e) => str(e, "Id") ?? "");
    if (ids.some((id) => !BATCH_ENTRY_ID.test(id))) throw snsErrors.invalidBatchEntryId();
    if (new Set(ids).size !== ids.length) throw snsErrors.idsNotDistinct();
    const topic = this.publishTopic(topicArn, context);
    const messages = entries.map((entry, n) =>
      this.prepare(entry, topicArn, `publishBatchRequestEntries.${n + 1}.member.messageAttributes`),
    );
    if (messages.reduce((sum, m) => sum + SnsProvider.size(m), 0) > limits.MAX_MESSAGE_BYTES) {
      throw snsErrors.batchTooLong();
    }
    for (const message of messages) this.fanOut(topic, message);
    return {
      Successful: messages.map((m, n) => ({ Id: ids[n]!, MessageId: m.messageId })),
      Failed: [],
    };
  }

  // ---- tags and permissions -----------------------------------------------------------------

  private taggedTopic(input: Input): TopicRecord {
    const arn = required(input, "ResourceArn", "resourceArn");
    const topic = this.state.topics.get(arn);
    if (!topic) throw snsErrors.resourceNotFound("Resource does not exist");
    return topic;
  }

  private checkTags(tags: { Key: string; Value: string }[], existing: { Key: string }[]): void {
    if (new Set(tags.map((t) => t.Key)).size !== tags.length) {
      throw snsErrors.invalidParameter("Duplicated keys are not allowed.");
    }
    const keys = new Set([...existing.map((t) => t.Key), ...tags.map((t) => t.Key)]);
    if (keys.size > limits.MAX_TAGS_PER_TOPIC) throw snsErrors.tagLimit();
  }

  async tagResource(input: Input) {
    const topic = this.taggedTopic(input);
    const tags = tagList(input["Tags"]);
    this.checkTags(tags, topic.tags);
    const merged = [...topic.tags.filter((t) => !tags.some((n) => n.Key === t.Key)), ...tags];
    this.commit({ t: "topic", topic: { ...topic, tags: merged } });
    return {};
  }

  async untagResource(input: Input) {
    const topic = this.taggedTopic(input);
    const keys = Array.isArray(input["TagKeys"]) ? (input["TagKeys"] as unknown[]).map(String) : [];
    this.commit({ t: "topic", topic: { ...topic, tags: topic.tags.filter((t) => !keys.includes(t.Key)) } });
    return {};
  }

  async listTagsForResource(input: Input) {
    return { Tags: this.taggedTopic(input).tags.map((t) => ({ ...t })) };
  }

  async addPermission(input: Input) {
    const topic = this.topic(this.topicArnParam(input));
    const label = required(input, "Label", "label");
    const accounts = Array.isArray(input["AWSAccountId"])
      ? (input["AWSAccountId"] as unknown[]).map(String)
      : [];
    const actions = Array.isArray(input["ActionName"]) ? (input["ActionName"] as unknown[]).map(String) : [];
    if (accounts.length === 0) throw snsErrors.missing("aWSAccountId");
    if (actions.length === 0) throw snsErrors.missing("actionName");
    const policy = JSON.parse(topic.attributes["Policy"] ?? "{}") as { Statement?: { Sid?: string }[] };
    const statements = policy.Statement ?? [];
    if (statements.some((s) => s.Sid === label)) throw snsErrors.invalidParameter("Statement already exists");
    statements.push({
      Sid: label,
      Effect: "Allow",
      Principal: { AWS: accounts.map((a) => `arn:aws:iam::${a}:root`) },
      Action: actions.map((a) => `SNS:${a}`),
      Resource: topic.arn,
    } as { Sid: string });
    const attributes = { ...topic.attributes, Policy: JSON.stringify({ ...policy, Statement: statements }) };
    this.commit({ t: "topic", topic: { ...topic, attributes } });
    return {};
  }

  async removePermission(input: Input) {
    const topic = this.topic(this.topicArnParam(input));
    const label = required(input, "Label", "label");
    const policy = JSON.parse(topic.attributes["Policy"] ?? "{}") as { Statement?: { Sid?: string }[] };
    const statements = (policy.Statement ?? []).filter((s) => s.Sid !== label);
    const attributes = { ...topic.attributes, Policy: JSON.stringify({ ...policy, Statement: statements }) };
    this.commit({ t: "topic", topic: { ...topic, attributes } });
    return {};
  }
}
