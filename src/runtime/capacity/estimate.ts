import type { SourceName } from "../../pipeline/model/index.js";
import { MAX_SHARD_PEOPLE } from "../../pipeline/model/index.js";

/**
 * How long a source's run takes through its work queue, from numbers alone (a pure function):
 *
 * - The run is cut into ceil(people / shardSize) shards; the last one holds the remainder.
 * - At most workerConcurrency workers run at once (the mapping's MaximumConcurrency), one shard
 *   each, and each worker keeps to rateLimitPerSecond / workerConcurrency, so all of them together
 *   never exceed the source's limit. With fewer shards than workers the idle workers' share is
 *   unused: 4 shards and 10 workers use 40% of the limit.
 * - The rate limit is the bottleneck: requests are assumed to succeed first time and to answer
 *   faster than a worker's share of the rate allows (true of the public APIs' limits; not of
 *   a fixture server at 1000 requests/s, where the machine is the limit).
 * - Shards are handed out in order to whichever worker is free; shards take equal time but the
 *   last, so the run lasts full waves of `workerConcurrency` shards, then the last wave.
 */

export interface SourcePlanInput {
  source: SourceName;
  /** Active people the run scrapes. */
  people: number;
  /** Requests the source client makes for all of them. */
  requests: number;
  /** The most one person costs (a shard is checked against a shard of such people). */
  maxRequestsPerPerson: number;
  rateLimitPerSecond: number;
  workerConcurrency: number;
  shardSize: number;
}

export interface PlanLimits {
  /** Time between two scheduled runs. */
  runIntervalSeconds: number;
  /** A worker invocation's timeout (Lambda stops it there). */
  workerTimeoutSeconds: number;
  /**
   * The share of the worker timeout one shard may take by estimate: the rest is room for
   * retries with backoff and slower answers, which the estimate leaves out.
   */
  shardTimeShare: number;
}

export interface SourceEstimate extends SourcePlanInput {
  requestsPerPerson: number;
  shards: number;
  /** Workers that have a shard to work on at the start: min(shards, workerConcurrency). */
  activeWorkers: number;
  /** Each worker's share of the source's rate. */
  workerRatePerSecond: number;
  /** From the first shard starting to the last one done. */
  runSeconds: number;
  /** One full shard of the costliest people. */
  shardSeconds: number;
  fitsInterval: boolean;
  fitsWorker: boolean;
  /** The largest shardSize whose shard fits a worker (0: not even one person fits). */
  maxShardSize: number;
  /** When the run does not fit: the rate it would need, and the most people that fit at this rate. */
  requiredRatePerSecond?: number;
  maxPeople?: number;
  /** One line each, naming what to change. */
  warnings: string[];
}

/** Duration of the run with `people` (the rest of the input as given). */
function runSecondsFor(input: SourcePlanInput, people: number): number {
  if (people <= 0 || input.requests <= 0) return 0;
  const perPerson = input.requests / input.people;
  const workerRate = input.rateLimitPerSecond / input.workerConcurrency;
  const shards = Math.ceil(people / input.shardSize);
  const full = (input.shardSize * perPerson) / workerRate;
  const last = ((people - (shards - 1) * input.shardSize) * perPerson) / workerRate;
  const earlierWaves = Math.floor((shards - 1) / input.workerConcurrency);
  const inLastWave = shards - earlierWaves * input.workerConcurrency;
  // The last wave lasts a full shard unless the short remainder is alone in it.
  return earlierWaves * full + (inLastWave === 1 ? last : full);
}

export function estimateSource(input: SourcePlanInput, limits: PlanLimits): SourceEstimate {
  checkInput(input);
  const { source, people, shardSize, workerConcurrency, rateLimitPerSecond } = input;
  const shards = people === 0 ? 0 : Math.ceil(people / shardSize);
  const workerRate = rateLimitPerSecond / workerConcurrency;
  const runSeconds = runSecondsFor(input, people);
  const shardSeconds = (Math.min(shardSize, Math.max(people, 1)) * input.maxRequestsPerPerson) / workerRate;
  const shardBudget = limits.workerTimeoutSeconds * limits.shardTimeShare;
  const maxShardSize =
    input.maxRequestsPerPerson === 0
      ? MAX_SHARD_PEOPLE
      : Math.min(MAX_SHARD_PEOPLE, Math.floor((shardBudget * workerRate) / input.maxRequestsPerPerson));
  const fitsInterval = runSeconds <= limits.runIntervalSeconds;
  const fitsWorker = shardSeconds <= shardBudget;
  const estimate: SourceEstimate = {
    ...input,
    requestsPerPerson: people === 0 ? 0 : input.requests / people,
    shards,
    activeWorkers: Math.min(shards, workerConcurrency),
    workerRatePerSecond: workerRate,
    runSeconds,
    shardSeconds,
    fitsInterval,
    fitsWorker,
    maxShardSize,
    warnings: [],
  };
  const key = (name: string) => `sources.${source}.${name}`;
  if (!fitsInterval) {
    // Run time is inversely proportional to the rate; the most people that fit, by bisection.
    const requiredRate = roundUp((rateLimitPerSecond * runSeconds) / limits.runIntervalSeconds);
    let low = 0;
    let high = people;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (runSecondsFor(input, mid) <= limits.runIntervalSeconds) low = mid;
      else high = mid - 1;
    }
    estimate.requiredRatePerSecond = requiredRate;
    estimate.maxPeople = low;
    estimate.warnings.push(
      `${source} cannot finish within the ${formatDuration(limits.runIntervalSeconds)} between scheduled runs: ` +
        `${people} people x ${round(estimate.requestsPerPerson)} request(s) at ${rateLimitPerSecond}/s take about ` +
        `${formatDuration(runSeconds)}; raise ${key("rateLimitPerSecond")} to ${requiredRate} or more (if the API allows it), ` +
        `cut the active roster to ${low} people or fewer, or stop scraping ${source}`,
    );
  }
  if (!fitsWorker) {
    const fix =
      maxShardSize >= 1
        ? `set ${key("shardSize")} to ${maxShardSize} or less`
        : `not even one person fits: lower ${key("workerConcurrency")} (each worker gets the rate / workerConcurrency) or raise ${key("rateLimitPerSecond")}`;
    estimate.warnings.push(
      `${source}: one shard of ${Math.min(shardSize, people)} people takes about ${formatDuration(shardSeconds)} at ` +
        `${round(workerRate)} requests/s per worker, more than ${Math.round(limits.shardTimeShare * 100)}% of a worker's ` +
        `${formatDuration(limits.workerTimeoutSeconds)} (Lambda's limit; the rest is room for retries): ${fix}`,
    );
  }
  return estimate;
}

function checkInput(input: SourcePlanInput): void {
  const problems: string[] = [];
  if (!(Number.isInteger(input.people) && input.people >= 0)) problems.push(`people ${input.people}`);
  if (!(input.requests >= 0)) problems.push(`requests ${input.requests}`);
  if (!(input.rateLimitPerSecond > 0)) problems.push(`rateLimitPerSecond ${input.rateLimitPerSecond}`);
  if (!(Number.isInteger(input.workerConcurrency) && input.workerConcurrency >= 1))
    problems.push(`workerConcurrency ${input.workerConcurrency}`);
  if (!(Number.isInteger(input.shardSize) && input.shardSize >= 1))
    problems.push(`shardSize ${input.shardSize}`);
  if (problems.length > 0)
    throw new RangeError(`cannot estimate ${input.source}: bad ${problems.join(", ")}`);
}

/** Two significant figures, rounded up (a rate that is enough). */
function roundUp(value: number): number {
  if (value <= 0) return 0;
  const scale = 10 ** (Math.floor(Math.log10(value)) - 1);
  return Number((Math.ceil(value / scale - 1e-9) * scale).toPrecision(2));
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** "45 s", "12 m 5 s", "13 h 53 m", "7 d": the largest unit, and the next one unless it is 0. */
export function formatDuration(seconds: number): string {
  const units: [string, number][] = [
    ["d", 86_400],
    ["h", 3_600],
    ["m", 60],
    ["s", 1],
  ];
  const total = Math.ceil(seconds);
  const first = units.findIndex(([, size]) => total >= size);
  if (first === -1) return "0 s";
  const [unit, size] = units[first]!;
  const text = `${Math.floor(total / size)} ${unit}`;
  const next = units[first + 1];
  if (next === undefined) return text;
  const rest = Math.floor((total % size) / next[1]);
  return rest === 0 ? text : `${text} ${rest} ${next[0]}`;
}
