import type { IssuedCredentials } from "../../core/credentials.js";
import type { EmulatorRequest, EmulatorResponse } from "../../core/request.js";
import type { Operation, ServiceEnv, ServiceModule } from "../../core/service.js";
import { decodeQueryMembers, queryParams, toXml, xmlError, xmlResponse } from "../../protocol/query.js";
import { stsErrors } from "./errors.js";
import { COMPACT_AFTER_ENTRIES } from "./limits.js";
import { StsProvider } from "./provider.js";

const NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";

type StsEntry = { t: "issue"; credentials: IssuedCredentials };
interface StsSnapshot {
  sessions: IssuedCredentials[];
}

/**
 * STS over the query protocol: GetCallerIdentity, AssumeRole, AssumeRoleWithWebIdentity,
 * GetSessionToken, GetFederationToken, GetAccessKeyInfo. Issued credentials are journaled and
 * registered with the emulator so later requests signed with them are that session.
 */
export default function createStsService(env: ServiceEnv): ServiceModule {
  const store = env.store<StsSnapshot, StsEntry>("sts");
  const sessions = new Map<string, IssuedCredentials>();
  const live = (c: IssuedCredentials) => c.expiresAt === undefined || c.expiresAt > env.clock.now();
  const snapshot = (): StsSnapshot => ({ sessions: [...sessions.values()].filter(live) });
  const issue = (credentials: IssuedCredentials) => {
    store.append({ t: "issue", credentials });
    sessions.set(credentials.accessKeyId, credentials);
    env.credentials.register(credentials);
    if (store.journalLength >= COMPACT_AFTER_ENTRIES) {
      // Expired sessions are dropped at compaction: they can never be used again.
      for (const [key, c] of sessions) if (!live(c)) sessions.delete(key);
      store.compact(snapshot());
    }
  };
  const provider = new StsProvider(env, issue);
  const operations: Record<string, Operation> = {
    GetCallerIdentity: (i, c) => provider.getCallerIdentity(i, c),
    GetAccessKeyInfo: (i, c) => provider.getAccessKeyInfo(i, c),
    AssumeRole: (i, c) => provider.assumeRole(i, c),
    AssumeRoleWithWebIdentity: (i, c) => provider.assumeRoleWithWebIdentity(i, c),
    GetSessionToken: (i, c) => provider.getSessionToken(i, c),
    GetFederationToken: (i, c) => provider.getFederationToken(i, c),
  };
  return {
    name: "sts",
    operations,
    async handle(request: EmulatorRequest): Promise<EmulatorResponse> {
      const requestId = request.context.requestId;
      try {
        const params = queryParams(request);
        const action = params["Action"] ?? "";
        const operation = operations[action];
        if (!operation) throw stsErrors.invalidAction(action || "(no Action)");
        const output = (await operation(decodeQueryMembers(params), request.context)) as Record<
          string,
          unknown
        >;
        return xmlResponse(action, NAMESPACE, toXml(output, { flattened: false }), requestId);
      } catch (error) {
        return xmlError(error, NAMESPACE, requestId);
      }
    },
    async start() {
      const loaded = store.load();
      for (const c of loaded.snapshot?.sessions ?? []) sessions.set(c.accessKeyId, c);
      for (const entry of loaded.entries) sessions.set(entry.credentials.accessKeyId, entry.credentials);
      for (const c of sessions.values()) if (live(c)) env.credentials.register(c);
    },
    async stop() {
      if (store.enabled) store.compact(snapshot());
    },
  };
}
