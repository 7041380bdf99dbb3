import { CreateTableCommand, type AttributeDefinition, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateFunctionCommand, GetFunctionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import AdmZip from "adm-zip";
import { existsSync, readFileSync } from "node:fs";

/**
 * Small building blocks the crash tests share: test credentials, a wait on a condition (never a
 * fixed sleep), a role, a function from handler source, a table with a stream, and a reader for
 * the JSON lines a handler appends to a file.
 */

export const TEST_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };

export function clientConfig(url: string) {
  return { endpoint: url, region: "us-east-1", credentials: TEST_CREDENTIALS, maxAttempts: 1 };
}

/** Polls `read` every `intervalMs` until it answers something truthy; fails after `timeoutMs`. */
export async function waitFor<T>(
  read: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 30_000,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export async function createRole(url: string, name = "crash-test-role"): Promise<string> {
  const iam = new IAMClient(clientConfig(url));
  try {
    const role = await iam.send(
      new CreateRoleCommand({
        RoleName: name,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
          ],
        }),
      }),
    );
    return role.Role?.Arn as string;
  } finally {
    iam.destroy();
  }
}

export async function createFunction(
  url: string,
  options: { name: string; role: string; source: string; variables?: Record<string, string> },
): Promise<string> {
  const lambda = new LambdaClient(clientConfig(url));
  try {
    const zip = new AdmZip();
    zip.addFile("index.mjs", Buffer.from(options.source));
    const created = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: options.name,
        Runtime: "nodejs22.x",
        Handler: "index.handler",
        Role: options.role,
        Timeout: 10,
        Code: { ZipFile: zip.toBuffer() },
        Environment: { Variables: options.variables ?? {} },
      }),
    );
    await waitFor(
      async () =>
        (await lambda.send(new GetFunctionCommand({ FunctionName: options.name }))).Configuration?.State ===
        "Active",
      `function ${options.name} to be Active`,
    );
    return created.FunctionArn as string;
  } finally {
    lambda.destroy();
  }
}

export async function createStreamTable(
  ddb: DynamoDBClient,
  name: string,
  keys: AttributeDefinition[] = [{ AttributeName: "pk", AttributeType: "S" }],
): Promise<string> {
  const created = await ddb.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: keys,
      KeySchema: keys.map((key, index) => ({
        AttributeName: key.AttributeName,
        KeyType: index === 0 ? "HASH" : "RANGE",
      })),
      BillingMode: "PAY_PER_REQUEST",
      StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
    }),
  );
  return created.TableDescription?.LatestStreamArn as string;
}

/** The JSON lines a handler appended to `file` (none yet when it does not exist). */
export function jsonLines<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as T);
}
