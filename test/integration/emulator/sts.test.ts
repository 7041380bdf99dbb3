import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateAccessKeyCommand,
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetRoleCommand,
  IAMClient,
  ListRolesCommand,
  UpdateAccessKeyCommand,
} from "@aws-sdk/client-iam";
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  AssumeRoleCommand,
  AssumeRoleWithWebIdentityCommand,
  GetCallerIdentityCommand,
  GetFederationTokenCommand,
  GetSessionTokenCommand,
  STSClient,
  type Credentials,
} from "@aws-sdk/client-sts";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, ManualClock, type Emulator } from "../../../src/runtime/emulator/index.js";
import { AWS_CLI_SERVICE_ERROR_EXIT, awsCli, awsCliAvailable, awsCliVersion } from "../../helpers/aws-cli.js";
import { startEmulatorProcess } from "../../helpers/emulator-process.js";

/**
 * STS as the STS API Reference documents it: AssumeRole (trust policy, duration limits, session
 * names, role chaining), AssumeRoleWithWebIdentity, GetSessionToken, GetFederationToken, the
 * temporary credentials being accepted by every service until their Expiration, and an SDK
 * profile with role_arn + source_profile reaching the emulator through AssumeRole.
 */

const ACCOUNT = "000000000000";
const OTHER = "111111111111";
const root = { accessKeyId: "test", secretAccessKey: "test" };
const START = Date.UTC(2026, 0, 4, 0, 0, 0);
const cliVersion = awsCliVersion();
/**
 * AWS_ENDPOINT_URL (and endpoint_url in a profile) reach the CLI's own AssumeRole call for a
 * role_arn profile from AWS CLI v1 1.29 and v2 2.13 on (service-specific endpoints); older CLIs,
 * such as Debian's 2.9, send that call to AWS whatever the endpoint.
 */
const cliHonoursEndpointEnv =
  cliVersion !== undefined &&
  ((cliVersion.major === 1 && cliVersion.minor >= 29) || (cliVersion.major === 2 && cliVersion.minor >= 13));

const trusting = (principal: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: principal, Action: "sts:AssumeRole", ...extra }],
  });

function asKeys(c: Credentials | undefined) {
  return {
    accessKeyId: c!.AccessKeyId!,
    secretAccessKey: c!.SecretAccessKey!,
    sessionToken: c!.SessionToken!,
  };
}

function sts(
  url: string,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = root,
) {
  return new STSClient({ endpoint: url, region: "us-east-1", credentials });
}

function iam(
  url: string,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = root,
) {
  return new IAMClient({ endpoint: url, region: "us-east-1", credentials });
}

/** An unsigned JWT with the given claims (the emulator reads claims; it cannot check signatures). */
function jwt(claims: Record<string, unknown>): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${part({ alg: "RS256", typ: "JWT", kid: "k1" })}.${part(claims)}.${Buffer.from("signature").toString("base64url")}`;
}

describe("emulator: STS AssumeRole", () => {
  let emulator: Emulator;
  let clock: ManualClock;
  let client: STSClient;
  let admin: IAMClient;

  beforeAll(async () => {
    clock = new ManualClock(START);
    emulator = await createEmulator({ services: ["sts", "iam", "logs"], clock });
    client = sts(emulator.url);
    admin = iam(emulator.url);
    await admin.send(
      new CreateRoleCommand({
        RoleName: "deployer",
        AssumeRolePolicyDocument: trusting({ AWS: `arn:aws:iam::${ACCOUNT}:root` }),
      }),
    );
    await admin.send(
      new CreateRoleCommand({
        RoleName: "lambda-only",
        AssumeRolePolicyDocument: trusting({ Service: "lambda.amazonaws.com" }),
      }),
    );
  });
  afterAll(async () => {
    client.destroy();
    admin.destroy();
    await emulator.stop();
  });

  it("refuses a role that does not exist and one whose trust policy does not name the caller (AccessDenied 403)", async () => {
    const ghost = `arn:aws:iam::${ACCOUNT}:role/ghost`;
    await expect(
      client.send(new AssumeRoleCommand({ RoleArn: ghost, RoleSessionName: "s1" })),
    ).rejects.toMatchObject({
      name: "AccessDenied",
      message: `User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform: sts:AssumeRole on resource: ${ghost}`,
      $metadata: { httpStatusCode: 403 },
    });
    await expect(
      client.send(
        new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/lambda-only`, RoleSessionName: "s1" }),
      ),
    ).rejects.toMatchObject({ name: "AccessDenied", $metadata: { httpStatusCode: 403 } });
  });

  it("validates RoleSessionName, DurationSeconds (900 up to the role's MaxSessionDuration) and the session policy", async () => {
    const RoleArn = `arn:aws:iam::${ACCOUNT}:role/deployer`;
    await expect(client.send(new AssumeRoleCommand({ RoleArn, RoleSessionName: "x" }))).rejects.toMatchObject(
      {
        name: "ValidationError",
        message: expect.stringContaining(
          "'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2",
        ),
      },
    );
    await expect(
      client.send(new AssumeRoleCommand({ RoleArn, RoleSessionName: "has space" })),
    ).rejects.toMatchObject({
      name: "ValidationError",
      message: expect.stringContaining("regular expression pattern"),
    });
    await expect(
      client.send(new AssumeRoleCommand({ RoleArn, RoleSessionName: "s1", DurationSeconds: 899 })),
    ).rejects.toMatchObject({
      name: "ValidationError",
      message: expect.stringContaining("Member must have value greater than or equal to 900"),
    });
    await expect(
      client.send(new AssumeRoleCommand({ RoleArn, RoleSessionName: "s1", DurationSeconds: 7200 })),
    ).rejects.toMatchObject({
      name: "ValidationError",
      message: "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    });
    await expect(
      client.send(
        new AssumeRoleCommand({ RoleArn, RoleSessionName: "s1", Policy: JSON.stringify({ Statement: [] }) }),
      ),
    ).rejects.toMatchObject({ name: "MalformedPolicyDocumentException" });
    const withPolicy = await client.send(
      new AssumeRoleCommand({
        RoleArn,
        RoleSessionName: "s1",
        Policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }],
        }),
      }),
    );
    expect(withPolicy.PackedPolicySize).toBeGreaterThan(0);
  });

  it("answers temporary credentials the emulator then accepts: ASIA key, session token, Expiration; GetCallerIdentity is the assumed role", async () => {
    const { Credentials, AssumedRoleUser } = await client.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/deployer`,
        RoleSessionName: "ci-run",
        DurationSeconds: 900,
      }),
    );
    expect(Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(Credentials?.SecretAccessKey).toHaveLength(40);
    expect(Credentials?.SessionToken?.length).toBeGreaterThan(100);
    expect(Credentials?.Expiration?.getTime()).toBe(START + 900_000);
    const role = (await admin.send(new GetRoleCommand({ RoleName: "deployer" }))).Role!;
    expect(AssumedRoleUser).toEqual({
      AssumedRoleId: `${role.RoleId}:ci-run`,
      Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/ci-run`,
    });
    const session = sts(emulator.url, asKeys(Credentials));
    const identity = await session.send(new GetCallerIdentityCommand({}));
    expect(identity).toMatchObject({
      UserId: `${role.RoleId}:ci-run`,
      Account: ACCOUNT,
      Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/ci-run`,
    });
    // Other services take the session too.
    const asSession = iam(emulator.url, asKeys(Credentials));
    expect((await asSession.send(new ListRolesCommand({}))).Roles?.map((r) => r.RoleName)).toContain(
      "deployer",
    );

    // Past its Expiration (emulator clock) the session is refused everywhere, in each protocol's shape.
    await clock.advance(900_000);
    await expect(session.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: "ExpiredToken",
      message: "The security token included in the request is expired",
    });
    await expect(asSession.send(new ListRolesCommand({}))).rejects.toMatchObject({ name: "ExpiredToken" });
    const logs = new CloudWatchLogsClient({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials: asKeys(Credentials),
    });
    await expect(logs.send(new DescribeLogGroupsCommand({}))).rejects.toMatchObject({
      name: "ExpiredTokenException",
      $metadata: { httpStatusCode: 400 },
    });
    logs.destroy();
    session.destroy();
    asSession.destroy();
  });

  it("honours trust conditions (sts:ExternalId) and role principals; role chaining is limited to one hour", async () => {
    await admin.send(
      new CreateRoleCommand({
        RoleName: "vendor",
        AssumeRolePolicyDocument: trusting(
          { AWS: ACCOUNT },
          { Condition: { StringEquals: { "sts:ExternalId": "secret-handshake" } } },
        ),
      }),
    );
    const vendor = `arn:aws:iam::${ACCOUNT}:role/vendor`;
    await expect(
      client.send(new AssumeRoleCommand({ RoleArn: vendor, RoleSessionName: "vendor-session" })),
    ).rejects.toMatchObject({
      name: "AccessDenied",
    });
    await expect(
      client.send(
        new AssumeRoleCommand({
          RoleArn: vendor,
          RoleSessionName: "vendor-session",
          ExternalId: "wrong-one",
        }),
      ),
    ).rejects.toMatchObject({ name: "AccessDenied" });
    const first = await client.send(
      new AssumeRoleCommand({
        RoleArn: vendor,
        RoleSessionName: "vendor-session",
        ExternalId: "secret-handshake",
      }),
    );

    await admin.send(
      new CreateRoleCommand({
        RoleName: "second-hop",
        MaxSessionDuration: 43200,
        AssumeRolePolicyDocument: trusting({ AWS: vendor }),
      }),
    );
    const secondHop = `arn:aws:iam::${ACCOUNT}:role/second-hop`;
    // Only sessions of the vendor role are trusted, not the account root.
    await expect(
      client.send(new AssumeRoleCommand({ RoleArn: secondHop, RoleSessionName: "root-try" })),
    ).rejects.toMatchObject({
      name: "AccessDenied",
    });
    const hop = sts(emulator.url, asKeys(first.Credentials));
    await expect(
      hop.send(
        new AssumeRoleCommand({ RoleArn: secondHop, RoleSessionName: "chained", DurationSeconds: 7200 }),
      ),
    ).rejects.toMatchObject({
      name: "ValidationError",
      message:
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    });
    const chained = await hop.send(new AssumeRoleCommand({ RoleArn: secondHop, RoleSessionName: "chained" }));
    const identity = await sts(emulator.url, asKeys(chained.Credentials)).send(
      new GetCallerIdentityCommand({}),
    );
    expect(identity.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/second-hop/chained`);
    hop.destroy();
  });

  it("a cross-account role: the session acts in the role's account", async () => {
    const otherAdmin = iam(emulator.url, { accessKeyId: OTHER, secretAccessKey: "test" });
    await otherAdmin.send(
      new CreateRoleCommand({
        RoleName: "cross",
        AssumeRolePolicyDocument: trusting({ AWS: `arn:aws:iam::${ACCOUNT}:root` }),
      }),
    );
    const { Credentials } = await client.send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${OTHER}:role/cross`, RoleSessionName: "x-acct" }),
    );
    const inOther = iam(emulator.url, asKeys(Credentials));
    expect((await inOther.send(new GetRoleCommand({ RoleName: "cross" }))).Role?.Arn).toBe(
      `arn:aws:iam::${OTHER}:role/cross`,
    );
    expect(
      (await sts(emulator.url, asKeys(Credentials)).send(new GetCallerIdentityCommand({}))).Account,
    ).toBe(OTHER);
    inOther.destroy();
    otherAdmin.destroy();
  });
});

describe("emulator: STS GetSessionToken, GetFederationToken, IAM user keys", () => {
  let emulator: Emulator;
  let clock: ManualClock;
  let admin: IAMClient;
  let userKeys: { accessKeyId: string; secretAccessKey: string };

  beforeAll(async () => {
    clock = new ManualClock(START);
    emulator = await createEmulator({ services: ["sts", "iam", "logs"], clock });
    admin = iam(emulator.url);
    await admin.send(new CreateUserCommand({ UserName: "ops" }));
    const { AccessKey } = await admin.send(new CreateAccessKeyCommand({ UserName: "ops" }));
    userKeys = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  });
  afterAll(async () => {
    admin.destroy();
    await emulator.stop();
  });

  it("an IAM user's key is that user in GetCallerIdentity; an Inactive key is refused (InvalidClientTokenId / UnrecognizedClientException)", async () => {
    const asOps = sts(emulator.url, userKeys);
    const identity = await asOps.send(new GetCallerIdentityCommand({}));
    expect(identity).toMatchObject({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/ops` });
    expect(identity.UserId).toMatch(/^AIDA/);
    await admin.send(new CreateUserCommand({ UserName: "former" }));
    const { AccessKey } = await admin.send(new CreateAccessKeyCommand({ UserName: "former" }));
    await admin.send(
      new UpdateAccessKeyCommand({
        UserName: "former",
        AccessKeyId: AccessKey!.AccessKeyId,
        Status: "Inactive",
      }),
    );
    const keys = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
    await expect(sts(emulator.url, keys).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: "InvalidClientTokenId",
      message: "The security token included in the request is invalid.",
      $metadata: { httpStatusCode: 403 },
    });
    const logs = new CloudWatchLogsClient({ endpoint: emulator.url, region: "us-east-1", credentials: keys });
    await expect(logs.send(new DescribeLogGroupsCommand({}))).rejects.toMatchObject({
      name: "UnrecognizedClientException",
    });
    logs.destroy();
  });

  it("GetSessionToken: 900..129,600 s, 12 h by default, root sessions at most 1 h; not with session credentials", async () => {
    const asOps = sts(emulator.url, userKeys);
    await expect(asOps.send(new GetSessionTokenCommand({ DurationSeconds: 800 }))).rejects.toMatchObject({
      name: "ValidationError",
    });
    await expect(asOps.send(new GetSessionTokenCommand({ DurationSeconds: 129_601 }))).rejects.toMatchObject({
      name: "ValidationError",
      message: expect.stringContaining("less than or equal to 129600"),
    });
    const { Credentials } = await asOps.send(new GetSessionTokenCommand({}));
    expect(Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(Credentials?.Expiration?.getTime()).toBe(clock.now() + 43_200_000);
    const session = sts(emulator.url, asKeys(Credentials));
    expect((await session.send(new GetCallerIdentityCommand({}))).Arn).toBe(
      `arn:aws:iam::${ACCOUNT}:user/ops`,
    );
    await expect(session.send(new GetSessionTokenCommand({}))).rejects.toMatchObject({
      name: "AccessDenied",
      message: "Cannot call GetSessionToken with session credentials",
    });
    const asRoot = await sts(emulator.url).send(new GetSessionTokenCommand({ DurationSeconds: 7200 }));
    expect(asRoot.Credentials?.Expiration?.getTime()).toBe(clock.now() + 3_600_000);
  });

  it("GetFederationToken: the federated-user ARN and id; Name is validated; not with session credentials", async () => {
    const asOps = sts(emulator.url, userKeys);
    await expect(asOps.send(new GetFederationTokenCommand({ Name: "b" }))).rejects.toMatchObject({
      name: "ValidationError",
    });
    const result = await asOps.send(
      new GetFederationTokenCommand({
        Name: "bob-from-sso",
        Policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }],
        }),
      }),
    );
    expect(result.FederatedUser).toEqual({
      FederatedUserId: `${ACCOUNT}:bob-from-sso`,
      Arn: `arn:aws:sts::${ACCOUNT}:federated-user/bob-from-sso`,
    });
    expect(result.PackedPolicySize).toBeGreaterThan(0);
    const federated = sts(emulator.url, asKeys(result.Credentials));
    expect(await federated.send(new GetCallerIdentityCommand({}))).toMatchObject({
      UserId: `${ACCOUNT}:bob-from-sso`,
      Arn: `arn:aws:sts::${ACCOUNT}:federated-user/bob-from-sso`,
    });
    await expect(federated.send(new GetFederationTokenCommand({ Name: "again" }))).rejects.toMatchObject({
      name: "AccessDenied",
    });
  });
});

describe("emulator: STS AssumeRoleWithWebIdentity", () => {
  let emulator: Emulator;
  let client: STSClient;
  const issuer = "https://token.example.com";
  const providerArn = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.example.com`;
  const RoleArn = `arn:aws:iam::${ACCOUNT}:role/ci-deploy`;
  const future = Math.floor(Date.now() / 1000) + 3600;

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["sts", "iam"] });
    client = sts(emulator.url);
    const admin = iam(emulator.url);
    await admin.send(
      new CreateOpenIDConnectProviderCommand({ Url: issuer, ClientIDList: ["sts.amazonaws.com"] }),
    );
    await admin.send(
      new CreateRoleCommand({
        RoleName: "ci-deploy",
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Federated: providerArn },
              Action: "sts:AssumeRoleWithWebIdentity",
              Condition: {
                StringEquals: { "token.example.com:aud": "sts.amazonaws.com" },
                StringLike: { "token.example.com:sub": "repo:acme/pipeline:*" },
              },
            },
          ],
        }),
      }),
    );
    admin.destroy();
  });
  afterAll(async () => {
    client.destroy();
    await emulator.stop();
  });

  const assume = (token: string) =>
    client.send(
      new AssumeRoleWithWebIdentityCommand({ RoleArn, RoleSessionName: "gha", WebIdentityToken: token }),
    );
  const claims = {
    iss: issuer,
    aud: "sts.amazonaws.com",
    sub: "repo:acme/pipeline:ref:refs/heads/main",
    exp: future,
  };

  it("refuses what STS refuses: not a JWT, an unknown issuer, the wrong audience, an expired token, a subject the trust policy does not allow", async () => {
    await expect(assume("not-a-jwt")).rejects.toMatchObject({ name: "InvalidIdentityTokenException" });
    await expect(assume(jwt({ ...claims, iss: "https://elsewhere.example.com" }))).rejects.toMatchObject({
      name: "InvalidIdentityTokenException",
      message: "No OpenIDConnect provider found in your account for https://elsewhere.example.com",
    });
    await expect(assume(jwt({ ...claims, aud: "someone-else" }))).rejects.toMatchObject({
      name: "InvalidIdentityTokenException",
      message: "Incorrect token audience",
    });
    await expect(assume(jwt({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 }))).rejects.toMatchObject({
      name: "ExpiredTokenException",
    });
    await expect(
      assume(jwt({ ...claims, sub: "repo:mallory/fork:ref:refs/heads/main" })),
    ).rejects.toMatchObject({
      name: "AccessDenied",
      $metadata: { httpStatusCode: 403 },
    });
  });

  it("answers the subject, audience, provider and credentials for the assumed role", async () => {
    const result = await assume(jwt(claims));
    expect(result).toMatchObject({
      SubjectFromWebIdentityToken: claims.sub,
      Audience: "sts.amazonaws.com",
      Provider: issuer,
      AssumedRoleUser: { Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ci-deploy/gha` },
    });
    const identity = await sts(emulator.url, asKeys(result.Credentials)).send(
      new GetCallerIdentityCommand({}),
    );
    expect(identity.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/ci-deploy/gha`);
  });
});

describe("emulator: an SDK profile with role_arn and source_profile", () => {
  let emulator: Emulator;
  let dir: string;
  let configFile: string;

  beforeAll(async () => {
    emulator = await createEmulator({ services: ["sts", "iam"] });
    const admin = iam(emulator.url);
    await admin.send(
      new CreateRoleCommand({
        RoleName: "deployer",
        AssumeRolePolicyDocument: trusting({ AWS: `arn:aws:iam::${ACCOUNT}:root` }),
      }),
    );
    await admin.send(
      new CreateRoleCommand({
        RoleName: "locked",
        AssumeRolePolicyDocument: trusting({ Service: "lambda.amazonaws.com" }),
      }),
    );
    admin.destroy();
    dir = mkdtempSync(join(tmpdir(), "sts-profile-"));
    configFile = join(dir, "config");
    writeFileSync(
      configFile,
      [
        "[profile base]",
        "aws_access_key_id = test",
        "aws_secret_access_key = test",
        "region = us-east-1",
        "",
        "[profile deployer]",
        `role_arn = arn:aws:iam::${ACCOUNT}:role/deployer`,
        "source_profile = base",
        "role_session_name = ci-session",
        "region = us-east-1",
        "",
        "[profile locked]",
        `role_arn = arn:aws:iam::${ACCOUNT}:role/locked`,
        "source_profile = base",
        "region = us-east-1",
        "",
      ].join("\n"),
    );
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await emulator.stop();
  });

  /** Runs SDK code in a child Node process whose environment has only the profile settings. */
  const runSdk = (script: string, profile: string) =>
    execa(process.execPath, ["--input-type=module", "-e", script], {
      reject: false,
      extendEnv: false,
      env: {
        PATH: process.env["PATH"] ?? "",
        HOME: dir,
        AWS_CONFIG_FILE: configFile,
        AWS_SHARED_CREDENTIALS_FILE: join(dir, "no-credentials"),
        AWS_PROFILE: profile,
        AWS_ENDPOINT_URL: emulator.url,
      },
    });

  it("the default credential chain assumes the role: GetCallerIdentity is the assumed-role session", async () => {
    const result = await runSdk(
      `import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
       const client = new STSClient({});
       const id = await client.send(new GetCallerIdentityCommand({}));
       const creds = await client.config.credentials();
       console.log(JSON.stringify({ arn: id.Arn, key: creds.accessKeyId, token: Boolean(creds.sessionToken) }));`,
      "deployer",
    );
    expect(result.stderr).toBe("");
    expect(JSON.parse(String(result.stdout))).toEqual({
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/ci-session`,
      key: expect.stringMatching(/^ASIA/),
      token: true,
    });
  });

  it("fromIni names the profile explicitly; a role the source profile may not assume fails with AccessDenied", async () => {
    const ok = await runSdk(
      `import { IAMClient, GetRoleCommand } from "@aws-sdk/client-iam";
       import { fromIni } from "@aws-sdk/credential-providers";
       const client = new IAMClient({ region: "us-east-1", credentials: fromIni({ profile: "deployer" }) });
       const { Role } = await client.send(new GetRoleCommand({ RoleName: "deployer" }));
       console.log(Role.Arn);`,
      "base",
    );
    expect(String(ok.stdout).trim()).toBe(`arn:aws:iam::${ACCOUNT}:role/deployer`);
    const refused = await runSdk(
      `import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
       try { await new STSClient({}).send(new GetCallerIdentityCommand({})); console.log("allowed"); }
       catch (e) { console.log(e.name); }`,
      "locked",
    );
    expect(String(refused.stdout).trim()).toBe("AccessDenied");
  });

  it.skipIf(!cliHonoursEndpointEnv)(
    "the AWS CLI with the same profile reaches the emulator through AssumeRole",
    async () => {
      const result = await execa("aws", ["sts", "get-caller-identity", "--output", "json"], {
        reject: false,
        timeout: 60_000,
        extendEnv: false,
        env: {
          PATH: process.env["PATH"] ?? "",
          HOME: dir,
          AWS_CONFIG_FILE: configFile,
          AWS_SHARED_CREDENTIALS_FILE: join(dir, "no-credentials"),
          AWS_PROFILE: "deployer",
          AWS_ENDPOINT_URL: emulator.url,
          AWS_PAGER: "",
        },
      });
      expect(result.stderr).toBe("");
      expect(JSON.parse(String(result.stdout))).toMatchObject({
        Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/ci-session`,
      });
    },
  );
});

describe("emulator: STS sessions survive a restart", () => {
  it("credentials issued before kill -9 still identify the session afterwards", async () => {
    const persistDir = mkdtempSync(join(tmpdir(), "sts-persist-"));
    try {
      const proc = await startEmulatorProcess({ persistDir, services: ["sts", "iam"] });
      const admin = iam(proc.url);
      await admin.send(
        new CreateRoleCommand({
          RoleName: "kept",
          AssumeRolePolicyDocument: trusting({ AWS: `arn:aws:iam::${ACCOUNT}:root` }),
        }),
      );
      const { Credentials } = await sts(proc.url).send(
        new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/kept`, RoleSessionName: "before" }),
      );
      admin.destroy();
      await proc.kill9();
      const revived = await createEmulator({ services: ["sts", "iam"], persistDir });
      const identity = await sts(revived.url, asKeys(Credentials)).send(new GetCallerIdentityCommand({}));
      expect(identity.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/kept/before`);
      await revived.stop();
    } finally {
      rmSync(persistDir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!awsCliAvailable)("emulator: STS through the AWS CLI", { timeout: 120_000 }, () => {
  let emulator: Emulator;
  const issuer = "https://cli-tokens.example.com";
  beforeAll(async () => {
    emulator = await createEmulator({ services: ["sts", "iam"] });
    const admin = iam(emulator.url);
    await admin.send(
      new CreateRoleCommand({ RoleName: "cli-role", AssumeRolePolicyDocument: trusting({ AWS: ACCOUNT }) }),
    );
    await admin.send(
      new CreateOpenIDConnectProviderCommand({ Url: issuer, ClientIDList: ["sts.amazonaws.com"] }),
    );
    await admin.send(
      new CreateRoleCommand({
        RoleName: "cli-web",
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/cli-tokens.example.com` },
              Action: "sts:AssumeRoleWithWebIdentity",
              Condition: { StringEquals: { "cli-tokens.example.com:aud": "sts.amazonaws.com" } },
            },
          ],
        }),
      }),
    );
    admin.destroy();
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it("assume-role: a bad session name and a missing role are refused; a good call answers ASIA credentials", async () => {
    const RoleArn = `arn:aws:iam::${ACCOUNT}:role/cli-role`;
    const bad = await awsCli(emulator.url, [
      "sts",
      "assume-role",
      "--role-arn",
      RoleArn,
      "--role-session-name",
      "bad name",
    ]);
    expect(bad.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
    expect(bad.stderr).toContain("ValidationError");
    const missing = await awsCli(emulator.url, [
      "sts",
      "assume-role",
      "--role-arn",
      `arn:aws:iam::${ACCOUNT}:role/none`,
      "--role-session-name",
      "s1",
    ]);
    expect(missing.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
    expect(missing.stderr).toContain("AccessDenied");
    // The role's MaxSessionDuration is the default hour.
    const tooLong = await awsCli(emulator.url, [
      "sts",
      "assume-role",
      "--role-arn",
      RoleArn,
      "--role-session-name",
      "s1",
      "--duration-seconds",
      "3601",
    ]);
    expect(tooLong.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
    expect(tooLong.stderr).toContain(
      "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    );
    const ok = await awsCli(emulator.url, [
      "sts",
      "assume-role",
      "--role-arn",
      RoleArn,
      "--role-session-name",
      "cli",
      "--duration-seconds",
      "900",
    ]);
    expect(ok.exitCode).toBe(0);
    const parsed = JSON.parse(ok.stdout) as {
      Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
      AssumedRoleUser: { Arn: string };
    };
    expect(parsed.Credentials.AccessKeyId).toMatch(/^ASIA/);
    expect(parsed.AssumedRoleUser.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/cli-role/cli`);
    // The CLI signing with the temporary credentials is the assumed-role session.
    const asSession = await awsCli(emulator.url, ["sts", "get-caller-identity"], {
      AWS_ACCESS_KEY_ID: parsed.Credentials.AccessKeyId,
      AWS_SECRET_ACCESS_KEY: parsed.Credentials.SecretAccessKey,
      AWS_SESSION_TOKEN: parsed.Credentials.SessionToken,
    });
    expect(asSession.exitCode, asSession.stderr).toBe(0);
    expect(JSON.parse(asSession.stdout)).toMatchObject({
      Account: ACCOUNT,
      Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/cli-role/cli`,
    });
    const federation = await awsCli(emulator.url, ["sts", "get-federation-token", "--name", "cli-fed"]);
    expect(JSON.parse(federation.stdout)).toMatchObject({
      FederatedUser: { Arn: `arn:aws:sts::${ACCOUNT}:federated-user/cli-fed` },
    });
  });

  it("get-session-token and assume-role-with-web-identity: limits refused, credentials answered", async () => {
    const tooLong = await awsCli(emulator.url, ["sts", "get-session-token", "--duration-seconds", "129601"]);
    expect(tooLong.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
    expect(tooLong.stderr).toContain("less than or equal to 129600");
    const session = await awsCli(emulator.url, ["sts", "get-session-token", "--duration-seconds", "900"]);
    expect(session.exitCode, session.stderr).toBe(0);
    expect(JSON.parse(session.stdout)).toMatchObject({
      Credentials: { AccessKeyId: expect.stringMatching(/^ASIA/) as unknown },
    });

    const webArgs = (token: string) => [
      "sts",
      "assume-role-with-web-identity",
      "--role-arn",
      `arn:aws:iam::${ACCOUNT}:role/cli-web`,
      "--role-session-name",
      "gha",
      "--web-identity-token",
      token,
    ];
    const claims = {
      iss: issuer,
      aud: "sts.amazonaws.com",
      sub: "ci",
      exp: Math.floor(Date.now() / 1000) + 600,
    };
    const wrongAudience = await awsCli(emulator.url, webArgs(jwt({ ...claims, aud: "other" })));
    expect(wrongAudience.exitCode).toBe(AWS_CLI_SERVICE_ERROR_EXIT);
    expect(wrongAudience.stderr).toContain("InvalidIdentityToken");
    const web = await awsCli(emulator.url, webArgs(jwt(claims)));
    expect(web.exitCode, web.stderr).toBe(0);
    expect(JSON.parse(web.stdout)).toMatchObject({
      SubjectFromWebIdentityToken: "ci",
      Audience: "sts.amazonaws.com",
      AssumedRoleUser: { Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/cli-web/gha` },
      Credentials: { AccessKeyId: expect.stringMatching(/^ASIA/) as unknown },
    });
  });
});
