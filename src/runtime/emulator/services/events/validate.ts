import { boundRule, eventsErrors } from "./errors.js";
import { parseJsonPath } from "./input-transform.js";
import {
  INPUT_MAX_LENGTH,
  INPUT_PATH_MAX_LENGTH,
  INPUT_PATHS_MAP_MAX_ENTRIES,
  MAX_EVENT_AGE_SECONDS,
  MAX_RETRY_ATTEMPTS,
  MIN_EVENT_AGE_SECONDS,
  NAME_PATTERN,
  RULE_NAME_MAX_LENGTH,
  TARGET_ARN_MAX_LENGTH,
  TARGET_ID_MAX_LENGTH,
} from "./limits.js";
import type { HttpParameters, InputTransformer, RetryPolicy, Target } from "./models.js";

const { constraint, validation } = eventsErrors;

export function requireName(value: unknown, field = "name"): string {
  if (value === undefined || value === null) throw constraint(field, "null", "not be null");
  if (typeof value !== "string" || value.length < 1 || value.length > RULE_NAME_MAX_LENGTH) {
    throw constraint(
      field,
      value,
      boundRule("length", typeof value === "string" ? value.length : 0, 1, RULE_NAME_MAX_LENGTH),
    );
  }
  if (!NAME_PATTERN.test(value)) {
    throw constraint(field, value, "satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+");
  }
  return value;
}

export function optionalString(value: unknown, field: string, maxLength: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw validation(`Parameter ${field} must be a string.`);
  if (value.length > maxLength)
    throw constraint(field, value, `have length less than or equal to ${maxLength}`);
  return value;
}

export function optionalLimit(value: unknown, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > max) {
    throw constraint("limit", value, boundRule("value", typeof value === "number" ? value : 0, 1, max));
  }
  return value;
}

const isArn = (value: string) => /^arn:[^:]+:[^:]+:[^:]*:[^:]*:.+/.test(value);

/** Validates one PutTargets entry and returns it in the stored shape. */
export function validateTarget(raw: unknown, index: number): Target {
  const field = (name: string) => `targets.${index + 1}.member.${name}`;
  if (!raw || typeof raw !== "object" || Array.isArray(raw))
    throw validation(`Target ${index + 1} must be an object.`);
  const input = raw as Record<string, unknown>;
  const id = input["Id"];
  if (typeof id !== "string" || id.length < 1 || id.length > TARGET_ID_MAX_LENGTH) {
    throw constraint(
      field("id"),
      id ?? "null",
      boundRule("length", typeof id === "string" ? id.length : 0, 1, TARGET_ID_MAX_LENGTH),
    );
  }
  if (!NAME_PATTERN.test(id))
    throw constraint(field("id"), id, "satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+");
  const arn = input["Arn"];
  if (typeof arn !== "string" || arn.length < 1 || arn.length > TARGET_ARN_MAX_LENGTH) {
    throw constraint(
      field("arn"),
      arn ?? "null",
      boundRule("length", typeof arn === "string" ? arn.length : 0, 1, TARGET_ARN_MAX_LENGTH),
    );
  }
  if (!isArn(arn))
    throw validation(`Parameter ${arn} is not valid. Reason: Provided Arn is not in correct format.`);
  const target: Target = { Id: id, Arn: arn };

  const given = ["Input", "InputPath", "InputTransformer"].filter(
    (k) => input[k] !== undefined && input[k] !== null,
  );
  if (given.length > 1) {
    throw validation(
      `Only one of Input, InputPath, or InputTransformer must be provided (target ${id} has ${given.join(", ")}).`,
    );
  }
  const roleArn = optionalString(input["RoleArn"], field("roleArn"), TARGET_ARN_MAX_LENGTH);
  if (roleArn) target.RoleArn = roleArn;
  const constant = optionalString(input["Input"], field("input"), INPUT_MAX_LENGTH);
  if (constant !== undefined) {
    try {
      JSON.parse(constant);
    } catch {
      throw validation(`Parameter Input of target ${id} is not valid JSON text.`);
    }
    target.Input = constant;
  }
  const path = optionalString(input["InputPath"], field("inputPath"), INPUT_PATH_MAX_LENGTH);
  if (path !== undefined) {
    if (!parseJsonPath(path))
      throw validation(`Parameter InputPath of target ${id} is not a valid JSON path (e.g. $.detail).`);
    target.InputPath = path;
  }
  if (input["InputTransformer"] !== undefined && input["InputTransformer"] !== null) {
    target.InputTransformer = validateTransformer(input["InputTransformer"], id);
  }
  if (input["RetryPolicy"] !== undefined && input["RetryPolicy"] !== null) {
    target.RetryPolicy = validateRetryPolicy(input["RetryPolicy"], field("retryPolicy"));
  }
  const dlq = input["DeadLetterConfig"];
  if (dlq !== undefined && dlq !== null) {
    const dlqArn = (dlq as { Arn?: unknown }).Arn;
    if (dlqArn !== undefined && dlqArn !== null) {
      if (typeof dlqArn !== "string" || !/^arn:[^:]+:sqs:[^:]+:[^:]+:[^:]+$/.test(dlqArn)) {
        throw validation(
          `DeadLetterConfig of target ${id} must name an SQS queue ARN (got ${String(dlqArn)}).`,
        );
      }
      if (dlqArn.endsWith(".fifo")) {
        throw validation(
          `DeadLetterConfig of target ${id} must be a standard SQS queue; FIFO queues are not supported.`,
        );
      }
      target.DeadLetterConfig = { Arn: dlqArn };
    } else target.DeadLetterConfig = {};
  }
  const http = input["HttpParameters"];
  if (http !== undefined && http !== null) target.HttpParameters = validateHttpParameters(http, id);
  const sqs = input["SqsParameters"];
  if (sqs && typeof sqs === "object") {
    const group = (sqs as { MessageGroupId?: unknown }).MessageGroupId;
    target.SqsParameters = typeof group === "string" ? { MessageGroupId: group } : {};
  }
  return target;
}

function validateHttpParameters(value: unknown, id: string): HttpParameters {
  if (typeof value !== "object" || Array.isArray(value))
    throw validation(`HttpParameters of target ${id} must be an object.`);
  const raw = value as Record<string, unknown>;
  const out: HttpParameters = {};
  const path = raw["PathParameterValues"];
  if (path !== undefined && path !== null) {
    if (!Array.isArray(path) || path.some((p) => typeof p !== "string")) {
      throw validation(`HttpParameters.PathParameterValues of target ${id} must be a list of strings.`);
    }
    out.PathParameterValues = path as string[];
  }
  for (const member of ["HeaderParameters", "QueryStringParameters"] as const) {
    const map = raw[member];
    if (map === undefined || map === null) continue;
    if (
      typeof map !== "object" ||
      Array.isArray(map) ||
      Object.values(map).some((v) => typeof v !== "string")
    ) {
      throw validation(`HttpParameters.${member} of target ${id} must be a map of strings.`);
    }
    out[member] = map as Record<string, string>;
  }
  return out;
}

function validateTransformer(value: unknown, id: string): InputTransformer {
  if (!value || typeof value !== "object")
    throw validation(`InputTransformer of target ${id} must be an object.`);
  const raw = value as { InputPathsMap?: unknown; InputTemplate?: unknown };
  const template = raw.InputTemplate;
  if (typeof template !== "string" || template.length < 1 || template.length > INPUT_MAX_LENGTH) {
    throw validation(
      `InputTransformer.InputTemplate of target ${id} is required (1-${INPUT_MAX_LENGTH} characters).`,
    );
  }
  const transformer: InputTransformer = { InputTemplate: template };
  if (raw.InputPathsMap !== undefined && raw.InputPathsMap !== null) {
    if (typeof raw.InputPathsMap !== "object" || Array.isArray(raw.InputPathsMap)) {
      throw validation(
        `InputTransformer.InputPathsMap of target ${id} must be a map of names to JSON paths.`,
      );
    }
    const entries = Object.entries(raw.InputPathsMap as Record<string, unknown>);
    if (entries.length > INPUT_PATHS_MAP_MAX_ENTRIES) {
      throw validation(`InputPathsMap of target ${id} has more than ${INPUT_PATHS_MAP_MAX_ENTRIES} entries.`);
    }
    const map: Record<string, string> = {};
    for (const [key, path] of entries) {
      if (!/^[A-Za-z0-9_-]+$/.test(key) || key.startsWith("aws.")) {
        throw validation(
          `InputPathsMap key "${key}" of target ${id} is not valid (letters, digits, _ and -; not aws.*).`,
        );
      }
      if (typeof path !== "string" || path.length > INPUT_PATH_MAX_LENGTH || !parseJsonPath(path)) {
        throw validation(
          `InputPathsMap value for "${key}" of target ${id} is not a valid JSON path (e.g. $.detail.name).`,
        );
      }
      map[key] = path;
    }
    transformer.InputPathsMap = map;
  }
  return transformer;
}

function validateRetryPolicy(value: unknown, field: string): RetryPolicy {
  if (typeof value !== "object" || value === null) throw validation("RetryPolicy must be an object.");
  const raw = value as Record<string, unknown>;
  const policy: RetryPolicy = {};
  const attempts = raw["MaximumRetryAttempts"];
  if (attempts !== undefined && attempts !== null) {
    if (
      typeof attempts !== "number" ||
      !Number.isInteger(attempts) ||
      attempts < 0 ||
      attempts > MAX_RETRY_ATTEMPTS
    ) {
      throw constraint(
        `${field}.maximumRetryAttempts`,
        attempts,
        boundRule("value", typeof attempts === "number" ? attempts : -1, 0, MAX_RETRY_ATTEMPTS),
      );
    }
    policy.MaximumRetryAttempts = attempts;
  }
  const age = raw["MaximumEventAgeInSeconds"];
  if (age !== undefined && age !== null) {
    if (
      typeof age !== "number" ||
      !Number.isInteger(age) ||
      age < MIN_EVENT_AGE_SECONDS ||
      age > MAX_EVENT_AGE_SECONDS
    ) {
      throw constraint(
        `${field}.maximumEventAgeInSeconds`,
        age,
        boundRule("value", typeof age === "number" ? age : 0, MIN_EVENT_AGE_SECONDS, MAX_EVENT_AGE_SECONDS),
      );
    }
    policy.MaximumEventAgeInSeconds = age;
  }
  return policy;
}

/**
 * A name member checked as the model does: required, length, pattern. `pattern` is shown as the
 * model writes it in the message.
 */
export function requireModelName(
  value: unknown,
  field: string,
  maxLength: number,
  pattern: RegExp,
  patternText: string,
): string {
  if (value === undefined || value === null) throw constraint(field, "null", "not be null");
  if (typeof value !== "string" || value.length < 1 || value.length > maxLength) {
    throw constraint(field, value, `have length less than or equal to ${maxLength}`);
  }
  if (!pattern.test(value))
    throw constraint(field, value, `satisfy regular expression pattern: ${patternText}`);
  return value;
}

/** Timestamps arrive as epoch seconds over JSON (or Dates from in-process callers); returns ms. */
export function requireTimestamp(value: unknown, field: string): number {
  if (value === undefined || value === null) throw constraint(field, "null", "not be null");
  const ms =
    value instanceof Date
      ? value.getTime()
      : typeof value === "number"
        ? value * 1000
        : typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))
          ? Number(value) * 1000
          : typeof value === "string"
            ? Date.parse(value)
            : NaN;
  if (!Number.isFinite(ms)) throw validation(`Parameter ${field} is not valid.`);
  return ms;
}

/** Epoch ms as the JSON protocol renders timestamps: epoch seconds. */
export function seconds(ms: number): number {
  return ms / 1000;
}

/** Index-based NextToken pagination over an ordered list. */
export function paginate<T>(
  items: T[],
  nextToken: unknown,
  limit: number | undefined,
  defaultLimit: number,
): { page: T[]; nextToken?: string } {
  const start =
    typeof nextToken === "string" && nextToken ? Number(Buffer.from(nextToken, "base64url").toString()) : 0;
  if (!Number.isInteger(start) || start < 0)
    throw validation("The NextToken is not valid; pass the one the previous page returned.");
  const size = limit ?? defaultLimit;
  const page = items.slice(start, start + size);
  const next = start + page.length;
  return next < items.length
    ? { page, nextToken: Buffer.from(String(next)).toString("base64url") }
    : { page };
}

export function compareNames(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
