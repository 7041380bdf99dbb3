import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ROSTER_FIELDS, rosterKey } from "../../pipeline/model/index.js";
import type { RosterEntry, RosterField } from "../../pipeline/model/index.js";
import { mentionedId, validateRow, type ImportedEntry, type RowProblem } from "./fields.js";
import type { RawRow } from "./rows.js";
import { BatchWriter, readRosterState, type RosterState } from "./store.js";

/**
 * `roster import`: a plan first (add / update field old -> new / unchanged / remove with --prune),
 * then the writes. Two passes over the rows, so a file of any size streams: the first checks every
 * row and makes the plan (keeping only ids, handles and a sample of changes), the second writes.
 * Nothing is written when any row is bad, unless skipInvalid, which writes the good rows and lists
 * the rest. Idempotent: an unchanged row is not written, so a second import changes nothing.
 */

export interface FieldChange {
  field: RosterField;
  from: unknown;
  to: unknown;
}

export interface PlannedChange {
  kind: "add" | "update" | "remove";
  id: string;
  name: string;
  /** The file line of an add or update. */
  line?: number;
  /** An update's fields, old -> new. */
  fields?: FieldChange[];
}

export interface ImportPlan {
  rows: number;
  add: number;
  update: number;
  unchanged: number;
  /** Entries of the roster the file does not list: removed with prune, else left as they are. */
  remove: number;
  prune: boolean;
  /** The first changes (at most `sampleSize`), in file order, then the removals. */
  changes: PlannedChange[];
  /** Every problem found (rows, duplicates, handles owned by others), in line order. */
  problems: RowProblem[];
  /** Lines of rows that are not written because of a problem. */
  invalidRows: number;
}

export interface ImportResult {
  plan: ImportPlan;
  applied: boolean;
  written: number;
  removed: number;
}

export interface ImportSource {
  /** Opens the rows (called once per pass). */
  open(): Promise<AsyncIterable<RawRow>>;
}

export interface ImportOptions {
  prune?: boolean;
  dryRun?: boolean;
  skipInvalid?: boolean;
  now?: () => Date;
  sampleSize?: number;
  /** Writes so far out of the planned total (for a progress bar). */
  onProgress?: (done: number, total: number) => void;
}

/** The fields a plan compares (what an operator edits). */
function differences(before: RosterEntry, after: ImportedEntry): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of ROSTER_FIELDS) {
    const from = before[field];
    const to = after[field];
    if (from !== to) changes.push({ field, from, to });
  }
  return changes;
}

/** What importing this entry does to the roster. */
function decide(state: RosterState, entry: ImportedEntry): "add" | "update" | "unchanged" {
  const existing = state.byId.get(entry.id);
  if (existing === undefined) return "add";
  return differences(existing, entry).length === 0 ? "unchanged" : "update";
}

interface FirstSeen {
  line: number;
  id: string;
}

export async function planImport(
  state: RosterState,
  source: ImportSource,
  options: ImportOptions = {},
): Promise<{ plan: ImportPlan; badLines: Set<number>; listed: Set<string>; mentioned: Set<string> }> {
  const sampleSize = options.sampleSize ?? 50;
  const plan: ImportPlan = {
    rows: 0,
    add: 0,
    update: 0,
    unchanged: 0,
    remove: 0,
    prune: options.prune === true,
    changes: [],
    problems: [],
    invalidRows: 0,
  };
  const badLines = new Set<number>();
  const kindOfLine = new Map<number, "add" | "update" | "unchanged">();
  const ids = new Map<string, FirstSeen>();
  const handles = new Map<string, FirstSeen>();
  /** The handle each listed id has in the file (to tell a handle moving between people). */
  const fileHandle = new Map<string, string | undefined>();
  const handleRows: { line: number; id: string; handle: string }[] = [];
  /** Every id the file names, bad rows included: a person whose row is bad is never pruned. */
  const mentioned = new Set<string>();
  const bad = (problem: RowProblem) => {
    plan.problems.push(problem);
    badLines.add(problem.line);
  };

  for await (const row of await source.open()) {
    plan.rows += 1;
    const { entry, problems } = validateRow(row);
    if (entry === undefined) {
      for (const problem of problems) bad(problem);
      const id = mentionedId(row);
      if (id !== undefined) mentioned.add(id);
      continue;
    }
    mentioned.add(entry.id);
    const firstId = ids.get(entry.id);
    if (firstId !== undefined) {
      bad({
        line: row.line,
        field: "id",
        value: entry.id,
        message: `the same id as line ${firstId.line}: each person once (give one an id of its own)`,
      });
      badLines.add(firstId.line);
      continue;
    }
    ids.set(entry.id, { line: row.line, id: entry.id });
    fileHandle.set(entry.id, entry.handle);
    if (entry.handle !== undefined) {
      const firstHandle = handles.get(entry.handle);
      if (firstHandle !== undefined) {
        bad({
          line: row.line,
          field: "handle",
          value: entry.handle,
          message: `the same Bluesky handle as line ${firstHandle.line} (${firstHandle.id}): a handle belongs to one person`,
        });
        badLines.add(firstHandle.line);
        continue;
      }
      handles.set(entry.handle, { line: row.line, id: entry.id });
      handleRows.push({ line: row.line, id: entry.id, handle: entry.handle });
    }
    const kind = decide(state, entry);
    kindOfLine.set(row.line, kind);
    if (kind !== "unchanged" && plan.changes.length < sampleSize) {
      const change: PlannedChange = { kind, id: entry.id, name: entry.name, line: row.line };
      if (kind === "update") change.fields = differences(state.byId.get(entry.id)!, entry);
      plan.changes.push(change);
    }
  }

  // A handle already carried by another celebrity's record or items (GSI2) is refused, unless that
  // celebrity is in this file with another handle (the handle moves between two people at once).
  for (const { line, id, handle } of handleRows) {
    for (const owner of state.handleOwners.get(handle) ?? []) {
      if (owner === id) continue;
      if (ids.has(owner) && fileHandle.get(owner) !== handle) continue;
      const name = state.byId.get(owner)?.name;
      bad({
        line,
        field: "handle",
        value: handle,
        message:
          `already the Bluesky handle of celebrity ${owner}${name ? ` (${name})` : ""} (GSI2); ` +
          `give another handle, or remove ${owner} first (pipeline roster remove ${owner} --purge)`,
      });
    }
  }

  const listed = new Set<string>();
  for (const [id, seen] of ids) if (!badLines.has(seen.line)) listed.add(id);
  for (const [line, kind] of kindOfLine) {
    if (badLines.has(line)) continue;
    plan[kind] += 1;
  }
  plan.changes = plan.changes.filter((change) => change.line === undefined || !badLines.has(change.line));
  for (const existing of state.byId.values()) {
    // An id whose row is bad is not "missing from the file": it is not pruned.
    if (mentioned.has(existing.id)) continue;
    plan.remove += 1;
    if (plan.prune && plan.changes.length < sampleSize * 2)
      plan.changes.push({ kind: "remove", id: existing.id, name: existing.name });
  }
  plan.problems.sort((a, b) => a.line - b.line);
  plan.invalidRows = badLines.size;
  return { plan, badLines, listed, mentioned };
}

function stored(entry: ImportedEntry, existing: RosterEntry | undefined, now: string): RosterEntry {
  return { ...entry, addedAt: existing?.addedAt || now, updatedAt: now };
}

/** A planned import: the plan, and the writes it would make (once approved). */
export interface PreparedImport {
  plan: ImportPlan;
  /** Whether there is anything to write (no blocking problem, and at least one change). */
  writable: boolean;
  apply(onProgress?: (done: number, total: number) => void): Promise<ImportResult>;
}

/** Reads the table once and plans the import; `apply` then makes the writes (the second pass). */
export async function prepareImport(
  client: DynamoDBClient,
  tableName: string,
  source: ImportSource,
  options: ImportOptions = {},
): Promise<PreparedImport> {
  const state = await readRosterState(client, tableName);
  const { plan, badLines, listed, mentioned } = await planImport(state, source, options);
  const blocked = plan.problems.length > 0 && !options.skipInvalid;
  const total = plan.add + plan.update + (plan.prune ? plan.remove : 0);
  const writable = !blocked && total > 0;
  return {
    plan,
    writable,
    async apply(onProgress) {
      if (!writable) return { plan, applied: false, written: 0, removed: 0 };
      const now = (options.now?.() ?? new Date()).toISOString();
      const writer = new BatchWriter(client, tableName, {
        onWritten: (done) => onProgress?.(done, total),
      });
      let puts = 0;
      for await (const row of await source.open()) {
        if (badLines.has(row.line)) continue;
        const { entry } = validateRow(row);
        if (entry === undefined || !listed.has(entry.id)) continue;
        if (decide(state, entry) === "unchanged") continue;
        await writer.put(stored(entry, state.byId.get(entry.id), now));
        puts += 1;
      }
      let removed = 0;
      if (plan.prune) {
        for (const existing of state.byId.values()) {
          if (mentioned.has(existing.id)) continue;
          await writer.delete(rosterKey(existing.id));
          removed += 1;
        }
      }
      await writer.flush();
      return { plan, applied: true, written: puts, removed };
    },
  };
}

/** Plans and, unless a dry run, applies an import (for callers that need no confirmation). */
export async function importRoster(
  client: DynamoDBClient,
  tableName: string,
  source: ImportSource,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const prepared = await prepareImport(client, tableName, source, options);
  if (options.dryRun || !prepared.writable)
    return { plan: prepared.plan, applied: false, written: 0, removed: 0 };
  return prepared.apply(options.onProgress);
}
