import { compileEventPattern, EventPatternError } from "../../../core/event-pattern.js";
import { ServiceError } from "../../../core/errors.js";
import {
  MAX_BATCH_SIZE,
  MAX_BATCHING_WINDOW_SECONDS,
  MAX_FILTER_PATTERN_LENGTH,
  MAX_FILTERS,
  MAX_MAXIMUM_CONCURRENCY,
  MAX_PARALLELIZATION_FACTOR,
  MAX_RECORD_AGE_SECONDS,
  MAX_RETRY_ATTEMPTS,
  MAX_TUMBLING_WINDOW_SECONDS,
  MIN_MAXIMUM_CONCURRENCY,
  MIN_RECORD_AGE_SECONDS,
  SQS_BATCH_SIZE_WITHOUT_WINDOW,
  SQS_DEFAULT_BATCH_SIZE,
  SQS_FIFO_MAX_BATCH_SIZE,
  STREAM_DEFAULT_BATCH_SIZE,
} from "./limits.js";

export type SourceKind = "dynamodb" | "sqs";
export type MappingState =
  "Creating" | "Enabling" | "Enabled" | "Disabling" | "Disabled" | "Updating" | "Deleting";

export interface FilterCriteria {
  Filters?: { Pattern?: string }[];
}

/** One event source mapping as the engine stores it. */
export interface MappingRecord {
  uuid: string;
  accountId: string;
  region: string;
  eventSourceArn: string;
  sourceKind: SourceKind;
  functionArn: string;
  enabled: boolean;
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  startingPosition?: "TRIM_HORIZON" | "LATEST";
  maximumRetryAttempts?: number;
  maximumRecordAgeInSeconds?: number;
  bisectBatchOnFunctionError?: boolean;
  parallelizationFactor?: number;
  tumblingWindowInSeconds?: number;
  functionResponseTypes: string[];
  onFailureDestination?: string;
  filterCriteria?: FilterCriteria;
  maximumConcurrency?: number;
  /** Epoch milliseconds. */
  lastModified: number;
  lastProcessingResult: string;
  state: MappingState;
  stateTransitionReason: string;
  /** When a LATEST stream mapping recorded where each shard ended (its starting checkpoints). */
  latestCapturedAt?: number;
}

export interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  resource: string;
}

export function parseArn(arn: string): ParsedArn | undefined {
  const parts = arn.split(":");
  if (parts.length < 6 || parts[0] !== "arn") return undefined;
  return {
    partition: parts[1] ?? "",
    service: parts[2] ?? "",
    region: parts[3] ?? "",
    accountId: parts[4] ?? "",
    resource: parts.slice(5).join(":"),
  };
}

/** `arn:aws:sqs:<region>:<account>:<name>` → the queue name, account and region. */
export function queueFromArn(arn: string): { name: string; accountId: string; region: string } | undefined {
  const parsed = parseArn(arn);
  if (!parsed || parsed.service !== "sqs" || !parsed.resource || parsed.resource.includes(":"))
    return undefined;
  return { name: parsed.resource, accountId: parsed.accountId, region: parsed.region };
}

const STREAM_RESOURCE = /^table\/[^/]+\/stream\/.+$/;

export function sourceKindOf(arn: string): SourceKind | undefined {
  const parsed = parseArn(arn);
  if (parsed?.service === "dynamodb" && STREAM_RESOURCE.test(parsed.resource)) return "dynamodb";
  if (parsed?.service === "sqs" && queueFromArn(arn)) return "sqs";
  return undefined;
}

const invalidParameter = (message: string) =>
  new ServiceError("InvalidParameterValueException", message, 400);

/** Lambda's model-constraint errors read "1 validation error detected: Value 'x' at 'field' …". */
function constraint(field: string, value: unknown, rule: string): ServiceError {
  return new ServiceError(
    "ValidationException",
    `1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: Member must ${rule}`,
    400,
  );
}

function intIn(input: Record<string, unknown>, key: string, field: string, min: number, max: number) {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw constraint(field, value, "be a whole number");
  }
  if (value < min) throw constraint(field, value, `have value greater than or equal to ${min}`);
  if (value > max) throw constraint(field, value, `have value less than or equal to ${max}`);
  return value;
}

function bool(input: Record<string, unknown>, key: string): boolean | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw invalidParameter(`${key} must be true or false.`);
  return value;
}

/** The stream-only settings an SQS mapping refuses (AWS: "Unsupported … for this event source"). */
const STREAM_ONLY = [
  "StartingPosition",
  "StartingPositionTimestamp",
  "MaximumRetryAttempts",
  "MaximumRecordAgeInSeconds",
  "BisectBatchOnFunctionError",
  "ParallelizationFactor",
  "TumblingWindowInSeconds",
  "DestinationConfig",
] as const;

export interface ValidatedSettings {
  enabled?: boolean;
  batchSize?: number;
  maximumBatchingWindowInSeconds?: number;
  startingPosition?: "TRIM_HORIZON" | "LATEST";
  maximumRetryAttempts?: number;
  maximumRecordAgeInSeconds?: number;
  bisectBatchOnFunctionError?: boolean;
  parallelizationFactor?: number;
  tumblingWindowInSeconds?: number;
  functionResponseTypes?: string[];
  onFailureDestination?: string | null;
  filterCriteria?: FilterCriteria | null;
  maximumConcurrency?: number | null;
}

/** Validates the settings shared by Create and Update for the given source kind. */
export function validateSettings(input: Record<string, unknown>, kind: SourceKind): ValidatedSettings {
  const settings: ValidatedSettings = {};
  settings.enabled = bool(input, "Enabled");
  settings.batchSize = intIn(input, "BatchSize", "batchSize", 1, MAX_BATCH_SIZE);
  settings.maximumBatchingWindowInSeconds = intIn(
    input,
    "MaximumBatchingWindowInSeconds",
    "maximumBatchingWindowInSeconds",
    0,
    MAX_BATCHING_WINDOW_SECONDS,
  );

  if (kind === "sqs") {
    for (const key of STREAM_ONLY) {
      if (input[key] !== undefined && input[key] !== null) {
        throw invalidParameter(
          key === "DestinationConfig"
            ? "Unsupported DestinationConfig parameter for SQS event sources; use the queue's RedrivePolicy for failed messages."
            : `Unsupported ${key} parameter for SQS event sources.`,
        );
      }
    }
  } else {
    const position = input["StartingPosition"];
    if (position !== undefined && position !== null) {
      if (position === "AT_TIMESTAMP") {
        throw invalidParameter(
          "Unsupported starting position for DynamoDB streams: AT_TIMESTAMP; use TRIM_HORIZON or LATEST.",
        );
      }
      if (position !== "TRIM_HORIZON" && position !== "LATEST") {
        throw constraint(
          "startingPosition",
          position,
          "satisfy enum value set: [TRIM_HORIZON, LATEST, AT_TIMESTAMP]",
        );
      }
      settings.startingPosition = position;
    }
    const retries = input["MaximumRetryAttempts"];
    if (retries !== undefined && retries !== null) {
      settings.maximumRetryAttempts = intIn(
        input,
        "MaximumRetryAttempts",
        "maximumRetryAttempts",
        -1,
        MAX_RETRY_ATTEMPTS,
      );
    }
    const age = input["MaximumRecordAgeInSeconds"];
    if (age !== undefined && age !== null) {
      const value = intIn(
        input,
        "MaximumRecordAgeInSeconds",
        "maximumRecordAgeInSeconds",
        -1,
        MAX_RECORD_AGE_SECONDS,
      );
      if (value !== undefined && value !== -1 && value < MIN_RECORD_AGE_SECONDS) {
        throw constraint(
          "maximumRecordAgeInSeconds",
          value,
          `be -1 or have value greater than or equal to ${MIN_RECORD_AGE_SECONDS}`,
        );
      }
      settings.maximumRecordAgeInSeconds = value;
    }
    settings.bisectBatchOnFunctionError = bool(input, "BisectBatchOnFunctionError");
    settings.parallelizationFactor = intIn(
      input,
      "ParallelizationFactor",
      "parallelizationFactor",
      1,
      MAX_PARALLELIZATION_FACTOR,
    );
    settings.tumblingWindowInSeconds = intIn(
      input,
      "TumblingWindowInSeconds",
      "tumblingWindowInSeconds",
      0,
      MAX_TUMBLING_WINDOW_SECONDS,
    );
    if (settings.tumblingWindowInSeconds) {
      throw invalidParameter(
        "TumblingWindowInSeconds is not supported by this emulator; leave it unset or 0.",
      );
    }
    const destination = input["DestinationConfig"];
    if (destination !== undefined && destination !== null) {
      settings.onFailureDestination = readOnFailureDestination(destination);
    }
  }

  const responseTypes = input["FunctionResponseTypes"];
  if (responseTypes !== undefined && responseTypes !== null) {
    if (!Array.isArray(responseTypes) || responseTypes.some((t) => t !== "ReportBatchItemFailures")) {
      throw constraint(
        "functionResponseTypes",
        JSON.stringify(responseTypes),
        "satisfy enum value set: [ReportBatchItemFailures]",
      );
    }
    settings.functionResponseTypes = [...new Set(responseTypes as string[])];
  }

  const filters = input["FilterCriteria"];
  if (filters !== undefined) settings.filterCriteria = filters === null ? null : readFilterCriteria(filters);

  const scaling = input["ScalingConfig"];
  if (scaling !== undefined && scaling !== null) {
    if (kind !== "sqs") throw invalidParameter("ScalingConfig is only supported for SQS event sources.");
    if (typeof scaling !== "object" || Array.isArray(scaling))
      throw invalidParameter("ScalingConfig must be an object.");
    settings.maximumConcurrency =
      intIn(
        scaling as Record<string, unknown>,
        "MaximumConcurrency",
        "scalingConfig.maximumConcurrency",
        MIN_MAXIMUM_CONCURRENCY,
        MAX_MAXIMUM_CONCURRENCY,
      ) ?? null;
  }
  return settings;
}

function readOnFailureDestination(destination: unknown): string | null {
  if (typeof destination !== "object" || destination === null) {
    throw invalidParameter("DestinationConfig must be an object with OnFailure.Destination.");
  }
  const onFailure = (destination as { OnFailure?: { Destination?: unknown } }).OnFailure;
  const arn = onFailure?.Destination;
  if (arn === undefined || arn === null || arn === "") return null;
  if (typeof arn !== "string" || !parseArn(arn)) {
    throw invalidParameter(`The destination ARN ${String(arn)} is invalid.`);
  }
  if (!queueFromArn(arn)) {
    throw invalidParameter(
      `Unsupported on-failure destination ${arn}: this emulator delivers on-failure records to SQS queues only.`,
    );
  }
  return arn;
}

function readFilterCriteria(value: unknown): FilterCriteria {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalidParameter("FilterCriteria must be an object with a Filters list.");
  }
  const filters = (value as FilterCriteria).Filters ?? [];
  if (!Array.isArray(filters)) throw invalidParameter("FilterCriteria.Filters must be a list.");
  if (filters.length > MAX_FILTERS) {
    throw invalidParameter(
      `Invalid filter criteria: at most ${MAX_FILTERS} filters are allowed per event source mapping.`,
    );
  }
  const out: { Pattern: string }[] = [];
  for (const filter of filters) {
    const pattern = filter?.Pattern;
    if (typeof pattern !== "string")
      throw invalidParameter("Invalid filter pattern definition: Pattern must be a JSON string.");
    if (pattern.length > MAX_FILTER_PATTERN_LENGTH) {
      throw constraint(
        "filterCriteria.filters.member.pattern",
        `${pattern.slice(0, 20)}…`,
        `have length less than or equal to ${MAX_FILTER_PATTERN_LENGTH}`,
      );
    }
    try {
      compileEventPattern(pattern);
    } catch (error) {
      if (error instanceof EventPatternError)
        throw invalidParameter(`Invalid filter pattern definition. ${error.message}`);
      throw error;
    }
    out.push({ Pattern: pattern });
  }
  return { Filters: out };
}

/** Checks the combined settings of a mapping (after defaults and updates are applied). */
export function checkCombination(record: MappingRecord): void {
  if (record.sourceKind === "sqs") {
    const fifo = record.eventSourceArn.endsWith(".fifo");
    if (fifo && record.batchSize > SQS_FIFO_MAX_BATCH_SIZE) {
      throw invalidParameter(`Batch size for FIFO queues must be between 1 and ${SQS_FIFO_MAX_BATCH_SIZE}.`);
    }
    if (fifo && record.maximumBatchingWindowInSeconds > 0) {
      throw invalidParameter("Batching windows are not supported for FIFO queues.");
    }
    if (record.batchSize > SQS_BATCH_SIZE_WITHOUT_WINDOW && record.maximumBatchingWindowInSeconds < 1) {
      throw invalidParameter(
        `Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than ${SQS_BATCH_SIZE_WITHOUT_WINDOW}`,
      );
    }
  }
}

/** Applies validated settings to a record (Update) or builds the defaults (Create). */
export function applySettings(record: MappingRecord, settings: ValidatedSettings): void {
  if (settings.enabled !== undefined) record.enabled = settings.enabled;
  if (settings.batchSize !== undefined) record.batchSize = settings.batchSize;
  if (settings.maximumBatchingWindowInSeconds !== undefined) {
    record.maximumBatchingWindowInSeconds = settings.maximumBatchingWindowInSeconds;
  }
  if (settings.maximumRetryAttempts !== undefined)
    record.maximumRetryAttempts = settings.maximumRetryAttempts;
  if (settings.maximumRecordAgeInSeconds !== undefined)
    record.maximumRecordAgeInSeconds = settings.maximumRecordAgeInSeconds;
  if (settings.bisectBatchOnFunctionError !== undefined)
    record.bisectBatchOnFunctionError = settings.bisectBatchOnFunctionError;
  if (settings.parallelizationFactor !== undefined)
    record.parallelizationFactor = settings.parallelizationFactor;
  if (settings.tumblingWindowInSeconds !== undefined)
    record.tumblingWindowInSeconds = settings.tumblingWindowInSeconds;
  if (settings.functionResponseTypes !== undefined)
    record.functionResponseTypes = settings.functionResponseTypes;
  if (settings.onFailureDestination !== undefined) {
    if (settings.onFailureDestination === null) delete record.onFailureDestination;
    else record.onFailureDestination = settings.onFailureDestination;
  }
  if (settings.filterCriteria !== undefined) {
    if (settings.filterCriteria === null || (settings.filterCriteria.Filters ?? []).length === 0) {
      delete record.filterCriteria;
    } else record.filterCriteria = settings.filterCriteria;
  }
  if (settings.maximumConcurrency !== undefined) {
    if (settings.maximumConcurrency === null) delete record.maximumConcurrency;
    else record.maximumConcurrency = settings.maximumConcurrency;
  }
}

export function defaultsFor(
  kind: SourceKind,
): Pick<MappingRecord, "batchSize" | "maximumBatchingWindowInSeconds"> & Partial<MappingRecord> {
  return kind === "sqs"
    ? { batchSize: SQS_DEFAULT_BATCH_SIZE, maximumBatchingWindowInSeconds: 0 }
    : {
        batchSize: STREAM_DEFAULT_BATCH_SIZE,
        maximumBatchingWindowInSeconds: 0,
        maximumRetryAttempts: -1,
        maximumRecordAgeInSeconds: -1,
        bisectBatchOnFunctionError: false,
        parallelizationFactor: 1,
        tumblingWindowInSeconds: 0,
      };
}

export function mappingArn(record: MappingRecord): string {
  return `arn:aws:lambda:${record.region}:${record.accountId}:event-source-mapping:${record.uuid}`;
}

/** The EventSourceMappingConfiguration AWS returns (restJson1: LastModified in epoch seconds). */
export function toConfiguration(record: MappingRecord): Record<string, unknown> {
  const common = {
    UUID: record.uuid,
    BatchSize: record.batchSize,
    MaximumBatchingWindowInSeconds: record.maximumBatchingWindowInSeconds,
    EventSourceArn: record.eventSourceArn,
    ...(record.filterCriteria ? { FilterCriteria: record.filterCriteria } : {}),
    FunctionArn: record.functionArn,
    LastModified: record.lastModified / 1000,
    State: record.state,
    StateTransitionReason: record.stateTransitionReason,
    FunctionResponseTypes: record.functionResponseTypes,
    EventSourceMappingArn: mappingArn(record),
  };
  if (record.sourceKind === "sqs") {
    return {
      ...common,
      ...(record.maximumConcurrency
        ? { ScalingConfig: { MaximumConcurrency: record.maximumConcurrency } }
        : {}),
    };
  }
  return {
    ...common,
    StartingPosition: record.startingPosition,
    ParallelizationFactor: record.parallelizationFactor,
    LastProcessingResult: record.lastProcessingResult,
    DestinationConfig: {
      OnFailure: record.onFailureDestination ? { Destination: record.onFailureDestination } : {},
    },
    MaximumRecordAgeInSeconds: record.maximumRecordAgeInSeconds,
    BisectBatchOnFunctionError: record.bisectBatchOnFunctionError,
    MaximumRetryAttempts: record.maximumRetryAttempts,
    TumblingWindowInSeconds: record.tumblingWindowInSeconds,
  };
}
