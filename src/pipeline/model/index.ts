/** The item model: keys, roster, source data, validation, hashing, enrichment formulas, errors. */
export { SOURCES, isSourceName, parseSourceName } from "./sources.js";
export type { SourceName } from "./sources.js";
export {
  CATEGORIES,
  DEMO_ROSTER_COUNT,
  HANDLE_PATTERN,
  ROSTER_FIELDS,
  ROSTER_ID_PATTERN,
  celebrityOf,
  demoRoster,
  generateRoster,
  inventedCelebrity,
  rosterEntrySchema,
  rosterHash,
  slugOf,
} from "./roster.js";
export type {
  Category,
  Celebrity,
  GenerateRosterOptions,
  RosterEntry,
  RosterEntryInput,
  RosterField,
} from "./roster.js";
export { COUNTRY_CODES } from "./countries.js";
export {
  KEY_ATTRIBUTES,
  KEY_PREFIX,
  celebrityIdOf,
  celebrityKey,
  documentId,
  gsiKeys,
  ROSTER_SORT_KEY,
  isCelebrityKey,
  isRosterKey,
  isRunRecordKey,
  keySegment,
  rosterKey,
  runRecordKey,
  shardRecordKey,
  socialKey,
} from "./keys.js";
export type { GsiKeys, ItemKey } from "./keys.js";
export { MAX_LIST_ENTRIES, primarySignal, sentimentText } from "./source-data.js";
export type {
  NewsData,
  SocialData,
  SourceData,
  SourceDataOf,
  TmdbData,
  WikipediaData,
} from "./source-data.js";
export { contentHash, stableStringify } from "./content-hash.js";
export {
  ENRICHMENT_ATTRIBUTES,
  buildCelebrityItem,
  isCompleteCelebrityItem,
  needsEnrichment,
  validateCompleteness,
} from "./item.js";
export type { CelebrityItem } from "./item.js";
export { MAX_RUN_FAILURES, RunTally, buildRunRecord, buildShardRecord } from "./run-record.js";
export type {
  RunCounts,
  RunFailure,
  RunRecord,
  RunRecordInput,
  ShardRecord,
  ShardRecordInput,
} from "./run-record.js";
export { WEIGHT_REFERENCE, computeWeight, weightSignal } from "./weight.js";
export { SENTIMENT_LABELS, SENTIMENT_THRESHOLDS, analyseSentiment, sentimentLabel } from "./sentiment.js";
export type { Sentiment, SentimentLabel } from "./sentiment.js";
export {
  PermanentError,
  RetryableError,
  classifyError,
  classifyHttpStatus,
  isRetryable,
  isTransientNetworkError,
} from "./errors.js";
export type { ErrorClass, PipelineErrorOptions } from "./errors.js";
export { VERSION_ATTRIBUTE, versionBase, versionBump, versionOfImage } from "./version.js";
export { rosterEntryOfItem, rosterRecordOf } from "./roster-record.js";
export type { RosterRecord } from "./roster-record.js";
export {
  MAX_SHARD_PEOPLE,
  RUN_ID_PATTERN,
  SHARD_KIND,
  SHARD_VERSION,
  ShardDecodeError,
  cutShards,
  decodeShard,
  encodeShard,
  isShardBody,
  scrapeShardSchema,
  shardMessageAttributes,
} from "./shard.js";
export type { ScrapeShard } from "./shard.js";
