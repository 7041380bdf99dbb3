import { randomBytes } from "node:crypto";
import type { Role } from "@aws-sdk/client-iam";
import type { CallerIdentity, IssuedCredentials } from "../../core/credentials.js";
import { policySize, validatePolicyDocument } from "../../core/policy-document.js";
import type { RequestContext } from "../../core/request.js";
import type { ServiceEnv } from "../../core/service.js";
import { stsErrors } from "./errors.js";
import * as limits from "./limits.js";
import { trustAllows } from "./trust.js";
import { decodeWebIdentityToken, wellKnownIssuer } from "./web-identity.js";

type Input = Record<string, unknown>;

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function randomId(prefix: string, length: number): string {
  let id = prefix;
  for (const b of randomBytes(length)) id += ALPHABET[b % ALPHABET.length];
  return id;
}

/**
 * STS operations. Temporary credentials are registered with the emulator (`env.credentials`) and
 * journaled, so requests signed with them run as the role (or user, or federated user) until
 * their Expiration on the emulator clock, then get `ExpiredToken`.
 */
export class StsProvider {
  constructor(
    private readonly env: ServiceEnv,
    private readonly issue: (credentials: IssuedCredentials) => void,
  ) {}

  /** Who is calling: credentials the emulator issued, else the account's root (any other key). */
  caller(context: RequestContext): CallerIdentity {
    return (
      context.caller ?? {
        kind: "root",
        accountId: context.accountId,
        arn: `arn:aws:iam::${context.accountId}:root`,
        userId: context.accessKeyId ?? context.accountId,
        principalArn: `arn:aws:iam::${context.accountId}:root`,
        temporary: false,
      }
    );
  }

  async getCallerIdentity(_i: Input, context: RequestContext) {
    const caller = this.caller(context);
    return { UserId: caller.userId, Account: caller.accountId, Arn: caller.arn };
  }

  async getAccessKeyInfo(i: Input, context: RequestContext) {
    const id = requiredString(i["AccessKeyId"], "accessKeyId");
    const issued = this.env.credentials.get(id);
    return { Account: issued?.caller.accountId ?? context.accountId };
  }

  async assumeRole(i: Input, context: RequestContext) {
    const caller = this.caller(context);
    const roleArn = readRoleArn(i["RoleArn"]);
    const session = sessionName(i["RoleSessionName"], "roleSessionName");
    const duration = durationSeconds(i["DurationSeconds"], limits.MAX_ROLE_DURATION_SECONDS);
    const externalId = optionalString(i["ExternalId"], "externalId");
    if (externalId !== undefined)
      checkLength(externalId, "externalId", limits.EXTERNAL_ID_LENGTH, limits.EXTERNAL_ID_PATTERN);
    const sourceIdentity = optionalString(i["SourceIdentity"], "sourceIdentity");
    if (sourceIdentity !== undefined) {
      checkLength(
        sourceIdentity,
        "sourceIdentity",
        limits.SOURCE_IDENTITY_LENGTH,
        limits.ROLE_SESSION_NAME_PATTERN,
      );
    }
    const tags = sessionTags(i["Tags"]);
    const packed = this.sessionPolicy(i, tags);
    const role = await this.role(roleArn, caller, "sts:AssumeRole");
    const chained = caller.kind === "assumed-role";
    const allowed = trustAllows(decodeURIComponent(role.AssumeRolePolicyDocument ?? ""), {
      action: "sts:AssumeRole",
      aws: { arns: [caller.arn, caller.principalArn], account: caller.accountId },
      context: {
        "aws:PrincipalArn": caller.principalArn,
        "aws:PrincipalAccount": caller.accountId,
        "aws:PrincipalType": principalType(caller),
        "aws:userid": caller.userId,
        ...(caller.kind === "user"
          ? { "aws:username": caller.arn.slice(caller.arn.lastIndexOf("/") + 1) }
          : {}),
        "sts:ExternalId": externalId,
        "sts:RoleSessionName": session,
        "sts:SourceIdentity": sourceIdentity,
        "aws:SecureTransport": "false",
        ...Object.fromEntries(tags.map((t) => [`aws:RequestTag/${t.Key}`, t.Value])),
        ...(tags.length > 0 ? { "aws:TagKeys": tags.map((t) => t.Key) } : {}),
      },
    });
    if (!allowed) throw stsErrors.notAuthorized(caller.arn, "sts:AssumeRole", roleArn);
    this.checkDuration(duration, role, chained);
    const seconds = duration ?? limits.DEFAULT_ROLE_DURATION_SECONDS;
    const assumed = this.assumedRoleUser(role, session);
    const credentials = this.newCredentials(seconds, {
      kind: "assumed-role",
      accountId: accountOf(roleArn),
      arn: assumed.Arn,
      userId: assumed.AssumedRoleId,
      principalArn: role.Arn!,
      temporary: true,
    });
    return {
      Credentials: credentials,
      AssumedRoleUser: assumed,
      ...(packed !== undefined ? { PackedPolicySize: packed } : {}),
      ...(sourceIdentity !== undefined ? { SourceIdentity: sourceIdentity } : {}),
    };
  }

  async assumeRoleWithWebIdentity(i: Input, _context: RequestContext) {
    const roleArn = readRoleArn(i["RoleArn"]);
    const session = sessionName(i["RoleSessionName"], "roleSessionName");
    const token = requiredString(i["WebIdentityToken"], "webIdentityToken");
    checkLength(token, "webIdentityToken", limits.WEB_IDENTITY_TOKEN_LENGTH);
    const duration = durationSeconds(i["DurationSeconds"], limits.MAX_ROLE_DURATION_SECONDS);
    const packed = this.sessionPolicy(i, []);
    const claims = decodeWebIdentityToken(token, this.env.clock.now());
    const account = accountOf(roleArn);
    const roleContext = contextFor(account, _context);
    // The issuer must be an OIDC provider of the role's account (or a well-known identity provider).
    const wellKnown = wellKnownIssuer(claims.issuer);
    let federated: string;
    if (wellKnown) federated = wellKnown;
    else {
      federated = `arn:aws:iam::${account}:oidc-provider/${claims.providerKey}`;
      const provider = await this.env
        .call<{ ClientIDList?: string[] }>(
          "iam",
          "GetOpenIDConnectProvider",
          { OpenIDConnectProviderArn: federated },
          roleContext,
        )
        .catch(() => undefined);
      if (!provider) {
        throw stsErrors.invalidIdentityToken(
          `No OpenIDConnect provider found in your account for ${claims.issuer}`,
        );
      }
      if (!claims.audiences.some((a) => (provider.ClientIDList ?? []).includes(a))) {
        throw stsErrors.invalidIdentityToken("Incorrect token audience");
      }
    }
    const role = await this.role(roleArn, undefined, "sts:AssumeRoleWithWebIdentity");
    const key = wellKnown ?? claims.providerKey;
    const allowed = trustAllows(decodeURIComponent(role.AssumeRolePolicyDocument ?? ""), {
      action: "sts:AssumeRoleWithWebIdentity",
      federated,
      context: {
        [`${key}:sub`]: claims.subject,
        [`${key}:aud`]: claims.audiences,
        ...(claims.amr ? { [`${key}:amr`]: claims.amr } : {}),
        "sts:RoleSessionName": session,
        "aws:FederatedProvider": federated,
      },
    });
    if (!allowed) throw stsErrors.accessDenied("Not authorized to perform sts:AssumeRoleWithWebIdentity");
    this.checkDuration(duration, role, false);
    const assumed = this.assumedRoleUser(role, session);
    const credentials = this.newCredentials(duration ?? limits.DEFAULT_ROLE_DURATION_SECONDS, {
      kind: "assumed-role",
      accountId: account,
      arn: assumed.Arn,
      userId: assumed.AssumedRoleId,
      principalArn: role.Arn!,
      temporary: true,
    });
    return {
      Credentials: credentials,
      SubjectFromWebIdentityToken: claims.subject,
      AssumedRoleUser: assumed,
      ...(packed !== undefined ? { PackedPolicySize: packed } : {}),
      Provider: wellKnown ?? claims.issuer,
      Audience: claims.audiences[0],
    };
  }

  async getSessionToken(i: Input, context: RequestContext) {
    const caller = this.caller(context);
    if (caller.temporary)
      throw stsErrors.accessDenied("Cannot call GetSessionToken with session credentials");
    const seconds = this.tokenDuration(i, caller);
    const credentials = this.newCredentials(seconds, { ...caller, temporary: true });
    return { Credentials: credentials };
  }

  async getFederationToken(i: Input, context: RequestContext) {
    const caller = this.caller(context);
    if (caller.temporary)
      throw stsErrors.accessDenied("Cannot call GetFederationToken with session credentials");
    const name = requiredString(i["Name"], "name");
    checkLength(name, "name", limits.FEDERATED_NAME_LENGTH, limits.ROLE_SESSION_NAME_PATTERN);
    const seconds = this.tokenDuration(i, caller);
    const tags = sessionTags(i["Tags"]);
    const packed = this.sessionPolicy(i, tags);
    const federatedUser = {
      FederatedUserId: `${caller.accountId}:${name}`,
      Arn: `arn:aws:sts::${caller.accountId}:federated-user/${name}`,
    };
    const credentials = this.newCredentials(seconds, {
      kind: "federated-user",
      accountId: caller.accountId,
      arn: federatedUser.Arn,
      userId: federatedUser.FederatedUserId,
      principalArn: federatedUser.Arn,
      temporary: true,
    });
    return {
      Credentials: credentials,
      FederatedUser: federatedUser,
      ...(packed !== undefined ? { PackedPolicySize: packed } : {}),
    };
  }

  // --- Internals ---------------------------------------------------------------------------

  /** The role an ARN names, looked up in its own account through IAM; AccessDenied if absent. */
  private async role(roleArn: string, caller: CallerIdentity | undefined, action: string): Promise<Role> {
    const name = roleArn.slice(roleArn.lastIndexOf("/") + 1);
    const context = contextFor(accountOf(roleArn));
    const found = await this.env
      .call<{ Role?: Role }>("iam", "GetRole", { RoleName: name }, context)
      .then((r) => r.Role)
      .catch(() => undefined);
    if (!found || found.Arn !== roleArn) {
      if (!caller) throw stsErrors.accessDenied(`Not authorized to perform ${action}`);
      throw stsErrors.notAuthorized(caller.arn, action, roleArn);
    }
    return found;
  }

  private assumedRoleUser(role: Role, session: string) {
    return {
      AssumedRoleId: `${role.RoleId}:${session}`,
      Arn: `arn:aws:sts::${accountOf(role.Arn!)}:assumed-role/${role.RoleName}/${session}`,
    };
  }

  private checkDuration(duration: number | undefined, role: Role, chained: boolean): void {
    if (duration === undefined) return;
    if (chained && duration > limits.MAX_CHAINED_DURATION_SECONDS) {
      throw stsErrors.validationMessage(
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
      );
    }
    if (duration > (role.MaxSessionDuration ?? limits.DEFAULT_ROLE_DURATION_SECONDS)) {
      throw stsErrors.validationMessage(
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
      );
    }
  }

  /** GetSessionToken / GetFederationToken: 900..129,600 s, 12 h by default; root sessions at most 1 h. */
  private tokenDuration(i: Input, caller: CallerIdentity): number {
    const seconds =
      durationSeconds(i["DurationSeconds"], limits.MAX_TOKEN_DURATION_SECONDS) ??
      limits.DEFAULT_TOKEN_DURATION_SECONDS;
    return caller.kind === "root" ? Math.min(seconds, limits.MAX_ROOT_TOKEN_DURATION_SECONDS) : seconds;
  }

  /** Validates Policy and PolicyArns; returns PackedPolicySize (a percentage) when either is given. */
  private sessionPolicy(i: Input, tags: { Key: string; Value: string }[]): number | undefined {
    const policy = optionalString(i["Policy"], "policy");
    const arns = i["PolicyArns"];
    if (arns !== undefined) {
      if (!Array.isArray(arns) || arns.length > limits.MAX_POLICY_ARNS) {
        throw stsErrors.validation(
          "policyArns",
          "[...]",
          `Member must have length less than or equal to ${limits.MAX_POLICY_ARNS}`,
        );
      }
      for (const entry of arns as { arn?: unknown }[]) {
        const arn = (entry as Record<string, unknown>)?.["arn"];
        if (typeof arn !== "string" || !/^arn:aws[\w-]*:iam::(aws|\d{12}):policy\//.test(arn)) {
          throw stsErrors.validationMessage(`${String(arn)} is not a valid policy ARN.`);
        }
      }
    }
    if (policy === undefined && tags.length === 0) return undefined;
    if (policy !== undefined) {
      if (policy.length > limits.MAX_SESSION_POLICY_CHARS) {
        throw stsErrors.validation(
          "policy",
          `${policy.slice(0, 20)}...`,
          `Member must have length less than or equal to ${limits.MAX_SESSION_POLICY_CHARS}`,
        );
      }
      validatePolicyDocument(policy, "session");
    }
    // AWS packs (compresses) the policy and tags; the emulator counts their characters against the limit.
    const used =
      (policy ? policySize(policy) : 0) + tags.reduce((n, t) => n + t.Key.length + t.Value.length, 0);
    const percent = Math.max(1, Math.ceil((100 * used) / limits.MAX_SESSION_POLICY_CHARS / 2));
    if (percent > 100) throw stsErrors.packedPolicyTooLarge(percent);
    return percent;
  }

  private newCredentials(seconds: number, caller: CallerIdentity) {
    const expiresAt = this.env.clock.now() + seconds * 1000;
    const issued: IssuedCredentials = {
      accessKeyId: randomId("ASIA", 16),
      secretAccessKey: randomBytes(30).toString("base64").replace(/[+/]/g, "A"),
      sessionToken: `IQoJb3JpZ2luX2Vj${randomBytes(240).toString("base64")}`,
      expiresAt,
      active: true,
      caller,
    };
    this.issue(issued);
    return {
      AccessKeyId: issued.accessKeyId,
      SecretAccessKey: issued.secretAccessKey,
      SessionToken: issued.sessionToken,
      Expiration: new Date(expiresAt),
    };
  }
}

function principalType(caller: CallerIdentity): string {
  return caller.kind === "root"
    ? "Account"
    : caller.kind === "user"
      ? "User"
      : caller.kind === "assumed-role"
        ? "AssumedRole"
        : "FederatedUser";
}

function contextFor(accountId: string, base?: RequestContext): RequestContext {
  return { requestId: base?.requestId ?? "sts-internal", region: base?.region ?? "us-east-1", accountId };
}

function accountOf(arn: string): string {
  return arn.split(":")[4] ?? "";
}

function requiredString(value: unknown, member: string): string {
  if (value === undefined || value === null || value === "") throw stsErrors.missing(member);
  if (typeof value !== "string") throw stsErrors.validation(member, value, "Member must be a string");
  return value;
}

function optionalString(value: unknown, member: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw stsErrors.validation(member, value, "Member must be a string");
  return value;
}

function checkLength(
  value: string,
  member: string,
  length: { min: number; max: number },
  pattern?: RegExp,
): void {
  if (value.length < length.min) {
    throw stsErrors.validation(
      member,
      value,
      `Member must have length greater than or equal to ${length.min}`,
    );
  }
  if (value.length > length.max) {
    throw stsErrors.validation(member, value, `Member must have length less than or equal to ${length.max}`);
  }
  if (pattern && !pattern.test(value)) {
    throw stsErrors.validation(
      member,
      value,
      `Member must satisfy regular expression pattern: ${pattern.source.slice(1, -1)}`,
    );
  }
}

function readRoleArn(value: unknown): string {
  const arn = requiredString(value, "roleArn");
  if (arn.length < 20)
    throw stsErrors.validation("roleArn", arn, "Member must have length greater than or equal to 20");
  if (!/^arn:aws[\w-]*:iam::\d{12}:role\/.+$/.test(arn)) {
    throw stsErrors.validationMessage(`${arn} is invalid`);
  }
  return arn;
}

function sessionName(value: unknown, member: string): string {
  const name = requiredString(value, member);
  checkLength(name, member, limits.ROLE_SESSION_NAME_LENGTH, limits.ROLE_SESSION_NAME_PATTERN);
  return name;
}

function durationSeconds(value: unknown, max: number): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw stsErrors.validation("durationSeconds", value, "Member must be an integer");
  if (n < limits.MIN_DURATION_SECONDS) {
    throw stsErrors.validation(
      "durationSeconds",
      n,
      `Member must have value greater than or equal to ${limits.MIN_DURATION_SECONDS}`,
    );
  }
  if (n > max)
    throw stsErrors.validation("durationSeconds", n, `Member must have value less than or equal to ${max}`);
  return n;
}

function sessionTags(value: unknown): { Key: string; Value: string }[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw stsErrors.validation("tags", value, "Member must be a list");
  if (value.length > limits.MAX_SESSION_TAGS) {
    throw stsErrors.validation(
      "tags",
      `[${value.length} tags]`,
      `Member must have length less than or equal to ${limits.MAX_SESSION_TAGS}`,
    );
  }
  return value.map((t: Record<string, unknown>, n) => {
    const key = t?.["Key"];
    const v = t?.["Value"];
    if (typeof key !== "string" || key.length < 1 || key.length > 128) {
      throw stsErrors.validation(
        `tags.${n + 1}.member.key`,
        key,
        "Member must have length between 1 and 128",
      );
    }
    if (typeof v !== "string" || v.length > 256) {
      throw stsErrors.validation(
        `tags.${n + 1}.member.value`,
        v,
        "Member must have length less than or equal to 256",
      );
    }
    return { Key: key, Value: v };
  });
}
