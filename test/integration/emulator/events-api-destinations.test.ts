import {
  CreateApiDestinationCommand,
  CreateConnectionCommand,
  DeauthorizeConnectionCommand,
  DeleteApiDestinationCommand,
  DeleteConnectionCommand,
  DescribeApiDestinationCommand,
  DescribeConnectionCommand,
  EventBridgeClient,
  ListApiDestinationsCommand,
  ListConnectionsCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  UpdateConnectionCommand,
  type DescribeConnectionCommandOutput,
} from "@aws-sdk/client-eventbridge";
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from "@aws-sdk/client-sqs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../../src/runtime/emulator/index.js";
import { awsCli, awsCliAvailable, awsCliJson } from "../../helpers/aws-cli.js";

/**
 * Connections and API destinations as the EventBridge API reference and user guide describe them:
 * a connection holds the authorization (Basic, API key, OAuth client credentials) and extra
 * invocation parameters; an API destination is an HTTP endpoint that a rule target sends events
 * to, with the connection's authorization. Retried answers: 401, 407, 409, 429, 5xx; the rest go
 * to the target's DLQ at once.
 */
const ACCOUNT = "000000000000";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };

interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: string;
}

/** A local HTTP endpoint that records requests; `/token` answers OAuth, `/status/<n>` answers n. */
class Endpoint {
  readonly requests: Recorded[] = [];
  private waiters: (() => void)[] = [];
  private server: Server | undefined;
  tokenStatus = 200;
  url = "";

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const url = new URL(req.url ?? "/", "http://localhost");
        const recorded = {
          method: req.method ?? "",
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        };
        this.requests.push(recorded);
        for (const wake of this.waiters.splice(0)) wake();
        if (url.pathname === "/token") {
          res.writeHead(this.tokenStatus, { "content-type": "application/json" });
          res.end(JSON.stringify({ access_token: "token-123", token_type: "Bearer", expires_in: 3600 }));
          return;
        }
        const status = /^\/status\/(\d+)/.exec(url.pathname);
        res.writeHead(status ? Number(status[1]) : 200, { "content-type": "application/json" });
        res.end("{}");
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Waits until `count` requests matched `filter` (each arrival wakes the wait). */
  async waitFor(filter: (r: Recorded) => boolean, count = 1): Promise<Recorded[]> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const matched = this.requests.filter(filter);
      if (matched.length >= count) return matched;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} request(s)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1_000);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

async function failure(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string };
    return { name: e.name, message: e.message };
  }
  throw new Error("expected the call to fail");
}

describe("events: connections and API destinations", () => {
  let emulator: Emulator;
  let events: EventBridgeClient;
  let sqs: SQSClient;
  let endpoint: Endpoint;
  let dlq: { url: string; arn: string };

  beforeAll(async () => {
    endpoint = new Endpoint();
    await endpoint.start();
    emulator = await createEmulator({ services: ["events", "sqs"] });
    const config = { endpoint: emulator.url, region: "us-east-1", credentials, maxAttempts: 1 };
    events = new EventBridgeClient(config);
    sqs = new SQSClient(config);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "api-dlq" }));
    const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
    dlq = { url: QueueUrl!, arn: out.Attributes!["QueueArn"]! };
  });
  afterAll(async () => {
    events.destroy();
    sqs.destroy();
    await emulator.stop();
    await endpoint.stop();
  });

  async function connectionState(name: string, not: string): Promise<DescribeConnectionCommandOutput> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const described = await events.send(new DescribeConnectionCommand({ Name: name }));
      if (described.ConnectionState !== not || Date.now() > deadline) return described;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async function dlqMessage(): Promise<Message> {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlq.url,
        MaxNumberOfMessages: 1,
        WaitTimeSeconds: 5,
        MessageAttributeNames: ["All"],
      }),
    );
    const message = out.Messages?.[0];
    if (!message) throw new Error("no DLQ message arrived");
    await sqs.send(new DeleteMessageCommand({ QueueUrl: dlq.url, ReceiptHandle: message.ReceiptHandle }));
    return message;
  }

  /** A rule on the default bus matching `source`, targeting the API destination. */
  async function route(source: string, destinationArn: string, extra: object = {}): Promise<void> {
    await events.send(
      new PutRuleCommand({ Name: `to-${source}`, EventPattern: JSON.stringify({ source: [source] }) }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: `to-${source}`,
        Targets: [
          {
            Id: "api",
            Arn: destinationArn,
            RoleArn: `arn:aws:iam::${ACCOUNT}:role/invoke-api`,
            DeadLetterConfig: { Arn: dlq.arn },
            ...extra,
          },
        ],
      }),
    );
  }

  const send = (source: string, detail: object) =>
    events.send(
      new PutEventsCommand({
        Entries: [{ Source: source, DetailType: "Test", Detail: JSON.stringify(detail) }],
      }),
    );

  it("CreateConnection: bad names, types, missing or extra auth blocks and duplicates are refused", async () => {
    const basic = { BasicAuthParameters: { Username: "u", Password: "p" } };
    const name = await failure(
      events.send(
        new CreateConnectionCommand({ Name: "bad name", AuthorizationType: "BASIC", AuthParameters: basic }),
      ),
    );
    expect(name.name).toBe("ValidationException");
    expect(name.message).toMatch(/Value 'bad name' at 'name' failed to satisfy constraint/);
    const type = await failure(
      events.send(
        new CreateConnectionCommand({
          Name: "c",
          AuthorizationType: "DIGEST" as "BASIC",
          AuthParameters: basic,
        }),
      ),
    );
    expect(type.message).toMatch(
      /at 'authorizationType' failed to satisfy constraint: Member must satisfy enum value set/,
    );
    const missing = await failure(
      events.send(
        new CreateConnectionCommand({ Name: "c", AuthorizationType: "API_KEY", AuthParameters: basic }),
      ),
    );
    expect(missing.name).toBe("ValidationException");
    await events.send(
      new CreateConnectionCommand({ Name: "dupe", AuthorizationType: "BASIC", AuthParameters: basic }),
    );
    const duplicate = await failure(
      events.send(
        new CreateConnectionCommand({ Name: "dupe", AuthorizationType: "BASIC", AuthParameters: basic }),
      ),
    );
    expect(duplicate).toMatchObject({
      name: "ResourceAlreadyExistsException",
      message: "Connection dupe already exists.",
    });
    const absent = await failure(events.send(new DescribeConnectionCommand({ Name: "nope" })));
    expect(absent).toMatchObject({
      name: "ResourceNotFoundException",
      message: "Failed to describe the connection(s). Connection 'nope' does not exist.",
    });
    await events.send(new DeleteConnectionCommand({ Name: "dupe" }));
  });

  it("DescribeConnection never shows secrets; ListConnections filters by prefix and state", async () => {
    const created = await events.send(
      new CreateConnectionCommand({
        Name: "partner-basic",
        Description: "basic auth",
        AuthorizationType: "BASIC",
        AuthParameters: {
          BasicAuthParameters: { Username: "events", Password: "s3cret" },
          InvocationHttpParameters: {
            HeaderParameters: [
              { Key: "X-Team", Value: "data", IsValueSecret: false },
              { Key: "X-Hidden", Value: "hush", IsValueSecret: true },
            ],
            QueryStringParameters: [{ Key: "source", Value: "eventbridge" }],
            BodyParameters: [{ Key: "origin", Value: "emulator" }],
          },
        },
      }),
    );
    expect(created.ConnectionArn).toMatch(
      new RegExp(`^arn:aws:events:us-east-1:${ACCOUNT}:connection/partner-basic/[-0-9a-f]{36}$`),
    );
    expect(created.ConnectionState).toBe("AUTHORIZED");
    const described = await events.send(new DescribeConnectionCommand({ Name: "partner-basic" }));
    expect(described).toMatchObject({
      ConnectionArn: created.ConnectionArn,
      Name: "partner-basic",
      Description: "basic auth",
      ConnectionState: "AUTHORIZED",
      AuthorizationType: "BASIC",
      AuthParameters: {
        BasicAuthParameters: { Username: "events" },
        InvocationHttpParameters: {
          HeaderParameters: [
            { Key: "X-Team", Value: "data", IsValueSecret: false },
            { Key: "X-Hidden", IsValueSecret: true },
          ],
        },
      },
    });
    expect(JSON.stringify(described)).not.toMatch(/s3cret|hush/);
    expect(described.SecretArn).toMatch(
      /^arn:aws:secretsmanager:us-east-1:000000000000:secret:events!connection\/partner-basic\//,
    );
    const listed = await events.send(
      new ListConnectionsCommand({ NamePrefix: "partner-", ConnectionState: "AUTHORIZED" }),
    );
    expect(listed.Connections?.map((c) => c.Name)).toEqual(["partner-basic"]);
  });

  it("CreateApiDestination: validation as the model words it, a missing connection, duplicates", async () => {
    const connection = (await events.send(new DescribeConnectionCommand({ Name: "partner-basic" })))
      .ConnectionArn!;
    const bad = await failure(
      events.send(
        new CreateApiDestinationCommand({
          Name: "d",
          ConnectionArn: connection,
          InvocationEndpoint: `${endpoint.url}/hook`,
          HttpMethod: "FETCH" as "POST",
          InvocationRateLimitPerSecond: 301,
        }),
      ),
    );
    expect(bad.name).toBe("ValidationException");
    expect(bad.message).toMatch(
      /^2 validation errors detected: Value 'FETCH' at 'httpMethod'.*; Value '301' at 'invocationRateLimitPerSecond'/,
    );
    const arn = await failure(
      events.send(
        new CreateApiDestinationCommand({
          Name: "d",
          ConnectionArn: "partner-basic",
          InvocationEndpoint: `${endpoint.url}/x`,
          HttpMethod: "POST",
        }),
      ),
    );
    expect(arn.message).toMatch(/at 'connectionArn' failed to satisfy constraint/);
    const gone = await failure(
      events.send(
        new CreateApiDestinationCommand({
          Name: "d",
          ConnectionArn: connection.replace("partner-basic", "ghost"),
          InvocationEndpoint: `${endpoint.url}/x`,
          HttpMethod: "POST",
        }),
      ),
    );
    expect(gone).toMatchObject({
      name: "ResourceNotFoundException",
      message: "Failed to describe the connection(s). Connection 'ghost' does not exist.",
    });
    const missing = await failure(events.send(new DescribeApiDestinationCommand({ Name: "nope" })));
    expect(missing).toMatchObject({
      name: "ResourceNotFoundException",
      message: "Failed to describe the api-destination(s). An api-destination 'nope' does not exist.",
    });
  });

  it("a rule target POSTs the event with Basic auth and the connection's and target's HTTP parameters", async () => {
    const connection = (await events.send(new DescribeConnectionCommand({ Name: "partner-basic" })))
      .ConnectionArn!;
    const created = await events.send(
      new CreateApiDestinationCommand({
        Name: "partner-hook",
        ConnectionArn: connection,
        InvocationEndpoint: `${endpoint.url}/hooks/*/events`,
        HttpMethod: "POST",
        InvocationRateLimitPerSecond: 10,
      }),
    );
    expect(created.ApiDestinationArn).toMatch(/:api-destination\/partner-hook\/[-0-9a-f]{36}$/);
    expect(created.ApiDestinationState).toBe("ACTIVE");
    const described = await events.send(new DescribeApiDestinationCommand({ Name: "partner-hook" }));
    expect(described).toMatchObject({
      Name: "partner-hook",
      ConnectionArn: connection,
      InvocationEndpoint: `${endpoint.url}/hooks/*/events`,
      HttpMethod: "POST",
      InvocationRateLimitPerSecond: 10,
      ApiDestinationState: "ACTIVE",
    });
    expect(
      (await events.send(new ListApiDestinationsCommand({ ConnectionArn: connection }))).ApiDestinations,
    ).toHaveLength(1);
    const duplicate = await failure(
      events.send(
        new CreateApiDestinationCommand({
          Name: "partner-hook",
          ConnectionArn: connection,
          InvocationEndpoint: `${endpoint.url}/x`,
          HttpMethod: "POST",
        }),
      ),
    );
    expect(duplicate).toMatchObject({
      name: "ResourceAlreadyExistsException",
      message: "An api-destination 'partner-hook' already exists.",
    });

    await route("partner.basic", created.ApiDestinationArn!, {
      HttpParameters: {
        PathParameterValues: ["orders"],
        HeaderParameters: { "X-Target": "yes" },
        QueryStringParameters: { page: "1" },
      },
    });
    const put = await send("partner.basic", { order: 42 });
    const [request] = await endpoint.waitFor((r) => r.path === "/hooks/orders/events");
    expect(request!.method).toBe("POST");
    expect(request!.headers["authorization"]).toBe(
      `Basic ${Buffer.from("events:s3cret").toString("base64")}`,
    );
    expect(request!.headers["x-team"]).toBe("data");
    expect(request!.headers["x-hidden"]).toBe("hush");
    expect(request!.headers["x-target"]).toBe("yes");
    expect(request!.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(request!.query.get("source")).toBe("eventbridge");
    expect(request!.query.get("page")).toBe("1");
    const body = JSON.parse(request!.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      id: put.Entries?.[0]?.EventId,
      source: "partner.basic",
      "detail-type": "Test",
      detail: { order: 42 },
      origin: "emulator",
    });
  });

  it("an API key connection sends its key header; a 400 answer goes to the DLQ at once, a 500 after the retries", async () => {
    const { ConnectionArn } = await events.send(
      new CreateConnectionCommand({
        Name: "partner-key",
        AuthorizationType: "API_KEY",
        AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: "X-Api-Key", ApiKeyValue: "k-1" } },
      }),
    );
    const refusing = await events.send(
      new CreateApiDestinationCommand({
        Name: "refusing",
        ConnectionArn,
        InvocationEndpoint: `${endpoint.url}/status/400`,
        HttpMethod: "PUT",
      }),
    );
    await route("partner.refusing", refusing.ApiDestinationArn!);
    await send("partner.refusing", { n: 1 });
    const [refused] = await endpoint.waitFor((r) => r.path === "/status/400");
    expect(refused!.method).toBe("PUT");
    expect(refused!.headers["x-api-key"]).toBe("k-1");
    const first = await dlqMessage();
    expect(first.MessageAttributes?.["ERROR_CODE"]?.StringValue).toBe("ERROR_FROM_TARGET");
    expect(first.MessageAttributes?.["RETRY_ATTEMPTS"]?.StringValue).toBe("0");
    expect(JSON.parse(first.Body!)).toMatchObject({ source: "partner.refusing", detail: { n: 1 } });

    const failing = await events.send(
      new CreateApiDestinationCommand({
        Name: "failing",
        ConnectionArn,
        InvocationEndpoint: `${endpoint.url}/status/503`,
        HttpMethod: "POST",
      }),
    );
    await route("partner.failing", failing.ApiDestinationArn!, { RetryPolicy: { MaximumRetryAttempts: 2 } });
    await send("partner.failing", { n: 2 });
    const second = await dlqMessage();
    expect(endpoint.requests.filter((r) => r.path === "/status/503")).toHaveLength(3);
    expect(second.MessageAttributes?.["EXHAUSTED_RETRY_CONDITION"]?.StringValue).toBe("MaximumRetryAttempts");
    expect(second.MessageAttributes?.["RETRY_ATTEMPTS"]?.StringValue).toBe("2");
  });

  it("OAuth client credentials: a token from the authorization endpoint, then Bearer requests", async () => {
    const created = await events.send(
      new CreateConnectionCommand({
        Name: "partner-oauth",
        AuthorizationType: "OAUTH_CLIENT_CREDENTIALS",
        AuthParameters: {
          OAuthParameters: {
            ClientParameters: { ClientID: "client-1", ClientSecret: "client-secret" },
            AuthorizationEndpoint: `${endpoint.url}/token`,
            HttpMethod: "POST",
            OAuthHttpParameters: { BodyParameters: [{ Key: "grant_type", Value: "client_credentials" }] },
          },
        },
      }),
    );
    expect(created.ConnectionState).toBe("AUTHORIZING");
    const authorized = await connectionState("partner-oauth", "AUTHORIZING");
    expect(authorized.ConnectionState).toBe("AUTHORIZED");
    expect(authorized.LastAuthorizedTime).toBeInstanceOf(Date);
    expect(authorized.AuthParameters?.OAuthParameters).toEqual({
      ClientParameters: { ClientID: "client-1" },
      AuthorizationEndpoint: `${endpoint.url}/token`,
      HttpMethod: "POST",
      OAuthHttpParameters: { BodyParameters: [{ Key: "grant_type", Value: "client_credentials" }] },
    });
    const [tokenRequest] = await endpoint.waitFor((r) => r.path === "/token");
    expect(tokenRequest!.headers["authorization"]).toBe(
      `Basic ${Buffer.from("client-1:client-secret").toString("base64")}`,
    );
    expect(new URLSearchParams(tokenRequest!.body).get("grant_type")).toBe("client_credentials");

    const destination = await events.send(
      new CreateApiDestinationCommand({
        Name: "oauth-hook",
        ConnectionArn: created.ConnectionArn,
        InvocationEndpoint: `${endpoint.url}/oauth-hook`,
        HttpMethod: "POST",
      }),
    );
    await route("partner.oauth", destination.ApiDestinationArn!);
    await send("partner.oauth", { n: 3 });
    const [request] = await endpoint.waitFor((r) => r.path === "/oauth-hook");
    expect(request!.headers["authorization"]).toBe("Bearer token-123");

    endpoint.tokenStatus = 401;
    await events.send(
      new CreateConnectionCommand({
        Name: "partner-oauth-refused",
        AuthorizationType: "OAUTH_CLIENT_CREDENTIALS",
        AuthParameters: {
          OAuthParameters: {
            ClientParameters: { ClientID: "wrong", ClientSecret: "wrong" },
            AuthorizationEndpoint: `${endpoint.url}/token`,
            HttpMethod: "POST",
          },
        },
      }),
    );
    const refused = await connectionState("partner-oauth-refused", "AUTHORIZING");
    endpoint.tokenStatus = 200;
    expect(refused.ConnectionState).toBe("DEAUTHORIZED");
    expect(refused.StateReason).toMatch(/HTTP 401/);
  });

  it("DeauthorizeConnection: DEAUTHORIZING, then DEAUTHORIZED; events then go to the DLQ; an update authorizes again", async () => {
    const out = await events.send(new DeauthorizeConnectionCommand({ Name: "partner-basic" }));
    expect(out.ConnectionState).toBe("DEAUTHORIZING");
    expect((await connectionState("partner-basic", "DEAUTHORIZING")).ConnectionState).toBe("DEAUTHORIZED");
    expect(
      (await events.send(new DescribeApiDestinationCommand({ Name: "partner-hook" }))).ApiDestinationState,
    ).toBe("INACTIVE");
    const before = endpoint.requests.length;
    await send("partner.basic", { order: 43 });
    const message = await dlqMessage();
    expect(JSON.parse(message.Body!)).toMatchObject({ detail: { order: 43 } });
    expect(endpoint.requests.length).toBe(before);

    const updated = await events.send(
      new UpdateConnectionCommand({
        Name: "partner-basic",
        AuthParameters: { BasicAuthParameters: { Username: "events", Password: "rotated" } },
      }),
    );
    expect(updated.ConnectionState).toBe("AUTHORIZED");
    await send("partner.basic", { order: 44 });
    const [request] = (await endpoint.waitFor((r) => r.path === "/hooks/orders/events", 2)).slice(-1);
    expect(request!.headers["authorization"]).toBe(
      `Basic ${Buffer.from("events:rotated").toString("base64")}`,
    );
  });

  it("DeleteConnection answers DELETING; the API destination that used it is INACTIVE; DeleteApiDestination", async () => {
    const deleted = await events.send(new DeleteConnectionCommand({ Name: "partner-key" }));
    expect(deleted.ConnectionState).toBe("DELETING");
    expect(
      (await events.send(new DescribeApiDestinationCommand({ Name: "refusing" }))).ApiDestinationState,
    ).toBe("INACTIVE");
    await events.send(new DeleteApiDestinationCommand({ Name: "refusing" }));
    expect((await failure(events.send(new DescribeApiDestinationCommand({ Name: "refusing" })))).name).toBe(
      "ResourceNotFoundException",
    );
    expect((await failure(events.send(new DeleteConnectionCommand({ Name: "partner-key" })))).name).toBe(
      "ResourceNotFoundException",
    );
  });
});

describe.skipIf(!awsCliAvailable)("events: connections through the AWS CLI", () => {
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["events"] });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it("create-connection, create-api-destination, describe, and the not-found errors", async () => {
    const connection = await awsCliJson<{ ConnectionArn: string; ConnectionState: string }>(emulator.url, [
      "events",
      "create-connection",
      "--name",
      "cli-conn",
      "--authorization-type",
      "API_KEY",
      "--auth-parameters",
      JSON.stringify({ ApiKeyAuthParameters: { ApiKeyName: "X-Key", ApiKeyValue: "v" } }),
    ]);
    expect(connection.ConnectionState).toBe("AUTHORIZED");
    const destination = await awsCliJson<{ ApiDestinationState: string }>(emulator.url, [
      "events",
      "create-api-destination",
      "--name",
      "cli-dest",
      "--connection-arn",
      connection.ConnectionArn,
      "--invocation-endpoint",
      "https://example.com/hook",
      "--http-method",
      "POST",
    ]);
    expect(destination.ApiDestinationState).toBe("ACTIVE");
    const described = await awsCliJson<{ AuthParameters: Record<string, unknown> }>(emulator.url, [
      "events",
      "describe-connection",
      "--name",
      "cli-conn",
    ]);
    expect(described.AuthParameters).toEqual({ ApiKeyAuthParameters: { ApiKeyName: "X-Key" } });
    const missing = await awsCli(emulator.url, ["events", "describe-api-destination", "--name", "ghost"]);
    expect(missing.stderr).toMatch(/ResourceNotFoundException.*An api-destination 'ghost' does not exist\./);
  });
});
