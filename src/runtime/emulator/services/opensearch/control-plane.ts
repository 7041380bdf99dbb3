import { ServiceError } from "../../core/errors.js";
import type { EmulatorRequest, EmulatorResponse, RequestContext } from "../../core/request.js";
import { parseRestJson, restJsonError, restJsonResponse } from "../../protocol/rest.js";

/**
 * A minimal OpenSearch Service control plane (restJson1, `/2021-01-01/...`): CreateDomain,
 * DescribeDomain(s), DeleteDomain, ListDomainNames. Domains are ready at once (Processing
 * false); their Endpoint is the emulator's path-style data plane, `<host:port>/opensearch/<region>/<name>`
 * without a scheme (as AWS returns endpoints), served over plain HTTP. The data plane does not
 * require a domain to be created first.
 */

export interface DomainRecord {
  name: string;
  accountId: string;
  region: string;
  created: number;
  engineVersion: string;
  clusterConfig: Record<string, unknown>;
  ebsOptions: Record<string, unknown>;
  accessPolicies: string;
  advancedOptions: Record<string, string>;
}

const DOMAIN_NAME = /^[a-z][a-z0-9-]{2,27}$/;
const ENGINE_VERSION = /^(OpenSearch_\d+\.\d+|Elasticsearch_\d+\.\d+)$/;

export interface ControlPlaneDeps {
  baseUrl(): string;
  now(): number;
  domains(accountId: string, region: string): DomainRecord[];
  domain(accountId: string, region: string, name: string): DomainRecord | undefined;
  /** Journals and applies; `delete` also drops the domain's indices. */
  create(record: DomainRecord): void;
  delete(record: DomainRecord): void;
}

const notFound = (name: string) =>
  new ServiceError("ResourceNotFoundException", `Domain not found: ${name}`, 409);
const validation = (message: string) => new ServiceError("ValidationException", message, 400);

export async function handleControlPlane(
  request: EmulatorRequest,
  deps: ControlPlaneDeps,
): Promise<EmulatorResponse> {
  const ctx = request.context;
  try {
    const path = request.path.replace(/\/+$/, "");
    if (path === "/2021-01-01/opensearch/domain" && request.method === "POST") {
      return restJsonResponse(200, {
        DomainStatus: status(createDomain(parseRestJson(request.body), ctx, deps), deps),
      });
    }
    if (path === "/2021-01-01/opensearch/domain-info" && request.method === "POST") {
      const names = parseRestJson(request.body)["DomainNames"];
      if (!Array.isArray(names)) throw validation("DomainNames is required");
      return restJsonResponse(200, {
        DomainStatusList: names
          .map((n) => deps.domain(ctx.accountId, ctx.region, String(n)))
          .filter((d): d is DomainRecord => d !== undefined)
          .map((d) => status(d, deps)),
      });
    }
    if (path === "/2021-01-01/domain" && request.method === "GET") {
      const engine = request.query.get("engineType");
      return restJsonResponse(200, {
        DomainNames: deps
          .domains(ctx.accountId, ctx.region)
          .map((d) => ({
            DomainName: d.name,
            EngineType: d.engineVersion.startsWith("OpenSearch") ? "OpenSearch" : "Elasticsearch",
          }))
          .filter((d) => !engine || d.EngineType === engine),
      });
    }
    const named = /^\/2021-01-01\/opensearch\/domain\/([^/]+)$/.exec(path);
    if (named) {
      const name = decodeURIComponent(named[1]!);
      const record = deps.domain(ctx.accountId, ctx.region, name);
      if (request.method === "GET") {
        if (!record) throw notFound(name);
        return restJsonResponse(200, { DomainStatus: status(record, deps) });
      }
      if (request.method === "DELETE") {
        if (!record) throw notFound(name);
        deps.delete(record);
        return restJsonResponse(200, {
          DomainStatus: { ...status(record, deps), Deleted: true, Processing: true },
        });
      }
    }
    throw new ServiceError(
      "UnknownOperationException",
      `${request.method} ${request.path} is not an OpenSearch Service operation this emulator supports`,
      404,
    );
  } catch (error) {
    return restJsonError(error, ctx.requestId);
  }
}

function createDomain(
  input: Record<string, unknown>,
  ctx: RequestContext,
  deps: ControlPlaneDeps,
): DomainRecord {
  const name = input["DomainName"];
  if (typeof name !== "string")
    throw validation(
      "1 validation error detected: Value null at 'domainName' failed to satisfy constraint: Member must not be null",
    );
  if (!DOMAIN_NAME.test(name)) {
    throw validation(
      `1 validation error detected: Value '${name}' at 'domainName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z][a-z0-9\\-]+ and have length between 3 and 28`,
    );
  }
  if (deps.domain(ctx.accountId, ctx.region, name)) {
    throw new ServiceError("ResourceAlreadyExistsException", `domain ${name} already exists`, 409);
  }
  const engineVersion =
    typeof input["EngineVersion"] === "string" ? input["EngineVersion"] : "OpenSearch_2.19";
  if (!ENGINE_VERSION.test(engineVersion)) throw validation(`Invalid EngineVersion: ${engineVersion}`);
  const record: DomainRecord = {
    name,
    accountId: ctx.accountId,
    region: ctx.region,
    created: deps.now(),
    engineVersion,
    clusterConfig: {
      InstanceType: "r6g.large.search",
      InstanceCount: 1,
      DedicatedMasterEnabled: false,
      ZoneAwarenessEnabled: false,
      WarmEnabled: false,
      ...objectOrEmpty(input["ClusterConfig"]),
    },
    ebsOptions: {
      EBSEnabled: true,
      VolumeType: "gp3",
      VolumeSize: 10,
      ...objectOrEmpty(input["EBSOptions"]),
    },
    accessPolicies: typeof input["AccessPolicies"] === "string" ? input["AccessPolicies"] : "",
    advancedOptions: {
      "rest.action.multi.allow_explicit_index": "true",
      ...(objectOrEmpty(input["AdvancedOptions"]) as Record<string, string>),
    },
  };
  deps.create(record);
  return record;
}

function status(d: DomainRecord, deps: ControlPlaneDeps): Record<string, unknown> {
  const host = deps.baseUrl().replace(/^https?:\/\//, "");
  return {
    DomainId: `${d.accountId}/${d.name}`,
    DomainName: d.name,
    ARN: `arn:aws:es:${d.region}:${d.accountId}:domain/${d.name}`,
    Created: true,
    Deleted: false,
    Endpoint: `${host}/opensearch/${d.region}/${d.name}`,
    Processing: false,
    UpgradeProcessing: false,
    EngineVersion: d.engineVersion,
    ClusterConfig: d.clusterConfig,
    EBSOptions: d.ebsOptions,
    AccessPolicies: d.accessPolicies,
    SnapshotOptions: {},
    CognitoOptions: { Enabled: false },
    EncryptionAtRestOptions: { Enabled: false },
    NodeToNodeEncryptionOptions: { Enabled: false },
    AdvancedOptions: d.advancedOptions,
    DomainEndpointOptions: { EnforceHTTPS: false, TLSSecurityPolicy: "Policy-Min-TLS-1-2-2019-07" },
    AdvancedSecurityOptions: {
      Enabled: false,
      InternalUserDatabaseEnabled: false,
      AnonymousAuthEnabled: false,
    },
    DomainProcessingStatus: "Active",
  };
}

function objectOrEmpty(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
