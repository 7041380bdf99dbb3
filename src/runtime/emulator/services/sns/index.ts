import type { EmulatorRequest, EmulatorResponse } from "../../core/request.js";
import type { Operation, ServiceEnv, ServiceModule } from "../../core/service.js";
import { restJsonResponse } from "../../protocol/rest.js";
import { Deliveries } from "./delivery.js";
import { COMPACT_AFTER_ENTRIES } from "./limits.js";
import { handleSnsQuery } from "./protocol.js";
import { SnsProvider } from "./provider.js";
import { MessageSigner } from "./signing.js";
import { SnsState, type SnsEntry, type SnsSnapshot } from "./store.js";

/**
 * SNS: standard topics and their subscriptions (sqs, lambda, http/https with the confirmation
 * handshake, email/email-json recorded in an outbox), filter policies, raw delivery, delivery
 * retries on the emulator clock, per-subscription dead-letter queues, signed JSON envelopes,
 * over the query protocol, with journal persistence. See README.md.
 */
export default function createSnsService(env: ServiceEnv): ServiceModule {
  const state = new SnsState();
  const store = env.store<SnsSnapshot, SnsEntry>("sns");
  const commit = (entry: SnsEntry) => {
    store.append(entry);
    state.apply(entry);
    if (store.journalLength >= COMPACT_AFTER_ENTRIES) store.compact(state.toSnapshot());
  };
  let signer: MessageSigner | undefined;
  const currentSigner = (): MessageSigner => {
    if (!signer) {
      if (!state.signingKey) commit({ t: "signingKey", pem: MessageSigner.generateKeyPem() });
      signer = new MessageSigner(state.signingKey!);
    }
    return signer;
  };
  const deliveries = new Deliveries(state, env, commit, currentSigner);
  const provider = new SnsProvider(state, env, commit, deliveries);

  const operations: Record<string, Operation> = {
    CreateTopic: (i, c) => provider.createTopic(i, c),
    DeleteTopic: (i) => provider.deleteTopic(i),
    GetTopicAttributes: (i) => provider.getTopicAttributes(i),
    SetTopicAttributes: (i) => provider.setTopicAttributes(i),
    ListTopics: (i, c) => provider.listTopics(i, c),
    Subscribe: (i, c) => provider.subscribe(i, c),
    ConfirmSubscription: (i) => provider.confirmSubscription(i),
    Unsubscribe: (i) => provider.unsubscribe(i),
    GetSubscriptionAttributes: (i) => provider.getSubscriptionAttributes(i),
    SetSubscriptionAttributes: (i) => provider.setSubscriptionAttributes(i),
    ListSubscriptions: (i, c) => provider.listSubscriptions(i, c),
    ListSubscriptionsByTopic: (i) => provider.listSubscriptionsByTopic(i),
    Publish: (i, c) => provider.publish(i, c),
    PublishBatch: (i, c) => provider.publishBatch(i, c),
    TagResource: (i) => provider.tagResource(i),
    UntagResource: (i) => provider.untagResource(i),
    ListTagsForResource: (i) => provider.listTagsForResource(i),
    AddPermission: (i) => provider.addPermission(i),
    RemovePermission: (i) => provider.removePermission(i),
  };

  return {
    name: "sns",
    operations,
    handle: (request: EmulatorRequest) => handleSnsQuery(request, operations),
    async start() {
      const { snapshot, entries } = store.load();
      if (snapshot) state.restore(snapshot);
      for (const entry of entries) state.apply(entry);
    },
    async run() {
      deliveries.resume();
    },
    async stop() {
      await deliveries.stop();
      if (store.enabled) store.compact(state.toSnapshot());
    },
    health() {
      return {
        state: "running",
        detail: `${state.topics.size} topics, ${state.subscriptions.size} subscriptions, ${state.jobs.size} deliveries pending`,
      };
    },
    devHandle: async (request, subpath) => devHandle(request, subpath),
  };

  /**
   * Side doors (not AWS APIs):
   * - GET /_emulator/sns/SimpleNotificationService-<id>.pem: the certificate of SigningCertURL.
   * - GET /_emulator/sns/outbox[?to=<address>][&topicArn=<arn>]: the e-mails SNS would have sent.
   * - GET /_emulator/sns/deliveries: deliveries waiting for a retry.
   */
  async function devHandle(request: EmulatorRequest, subpath: string): Promise<EmulatorResponse | undefined> {
    if (request.method !== "GET") return undefined;
    const current = currentSigner();
    if (subpath === `/${current.certificateFileName()}`) {
      return {
        status: 200,
        headers: { "content-type": "application/x-pem-file" },
        body: current.certificatePem,
      };
    }
    if (subpath === "/outbox") {
      const to = request.query.get("to");
      const topicArn = request.query.get("topicArn");
      const messages = state.outbox.filter(
        (m) => (to === null || m.to === to) && (topicArn === null || m.topicArn === topicArn),
      );
      return restJsonResponse(200, { Messages: messages });
    }
    if (subpath === "/deliveries") {
      return restJsonResponse(200, {
        Deliveries: [...state.jobs.values()].map((job) => ({
          Kind: job.kind,
          SubscriptionArn: job.subscriptionArn,
          Protocol: job.protocol,
          Endpoint: job.endpoint,
          MessageId: job.message.messageId,
          Attempts: job.attempts,
          NextAttemptAt: job.dueAt,
        })),
      });
    }
    return undefined;
  }
}
