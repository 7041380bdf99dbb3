import { createHash } from "node:crypto";

/**
 * AWS managed policies the emulator knows (`arn:aws:iam::aws:policy/...`): the ones Lambda stacks
 * attach, plus AdministratorAccess. They can be read (GetPolicy, GetPolicyVersion, ListPolicies
 * Scope=AWS) and attached, never changed. Documents and dates are AWS's (first published
 * versions); ids are AWS's where recorded here, otherwise derived from the ARN.
 */
export interface AwsManagedPolicy {
  arn: string;
  name: string;
  path: string;
  policyId: string;
  description?: string;
  createDate: string;
  updateDate: string;
  defaultVersionId: string;
  document: string;
}

const LOGS = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"];

function doc(...statements: Record<string, unknown>[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

function derivedId(arn: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const digest = createHash("sha256").update(arn).digest();
  let id = "ANPA";
  for (let i = 0; i < 17; i++) id += alphabet[digest[i]! % alphabet.length];
  return id;
}

function policy(
  path: string,
  name: string,
  created: string,
  document: string,
  options: { id?: string; description?: string; updated?: string; version?: string } = {},
): AwsManagedPolicy {
  const arn = `arn:aws:iam::aws:policy${path}${name}`;
  return {
    arn,
    name,
    path,
    policyId: options.id ?? derivedId(arn),
    ...(options.description ? { description: options.description } : {}),
    createDate: created,
    updateDate: options.updated ?? created,
    defaultVersionId: options.version ?? "v1",
    document,
  };
}

const CATALOG: AwsManagedPolicy[] = [
  policy(
    "/service-role/",
    "AWSLambdaBasicExecutionRole",
    "2015-04-09T15:03:43Z",
    doc({ Effect: "Allow", Action: LOGS, Resource: "*" }),
    { id: "ANPAJNCQGXC42545SKXIK", description: "Provides write permissions to CloudWatch Logs." },
  ),
  policy(
    "/service-role/",
    "AWSLambdaDynamoDBExecutionRole",
    "2015-04-09T15:09:29Z",
    doc({
      Effect: "Allow",
      Action: [
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
        ...LOGS,
      ],
      Resource: "*",
    }),
    {
      id: "ANPAIP7WNAGMIPYNW4WQG",
      description:
        "Provides list and read access to DynamoDB streams and write permissions to CloudWatch logs.",
    },
  ),
  policy(
    "/service-role/",
    "AWSLambdaKinesisExecutionRole",
    "2015-04-09T15:14:16Z",
    doc({
      Effect: "Allow",
      Action: [
        "kinesis:DescribeStream",
        "kinesis:GetRecords",
        "kinesis:GetShardIterator",
        "kinesis:ListStreams",
        ...LOGS,
      ],
      Resource: "*",
    }),
    { id: "ANPAJHOLKJPXV4GBRMJUQ" },
  ),
  policy(
    "/service-role/",
    "AWSLambdaSQSQueueExecutionRole",
    "2015-04-09T15:03:43Z",
    doc({
      Effect: "Allow",
      Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", ...LOGS],
      Resource: "*",
    }),
  ),
  policy(
    "/service-role/",
    "AWSLambdaVPCAccessExecutionRole",
    "2016-02-11T23:15:26Z",
    doc({
      Effect: "Allow",
      Action: [
        ...LOGS,
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
      ],
      Resource: "*",
    }),
  ),
  policy(
    "/service-role/",
    "AWSLambdaRole",
    "2015-02-06T18:41:28Z",
    doc({ Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: ["*"] }),
    { id: "ANPAJX4DPCRGTC4NFDUXI", description: "Default policy for AWS Lambda service role." },
  ),
  policy(
    "/",
    "AWSLambdaExecute",
    "2015-02-06T18:40:46Z",
    doc(
      { Effect: "Allow", Action: ["logs:*"], Resource: "arn:aws:logs:*:*:*" },
      { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: "arn:aws:s3:::*" },
    ),
    { id: "ANPAJE5FX7FQZSU5XAKGO" },
  ),
  policy(
    "/",
    "AWSLambdaInvocation-DynamoDB",
    "2015-02-06T18:40:47Z",
    doc(
      { Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: "*" },
      {
        Effect: "Allow",
        Action: [
          "dynamodb:DescribeStream",
          "dynamodb:GetRecords",
          "dynamodb:GetShardIterator",
          "dynamodb:ListStreams",
        ],
        Resource: "*",
      },
    ),
    { id: "ANPAJTHQ3EKCQALQDYG5G" },
  ),
  policy(
    "/",
    "AWSXRayDaemonWriteAccess",
    "2018-08-28T23:00:33Z",
    doc({
      Effect: "Allow",
      Action: [
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "xray:GetSamplingRules",
        "xray:GetSamplingTargets",
        "xray:GetSamplingStatisticSummaries",
      ],
      Resource: ["*"],
    }),
  ),
  policy(
    "/",
    "AdministratorAccess",
    "2015-02-06T18:39:46Z",
    doc({ Effect: "Allow", Action: "*", Resource: "*" }),
    { id: "ANPAIWMBCKSKIEE64ZLYK", description: "Provides full access to AWS services and resources." },
  ),
];

const BY_ARN = new Map(CATALOG.map((p) => [p.arn, p]));

export function awsManagedPolicy(arn: string): AwsManagedPolicy | undefined {
  return BY_ARN.get(arn.replace(/^arn:aws[\w-]*:/, "arn:aws:"));
}

export function awsManagedPolicies(): AwsManagedPolicy[] {
  return [...CATALOG];
}

export function isAwsManagedArn(arn: string): boolean {
  return /^arn:aws[\w-]*:iam::aws:policy\//.test(arn);
}
