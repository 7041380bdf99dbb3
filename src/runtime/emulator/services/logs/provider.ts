import type {
  CreateLogGroupRequest,
  CreateLogStreamRequest,
  DeleteLogGroupRequest,
  DeleteLogStreamRequest,
  DeleteRetentionPolicyRequest,
  DescribeLogGroupsRequest,
  DescribeLogGroupsResponse,
  DescribeLogStreamsRequest,
  DescribeLogStreamsResponse,
  FilterLogEventsRequest,
  FilterLogEventsResponse,
  GetLogEventsRequest,
  GetLogEventsResponse,
  ListTagsForResourceRequest,
  ListTagsForResourceResponse,
  ListTagsLogGroupRequest,
  ListTagsLogGroupResponse,
  LogGroup as SdkLogGroup,
  PutLogEventsRequest,
  PutLogEventsResponse,
  PutRetentionPolicyRequest,
  RejectedLogEventsInfo,
  TagLogGroupRequest,
  TagResourceRequest,
  UntagLogGroupRequest,
  UntagResourceRequest,
} from "@aws-sdk/client-cloudwatch-logs";
import type { Clock } from "../../core/clock.js";
import type { RequestContext } from "../../core/request.js";
import { lengthRule, logsErrors } from "./errors.js";
import { compileFilterPattern, FilterPatternError, type EventMatcher } from "./filter-pattern/index.js";
import * as limits from "./limits.js";
import {
  compareEvents,
  scopeOf,
  type LogEvent,
  type LogGroup,
  type LogsEntry,
  type LogsState,
  type LogStream,
} from "./store.js";
import {
  decodeToken,
  encodeToken,
  optionalBoolean,
  optionalNumber,
  optionalString,
  optionalStringList,
  optionalTags,
  requiredString,
} from "./validate.js";

/** One method per CloudWatch Logs operation (aws-behaviour.md §7). */
export class LogsProvider {
  constructor(
    private readonly state: LogsState,
    private readonly clock: Clock,
    /** Makes a change durable (journal) and applies it, before the caller answers. */
    private readonly commit: (entry: LogsEntry) => void,
    /** Told of events once they are stored (subscription and metric filters act on them). */
    private readonly onStored?: (group: LogGroup, stream: string, events: LogEvent[]) => void,
  ) {}

  async createLogGroup(
    input: CreateLogGroupRequest,
    context: RequestContext,
  ): Promise<Record<string, never>> {
    const name = validGroupName(requiredString(input, "logGroupName"));
    const tags = optionalTags(input, "tags");
    const logGroupClass = optionalString(input, "logGroupClass") ?? "STANDARD";
    if (!["STANDARD", "INFREQUENT_ACCESS", "DELIVERY"].includes(logGroupClass)) {
      throw logsErrors.constraint(
        "logGroupClass",
        logGroupClass,
        "Member must satisfy enum value set: [STANDARD, INFREQUENT_ACCESS, DELIVERY]",
      );
    }
    if (tags && Object.keys(tags).length > limits.MAX_TAGS_PER_LOG_GROUP) {
      throw logsErrors.invalid(`A log group can have at most ${limits.MAX_TAGS_PER_LOG_GROUP} tags.`);
    }
    const scope = scopeOf(context.accountId, context.region);
    if (this.state.group(scope, name)) throw logsErrors.groupExists();
    this.commit({ t: "createGroup", scope, name, creationTime: this.clock.now(), logGroupClass, tags });
    return {};
  }

  async deleteLogGroup(
    input: DeleteLogGroupRequest,
    context: RequestContext,
  ): Promise<Record<string, never>> {
    const group = this.requireGroup(context, requiredString(input, "logGroupName"));
    this.commit({ t: "deleteGroup", scope: group.scope, name: group.name });
    return {};
  }

  async describeLogGroups(
    input: DescribeLogGroupsRequest,
    context: RequestContext,
  ): Promise<DescribeLogGroupsResponse> {
    const prefix = optionalString(input, "logGroupNamePrefix");
    const pattern = optionalString(input, "logGroupNamePattern");
    const identifiers = optionalStringList(input, "logGroupIdentifiers");
    if (prefix !== undefined && pattern !== undefined) {
      throw logsErrors.invalid(
        "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.",
      );
    }
    const limit =
      optionalNumber(input, "limit", 1, limits.DESCRIBE_MAX_LIMIT) ?? limits.DESCRIBE_DEFAULT_LIMIT;
    const token = optionalString(input, "nextToken");
    const after = token === undefined ? undefined : decodeToken(token, isNameToken).n;
    const wanted = identifiers ? new Set(identifiers.map((id) => parseGroupIdentifier(id).name)) : undefined;
    const scope = scopeOf(context.accountId, context.region);
    const groups = this.state
      .groupsIn(scope)
      .filter((g) => prefix === undefined || g.name.startsWith(prefix))
      .filter((g) => pattern === undefined || g.name.includes(pattern))
      .filter((g) => !wanted || wanted.has(g.name))
      .sort((a, b) => compareStrings(a.name, b.name))
      .filter((g) => after === undefined || compareStrings(g.name, after) > 0);
    const page = groups.slice(0, limit);
    const now = this.clock.now();
    return {
      logGroups: page.map((g) => this.describeGroup(g, context, now)),
      ...(groups.length > limit ? { nextToken: encodeToken({ n: page[page.length - 1]!.name }) } : {}),
    };
  }

  async putRetentionPolicy(
    input: PutRetentionPolicyRequest,
    context: RequestContext,
  ): Promise<Record<string, never>> {
    const group = this.requireGroup(context, requiredString(input, "logGroupName"));
    const days = (input as unknown as Record<string, unknown>)["retentionInDays"];
    if (days === undefined || days === null) throw logsErrors.missing("retentionInDays");
    if (typeof days !== "number" || !limits.RETENTION_DAYS.includes(days)) {
      throw logsErrors.constraint(
        "retentionInDays",
        days,
        `Member must satisfy enum value set: [${limits.RETENTION_DAYS.join(", ")}]`,
      );
    }
    this.commit({ t: "retention", scope: group.scope, name: group.name, days });
    return {};
  }

  async deleteRetentionPolicy(
    input: DeleteRetentionPolicyRequest,
    context: RequestContext,
  ): Promise<Record<string, never>> {
    const group = this.requireGroup(context, requiredString(input, "logGroupName"));
    this.commit({ t: "retention", scope: group.scope, name: group.name, days: null });
    return {};
  }

  async createLogStream(
    input: CreateLogStreamRequest,
    context: RequestContext,
  ): Promise<Record<string, never>> {
    const groupName = requiredString(input, "logGroupName");
    const name = validStreamName(requiredString(input, "logStreamName"));
    const group = this.requireGroup(context, groupName);
    if (group.streams.has(name)) throw logsErrors.streamExists();
    this.commit({
      t: "createStream",
      scope: group.scope,
      group: group.name,
      name,
      creationTime: this.clock.now(),
    });
    return {};
  }

  async deleteLogStream(
    input: DeleteLogStreamRequest,
    context: RequestContext,
  ): Promise<Record<string, never>> {
    const group = this.requireGroup(context, requiredString(input, "logGroupName"));
    const name = requiredString(input, "logStreamName");
    if (!group.streams.has(name)) throw logsErrors.streamNotFound();
    this.commit({ t: "deleteStream", scope: group.scope, group: group.name, name });
    return {};
  }

  async describeLogStreams(
    input: DescribeLogStreamsRequest,
    context: RequestContext,
  ): Promise<DescribeLogStreamsResponse> {
    const group = this.requireGroup(context, groupNameOrIdentifier(input));
    const prefix = optionalString(input, "logStreamNamePrefix");
    const orderBy = optionalString(input, "orderBy") ?? "LogStreamName";
    if (orderBy !== "LogStreamName" && orderBy !== "LastEventTime") {
      throw logsErrors.constraint(
        "orderBy",
        orderBy,
        "Member must satisfy enum value set: [LogStreamName, LastEventTime]",
      );
    }
    if (prefix !== undefined && orderBy === "LastEventTime") {
      throw logsErrors.invalid("Cannot order by LastEventTime with a logStreamNamePrefix.");
    }
    const descending = optionalBoolean(input, "descending") ?? false;
    const limit =
      optionalNumber(input, "limit", 1, limits.DESCRIBE_MAX_LIMIT) ?? limits.DESCRIBE_DEFAULT_LIMIT;
    const token = optionalString(input, "nextToken");
    const key = (s: LogStream): [number, string] => [
      orderBy === "LastEventTime" ? (s.lastEventTimestamp ?? 0) : 0,
      s.name,
    ];
    const cmp = (a: [number, string], b: [number, string]) =>
      (a[0] - b[0] || compareStrings(a[1], b[1])) * (descending ? -1 : 1);
    const after = token === undefined ? undefined : decodeToken(token, isStreamToken).k;
    const streams = [...group.streams.values()]
      .filter((s) => prefix === undefined || s.name.startsWith(prefix))
      .sort((a, b) => cmp(key(a), key(b)))
      .filter((s) => after === undefined || cmp(key(s), after) > 0);
    const page = streams.slice(0, limit);
    this.state.expire(group, this.clock.now(), limits.DAY_MS);
    const groupArn = logGroupArn(group);
    return {
      logStreams: page.map((s) => ({
        logStreamName: s.name,
        creationTime: s.creationTime,
        ...(s.firstEventTimestamp !== undefined ? { firstEventTimestamp: s.firstEventTimestamp } : {}),
        ...(s.lastEventTimestamp !== undefined ? { lastEventTimestamp: s.lastEventTimestamp } : {}),
        ...(s.lastIngestionTime !== undefined ? { lastIngestionTime: s.lastIngestionTime } : {}),
        uploadSequenceToken: sequenceToken(s.events[s.events.length - 1]?.seq ?? 0),
        arn: `${groupArn}:log-stream:${s.name}`,
        // AWS stopped reporting stream sizes in 2019; the field is always 0.
        storedBytes: 0,
      })),
      ...(streams.length > limit ? { nextToken: encodeToken({ k: key(page[page.length - 1]!) }) } : {}),
    };
  }

  async putLogEvents(input: PutLogEventsRequest, context: RequestContext): Promise<PutLogEventsResponse> {
    const groupName = requiredString(input, "logGroupName");
    const streamName = requiredString(input, "logStreamName");
    const events = readInputEvents(input);
    const group = this.requireGroup(context, groupName);
    const stream = group.streams.get(streamName);
    if (!stream) throw logsErrors.streamNotFound();

    const now = this.clock.now();
    const rejected: RejectedLogEventsInfo = {};
    let first = 0;
    let end = events.length;
    const tooOld = countWhile(events, (e) => e.timestamp < now - limits.MAX_EVENT_AGE_MS);
    if (tooOld > 0) rejected.tooOldLogEventEndIndex = tooOld;
    first = tooOld;
    if (group.retentionInDays !== undefined) {
      const cutoff = now - group.retentionInDays * limits.DAY_MS;
      const expired = countWhile(events, (e) => e.timestamp < cutoff);
      if (expired > 0) rejected.expiredLogEventEndIndex = expired;
      first = Math.max(first, expired);
    }
    const tooNewAt = events.findIndex((e) => e.timestamp > now + limits.MAX_EVENT_FUTURE_MS);
    if (tooNewAt >= 0) {
      rejected.tooNewLogEventStartIndex = tooNewAt;
      end = tooNewAt;
    }
    const accepted = events.slice(first, Math.max(first, end));
    // The 24-hour limit applies to the valid events only (those within 14 days and 2 hours).
    if (
      accepted.length > 1 &&
      accepted[accepted.length - 1]!.timestamp - accepted[0]!.timestamp > limits.MAX_BATCH_SPAN_MS
    ) {
      throw logsErrors.invalid(
        "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.",
      );
    }
    let lastSeq = stream.events[stream.events.length - 1]?.seq ?? 0;
    if (accepted.length > 0) {
      const stored: [number, string, number, number][] = accepted.map((e) => {
        lastSeq = this.state.nextSeq();
        return [e.timestamp, e.message, now, lastSeq];
      });
      this.commit({
        t: "events",
        scope: group.scope,
        group: group.name,
        stream: stream.name,
        events: stored,
      });
      this.onStored?.(
        group,
        stream.name,
        stored.map(([timestamp, message, ingestionTime, seq]) => ({
          timestamp,
          message,
          ingestionTime,
          seq,
        })),
      );
    }
    return {
      // Deprecated and ignored on input, but clients that still pass it along expect a value.
      nextSequenceToken: sequenceToken(lastSeq),
      ...(Object.keys(rejected).length > 0 ? { rejectedLogEventsInfo: rejected } : {}),
    };
  }

  async getLogEvents(input: GetLogEventsRequest, context: RequestContext): Promise<GetLogEventsResponse> {
    const group = this.requireGroup(context, groupNameOrIdentifier(input));
    const stream = group.streams.get(requiredString(input, "logStreamName"));
    if (!stream) throw logsErrors.streamNotFound();
    const startTime = optionalNumber(input, "startTime", 0);
    const endTime = optionalNumber(input, "endTime", 0);
    const limit =
      optionalNumber(input, "limit", 1, limits.GET_EVENTS_MAX_LIMIT) ?? limits.GET_EVENTS_MAX_LIMIT;
    const startFromHead = optionalBoolean(input, "startFromHead") ?? false;
    const token = optionalString(input, "nextToken");
    this.state.expire(group, this.clock.now(), limits.DAY_MS);

    // Events in [startTime, endTime): endTime is exclusive for GetLogEvents.
    const events = stream.events;
    const lo = startTime === undefined ? 0 : lowerBound(events, (e) => e.timestamp >= startTime);
    const hi = endTime === undefined ? events.length : lowerBound(events, (e) => e.timestamp >= endTime);
    const position =
      token !== undefined
        ? parseStreamToken(token)
        : { forward: startFromHead, key: startFromHead ? ZERO_KEY : END_KEY };

    let page: LogEvent[];
    // Where a forward read continues when this page is empty: after the last event we looked past.
    let forwardFrom = position.key;
    if (position.forward) {
      const from = Math.max(
        lo,
        lowerBound(events, (e) => compareEvents(e, position.key) > 0),
      );
      page = takeForward(events, from, hi, limit);
    } else {
      const before = Math.min(
        hi,
        lowerBound(events, (e) => compareEvents(e, position.key) >= 0),
      );
      page = takeBackward(events, lo, before, limit);
      forwardFrom = events[before - 1] ?? ZERO_KEY;
    }
    return {
      events: page.map((e) => ({
        timestamp: e.timestamp,
        message: e.message,
        ingestionTime: e.ingestionTime,
      })),
      nextForwardToken: streamToken("f", page[page.length - 1] ?? forwardFrom),
      nextBackwardToken: streamToken("b", page[0] ?? position.key),
    };
  }

  async filterLogEvents(
    input: FilterLogEventsRequest,
    context: RequestContext,
  ): Promise<FilterLogEventsResponse> {
    const group = this.requireGroup(context, groupNameOrIdentifier(input));
    const names = optionalStringList(input, "logStreamNames");
    const prefix = optionalString(input, "logStreamNamePrefix");
    if (names !== undefined && prefix !== undefined) {
      throw logsErrors.invalid("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.");
    }
    if (names && (names.length < 1 || names.length > limits.MAX_FILTER_LOG_STREAM_NAMES)) {
      throw logsErrors.constraint(
        "logStreamNames",
        `[${names.join(", ")}]`,
        lengthRule(names.length, 1, limits.MAX_FILTER_LOG_STREAM_NAMES),
      );
    }
    const startTime = optionalNumber(input, "startTime", 0);
    const endTime = optionalNumber(input, "endTime", 0);
    const limit =
      optionalNumber(input, "limit", 1, limits.FILTER_EVENTS_MAX_LIMIT) ?? limits.FILTER_EVENTS_MAX_LIMIT;
    const startFromHead = optionalBoolean(input, "startFromHead") ?? true;
    if (!startFromHead && (startTime === undefined || startTime < limits.FILTER_DESCENDING_MIN_START)) {
      throw logsErrors.invalid("startFromHead=false requires a startTime on or after 2024-01-01.");
    }
    const matcher = compilePattern(optionalString(input, "filterPattern"));
    const token = optionalString(input, "nextToken");
    const after = token === undefined ? undefined : decodeToken(token, isFilterToken);
    if (after && after.g !== group.name) throw logsErrors.invalidToken();
    this.state.expire(group, this.clock.now(), limits.DAY_MS);

    const streams = [...group.streams.values()]
      .filter((s) => !names || names.includes(s.name))
      .filter((s) => prefix === undefined || s.name.startsWith(prefix))
      .sort((a, b) => compareStrings(a.name, b.name));
    const direction = startFromHead ? 1 : -1;
    const candidates: { stream: string; event: LogEvent }[] = [];
    for (const stream of streams) {
      const events = stream.events;
      // endTime is inclusive for FilterLogEvents.
      const lo = startTime === undefined ? 0 : lowerBound(events, (e) => e.timestamp >= startTime);
      const hi = endTime === undefined ? events.length : lowerBound(events, (e) => e.timestamp > endTime);
      for (let i = lo; i < hi; i++) {
        const event = events[i]!;
        if (after && compareEvents(event, { timestamp: after.ts, seq: after.seq }) * direction <= 0) continue;
        candidates.push({ stream: stream.name, event });
      }
    }
    candidates.sort((a, b) => compareEvents(a.event, b.event) * direction);

    const page: FilterLogEventsResponse["events"] = [];
    let bytes = 0;
    let more = false;
    let last: LogEvent | undefined;
    for (const { stream, event } of candidates) {
      if (!matcher(event.message)) continue;
      const size = Buffer.byteLength(event.message) + limits.EVENT_OVERHEAD_BYTES;
      if (page.length >= limit || (page.length > 0 && bytes + size > limits.MAX_RESPONSE_BYTES)) {
        more = true;
        break;
      }
      bytes += size;
      last = event;
      page.push({
        logStreamName: stream,
        timestamp: event.timestamp,
        message: event.message,
        ingestionTime: event.ingestionTime,
        eventId: eventId(event),
      });
    }
    return {
      events: page,
      searchedLogStreams: streams.map((s) => ({ logStreamName: s.name, searchedCompletely: !more })),
      ...(more && last
        ? { nextToken: encodeToken({ g: group.name, ts: last.timestamp, seq: last.seq }) }
        : {}),
    };
  }

  async tagLogGroup(input: TagLogGroupRequest, context: RequestContext): Promise<Record<string, never>> {
    const group = this.requireGroup(context, requiredString(input, "logGroupName"));
    this.tag(group, optionalTags(input, "tags") ?? {});
    return {};
  }

  async untagLogGroup(input: UntagLogGroupRequest, context: RequestContext): Promise<Record<string, never>> {
    const group = this.requireGroup(context, requiredString(input, "logGroupName"));
    const keys = optionalStringList(input, "tags");
    if (!keys) throw logsErrors.missing("tags");
    this.commit({ t: "untag", scope: group.scope, name: group.name, keys });
    return {};
  }

  async listTagsLogGroup(
    input: ListTagsLogGroupRequest,
    context: RequestContext,
  ): Promise<ListTagsLogGroupResponse> {
    const group = this.requireGroup(context, requiredString(input, "logGroupName"));
    return { tags: { ...group.tags } };
  }

  async tagResource(input: TagResourceRequest, context: RequestContext): Promise<Record<string, never>> {
    const group = this.groupFromArn(context, requiredString(input, "resourceArn"));
    this.tag(group, optionalTags(input, "tags") ?? {});
    return {};
  }

  async untagResource(input: UntagResourceRequest, context: RequestContext): Promise<Record<string, never>> {
    const group = this.groupFromArn(context, requiredString(input, "resourceArn"));
    const keys = optionalStringList(input, "tagKeys");
    if (!keys) throw logsErrors.missing("tagKeys");
    this.commit({ t: "untag", scope: group.scope, name: group.name, keys });
    return {};
  }

  async listTagsForResource(
    input: ListTagsForResourceRequest,
    context: RequestContext,
  ): Promise<ListTagsForResourceResponse> {
    const group = this.groupFromArn(context, requiredString(input, "resourceArn"));
    return { tags: { ...group.tags } };
  }

  private tag(group: LogGroup, tags: Record<string, string>): void {
    const merged = { ...group.tags, ...tags };
    if (Object.keys(merged).length > limits.MAX_TAGS_PER_LOG_GROUP) {
      throw logsErrors.invalid(`A log group can have at most ${limits.MAX_TAGS_PER_LOG_GROUP} tags.`);
    }
    this.commit({ t: "tag", scope: group.scope, name: group.name, tags });
  }

  private groupFromArn(context: RequestContext, arn: string): LogGroup {
    if (!arn.startsWith("arn:")) throw logsErrors.invalid(`Invalid resource ARN: ${arn}`);
    return this.requireGroup(context, arn);
  }

  /** Finds a group by name or ARN (`arn:aws:logs:<r>:<a>:log-group:<name>[:*]`). */
  requireGroup(context: RequestContext, nameOrArn: string): LogGroup {
    const id = parseGroupIdentifier(nameOrArn);
    const scope = scopeOf(id.accountId ?? context.accountId, id.region ?? context.region);
    const group = this.state.group(scope, id.name);
    if (!group) throw logsErrors.groupNotFound();
    return group;
  }

  private describeGroup(g: LogGroup, context: RequestContext, now: number): SdkLogGroup {
    this.state.expire(g, now, limits.DAY_MS);
    const arn = logGroupArn(g);
    void context;
    return {
      logGroupName: g.name,
      creationTime: g.creationTime,
      ...(g.retentionInDays !== undefined ? { retentionInDays: g.retentionInDays } : {}),
      metricFilterCount: g.filters.metric.size,
      arn: `${arn}:*`,
      storedBytes: [...g.streams.values()].reduce((sum, s) => sum + s.bytes, 0),
      logGroupClass: g.logGroupClass as SdkLogGroup["logGroupClass"],
      logGroupArn: arn,
    };
  }
}

const ZERO_KEY = { timestamp: 0, seq: 0 };
const LOG_GROUP_IDENTIFIER_PATTERN = /^[\w#+=/:,.@-]*$/;
const END_KEY = { timestamp: Number.MAX_SAFE_INTEGER, seq: Number.MAX_SAFE_INTEGER };

export function logGroupArn(group: LogGroup): string {
  const [accountId, region] = group.scope.split("/");
  return `arn:aws:logs:${region}:${accountId}:log-group:${group.name}`;
}

function parseGroupIdentifier(id: string): { name: string; region?: string; accountId?: string } {
  const arn = /^arn:aws[\w-]*:logs:([^:]*):(\d{12}):log-group:(.+?)(:\*)?$/.exec(id);
  if (arn) return { region: arn[1] || undefined, accountId: arn[2], name: arn[3]! };
  return { name: id };
}

/** `logGroupName` or `logGroupIdentifier` (name or ARN); exactly one. */
function groupNameOrIdentifier(input: object): string {
  const name = optionalString(input, "logGroupName");
  const identifier = optionalString(input, "logGroupIdentifier");
  if (name !== undefined && identifier !== undefined) {
    throw logsErrors.invalid("LogGroup name and LogGroup ARN are mutually exclusive parameters.");
  }
  if (identifier !== undefined && !LOG_GROUP_IDENTIFIER_PATTERN.test(identifier)) {
    // A DescribeLogGroups `arn` (ending `:*`) is not an identifier: the `logGroupArn` is.
    throw logsErrors.constraint(
      "logGroupIdentifier",
      identifier,
      "Member must satisfy regular expression pattern: [\\w#+=/:,.@-]*",
    );
  }
  const value = name ?? identifier;
  if (value === undefined)
    throw logsErrors.invalid("Should provide either name or identifier for the log group.");
  return value;
}

function validGroupName(name: string): string {
  if (name.length < 1 || name.length > limits.MAX_LOG_GROUP_NAME_LENGTH) {
    throw logsErrors.constraint(
      "logGroupName",
      name,
      lengthRule(name.length, 1, limits.MAX_LOG_GROUP_NAME_LENGTH),
    );
  }
  if (!limits.LOG_GROUP_NAME_PATTERN.test(name)) {
    throw logsErrors.constraint(
      "logGroupName",
      name,
      "Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+",
    );
  }
  return name;
}

function validStreamName(name: string): string {
  if (name.length < 1 || name.length > limits.MAX_LOG_STREAM_NAME_LENGTH) {
    throw logsErrors.constraint(
      "logStreamName",
      name,
      lengthRule(name.length, 1, limits.MAX_LOG_STREAM_NAME_LENGTH),
    );
  }
  if (limits.LOG_STREAM_NAME_FORBIDDEN.test(name)) {
    throw logsErrors.constraint(
      "logStreamName",
      name,
      "Member must satisfy regular expression pattern: [^:*]*",
    );
  }
  return name;
}

function readInputEvents(input: object): { timestamp: number; message: string }[] {
  const raw = (input as Record<string, unknown>)["logEvents"];
  if (raw === undefined || raw === null) throw logsErrors.missing("logEvents");
  if (!Array.isArray(raw)) throw logsErrors.constraint("logEvents", raw, "Member must be a list");
  if (raw.length < 1 || raw.length > limits.MAX_EVENTS_PER_PUT) {
    throw logsErrors.constraint(
      "logEvents",
      // An empty list prints as Java prints it; a too-long one is summarised, not printed whole.
      raw.length === 0 ? "[]" : `[${raw.length} events]`,
      lengthRule(raw.length, 1, limits.MAX_EVENTS_PER_PUT),
    );
  }
  let bytes = 0;
  const events = raw.map((e: unknown, i) => {
    const event = (e ?? {}) as Record<string, unknown>;
    const timestamp = event["timestamp"];
    const message = event["message"];
    if (typeof timestamp !== "number" || !Number.isInteger(timestamp))
      throw logsErrors.missing(`logEvents.${i + 1}.member.timestamp`);
    if (typeof message !== "string") throw logsErrors.missing(`logEvents.${i + 1}.member.message`);
    if (message.length < 1) {
      throw logsErrors.constraint(
        `logEvents.${i + 1}.member.message`,
        message,
        "Member must have length greater than or equal to 1",
      );
    }
    bytes += Buffer.byteLength(message) + limits.EVENT_OVERHEAD_BYTES;
    return { timestamp, message };
  });
  if (bytes > limits.MAX_PUT_BATCH_BYTES) {
    throw logsErrors.invalid(
      `Upload too large: ${bytes} bytes exceeds limit of ${limits.MAX_PUT_BATCH_BYTES}`,
    );
  }
  for (let i = 1; i < events.length; i++) {
    if (events[i]!.timestamp < events[i - 1]!.timestamp) {
      throw logsErrors.invalid("Log events in a single PutLogEvents request must be in chronological order.");
    }
  }
  return events;
}

function compilePattern(pattern: string | undefined): EventMatcher {
  if (pattern !== undefined && pattern.length > limits.MAX_FILTER_PATTERN_LENGTH) {
    throw logsErrors.constraint(
      "filterPattern",
      pattern,
      `Member must have length less than or equal to ${limits.MAX_FILTER_PATTERN_LENGTH}`,
    );
  }
  try {
    return compileFilterPattern(pattern);
  } catch (error) {
    if (error instanceof FilterPatternError)
      throw logsErrors.invalid(`Invalid filter pattern: ${error.message}`);
    throw error;
  }
}

function countWhile<T>(items: T[], predicate: (item: T) => boolean): number {
  let n = 0;
  while (n < items.length && predicate(items[n]!)) n++;
  return n;
}

/** First index whose element satisfies `predicate` (which must be monotonic over the array). */
function lowerBound<T>(items: T[], predicate: (item: T) => boolean): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (predicate(items[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function takeForward(events: LogEvent[], from: number, to: number, limit: number): LogEvent[] {
  const page: LogEvent[] = [];
  let bytes = 0;
  for (let i = from; i < to && page.length < limit; i++) {
    const size = Buffer.byteLength(events[i]!.message) + limits.EVENT_OVERHEAD_BYTES;
    if (page.length > 0 && bytes + size > limits.MAX_RESPONSE_BYTES) break;
    bytes += size;
    page.push(events[i]!);
  }
  return page;
}

function takeBackward(events: LogEvent[], from: number, before: number, limit: number): LogEvent[] {
  const page: LogEvent[] = [];
  let bytes = 0;
  for (let i = before - 1; i >= from && page.length < limit; i--) {
    const size = Buffer.byteLength(events[i]!.message) + limits.EVENT_OVERHEAD_BYTES;
    if (page.length > 0 && bytes + size > limits.MAX_RESPONSE_BYTES) break;
    bytes += size;
    page.push(events[i]!);
  }
  return page.reverse();
}

/**
 * GetLogEvents tokens: `f/` or `b/` plus 56 digits (20 for the timestamp, 36 for the arrival
 * sequence). A forward token names the last event returned, so polling with it yields only
 * events after that one; at the end of the stream the same token comes back.
 */
function streamToken(direction: "f" | "b", key: { timestamp: number; seq: number }): string {
  return `${direction}/${String(Math.min(key.timestamp, 10 ** 20 - 1)).padStart(20, "0")}${String(key.seq).padStart(36, "0")}`;
}

function parseStreamToken(token: string): { forward: boolean; key: { timestamp: number; seq: number } } {
  const match = /^([fb])\/(\d{20})(\d{36})$/.exec(token);
  if (!match) throw logsErrors.invalidToken();
  return { forward: match[1] === "f", key: { timestamp: Number(match[2]), seq: Number(match[3]) } };
}

function sequenceToken(seq: number): string {
  return String(seq).padStart(56, "0");
}

/** A 56-digit id, unique per event, as `aws logs tail --follow` de-duplicates on it. */
export function eventId(event: LogEvent): string {
  return `${String(event.timestamp).padStart(20, "0")}${String(event.seq).padStart(36, "0")}`;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isNameToken(value: unknown): value is { n: string } {
  return typeof value === "object" && value !== null && typeof (value as { n?: unknown }).n === "string";
}

function isStreamToken(value: unknown): value is { k: [number, string] } {
  const k = (value as { k?: unknown } | null)?.k;
  return Array.isArray(k) && typeof k[0] === "number" && typeof k[1] === "string";
}

function isFilterToken(value: unknown): value is { g: string; ts: number; seq: number } {
  const v = value as { g?: unknown; ts?: unknown; seq?: unknown } | null;
  return typeof v?.g === "string" && typeof v.ts === "number" && typeof v.seq === "number";
}
