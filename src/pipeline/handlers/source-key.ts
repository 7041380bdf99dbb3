import { SSMProvider } from "@aws-lambda-powertools/parameters/ssm";
import { SSMClient } from "@aws-sdk/client-ssm";
import { HANDLER_ENV } from "../stack/handler-env.js";
import { HandlerConfigError } from "./_shared.js";

/**
 * Where a scraper gets its source's API key. A deployed function reads it from SSM Parameter Store
 * (the SecureString named by SOURCE_API_KEY_PARAMETER), decrypted, through Powertools Parameters:
 * the read starts at cold start and the value is cached for API_KEY_MAX_AGE_SECONDS, so warm
 * invocations make no SSM call and a key changed with `pipeline secrets set` reaches running
 * instances within that time. SOURCE_API_KEY (the key itself) is for in-process runs only
 * (`pipeline run`), where config's apiKey is passed straight to the handler; deploy never sets it.
 */

/** How long a function instance uses a key it read before asking SSM again. */
export const API_KEY_MAX_AGE_SECONDS = 300;

export type SourceKey =
  | { kind: "fixed"; value: string | undefined }
  | { kind: "parameter"; name: string; read: () => Promise<string | undefined> };

/** The key named by a handler's settings: given directly, read from a parameter, or none. */
export function sourceKeyOf(
  settings: { apiKey: string | undefined; apiKeyParameter: string | undefined },
  ssm?: SSMClient,
): SourceKey {
  if (settings.apiKey !== undefined || settings.apiKeyParameter === undefined) {
    return { kind: "fixed", value: settings.apiKey };
  }
  const name = settings.apiKeyParameter;
  const provider = new SSMProvider({ awsSdkV3Client: ssm ?? new SSMClient({}) });
  return {
    kind: "parameter",
    name,
    async read() {
      try {
        const value = await provider.get(name, { decrypt: true, maxAge: API_KEY_MAX_AGE_SECONDS });
        return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
      } catch (error) {
        const cause = (error as { cause?: unknown }).cause ?? error;
        const code = (cause as { name?: string }).name ?? "Error";
        // No parameter is no key: the source client decides whether its API needs one.
        if (code === "ParameterNotFound") return undefined;
        throw new HandlerConfigError(
          `cannot read the API key parameter ${name} (${HANDLER_ENV.sourceApiKeyParameter}) from SSM Parameter Store: ` +
            `${code}: ${(cause as Error).message ?? String(cause)}`,
        );
      }
    },
  };
}

/**
 * The source client for the current key. A fixed key builds the client once, now (so a missing
 * key or a bad URL fails at cold start, as before). A parameter is read now too, at cold start;
 * each invocation then asks for the client again and gets the same one until the key changes.
 */
export function sourceClientFor<C>(
  key: SourceKey,
  build: (apiKey: string | undefined) => C,
): () => Promise<C> {
  if (key.kind === "fixed") {
    const client = build(key.value);
    return () => Promise.resolve(client);
  }
  let inflight: Promise<string | undefined> | undefined;
  const readKey = (): Promise<string | undefined> => {
    // Concurrent callers share one read; later ones hit Powertools' cache.
    inflight ??= key.read().finally(() => {
      inflight = undefined;
    });
    return inflight;
  };
  readKey().catch(() => {
    // Reported by the invocation that awaits it, not as an unhandled rejection at init.
  });
  let current: { apiKey: string | undefined; client: C } | undefined;
  return async () => {
    const apiKey = await readKey();
    if (current === undefined || current.apiKey !== apiKey) current = { apiKey, client: build(apiKey) };
    return current.client;
  };
}
