/**
 * Capacity planning: how long a run of the roster takes per source through the work queues, and
 * whether it fits the week between scheduled runs and a worker's timeout. Returns data; the
 * commands render it (`pipeline roster plan`, the deploy plan).
 */
import { SOURCES } from "../../pipeline/model/index.js";
import type { Celebrity, SourceName } from "../../pipeline/model/index.js";
import { FUNCTION_SIZING } from "../../pipeline/stack/index.js";
import { estimateSource } from "./estimate.js";
import type { PlanLimits, SourceEstimate } from "./estimate.js";
import { requestsForShapes, shapeCounts } from "./requests.js";
import type { PersonShape, ShapeField, SourceRequests } from "./requests.js";

export { estimateSource, formatDuration } from "./estimate.js";
export type { PlanLimits, SourceEstimate, SourcePlanInput } from "./estimate.js";
export { SHAPE_FIELDS, requestsForShapes, requestsOf, shapeCounts, shapeOf } from "./requests.js";
export type { PersonRequests, PersonShape, ShapeField, SourceRequests } from "./requests.js";

/**
 * The stack's weekly rule (WEEKLY_SCHEDULE, cron(0 2 ? * SUN *)) fires once a week: a run must be
 * over before the next one starts.
 */
export const RUN_INTERVAL_SECONDS = 7 * 86_400;

export const DEFAULT_PLAN_LIMITS: PlanLimits = {
  runIntervalSeconds: RUN_INTERVAL_SECONDS,
  // Workers are the scraper function; its timeout is Lambda's maximum, 15 minutes.
  workerTimeoutSeconds: FUNCTION_SIZING.scraper.timeoutSeconds,
  shardTimeShare: 0.8,
};

/** The settings of a source the estimate reads (config's sources.<source>). */
export interface SourcePlanSettings {
  rateLimitPerSecond: number;
  workerConcurrency: number;
  shardSize: number;
}

export interface RosterPlanInput {
  sources: Record<SourceName, SourcePlanSettings>;
  /** The active roster, or a head count ("what if the roster had N people"). */
  people: readonly Pick<Celebrity, ShapeField>[] | { count: number };
  limits?: Partial<PlanLimits>;
}

export interface SourcePlan extends SourceEstimate {
  /** What the requests per person were counted from: per shape, people and endpoints. */
  counted: SourceRequests["byShape"];
}

export interface RosterPlan {
  people: number;
  /** "roster": counted from the people's per-source ids; "count": people without any. */
  basis: "roster" | "count";
  limits: PlanLimits;
  sources: SourcePlan[];
  /** Every source's warnings, in source order. */
  warnings: string[];
  /** Every source fits the interval and a worker. */
  fits: boolean;
}

export async function planRoster(input: RosterPlanInput): Promise<RosterPlan> {
  const limits = { ...DEFAULT_PLAN_LIMITS, ...input.limits };
  const byCount = "count" in input.people;
  let shapes: Map<PersonShape, number>;
  if ("count" in input.people) {
    const { count } = input.people;
    if (!(Number.isInteger(count) && count >= 0))
      throw new RangeError(`a head count must be >= 0; got ${count}`);
    // Nobody has per-source ids: name searches everywhere, the most each client asks for.
    shapes = new Map(count > 0 ? [["", count]] : []);
  } else {
    shapes = shapeCounts(input.people);
  }
  const people = [...shapes.values()].reduce((sum, n) => sum + n, 0);
  const requests = await requestsForShapes(shapes);
  const sources = SOURCES.map((source): SourcePlan => {
    const settings = input.sources[source];
    const counted = requests[source];
    const estimate = estimateSource(
      {
        source,
        people,
        requests: counted.total,
        maxRequestsPerPerson: counted.maxPerPerson,
        rateLimitPerSecond: settings.rateLimitPerSecond,
        workerConcurrency: settings.workerConcurrency,
        shardSize: settings.shardSize,
      },
      limits,
    );
    return { ...estimate, counted: counted.byShape };
  });
  return {
    people,
    basis: byCount ? "count" : "roster",
    limits,
    sources,
    warnings: sources.flatMap((source) => source.warnings),
    fits: sources.every((source) => source.fitsInterval && source.fitsWorker),
  };
}
