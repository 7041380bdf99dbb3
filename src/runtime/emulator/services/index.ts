import type { ServiceFactory, ServiceName } from "../core/service.js";

/**
 * The service registry: one lazily imported module per service folder. A new service touches its
 * folder and one line here. Order matters: services start in this order and stop in reverse, so a
 * service starts after the ones it calls (streams after dynamodb, lambda after logs and sqs).
 */
export const SERVICE_LOADERS: Partial<Record<ServiceName, () => Promise<ServiceFactory>>> = {
  opensearch: async () => (await import("./opensearch/index.js")).default,
  cloudwatch: async () => (await import("./cloudwatch/index.js")).default,
  iam: async () => (await import("./iam/index.js")).default,
  sts: async () => (await import("./sts/index.js")).default,
  logs: async () => (await import("./logs/index.js")).default,
  events: async () => (await import("./events/index.js")).default,
  dynamodb: async () => (await import("./dynamodb/index.js")).default,
  dynamodbstreams: async () => (await import("./dynamodb/index.js")).default,
  sqs: async () => (await import("./sqs/index.js")).default,
  lambda: async () => (await import("./lambda/index.js")).default,
  sns: async () => (await import("./sns/index.js")).default,
  ssm: async () => (await import("./ssm/index.js")).default,
};

export const START_ORDER: ServiceName[] = [
  "sts",
  "iam",
  "logs",
  "cloudwatch",
  "dynamodb",
  "dynamodbstreams",
  "sqs",
  "opensearch",
  "lambda",
  "ssm",
  "sns",
  "events",
];
