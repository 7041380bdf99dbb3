import { compileEventPattern, EventPatternError } from "../../core/event-pattern.js";
import type { TimerHandle } from "../../core/clock.js";
import type { RequestContext } from "../../core/request.js";
import type { Operation } from "../../core/service.js";
import type { EventsCore } from "./core.js";
import { eventsErrors } from "./errors.js";
import {
  ARCHIVE_DESCRIPTION_MAX_LENGTH,
  ARCHIVE_NAME_MAX_LENGTH,
  ARCHIVE_RULE_MANAGED_BY,
  ARCHIVE_RULE_PREFIX,
  DAY_MS,
  EVENT_PATTERN_MAX_LENGTH,
  LIST_MAX_LIMIT,
  REPLAY_BATCH_SIZE,
  REPLAY_NAME_MAX_LENGTH,
  REPLAY_TICK_MS,
} from "./limits.js";
import {
  archiveArn,
  keyOfResource,
  replayArn,
  ruleArn,
  ruleKey,
  scopedKey,
  type ArchivedEvent,
  type ArchiveRecord,
  type ArchiveState,
  type ReplayRecord,
  type ReplayState,
  type RuleRecord,
} from "./models.js";
import {
  compareNames,
  optionalLimit,
  optionalString,
  paginate,
  requireModelName,
  requireTimestamp,
  seconds,
} from "./validate.js";

const NAME_PATTERN = /^[.\-_A-Za-z0-9]+$/;
const NAME_PATTERN_TEXT = "[\\.\\-_A-Za-z0-9]+";
const ARCHIVE_STATES: ArchiveState[] = [
  "ENABLED",
  "DISABLED",
  "CREATING",
  "UPDATING",
  "CREATE_FAILED",
  "UPDATE_FAILED",
];
const REPLAY_STATES: ReplayState[] = [
  "STARTING",
  "RUNNING",
  "CANCELLING",
  "COMPLETED",
  "CANCELLED",
  "FAILED",
];
const BUS_ARN = /^arn:aws[\w-]*:events:([a-z0-9-]+):(\d{12}):event-bus\/([/.\-_A-Za-z0-9]+)$/;

const { constraint, validation } = eventsErrors;
const archiveNotFound = (name: string) => eventsErrors.notFound(`Archive ${name} does not exist.`);
const replayNotFound = (name: string) => eventsErrors.notFound(`Replay ${name} does not exist.`);

/**
 * Archives and replays, EventBridge's own redrive. An archive records the events of its bus that
 * match its pattern, through a rule EventBridge manages on that bus (`Events-Archive-<name>`,
 * shown with ManagedBy, matching `{"replay-name": [{"exists": false}]}` besides the archive's
 * pattern, so replayed events are never archived again). A replay re-delivers the archived events
 * of a time range to the rules of the archive's bus (or only to its FilterArns), each with the
 * `replay-name` field EventBridge adds, a batch per tick of the emulator clock.
 */
export function archiveOperations(core: EventsCore) {
  const { store, env } = core;
  const timers = new Map<string, TimerHandle>();
  const now = () => env.clock.now();
  const key = (name: string, context: RequestContext) => scopedKey(context.accountId, context.region, name);

  function requireArchive(name: unknown, context: RequestContext): ArchiveRecord {
    const value = requireModelName(
      name,
      "archiveName",
      ARCHIVE_NAME_MAX_LENGTH,
      NAME_PATTERN,
      NAME_PATTERN_TEXT,
    );
    const archive = store.resource("archive", key(value, context));
    if (!archive) throw archiveNotFound(value);
    return archive;
  }

  function requireReplay(name: unknown, context: RequestContext): ReplayRecord {
    const value = requireModelName(
      name,
      "replayName",
      REPLAY_NAME_MAX_LENGTH,
      NAME_PATTERN,
      NAME_PATTERN_TEXT,
    );
    const replay = store.resource("replay", key(value, context));
    if (!replay) throw replayNotFound(value);
    return replay;
  }

  function checkPattern(pattern: string | undefined): void {
    if (pattern === undefined) return;
    try {
      compileEventPattern(pattern);
    } catch (error) {
      if (error instanceof EventPatternError) throw eventsErrors.invalidPattern(error.message);
      throw error;
    }
  }

  /** The pattern of the archive's managed rule: the archive's own, never matching replayed events. */
  function rulePattern(pattern: string | undefined): string {
    const base = pattern ? (JSON.parse(pattern) as Record<string, unknown>) : {};
    return JSON.stringify({ ...base, "replay-name": [{ exists: false }] });
  }

  function managedRule(archive: ArchiveRecord): RuleRecord {
    const [accountId, region, bus] = archive.busKey.split("/") as [string, string, string];
    const name = `${ARCHIVE_RULE_PREFIX}${archive.name}`;
    return {
      accountId,
      region,
      eventBusName: bus,
      name,
      arn: ruleArn(region, accountId, bus, name),
      eventPattern: rulePattern(archive.eventPattern),
      state: "ENABLED",
      scheduleAnchor: archive.creationTime,
      targets: [{ Id: name, Arn: archive.arn }],
      managedBy: ARCHIVE_RULE_MANAGED_BY,
    };
  }

  function retentionDays(value: unknown): number | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      throw constraint("retentionDays", value, "have value greater than or equal to 0");
    }
    return value;
  }

  /** Archived events past the archive's retention are dropped before anyone reads them. */
  function events(archive: ArchiveRecord): ArchivedEvent[] {
    const recorded = store.archivedEvents(keyOfResource(archive));
    if (archive.retentionDays > 0) {
      const cutoff = now() - archive.retentionDays * DAY_MS;
      let expired = 0;
      while (expired < recorded.length && recorded[expired]!.archivedAt < cutoff) expired++;
      store.expire(keyOfResource(archive), expired);
    }
    return store.archivedEvents(keyOfResource(archive));
  }

  function summary(archive: ArchiveRecord) {
    const recorded = events(archive);
    return {
      ArchiveName: archive.name,
      EventSourceArn: archive.eventSourceArn,
      State: archive.state,
      RetentionDays: archive.retentionDays,
      SizeBytes: recorded.reduce((sum, e) => sum + e.size, 0),
      EventCount: recorded.length,
      CreationTime: seconds(archive.creationTime),
    };
  }

  const replaySummary = (r: ReplayRecord) => ({
    ReplayName: r.name,
    EventSourceArn: r.eventSourceArn,
    State: r.state,
    ...(r.stateReason ? { StateReason: r.stateReason } : {}),
    EventStartTime: seconds(r.eventStartTime),
    EventEndTime: seconds(r.eventEndTime),
    ...(r.eventLastReplayedTime !== undefined
      ? { EventLastReplayedTime: seconds(r.eventLastReplayedTime) }
      : {}),
    ReplayStartTime: seconds(r.replayStartTime),
    ...(r.replayEndTime !== undefined ? { ReplayEndTime: seconds(r.replayEndTime) } : {}),
  });

  /** The archived events a replay covers, in the order they happened. */
  function inRange(replay: ReplayRecord): ArchivedEvent[] {
    const archive = core.archiveByArn(replay.eventSourceArn);
    if (!archive) return [];
    return events(archive)
      .map((e, index) => ({ e, index, time: Date.parse(e.event.time) }))
      .filter(({ time }) => time >= replay.eventStartTime && time <= replay.eventEndTime)
      .sort((a, b) => a.time - b.time || a.index - b.index)
      .map(({ e }) => e);
  }

  function schedule(replay: ReplayRecord): void {
    const replayKey = keyOfResource(replay);
    timers.get(replayKey)?.cancel();
    timers.set(
      replayKey,
      env.clock.setTimeout(() => {
        timers.delete(replayKey);
        try {
          step(replayKey);
        } catch (error) {
          env.reportBackgroundError("events", error);
        }
      }, REPLAY_TICK_MS),
    );
  }

  /** One tick of a replay: re-deliver the next batch, or finish. */
  function step(replayKey: string): void {
    const replay = store.resource("replay", replayKey);
    if (!replay) return;
    if (replay.state === "CANCELLING") {
      store.putResource("replay", { ...replay, state: "CANCELLED", replayEndTime: now() });
      return;
    }
    if (replay.state !== "STARTING" && replay.state !== "RUNNING") return;
    const archive = core.archiveByArn(replay.eventSourceArn);
    if (!archive) {
      store.putResource("replay", {
        ...replay,
        state: "FAILED",
        stateReason: `Archive ${replay.eventSourceArn.split("/").pop()} no longer exists.`,
        replayEndTime: now(),
      });
      return;
    }
    const pending = inRange(replay);
    const batch = pending.slice(replay.position, replay.position + REPLAY_BATCH_SIZE);
    const [accountId, region, bus] = archive.busKey.split("/") as [string, string, string];
    const filter = replay.destination.FilterArns;
    for (const { event } of batch) {
      core.route(
        { ...event, "replay-name": replay.name },
        accountId,
        region,
        bus,
        filter?.length ? (rule) => filter.includes(rule.arn) : undefined,
      );
    }
    const position = replay.position + batch.length;
    const last = batch[batch.length - 1];
    const progressed: ReplayRecord = {
      ...replay,
      state: "RUNNING",
      position,
      ...(last ? { eventLastReplayedTime: Date.parse(last.event.time) } : {}),
    };
    if (position >= pending.length) {
      store.putResource("replay", { ...progressed, state: "COMPLETED", replayEndTime: now() });
      return;
    }
    store.putResource("replay", progressed);
    schedule(progressed);
  }

  const operations: Record<string, Operation> = {
    CreateArchive: async (input: Record<string, unknown>, context: RequestContext) => {
      const name = requireModelName(
        input["ArchiveName"],
        "archiveName",
        ARCHIVE_NAME_MAX_LENGTH,
        NAME_PATTERN,
        NAME_PATTERN_TEXT,
      );
      const source = input["EventSourceArn"];
      if (source === undefined || source === null) throw constraint("eventSourceArn", "null", "not be null");
      const match = typeof source === "string" ? BUS_ARN.exec(source) : null;
      if (!match)
        throw validation(
          "Parameter EventSourceArn is not valid. Reason: Provided Arn is not in correct format.",
        );
      const bus = match[3]!;
      if (
        match[2] !== context.accountId ||
        match[1] !== context.region ||
        !core.busExists(context.accountId, context.region, bus)
      ) {
        throw eventsErrors.busNotFound(bus);
      }
      const description = optionalString(input["Description"], "description", ARCHIVE_DESCRIPTION_MAX_LENGTH);
      const pattern = optionalString(input["EventPattern"], "eventPattern", EVENT_PATTERN_MAX_LENGTH);
      checkPattern(pattern);
      const retention = retentionDays(input["RetentionDays"]) ?? 0;
      if (store.resource("archive", key(name, context))) {
        throw eventsErrors.alreadyExists(`Archive ${name} already exists.`);
      }
      const archive: ArchiveRecord = {
        accountId: context.accountId,
        region: context.region,
        name,
        arn: archiveArn(context.region, context.accountId, name),
        eventSourceArn: source as string,
        busKey: scopedKey(context.accountId, context.region, bus),
        ...(description !== undefined ? { description } : {}),
        ...(pattern !== undefined ? { eventPattern: pattern } : {}),
        retentionDays: retention,
        state: "ENABLED",
        creationTime: now(),
      };
      store.putResource("archive", archive);
      core.saveRule(managedRule(archive));
      return { ArchiveArn: archive.arn, State: archive.state, CreationTime: seconds(archive.creationTime) };
    },

    DescribeArchive: async (input: Record<string, unknown>, context: RequestContext) => {
      const archive = requireArchive(input["ArchiveName"], context);
      return {
        ArchiveArn: archive.arn,
        ...summary(archive),
        ...(archive.description !== undefined ? { Description: archive.description } : {}),
        ...(archive.eventPattern !== undefined ? { EventPattern: archive.eventPattern } : {}),
      };
    },

    ListArchives: async (input: Record<string, unknown>, context: RequestContext) => {
      const prefix = optionalString(input["NamePrefix"], "namePrefix", ARCHIVE_NAME_MAX_LENGTH);
      const source = optionalString(input["EventSourceArn"], "eventSourceArn", 1600);
      const state = input["State"];
      if (state !== undefined && state !== null && !ARCHIVE_STATES.includes(state as ArchiveState)) {
        throw constraint("state", state, `satisfy enum value set: [${ARCHIVE_STATES.join(", ")}]`);
      }
      const filters = [prefix, source, state].filter((f) => f !== undefined && f !== null).length;
      if (filters > 1) {
        throw validation(
          "At most one filter is allowed for ListArchives. Use either : State, EventSourceArn, or NamePrefix.",
        );
      }
      if (source !== undefined) {
        const match = BUS_ARN.exec(source);
        if (!match || !core.busExists(context.accountId, context.region, match[3]!)) {
          throw eventsErrors.busNotFound(match?.[3] ?? source);
        }
      }
      const archives = store
        .resources("archive")
        .filter((a) => a.accountId === context.accountId && a.region === context.region)
        .filter(
          (a) =>
            (prefix === undefined || a.name.startsWith(prefix)) &&
            (source === undefined || a.eventSourceArn === source),
        )
        .filter((a) => state === undefined || state === null || a.state === state)
        .sort(compareNames);
      const { page, nextToken } = paginate(
        archives,
        input["NextToken"],
        optionalLimit(input["Limit"], LIST_MAX_LIMIT),
        LIST_MAX_LIMIT,
      );
      return { Archives: page.map(summary), ...(nextToken ? { NextToken: nextToken } : {}) };
    },

    UpdateArchive: async (input: Record<string, unknown>, context: RequestContext) => {
      const name = requireModelName(
        input["ArchiveName"],
        "archiveName",
        ARCHIVE_NAME_MAX_LENGTH,
        NAME_PATTERN,
        NAME_PATTERN_TEXT,
      );
      const archive = store.resource("archive", key(name, context));
      // What EventBridge answers for a missing archive here (not ResourceNotFoundException).
      if (!archive) throw eventsErrors.internal("Service encountered unexpected problem. Please try again.");
      const description = optionalString(input["Description"], "description", ARCHIVE_DESCRIPTION_MAX_LENGTH);
      const pattern = optionalString(input["EventPattern"], "eventPattern", EVENT_PATTERN_MAX_LENGTH);
      checkPattern(pattern);
      const retention = retentionDays(input["RetentionDays"]);
      const updated: ArchiveRecord = {
        ...archive,
        ...(description !== undefined ? { description } : {}),
        ...(pattern !== undefined ? { eventPattern: pattern } : {}),
        ...(retention !== undefined ? { retentionDays: retention } : {}),
      };
      store.putResource("archive", updated);
      core.saveRule({ ...managedRule(updated), scheduleAnchor: archive.creationTime });
      return { ArchiveArn: updated.arn, State: updated.state, CreationTime: seconds(updated.creationTime) };
    },

    DeleteArchive: async (input: Record<string, unknown>, context: RequestContext) => {
      const archive = requireArchive(input["ArchiveName"], context);
      const [accountId, region, bus] = archive.busKey.split("/") as [string, string, string];
      const rule = store.get(ruleKey(accountId, region, bus, `${ARCHIVE_RULE_PREFIX}${archive.name}`));
      if (rule) core.removeRule(rule);
      store.deleteResource("archive", keyOfResource(archive));
      return {};
    },

    StartReplay: async (input: Record<string, unknown>, context: RequestContext) => {
      const name = requireModelName(
        input["ReplayName"],
        "replayName",
        REPLAY_NAME_MAX_LENGTH,
        NAME_PATTERN,
        NAME_PATTERN_TEXT,
      );
      const description = optionalString(input["Description"], "description", ARCHIVE_DESCRIPTION_MAX_LENGTH);
      const source = input["EventSourceArn"];
      if (typeof source !== "string" || source === "")
        throw constraint("eventSourceArn", "null", "not be null");
      const start = requireTimestamp(input["EventStartTime"], "eventStartTime");
      const end = requireTimestamp(input["EventEndTime"], "eventEndTime");
      const destination = input["Destination"] as { Arn?: unknown; FilterArns?: unknown } | undefined;
      if (!destination || typeof destination !== "object")
        throw constraint("destination", "null", "not be null");
      if (typeof destination.Arn !== "string" || destination.Arn === "") {
        throw constraint("destination.arn", "null", "not be null");
      }
      if (store.resource("replay", key(name, context))) {
        throw eventsErrors.alreadyExists(`Replay ${name} already exists.`);
      }
      if (end <= start) {
        throw validation(
          "Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.",
        );
      }
      const archive = core.archiveByArn(source);
      if (!archive || archive.accountId !== context.accountId || archive.region !== context.region) {
        throw validation(
          `Parameter EventSourceArn is not valid. Reason: Archive ${source.split("/").pop()} does not exist.`,
        );
      }
      if (destination.Arn !== archive.eventSourceArn) {
        const match = BUS_ARN.exec(destination.Arn);
        if (match && core.busExists(context.accountId, context.region, match[3]!)) {
          throw validation(
            "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.",
          );
        }
        throw eventsErrors.busNotFound(match?.[3] ?? destination.Arn);
      }
      const filterArns = destination.FilterArns;
      if (filterArns !== undefined && filterArns !== null) {
        if (!Array.isArray(filterArns) || filterArns.some((arn) => typeof arn !== "string")) {
          throw validation(
            "Parameter Destination.FilterArns is not valid. Reason: it must be a list of rule ARNs.",
          );
        }
        const [accountId, region, bus] = archive.busKey.split("/") as [string, string, string];
        const rules = new Set(core.rulesOn(accountId, region, bus).map((r) => r.arn));
        for (const arn of filterArns as string[]) {
          if (!rules.has(arn)) throw eventsErrors.ruleNotFound(arn.split("/").pop() ?? arn, bus);
        }
      }
      const replay: ReplayRecord = {
        accountId: context.accountId,
        region: context.region,
        name,
        arn: replayArn(context.region, context.accountId, name),
        ...(description !== undefined ? { description } : {}),
        eventSourceArn: source,
        destination: {
          Arn: destination.Arn,
          ...(Array.isArray(filterArns) && filterArns.length ? { FilterArns: filterArns as string[] } : {}),
        },
        eventStartTime: start,
        eventEndTime: end,
        state: "STARTING",
        replayStartTime: now(),
        position: 0,
      };
      store.putResource("replay", replay);
      schedule(replay);
      return { ReplayArn: replay.arn, State: replay.state, ReplayStartTime: seconds(replay.replayStartTime) };
    },

    DescribeReplay: async (input: Record<string, unknown>, context: RequestContext) => {
      const r = requireReplay(input["ReplayName"], context);
      return {
        ...replaySummary(r),
        ReplayArn: r.arn,
        ...(r.description !== undefined ? { Description: r.description } : {}),
        Destination: r.destination,
      };
    },

    ListReplays: async (input: Record<string, unknown>, context: RequestContext) => {
      const prefix = optionalString(input["NamePrefix"], "namePrefix", REPLAY_NAME_MAX_LENGTH) ?? "";
      const source = optionalString(input["EventSourceArn"], "eventSourceArn", 1600);
      const state = input["State"];
      if (state !== undefined && state !== null && !REPLAY_STATES.includes(state as ReplayState)) {
        throw constraint("state", state, `satisfy enum value set: [${REPLAY_STATES.join(", ")}]`);
      }
      const replays = store
        .resources("replay")
        .filter((r) => r.accountId === context.accountId && r.region === context.region)
        .filter((r) => r.name.startsWith(prefix) && (source === undefined || r.eventSourceArn === source))
        .filter((r) => state === undefined || state === null || r.state === state)
        .sort(compareNames);
      const { page, nextToken } = paginate(
        replays,
        input["NextToken"],
        optionalLimit(input["Limit"], LIST_MAX_LIMIT),
        LIST_MAX_LIMIT,
      );
      return { Replays: page.map(replaySummary), ...(nextToken ? { NextToken: nextToken } : {}) };
    },

    CancelReplay: async (input: Record<string, unknown>, context: RequestContext) => {
      const replay = requireReplay(input["ReplayName"], context);
      if (replay.state !== "STARTING" && replay.state !== "RUNNING") {
        throw eventsErrors.illegalStatus(
          `Replay ${replay.name} can be cancelled only while it is STARTING or RUNNING; it is ${replay.state}.`,
        );
      }
      const cancelling: ReplayRecord = { ...replay, state: "CANCELLING" };
      store.putResource("replay", cancelling);
      schedule(cancelling);
      return { ReplayArn: replay.arn, State: cancelling.state };
    },
  };

  return {
    operations,
    /** Resumes replays a restart interrupted. */
    start(): void {
      for (const replay of store.resources("replay")) {
        if (replay.state === "STARTING" || replay.state === "RUNNING" || replay.state === "CANCELLING")
          schedule(replay);
      }
    },
    stop(): void {
      for (const timer of timers.values()) timer.cancel();
      timers.clear();
    },
  };
}
