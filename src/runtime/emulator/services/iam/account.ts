import type { RequestContext } from "../../core/request.js";
import type { IamCore } from "./core.js";
import { iamErrors } from "./errors.js";
import * as input from "./input.js";
import * as limits from "./limits.js";
import { listTags } from "./roles.js";
import type { OidcProviderRecord, PasswordPolicyRecord } from "./store.js";

type Input = Record<string, unknown>;
type Empty = Record<string, never>;

/** Account-wide IAM settings: the password policy and OpenID Connect identity providers. */
export class AccountSettings {
  constructor(private readonly core: IamCore) {}

  /** No partial updates: every member left out goes back to its default, as IAM documents. */
  async updateAccountPasswordPolicy(i: Input, context: RequestContext): Promise<Empty> {
    const flag = (member: string) =>
      input.bool(i[member], member[0]!.toLowerCase() + member.slice(1)) ?? false;
    const maxAge = input.integer(i["MaxPasswordAge"], "maxPasswordAge", 1, limits.MAX_PASSWORD_AGE);
    const reuse = input.integer(
      i["PasswordReusePrevention"],
      "passwordReusePrevention",
      1,
      limits.MAX_PASSWORD_REUSE_PREVENTION,
    );
    const hardExpiry = input.bool(i["HardExpiry"], "hardExpiry");
    const policy: PasswordPolicyRecord = {
      minimumPasswordLength:
        input.integer(
          i["MinimumPasswordLength"],
          "minimumPasswordLength",
          limits.PASSWORD_LENGTH.min,
          limits.PASSWORD_LENGTH.max,
        ) ?? limits.PASSWORD_LENGTH.default,
      requireSymbols: flag("RequireSymbols"),
      requireNumbers: flag("RequireNumbers"),
      requireUppercaseCharacters: flag("RequireUppercaseCharacters"),
      requireLowercaseCharacters: flag("RequireLowercaseCharacters"),
      allowUsersToChangePassword: flag("AllowUsersToChangePassword"),
      ...(maxAge !== undefined ? { maxPasswordAge: maxAge } : {}),
      ...(reuse !== undefined ? { passwordReusePrevention: reuse } : {}),
      ...(hardExpiry !== undefined ? { hardExpiry } : {}),
    };
    this.core.commit({ t: "passwordPolicy", account: context.accountId, policy });
    return {};
  }

  async getAccountPasswordPolicy(_i: Input, context: RequestContext) {
    const p = this.core.state.passwordPolicy(context.accountId);
    if (!p) throw iamErrors.noPasswordPolicy(context.accountId);
    return {
      PasswordPolicy: {
        MinimumPasswordLength: p.minimumPasswordLength,
        RequireSymbols: p.requireSymbols,
        RequireNumbers: p.requireNumbers,
        RequireUppercaseCharacters: p.requireUppercaseCharacters,
        RequireLowercaseCharacters: p.requireLowercaseCharacters,
        AllowUsersToChangePassword: p.allowUsersToChangePassword,
        ExpirePasswords: p.maxPasswordAge !== undefined,
        ...(p.maxPasswordAge !== undefined ? { MaxPasswordAge: p.maxPasswordAge } : {}),
        ...(p.passwordReusePrevention !== undefined
          ? { PasswordReusePrevention: p.passwordReusePrevention }
          : {}),
        ...(p.hardExpiry !== undefined ? { HardExpiry: p.hardExpiry } : {}),
      },
    };
  }

  async deleteAccountPasswordPolicy(_i: Input, context: RequestContext): Promise<Empty> {
    if (!this.core.state.passwordPolicy(context.accountId))
      throw iamErrors.noPasswordPolicy(context.accountId);
    this.core.commit({ t: "passwordPolicy", account: context.accountId, policy: null });
    return {};
  }

  // --- OpenID Connect providers (the Federated principals of AssumeRoleWithWebIdentity) ----

  async createOpenIDConnectProvider(i: Input, context: RequestContext) {
    const url = input.required(i["Url"], "url");
    if (!/^https:\/\/[^\s/]+/.test(url) || url.length > 255) {
      throw iamErrors.validation("url", url, "Member must be an https:// URL of at most 255 characters");
    }
    const clientIds = input.stringList(i["ClientIDList"], "clientIDList");
    const thumbprints = thumbprintList(i["ThumbprintList"]);
    const tags = input.readTags(i["Tags"]);
    const key = oidcKey(url);
    if (this.core.state.get(context.accountId, "oidcProvider", key)) {
      throw iamErrors.exists(`Provider with url ${url} already exists.`);
    }
    const record: OidcProviderRecord = {
      url: key,
      clientIds,
      thumbprints,
      createDate: this.core.clock.now(),
      tags,
    };
    this.core.put(context, "oidcProvider", record);
    return {
      OpenIDConnectProviderArn: oidcProviderArn(context.accountId, key),
      ...(tags.length > 0 ? { Tags: tags } : {}),
    };
  }

  private provider(i: Input, context: RequestContext): OidcProviderRecord {
    const arn = input.required(i["OpenIDConnectProviderArn"], "openIDConnectProviderArn");
    const match = /^arn:aws[\w-]*:iam::(\d{12}):oidc-provider\/(.+)$/.exec(arn);
    if (!match) throw iamErrors.invalidInput(`ARN ${arn} is not valid.`);
    const record =
      match[1] === context.accountId
        ? this.core.state.get(context.accountId, "oidcProvider", match[2]!)
        : undefined;
    if (!record) throw iamErrors.noSuchOidcProvider(arn);
    return structuredClone(record);
  }

  async getOpenIDConnectProvider(i: Input, context: RequestContext) {
    const p = this.provider(i, context);
    return {
      Url: p.url,
      ClientIDList: [...p.clientIds],
      ThumbprintList: [...p.thumbprints],
      CreateDate: new Date(p.createDate),
      ...(p.tags.length > 0 ? { Tags: p.tags.map((t) => ({ ...t })) } : {}),
    };
  }

  async listOpenIDConnectProviders(_i: Input, context: RequestContext) {
    return {
      OpenIDConnectProviderList: this.core.state
        .list(context.accountId, "oidcProvider")
        .map((p) => ({ Arn: oidcProviderArn(context.accountId, p.url) }))
        .sort((a, b) => input.compare(a.Arn, b.Arn)),
    };
  }

  async deleteOpenIDConnectProvider(i: Input, context: RequestContext): Promise<Empty> {
    const p = this.provider(i, context);
    this.core.remove(context, "oidcProvider", p.url);
    return {};
  }

  async addClientIDToOpenIDConnectProvider(i: Input, context: RequestContext): Promise<Empty> {
    const p = this.provider(i, context);
    const clientId = input.required(i["ClientID"], "clientID");
    if (!p.clientIds.includes(clientId)) p.clientIds.push(clientId);
    this.core.put(context, "oidcProvider", p);
    return {};
  }

  /** Removing a client ID the provider does not have succeeds and changes nothing, as IAM documents. */
  async removeClientIDFromOpenIDConnectProvider(i: Input, context: RequestContext): Promise<Empty> {
    const p = this.provider(i, context);
    const clientId = input.required(i["ClientID"], "clientID");
    p.clientIds = p.clientIds.filter((id) => id !== clientId);
    this.core.put(context, "oidcProvider", p);
    return {};
  }

  /** The list replaces the provider's thumbprints as a whole. */
  async updateOpenIDConnectProviderThumbprint(i: Input, context: RequestContext): Promise<Empty> {
    const p = this.provider(i, context);
    p.thumbprints = thumbprintList(i["ThumbprintList"]);
    if (p.thumbprints.length === 0) throw iamErrors.missing("thumbprintList");
    this.core.put(context, "oidcProvider", p);
    return {};
  }

  async tagOpenIDConnectProvider(i: Input, context: RequestContext): Promise<Empty> {
    const p = this.provider(i, context);
    const tags = input.readTags(i["Tags"]);
    if (tags.length === 0) throw iamErrors.missing("tags");
    p.tags = input.mergeTags(p.tags, tags, "TagsPerOpenIDConnectProvider");
    this.core.put(context, "oidcProvider", p);
    return {};
  }

  async untagOpenIDConnectProvider(i: Input, context: RequestContext): Promise<Empty> {
    const p = this.provider(i, context);
    const keys = input.stringList(i["TagKeys"], "tagKeys");
    if (keys.length === 0) throw iamErrors.missing("tagKeys");
    p.tags = p.tags.filter((t) => !keys.includes(t.Key));
    this.core.put(context, "oidcProvider", p);
    return {};
  }

  async listOpenIDConnectProviderTags(i: Input, context: RequestContext) {
    return listTags(this.provider(i, context).tags, i);
  }
}

/** Thumbprints are 40 hexadecimal characters (a SHA-1 fingerprint). */
function thumbprintList(value: unknown): string[] {
  const thumbprints = input.stringList(value, "thumbprintList");
  for (const t of thumbprints) {
    if (!/^[0-9a-fA-F]{40}$/.test(t)) {
      throw iamErrors.validation("thumbprintList", t, "Member must have length greater than or equal to 40");
    }
  }
  return thumbprints;
}

/** The ARN's resource part: the issuer URL without `https://` and a trailing slash. */
export function oidcKey(url: string): string {
  return url.replace(/^https:\/\//, "").replace(/\/$/, "");
}

export function oidcProviderArn(accountId: string, key: string): string {
  return `arn:aws:iam::${accountId}:oidc-provider/${key}`;
}
