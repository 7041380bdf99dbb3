import { PutParameterCommand, SSMClient, GetParameterCommand } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HandlerConfigError } from "../../../src/pipeline/handlers/_shared.js";
import { sourceClientFor, sourceKeyOf } from "../../../src/pipeline/handlers/source-key.js";
import { demoRoster, type Celebrity } from "../../../src/pipeline/model/index.js";
import { VirtualClock, createSourceClient } from "../../../src/pipeline/sources/index.js";
import { apiKeyParameterName } from "../../../src/pipeline/stack/index.js";
import { createClients, type AwsClients } from "../../../src/runtime/aws/index.js";
import { createEmulator, type Emulator } from "../../../src/runtime/emulator/index.js";
import { startFixtureServer, type FixtureServer } from "../../../src/runtime/fixtures/index.js";

/**
 * A scraper's key from SSM Parameter Store: the emulator's SSM holds the SecureString, the fixture
 * server's TMDB requires it as a bearer token (401 otherwise, as TMDB answers). The key is read
 * once, at cold start, decrypted, and shared by every later request of the instance.
 */
const TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzb3VyY2Uta2V5LXRlc3QifQ.aW52ZW50ZWQtc2lnbmF0dXJl";
const PARAMETER = apiKeyParameterName("tmdb");
const celebrity = demoRoster()[0] as Celebrity;

let emulator: Emulator;
let fixtures: FixtureServer;
let clients: AwsClients;
let ssm: SSMClient;
const reads: string[] = [];

beforeAll(async () => {
  [emulator, fixtures] = await Promise.all([
    createEmulator({ services: ["ssm"] }),
    startFixtureServer({ port: 0, tmdbToken: TOKEN }),
  ]);
  clients = createClients({ target: "local", region: "us-east-1", endpoint: emulator.url });
  ssm = await clients.ssm();
  ssm.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === "GetParameterCommand") {
        const input = args.input as { Name: string; WithDecryption?: boolean };
        reads.push(`${input.Name} decrypt=${String(input.WithDecryption)}`);
      }
      return next(args);
    },
    { step: "initialize", name: "countParameterReads" },
  );
});

afterAll(async () => {
  clients?.destroy();
  await Promise.all([emulator?.stop(), fixtures?.stop()]);
});

const tmdbClient = (apiKey: string | undefined) =>
  createSourceClient("tmdb", { baseUrl: `${fixtures.url}/tmdb`, apiKey, clock: new VirtualClock(0) });

describe("the source key from SSM", () => {
  it("no parameter: no key, and TMDB refuses the scraper's requests", async () => {
    const client = sourceClientFor(
      sourceKeyOf({ apiKey: undefined, apiKeyParameter: PARAMETER }, ssm),
      tmdbClient,
    );
    await expect((await client()).fetch(celebrity)).rejects.toMatchObject({ status: 401 });
  });

  it("a SecureString: read at cold start with decryption, once for every invocation after", async () => {
    await ssm.send(
      new PutParameterCommand({ Name: PARAMETER, Value: TOKEN, Type: "SecureString", Overwrite: true }),
    );
    // Stored encrypted: without decryption SSM returns something else.
    const sealed = await ssm.send(new GetParameterCommand({ Name: PARAMETER }));
    expect(sealed.Parameter?.Value).not.toBe(TOKEN);
    reads.length = 0;

    const client = sourceClientFor(
      sourceKeyOf({ apiKey: undefined, apiKeyParameter: PARAMETER }, ssm),
      tmdbClient,
    );
    // Cold start: the read has begun before any invocation asks for the client.
    await expect.poll(() => reads.length).toBe(1);
    const invocations = await Promise.all([client(), client(), client()]);
    expect(new Set(invocations).size).toBe(1);
    await expect(invocations[0]!.fetch(celebrity)).resolves.toMatchObject({ source: "tmdb" });
    await client();
    expect(reads).toEqual([`${PARAMETER} decrypt=true`]);
  });

  it("a key given directly (an in-process run) is used without asking SSM", async () => {
    reads.length = 0;
    const client = sourceClientFor(
      sourceKeyOf({ apiKey: TOKEN, apiKeyParameter: PARAMETER }, ssm),
      tmdbClient,
    );
    await expect((await client()).fetch(celebrity)).resolves.toMatchObject({ source: "tmdb" });
    expect(reads).toEqual([]);
  });

  it("SSM refusing the read fails the invocation, naming the parameter and SSM's error", async () => {
    const refusing = new SSMClient({
      region: "us-east-1",
      endpoint: emulator.url,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    refusing.middlewareStack.add(
      () => async () => {
        throw Object.assign(new Error("User is not authorized to perform: ssm:GetParameter"), {
          name: "AccessDeniedException",
        });
      },
      { step: "initialize", name: "refuse" },
    );
    const client = sourceClientFor(
      sourceKeyOf({ apiKey: undefined, apiKeyParameter: PARAMETER }, refusing),
      tmdbClient,
    );
    const failure = client();
    await expect(failure).rejects.toThrow(HandlerConfigError);
    await expect(failure).rejects.toThrow(
      `cannot read the API key parameter ${PARAMETER} (SOURCE_API_KEY_PARAMETER) from SSM Parameter Store: AccessDeniedException: User is not authorized to perform: ssm:GetParameter`,
    );
    refusing.destroy();
  });
});
