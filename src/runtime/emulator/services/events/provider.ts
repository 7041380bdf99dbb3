import { randomUUID } from "node:crypto";
import {
  compileEventPattern,
  EventPatternError,
  type CompiledEventPattern,
} from "../../core/event-pattern.js";
import { jsonNestingExceeds } from "../../core/nesting.js";
import type { EmulatorRequest, EmulatorResponse, RequestContext } from "../../core/request.js";
import type { Operation, ServiceEnv, ServiceModule } from "../../core/service.js";
import { handleAwsJson } from "../../protocol/json.js";
import { ApiDestinationInvoker } from "./api-destination.js";
import { archiveOperations } from "./archives.js";
import { busPermissionOperations } from "./bus-permissions.js";
import { busOperations } from "./buses.js";
import { ConnectionAuthorizer } from "./connection-auth.js";
import { connectionOperations } from "./connections.js";
import { EventsCore } from "./core.js";
import { boundRule, eventsErrors } from "./errors.js";
import {
  DEFAULT_BUS,
  DESCRIPTION_MAX_LENGTH,
  DETAIL_MAX_NESTING,
  EVENT_PATTERN_MAX_LENGTH,
  LIST_MAX_LIMIT,
  PUT_EVENTS_MAX_BYTES,
  PUT_EVENTS_MAX_ENTRIES,
  REMOVE_TARGETS_MAX_IDS,
  SCHEDULE_EXPRESSION_MAX_LENGTH,
  TARGETS_PER_REQUEST,
  TARGETS_PER_RULE,
  TIME_ENTRY_BYTES,
} from "./limits.js";
import {
  eventTime,
  ruleArn,
  ruleKey,
  type EventEnvelope,
  type RuleRecord,
  type RuleState,
  type Target,
} from "./models.js";
import { parseScheduleExpression, ScheduleExpressionError } from "./schedule-expression.js";
import { mergeTags, validTags } from "./tag-list.js";
import { tagOperations } from "./tags.js";
import {
  compareNames,
  optionalLimit,
  optionalString,
  paginate,
  requireName,
  validateTarget,
} from "./validate.js";

const PROTOCOL = { version: "1.1" as const, errorNamespace: "com.amazonaws.events" };
const RULE_STATES: RuleState[] = ["ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"];
const { validation, constraint } = eventsErrors;

interface EntryResult {
  EventId?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
}

/**
 * EventBridge (AWSEvents, awsJson1_1): the default bus and custom buses with their rules (event
 * patterns or schedules), targets (input transformation, retry policy, DLQ; Lambda, SQS and API
 * destinations), PutEvents, TestEventPattern, archives and replays, connections and API
 * destinations. This file holds rules, targets and events; the other groups have their own.
 */
export function createEventsService(env: ServiceEnv): ServiceModule {
  const auth = new ConnectionAuthorizer(env.clock);
  let core: EventsCore | undefined = undefined;
  const invoker = new ApiDestinationInvoker(() => core!.store, auth);
  const events = new EventsCore(env, invoker);
  core = events;
  const rules = events.store;
  const archives = archiveOperations(events);
  const connections = connectionOperations(events, auth);

  function requireRule(name: unknown, bus: unknown, context: RequestContext): RuleRecord {
    const ruleName = requireName(name);
    const busValue = events.busName(bus, context);
    const rule = rules.get(ruleKey(context.accountId, context.region, busValue, ruleName));
    if (!rule) throw eventsErrors.ruleNotFound(ruleName, busValue);
    return rule;
  }

  /** Rules an AWS service manages (an archive's) change only with Force, where Force exists. */
  function unmanaged(rule: RuleRecord, force: unknown = false): RuleRecord {
    if (rule.managedBy && force !== true) throw eventsErrors.managedRule(rule.name, rule.managedBy);
    return rule;
  }

  const save = (rule: RuleRecord) => events.saveRule(rule);

  const describe = (rule: RuleRecord) => ({
    Name: rule.name,
    Arn: rule.arn,
    ...(rule.eventPattern ? { EventPattern: rule.eventPattern } : {}),
    ...(rule.scheduleExpression ? { ScheduleExpression: rule.scheduleExpression } : {}),
    State: rule.state,
    ...(rule.description !== undefined ? { Description: rule.description } : {}),
    ...(rule.roleArn ? { RoleArn: rule.roleArn } : {}),
    ...(rule.managedBy ? { ManagedBy: rule.managedBy } : {}),
    EventBusName: rule.eventBusName,
  });

  const page = <T>(items: T[], input: Record<string, unknown>) =>
    paginate(items, input["NextToken"], optionalLimit(input["Limit"], LIST_MAX_LIMIT), LIST_MAX_LIMIT);

  const operations: Record<string, Operation> = {
    PutRule: async (input: Record<string, unknown>, context: RequestContext) => {
      const name = requireName(input["Name"]);
      const bus = events.busName(input["EventBusName"], context);
      const pattern = optionalString(input["EventPattern"], "eventPattern", EVENT_PATTERN_MAX_LENGTH);
      const schedule = optionalString(
        input["ScheduleExpression"],
        "scheduleExpression",
        SCHEDULE_EXPRESSION_MAX_LENGTH,
      );
      if (!pattern && !schedule)
        throw validation("Parameter(s) EventPattern or ScheduleExpression must be specified.");
      if (pattern) {
        try {
          compileEventPattern(pattern);
        } catch (error) {
          if (error instanceof EventPatternError) throw eventsErrors.invalidPattern(error.message);
          throw error;
        }
      }
      if (schedule) {
        if (bus !== DEFAULT_BUS)
          throw validation("ScheduleExpression is supported only on the default event bus.");
        try {
          parseScheduleExpression(schedule);
        } catch (error) {
          if (error instanceof ScheduleExpressionError) {
            throw validation(`Parameter ScheduleExpression is not valid. Reason: ${error.reason}.`);
          }
          throw error;
        }
      }
      const state = (input["State"] ?? "ENABLED") as RuleState;
      if (!RULE_STATES.includes(state)) {
        throw constraint("state", state, `satisfy enum value set: [${RULE_STATES.join(", ")}]`);
      }
      const description = optionalString(input["Description"], "description", DESCRIPTION_MAX_LENGTH);
      const roleArn = optionalString(input["RoleArn"], "roleArn", 1600);
      const given = input["Tags"] === undefined || input["Tags"] === null ? [] : validTags(input["Tags"]);
      const key = ruleKey(context.accountId, context.region, bus, name);
      const existing = rules.get(key);
      if (existing) unmanaged(existing);
      // PutRule on an existing rule keeps its tags and adds the ones given.
      const tags = mergeTags(existing?.tags, given);
      const now = env.clock.now();
      // A rate() keeps counting from when it started unless the schedule changed or restarted.
      const keepsAnchor =
        existing?.scheduleExpression === schedule && existing?.state !== "DISABLED" && state !== "DISABLED";
      const rule: RuleRecord = {
        accountId: context.accountId,
        region: context.region,
        eventBusName: bus,
        name,
        arn: ruleArn(context.region, context.accountId, bus, name),
        ...(pattern ? { eventPattern: pattern } : {}),
        ...(schedule ? { scheduleExpression: schedule } : {}),
        state,
        ...(description !== undefined ? { description } : {}),
        ...(roleArn ? { roleArn } : {}),
        scheduleAnchor: keepsAnchor && existing ? existing.scheduleAnchor : now,
        targets: existing?.targets ?? [],
        ...(tags.length > 0 ? { tags } : {}),
      };
      save(rule);
      return { RuleArn: rule.arn };
    },

    DescribeRule: async (input: Record<string, unknown>, context: RequestContext) => {
      const rule = requireRule(input["Name"], input["EventBusName"], context);
      return { ...describe(rule), CreatedBy: rule.accountId };
    },

    EnableRule: async (input: Record<string, unknown>, context: RequestContext) => {
      const rule = unmanaged(requireRule(input["Name"], input["EventBusName"], context));
      if (rule.state !== "DISABLED") return {};
      save({ ...rule, state: "ENABLED", scheduleAnchor: env.clock.now() });
      return {};
    },

    DisableRule: async (input: Record<string, unknown>, context: RequestContext) => {
      const rule = unmanaged(requireRule(input["Name"], input["EventBusName"], context));
      if (rule.state !== "DISABLED") save({ ...rule, state: "DISABLED" });
      return {};
    },

    DeleteRule: async (input: Record<string, unknown>, context: RequestContext) => {
      const name = requireName(input["Name"]);
      const bus = events.busName(input["EventBusName"], context);
      const rule = rules.get(ruleKey(context.accountId, context.region, bus, name));
      if (!rule) return {};
      unmanaged(rule, input["Force"]);
      if (rule.targets.length > 0 && input["Force"] !== true) {
        throw validation("Rule can't be deleted since it has targets.");
      }
      events.removeRule(rule);
      return {};
    },

    ListRules: async (input: Record<string, unknown>, context: RequestContext) => {
      const bus = events.busName(input["EventBusName"], context);
      const prefix = optionalString(input["NamePrefix"], "namePrefix", 64) ?? "";
      const matching = events
        .rulesOn(context.accountId, context.region, bus)
        .filter((r) => r.name.startsWith(prefix))
        .sort(compareNames);
      const { page: listed, nextToken } = page(matching, input);
      return { Rules: listed.map(describe), ...(nextToken ? { NextToken: nextToken } : {}) };
    },

    PutTargets: async (input: Record<string, unknown>, context: RequestContext) => {
      const rule = unmanaged(requireRule(input["Rule"], input["EventBusName"], context));
      const raw = input["Targets"];
      if (!Array.isArray(raw) || raw.length < 1 || raw.length > TARGETS_PER_REQUEST) {
        throw constraint(
          "targets",
          Array.isArray(raw) ? `[${raw.length} targets]` : "null",
          boundRule("length", Array.isArray(raw) ? raw.length : 0, 1, TARGETS_PER_REQUEST),
        );
      }
      const incoming = raw.map((t, i) => validateTarget(t, i));
      const ids = new Set(incoming.map((t) => t.Id));
      if (ids.size !== incoming.length)
        throw validation("The target Ids in one PutTargets request must be unique.");
      const targets: Target[] = rule.targets.map((t) => incoming.find((n) => n.Id === t.Id) ?? t);
      for (const target of incoming) if (!rule.targets.some((t) => t.Id === target.Id)) targets.push(target);
      if (targets.length > TARGETS_PER_RULE) {
        throw eventsErrors.limitExceeded(
          `The requested resource exceeds the maximum number allowed: a rule has at most ${TARGETS_PER_RULE} targets.`,
        );
      }
      save({ ...rule, targets });
      return { FailedEntryCount: 0, FailedEntries: [] };
    },

    ListTargetsByRule: async (input: Record<string, unknown>, context: RequestContext) => {
      const rule = requireRule(input["Rule"], input["EventBusName"], context);
      const { page: targets, nextToken } = page(rule.targets, input);
      return { Targets: targets, ...(nextToken ? { NextToken: nextToken } : {}) };
    },

    RemoveTargets: async (input: Record<string, unknown>, context: RequestContext) => {
      const rule = unmanaged(requireRule(input["Rule"], input["EventBusName"], context), input["Force"]);
      const ids = input["Ids"];
      if (
        !Array.isArray(ids) ||
        ids.length < 1 ||
        ids.length > REMOVE_TARGETS_MAX_IDS ||
        ids.some((id) => typeof id !== "string")
      ) {
        throw constraint(
          "ids",
          Array.isArray(ids) ? `[${ids.length} ids]` : "null",
          boundRule("length", Array.isArray(ids) ? ids.length : 0, 1, REMOVE_TARGETS_MAX_IDS),
        );
      }
      const remove = new Set(ids as string[]);
      save({ ...rule, targets: rule.targets.filter((t) => !remove.has(t.Id)) });
      return { FailedEntryCount: 0, FailedEntries: [] };
    },

    ListRuleNamesByTarget: async (input: Record<string, unknown>, context: RequestContext) => {
      const arn = input["TargetArn"];
      if (typeof arn !== "string" || arn === "") throw constraint("targetArn", "null", "not be null");
      const bus = events.busName(input["EventBusName"], context);
      const names = events
        .rulesOn(context.accountId, context.region, bus)
        .filter((r) => r.targets.some((t) => t.Arn === arn))
        .map((r) => r.name)
        .sort();
      const { page: listed, nextToken } = page(names, input);
      return { RuleNames: listed, ...(nextToken ? { NextToken: nextToken } : {}) };
    },

    PutEvents: async (input: Record<string, unknown>, context: RequestContext) => {
      const entries = input["Entries"];
      if (!Array.isArray(entries) || entries.length < 1 || entries.length > PUT_EVENTS_MAX_ENTRIES) {
        throw constraint(
          "entries",
          Array.isArray(entries) ? `[${entries.length} entries]` : "null",
          Array.isArray(entries) && entries.length > PUT_EVENTS_MAX_ENTRIES
            ? `have length less than or equal to ${PUT_EVENTS_MAX_ENTRIES}`
            : "have length greater than or equal to 1",
        );
      }
      const list = entries as Record<string, unknown>[];
      let total = 0;
      for (const entry of list) total += entrySize(entry);
      if (total > PUT_EVENTS_MAX_BYTES)
        throw validation("Total size of the entries in the request is over the limit.");
      // A bus name is checked against the model for the whole request. A well-formed name of a
      // bus that does not exist is no error: EventBridge accepts the event and nothing gets it.
      const buses = list.map((entry, i) =>
        events.parseBusName(entry?.["EventBusName"], context, `entries.${i + 1}.member.eventBusName`),
      );

      const now = env.clock.now();
      const results: EntryResult[] = [];
      const accepted: [EventEnvelope, string][] = [];
      list.forEach((entry, i) => {
        const outcome = buildEvent(entry ?? {}, context, now);
        if ("event" in outcome) {
          accepted.push([outcome.event, buses[i]!]);
          results.push({ EventId: outcome.event.id });
        } else {
          results.push({ ErrorCode: outcome.code, ErrorMessage: outcome.message });
        }
      });
      for (const [event, bus] of accepted) {
        if (events.busExists(context.accountId, context.region, bus)) {
          events.route(event, context.accountId, context.region, bus);
        }
      }
      return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
    },

    TestEventPattern: async (input: Record<string, unknown>) => {
      const patternText = input["EventPattern"];
      if (typeof patternText !== "string") throw constraint("eventPattern", "null", "not be null");
      let pattern: CompiledEventPattern;
      try {
        pattern = compileEventPattern(patternText);
      } catch (error) {
        if (error instanceof EventPatternError) throw eventsErrors.invalidPattern(error.message);
        throw error;
      }
      const eventText = input["Event"];
      if (typeof eventText !== "string") throw constraint("event", "null", "not be null");
      let event: unknown;
      try {
        event = JSON.parse(eventText);
      } catch {
        throw validation("Parameter Event is not valid. Reason: it is not valid JSON.");
      }
      if (!event || typeof event !== "object" || Array.isArray(event)) {
        throw validation("Parameter Event is not valid. Reason: it must be a JSON object.");
      }
      for (const field of ["id", "account", "source", "time", "region", "detail-type"]) {
        if (!(field in event))
          throw validation(`Parameter Event is not valid. Reason: the event has no "${field}" field.`);
      }
      return { Result: pattern.matches(event) };
    },
  };

  const all: Record<string, Operation> = {
    ...operations,
    ...busOperations(events),
    ...busPermissionOperations(events),
    ...tagOperations(events),
    ...archives.operations,
    ...connections.operations,
  };

  return {
    name: "events",
    operations: all,
    handle: (request: EmulatorRequest): Promise<EmulatorResponse> =>
      handleAwsJson(request, all, PROTOCOL, "events"),
    async start() {
      events.load();
    },
    async run() {
      events.start();
      archives.start();
    },
    async stop() {
      archives.stop();
      connections.stop();
      events.stop();
    },
    health: () => ({
      state: "running",
      detail: `${rules.size} rules, ${events.scheduler.armed} schedules armed`,
    }),
  };
}

type BuiltEvent = { event: EventEnvelope } | { code: string; message: string };

function buildEvent(entry: Record<string, unknown>, context: RequestContext, now: number): BuiltEvent {
  const source = entry["Source"];
  const detailType = entry["DetailType"];
  const detailText = entry["Detail"];
  for (const [field, value] of [
    ["Source", source],
    ["DetailType", detailType],
    ["Detail", detailText],
  ] as const) {
    if (typeof value !== "string" || value === "") {
      return {
        code: "InvalidArgument",
        message: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
      };
    }
  }
  if ((source as string).startsWith("aws.")) {
    return { code: "NotAuthorizedForSourceException", message: "Not authorized for the source." };
  }
  // Measured before parsing: every walker after it (pattern matching, input transformers, the
  // journal) recurses, so a Detail past EventBridge's documented depth is refused as malformed.
  if (jsonNestingExceeds(Buffer.from(detailText as string), DETAIL_MAX_NESTING)) {
    return { code: "MalformedDetail", message: "Detail is malformed." };
  }
  let detail: unknown;
  try {
    detail = JSON.parse(detailText as string);
  } catch {
    return { code: "MalformedDetail", message: "Detail is malformed." };
  }
  if (!detail || typeof detail !== "object" || Array.isArray(detail)) {
    return { code: "MalformedDetail", message: "Detail is malformed." };
  }
  const resources = entry["Resources"] ?? [];
  if (!Array.isArray(resources) || resources.some((r) => typeof r !== "string")) {
    return {
      code: "InvalidArgument",
      message: "Parameter Resources is not valid. Reason: Resources must be a list of strings.",
    };
  }
  const time = entryTime(entry["Time"], now);
  if (time === undefined) return { code: "InvalidArgument", message: "Parameter Time is not valid." };
  return {
    event: {
      version: "0",
      id: randomUUID(),
      "detail-type": detailType as string,
      source: source as string,
      account: context.accountId,
      time: eventTime(time),
      region: context.region,
      resources: resources as string[],
      detail,
    },
  };
}

/** `Time` arrives as epoch seconds over JSON, or as a Date from an in-process caller. */
function entryTime(value: unknown, now: number): number | undefined {
  if (value === undefined || value === null) return now;
  if (value instanceof Date) return value.getTime();
  if (typeof value === "number" && Number.isFinite(value)) return value * 1000;
  if (typeof value === "string" && !Number.isNaN(Date.parse(value))) return Date.parse(value);
  return undefined;
}

function entrySize(entry: Record<string, unknown>): number {
  let size = entry?.["Time"] !== undefined ? TIME_ENTRY_BYTES : 0;
  for (const field of ["Source", "DetailType", "Detail"]) {
    const value = entry?.[field];
    if (typeof value === "string") size += Buffer.byteLength(value);
  }
  const resources = entry?.["Resources"];
  if (Array.isArray(resources))
    for (const r of resources) if (typeof r === "string") size += Buffer.byteLength(r);
  return size;
}
