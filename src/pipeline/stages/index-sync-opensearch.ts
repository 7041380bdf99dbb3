import { Client, errors } from "@opensearch-project/opensearch";
import { AwsSigv4Signer } from "@opensearch-project/opensearch/aws-v3";
import { BulkRequestError } from "./index-sync.js";
import type { BulkItemResult, IndexAction, SearchIndexPort } from "./index-sync.js";

/** Per-request timeout for bulk calls; a batch of 100 documents is far smaller than this allows. */
const REQUEST_TIMEOUT_MS = 30_000;

/** Amazon OpenSearch Service endpoints need SigV4; local ones (emulator, LocalStack) do not. */
export function needsSigV4(endpoint: string): boolean {
  return new URL(endpoint).hostname.endsWith("amazonaws.com");
}

/**
 * The OpenSearch client for an endpoint. A path prefix in the endpoint (the emulator's and
 * LocalStack's path style, `…/opensearch/<region>/<domain>`) is kept: the client joins request
 * paths onto the node URL's path. The client's own retries are off (maxRetries 0): it would retry
 * at once, without backoff and on whole requests; index-sync retries only the failed items, with
 * backoff. SigV4 (service `es`) only for AWS hosts; credentials from the SDK's default chain.
 */
export interface OpenSearchClientOptions {
  /** Region for SigV4 (the domain's region). */
  region: string | undefined;
  /** Sign even a non-AWS endpoint (tests of the signing path). Default: needsSigV4(endpoint). */
  sign?: boolean;
  /** Credentials for signing; default: the AWS SDK's default provider chain. */
  getCredentials?: () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>;
}

export function createOpenSearchClient(endpoint: string, options: OpenSearchClientOptions): Client {
  const sign = options.sign ?? needsSigV4(endpoint);
  const signer = sign
    ? AwsSigv4Signer({
        region: options.region ?? "us-east-1",
        service: "es",
        ...(options.getCredentials === undefined ? {} : { getCredentials: options.getCredentials }),
      })
    : {};
  return new Client({ ...signer, node: endpoint, maxRetries: 0, requestTimeout: REQUEST_TIMEOUT_MS });
}

/**
 * The bulk body: every index and delete carries its version with OpenSearch external versioning,
 * so a write older than the document (or delete) in the index is refused with a 409.
 */
export function bulkBody(index: string, actions: readonly IndexAction[]): Record<string, unknown>[] {
  return actions.flatMap((action) => {
    const meta = {
      _index: index,
      _id: action.id,
      version: action.version.value,
      version_type: action.version.type,
    };
    return action.kind === "index" ? [{ index: meta }, action.document] : [{ delete: meta }];
  });
}

interface RawBulkItem {
  status?: number;
  result?: string;
  error?: { type?: string; reason?: string } | string;
}

function toBulkItem(entry: Record<string, RawBulkItem | undefined>): BulkItemResult {
  const item = Object.values(entry)[0] ?? {};
  const error = typeof item.error === "string" ? { reason: item.error } : item.error;
  return {
    status: typeof item.status === "number" ? item.status : 500,
    ...(item.result === undefined ? {} : { result: item.result }),
    ...(error === undefined ? {} : { error }),
  };
}

function asBulkRequestError(error: unknown): BulkRequestError {
  if (error instanceof errors.ResponseError) {
    const status = error.meta.statusCode ?? undefined;
    return new BulkRequestError(`bulk request answered HTTP ${status ?? "?"}: ${error.message}`, status, {
      cause: error,
    });
  }
  if (error instanceof Error) {
    // ConnectionError, TimeoutError, NoLivingConnectionsError, DeserializationError: no usable answer.
    return new BulkRequestError(
      `bulk request got no usable response: ${error.name}: ${error.message}`,
      undefined,
      {
        cause: error,
      },
    );
  }
  return new BulkRequestError(`bulk request failed: ${String(error)}`, undefined);
}

/** index-sync's SearchIndexPort over the official client's bulk API. */
export function openSearchIndexPort(client: Client, index: string): SearchIndexPort {
  return {
    async bulk(actions) {
      let response;
      try {
        response = await client.bulk({ body: bulkBody(index, actions) });
      } catch (error) {
        throw asBulkRequestError(error);
      }
      const items = (response.body as { items?: Record<string, RawBulkItem | undefined>[] }).items;
      if (!Array.isArray(items)) throw new BulkRequestError("bulk response has no items", undefined);
      return items.map(toBulkItem);
    },
  };
}
