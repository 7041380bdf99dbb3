import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  paginateListRoles,
} from "@aws-sdk/client-iam";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../../src/runtime/emulator/index.js";
import { startEmulatorProcess } from "../../helpers/emulator-process.js";
import { testAuthorization } from "../../helpers/raw-aws.js";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const trust = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});
const permissions = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Action: ["dynamodb:PutItem"],
      Resource: "arn:aws:dynamodb:us-east-1:000000000000:table/x",
    },
  ],
});
const BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";

function client(url: string): IAMClient {
  return new IAMClient({ endpoint: url, region: "us-east-1", credentials });
}

describe("emulator: IAM", () => {
  let emulator: Emulator;
  let iam: IAMClient;

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["iam"] });
    iam = client(emulator.url);
  });
  afterAll(async () => {
    iam.destroy();
    await emulator.stop();
  });

  it("CreateRole: returns the ARN, an AROA id, the URL-encoded trust policy and defaults", async () => {
    const { Role } = await iam.send(
      new CreateRoleCommand({
        RoleName: "scraper-role",
        AssumeRolePolicyDocument: trust,
        Description: "scrapers",
        Tags: [{ Key: "app", Value: "pipeline" }],
      }),
    );
    expect(Role).toMatchObject({
      Path: "/",
      RoleName: "scraper-role",
      Arn: "arn:aws:iam::000000000000:role/scraper-role",
      Description: "scrapers",
      MaxSessionDuration: 3600,
      AssumeRolePolicyDocument: encodeURIComponent(trust),
      Tags: [{ Key: "app", Value: "pipeline" }],
    });
    expect(Role?.RoleId).toMatch(/^AROA[A-Z0-9]{17}$/);
    expect(Role?.CreateDate).toBeInstanceOf(Date);
    expect(JSON.parse(decodeURIComponent(Role!.AssumeRolePolicyDocument!))).toEqual(JSON.parse(trust));
  });

  it("CreateRole: a path goes into the ARN; the same name in another case is a duplicate (409)", async () => {
    const { Role } = await iam.send(
      new CreateRoleCommand({
        RoleName: "svc-role",
        Path: "/service-role/",
        AssumeRolePolicyDocument: trust,
      }),
    );
    expect(Role?.Arn).toBe("arn:aws:iam::000000000000:role/service-role/svc-role");
    await expect(
      iam.send(new CreateRoleCommand({ RoleName: "SVC-ROLE", AssumeRolePolicyDocument: trust })),
    ).rejects.toMatchObject({
      name: "EntityAlreadyExistsException",
      $metadata: { httpStatusCode: 409 },
    });
  });

  it("CreateRole: malformed trust policies are MalformedPolicyDocument (400)", async () => {
    await expect(
      iam.send(new CreateRoleCommand({ RoleName: "bad-json", AssumeRolePolicyDocument: "{not json" })),
    ).rejects.toMatchObject({ name: "MalformedPolicyDocumentException", $metadata: { httpStatusCode: 400 } });
    await expect(
      iam.send(
        new CreateRoleCommand({
          RoleName: "no-principal",
          AssumeRolePolicyDocument: JSON.stringify({
            Statement: [{ Effect: "Allow", Action: "sts:AssumeRole" }],
          }),
        }),
      ),
    ).rejects.toMatchObject({ name: "MalformedPolicyDocumentException" });
  });

  it("GetRole / DeleteRole: NoSuchEntity (404) for a missing role", async () => {
    await expect(iam.send(new GetRoleCommand({ RoleName: "ghost" }))).rejects.toMatchObject({
      name: "NoSuchEntityException",
      message: "The role with name ghost cannot be found.",
      $metadata: { httpStatusCode: 404 },
    });
    await expect(iam.send(new DeleteRoleCommand({ RoleName: "ghost" }))).rejects.toMatchObject({
      name: "NoSuchEntityException",
    });
  });

  it("UpdateAssumeRolePolicy replaces the trust policy", async () => {
    await iam.send(new CreateRoleCommand({ RoleName: "trust-update", AssumeRolePolicyDocument: trust }));
    const updated = trust.replace("lambda.amazonaws.com", "events.amazonaws.com");
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: "trust-update", PolicyDocument: updated }));
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: "trust-update" }));
    expect(decodeURIComponent(Role!.AssumeRolePolicyDocument!)).toBe(updated);
  });

  it("inline policies: put, get (URL-encoded), list, delete; a missing one is NoSuchEntity", async () => {
    await iam.send(new CreateRoleCommand({ RoleName: "inline", AssumeRolePolicyDocument: trust }));
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: "inline",
        PolicyName: "write-table",
        PolicyDocument: permissions,
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({ RoleName: "inline", PolicyName: "a-first", PolicyDocument: permissions }),
    );
    const got = await iam.send(new GetRolePolicyCommand({ RoleName: "inline", PolicyName: "write-table" }));
    expect(got).toMatchObject({
      RoleName: "inline",
      PolicyName: "write-table",
      PolicyDocument: encodeURIComponent(permissions),
    });
    const listed = await iam.send(new ListRolePoliciesCommand({ RoleName: "inline" }));
    expect(listed.PolicyNames).toEqual(["a-first", "write-table"]);
    expect(listed.IsTruncated).toBe(false);

    await expect(iam.send(new DeleteRoleCommand({ RoleName: "inline" }))).rejects.toMatchObject({
      name: "DeleteConflictException",
      $metadata: { httpStatusCode: 409 },
    });
    await iam.send(new DeleteRolePolicyCommand({ RoleName: "inline", PolicyName: "write-table" }));
    await iam.send(new DeleteRolePolicyCommand({ RoleName: "inline", PolicyName: "a-first" }));
    await expect(
      iam.send(new GetRolePolicyCommand({ RoleName: "inline", PolicyName: "write-table" })),
    ).rejects.toMatchObject({ name: "NoSuchEntityException" });
    await iam.send(new DeleteRoleCommand({ RoleName: "inline" }));
    await expect(iam.send(new GetRoleCommand({ RoleName: "inline" }))).rejects.toMatchObject({
      name: "NoSuchEntityException",
    });
  });

  it("PutRolePolicy: a policy with a Principal or bad JSON is MalformedPolicyDocument", async () => {
    await iam.send(new CreateRoleCommand({ RoleName: "bad-inline", AssumeRolePolicyDocument: trust }));
    await expect(
      iam.send(new PutRolePolicyCommand({ RoleName: "bad-inline", PolicyName: "p", PolicyDocument: trust })),
    ).rejects.toMatchObject({ name: "MalformedPolicyDocumentException" });
    await expect(
      iam.send(new PutRolePolicyCommand({ RoleName: "bad-inline", PolicyName: "p", PolicyDocument: "[]" })),
    ).rejects.toMatchObject({ name: "MalformedPolicyDocumentException" });
  });

  it("managed policies: attach (idempotent), list, detach; delete is refused while attached", async () => {
    await iam.send(new CreateRoleCommand({ RoleName: "managed", AssumeRolePolicyDocument: trust }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: "managed", PolicyArn: BASIC_EXECUTION }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: "managed", PolicyArn: BASIC_EXECUTION }));
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "managed" }));
    expect(attached.AttachedPolicies).toEqual([
      { PolicyName: "AWSLambdaBasicExecutionRole", PolicyArn: BASIC_EXECUTION },
    ]);
    await expect(iam.send(new DeleteRoleCommand({ RoleName: "managed" }))).rejects.toMatchObject({
      name: "DeleteConflictException",
    });
    await iam.send(new DetachRolePolicyCommand({ RoleName: "managed", PolicyArn: BASIC_EXECUTION }));
    await expect(
      iam.send(new DetachRolePolicyCommand({ RoleName: "managed", PolicyArn: BASIC_EXECUTION })),
    ).rejects.toMatchObject({ name: "NoSuchEntityException" });
    await expect(
      iam.send(new AttachRolePolicyCommand({ RoleName: "managed", PolicyArn: "not-an-arn" })),
    ).rejects.toMatchObject({ name: "InvalidInputException" });
    await iam.send(new DeleteRoleCommand({ RoleName: "managed" }));
  });

  it("tags: TagRole merges, UntagRole removes, ListRoleTags lists", async () => {
    await iam.send(
      new CreateRoleCommand({
        RoleName: "tagged",
        AssumeRolePolicyDocument: trust,
        Tags: [{ Key: "a", Value: "1" }],
      }),
    );
    await iam.send(
      new TagRoleCommand({
        RoleName: "tagged",
        Tags: [
          { Key: "b", Value: "2" },
          { Key: "a", Value: "3" },
        ],
      }),
    );
    expect((await iam.send(new ListRoleTagsCommand({ RoleName: "tagged" }))).Tags).toEqual([
      { Key: "a", Value: "3" },
      { Key: "b", Value: "2" },
    ]);
    await iam.send(new UntagRoleCommand({ RoleName: "tagged", TagKeys: ["a"] }));
    expect((await iam.send(new GetRoleCommand({ RoleName: "tagged" }))).Role?.Tags).toEqual([
      { Key: "b", Value: "2" },
    ]);
  });

  it("ListRoles: path prefix and Marker pagination; the paginator sees every role once", async () => {
    for (const n of ["p-c", "p-a", "p-b"]) {
      await iam.send(
        new CreateRoleCommand({ RoleName: n, Path: "/paged/", AssumeRolePolicyDocument: trust }),
      );
    }
    const first = await iam.send(new ListRolesCommand({ PathPrefix: "/paged/", MaxItems: 2 }));
    expect(first.Roles?.map((r) => r.RoleName)).toEqual(["p-a", "p-b"]);
    expect(first.IsTruncated).toBe(true);
    const second = await iam.send(
      new ListRolesCommand({ PathPrefix: "/paged/", MaxItems: 2, Marker: first.Marker }),
    );
    expect(second.Roles?.map((r) => r.RoleName)).toEqual(["p-c"]);
    expect(second.IsTruncated).toBe(false);
    const names: string[] = [];
    for await (const page of paginateListRoles({ client: iam, pageSize: 1 }, {})) {
      names.push(...(page.Roles ?? []).map((r) => r.RoleName!));
    }
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(["scraper-role", "svc-role", "p-a", "p-b", "p-c"]));
  });

  it("validation: a missing RoleName is a ValidationError; an unknown action is InvalidAction", async () => {
    await expect(iam.send(new GetRoleCommand({ RoleName: undefined }))).rejects.toMatchObject({
      name: "ValidationError",
      $metadata: { httpStatusCode: 400 },
    });
    const response = await fetch(emulator.url, {
      method: "POST",
      headers: { authorization: testAuthorization(), "content-type": "application/x-www-form-urlencoded" },
      body: "Action=CreateUserPool&Version=2010-05-08",
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("<Code>InvalidAction</Code>");
  });
});

describe("emulator: IAM persistence", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("roles and their policies survive a restart and kill -9", async () => {
    const persistDir = mkdtempSync(join(tmpdir(), "iam-persist-"));
    dirs.push(persistDir);
    const proc = await startEmulatorProcess({ persistDir, services: ["iam"] });
    const a = client(proc.url);
    const created = await a.send(
      new CreateRoleCommand({ RoleName: "kept", AssumeRolePolicyDocument: trust }),
    );
    await a.send(
      new PutRolePolicyCommand({ RoleName: "kept", PolicyName: "p", PolicyDocument: permissions }),
    );
    await a.send(new AttachRolePolicyCommand({ RoleName: "kept", PolicyArn: BASIC_EXECUTION }));
    a.destroy();
    await proc.kill9();

    const revived = await createEmulator({ services: ["iam"], persistDir });
    const b = client(revived.url);
    const { Role } = await b.send(new GetRoleCommand({ RoleName: "kept" }));
    expect(Role?.RoleId).toBe(created.Role?.RoleId);
    expect((await b.send(new ListRolePoliciesCommand({ RoleName: "kept" }))).PolicyNames).toEqual(["p"]);
    expect(
      (await b.send(new ListAttachedRolePoliciesCommand({ RoleName: "kept" }))).AttachedPolicies,
    ).toHaveLength(1);
    b.destroy();
    await revived.stop();

    const again = await createEmulator({ services: ["iam"], persistDir });
    const c = client(again.url);
    expect((await c.send(new GetRoleCommand({ RoleName: "kept" }))).Role?.Arn).toBe(
      "arn:aws:iam::000000000000:role/kept",
    );
    c.destroy();
    await again.stop();
  });
});
