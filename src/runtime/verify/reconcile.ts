import { documentId } from "../../pipeline/model/keys.js";
import type { Stack } from "../../pipeline/stack/index.js";
import { diagnoseConsumer } from "./diagnose.js";
import { FILTERS, openIndex, scanItems } from "./probes.js";
import { failed, passed, type CheckDefinition, type Finding, type VerifyEnv } from "./types.js";

/**
 * Reconciliation at the end of a phase: celebrity items written vs post-processed (enriched from
 * their current content) vs indexed, each figure shown; every mismatch is named by key.
 */

export interface Reconciliation {
  written: number;
  postProcessed: number;
  indexed: number;
  notPostProcessed: string[];
  notIndexed: string[];
  /** Documents in the index with no item in the table. */
  stray: string[];
}

export async function reconcile(env: VerifyEnv, stack: Stack): Promise<Reconciliation> {
  const items = await scanItems(env.clients, stack.table.name, FILTERS.scraped, [
    "pk",
    "sk",
    "contentHash",
    "enrichedHash",
    "weight",
    "sentiment",
  ]);
  const index = openIndex(stack);
  let ids: string[];
  try {
    ids = await index.ids(Math.min(10_000, Math.max(1000, items.length * 2)));
  } finally {
    await index.close();
  }
  const inIndex = new Set(ids);
  const inTable = new Set<string>();
  const notPostProcessed: string[] = [];
  const notIndexed: string[] = [];
  for (const item of items) {
    const id = documentId({ pk: String(item.pk), sk: String(item.sk) });
    inTable.add(id);
    const enriched =
      typeof item.weight === "number" &&
      typeof item.sentiment === "string" &&
      item.enrichedHash === item.contentHash;
    if (!enriched) notPostProcessed.push(id);
    if (!inIndex.has(id)) notIndexed.push(id);
  }
  return {
    written: items.length,
    postProcessed: items.length - notPostProcessed.length,
    indexed: ids.filter((id) => inTable.has(id)).length,
    notPostProcessed,
    notIndexed,
    stray: ids.filter((id) => !inTable.has(id)),
  };
}

const NAMED = 10;
const named = (label: string, keys: string[]) =>
  keys.length === 0
    ? []
    : [`${label} (${keys.length}): ${keys.slice(0, NAMED).join(", ")}${keys.length > NAMED ? ", …" : ""}`];

/** How far back diagnosis reads a consumer's log for errors (records may have failed before the phase). */
const LOG_WINDOW_MS = 15 * 60_000;

export function reconcileCheck<S>(stackOf: (env: VerifyEnv, state: S) => Stack): CheckDefinition<S> {
  return {
    id: "reconcile",
    rule: (env) =>
      `every written item indexed, no stray documents, fewer than ${Math.max(1, env.config.verify.incompleteMax)} not post-processed`,
    title: "Reconciliation: written vs post-processed vs indexed",
    async run(env, state) {
      const r = await reconcile(env, stackOf(env, state));
      const measured = `written ${r.written} · post-processed ${r.postProcessed} · indexed ${r.indexed}`;
      const problems = [
        ...named("not post-processed", r.notPostProcessed),
        ...named("not indexed", r.notIndexed),
        ...named("in the index but not the table", r.stray),
      ];
      const ok =
        r.notPostProcessed.length < Math.max(1, env.config.verify.incompleteMax) &&
        r.notIndexed.length === 0 &&
        r.stray.length === 0;
      return ok
        ? passed(measured, problems.length ? { problems } : {})
        : failed(measured, "the three figures disagree", problems);
    },
    async diagnose(env, state, outcome) {
      // The consumer whose figure fell short is the suspect; test it (both when both fell short).
      const stack = stackOf(env, state);
      const since = env.now().getTime() - LOG_WINDOW_MS;
      const problems = outcome.problems ?? [];
      const findings: Finding[] = [];
      if (problems.some((p) => p.startsWith("not post-processed")))
        findings.push(...(await diagnoseConsumer(env, stack, "post-processor", since)));
      if (problems.some((p) => p.startsWith("not indexed") || p.startsWith("in the index")))
        findings.push(...(await diagnoseConsumer(env, stack, "index-sync", since)));
      return findings;
    },
  };
}
