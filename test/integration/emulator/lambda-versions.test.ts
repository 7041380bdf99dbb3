import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ListAliasesCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  PutFunctionEventInvokeConfigCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
  type CreateFunctionCommandInput,
} from "@aws-sdk/client-lambda";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import AdmZip from "adm-zip";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, ManualClock, type Emulator } from "../../../src/runtime/emulator/index.js";
import { AWS_CLI_SERVICE_ERROR_EXIT, awsCli, awsCliAvailable } from "../../helpers/aws-cli.js";

/**
 * Lambda versions and aliases, the execution role check and TracingConfig, written from AWS's API
 * reference (PublishVersion, ListVersionsByFunction, CreateAlias/GetAlias/UpdateAlias/DeleteAlias/
 * ListAliases, AliasRoutingConfiguration, CreateFunction's Role and Publish, TracingConfig) and
 * its developer guide (versions are immutable snapshots; an alias routes to one version, or two
 * with weights; invoking a version or alias runs that version). Error cases first.
 */

const ACCOUNT = "000000000000";
const ARN_PREFIX = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:`;
const CANNOT_ASSUME = "The role defined for the function cannot be assumed by Lambda.";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };

const LAMBDA_TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

function zipOf(source: string): Buffer {
  const zip = new AdmZip();
  zip.addFile("index.mjs", Buffer.from(source));
  return zip.toBuffer();
}

/** A handler that says which code (`label`) ran, with what it was configured and invoked as. */
function codeLabelled(label: string): Buffer {
  return zipOf(
    `export const handler = async (_event, context) => ({
      code: ${JSON.stringify(label)},
      stage: process.env.STAGE ?? null,
      version: process.env.AWS_LAMBDA_FUNCTION_VERSION,
      memory: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      invokedArn: context.invokedFunctionArn,
      contextVersion: context.functionVersion,
    });`,
  );
}

interface Answer {
  code: string;
  stage: string | null;
  version: string;
  memory: string;
  invokedArn: string;
  contextVersion: string;
}

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

describe("lambda versions, aliases, role check and TracingConfig", () => {
  let emulator: Emulator;
  let lambda: LambdaClient;
  let iam: IAMClient;
  let sqs: SQSClient;
  let role: string;

  const waitActive = (name: string, qualifier?: string) =>
    waitUntilFunctionActiveV2(
      { client: lambda, maxWaitTime: 30, minDelay: 0.1, maxDelay: 0.5 },
      { FunctionName: name, ...(qualifier ? { Qualifier: qualifier } : {}) },
    );
  const waitUpdated = (name: string) =>
    waitUntilFunctionUpdatedV2(
      { client: lambda, maxWaitTime: 30, minDelay: 0.1, maxDelay: 0.5 },
      { FunctionName: name },
    );

  const create = async (name: string, extra: Partial<CreateFunctionCommandInput> = {}) => {
    const created = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: "nodejs22.x",
        Handler: "index.handler",
        Role: role,
        Code: { ZipFile: codeLabelled("one") },
        ...extra,
      }),
    );
    await waitActive(name);
    return created;
  };

  const invoke = async (name: string, qualifier?: string) => {
    const out = await lambda.send(
      new InvokeCommand({
        FunctionName: name,
        ...(qualifier ? { Qualifier: qualifier } : {}),
        Payload: "{}",
      }),
    );
    expect(out.FunctionError).toBeUndefined();
    return {
      executed: out.ExecutedVersion,
      answer: JSON.parse(Buffer.from(out.Payload ?? new Uint8Array()).toString("utf8")) as Answer,
    };
  };

  const roleNamed = async (name: string, trust = LAMBDA_TRUST) =>
    (await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }))).Role!.Arn!;

  beforeAll(async () => {
    // Updates stay InProgress for a second, as on AWS, so the in-progress refusal is met on a busy machine.
    emulator = await createEmulator({
      services: ["sts", "iam", "logs", "sqs", "lambda"],
      settings: { lambdaStateTransitionMs: 1000 },
    });
    const config = { endpoint: emulator.url, region: "us-east-1", credentials };
    lambda = new LambdaClient(config);
    iam = new IAMClient(config);
    sqs = new SQSClient(config);
    role = await roleNamed("versions-test");
  });

  afterAll(async () => {
    lambda.destroy();
    iam.destroy();
    sqs.destroy();
    await emulator.stop();
  });

  describe("the execution role", () => {
    it("CreateFunction refuses a role that does not exist, is in another account or does not trust Lambda", async () => {
      const base = {
        Runtime: "nodejs22.x" as const,
        Handler: "index.handler",
        Code: { ZipFile: codeLabelled("x") },
      };
      const untrusting = await roleNamed(
        "ec2-only",
        JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
          ],
        }),
      );
      for (const [name, badRole] of [
        ["role-missing", `arn:aws:iam::${ACCOUNT}:role/never-created`],
        ["role-foreign", "arn:aws:iam::111122223333:role/versions-test"],
        ["role-untrusting", untrusting],
      ] as const) {
        const refused = await caught(
          lambda.send(new CreateFunctionCommand({ FunctionName: name, Role: badRole, ...base })),
        );
        expect(refused, name).toEqual({
          name: "InvalidParameterValueException",
          message: CANNOT_ASSUME,
          status: 400,
        });
        // Nothing was created.
        const missing = await caught(lambda.send(new GetFunctionCommand({ FunctionName: name })));
        expect(missing.name).toBe("ResourceNotFoundException");
      }
      // A value that is no role ARN at all fails the model's pattern first.
      const malformed = await caught(
        lambda.send(
          new CreateFunctionCommand({ FunctionName: "role-malformed", Role: "lambda-role", ...base }),
        ),
      );
      expect(malformed).toMatchObject({ name: "ValidationException", status: 400 });
      expect(malformed.message).toContain("at 'role' failed to satisfy constraint");
    });

    it("UpdateFunctionConfiguration refuses a role Lambda cannot assume and keeps the old one", async () => {
      await create("role-update");
      const refused = await caught(
        lambda.send(
          new UpdateFunctionConfigurationCommand({
            FunctionName: "role-update",
            Role: `arn:aws:iam::${ACCOUNT}:role/not-there`,
          }),
        ),
      );
      expect(refused).toEqual({
        name: "InvalidParameterValueException",
        message: CANNOT_ASSUME,
        status: 400,
      });
      const live = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "role-update" }));
      expect(live.Role).toBe(role);
      // A role with a path is found by its name and accepted.
      const pathed = (
        await iam.send(
          new CreateRoleCommand({
            RoleName: "pathed",
            Path: "/service/",
            AssumeRolePolicyDocument: LAMBDA_TRUST,
          }),
        )
      ).Role!.Arn!;
      expect(pathed).toBe(`arn:aws:iam::${ACCOUNT}:role/service/pathed`);
      const updated = await lambda.send(
        new UpdateFunctionConfigurationCommand({ FunctionName: "role-update", Role: pathed }),
      );
      expect(updated.Role).toBe(pathed);
      await waitUpdated("role-update");
    });
  });

  describe("PublishVersion and ListVersionsByFunction", () => {
    it("errors: unknown function, a CodeSha256 or RevisionId that is not $LATEST's, an update in progress", async () => {
      const missing = await caught(lambda.send(new PublishVersionCommand({ FunctionName: "no-such-fn" })));
      expect(missing).toEqual({
        name: "ResourceNotFoundException",
        message: `Function not found: ${ARN_PREFIX}no-such-fn`,
        status: 404,
      });
      const created = await create("pub-errors");
      const sha = await caught(
        lambda.send(
          new PublishVersionCommand({ FunctionName: "pub-errors", CodeSha256: "bm90LXRoZS1jb2Rl" }),
        ),
      );
      expect(sha).toEqual({
        name: "InvalidParameterValueException",
        message: `CodeSHA256 (bm90LXRoZS1jb2Rl) is different from current CodeSHA256 in $LATEST (${created.CodeSha256}). Please try again with the CodeSHA256 in $LATEST.`,
        status: 400,
      });
      const revision = await caught(
        lambda.send(new PublishVersionCommand({ FunctionName: "pub-errors", RevisionId: "stale-revision" })),
      );
      expect(revision).toMatchObject({ name: "PreconditionFailedException", status: 412 });
      await lambda.send(
        new UpdateFunctionConfigurationCommand({ FunctionName: "pub-errors", MemorySize: 256 }),
      );
      const busy = await caught(lambda.send(new PublishVersionCommand({ FunctionName: "pub-errors" })));
      expect(busy).toEqual({
        name: "ResourceConflictException",
        message: `The operation cannot be performed at this time. An update is in progress for resource: ${ARN_PREFIX}pub-errors`,
        status: 409,
      });
      await waitUpdated("pub-errors");
      // Versions do not exist until published; $LATEST cannot be deleted on its own.
      const noVersion = await caught(
        lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "pub-errors", Qualifier: "1" })),
      );
      expect(noVersion).toEqual({
        name: "ResourceNotFoundException",
        message: `Function not found: ${ARN_PREFIX}pub-errors:1`,
        status: 404,
      });
      const latest = await caught(
        lambda.send(new DeleteFunctionCommand({ FunctionName: "pub-errors", Qualifier: "$LATEST" })),
      );
      expect(latest).toMatchObject({ name: "InvalidParameterValueException", status: 400 });
    });

    it("publishes a snapshot numbered 1, 2, …; nothing new when $LATEST did not change", async () => {
      const created = await create("pub-fn", {
        Description: "first",
        Environment: { Variables: { STAGE: "one" } },
      });
      const v1 = await lambda.send(
        new PublishVersionCommand({
          FunctionName: "pub-fn",
          CodeSha256: created.CodeSha256,
          RevisionId: (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "pub-fn" })))
            .RevisionId,
        }),
      );
      expect(v1.$metadata.httpStatusCode).toBe(201);
      expect(v1).toMatchObject({
        FunctionName: "pub-fn",
        FunctionArn: `${ARN_PREFIX}pub-fn:1`,
        Version: "1",
        Description: "first",
        CodeSha256: created.CodeSha256,
        Environment: { Variables: { STAGE: "one" } },
      });
      // Publishing unchanged code and configuration answers the newest version again.
      const again = await lambda.send(
        new PublishVersionCommand({ FunctionName: "pub-fn", Description: "ignored" }),
      );
      expect(again).toMatchObject({ Version: "1", Description: "first" });

      await lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: "pub-fn",
          Environment: { Variables: { STAGE: "two" } },
          MemorySize: 256,
        }),
      );
      await waitUpdated("pub-fn");
      const v2 = await lambda.send(
        new PublishVersionCommand({ FunctionName: "pub-fn", Description: "second" }),
      );
      expect(v2).toMatchObject({
        Version: "2",
        FunctionArn: `${ARN_PREFIX}pub-fn:2`,
        Description: "second",
        MemorySize: 256,
      });
      // The version is a snapshot: $LATEST's later changes do not reach it.
      await lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: "pub-fn",
          Environment: { Variables: { STAGE: "three" } },
        }),
      );
      await waitUpdated("pub-fn");
      const one = await lambda.send(
        new GetFunctionConfigurationCommand({ FunctionName: "pub-fn", Qualifier: "1" }),
      );
      expect(one).toMatchObject({
        Version: "1",
        FunctionArn: `${ARN_PREFIX}pub-fn:1`,
        MemorySize: 128,
        Environment: { Variables: { STAGE: "one" } },
        State: "Active",
      });
      const byArn = await lambda.send(new GetFunctionCommand({ FunctionName: `${ARN_PREFIX}pub-fn:2` }));
      expect(byArn.Configuration).toMatchObject({
        Version: "2",
        Environment: { Variables: { STAGE: "two" } },
      });

      const listed = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "pub-fn" }));
      expect(listed.Versions?.map((v) => [v.Version, v.FunctionArn])).toEqual([
        ["$LATEST", `${ARN_PREFIX}pub-fn:$LATEST`],
        ["1", `${ARN_PREFIX}pub-fn:1`],
        ["2", `${ARN_PREFIX}pub-fn:2`],
      ]);
      const first = await lambda.send(
        new ListVersionsByFunctionCommand({ FunctionName: "pub-fn", MaxItems: 2 }),
      );
      expect(first.Versions?.map((v) => v.Version)).toEqual(["$LATEST", "1"]);
      expect(first.NextMarker).toBeTruthy();
      const rest = await lambda.send(
        new ListVersionsByFunctionCommand({ FunctionName: "pub-fn", Marker: first.NextMarker }),
      );
      expect(rest.Versions?.map((v) => v.Version)).toEqual(["2"]);
      expect(rest.NextMarker).toBeUndefined();

      // Deleting a version: gone for good, and its number is not reused.
      await lambda.send(new DeleteFunctionCommand({ FunctionName: "pub-fn", Qualifier: "2" }));
      const gone = await caught(lambda.send(new InvokeCommand({ FunctionName: "pub-fn", Qualifier: "2" })));
      expect(gone).toMatchObject({ name: "ResourceNotFoundException", status: 404 });
      const v3 = await lambda.send(new PublishVersionCommand({ FunctionName: "pub-fn" }));
      expect(v3.Version).toBe("3");
    });

    it("Publish: true on CreateFunction answers version 1; on UpdateFunctionCode the next version", async () => {
      const created = await lambda.send(
        new CreateFunctionCommand({
          FunctionName: "pub-on-create",
          Runtime: "nodejs22.x",
          Handler: "index.handler",
          Role: role,
          Code: { ZipFile: codeLabelled("one") },
          Publish: true,
        }),
      );
      expect(created.$metadata.httpStatusCode).toBe(201);
      expect(created).toMatchObject({
        FunctionArn: `${ARN_PREFIX}pub-on-create`,
        Version: "1",
        State: "Pending",
      });
      await waitActive("pub-on-create");
      await waitActive("pub-on-create", "1");
      const updated = await lambda.send(
        new UpdateFunctionCodeCommand({
          FunctionName: "pub-on-create",
          ZipFile: codeLabelled("two"),
          Publish: true,
        }),
      );
      expect(updated).toMatchObject({ FunctionArn: `${ARN_PREFIX}pub-on-create:2`, Version: "2" });
      expect(updated.CodeSha256).not.toBe(created.CodeSha256);
      await waitUpdated("pub-on-create");
      await waitActive("pub-on-create", "2");
      const versions = await lambda.send(
        new ListVersionsByFunctionCommand({ FunctionName: "pub-on-create" }),
      );
      expect(versions.Versions?.map((v) => [v.Version, v.CodeSha256])).toEqual([
        ["$LATEST", updated.CodeSha256],
        ["1", created.CodeSha256],
        ["2", updated.CodeSha256],
      ]);
    });

    it("invoking a version runs that version's code and configuration", async () => {
      await create("run-versions", { Environment: { Variables: { STAGE: "blue" } } });
      await lambda.send(new PublishVersionCommand({ FunctionName: "run-versions" }));
      await lambda.send(
        new UpdateFunctionCodeCommand({ FunctionName: "run-versions", ZipFile: codeLabelled("two") }),
      );
      await waitUpdated("run-versions");
      await lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: "run-versions",
          Environment: { Variables: { STAGE: "green" } },
          MemorySize: 256,
        }),
      );
      await waitUpdated("run-versions");
      await waitActive("run-versions", "1");

      const one = await invoke("run-versions", "1");
      expect(one).toEqual({
        executed: "1",
        answer: {
          code: "one",
          stage: "blue",
          version: "1",
          memory: "128",
          invokedArn: `${ARN_PREFIX}run-versions:1`,
          contextVersion: "1",
        },
      });
      const latest = await invoke("run-versions");
      expect(latest).toEqual({
        executed: "$LATEST",
        answer: {
          code: "two",
          stage: "green",
          version: "$LATEST",
          memory: "256",
          invokedArn: `${ARN_PREFIX}run-versions`,
          contextVersion: "$LATEST",
        },
      });
      // The qualified ARN as FunctionName works the same as Qualifier.
      const byArn = await invoke(`${ARN_PREFIX}run-versions:1`);
      expect(byArn.answer.code).toBe("one");
      const unknown = await caught(
        lambda.send(new InvokeCommand({ FunctionName: "run-versions", Qualifier: "9" })),
      );
      expect(unknown).toEqual({
        name: "ResourceNotFoundException",
        message: `Function not found: ${ARN_PREFIX}run-versions:9`,
        status: 404,
      });
    });
  });

  describe("aliases", () => {
    beforeAll(async () => {
      // Versions 1 and 2 of "aliased" run different code.
      await create("aliased");
      await lambda.send(new PublishVersionCommand({ FunctionName: "aliased" }));
      await lambda.send(
        new UpdateFunctionCodeCommand({
          FunctionName: "aliased",
          ZipFile: codeLabelled("two"),
          Publish: true,
        }),
      );
      await waitUpdated("aliased");
      await waitActive("aliased", "2");
    });

    it("errors: unknown version, a name of digits, a duplicate, unknown alias, stale RevisionId", async () => {
      const noVersion = await caught(
        lambda.send(new CreateAliasCommand({ FunctionName: "aliased", Name: "next", FunctionVersion: "7" })),
      );
      expect(noVersion).toEqual({
        name: "ResourceNotFoundException",
        message: `Function not found: ${ARN_PREFIX}aliased:7`,
        status: 404,
      });
      const digits = await caught(
        lambda.send(new CreateAliasCommand({ FunctionName: "aliased", Name: "123", FunctionVersion: "1" })),
      );
      expect(digits).toMatchObject({ name: "ValidationException", status: 400 });
      expect(digits.message).toContain("Value '123' at 'name' failed to satisfy constraint");
      const noFunction = await caught(
        lambda.send(
          new CreateAliasCommand({ FunctionName: "no-such-fn", Name: "live", FunctionVersion: "1" }),
        ),
      );
      expect(noFunction).toMatchObject({ name: "ResourceNotFoundException", status: 404 });

      await lambda.send(
        new CreateAliasCommand({ FunctionName: "aliased", Name: "dup", FunctionVersion: "1" }),
      );
      const duplicate = await caught(
        lambda.send(new CreateAliasCommand({ FunctionName: "aliased", Name: "dup", FunctionVersion: "2" })),
      );
      expect(duplicate).toEqual({
        name: "ResourceConflictException",
        message: `Alias already exists: ${ARN_PREFIX}aliased:dup`,
        status: 409,
      });
      const unknown = await caught(
        lambda.send(new GetAliasCommand({ FunctionName: "aliased", Name: "nope" })),
      );
      expect(unknown).toEqual({
        name: "ResourceNotFoundException",
        message: `Cannot find alias arn: ${ARN_PREFIX}aliased:nope`,
        status: 404,
      });
      const stale = await caught(
        lambda.send(
          new UpdateAliasCommand({
            FunctionName: "aliased",
            Name: "dup",
            RevisionId: "stale",
            FunctionVersion: "2",
          }),
        ),
      );
      expect(stale).toMatchObject({ name: "PreconditionFailedException", status: 412 });
      // A version an alias points at cannot be deleted.
      const inUse = await caught(
        lambda.send(new DeleteFunctionCommand({ FunctionName: "aliased", Qualifier: "1" })),
      );
      expect(inUse).toEqual({
        name: "ResourceConflictException",
        message: "Unable to delete version because the following aliases reference it: [dup]",
        status: 409,
      });
      await lambda.send(new DeleteAliasCommand({ FunctionName: "aliased", Name: "dup" }));
    });

    it("RoutingConfig errors: two weights, a weight outside 0..1, the primary version, $LATEST, a missing version", async () => {
      const alias = (FunctionVersion: string, AdditionalVersionWeights: Record<string, number>) =>
        caught(
          lambda.send(
            new CreateAliasCommand({
              FunctionName: "aliased",
              Name: "weighted-bad",
              FunctionVersion,
              RoutingConfig: { AdditionalVersionWeights },
            }),
          ),
        );
      expect(await alias("1", { "2": 0.1, "3": 0.1 })).toEqual({
        name: "InvalidParameterValueException",
        message: "Number of items in AdditionalVersionWeights cannot be greater than 1",
        status: 400,
      });
      const tooHeavy = await alias("1", { "2": 1.5 });
      expect(tooHeavy).toMatchObject({ name: "ValidationException", status: 400 });
      expect(tooHeavy.message).toContain("Value '{2=1.5}' at 'routingConfig.additionalVersionWeights'");
      expect(await alias("1", { "1": 0.5 })).toEqual({
        name: "InvalidParameterValueException",
        message:
          "Invalid function version 1. Function version 1 is already included in routing configuration.",
        status: 400,
      });
      expect(await alias("$LATEST", { "1": 0.5 })).toEqual({
        name: "InvalidParameterValueException",
        message: "$LATEST is not supported for an alias pointing to more than 1 version",
        status: 400,
      });
      expect(await alias("1", { "8": 0.5 })).toEqual({
        name: "ResourceNotFoundException",
        message: `Function not found: ${ARN_PREFIX}aliased:8`,
        status: 404,
      });
    });

    it("an alias runs the version it points to; UpdateAlias moves it; GetFunction by alias shows that version", async () => {
      const created = await lambda.send(
        new CreateAliasCommand({
          FunctionName: "aliased",
          Name: "live",
          FunctionVersion: "1",
          Description: "prod",
        }),
      );
      expect(created.$metadata.httpStatusCode).toBe(201);
      expect(created).toMatchObject({
        AliasArn: `${ARN_PREFIX}aliased:live`,
        Name: "live",
        FunctionVersion: "1",
        Description: "prod",
      });
      expect(created.RevisionId).toBeTruthy();
      expect(await invoke("aliased", "live")).toMatchObject({
        executed: "1",
        answer: { code: "one", version: "1", invokedArn: `${ARN_PREFIX}aliased:live` },
      });
      const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "aliased:live" }));
      expect(config).toMatchObject({ FunctionArn: `${ARN_PREFIX}aliased:live`, Version: "1" });

      const moved = await lambda.send(
        new UpdateAliasCommand({
          FunctionName: "aliased",
          Name: "live",
          FunctionVersion: "2",
          RevisionId: created.RevisionId,
        }),
      );
      expect(moved).toMatchObject({ FunctionVersion: "2", Description: "prod" });
      expect(moved.RevisionId).not.toBe(created.RevisionId);
      expect(await invoke("aliased", "live")).toMatchObject({ executed: "2", answer: { code: "two" } });
      const got = await lambda.send(new GetAliasCommand({ FunctionName: "aliased", Name: "live" }));
      expect(got).toMatchObject({ FunctionVersion: "2", RevisionId: moved.RevisionId });
    });

    it("RoutingConfig weights: the additional version gets its share of invocations", async () => {
      // Weight 1: every invocation goes to the additional version; 0: none does.
      await lambda.send(
        new CreateAliasCommand({
          FunctionName: "aliased",
          Name: "canary",
          FunctionVersion: "2",
          RoutingConfig: { AdditionalVersionWeights: { "1": 1 } },
        }),
      );
      for (let i = 0; i < 3; i++) expect((await invoke("aliased", "canary")).executed).toBe("1");
      await lambda.send(
        new UpdateAliasCommand({
          FunctionName: "aliased",
          Name: "canary",
          RoutingConfig: { AdditionalVersionWeights: { "1": 0 } },
        }),
      );
      for (let i = 0; i < 3; i++) expect((await invoke("aliased", "canary")).executed).toBe("2");
      // Half and half: over 40 invocations both versions run (all 40 on one side: p = 2^-39).
      const half = await lambda.send(
        new UpdateAliasCommand({
          FunctionName: "aliased",
          Name: "canary",
          RoutingConfig: { AdditionalVersionWeights: { "1": 0.5 } },
        }),
      );
      expect(half.RoutingConfig).toEqual({ AdditionalVersionWeights: { "1": 0.5 } });
      const seen = new Set<string>();
      for (let i = 0; i < 40 && seen.size < 2; i++) {
        const { executed, answer } = await invoke("aliased", "canary");
        expect(answer.code).toBe(executed === "1" ? "one" : "two");
        seen.add(executed!);
      }
      expect([...seen].sort()).toEqual(["1", "2"]);
      // An empty RoutingConfig removes the weights.
      const plain = await lambda.send(
        new UpdateAliasCommand({ FunctionName: "aliased", Name: "canary", RoutingConfig: {} }),
      );
      expect(plain.RoutingConfig).toBeUndefined();
    });

    it("ListAliases (all, or those of one version), DeleteAlias, and a deleted alias is not found", async () => {
      await lambda.send(
        new CreateAliasCommand({ FunctionName: "aliased", Name: "old", FunctionVersion: "1" }),
      );
      const all = await lambda.send(new ListAliasesCommand({ FunctionName: "aliased" }));
      expect(all.Aliases?.map((a) => [a.Name, a.FunctionVersion])).toEqual([
        ["canary", "2"],
        ["live", "2"],
        ["old", "1"],
      ]);
      const ofOne = await lambda.send(
        new ListAliasesCommand({ FunctionName: "aliased", FunctionVersion: "1" }),
      );
      expect(ofOne.Aliases?.map((a) => a.Name)).toEqual(["old"]);
      const paged = await lambda.send(new ListAliasesCommand({ FunctionName: "aliased", MaxItems: 2 }));
      expect(paged.Aliases).toHaveLength(2);
      const next = await lambda.send(
        new ListAliasesCommand({ FunctionName: "aliased", Marker: paged.NextMarker }),
      );
      expect(next.Aliases?.map((a) => a.Name)).toEqual(["old"]);

      const deleted = await lambda.send(new DeleteAliasCommand({ FunctionName: "aliased", Name: "old" }));
      expect(deleted.$metadata.httpStatusCode).toBe(204);
      const gone = await caught(
        lambda.send(new InvokeCommand({ FunctionName: "aliased", Qualifier: "old" })),
      );
      expect(gone).toEqual({
        name: "ResourceNotFoundException",
        message: `Function not found: ${ARN_PREFIX}aliased:old`,
        status: 404,
      });
    });

    it("an asynchronous invocation of an alias runs its version; the destination record names the alias", async () => {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "alias-success" }));
      const queueArn = (
        await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }))
      ).Attributes!["QueueArn"]!;
      await lambda.send(
        new PutFunctionEventInvokeConfigCommand({
          FunctionName: "aliased",
          DestinationConfig: { OnSuccess: { Destination: queueArn } },
        }),
      );
      await lambda.send(
        new CreateAliasCommand({ FunctionName: "aliased", Name: "async", FunctionVersion: "1" }),
      );
      const accepted = await lambda.send(
        new InvokeCommand({
          FunctionName: "aliased",
          Qualifier: "async",
          InvocationType: "Event",
          Payload: "{}",
        }),
      );
      expect(accepted.StatusCode).toBe(202);
      const received = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20, MaxNumberOfMessages: 1 }),
      );
      const record = JSON.parse(received.Messages![0]!.Body!) as {
        requestContext: { functionArn: string; condition: string };
        responseContext: { executedVersion: string };
        responsePayload: Answer;
      };
      expect(record.requestContext).toMatchObject({
        functionArn: `${ARN_PREFIX}aliased:async`,
        condition: "Success",
      });
      expect(record.responseContext.executedVersion).toBe("1");
      expect(record.responsePayload).toMatchObject({ code: "one", invokedArn: `${ARN_PREFIX}aliased:async` });
    });
  });

  describe("TracingConfig", () => {
    it("refuses a mode that is not Active or PassThrough", async () => {
      const refused = await caught(
        lambda.send(
          new CreateFunctionCommand({
            FunctionName: "tracing-bad",
            Runtime: "nodejs22.x",
            Handler: "index.handler",
            Role: role,
            Code: { ZipFile: codeLabelled("x") },
            TracingConfig: { Mode: "Sometimes" as "Active" },
          }),
        ),
      );
      expect(refused).toEqual({
        name: "ValidationException",
        message:
          "1 validation error detected: Value 'Sometimes' at 'tracingConfig.mode' failed to satisfy constraint: Member must satisfy enum value set: [Active, PassThrough]",
        status: 400,
      });
    });

    it("echoes the mode as set, on create, update and in the versions published from it", async () => {
      const created = await create("traced", { TracingConfig: { Mode: "Active" } });
      expect(created.TracingConfig).toEqual({ Mode: "Active" });
      expect(
        (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "traced" }))).TracingConfig,
      ).toEqual({ Mode: "Active" });
      await lambda.send(new PublishVersionCommand({ FunctionName: "traced" }));
      const updated = await lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: "traced",
          TracingConfig: { Mode: "PassThrough" },
        }),
      );
      expect(updated.TracingConfig).toEqual({ Mode: "PassThrough" });
      await waitUpdated("traced");
      const v1 = await lambda.send(
        new GetFunctionConfigurationCommand({ FunctionName: "traced", Qualifier: "1" }),
      );
      expect(v1.TracingConfig).toEqual({ Mode: "Active" });
      const untraced = await create("untraced");
      expect(untraced.TracingConfig).toEqual({ Mode: "PassThrough" });
    });
  });
});

describe("lambda: a new role settles before Lambda can assume it", () => {
  it("CreateFunction is refused while the role is newer than roleAssumableAfterMs, then accepted", async () => {
    const clock = new ManualClock();
    const emulator = await createEmulator({
      services: ["sts", "iam", "lambda"],
      clock,
      settings: { roleAssumableAfterMs: 8_000 },
    });
    const config = { endpoint: emulator.url, region: "us-east-1", credentials };
    const lambda = new LambdaClient(config);
    const iam = new IAMClient(config);
    try {
      const roleArn = (
        await iam.send(new CreateRoleCommand({ RoleName: "fresh", AssumeRolePolicyDocument: LAMBDA_TRUST }))
      ).Role!.Arn!;
      const input = {
        FunctionName: "too-soon",
        Runtime: "nodejs22.x" as const,
        Handler: "index.handler",
        Role: roleArn,
        Code: { ZipFile: codeLabelled("x") },
      };
      await clock.advance(7_000);
      expect(await caught(lambda.send(new CreateFunctionCommand(input)))).toEqual({
        name: "InvalidParameterValueException",
        message: CANNOT_ASSUME,
        status: 400,
      });
      await clock.advance(1_000);
      const created = await lambda.send(new CreateFunctionCommand(input));
      expect(created).toMatchObject({ FunctionName: "too-soon", Role: roleArn, State: "Pending" });
    } finally {
      lambda.destroy();
      iam.destroy();
      await emulator.stop();
    }
  });
});

describe("lambda: versions and aliases survive a restart", () => {
  it("versions, aliases and their code come back from the persisted state", async () => {
    const persistDir = mkdtempSync(join(tmpdir(), "lambda-versions-"));
    const start = () => createEmulator({ services: ["sts", "iam", "lambda"], persistDir });
    let emulator = await start();
    const clientFor = (e: Emulator) => ({
      lambda: new LambdaClient({ endpoint: e.url, region: "us-east-1", credentials }),
      iam: new IAMClient({ endpoint: e.url, region: "us-east-1", credentials }),
    });
    let clients = clientFor(emulator);
    try {
      const roleArn = (
        await clients.iam.send(
          new CreateRoleCommand({ RoleName: "kept", AssumeRolePolicyDocument: LAMBDA_TRUST }),
        )
      ).Role!.Arn!;
      await clients.lambda.send(
        new CreateFunctionCommand({
          FunctionName: "kept",
          Runtime: "nodejs22.x",
          Handler: "index.handler",
          Role: roleArn,
          Code: { ZipFile: codeLabelled("one") },
          Publish: true,
        }),
      );
      await waitUntilFunctionActiveV2(
        { client: clients.lambda, maxWaitTime: 30, minDelay: 0.1 },
        { FunctionName: "kept" },
      );
      await clients.lambda.send(
        new UpdateFunctionCodeCommand({ FunctionName: "kept", ZipFile: codeLabelled("two") }),
      );
      await clients.lambda.send(
        new CreateAliasCommand({ FunctionName: "kept", Name: "live", FunctionVersion: "1" }),
      );
      clients.lambda.destroy();
      clients.iam.destroy();
      await emulator.stop();

      emulator = await start();
      clients = clientFor(emulator);
      const versions = await clients.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "kept" }));
      expect(versions.Versions?.map((v) => v.Version)).toEqual(["$LATEST", "1"]);
      const out = await clients.lambda.send(
        new InvokeCommand({ FunctionName: "kept", Qualifier: "live", Payload: "{}" }),
      );
      expect(out.ExecutedVersion).toBe("1");
      expect(JSON.parse(Buffer.from(out.Payload!).toString("utf8"))).toMatchObject({ code: "one" });
      // The next version is 2: numbers are not reused after a restart.
      await waitUntilFunctionUpdatedV2(
        { client: clients.lambda, maxWaitTime: 30, minDelay: 0.1 },
        { FunctionName: "kept" },
      );
      expect((await clients.lambda.send(new PublishVersionCommand({ FunctionName: "kept" }))).Version).toBe(
        "2",
      );
    } finally {
      clients.lambda.destroy();
      clients.iam.destroy();
      await emulator.stop();
      rmSync(persistDir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!awsCliAvailable)(
  "lambda versions and aliases through the AWS CLI",
  { timeout: 120_000 },
  () => {
    let emulator: Emulator;
    let dir: string;

    beforeAll(async () => {
      emulator = await createEmulator({ services: ["sts", "iam", "lambda"] });
      dir = mkdtempSync(join(tmpdir(), "lambda-versions-cli-"));
    });

    afterAll(async () => {
      await emulator.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it("create-function with a role that does not exist fails with InvalidParameterValueException", async () => {
      const zipFile = join(dir, "fn.zip");
      writeFileSync(zipFile, codeLabelled("cli"));
      const refused = await awsCli(emulator.url, [
        "lambda",
        "create-function",
        "--function-name",
        "cli-no-role",
        "--runtime",
        "nodejs22.x",
        "--handler",
        "index.handler",
        "--role",
        `arn:aws:iam::${ACCOUNT}:role/cli-missing`,
        "--zip-file",
        `fileb://${zipFile}`,
      ]);
      expect(refused.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
      expect(refused.stderr).toContain("(InvalidParameterValueException)");
      expect(refused.stderr).toContain(CANNOT_ASSUME);
    });

    it("create-role, create-function --publish, publish-version, create-alias, get-alias, invoke --qualifier", async () => {
      const role = await awsCli(emulator.url, [
        "iam",
        "create-role",
        "--role-name",
        "cli-role",
        "--assume-role-policy-document",
        LAMBDA_TRUST,
      ]);
      expect(role.exitCode, role.stderr).toBe(0);
      const roleArn = (JSON.parse(role.stdout) as { Role: { Arn: string } }).Role.Arn;
      const zipFile = join(dir, "fn.zip");
      writeFileSync(zipFile, codeLabelled("cli"));
      const created = await awsCli(emulator.url, [
        "lambda",
        "create-function",
        "--function-name",
        "cli-versions",
        "--runtime",
        "nodejs22.x",
        "--handler",
        "index.handler",
        "--role",
        roleArn,
        "--zip-file",
        `fileb://${zipFile}`,
        "--tracing-config",
        "Mode=Active",
        "--publish",
      ]);
      expect(created.exitCode, created.stderr).toBe(0);
      expect(JSON.parse(created.stdout)).toMatchObject({ Version: "1", TracingConfig: { Mode: "Active" } });

      const badSha = await awsCli(emulator.url, [
        "lambda",
        "publish-version",
        "--function-name",
        "cli-versions",
        "--code-sha256",
        "bm90LXRoZS1jb2Rl",
      ]);
      expect(badSha.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
      expect(badSha.stderr).toContain("(InvalidParameterValueException)");

      const alias = await awsCli(emulator.url, [
        "lambda",
        "create-alias",
        "--function-name",
        "cli-versions",
        "--name",
        "live",
        "--function-version",
        "1",
      ]);
      expect(alias.exitCode, alias.stderr).toBe(0);
      expect(JSON.parse(alias.stdout)).toMatchObject({
        AliasArn: `${ARN_PREFIX}cli-versions:live`,
        FunctionVersion: "1",
      });
      const versions = await awsCli(emulator.url, [
        "lambda",
        "list-versions-by-function",
        "--function-name",
        "cli-versions",
      ]);
      expect(versions.exitCode, versions.stderr).toBe(0);
      expect(
        (JSON.parse(versions.stdout) as { Versions: { Version: string }[] }).Versions.map((v) => v.Version),
      ).toEqual(["$LATEST", "1"]);
      const outFile = join(dir, "out.json");
      const invoked = await awsCli(emulator.url, [
        "lambda",
        "invoke",
        "--function-name",
        "cli-versions",
        "--qualifier",
        "live",
        outFile,
      ]);
      expect(invoked.exitCode, invoked.stderr).toBe(0);
      expect(JSON.parse(invoked.stdout)).toMatchObject({ StatusCode: 200, ExecutedVersion: "1" });
    });

    it("a role of another account refused; update-function-code --publish, a weighted alias, tracing-config updated", async () => {
      const zipFile = join(dir, "fn2.zip");
      writeFileSync(zipFile, codeLabelled("first"));
      const foreign = await awsCli(emulator.url, [
        "lambda",
        "create-function",
        "--function-name",
        "cli-foreign",
        "--runtime",
        "nodejs22.x",
        "--handler",
        "index.handler",
        "--role",
        "arn:aws:iam::111122223333:role/cli-role",
        "--zip-file",
        `fileb://${zipFile}`,
      ]);
      expect(foreign.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
      expect(foreign.stderr).toContain("(InvalidParameterValueException)");
      expect(foreign.stderr).toContain(CANNOT_ASSUME);

      const lambda = new LambdaClient({ endpoint: emulator.url, region: "us-east-1", credentials });
      const settled = () =>
        waitUntilFunctionUpdatedV2(
          { client: lambda, maxWaitTime: 30, minDelay: 0.1, maxDelay: 0.5 },
          { FunctionName: "cli-updates" },
        );
      const roleArn = `arn:aws:iam::${ACCOUNT}:role/cli-updates`;
      const role = await awsCli(emulator.url, [
        "iam",
        "create-role",
        "--role-name",
        "cli-updates",
        "--assume-role-policy-document",
        LAMBDA_TRUST,
      ]);
      expect(role.exitCode, role.stderr).toBe(0);
      const created = await awsCli(emulator.url, [
        "lambda",
        "create-function",
        "--function-name",
        "cli-updates",
        "--runtime",
        "nodejs22.x",
        "--handler",
        "index.handler",
        "--role",
        roleArn,
        "--zip-file",
        `fileb://${zipFile}`,
        "--publish",
      ]);
      expect(created.exitCode, created.stderr).toBe(0);
      await waitUntilFunctionActiveV2(
        { client: lambda, maxWaitTime: 30, minDelay: 0.1, maxDelay: 0.5 },
        { FunctionName: "cli-updates" },
      );
      writeFileSync(zipFile, codeLabelled("second"));
      const updated = await awsCli(emulator.url, [
        "lambda",
        "update-function-code",
        "--function-name",
        "cli-updates",
        "--zip-file",
        `fileb://${zipFile}`,
        "--publish",
      ]);
      expect(updated.exitCode, updated.stderr).toBe(0);
      expect(JSON.parse(updated.stdout)).toMatchObject({ Version: "2" });
      await settled();

      // The primary version cannot also be the weighted one.
      const selfWeighted = await awsCli(emulator.url, [
        "lambda",
        "create-alias",
        "--function-name",
        "cli-updates",
        "--name",
        "canary",
        "--function-version",
        "2",
        "--routing-config",
        JSON.stringify({ AdditionalVersionWeights: { "2": 0.5 } }),
      ]);
      expect(selfWeighted.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
      expect(selfWeighted.stderr).toContain("is already included in routing configuration");
      const alias = await awsCli(emulator.url, [
        "lambda",
        "create-alias",
        "--function-name",
        "cli-updates",
        "--name",
        "canary",
        "--function-version",
        "1",
      ]);
      expect(alias.exitCode, alias.stderr).toBe(0);
      const weighted = await awsCli(emulator.url, [
        "lambda",
        "update-alias",
        "--function-name",
        "cli-updates",
        "--name",
        "canary",
        "--routing-config",
        JSON.stringify({ AdditionalVersionWeights: { "2": 0.25 } }),
      ]);
      expect(weighted.exitCode, weighted.stderr).toBe(0);
      expect(JSON.parse(weighted.stdout)).toMatchObject({
        FunctionVersion: "1",
        RoutingConfig: { AdditionalVersionWeights: { "2": 0.25 } },
      });

      const badMode = await awsCli(emulator.url, [
        "lambda",
        "update-function-configuration",
        "--function-name",
        "cli-updates",
        "--tracing-config",
        "Mode=Sometimes",
      ]);
      expect(badMode.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
      expect(badMode.stderr).toContain("(ValidationException)");
      const traced = await awsCli(emulator.url, [
        "lambda",
        "update-function-configuration",
        "--function-name",
        "cli-updates",
        "--tracing-config",
        "Mode=Active",
      ]);
      expect(traced.exitCode, traced.stderr).toBe(0);
      expect(JSON.parse(traced.stdout)).toMatchObject({ TracingConfig: { Mode: "Active" } });
      await settled();
      // A published version keeps the configuration it was published with.
      const v2 = await awsCli(emulator.url, [
        "lambda",
        "get-function-configuration",
        "--function-name",
        "cli-updates",
        "--qualifier",
        "2",
      ]);
      expect(v2.exitCode, v2.stderr).toBe(0);
      expect(JSON.parse(v2.stdout)).toMatchObject({ Version: "2", TracingConfig: { Mode: "PassThrough" } });
      lambda.destroy();
    });
  },
);
