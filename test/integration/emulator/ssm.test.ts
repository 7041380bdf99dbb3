import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AddTagsToResourceCommand,
  DeleteParameterCommand,
  DeleteParametersCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  LabelParameterVersionCommand,
  ListTagsForResourceCommand,
  PutParameterCommand,
  SSMClient,
  UnlabelParameterVersionCommand,
} from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../../src/runtime/emulator/index.js";
import { AWS_CLI_SERVICE_ERROR_EXIT, awsCli, awsCliAvailable, awsCliJson } from "../../helpers/aws-cli.js";

/**
 * SSM Parameter Store in the emulator, written from the SSM API reference (PutParameter,
 * GetParameter(s), GetParametersByPath, DescribeParameters, GetParameterHistory, labels, tags):
 * the JS SDK v3 (awsJson 1.1) and the AWS CLI v2 over HTTP.
 */

const credentials = { accessKeyId: "test", secretAccessKey: "test" };

describe("emulator: SSM Parameter Store (JS SDK v3)", () => {
  let emulator: Emulator;
  let ssm: SSMClient;

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["ssm"] });
    ssm = new SSMClient({ endpoint: emulator.url, region: "us-east-1", credentials });
  });
  afterAll(async () => {
    ssm.destroy();
    await emulator.stop();
  });

  it("PutParameter creates version 1; without Overwrite a second put is ParameterAlreadyExists", async () => {
    expect(
      await ssm.send(new PutParameterCommand({ Name: "/app/url", Value: "https://a", Type: "String" })),
    ).toMatchObject({
      Version: 1,
      Tier: "Standard",
    });
    await expect(
      ssm.send(new PutParameterCommand({ Name: "/app/url", Value: "https://b", Type: "String" })),
    ).rejects.toMatchObject({
      name: "ParameterAlreadyExists",
      message:
        "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.",
      $metadata: { httpStatusCode: 400 },
    });
    expect(
      await ssm.send(new PutParameterCommand({ Name: "/app/url", Value: "https://b", Overwrite: true })),
    ).toMatchObject({ Version: 2 });
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: "/app/url" }));
    expect(Parameter).toMatchObject({
      Name: "/app/url",
      Type: "String",
      Value: "https://b",
      Version: 2,
      ARN: "arn:aws:ssm:us-east-1:000000000000:parameter/app/url",
      DataType: "text",
    });
    expect(Parameter?.LastModifiedDate).toBeInstanceOf(Date);
  });

  it("PutParameter validation: type, reserved names, tags with overwrite, missing type, pattern", async () => {
    await expect(
      ssm.send(new PutParameterCommand({ Name: "/x/type", Value: "v", Type: "Secret" as never })),
    ).rejects.toMatchObject({
      name: "ValidationException",
      message:
        "1 validation error detected: Value 'Secret' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [SecureString, StringList, String]",
    });
    await expect(
      ssm.send(new PutParameterCommand({ Name: "awsy", Value: "v", Type: "String" })),
    ).rejects.toMatchObject({
      name: "ValidationException",
      message: 'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive).',
    });
    await expect(
      ssm.send(new PutParameterCommand({ Name: "/aws/mine", Value: "v", Type: "String" })),
    ).rejects.toMatchObject({ name: "AccessDeniedException" });
    await expect(ssm.send(new PutParameterCommand({ Name: "/x/no-type", Value: "v" }))).rejects.toMatchObject(
      {
        name: "ValidationException",
        message: "A parameter type is required when you create a parameter.",
      },
    );
    await expect(
      ssm.send(
        new PutParameterCommand({
          Name: "/x/tagged",
          Value: "v",
          Type: "String",
          Overwrite: true,
          Tags: [{ Key: "a", Value: "b" }],
        }),
      ),
    ).rejects.toMatchObject({
      name: "ValidationException",
      message: expect.stringContaining("tags and overwrite can't be used together"),
    });
    await expect(
      ssm.send(
        new PutParameterCommand({
          Name: "/x/pattern",
          Value: "abc",
          Type: "String",
          AllowedPattern: "^\\d+$",
        }),
      ),
    ).rejects.toMatchObject({
      name: "ParameterPatternMismatchException",
      message: "Parameter value, cannot be validated against allowedPattern: ^\\d+$",
    });
    await expect(
      ssm.send(new PutParameterCommand({ Name: "/x/big", Value: "x".repeat(4097), Type: "String" })),
    ).rejects.toMatchObject({
      name: "ValidationException",
      message: expect.stringContaining("4096 characters"),
    });
  });

  it("SecureString: ciphertext without WithDecryption, the value with it", async () => {
    await ssm.send(
      new PutParameterCommand({
        Name: "/celebrity-pipeline/tmdb/api-key",
        Value: "s3cr3t-token",
        Type: "SecureString",
      }),
    );
    const hidden = (await ssm.send(new GetParameterCommand({ Name: "/celebrity-pipeline/tmdb/api-key" })))
      .Parameter!;
    expect(hidden.Type).toBe("SecureString");
    expect(hidden.Value).not.toContain("s3cr3t");
    const shown = (
      await ssm.send(
        new GetParameterCommand({ Name: "/celebrity-pipeline/tmdb/api-key", WithDecryption: true }),
      )
    ).Parameter!;
    expect(shown.Value).toBe("s3cr3t-token");
    const described = await ssm.send(
      new DescribeParametersCommand({
        ParameterFilters: [{ Key: "Name", Values: ["/celebrity-pipeline/tmdb/api-key"] }],
      }),
    );
    expect(described.Parameters?.[0]).toMatchObject({
      Type: "SecureString",
      KeyId: "alias/aws/ssm",
      Version: 1,
    });
  });

  it("a parameter that does not exist is ParameterNotFound; GetParameters lists it as invalid", async () => {
    await expect(ssm.send(new GetParameterCommand({ Name: "/nope" }))).rejects.toMatchObject({
      name: "ParameterNotFound",
      $metadata: { httpStatusCode: 400 },
    });
    await expect(ssm.send(new DeleteParameterCommand({ Name: "/nope" }))).rejects.toMatchObject({
      name: "ParameterNotFound",
    });
    await ssm.send(new PutParameterCommand({ Name: "/g/one", Value: "1", Type: "String" }));
    const result = await ssm.send(new GetParametersCommand({ Names: ["/g/one", "/g/missing"] }));
    expect(result.Parameters?.map((p) => p.Name)).toEqual(["/g/one"]);
    expect(result.InvalidParameters).toEqual(["/g/missing"]);
  });

  it("GetParametersByPath: one level or Recursive, paginated by MaxResults", async () => {
    for (const name of ["/tree/a", "/tree/b", "/tree/c", "/tree/sub/d", "/tree/sub/deep/e", "/treehouse/x"]) {
      await ssm.send(new PutParameterCommand({ Name: name, Value: name, Type: "String" }));
    }
    const oneLevel = await ssm.send(new GetParametersByPathCommand({ Path: "/tree" }));
    expect(oneLevel.Parameters?.map((p) => p.Name)).toEqual(["/tree/a", "/tree/b", "/tree/c"]);
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await ssm.send(
        new GetParametersByPathCommand({ Path: "/tree/", Recursive: true, MaxResults: 2, NextToken: token }),
      );
      names.push(...(page.Parameters ?? []).map((p) => p.Name!));
      token = page.NextToken;
      pages++;
    } while (token);
    expect(names).toEqual(["/tree/a", "/tree/b", "/tree/c", "/tree/sub/d", "/tree/sub/deep/e"]);
    expect(pages).toBe(3);
    await expect(ssm.send(new GetParametersByPathCommand({ Path: "tree" }))).rejects.toMatchObject({
      name: "ValidationException",
    });
    await expect(
      ssm.send(new GetParametersByPathCommand({ Path: "/tree", MaxResults: 11 })),
    ).rejects.toMatchObject({
      name: "ValidationException",
      message: expect.stringContaining("Member must have value less than or equal to 10"),
    });
    await expect(
      ssm.send(
        new GetParametersByPathCommand({ Path: "/tree", ParameterFilters: [{ Key: "Name", Values: ["x"] }] }),
      ),
    ).rejects.toMatchObject({ name: "InvalidFilterKey" });
  });

  it("DescribeParameters filters by path, type and name prefix; an invalid option is refused", async () => {
    await ssm.send(new PutParameterCommand({ Name: "/d/one", Value: "a,b", Type: "StringList" }));
    await ssm.send(new PutParameterCommand({ Name: "/d/two", Value: "x", Type: "SecureString" }));
    const byPath = await ssm.send(
      new DescribeParametersCommand({
        ParameterFilters: [{ Key: "Path", Option: "OneLevel", Values: ["/d"] }],
      }),
    );
    expect(byPath.Parameters?.map((p) => p.Name)).toEqual(["/d/one", "/d/two"]);
    const secure = await ssm.send(
      new DescribeParametersCommand({
        ParameterFilters: [
          { Key: "Type", Values: ["SecureString"] },
          { Key: "Name", Option: "BeginsWith", Values: ["/d/"] },
        ],
      }),
    );
    expect(secure.Parameters?.map((p) => p.Name)).toEqual(["/d/two"]);
    await expect(
      ssm.send(
        new DescribeParametersCommand({
          ParameterFilters: [{ Key: "Type", Option: "Contains", Values: ["x"] }],
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidFilterOption" });
  });

  it("versions and labels as far as GetParameterHistory", async () => {
    for (const value of ["v1", "v2", "v3"]) {
      await ssm.send(
        new PutParameterCommand({ Name: "/h/p", Value: value, Type: "String", Overwrite: true }),
      );
    }
    const labelled = await ssm.send(
      new LabelParameterVersionCommand({ Name: "/h/p", ParameterVersion: 2, Labels: ["stable", "9bad"] }),
    );
    expect(labelled).toMatchObject({ ParameterVersion: 2, InvalidLabels: ["9bad"] });
    expect((await ssm.send(new GetParameterCommand({ Name: "/h/p:stable" }))).Parameter).toMatchObject({
      Value: "v2",
      Version: 2,
      Selector: ":stable",
    });
    expect((await ssm.send(new GetParameterCommand({ Name: "/h/p:1" }))).Parameter?.Value).toBe("v1");
    await expect(ssm.send(new GetParameterCommand({ Name: "/h/p:9" }))).rejects.toMatchObject({
      name: "ParameterVersionNotFound",
    });
    const history = await ssm.send(new GetParameterHistoryCommand({ Name: "/h/p" }));
    expect(history.Parameters?.map((p) => [p.Version, p.Value, p.Labels])).toEqual([
      [1, "v1", []],
      [2, "v2", ["stable"]],
      [3, "v3", []],
    ]);
    const removed = await ssm.send(
      new UnlabelParameterVersionCommand({ Name: "/h/p", ParameterVersion: 2, Labels: ["stable", "other"] }),
    );
    expect(removed).toMatchObject({ RemovedLabels: ["stable"], InvalidLabels: ["other"] });
  });

  it("DeleteParameters reports deleted and invalid names; tags", async () => {
    await ssm.send(
      new PutParameterCommand({
        Name: "/del/a",
        Value: "a",
        Type: "String",
        Tags: [{ Key: "team", Value: "data" }],
      }),
    );
    expect(
      (await ssm.send(new ListTagsForResourceCommand({ ResourceType: "Parameter", ResourceId: "/del/a" })))
        .TagList,
    ).toEqual([{ Key: "team", Value: "data" }]);
    await ssm.send(
      new AddTagsToResourceCommand({
        ResourceType: "Parameter",
        ResourceId: "/del/a",
        Tags: [{ Key: "env", Value: "dev" }],
      }),
    );
    const result = await ssm.send(new DeleteParametersCommand({ Names: ["/del/a", "/del/none"] }));
    expect(result).toMatchObject({ DeletedParameters: ["/del/a"], InvalidParameters: ["/del/none"] });
  });
});

describe("emulator: SSM SecureString at rest", () => {
  it("the state folder never holds a SecureString value in clear, before or after a restart", async () => {
    const persistDir = mkdtempSync(join(tmpdir(), "ssm-at-rest-"));
    const secret = "tmdb-bearer-0123456789abcdef";
    try {
      let emulator = await createEmulator({ services: ["ssm"], persistDir });
      let ssm = new SSMClient({ endpoint: emulator.url, region: "us-east-1", credentials });
      await ssm.send(new PutParameterCommand({ Name: "/s/key", Value: secret, Type: "SecureString" }));
      const files = () => {
        const found: string[] = [];
        const walk = (dir: string) => {
          for (const entry of readdirSync(dir)) {
            const path = join(dir, entry);
            if (statSync(path).isDirectory()) walk(path);
            else found.push(path);
          }
        };
        walk(persistDir);
        return found;
      };
      expect(files().some((f) => readFileSync(f, "utf8").includes(secret))).toBe(false);
      ssm.destroy();
      await emulator.stop();
      expect(files().some((f) => readFileSync(f, "utf8").includes(secret))).toBe(false);
      const key = files().find((f) => f.endsWith("data-key"))!;
      expect(statSync(key).mode & 0o777).toBe(0o600);
      emulator = await createEmulator({ services: ["ssm"], persistDir });
      ssm = new SSMClient({ endpoint: emulator.url, region: "us-east-1", credentials });
      expect(
        (await ssm.send(new GetParameterCommand({ Name: "/s/key", WithDecryption: true }))).Parameter?.Value,
      ).toBe(secret);
      ssm.destroy();
      await emulator.stop();
    } finally {
      rmSync(persistDir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!awsCliAvailable)("emulator: SSM with the AWS CLI", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await createEmulator({ services: ["ssm"] });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it("put-parameter, get-parameter --with-decryption, get-parameters-by-path, describe-parameters", async () => {
    const put = await awsCliJson<{ Version: number }>(emulator.url, [
      "ssm",
      "put-parameter",
      "--name",
      "/cli/key",
      "--value",
      "cli-secret",
      "--type",
      "SecureString",
    ]);
    expect(put.Version).toBe(1);
    const got = await awsCliJson<{ Parameter: { Value: string } }>(emulator.url, [
      "ssm",
      "get-parameter",
      "--name",
      "/cli/key",
      "--with-decryption",
    ]);
    expect(got.Parameter.Value).toBe("cli-secret");
    // Without --with-decryption SSM answers the ciphertext, never the value.
    const sealed = await awsCliJson<{ Parameters: { Type: string; Value: string }[] }>(emulator.url, [
      "ssm",
      "get-parameters",
      "--names",
      "/cli/key",
    ]);
    expect(sealed.Parameters).toEqual([expect.objectContaining({ Type: "SecureString" })]);
    expect(sealed.Parameters[0]!.Value).not.toContain("cli-secret");
    await awsCliJson(emulator.url, [
      "ssm",
      "put-parameter",
      "--name",
      "/cli/url",
      "--value",
      "https://x",
      "--type",
      "String",
    ]);
    // The CLI follows NextToken itself: pages of one still list both.
    const byPath = await awsCliJson<{ Parameters: { Name: string }[] }>(emulator.url, [
      "ssm",
      "get-parameters-by-path",
      "--path",
      "/cli",
      "--page-size",
      "1",
    ]);
    expect(byPath.Parameters.map((p) => p.Name)).toEqual(["/cli/key", "/cli/url"]);
    const described = await awsCliJson<{ Parameters: { Name: string; Type: string }[] }>(emulator.url, [
      "ssm",
      "describe-parameters",
      "--parameter-filters",
      "Key=Type,Values=SecureString",
    ]);
    expect(described.Parameters.map((p) => p.Name)).toEqual(["/cli/key"]);
  }, 120_000);

  it("errors: a parameter that does not exist, a wrong type, overwriting without --overwrite", async () => {
    const missing = await awsCli(emulator.url, ["ssm", "get-parameter", "--name", "/cli/none"]);
    expect(missing.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
    expect(missing.stderr).toContain(
      "(ParameterNotFound) when calling the GetParameter operation: Parameter /cli/none not found.",
    );
    const deleted = await awsCli(emulator.url, ["ssm", "delete-parameter", "--name", "/cli/none"]);
    expect(deleted.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
    expect(deleted.stderr).toContain("(ParameterNotFound) when calling the DeleteParameter operation");
    // GetParameters is not an error for a missing name: it lists it as invalid.
    const some = await awsCliJson<{ Parameters: unknown[]; InvalidParameters: string[] }>(emulator.url, [
      "ssm",
      "get-parameters",
      "--names",
      "/cli/none",
    ]);
    expect(some).toEqual({ Parameters: [], InvalidParameters: ["/cli/none"] });
    const type = await awsCli(emulator.url, [
      "ssm",
      "put-parameter",
      "--name",
      "/cli/typed",
      "--value",
      "v",
      "--type",
      "Secret",
    ]);
    // Neither CLI checks enum values itself: the service's front end answers.
    expect(type.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
    expect(type.stderr).toContain(
      "(ValidationException) when calling the PutParameter operation: 1 validation error detected: " +
        "Value 'Secret' at 'type' failed to satisfy constraint: Member must satisfy enum value set: " +
        "[SecureString, StringList, String]",
    );
    await awsCliJson(emulator.url, [
      "ssm",
      "put-parameter",
      "--name",
      "/cli/once",
      "--value",
      "a",
      "--type",
      "String",
    ]);
    const again = await awsCli(emulator.url, [
      "ssm",
      "put-parameter",
      "--name",
      "/cli/once",
      "--value",
      "b",
      "--type",
      "String",
    ]);
    expect(again.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
    expect(again.stderr).toContain("(ParameterAlreadyExists) when calling the PutParameter operation");
  }, 120_000);
});
