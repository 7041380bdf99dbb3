import type { EmulatorRequest } from "./core/request.js";
import type { ServiceName } from "./core/service.js";
import { queryParams } from "./protocol/query.js";

/**
 * Identifies the service a request is for, the way AWS front ends do (aws-behaviour.md §1.2):
 * X-Amz-Target prefix, then the smithy RPCv2 path, then the query protocol's Action + Version,
 * then REST path prefixes, then the SigV4 credential scope.
 */
const TARGET_PREFIXES: Record<string, ServiceName> = {
  DynamoDB_20120810: "dynamodb",
  DynamoDBStreams_20120810: "dynamodbstreams",
  AmazonSQS: "sqs",
  AWSEvents: "events",
  Logs_20140328: "logs",
  GraniteServiceVersion20100801: "cloudwatch",
  AmazonSSM: "ssm",
};

const QUERY_VERSIONS: Record<string, ServiceName> = {
  "2012-11-05": "sqs",
  "2010-08-01": "cloudwatch",
  "2011-06-15": "sts",
  "2010-05-08": "iam",
  "2010-03-31": "sns",
};

const LAMBDA_PATH =
  /^\/(2015-03-31|2019-09-25|2017-03-31|2017-10-31|2016-08-19|2018-10-31|2020-04-22|2021-10-31)\//;

const SIGNING_SERVICES: Record<string, ServiceName> = {
  dynamodb: "dynamodb",
  sqs: "sqs",
  events: "events",
  logs: "logs",
  monitoring: "cloudwatch",
  lambda: "lambda",
  sts: "sts",
  iam: "iam",
  es: "opensearch",
  aoss: "opensearch",
  sns: "sns",
  ssm: "ssm",
};

/** Path prefix of the OpenSearch data plane: /opensearch/<region>/<domain>/… (LocalStack's path strategy). */
export const OPENSEARCH_PATH_PREFIX = "/opensearch/";

export function identifyService(request: EmulatorRequest): ServiceName | undefined {
  const target = request.headers["x-amz-target"];
  if (target) {
    const prefix = target.split(".")[0] ?? "";
    return TARGET_PREFIXES[prefix];
  }
  if (request.path.startsWith("/service/GraniteServiceVersion20100801/")) return "cloudwatch";
  if (request.path.startsWith(OPENSEARCH_PATH_PREFIX)) return "opensearch";
  if (LAMBDA_PATH.test(request.path)) return "lambda";
  const contentType = request.headers["content-type"] ?? "";
  if (contentType.includes("application/x-www-form-urlencoded") || request.query.has("Action")) {
    const params = queryParams(request);
    const byVersion = params["Version"] ? QUERY_VERSIONS[params["Version"]] : undefined;
    if (byVersion) return byVersion;
    // The SubscribeURL / UnsubscribeURL links SNS sends are plain GETs: no signature, no Version.
    if (isSnsLink(params)) return "sns";
  }
  const signing = request.context.signingService;
  return signing ? SIGNING_SERVICES[signing] : undefined;
}

/** `?Action=ConfirmSubscription&TopicArn=arn:aws:sns:…` or `?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:…`. */
function isSnsLink(params: Record<string, string>): boolean {
  const arn =
    params["Action"] === "ConfirmSubscription"
      ? params["TopicArn"]
      : params["Action"] === "Unsubscribe"
        ? params["SubscriptionArn"]
        : undefined;
  return arn !== undefined && arn.split(":")[2] === "sns";
}

/**
 * The operation a request names, for the request log: the X-Amz-Target's operation, the smithy
 * RPCv2 path's last segment, the query protocol's Action, else the REST path (Lambda, OpenSearch).
 */
export function describeOperation(request: EmulatorRequest): string {
  const target = request.headers["x-amz-target"];
  if (target) return target.split(".").slice(1).join(".") || target;
  const rpc = /^\/service\/[^/]+\/operation\/([^/]+)$/.exec(request.path);
  if (rpc) return rpc[1]!;
  const contentType = request.headers["content-type"] ?? "";
  if (contentType.includes("application/x-www-form-urlencoded") || request.query.has("Action")) {
    const action = queryParams(request)["Action"];
    if (action) return action;
  }
  return request.path.length > 80 ? `${request.path.slice(0, 77)}...` : request.path;
}
