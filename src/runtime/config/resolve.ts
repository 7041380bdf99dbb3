import { readFileSync } from "node:fs";
import { isAbsolute, relative, resolve as resolvePath } from "node:path";
import * as z from "zod";
import { profileRegion } from "./aws-shared-config.js";
import { defaultsFor } from "./defaults.js";
import { listEnvVars, readEnv, type Env, type EnvName } from "./env.js";
import { ConfigError, OperatorError, type ConfigProblem, type ValueSource } from "./errors.js";
import { configFileSchema, isSecretKey, resolvedConfigSchema, type PipelineConfig } from "./schema.js";
import { isTarget, TARGETS, type Target } from "./targets.js";

/**
 * Configuration precedence, lowest to highest (written once here, implemented once below):
 *
 *   1. defaults for the target           (./defaults.ts; some derived, e.g. local endpoint from emulator.port)
 *   2. the AWS profile's region          (aws target only: `region` in ~/.aws/config for the profile)
 *   3. the config file, top level        (./pipeline.config.json, or PIPELINE_CONFIG, or --config FILE)
 *   4. the config file, targets.<target> (per-target section of the same file)
 *   5. environment variables             (./env.ts; within it AWS_REGION wins over AWS_DEFAULT_REGION)
 *   6. command-line flags                (--target, --region, --profile, --endpoint-url)
 *
 * The target itself is resolved first from the same layers (flag > env > file > "local"), because
 * the defaults and the per-target section depend on it.
 */
export const CONFIG_FILE_NAME = "pipeline.config.json";

/** Flags every AWS-facing command accepts; they are the highest layer. */
export interface ConfigFlags {
  target?: string;
  region?: string;
  profile?: string;
  endpointUrl?: string;
  /** Config file path (--config). */
  config?: string;
}

export interface ResolveOptions {
  cwd: string;
  env: Env;
  flags?: ConfigFlags;
  /** Reads a text file, undefined when it does not exist (tests inject a map). */
  readText?: (path: string) => string | undefined;
  /** Home folder for ~/.aws/config. */
  home?: string;
}

export interface ConfigEntry {
  key: string;
  value: unknown;
  source: ValueSource | undefined;
  secret: boolean;
}

export interface ResolvedConfig {
  readonly config: PipelineConfig;
  /** Where each set value came from, by dotted key ("sources.tmdb.baseUrl"). */
  readonly sources: ReadonlyMap<string, ValueSource>;
  /** The config file that was read, if any. */
  readonly file: string | undefined;
  /** Every leaf key in schema order with its value and source, for display. */
  entries(): ConfigEntry[];
}

type FlatLayer = Map<string, { value: unknown; source: ValueSource }>;

const FLAG_KEYS: Record<Exclude<keyof ConfigFlags, "config">, { key: string; flag: string }> = {
  target: { key: "target", flag: "--target" },
  region: { key: "region", flag: "--region" },
  profile: { key: "profile", flag: "--profile" },
  endpointUrl: { key: "endpoint", flag: "--endpoint-url" },
};

export function resolveConfig(options: ResolveOptions): ResolvedConfig {
  const readText = options.readText ?? readTextIfExists;
  const flags = options.flags ?? {};
  const file = loadConfigFile(options.cwd, options.env, flags, readText);

  const fileTop: FlatLayer = new Map();
  if (file) {
    const { targets: _targets, $schema: _schema, ...top } = file.data;
    flatten(top, "", { kind: "file", detail: file.display }, fileTop);
  }
  const envLayer = envToLayer(options.env);
  const flagLayer: FlatLayer = new Map();
  for (const [name, { key, flag }] of Object.entries(FLAG_KEYS)) {
    const value = flags[name as keyof typeof FLAG_KEYS];
    if (value !== undefined && value !== "")
      flagLayer.set(key, { value, source: { kind: "flag", detail: flag } });
  }

  const target = resolveTarget([flagLayer, envLayer, fileTop]);
  const fileTarget: FlatLayer = new Map();
  const section = file?.data.targets?.[target];
  if (file && section) {
    flatten(section, "", { kind: "file", detail: `${file.display} (targets.${target})` }, fileTarget);
  }

  const explicit = mergeLayers([fileTop, fileTarget, envLayer, flagLayer]);
  const profileLayer: FlatLayer = new Map();
  if (target === "aws" && !explicit.has("region")) {
    const profile = explicit.get("profile")?.value;
    const found = profileRegion(
      typeof profile === "string" ? profile : undefined,
      options.env,
      readText,
      options.home,
    );
    if (found) {
      profileLayer.set("region", {
        value: found.region,
        source: { kind: "profile", detail: `[${found.section}] in ${found.file}` },
      });
    }
  }
  const withProfile = mergeLayers([profileLayer, fileTop, fileTarget, envLayer, flagLayer]);

  const defaults: FlatLayer = new Map();
  for (const [key, { value, detail }] of defaultsFor(target, (key) => withProfile.get(key)?.value)) {
    defaults.set(key, { value, source: { kind: "default", detail } });
  }
  const merged = mergeLayers([defaults, withProfile]);
  merged.set("target", {
    value: target,
    source: withProfile.get("target")?.source ?? defaults.get("target")!.source,
  });

  const parsed = resolvedConfigSchema.safeParse(unflatten(merged));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => problemFromIssue(issue, merged));
    // A bad explicit value also breaks the defaults derived from it; report only the cause.
    const explicitOnes = problems.filter((problem) => problem.source?.kind !== "default");
    throw new ConfigError(
      explicitOnes.length ? explicitOnes : problems,
      `invalid configuration for target ${target}`,
    );
  }
  const config = parsed.data as unknown as PipelineConfig;
  const sources = new Map([...merged].map(([key, { source }]) => [key, source]));
  return {
    config,
    sources,
    file: file?.path,
    entries: () =>
      leafKeys(resolvedConfigSchema).map((key) => ({
        key,
        value: merged.get(key)?.value,
        source: merged.get(key)?.source,
        secret: isSecretKey(key),
      })),
  };
}

/** Masks a secret for display: the last 4 characters of long values, nothing of short ones. */
export function maskSecret(value: unknown): string {
  if (typeof value !== "string" || value === "") return String(value);
  return value.length >= 12 ? `****${value.slice(-4)}` : "****";
}

function resolveTarget(layers: FlatLayer[]): Target {
  for (const layer of layers) {
    const entry = layer.get("target");
    if (!entry) continue;
    if (isTarget(entry.value)) return entry.value;
    throw new ConfigError([
      {
        key: "target",
        value: entry.value,
        source: entry.source,
        allowed: `expected one of ${TARGETS.join(", ")}`,
      },
    ]);
  }
  return "local";
}

interface LoadedFile {
  path: string;
  /** Path as shown in messages: relative to the working folder when inside it. */
  display: string;
  data: ConfigFileData;
}

/** The validated file (its shape is built from the schema tree, so typed loosely here). */
type ConfigFileData = Record<string, unknown> & {
  targets?: Partial<Record<Target, Record<string, unknown>>>;
};

function loadConfigFile(
  cwd: string,
  env: Env,
  flags: ConfigFlags,
  readText: (path: string) => string | undefined,
): LoadedFile | undefined {
  const fromEnv = readEnv(env, "PIPELINE_CONFIG");
  const requested = flags.config ?? fromEnv;
  const via = flags.config !== undefined ? "--config" : "PIPELINE_CONFIG";
  const path = resolvePath(cwd, requested ?? CONFIG_FILE_NAME);
  const rel = relative(cwd, path);
  const display = rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : path;
  const text = readText(path);
  if (text === undefined) {
    if (requested === undefined) return undefined;
    throw new OperatorError(
      `config file ${display} (from ${via}) does not exist; check the path or remove ${via}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new OperatorError(
      `config file ${display} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const parsed = configFileSchema.safeParse(json);
  if (!parsed.success) {
    const source: ValueSource = { kind: "file", detail: display };
    throw new ConfigError(
      parsed.error.issues.flatMap((issue) => fileProblems(issue, json, source)),
      `invalid config file ${display}`,
    );
  }
  return { path, display, data: parsed.data as ConfigFileData };
}

function envToLayer(env: Env): FlatLayer {
  const layer: FlatLayer = new Map();
  // Registry order is priority order for variables that set the same key (AWS_REGION first).
  for (const { name, spec } of listEnvVars()) {
    if (!spec.key || layer.has(spec.key)) continue;
    const raw = readEnv(env, name as EnvName);
    if (raw === undefined) continue;
    layer.set(spec.key, {
      value: spec.kind === "number" ? toNumber(raw) : raw,
      source: { kind: "env", detail: name },
    });
  }
  return layer;
}

/** Numeric text becomes a number; anything else stays text so the message shows what was given. */
function toNumber(raw: string): unknown {
  return /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(raw) ? Number(raw) : raw;
}

function flatten(value: unknown, prefix: string, source: ValueSource, out: FlatLayer): void {
  if (isPlainObject(value)) {
    for (const [key, child] of Object.entries(value))
      flatten(child, prefix ? `${prefix}.${key}` : key, source, out);
  } else if (value !== undefined && prefix) {
    out.set(prefix, { value, source });
  }
}

function unflatten(layer: FlatLayer): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, { value }] of layer) {
    const parts = key.split(".");
    let node = root;
    for (const part of parts.slice(0, -1)) {
      if (!isPlainObject(node[part])) node[part] = {};
      node = node[part] as Record<string, unknown>;
    }
    node[parts.at(-1)!] = value;
  }
  return root;
}

function mergeLayers(layers: FlatLayer[]): FlatLayer {
  const out: FlatLayer = new Map();
  for (const layer of layers) for (const [key, entry] of layer) out.set(key, entry);
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function problemFromIssue(issue: z.core.$ZodIssue, merged: FlatLayer): ConfigProblem {
  const key = issue.path.join(".");
  const entry = merged.get(key);
  return entry
    ? { key, value: entry.value, source: entry.source, allowed: issue.message }
    : { key, allowed: issue.message };
}

function fileProblems(issue: z.core.$ZodIssue, json: unknown, source: ValueSource): ConfigProblem[] {
  const path = issue.path.map(String);
  if (issue.code === "unrecognized_keys") {
    const allowed = allowedKeysAt(configFileSchema, path);
    return issue.keys.map((key) => ({
      key: [...path, key].join("."),
      source,
      allowed: `unknown key; allowed here: ${allowed.join(", ")}`,
    }));
  }
  const key = path.length ? path.join(".") : "(top level)";
  const value = path.reduce<unknown>((node, part) => (isPlainObject(node) ? node[part] : undefined), json);
  const allowed =
    issue.code === "invalid_type" && issue.expected === "object" ? "expected an object" : issue.message;
  return [{ key, value, source, allowed }];
}

function unwrap(schema: z.ZodType): z.ZodType {
  return schema instanceof z.ZodOptional ? unwrap(schema.unwrap() as z.ZodType) : schema;
}

function allowedKeysAt(schema: z.ZodType, path: string[]): string[] {
  let node = unwrap(schema);
  for (const part of path) {
    if (!(node instanceof z.ZodObject)) return [];
    const child = (node.shape as Record<string, z.ZodType>)[part];
    if (!child) return [];
    node = unwrap(child);
  }
  return node instanceof z.ZodObject ? Object.keys(node.shape) : [];
}

function leafKeys(schema: z.ZodType, prefix = ""): string[] {
  const node = unwrap(schema);
  if (!(node instanceof z.ZodObject)) return [prefix];
  return Object.entries(node.shape as Record<string, z.ZodType>).flatMap(([key, child]) =>
    leafKeys(child, prefix ? `${prefix}.${key}` : key),
  );
}

function readTextIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new OperatorError(`cannot read ${path}: ${(error as Error).message}`);
  }
}
