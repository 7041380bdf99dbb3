import type { Clock } from "../../core/clock.js";
import type { RequestContext } from "../../core/request.js";
import type { ParameterSealer } from "./crypto.js";
import { ssmErrors } from "./errors.js";
import {
  scopeOf,
  type ParameterRecord,
  type ParameterVersion,
  type SsmEntry,
  type SsmState,
} from "./store.js";

type Input = Record<string, unknown>;

const TYPES = ["SecureString", "StringList", "String"] as const;
type ParameterType = (typeof TYPES)[number];
const TIERS = ["Standard", "Advanced", "Intelligent-Tiering"] as const;
const DATA_TYPES = ["text", "aws:ec2:image", "aws:ssm:integration"];
const DEFAULT_KEY_ID = "alias/aws/ssm";
const MAX_VERSIONS = 100;
const MAX_LABELS_PER_VERSION = 10;
const STANDARD_MAX_VALUE = 4096;
const ADVANCED_MAX_VALUE = 8192;
const MAX_NAME_LENGTH = 2048;
const MAX_LEVELS = 15;
const NAME_CHARS = /^[a-zA-Z0-9_.\-/]+$/;
const LABEL = /^[a-zA-Z0-9_.-]{1,100}$/;

const PATH_REQUIREMENTS =
  'The parameter doesn\'t meet the parameter name requirements. The parameter name must begin with a forward slash "/". ' +
  'It can\'t be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, or the following symbols: ' +
  '. (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". ' +
  "Valid example: /get/parameters2-/by1./path0_.";

function str(input: Input, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  return typeof value === "string" ? value : String(value);
}

function bool(input: Input, name: string): boolean {
  return input[name] === true || input[name] === "true";
}

function list(input: Input, name: string): unknown[] | undefined {
  const value = input[name];
  return Array.isArray(value) ? value : undefined;
}

function intIn(
  input: Input,
  name: string,
  member: string,
  min: number,
  max: number,
  fallback: number,
): number {
  const raw = input[name];
  if (raw === undefined || raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw ssmErrors.constraint(member, raw, `Member must have value greater than or equal to ${min}`);
  }
  if (value > max)
    throw ssmErrors.constraint(member, raw, `Member must have value less than or equal to ${max}`);
  return value;
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString("base64url");
}

function decodeToken(token: string | undefined): number {
  if (token === undefined || token === "") return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { offset?: unknown };
    if (typeof parsed.offset === "number" && Number.isInteger(parsed.offset) && parsed.offset >= 0) {
      return parsed.offset;
    }
  } catch {
    // falls through to the error
  }
  throw ssmErrors.invalidNextToken();
}

/** Checks a parameter name the way PutParameter does (names of other calls use `lookupName`). */
function checkName(name: string): void {
  if (name.length === 0)
    throw ssmErrors.constraint("name", name, "Member must have length greater than or equal to 1");
  if (name.length > MAX_NAME_LENGTH) {
    throw ssmErrors.constraint(
      "name",
      name,
      `Member must have length less than or equal to ${MAX_NAME_LENGTH}`,
    );
  }
  const bare = name.startsWith("/") ? name.slice(1) : name;
  const first = bare.split("/")[0]!.toLowerCase();
  if (name.startsWith("/") && first.startsWith("aws")) {
    throw ssmErrors.accessDenied(`No access to reserved parameter name: ${name}.`);
  }
  if (name.startsWith("/") && first.startsWith("ssm")) {
    throw ssmErrors.validation(
      'Parameter name: can\'t be prefixed with "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_',
    );
  }
  if (!name.startsWith("/") && (first.startsWith("aws") || first.startsWith("ssm"))) {
    throw ssmErrors.validation('Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive).');
  }
  if (!NAME_CHARS.test(name) || name.endsWith("/") || name.includes("//")) {
    throw ssmErrors.validation(
      'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_',
    );
  }
  if (!name.startsWith("/") && name.includes("/")) {
    throw ssmErrors.validation("Parameter name must be a fully qualified name.");
  }
  if (name.split("/").filter(Boolean).length > MAX_LEVELS) throw ssmErrors.hierarchyLevels();
}

interface Selector {
  name: string;
  version?: number;
  label?: string;
  text?: string;
}

/** `name`, `name:3` (a version), `name:label`, or the parameter's ARN in place of the name. */
function parseSelector(raw: string): Selector {
  let name = raw;
  const arn = /^arn:aws[\w-]*:ssm:[^:]*:\d{12}:parameter(\/.*)$/.exec(raw);
  if (arn) name = arn[1]!;
  const colon = name.lastIndexOf(":");
  if (colon <= 0) return { name };
  const text = name.slice(colon + 1);
  const base = name.slice(0, colon);
  if (/^\d+$/.test(text)) return { name: base, version: Number(text), text: `:${text}` };
  return { name: base, label: text, text: `:${text}` };
}

function epochSeconds(ms: number): number {
  return ms / 1000;
}

/** Parameter Store: parameters, versions, labels, tags; SecureString sealed at rest. */
export class SsmProvider {
  constructor(
    private readonly state: SsmState,
    private readonly clock: Clock,
    private readonly sealer: ParameterSealer,
    private readonly commit: (entry: SsmEntry) => void,
  ) {}

  private arnOf(context: RequestContext, name: string): string {
    return `arn:aws:ssm:${context.region}:${context.accountId}:parameter${name.startsWith("/") ? "" : "/"}${name}`;
  }

  private find(context: RequestContext, name: string): ParameterRecord | undefined {
    const scope = scopeOf(context.accountId, context.region);
    return (
      this.state.get(scope, name) ??
      // An ARN names "foo" as ".../parameter/foo": try the name without its slash too.
      (name.startsWith("/") && !name.slice(1).includes("/")
        ? this.state.get(scope, name.slice(1))
        : undefined)
    );
  }

  private valueOf(record: ParameterRecord, version: ParameterVersion, decrypt: boolean): string {
    if (version.type !== "SecureString" || !decrypt) return version.value;
    return this.sealer.open(version.value, record.arn);
  }

  private rendered(record: ParameterRecord, version: ParameterVersion, decrypt: boolean, selector?: string) {
    return {
      Name: record.name,
      Type: version.type,
      Value: this.valueOf(record, version, decrypt),
      Version: version.version,
      ...(selector ? { Selector: selector } : {}),
      LastModifiedDate: epochSeconds(version.lastModified),
      ARN: record.arn,
      DataType: version.dataType,
    };
  }

  private latest(record: ParameterRecord): ParameterVersion {
    return record.versions[record.versions.length - 1]!;
  }

  private resolve(
    context: RequestContext,
    raw: string,
  ): { record: ParameterRecord; version: ParameterVersion; selector?: string } {
    const selector = parseSelector(raw);
    const record = this.find(context, selector.name);
    if (!record) throw ssmErrors.notFound(raw);
    if (selector.version !== undefined) {
      const version = record.versions.find((v) => v.version === selector.version);
      if (!version) {
        throw ssmErrors.versionNotFound(
          `Systems Manager could not find version ${selector.version} of ${record.name}. Verify the version and try again.`,
        );
      }
      return { record, version, selector: selector.text };
    }
    if (selector.label !== undefined) {
      const version = record.versions.find((v) => v.labels.includes(selector.label!));
      if (!version) throw ssmErrors.notFound(raw);
      return { record, version, selector: selector.text };
    }
    return { record, version: this.latest(record) };
  }

  // ---- writes ---------------------------------------------------------------------------------

  async putParameter(input: Input, context: RequestContext) {
    const name = str(input, "Name");
    if (name === undefined) throw ssmErrors.constraint("name", undefined, "Member must not be null");
    const value = str(input, "Value");
    if (value === undefined) throw ssmErrors.constraint("value", undefined, "Member must not be null");
    checkName(name);
    const typeText = str(input, "Type");
    if (typeText !== undefined && !(TYPES as readonly string[]).includes(typeText)) {
      throw ssmErrors.constraint(
        "type",
        typeText,
        `Member must satisfy enum value set: [${TYPES.join(", ")}]`,
      );
    }
    const tierText = str(input, "Tier");
    if (tierText !== undefined && !(TIERS as readonly string[]).includes(tierText)) {
      throw ssmErrors.constraint(
        "tier",
        tierText,
        `Member must satisfy enum value set: [${TIERS.join(", ")}]`,
      );
    }
    if (value.length === 0)
      throw ssmErrors.constraint("value", value, "Member must have length greater than or equal to 1");
    const overwrite = bool(input, "Overwrite");
    const tags = (list(input, "Tags") ?? []).map((raw) => {
      const t = (raw ?? {}) as Input;
      return { Key: str(t, "Key") ?? "", Value: str(t, "Value") ?? "" };
    });
    if (overwrite && tags.length > 0) {
      throw ssmErrors.validation(
        "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
      );
    }
    const existing = this.state.get(scopeOf(context.accountId, context.region), name);
    if (existing && !overwrite) throw ssmErrors.alreadyExists();
    const previous = existing ? this.latest(existing) : undefined;
    const type = (typeText ?? previous?.type) as ParameterType | undefined;
    if (type === undefined)
      throw ssmErrors.validation("A parameter type is required when you create a parameter.");
    const keyId = str(input, "KeyId");
    if (keyId !== undefined && type !== "SecureString") {
      throw ssmErrors.validation("KeyId is required for SecureString type parameter only.");
    }
    const dataType = str(input, "DataType") ?? previous?.dataType ?? "text";
    if (!DATA_TYPES.includes(dataType)) {
      throw ssmErrors.validation(
        `The following data type is not supported: ${dataType} (Data type names are all lowercase.)`,
      );
    }
    const tier =
      tierText === "Advanced" || (previous?.tier === "Advanced" && tierText === undefined)
        ? "Advanced"
        : value.length > STANDARD_MAX_VALUE && tierText === "Intelligent-Tiering"
          ? "Advanced"
          : "Standard";
    if (tier === "Standard" && value.length > STANDARD_MAX_VALUE) {
      throw ssmErrors.validation(
        `Standard tier parameters support a maximum parameter value of ${STANDARD_MAX_VALUE} characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier.`,
      );
    }
    if (value.length > ADVANCED_MAX_VALUE) {
      throw ssmErrors.constraint(
        "value",
        "...",
        `Member must have length less than or equal to ${ADVANCED_MAX_VALUE}`,
      );
    }
    if (previous?.tier === "Advanced" && tierText === "Standard") {
      throw ssmErrors.validation(
        "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it as a standard parameter.",
      );
    }
    const allowedPattern = str(input, "AllowedPattern") ?? previous?.allowedPattern;
    if (allowedPattern !== undefined) {
      let pattern: RegExp;
      try {
        pattern = new RegExp(allowedPattern);
      } catch {
        throw ssmErrors.invalidPattern(`The allowed pattern ${allowedPattern} is not valid.`);
      }
      if (!pattern.test(value)) throw ssmErrors.patternMismatch(allowedPattern);
    }
    const arn = existing?.arn ?? this.arnOf(context, name);
    const versions = existing ? [...existing.versions] : [];
    const number = (previous?.version ?? 0) + 1;
    if (versions.length >= MAX_VERSIONS) {
      const oldest = versions[0]!;
      if (oldest.labels.length > 0) {
        throw ssmErrors.maxVersions(
          `You attempted to create a new version of ${name} by calling the PutParameter API with the overwrite flag. Version ${oldest.version}, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.`,
        );
      }
      versions.shift();
    }
    const description = str(input, "Description") ?? previous?.description;
    const policies = str(input, "Policies");
    versions.push({
      version: number,
      type,
      value: type === "SecureString" ? this.sealer.seal(value, arn) : value,
      ...(type === "SecureString" ? { keyId: keyId ?? previous?.keyId ?? DEFAULT_KEY_ID } : {}),
      ...(description !== undefined ? { description } : {}),
      ...(allowedPattern !== undefined ? { allowedPattern } : {}),
      dataType,
      tier,
      policies: policies ? [policies] : (previous?.policies ?? []),
      labels: [],
      lastModified: this.clock.now(),
      lastModifiedUser: `arn:aws:iam::${context.accountId}:root`,
    });
    this.commit({
      t: "put",
      parameter: {
        scope: scopeOf(context.accountId, context.region),
        name,
        arn,
        versions,
        tags: existing?.tags ?? tags,
      },
    });
    return { Version: number, Tier: tier };
  }

  async deleteParameter(input: Input, context: RequestContext) {
    const name = str(input, "Name");
    if (name === undefined) throw ssmErrors.constraint("name", undefined, "Member must not be null");
    const record = this.find(context, parseSelector(name).name);
    if (!record) throw ssmErrors.notFound(name);
    this.commit({ t: "delete", scope: record.scope, names: [record.name] });
    return {};
  }

  async deleteParameters(input: Input, context: RequestContext) {
    const names = this.names(input);
    const deleted: string[] = [];
    const invalid: string[] = [];
    for (const name of names) {
      const record = this.find(context, name);
      if (record) deleted.push(record.name);
      else invalid.push(name);
    }
    if (deleted.length > 0)
      this.commit({ t: "delete", scope: scopeOf(context.accountId, context.region), names: deleted });
    return { DeletedParameters: deleted, InvalidParameters: invalid };
  }

  private names(input: Input): string[] {
    const names = list(input, "Names");
    if (names === undefined) throw ssmErrors.constraint("names", undefined, "Member must not be null");
    if (names.length < 1)
      throw ssmErrors.constraint("names", "[]", "Member must have length greater than or equal to 1");
    if (names.length > 10) {
      throw ssmErrors.constraint(
        "names",
        `[${names.join(", ")}]`,
        "Member must have length less than or equal to 10",
      );
    }
    return names.map(String);
  }

  // ---- reads ----------------------------------------------------------------------------------

  async getParameter(input: Input, context: RequestContext) {
    const name = str(input, "Name");
    if (name === undefined) throw ssmErrors.constraint("name", undefined, "Member must not be null");
    const { record, version, selector } = this.resolve(context, name);
    return { Parameter: this.rendered(record, version, bool(input, "WithDecryption"), selector) };
  }

  async getParameters(input: Input, context: RequestContext) {
    const decrypt = bool(input, "WithDecryption");
    const parameters: unknown[] = [];
    const invalid: string[] = [];
    for (const name of [...new Set(this.names(input))]) {
      try {
        const { record, version, selector } = this.resolve(context, name);
        parameters.push(this.rendered(record, version, decrypt, selector));
      } catch {
        invalid.push(name);
      }
    }
    return { Parameters: parameters, InvalidParameters: invalid };
  }

  async getParametersByPath(input: Input, context: RequestContext) {
    const path = str(input, "Path");
    if (path === undefined) throw ssmErrors.constraint("path", undefined, "Member must not be null");
    if (!path.startsWith("/") || !NAME_CHARS.test(path) || path.includes("//") || /^\/ssm/i.test(path)) {
      throw ssmErrors.validation(PATH_REQUIREMENTS);
    }
    const recursive = bool(input, "Recursive");
    const max = intIn(input, "MaxResults", "maxResults", 1, 10, 10);
    const filters = this.parameterFilters(input, "GetParametersByPath");
    const prefix = path.endsWith("/") ? path : `${path}/`;
    const matching = this.state
      .all(scopeOf(context.accountId, context.region))
      .filter((record) => {
        const name = record.name.startsWith("/") ? record.name : `/${record.name}`;
        if (!name.startsWith(prefix)) return false;
        return recursive || !name.slice(prefix.length).includes("/");
      })
      .filter((record) => filters.every((filter) => filter(record)))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const offset = decodeToken(str(input, "NextToken"));
    const slice = matching.slice(offset, offset + max);
    const decrypt = bool(input, "WithDecryption");
    return {
      Parameters: slice.map((record) => this.rendered(record, this.latest(record), decrypt)),
      ...(offset + max < matching.length ? { NextToken: encodeToken(offset + max) } : {}),
    };
  }

  /**
   * ParameterFilters (and DescribeParameters' older Filters) as predicates. Keys: Name, Type,
   * KeyId, Path, Label, Tier, DataType and tag:<key>; options Equals, BeginsWith, Contains (Name),
   * Recursive / OneLevel (Path).
   */
  private parameterFilters(input: Input, operation: "GetParametersByPath" | "DescribeParameters") {
    const raw = list(input, "ParameterFilters") ?? [];
    const old = list(input, "Filters") ?? [];
    if (raw.length > 0 && old.length > 0) {
      throw ssmErrors.validation("You can use either Filters or ParameterFilters in a single request.");
    }
    const filters: { key: string; option: string; values: string[] }[] = [
      ...raw.map((f) => {
        const filter = (f ?? {}) as Input;
        const key = str(filter, "Key") ?? "";
        return {
          key,
          option: str(filter, "Option") ?? (key === "Path" ? "OneLevel" : "Equals"),
          values: (list(filter, "Values") ?? []).map(String),
        };
      }),
      ...old.map((f) => {
        const filter = (f ?? {}) as Input;
        const key = str(filter, "Key") ?? "";
        if (!["Name", "Type", "KeyId"].includes(key)) {
          throw ssmErrors.constraint(
            "filters.1.member.key",
            key,
            "Member must satisfy enum value set: [Name, Type, KeyId]",
          );
        }
        return {
          key,
          option: key === "Name" ? "BeginsWith" : "Equals",
          values: (list(filter, "Values") ?? []).map(String),
        };
      }),
    ];
    return filters.map(({ key, option, values }) => {
      const allowedKeys =
        operation === "GetParametersByPath"
          ? ["Type", "KeyId", "Label", "Tier", "DataType"]
          : ["Name", "Type", "KeyId", "Path", "Label", "Tier", "DataType"];
      if (!key.startsWith("tag:") && !allowedKeys.includes(key)) {
        throw ssmErrors.invalidFilterKey(
          operation === "GetParametersByPath" && ["Name", "Path"].includes(key)
            ? `The following filter key is not valid: ${key}. Valid filter keys include: [Type, KeyId, Label, Tier, DataType].`
            : `The following filter key is not valid: ${key}. Valid filter keys include: [${allowedKeys.join(", ")}, tag:*].`,
        );
      }
      const options =
        key === "Path"
          ? ["Recursive", "OneLevel"]
          : key === "Name"
            ? ["Equals", "BeginsWith", "Contains"]
            : ["Equals", "BeginsWith"];
      if (!options.includes(option)) {
        throw ssmErrors.invalidFilterOption(
          `The following filter option is not valid: ${option}. Valid options include: [${options.join(", ")}].`,
        );
      }
      if (values.length === 0 && !key.startsWith("tag:")) {
        throw ssmErrors.invalidFilterValue(
          `The following filter values are missing : null for filter key ${key}.`,
        );
      }
      const test = (candidate: string | undefined) =>
        candidate !== undefined &&
        values.some((value) =>
          option === "BeginsWith"
            ? candidate.startsWith(value)
            : option === "Contains"
              ? candidate.includes(value)
              : candidate === value,
        );
      return (record: ParameterRecord): boolean => {
        const latest = this.latest(record);
        switch (key) {
          case "Name": {
            const name = record.name;
            const alt = name.startsWith("/") ? name.slice(1) : `/${name}`;
            return test(name) || (option !== "Contains" && test(alt));
          }
          case "Type":
            return test(latest.type);
          case "KeyId":
            return test(latest.keyId);
          case "Tier":
            return test(latest.tier);
          case "DataType":
            return test(latest.dataType);
          case "Label":
            return record.versions.some((v) => v.labels.some((l) => test(l)));
          case "Path": {
            const name = record.name.startsWith("/") ? record.name : `/${record.name}`;
            return values.some((value) => {
              const prefix = value.endsWith("/") ? value : `${value}/`;
              if (!name.startsWith(prefix)) return false;
              return option === "Recursive" || !name.slice(prefix.length).includes("/");
            });
          }
          default: {
            const tag = record.tags.find((t) => t.Key === key.slice(4));
            return tag !== undefined && (values.length === 0 || test(tag.Value));
          }
        }
      };
    });
  }

  async describeParameters(input: Input, context: RequestContext) {
    const max = intIn(input, "MaxResults", "maxResults", 1, 50, 50);
    const filters = this.parameterFilters(input, "DescribeParameters");
    const matching = this.state
      .all(scopeOf(context.accountId, context.region))
      .filter((record) => filters.every((filter) => filter(record)))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const offset = decodeToken(str(input, "NextToken"));
    const slice = matching.slice(offset, offset + max);
    return {
      Parameters: slice.map((record) => {
        const v = this.latest(record);
        return {
          Name: record.name,
          ARN: record.arn,
          Type: v.type,
          ...(v.keyId ? { KeyId: v.keyId } : {}),
          LastModifiedDate: epochSeconds(v.lastModified),
          LastModifiedUser: v.lastModifiedUser,
          ...(v.description !== undefined ? { Description: v.description } : {}),
          ...(v.allowedPattern !== undefined ? { AllowedPattern: v.allowedPattern } : {}),
          Version: v.version,
          Tier: v.tier,
          Policies: v.policies.map((text) => ({
            PolicyText: text,
            PolicyType: "Expiration",
            PolicyStatus: "Pending",
          })),
          DataType: v.dataType,
        };
      }),
      ...(offset + max < matching.length ? { NextToken: encodeToken(offset + max) } : {}),
    };
  }

  async getParameterHistory(input: Input, context: RequestContext) {
    const name = str(input, "Name");
    if (name === undefined) throw ssmErrors.constraint("name", undefined, "Member must not be null");
    const record = this.find(context, parseSelector(name).name);
    if (!record) throw ssmErrors.notFound(name);
    const max = intIn(input, "MaxResults", "maxResults", 1, 50, 50);
    const decrypt = bool(input, "WithDecryption");
    const offset = decodeToken(str(input, "NextToken"));
    const slice = record.versions.slice(offset, offset + max);
    return {
      Parameters: slice.map((v) => ({
        Name: record.name,
        Type: v.type,
        ...(v.keyId ? { KeyId: v.keyId } : {}),
        LastModifiedDate: epochSeconds(v.lastModified),
        LastModifiedUser: v.lastModifiedUser,
        ...(v.description !== undefined ? { Description: v.description } : {}),
        Value: this.valueOf(record, v, decrypt),
        ...(v.allowedPattern !== undefined ? { AllowedPattern: v.allowedPattern } : {}),
        Version: v.version,
        Labels: [...v.labels],
        Tier: v.tier,
        Policies: [],
        DataType: v.dataType,
      })),
      ...(offset + max < record.versions.length ? { NextToken: encodeToken(offset + max) } : {}),
    };
  }

  // ---- labels ---------------------------------------------------------------------------------

  private labelsOf(input: Input): string[] {
    const labels = list(input, "Labels");
    if (labels === undefined) throw ssmErrors.constraint("labels", undefined, "Member must not be null");
    if (labels.length < 1 || labels.length > MAX_LABELS_PER_VERSION) {
      throw ssmErrors.constraint(
        "labels",
        `[${labels.join(", ")}]`,
        "Member must have length less than or equal to 10",
      );
    }
    return labels.map(String);
  }

  private versionOf(record: ParameterRecord, input: Input, required: boolean): ParameterVersion {
    const raw = input["ParameterVersion"];
    if (raw === undefined || raw === null) {
      if (required) throw ssmErrors.constraint("parameterVersion", undefined, "Member must not be null");
      return this.latest(record);
    }
    const version = record.versions.find((v) => v.version === Number(raw));
    if (!version) {
      throw ssmErrors.versionNotFound(
        `Systems Manager could not find version ${String(raw)} of ${record.name}. Verify the version and try again.`,
      );
    }
    return version;
  }

  async labelParameterVersion(input: Input, context: RequestContext) {
    const name = str(input, "Name");
    if (name === undefined) throw ssmErrors.constraint("name", undefined, "Member must not be null");
    const record = this.find(context, name);
    if (!record) throw ssmErrors.notFound(name);
    const labels = this.labelsOf(input);
    const target = this.versionOf(record, input, false);
    const invalid = labels.filter((l) => !LABEL.test(l) || /^\d/.test(l) || /^(aws|ssm)/i.test(l));
    const valid = labels.filter((l) => !invalid.includes(l));
    const next = new Set([...target.labels, ...valid]);
    if (next.size > MAX_LABELS_PER_VERSION) {
      throw ssmErrors.labelLimit(
        "A parameter version can have maximum 10 labels. Move one or more labels to another version and try again.",
      );
    }
    const versions = record.versions.map((v) =>
      v.version === target.version
        ? { ...v, labels: [...next] }
        : { ...v, labels: v.labels.filter((l) => !valid.includes(l)) },
    );
    this.commit({ t: "put", parameter: { ...record, versions } });
    return { InvalidLabels: invalid, ParameterVersion: target.version };
  }

  async unlabelParameterVersion(input: Input, context: RequestContext) {
    const name = str(input, "Name");
    if (name === undefined) throw ssmErrors.constraint("name", undefined, "Member must not be null");
    const record = this.find(context, name);
    if (!record) throw ssmErrors.notFound(name);
    const labels = this.labelsOf(input);
    const target = this.versionOf(record, input, true);
    const removed = labels.filter((l) => target.labels.includes(l));
    const invalid = labels.filter((l) => !target.labels.includes(l));
    const versions = record.versions.map((v) =>
      v.version === target.version ? { ...v, labels: v.labels.filter((l) => !removed.includes(l)) } : v,
    );
    this.commit({ t: "put", parameter: { ...record, versions } });
    return { RemovedLabels: removed, InvalidLabels: invalid };
  }

  // ---- tags -----------------------------------------------------------------------------------

  private tagged(input: Input, context: RequestContext): ParameterRecord {
    const type = str(input, "ResourceType");
    if (type !== "Parameter") throw ssmErrors.invalidResourceType();
    const id = str(input, "ResourceId") ?? "";
    const record = this.find(context, parseSelector(id).name);
    if (!record) throw ssmErrors.invalidResourceId();
    return record;
  }

  async addTagsToResource(input: Input, context: RequestContext) {
    const record = this.tagged(input, context);
    const tags = (list(input, "Tags") ?? []).map((raw) => {
      const t = (raw ?? {}) as Input;
      return { Key: str(t, "Key") ?? "", Value: str(t, "Value") ?? "" };
    });
    const merged = [...record.tags.filter((t) => !tags.some((n) => n.Key === t.Key)), ...tags];
    if (merged.length > 50) throw ssmErrors.tooManyTags();
    this.commit({ t: "put", parameter: { ...record, tags: merged } });
    return {};
  }

  async removeTagsFromResource(input: Input, context: RequestContext) {
    const record = this.tagged(input, context);
    const keys = (list(input, "TagKeys") ?? []).map(String);
    this.commit({
      t: "put",
      parameter: { ...record, tags: record.tags.filter((t) => !keys.includes(t.Key)) },
    });
    return {};
  }

  async listTagsForResource(input: Input, context: RequestContext) {
    return { TagList: this.tagged(input, context).tags.map((t) => ({ ...t })) };
  }
}
