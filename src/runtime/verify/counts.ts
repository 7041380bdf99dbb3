import { SOURCES } from "../../pipeline/model/sources.js";
import type { Stack } from "../../pipeline/stack/index.js";
import { diagnoseConsumer } from "./diagnose.js";
import { formatMs, waitFor, withinTolerance } from "./poll.js";
import { countEnrichment, countItems, FILTERS, openIndex } from "./probes.js";
import { failed, passed, type CheckDefinition, type VerifyEnv } from "./types.js";

/** How long an enriched count within the tolerance must stay unchanged to count as finished. */
const SETTLED_MS = 3000;

/** Checks shared by 4B and 4C: entries, enrichment and index counts reaching the expected number. */

/**
 * The number of entries to expect: config's verify.expectedCount when set, else the stack's active
 * roster times the sources (read once per verify run, when a count check first needs it).
 */
async function expectation(env: VerifyEnv) {
  env.expected ??= await expectedEntries(env);
  const { tolerance } = env.config.verify;
  const expectedCount = env.expected.count;
  return { expectedCount, tolerance, label: countLabel(expectedCount, tolerance) };
}

function countLabel(count: number, tolerance: number): string {
  return `${count}${tolerance > 0 ? ` ±${Math.floor(count * tolerance)}` : ""}`;
}

/** The rule's wording before the roster was read: the override, or what it will be computed from. */
function ruleLabel(env: VerifyEnv): string {
  if (env.expected) return countLabel(env.expected.count, env.config.verify.tolerance);
  const override = env.config.verify.expectedCount;
  return override !== undefined
    ? countLabel(override, env.config.verify.tolerance)
    : `the active roster x ${SOURCES.length}`;
}

export async function expectedEntries(env: Pick<VerifyEnv, "clients" | "config" | "stack">) {
  const override = env.config.verify.expectedCount;
  if (override !== undefined) return { count: override, basis: "verify.expectedCount" };
  const { activeRoster } = await import("../../pipeline/stages/roster-table.js");
  const people = (await activeRoster(await env.clients.dynamodb(), env.stack.table.name)).length;
  return {
    count: people * SOURCES.length,
    basis: `${people} active people x ${SOURCES.length} sources`,
  };
}

export function entriesCheck<S>(stackOf: (env: VerifyEnv, state: S) => Stack): CheckDefinition<S> {
  return {
    id: "entries",
    rule: (env) =>
      `celebrity items with a timestamp, counted over every scan page, reach ${ruleLabel(env)} within ${env.config.verify.deadlines.scrapeSeconds} s`,
    title: "Celebrity entries reach the expected number (all scan pages)",
    async run(env, state, progress) {
      const stack = stackOf(env, state);
      const { expectedCount, tolerance, label } = await expectation(env);
      const result = await waitFor(env, {
        probe: () => countItems(env.clients, stack.table.name, FILTERS.scraped),
        done: (count) => withinTolerance(count, expectedCount, tolerance),
        deadlineMs: env.config.verify.deadlines.scrapeSeconds * 1000,

        onProgress: (count, left) => progress(`${count}/${expectedCount} entries (${formatMs(left)} left)`),
      });
      const measured = `${result.value} entries (expected ${label})`;
      return result.done
        ? passed(measured)
        : failed(measured, `${stack.table.name} holds ${result.value} celebrity entries`);
    },
  };
}

export function enrichedCheck<S>(
  stackOf: (env: VerifyEnv, state: S) => Stack,
  since: (state: S) => number,
): CheckDefinition<S> {
  return {
    id: "enriched",
    rule: (env) =>
      `items with weight and sentiment reach ${ruleLabel(env)} within ${env.config.verify.deadlines.postProcessingSeconds} s`,
    title: "Entries with weight and sentiment reach the expected number",
    async run(env, state, progress) {
      const stack = stackOf(env, state);
      const { expectedCount, tolerance } = await expectation(env);
      // Done when every entry is enriched; within the tolerance is enough only once the count has
      // stopped moving (post-processing finished), so the checks after this one (data quality,
      // reconciliation) never read a table the post-processor is still working through.
      let last = -1;
      let changedAt = env.now().getTime();
      const result = await waitFor(env, {
        probe: async () => {
          const { enriched, entries } = await countEnrichment(env.clients, stack.table.name);
          if (enriched !== last) {
            last = enriched;
            changedAt = env.now().getTime();
          }
          return { enriched, entries, steadyMs: env.now().getTime() - changedAt };
        },
        done: ({ enriched, entries, steadyMs }) =>
          enriched >= entries
            ? withinTolerance(enriched, expectedCount, tolerance)
            : withinTolerance(enriched, expectedCount, tolerance) && steadyMs >= SETTLED_MS,
        deadlineMs: env.config.verify.deadlines.postProcessingSeconds * 1000,

        onProgress: ({ enriched, entries }, left) =>
          progress(`${enriched}/${entries} with weight (${formatMs(left)} left)`),
      });
      const measured = `${result.value.enriched}/${expectedCount} entries with weight and sentiment`;
      if (result.done) return passed(measured);
      return withinTolerance(result.value.enriched, expectedCount, tolerance)
        ? passed(measured, {
            problems: [
              `${result.value.entries - result.value.enriched} entries still without weight at the deadline`,
            ],
          })
        : failed(
            measured,
            `post-processing did not reach ${expectedCount} within ${env.config.verify.deadlines.postProcessingSeconds} s`,
          );
    },
    diagnose: (env, state) => diagnoseConsumer(env, stackOf(env, state), "post-processor", since(state)),
  };
}

export function indexCheck<S>(
  stackOf: (env: VerifyEnv, state: S) => Stack,
  since: (state: S) => number,
): CheckDefinition<S> {
  return {
    id: "index",
    rule: (env) =>
      `index document count equals the celebrity item count within ${env.config.verify.deadlines.indexSyncSeconds} s`,
    title: "Index document count in sync with the table",
    async run(env, state, progress) {
      const stack = stackOf(env, state);
      const index = openIndex(stack);
      try {
        const result = await waitFor(env, {
          probe: async () => {
            const [items, docs] = await Promise.all([
              countItems(env.clients, stack.table.name, FILTERS.scraped),
              index.count(),
            ]);
            return { items, docs };
          },
          done: ({ items, docs }) => items === docs,
          deadlineMs: env.config.verify.deadlines.indexSyncSeconds * 1000,

          onProgress: ({ items, docs }, left) =>
            progress(`${docs}/${items} documents (${formatMs(left)} left)`),
        });
        const measured = `${result.value.docs} documents, ${result.value.items} items`;
        return result.done
          ? passed(measured)
          : failed(measured, `index ${stack.index.name} is out of sync with ${stack.table.name}`);
      } finally {
        await index.close();
      }
    },
    diagnose: (env, state) => diagnoseConsumer(env, stackOf(env, state), "index-sync", since(state)),
  };
}
