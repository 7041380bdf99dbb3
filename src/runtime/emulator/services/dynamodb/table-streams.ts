import type { ChangeFeed, StreamViewType } from "./change-feed.js";
import type { DynaliteTable } from "./dynalite-engine.js";
import { dynamoErrors } from "./errors.js";
import { STREAM_VIEW_TYPES } from "./limits.js";
import { withTableSettings } from "./table-settings.js";

/**
 * StreamSpecification on CreateTable/UpdateTable, and the stream members DescribeTable shows
 * (aws-behaviour.md §2.1). dynalite knows nothing of streams: the emulator takes the member out of
 * the request before dynalite sees it and adds the stream members to every table description.
 */

export interface StreamSpecification {
  StreamEnabled: boolean;
  StreamViewType?: StreamViewType;
}

/** Takes StreamSpecification out of a request, checked; undefined when the request has none. */
export function takeStreamSpecification(input: Record<string, unknown>): StreamSpecification | undefined {
  const raw = input["StreamSpecification"];
  delete input["StreamSpecification"];
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== "object" || Array.isArray(raw))
    throw dynamoErrors.serialization("Start of structure or map found where not expected");
  const { StreamEnabled: enabled, StreamViewType: viewType } = raw as Record<string, unknown>;
  if (typeof enabled !== "boolean") {
    throw dynamoErrors.validation(
      "1 validation error detected: Value null at 'streamSpecification.streamEnabled' failed to satisfy constraint: Member must not be null",
    );
  }
  if (viewType !== undefined && viewType !== null) {
    if (typeof viewType !== "string" || !(STREAM_VIEW_TYPES as readonly string[]).includes(viewType)) {
      throw dynamoErrors.validation(
        `1 validation error detected: Value '${String(viewType)}' at 'streamSpecification.streamViewType' failed to satisfy constraint: Member must satisfy enum value set: [${STREAM_VIEW_TYPES.join(", ")}]`,
      );
    }
  }
  if (enabled && !viewType) {
    throw dynamoErrors.validation(
      "One or more parameter values were invalid: StreamViewType is required when StreamEnabled is true",
    );
  }
  if (!enabled && viewType) {
    throw dynamoErrors.validation(
      "One or more parameter values were invalid: StreamViewType cannot be specified when StreamEnabled is false",
    );
  }
  return { StreamEnabled: enabled, ...(viewType ? { StreamViewType: viewType as StreamViewType } : {}) };
}

/** Refuses a stream change UpdateTable cannot make, before anything changes. */
export function checkStreamUpdate(feed: ChangeFeed, tableName: string, spec: StreamSpecification): void {
  const enabled = feed.enabledStream(tableName);
  if (spec.StreamEnabled && enabled) {
    throw dynamoErrors.validation(`Table already has an enabled stream: ${enabled.arn}`);
  }
  if (!spec.StreamEnabled && !enabled) {
    throw dynamoErrors.validation(`Table ${tableName} does not have an enabled stream to disable`);
  }
}

export function applyStreamSpecification(
  feed: ChangeFeed,
  table: DynaliteTable,
  spec: StreamSpecification,
): void {
  if (spec.StreamEnabled && spec.StreamViewType) {
    feed.enable(
      { name: table.TableName, arn: table.TableArn, keySchema: table.KeySchema },
      spec.StreamViewType,
    );
  } else if (!spec.StreamEnabled) {
    feed.disable(table.TableName);
  }
}

/**
 * A table description as DynamoDB shows it: the stream members DynamoDB adds once a table has had a
 * stream, without the members the emulator keeps for itself in the stored description.
 */
export function withStreamMembers(feed: ChangeFeed, description: unknown): unknown {
  if (!description || typeof description !== "object") return description;
  const table = withoutEmulatorMembers(withTableSettings(description as Record<string, unknown>));
  const stream = typeof table["TableName"] === "string" ? feed.latestStream(table["TableName"]) : undefined;
  if (!stream) return table;
  return {
    ...table,
    StreamSpecification:
      stream.status === "ENABLED"
        ? { StreamEnabled: true, StreamViewType: stream.viewType }
        : { StreamEnabled: false },
    LatestStreamLabel: stream.label,
    LatestStreamArn: stream.arn,
  };
}

/** Members of the stored description that are the emulator's own (named `Emulator…`). */
function withoutEmulatorMembers(table: Record<string, unknown>): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const [member, value] of Object.entries(table))
    if (!member.startsWith("Emulator")) shown[member] = value;
  return shown;
}
