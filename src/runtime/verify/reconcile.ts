import { documentId } from "../../pipeline/model/keys.js";
import type { Stack } from "../../pipeline/stack/index.js";
import { diagnoseConsumer } from "./diagnose.js";
import { formatMs, waitFor } from "./poll.js";
import { FILTERS, openIndex, scanItems } from "./probes.js";
import { failed, passed, type CheckDefinition, type Finding, type VerifyEnv } from "./types.js";

/**
 * Reconciliation at the end of a phase: celebrity items written vs post-processed (enriched from
 * their current content) vs indexed, each figure shown; every mismatch is named by key. "Indexed"
 * means indexed with the table's content: a document that exists but says something else than
 * its item (an older weight, no sentiment, another content hash or version) is named with the
 * fields that differ.
 */

/** What the index must say as the table does. `version` shows an index that lags its item. */
export const CONTENT_FIELDS = ["weight", "sentiment", "contentHash", "version"] as const;

export interface ContentDifference {
  id: string;
  fields: { field: string; table: unknown; index: unknown }[];
}

export interface Reconciliation {
  written: number;
  postProcessed: number;
  indexed: number;
  /** Documents whose content fields equal their item's. */
  sameContent: number;
  notPostProcessed: string[];
  notIndexed: string[];
  /** Documents in the index with no item in the table. */
  stray: string[];
  /** Documents whose content differs from their item's, in table scan order. */
  differing: ContentDifference[];
}

/** The content fields where a document differs from its item (absent and null count as one). */
export function contentDifferences(
  item: Record<string, unknown>,
  doc: Record<string, unknown>,
): ContentDifference["fields"] {
  return CONTENT_FIELDS.filter((field) => (item[field] ?? null) !== (doc[field] ?? null)).map((field) => ({
    field,
    table: item[field],
    index: doc[field],
  }));
}

export async function reconcile(env: VerifyEnv, stack: Stack): Promise<Reconciliation> {
  const items = await scanItems(env.clients, stack.table.name, FILTERS.scraped, [
    "pk",
    "sk",
    "contentHash",
    "enrichedHash",
    "weight",
    "sentiment",
    "version",
  ]);
  const index = openIndex(stack);
  let docs: Map<string, Record<string, unknown>>;
  try {
    docs = await index.documents(Math.min(10_000, Math.max(1000, items.length * 2)), CONTENT_FIELDS);
  } finally {
    await index.close();
  }
  const inTable = new Set<string>();
  const notPostProcessed: string[] = [];
  const notIndexed: string[] = [];
  const differing: ContentDifference[] = [];
  for (const item of items) {
    const id = documentId({ pk: String(item.pk), sk: String(item.sk) });
    inTable.add(id);
    const enriched =
      typeof item.weight === "number" &&
      typeof item.sentiment === "string" &&
      item.enrichedHash === item.contentHash;
    if (!enriched) notPostProcessed.push(id);
    const doc = docs.get(id);
    if (doc === undefined) {
      notIndexed.push(id);
      continue;
    }
    const fields = contentDifferences(item, doc);
    if (fields.length > 0) differing.push({ id, fields });
  }
  const ids = [...docs.keys()];
  const indexed = ids.filter((id) => inTable.has(id)).length;
  return {
    written: items.length,
    postProcessed: items.length - notPostProcessed.length,
    indexed,
    sameContent: indexed - differing.length,
    notPostProcessed,
    notIndexed,
    stray: ids.filter((id) => !inTable.has(id)),
    differing,
  };
}

/** The index agrees with the table: every item indexed with its content, nothing else indexed. */
export function indexMatchesTable(r: Reconciliation): boolean {
  return r.notIndexed.length === 0 && r.stray.length === 0 && r.differing.length === 0;
}

const shown = (value: unknown) => (value === undefined || value === null ? "none" : JSON.stringify(value));

/** `<id> (weight: table 61.5, index none; …)` */
export function describeDifference(d: ContentDifference): string {
  return `${d.id} (${d.fields.map((f) => `${f.field}: table ${shown(f.table)}, index ${shown(f.index)}`).join("; ")})`;
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
      `every written item indexed with its content (${CONTENT_FIELDS.join(", ")}), no stray documents, fewer than ${Math.max(1, env.config.verify.incompleteMax)} not post-processed`,
    title: "Reconciliation: written vs post-processed vs indexed",
    async run(env, state, progress) {
      const stack = stackOf(env, state);
      // The last enrichment MODIFYs may still be on their way to the index when the counts
      // already agree: the index side gets index-sync's deadline to converge, never a fixed sleep.
      const { value: r } = await waitFor(env, {
        probe: () => reconcile(env, stack),
        done: indexMatchesTable,
        deadlineMs: env.config.verify.deadlines.indexSyncSeconds * 1000,
        onProgress: (now, left) =>
          progress(
            `${now.differing.length + now.notIndexed.length} document(s) not yet as the table (${formatMs(left)} left)`,
          ),
      });
      const measured = `written ${r.written} · post-processed ${r.postProcessed} · indexed ${r.indexed}${
        r.differing.length > 0 ? ` · ${r.differing.length} differ from the table` : ""
      }`;
      const problems = [
        ...named("not post-processed", r.notPostProcessed),
        ...named("not indexed", r.notIndexed),
        ...named("in the index but not the table", r.stray),
        ...named("indexed with other content than the table", r.differing.map(describeDifference)),
      ];
      const ok =
        r.notPostProcessed.length < Math.max(1, env.config.verify.incompleteMax) && indexMatchesTable(r);
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
      if (
        problems.some(
          (p) => p.startsWith("not indexed") || p.startsWith("in the index") || p.startsWith("indexed with"),
        )
      )
        findings.push(...(await diagnoseConsumer(env, stack, "index-sync", since)));
      return findings;
    },
  };
}
