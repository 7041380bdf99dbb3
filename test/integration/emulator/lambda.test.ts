import {
  AddPermissionCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  DeleteFunctionEventInvokeConfigCommand,
  GetAccountSettingsCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  GetFunctionEventInvokeConfigCommand,
  GetPolicyCommand,
  LambdaClient,
  ListFunctionEventInvokeConfigsCommand,
  ListFunctionsCommand,
  ListTagsCommand,
  PutFunctionEventInvokeConfigCommand,
  RemovePermissionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  UpdateFunctionEventInvokeConfigCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
  type CreateFunctionCommandInput,
} from "@aws-sdk/client-lambda";
import AdmZip from "adm-zip";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../../src/runtime/emulator/index.js";
import { createRole } from "../../helpers/crash-clients.js";
import { testAuthorization } from "../../helpers/raw-aws.js";

/**
 * Lambda's control plane through the SDK: functions, their states for the waiters, code, resource
 * policy, asynchronous invocation configuration, tags and the errors AWS answers with.
 */

const ROLE = "arn:aws:iam::000000000000:role/lambda-test";
const ARN_PREFIX = "arn:aws:lambda:us-east-1:000000000000:function:";

function zipOf(files: Record<string, string>): Buffer {
  const zip = new AdmZip();
  for (const [name, content] of Object.entries(files)) zip.addFile(name, Buffer.from(content));
  return zip.toBuffer();
}

const HANDLER_ZIP = zipOf({ "index.mjs": "export const handler = async () => ({ ok: true });" });

async function caught(
  promise: Promise<unknown>,
): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error("expected the call to fail");
}

describe("lambda control plane", () => {
  let emulator: Emulator;
  let lambda: LambdaClient;

  const create = async (name: string, extra: Partial<CreateFunctionCommandInput> = {}) => {
    const created = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: "nodejs22.x",
        Handler: "index.handler",
        Role: ROLE,
        Code: { ZipFile: HANDLER_ZIP },
        ...extra,
      }),
    );
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: name });
    return created;
  };

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["sts", "iam", "lambda"] });
    lambda = new LambdaClient({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    // Lambda assumes the execution role: it must exist and trust lambda.amazonaws.com, as on AWS.
    expect(await createRole(emulator.url, "lambda-test")).toBe(ROLE);
  });

  afterAll(async () => {
    lambda.destroy();
    await emulator.stop();
  });

  it("CreateFunction: answers Pending, then the FunctionActiveV2 waiter sees Active", async () => {
    const created = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: "ctl-create",
        Runtime: "nodejs22.x",
        Handler: "index.handler",
        Role: ROLE,
        Code: { ZipFile: HANDLER_ZIP },
        Timeout: 10,
        MemorySize: 256,
        Environment: { Variables: { STAGE: "test" } },
        DeadLetterConfig: { TargetArn: "arn:aws:sqs:us-east-1:000000000000:ctl-dlq" },
        Tags: { team: "data" },
      }),
    );
    expect(created.$metadata.httpStatusCode).toBe(201);
    expect(created).toMatchObject({
      FunctionName: "ctl-create",
      FunctionArn: `${ARN_PREFIX}ctl-create`,
      Runtime: "nodejs22.x",
      Handler: "index.handler",
      Role: ROLE,
      Timeout: 10,
      MemorySize: 256,
      Version: "$LATEST",
      State: "Pending",
      StateReasonCode: "Creating",
      PackageType: "Zip",
      Environment: { Variables: { STAGE: "test" } },
      DeadLetterConfig: { TargetArn: "arn:aws:sqs:us-east-1:000000000000:ctl-dlq" },
      LoggingConfig: { LogFormat: "Text", LogGroup: "/aws/lambda/ctl-create" },
    });
    expect(created.CodeSha256).toBe(createHash("sha256").update(HANDLER_ZIP).digest("base64"));
    expect(created.CodeSize).toBe(HANDLER_ZIP.length);
    expect(created.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);

    await waitUntilFunctionActiveV2(
      { client: lambda, maxWaitTime: 30, minDelay: 1 },
      { FunctionName: "ctl-create" },
    );
    const configuration = await lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: "ctl-create" }),
    );
    expect(configuration.State).toBe("Active");
    expect(configuration.LastUpdateStatus).toBe("Successful");
    expect(configuration.StateReasonCode).toBeUndefined();
  });

  it("GetFunction: configuration, a downloadable Code.Location holding the zip, and tags", async () => {
    await create("ctl-get", { Tags: { owner: "me" } });
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: "ctl-get" }));
    expect(got.Configuration?.FunctionName).toBe("ctl-get");
    expect(got.Tags).toEqual({ owner: "me" });
    expect(got.Code?.RepositoryType).toBe("S3");
    const download = await fetch(got.Code?.Location as string);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(HANDLER_ZIP)).toBe(true);
  });

  it("function names: name, full ARN, partial ARN and name:$LATEST address the same function", async () => {
    await create("ctl-names");
    for (const name of [
      "ctl-names",
      `${ARN_PREFIX}ctl-names`,
      "000000000000:function:ctl-names",
      "ctl-names:$LATEST",
      `${ARN_PREFIX}ctl-names:$LATEST`,
    ]) {
      const configuration = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
      // Lambda qualifies FunctionArn with the qualifier the caller named, $LATEST too.
      const qualifier = name.endsWith(":$LATEST") ? ":$LATEST" : "";
      expect(configuration).toMatchObject({
        FunctionArn: `${ARN_PREFIX}ctl-names${qualifier}`,
        Version: "$LATEST",
      });
    }
    const unknownVersion = await caught(lambda.send(new GetFunctionCommand({ FunctionName: "ctl-names:7" })));
    expect(unknownVersion).toMatchObject({
      name: "ResourceNotFoundException",
      message: `Function not found: ${ARN_PREFIX}ctl-names:7`,
      status: 404,
    });
  });

  it("errors: missing function, duplicate name and invalid input get AWS's codes", async () => {
    expect(await caught(lambda.send(new GetFunctionCommand({ FunctionName: "ctl-nope" })))).toEqual({
      name: "ResourceNotFoundException",
      message: `Function not found: ${ARN_PREFIX}ctl-nope`,
      status: 404,
    });
    await create("ctl-dup");
    expect(
      await caught(
        lambda.send(
          new CreateFunctionCommand({
            FunctionName: "ctl-dup",
            Runtime: "nodejs22.x",
            Handler: "index.handler",
            Role: ROLE,
            Code: { ZipFile: HANDLER_ZIP },
          }),
        ),
      ),
    ).toEqual({ name: "ResourceConflictException", message: "Function already exist: ctl-dup", status: 409 });

    const invalid = (input: Partial<CreateFunctionCommandInput>) =>
      caught(
        lambda.send(
          new CreateFunctionCommand({
            FunctionName: "ctl-invalid",
            Runtime: "nodejs22.x",
            Handler: "index.handler",
            Role: ROLE,
            Code: { ZipFile: HANDLER_ZIP },
            ...input,
          }),
        ),
      );
    expect(await invalid({ Role: "lambda-role" })).toMatchObject({
      name: "ValidationException",
      status: 400,
    });
    expect(await invalid({ Runtime: "python3.8" })).toMatchObject({
      name: "InvalidParameterValueException",
      message: expect.stringMatching(/python3\.8 is no longer supported/) as unknown as string,
    });
    expect(await invalid({ Code: { ZipFile: Buffer.from("not a zip") } })).toMatchObject({
      name: "InvalidParameterValueException",
      message: "Could not unzip uploaded file. Please check your file, then try to upload again.",
    });
    expect(await invalid({ Environment: { Variables: { AWS_REGION: "eu-west-1" } } })).toMatchObject({
      name: "InvalidParameterValueException",
      message: expect.stringContaining("Reserved keys used in this request: AWS_REGION") as unknown as string,
    });
    expect(await invalid({ Timeout: 0 })).toMatchObject({
      name: "ValidationException",
      message: expect.stringContaining("at 'timeout' failed to satisfy constraint") as unknown as string,
    });
    expect(await invalid({ FunctionName: "bad name!" })).toMatchObject({ name: "ValidationException" });
    expect(await caught(lambda.send(new GetFunctionCommand({ FunctionName: "ctl-invalid" })))).toMatchObject({
      name: "ResourceNotFoundException",
    });
  });

  it("ListFunctions: pages with MaxItems and NextMarker, in name order", async () => {
    const names = ["ctl-list-a", "ctl-list-b", "ctl-list-c", "ctl-list-d", "ctl-list-e"];
    await Promise.all(names.map((name) => create(name)));
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await lambda.send(new ListFunctionsCommand({ MaxItems: 2, Marker: marker }));
      expect(page.Functions?.length).toBeLessThanOrEqual(2);
      seen.push(...(page.Functions ?? []).map((f) => f.FunctionName as string));
      marker = page.NextMarker;
      pages++;
    } while (marker);
    expect(seen.filter((name) => name.startsWith("ctl-list-"))).toEqual(names);
    expect(seen).toEqual([...seen].sort());
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it("UpdateFunctionConfiguration: InProgress until the FunctionUpdatedV2 waiter sees Successful; one update at a time", async () => {
    await create("ctl-update", { Environment: { Variables: { A: "1" } } });
    const updated = await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: "ctl-update",
        Environment: { Variables: { B: "2" } },
        Timeout: 30,
        MemorySize: 512,
        Handler: "main.run",
        DeadLetterConfig: { TargetArn: "arn:aws:sqs:us-east-1:000000000000:ctl-update-dlq" },
      }),
    );
    expect(updated.LastUpdateStatus).toBe("InProgress");
    const busy = await caught(
      lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "ctl-update", Timeout: 5 })),
    );
    expect(busy).toMatchObject({
      name: "ResourceConflictException",
      message: `The operation cannot be performed at this time. An update is in progress for resource: ${ARN_PREFIX}ctl-update`,
      status: 409,
    });
    await waitUntilFunctionUpdatedV2(
      { client: lambda, maxWaitTime: 30, minDelay: 1 },
      { FunctionName: "ctl-update" },
    );
    const configuration = await lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: "ctl-update" }),
    );
    expect(configuration).toMatchObject({
      LastUpdateStatus: "Successful",
      Environment: { Variables: { B: "2" } },
      Timeout: 30,
      MemorySize: 512,
      Handler: "main.run",
      DeadLetterConfig: { TargetArn: "arn:aws:sqs:us-east-1:000000000000:ctl-update-dlq" },
    });

    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: "ctl-update",
        DeadLetterConfig: { TargetArn: "" },
      }),
    );
    await waitUntilFunctionUpdatedV2(
      { client: lambda, maxWaitTime: 30, minDelay: 1 },
      { FunctionName: "ctl-update" },
    );
    const cleared = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "ctl-update" }));
    expect(cleared.DeadLetterConfig).toBeUndefined();
  });

  it("UpdateFunctionCode: CodeSha256 is the base64 SHA-256 of the new zip; a stale RevisionId is refused", async () => {
    const created = await create("ctl-code");
    const zip = zipOf({ "index.mjs": "export const handler = async () => 2;" });
    const stale = await caught(
      lambda.send(
        new UpdateFunctionCodeCommand({
          FunctionName: "ctl-code",
          ZipFile: zip,
          RevisionId: "not-the-revision",
        }),
      ),
    );
    expect(stale).toMatchObject({ name: "PreconditionFailedException", status: 412 });
    const updated = await lambda.send(
      new UpdateFunctionCodeCommand({
        FunctionName: "ctl-code",
        ZipFile: zip,
        RevisionId: created.RevisionId,
      }),
    );
    expect(updated.CodeSha256).toBe(createHash("sha256").update(zip).digest("base64"));
    expect(updated.CodeSha256).not.toBe(created.CodeSha256);
    expect(updated.LastUpdateStatus).toBe("InProgress");
    await waitUntilFunctionUpdatedV2(
      { client: lambda, maxWaitTime: 30, minDelay: 1 },
      { FunctionName: "ctl-code" },
    );
    const missing = await caught(lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "ctl-code" })));
    expect(missing).toMatchObject({ name: "InvalidParameterValueException" });
  });

  it("AddPermission / GetPolicy / RemovePermission: the resource policy document and its conflicts", async () => {
    await create("ctl-policy");
    const noPolicy = await caught(lambda.send(new GetPolicyCommand({ FunctionName: "ctl-policy" })));
    expect(noPolicy).toMatchObject({ name: "ResourceNotFoundException", status: 404 });

    const ruleArn = "arn:aws:events:us-east-1:000000000000:rule/weekly";
    const added = await lambda.send(
      new AddPermissionCommand({
        FunctionName: "ctl-policy",
        StatementId: "events-weekly",
        Action: "lambda:InvokeFunction",
        Principal: "events.amazonaws.com",
        SourceArn: ruleArn,
      }),
    );
    expect(added.$metadata.httpStatusCode).toBe(201);
    const statement = {
      Sid: "events-weekly",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: "lambda:InvokeFunction",
      Resource: `${ARN_PREFIX}ctl-policy`,
      Condition: { ArnLike: { "AWS:SourceArn": ruleArn } },
    };
    expect(JSON.parse(added.Statement as string)).toEqual(statement);
    const policy = await lambda.send(new GetPolicyCommand({ FunctionName: "ctl-policy" }));
    expect(JSON.parse(policy.Policy as string)).toEqual({
      Version: "2012-10-17",
      Id: "default",
      Statement: [statement],
    });
    expect(policy.RevisionId).toBeTruthy();

    const duplicate = await caught(
      lambda.send(
        new AddPermissionCommand({
          FunctionName: "ctl-policy",
          StatementId: "events-weekly",
          Action: "lambda:InvokeFunction",
          Principal: "events.amazonaws.com",
        }),
      ),
    );
    expect(duplicate).toMatchObject({ name: "ResourceConflictException", status: 409 });

    await lambda.send(
      new RemovePermissionCommand({ FunctionName: "ctl-policy", StatementId: "events-weekly" }),
    );
    const again = await caught(
      lambda.send(new RemovePermissionCommand({ FunctionName: "ctl-policy", StatementId: "events-weekly" })),
    );
    expect(again).toEqual({
      name: "ResourceNotFoundException",
      message: "Statement events-weekly is not found in resource policy.",
      status: 404,
    });
  });

  it("event invoke config: Put replaces, Update merges, Get/List/Delete, and the limits", async () => {
    await create("ctl-eic");
    const missing = await caught(
      lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "ctl-eic" })),
    );
    expect(missing).toEqual({
      name: "ResourceNotFoundException",
      message: `The function ${ARN_PREFIX}ctl-eic:$LATEST doesn't have an EventInvokeConfig`,
      status: 404,
    });
    const onFailure = "arn:aws:sqs:us-east-1:000000000000:ctl-failures";
    const put = await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "ctl-eic",
        MaximumRetryAttempts: 1,
        MaximumEventAgeInSeconds: 600,
        DestinationConfig: { OnFailure: { Destination: onFailure } },
      }),
    );
    expect(put).toMatchObject({
      FunctionArn: `${ARN_PREFIX}ctl-eic:$LATEST`,
      MaximumRetryAttempts: 1,
      MaximumEventAgeInSeconds: 600,
      DestinationConfig: { OnFailure: { Destination: onFailure }, OnSuccess: {} },
    });
    expect(put.LastModified).toBeInstanceOf(Date);

    const updated = await lambda.send(
      new UpdateFunctionEventInvokeConfigCommand({ FunctionName: "ctl-eic", MaximumRetryAttempts: 0 }),
    );
    expect(updated).toMatchObject({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 600 });
    expect(updated.DestinationConfig?.OnFailure?.Destination).toBe(onFailure);

    const replaced = await lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: "ctl-eic", MaximumRetryAttempts: 2 }),
    );
    expect(replaced.MaximumEventAgeInSeconds).toBeUndefined();
    expect(replaced.DestinationConfig?.OnFailure?.Destination).toBeUndefined();

    const listed = await lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: "ctl-eic" }));
    expect(listed.FunctionEventInvokeConfigs?.map((c) => c.MaximumRetryAttempts)).toEqual([2]);

    for (const input of [
      { MaximumRetryAttempts: 3 },
      { MaximumEventAgeInSeconds: 59 },
      { MaximumEventAgeInSeconds: 21_601 },
    ]) {
      const refused = await caught(
        lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "ctl-eic", ...input })),
      );
      expect(refused).toMatchObject({ name: "ValidationException", status: 400 });
    }
    const badDestination = await caught(
      lambda.send(
        new PutFunctionEventInvokeConfigCommand({
          FunctionName: "ctl-eic",
          DestinationConfig: { OnFailure: { Destination: "arn:aws:s4:us-east-1:000000000000:x" } },
        }),
      ),
    );
    expect(badDestination).toMatchObject({ name: "InvalidParameterValueException" });

    await lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: "ctl-eic" }));
    const gone = await caught(
      lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "ctl-eic" })),
    );
    expect(gone.name).toBe("ResourceNotFoundException");
  });

  it("tags: TagResource, ListTags and UntagResource by function ARN", async () => {
    await create("ctl-tags", { Tags: { a: "1" } });
    const arn = `${ARN_PREFIX}ctl-tags`;
    await lambda.send(new TagResourceCommand({ Resource: arn, Tags: { b: "2", c: "3" } }));
    expect((await lambda.send(new ListTagsCommand({ Resource: arn }))).Tags).toEqual({
      a: "1",
      b: "2",
      c: "3",
    });
    await lambda.send(new UntagResourceCommand({ Resource: arn, TagKeys: ["a", "c"] }));
    expect((await lambda.send(new ListTagsCommand({ Resource: arn }))).Tags).toEqual({ b: "2" });
    const missing = await caught(lambda.send(new ListTagsCommand({ Resource: `${ARN_PREFIX}ctl-untagged` })));
    expect(missing.name).toBe("ResourceNotFoundException");
  });

  it("GetAccountSettings: limits and this account's usage", async () => {
    const settings = await lambda.send(new GetAccountSettingsCommand({}));
    expect(settings.AccountLimit?.ConcurrentExecutions).toBe(1000);
    expect(settings.AccountLimit?.CodeSizeZipped).toBe(50 * 1024 * 1024);
    expect(settings.AccountUsage?.FunctionCount).toBeGreaterThan(0);
  });

  it("DeleteFunction: the function is gone; deleting again is ResourceNotFoundException", async () => {
    await create("ctl-delete");
    await lambda.send(new DeleteFunctionCommand({ FunctionName: `${ARN_PREFIX}ctl-delete` }));
    const gone = await caught(lambda.send(new GetFunctionCommand({ FunctionName: "ctl-delete" })));
    expect(gone.name).toBe("ResourceNotFoundException");
    const again = await caught(lambda.send(new DeleteFunctionCommand({ FunctionName: "ctl-delete" })));
    expect(again).toMatchObject({ name: "ResourceNotFoundException", status: 404 });
  });

  it("wire: restJson1 errors carry x-amzn-ErrorType and a Type/Message body; unknown paths are 404", async () => {
    const headers = { authorization: testAuthorization("lambda") };
    const response = await fetch(`${emulator.url}/2015-03-31/functions/ctl-wire-missing`, { headers });
    expect(response.status).toBe(404);
    expect(response.headers.get("x-amzn-errortype")).toBe("ResourceNotFoundException");
    expect(await response.json()).toMatchObject({
      Type: "User",
      Message: `Function not found: ${ARN_PREFIX}ctl-wire-missing`,
    });
    const unknown = await fetch(`${emulator.url}/2015-03-31/functions/x/no-such-thing`, { headers });
    expect(unknown.status).toBe(404);
    const malformed = await fetch(`${emulator.url}/2015-03-31/functions`, {
      method: "POST",
      body: "{nope",
      headers,
    });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get("x-amzn-errortype")).toBe("InvalidRequestContentException");
  });
});
