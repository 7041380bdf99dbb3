// A source's rate limit holds across all of its workers: 1,000 people, news limited to 2
// requests/s (sources.news.rateLimitPerSecond), the other sources at the local default. After
// `pipeline schedule trigger` the news planner cuts the roster into shards, up to workerConcurrency
// workers scrape them at once, each at 2 / workerConcurrency requests/s. The fixture server times
// every request's arrival and reports the most news requests within any one second (a sliding
// window, PeakWindow): the target is at most 2. A run of 1,000 requests at 2/s takes 500 s at least.
// Measures the work-queue path only: without worker mappings it says so and measures nothing.
// BENCH_RATE_PEOPLE (default 1000), BENCH_RATE_LIMIT (default 2), BENCH_RATE_TIMEOUT_S (default 1500).
import {
  indexCounts,
  missingWorkers,
  needsWorkQueues,
  startStack,
  waitFor,
  workerMappings,
} from "./lib/stack.mjs";

const PEOPLE = Number(process.env.BENCH_RATE_PEOPLE ?? 1000);
const LIMIT = Number(process.env.BENCH_RATE_LIMIT ?? 2);
const TIMEOUT_S = Number(process.env.BENCH_RATE_TIMEOUT_S ?? 1500);
const SOURCE = "news";

export const name = "rate-cap";
export const description = `${PEOPLE.toLocaleString("en")} people, ${SOURCE} limited to ${LIMIT} requests/s across its workers: most requests in any one second`;

export async function run({ root }) {
  const stack = await startStack(root, { config: { sources: { [SOURCE]: { rateLimitPerSecond: LIMIT } } } });
  try {
    await stack.cli(["deploy"]);
    const missing = missingWorkers(await workerMappings(stack.url));
    if (missing) return needsWorkQueues(missing);
    const shown = await stack.cli(["config", "show", "--json"]).catch(() => undefined);
    const workers = shown ? workersOf(shown.stdout) : undefined;

    const generated = await stack.cli(["roster", "generate", "--count", String(PEOPLE)]);
    await stack.cli(["roster", "import", "-"], { input: generated.stdout });
    // What `roster plan` expects of this run, to hold the measured one against.
    const planned = JSON.parse((await stack.cli(["roster", "plan", "--json"])).stdout).sources.find(
      (source) => source.source === SOURCE,
    );
    stack.fixtures.resetStats();
    const triggeredAt = Date.now();
    await stack.cli(["schedule", "trigger"]);
    let last = { all: 0, enriched: 0 };
    const doneAt = await waitFor(
      async () => {
        last = await indexCounts(stack.url, { term: { source: SOURCE } });
        return last.all >= PEOPLE ? Date.now() : undefined;
      },
      `${PEOPLE} ${SOURCE} documents in the index (${last.all} so far)`,
      TIMEOUT_S * 1000,
    );
    const stats = stack.fixtures.stats;
    const requests = stats.bySource[SOURCE];
    const peak = stats.peakPerSecond[SOURCE];
    const runS = (doneAt - triggeredAt) / 1000;
    return {
      figures: [
        { label: `${SOURCE} requests (of ${PEOPLE} people)`, value: requests, unit: "requests" },
        { label: `${SOURCE} limit (sources.${SOURCE}.rateLimitPerSecond)`, value: LIMIT, unit: "requests/s" },
        ...(workers !== undefined
          ? [{ label: `${SOURCE} workers (workerConcurrency)`, value: workers, unit: "" }]
          : []),
        { label: `${SOURCE}: most requests in any one second`, value: peak, unit: "requests" },
        { label: `${SOURCE}: run, trigger to last document indexed`, value: runS, unit: "s" },
        { label: `${SOURCE}: mean rate over the run`, value: requests / runS, unit: "requests/s" },
        { label: `${SOURCE}: run time roster plan estimated`, value: planned.runSeconds, unit: "s" },
      ],
      ratios: [
        { label: "busiest second / limit", value: peak / LIMIT },
        { label: "measured run / roster plan's estimate", value: runS / planned.runSeconds },
      ],
      checks: [
        {
          label: `most ${SOURCE} requests in any one second at most ${LIMIT}`,
          pass: peak <= LIMIT,
          detail: `${peak}`,
        },
        {
          label: `every person scraped from ${SOURCE}`,
          pass: last.all >= PEOPLE,
          detail: `${last.all} of ${PEOPLE}`,
        },
      ],
    };
  } finally {
    await stack.stop();
  }
}

/** sources.<source>.workerConcurrency as `config show --json` resolves it. */
function workersOf(json) {
  try {
    return JSON.parse(json).config.sources[SOURCE].workerConcurrency;
  } catch {
    return undefined;
  }
}
