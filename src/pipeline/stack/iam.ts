import {
  domainArn,
  logGroupName,
  logStreamsArnPattern,
  parameterArn,
  queueArn,
  roleArn,
  tableArn,
  tableStreamsArnPattern,
} from "./arns.js";
import type { AccountRegion } from "./arns.js";
import { SOURCES } from "../model/sources.js";
import type { FunctionKey, RoleKey, StackNames } from "./names.js";
import { FUNCTION_KEYS, sourceOfFunctionKey, workQueueKey } from "./names.js";
import type { InlinePolicy, PolicyDocument, PolicyStatement, RoleDeclaration } from "./types.js";

const LAMBDA_TRUST_POLICY: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { Service: "lambda.amazonaws.com" },
      Action: ["sts:AssumeRole"],
    },
  ],
};

/** The role each function runs as: the four scrapers share one, the stream consumers have their own. */
export function roleKeyOf(functionKey: FunctionKey): RoleKey {
  return sourceOfFunctionKey(functionKey) === undefined ? (functionKey as RoleKey) : "scraper";
}

/** Like AWSLambdaBasicExecutionRole, but only for the role's own log groups (the stack creates them). */
function logsStatement(at: AccountRegion, names: StackNames, roleKey: RoleKey): PolicyStatement {
  const groups = FUNCTION_KEYS.filter((key) => roleKeyOf(key) === roleKey).map((key) =>
    logStreamsArnPattern(at, logGroupName(names.functions[key])),
  );
  return {
    Sid: "WriteOwnLogs",
    Effect: "Allow",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
    Resource: groups,
  };
}

function streamReadStatements(at: AccountRegion, names: StackNames): PolicyStatement[] {
  return [
    {
      Sid: "ReadTableStream",
      Effect: "Allow",
      Action: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
      Resource: [tableStreamsArnPattern(at, names.table)],
    },
    {
      // ListStreams has no resource-level permissions in IAM: "*" is the only resource it accepts.
      Sid: "ListStreams",
      Effect: "Allow",
      Action: ["dynamodb:ListStreams"],
      Resource: ["*"],
    },
  ];
}

function sendTo(queue: string, at: AccountRegion, sid: string): PolicyStatement {
  return { Sid: sid, Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [queueArn(at, queue)] };
}

function policy(name: string, statements: PolicyStatement[]): InlinePolicy {
  return { name, document: { Version: "2012-10-17", Statement: statements } };
}

function statementsFor(
  at: AccountRegion,
  names: StackNames,
  opensearchDomain: string,
  key: RoleKey,
): PolicyStatement[] {
  switch (key) {
    case "scraper":
      return [
        {
          // Items, run and shard records; the planner scans the roster, a run's shards are queried.
          Sid: "WriteCelebrityItems",
          Effect: "Allow",
          Action: [
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:Query",
            "dynamodb:Scan",
          ],
          Resource: [tableArn(at, names.table)],
        },
        {
          // The planner sends shards to its work queue; the mapping receives and deletes them as
          // the function's role (Lambda's documented SQS permissions), and the worker holds and
          // releases its own message (ChangeMessageVisibility with the record's receipt handle).
          Sid: "WorkQueues",
          Effect: "Allow",
          Action: [
            "sqs:GetQueueUrl",
            "sqs:SendMessage",
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:ChangeMessageVisibility",
            "sqs:GetQueueAttributes",
          ],
          Resource: SOURCES.map((source) => queueArn(at, names.queues[workQueueKey(source)])),
        },
        // Lambda sends failed async events to the function's DLQ and on-failure destination as the function's role.
        sendTo(names.queues.scraperDlq, at, "DeadLetterFailedInvocations"),
        {
          // The sources' API keys and nothing else in Parameter Store. SecureStrings under the AWS
          // managed key aws/ssm need no kms:Decrypt grant: its key policy lets the account's
          // principals decrypt through SSM.
          Sid: "ReadOwnSourceKeys",
          Effect: "Allow",
          Action: ["ssm:GetParameter"],
          Resource: SOURCES.map((source) => parameterArn(at, names.parameters[source])),
        },
        logsStatement(at, names, key),
      ];
    case "post-processor":
      return [
        ...streamReadStatements(at, names),
        {
          Sid: "EnrichCelebrityItems",
          Effect: "Allow",
          Action: ["dynamodb:UpdateItem"],
          Resource: [tableArn(at, names.table)],
        },
        // The stream mapping's on-failure destination is written with the function's role.
        sendTo(names.queues.streamDlq, at, "DeadLetterFailedBatches"),
        logsStatement(at, names, key),
      ];
    case "index-sync":
      return [
        ...streamReadStatements(at, names),
        {
          Sid: "WriteSearchIndex",
          Effect: "Allow",
          Action: ["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut", "es:ESHttpDelete"],
          Resource: [`${domainArn(at, opensearchDomain)}/*`],
        },
        sendTo(names.queues.indexSyncDlq, at, "DeadLetterFailedBatches"),
        logsStatement(at, names, key),
      ];
  }
}

export function declareRole(
  at: AccountRegion,
  names: StackNames,
  opensearchDomain: string,
  key: RoleKey,
): RoleDeclaration {
  const name = names.roles[key];
  return {
    key,
    name,
    arn: roleArn(at, name),
    definition: {
      RoleName: name,
      Path: "/",
      AssumeRolePolicyDocument: JSON.stringify(LAMBDA_TRUST_POLICY),
      Description: `Execution role of the ${key} function(s) of the celebrity pipeline`,
    },
    assumeRolePolicy: LAMBDA_TRUST_POLICY,
    inlinePolicies: [policy(`${name}-policy`, statementsFor(at, names, opensearchDomain, key))],
  };
}
