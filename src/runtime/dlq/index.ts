/**
 * The DLQ engine: inspect, archive and replay the stack's failure queues (DESIGN.md §5) through
 * SQS, Lambda and DynamoDB Streams SDK calls, the same on every target. Never prints.
 */
export { decodeMessage, groupFailures, MESSAGE_KINDS } from "./decode.js";
export type {
  DecodedMessage,
  FailureGroup,
  LambdaFailureForm,
  MessageKind,
  RawMessage,
  ShardInfo,
  StreamBatchInfo,
} from "./decode.js";
export { appendJsonLines, archiveEntry, readArchive, readJsonLines } from "./archive.js";
export type { ArchiveEntry } from "./archive.js";
export { ReplayJournal } from "./journal.js";
export type { JournalLine } from "./journal.js";
export { failureQueues, selectQueues } from "./queues.js";
export type { FailureQueue } from "./queues.js";
export { describeShard, destinationOf, executeReplay, parseFilter, planAction } from "./replay.js";
export type { ReplayAction, ReplayItem, ReplayOutcome, ReplayReport, ReplayResult } from "./replay.js";
export { readStreamRange, streamEvent } from "./stream-records.js";
export { matchesAny, parseFilterPatterns } from "./stream-filter.js";
export type { FilterPattern } from "./stream-filter.js";
export type { StreamRecord } from "./stream-records.js";
export {
  AGE_SAMPLE_LIMIT,
  HOLD_SECONDS,
  PEEK_VISIBILITY_SECONDS,
  archiveJournalFile,
  drainQueue,
  listQueues,
  peekQueue,
  rehydrateQueue,
  replayArchive,
  replayQueue,
} from "./operations.js";
export type {
  ArchiveReplayReport,
  DlqDeps,
  DrainResult,
  PeekResult,
  QueueReplayReport,
  QueueStatus,
  RehydrateResult,
  ReplayOptions,
} from "./operations.js";
