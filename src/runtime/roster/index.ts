/** The roster engine: reading roster files, planning and applying imports, list/export/remove. */
export { describeProblem, fieldOf, mapHeader, validateRow } from "./fields.js";
export type { ImportedEntry, RowProblem } from "./fields.js";
export { importRoster, planImport, prepareImport } from "./import.js";
export type {
  FieldChange,
  ImportOptions,
  ImportPlan,
  ImportResult,
  ImportSource,
  PlannedChange,
  PreparedImport,
} from "./import.js";
export {
  EmptyRosterError,
  copyRoster,
  demoSource,
  RosterEntryNotFound,
  ensureRoster,
  filterRoster,
  importDemo,
  removeEntry,
  sourceOfEntries,
  writeRoster,
} from "./operations.js";
export type { RemoveResult, RosterFilter, RosterReadiness } from "./operations.js";
export {
  ROSTER_FORMATS,
  RosterFileError,
  formatOfContent,
  formatOfName,
  openInput,
  readRows,
} from "./rows.js";
export type { RawRow, RosterFormat, RowSource } from "./rows.js";
export { BatchWriter, itemsOf, readRoster, readRosterState } from "./store.js";
export type { RosterState } from "./store.js";
