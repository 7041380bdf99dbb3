import type { SNSClient, Subscription } from "@aws-sdk/client-sns";
import type { Stack } from "../../pipeline/stack/index.js";
import type { AwsClients } from "../aws/index.js";
import { OperatorError } from "../config/errors.js";

/**
 * Who hears the stack's alarms: subscriptions to its alerts topic. The engine behind
 * `pipeline alerts subscribe|list|unsubscribe`; it returns data and never prints.
 */

export type AlertEndpoint =
  { kind: "email"; address: string } | { kind: "webhook"; url: string } | { kind: "queue"; name: string };

export interface AlertSubscription {
  protocol: string;
  endpoint: string;
  /** The subscription's ARN; undefined while it waits for confirmation. */
  subscriptionArn: string | undefined;
  status: "confirmed" | "pending";
}

export interface SubscribeOutcome extends AlertSubscription {
  topicArn: string;
  /** For --queue: the statement added to the queue's access policy so SNS may write to it. */
  queuePolicyStatement?: string;
  /** True when the same endpoint was subscribed already (SNS's Subscribe is idempotent). */
  existed: boolean;
}

function isCode(error: unknown, ...codes: string[]): boolean {
  const e = error as { name?: string; Code?: string };
  return codes.includes(e?.name ?? "") || codes.includes(e?.Code ?? "");
}

/** Every subscription of the stack's alerts topic (all pages). */
export async function listAlertSubscriptions(
  clients: AwsClients,
  stack: Stack,
): Promise<AlertSubscription[]> {
  const { ListSubscriptionsByTopicCommand } = await import("@aws-sdk/client-sns");
  const sns = await clients.sns();
  const topicArn = stack.topics.alerts.arn;
  const found: Subscription[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await sns.send(
        new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: token }),
      );
      found.push(...(page.Subscriptions ?? []));
      token = page.NextToken;
    } while (token);
  } catch (error) {
    if (isCode(error, "NotFoundException", "NotFound")) throw topicMissing(stack);
    throw error;
  }
  return found.map((s) => {
    const pending = !s.SubscriptionArn || !s.SubscriptionArn.startsWith("arn:");
    return {
      protocol: s.Protocol ?? "",
      endpoint: s.Endpoint ?? "",
      subscriptionArn: pending ? undefined : s.SubscriptionArn,
      status: pending ? "pending" : "confirmed",
    };
  });
}

export function topicMissing(stack: Stack): OperatorError {
  return new OperatorError(
    `the alerts topic ${stack.topics.alerts.name} does not exist in account ${stack.params.account}, ` +
      `region ${stack.params.region}: deploy the stack first (pipeline deploy)`,
  );
}

/** The policy statement that lets the alerts topic send to a queue (SNS writes as sns.amazonaws.com). */
export function queuePolicyStatement(queueArn: string, topicArn: string) {
  return {
    Sid: `AllowSns-${topicArn.split(":").at(-1)}`,
    Effect: "Allow",
    Principal: { Service: "sns.amazonaws.com" },
    Action: "sqs:SendMessage",
    Resource: queueArn,
    Condition: { ArnEquals: { "aws:SourceArn": topicArn } },
  };
}

/** Whether a queue policy already has a statement letting this topic send (the one we add, or an equivalent). */
function policyLetsTopicSend(policy: string | undefined, topicArn: string): boolean {
  if (!policy) return false;
  let document: { Statement?: unknown };
  try {
    document = JSON.parse(policy) as { Statement?: unknown };
  } catch {
    return false;
  }
  const statements = (Array.isArray(document.Statement) ? document.Statement : [document.Statement]) as {
    Effect?: string;
    Principal?: { Service?: string | string[] } | string;
    Action?: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
  }[];
  return statements.some((s) => {
    if (s?.Effect !== "Allow") return false;
    const principal = s.Principal;
    const services =
      principal === "*" ? ["*"] : typeof principal === "object" ? [principal.Service ?? []].flat() : [];
    const actions = [s.Action ?? []].flat();
    const sources = Object.values(s.Condition ?? {}).flatMap((block) =>
      [block["aws:SourceArn"] ?? []].flat(),
    );
    return (
      (services.includes("sns.amazonaws.com") || services.includes("*")) &&
      actions.some((a) => a === "sqs:SendMessage" || a === "sqs:*" || a === "*") &&
      (sources.length === 0 || sources.includes(topicArn))
    );
  });
}

/**
 * Makes a queue able to receive from the topic: SNS delivers to a queue only when the queue's
 * access policy allows sns.amazonaws.com to SendMessage for the topic. Returns the statement it
 * added, or undefined when the policy allowed it already.
 */
export async function allowTopicToSend(
  clients: AwsClients,
  queueName: string,
  topicArn: string,
): Promise<{ queueArn: string; queueUrl: string; added: string | undefined }> {
  const sdk = await import("@aws-sdk/client-sqs");
  const sqs = await clients.sqs();
  let queueUrl: string;
  try {
    queueUrl = (await sqs.send(new sdk.GetQueueUrlCommand({ QueueName: queueName }))).QueueUrl!;
  } catch (error) {
    if (isCode(error, "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue")) {
      throw new OperatorError(
        `queue ${queueName} does not exist in this account and region: create it first (aws sqs create-queue --queue-name ${queueName}), then subscribe it`,
      );
    }
    throw error;
  }
  const { Attributes = {} } = await sqs.send(
    new sdk.GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn", "Policy"] }),
  );
  const queueArn = Attributes["QueueArn"]!;
  if (policyLetsTopicSend(Attributes["Policy"], topicArn)) return { queueArn, queueUrl, added: undefined };
  const existing = Attributes["Policy"] ? (JSON.parse(Attributes["Policy"]) as { Statement?: unknown }) : {};
  const statements = existing.Statement ? [existing.Statement].flat() : [];
  const statement = queuePolicyStatement(queueArn, topicArn);
  const policy = { Version: "2012-10-17", ...existing, Statement: [...statements, statement] };
  await sqs.send(
    new sdk.SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { Policy: JSON.stringify(policy) } }),
  );
  return { queueArn, queueUrl, added: JSON.stringify(statement) };
}

function protocolOf(endpoint: AlertEndpoint): { protocol: string; value: string } {
  switch (endpoint.kind) {
    case "email":
      return { protocol: "email", value: endpoint.address };
    case "webhook":
      return {
        protocol: new URL(endpoint.url).protocol === "https:" ? "https" : "http",
        value: endpoint.url,
      };
    case "queue":
      return { protocol: "sqs", value: endpoint.name };
  }
}

async function subscribeTo(
  sns: SNSClient,
  topicArn: string,
  protocol: string,
  endpoint: string,
  stack: Stack,
): Promise<string> {
  const { SubscribeCommand } = await import("@aws-sdk/client-sns");
  try {
    const { SubscriptionArn } = await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: protocol,
        Endpoint: endpoint,
        ReturnSubscriptionArn: true,
      }),
    );
    return SubscriptionArn ?? "";
  } catch (error) {
    if (isCode(error, "NotFoundException", "NotFound")) throw topicMissing(stack);
    if (isCode(error, "InvalidParameterException", "InvalidParameter")) {
      throw new OperatorError(`SNS refused the subscription: ${(error as Error).message}`);
    }
    throw error;
  }
}

/** Subscribes an e-mail address, a webhook URL or a queue (its policy opened to the topic) to the alerts. */
export async function subscribeAlerts(
  clients: AwsClients,
  stack: Stack,
  endpoint: AlertEndpoint,
): Promise<SubscribeOutcome> {
  const topicArn = stack.topics.alerts.arn;
  const sns = await clients.sns();
  const { protocol, value } = protocolOf(endpoint);
  let target = value;
  let added: string | undefined;
  if (endpoint.kind === "queue") {
    const allowed = await allowTopicToSend(clients, endpoint.name, topicArn);
    target = allowed.queueArn;
    added = allowed.added;
  }
  const before = await listAlertSubscriptions(clients, stack);
  const existed = before.some((s) => s.protocol === protocol && s.endpoint === target);
  const arn = await subscribeTo(sns, topicArn, protocol, target, stack);
  // With ReturnSubscriptionArn SNS names even a pending subscription; its state says whether it is confirmed.
  const { GetSubscriptionAttributesCommand } = await import("@aws-sdk/client-sns");
  const attributes = arn.startsWith("arn:")
    ? (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }))).Attributes
    : undefined;
  const pending = attributes ? attributes["PendingConfirmation"] === "true" : true;
  return {
    topicArn,
    protocol,
    endpoint: target,
    subscriptionArn: pending ? undefined : arn,
    status: pending ? "pending" : "confirmed",
    existed,
    ...(added ? { queuePolicyStatement: added } : {}),
  };
}

/**
 * An endpoint as it may be shown: a URL's password (SNS answers a webhook's 401 challenge with the
 * URL's credentials) replaced by `****`. Addresses, ARNs and URLs without one are returned unchanged.
 */
export function shownEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    if (url.password === "") return endpoint;
    url.password = "****";
    return url.toString();
  } catch {
    return endpoint;
  }
}

/**
 * Finds the subscriptions an operator means by an ARN, an endpoint (address, URL, queue ARN) or a
 * queue name; a webhook URL may be given as shown, its password as `****`.
 */
export function matchSubscriptions(
  subscriptions: AlertSubscription[],
  which: string,
  stack: Stack,
): AlertSubscription[] {
  const queueArn = `arn:aws:sqs:${stack.params.region}:${stack.params.account}:${which}`;
  return subscriptions.filter(
    (s) =>
      s.subscriptionArn === which ||
      s.endpoint === which ||
      (shownEndpoint(s.endpoint) === which && which !== s.endpoint) ||
      (s.protocol === "sqs" && s.endpoint === queueArn),
  );
}

export interface UnsubscribeOutcome {
  removed: AlertSubscription[];
  /** Matching subscriptions still pending: SNS cannot remove those; they lapse unconfirmed. */
  pending: AlertSubscription[];
}

export async function unsubscribeAlerts(
  clients: AwsClients,
  stack: Stack,
  which: string,
): Promise<UnsubscribeOutcome> {
  const { UnsubscribeCommand } = await import("@aws-sdk/client-sns");
  const sns = await clients.sns();
  const matches = matchSubscriptions(await listAlertSubscriptions(clients, stack), which, stack);
  if (matches.length === 0) {
    throw new OperatorError(
      `no subscription of ${stack.topics.alerts.name} matches ${which}: give a subscription ARN, an e-mail address, a webhook URL or a queue name (pipeline alerts list shows them)`,
    );
  }
  const removed: AlertSubscription[] = [];
  const pending: AlertSubscription[] = [];
  for (const match of matches) {
    if (!match.subscriptionArn) {
      pending.push(match);
      continue;
    }
    await sns.send(new UnsubscribeCommand({ SubscriptionArn: match.subscriptionArn }));
    removed.push(match);
  }
  return { removed, pending };
}
