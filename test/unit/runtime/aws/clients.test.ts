import { CreateLogGroupCommand, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { SQSClient } from "@aws-sdk/client-sqs";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  AccountMismatchError,
  createClients,
  NoCredentialsError,
} from "../../../../src/runtime/aws/index.js";
import { createEmulator, type Emulator } from "../../../../src/runtime/emulator/index.js";

describe("createClients", () => {
  let endpoint: string;
  let emulator: Emulator;
  const dir = mkdtempSync(join(tmpdir(), "pipeline-aws-"));

  beforeAll(async () => {
    emulator = await createEmulator({ port: 0 });
    endpoint = emulator.url;
  });

  afterAll(async () => {
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("local targets: explicit endpoint, static test credentials, the configured region", () => {
    const clients = createClients({ target: "localstack", region: "eu-west-1", endpoint });

    expect(clients.settings).toEqual({
      region: "eu-west-1",
      endpoint,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    clients.destroy();
  });

  it("aws: the default credential chain with the profile, AWS's endpoints", () => {
    const clients = createClients({ target: "aws", region: "eu-west-1", profile: "prod" });

    expect(clients.settings).toEqual({ region: "eu-west-1", profile: "prod" });
    clients.destroy();
  });

  it("clientFor: one client per class; named getters use the same cache", async () => {
    const clients = createClients({ target: "local", region: "us-east-1", endpoint });

    const sqs = clients.clientFor(SQSClient);

    expect(clients.clientFor(SQSClient)).toBe(sqs);
    expect(await clients.sqs()).toBe(sqs);
    expect(await sqs.config.region()).toBe("us-east-1");
    clients.destroy();
  });

  it("talks to a real endpoint over HTTP", async () => {
    const clients = createClients({ target: "localstack", region: "us-east-1", endpoint });

    const logs = await clients.logs();
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/aws/lambda/factory-test" }));
    const answer = await logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: "/aws/lambda/factory" }),
    );

    expect(answer.logGroups?.map((group) => group.logGroupName)).toEqual(["/aws/lambda/factory-test"]);
    clients.destroy();
  });

  it("accountId: the local account without a network call", async () => {
    const clients = createClients({ target: "local", region: "us-east-1", endpoint: "http://127.0.0.1:9" });

    expect(await clients.accountId()).toBe("000000000000");
  });

  it("accountId on aws: from STS GetCallerIdentity, asked once", async () => {
    vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "secret");
    const clients = createClients({ target: "aws", region: "us-east-1", endpoint: emulator.url });
    const sts = await clients.sts();
    const send = vi.spyOn(sts, "send");

    const first = await clients.accountId();
    const second = await clients.accountId();

    expect(first).toBe(emulator.accountId);
    expect(second).toBe(first);
    expect(send).toHaveBeenCalledTimes(1);
    clients.destroy();
  });

  it("accountId on aws: refuses credentials of another account than the configured one", async () => {
    vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "secret");
    const clients = createClients({
      target: "aws",
      region: "us-east-1",
      endpoint: emulator.url,
      account: "111122223333",
    });

    await expect(clients.accountId()).rejects.toThrow(AccountMismatchError);
    await expect(clients.accountId()).rejects.toThrow(
      `the credentials belong to account ${emulator.accountId}, but account is set to 111122223333`,
    );
    clients.destroy();
  });

  it("accountId on aws: no credentials names the profile and the fix", async () => {
    const empty = join(dir, "empty");
    writeFileSync(empty, "");
    vi.stubEnv("AWS_ACCESS_KEY_ID", "");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "");
    vi.stubEnv("AWS_CONFIG_FILE", empty);
    vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", empty);
    vi.stubEnv("AWS_EC2_METADATA_DISABLED", "true");
    const clients = createClients({
      target: "aws",
      region: "us-east-1",
      profile: "nobody",
      endpoint: emulator.url,
    });

    const failure = clients.accountId();

    await expect(failure).rejects.toThrow(NoCredentialsError);
    await expect(clients.accountId()).rejects.toThrow(
      /no AWS credentials for profile nobody .*--profile nobody/,
    );
    clients.destroy();
  });
});
