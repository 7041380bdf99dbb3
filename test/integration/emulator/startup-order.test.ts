import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { CreateEventSourceMappingCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  clientConfig,
  createFunction,
  createRole,
  createStreamTable,
  jsonLines,
  waitFor,
} from "../../helpers/crash-clients.js";
import { startEmulatorProcess, type EmulatorProcess } from "../../helpers/emulator-process.js";

/**
 * Start-up order (issue: a restart with a stream backlog started the mapping workers before the
 * gateway listened, so the first function environments got an empty AWS_ENDPOINT_URL and their SDK
 * calls went to the real AWS). The emulator restarts here with a backlog waiting and an operator's
 * AWS credentials in its own environment: every invocation must see the emulator's endpoint (and
 * reach it) and the emulator's test credentials, never the operator's.
 */

const HANDLER = `
import { appendFileSync } from "node:fs";
export const handler = async (event) => {
  const endpoint = process.env.AWS_ENDPOINT_URL ?? "";
  let health = "unreachable";
  try {
    const answer = await fetch(endpoint + "/_emulator/health");
    health = (await answer.json()).emulator;
  } catch {}
  appendFileSync(process.env.OUT_FILE, JSON.stringify({
    keys: event.Records.map((r) => r.dynamodb.Keys.pk.S),
    endpoint,
    health,
    accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? null,
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? null,
    sessionToken: process.env.AWS_SESSION_TOKEN ?? null,
    profile: process.env.AWS_PROFILE ?? null,
  }) + "\\n");
};
`;

interface Seen {
  keys: string[];
  endpoint: string;
  health: string;
  accessKeyId: string | null;
  secretAccessKey: string | null;
  sessionToken: string | null;
  profile: string | null;
}

const OPERATOR = {
  AWS_ACCESS_KEY_ID: "AKIAOPERATOREXAMPLE1",
  AWS_SECRET_ACCESS_KEY: "operator-secret-do-not-use",
  AWS_SESSION_TOKEN: "operator-session-token",
  AWS_PROFILE: "operator-production",
};
const ALL = ["sts", "iam", "logs", "dynamodb", "dynamodbstreams", "sqs", "lambda"];
const BACKLOG = 12;

describe("emulator start-up order", () => {
  const dirs: string[] = [];
  const children: EmulatorProcess[] = [];
  afterAll(async () => {
    for (const child of children) await child.kill9();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("a restart with a stream backlog gives every function environment the emulator's endpoint and test credentials, not the operator's", async () => {
    const persistDir = mkdtempSync(join(tmpdir(), "pipeline-startup-"));
    dirs.push(persistDir);
    const out = join(persistDir, "invocations.jsonl");

    // 1. The stack: a table with a stream, a function, a mapping reading from the oldest record.
    const first = await startEmulatorProcess({ persistDir, services: ALL });
    children.push(first);
    const ddb1 = new DynamoDBClient(clientConfig(first.url));
    const streamArn = await createStreamTable(ddb1, "backlog");
    ddb1.destroy();
    const role = await createRole(first.url);
    await createFunction(first.url, {
      name: "consumer",
      role,
      source: HANDLER,
      variables: { OUT_FILE: out },
    });
    const lambda = new LambdaClient(clientConfig(first.url));
    await lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: "consumer",
        EventSourceArn: streamArn,
        StartingPosition: "TRIM_HORIZON",
        BatchSize: 3,
      }),
    );
    lambda.destroy();
    await first.kill9();

    // 2. The backlog, written while no Lambda service runs (so nothing consumes it yet).
    const storage = await startEmulatorProcess({ persistDir, services: ["dynamodb", "dynamodbstreams"] });
    children.push(storage);
    const ddb2 = new DynamoDBClient(clientConfig(storage.url));
    for (let n = 0; n < BACKLOG; n++)
      await ddb2.send(new PutItemCommand({ TableName: "backlog", Item: { pk: { S: `k${n}` } } }));
    ddb2.destroy();
    await storage.kill9();
    expect(jsonLines(out)).toEqual([]);

    // 3. The restart, with an operator's credentials in the emulator's own environment.
    const restarted = await startEmulatorProcess({ persistDir, services: ALL, env: OPERATOR });
    children.push(restarted);
    const seen = await waitFor(() => {
      const lines = jsonLines<Seen>(out);
      return lines.flatMap((line) => line.keys).length >= BACKLOG && lines;
    }, "the backlog to be consumed");

    expect(new Set(seen.flatMap((line) => line.keys)).size).toBe(BACKLOG);
    for (const invocation of seen) {
      expect(invocation).toMatchObject({
        endpoint: restarted.url,
        health: "pipeline",
        accessKeyId: "test",
        secretAccessKey: "test",
        sessionToken: "test",
        profile: null,
      });
    }
  });
});
