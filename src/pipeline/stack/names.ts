import { SOURCES } from "../model/sources.js";
import type { SourceName } from "../model/sources.js";

/**
 * Base names of every named resource (DESIGN.md section 1). The stack appends its suffix
 * (`""` for the real stack, `"-test"` for verify's clean copy); nothing else spells these strings.
 */
export const BASE_NAMES = {
  table: "celebrity-database",
  scraperDlq: "celebrity-scraper-dlq",
  streamDlq: "celebrity-stream-dlq",
  weeklyRule: "celebrity-weekly-scrape",
  manualRule: "celebrity-manual-scrape",
  alarm: "celebrity-scraper-failures",
  /** index-sync's own on-failure queue, so its failures alarm on their own. */
  indexSyncDlq: "celebrity-index-sync-dlq",
  /** The SNS topic every alarm of the stack notifies. */
  alertsTopic: "celebrity-pipeline-alerts",
  scraperDlqAlarm: "celebrity-scraper-dlq-messages",
  streamDlqAlarm: "celebrity-stream-dlq-messages",
  indexSyncFailuresAlarm: "celebrity-index-sync-failures",
  /** SSM Parameter Store hierarchy of the sources' API keys: `<prefix>/<source>/api-key`. */
  parameterPrefix: "/celebrity-pipeline",
  scraperRole: "celebrity-scraper-role",
  postProcessorRole: "celebrity-post-processor-role",
  indexSyncRole: "celebrity-index-sync-role",
  postProcessor: "post-processor",
  indexSync: "index-sync",
  /** Scraper functions are `scraper-<source>`. */
  scraperPrefix: "scraper-",
  /** Each source's work queue (one message per shard of a run) is `celebrity-scrape-<source>`. */
  workQueuePrefix: "celebrity-scrape-",
} as const;

export const SCRAPER_FUNCTION_KEYS = SOURCES.map((source) => `scraper-${source}` as const);

export type ScraperFunctionKey = `scraper-${SourceName}`;
export type FunctionKey = ScraperFunctionKey | "post-processor" | "index-sync";

export const FUNCTION_KEYS: readonly FunctionKey[] = [
  ...SCRAPER_FUNCTION_KEYS,
  "post-processor",
  "index-sync",
];

export type RuleKey = "weekly" | "manual";
export const RULE_KEYS: readonly RuleKey[] = ["weekly", "manual"];

export type RoleKey = "scraper" | "post-processor" | "index-sync";
export const ROLE_KEYS: readonly RoleKey[] = ["scraper", "post-processor", "index-sync"];

/** The failure queues (dead-letter queues and on-failure destinations). */
export type FailureQueueKey = "scraperDlq" | "streamDlq" | "indexSyncDlq";
export const FAILURE_QUEUE_KEYS: readonly FailureQueueKey[] = ["scraperDlq", "streamDlq", "indexSyncDlq"];

/** Each source's work queue of shards. */
export type WorkQueueKey = `work-${SourceName}`;
export const WORK_QUEUE_KEYS: readonly WorkQueueKey[] = SOURCES.map((source) => workQueueKey(source));

export function workQueueKey(source: SourceName): WorkQueueKey {
  return `work-${source}`;
}

/** The source whose shards a queue key holds, or undefined for the failure queues. */
export function sourceOfQueueKey(key: QueueKey): SourceName | undefined {
  return SOURCES.find((source) => workQueueKey(source) === key);
}

/** Failure queues first: the work queues' redrive policies name the scraper DLQ, which must exist. */
export type QueueKey = FailureQueueKey | WorkQueueKey;
export const QUEUE_KEYS: readonly QueueKey[] = [...FAILURE_QUEUE_KEYS, ...WORK_QUEUE_KEYS];

export type TopicKey = "alerts";
export const TOPIC_KEYS: readonly TopicKey[] = ["alerts"];

/** The stack's alarms: scraper errors, and a message waiting in each failure queue. */
export type AlarmKey = "scraperFailures" | "scraperDlq" | "streamDlq" | "indexSyncFailures";
export const ALARM_KEYS: readonly AlarmKey[] = [
  "scraperFailures",
  "scraperDlq",
  "streamDlq",
  "indexSyncFailures",
];

export type MappingKey = "post-processor" | "index-sync";
export const MAPPING_KEYS: readonly MappingKey[] = ["post-processor", "index-sync"];

export function scraperFunctionKey(source: SourceName): ScraperFunctionKey {
  return `scraper-${source}`;
}

/** The source a scraper function key scrapes, or undefined for the stream functions. */
export function sourceOfFunctionKey(key: FunctionKey): SourceName | undefined {
  return SOURCES.find((source) => scraperFunctionKey(source) === key);
}

/** Every concrete name of a stack with the given suffix. */
export interface StackNames {
  suffix: string;
  table: string;
  queues: Record<QueueKey, string>;
  rules: Record<RuleKey, string>;
  roles: Record<RoleKey, string>;
  functions: Record<FunctionKey, string>;
  /** The scraper failure alarm (also `alarms.scraperFailures`). */
  alarm: string;
  alarms: Record<AlarmKey, string>;
  topics: Record<TopicKey, string>;
  /** SSM parameter holding each source's API key (shared by every copy of the stack in an account). */
  parameters: Record<SourceName, string>;
  /** OpenSearch index (the configured base index name plus the suffix). */
  index: string;
}

export function stackNames(suffix: string, indexBaseName: string): StackNames {
  const named = (base: string): string => `${base}${suffix}`;
  const functions = Object.fromEntries(FUNCTION_KEYS.map((key) => [key, named(key)])) as Record<
    FunctionKey,
    string
  >;
  return {
    suffix,
    table: named(BASE_NAMES.table),
    queues: {
      scraperDlq: named(BASE_NAMES.scraperDlq),
      streamDlq: named(BASE_NAMES.streamDlq),
      indexSyncDlq: named(BASE_NAMES.indexSyncDlq),
      ...(Object.fromEntries(
        SOURCES.map((source) => [workQueueKey(source), named(`${BASE_NAMES.workQueuePrefix}${source}`)]),
      ) as Record<WorkQueueKey, string>),
    },
    rules: { weekly: named(BASE_NAMES.weeklyRule), manual: named(BASE_NAMES.manualRule) },
    roles: {
      scraper: named(BASE_NAMES.scraperRole),
      "post-processor": named(BASE_NAMES.postProcessorRole),
      "index-sync": named(BASE_NAMES.indexSyncRole),
    },
    functions,
    alarm: named(BASE_NAMES.alarm),
    alarms: {
      scraperFailures: named(BASE_NAMES.alarm),
      scraperDlq: named(BASE_NAMES.scraperDlqAlarm),
      streamDlq: named(BASE_NAMES.streamDlqAlarm),
      indexSyncFailures: named(BASE_NAMES.indexSyncFailuresAlarm),
    },
    topics: { alerts: named(BASE_NAMES.alertsTopic) },
    parameters: Object.fromEntries(SOURCES.map((source) => [source, apiKeyParameterName(source)])) as Record<
      SourceName,
      string
    >,
    index: named(indexBaseName),
  };
}

/** The SSM parameter of a source's API key, e.g. /celebrity-pipeline/tmdb/api-key. */
export function apiKeyParameterName(source: SourceName): string {
  return `${BASE_NAMES.parameterPrefix}/${source}/api-key`;
}
