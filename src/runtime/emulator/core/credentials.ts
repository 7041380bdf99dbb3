/**
 * Credentials the emulator itself issued: IAM users' access keys (AKIA…) and STS temporary
 * credentials (ASIA…). The gateway looks a request's access key id up here, so a request signed
 * with them runs as their account and identity (GetCallerIdentity answers the user or the
 * assumed role). Any other key keeps the LocalStack convention (a 12-digit key names the account,
 * anything else is the default account). Signatures are not verified.
 */
export type CallerKind = "root" | "user" | "assumed-role" | "federated-user";

export interface CallerIdentity {
  kind: CallerKind;
  accountId: string;
  /** What GetCallerIdentity answers as Arn (the assumed-role or federated-user ARN for sessions). */
  arn: string;
  /** What GetCallerIdentity answers as UserId (e.g. `AROA…:session` for an assumed role). */
  userId: string;
  /** The IAM principal behind it (a role session's role ARN), for trust policies and aws:PrincipalArn. */
  principalArn: string;
  /** True for temporary credentials (an STS session). */
  temporary: boolean;
}

export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Epoch ms; temporary credentials only. */
  expiresAt?: number;
  /** Inactive IAM access keys are refused. */
  active: boolean;
  caller: CallerIdentity;
}

/** How a request's credentials stand: not ours, ours and usable, expired, or revoked/inactive. */
export type CredentialStatus =
  | { state: "unknown" }
  | { state: "valid"; credentials: IssuedCredentials }
  | { state: "expired"; credentials: IssuedCredentials }
  | { state: "invalid"; credentials: IssuedCredentials };

export class CredentialRegistry {
  /**
   * @param owner the service a scoped view registers for (see `scoped`)
   * @param byKey, owners shared by every view of one emulator's registry
   */
  constructor(
    private readonly owner?: string,
    private readonly byKey = new Map<string, IssuedCredentials>(),
    private readonly owners = new Map<string, string>(),
  ) {}

  /**
   * The same registry, with the keys registered through it remembered as `owner`'s: a state reset
   * of that service forgets them (`forget`), the others' keys stay valid.
   */
  scoped(owner: string): CredentialRegistry {
    return new CredentialRegistry(owner, this.byKey, this.owners);
  }

  register(credentials: IssuedCredentials): void {
    this.byKey.set(credentials.accessKeyId, credentials);
    if (this.owner !== undefined) this.owners.set(credentials.accessKeyId, this.owner);
  }

  remove(accessKeyId: string): void {
    this.byKey.delete(accessKeyId);
    this.owners.delete(accessKeyId);
  }

  /** Forgets every key `owner` registered (its state was reset). */
  forget(owner: string): void {
    for (const [key, registeredBy] of this.owners) {
      if (registeredBy !== owner) continue;
      this.byKey.delete(key);
      this.owners.delete(key);
    }
  }

  get(accessKeyId: string): IssuedCredentials | undefined {
    return this.byKey.get(accessKeyId);
  }

  status(accessKeyId: string | undefined, now: number): CredentialStatus {
    const credentials = accessKeyId ? this.byKey.get(accessKeyId) : undefined;
    if (!credentials) return { state: "unknown" };
    if (!credentials.active) return { state: "invalid", credentials };
    if (credentials.expiresAt !== undefined && credentials.expiresAt <= now) {
      return { state: "expired", credentials };
    }
    return { state: "valid", credentials };
  }

  /** Drops temporary credentials that expired before `before` (epoch ms). */
  prune(before: number): string[] {
    const dropped: string[] = [];
    for (const [key, c] of this.byKey) {
      if (c.expiresAt !== undefined && c.expiresAt < before) {
        this.byKey.delete(key);
        this.owners.delete(key);
        dropped.push(key);
      }
    }
    return dropped;
  }
}
