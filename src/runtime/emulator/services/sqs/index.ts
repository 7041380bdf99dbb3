import type { EmulatorRequest, EmulatorResponse, RequestContext } from "../../core/request.js";
import type { Operation, ServiceEnv, ServiceModule } from "../../core/service.js";
import { isQueryRequest } from "../../protocol/query.js";
import { restJsonResponse } from "../../protocol/rest.js";
import { COMPACT_AFTER_ENTRIES } from "./limits.js";
import { queueArn } from "./models.js";
import { SqsMetrics } from "./metrics.js";
import { MoveTasks } from "./move-tasks.js";
import { handleJson, handleQuery } from "./protocols.js";
import { SqsProvider } from "./provider.js";
import { parseQueueUrl } from "./queue-url.js";
import { SqsState, type SqsEntry, type SqsSnapshot } from "./store.js";

/**
 * SQS: standard and FIFO queues over awsJson 1.0 (query-compatible) and the query protocol, with
 * visibility, delays, retention and long polling on the emulator clock, redrive to DLQs and
 * message move tasks, journal persistence, and an operator side door to peek at messages.
 */
export default function createSqsService(env: ServiceEnv): ServiceModule {
  const state = new SqsState();
  const store = env.store<SqsSnapshot, SqsEntry>("sqs");
  const commit = (entry: SqsEntry) => {
    store.append(entry);
    state.apply(entry);
    if (store.journalLength >= COMPACT_AFTER_ENTRIES) store.compact(state.toSnapshot());
  };
  const provider = new SqsProvider(state, env, commit);
  const moveTasks = new MoveTasks(state, env, commit);
  const metrics = new SqsMetrics(state, env);
  /** The ARN of the queue a request names, for counting what was sent to it. */
  const arnOfRequest = (input: unknown, context: RequestContext): string | undefined => {
    const url = (input as { QueueUrl?: unknown } | undefined)?.QueueUrl;
    const ref = typeof url === "string" ? parseQueueUrl(url) : undefined;
    return ref ? queueArn(ref.region ?? context.region, ref.accountId, ref.name) : undefined;
  };

  const operations: Record<string, Operation> = {
    CreateQueue: (i, c) => provider.createQueue(i, c),
    GetQueueUrl: (i, c) => provider.getQueueUrl(i, c),
    ListQueues: (i, c) => provider.listQueues(i, c),
    DeleteQueue: (i, c) => provider.deleteQueue(i, c),
    GetQueueAttributes: (i, c) => provider.getQueueAttributes(i, c),
    SetQueueAttributes: (i, c) => provider.setQueueAttributes(i, c),
    PurgeQueue: (i, c) => provider.purgeQueue(i, c),
    ListDeadLetterSourceQueues: (i, c) => provider.listDeadLetterSourceQueues(i, c),
    TagQueue: (i, c) => provider.tagQueue(i, c),
    UntagQueue: (i, c) => provider.untagQueue(i, c),
    ListQueueTags: (i, c) => provider.listQueueTags(i, c),
    AddPermission: (i, c) => provider.addPermission(i, c),
    RemovePermission: (i, c) => provider.removePermission(i, c),
    SendMessage: async (i, c) => {
      const output = await provider.sendMessage(i, c);
      const arn = arnOfRequest(i, c);
      if (arn) metrics.noteSent(arn, 1);
      return output;
    },
    SendMessageBatch: async (i, c) => {
      const output = await provider.sendMessageBatch(i, c);
      const arn = arnOfRequest(i, c);
      if (arn) metrics.noteSent(arn, (output as { Successful?: unknown[] }).Successful?.length ?? 0);
      return output;
    },
    ReceiveMessage: (i, c) => provider.receiveMessage(i, c),
    DeleteMessage: (i, c) => provider.deleteMessage(i, c),
    DeleteMessageBatch: (i, c) => provider.deleteMessageBatch(i, c),
    ChangeMessageVisibility: (i, c) => provider.changeMessageVisibility(i, c),
    ChangeMessageVisibilityBatch: (i, c) => provider.changeMessageVisibilityBatch(i, c),
    StartMessageMoveTask: (i) => moveTasks.startMessageMoveTask(i),
    ListMessageMoveTasks: (i) => moveTasks.listMessageMoveTasks(i),
    CancelMessageMoveTask: (i) => moveTasks.cancelMessageMoveTask(i),
  };

  return {
    name: "sqs",
    operations,
    async handle(request: EmulatorRequest): Promise<EmulatorResponse> {
      if (!request.headers["x-amz-target"] && isQueryRequest(request)) {
        return handleQuery(request, operations, env.baseUrl());
      }
      return handleJson(request, operations, env.baseUrl());
    },
    async start() {
      const { snapshot, entries } = store.load();
      if (snapshot) state.restore(snapshot);
      for (const entry of entries) state.apply(entry);
    },
    async run() {
      moveTasks.resume();
      metrics.start();
    },
    async stop() {
      provider.stopPolls();
      moveTasks.stop();
      metrics.stop();
      if (store.enabled) store.compact(state.toSnapshot());
    },
    health() {
      return { state: "running", detail: `${state.queues.size} queues` };
    },
    devHandle: (request, subpath) => devHandle(request, subpath),
  };

  /**
   * Operator side doors (not AWS APIs):
   * - GET /_emulator/sqs/messages?QueueUrl=<url> (or ?QueueName=<name>[&AccountId=&Region=]):
   *   every message with its state (VISIBLE, INFLIGHT, DELAYED), system attributes and receive
   *   count, without receiving it: visibility and receive counts do not change.
   * - GET /_emulator/sqs/queues: every queue with its ARN, URL and message counts.
   */
  async function devHandle(request: EmulatorRequest, subpath: string): Promise<EmulatorResponse | undefined> {
    if (request.method !== "GET") return undefined;
    if (subpath === "/queues") {
      const now = env.clock.now();
      const queues = [...state.queues.values()].map((queue) => {
        const counts = queue.counts(now);
        return {
          QueueUrl: provider.url(queue),
          QueueArn: queue.arn,
          ApproximateNumberOfMessages: counts.visible,
          ApproximateNumberOfMessagesNotVisible: counts.inflight,
          ApproximateNumberOfMessagesDelayed: counts.delayed,
        };
      });
      return restJsonResponse(200, { Queues: queues });
    }
    if (subpath !== "/messages") return undefined;
    const query = request.query;
    const context: RequestContext = {
      ...request.context,
      region: query.get("Region") ?? request.context.region,
      accountId: query.get("AccountId") ?? request.context.accountId,
    };
    const url = query.get("QueueUrl");
    const name = query.get("QueueName");
    let arn: string | undefined;
    if (url) {
      const ref = parseQueueUrl(url);
      if (!ref) return restJsonResponse(400, { message: `QueueUrl ${url} is not a queue URL.` });
      arn = queueArn(ref.region ?? context.region, ref.accountId, ref.name);
    } else if (name) {
      arn = queueArn(context.region, context.accountId, name);
    } else {
      return restJsonResponse(400, {
        message:
          "Give the queue as ?QueueUrl=<url> or ?QueueName=<name> (with optional AccountId and Region).",
      });
    }
    const queue = state.queues.get(arn);
    if (!queue) return restJsonResponse(404, { message: `The queue ${arn} does not exist.` });
    return restJsonResponse(200, {
      QueueUrl: provider.url(queue),
      QueueArn: queue.arn,
      Messages: provider.peek(queue),
    });
  }
}
