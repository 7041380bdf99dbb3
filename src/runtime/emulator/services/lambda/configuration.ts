import type { FunctionConfiguration } from "@aws-sdk/client-lambda";
import { lambdaErrors } from "./errors.js";
import {
  EPHEMERAL_STORAGE_MB,
  MAX_DESCRIPTION_LENGTH,
  MAX_ENVIRONMENT_BYTES,
  MAX_MEMORY_MB,
  MAX_TAGS,
  MAX_TIMEOUT_SECONDS,
  MIN_MEMORY_MB,
  MIN_TIMEOUT_SECONDS,
  BLOCKED_RUNTIMES,
  CREATABLE_RUNTIMES,
  SUPPORTED_RUNTIMES,
} from "./limits.js";
import type { FunctionRecord } from "./models.js";
import { functionArn } from "./names.js";

/** Input members are read defensively: HTTP bodies are untyped JSON, in-process callers pass SDK shapes. */
export type Input = Record<string, unknown>;

/** Variables Lambda sets itself; a function may not define them (aws-behaviour.md §4.4). */
export const RESERVED_VARIABLES = [
  "_HANDLER",
  "_X_AMZN_TRACE_ID",
  "AWS_DEFAULT_REGION",
  "AWS_REGION",
  "AWS_EXECUTION_ENV",
  "AWS_LAMBDA_FUNCTION_NAME",
  "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
  "AWS_LAMBDA_FUNCTION_VERSION",
  "AWS_LAMBDA_INITIALIZATION_TYPE",
  "AWS_LAMBDA_LOG_GROUP_NAME",
  "AWS_LAMBDA_LOG_STREAM_NAME",
  "AWS_ACCESS_KEY",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_LAMBDA_RUNTIME_API",
  "LAMBDA_TASK_ROOT",
  "LAMBDA_RUNTIME_DIR",
];

const ROLE_PATTERN = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
const VARIABLE_NAME = /^[a-zA-Z][a-zA-Z0-9_]*$/;
const DESTINATION_ARN = /^arn:(aws[a-zA-Z-]*)?:(sqs|sns|lambda|events):[a-z0-9-]+:\d{12}:.+$/;
const DLQ_ARN = /^arn:(aws[a-zA-Z-]*)?:(sqs|sns):[a-z0-9-]+:\d{12}:[^:]+$/;

export function optionalString(input: Input, member: string, field = lowerFirst(member)): string | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw lambdaErrors.validation(field, value, "Member must be a string");
  return value;
}

export function requiredString(input: Input, member: string, field = lowerFirst(member)): string {
  const value = optionalString(input, member, field);
  if (value === undefined || value === "") throw lambdaErrors.missing(field);
  return value;
}

export function optionalInteger(
  input: Input,
  member: string,
  min: number,
  max: number,
  field = lowerFirst(member),
): number | undefined {
  const raw = input[member];
  if (raw === undefined || raw === null) return undefined;
  const value = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw lambdaErrors.validation(field, raw, "Member must be an integer");
  }
  if (value < min)
    throw lambdaErrors.validation(field, value, `Member must have value greater than or equal to ${min}`);
  if (value > max)
    throw lambdaErrors.validation(field, value, `Member must have value less than or equal to ${max}`);
  return value;
}

export function optionalObject(input: Input, member: string): Input | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw lambdaErrors.validation(lowerFirst(member), "(not an object)", "Member must be a structure");
  }
  return value as Input;
}

/**
 * A runtime Lambda accepts: refused as Lambda refuses a deprecated one (InvalidParameterValue with
 * its recommendation) or one it does not know (the model's enum). Runtimes the emulator cannot run
 * are accepted; the function then fails (see `runtimeProblem`).
 */
export function validRuntime(runtime: string): string {
  const replacement = BLOCKED_RUNTIMES[runtime];
  if (replacement) {
    throw lambdaErrors.invalidParameter(
      `The runtime parameter of ${runtime} is no longer supported for creating or updating AWS Lambda functions. We recommend you use the new runtime (${replacement}) while creating or updating functions.`,
    );
  }
  if (!(CREATABLE_RUNTIMES as readonly string[]).includes(runtime)) {
    throw lambdaErrors.validation(
      "runtime",
      runtime,
      `Member must satisfy enum value set: [${[...CREATABLE_RUNTIMES, ...Object.keys(BLOCKED_RUNTIMES)].join(", ")}]`,
    );
  }
  return runtime;
}

/** Why the emulator cannot run a function of this runtime, or undefined when it can. */
export function runtimeProblem(runtime: string): string | undefined {
  if ((SUPPORTED_RUNTIMES as readonly string[]).includes(runtime)) return undefined;
  return `This emulator runs Node.js functions only (${SUPPORTED_RUNTIMES.join(", ")}); a ${runtime} function cannot run here. Use one of those runtimes, or run this function on LocalStack or AWS.`;
}

export function validRole(role: string): string {
  if (!ROLE_PATTERN.test(role)) {
    throw lambdaErrors.validation(
      "role",
      role,
      "Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+",
    );
  }
  return role;
}

export function validHandler(handler: string): string {
  if (handler.length > 128 || /\s/.test(handler)) {
    throw lambdaErrors.validation(
      "handler",
      handler,
      "Member must satisfy regular expression pattern: [^\\s]+",
    );
  }
  return handler;
}

export function validDescription(description: string): string {
  if (description.length > MAX_DESCRIPTION_LENGTH) {
    throw lambdaErrors.validation(
      "description",
      description,
      `Member must have length less than or equal to ${MAX_DESCRIPTION_LENGTH}`,
    );
  }
  return description;
}

export function readTimeout(input: Input): number | undefined {
  return optionalInteger(input, "Timeout", MIN_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS);
}

export function readMemorySize(input: Input): number | undefined {
  return optionalInteger(input, "MemorySize", MIN_MEMORY_MB, MAX_MEMORY_MB);
}

/** `Environment.Variables`, checked for reserved names, name syntax and Lambda's 4 KB total. */
export function readEnvironment(input: Input): Record<string, string> | undefined {
  const environment = optionalObject(input, "Environment");
  if (!environment) return undefined;
  const variables = optionalObject(environment, "Variables") ?? {};
  const result: Record<string, string> = {};
  let bytes = 0;
  for (const [name, value] of Object.entries(variables)) {
    if (!VARIABLE_NAME.test(name)) {
      throw lambdaErrors.validation(
        "environment.variables",
        name,
        "Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+",
      );
    }
    if (typeof value !== "string") {
      throw lambdaErrors.invalidParameter(`The value of environment variable ${name} must be a string.`);
    }
    result[name] = value;
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  }
  const reserved = Object.keys(result).filter((name) => RESERVED_VARIABLES.includes(name));
  if (reserved.length > 0) {
    throw lambdaErrors.invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(", ")}`,
    );
  }
  if (bytes > MAX_ENVIRONMENT_BYTES) {
    throw lambdaErrors.invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${bytes} bytes`,
    );
  }
  return result;
}

/** `DeadLetterConfig.TargetArn`: an SQS queue or SNS topic; "" removes it (UpdateFunctionConfiguration). */
export function readDeadLetterTarget(input: Input): string | null | undefined {
  const config = optionalObject(input, "DeadLetterConfig");
  if (!config) return undefined;
  const target = optionalString(config, "TargetArn", "deadLetterConfig.targetArn");
  if (target === undefined || target === "") return null;
  if (!DLQ_ARN.test(target)) {
    throw lambdaErrors.invalidParameter(
      `The provided target arn ${target} is invalid: a dead-letter queue is an SQS queue or SNS topic ARN.`,
    );
  }
  return target;
}

export function validDestination(arn: string, member: string): string {
  if (!DESTINATION_ARN.test(arn)) {
    throw lambdaErrors.invalidParameter(
      `The destination ARN ${arn} (${member}) is invalid: use an SQS queue, SNS topic, Lambda function or EventBridge event bus ARN.`,
    );
  }
  return arn;
}

export function readTags(input: Input, member = "Tags"): Record<string, string> | undefined {
  const tags = optionalObject(input, member);
  if (!tags) return undefined;
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags)) {
    if (typeof value !== "string")
      throw lambdaErrors.invalidParameter(`The value of tag ${key} must be a string.`);
    if (key.length < 1 || key.length > 128) {
      throw lambdaErrors.validation("tags", key, "Member must have length between 1 and 128");
    }
    result[key] = value;
  }
  if (Object.keys(result).length > MAX_TAGS) {
    throw lambdaErrors.invalidParameter(`A function can have at most ${MAX_TAGS} tags.`);
  }
  return result;
}

/** `LoggingConfig`: the log group may be changed; this emulator writes the Text format only. */
export function readLogGroup(input: Input): string | undefined {
  const config = optionalObject(input, "LoggingConfig");
  if (!config) return undefined;
  const format = optionalString(config, "LogFormat", "loggingConfig.logFormat");
  if (format !== undefined && format !== "Text") {
    throw lambdaErrors.invalidParameter(
      `LoggingConfig.LogFormat ${format} is not supported by this emulator, which writes Lambda's Text log format; omit LogFormat or use Text.`,
    );
  }
  for (const level of ["ApplicationLogLevel", "SystemLogLevel"]) {
    if (config[level] !== undefined && config[level] !== null) {
      throw lambdaErrors.invalidParameter(
        `LoggingConfig.${level} requires LogFormat JSON, which this emulator does not write.`,
      );
    }
  }
  const group = optionalString(config, "LogGroup", "loggingConfig.logGroup");
  if (group !== undefined && !/^[.\-_/#A-Za-z0-9]{1,512}$/.test(group)) {
    throw lambdaErrors.validation(
      "loggingConfig.logGroup",
      group,
      "Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+",
    );
  }
  return group;
}

/** TracingConfig: Mode Active or PassThrough (stored and echoed; no traces are recorded). */
export function readTracingMode(input: Input): "Active" | "PassThrough" | undefined {
  const tracing = optionalObject(input, "TracingConfig");
  if (!tracing || tracing["Mode"] === undefined || tracing["Mode"] === null) return undefined;
  const mode = tracing["Mode"];
  if (mode !== "Active" && mode !== "PassThrough") {
    throw lambdaErrors.validation(
      "tracingConfig.mode",
      mode,
      "Member must satisfy enum value set: [Active, PassThrough]",
    );
  }
  return mode;
}

export function optionalBoolean(input: Input, member: string): boolean | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  throw lambdaErrors.validation(lowerFirst(member), value, "Member must be a boolean");
}

export function readArchitectures(input: Input): string[] | undefined {
  const value = input["Architectures"];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length !== 1 || !["x86_64", "arm64"].includes(String(value[0]))) {
    throw lambdaErrors.validation(
      "architectures",
      JSON.stringify(value),
      "Member must have length 1 and satisfy enum value set: [x86_64, arm64]",
    );
  }
  return [String(value[0])];
}

/** Code blobs arrive base64 in JSON bodies, or as bytes from in-process callers. */
export function readBlob(value: unknown, member: string): Buffer | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return Buffer.from(value, "base64");
  if (value instanceof Uint8Array) return Buffer.from(value);
  throw lambdaErrors.validation(member, "(not a blob)", "Member must be a base64-encoded blob");
}

/** Lambda's `LastModified` format: `2026-08-01T12:00:00.000+0000`. */
export function lastModifiedText(epochMs: number): string {
  return new Date(epochMs).toISOString().replace("Z", "+0000");
}

/**
 * The FunctionConfiguration shape AWS returns. `version`: what the record is ($LATEST, or the number
 * of the published version it is a view of); `arnQualifier`: what qualifies FunctionArn (AWS
 * qualifies it with the version or alias the caller named, and leaves it bare for a plain name).
 * Published versions carry no LastUpdateStatus: they are never updated.
 */
export function toConfiguration(
  fn: FunctionRecord,
  { version = "$LATEST", arnQualifier }: { version?: string; arnQualifier?: string | undefined } = {},
): FunctionConfiguration {
  const configuration: FunctionConfiguration = {
    FunctionName: fn.name,
    FunctionArn: functionArn(fn, arnQualifier),
    Runtime: fn.runtime as FunctionConfiguration["Runtime"],
    Role: fn.role,
    Handler: fn.handler,
    CodeSize: fn.codeSize,
    Description: fn.description,
    Timeout: fn.timeout,
    MemorySize: fn.memorySize,
    LastModified: lastModifiedText(fn.lastModified),
    CodeSha256: fn.codeSha256,
    Version: version,
    TracingConfig: { Mode: fn.tracingMode ?? "PassThrough" },
    RevisionId: fn.revisionId,
    State: fn.state,
    ...(version === "$LATEST" ? { LastUpdateStatus: fn.lastUpdateStatus } : {}),
    PackageType: "Zip",
    Architectures: fn.architectures as FunctionConfiguration["Architectures"],
    EphemeralStorage: { Size: EPHEMERAL_STORAGE_MB },
    SnapStart: { ApplyOn: "None", OptimizationStatus: "Off" },
    LoggingConfig: { LogFormat: "Text", LogGroup: fn.logGroup },
  };
  if (Object.keys(fn.environment).length > 0)
    configuration.Environment = { Variables: { ...fn.environment } };
  if (fn.deadLetterTargetArn) configuration.DeadLetterConfig = { TargetArn: fn.deadLetterTargetArn };
  if (fn.stateReason) configuration.StateReason = fn.stateReason;
  if (fn.stateReasonCode)
    configuration.StateReasonCode = fn.stateReasonCode as FunctionConfiguration["StateReasonCode"];
  if (fn.lastUpdateStatusReason) configuration.LastUpdateStatusReason = fn.lastUpdateStatusReason;
  if (fn.lastUpdateStatusReasonCode) {
    configuration.LastUpdateStatusReasonCode =
      fn.lastUpdateStatusReasonCode as FunctionConfiguration["LastUpdateStatusReasonCode"];
  }
  return configuration;
}

function lowerFirst(value: string): string {
  return value.charAt(0).toLowerCase() + value.slice(1);
}
