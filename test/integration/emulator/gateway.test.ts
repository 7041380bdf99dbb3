import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../../src/runtime/emulator/index.js";

describe("emulator gateway", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await createEmulator();
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it("health: lists services and their state", async () => {
    const response = await fetch(`${emulator.url}/_emulator/health`);
    const body = (await response.json()) as { services: Record<string, string>; endpoint: string };
    expect(response.status).toBe(200);
    expect(body.endpoint).toBe(emulator.url);
    expect(body.services["sts"]).toBe("running");
  });

  it("sts: GetCallerIdentity through the SDK names the account from a 12-digit access key", async () => {
    const sts = new STSClient({
      endpoint: emulator.url,
      region: "eu-west-1",
      credentials: { accessKeyId: "123456789012", secretAccessKey: "test" },
    });
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe("123456789012");
    expect(identity.Arn).toBe("arn:aws:iam::123456789012:root");
  });

  it("routing: a request no service claims gets a 404 that says why", async () => {
    const response = await fetch(`${emulator.url}/nothing-here`, { method: "POST", body: "{}" });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { message: string }).message).toMatch(
      /could not tell which AWS service/,
    );
  });

  it("binding: refuses non-loopback hosts", async () => {
    await expect(createEmulator({ host: "0.0.0.0" })).rejects.toThrow(/loopback/);
  });
});
