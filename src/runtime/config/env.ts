import { SOURCES, type SourceName } from "../../pipeline/model/sources.js";

/**
 * Every environment variable the CLI reads, in one typed registry with its documentation.
 * Nothing else reads `process.env` for settings: code asks `readEnv(env, NAME)`. Variables with a
 * `key` feed that configuration key (precedence in ./resolve.ts); the rest steer the CLI itself.
 * The handlers' own variables (TABLE_NAME, SOURCE_BASE_URL, ...) are in pipeline/stack/handler-env.ts.
 * This module stays free of heavy imports: the CLI reads NO_COLOR and CI from it on every start.
 */
export interface EnvVarSpec {
  readonly doc: string;
  /** Dotted configuration key the variable sets, e.g. "emulator.port". */
  readonly key?: string;
  /** Numbers are converted before validation so messages talk about numbers. */
  readonly kind: "string" | "number" | "flag";
  /** Masked in `pipeline config show`. */
  readonly secret?: boolean;
}

function sourceVars(source: SourceName) {
  const prefix = `PIPELINE_${source.toUpperCase()}`;
  return {
    [`${prefix}_BASE_URL`]: {
      key: `sources.${source}.baseUrl`,
      kind: "string",
      doc: `Base URL of the ${source} API (default: the public API on aws, the fixture server locally).`,
    },
    [`${prefix}_API_KEY`]: {
      key: `sources.${source}.apiKey`,
      kind: "string",
      secret: true,
      doc: `API key or token for ${source}; passed to its scraper function, never printed.`,
    },
  } satisfies Record<string, EnvVarSpec>;
}

const SOURCE_VARS: Record<string, EnvVarSpec> = Object.assign({}, ...SOURCES.map(sourceVars));

export const ENV_VARS = {
  PIPELINE_CONFIG: {
    kind: "string",
    doc: "Config file to read instead of ./pipeline.config.json (--config wins).",
  },
  PIPELINE_TARGET: {
    key: "target",
    kind: "string",
    doc: "Where commands act: local (embedded emulator, default), localstack or aws.",
  },
  AWS_PROFILE: { key: "profile", kind: "string", doc: "AWS profile for the aws target." },
  AWS_REGION: { key: "region", kind: "string", doc: "Region; wins over AWS_DEFAULT_REGION." },
  AWS_DEFAULT_REGION: { key: "region", kind: "string", doc: "Region when AWS_REGION is not set." },
  AWS_ENDPOINT_URL: {
    key: "endpoint",
    kind: "string",
    doc: "Endpoint for every AWS service, as the AWS SDKs and CLI read it (--endpoint-url wins).",
  },
  AWS_CONFIG_FILE: {
    kind: "string",
    doc: "Shared AWS config file read for the profile's region on the aws target (default ~/.aws/config).",
  },
  PIPELINE_ACCOUNT: {
    key: "account",
    kind: "string",
    doc: "Expected AWS account id; commands refuse to act when the credentials belong to another.",
  },
  PIPELINE_SUFFIX: {
    key: "suffix",
    kind: "string",
    doc: 'Appended to every resource name, e.g. "-dev" (default none).',
  },
  PIPELINE_EMULATOR_PORT: {
    key: "emulator.port",
    kind: "number",
    doc: "Port of the embedded emulator on 127.0.0.1 (the local target's endpoint).",
  },
  PIPELINE_EMULATOR_PERSIST_DIR: {
    key: "emulator.persistDir",
    kind: "string",
    doc: "Folder where the emulator keeps its state between runs.",
  },
  PIPELINE_EMULATOR_RETRY_WAIT_SCALE: {
    key: "emulator.retryWaitScale",
    kind: "number",
    doc: "Factor applied to Lambda's asynchronous retry waits in the emulator (1 = AWS's minutes).",
  },
  PIPELINE_EMULATOR_TTL_SWEEP_SECONDS: {
    key: "emulator.ttlSweepSeconds",
    kind: "number",
    doc: "Seconds between two passes of the emulator's DynamoDB TTL deletions (default 60).",
  },
  PIPELINE_FIXTURES_PORT: {
    key: "fixtures.port",
    kind: "number",
    doc: "Port of the local fixture source server (local and localstack targets).",
  },
  PIPELINE_OPENSEARCH_ENDPOINT: {
    key: "opensearch.endpoint",
    kind: "string",
    doc: "OpenSearch endpoint the index-sync function writes to.",
  },
  PIPELINE_OPENSEARCH_INDEX: { key: "opensearch.index", kind: "string", doc: "OpenSearch index name." },
  ...SOURCE_VARS,
  PIPELINE_DEBUG: { kind: "flag", doc: "Print stack traces for unexpected errors (same as --debug)." },
  NO_COLOR: { kind: "flag", doc: "Plain output without colours, even on a terminal." },
  CI: { kind: "flag", doc: "Non-interactive: prompts refuse and name the flag that answers them." },
} as const satisfies Record<string, EnvVarSpec>;

export type EnvName = keyof typeof ENV_VARS | `PIPELINE_${Uppercase<SourceName>}_${"BASE_URL" | "API_KEY"}`;

export type Env = Readonly<Record<string, string | undefined>>;

/** Registry entry of a variable (typed names only). */
export function envVarSpec(name: EnvName): EnvVarSpec {
  return (ENV_VARS as Record<string, EnvVarSpec>)[name]!;
}

/** The variable's value, or undefined when unset or blank. */
export function readEnv(env: Env, name: EnvName): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** A flag variable is on unless unset, empty, "0" or "false" (NO_COLOR: any non-empty value). */
export function envFlag(env: Env, name: EnvName): boolean {
  const value = readEnv(env, name);
  if (value === undefined) return false;
  if (name === "NO_COLOR") return true;
  return !/^(0|false|no|off)$/i.test(value);
}

/** All registry entries, for documentation (`pipeline config env`, README). */
export function listEnvVars(): { name: string; spec: EnvVarSpec }[] {
  return Object.entries(ENV_VARS as Record<string, EnvVarSpec>).map(([name, spec]) => ({ name, spec }));
}
