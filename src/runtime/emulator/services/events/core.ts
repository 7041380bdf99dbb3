import { randomUUID } from "node:crypto";
import { compileEventPattern, type CompiledEventPattern } from "../../core/event-pattern.js";
import type { RequestContext } from "../../core/request.js";
import type { ServiceEnv } from "../../core/service.js";
import type { ApiDestinationInvoker } from "./api-destination.js";
import { TargetDelivery } from "./delivery.js";
import { eventsErrors } from "./errors.js";
import { BUS_NAME_OR_ARN_PATTERN, DEFAULT_BUS } from "./limits.js";
import {
  busArn,
  eventTime,
  keyOf,
  keyOfResource,
  scopedKey,
  type ArchiveRecord,
  type EventEnvelope,
  type RuleRecord,
} from "./models.js";
import { RuleScheduler } from "./scheduler.js";
import type { EventsJournalEntry, EventsSnapshot } from "./store.js";
import { EventsStore } from "./store.js";

/**
 * The state and behaviour every EventBridge operation group shares: rules with their compiled
 * patterns and schedules, the buses they live on, routing an event to a bus's rules, and handing
 * matched events to targets (archives record them; the rest go through TargetDelivery).
 */
export class EventsCore {
  readonly store: EventsStore;
  readonly delivery: TargetDelivery;
  readonly scheduler: RuleScheduler;
  private readonly compiled = new Map<string, CompiledEventPattern>();

  constructor(
    readonly env: ServiceEnv,
    apiDestinations: ApiDestinationInvoker,
  ) {
    this.store = new EventsStore(env.store<EventsSnapshot, EventsJournalEntry>("events"));
    this.delivery = new TargetDelivery(env, apiDestinations, this.store);
    this.scheduler = new RuleScheduler(
      env.clock,
      (rule, at) => this.fireSchedule(rule, at),
      (error) => env.reportBackgroundError("events", error),
    );
  }

  /** Stores a new version of a rule and brings its pattern and schedule up to date. */
  saveRule(rule: RuleRecord): void {
    this.store.put(rule);
    this.track(rule);
  }

  removeRule(rule: RuleRecord): void {
    this.store.delete(keyOf(rule));
    this.compiled.delete(keyOf(rule));
    this.scheduler.cancel(rule);
  }

  track(rule: RuleRecord): void {
    const key = keyOf(rule);
    if (rule.eventPattern) this.compiled.set(key, compileEventPattern(rule.eventPattern));
    else this.compiled.delete(key);
    this.scheduler.arm(rule);
  }

  /**
   * The bus an `EventBusName` member names (a name or the bus ARN; absent = default), which must
   * exist in the caller's account and region.
   */
  busName(value: unknown, context: RequestContext, field = "eventBusName"): string {
    const name = this.parseBusName(value, context, field);
    if (!this.busExists(context.accountId, context.region, name)) throw eventsErrors.busNotFound(name);
    return name;
  }

  /** Parses EventBusName without checking that the bus exists. */
  parseBusName(value: unknown, context: RequestContext, field = "eventBusName"): string {
    if (value === undefined || value === null || value === "") return DEFAULT_BUS;
    if (typeof value !== "string" || value.length > 1600 || !BUS_NAME_OR_ARN_PATTERN.test(value)) {
      throw eventsErrors.constraint(
        field,
        value,
        "satisfy regular expression pattern: (arn:aws[\\w-]*:events:[a-z]{2}-[a-z]+-[\\w-]+:[0-9]{12}:event-bus\\/)?[/\\.\\-_A-Za-z0-9]+",
      );
    }
    if (!value.startsWith("arn:")) return value;
    const prefix = busArn(context.region, context.accountId, "");
    // A bus ARN of another account or region names no bus of the caller's.
    return value.startsWith(prefix) ? value.slice(prefix.length) : value;
  }

  busExists(accountId: string, region: string, name: string): boolean {
    return (
      name === DEFAULT_BUS || this.store.resource("bus", scopedKey(accountId, region, name)) !== undefined
    );
  }

  rulesOn(accountId: string, region: string, bus: string): RuleRecord[] {
    return this.store
      .all()
      .filter((r) => r.accountId === accountId && r.region === region && r.eventBusName === bus);
  }

  /**
   * Hands an event that arrived on a bus to every enabled rule whose pattern matches it (`only`
   * narrows the rules, for a replay's FilterArns). Schedule-only rules never match.
   */
  route(
    event: EventEnvelope,
    accountId: string,
    region: string,
    bus: string,
    only?: (rule: RuleRecord) => boolean,
  ): void {
    for (const rule of this.rulesOn(accountId, region, bus)) {
      if (rule.state === "DISABLED" || (only && !only(rule))) continue;
      const pattern = this.compiled.get(keyOf(rule));
      if (pattern?.matches(event)) this.dispatch(rule, event);
    }
  }

  dispatch(rule: RuleRecord, event: EventEnvelope): void {
    for (const target of rule.targets) {
      const archive = this.archiveByArn(target.Arn);
      if (archive) this.record(archive, event);
      else if (!target.Arn.includes(":archive/")) this.delivery.deliver(rule, target, event);
    }
  }

  archiveByArn(arn: string): ArchiveRecord | undefined {
    const match = /^arn:aws[\w-]*:events:([^:]+):(\d{12}):archive\/(.+)$/.exec(arn);
    return match ? this.store.resource("archive", scopedKey(match[2]!, match[1]!, match[3]!)) : undefined;
  }

  private record(archive: ArchiveRecord, event: EventEnvelope): void {
    if (archive.state !== "ENABLED" && archive.state !== "UPDATING") return;
    const text = JSON.stringify(event);
    this.store.archive(keyOfResource(archive), [
      { event, archivedAt: this.env.clock.now(), size: Buffer.byteLength(text) },
    ]);
  }

  private fireSchedule(armed: RuleRecord, at: number): void {
    const rule = this.store.get(keyOf(armed));
    if (!rule || rule.state === "DISABLED" || !rule.scheduleExpression) return;
    this.dispatch(rule, {
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

  private loaded = false;

  /** Loads rules, buses and the rest of the journal (storage only: no schedule is armed yet). */
  load(): void {
    this.store.load();
    this.loaded = true;
  }

  /** Arms schedules and compiles patterns (after the gateway listens); loads first if needed. */
  start(): void {
    if (!this.loaded) this.load();
    this.delivery.resume();
    for (const rule of this.store.all()) {
      try {
        this.track(rule);
      } catch (error) {
        this.env.reportBackgroundError("events", error);
      }
    }
  }

  stop(): void {
    this.scheduler.stop();
    this.delivery.stop();
    this.store.compact();
  }
}
