/**
 * ARNs and derived names of the stack's resources (aws-behaviour.md appendix A). All take the
 * account and region the stack is declared for; the partition is always `aws`.
 */

export interface AccountRegion {
  account: string;
  region: string;
}

export function functionArn({ account, region }: AccountRegion, functionName: string): string {
  return `arn:aws:lambda:${region}:${account}:function:${functionName}`;
}

export function tableArn({ account, region }: AccountRegion, tableName: string): string {
  return `arn:aws:dynamodb:${region}:${account}:table/${tableName}`;
}

/** Every stream of the table: the stream label is only known once the table exists. */
export function tableStreamsArnPattern(at: AccountRegion, tableName: string): string {
  return `${tableArn(at, tableName)}/stream/*`;
}

export function tableIndexesArnPattern(at: AccountRegion, tableName: string): string {
  return `${tableArn(at, tableName)}/index/*`;
}

export function queueArn({ account, region }: AccountRegion, queueName: string): string {
  return `arn:aws:sqs:${region}:${account}:${queueName}`;
}

/** The queue name inside an SQS queue ARN (its last segment). */
export function queueNameFromArn(arn: string): string {
  const name = arn.split(":").at(-1);
  if (!arn.startsWith("arn:aws:sqs:") || name === undefined || name === "") {
    throw new Error(`not an SQS queue ARN: ${arn}`);
  }
  return name;
}

/** Path-style queue URL on a given endpoint (AWS: https://sqs.<region>.amazonaws.com). */
export function queueUrl(endpoint: string, account: string, queueName: string): string {
  return `${endpoint.replace(/\/+$/, "")}/${account}/${queueName}`;
}

export function ruleArn({ account, region }: AccountRegion, ruleName: string): string {
  return `arn:aws:events:${region}:${account}:rule/${ruleName}`;
}

export function logGroupName(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

export function logGroupArn({ account, region }: AccountRegion, groupName: string): string {
  return `arn:aws:logs:${region}:${account}:log-group:${groupName}`;
}

/** The log group's streams, the resource logs:CreateLogStream / PutLogEvents act on. */
export function logStreamsArnPattern(at: AccountRegion, groupName: string): string {
  return `${logGroupArn(at, groupName)}:*`;
}

export function roleArn({ account }: AccountRegion, roleName: string): string {
  return `arn:aws:iam::${account}:role/${roleName}`;
}

export function alarmArn({ account, region }: AccountRegion, alarmName: string): string {
  return `arn:aws:cloudwatch:${region}:${account}:alarm:${alarmName}`;
}

export function domainArn({ account, region }: AccountRegion, domainName: string): string {
  return `arn:aws:es:${region}:${account}:domain/${domainName}`;
}

export function topicArn({ account, region }: AccountRegion, topicName: string): string {
  return `arn:aws:sns:${region}:${account}:${topicName}`;
}

export function parameterArn({ account, region }: AccountRegion, parameterName: string): string {
  return `arn:aws:ssm:${region}:${account}:parameter${parameterName.startsWith("/") ? "" : "/"}${parameterName}`;
}
