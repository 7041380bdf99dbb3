/* eslint-disable @typescript-eslint/no-explicit-any -- raw wire answers are read untyped. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient, ListTablesCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { InvokeCommand, LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CloudWatchClient, ListMetricsCommand } from "@aws-sdk/client-cloudwatch";
import { cbor } from "@smithy/core/cbor";
import { Client } from "@opensearch-project/opensearch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../../src/runtime/emulator/index.js";
import { AWS_CLI_SERVICE_ERROR_EXIT, awsCli, awsCliAvailable, awsCliVersion } from "../../helpers/aws-cli.js";

/**
 * The gateway's limits, written from AWS's behaviour: a request with no credentials at all is
 * refused as AWS refuses it (per protocol), any access key and signature are accepted (as
 * LocalStack does), and a request nested 100,000 levels deep is a 400 in the service's protocol,
 * never a 500 from a stack overflow. Raw HTTP for the exact wire shapes, SDK v3 and the AWS CLI
 * v2 for what clients see.
 */

const DEPTH = 100_000;
const deepObject = (levels: number) => '{"a":'.repeat(levels) + "1" + "}".repeat(levels);
const deepArray = (levels: number) => "[".repeat(levels) + "]".repeat(levels);
const signed = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260801/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${"0".repeat(64)}`;
const credentials = { accessKeyId: "test", secretAccessKey: "test" };

/** Drops the Authorization header after the SDK signed: what a client without credentials sends. */
function unsigned<C extends { middlewareStack: any }>(client: C): C {
  client.middlewareStack.addRelativeTo(
    (next: any) => async (args: any) => {
      delete args.request.headers["authorization"];
      return next(args);
    },
    { relation: "after", toMiddleware: "httpSigningMiddleware", name: "dropAuthorization" },
  );
  return client;
}

async function sdkError(
  promise: Promise<unknown>,
): Promise<{ name: string; status: number | undefined; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  throw new Error("expected the call to fail");
}

describe("emulator gateway: limits AWS's front ends enforce", () => {
  let emulator: Emulator;
  let work: string;
  beforeAll(async () => {
    emulator = await createEmulator();
    work = mkdtempSync(join(tmpdir(), "gateway-limits-"));
  });
  afterAll(async () => {
    await emulator.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const post = (path: string, headers: Record<string, string>, body: string | Uint8Array) =>
    fetch(`${emulator.url}${path}`, { method: "POST", headers, body });

  describe("a request with no credentials at all", () => {
    it("awsJson (DynamoDB 1.0, Logs 1.1): 400 MissingAuthenticationTokenException", async () => {
      for (const [target, type] of [
        ["DynamoDB_20120810.ListTables", "application/x-amz-json-1.0"],
        ["Logs_20140328.DescribeLogGroups", "application/x-amz-json-1.1"],
        ["AWSEvents.ListRules", "application/x-amz-json-1.1"],
      ] as const) {
        const response = await post("/", { "x-amz-target": target, "content-type": type }, "{}");
        expect(response.status, target).toBe(400);
        expect(response.headers.get("content-type")).toBe(type);
        expect(await response.json()).toStrictEqual({
          __type: "com.amazon.coral.service#MissingAuthenticationTokenException",
          message: "Request is missing Authentication Token",
        });
      }
      // SQS speaks awsJson but is query-compatible: the legacy code rides in x-amzn-query-error.
      const sqs = await post(
        "/",
        { "x-amz-target": "AmazonSQS.ListQueues", "content-type": "application/x-amz-json-1.0" },
        "{}",
      );
      expect(sqs.status).toBe(400);
      expect(sqs.headers.get("x-amzn-query-error")).toBe("MissingAuthenticationToken;Sender");
    });

    it("query protocol (SQS, IAM, STS, CloudWatch): 403 MissingAuthenticationToken in an XML ErrorResponse", async () => {
      for (const [action, version, namespace] of [
        ["ListQueues", "2012-11-05", "http://queue.amazonaws.com/doc/2012-11-05/"],
        ["ListRoles", "2010-05-08", "https://iam.amazonaws.com/doc/2010-05-08/"],
        ["GetCallerIdentity", "2011-06-15", "https://sts.amazonaws.com/doc/2011-06-15/"],
        ["ListMetrics", "2010-08-01", "http://monitoring.amazonaws.com/doc/2010-08-01/"],
      ] as const) {
        const response = await post(
          "/",
          { "content-type": "application/x-www-form-urlencoded" },
          `Action=${action}&Version=${version}`,
        );
        expect(response.status, action).toBe(403);
        const xml = await response.text();
        expect(xml).toContain(`<ErrorResponse xmlns="${namespace}">`);
        expect(xml).toContain(
          "<Type>Sender</Type><Code>MissingAuthenticationToken</Code><Message>Request is missing Authentication Token</Message>",
        );
      }
      // A GET with the action in the URL is the same request.
      const get = await fetch(`${emulator.url}/?Action=ListQueues&Version=2012-11-05`);
      expect(get.status).toBe(403);
    });

    it("Lambda (REST JSON): 403 {message: Missing Authentication Token}, x-amzn-ErrorType MissingAuthenticationTokenException", async () => {
      const response = await fetch(`${emulator.url}/2015-03-31/functions/`);
      expect(response.status).toBe(403);
      expect(response.headers.get("x-amzn-errortype")).toBe("MissingAuthenticationTokenException");
      expect(await response.json()).toStrictEqual({ message: "Missing Authentication Token" });
    });

    it("CloudWatch over Smithy RPCv2 CBOR: 400 MissingAuthenticationTokenException in CBOR", async () => {
      const response = await post(
        "/service/GraniteServiceVersion20100801/operation/ListMetrics",
        { "content-type": "application/cbor", "smithy-protocol": "rpc-v2-cbor" },
        cbor.serialize({}),
      );
      expect(response.status).toBe(400);
      expect(response.headers.get("smithy-protocol")).toBe("rpc-v2-cbor");
      expect(cbor.deserialize(new Uint8Array(await response.arrayBuffer()))).toStrictEqual({
        __type: "com.amazon.coral.service#MissingAuthenticationTokenException",
        message: "Request is missing Authentication Token",
      });
    });

    it("SDK v3 clients see the error AWS's answer maps to", async () => {
      const endpoint = emulator.url;
      const region = "us-east-1";
      expect(
        await sdkError(
          unsigned(new DynamoDBClient({ endpoint, region, credentials })).send(new ListTablesCommand({})),
        ),
      ).toMatchObject({
        name: "MissingAuthenticationTokenException",
        status: 400,
        message: "Request is missing Authentication Token",
      });
      expect(
        await sdkError(
          unsigned(new STSClient({ endpoint, region, credentials })).send(new GetCallerIdentityCommand({})),
        ),
      ).toMatchObject({
        name: "MissingAuthenticationToken",
        status: 403,
      });
      expect(
        await sdkError(
          unsigned(new SQSClient({ endpoint, region, credentials })).send(new ListQueuesCommand({})),
        ),
      ).toMatchObject({
        status: 400,
        message: "Request is missing Authentication Token",
      });
      expect(
        await sdkError(
          unsigned(new LambdaClient({ endpoint, region, credentials })).send(new ListFunctionsCommand({})),
        ),
      ).toMatchObject({
        name: "MissingAuthenticationTokenException",
        status: 403,
      });
      expect(
        await sdkError(
          unsigned(new CloudWatchClient({ endpoint, region, credentials })).send(new ListMetricsCommand({})),
        ),
      ).toMatchObject({
        status: 400,
        message: "Request is missing Authentication Token",
      });
    });

    it.skipIf(!awsCliAvailable)(
      "the AWS CLI with --no-sign-request is refused; signed with any key it is served",
      async () => {
        const refused = await awsCli(emulator.url, ["dynamodb", "list-tables", "--no-sign-request"]);
        expect(refused.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
        expect(refused.stderr).toMatch(
          /MissingAuthenticationTokenException.*Request is missing Authentication Token/s,
        );
        const query = await awsCli(emulator.url, ["iam", "list-roles", "--no-sign-request"]);
        expect(query.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
        expect(query.stderr).toMatch(/MissingAuthenticationToken/);
        const served = await awsCli(emulator.url, ["dynamodb", "list-tables"]);
        expect(served.exitCode, served.stderr).toBe(0);
      },
    );
  });

  describe("what stays open", () => {
    it("any access key and signature are accepted, in the header or a presigned URL (as LocalStack does)", async () => {
      const header = await post(
        "/",
        {
          "x-amz-target": "DynamoDB_20120810.ListTables",
          "content-type": "application/x-amz-json-1.0",
          authorization: signed("dynamodb"),
        },
        "{}",
      );
      expect(header.status).toBe(200);
      const presigned = await fetch(
        `${emulator.url}/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${encodeURIComponent("AKIDEXAMPLE/20260801/us-east-1/sts/aws4_request")}&X-Amz-Signature=bogus`,
      );
      expect(presigned.status).toBe(200);
      expect(await presigned.text()).toContain("<GetCallerIdentityResult>");
    });

    it("the emulator's own endpoints, LocalStack's, the OpenSearch data plane and STS's web-identity and SAML calls need no signature", async () => {
      expect((await fetch(`${emulator.url}/_emulator/health`)).status).toBe(200);
      expect((await fetch(`${emulator.url}/_localstack/health`)).status).toBe(200);
      expect((await fetch(`${emulator.url}/_emulator/opensearch/faults`)).status).toBe(200);
      const search = new Client({ node: `${emulator.url}/opensearch/us-east-1/unsigned`, maxRetries: 0 });
      await search.index({ index: "open", id: "1", body: { ok: true }, refresh: true });
      expect((await search.count({ index: "open" })).body.count).toBe(1);
      await search.close();
      for (const action of ["AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"]) {
        const response = await post(
          "/",
          { "content-type": "application/x-www-form-urlencoded" },
          `Action=${action}&Version=2011-06-15`,
        );
        expect(await response.text(), action).not.toContain("MissingAuthenticationToken");
      }
    });
  });

  describe(`a request nested ${DEPTH.toLocaleString("en")} levels deep`, () => {
    it("awsJson bodies: 400 SerializationException for every JSON service", async () => {
      for (const [service, target, type, body] of [
        [
          "dynamodb",
          "DynamoDB_20120810.PutItem",
          "application/x-amz-json-1.0",
          `{"TableName":"t","Item":{"a":${deepObject(DEPTH)}}}`,
        ],
        [
          "dynamodb",
          "DynamoDBStreams_20120810.GetRecords",
          "application/x-amz-json-1.0",
          `{"ShardIterator":${deepArray(DEPTH)}}`,
        ],
        [
          "sqs",
          "AmazonSQS.SendMessage",
          "application/x-amz-json-1.0",
          `{"QueueUrl":"q","MessageBody":"x","MessageAttributes":${deepObject(DEPTH)}}`,
        ],
        [
          "events",
          "AWSEvents.PutRule",
          "application/x-amz-json-1.1",
          `{"Name":"r","EventPattern":"{}","Tags":${deepArray(DEPTH)}}`,
        ],
        [
          "logs",
          "Logs_20140328.PutLogEvents",
          "application/x-amz-json-1.1",
          `{"logGroupName":"g","logEvents":${deepArray(DEPTH)}}`,
        ],
        [
          "monitoring",
          "GraniteServiceVersion20100801.PutMetricData",
          "application/x-amz-json-1.0",
          `{"Namespace":"n","MetricData":${deepArray(DEPTH)}}`,
        ],
      ] as const) {
        const response = await post(
          "/",
          { "x-amz-target": target, "content-type": type, authorization: signed(service) },
          body,
        );
        expect(response.status, target).toBe(400);
        const answer = (await response.json()) as { __type: string; message: string };
        expect(answer.__type, target).toBe("com.amazon.coral.service#SerializationException");
        expect(answer.message).toContain("nests more than 1000 levels deep");
      }
    });

    it("SDK v3: a DynamoDB item nested past the limit is a SerializationException, not a 500", async () => {
      let value: Record<string, unknown> = { S: "leaf" };
      for (let i = 0; i < 600; i++) value = { M: { a: value } };
      const ddb = new DynamoDBClient({ endpoint: emulator.url, region: "us-east-1", credentials });
      const error = await sdkError(
        ddb.send(new PutItemCommand({ TableName: "t", Item: { pk: value as any } })),
      );
      expect(error).toMatchObject({ name: "SerializationException", status: 400 });
    });

    it("query parameters: 400 InvalidQueryParameter (SQS, IAM, STS, CloudWatch)", async () => {
      const deepName = `Attribute${".member.1".repeat(DEPTH / 2)}`;
      for (const [action, version] of [
        ["SendMessage", "2012-11-05"],
        ["ListRoles", "2010-05-08"],
        ["GetCallerIdentity", "2011-06-15"],
        ["PutMetricData", "2010-08-01"],
      ] as const) {
        const response = await post(
          "/",
          { "content-type": "application/x-www-form-urlencoded", authorization: signed("any") },
          `Action=${action}&Version=${version}&${deepName}=x`,
        );
        expect(response.status, action).toBe(400);
        expect(await response.text()).toContain("<Code>InvalidQueryParameter</Code>");
      }
    });

    it("CloudWatch over RPCv2 CBOR: 400 SerializationException in CBOR", async () => {
      // A CBOR array nested DEPTH levels: 0x81 (array of one) repeated, then an empty array.
      const body = new Uint8Array(DEPTH + 1).fill(0x81);
      body[DEPTH] = 0x80;
      const response = await post(
        "/service/GraniteServiceVersion20100801/operation/PutMetricData",
        {
          "content-type": "application/cbor",
          "smithy-protocol": "rpc-v2-cbor",
          authorization: signed("monitoring"),
        },
        body,
      );
      expect(response.status).toBe(400);
      expect(cbor.deserialize(new Uint8Array(await response.arrayBuffer()))).toMatchObject({
        __type: "com.amazon.coral.service#SerializationException",
      });
    });

    it("Lambda (REST JSON, SDK v3): InvalidRequestContentException for a deep body or payload", async () => {
      const raw = await post(
        "/2015-03-31/functions",
        { "content-type": "application/json", authorization: signed("lambda") },
        deepObject(DEPTH),
      );
      expect(raw.status).toBe(400);
      expect(raw.headers.get("x-amzn-errortype")).toBe("InvalidRequestContentException");
      const lambda = new LambdaClient({ endpoint: emulator.url, region: "us-east-1", credentials });
      const error = await sdkError(
        lambda.send(
          new InvokeCommand({ FunctionName: "any", Payload: new TextEncoder().encode(deepObject(DEPTH)) }),
        ),
      );
      expect(error).toMatchObject({ name: "InvalidRequestContentException", status: 400 });
    });

    it.skipIf(!awsCliAvailable)(
      "the AWS CLI: a deep invoke payload is refused with InvalidRequestContentException",
      async () => {
        const payload = join(work, "deep.json");
        writeFileSync(payload, deepObject(DEPTH));
        // fileb:// sends the bytes as they are; v2 also wants to be told not to expect base64.
        const binaryFormat =
          (awsCliVersion()?.major ?? 2) >= 2 ? ["--cli-binary-format", "raw-in-base64-out"] : [];
        const result = await awsCli(emulator.url, [
          "lambda",
          "invoke",
          "--function-name",
          "any",
          ...binaryFormat,
          "--payload",
          `fileb://${payload}`,
          join(work, "out.json"),
        ]);
        expect(result.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
        expect(result.stderr).toMatch(/InvalidRequestContentException/);
      },
    );

    it("OpenSearch data plane: 400 x_content_parse_exception for a document, a query and a bulk line", async () => {
      const base = "/opensearch/us-east-1/deep-docs";
      for (const [path, type, body] of [
        [`${base}/docs/_doc/1`, "application/json", deepObject(DEPTH)],
        [`${base}/docs/_search`, "application/json", `{"query":${deepObject(DEPTH)}}`],
        [
          `${base}/_bulk`,
          "application/x-ndjson",
          `{"index":{"_index":"docs","_id":"1"}}\n${deepObject(DEPTH)}\n`,
        ],
      ] as const) {
        const response = await post(path, { "content-type": type }, body);
        expect(response.status, path).toBe(400);
        const answer = (await response.json()) as any;
        expect(answer.error.type).toBe("x_content_parse_exception");
        expect(answer.error.reason).toMatch(/nesting depth .* exceeds the maximum allowed \(1000/);
      }
    });

    it("nesting at the limit is served: the check counts levels, not brackets inside strings", async () => {
      const atLimit = `{"logGroupNamePrefix":"${"[".repeat(5000)}","x":${deepArray(998)}}`;
      const response = await post(
        "/",
        {
          "x-amz-target": "Logs_20140328.DescribeLogGroups",
          "content-type": "application/x-amz-json-1.1",
          authorization: signed("logs"),
        },
        atLimit,
      );
      expect(await response.text()).not.toContain("SerializationException");
    });
  });
});
