import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AddClientIDToOpenIDConnectProviderCommand,
  AddRoleToInstanceProfileCommand,
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateInstanceProfileCommand,
  CreateOpenIDConnectProviderCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateServiceLinkedRoleCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteAccountPasswordPolicyCommand,
  DeleteGroupCommand,
  DeleteInstanceProfileCommand,
  DeleteOpenIDConnectProviderCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DeleteServiceLinkedRoleCommand,
  DeleteUserCommand,
  DetachGroupPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  GetAccountPasswordPolicyCommand,
  GetGroupCommand,
  GetInstanceProfileCommand,
  GetOpenIDConnectProviderCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetServiceLinkedRoleDeletionStatusCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedGroupPoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListGroupsForUserCommand,
  ListInstanceProfileTagsCommand,
  ListInstanceProfilesForRoleCommand,
  ListOpenIDConnectProviderTagsCommand,
  ListPoliciesCommand,
  ListPolicyTagsCommand,
  ListPolicyVersionsCommand,
  ListUserTagsCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  RemoveClientIDFromOpenIDConnectProviderCommand,
  RemoveRoleFromInstanceProfileCommand,
  RemoveUserFromGroupCommand,
  SetDefaultPolicyVersionCommand,
  TagInstanceProfileCommand,
  TagOpenIDConnectProviderCommand,
  TagPolicyCommand,
  TagUserCommand,
  UntagInstanceProfileCommand,
  UntagOpenIDConnectProviderCommand,
  UpdateAccessKeyCommand,
  UpdateAccountPasswordPolicyCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateOpenIDConnectProviderThumbprintCommand,
  paginateListPolicies,
} from "@aws-sdk/client-iam";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../../src/runtime/emulator/index.js";
import { AWS_CLI_SERVICE_ERROR_EXIT, awsCli, awsCliAvailable, awsCliJson } from "../../helpers/aws-cli.js";
import { startEmulatorProcess } from "../../helpers/emulator-process.js";

/**
 * IAM beyond roles, as the IAM API Reference documents it: managed policies and their versions,
 * attachments to roles, users and groups, users and access keys, groups, instance profiles,
 * service-linked roles, the account password policy and tags. Error cases come first in each test.
 */

const ACCOUNT = "000000000000";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
const trust = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});
const document = (
  actions: string[] = ["dynamodb:GetItem"],
  resource = "arn:aws:dynamodb:us-east-1:000000000000:table/t",
) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: actions, Resource: resource }],
  });

function client(url: string, keys = credentials): IAMClient {
  return new IAMClient({ endpoint: url, region: "us-east-1", credentials: keys });
}

describe("emulator: IAM policy documents are validated as IAM does", () => {
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

  const refused = async (policyDocument: string, message: string | RegExp) => {
    const error = await iam
      .send(new CreatePolicyCommand({ PolicyName: "checked", PolicyDocument: policyDocument }))
      .then(
        () => undefined,
        (e: Error & { $metadata?: { httpStatusCode?: number } }) => e,
      );
    expect(error?.name).toBe("MalformedPolicyDocumentException");
    expect(error?.$metadata?.httpStatusCode).toBe(400);
    if (typeof message === "string") expect(error?.message).toBe(message);
    else expect(error?.message).toMatch(message);
  };
  const statement = (s: Record<string, unknown>) => JSON.stringify({ Version: "2012-10-17", Statement: [s] });
  const allow = { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" };

  it("names what is wrong: JSON, Version, Statement, Effect, Action/NotAction, actions, resources", async () => {
    await refused("{not json", "This policy contains invalid Json");
    await refused(
      JSON.stringify({ Statement: [allow] }),
      "Policy document must be version 2012-10-17 or greater.",
    );
    await refused(
      JSON.stringify({ Version: "2008-10-17", Statement: [allow] }),
      "Policy document must be version 2012-10-17 or greater.",
    );
    await refused(JSON.stringify({ Version: "2012-10-17" }), /^Syntax errors in policy\. .*no Statement/);
    await refused(
      statement({ Action: "s3:GetObject", Resource: "*" }),
      /^Syntax errors in policy\. .*no Effect/,
    );
    await refused(
      statement({ ...allow, Effect: "Permit" }),
      /^Syntax errors in policy\. .*Effect must be "Allow" or "Deny"/,
    );
    await refused(
      statement({ ...allow, NotAction: "s3:PutObject" }),
      /^Syntax errors in policy\. .*both Action and NotAction/,
    );
    await refused(statement({ Effect: "Allow", Resource: "*" }), "Policy statement must contain actions.");
    await refused(
      statement({ Effect: "Allow", Action: "s3:GetObject" }),
      "Policy statement must contain resources.",
    );
    await refused(statement({ ...allow, Principal: "*" }), "Policy document should not specify a principal.");
    await refused(statement({ ...allow, Action: "GetObject" }), /must be prefaced by a vendor/);
    await refused(
      statement({ ...allow, Resource: "bucket" }),
      'Resource bucket must be in ARN format or "*".',
    );
    await refused(
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { ...allow, Sid: "a" },
          { ...allow, Sid: "a" },
        ],
      }),
      "Statement IDs (SID) in a single policy must be unique.",
    );
    await refused(statement({ ...allow, Effect: "allow" }), "The policy failed legacy parsing");
  });

  it("refuses a managed policy over 6,144 characters (white space not counted) with LimitExceeded", async () => {
    const actions = Array.from({ length: 400 }, (_, n) => `dynamodb:Action${n}`);
    await expect(
      iam.send(new CreatePolicyCommand({ PolicyName: "huge", PolicyDocument: document(actions) })),
    ).rejects.toMatchObject({
      name: "LimitExceededException",
      message: "Cannot exceed quota for PolicySize: 6144",
    });
  });

  it("trust policies: a Resource is prohibited; a same-account principal must exist", async () => {
    const withResource = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "lambda.amazonaws.com" },
          Action: "sts:AssumeRole",
          Resource: "*",
        },
      ],
    });
    await expect(
      iam.send(new CreateRoleCommand({ RoleName: "r1", AssumeRolePolicyDocument: withResource })),
    ).rejects.toMatchObject({
      name: "MalformedPolicyDocumentException",
      message: "Has prohibited field Resource.",
    });
    const ghost = `arn:aws:iam::${ACCOUNT}:role/ghost`;
    const trustsGhost = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { AWS: ghost }, Action: "sts:AssumeRole" }],
    });
    await expect(
      iam.send(new CreateRoleCommand({ RoleName: "r2", AssumeRolePolicyDocument: trustsGhost })),
    ).rejects.toMatchObject({
      name: "MalformedPolicyDocumentException",
      message: `Invalid principal in policy: "AWS":"${ghost}"`,
    });
    await iam.send(new CreateRoleCommand({ RoleName: "ghost", AssumeRolePolicyDocument: trust }));
    await iam.send(new CreateRoleCommand({ RoleName: "r2", AssumeRolePolicyDocument: trustsGhost }));
  });
});

describe("emulator: IAM managed policies", () => {
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

  it("CreatePolicy / GetPolicy: ARN with path, ANPA id, v1 default; duplicates and unknown ARNs refused", async () => {
    await expect(
      iam.send(new GetPolicyCommand({ PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/none` })),
    ).rejects.toMatchObject({
      name: "NoSuchEntityException",
      message: `Policy arn:aws:iam::${ACCOUNT}:policy/none was not found.`,
      $metadata: { httpStatusCode: 404 },
    });
    const { Policy } = await iam.send(
      new CreatePolicyCommand({
        PolicyName: "read-table",
        Path: "/app/",
        PolicyDocument: document(),
        Description: "reads the table",
        Tags: [{ Key: "team", Value: "data" }],
      }),
    );
    expect(Policy).toMatchObject({
      PolicyName: "read-table",
      Arn: `arn:aws:iam::${ACCOUNT}:policy/app/read-table`,
      Path: "/app/",
      DefaultVersionId: "v1",
      AttachmentCount: 0,
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
    });
    expect(Policy?.PolicyId).toMatch(/^ANPA[A-Z0-9]{17}$/);
    await expect(
      iam.send(new CreatePolicyCommand({ PolicyName: "read-table", PolicyDocument: document() })),
    ).rejects.toMatchObject({ name: "EntityAlreadyExistsException", $metadata: { httpStatusCode: 409 } });
    const got = await iam.send(new GetPolicyCommand({ PolicyArn: Policy!.Arn }));
    expect(got.Policy).toMatchObject({
      Description: "reads the table",
      Tags: [{ Key: "team", Value: "data" }],
    });
  });

  it("versions: at most five, SetAsDefault, the default cannot be deleted, newest listed first", async () => {
    const { Policy } = await iam.send(
      new CreatePolicyCommand({ PolicyName: "versioned", PolicyDocument: document() }),
    );
    const arn = Policy!.Arn!;
    for (const n of [2, 3, 4, 5]) {
      const { PolicyVersion } = await iam.send(
        new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: document([`dynamodb:Query${n}`]) }),
      );
      expect(PolicyVersion).toMatchObject({ VersionId: `v${n}`, IsDefaultVersion: false });
    }
    await expect(
      iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: document() })),
    ).rejects.toMatchObject({
      name: "LimitExceededException",
      message:
        "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.",
    });
    await expect(
      iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: "v1" })),
    ).rejects.toMatchObject({
      name: "DeleteConflictException",
      message: "Cannot delete the default version of a policy.",
    });
    await expect(
      iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: "v9" })),
    ).rejects.toMatchObject({
      name: "NoSuchEntityException",
    });
    await expect(
      iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: "v9" })),
    ).rejects.toMatchObject({ name: "NoSuchEntityException" });
    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: "v2" }));
    const { PolicyVersion } = await iam.send(
      new CreatePolicyVersionCommand({
        PolicyArn: arn,
        PolicyDocument: document(["dynamodb:Scan"]),
        SetAsDefault: true,
      }),
    );
    // Version numbers are never reused.
    expect(PolicyVersion).toMatchObject({ VersionId: "v6", IsDefaultVersion: true });
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.DefaultVersionId).toBe("v6");
    const v6 = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: "v6" }));
    expect(JSON.parse(decodeURIComponent(v6.PolicyVersion!.Document!))).toEqual(
      JSON.parse(document(["dynamodb:Scan"])),
    );
    const listed = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }));
    expect(listed.Versions?.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([
      ["v6", true],
      ["v5", false],
      ["v4", false],
      ["v3", false],
      ["v1", false],
    ]);
    await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: "v1" }));
    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: "v6" }));
    await expect(iam.send(new DeletePolicyCommand({ PolicyArn: arn }))).rejects.toMatchObject({
      name: "DeleteConflictException",
      message: expect.stringContaining("more than one version"),
    });
    for (const v of ["v3", "v4", "v5"])
      await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: v }));
    await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
    await expect(iam.send(new GetPolicyCommand({ PolicyArn: arn }))).rejects.toMatchObject({
      name: "NoSuchEntityException",
    });
  });

  it("attachments to roles, users and groups; counts; ListEntitiesForPolicy; DeletePolicy refused while attached", async () => {
    const { Policy } = await iam.send(
      new CreatePolicyCommand({ PolicyName: "shared", PolicyDocument: document() }),
    );
    const arn = Policy!.Arn!;
    await iam.send(new CreateRoleCommand({ RoleName: "fn-role", AssumeRolePolicyDocument: trust }));
    await iam.send(new CreateUserCommand({ UserName: "alice" }));
    await iam.send(new CreateGroupCommand({ GroupName: "devs" }));
    await expect(
      iam.send(
        new AttachUserPolicyCommand({
          UserName: "alice",
          PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/missing`,
        }),
      ),
    ).rejects.toMatchObject({
      name: "NoSuchEntityException",
      message: `Policy arn:aws:iam::${ACCOUNT}:policy/missing does not exist or is not attachable.`,
    });
    await expect(
      iam.send(
        new AttachRolePolicyCommand({
          RoleName: "fn-role",
          PolicyArn: "arn:aws:iam::aws:policy/NoSuchAwsPolicy",
        }),
      ),
    ).rejects.toMatchObject({ name: "NoSuchEntityException" });
    await expect(
      iam.send(new AttachUserPolicyCommand({ UserName: "nobody", PolicyArn: arn })),
    ).rejects.toMatchObject({
      name: "NoSuchEntityException",
      message: "The user with name nobody cannot be found.",
    });

    await iam.send(new AttachRolePolicyCommand({ RoleName: "fn-role", PolicyArn: arn }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: "fn-role", PolicyArn: BASIC_EXECUTION }));
    await iam.send(new AttachUserPolicyCommand({ UserName: "alice", PolicyArn: arn }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: "devs", PolicyArn: arn }));
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.AttachmentCount).toBe(3);
    expect(
      (await iam.send(new GetPolicyCommand({ PolicyArn: BASIC_EXECUTION }))).Policy?.AttachmentCount,
    ).toBe(1);
    expect(
      (await iam.send(new ListAttachedUserPoliciesCommand({ UserName: "alice" }))).AttachedPolicies,
    ).toEqual([{ PolicyName: "shared", PolicyArn: arn }]);
    expect(
      (await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: "devs" }))).AttachedPolicies,
    ).toEqual([{ PolicyName: "shared", PolicyArn: arn }]);
    const entities = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: arn }));
    expect(entities.PolicyRoles?.map((r) => r.RoleName)).toEqual(["fn-role"]);
    expect(entities.PolicyUsers?.map((u) => u.UserName)).toEqual(["alice"]);
    expect(entities.PolicyGroups?.map((g) => g.GroupName)).toEqual(["devs"]);
    expect(entities.PolicyUsers?.[0]?.UserId).toMatch(/^AIDA/);
    const onlyRoles = await iam.send(
      new ListEntitiesForPolicyCommand({ PolicyArn: arn, EntityFilter: "Role" }),
    );
    expect([
      onlyRoles.PolicyRoles?.length,
      onlyRoles.PolicyUsers?.length,
      onlyRoles.PolicyGroups?.length,
    ]).toEqual([1, 0, 0]);

    await expect(iam.send(new DeletePolicyCommand({ PolicyArn: arn }))).rejects.toMatchObject({
      name: "DeleteConflictException",
      message: "Cannot delete a policy attached to entities.",
      $metadata: { httpStatusCode: 409 },
    });
    await expect(iam.send(new DeleteUserCommand({ UserName: "alice" }))).rejects.toMatchObject({
      name: "DeleteConflictException",
    });
    await iam.send(new DetachRolePolicyCommand({ RoleName: "fn-role", PolicyArn: arn }));
    await iam.send(new DetachUserPolicyCommand({ UserName: "alice", PolicyArn: arn }));
    await iam.send(new DetachGroupPolicyCommand({ GroupName: "devs", PolicyArn: arn }));
    await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
  });

  it("ListPolicies: Scope, OnlyAttached, PathPrefix and Marker pagination", async () => {
    await iam.send(
      new CreatePolicyCommand({ PolicyName: "p-one", Path: "/list/", PolicyDocument: document() }),
    );
    await iam.send(
      new CreatePolicyCommand({ PolicyName: "p-two", Path: "/list/", PolicyDocument: document() }),
    );
    const local = await iam.send(new ListPoliciesCommand({ Scope: "Local", PathPrefix: "/list/" }));
    expect(local.Policies?.map((p) => p.PolicyName)).toEqual(["p-one", "p-two"]);
    const aws = await iam.send(new ListPoliciesCommand({ Scope: "AWS", PathPrefix: "/service-role/" }));
    expect(aws.Policies?.map((p) => p.Arn)).toContain(BASIC_EXECUTION);
    expect(aws.Policies?.every((p) => p.Arn?.startsWith("arn:aws:iam::aws:policy/service-role/"))).toBe(true);
    const attached = await iam.send(new ListPoliciesCommand({ OnlyAttached: true }));
    expect(attached.Policies?.map((p) => p.PolicyName)).toEqual(["AWSLambdaBasicExecutionRole"]);
    await expect(iam.send(new ListPoliciesCommand({ Scope: "Everything" as never }))).rejects.toMatchObject({
      name: "ValidationError",
    });
    const names: string[] = [];
    for await (const page of paginateListPolicies({ client: iam, pageSize: 3 }, { Scope: "All" })) {
      names.push(...(page.Policies ?? []).map((p) => p.Arn!));
    }
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(
      expect.arrayContaining([BASIC_EXECUTION, `arn:aws:iam::${ACCOUNT}:policy/list/p-one`]),
    );
  });

  it("AWS managed policies: readable by ARN with their document, never changed", async () => {
    const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn: BASIC_EXECUTION }));
    expect(Policy).toMatchObject({
      PolicyName: "AWSLambdaBasicExecutionRole",
      Path: "/service-role/",
      DefaultVersionId: "v1",
    });
    const { PolicyVersion } = await iam.send(
      new GetPolicyVersionCommand({ PolicyArn: BASIC_EXECUTION, VersionId: Policy!.DefaultVersionId! }),
    );
    const doc = JSON.parse(decodeURIComponent(PolicyVersion!.Document!)) as {
      Statement: { Action: string[] }[];
    };
    expect(doc.Statement[0]?.Action).toEqual([
      "logs:CreateLogGroup",
      "logs:CreateLogStream",
      "logs:PutLogEvents",
    ]);
    await expect(
      iam.send(new CreatePolicyVersionCommand({ PolicyArn: BASIC_EXECUTION, PolicyDocument: document() })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
    await expect(iam.send(new DeletePolicyCommand({ PolicyArn: BASIC_EXECUTION }))).rejects.toBeDefined();
  });

  it("tags on policies and users", async () => {
    const { Policy } = await iam.send(
      new CreatePolicyCommand({ PolicyName: "tagged", PolicyDocument: document() }),
    );
    await expect(iam.send(new TagPolicyCommand({ PolicyArn: Policy!.Arn, Tags: [] }))).rejects.toMatchObject({
      name: "ValidationError",
    });
    await iam.send(
      new TagPolicyCommand({
        PolicyArn: Policy!.Arn,
        Tags: [
          { Key: "b", Value: "2" },
          { Key: "a", Value: "1" },
        ],
      }),
    );
    expect((await iam.send(new ListPolicyTagsCommand({ PolicyArn: Policy!.Arn }))).Tags).toEqual([
      { Key: "a", Value: "1" },
      { Key: "b", Value: "2" },
    ]);
    await iam.send(new CreateUserCommand({ UserName: "tagged-user", Tags: [{ Key: "x", Value: "1" }] }));
    await iam.send(new TagUserCommand({ UserName: "tagged-user", Tags: [{ Key: "x", Value: "2" }] }));
    expect((await iam.send(new ListUserTagsCommand({ UserName: "tagged-user" }))).Tags).toEqual([
      { Key: "x", Value: "2" },
    ]);
    const fiftyOne = Array.from({ length: 51 }, (_, n) => ({ Key: `k${n}`, Value: "v" }));
    await expect(
      iam.send(new TagUserCommand({ UserName: "tagged-user", Tags: fiftyOne })),
    ).rejects.toMatchObject({
      $metadata: { httpStatusCode: 400 },
    });
  });
});

describe("emulator: IAM users, access keys, groups, instance profiles, service-linked roles", () => {
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

  it("users: create, duplicate (409), missing (404), inline policy with the user's 2,048-character quota", async () => {
    await expect(iam.send(new GetUserCommand({ UserName: "bob" }))).rejects.toMatchObject({
      name: "NoSuchEntityException",
      message: "The user with name bob cannot be found.",
    });
    const { User } = await iam.send(new CreateUserCommand({ UserName: "bob", Path: "/staff/" }));
    expect(User).toMatchObject({
      UserName: "bob",
      Path: "/staff/",
      Arn: `arn:aws:iam::${ACCOUNT}:user/staff/bob`,
    });
    expect(User?.UserId).toMatch(/^AIDA[A-Z0-9]{17}$/);
    await expect(iam.send(new CreateUserCommand({ UserName: "BOB" }))).rejects.toMatchObject({
      name: "EntityAlreadyExistsException",
      message: "User with name BOB already exists.",
    });
    const big = document(Array.from({ length: 120 }, (_, n) => `dynamodb:Action${n}`));
    await expect(
      iam.send(new PutUserPolicyCommand({ UserName: "bob", PolicyName: "big", PolicyDocument: big })),
    ).rejects.toMatchObject({
      name: "LimitExceededException",
      message: "Maximum policy size of 2048 bytes exceeded for user bob",
    });
    await iam.send(
      new PutUserPolicyCommand({ UserName: "bob", PolicyName: "small", PolicyDocument: document() }),
    );
    const got = await iam.send(new GetUserPolicyCommand({ UserName: "bob", PolicyName: "small" }));
    expect(decodeURIComponent(got.PolicyDocument!)).toBe(document());
    await expect(iam.send(new DeleteUserCommand({ UserName: "bob" }))).rejects.toMatchObject({
      name: "DeleteConflictException",
      message: "Cannot delete entity, must delete policies first.",
    });
  });

  it("access keys: two per user, AKIA ids and 40-character secrets, Inactive, and the keys identify the user", async () => {
    await iam.send(new CreateUserCommand({ UserName: "carol" }));
    const first = await iam.send(new CreateAccessKeyCommand({ UserName: "carol" }));
    expect(first.AccessKey).toMatchObject({ UserName: "carol", Status: "Active" });
    expect(first.AccessKey?.AccessKeyId).toMatch(/^AKIA[A-Z0-9]{16}$/);
    expect(first.AccessKey?.SecretAccessKey).toHaveLength(40);
    await iam.send(new CreateAccessKeyCommand({ UserName: "carol" }));
    await expect(iam.send(new CreateAccessKeyCommand({ UserName: "carol" }))).rejects.toMatchObject({
      name: "LimitExceededException",
      message: "Cannot exceed quota for AccessKeysPerUser: 2",
      $metadata: { httpStatusCode: 409 },
    });
    await expect(iam.send(new DeleteUserCommand({ UserName: "carol" }))).rejects.toMatchObject({
      name: "DeleteConflictException",
      message: "Cannot delete entity, must delete access keys first.",
    });
    // A request signed with carol's key is carol: GetUser without a name answers her.
    const asCarol = client(emulator.url, {
      accessKeyId: first.AccessKey!.AccessKeyId!,
      secretAccessKey: first.AccessKey!.SecretAccessKey!,
    });
    expect((await asCarol.send(new GetUserCommand({}))).User?.UserName).toBe("carol");
    expect((await asCarol.send(new ListAccessKeysCommand({}))).AccessKeyMetadata).toHaveLength(2);
    asCarol.destroy();
    await iam.send(
      new UpdateAccessKeyCommand({
        UserName: "carol",
        AccessKeyId: first.AccessKey!.AccessKeyId,
        Status: "Inactive",
      }),
    );
    const listed = await iam.send(new ListAccessKeysCommand({ UserName: "carol" }));
    expect(
      listed.AccessKeyMetadata?.find((k) => k.AccessKeyId === first.AccessKey?.AccessKeyId)?.Status,
    ).toBe("Inactive");
    await expect(
      iam.send(new DeleteAccessKeyCommand({ UserName: "carol", AccessKeyId: "AKIANOTAKEY000000000" })),
    ).rejects.toMatchObject({ name: "NoSuchEntityException" });
    for (const k of listed.AccessKeyMetadata ?? []) {
      await iam.send(new DeleteAccessKeyCommand({ UserName: "carol", AccessKeyId: k.AccessKeyId }));
    }
    await iam.send(new DeleteUserCommand({ UserName: "carol" }));
  });

  it("groups: membership, GetGroup lists users, DeleteGroup refused while it has members", async () => {
    await iam.send(new CreateUserCommand({ UserName: "dave" }));
    await iam.send(new CreateGroupCommand({ GroupName: "ops", Path: "/teams/" }));
    await expect(iam.send(new CreateGroupCommand({ GroupName: "OPS" }))).rejects.toMatchObject({
      name: "EntityAlreadyExistsException",
    });
    await expect(
      iam.send(new AddUserToGroupCommand({ GroupName: "nope", UserName: "dave" })),
    ).rejects.toMatchObject({
      name: "NoSuchEntityException",
      message: "The group with name nope cannot be found.",
    });
    await iam.send(new AddUserToGroupCommand({ GroupName: "ops", UserName: "dave" }));
    const { Group, Users } = await iam.send(new GetGroupCommand({ GroupName: "ops" }));
    expect(Group).toMatchObject({ GroupName: "ops", Arn: `arn:aws:iam::${ACCOUNT}:group/teams/ops` });
    expect(Group?.GroupId).toMatch(/^AGPA/);
    expect(Users?.map((u) => u.UserName)).toEqual(["dave"]);
    expect(
      (await iam.send(new ListGroupsForUserCommand({ UserName: "dave" }))).Groups?.map((g) => g.GroupName),
    ).toEqual(["ops"]);
    await expect(iam.send(new DeleteGroupCommand({ GroupName: "ops" }))).rejects.toMatchObject({
      name: "DeleteConflictException",
    });
    await expect(iam.send(new DeleteUserCommand({ UserName: "dave" }))).rejects.toMatchObject({
      name: "DeleteConflictException",
    });
    await iam.send(new RemoveUserFromGroupCommand({ GroupName: "ops", UserName: "dave" }));
    await iam.send(new DeleteGroupCommand({ GroupName: "ops" }));
    await iam.send(new DeleteUserCommand({ UserName: "dave" }));
  });

  it("instance profiles: one role at most; a role in a profile cannot be deleted", async () => {
    await iam.send(new CreateRoleCommand({ RoleName: "ec2-a", AssumeRolePolicyDocument: trust }));
    await iam.send(new CreateRoleCommand({ RoleName: "ec2-b", AssumeRolePolicyDocument: trust }));
    const { InstanceProfile } = await iam.send(
      new CreateInstanceProfileCommand({ InstanceProfileName: "web" }),
    );
    expect(InstanceProfile).toMatchObject({
      InstanceProfileName: "web",
      Arn: `arn:aws:iam::${ACCOUNT}:instance-profile/web`,
      Roles: [],
    });
    expect(InstanceProfile?.InstanceProfileId).toMatch(/^AIPA/);
    await expect(
      iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: "web" })),
    ).rejects.toMatchObject({
      name: "EntityAlreadyExistsException",
    });
    await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: "web", RoleName: "ec2-a" }));
    await expect(
      iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: "web", RoleName: "ec2-b" })),
    ).rejects.toMatchObject({
      name: "LimitExceededException",
      message: "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1",
    });
    await expect(iam.send(new DeleteRoleCommand({ RoleName: "ec2-a" }))).rejects.toMatchObject({
      name: "DeleteConflictException",
      message: "Cannot delete entity, must remove roles from instance profile first.",
    });
    await expect(
      iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: "web" })),
    ).rejects.toMatchObject({
      name: "DeleteConflictException",
    });
    expect(
      (
        await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: "web" }))
      ).InstanceProfile?.Roles?.map((r) => r.RoleName),
    ).toEqual(["ec2-a"]);
    expect(
      (await iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: "ec2-a" }))).InstanceProfiles?.map(
        (p) => p.InstanceProfileName,
      ),
    ).toEqual(["web"]);
    await iam.send(
      new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: "web", RoleName: "ec2-a" }),
    );
    await iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: "web" }));
    await iam.send(new DeleteRoleCommand({ RoleName: "ec2-a" }));
    await expect(
      iam.send(new GetInstanceProfileCommand({ InstanceProfileName: "web" })),
    ).rejects.toMatchObject({
      name: "NoSuchEntityException",
      message: "Instance Profile web cannot be found.",
    });
  });

  it("service-linked roles: AWS's name and path, taken names, protected from customer changes", async () => {
    await expect(
      iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: "not-a-service.example.com" })),
    ).rejects.toMatchObject({ name: "InvalidInputException" });
    const { Role } = await iam.send(
      new CreateServiceLinkedRoleCommand({ AWSServiceName: "autoscaling.amazonaws.com" }),
    );
    expect(Role).toMatchObject({
      RoleName: "AWSServiceRoleForAutoScaling",
      Path: "/aws-service-role/autoscaling.amazonaws.com/",
      Arn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
    });
    const trustDoc = JSON.parse(decodeURIComponent(Role!.AssumeRolePolicyDocument!)) as {
      Statement: { Principal: { Service: string[] } }[];
    };
    expect(trustDoc.Statement[0]?.Principal.Service).toEqual(["autoscaling.amazonaws.com"]);
    await expect(
      iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: "autoscaling.amazonaws.com" })),
    ).rejects.toMatchObject({
      name: "InvalidInputException",
      message:
        "Service role name AWSServiceRoleForAutoScaling has been taken in this account, please try a different suffix.",
    });
    const suffixed = await iam.send(
      new CreateServiceLinkedRoleCommand({
        AWSServiceName: "autoscaling.amazonaws.com",
        CustomSuffix: "fleet",
      }),
    );
    expect(suffixed.Role?.RoleName).toBe("AWSServiceRoleForAutoScaling_fleet");
    await expect(
      iam.send(
        new CreateServiceLinkedRoleCommand({ AWSServiceName: "ecs.amazonaws.com", CustomSuffix: "x" }),
      ),
    ).rejects.toMatchObject({ name: "InvalidInputException" });
    await expect(
      iam.send(new DeleteRoleCommand({ RoleName: "AWSServiceRoleForAutoScaling" })),
    ).rejects.toMatchObject({
      name: "UnmodifiableEntityException",
    });
    await expect(
      iam.send(
        new PutRolePolicyCommand({
          RoleName: "AWSServiceRoleForAutoScaling",
          PolicyName: "p",
          PolicyDocument: document(),
        }),
      ),
    ).rejects.toMatchObject({ name: "UnmodifiableEntityException" });
    await expect(
      iam.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: "AWSServiceRoleForAutoScaling",
          PolicyDocument: trust,
        }),
      ),
    ).rejects.toMatchObject({ name: "UnmodifiableEntityException" });
    const { DeletionTaskId } = await iam.send(
      new DeleteServiceLinkedRoleCommand({ RoleName: "AWSServiceRoleForAutoScaling" }),
    );
    expect(DeletionTaskId).toMatch(
      /^task\/aws-service-role\/autoscaling\.amazonaws\.com\/AWSServiceRoleForAutoScaling\//,
    );
    expect((await iam.send(new GetServiceLinkedRoleDeletionStatusCommand({ DeletionTaskId }))).Status).toBe(
      "SUCCEEDED",
    );
  });

  it("the account password policy: none until set, IAM's limits, defaults for what is left out", async () => {
    await expect(iam.send(new GetAccountPasswordPolicyCommand({}))).rejects.toMatchObject({
      name: "NoSuchEntityException",
      message: `The Password Policy with domain name ${ACCOUNT} cannot be found.`,
    });
    await expect(
      iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 5 })),
    ).rejects.toMatchObject({ name: "ValidationError", $metadata: { httpStatusCode: 400 } });
    await expect(
      iam.send(new UpdateAccountPasswordPolicyCommand({ PasswordReusePrevention: 25 })),
    ).rejects.toMatchObject({ name: "ValidationError" });
    await iam.send(
      new UpdateAccountPasswordPolicyCommand({
        MinimumPasswordLength: 14,
        RequireSymbols: true,
        MaxPasswordAge: 90,
      }),
    );
    expect((await iam.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy).toEqual({
      MinimumPasswordLength: 14,
      RequireSymbols: true,
      RequireNumbers: false,
      RequireUppercaseCharacters: false,
      RequireLowercaseCharacters: false,
      AllowUsersToChangePassword: false,
      ExpirePasswords: true,
      MaxPasswordAge: 90,
    });
    // No partial updates: what is left out goes back to its default.
    await iam.send(new UpdateAccountPasswordPolicyCommand({ RequireNumbers: true }));
    expect((await iam.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy).toMatchObject({
      MinimumPasswordLength: 6,
      RequireSymbols: false,
      RequireNumbers: true,
      ExpirePasswords: false,
    });
    await iam.send(new DeleteAccountPasswordPolicyCommand({}));
    await expect(iam.send(new DeleteAccountPasswordPolicyCommand({}))).rejects.toMatchObject({
      name: "NoSuchEntityException",
    });
  });

  it("OpenID Connect providers: missing ARNs, client IDs added and removed idempotently, thumbprints replaced, tags", async () => {
    const missingArn = `arn:aws:iam::${ACCOUNT}:oidc-provider/nowhere.example.com`;
    await expect(
      iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: missingArn })),
    ).rejects.toMatchObject({ name: "NoSuchEntityException", $metadata: { httpStatusCode: 404 } });
    await expect(
      iam.send(
        new TagOpenIDConnectProviderCommand({
          OpenIDConnectProviderArn: missingArn,
          Tags: [{ Key: "a", Value: "1" }],
        }),
      ),
    ).rejects.toMatchObject({ name: "NoSuchEntityException" });
    const thumbprint = "a".repeat(40);
    const { OpenIDConnectProviderArn: arn } = await iam.send(
      new CreateOpenIDConnectProviderCommand({
        Url: "https://issuer.example.com",
        ClientIDList: ["sts.amazonaws.com"],
        ThumbprintList: [thumbprint],
        Tags: [{ Key: "team", Value: "ci" }],
      }),
    );
    expect(arn).toBe(`arn:aws:iam::${ACCOUNT}:oidc-provider/issuer.example.com`);
    await expect(
      iam.send(
        new CreateOpenIDConnectProviderCommand({
          Url: "https://issuer.example.com",
          ThumbprintList: [thumbprint],
        }),
      ),
    ).rejects.toMatchObject({ name: "EntityAlreadyExistsException", $metadata: { httpStatusCode: 409 } });
    await expect(
      iam.send(
        new UpdateOpenIDConnectProviderThumbprintCommand({
          OpenIDConnectProviderArn: arn,
          ThumbprintList: ["not-a-thumbprint"],
        }),
      ),
    ).rejects.toMatchObject({ name: "ValidationError", $metadata: { httpStatusCode: 400 } });
    await expect(
      iam.send(new TagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, Tags: [] })),
    ).rejects.toMatchObject({ name: "ValidationError" });

    // Adding a client ID it has and removing one it lacks both succeed (the operations are idempotent).
    for (const ClientID of ["app-1", "app-1"]) {
      await iam.send(
        new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID }),
      );
    }
    await iam.send(
      new RemoveClientIDFromOpenIDConnectProviderCommand({
        OpenIDConnectProviderArn: arn,
        ClientID: "sts.amazonaws.com",
      }),
    );
    await iam.send(
      new RemoveClientIDFromOpenIDConnectProviderCommand({
        OpenIDConnectProviderArn: arn,
        ClientID: "never-added",
      }),
    );
    // The new list replaces the thumbprints as a whole.
    await iam.send(
      new UpdateOpenIDConnectProviderThumbprintCommand({
        OpenIDConnectProviderArn: arn,
        ThumbprintList: ["b".repeat(40), "c".repeat(40)],
      }),
    );
    await iam.send(
      new TagOpenIDConnectProviderCommand({
        OpenIDConnectProviderArn: arn,
        Tags: [
          { Key: "team", Value: "platform" },
          { Key: "env", Value: "test" },
        ],
      }),
    );
    await iam.send(
      new UntagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, TagKeys: ["env"] }),
    );
    expect(
      await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })),
    ).toMatchObject({
      Url: "issuer.example.com",
      ClientIDList: ["app-1"],
      ThumbprintList: ["b".repeat(40), "c".repeat(40)],
      Tags: [{ Key: "team", Value: "platform" }],
    });
    expect(
      (await iam.send(new ListOpenIDConnectProviderTagsCommand({ OpenIDConnectProviderArn: arn }))).Tags,
    ).toEqual([{ Key: "team", Value: "platform" }]);
    await iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
    await expect(
      iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })),
    ).rejects.toMatchObject({ name: "NoSuchEntityException" });
  });

  it("tags on instance profiles: on create, merged, removed, listed by key; a missing profile is NoSuchEntity", async () => {
    await expect(
      iam.send(
        new TagInstanceProfileCommand({
          InstanceProfileName: "no-profile",
          Tags: [{ Key: "a", Value: "1" }],
        }),
      ),
    ).rejects.toMatchObject({
      name: "NoSuchEntityException",
      message: "Instance Profile no-profile cannot be found.",
    });
    await iam.send(
      new CreateInstanceProfileCommand({
        InstanceProfileName: "tagged-profile",
        Tags: [{ Key: "z", Value: "1" }],
      }),
    );
    await iam.send(
      new TagInstanceProfileCommand({
        InstanceProfileName: "tagged-profile",
        Tags: [
          { Key: "z", Value: "2" },
          { Key: "m", Value: "3" },
          { Key: "a", Value: "4" },
        ],
      }),
    );
    await iam.send(
      new UntagInstanceProfileCommand({ InstanceProfileName: "tagged-profile", TagKeys: ["m"] }),
    );
    expect(
      (await iam.send(new ListInstanceProfileTagsCommand({ InstanceProfileName: "tagged-profile" }))).Tags,
    ).toEqual([
      { Key: "a", Value: "4" },
      { Key: "z", Value: "2" },
    ]);
    expect(
      (await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: "tagged-profile" })))
        .InstanceProfile?.Tags,
    ).toEqual(expect.arrayContaining([{ Key: "a", Value: "4" }]));
    await iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: "tagged-profile" }));
  });

  it("inline role policies keep working with role deletion order (detach, delete policies, delete)", async () => {
    await iam.send(new CreateRoleCommand({ RoleName: "cleanup", AssumeRolePolicyDocument: trust }));
    await iam.send(
      new PutRolePolicyCommand({ RoleName: "cleanup", PolicyName: "p", PolicyDocument: document() }),
    );
    await iam.send(new AttachRolePolicyCommand({ RoleName: "cleanup", PolicyArn: BASIC_EXECUTION }));
    await expect(iam.send(new DeleteRoleCommand({ RoleName: "cleanup" }))).rejects.toMatchObject({
      name: "DeleteConflictException",
    });
    await iam.send(new DeleteRolePolicyCommand({ RoleName: "cleanup", PolicyName: "p" }));
    await iam.send(new DetachRolePolicyCommand({ RoleName: "cleanup", PolicyArn: BASIC_EXECUTION }));
    await iam.send(new DeleteRoleCommand({ RoleName: "cleanup" }));
  });
});

describe("emulator: IAM identities survive a restart", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("policies with versions, users with keys and groups survive kill -9; the keys still identify the user", async () => {
    const persistDir = mkdtempSync(join(tmpdir(), "iam-identities-"));
    dirs.push(persistDir);
    const proc = await startEmulatorProcess({ persistDir, services: ["iam"] });
    const a = client(proc.url);
    const { Policy } = await a.send(
      new CreatePolicyCommand({ PolicyName: "kept", PolicyDocument: document() }),
    );
    await a.send(
      new CreatePolicyVersionCommand({
        PolicyArn: Policy!.Arn,
        PolicyDocument: document(["s3:GetObject"]),
        SetAsDefault: true,
      }),
    );
    await a.send(new CreateUserCommand({ UserName: "erin" }));
    const { AccessKey } = await a.send(new CreateAccessKeyCommand({ UserName: "erin" }));
    await a.send(new CreateGroupCommand({ GroupName: "g" }));
    await a.send(new AddUserToGroupCommand({ GroupName: "g", UserName: "erin" }));
    await a.send(new AttachUserPolicyCommand({ UserName: "erin", PolicyArn: Policy!.Arn }));
    a.destroy();
    await proc.kill9();

    const revived = await createEmulator({ services: ["iam"], persistDir });
    const b = client(revived.url);
    expect((await b.send(new GetPolicyCommand({ PolicyArn: Policy!.Arn }))).Policy).toMatchObject({
      DefaultVersionId: "v2",
      AttachmentCount: 1,
    });
    expect((await b.send(new GetGroupCommand({ GroupName: "g" }))).Users?.map((u) => u.UserName)).toEqual([
      "erin",
    ]);
    const asErin = client(revived.url, {
      accessKeyId: AccessKey!.AccessKeyId!,
      secretAccessKey: AccessKey!.SecretAccessKey!,
    });
    expect((await asErin.send(new GetUserCommand({}))).User?.UserName).toBe("erin");
    asErin.destroy();
    b.destroy();
    await revived.stop();
  });
});

describe.skipIf(!awsCliAvailable)("emulator: IAM through the AWS CLI", { timeout: 120_000 }, () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await createEmulator({ services: ["iam"] });
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it("create-policy refuses a malformed document; versions, users, keys and attachments work", async () => {
    const bad = await awsCli(emulator.url, [
      "iam",
      "create-policy",
      "--policy-name",
      "cli-bad",
      "--policy-document",
      JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject" }] }),
    ]);
    expect(bad.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
    expect(bad.stderr).toContain("MalformedPolicyDocument");
    expect(bad.stderr).toContain("Policy statement must contain resources.");

    const created = await awsCliJson<{ Policy: { Arn: string } }>(emulator.url, [
      "iam",
      "create-policy",
      "--policy-name",
      "cli-policy",
      "--policy-document",
      document(),
    ]);
    await awsCliJson(emulator.url, [
      "iam",
      "create-policy-version",
      "--policy-arn",
      created.Policy.Arn,
      "--policy-document",
      document(["dynamodb:Query"]),
      "--set-as-default",
    ]);
    const versions = await awsCliJson<{ Versions: { VersionId: string; IsDefaultVersion: boolean }[] }>(
      emulator.url,
      ["iam", "list-policy-versions", "--policy-arn", created.Policy.Arn],
    );
    expect(versions.Versions.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([
      ["v2", true],
      ["v1", false],
    ]);
    await awsCliJson(emulator.url, ["iam", "create-user", "--user-name", "cli-user"]);
    const key = await awsCliJson<{ AccessKey: { AccessKeyId: string } }>(emulator.url, [
      "iam",
      "create-access-key",
      "--user-name",
      "cli-user",
    ]);
    expect(key.AccessKey.AccessKeyId).toMatch(/^AKIA/);
    await awsCliJson(emulator.url, [
      "iam",
      "attach-user-policy",
      "--user-name",
      "cli-user",
      "--policy-arn",
      created.Policy.Arn,
    ]);
    const entities = await awsCliJson<{ PolicyUsers: { UserName: string }[] }>(emulator.url, [
      "iam",
      "list-entities-for-policy",
      "--policy-arn",
      created.Policy.Arn,
    ]);
    expect(entities.PolicyUsers.map((u) => u.UserName)).toEqual(["cli-user"]);
    const slr = await awsCliJson<{ Role: { Arn: string } }>(emulator.url, [
      "iam",
      "create-service-linked-role",
      "--aws-service-name",
      "ecs.amazonaws.com",
    ]);
    expect(slr.Role.Arn).toBe(
      `arn:aws:iam::${ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`,
    );
    const taken = await awsCli(emulator.url, [
      "iam",
      "create-service-linked-role",
      "--aws-service-name",
      "ecs.amazonaws.com",
    ]);
    expect(taken.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
    expect(taken.stderr).toContain("InvalidInput");
    const noPolicy = await awsCli(emulator.url, ["iam", "get-account-password-policy"]);
    expect(noPolicy.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
    expect(noPolicy.stderr).toContain("NoSuchEntity");
  });

  it("groups, instance profiles, role and group attachments, get-policy-version, tags and the password policy", async () => {
    const noGroup = await awsCli(emulator.url, ["iam", "get-group", "--group-name", "cli-team"]);
    expect(noGroup.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
    expect(noGroup.stderr).toContain("The group with name cli-team cannot be found.");
    await awsCliJson(emulator.url, [
      "iam",
      "create-role",
      "--role-name",
      "cli-a",
      "--assume-role-policy-document",
      trust,
    ]);
    await awsCliJson(emulator.url, [
      "iam",
      "create-role",
      "--role-name",
      "cli-b",
      "--assume-role-policy-document",
      trust,
    ]);
    await awsCliJson(emulator.url, [
      "iam",
      "create-instance-profile",
      "--instance-profile-name",
      "cli-profile",
    ]);
    await awsCliJson(emulator.url, [
      "iam",
      "add-role-to-instance-profile",
      "--instance-profile-name",
      "cli-profile",
      "--role-name",
      "cli-a",
    ]);
    const second = await awsCli(emulator.url, [
      "iam",
      "add-role-to-instance-profile",
      "--instance-profile-name",
      "cli-profile",
      "--role-name",
      "cli-b",
    ]);
    expect(second.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
    expect(second.stderr).toContain("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1");

    const { Policy } = await awsCliJson<{ Policy: { Arn: string } }>(emulator.url, [
      "iam",
      "create-policy",
      "--policy-name",
      "cli-shared",
      "--policy-document",
      document(["dynamodb:Query"]),
      "--tags",
      "Key=owner,Value=cli",
    ]);
    await awsCliJson(emulator.url, ["iam", "create-group", "--group-name", "cli-team"]);
    await awsCliJson(emulator.url, [
      "iam",
      "attach-group-policy",
      "--group-name",
      "cli-team",
      "--policy-arn",
      Policy.Arn,
    ]);
    await awsCliJson(emulator.url, [
      "iam",
      "attach-role-policy",
      "--role-name",
      "cli-a",
      "--policy-arn",
      Policy.Arn,
    ]);
    const onRole = await awsCliJson<{ AttachedPolicies: { PolicyArn: string }[] }>(emulator.url, [
      "iam",
      "list-attached-role-policies",
      "--role-name",
      "cli-a",
    ]);
    expect(onRole.AttachedPolicies).toEqual([{ PolicyName: "cli-shared", PolicyArn: Policy.Arn }]);
    const onGroup = await awsCliJson<{ AttachedPolicies: { PolicyArn: string }[] }>(emulator.url, [
      "iam",
      "list-attached-group-policies",
      "--group-name",
      "cli-team",
    ]);
    expect(onGroup.AttachedPolicies).toEqual([{ PolicyName: "cli-shared", PolicyArn: Policy.Arn }]);
    const version = await awsCliJson<{ PolicyVersion: { Document: unknown; IsDefaultVersion: boolean } }>(
      emulator.url,
      ["iam", "get-policy-version", "--policy-arn", Policy.Arn, "--version-id", "v1"],
    );
    // IAM sends the document URL-encoded; the CLI decodes it into JSON.
    expect(version.PolicyVersion).toMatchObject({
      IsDefaultVersion: true,
      Document: JSON.parse(document(["dynamodb:Query"])) as unknown,
    });

    // UpdateRole answers an empty UpdateRoleResult, which the CLI's parser needs.
    await awsCliJson(emulator.url, [
      "iam",
      "update-role",
      "--role-name",
      "cli-a",
      "--max-session-duration",
      "7200",
    ]);
    await awsCliJson(emulator.url, [
      "iam",
      "tag-role",
      "--role-name",
      "cli-a",
      "--tags",
      "Key=team,Value=data",
    ]);
    await awsCliJson(emulator.url, [
      "iam",
      "tag-instance-profile",
      "--instance-profile-name",
      "cli-profile",
      "--tags",
      "Key=team,Value=web",
    ]);
    const roleTags = await awsCliJson<{ Tags: unknown[] }>(emulator.url, [
      "iam",
      "list-role-tags",
      "--role-name",
      "cli-a",
    ]);
    expect(roleTags.Tags).toEqual([{ Key: "team", Value: "data" }]);
    const updated = await awsCliJson<{ Role: { MaxSessionDuration: number } }>(emulator.url, [
      "iam",
      "get-role",
      "--role-name",
      "cli-a",
    ]);
    expect(updated.Role.MaxSessionDuration).toBe(7200);
    const profile = await awsCliJson<{ InstanceProfile: { Roles: { RoleName: string }[]; Tags: unknown[] } }>(
      emulator.url,
      ["iam", "get-instance-profile", "--instance-profile-name", "cli-profile"],
    );
    expect(profile.InstanceProfile.Roles.map((r) => r.RoleName)).toEqual(["cli-a"]);
    expect(profile.InstanceProfile.Tags).toEqual([{ Key: "team", Value: "web" }]);
    const policy = await awsCliJson<{ Policy: { AttachmentCount: number; Tags: unknown[] } }>(emulator.url, [
      "iam",
      "get-policy",
      "--policy-arn",
      Policy.Arn,
    ]);
    expect(policy.Policy).toMatchObject({ AttachmentCount: 2, Tags: [{ Key: "owner", Value: "cli" }] });

    await awsCliJson(emulator.url, [
      "iam",
      "update-account-password-policy",
      "--minimum-password-length",
      "12",
      "--require-numbers",
    ]);
    const password = await awsCliJson<{ PasswordPolicy: Record<string, unknown> }>(emulator.url, [
      "iam",
      "get-account-password-policy",
    ]);
    expect(password.PasswordPolicy).toMatchObject({
      MinimumPasswordLength: 12,
      RequireNumbers: true,
      RequireSymbols: false,
      ExpirePasswords: false,
    });
  });
});
