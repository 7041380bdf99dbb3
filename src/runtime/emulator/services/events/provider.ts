import { randomUUID } from "node:crypto";
import {
  compileEventPattern,
  EventPatternError,
  type CompiledEventPattern,
} from "../../core/event-pattern.js";
import type { EmulatorRequest, EmulatorResponse, RequestContext } from "../../core/request.js";
import type { Operation, ServiceEnv, ServiceModule } from "../../core/service.js";
import { handleAwsJson } from "../../protocol/json.js";
import { TargetDelivery } from "./delivery.js";
import { eventsErrors } from "./errors.js";
import {
  DEFAULT_BUS,
  DESCRIPTION_MAX_LENGTH,
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
  busArn,
  eventTime,
  keyOf,
  ruleArn,
  ruleKey,
  type EventEnvelope,
  type RuleRecord,
  type RuleState,
  type Target,
} from "./models.js";
import { parseScheduleExpression, ScheduleExpressionError } from "./schedule-expression.js";
import { RuleScheduler } from "./scheduler.js";
import { RuleStore, type EventsJournalEntry, type EventsSnapshot } from "./store.js";
import { optionalLimit, optionalString, requireName, validateTarget } from "./validate.js";

const PROTOCOL = { version: "1.1" as const, errorNamespace: "com.amazonaws.events" };
const RULE_STATES: RuleState[] = ["ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"];
const { validation, constraint } = eventsErrors;

interface EntryResult {
  EventId?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
}

/**
 * EventBridge (AWSEvents, awsJson1_1) on the default bus: rules with event patterns or schedules,
 * targets with input transformation, retry policy and DLQ, PutEvents, TestEventPattern.
 */
export function createEventsService(env: ServiceEnv): ServiceModule {
  const rules = new RuleStore(env.store<EventsSnapshot, EventsJournalEntry>("events"));
  const compiled = new Map<string, CompiledEventPattern>();
  const delivery = new TargetDelivery(env);
  const scheduler = new RuleScheduler(
    env.clock,
    (rule, at) => fireSchedule(rule, at),
    (error) => env.reportBackgroundError("events", error),
  );

  function busName(value: unknown, context: RequestContext): string {
    if (value === undefined || value === null || value === "" || value === DEFAULT_BUS) return DEFAULT_BUS;
    if (value === busArn(context.region, context.accountId, DEFAULT_BUS)) return DEFAULT_BUS;
    throw eventsErrors.busNotFound(String(value));
  }

  function requireRule(name: unknown, bus: unknown, context: RequestContext): RuleRecord {
    const ruleName = requireName(name);
    const busValue = busName(bus, context);
    const rule = rules.get(ruleKey(context.accountId, context.region, busValue, ruleName));
    if (!rule) throw eventsErrors.ruleNotFound(ruleName, busValue);
    return rule;
  }

  /** Stores a new version of a rule and brings its pattern and schedule up to date. */
  function save(rule: RuleRecord): void {
    rules.put(rule);
    track(rule);
  }

  function track(rule: RuleRecord): void {
    const key = keyOf(rule);
    if (rule.eventPattern) compiled.set(key, compileEventPattern(rule.eventPattern));
    else compiled.delete(key);
    scheduler.arm(rule);
  }

  function dispatch(rule: RuleRecord, event: EventEnvelope): void {
    for (const target of rule.targets) delivery.deliver(rule, target, event);
  }

  function fireSchedule(armed: RuleRecord, at: number): void {
    const rule = rules.get(keyOf(armed));
    if (!rule || rule.state === "DISABLED" || !rule.scheduleExpression) return;
    dispatch(rule, {
      version: "0",
      id: randomUUID(),
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account: rule.accountId,
      time: eventTime(at),
      region: rule.region,
      resources: [rule.arn],
      detail: {},
    });
  }

  const describe = (rule: RuleRecord) => ({
    Name: rule.name,
    Arn: rule.arn,
    ...(rule.eventPattern ? { EventPattern: rule.eventPattern } : {}),
    ...(rule.scheduleExpression ? { ScheduleExpression: rule.scheduleExpression } : {}),
    State: rule.state,
    ...(rule.description !== undefined ? { Description: rule.description } : {}),
    ...(rule.roleArn ? { RoleArn: rule.roleArn } : {}),
    EventBusName: rule.eventBusName,
  });

  function paginate<T>(items: T[], nextToken: unknown, limit: number | undefined) {
    const start =
      typeof nextToken === "string" && nextToken ? Number(Buffer.from(nextToken, "base64url").toString()) : 0;
    if (!Number.isInteger(start) || start < 0)
      throw validation("The NextToken is not valid; pass the one the previous page returned.");
    const size = limit ?? LIST_MAX_LIMIT;
    const page = items.slice(start, start + size);
    const next = start + page.length;
    return {
      page,
      nextToken: next < items.length ? Buffer.from(String(next)).toString("base64url") : undefined,
    };
  }

  const operations: Record<string, Operation> = {
    PutRule: async (input: Record<string, unknown>, context: RequestContext) => {
      const name = requireName(input["Name"]);
      const bus = busName(input["EventBusName"], context);
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
      const key = ruleKey(context.accountId, context.region, bus, name);
      const existing = rules.get(key);
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
      };
      save(rule);
      return { RuleArn: rule.arn };
    },

    DescribeRule: async (input: Record<string, unknown>, context: RequestContext) => {
      const rule = requireRule(input["Name"], input["EventBusName"], context);
      return { ...describe(rule), CreatedBy: rule.accountId };
    },

    EnableRule: async (input: Record<string, unknown>, context: RequestContext) => {
      const rule = requireRule(input["Name"], input["EventBusName"], context);
      if (rule.state !== "DISABLED") return {};
      save({ ...rule, state: "ENABLED", scheduleAnchor: env.clock.now() });
      return {};
    },

    DisableRule: async (input: Record<string, unknown>, context: RequestContext) => {
      const rule = requireRule(input["Name"], input["EventBusName"], context);
      if (rule.state !== "DISABLED") save({ ...rule, state: "DISABLED" });
      return {};
    },

    DeleteRule: async (input: Record<string, unknown>, context: RequestContext) => {
      const name = requireName(input["Name"]);
      const bus = busName(input["EventBusName"], context);
      const rule = rules.get(ruleKey(context.accountId, context.region, bus, name));
      if (!rule) return {};
      if (rule.targets.length > 0) throw validation("Rule can't be deleted since it has targets.");
      rules.delete(keyOf(rule));
      compiled.delete(keyOf(rule));
      scheduler.cancel(rule);
      return {};
    },

    ListRules: async (input: Record<string, unknown>, context: RequestContext) => {
      const bus = busName(input["EventBusName"], context);
      const prefix = optionalString(input["NamePrefix"], "namePrefix", 64) ?? "";
      const matching = rules
        .all()
        .filter(
          (r) => r.accountId === context.accountId && r.region === context.region && r.eventBusName === bus,
        )
        .filter((r) => r.name.startsWith(prefix))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const { page, nextToken } = paginate(
        matching,
        input["NextToken"],
        optionalLimit(input["Limit"], LIST_MAX_LIMIT),
      );
      return { Rules: page.map(describe), ...(nextToken ? { NextToken: nextToken } : {}) };
    },

    PutTargets: async (input: Record<string, unknown>, context: RequestContext) => {
      const rule = requireRule(input["Rule"], input["EventBusName"], context);
      const raw = input["Targets"];
      if (!Array.isArray(raw) || raw.length < 1 || raw.length > TARGETS_PER_REQUEST) {
        throw constraint(
          "targets",
          Array.isArray(raw) ? `[${raw.length} targets]` : "null",
          `have length between 1 and ${TARGETS_PER_REQUEST}`,
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
      const { page, nextToken } = paginate(
        rule.targets,
        input["NextToken"],
        optionalLimit(input["Limit"], LIST_MAX_LIMIT),
      );
      return { Targets: page, ...(nextToken ? { NextToken: nextToken } : {}) };
    },

    RemoveTargets: async (input: Record<string, unknown>, context: RequestContext) => {
      const rule = requireRule(input["Rule"], input["EventBusName"], context);
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
          `have length between 1 and ${REMOVE_TARGETS_MAX_IDS}`,
        );
      }
      const remove = new Set(ids as string[]);
      save({ ...rule, targets: rule.targets.filter((t) => !remove.has(t.Id)) });
      return { FailedEntryCount: 0, FailedEntries: [] };
    },

    ListRuleNamesByTarget: async (input: Record<string, unknown>, context: RequestContext) => {
      const arn = input["TargetArn"];
      if (typeof arn !== "string" || arn === "") throw constraint("targetArn", "null", "not be null");
      const bus = busName(input["EventBusName"], context);
      const names = rules
        .all()
        .filter(
          (r) => r.accountId === context.accountId && r.region === context.region && r.eventBusName === bus,
        )
        .filter((r) => r.targets.some((t) => t.Arn === arn))
        .map((r) => r.name)
        .sort();
      const { page, nextToken } = paginate(
        names,
        input["NextToken"],
        optionalLimit(input["Limit"], LIST_MAX_LIMIT),
      );
      return { RuleNames: page, ...(nextToken ? { NextToken: nextToken } : {}) };
    },

    PutEvents: async (input: Record<string, unknown>, context: RequestContext) => {
      const entries = input["Entries"];
      if (!Array.isArray(entries) || entries.length < 1 || entries.length > PUT_EVENTS_MAX_ENTRIES) {
        throw constraint(
          "entries",
          Array.isArray(entries) ? `[${entries.length} entries]` : "null",
          `have length between 1 and ${PUT_EVENTS_MAX_ENTRIES}`,
        );
      }
      let total = 0;
      for (const entry of entries as Record<string, unknown>[]) total += entrySize(entry);
      if (total > PUT_EVENTS_MAX_BYTES)
        throw validation("Total size of the entries in the request is over the limit.");

      const now = env.clock.now();
      const results: EntryResult[] = [];
      const accepted: EventEnvelope[] = [];
      let missingFields = 0;
      for (const entry of entries as Record<string, unknown>[]) {
        const outcome = buildEvent(entry ?? {}, context, now);
        if ("event" in outcome) {
          accepted.push(outcome.event);
          results.push({ EventId: outcome.event.id });
        } else {
          if (outcome.missing) missingFields++;
          results.push({ ErrorCode: outcome.code, ErrorMessage: outcome.message });
        }
      }
      if (missingFields === entries.length) {
        throw validation("Parameters Source, DetailType and Detail are required in every PutEvents entry.");
      }
      for (const event of accepted) route(event, context);
      return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
    },

    DescribeEventBus: async (input: Record<string, unknown>, context: RequestContext) => {
      const bus = busName(input["Name"], context);
      return { Name: bus, Arn: busArn(context.region, context.accountId, bus) };
    },

    ListEventBuses: async (input: Record<string, unknown>, context: RequestContext) => {
      const prefix = typeof input["NamePrefix"] === "string" ? input["NamePrefix"] : "";
      return {
        EventBuses: DEFAULT_BUS.startsWith(prefix)
          ? [{ Name: DEFAULT_BUS, Arn: busArn(context.region, context.accountId, DEFAULT_BUS) }]
          : [],
      };
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

  function route(event: EventEnvelope, context: RequestContext): void {
    for (const rule of rules.all()) {
      if (rule.accountId !== context.accountId || rule.region !== context.region) continue;
      if (rule.eventBusName !== DEFAULT_BUS || rule.state === "DISABLED") continue;
      const pattern = compiled.get(keyOf(rule));
      if (pattern?.matches(event)) dispatch(rule, event);
    }
  }

  return {
    name: "events",
    operations,
    handle: (request: EmulatorRequest): Promise<EmulatorResponse> =>
      handleAwsJson(request, operations, PROTOCOL, "events"),
    async start() {
      for (const rule of rules.load()) {
        try {
          track(rule);
        } catch (error) {
          env.reportBackgroundError("events", error);
        }
      }
    },
    async stop() {
      scheduler.stop();
      delivery.stop();
      rules.compact();
    },
    health: () => ({ state: "running", detail: `${rules.size} rules, ${scheduler.armed} schedules armed` }),
  };
}

type BuiltEvent = { event: EventEnvelope } | { code: string; message: string; missing?: boolean };

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
        missing: true,
      };
    }
  }
  const busValue = entry["EventBusName"];
  if (
    busValue !== undefined &&
    busValue !== null &&
    busValue !== DEFAULT_BUS &&
    busValue !== busArn(context.region, context.accountId, DEFAULT_BUS)
  ) {
    return { code: "InvalidArgument", message: `Event bus ${String(busValue)} does not exist.` };
  }
  if ((source as string).startsWith("aws.")) {
    return { code: "NotAuthorizedForSourceException", message: "Not authorized for the source." };
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
